/* Sample values: a valid, non-default value for any column (round-trip tests). */
#include <stdio.h>
#include <string.h>

#include "conf/conf.h"

const char *conf_value_sample(const struct conf_table *t, int col, unsigned row, char *buf,
			      size_t len)
{
	const struct conf_column *c = &t->cols[col];
	long long def = 0;
	union conf_val v;

	if (!conf_type_is_text(c->type) && conf_value_default(c, &v) == 0)
		def = v.i;
	switch (c->type) {
	case CONF_T_BOOL:
		snprintf(buf, len, "%d", !def);
		break;
	case CONF_T_INT: {
		long long v = def + 1 + row;
		if (v > c->max)
			v = def - 1 - row;
		snprintf(buf, len, "%lld", v < c->min ? c->min : v);
		break;
	}
	case CONF_T_PORT:
		/* rows 10 apart so that UDP, TCP and TLS ports of sample rows never clash */
		snprintf(buf, len, "%lld", def < 60000 ? def + 1000 + 10 * row : 1 + row);
		break;
	case CONF_T_ENUM:
		for (const struct conf_enum *e = c->enums; e->name; e++)
			if (e->value != def) {
				snprintf(buf, len, "%d", e->value);
				break;
			}
		break;
	case CONF_T_IPADDR:
		snprintf(buf, len, "127.0.0.%u", 2 + row % 250);
		break;
	case CONF_T_REF:
		/* the same row of the referenced table, named as samples name it */
		if (c->flags & CONF_F_BYINDEX)
			snprintf(buf, len, "%u", row);
		else
			snprintf(buf, len, "name-%u", row);
		break;
	case CONF_T_STRING:
	case CONF_T_SECRET:
		snprintf(buf, len, "%s%u",
			 (c->flags & CONF_F_NAME)   ? "name-"
			 : c->type == CONF_T_SECRET ? "Secret"
						    : "Sample-",
			 row);
		if (c->max && (long long)strlen(buf) > c->max)
			buf[c->max] = 0;
		break;
	}
	return buf;
}

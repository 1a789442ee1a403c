/* Schema lookups and the value codec shared by every view. */
#include <arpa/inet.h>
#include <crypt.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"

const struct conf_table *conf_table_find(const char *name)
{
	for (unsigned i = 0; i < conf_ntables; i++)
		if (strcasecmp(conf_tables[i]->name, name) == 0)
			return conf_tables[i];
	return NULL;
}

int conf_table_pos(const struct conf_table *t)
{
	for (unsigned i = 0; i < conf_ntables; i++)
		if (conf_tables[i] == t)
			return (int)i;
	return -1;
}

int conf_column_find(const struct conf_table *t, const char *name)
{
	for (unsigned i = 0; i < t->ncols; i++)
		if (strcasecmp(t->cols[i].name, name) == 0)
			return (int)i;
	return -1;
}

const struct conf_table *conf_globals(void)
{
	for (unsigned i = 0; i < conf_ntables; i++)
		if (conf_tables[i]->flags & CONF_TF_GLOBALS)
			return conf_tables[i];
	return NULL;
}

int conf_table_name_col(const struct conf_table *t)
{
	for (unsigned i = 0; i < t->ncols; i++)
		if (t->cols[i].flags & CONF_F_NAME)
			return (int)i;
	return -1;
}

int conf_type_is_text(enum conf_type t)
{
	return t == CONF_T_STRING || t == CONF_T_IPADDR || t == CONF_T_REF || t == CONF_T_SECRET;
}

const char *conf_type_name(enum conf_type t)
{
	static const char *const names[] = {"bool",       "integer", "enumeration", "string",
					    "IP address", "port",    "reference",   "secret"};
	return t <= CONF_T_SECRET ? names[t] : "?";
}

const char *conf_enum_name(const struct conf_column *c, long long value)
{
	if (c->type == CONF_T_BOOL && !c->enums)
		return value ? "enable" : "disable";
	for (const struct conf_enum *e = c->enums; e && e->name; e++)
		if (e->value == value)
			return e->name;
	return NULL;
}

static int parse_int(const char *text, long long *out)
{
	char *end;

	errno = 0;
	if (!*text)
		return -1;
	*out = strtoll(text, &end, 10);
	return (errno || *end) ? -1 : 0;
}

int conf_utf8_check(const char *text, char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p) {
		unsigned c = *p, need, cp;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			goto bad;
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				goto bad;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
		if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		p += need + 1;
	}
	return 0;
bad:
	snprintf(err, errlen, "not valid UTF-8 (byte 0x%02x at offset %zu)", *p,
		 (size_t)(p - (const unsigned char *)text));
	return -1;
}

static int is_hash(const char *s)
{
	return s[0] == '$' && (s[1] == '6' || s[1] == 'y' || s[1] == '5') && s[2] == '$';
}

/*
 * Per thread: sbcd's loop parses flash and LOADs, front ends parse their own
 * input. While on, a bare "$y$..." is also a hash: flash saves written before
 * CONF_HASH_PREFIX existed load back as they were.
 */
static _Thread_local int hash_import;

int conf_hash_import(int allow)
{
	int was = hash_import;

	hash_import = allow;
	return was;
}

static char *hash_password(const char *plain)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	char *out = NULL;

	/* yescrypt with salt bytes from the kernel (NULL rbytes) */
	if (!crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)))
		return NULL;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return NULL;
	h = crypt_r(plain, salt, cd);
	if (h && h[0] == '$')
		out = strdup(h);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return out;
}

int conf_value_parse(const struct conf_column *c, const char *text, union conf_val *out, char *err,
		     size_t errlen)
{
	long long v;
	size_t len = strlen(text);

	switch (c->type) {
	case CONF_T_BOOL:
	case CONF_T_ENUM:
		if (parse_int(text, &v) < 0) {
			int found = 0;
			for (const struct conf_enum *e = c->enums; e && e->name; e++)
				if (strcasecmp(e->name, text) == 0) {
					v = e->value, found = 1;
					break;
				}
			if (!found && c->type == CONF_T_BOOL && !c->enums) {
				if (!strcasecmp(text, "enable") || !strcasecmp(text, "on"))
					v = 1, found = 1;
				else if (!strcasecmp(text, "disable") || !strcasecmp(text, "off"))
					v = 0, found = 1;
			}
			if (!found) {
				snprintf(err, errlen, "'%.40s' is not a valid %s", text,
					 c->type == CONF_T_BOOL ? "boolean (0 or 1)" : "value");
				return -1;
			}
		}
		if (c->type == CONF_T_BOOL && !c->enums) {
			if (v != 0 && v != 1) {
				snprintf(err, errlen, "%lld is not 0 or 1", v);
				return -1;
			}
		} else if (!conf_enum_name(c, v)) {
			int n = snprintf(err, errlen, "%lld is not one of", v);
			for (const struct conf_enum *e = c->enums;
			     e && e->name && n > 0 && (size_t)n < errlen; e++)
				n += snprintf(err + n, errlen - n, " %d (%s)", e->value, e->name);
			return -1;
		}
		out->i = v;
		return 0;
	case CONF_T_INT:
	case CONF_T_PORT:
		if (parse_int(text, &v) < 0) {
			snprintf(err, errlen, "'%.40s' is not an integer", text);
			return -1;
		}
		{
			long long lo = c->type == CONF_T_PORT ? 0 : c->min;
			long long hi = c->type == CONF_T_PORT ? 65535 : c->max;
			if (v < lo || v > hi) {
				snprintf(err, errlen, "%lld is out of range %lld..%lld", v, lo, hi);
				return -1;
			}
		}
		out->i = v;
		return 0;
	case CONF_T_IPADDR:
		if (len) {
			unsigned char buf[16];
			if (inet_pton(AF_INET, text, buf) != 1 &&
			    inet_pton(AF_INET6, text, buf) != 1) {
				snprintf(err, errlen, "'%.60s' is not an IPv4 or IPv6 address",
					 text);
				return -1;
			}
		}
		break;
	case CONF_T_REF:
		if (len && (c->flags & CONF_F_BYINDEX) && parse_int(text, &v) < 0) {
			snprintf(err, errlen, "'%.40s' is not a row index of %s", text, c->ref);
			return -1;
		}
		if (len > 64) {
			snprintf(err, errlen, "reference longer than 64 characters");
			return -1;
		}
		break;
	case CONF_T_STRING:
	case CONF_T_SECRET:
		if (c->max && (long long)len > c->max) {
			snprintf(err, errlen, "longer than %lld characters", c->max);
			return -1;
		}
		for (const char *p = text; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == '"') {
				snprintf(err, errlen,
					 "contains a control character or a double quote");
				return -1;
			}
		if (conf_utf8_check(text, err, errlen) < 0)
			return -1;
		if (c->type == CONF_T_SECRET && (c->flags & CONF_F_HASHED) &&
		    !strncmp(text, CONF_HASH_PREFIX, strlen(CONF_HASH_PREFIX))) {
			const char *h = text + strlen(CONF_HASH_PREFIX);
			if (!hash_import) {
				snprintf(err, errlen,
					 "a stored hash (" CONF_HASH_PREFIX
					 ") is taken only from sbcd's flash or a master's "
					 "whole import");
				return -1;
			}
			if (!is_hash(h)) {
				snprintf(err, errlen,
					 "not a crypt(3) hash after " CONF_HASH_PREFIX
					 " ($y$, $6$ or $5$)");
				return -1;
			}
			text = h;
		} else if (c->type == CONF_T_SECRET && (c->flags & CONF_F_HASHED) && len &&
			   !(hash_import && is_hash(text))) {
			/* any other text is a password, whatever it looks like */
			out->s = hash_password(text);
			if (!out->s) {
				snprintf(err, errlen, "cannot hash the password");
				return -1;
			}
			return 0;
		}
		break;
	}
	out->s = strdup(text);
	if (!out->s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

const char *conf_value_format(const struct conf_column *c, const union conf_val *v, char *buf,
			      size_t len)
{
	if (conf_type_is_text(c->type))
		snprintf(buf, len, "%s", v->s ? v->s : "");
	else
		snprintf(buf, len, "%lld", v->i);
	return buf;
}

int conf_value_default(const struct conf_column *c, union conf_val *out)
{
	char err[160];

	return conf_value_parse(c, c->def ? c->def : "", out, err, sizeof(err));
}

int conf_value_equal(const struct conf_column *c, const union conf_val *a, const union conf_val *b)
{
	if (conf_type_is_text(c->type))
		return strcmp(a->s ? a->s : "", b->s ? b->s : "") == 0;
	return a->i == b->i;
}

void conf_value_free(const struct conf_column *c, union conf_val *v)
{
	if (conf_type_is_text(c->type) && v->s) {
		if (c->type == CONF_T_SECRET)
			explicit_bzero(v->s, strlen(v->s));
		free(v->s);
		v->s = NULL;
	}
}

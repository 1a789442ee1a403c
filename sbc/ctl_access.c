/* The #access lines of LOAD and CHECK replies: the web moving is never one note among many. */
#include "sbc/ctl_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/cols.h"
#include "conf/store.h"

static const int access_cols[] = {GLOBALS_HTTP_PORT, GLOBALS_HTTPS_PORT, GLOBALS_HTTPS_ONLY,
				  GLOBALS_HTTPS_REQUIRE_CLIENT_CERTIFICATE, GLOBALS_WEB_ADDRESS};

int ctl_access_column(int c)
{
	for (unsigned i = 0; i < sizeof(access_cols) / sizeof(access_cols[0]); i++)
		if (access_cols[i] == c)
			return 1;
	return 0;
}

static const char *value(const struct conf_store *st, int c, char *buf, size_t len)
{
	const struct conf_table *g = conf_globals();
	const struct conf_row *r = st ? conf_store_get(st, g, 0) : NULL;

	if (!r)
		return "-";
	conf_value_format(&g->cols[c], &r->v[c], buf, len);
	return buf[0] ? buf : "-";
}

char *ctl_access_annotate(const char *coded, const struct conf_diag *d,
			  const struct conf_store *next, const struct conf_store *active)
{
	const struct conf_table *g = conf_globals();
	char *out = NULL, a[256], b[256];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	unsigned k = 0;

	if (!f)
		return NULL;
	for (const char *l = coded; *l;) {
		size_t n = strcspn(l, "\n");
		fprintf(f, "%.*s\n", (int)n, l);
		/* the k-th '#code pending' line is the k-th pending note of d: its column is
		   known by binding, never read back from the text */
		if (!strncmp(l, "#code pending ", 14)) {
			const struct conf_diag_at *at = NULL;
			while (k < d->n && d->at[k].code != CONF_C_PENDING)
				k++;
			if (k < d->n)
				at = &d->at[k++];
			if (at && at->table == g && ctl_access_column(at->col))
				fprintf(f, "#access %s %s %s\n", g->cols[at->col].name,
					value(active, at->col, a, sizeof(a)),
					value(next, at->col, b, sizeof(b)));
		}
		l += n + (l[n] != 0);
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

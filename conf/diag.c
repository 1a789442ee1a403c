/* Diagnostics: messages with a location and a code, for people and for programs. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdlib.h>
#include <string.h>

#include "conf/store.h"

static const char *const code_names[CONF_C_N] = {
    [CONF_C_NONE] = "none",       [CONF_C_SYNTAX] = "syntax",
    [CONF_C_RANGE] = "range",     [CONF_C_MANDATORY] = "mandatory",
    [CONF_C_UNIQUE] = "unique",   [CONF_C_REFERENCE] = "reference",
    [CONF_C_CHECK] = "check",     [CONF_C_READONLY] = "read-only",
    [CONF_C_UNKNOWN] = "unknown", [CONF_C_PERMISSION] = "permission",
    [CONF_C_REFUSED] = "refused", [CONF_C_RESOURCE] = "resource",
    [CONF_C_PENDING] = "pending",
};

const char *conf_code_name(enum conf_code c)
{
	return (unsigned)c < CONF_C_N && code_names[c] ? code_names[c] : "none";
}

enum conf_code conf_code_from_name(const char *name)
{
	for (unsigned c = 0; name && c < CONF_C_N; c++)
		if (code_names[c] && strcmp(code_names[c], name) == 0)
			return (enum conf_code)c;
	return CONF_C_NONE;
}

void conf_diag_init(struct conf_diag *d)
{
	memset(d, 0, sizeof(*d));
	d->max = 200;
}

void conf_diag_free(struct conf_diag *d)
{
	for (unsigned i = 0; i < d->n; i++)
		free(d->msg[i]);
	free(d->msg);
	free(d->at);
	memset(d, 0, sizeof(*d));
}

static void diag_vadd(struct conf_diag *d, int is_error, const struct conf_diag_at *at,
		      const char *fmt, va_list ap)
{
	char *m;

	if (is_error)
		d->nerr++;
	else
		d->nwarn++;
	if (d->max && d->n >= d->max)
		return;
	if (vasprintf(&m, fmt, ap) < 0)
		m = NULL;
	if (!m)
		return;
	if (d->n == d->cap) {
		unsigned cap = d->cap ? d->cap * 2 : 8;
		char **nm = realloc(d->msg, cap * sizeof(*nm));
		struct conf_diag_at *na = nm ? realloc(d->at, cap * sizeof(*na)) : NULL;
		if (nm)
			d->msg = nm;
		if (!na) {
			free(m);
			return;
		}
		d->at = na, d->cap = cap;
	}
	if (!is_error && strncmp(m, "warning: ", 9) != 0) {
		char *w;
		if (asprintf(&w, "warning: %s", m) < 0)
			w = NULL;
		free(m);
		if (!w)
			return;
		m = w;
	}
	d->at[d->n] = at ? *at : (struct conf_diag_at){CONF_C_NONE, NULL, -1, -1, 0};
	d->msg[d->n++] = m;
}

void conf_diag_add(struct conf_diag *d, int is_error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, is_error, NULL, fmt, ap);
	va_end(ap);
}

void conf_diag_add_at(struct conf_diag *d, int is_error, enum conf_code code,
		      const struct conf_table *t, int row, int col, const char *fmt, ...)
{
	struct conf_diag_at at = {code, t, row,
				  t && col >= 0 && (unsigned)col < t->ncols ? col : -1, 0};
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, is_error, &at, fmt, ap);
	va_end(ap);
}

/* The '#code' line of message i, or "" when it has no code. */
static const char *code_line(const struct conf_diag *d, unsigned i, char *buf, size_t len)
{
	const struct conf_diag_at *a = &d->at[i];
	char row[16] = "-", line[16] = "";

	if (a->code == CONF_C_NONE)
		return "";
	if (a->row >= 0)
		snprintf(row, sizeof(row), "%d", a->row);
	if (a->line)
		snprintf(line, sizeof(line), " %u", a->line);
	snprintf(buf, len, "#code %s %s %s %s%s\n", conf_code_name(a->code),
		 a->table ? a->table->name : "-", row,
		 a->col >= 0 ? a->table->cols[a->col].name : "-", line);
	return buf;
}

static char *join(const struct conf_diag *d, int coded)
{
	char *out = NULL, buf[256];
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	for (unsigned i = 0; i < d->n; i++)
		fprintf(f, "%s\n%s", d->msg[i], coded ? code_line(d, i, buf, sizeof(buf)) : "");
	if (d->max && d->n >= d->max)
		fprintf(f, "(%u more not shown)\n", d->nerr + d->nwarn - d->n);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *conf_diag_join(const struct conf_diag *d)
{
	return join(d, 0);
}

char *conf_diag_join_coded(const struct conf_diag *d)
{
	return join(d, 1);
}

int conf_diag_is_code_line(const char *line)
{
	return line && strncmp(line, "#code ", 6) == 0;
}

int conf_diag_reply_at(const char *body, struct conf_diag_at *at)
{
	char code[32], table[64], row[16], col[64];

	*at = (struct conf_diag_at){CONF_C_NONE, NULL, -1, -1, 0};
	for (const char *l = body; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!conf_diag_is_code_line(l) ||
		    sscanf(l + 6, "%31s %63s %15s %63s %u", code, table, row, col, &at->line) < 4)
			continue;
		at->code = conf_code_from_name(code);
		at->table = strcmp(table, "-") ? conf_table_find(table) : NULL;
		at->row = strcmp(row, "-") ? atoi(row) : -1;
		at->col = at->table && strcmp(col, "-") ? conf_column_find(at->table, col) : -1;
		return 0;
	}
	return -1;
}

enum conf_code conf_diag_reply_code(const char *body)
{
	struct conf_diag_at at;

	conf_diag_reply_at(body, &at);
	return at.code;
}

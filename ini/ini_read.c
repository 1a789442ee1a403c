/* The INI reader: vendor format text -> edits of a conf store. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ini/ini.h"

#define MAX_FIELDS 64

struct reader {
	struct conf_store *st;
	const struct conf_store *base; /* replace: where secrets left out of the file come from */
	const char *fname;
	enum ini_mode mode;
	unsigned flags;
	struct conf_diag *d;
	unsigned line;
	const struct conf_table *table; /* inside [ Table ] ... [ \Table ] */
	unsigned table_line;
	int skip_table;          /* unknown table: lines ignored until closed */
	int fmt[MAX_FIELDS];     /* FORMAT: column per position, -1 ignored */
	unsigned nfmt;           /* 0: no FORMAT line yet */
	unsigned char *seen;     /* rows of the current table named so far */
	unsigned char *replaced; /* per table: already cleared in replace mode */
	unsigned char *gseen;    /* globals named in this document */
	unsigned **rowline;      /* per table, per row index: the line it was read from (or NULL) */
};

/* Errors are syntax errors of the current table unless a site says what and where. */
#define ERR(r, ...)  reader_diag(r, 1, CONF_C_SYNTAX, (r)->table, -1, -1, __VA_ARGS__)
#define WARN(r, ...) reader_diag(r, 0, CONF_C_NONE, NULL, -1, -1, __VA_ARGS__)
#define ERRAT(r, code, t, row, col, ...)                                                           \
	reader_diag(r, 1, code, t, (int)(row), (int)(col), __VA_ARGS__)
#define WARNAT(r, code, t, ...) reader_diag(r, 0, code, t, -1, -1, __VA_ARGS__)

static void reader_diag(struct reader *r, int is_err, enum conf_code code,
			const struct conf_table *t, int row, int col, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void reader_diag(struct reader *r, int is_err, enum conf_code code,
			const struct conf_table *t, int row, int col, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	conf_diag_add_at(r->d, is_err, code, t, row, col, "%s%s:%u: %s",
			 is_err ? "" : "warning: ", r->fname, r->line, msg);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = 0;
	return s;
}

/* "[ Name ]" or "[ \Name ]": returns the name (trimmed), sets *closing. */
static char *section_name(char *s, int *closing)
{
	char *e = strrchr(s, ']');

	if (!e)
		return NULL;
	*e = 0;
	s = trim(s + 1);
	*closing = *s == '\\';
	if (*closing)
		s = trim(s + 1);
	return s;
}

/* The column a FORMAT or data name denotes: "Table_Col" or "Col". */
static const char *strip_prefix(const struct conf_table *t, const char *name)
{
	size_t n = strlen(t->name);

	if (strncasecmp(name, t->name, n) == 0 && name[n] == '_')
		return name + n + 1;
	return name;
}

static int is_index_name(const char *n)
{
	return strcasecmp(n, "Index") == 0;
}

/* Splits "a, "b,c", $$ , ;" into fields; quoted fields keep their text, *quoted says so. */
static int split_fields(struct reader *r, char *s, char **f, int *quoted, unsigned max)
{
	unsigned n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (n == max) {
			ERR(r, "more than %u values", max);
			return -1;
		}
		quoted[n] = 0;
		if (*s == '"') {
			char *q = strchr(s + 1, '"');
			if (!q) {
				ERR(r, "unterminated quoted value in field %u", n + 1);
				return -1;
			}
			*q = 0;
			f[n] = s + 1;
			quoted[n++] = 1;
			s = trim(q + 1);
			if (*s && *s != ',') {
				ERR(r, "text after the quoted value of field %u", n);
				return -1;
			}
		} else {
			char *c = strchr(s, ',');
			if (c)
				*c = 0;
			f[n++] = trim(s);
			if (!c)
				break;
			s = c + 1;
			continue;
		}
		if (*s != ',')
			break;
		s++;
	}
	return (int)n;
}

static void begin_table(struct reader *r, const struct conf_table *t)
{
	int pos = conf_table_pos(t);

	r->table = t;
	r->table_line = r->line;
	r->nfmt = 0;
	free(r->seen);
	r->seen = calloc(t->max_rows, 1);
	if (r->mode == INI_REPLACE && !r->replaced[pos]) {
		r->replaced[pos] = 1;
		conf_store_clear(r->st, t);
	}
}

static void end_table(struct reader *r)
{
	const struct conf_table *t = r->table;

	if (r->mode == INI_REPLACE && (t->flags & CONF_TF_FIXED0) && !conf_store_get(r->st, t, 0)) {
		/* the fixed row 0 falls back to its factory content */
		struct conf_store *f = ini_factory();
		struct conf_row *src = f ? conf_store_get(f, t, 0) : NULL;
		struct conf_row *dst = conf_store_ensure(r->st, t, 0, NULL);
		char buf[2048], err[200];
		for (unsigned c = 0; src && dst && c < t->ncols; c++)
			conf_row_set_text(
			    t, dst, (int)c,
			    conf_value_format(&t->cols[c], &src->v[c], buf, sizeof(buf)), err,
			    sizeof(err));
		conf_store_free(f);
	}
	r->table = NULL;
	r->skip_table = 0;
	free(r->seen);
	r->seen = NULL;
}

static void parse_format(struct reader *r, char *s)
{
	const struct conf_table *t = r->table;
	char *eq = strchr(s, '='), *f[MAX_FIELDS];
	int quoted[MAX_FIELDS], n;
	char *idx;

	if (!eq) {
		ERR(r, "%s: FORMAT line without '='", t->name);
		return;
	}
	*eq = 0;
	idx = trim(s);
	if (!is_index_name(strip_prefix(t, idx))) {
		ERR(r, "%s: FORMAT must start with %s_Index, not '%s'", t->name, t->name, idx);
		return;
	}
	s = trim(eq + 1);
	if (*s && s[strlen(s) - 1] == ';')
		s[strlen(s) - 1] = 0;
	n = split_fields(r, s, f, quoted, MAX_FIELDS);
	if (n < 0)
		return;
	r->nfmt = 0;
	for (int i = 0; i < n; i++) {
		const char *name = strip_prefix(t, f[i]);
		int c = conf_column_find(t, name);
		if (!*f[i] && n == 1)
			break; /* "FORMAT T_Index = ;" names no column */
		if (c < 0) {
			WARNAT(r, CONF_C_UNKNOWN, t, "%s: unknown column '%s' ignored", t->name,
			       f[i]);
		} else if ((t->cols[c].flags & CONF_F_RO) && !(r->flags & INI_L_STATUS)) {
			ERRAT(r, CONF_C_READONLY, t, -1, c,
			      "%s column %s: read-only, cannot be imported", t->name,
			      t->cols[c].name);
			return;
		} else {
			for (unsigned k = 0; k < r->nfmt; k++)
				if (r->fmt[k] == c) {
					ERR(r, "%s: column %s listed twice in FORMAT", t->name,
					    t->cols[c].name);
					return;
				}
		}
		r->fmt[r->nfmt++] = c;
	}
	if (!r->nfmt)
		r->nfmt = MAX_FIELDS + 1; /* a FORMAT with no column: rows carry only an index */
}

/* Exports leave secrets out: a replaced row keeps the secrets of the row it replaces. */
static void keep_secrets(struct reader *r, struct conf_row *row)
{
	const struct conf_table *t = r->table;
	const struct conf_row *old = conf_store_get(r->base, t, row->index);
	char err[200];
	int was = conf_hash_import(1); /* the base's own hashes, copied as text */

	for (unsigned c = 0; old && c < t->ncols; c++)
		if (t->cols[c].flags & CONF_F_SECRET)
			conf_row_set_text(t, row, (int)c, old->v[c].s, err, sizeof(err));
	conf_hash_import(was);
}

static void parse_row(struct reader *r, char *s)
{
	const struct conf_table *t = r->table;
	char *eq = strchr(s, '='), *f[MAX_FIELDS], *name, *end;
	int quoted[MAX_FIELDS], n, created;
	unsigned long idx;
	unsigned nf = r->nfmt > MAX_FIELDS ? 0 : r->nfmt;
	struct conf_row *row;
	size_t len;

	if (!eq) {
		ERR(r, "%s: expected 'FORMAT ...' or '%s <index> = values;'", t->name, t->name);
		return;
	}
	*eq = 0;
	name = trim(s);
	len = strcspn(name, " \t");
	if (len != strlen(t->name) || strncasecmp(name, t->name, len) != 0) {
		ERR(r, "%s: row of another table ('%.*s') inside [ %s ]", t->name, (int)len, name,
		    t->name);
		return;
	}
	name = trim(name + len);
	idx = strtoul(name, &end, 10);
	if (!*name || *end || !isdigit((unsigned char)*name)) {
		ERR(r, "%s: row index '%s' is not a number", t->name, name);
		return;
	}
	if (idx >= t->max_rows) {
		ERRAT(r, CONF_C_RANGE, t, -1, -1, "%s row %lu: index out of range 0..%u", t->name,
		      idx, t->max_rows - 1);
		return;
	}
	if (!r->nfmt) {
		ERRAT(r, CONF_C_SYNTAX, t, idx, -1, "%s row %lu: data row before the FORMAT line",
		      t->name, idx);
		return;
	}
	s = trim(eq + 1);
	len = strlen(s);
	if (!len || s[len - 1] != ';') {
		ERRAT(r, CONF_C_SYNTAX, t, idx, -1,
		      "%s row %lu: row does not end with ';' (truncated?)", t->name, idx);
		return;
	}
	s[len - 1] = 0;
	s = trim(s);
	if (nf == 0) {
		n = *s ? -2 : 0;
	} else {
		n = split_fields(r, s, f, quoted, MAX_FIELDS);
		if (n < 0)
			return;
	}
	if (n != (int)nf) {
		ERRAT(r, CONF_C_SYNTAX, t, idx, -1,
		      "%s row %lu: expected %u value%s (FORMAT), found %d", t->name, idx, nf,
		      nf == 1 ? "" : "s", n < 0 ? 1 : n);
		return;
	}
	if (r->seen && r->seen[idx]) {
		ERRAT(r, CONF_C_SYNTAX, t, idx, -1, "%s row %lu: appears twice", t->name, idx);
		return;
	}
	if (r->seen)
		r->seen[idx] = 1;
	row = conf_store_ensure(r->st, t, (unsigned)idx, &created);
	if (row && r->rowline) {
		unsigned **l = &r->rowline[conf_table_pos(t)];
		if (!*l)
			*l = calloc(t->max_rows, sizeof(**l));
		if (*l)
			(*l)[idx] = r->line;
	}
	if (!row) {
		ERRAT(r, CONF_C_RESOURCE, t, idx, -1, "%s row %lu: out of memory", t->name, idx);
		return;
	}
	if (created && r->base)
		keep_secrets(r, row);
	for (unsigned i = 0; i < nf; i++) {
		int c = r->fmt[i];
		const struct conf_column *col;
		char err[400];
		const char *v = f[i];
		if (c < 0)
			continue;
		col = &t->cols[c];
		if (!quoted[i] && strcmp(v, "$$") == 0)
			v = col->def ? col->def : "";
		else if (!quoted[i] && !*v && !conf_type_is_text(col->type))
			v = col->def ? col->def : "";
		else if (quoted[i] && !conf_type_is_text(col->type)) {
			ERRAT(r, CONF_C_SYNTAX, t, idx, c,
			      "%s row %lu column %s: a quoted value where a number is expected",
			      t->name, idx, col->name);
			continue;
		}
		if (conf_row_set_text(t, row, c, v, err, sizeof(err)) < 0)
			ERRAT(r, CONF_C_RANGE, t, idx, c, "%s row %lu column %s: %s", t->name, idx,
			      col->name, err);
	}
}

static void parse_global(struct reader *r, char *s)
{
	const struct conf_table *g = conf_globals();
	char *eq = strchr(s, '='), *name, *v, err[400];
	struct conf_row *row = conf_store_ensure(r->st, g, 0, NULL);
	int c;
	size_t len;

	if (!eq) {
		ERR(r, "expected 'Name = Value'");
		return;
	}
	*eq = 0;
	name = trim(s);
	v = trim(eq + 1);
	len = strlen(v);
	c = conf_column_find(g, name);
	if (c < 0) {
		if (conf_table_find(name))
			ERR(r, "table %s outside its [ %s ] section", name, name);
		else
			WARNAT(r, CONF_C_UNKNOWN, g, "unknown parameter '%s' ignored", name);
		return;
	}
	if (g->cols[c].flags & CONF_F_RO) {
		ERRAT(r, CONF_C_READONLY, g, 0, c, "%s: read-only, cannot be imported",
		      g->cols[c].name);
		return;
	}
	if ((v[0] == '\'' || v[0] == '"') && (len < 2 || v[len - 1] != v[0])) {
		ERRAT(r, CONF_C_SYNTAX, g, 0, c, "%s: unterminated quote (%c) in the value",
		      g->cols[c].name, v[0]);
		return;
	}
	if (len >= 2 &&
	    ((v[0] == '\'' && v[len - 1] == '\'') || (v[0] == '"' && v[len - 1] == '"'))) {
		v[len - 1] = 0;
		v++;
	} else if (!conf_type_is_text(g->cols[c].type) && strcmp(v, "$$") == 0) {
		v = (char *)(g->cols[c].def ? g->cols[c].def : "");
	}
	if (r->gseen[c])
		WARN(r, "%s set twice; the last value wins", g->cols[c].name);
	r->gseen[c] = 1;
	if (row && conf_row_set_text(g, row, c, v, err, sizeof(err)) < 0)
		ERRAT(r, CONF_C_RANGE, g, 0, c, "%s: %s", g->cols[c].name, err);
}

static void parse_delete(struct reader *r, char *s)
{
	char tname[128];
	unsigned idx;
	const struct conf_table *t;

	if (!(r->flags & INI_L_DELETE) || r->mode != INI_INCREMENTAL) {
		ERR(r, "'!DELETE' is only accepted in incremental changes");
		return;
	}
	if (sscanf(s, "!DELETE %127s %u", tname, &idx) != 2) {
		ERR(r, "expected '!DELETE <table> <index>'");
		return;
	}
	t = conf_table_find(tname);
	if (!t || (t->flags & (CONF_TF_GLOBALS | CONF_TF_STATUS))) {
		ERRAT(r, CONF_C_UNKNOWN, NULL, -1, -1, "unknown table '%s'", tname);
		return;
	}
	if ((t->flags & CONF_TF_FIXED0) && idx == 0) {
		ERRAT(r, CONF_C_CHECK, t, 0, -1, "%s row 0: cannot be deleted", t->name);
		return;
	}
	if (conf_store_delete(r->st, t, idx) < 0)
		ERRAT(r, CONF_C_UNKNOWN, t, idx, -1, "%s row %u: no such row", t->name, idx);
}

static void parse_line(struct reader *r, char *s)
{
	s = trim(s);
	if (!*s || *s == ';')
		return;
	if (*s == '[') {
		int closing;
		char *name = section_name(s, &closing);
		const struct conf_table *t;
		if (!name) {
			ERR(r, "section header without ']'");
			return;
		}
		if (closing) {
			if (r->table && strcasecmp(name, r->table->name) == 0)
				end_table(r);
			else if (r->skip_table)
				r->skip_table = 0, r->table = NULL;
			else
				ERR(r, "[ \\%s ] closes a table that is not open", name);
			return;
		}
		if (r->table || r->skip_table) {
			ERR(r, "[ %s ] opened before [ \\%s ] was closed", name,
			    r->table ? r->table->name : "?");
			return;
		}
		t = conf_table_find(name);
		if (t && (t->flags & CONF_TF_GLOBALS))
			t = NULL;
		if (t && (t->flags & CONF_TF_STATUS) && !(r->flags & INI_L_STATUS)) {
			ERRAT(r, CONF_C_READONLY, t, -1, -1, "%s: status table, read-only",
			      t->name);
			r->skip_table = 1;
			return;
		}
		if (t) {
			begin_table(r, t);
		} else if (strchr(name, ' ') == NULL && strcasestr(name, "params") == NULL) {
			WARNAT(r, CONF_C_UNKNOWN, NULL, "unknown table '%s' ignored", name);
			r->skip_table = 1;
		}
		return; /* other headers ("SIP Params") only group global parameters */
	}
	if (r->skip_table)
		return;
	if (*s == '!') {
		parse_delete(r, s);
		return;
	}
	if (r->table) {
		if (strncasecmp(s, "FORMAT", 6) == 0 && (s[6] == ' ' || s[6] == '\t'))
			parse_format(r, s + 7);
		else
			parse_row(r, s);
		return;
	}
	parse_global(r, s);
}

/*
 * A whole document without a WebUsers table (vendor exports carry none) keeps the users and
 * passwords of base rather than the factory's Admin/Admin.
 */
static void keep_users(struct reader *r)
{
	const struct conf_table *t = &conf_tbl_webusers;
	const struct conf_rows *rs = conf_store_rows(r->base, t);
	char buf[2048], err[200];

	if (r->replaced[conf_table_pos(t)] || !rs->n)
		return;
	conf_store_clear(r->st, t);
	int was = conf_hash_import(1); /* the base's own hashes, copied as text */
	for (unsigned j = 0; j < rs->n; j++) {
		const struct conf_row *src = rs->row[j];
		struct conf_row *dst = conf_store_ensure(r->st, t, src->index, NULL);
		for (unsigned c = 0; dst && c < t->ncols; c++)
			conf_row_set_text(
			    t, dst, (int)c,
			    conf_value_format(&t->cols[c], &src->v[c], buf, sizeof(buf)), err,
			    sizeof(err));
	}
	conf_hash_import(was);
	explicit_bzero(buf, sizeof(buf));
	conf_diag_add(r->d, 0,
		      "warning: %s: no WebUsers table: the current users and passwords are kept",
		      r->fname);
}

static int load(struct conf_store *st, const struct conf_store *base, const char *text, size_t len,
		const char *fname, enum ini_mode mode, unsigned flags, struct conf_diag *d,
		unsigned **rowline)
{
	struct reader r = {.st = st,
			   .base = base,
			   .fname = fname ? fname : "-",
			   .mode = mode,
			   .flags = flags,
			   .d = d,
			   .rowline = rowline};
	unsigned before = d->nerr;
	char *line = malloc(INI_MAX_LINE + 1);
	size_t pos = 0;

	r.replaced = calloc(conf_ntables, 1);
	r.gseen = calloc(conf_globals()->ncols, 1);
	if (!line || !r.replaced || !r.gseen) {
		conf_diag_add_at(d, 1, CONF_C_RESOURCE, NULL, -1, -1, "%s: out of memory", r.fname);
		goto out;
	}
	/* a UTF-8 byte order mark, as Windows editors write it, is not part of the first line */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - (text + pos)) : len - pos;
		int bad = 0;
		r.line++;
		if (l > INI_MAX_LINE) {
			ERR(&r, "line longer than %d bytes", INI_MAX_LINE);
			pos += l + 1;
			continue;
		}
		memcpy(line, text + pos, l);
		line[l] = 0;
		pos += l + (nl ? 1 : 0);
		if (l && line[l - 1] == '\r')
			line[--l] = 0;
		for (size_t i = 0; i < l; i++)
			if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
				bad = 1;
		if (bad || strlen(line) != l) {
			ERR(&r, "binary data (control characters) in the line");
			if (d->nerr - before > 20)
				break;
			continue;
		}
		parse_line(&r, line);
		if (d->nerr - before > 100) {
			conf_diag_add(d, 1, "%s: too many errors, stopped at line %u", r.fname,
				      r.line);
			break;
		}
	}
	if (r.table) {
		r.line = r.table_line;
		ERR(&r, "[ %s ] is never closed with [ \\%s ]", r.table->name, r.table->name);
		end_table(&r);
	}
	if (mode == INI_REPLACE && base)
		keep_users(&r);
	if (mode == INI_REPLACE) {
		/* global parameters the document leaves out return to their defaults */
		const struct conf_table *g = conf_globals();
		struct conf_row *row = conf_store_ensure(st, g, 0, NULL);
		char err[200];
		const struct conf_row *brow = base ? conf_store_get(base, g, 0) : NULL;
		for (unsigned c = 0; row && c < g->ncols; c++)
			if (!r.gseen[c] && !(g->cols[c].flags & CONF_F_RO))
				/* exports leave secrets out: a secret global keeps its value */
				conf_row_set_text(g, row, (int)c,
						  brow && (g->cols[c].flags & CONF_F_SECRET)
						      ? brow->v[c].s
						  : g->cols[c].def ? g->cols[c].def
								   : "",
						  err, sizeof(err));
	}
out:
	free(line);
	free(r.seen);
	free(r.replaced);
	free(r.gseen);
	return d->nerr > before ? -1 : 0;
}

int ini_load(struct conf_store *st, const char *text, size_t len, const char *fname,
	     enum ini_mode mode, unsigned flags, struct conf_diag *d)
{
	return load(st, NULL, text, len, fname, mode, flags, d, NULL);
}

/*
 * Validation errors of rows this document wrote name the file and line of the
 * row, as the reader's own errors do; others (rows it did not touch) stay as
 * they are.
 */
static void validate_located(const struct conf_store *st, const char *fname,
			     unsigned *const *rowline, struct conf_diag *d)
{
	struct conf_diag v;

	conf_diag_init(&v);
	v.max = d->max;
	conf_store_validate(st, &v);
	for (unsigned i = 0; i < v.n; i++) {
		const struct conf_diag_at *a = &v.at[i];
		const unsigned *l = a->table ? rowline[conf_table_pos(a->table)] : NULL;
		unsigned line = l && a->row >= 0 ? l[a->row] : 0;

		if (line) {
			unsigned n = d->n;
			conf_diag_add_at(d, 1, a->code, a->table, a->row, a->col, "%s:%u: %s",
					 fname ? fname : "-", line, v.msg[i]);
			if (d->n > n)
				d->at[n].line = line;
		} else
			conf_diag_add_at(d, 1, a->code, a->table, a->row, a->col, "%s", v.msg[i]);
	}
	d->nerr += v.nerr - v.n; /* those past v.max: counted, not stored */
	conf_diag_free(&v);
}

struct conf_store *ini_build(const struct conf_store *base, const char *text, size_t len,
			     const char *fname, enum ini_mode mode, unsigned flags,
			     struct conf_diag *d)
{
	struct conf_store *st = mode == INI_REPLACE ? ini_factory() : conf_store_clone(base);
	unsigned **rowline = calloc(conf_ntables, sizeof(*rowline));
	unsigned before = d->nerr;

	if (!st || !rowline) {
		conf_diag_add_at(d, 1, CONF_C_RESOURCE, NULL, -1, -1, "out of memory");
		conf_store_free(st);
		free(rowline);
		return NULL;
	}
	if (load(st, mode == INI_REPLACE ? base : NULL, text, len, fname, mode, flags, d,
		 rowline) == 0)
		validate_located(st, fname, rowline, d);
	for (unsigned i = 0; i < conf_ntables; i++)
		free(rowline[i]);
	free(rowline);
	if (d->nerr > before) {
		conf_store_free(st);
		return NULL;
	}
	return st;
}

/* Whole-store validation and the pending (reset-required) report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/store.h"

struct keyed {
	const char *key;
	unsigned index;
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcasecmp(x->key, y->key);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Sorted (value, index) pairs of a text column, empty values left out. */
static struct keyed *column_sorted(const struct conf_rows *rs, int col, unsigned *n)
{
	struct keyed *k = malloc((rs->n ? rs->n : 1) * sizeof(*k));

	*n = 0;
	if (!k)
		return NULL;
	for (unsigned j = 0; j < rs->n; j++)
		if (rs->row[j]->v[col].s[0])
			k[(*n)++] = (struct keyed){rs->row[j]->v[col].s, rs->row[j]->index};
	qsort(k, *n, sizeof(*k), keyed_cmp);
	return k;
}

static int has_name(const struct keyed *k, unsigned n, const char *name)
{
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		int c = strcasecmp(k[mid].key, name);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static void check_unique(const struct conf_table *t, const struct conf_rows *rs, int col,
			 struct conf_diag *d)
{
	const struct conf_column *c = &t->cols[col];

	if (conf_type_is_text(c->type)) {
		unsigned n;
		struct keyed *k = column_sorted(rs, col, &n);
		for (unsigned j = 1; k && j < n; j++)
			if (strcasecmp(k[j - 1].key, k[j].key) == 0)
				conf_diag_add_at(
				    d, 1, CONF_C_UNIQUE, t, (int)k[j].index, col,
				    "%s row %u column %s: '%s' is already used by row %u", t->name,
				    k[j].index, c->name, k[j].key, k[j - 1].index);
		free(k);
		return;
	}
	for (unsigned a = 0; a < rs->n; a++)
		for (unsigned b = a + 1; b < rs->n; b++)
			if (rs->row[a]->v[col].i && rs->row[a]->v[col].i == rs->row[b]->v[col].i)
				conf_diag_add_at(
				    d, 1, CONF_C_UNIQUE, t, (int)rs->row[b]->index, col,
				    "%s row %u column %s: %lld is already used by row %u", t->name,
				    rs->row[b]->index, c->name, rs->row[b]->v[col].i,
				    rs->row[a]->index);
}

static void check_refs(const struct conf_store *st, const struct conf_table *t,
		       const struct conf_rows *rs, int col, struct conf_diag *d)
{
	const struct conf_column *c = &t->cols[col];
	const struct conf_table *rt = conf_table_find(c->ref);
	struct keyed *names = NULL;
	unsigned nnames = 0;

	if (!rt) {
		conf_diag_add_at(d, 1, CONF_C_UNKNOWN, t, -1, col,
				 "%s column %s: schema refers to unknown table %s", t->name,
				 c->name, c->ref);
		return;
	}
	if (!(c->flags & CONF_F_BYINDEX)) {
		int nc = conf_table_name_col(rt);
		if (nc < 0)
			return;
		names = column_sorted(conf_store_rows(st, rt), nc, &nnames);
		if (!names)
			return;
	}
	for (unsigned j = 0; j < rs->n; j++) {
		const char *v = rs->row[j]->v[col].s;
		int ok;
		if (!v[0])
			continue;
		if (c->flags & CONF_F_BYINDEX)
			ok = conf_store_get(st, rt, (unsigned)strtoul(v, NULL, 10)) != NULL;
		else
			ok = has_name(names, nnames, v);
		if (!ok)
			conf_diag_add_at(d, 1, CONF_C_REFERENCE, t, (int)rs->row[j]->index, col,
					 "%s row %u column %s: no %s row %s '%s'", t->name,
					 rs->row[j]->index, c->name, rt->name,
					 (c->flags & CONF_F_BYINDEX) ? "with index" : "named", v);
	}
	free(names);
}

/* A check hook's message says "<Table> row N [column C]: ..."; its location is read back. */
static void check_failed(struct conf_diag *d, const struct conf_table *t, const char *err)
{
	const char *p = strstr(err, " row ");
	int row = -1, col = -1;
	char name[64];

	if (p && sscanf(p, " row %d", &row) == 1 && (p = strstr(p, " column ")) &&
	    sscanf(p, " column %63[A-Za-z0-9_]", name) == 1)
		col = conf_column_find(t, name);
	conf_diag_add_at(d, 1, CONF_C_CHECK, t, row, col, "%s", err);
}

int conf_store_validate(const struct conf_store *st, struct conf_diag *d)
{
	unsigned before = d->nerr;
	char err[512];

	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		const struct conf_rows *rs = &st->t[i];

		if (t->flags & CONF_TF_STATUS)
			continue;
		if ((t->flags & (CONF_TF_FIXED0 | CONF_TF_GLOBALS)) && !conf_store_get(st, t, 0))
			conf_diag_add_at(d, 1, CONF_C_CHECK, t, 0, -1,
					 "%s row 0: must exist and cannot be deleted", t->name);
		for (unsigned c = 0; c < t->ncols; c++) {
			const struct conf_column *col = &t->cols[c];
			if ((col->flags & CONF_F_MANDATORY) && conf_type_is_text(col->type))
				for (unsigned j = 0; j < rs->n; j++)
					if (!rs->row[j]->v[c].s[0])
						conf_diag_add_at(
						    d, 1, CONF_C_MANDATORY, t,
						    (int)rs->row[j]->index, (int)c,
						    "%s row %u column %s: a value is required",
						    t->name, rs->row[j]->index, col->name);
			if (col->flags & (CONF_F_UNIQUE | CONF_F_NAME))
				check_unique(t, rs, (int)c, d);
			if (col->type == CONF_T_REF)
				check_refs(st, t, rs, (int)c, d);
		}
		if (t->check && t->check(st, err, sizeof(err)) < 0)
			check_failed(d, t, err);
	}
	return d->nerr > before ? -1 : 0;
}

/* Rows of a table with reset-required columns that are gone from running still run until reset. */
static unsigned pending_deleted(const struct conf_table *t, const struct conf_rows *run,
				const struct conf_rows *act, struct conf_diag *d, int coded)
{
	unsigned n = 0, c;

	for (c = 0; c < t->ncols && !(t->cols[c].flags & CONF_F_RESET); c++)
		;
	if (c == t->ncols || (t->flags & CONF_TF_GLOBALS))
		return 0;
	for (unsigned j = 0; j < act->n; j++) {
		unsigned idx = act->row[j]->index, k;
		for (k = 0; k < run->n && run->row[k]->index != idx; k++)
			;
		if (k < run->n)
			continue;
		n++;
		if (d)
			conf_diag_add_at(
			    d, 0, coded ? CONF_C_PENDING : CONF_C_NONE, t, (int)idx, -1,
			    "pending reset: %s row %u deleted (still in force until reset)",
			    t->name, idx);
	}
	return n;
}

static unsigned pending(const struct conf_store *running, const struct conf_store *active,
			struct conf_diag *d, int coded)
{
	enum conf_code code = coded ? CONF_C_PENDING : CONF_C_NONE;
	unsigned n = 0;
	char a[256], b[256];

	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		const struct conf_rows *rs = &running->t[i];
		for (unsigned j = 0; j < rs->n; j++) {
			const struct conf_row *r = rs->row[j];
			const struct conf_row *o = conf_store_get(active, t, r->index);
			for (unsigned c = 0; c < t->ncols; c++) {
				const struct conf_column *col = &t->cols[c];
				if (!(col->flags & CONF_F_RESET))
					continue;
				if (o && conf_value_equal(col, &r->v[c], &o->v[c]))
					continue;
				if (!o && t->flags & CONF_TF_GLOBALS)
					continue;
				n++;
				if (d) {
					conf_value_format(col, &r->v[c], a, sizeof(a));
					if (o)
						conf_value_format(col, &o->v[c], b, sizeof(b));
					/* coded: "#code pending TABLE ROW COLUMN" follows */
					if (t->flags & CONF_TF_GLOBALS)
						conf_diag_add_at(
						    d, 0, code, t, (int)r->index, (int)c,
						    "pending reset: %s = %s (active %s)", col->name,
						    a, b);
					else
						conf_diag_add_at(
						    d, 0, code, t, (int)r->index, (int)c,
						    "pending reset: %s row %u column %s "
						    "= %s (%s%s)",
						    t->name, r->index, col->name, a,
						    o ? "active " : "new row", o ? b : "");
				}
			}
		}
		n += pending_deleted(t, &running->t[i], &active->t[i], d, coded);
	}
	return n;
}

unsigned conf_store_pending(const struct conf_store *running, const struct conf_store *active,
			    struct conf_diag *d)
{
	return pending(running, active, d, 0);
}

unsigned conf_store_pending_coded(const struct conf_store *running, const struct conf_store *active,
				  struct conf_diag *d)
{
	return pending(running, active, d, 1);
}

/* Rows, stores and diagnostics. Validation lives in validate.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/store.h"

struct conf_store *conf_store_new(void)
{
	struct conf_store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->t = calloc(conf_ntables, sizeof(*st->t));
	if (!st->t) {
		free(st);
		return NULL;
	}
	st->refs = 1;
	return st;
}

struct conf_store *conf_store_ref(struct conf_store *st)
{
	if (st)
		__atomic_add_fetch(&st->refs, 1, __ATOMIC_RELAXED);
	return st;
}

static void row_free(const struct conf_table *t, struct conf_row *r)
{
	if (!r)
		return;
	for (unsigned c = 0; c < t->ncols; c++)
		conf_value_free(&t->cols[c], &r->v[c]);
	free(r);
}

void conf_store_free(struct conf_store *st)
{
	if (!st || __atomic_sub_fetch(&st->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (unsigned i = 0; i < conf_ntables; i++) {
		for (unsigned j = 0; j < st->t[i].n; j++)
			row_free(conf_tables[i], st->t[i].row[j]);
		free(st->t[i].row);
	}
	free(st->t);
	free(st);
}

static struct conf_row *row_new(const struct conf_table *t, unsigned index)
{
	struct conf_row *r = calloc(1, sizeof(*r) + t->ncols * sizeof(union conf_val));

	if (!r)
		return NULL;
	r->index = index;
	for (unsigned c = 0; c < t->ncols; c++)
		if (conf_value_default(&t->cols[c], &r->v[c]) < 0) {
			/* a schema default that does not parse is a schema bug (tested) */
			if (conf_type_is_text(t->cols[c].type))
				r->v[c].s = strdup("");
		}
	return r;
}

static struct conf_row *row_clone(const struct conf_table *t, const struct conf_row *src)
{
	struct conf_row *r = malloc(sizeof(*r) + t->ncols * sizeof(union conf_val));

	if (!r)
		return NULL;
	r->index = src->index;
	for (unsigned c = 0; c < t->ncols; c++) {
		if (conf_type_is_text(t->cols[c].type)) {
			r->v[c].s = strdup(src->v[c].s ? src->v[c].s : "");
			if (!r->v[c].s) {
				for (unsigned k = 0; k < c; k++)
					conf_value_free(&t->cols[k], &r->v[k]);
				free(r);
				return NULL;
			}
		} else {
			r->v[c].i = src->v[c].i;
		}
	}
	return r;
}

struct conf_store *conf_store_clone(const struct conf_store *src)
{
	struct conf_store *st = conf_store_new();

	if (!st)
		return NULL;
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_rows *s = &src->t[i];
		struct conf_rows *d = &st->t[i];
		if (!s->n)
			continue;
		d->row = malloc(s->n * sizeof(*d->row));
		if (!d->row)
			goto fail;
		d->cap = s->n;
		for (unsigned j = 0; j < s->n; j++) {
			d->row[j] = row_clone(conf_tables[i], s->row[j]);
			if (!d->row[j])
				goto fail;
			d->n++;
		}
	}
	return st;
fail:
	conf_store_free(st);
	return NULL;
}

int conf_store_table_equal(const struct conf_store *a, const struct conf_store *b,
			   const struct conf_table *t)
{
	const struct conf_rows *x = conf_store_rows(a, t), *y = conf_store_rows(b, t);

	if (x->n != y->n)
		return 0;
	for (unsigned j = 0; j < x->n; j++) {
		const struct conf_row *ra = x->row[j], *rb = y->row[j];
		if (ra->index != rb->index)
			return 0;
		for (unsigned c = 0; c < t->ncols; c++)
			if (!conf_value_equal(&t->cols[c], &ra->v[c], &rb->v[c]))
				return 0;
	}
	return 1;
}

int conf_store_row_equal(const struct conf_store *a, const struct conf_store *b,
			 const struct conf_table *t, unsigned index)
{
	const struct conf_row *ra = conf_store_get(a, t, index), *rb = conf_store_get(b, t, index);

	if (!ra || !rb)
		return ra == rb;
	for (unsigned c = 0; c < t->ncols; c++)
		if (!conf_value_equal(&t->cols[c], &ra->v[c], &rb->v[c]))
			return 0;
	return 1;
}

int conf_store_equal(const struct conf_store *a, const struct conf_store *b)
{
	for (unsigned i = 0; i < conf_ntables; i++)
		if (!conf_store_table_equal(a, b, conf_tables[i]))
			return 0;
	return 1;
}

struct conf_rows *conf_store_rows(const struct conf_store *st, const struct conf_table *t)
{
	int pos = conf_table_pos(t);

	return pos < 0 ? NULL : &st->t[pos];
}

/* Position of index in rows, or where it would be inserted (*found = 0). */
static unsigned rows_search(const struct conf_rows *rs, unsigned index, int *found)
{
	unsigned lo = 0, hi = rs->n;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		if (rs->row[mid]->index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < rs->n && rs->row[lo]->index == index;
	return lo;
}

struct conf_row *conf_store_get(const struct conf_store *st, const struct conf_table *t,
				unsigned index)
{
	struct conf_rows *rs = conf_store_rows(st, t);
	int found;
	unsigned pos;

	if (!rs)
		return NULL;
	pos = rows_search(rs, index, &found);
	return found ? rs->row[pos] : NULL;
}

struct conf_row *conf_store_ensure(struct conf_store *st, const struct conf_table *t,
				   unsigned index, int *created)
{
	struct conf_rows *rs = conf_store_rows(st, t);
	struct conf_row *r;
	int found;
	unsigned pos;

	if (created)
		*created = 0;
	if (!rs || index >= t->max_rows)
		return NULL;
	pos = rows_search(rs, index, &found);
	if (found)
		return rs->row[pos];
	if (rs->n == rs->cap) {
		unsigned cap = rs->cap ? rs->cap * 2 : 4;
		struct conf_row **nr = realloc(rs->row, cap * sizeof(*nr));
		if (!nr)
			return NULL;
		rs->row = nr, rs->cap = cap;
	}
	r = row_new(t, index);
	if (!r)
		return NULL;
	memmove(&rs->row[pos + 1], &rs->row[pos], (rs->n - pos) * sizeof(*rs->row));
	rs->row[pos] = r;
	rs->n++;
	if (created)
		*created = 1;
	return r;
}

int conf_store_delete(struct conf_store *st, const struct conf_table *t, unsigned index)
{
	struct conf_rows *rs = conf_store_rows(st, t);
	int found;
	unsigned pos;

	if (!rs)
		return -1;
	pos = rows_search(rs, index, &found);
	if (!found)
		return -1;
	row_free(t, rs->row[pos]);
	memmove(&rs->row[pos], &rs->row[pos + 1], (rs->n - pos - 1) * sizeof(*rs->row));
	rs->n--;
	return 0;
}

void conf_store_clear(struct conf_store *st, const struct conf_table *t)
{
	struct conf_rows *rs = conf_store_rows(st, t);

	while (rs && rs->n)
		row_free(t, rs->row[--rs->n]);
}

int conf_row_set_text(const struct conf_table *t, struct conf_row *r, int col, const char *text,
		      char *err, size_t errlen)
{
	union conf_val v;

	if (col < 0 || (unsigned)col >= t->ncols) {
		snprintf(err, errlen, "no such column");
		return -1;
	}
	if (conf_value_parse(&t->cols[col], text, &v, err, errlen) < 0)
		return -1;
	conf_value_free(&t->cols[col], &r->v[col]);
	r->v[col] = v;
	return t->on_set ? t->on_set(t, r, col, err, errlen) : 0;
}

struct conf_row *conf_store_find_name(const struct conf_store *st, const struct conf_table *t,
				      const char *name)
{
	struct conf_rows *rs = conf_store_rows(st, t);
	int nc = conf_table_name_col(t);

	if (!rs || nc < 0)
		return NULL;
	for (unsigned j = 0; j < rs->n; j++)
		if (strcasecmp(rs->row[j]->v[nc].s, name) == 0)
			return rs->row[j];
	return NULL;
}

long long conf_global_int(const struct conf_store *st, const char *name)
{
	const struct conf_table *g = conf_globals();
	struct conf_row *r = conf_store_get(st, g, 0);
	int c = conf_column_find(g, name);

	return (r && c >= 0 && !conf_type_is_text(g->cols[c].type)) ? r->v[c].i : 0;
}

const char *conf_global_str(const struct conf_store *st, const char *name)
{
	const struct conf_table *g = conf_globals();
	struct conf_row *r = conf_store_get(st, g, 0);
	int c = conf_column_find(g, name);

	return (r && c >= 0 && conf_type_is_text(g->cols[c].type)) ? r->v[c].s : "";
}

long long conf_globals_int(const struct conf_store *st, enum globals_col c)
{
	struct conf_row *r = conf_store_get(st, &conf_tbl_globals, 0);

	return (r && (unsigned)c < GLOBALS_NCOLS &&
		!conf_type_is_text(conf_tbl_globals.cols[c].type))
		   ? r->v[c].i
		   : 0;
}

const char *conf_globals_str(const struct conf_store *st, enum globals_col c)
{
	struct conf_row *r = conf_store_get(st, &conf_tbl_globals, 0);

	return (r && (unsigned)c < GLOBALS_NCOLS &&
		conf_type_is_text(conf_tbl_globals.cols[c].type))
		   ? r->v[c].s
		   : "";
}

struct conf_store *conf_store_factory(void)
{
	struct conf_store *st = conf_store_new();

	if (!st)
		return NULL;
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		if ((t->flags & (CONF_TF_GLOBALS | CONF_TF_FIXED0)) &&
		    !conf_store_ensure(st, t, 0, NULL)) {
			conf_store_free(st);
			return NULL;
		}
	}
	return st;
}

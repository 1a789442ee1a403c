/*
 * conf store: rows of every table, validation and atomic transactions.
 *
 * A store holds, per schema table, rows sorted by index. A row has one value
 * per schema column. Stores are plain data: clone, compare, free.
 *
 * Changes are made on a candidate (a clone of the running store or a fresh
 * factory store), validated as a whole with conf_store_validate, and swapped
 * in by the owner (sbcd) only when valid: a refused change changes nothing.
 */
#ifndef CONF_STORE_H
#define CONF_STORE_H

#include "conf/conf.h"

struct conf_row {
	unsigned index;
	union conf_val v[]; /* one per column of the table */
};

struct conf_rows {
	struct conf_row **row; /* sorted by index */
	unsigned n, cap;
};

struct conf_store {
	struct conf_rows *t; /* conf_ntables entries, in schema order */
};

/* Errors and warnings with a location; collected by validation and the INI reader. */
struct conf_diag {
	char **msg;
	unsigned n, cap;
	unsigned nerr, nwarn;
	unsigned max; /* stop storing messages past this many (counting goes on) */
};

void conf_diag_init(struct conf_diag *d);
void conf_diag_free(struct conf_diag *d);
void conf_diag_add(struct conf_diag *d, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* All messages joined by newlines (malloc'd). */
char *conf_diag_join(const struct conf_diag *d);

/* An empty store (no rows at all, not even globals). */
struct conf_store *conf_store_new(void);
/* Factory defaults: the globals row, row 0 of every CONF_TF_FIXED0 table, and
 * any rows the schema's factory hook adds (conf_factory.c). */
struct conf_store *conf_store_factory(void);
struct conf_store *conf_store_clone(const struct conf_store *st);
void conf_store_free(struct conf_store *st);
/* 1 when both hold the same rows with the same values (in every table, or in t). */
int conf_store_equal(const struct conf_store *a, const struct conf_store *b);
int conf_store_table_equal(const struct conf_store *a, const struct conf_store *b,
			   const struct conf_table *t);
/* 1 when row index of t is absent from both or has the same values in both. */
int conf_store_row_equal(const struct conf_store *a, const struct conf_store *b,
			 const struct conf_table *t, unsigned index);

struct conf_rows *conf_store_rows(const struct conf_store *st, const struct conf_table *t);
struct conf_row *conf_store_get(const struct conf_store *st, const struct conf_table *t,
				unsigned index);
/* The row at index, created with default values when absent. NULL past max_rows. */
struct conf_row *conf_store_ensure(struct conf_store *st, const struct conf_table *t,
				   unsigned index, int *created);
/* Removes a row; -1 when absent. Does not check references (validation does). */
int conf_store_delete(struct conf_store *st, const struct conf_table *t, unsigned index);
/* Removes every row of t. */
void conf_store_clear(struct conf_store *st, const struct conf_table *t);
/* Sets one column from its text form; -1 with the reason in err. */
int conf_row_set_text(const struct conf_table *t, struct conf_row *r, int col, const char *text,
		      char *err, size_t errlen);
/* Finds the row whose CONF_F_NAME column equals name (case-insensitive). */
struct conf_row *conf_store_find_name(const struct conf_store *st, const struct conf_table *t,
				      const char *name);
/* Global parameter access by INI name; the globals row must exist. */
long long conf_global_int(const struct conf_store *st, const char *name);
const char *conf_global_str(const struct conf_store *st, const char *name);

/* Row value accessors (no bounds beyond the column index). */
static inline long long conf_row_int(const struct conf_row *r, int col)
{
	return r->v[col].i;
}
static inline const char *conf_row_str(const struct conf_row *r, int col)
{
	return r->v[col].s;
}

/*
 * Validates the whole store: mandatory values, uniqueness, references,
 * fixed row 0, and each table's check hook. Every problem is added to d as an
 * error naming table, row, column and reason. Returns 0 when valid.
 */
int conf_store_validate(const struct conf_store *st, struct conf_diag *d);

/*
 * Reset-required columns whose value in `running` differs from `active`
 * (what the engine runs with since boot), and rows of tables with
 * reset-required columns that running deleted but active still runs
 * ("Table row N deleted"). Writes "pending reset: ..." lines into d as
 * warnings; returns how many are pending.
 */
unsigned conf_store_pending(const struct conf_store *running, const struct conf_store *active,
			    struct conf_diag *d);

#endif

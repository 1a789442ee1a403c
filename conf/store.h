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

#include "conf/cols.h"
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
	unsigned refs;       /* references (conf_store_ref); 1 when made */
};

/*
 * What went wrong, for programs: each view words it in its own terms (CLI
 * keywords, HTTP status, SNMP error status) from the code, not the text.
 */
enum conf_code {
	CONF_C_NONE,       /* no code: free text only */
	CONF_C_SYNTAX,     /* a line or value that cannot be read */
	CONF_C_RANGE,      /* a value out of its range, length or enum */
	CONF_C_MANDATORY,  /* a mandatory value is empty */
	CONF_C_UNIQUE,     /* a value another row already has */
	CONF_C_REFERENCE,  /* a reference to a missing row, or a deleted row still referenced */
	CONF_C_CHECK,      /* a table's cross-row check refused it */
	CONF_C_READONLY,   /* a read-only column or status table */
	CONF_C_UNKNOWN,    /* no such table, row or column */
	CONF_C_PERMISSION, /* the requester's level does not allow it */
	CONF_C_REFUSED,    /* a consumer cannot apply it now (prepare refused) */
	CONF_C_RESOURCE,   /* out of memory or another resource */
	CONF_C_PENDING,    /* warning: stored, takes effect at the next reset */
	CONF_C_N
};
/* "syntax", "range", ... "refused", "pending"; "none" for CONF_C_NONE or unknown. */
const char *conf_code_name(enum conf_code c);
enum conf_code conf_code_from_name(const char *name); /* CONF_C_NONE when unknown */

/* Where a message points: table (or NULL), row index and column position (or -1). */
struct conf_diag_at {
	enum conf_code code;
	const struct conf_table *table;
	int row, col;
	unsigned line; /* a whole-store problem: the document line the row was read from, or 0 */
};

/* Errors and warnings with a location; collected by validation and the INI reader. */
struct conf_diag {
	char **msg;
	struct conf_diag_at *at; /* one per msg */
	unsigned n, cap;
	unsigned nerr, nwarn;
	unsigned max; /* stop storing messages past this many (counting goes on) */
};

void conf_diag_init(struct conf_diag *d);
void conf_diag_free(struct conf_diag *d);
/* A message without a code (CONF_C_NONE). Warnings get a "warning: " prefix. */
void conf_diag_add(struct conf_diag *d, int is_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A message with its code and location; the text still names them for people. */
void conf_diag_add_at(struct conf_diag *d, int is_error, enum conf_code code,
		      const struct conf_table *t, int row, int col, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
/* All messages joined by newlines (malloc'd). */
char *conf_diag_join(const struct conf_diag *d);
/*
 * The same, each coded message followed by one line for programs
 * (doc/CONTROL.md): "#code CODE TABLE ROW COLUMN [LINE]", "-" for what is
 * absent, LINE only when set.
 */
char *conf_diag_join_coded(const struct conf_diag *d);
/* For clients of such text: 1 when line (up to its end) is a '#code' line. */
int conf_diag_is_code_line(const char *line);
/* The first '#code' line of a reply body, read back (names found in the schema); -1 if none. */
int conf_diag_reply_at(const char *body, struct conf_diag_at *at);
/* The code of the first '#code' line of a reply body; CONF_C_NONE when it has none. */
enum conf_code conf_diag_reply_code(const char *body);

/* An empty store (no rows at all, not even globals). */
struct conf_store *conf_store_new(void);
/* Factory defaults: the globals row, row 0 of every CONF_TF_FIXED0 table, and
 * any rows the schema's factory hook adds (conf_factory.c). */
struct conf_store *conf_store_factory(void);
struct conf_store *conf_store_clone(const struct conf_store *st);
/*
 * Shares st: one more reference, dropped by conf_store_free (the last one frees).
 * A shared store is read-only: whoever holds it reads it, on any thread, and
 * nobody changes it in place (sbcd's running store is replaced by a commit,
 * never edited, so a worker may write an export of it while the loop goes on).
 * Returns st.
 */
struct conf_store *conf_store_ref(struct conf_store *st);
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
/*
 * Global parameter access by binding (conf/cols.h): conf_globals_int(st,
 * GLOBALS_HTTPS_PORT). 0 / "" when the globals row is absent or the column's
 * type is not an integer / text. sbcd's code uses these.
 */
long long conf_globals_int(const struct conf_store *st, enum globals_col c);
const char *conf_globals_str(const struct conf_store *st, enum globals_col c);
/* The same by INI name, for text from outside (front ends, files); 0 / "" when unknown. */
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
/* The same with each note coded CONF_C_PENDING at its table, row and column (LOAD and CHECK
 * replies: "#code pending TABLE ROW COLUMN", doc/CONTROL.md). */
unsigned conf_store_pending_coded(const struct conf_store *running, const struct conf_store *active,
				  struct conf_diag *d);

#endif

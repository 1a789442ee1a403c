/*
 * ini: the vendor INI format, read into and written from a conf store.
 *
 * Reading never validates the store as a whole; ini_build does (reader +
 * conf_store_validate) and is what every import path calls. A refused
 * document leaves the caller's store untouched (ini_build works on a copy).
 *
 * Semantics (doc/INI.md):
 *  - incremental: rows named in the file are created or updated; columns a
 *    FORMAT line leaves out keep their current values (defaults for new rows);
 *    `!DELETE Table N` lines (control protocol only, INI_L_DELETE) remove rows.
 *  - replace: start from the factory configuration; every table the file
 *    names is replaced by the rows the file gives (row 0 of a fixed table
 *    falls back to its factory content); global parameters the file leaves
 *    out take their defaults.
 */
#ifndef INI_INI_H
#define INI_INI_H

#include <stddef.h>

#include "conf/store.h"

enum ini_mode { INI_INCREMENTAL, INI_REPLACE };

/* ini_load flags */
#define INI_L_DELETE 0x01 /* accept `!DELETE Table N` lines */
#define INI_L_STATUS 0x02 /* status documents: read-only columns and status tables accepted */

/* ini_write flags */
#define INI_W_SECRETS 0x01 /* include secret columns (flash only) */
#define INI_W_STATUS  0x02 /* write the status tables (with read-only columns) instead */
#define INI_W_NOHEAD  0x04 /* leave out the comment header */

/* Longest line accepted. */
#define INI_MAX_LINE 65536

/*
 * Applies the document to st. Every problem goes to d as
 * "<fname>:<line>: <table> row <n> column <c>: reason" (errors) or
 * "warning: ..." (unknown names). Returns 0, or -1 when any error was found
 * (st is then partly changed: callers work on a copy).
 */
int ini_load(struct conf_store *st, const char *text, size_t len, const char *fname,
	     enum ini_mode mode, unsigned flags, struct conf_diag *d);

/*
 * The candidate store for a document: a copy of base (incremental) or the
 * factory configuration (replace), with the document applied and the whole
 * result validated. NULL when refused, with every error in d.
 */
struct conf_store *ini_build(const struct conf_store *base, const char *text, size_t len,
			     const char *fname, enum ini_mode mode, unsigned flags,
			     struct conf_diag *d);

/* The whole store as an INI document (malloc'd, NUL-terminated, length in *len). */
char *ini_write(const struct conf_store *st, unsigned flags, size_t *len);

/* Only the rows of one table (with its FORMAT line), or the globals when t is the globals. */
char *ini_write_table(const struct conf_store *st, const struct conf_table *t, unsigned flags,
		      size_t *len);

/* The embedded factory-default configuration (as INI text) and the store it gives. */
extern const char ini_factory_text[];
struct conf_store *ini_factory(void);

#endif

/*
 * conf: the one configuration schema and its values.
 *
 * Every configuration table, every global parameter and every read-only
 * status table is declared exactly once, as data (one conf/tbl_*.c file per
 * table). The INI reader and writer, the CLI, the SNMP subagent and the web
 * pages all walk these descriptors. Code that needs one particular column
 * reaches it by its typed binding (conf/cols.h: row->v[SIPIF_TLS_PORT],
 * &conf_tbl_sipinterface, conf_globals_int(st, GLOBALS_HTTPS_PORT)), never by
 * spelling its name: a name is matched only where text arrives from outside
 * (an INI file, a CLI command, an SNMP or HTTP request). sbcd (sbc/) holds no
 * look-up by name (tests/integration/conf_bindings.sh), and
 * tests/unit/test_conf_bindings.c fails when a binding and the schema differ.
 *
 * Global parameters are one table with the CONF_TF_GLOBALS flag: a single row
 * (index 0) whose columns carry their INI section and CLI group.
 *
 * conf/ knows no engine and depends on nothing else of ours.
 */
#ifndef CONF_H
#define CONF_H

#include <stddef.h>

enum conf_type {
	CONF_T_BOOL,   /* 0 or 1 */
	CONF_T_INT,    /* integer in [min, max] */
	CONF_T_ENUM,   /* integer, one of enums[] */
	CONF_T_STRING, /* text of at most max bytes */
	CONF_T_IPADDR, /* IPv4 or IPv6 literal, or empty when min == 0 */
	CONF_T_PORT,   /* 0..65535 */
	CONF_T_REF,    /* the name of a row of table `ref`, or empty */
	CONF_T_SECRET, /* text never shown or exported by a front end */
};

/* Column flags. */
#define CONF_F_RO        0x01 /* read-only: status, never in INI, refused on import */
#define CONF_F_SECRET    0x02 /* never exported by a view; saved to flash only */
#define CONF_F_RESET     0x04 /* stored at once, takes effect at the next reset */
#define CONF_F_MANDATORY 0x08 /* must be non-empty */
#define CONF_F_UNIQUE    0x10 /* unique among the rows of the table (non-empty values) */
#define CONF_F_NAME      0x20 /* the row's name, used by references from other tables */
#define CONF_F_BYINDEX   0x40 /* REF holding the referenced row's index (decimal), not its name */
#define CONF_F_HASHED    0x80 /* SECRET stored as a crypt(3) hash; plain text is hashed on set */

/* Table flags. */
#define CONF_TF_GLOBALS 0x01 /* one row, index 0: the global parameters */
#define CONF_TF_STATUS  0x02 /* read-only status table filled by sbcd */
#define CONF_TF_FIXED0  0x04 /* row 0 always exists and cannot be deleted */

struct conf_enum {
	int value;
	const char *name; /* CLI / MIB label, e.g. "tls-1-2" */
};

union conf_val {
	long long i; /* BOOL, INT, ENUM, PORT */
	char *s;     /* STRING, IPADDR, REF, SECRET: never NULL in a stored row */
};

struct conf_store;
struct conf_row;
struct conf_table;

struct conf_column {
	const char *name;    /* canonical and INI name, without the table prefix */
	const char *cli;     /* CLI keyword */
	unsigned mib;        /* MIB column (tables) or scalar number (globals), unique, > 0 */
	enum conf_type type; /* value type */
	long long min, max;  /* INT range; STRING/SECRET max length in max */
	const struct conf_enum *enums; /* ENUM values, terminated by { 0, NULL } */
	const char *ref;               /* REF: name of the referenced table */
	const char *def;               /* default, in INI text form (unquoted) */
	const char *help;              /* one line for CLI `?`, MIB DESCRIPTION and web forms */
	unsigned flags;                /* CONF_F_* */
	const char *section;           /* globals only: INI section, e.g. "SIP Params" */
	const char *group; /* globals only: CLI path, e.g. "network security-settings" */
};

/* Cross-row check run on the whole candidate store; fills err and returns -1 to refuse. */
typedef int (*conf_table_check_fn)(const struct conf_store *st, char *err, size_t errlen);
/* After conf_row_set_text stored column col of r: may rewrite the row's values (a password
 * into its hashes, from other columns of the row); -1 with err refuses the value. */
typedef int (*conf_row_set_fn)(const struct conf_table *t, struct conf_row *r, int col, char *err,
			       size_t errlen);

struct conf_table {
	const char *name;  /* INI table name, e.g. "TLSContexts" */
	const char *cli;   /* CLI keyword of a row, e.g. "tls" */
	const char *tree;  /* CLI configure tree: "system", "network" or "voip" */
	unsigned mib;      /* table number under the configuration (or status) arc */
	unsigned max_rows; /* rows allowed; indexes are 0 .. max_rows - 1 */
	unsigned flags;    /* CONF_TF_* */
	const struct conf_column *cols;
	unsigned ncols;
	const char *help;
	conf_table_check_fn check; /* optional */
	conf_row_set_fn on_set;    /* optional */
};

#define CONF_NCOLS(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

/* The schema, in dependency order (a referenced table before its users). */
extern const struct conf_table *const conf_tables[];
extern const unsigned conf_ntables;

/* Lookups by name are case-insensitive; they return NULL / -1 when absent. */
const struct conf_table *conf_table_find(const char *name);
int conf_table_pos(const struct conf_table *t); /* position in conf_tables[] */
int conf_column_find(const struct conf_table *t, const char *name);
const struct conf_table *conf_globals(void);
int conf_table_name_col(const struct conf_table *t); /* the CONF_F_NAME column or -1 */

/*
 * Passwords (CONF_F_HASHED): any text set is a password and is hashed, even
 * one that looks like "$y$...". A stored hash travels as CONF_HASH_PREFIX
 * followed by the crypt(3) string (ini_write writes it so); it is accepted
 * only while conf_hash_import(1) is in force on the calling thread (sbcd's
 * flash load, a master's whole import, the offline sbc-ini), else refused.
 * conf_hash_import returns the previous setting (default 0).
 */
#define CONF_HASH_PREFIX "hash:"
int conf_hash_import(int allow);
/* 0 when text is well-formed UTF-8 (no overlong forms, surrogates or code points past
 * U+10FFFF), else -1 with err naming the first bad byte and its offset. */
int conf_utf8_check(const char *text, char *err, size_t errlen);

/*
 * Value codec. Text forms are the INI forms without quotes: integers and
 * enums in decimal, strings as they are. conf_value_parse accepts, for ENUM
 * and BOOL, the enum name as well ("tls-1-2", "enable") so the CLI can pass
 * labels. On error it returns -1 and writes the reason (without location).
 * A parsed string value is malloc'd; conf_value_free releases it.
 */
int conf_value_parse(const struct conf_column *c, const char *text, union conf_val *out, char *err,
		     size_t errlen);
/* Writes the text form into buf (truncated to len); returns buf. */
const char *conf_value_format(const struct conf_column *c, const union conf_val *v, char *buf,
			      size_t len);
int conf_value_default(const struct conf_column *c, union conf_val *out);
int conf_value_equal(const struct conf_column *c, const union conf_val *a, const union conf_val *b);
void conf_value_free(const struct conf_column *c, union conf_val *v);
const char *conf_enum_name(const struct conf_column *c, long long value); /* NULL if none */
int conf_type_is_text(enum conf_type t);
const char *conf_type_name(enum conf_type t);

/*
 * A valid value other than the default, for round-trip tests over every
 * column of row `row`: a name column gets "name-<row>", and a reference names
 * the same row of the referenced table ("name-<row>", or "<row>" by index),
 * so sample rows of every table with the same index refer to each other.
 */
const char *conf_value_sample(const struct conf_table *t, int col, unsigned row, char *buf,
			      size_t len);

#endif

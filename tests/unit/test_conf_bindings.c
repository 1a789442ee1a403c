/*
 * Typed bindings (conf/cols.h) against the schema: every binding names a
 * column the schema has, at its position, with its type; every schema column
 * and table is bound. The checker is run on doctored copies of a table too,
 * so a renamed, retyped or added column is shown to fail.
 */
#include <stdio.h>
#include <string.h>

#include "conf/cols.h"
#include "conf/store.h"
#include "tests/unit/unit.h"

/* Problems between one table and its bindings, each printed; 0 when they agree. */
static unsigned check_table(const struct conf_table *t, const struct conf_table_binding *b)
{
	unsigned bad = 0;

	if (strcmp(t->name, b->name) != 0) {
		fprintf(stderr, "binding: table %s is bound as %s\n", t->name, b->name);
		bad++;
	}
	if (t->ncols != b->ncols) {
		fprintf(stderr, "binding: %s has %u columns, conf/cols.h binds %u\n", t->name,
			t->ncols, b->ncols);
		bad++;
	}
	for (unsigned j = 0; j < b->ncols; j++) {
		const struct conf_col_binding *c = &b->cols[j];
		const struct conf_column *sc;

		if (c->col != (int)j) {
			fprintf(stderr, "binding: %s is %d, listed at %u\n", c->id, c->col, j);
			bad++;
			continue;
		}
		if (j >= t->ncols) {
			fprintf(stderr, "binding: %s (%s.%s): the schema has no such column\n",
				c->id, t->name, c->name);
			bad++;
			continue;
		}
		sc = &t->cols[j];
		if (!sc->name || strcmp(sc->name, c->name) != 0) {
			fprintf(stderr, "binding: %s stands for %s.%s, the schema has %s there\n",
				c->id, t->name, c->name, sc->name ? sc->name : "(nothing)");
			bad++;
		} else if (sc->type != c->type) {
			fprintf(stderr, "binding: %s (%s.%s) expects %s, the schema says %s\n",
				c->id, t->name, c->name, conf_type_name(c->type),
				conf_type_name(sc->type));
			bad++;
		}
	}
	return bad;
}

static const struct conf_table_binding *binding_of(const struct conf_table *t)
{
	for (unsigned i = 0; i < conf_nbindings; i++)
		if (conf_bindings[i].table == t)
			return &conf_bindings[i];
	return NULL;
}

static void test_every_binding_matches(void)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < conf_nbindings; i++)
		bad += check_table(conf_bindings[i].table, &conf_bindings[i]);
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_every_table_bound(void)
{
	CU_ASSERT_EQUAL(conf_nbindings, conf_ntables);
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table_binding *b = binding_of(conf_tables[i]);
		if (!b)
			fprintf(stderr, "binding: table %s has none\n", conf_tables[i]->name);
		CU_ASSERT_PTR_NOT_NULL(b);
		/* the registry is found by name as well: both spellings lead to one table */
		CU_ASSERT_PTR_EQUAL(conf_table_find(conf_tables[i]->name), conf_tables[i]);
	}
}

/* The constants the engine uses stand where conf_column_find says. */
static void test_constants_by_name(void)
{
	CU_ASSERT_EQUAL(conf_column_find(&conf_tbl_sipinterface, "TLSPort"), SIPIF_TLS_PORT);
	CU_ASSERT_EQUAL(conf_column_find(&conf_tbl_webusers, "Password"), WEBUSER_PASSWORD);
	CU_ASSERT_EQUAL(conf_column_find(&conf_tbl_tlsstatus, "ActiveConnections"),
			TLSSTATUS_ACTIVE_CONNECTIONS);
	CU_ASSERT_EQUAL(conf_column_find(&conf_tbl_calls, "Duration"), CALLS_DURATION);
	CU_ASSERT_EQUAL(conf_column_find(conf_globals(), "AgentXSocket"), GLOBALS_AGENTX_SOCKET);
	CU_ASSERT_EQUAL(SIPIF_NCOLS, conf_tbl_sipinterface.ncols);
}

static void test_globals_accessors(void)
{
	struct conf_store *st = conf_store_factory();
	struct conf_row *g = conf_store_get(st, &conf_tbl_globals, 0);
	char err[128];

	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(
	    conf_row_set_text(&conf_tbl_globals, g, GLOBALS_HTTPS_PORT, "8443", err, sizeof(err)),
	    0);
	CU_ASSERT_EQUAL(conf_globals_int(st, GLOBALS_HTTPS_PORT), 8443);
	CU_ASSERT_EQUAL(conf_globals_int(st, GLOBALS_HTTPS_PORT), conf_global_int(st, "HTTPSPort"));
	CU_ASSERT_STRING_EQUAL(conf_globals_str(st, GLOBALS_HTTPS_CIPHER_STRING), "DEFAULT");
	/* a type mismatch or a value past the list reads as nothing, never as another column */
	CU_ASSERT_EQUAL(conf_globals_int(st, GLOBALS_HTTPS_CIPHER_STRING), 0);
	CU_ASSERT_STRING_EQUAL(conf_globals_str(st, GLOBALS_HTTPS_PORT), "");
	CU_ASSERT_EQUAL(conf_globals_int(st, GLOBALS_NCOLS), 0);
	conf_store_free(st);
}

/* A copy of SIPInterface with one column changed, checked against the real bindings. */
static unsigned check_doctored(void (*change)(struct conf_column *cols, unsigned *n))
{
	static struct conf_column cols[64];
	struct conf_table t = conf_tbl_sipinterface;
	unsigned n = t.ncols;

	memcpy(cols, t.cols, n * sizeof(cols[0]));
	change(cols, &n);
	t.cols = cols;
	t.ncols = n;
	return check_table(&t, binding_of(&conf_tbl_sipinterface));
}

static void rename_tls_port(struct conf_column *c, unsigned *n)
{
	c[SIPIF_TLS_PORT].name = "TLSListenPort";
}

static void retype_tls_port(struct conf_column *c, unsigned *n)
{
	c[SIPIF_TLS_PORT].type = CONF_T_INT;
}

static void add_column(struct conf_column *c, unsigned *n)
{
	c[*n] = c[*n - 1];
	c[*n].name = "NewColumn";
	(*n)++;
}

static void swap_ports(struct conf_column *c, unsigned *n)
{
	struct conf_column x = c[SIPIF_UDP_PORT];

	c[SIPIF_UDP_PORT] = c[SIPIF_TCP_PORT];
	c[SIPIF_TCP_PORT] = x;
}

static void unchanged(struct conf_column *c, unsigned *n)
{
}

static void test_checker_catches_drift(void)
{
	fprintf(stderr, "(the binding problems printed next are expected)\n");
	CU_ASSERT_EQUAL(check_doctored(unchanged), 0);
	CU_ASSERT_EQUAL(check_doctored(rename_tls_port), 1);
	CU_ASSERT_EQUAL(check_doctored(retype_tls_port), 1);
	CU_ASSERT_EQUAL(check_doctored(add_column), 1);
	CU_ASSERT_EQUAL(check_doctored(swap_ports), 2);
}

UNIT_SUITE(conf_bindings,
	   {"every binding names its schema column and type", test_every_binding_matches},
	   {"every table bound", test_every_table_bound},
	   {"constants agree with look-ups by name", test_constants_by_name},
	   {"globals read by binding", test_globals_accessors},
	   {"renamed, retyped, added or moved columns fail", test_checker_catches_drift});

/* Schema invariants, checked over every table and column the schema declares. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/store.h"
#include "tests/unit/unit.h"

static void test_table_names_unique(void)
{
	for (unsigned i = 0; i < conf_ntables; i++)
		for (unsigned j = i + 1; j < conf_ntables; j++) {
			CU_ASSERT(strcasecmp(conf_tables[i]->name, conf_tables[j]->name) != 0);
			/* status and configuration tables live under different arcs */
			if (!!(conf_tables[i]->flags & CONF_TF_STATUS) ==
			    !!(conf_tables[j]->flags & CONF_TF_STATUS))
				CU_ASSERT(conf_tables[i]->mib != conf_tables[j]->mib);
		}
}

static void test_columns_unique(void)
{
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		CU_ASSERT(t->ncols > 0);
		CU_ASSERT(t->max_rows > 0);
		CU_ASSERT(t->cli && t->cli[0] && t->help && t->help[0]);
		for (unsigned a = 0; a < t->ncols; a++) {
			const struct conf_column *c = &t->cols[a];
			CU_ASSERT(c->name && c->cli && c->help && c->help[0]);
			CU_ASSERT(c->mib > 0);
			CU_ASSERT(strchr(c->name, ' ') == NULL && strchr(c->cli, ' ') == NULL);
			CU_ASSERT(strcasecmp(c->name, "Index") != 0);
			for (unsigned b = a + 1; b < t->ncols; b++) {
				const struct conf_column *d = &t->cols[b];
				if (strcasecmp(c->name, d->name) == 0 || c->mib == d->mib ||
				    strcasecmp(c->cli, d->cli) == 0)
					fprintf(stderr, "duplicate in %s: %s / %s\n", t->name,
						c->name, d->name);
				CU_ASSERT(strcasecmp(c->name, d->name) != 0);
				CU_ASSERT(c->mib != d->mib);
				CU_ASSERT(strcasecmp(c->cli, d->cli) != 0);
			}
		}
	}
}

static void test_defaults_valid(void)
{
	char err[256];

	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		for (unsigned c = 0; c < t->ncols; c++) {
			const struct conf_column *col = &t->cols[c];
			union conf_val v;
			int rc =
			    conf_value_parse(col, col->def ? col->def : "", &v, err, sizeof(err));
			if (rc < 0)
				fprintf(stderr, "%s.%s default: %s\n", t->name, col->name, err);
			CU_ASSERT_EQUAL(rc, 0);
			if (rc == 0)
				conf_value_free(col, &v);
			if (col->type == CONF_T_ENUM)
				CU_ASSERT(col->enums && col->enums[0].name);
		}
	}
}

static void test_references_resolve(void)
{
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		for (unsigned c = 0; c < t->ncols; c++) {
			const struct conf_column *col = &t->cols[c];
			const struct conf_table *rt;
			if (col->type != CONF_T_REF)
				continue;
			rt = conf_table_find(col->ref);
			CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
			/* referenced tables come first: INI export order is dependency order */
			CU_ASSERT(conf_table_pos(rt) < (int)i);
			if (!(col->flags & CONF_F_BYINDEX))
				CU_ASSERT(conf_table_name_col(rt) >= 0);
		}
	}
}

static void test_globals_and_status_shape(void)
{
	const struct conf_table *g = conf_globals();

	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_EQUAL(g->max_rows, 1);
	for (unsigned c = 0; c < g->ncols; c++) {
		CU_ASSERT(g->cols[c].section && strstr(g->cols[c].section, "Params"));
		CU_ASSERT(g->cols[c].group && g->cols[c].group[0]);
	}
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		if (!(t->flags & CONF_TF_STATUS))
			continue;
		for (unsigned c = 0; c < t->ncols; c++)
			CU_ASSERT(t->cols[c].flags & CONF_F_RO);
	}
}

/* Views test the flag: a secret-typed column without it would be exported in clear. */
static void test_secrets_flagged(void)
{
	unsigned secrets = 0;

	for (unsigned i = 0; i < conf_ntables; i++)
		for (unsigned c = 0; c < conf_tables[i]->ncols; c++) {
			const struct conf_column *col = &conf_tables[i]->cols[c];
			if (col->type == CONF_T_SECRET) {
				CU_ASSERT(col->flags & CONF_F_SECRET);
				secrets++;
			}
		}
	CU_ASSERT(secrets >= 1); /* WebUsers Password */
}

static void test_vendor_facts(void)
{
	const struct conf_table *t = conf_table_find("tlscontexts");
	const struct conf_table *si = conf_table_find("SIPInterface");
	int c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->max_rows, 100);
	CU_ASSERT(t->flags & CONF_TF_FIXED0);
	c = conf_column_find(t, "TLSVersion");
	CU_ASSERT_STRING_EQUAL(conf_enum_name(&t->cols[c], 4), "tls-1-2");
	CU_ASSERT_STRING_EQUAL(conf_enum_name(&t->cols[c], 8), "tls-1-3");
	CU_ASSERT_PTR_NOT_NULL_FATAL(si);
	c = conf_column_find(si, "TLSMutualAuthentication");
	CU_ASSERT_STRING_EQUAL(si->cols[c].def, "-1");
	CU_ASSERT(si->cols[c].flags & CONF_F_RESET);
	c = conf_column_find(si, "TLSPort");
	CU_ASSERT_STRING_EQUAL(si->cols[c].def, "5061");
	CU_ASSERT(conf_column_find(conf_globals(), "SIPSRequireClientCertificate") >= 0);
	CU_ASSERT(conf_globals()->cols[conf_column_find(conf_globals(), "HTTPSOnly")].flags &
		  CONF_F_RESET);
}

UNIT_SUITE(conf_schema, {"table names and MIB numbers unique", test_table_names_unique},
	   {"columns unique (name, MIB, CLI)", test_columns_unique},
	   {"defaults valid", test_defaults_valid},
	   {"references resolve, in dependency order", test_references_resolve},
	   {"globals and status tables shaped", test_globals_and_status_shape},
	   {"secret columns flagged", test_secrets_flagged}, {"vendor facts", test_vendor_facts});

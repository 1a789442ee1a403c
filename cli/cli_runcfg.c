/*
 * `show running-config`: the configuration as the CLI commands that rebuild
 * it on a factory-default device. Per tree: global groups, then each table's
 * rows (rows of the factory configuration that were deleted first, as
 * `no <kw> <index>`). A value is printed when it differs from the schema
 * default; a factory value put back to the default is printed as `no <kw>`.
 * Secrets are never shown (a comment marks them).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

/* The value a fresh device holds: the factory row's, else the schema default. */
static int differs(const struct conf_column *c, const union conf_val *v,
		   const union conf_val *factory, int *from_factory)
{
	union conf_val def;
	int eq_def;

	*from_factory = 0;
	if (conf_value_default(c, &def) < 0)
		return 1;
	eq_def = conf_value_equal(c, v, &def);
	*from_factory = factory && eq_def && !conf_value_equal(c, v, factory);
	conf_value_free(c, &def);
	return !eq_def || *from_factory;
}

static void columns(FILE *f, const struct conf_table *t, const struct conf_row *r,
		    const struct conf_row *fr, int group, const char *indent)
{
	char buf[4200];

	for (unsigned i = 0; i < t->ncols; i++) {
		const struct conf_column *c = &t->cols[i];
		int ff;

		if (!cli_column_is_config(c) || (group >= 0 && cli_group_of(c) != group))
			continue;
		if (c->flags & CONF_F_SECRET) {
			fprintf(f, "%s! %s (secret, not shown)\n", indent, c->cli);
			continue;
		}
		if (!differs(c, &r->v[i], fr ? &fr->v[i] : NULL, &ff))
			continue;
		if (ff)
			fprintf(f, "%sno %s\n", indent, c->cli);
		else
			fprintf(f, "%s%s %s\n", indent, c->cli,
				cli_value_text(c, &r->v[i], buf, sizeof(buf)));
	}
}

static void groups(FILE *f, const struct conf_store *st, const struct conf_store *factory,
		   unsigned tree)
{
	const struct conf_table *g = conf_globals();
	const struct conf_row *r = g ? conf_store_get(st, g, 0) : NULL;
	const struct conf_row *fr = g && factory ? conf_store_get(factory, g, 0) : NULL;

	for (unsigned gi = 0; r && gi < cli_ngroups(); gi++) {
		char *body = NULL;
		size_t len = 0;
		FILE *m;

		if (cli_group_tree(gi) != (int)tree || !(m = open_memstream(&body, &len)))
			continue;
		columns(m, g, r, fr, (int)gi, "  ");
		fclose(m);
		if (len)
			fprintf(f, " %s\n%s  exit\n", cli_group_kw(gi), body);
		free(body);
	}
}

static void table(FILE *f, const struct conf_store *st, const struct conf_store *factory,
		  const struct conf_table *t)
{
	const struct conf_rows *rs = conf_store_rows(st, t);
	const struct conf_rows *fs = factory ? conf_store_rows(factory, t) : NULL;

	for (unsigned i = 0; fs && i < fs->n; i++)
		if (!conf_store_get(st, t, fs->row[i]->index))
			fprintf(f, " no %s %u\n", t->cli, fs->row[i]->index);
	for (unsigned i = 0; i < rs->n; i++) {
		const struct conf_row *r = rs->row[i];
		fprintf(f, " %s %u\n", t->cli, r->index);
		columns(f, t, r, factory ? conf_store_get(factory, t, r->index) : NULL, -1, "  ");
		fprintf(f, "  activate\n  exit\n");
	}
}

char *cli_runcfg(const struct conf_store *st, const struct conf_store *factory, int tree)
{
	char *out = NULL;
	size_t olen = 0;
	FILE *f = open_memstream(&out, &olen);

	if (!f)
		return NULL;
	for (unsigned ti = 0; ti < cli_ntrees(); ti++) {
		char *body = NULL;
		size_t len = 0;
		FILE *m;

		if ((tree >= 0 && (int)ti != tree) || !(m = open_memstream(&body, &len)))
			continue;
		groups(m, st, factory, ti);
		for (unsigned i = 0; i < conf_ntables; i++)
			if (cli_table_is_config(conf_tables[i]) &&
			    cli_tree_find(conf_tables[i]->tree) == (int)ti)
				table(m, st, factory, conf_tables[i]);
		fclose(m);
		if (len)
			fprintf(f, "configure %s\n%s exit\n", cli_tree_name(ti), body);
		free(body);
	}
	fclose(f);
	return out;
}

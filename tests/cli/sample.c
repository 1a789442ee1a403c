/*
 * Round-trip helper of tests/integration/cli_roundtrip.sh: a valid, non-default value for
 * every writable column of every configuration table (row 5) and every global parameter,
 * walked from the schema (values from conf_value_sample).
 *   sample cli   the CLI commands that set them (configure <tree>, rows, groups, activate)
 *   sample ini   the same values as an incremental INI document (ini_edit)
 *   sample unset `no <kw>` for every column that may be empty (not a name, not mandatory)
 *   sample min   the CLI commands that set only the names and mandatory columns
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "ini/ini_edit.h"

#define ROW 5

static int writable(const struct conf_column *c)
{
	return c->cli && !(c->flags & CONF_F_RO);
}

static void cli_value(const struct conf_column *c, const char *v)
{
	printf("%s %s%s%s\n", c->cli, strchr(v, ' ') ? "\"" : "", v, strchr(v, ' ') ? "\"" : "");
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "cli";
	int ini = !strcmp(mode, "ini"), unset = !strcmp(mode, "unset"), min = !strcmp(mode, "min");
	const struct conf_table *g = conf_globals();
	struct ini_edit *e = ini_edit_new();
	char buf[256];

	/* globals, grouped by their CLI group "<tree> <group>" */
	for (unsigned i = 0; g && i < g->ncols; i++) {
		const struct conf_column *c = &g->cols[i];
		if (!writable(c) || !c->group || min)
			continue;
		conf_value_sample(g, (int)i, ROW, buf, sizeof(buf));
		if (ini) {
			assert(ini_edit_set(e, g, 0, (int)i, buf) == 0);
			continue;
		}
		printf("configure %.*s\n%s\n", (int)strcspn(c->group, " "), c->group,
		       strchr(c->group, ' ') + 1);
		if (unset)
			printf("no %s\n", c->cli);
		else
			cli_value(c, buf);
		printf("exit\nexit\n");
	}
	for (unsigned ti = 0; ti < conf_ntables; ti++) {
		const struct conf_table *t = conf_tables[ti];
		if ((t->flags & (CONF_TF_GLOBALS | CONF_TF_STATUS)) || !t->cli)
			continue;
		if (!ini)
			printf("configure %s\n%s %d\n", t->tree, t->cli, ROW);
		for (unsigned i = 0; i < t->ncols; i++) {
			unsigned keep = t->cols[i].flags & (CONF_F_NAME | CONF_F_MANDATORY);
			if (!writable(&t->cols[i]) || (unset && keep) || (min && !keep))
				continue;
			if (unset) {
				printf("no %s\n", t->cols[i].cli);
				continue;
			}
			conf_value_sample(t, (int)i, ROW, buf, sizeof(buf));
			if (ini)
				assert(ini_edit_set(e, t, ROW, (int)i, buf) == 0);
			else
				cli_value(&t->cols[i], buf);
		}
		if (!ini)
			printf("activate\nexit\nexit\n");
	}
	if (ini) {
		size_t len;
		char *doc = ini_edit_text(e, &len);
		fwrite(doc, 1, len, stdout);
		free(doc);
	}
	ini_edit_free(e);
	return 0;
}

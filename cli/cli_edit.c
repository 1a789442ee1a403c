/*
 * Configuration modes. Row edits wait in an ini_edit until `activate` sends
 * them to sbcd as ONE incremental LOAD (all or nothing, sbcd validates);
 * global parameters are sent at once, one LOAD per command.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "ini/ini_edit.h"

static void set_mode(struct cli_def *cli, int mode, const char *fmt, const char *a, long b)
{
	char ms[96];

	cli_set_configmode(cli, mode, NULL);
	if (b >= 0)
		snprintf(ms, sizeof(ms), fmt, a, b);
	else
		snprintf(ms, sizeof(ms), fmt, a);
	cli_set_modestring(cli, ms);
}

static void enter_tree(struct cli_def *cli, int tree)
{
	cli_sess(cli)->tree = tree;
	set_mode(cli, CLI_MODE_TREE + tree, "(config-%s)", cli_tree_name((unsigned)tree), -1);
}

/* Sends an edit as LOAD incremental; prints sbcd's notes or errors. 0 when applied. */
static int send_edit(struct cli_sess *s, struct ini_edit *e)
{
	size_t len;
	char *doc = ini_edit_text(e, &len), *reply = NULL;
	int rc;

	if (!doc) {
		cli_error(s->cli, "%% out of memory");
		return -1;
	}
	rc = cli_ctl(s, "LOAD incremental cli", doc, len, &reply);
	free(doc);
	if (rc == 0 && reply && *reply) {
		/* sbcd lists every change waiting for a reset: summarize, show pending lists them
		 */
		unsigned pending = 0;
		char *save = NULL;
		for (char *l = strtok_r(reply, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			if (!strncmp(l, "warning: pending reset:", 23))
				pending++;
			else if (!conf_diag_is_code_line(l) && strncmp(l, "#access ", 8))
				cli_print(s->cli, "%s", l);
		}
		if (pending)
			cli_print(s->cli, "%u change%s wait%s for a reset (show pending)", pending,
				  pending == 1 ? "" : "s", pending == 1 ? "s" : "");
	}
	free(reply);
	return rc == 0 ? 0 : -1;
}

void cli_row_discard(struct cli_sess *s, int warn)
{
	if (warn && s->row.n)
		cli_error(s->cli, "%% %s %u: %u change%s not applied (discarded); use activate",
			  s->row.t->cli, s->row.index, s->row.n, s->row.n == 1 ? "" : "s");
	ini_edit_free(s->row.e);
	s->row.e = NULL;
	s->row.n = 0;
}

int cli_cmd_configure(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	const char *sp = strrchr(cmd, ' ');
	int tree = cli_tree_find(sp ? sp + 1 : cmd);

	if (tree < 0 || argc) {
		cli_error(cli, "%% configure: unknown tree '%s'", cmd);
		return CLI_ERROR;
	}
	enter_tree(cli, tree);
	return CLI_OK;
}

/* The config table a tree-mode keyword names (the last word of cmd). */
static const struct conf_table *tree_table(struct cli_sess *s, const char *cmd)
{
	const char *sp = strrchr(cmd, ' '), *kw = sp ? sp + 1 : cmd;

	for (unsigned i = 0; i < conf_ntables; i++)
		if (cli_table_is_config(conf_tables[i]) && !strcasecmp(conf_tables[i]->cli, kw) &&
		    cli_tree_find(conf_tables[i]->tree) == s->tree)
			return conf_tables[i];
	return NULL;
}

/* The row index (the command's "index" argument; libcli takes it out of argv). */
static int parse_index(struct cli_def *cli, const struct conf_table *t, char *argv[], int argc,
		       unsigned *out)
{
	const char *arg = cli_get_optarg_value(cli, "index", NULL);
	char *end;
	unsigned long v;

	if (!arg || argc) {
		cli_error(cli, "%% %s: give one row index (0-%u)", t->cli, t->max_rows - 1);
		return -1;
	}
	v = strtoul(arg, &end, 10);
	if (!*arg || *end || arg[0] == '-' || v >= t->max_rows) {
		cli_error(cli, "%% %s: '%s' is not a row index (0-%u)", t->cli, arg,
			  t->max_rows - 1);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int cli_cmd_row(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);
	const struct conf_table *t = tree_table(s, cmd);
	struct conf_store *st;
	unsigned idx;

	if (!t || parse_index(cli, t, argv, argc, &idx) < 0)
		return CLI_ERROR;
	if (!(st = cli_fetch(s, 0)))
		return CLI_ERROR;
	cli_row_discard(s, 1);
	s->row.t = t;
	s->row.index = idx;
	s->row.is_new = !conf_store_get(st, t, idx);
	conf_store_free(st);
	set_mode(cli, CLI_MODE_ROW + conf_table_pos(t), "(%s-%ld)", t->cli, idx);
	return CLI_OK;
}

int cli_cmd_row_delete(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);
	const struct conf_table *t = tree_table(s, cmd);
	struct ini_edit *e;
	unsigned idx;
	int rc;

	if (!t || parse_index(cli, t, argv, argc, &idx) < 0)
		return CLI_ERROR;
	if (!(e = ini_edit_new()) || ini_edit_delete(e, t, idx) < 0) {
		ini_edit_free(e);
		cli_error(cli, "%% out of memory");
		return CLI_ERROR;
	}
	rc = send_edit(s, e);
	ini_edit_free(e);
	return rc == 0 ? CLI_OK : CLI_ERROR;
}

int cli_cmd_group(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);

	for (unsigned g = 0; g < cli_ngroups(); g++)
		if (cli_group_tree(g) == s->tree && !strcasecmp(cli_group_kw(g), cmd)) {
			set_mode(cli, CLI_MODE_GROUP + (int)g, "(%s)", cli_group_kw(g), -1);
			return CLI_OK;
		}
	cli_error(cli, "%% unknown group '%s'", cmd);
	return CLI_ERROR;
}

/* Records (row mode) or applies (group mode) one column value given as text. */
static int set_value(struct cli_def *cli, const char *kw, const char *text, int check)
{
	struct cli_sess *s = cli_sess(cli);
	const struct conf_table *t;
	int col = cli_mode_column(cli->mode, kw, &t);
	const struct conf_column *c;
	char err[256], norm[64];
	union conf_val v;
	int rc = 0;

	if (col < 0) {
		cli_error(cli, "%% unknown setting '%s'", kw);
		return CLI_ERROR;
	}
	c = &t->cols[col];
	if (check) {
		if (conf_value_parse(c, text, &v, err, sizeof(err)) < 0) {
			cli_error(cli, "%% %s: %s", c->cli, err);
			return CLI_ERROR;
		}
		/* numbers and enum names go to sbcd in their INI form */
		if (!conf_type_is_text(c->type))
			text = conf_value_format(c, &v, norm, sizeof(norm));
		conf_value_free(c, &v);
	}
	if (t->flags & CONF_TF_GLOBALS) {
		struct ini_edit *e = ini_edit_new();
		if (!e || ini_edit_set(e, t, 0, col, text) < 0)
			rc = -1;
		else
			rc = send_edit(s, e) < 0 ? -2 : 0;
		ini_edit_free(e);
	} else {
		if (!s->row.e)
			s->row.e = ini_edit_new();
		if (!s->row.e || ini_edit_set(s->row.e, t, s->row.index, col, text) < 0)
			rc = -1;
		else
			s->row.n = ini_edit_count(s->row.e);
	}
	if (rc == -1)
		cli_error(cli, "%% %s: the value may not hold double quotes or control characters",
			  c->cli);
	return rc ? CLI_ERROR : CLI_OK;
}

int cli_cmd_set(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	const char *value = cli_get_optarg_value(cli, cmd, NULL);

	if (!value || argc) {
		cli_error(cli, "%% %s: give one value (quote text with blanks)", cmd);
		return CLI_ERROR;
	}
	return set_value(cli, cmd, value, 1);
}

int cli_cmd_unset(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	const char *kw = strrchr(cmd, ' ') ? strrchr(cmd, ' ') + 1 : cmd;
	const struct conf_table *t;
	int col = cli_mode_column(cli->mode, kw, &t);

	if (col < 0 || argc) {
		cli_error(cli, "%% no %s: takes no value", kw);
		return CLI_ERROR;
	}
	return set_value(cli, kw, t->cols[col].def ? t->cols[col].def : "", 0);
}

int cli_cmd_activate(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);

	if (!s->row.t)
		return CLI_ERROR;
	if (!s->row.n && !s->row.is_new) {
		cli_error(cli, "%% nothing to activate");
		return CLI_OK;
	}
	if (!s->row.e)
		s->row.e = ini_edit_new();
	if (!s->row.e || (s->row.is_new && ini_edit_touch(s->row.e, s->row.t, s->row.index) < 0)) {
		cli_error(cli, "%% out of memory");
		return CLI_ERROR;
	}
	if (send_edit(s, s->row.e) < 0)
		return CLI_ERROR; /* the edits stay: fix them and activate again */
	cli_row_discard(s, 0);
	s->row.is_new = 0;
	return CLI_OK;
}

int cli_cmd_exit(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);

	if (cli->mode == MODE_EXEC) {
		s->quit = 1;
		return CLI_QUIT;
	}
	if (cli->mode >= CLI_MODE_TREE && cli->mode < CLI_MODE_TREE + CLI_MAX_TREES) {
		s->tree = -1;
		cli_set_configmode(cli, MODE_EXEC, NULL);
		return CLI_OK;
	}
	cli_row_discard(s, 1);
	s->row.t = NULL;
	enter_tree(cli, s->tree);
	return CLI_OK;
}

int cli_cmd_end(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);

	cli_row_discard(s, 1);
	s->row.t = NULL;
	s->tree = -1;
	cli_set_configmode(cli, MODE_EXEC, NULL);
	return CLI_OK;
}

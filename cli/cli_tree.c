/*
 * The command tree, built from the schema: every table of a configure tree
 * gets a row command, every column a set / `no` command with help, ranges and
 * completions from its descriptor. No table or column is named here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

#define PRIV   PRIVILEGE_PRIVILEGED
#define UNPRIV PRIVILEGE_UNPRIVILEGED

static int cmd_comment(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	return CLI_OK;
}

static int cmd_do(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	cli_error(cli, "%% do: give an exec command, e.g. do show running-config");
	return CLI_ERROR;
}

static void add_names(struct cli_comphelp *ch, const char *word, const char *name)
{
	if (!word || !strncasecmp(word, name, strlen(word)))
		cli_add_comphelp_entry(ch, name);
}

/* Completes enum names, booleans and the names of referenced rows. */
static int complete_value(struct cli_def *cli, const char *name, const char *word,
			  struct cli_comphelp *ch)
{
	const struct conf_table *t;
	int col = cli_mode_column(cli->mode, name, &t);
	const struct conf_column *c;

	if (col < 0)
		return CLI_OK;
	c = &t->cols[col];
	if (c->type == CONF_T_BOOL && !c->enums) {
		add_names(ch, word, "disable");
		add_names(ch, word, "enable");
	}
	for (const struct conf_enum *e = c->enums; e && e->name; e++)
		add_names(ch, word, e->name);
	if (c->type == CONF_T_REF && !(c->flags & CONF_F_BYINDEX)) {
		const struct conf_table *rt = conf_table_find(c->ref);
		int nc = rt ? conf_table_name_col(rt) : -1;
		struct conf_store *st = nc >= 0 ? cli_fetch(cli_sess(cli), 0) : NULL;
		const struct conf_rows *rs = st ? conf_store_rows(st, rt) : NULL;

		for (unsigned i = 0; rs && i < rs->n; i++)
			if (*conf_row_str(rs->row[i], nc))
				add_names(ch, word, conf_row_str(rs->row[i], nc));
		conf_store_free(st);
	}
	return CLI_OK;
}

static void add_value_optarg(struct cli_command *cmd, const struct conf_column *c)
{
	char *help = cli_value_help(c);
	struct cli_optarg *o =
	    cli_register_optarg(cmd, c->cli, CLI_CMD_ARGUMENT, UNPRIV, MODE_ANY,
				help ? help : c->name, complete_value, NULL, NULL);

	free(help);
	if (!o)
		return;
	if (c->type == CONF_T_BOOL && !c->enums) {
		cli_optarg_addhelp(o, "enable", "1");
		cli_optarg_addhelp(o, "disable", "0");
	}
	for (const struct conf_enum *e = c->enums; e && e->name; e++) {
		char num[24];
		snprintf(num, sizeof(num), "%d", e->value);
		cli_optarg_addhelp(o, e->name, num);
	}
}

static void add_index_optarg(struct cli_command *cmd, const struct conf_table *t)
{
	char help[96];

	snprintf(help, sizeof(help), "Row index (0-%u)", t->max_rows - 1);
	cli_register_optarg(cmd, "index", CLI_CMD_ARGUMENT, UNPRIV, MODE_ANY, help, NULL, NULL,
			    NULL);
}

/* Commands every config mode has: exit, end, do <exec command>. */
static struct cli_command *add_common(struct cli_def *cli, int mode)
{
	cli_register_command(cli, NULL, "end", cli_cmd_end, PRIV, mode,
			     "Return to privileged exec mode");
	return cli_register_command(cli, NULL, "do", cmd_do, PRIV, mode,
				    "Run an exec command (show, write, copy, reload)");
}

static void add_exec(struct cli_def *cli, struct cli_command *parent, int mode);

/* `force` and `noconfirm`: run without the [confirm] question (scripts, -c). */
static void add_force(struct cli_command *c)
{
	if (!c)
		return;
	cli_register_optarg(c, "force", CLI_CMD_OPTIONAL_FLAG, PRIV, MODE_ANY,
			    "Do not ask for confirmation (scripts)", NULL, NULL, NULL);
	cli_register_optarg(c, "noconfirm", CLI_CMD_OPTIONAL_FLAG, PRIV, MODE_ANY, "Same as force",
			    NULL, NULL, NULL);
}

/* The set and `no` commands of the columns of a row or group mode. */
static void add_columns(struct cli_def *cli, const struct conf_table *t, int mode, int group)
{
	struct cli_command *no = cli_register_command(cli, NULL, "no", NULL, PRIV, mode,
						      "Restore a setting to its default");

	for (unsigned i = 0; i < t->ncols; i++) {
		const struct conf_column *c = &t->cols[i];
		char help[160];
		struct cli_command *cmd;

		if (!cli_column_is_config(c) || (group >= 0 && cli_group_of(c) != group))
			continue;
		cmd = cli_register_command(cli, NULL, c->cli, cli_cmd_set, PRIV, mode,
					   c->help ? c->help : c->name);
		if (cmd)
			add_value_optarg(cmd, c);
		snprintf(help, sizeof(help), "Restore %s to its default%s%s", c->cli,
			 c->def && *c->def && !(c->flags & CONF_F_SECRET) ? " " : "",
			 c->def && !(c->flags & CONF_F_SECRET) ? c->def : "");
		cli_register_command(cli, no, c->cli, cli_cmd_unset, PRIV, mode, help);
	}
}

/* `show [kw...]` of a row or group mode: each setting a sub-command, for ? and TAB. */
static void add_show(struct cli_def *cli, const struct conf_table *t, int mode, int group,
		     const char *help)
{
	struct cli_command *show =
	    cli_register_command(cli, NULL, "show", cli_cmd_show_row, PRIV, mode, help);

	for (unsigned i = 0; show && i < t->ncols; i++) {
		const struct conf_column *c = &t->cols[i];
		char h[160];

		if (!cli_column_is_config(c) || (group >= 0 && cli_group_of(c) != group))
			continue;
		snprintf(h, sizeof(h), "Only %s (more keywords may follow)", c->cli);
		cli_register_command(cli, show, c->cli, cli_cmd_show_row, PRIV, mode, h);
	}
}

/* A configure tree's mode (tree -1: `configure terminal`, every tree's tables and groups). */
static void add_tree(struct cli_def *cli, int tree)
{
	int mode = tree < 0 ? CLI_MODE_CONFIG : CLI_MODE_TREE + tree;
	struct cli_command *no = NULL, *cmd;

	add_exec(cli, add_common(cli, mode), mode);
	for (unsigned i = 0; tree < 0 && i < cli_ntrees(); i++) {
		char help[96];
		snprintf(help, sizeof(help), "Configure the %s tree", cli_tree_name(i));
		cli_register_command(cli, NULL, cli_tree_name(i), cli_cmd_configure, PRIV, mode,
				     help);
	}
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		int rmode = CLI_MODE_ROW + (int)i;
		char help[160];

		if (!cli_table_is_config(t) || (tree >= 0 && cli_tree_find(t->tree) != tree))
			continue;
		cmd = cli_register_command(cli, NULL, t->cli, cli_cmd_row, PRIV, mode, t->help);
		if (cmd)
			add_index_optarg(cmd, t);
		if (!no)
			no =
			    cli_register_command(cli, NULL, "no", NULL, PRIV, mode, "Delete a row");
		snprintf(help, sizeof(help), "Delete a row of %s", t->name);
		cmd = cli_register_command(cli, no, t->cli, cli_cmd_row_delete, PRIV, mode, help);
		if (cmd)
			add_index_optarg(cmd, t);

		if (tree < 0)
			continue; /* the row modes are made once, with their tree */
		add_exec(cli, add_common(cli, rmode), rmode);
		add_columns(cli, t, rmode, -1);
		cli_register_command(cli, NULL, "activate", cli_cmd_activate, PRIV, rmode,
				     "Apply the changes made to this row");
		add_show(cli, t, rmode, -1,
			 "Show this row: values in sbcd and changes not yet applied");
	}
	for (unsigned g = 0; g < cli_ngroups(); g++) {
		int gmode = CLI_MODE_GROUP + (int)g;
		char help[160];

		if (tree >= 0 && cli_group_tree(g) != tree)
			continue;
		snprintf(help, sizeof(help), "Global parameters: %s (applied at once)",
			 cli_group_kw(g));
		cli_register_command(cli, NULL, cli_group_kw(g), cli_cmd_group, PRIV, mode, help);
		if (tree < 0)
			continue;
		add_exec(cli, add_common(cli, gmode), gmode);
		add_columns(cli, conf_globals(), gmode, (int)g);
		add_show(cli, conf_globals(), gmode, (int)g, "Show the parameters of this group");
	}
}

/* show / write / copy / reload, at exec level (parent NULL) or under `do`. */
static void add_exec(struct cli_def *cli, struct cli_command *parent, int mode)
{
	struct cli_command *show, *rc, *st = NULL, *c, *ini;

	show = cli_register_command(cli, parent, "show", NULL, UNPRIV, mode, "Show information");
	rc = cli_register_command(cli, show, "running-config", cli_cmd_show_running, UNPRIV, mode,
				  "The configuration, as CLI commands (secrets left out)");
	for (unsigned i = 0; i < cli_ntrees(); i++) {
		char help[96];
		snprintf(help, sizeof(help), "Only the %s configuration", cli_tree_name(i));
		cli_register_command(cli, rc, cli_tree_name(i), cli_cmd_show_running, UNPRIV, mode,
				     help);
	}
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		if (!(t->flags & CONF_TF_STATUS) || !t->cli)
			continue;
		if (!st)
			st = cli_register_command(cli, show, "status", NULL, UNPRIV, mode,
						  "Status tables");
		cli_register_command(cli, st, t->cli, cli_cmd_show_status, UNPRIV, mode, t->help);
		if (strcasecmp(t->cli, t->name)) { /* the table's name, as the guides give it */
			char help[96];
			snprintf(help, sizeof(help), "Same as show status %s", t->cli);
			cli_register_command(cli, st, t->name, cli_cmd_show_status, UNPRIV, mode,
					     help);
		}
	}
	cli_register_command(cli, show, "terminal", cli_cmd_show_terminal, UNPRIV, mode,
			     "Terminal settings of this session (length)");
	c = cli_register_command(cli, parent, "terminal", NULL, UNPRIV, mode,
				 "Terminal settings of this session");
	c = cli_register_command(cli, c, "length", cli_cmd_terminal_length, UNPRIV, mode,
				 "Lines per page of the --More-- pager");
	if (c)
		cli_register_optarg(c, "lines", CLI_CMD_ARGUMENT, UNPRIV, MODE_ANY,
				    "Lines per page (2-512), 0: no pager", NULL, NULL, NULL);
	cli_register_command(cli, show, "pending", cli_cmd_show_pending, UNPRIV, mode,
			     "Changes that take effect at the next reset");
	cli_register_command(cli, show, "version", cli_cmd_show_version, UNPRIV, mode,
			     "Version, uptime and counters of sbcd");
	cli_tls_register(cli, show, parent, mode);

	cli_register_command(cli, parent, "write", cli_cmd_write, PRIV, mode,
			     "Save the running configuration to flash");
	c = cli_register_command(cli, parent, "reload", NULL, PRIV, mode, "Reset the device");
	c = cli_register_command(cli, c, "now", cli_cmd_reload, PRIV, mode,
				 "Reset now: the configuration saved on flash is loaded (asks "
				 "[confirm])");
	add_force(c);
	c = cli_register_command(cli, parent, "copy", NULL, PRIV, mode,
				 "Copy a configuration file");
	ini = cli_register_command(cli, c, "ini-file", NULL, PRIV, mode,
				   "The INI configuration file");
	c = cli_register_command(cli, ini, "from", cli_cmd_copy_from, PRIV, mode,
				 "Load a file (whole configuration, or incremental)");
	if (c) {
		cli_register_optarg(c, "path", CLI_CMD_ARGUMENT, UNPRIV, MODE_ANY,
				    "File on this host", NULL, NULL, NULL);
		cli_register_optarg(c, "incremental", CLI_CMD_OPTIONAL_FLAG, UNPRIV, MODE_ANY,
				    "Change only what the file names", NULL, NULL, NULL);
		add_force(c);
	}
	c = cli_register_command(cli, ini, "to", cli_cmd_copy_to, PRIV, mode,
				 "Write the running configuration to a file (secrets left out)");
	if (c)
		cli_register_optarg(c, "path", CLI_CMD_ARGUMENT, UNPRIV, MODE_ANY,
				    "File on this host", NULL, NULL, NULL);
}

int cli_tree_build(struct cli_def *cli)
{
	struct cli_command *conf;

	/* our own versions: configure takes a tree, exit knows our modes, enable asks sbcd */
	cli_unregister_command(cli, "configure");
	cli_unregister_command(cli, "exit");
	cli_unregister_command(cli, "enable");
	cli_unregister_command(cli, "history");
	cli_register_command(cli, NULL, "history", cli_cmd_history, UNPRIV, MODE_ANY,
			     "Show a list of previously run commands");
	cli_register_command(cli, NULL, "exit", cli_cmd_exit, UNPRIV, MODE_ANY,
			     "Leave the current mode (in exec mode: log out)");
	cli_register_command(cli, NULL, "!", cmd_comment, UNPRIV, MODE_ANY, "Comment (ignored)");
	cli_register_command(cli, NULL, "enable", cli_cmd_enable, UNPRIV, MODE_EXEC,
			     "Privileged mode (user level 200 and above; asks the password)");
	cli_filters_register(cli);
	add_exec(cli, NULL, MODE_EXEC);
	conf = cli_register_command(cli, NULL, "configure", NULL, PRIV, MODE_EXEC,
				    "Enter a configuration tree");
	for (unsigned i = 0; i < cli_ntrees(); i++) {
		char help[96];
		snprintf(help, sizeof(help), "Configure the %s tree", cli_tree_name(i));
		cli_register_command(cli, conf, cli_tree_name(i), cli_cmd_configure, PRIV,
				     MODE_EXEC, help);
		add_tree(cli, (int)i);
	}
	cli_register_command(cli, conf, "terminal", cli_cmd_configure, PRIV, MODE_EXEC,
			     "Configure from the terminal: every tree's tables and groups");
	add_tree(cli, -1);
	return 0;
}

void cli_prompt(struct cli_def *cli, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", cli->hostname ? cli->hostname : "",
		 cli->modestring ? cli->modestring : "", cli->promptchar ? cli->promptchar : "");
}

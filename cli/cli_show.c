/* show commands: running-config, status tables as aligned columns, pending, version, row. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "ini/ini.h"

static const char *last_word(const char *cmd)
{
	const char *sp = strrchr(cmd, ' ');
	return sp ? sp + 1 : cmd;
}

int cli_cmd_show_running(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);
	int tree = cli_tree_find(last_word(cmd));
	struct conf_store *st, *factory;
	char *text;

	if (argc) {
		cli_error(cli, "%% show running-config: unexpected '%s'", argv[0]);
		return CLI_ERROR;
	}
	if (!(st = cli_fetch(s, 0)))
		return CLI_ERROR;
	factory = ini_factory();
	text = cli_runcfg(st, factory, tree);
	conf_store_free(st);
	conf_store_free(factory);
	if (!text) {
		cli_error(cli, "%% out of memory");
		return CLI_ERROR;
	}
	cli_print_text(cli, text);
	free(text);
	return CLI_OK;
}

/* A value for display: enum names, text unquoted, secrets masked. */
static const char *cell(const struct conf_column *c, const union conf_val *v, char *buf, size_t len)
{
	if (c->flags & CONF_F_SECRET)
		return "********";
	if (conf_type_is_text(c->type))
		return *v->s ? v->s : "\"\"";
	return cli_value_text(c, v, buf, len);
}

int cli_cmd_show_status(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);
	const struct conf_table *t = NULL;
	const struct conf_rows *rs;
	struct conf_store *st;
	size_t *w;
	char buf[512];

	for (unsigned i = 0; i < conf_ntables; i++)
		if ((conf_tables[i]->flags & CONF_TF_STATUS) && conf_tables[i]->cli &&
		    (!strcasecmp(conf_tables[i]->cli, last_word(cmd)) ||
		     !strcasecmp(conf_tables[i]->name, last_word(cmd))))
			t = conf_tables[i];
	if (!t || !(st = cli_fetch(s, 1)))
		return CLI_ERROR;
	rs = conf_store_rows(st, t);
	w = calloc(t->ncols + 1, sizeof(*w));
	if (!w) {
		conf_store_free(st);
		return CLI_ERROR;
	}
	w[0] = strlen("index");
	for (unsigned c = 0; c < t->ncols; c++)
		w[c + 1] = strlen(t->cols[c].cli ? t->cols[c].cli : t->cols[c].name);
	for (unsigned r = 0; r < rs->n; r++) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "%u", rs->row[r]->index);
		if (n > w[0])
			w[0] = n;
		for (unsigned c = 0; c < t->ncols; c++) {
			n = strlen(cell(&t->cols[c], &rs->row[r]->v[c], buf, sizeof(buf)));
			if (n > w[c + 1])
				w[c + 1] = n;
		}
	}
	for (int r = -1; r < (int)rs->n; r++) {
		char *line = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&line, &len);

		if (!f)
			break;
		if (r < 0)
			fprintf(f, "%-*s", (int)w[0], "index");
		else
			fprintf(f, "%-*u", (int)w[0], rs->row[r]->index);
		for (unsigned c = 0; c < t->ncols; c++) {
			const struct conf_column *col = &t->cols[c];
			fprintf(f, "  %-*s", (int)w[c + 1],
				r < 0 ? (col->cli ? col->cli : col->name)
				      : cell(col, &rs->row[r]->v[c], buf, sizeof(buf)));
		}
		fclose(f);
		while (len && line[len - 1] == ' ')
			line[--len] = 0;
		cli_print(cli, "%s", line);
		free(line);
	}
	if (!rs->n)
		cli_print(cli, "(no rows)");
	free(w);
	conf_store_free(st);
	return CLI_OK;
}

/* Object and setting of a #pending line in CLI words: "sip-interface 0", "tls-port". */
static void pending_names(const char *table, const char *row, const char *col, char *obj,
			  size_t olen, char *set, size_t slen)
{
	const struct conf_table *t = conf_table_find(table);
	int c = t && strcmp(col, "-") ? conf_column_find(t, col) : -1;
	const struct conf_column *cc = c >= 0 ? &t->cols[c] : NULL;

	if (t && (t->flags & CONF_TF_GLOBALS) && cc && cli_group_of(cc) >= 0)
		snprintf(obj, olen, "%s", cli_group_kw((unsigned)cli_group_of(cc)));
	else if (t && t->cli && !(t->flags & CONF_TF_GLOBALS))
		snprintf(obj, olen, "%s %s", t->cli, row);
	else
		snprintf(obj, olen, "%s %s", table, row);
	snprintf(set, slen, "%s", cc && cc->cli ? cc->cli : !strcmp(col, "-") ? "(row)" : col);
}

/*
 * `show pending`: what waits for a reset, as a table in the CLI's words
 * (object, setting, running value, value after reset) from the "#pending"
 * lines of PENDING (doc/CONTROL.md).
 */
int cli_cmd_show_pending(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	char *reply, *save = NULL, *(*rows)[4] = NULL;
	size_t w[4] = {6, 7, 7, 11};
	unsigned n = 0, human = 0;

	if (cli_ctl(cli_sess(cli), "PENDING", NULL, 0, &reply) != 0)
		return CLI_ERROR;
	for (char *l = strtok_r(reply, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char tb[64], row[16], col[64], run[4200], nw[4200], obj[160], set[96];
		void *grown;

		if (strncmp(l, "#pending ", 9)) {
			human += l[0] != '#';
			continue;
		}
		if (sscanf(l + 9, "%63s %15s %63s %4199s %4199s", tb, row, col, run, nw) != 5)
			continue;
		cli_token_text(run);
		cli_token_text(nw);
		if (strcmp(run, "-"))
			cli_form(tb, col, run, sizeof(run));
		cli_form(tb, col, nw, sizeof(nw));
		if (!strcmp(col, "-") && !strcmp(run, "row")) { /* a deleted row */
			snprintf(run, sizeof(run), "(in force)");
			snprintf(nw, sizeof(nw), "(deleted)");
		} else if (!strcmp(run, "-")) {
			snprintf(run, sizeof(run), "(new row)");
		}
		pending_names(tb, row, col, obj, sizeof(obj), set, sizeof(set));
		if (!(grown = realloc(rows, (n + 1) * sizeof(*rows))))
			break;
		rows = grown;
		rows[n][0] = strdup(obj);
		rows[n][1] = strdup(set);
		rows[n][2] = strdup(run);
		rows[n][3] = strdup(nw);
		for (int k = 0; k < 4; k++)
			if (rows[n][k] && strlen(rows[n][k]) > w[k])
				w[k] = strlen(rows[n][k]);
		n++;
	}
	if (n) {
		cli_print(cli, "%-*s  %-*s  %-*s  %s", (int)w[0], "object", (int)w[1], "setting",
			  (int)w[2], "running", "after reset");
		for (unsigned i = 0; i < n; i++) {
			cli_print(cli, "%-*s  %-*s  %-*s  %s", (int)w[0],
				  rows[i][0] ? rows[i][0] : "", (int)w[1],
				  rows[i][1] ? rows[i][1] : "", (int)w[2],
				  rows[i][2] ? rows[i][2] : "", rows[i][3] ? rows[i][3] : "");
			for (int k = 0; k < 4; k++)
				free(rows[i][k]);
		}
		cli_print(cli, "%u change%s take%s effect at the next reset (reload now).", n,
			  n == 1 ? "" : "s", n == 1 ? "s" : "");
	} else if (human) {
		cli_error(cli, "%% sbcd gave no #pending lines (an older sbcd?): sbc-ini pending");
	} else {
		cli_print(cli, "No changes are waiting for a reset.");
	}
	free(rows);
	free(reply);
	return CLI_OK;
}

int cli_cmd_show_version(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	char *reply;

	if (cli_ctl(cli_sess(cli), "INFO", NULL, 0, &reply) != 0)
		return CLI_ERROR;
	cli_print_text(cli, reply);
	free(reply);
	return CLI_OK;
}

/* The column of a row or group mode a word names (exact or a unique prefix); -1; -2 ambiguous. */
static int mode_column(const struct conf_table *t, int group, const char *w)
{
	int hit = -1;

	for (unsigned c = 0; c < t->ncols; c++) {
		const struct conf_column *col = &t->cols[c];
		if (!cli_column_is_config(col) || (group >= 0 && cli_group_of(col) != group))
			continue;
		if (!strcasecmp(col->cli, w))
			return (int)c;
		if (!strncasecmp(col->cli, w, strlen(w)))
			hit = hit == -1 ? (int)c : -2;
	}
	return hit; /* -2: ambiguous */
}

/*
 * `show [kw...]` in a row or group mode: the values sbcd holds (only the
 * settings named, when some are), and what waits for activate.
 */
int cli_cmd_show_row(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);
	const struct conf_table *t = cli_mode_table(cli->mode);
	int group = t && (t->flags & CONF_TF_GLOBALS) ? cli->mode - CLI_MODE_GROUP : -1;
	unsigned index = group >= 0 ? 0 : s->row.index;
	const struct conf_row *r;
	struct conf_store *st;
	char buf[4200], *want;
	int w = 0, named = 0;

	if (!t)
		return CLI_ERROR;
	if (!(want = calloc(t->ncols + 1, 1)))
		return CLI_ERROR;
	if (strchr(cmd, ' ')) { /* `show <kw>`: the first keyword is the sub-command */
		int c = mode_column(t, group, last_word(cmd));
		if (c >= 0)
			want[c] = 1;
		named = 1;
	}
	for (int i = 0; i < argc; i++) {
		int c = mode_column(t, group, argv[i]);
		if (c < 0) {
			cli_error(cli, "%% show: '%s' %s (show ? lists them)", argv[i],
				  c == -2 ? "names more than one setting"
					  : "is not a setting of this mode");
			free(want);
			return CLI_ERROR;
		}
		want[c] = 1;
		named = 1;
	}
	if (!(st = cli_fetch(s, 0))) {
		free(want);
		return CLI_ERROR;
	}
	r = conf_store_get(st, t, index);
	if (!r)
		cli_print(cli, "%s %u: new row, created by activate", t->cli, index);
	for (unsigned c = 0; c < t->ncols; c++)
		if (cli_column_is_config(&t->cols[c]) && (!named || want[c]) &&
		    (int)strlen(t->cols[c].cli) > w)
			w = (int)strlen(t->cols[c].cli);
	for (unsigned c = 0; r && c < t->ncols; c++) {
		const struct conf_column *col = &t->cols[c];
		if (!cli_column_is_config(col) || (group >= 0 && cli_group_of(col) != group) ||
		    (named && !want[c]))
			continue;
		cli_print(cli, " %-*s  %s", w, col->cli, cell(col, &r->v[c], buf, sizeof(buf)));
	}
	if (group < 0 && s->row.n)
		cli_print(cli, "%u change%s not applied yet (activate applies them)", s->row.n,
			  s->row.n == 1 ? "" : "s");
	free(want);
	conf_store_free(st);
	return CLI_OK;
}

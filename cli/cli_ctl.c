/* The session's control connection to sbcd: requests, login, configuration fetches. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "control/ctl.h"
#include "ini/ini.h"

struct cli_sess *cli_sess(struct cli_def *cli)
{
	return cli_get_context(cli);
}

int cli_is_machine_line(const char *line)
{
	size_t n = line[0] == '#' ? strspn(line + 1, "abcdefghijklmnopqrstuvwxyz") : 0;

	return n && (line[1 + n] == ' ' || line[1 + n] == '\n' || !line[1 + n]);
}

void cli_print_text(struct cli_def *cli, const char *text)
{
	char *copy = strdup(text ? text : "");
	size_t n = copy ? strlen(copy) : 0;

	if (!copy)
		return;
	/* keep empty lines, drop the final newline */
	if (n && copy[n - 1] == '\n')
		copy[n - 1] = 0;
	for (char *p = copy, *nl; p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = 0;
		if (!cli_is_machine_line(p))
			cli_print(cli, "%s", p);
	}
	free(copy);
}

/* Replaces each table name in text (a whole word, not quoted) by the table's CLI keyword. */
static void table_words(const char *text, FILE *f)
{
	while (*text) {
		const struct conf_table *hit = NULL;
		size_t n = 0;

		if (*text == '\'') { /* a quoted value stays as it is */
			const char *e = strchr(text + 1, '\'');
			n = e ? (size_t)(e - text) + 1 : strlen(text);
			fwrite(text, 1, n, f);
			text += n;
			continue;
		}
		if (text[0] >= 'A' && text[0] <= 'Z') { /* table names begin with a capital */
			for (unsigned i = 0; i < conf_ntables; i++) {
				const struct conf_table *t = conf_tables[i];
				size_t len = strlen(t->name);
				if (t->cli && !(t->flags & CONF_TF_GLOBALS) && len > n &&
				    !strncmp(text, t->name, len) &&
				    !isalnum((unsigned char)text[len]) && text[len] != '_') {
					hit = t;
					n = len;
				}
			}
		}
		if (hit) {
			fputs(hit->cli, f);
			text += n;
			continue;
		}
		/* skip the rest of a word so that only whole words are replaced */
		do
			fputc(*text++, f);
		while (*text && (isalnum((unsigned char)text[-1]) || text[-1] == '_') &&
		       (isalnum((unsigned char)*text) || *text == '_'));
	}
}

/*
 * One problem of a reply in the CLI's words, when its "#code" line (next)
 * names the table, row and column: "TLSContexts row 1 column Name: reason" is
 * "tls 1 name: reason", "HTTPPort: reason" is "web http-port: reason". The
 * "cli:N: " of the document the CLI composed goes; a file's name and line stay.
 */
char *cli_reword(const char *msg, const char *next)
{
	struct conf_diag_at at;
	const struct conf_table *t;
	const struct conf_column *c;
	const char *p = msg, *rest = NULL;
	char *out = NULL;
	size_t len = 0, name = strcspn(msg, ": "), digits;
	FILE *f;

	/* "name:line: " of the document */
	if (msg[name] == ':' && (digits = strspn(msg + name + 1, "0123456789")) &&
	    !strncmp(msg + name + 1 + digits, ": ", 2))
		p = msg + name + 3 + digits;
	if (!(f = open_memstream(&out, &len)))
		return NULL;
	if (p > msg && strncmp(msg, "cli:", 4))
		fprintf(f, "%.*s", (int)(p - msg), msg); /* a file's stays */
	/* a file the user wrote in INI keeps its INI words */
	if ((p > msg && strncmp(msg, "cli:", 4)) || !next || !conf_diag_is_code_line(next) ||
	    conf_diag_reply_at(next, &at) < 0 || !(t = at.table)) {
		fputs(p, f);
		fclose(f);
		return out;
	}
	c = at.col >= 0 ? &t->cols[at.col] : NULL;
	if ((t->flags & CONF_TF_GLOBALS) && c && c->cli && cli_group_of(c) >= 0 &&
	    !strncmp(p, c->name, strlen(c->name)) && !strncmp(p + strlen(c->name), ": ", 2)) {
		fprintf(f, "%s %s", cli_group_kw((unsigned)cli_group_of(c)), c->cli);
		rest = p + strlen(c->name);
	} else if (!(t->flags & CONF_TF_GLOBALS) && t->cli && at.row >= 0 &&
		   !strncmp(p, t->name, strlen(t->name)) &&
		   !strncmp(p + strlen(t->name), " row ", 5)) {
		char q = 0;
		/* the first ": " outside quotes ends "Table row N ('name') column C" */
		for (rest = p + strlen(t->name) + 5; *rest; rest++) {
			if (q && *rest == q)
				q = 0;
			else if (!q && *rest == '\'')
				q = *rest;
			else if (!q && rest[0] == ':' && rest[1] == ' ')
				break;
		}
		if (!*rest) {
			rest = NULL;
		} else {
			fprintf(f, "%s %d", t->cli, at.row);
			if (c && c->cli)
				fprintf(f, " %s", c->cli);
		}
	}
	if (rest)
		table_words(rest, f);
	else
		table_words(p, f);
	fclose(f);
	return out;
}

/* A "#pending" token as text: percent-decoded, "" for the empty value, "-" absent. */
void cli_token_text(char *t)
{
	char *o = t;

	if (!strcmp(t, "\"\"")) /* the empty value: shown as "" */
		return;
	for (char *p = t; *p; p++) {
		unsigned v;
		if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1 && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2])) {
			*o++ = (char)v;
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
}

void cli_form(const char *table, const char *col, char *val, size_t len)
{
	const struct conf_table *t = conf_table_find(table);
	int c = t && strcmp(col, "-") ? conf_column_find(t, col) : -1;
	union conf_val v;
	char err[160], buf[256];

	if (c < 0 || conf_type_is_text(t->cols[c].type) ||
	    conf_value_parse(&t->cols[c], val, &v, err, sizeof(err)) < 0)
		return;
	snprintf(val, len, "%s", cli_value_text(&t->cols[c], &v, buf, sizeof(buf)));
	conf_value_free(&t->cols[c], &v);
}

/*
 * The "#access COLUMN RUNNING NEW" lines of a LOAD reply (a change to how the
 * operator reaches the device, at the next reset) as a block that stands out.
 */
void cli_print_access(struct cli_def *cli, const char *text)
{
	const char *l = text;
	int first = 1;

	for (; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		char col[64], run[512], nw[512];
		const struct conf_table *g = conf_globals();
		int c;

		if (strncmp(l, "#access ", 8) ||
		    sscanf(l + 8, "%63s %511s %511s", col, run, nw) != 3)
			continue;
		cli_token_text(run);
		cli_token_text(nw);
		c = g ? conf_column_find(g, col) : -1;
		if (c >= 0) {
			cli_form(g->name, col, run, sizeof(run));
			cli_form(g->name, col, nw, sizeof(nw));
		}
		if (first)
			cli_error(cli, "%% WARNING: after the next reset the management interface "
				       "moves:");
		first = 0;
		if (c >= 0 && g->cols[c].cli && cli_group_of(&g->cols[c]) >= 0)
			cli_error(cli, "%%   %s %s: %s -> %s",
				  cli_group_kw((unsigned)cli_group_of(&g->cols[c])), g->cols[c].cli,
				  run, nw);
		else
			cli_error(cli, "%%   %s: %s -> %s", col, run, nw);
	}
	if (!first)
		cli_error(cli, "%% Reach the device there after `reload now`; `show pending` lists "
			       "every change.");
}

void cli_print_load_reply(struct cli_def *cli, const char *reply)
{
	char *copy = strdup(reply ? reply : "");
	unsigned pending = 0;

	if (!copy)
		return;
	for (char *p = copy, *nl; p && *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = 0;
		if (!strncmp(p, "warning: pending reset:", 23)) {
			pending++;
		} else if (*p && !cli_is_machine_line(p)) {
			char *w = cli_reword(p, nl);
			cli_print(cli, "%s", w ? w : p);
			free(w);
		}
	}
	free(copy);
	if (pending)
		cli_print(cli, "%u change%s wait%s for a reset (show pending)", pending,
			  pending == 1 ? "" : "s", pending == 1 ? "s" : "");
	cli_print_access(cli, reply);
}

void cli_print_errors(struct cli_def *cli, const char *text)
{
	char *copy = strdup(text ? text : "");

	if (!copy)
		return;
	for (char *p = copy, *nl; p && *p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = 0;
		if (*p && !cli_is_machine_line(p)) {
			char *w = cli_reword(p, nl);
			cli_error(cli, "%% %s", w ? w : p);
			free(w);
		}
	}
	free(copy);
}

int cli_ctl(struct cli_sess *s, const char *verb, const char *body, size_t blen, char **reply)
{
	char *rep = NULL;
	int rc;

	if (reply)
		*reply = NULL;
	if (!s->ctl) {
		cli_error(s->cli, "%% not connected to sbcd");
		return -1;
	}
	rc = ctl_call(s->ctl, verb, body, blen, &rep, NULL);
	if (rc != 0) {
		cli_print_errors(s->cli, rep ? rep : "no reply from sbcd\n");
		free(rep);
		if (rc < 0) {
			ctl_close(s->ctl);
			s->ctl = NULL;
			s->quit = 1;
		}
		return rc;
	}
	if (reply)
		*reply = rep;
	else
		free(rep);
	return 0;
}

struct conf_store *cli_fetch(struct cli_sess *s, int status)
{
	struct conf_store *st;
	struct conf_diag d;
	char *text;

	if (cli_ctl(s, status ? "STATUS" : "EXPORT", NULL, 0, &text) != 0)
		return NULL;
	st = conf_store_new();
	conf_diag_init(&d);
	if (st && ini_load(st, text, strlen(text), "sbcd", INI_INCREMENTAL,
			   status ? INI_L_STATUS : 0, &d) < 0) {
		char *msgs = conf_diag_join(&d);
		cli_error(s->cli, "%% cannot read sbcd's reply:");
		cli_print_errors(s->cli, msgs);
		free(msgs);
		conf_store_free(st);
		st = NULL;
	}
	if (st && !status && conf_globals())
		conf_store_ensure(st, conf_globals(), 0, NULL);
	conf_diag_free(&d);
	free(text);
	return st;
}

int cli_login(struct cli_sess *s, const char *user, const char *pass, char *err, size_t errlen)
{
	char verb[128], *rep = NULL;
	unsigned level = 0;
	int rc;

	if (!s->ctl) {
		snprintf(err, errlen, "not connected to sbcd");
		return -1;
	}
	if (!*user || strpbrk(user, " \t\r\n") || strlen(user) > 40) {
		snprintf(err, errlen, "login incorrect");
		return -1;
	}
	/* a key login under sshd: the key helper's one-time grant (cli_keys.c), else AS (master) */
	const char *grant = pass ? NULL : getenv("SBC_GRANT");
	if (grant && strlen(grant) == 64 && strspn(grant, "0123456789abcdef") == 64)
		snprintf(verb, sizeof(verb), "RESUME %s", grant);
	else
		snprintf(verb, sizeof(verb), "%s %s", pass ? "LOGIN" : "AS", user);
	if (!pass)
		unsetenv("SBC_GRANT");
	/* over SSH, sbcd counts failed logins per client address (it trusts FROM of root only) */
	const char *ssh = getenv("SSH_CLIENT");
	size_t alen = ssh ? strcspn(ssh, " ") : 0;
	if (pass && alen && alen < 64 && !memchr(ssh, '\t', alen) && !memchr(ssh, '\n', alen))
		snprintf(verb + strlen(verb), sizeof(verb) - strlen(verb), " FROM %.*s", (int)alen,
			 ssh);
	rc = ctl_call(s->ctl, verb, pass ? pass : "", pass ? strlen(pass) : 0, &rep, NULL);
	if (rc != 0 || !rep || sscanf(rep, "level %u", &level) != 1) {
		snprintf(err, errlen, "%s", rep && *rep ? rep : "no reply from sbcd");
		err[strcspn(err, "\n")] = 0;
		free(rep);
		if (rc < 0) {
			ctl_close(s->ctl);
			s->ctl = NULL;
		}
		return -1;
	}
	free(rep);
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->level = level;
	return 0;
}

long cli_user_idle(struct cli_sess *s)
{
	const struct conf_table *t = &conf_tbl_webusers;
	struct conf_store *st;
	struct conf_row *r;
	int col = WEBUSER_SESSION_TIMEOUT;
	long secs = 0;

	if (s->idle_override >= 0)
		return s->idle_override;
	if (col < 0 || !s->user[0] || !(st = cli_fetch(s, 0)))
		return 0;
	r = conf_store_find_name(st, t, s->user);
	if (r)
		secs = (long)conf_row_int(r, col) * 60;
	conf_store_free(st);
	return secs;
}

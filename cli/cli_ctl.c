/* The session's control connection to sbcd: requests, login, configuration fetches. */
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
		if (!conf_diag_is_code_line(p))
			cli_print(cli, "%s", p);
	}
	free(copy);
}

/*
 * A problem sbcd found in the whole configuration names a row, and the line of
 * the document the row was read from ("#code ... LINE"): the row is what the
 * CLI's user knows, the CLI composed the document, so its "name:line: " goes.
 */
static const char *own_words(const char *msg, const char *next)
{
	struct conf_diag_at at;
	const char *p = strchr(msg, ':');
	size_t digits = p ? strspn(p + 1, "0123456789") : 0;

	if (conf_diag_is_code_line(next) && conf_diag_reply_at(next, &at) == 0 && at.line &&
	    digits && p[1 + digits] == ':' && p[2 + digits] == ' ')
		return p + 3 + digits;
	return msg;
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
		if (*p && !conf_diag_is_code_line(p))
			cli_error(cli, "%% %s", own_words(p, nl));
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

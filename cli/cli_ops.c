/* Operations: enable, write, reload now, copy ini-file from/to. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "control/ctl.h"

#define MAX_INI (64u << 20)

/* The password check of `enable`: sbcd re-checks the user's password (LOGIN). */
int cli_enable_check(struct cli_sess *s, const char *pass)
{
	char err[256];

	if (cli_login(s, s->user, pass, err, sizeof(err)) < 0) {
		cli_error(s->cli, "%% enable: %s", err);
		return 0;
	}
	if (s->level < CTL_LEVEL_SECADMIN) {
		cli_error(s->cli, "%% enable: privileged mode needs user level %d (%s has %u)",
			  CTL_LEVEL_SECADMIN, s->user, s->level);
		return 0;
	}
	return 1;
}

int cli_cmd_enable(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);
	char pass[300];
	int ok;

	if (cli->privilege == PRIVILEGE_PRIVILEGED)
		return CLI_OK;
	if (s->level < CTL_LEVEL_SECADMIN) {
		cli_error(cli, "%% enable: privileged mode needs user level %d (%s has %u)",
			  CTL_LEVEL_SECADMIN, s->user[0] ? s->user : "this session", s->level);
		return CLI_ERROR;
	}
	if (s->interactive) {
		if (cli_term_read(s, "Password: ", 0, pass, sizeof(pass)) < 0)
			return CLI_ERROR;
	} else if (!s->next_line || s->next_line(s, pass, sizeof(pass)) < 0) {
		cli_error(cli, "%% enable: no password given (the next input line)");
		return CLI_ERROR;
	}
	if (s->echo && !s->interactive)
		cli_error(cli, "Password:");
	ok = cli_enable_check(s, pass);
	explicit_bzero(pass, sizeof(pass));
	if (!ok)
		return CLI_ERROR;
	cli_set_privilege(cli, PRIVILEGE_PRIVILEGED);
	return CLI_OK;
}

static int simple(struct cli_def *cli, const char *verb)
{
	char *reply;

	if (cli_ctl(cli_sess(cli), verb, NULL, 0, &reply) != 0)
		return CLI_ERROR;
	cli_print_text(cli, reply);
	free(reply);
	return CLI_OK;
}

int cli_cmd_write(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	return simple(cli, "SAVE");
}

/* 1 when the command was given `force` or `noconfirm` (no [confirm] question). */
static int forced(struct cli_def *cli)
{
	return cli_get_optarg_value(cli, "force", NULL) ||
	       cli_get_optarg_value(cli, "noconfirm", NULL);
}

int cli_cmd_reload(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);

	if (argc) {
		cli_error(cli, "%% reload now: unexpected '%s' (force or noconfirm)", argv[0]);
		return CLI_ERROR;
	}
	if (!forced(cli) &&
	    !cli_confirm(cli, "Proceed with reload? The configuration saved on flash is loaded.",
			 "reload now force"))
		return CLI_ERROR;
	if (simple(cli, "RESET") != CLI_OK)
		return CLI_ERROR;
	cli_print(cli, "The session ends now.");
	s->quit = 1;
	return CLI_QUIT;
}

static char *read_file(struct cli_def *cli, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f) {
		cli_error(cli, "%% %s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - *len < 65536) {
			char *nb = cap + 65536 > MAX_INI ? NULL : realloc(buf, cap + 65537);
			if (!nb) {
				cli_error(cli, "%% %s: too large (at most %u bytes)", path,
					  MAX_INI);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n);
	buf[*len] = 0;
	fclose(f);
	return buf;
}

int cli_cmd_copy_from(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	const char *path = cli_get_optarg_value(cli, "path", NULL), *base;
	char verb[300], *text, *reply;
	size_t len;
	int incr = cli_get_optarg_value(cli, "incremental", NULL) != NULL;
	int rc;

	if (!path || argc) {
		cli_error(cli, "%% copy ini-file from <path> [incremental]");
		return CLI_ERROR;
	}
	if (!(text = read_file(cli, path, &len)))
		return CLI_ERROR;
	if (!incr && !forced(cli) &&
	    !cli_confirm(cli, "Replace the whole running configuration with this file?",
			 "copy ini-file from PATH force")) {
		free(text);
		return CLI_ERROR;
	}
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	snprintf(verb, sizeof(verb), "LOAD %s %.200s", incr ? "incremental" : "replace",
		 *base && !strpbrk(base, " \t") ? base : "file");
	rc = cli_ctl(cli_sess(cli), verb, text, len, &reply);
	free(text);
	if (rc != 0)
		return CLI_ERROR;
	cli_print(cli, "%s loaded (%s)", path, incr ? "incremental" : "whole configuration");
	if (*reply)
		cli_print_load_reply(cli, reply);
	free(reply);
	return CLI_OK;
}

int cli_cmd_copy_to(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	const char *path = cli_get_optarg_value(cli, "path", NULL);
	char *text;
	FILE *f;
	int ok;

	if (!path || argc) {
		cli_error(cli, "%% copy ini-file to <path>");
		return CLI_ERROR;
	}
	if (cli_ctl(cli_sess(cli), "EXPORT", NULL, 0, &text) != 0)
		return CLI_ERROR;
	f = fopen(path, "w");
	ok = f && fputs(text, f) >= 0;
	if (f && fclose(f) != 0)
		ok = 0;
	free(text);
	if (!ok) {
		cli_error(cli, "%% %s: %s", path, strerror(errno));
		return CLI_ERROR;
	}
	cli_print(cli, "running configuration written to %s", path);
	return CLI_OK;
}

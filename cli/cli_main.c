/*
 * sbc-cli: the Cisco-style CLI, one process per session (sshd's ForceCommand
 * or a local terminal), a client of sbcd's control socket. doc/CLI.md.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "conf/num.h"
#include "control/ctl.h"
#include "log/log.h"

#define LOGIN_IDLE      60 /* seconds allowed to log in */
#define MAX_LOGIN_FAILS 3

/* libcli's login and enable callbacks carry no handle: the one session of this process. */
static struct cli_sess sess = {.tree = -1, .idle_override = -1};
static struct termios saved_tty;
static int tty_saved;

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: sbc-cli [--socket PATH] [--user NAME | --login] [-c 'cmd; cmd'] [--echo]\n"
	    "       sbc-cli [--socket PATH] --authorized-keys UNIXUSER [KEYTYPE KEY]\n"
	    "  -s, --socket PATH        sbcd's control socket (else $SBC_SOCKET, else %s)\n"
	    "  -c, --command CMDS       run the commands (separated by ';') and exit\n"
	    "  -u, --user NAME          act for this SBC user (also $SBC_USER; sshd key logins)\n"
	    "  -l, --login              scripts: the first two input lines are user and password\n"
	    "  -e, --echo               scripts: print the prompt and each command\n"
	    "  -t, --idle-timeout SECS  close an idle session after SECS (default: the user's\n"
	    "                           SessionTimeout)\n"
	    "  -k, --authorized-keys U  print authorized_keys lines of the WebUsers (for sshd's\n"
	    "                           AuthorizedKeysCommand; with sshd's %%t %%k, that key's\n"
	    "                           line with a one-time grant of sbcd: SBC_GRANT)\n"
	    "Commands from -c or a non-terminal standard input run as a script: the first error\n"
	    "ends it with exit status 1.\n",
	    CTL_DEFAULT_SOCKET);
}

static void tty_restore(void)
{
	if (tty_saved)
		tcsetattr(0, TCSADRAIN, &saved_tty);
}

/* libcli edits the line itself: the terminal passes every key through, unechoed. */
static void tty_raw(void)
{
	struct termios t;

	if (tcgetattr(0, &saved_tty) < 0)
		return;
	tty_saved = 1;
	atexit(tty_restore);
	t = saved_tty;
	cfmakeraw(&t);
	tcsetattr(0, TCSADRAIN, &t);
}

static int auth_cb(const char *user, const char *pass)
{
	char err[256];

	if (cli_login(&sess, user, pass, err, sizeof(err)) == 0) {
		long idle = cli_user_idle(&sess);
		sess.idle_limit = idle > 0 ? idle : 0;
		return CLI_OK;
	}
	cli_error(sess.cli, "%% %s", err);
	if (++sess.login_fails >= MAX_LOGIN_FAILS || !sess.ctl) {
		cli_error(sess.cli, "%% too many failed logins");
		sess.quit = 1;
	}
	return CLI_ERROR;
}

/* Script output: libcli ends lines with CRLF for terminals; a script gets plain LF. */
static ssize_t lf_write(void *cookie, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != '\r')
			putchar(buf[i]);
	return (ssize_t)len;
}

/* --- script input: -c commands split at ';', or lines of standard input --- */
struct script {
	char **cmd;
	unsigned n, next;
};

static int split_commands(struct script *sc, const char *text)
{
	char quote = 0, *cur = malloc(strlen(text) + 1);
	size_t len = 0;

	if (!cur)
		return -1;
	for (const char *p = text;; p++) {
		if (*p && (quote || *p != ';')) {
			if (quote && *p == quote)
				quote = 0;
			else if (!quote && (*p == '"' || *p == '\''))
				quote = *p;
			cur[len++] = *p;
			continue;
		}
		cur[len] = 0;
		char **nc = realloc(sc->cmd, (sc->n + 1) * sizeof(*nc));
		if (!nc || !(nc[sc->n] = strdup(cur))) {
			free(cur);
			return -1;
		}
		sc->cmd = nc;
		sc->n++;
		len = 0;
		if (!*p)
			break;
	}
	free(cur);
	return 0;
}

static int next_line(struct cli_sess *s, char *buf, size_t len)
{
	struct script *sc = s->script;

	if (sc) {
		if (sc->next >= sc->n)
			return -1;
		snprintf(buf, len, "%s", sc->cmd[sc->next++]);
	} else if (!fgets(buf, (int)len, stdin)) {
		return -1;
	}
	buf[strcspn(buf, "\r\n")] = 0;
	return 0;
}

static int run_script(struct cli_sess *s)
{
	char line[CLI_MAX_LINE_LENGTH], prompt[128];

	while (!s->quit && next_line(s, line, sizeof(line)) == 0) {
		char *p = line, *end;
		int rc;

		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = 0;
		if (!*p || *p == '#')
			continue;
		if (s->echo) {
			cli_prompt(s->cli, prompt, sizeof(prompt));
			printf("%s%s\n", prompt, p);
		}
		if (p[strlen(p) - 1] == '?') { /* the help an interactive '?' shows */
			p[strlen(p) - 1] = 0;
			cli_context_help(s, p);
			continue;
		}
		rc = cli_exec_line(s, p);
		fflush(stdout);
		if (rc == CLI_QUIT)
			break;
		if (rc != CLI_OK) {
			if (s->echo)
				printf("%% script stopped at the first error\n");
			return 1;
		}
	}
	return s->ctl ? 0 : 1;
}

/* Script login (--login): user and password are the first two input lines. */
static int script_login(struct cli_sess *s)
{
	char user[128], pass[300], err[256];
	int rc;

	if (next_line(s, user, sizeof(user)) < 0 || next_line(s, pass, sizeof(pass)) < 0) {
		fprintf(stderr, "sbc-cli: --login: the input ends before user and password\n");
		return -1;
	}
	if (s->echo)
		printf("Username: %s\nPassword:\n", user);
	rc = cli_login(s, user, pass, err, sizeof(err));
	explicit_bzero(pass, sizeof(pass));
	if (rc < 0)
		printf("%% %s\n", err);
	return rc;
}

/* The level of an unauthenticated session: what sbcd gives this process's uid. */
static int peer_level(struct cli_sess *s)
{
	char *reply = NULL, *p;
	int rc = cli_ctl(s, "INFO", NULL, 0, &reply);

	if (rc == 0 && (p = strstr(reply, "\nlevel ")))
		s->level = (unsigned)strtoul(p + 7, NULL, 10);
	free(reply);
	return rc == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 's'},
					     {"command", required_argument, NULL, 'c'},
					     {"user", required_argument, NULL, 'u'},
					     {"login", no_argument, NULL, 'l'},
					     {"echo", no_argument, NULL, 'e'},
					     {"idle-timeout", required_argument, NULL, 't'},
					     {"authorized-keys", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *cmds = NULL, *user = getenv("SBC_USER"), *keys_for = NULL;
	struct script sc = {0};
	char err[512];
	int c, login = 0, rc = 0;

	while ((c = getopt_long(argc, argv, "s:c:u:let:k:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sess.sock = optarg;
			break;
		case 'c':
			cmds = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'l':
			login = 1;
			break;
		case 'e':
			sess.echo = 1;
			break;
		case 't': {
			long long secs;
			char err[160];
			/* strict: "1O" is refused, not read as 1 second */
			if (conf_num_parse("--idle-timeout", optarg, 0, 86400, &secs, err,
					   sizeof(err)) < 0) {
				fprintf(stderr, "sbc-cli: %s\n", err);
				return 2;
			}
			sess.idle_override = (long)secs;
			break;
		}
		case 'k':
			keys_for = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc && !(keys_for && optind + 2 == argc)) {
		usage(stderr);
		return 2;
	}
	if (keys_for)
		return cli_authorized_keys(sess.sock, keys_for, argv[0],
					   optind < argc ? argv[optind] : NULL,
					   optind < argc ? argv[optind + 1] : NULL);
	/*
	 * Every SSH CLI session runs as the same account: none may read another's
	 * memory or environment (its grant, its control connection) or ptrace it.
	 */
	prctl(PR_SET_DUMPABLE, 0);
	signal(SIGPIPE, SIG_IGN);
	/* the terminal gets its own messages; the log (syslog, auth facility) gets refusals */
	log_open("sbc-cli", LOG_F_SYSLOG, LOG_AUTHPRIV >> 3);
	/* `ssh sbc 'show version'` under ForceCommand: the client's command is a script */
	if (!cmds && getenv("SSH_ORIGINAL_COMMAND") && *getenv("SSH_ORIGINAL_COMMAND"))
		cmds = getenv("SSH_ORIGINAL_COMMAND");
	if (user && !*user)
		user = NULL;
	sess.interactive = !cmds && isatty(0);
	if (cmds && split_commands(&sc, cmds) < 0) {
		fprintf(stderr, "sbc-cli: out of memory\n");
		return 1;
	}
	sess.script = cmds ? &sc : NULL;
	sess.next_line = next_line;
	if (!(sess.ctl = ctl_open(sess.sock, err, sizeof(err)))) {
		log_msg(LOG_ERR, "%s", err);
		fprintf(stderr, "sbc-cli: %s\n", err);
		return 1;
	}
	if (!(sess.cli = cli_init())) {
		fprintf(stderr, "sbc-cli: out of memory\n");
		return 1;
	}
	cli_set_context(sess.cli, &sess);
	cli_set_hostname(sess.cli, CLI_HOSTNAME);
	cli_telnet_protocol(sess.cli, 0);
	cli_tree_build(sess.cli);
	/* libcli computes abbreviations when the privilege changes */
	cli_set_privilege(sess.cli, PRIVILEGE_PRIVILEGED);
	cli_set_privilege(sess.cli, PRIVILEGE_UNPRIVILEGED);
	if (!sess.interactive) {
		cookie_io_functions_t io = {.write = lf_write};
		sess.cli->client = fopencookie(NULL, "w", io);
		if (sess.cli->client)
			setvbuf(sess.cli->client, NULL, _IONBF, 0);
	}

	if (user && cli_login(&sess, user, NULL, err, sizeof(err)) < 0) {
		log_msg(LOG_WARNING, "cannot act for user %s: %s", user, err);
		if (!sess.interactive) {
			printf("%% cannot act for user %s: %s\n", user, err);
			return 1;
		}
		fprintf(stderr, "%% cannot act for user %s: %s\r\n", user, err);
		user = NULL;
		login = 1;
	}
	if (sess.interactive) {
		long idle = user ? cli_user_idle(&sess) : LOGIN_IDLE;

		if (sess.idle_override >= 0)
			idle = sess.idle_override;
		sess.idle_limit = idle > 0 ? idle : 0;
		sess.term_len = cli_term_rows() > 2 ? cli_term_rows() - 1 : 0;
		/* libcli's own filters (grep) write their errors to the client stream */
		sess.cli->client = fdopen(dup(1), "w");
		if (sess.cli->client)
			setvbuf(sess.cli->client, NULL, _IONBF, 0);
		tty_raw();
		cli_term_run(&sess, user ? NULL : auth_cb);
		tty_restore();
	} else {
		if (login && script_login(&sess) < 0)
			rc = 1;
		else if (!login && !user && peer_level(&sess) < 0)
			rc = 1;
		if (!rc && !login && sess.level >= CTL_LEVEL_SECADMIN)
			cli_set_privilege(sess.cli, PRIVILEGE_PRIVILEGED);
		if (!rc)
			rc = run_script(&sess);
	}
	fflush(stdout);
	if (sess.cli->client) {
		fclose(sess.cli->client);
		sess.cli->client = NULL;
	}
	cli_row_discard(&sess, 0);
	cli_done(sess.cli);
	ctl_close(sess.ctl);
	for (unsigned i = 0; i < sc.n; i++)
		free(sc.cmd[i]);
	free(sc.cmd);
	return rc;
}

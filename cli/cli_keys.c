/*
 * `sbc-cli --authorized-keys UNIXUSER [TYPE KEY]`: sshd's AuthorizedKeysCommand
 * (run as user sbc-keys). Prints one authorized_keys line per WebUsers row with
 * an SSHPublicKey, so the key names the SBC user (packaging/sshd/sbc-cli.conf,
 * doc/CLI.md):
 *
 *   restrict,pty,environment="SBC_USER=<name>",[environment="SBC_GRANT=<grant>",]
 *   command="<sbc-cli> --user <name>" <key>
 *
 * With TYPE and KEY (sshd's %t %k: the key the client offers) only that key's
 * line is printed, with a one-time grant of sbcd (GRANT, ctl_tickets.h): the
 * session's sbc-cli, which runs as the unprivileged CLI account, redeems it
 * (RESUME) to act for the user. sshd hands the line's environment to the session
 * only when the client proved it holds the key, so the grant reaches nobody else.
 *
 * With ForceCommand (recommended) sshd ignores command= and passes SBC_USER
 * (PermitUserEnvironment SBC_USER); without it, command= pins the session to
 * sbc-cli for that user. Locked accounts and keys with unsafe characters are
 * left out. Exit status 0 even when no key is printed (sshd then refuses).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "control/ctl.h"
#include "ini/ini.h"

/* A name or key that cannot break out of the option string or the line. */
static int safe(const char *s, const char *extra)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\' || strchr(extra, *s))
			return 0;
	return 1;
}

/* 1 when the stored key (type, base64, comment) is the offered type and base64. */
static int same_key(const char *stored, const char *type, const char *b64)
{
	size_t tl = strlen(type), bl = strlen(b64);

	return !strncmp(stored, type, tl) && stored[tl] == ' ' &&
	       !strncmp(stored + tl + 1, b64, bl) &&
	       (stored[tl + 1 + bl] == 0 || stored[tl + 1 + bl] == ' ');
}

/* sbcd's one-time grant for user into out[65]; -1 when refused (then no grant is printed). */
static int grant(struct ctl_client *c, const char *user, char out[65])
{
	char verb[96], *rep = NULL;
	int ok;

	snprintf(verb, sizeof(verb), "GRANT %s", user);
	ok = ctl_call(c, verb, NULL, 0, &rep, NULL) == 0 && rep &&
	     sscanf(rep, "grant %64[0-9a-f]", out) == 1 && strlen(out) == 64;
	if (!ok)
		fprintf(stderr, "sbc-cli: no grant for %s: %s", user, rep ? rep : "no reply\n");
	free(rep);
	return ok ? 0 : -1;
}

int cli_authorized_keys(const char *sock, const char *unix_user, const char *prog, const char *type,
			const char *b64)
{
	const struct conf_table *t = &conf_tbl_webusers;
	int cname = WEBUSER_USERNAME;
	int ckey = WEBUSER_SSH_PUBLIC_KEY;
	int cstat = WEBUSER_STATUS;
	char err[512], self[PATH_MAX], *text = NULL;
	struct ctl_client *c = ctl_open(sock, err, sizeof(err));
	struct conf_store *st;
	struct conf_diag d;
	const char *so = sock && safe(sock, " '$`;&|<>") ? sock : NULL;
	ssize_t n;

	if (!c) {
		fprintf(stderr, "sbc-cli: %s\n", err);
		return 1;
	}
	if (cname < 0 || ckey < 0 || ctl_call(c, "EXPORT", NULL, 0, &text, NULL) != 0) {
		fprintf(stderr, "sbc-cli: cannot read the users from sbcd: %s", text ? text : "\n");
		free(text);
		ctl_close(c);
		return 1;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0)
		self[n] = 0;
	else
		snprintf(self, sizeof(self), "%s", prog);
	st = conf_store_new();
	conf_diag_init(&d);
	if (!st || ini_load(st, text, strlen(text), "sbcd", INI_INCREMENTAL, 0, &d) < 0) {
		fprintf(stderr, "sbc-cli: cannot read sbcd's export\n");
		ctl_close(c);
		conf_store_free(st);
		conf_diag_free(&d);
		free(text);
		return 1;
	}
	for (unsigned i = 0; i < conf_store_rows(st, t)->n; i++) {
		const struct conf_row *r = conf_store_rows(st, t)->row[i];
		const char *name = conf_row_str(r, cname), *key = conf_row_str(r, ckey);
		const char *status =
		    cstat >= 0 ? conf_enum_name(&t->cols[cstat], conf_row_int(r, cstat)) : NULL;

		if (!*key || !*name || !safe(name, " '$`;&|<>") || !safe(key, ""))
			continue;
		if (status && strstr(status, "locked"))
			continue;
		if (type && b64) {
			char g[65];
			if (!same_key(key, type, b64))
				continue;
			if (grant(c, name, g) == 0) {
				printf("restrict,pty,environment=\"SBC_USER=%s\",environment=\"SBC_"
				       "GRANT=%s\","
				       "command=\"%s --user %s%s%s\" %s\n",
				       name, g, self, name, so ? " --socket " : "", so ? so : "",
				       key);
				continue;
			}
		}
		printf("restrict,pty,environment=\"SBC_USER=%s\",command=\"%s --user %s%s%s\" %s\n",
		       name, self, name, so ? " --socket " : "", so ? so : "", key);
	}
	ctl_close(c);
	(void)unix_user;
	conf_store_free(st);
	conf_diag_free(&d);
	free(text);
	return 0;
}

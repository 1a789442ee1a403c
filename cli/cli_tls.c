/*
 * TLS context material through sbcd's TLS verbs (sbc/ctl_tls.c):
 *   show tls certificate <ctx>            show tls trusted-roots <ctx>
 *   tls generate <ctx> [key-type T] [bits N] [days N] [subject S]
 *   tls csr <ctx> [subject S]
 *   tls import certificate|private-key|trusted-roots|crl <ctx> [file PATH] [passphrase P]
 *   tls delete trusted-root <ctx> <position>     tls delete crl <ctx>
 * Without `file`, the PEM is pasted and ends with an empty line. <ctx> is an
 * index or a name. sbcd checks the level (material changes need 200).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"

#define PRIV    PRIVILEGE_PRIVILEGED
#define UNPRIV  PRIVILEGE_UNPRIVILEGED
#define MAX_PEM (1u << 20)

static const char *opt(struct cli_def *cli, const char *name)
{
	return cli_get_optarg_value(cli, name, NULL);
}

static const char *last_word(const char *cmd)
{
	const char *sp = strrchr(cmd, ' ');
	return sp ? sp + 1 : cmd;
}

/* One TLS request; prints the reply. */
static int tls_call(struct cli_def *cli, const char *verb, const char *body, size_t blen)
{
	char *reply;

	if (cli_ctl(cli_sess(cli), verb, body, blen, &reply) != 0)
		return CLI_ERROR;
	if (*reply)
		cli_print_text(cli, reply);
	free(reply);
	return CLI_OK;
}

/* sbcd's "key value" lines, aligned. */
static int show_cert(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	char verb[160], *reply, *save = NULL;

	snprintf(verb, sizeof(verb), "TLS SHOW %.100s", opt(cli, "context"));
	if (cli_ctl(cli_sess(cli), verb, NULL, 0, &reply) != 0)
		return CLI_ERROR;
	for (char *line = strtok_r(reply, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t k = strcspn(line, " ");
		cli_print(cli, "%-18.*s %s", (int)k, line, line[k] ? line + k + 1 : "");
	}
	free(reply);
	return CLI_OK;
}

/* Each root as a block: its position, then one "key value" line per field. */
static int show_roots(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	char verb[160], *reply, *save = NULL;

	snprintf(verb, sizeof(verb), "TLS ROOTS %.100s", opt(cli, "context"));
	if (cli_ctl(cli_sess(cli), verb, NULL, 0, &reply) != 0)
		return CLI_ERROR;
	if (!*reply)
		cli_print(cli, "No trusted roots.");
	for (char *line = strtok_r(reply, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *fs = NULL;
		for (char *f = strtok_r(line, "\t", &fs); f; f = strtok_r(NULL, "\t", &fs)) {
			char *eq = strchr(f, '=');
			if (!eq)
				cli_print(cli, "position %s", f);
			else
				cli_print(cli, "  %-10.*s %s", (int)(eq - f), f, eq + 1);
		}
	}
	free(reply);
	return CLI_OK;
}

/* Pasted PEM: lines up to the first empty one (a terminal, or the script's next lines). */
static char *read_pasted(struct cli_def *cli, size_t *len)
{
	struct cli_sess *s = cli_sess(cli);
	char *buf = NULL, line[4096];
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	cli_error(cli, "Paste the PEM text, then an empty line:");
	for (;;) {
		size_t l = 0;
		if (s->interactive) {
			unsigned char c, prev = 0;
			/* raw terminal: collect a line, echo it, end it on CR or LF */
			while (read(0, &c, 1) == 1) {
				if (c == '\n' && prev == '\r')
					continue;
				prev = c;
				if (c == '\r' || c == '\n')
					break;
				if (l + 1 < sizeof(line))
					line[l++] = (char)c;
			}
			line[l] = 0;
			if (write(1, line, l) < 0 || write(1, "\r\n", 2) < 0)
				break;
		} else if (!s->next_line || s->next_line(s, line, sizeof(line)) < 0) {
			break;
		}
		l = strlen(line);
		while (l && (line[l - 1] == ' ' || line[l - 1] == '\r'))
			line[--l] = 0;
		if (!l || n > MAX_PEM)
			break;
		fprintf(f, "%s\n", line);
	}
	fclose(f);
	*len = n;
	return buf;
}

static int import(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	static const char *const ops[][2] = {{"certificate", "IMPORT-CERT"},
					     {"private-key", "IMPORT-KEY"},
					     {"trusted-roots", "IMPORT-ROOTS"},
					     {"crl", "IMPORT-CRL"}};
	const char *what = last_word(cmd), *file = opt(cli, "file"), *pass = opt(cli, "passphrase");
	const char *op = NULL;
	char verb[200], *body = NULL, *full = NULL;
	size_t blen = 0;
	int rc;

	for (unsigned i = 0; i < 4; i++)
		if (!strcasecmp(ops[i][0], what))
			op = ops[i][1];
	if (!op)
		return CLI_ERROR;
	if (file) {
		FILE *f = fopen(file, "rb");
		FILE *m = open_memstream(&body, &blen);
		char chunk[4096];
		size_t k;
		if (!f || !m) {
			cli_error(cli, "%% %s: cannot read it", file);
			if (f)
				fclose(f);
			if (m)
				fclose(m);
			free(body);
			return CLI_ERROR;
		}
		while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0 && blen < MAX_PEM)
			fwrite(chunk, 1, k, m);
		fclose(f);
		fclose(m);
	} else if (!(body = read_pasted(cli, &blen))) {
		return CLI_ERROR;
	}
	snprintf(verb, sizeof(verb), "TLS %s %.100s%s", op, opt(cli, "context"),
		 pass && !strcmp(op, "IMPORT-KEY") ? " PASSPHRASE" : "");
	if (pass && !strcmp(op, "IMPORT-KEY")) {
		if (asprintf(&full, "%s\n%.*s", pass, (int)blen, body) < 0)
			full = NULL;
		explicit_bzero(body, blen);
		free(body);
		if (!full)
			return CLI_ERROR;
		body = full;
		blen = strlen(full);
	}
	rc = tls_call(cli, verb, body, blen);
	explicit_bzero(body, blen);
	free(body);
	if (rc == CLI_OK)
		cli_print(cli, "TLS context %s: %s imported", opt(cli, "context"), what);
	return rc;
}

/* 1 when a number argument is absent or a whole number in min..max; else an error naming it. */
static int number_ok(struct cli_def *cli, const char *name, const char *v, long min, long max)
{
	long n;

	if (!v || cli_parse_long(v, min, max, &n) == 0)
		return 1;
	cli_error(cli, "%% %s '%s': give a whole number, %ld-%ld", name, v, min, max);
	return 0;
}

/* [confirm] unless `force`/`noconfirm` was given. */
static int confirmed(struct cli_def *cli, const char *question, const char *force_cmd)
{
	if (opt(cli, "force") || opt(cli, "noconfirm"))
		return 1;
	return cli_confirm(cli, question, force_cmd);
}

static int generate(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	const char *type = opt(cli, "key-type"), *bits = opt(cli, "bits"), *days = opt(cli, "days");
	const char *subject = opt(cli, "subject");
	char verb[300], dflt[24] = "", q[200];
	int rc;

	if (!number_ok(cli, "bits", bits, 1, 65536) || !number_ok(cli, "days", days, 1, 36500))
		return CLI_ERROR;
	snprintf(q, sizeof(q), "Replace the key and certificate of TLS context %.100s?",
		 opt(cli, "context"));
	if (!confirmed(cli, q, "tls generate CTX ... force"))
		return CLI_ERROR;

	if (days && !bits) { /* sbcd takes days after bits: give the default size */
		struct conf_store *st = cli_fetch(cli_sess(cli), 0);
		if (!st)
			return CLI_ERROR;
		snprintf(dflt, sizeof(dflt), "%lld", conf_globals_int(st, GLOBALS_TLS_PKEY_SIZE));
		conf_store_free(st);
		bits = dflt;
	}
	snprintf(verb, sizeof(verb), "TLS GENERATE %.100s %s %s %s", opt(cli, "context"),
		 type ? type : "rsa", bits ? bits : "", days ? days : "");
	rc = tls_call(cli, verb, subject ? subject : "", subject ? strlen(subject) : 0);
	if (rc == CLI_OK)
		cli_print(cli, "TLS context %s: new key and self-signed certificate",
			  opt(cli, "context"));
	return rc;
}

static int csr(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	const char *subject = opt(cli, "subject");
	char verb[160];

	snprintf(verb, sizeof(verb), "TLS CSR %.100s", opt(cli, "context"));
	return tls_call(cli, verb, subject ? subject : "", subject ? strlen(subject) : 0);
}

static int delete (struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	const char *pos = opt(cli, "position");
	char verb[200], q[200];
	int crl = !strcmp(last_word(cmd), "crl");

	if (!crl && !number_ok(cli, "position", pos, 0, 9999))
		return CLI_ERROR;
	snprintf(q, sizeof(q), "Delete %s%s of TLS context %.100s?",
		 crl ? "the CRL" : "trusted root ", crl ? "" : pos, opt(cli, "context"));
	if (!confirmed(cli, q,
		       crl ? "tls delete crl CTX force" : "tls delete trusted-root CTX N force"))
		return CLI_ERROR;
	if (crl)
		snprintf(verb, sizeof(verb), "TLS DELETE-CRL %.100s", opt(cli, "context"));
	else
		snprintf(verb, sizeof(verb), "TLS DELETE-ROOT %.100s %.20s", opt(cli, "context"),
			 pos ? pos : "");
	return tls_call(cli, verb, NULL, 0);
}

static void arg(struct cli_command *c, const char *name, int flags, const char *help)
{
	if (c)
		cli_register_optarg(c, name, flags, UNPRIV, MODE_ANY, help, NULL, NULL, NULL);
}

static void ctx_arg(struct cli_command *c)
{
	arg(c, "context", CLI_CMD_ARGUMENT, "TLS context: index or name");
}

static void force_arg(struct cli_command *c)
{
	arg(c, "force", CLI_CMD_OPTIONAL_FLAG, "Do not ask for confirmation (scripts)");
	arg(c, "noconfirm", CLI_CMD_OPTIONAL_FLAG, "Same as force");
}

void cli_tls_register(struct cli_def *cli, struct cli_command *show, struct cli_command *parent,
		      int mode)
{
	struct cli_command *t, *c, *imp, *del;
	static const char *const kinds[][2] = {
	    {"certificate", "Device certificate (PEM or DER, with its chain)"},
	    {"private-key", "Private key of the device certificate"},
	    {"trusted-roots", "CA certificates to trust (added to those trusted)"},
	    {"crl", "Certificate revocation list"}};

	t = cli_register_command(cli, show, "tls", NULL, UNPRIV, mode, "TLS context material");
	c = cli_register_command(cli, t, "certificate", show_cert, UNPRIV, mode,
				 "Device certificate of a TLS context");
	ctx_arg(c);
	c = cli_register_command(cli, t, "trusted-roots", show_roots, UNPRIV, mode,
				 "Trusted root certificates of a TLS context");
	ctx_arg(c);

	t = cli_register_command(cli, parent, "tls", NULL, PRIV, mode,
				 "TLS context material: keys, certificates, trusted roots");
	c = cli_register_command(cli, t, "generate", generate, PRIV, mode,
				 "New private key and self-signed certificate");
	ctx_arg(c);
	arg(c, "key-type", CLI_CMD_OPTIONAL_ARGUMENT, "rsa (default), ec-p256 or ec-p384");
	arg(c, "bits", CLI_CMD_OPTIONAL_ARGUMENT, "RSA key size (default TLSPkeySize)");
	arg(c, "days", CLI_CMD_OPTIONAL_ARGUMENT, "Validity in days (default 3650)");
	arg(c, "subject", CLI_CMD_OPTIONAL_ARGUMENT, "Subject, e.g. \"CN=sbc.example.com\"");
	force_arg(c);
	c = cli_register_command(cli, t, "csr", csr, PRIV, mode,
				 "Certificate signing request for the context's key");
	ctx_arg(c);
	arg(c, "subject", CLI_CMD_OPTIONAL_ARGUMENT, "Subject, e.g. \"CN=sbc.example.com\"");
	imp = cli_register_command(cli, t, "import", NULL, PRIV, mode,
				   "Import material from a file or pasted PEM");
	for (unsigned i = 0; i < 4; i++) {
		c = cli_register_command(cli, imp, kinds[i][0], import, PRIV, mode, kinds[i][1]);
		ctx_arg(c);
		arg(c, "file", CLI_CMD_OPTIONAL_ARGUMENT, "File on this host (else paste PEM)");
		if (i == 1)
			arg(c, "passphrase", CLI_CMD_OPTIONAL_ARGUMENT, "Passphrase of the key");
	}
	del = cli_register_command(cli, t, "delete", NULL, PRIV, mode, "Delete material");
	c = cli_register_command(cli, del, "trusted-root", delete, PRIV, mode,
				 "One trusted root, by position (show tls trusted-roots)");
	ctx_arg(c);
	arg(c, "position", CLI_CMD_ARGUMENT, "Position of the root");
	force_arg(c);
	c = cli_register_command(cli, del, "crl", delete, PRIV, mode, "The context's CRL");
	ctx_arg(c);
	force_arg(c);
}

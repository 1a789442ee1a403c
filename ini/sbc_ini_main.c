/* sbc-ini: the operator's INI file upload and download, and an offline checker. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl.h"
#include "ini/ini.h"
#include "ini/ini_access.h"
#include "ini/ini_ignored.h"

#define MAX_FILE (256u << 20)

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: sbc-ini [--socket PATH] [--user NAME] COMMAND [ARGS]\n"
	    "  --user NAME                  act for WebUsers user NAME, with its level (sbcd\n"
	    "                               accepts it from root and its own user only)\n"
	    "  check [--incremental] FILE   validate FILE offline; print every error with its "
	    "line\n"
	    "  check --flash DIR            what boot would do with DIR (sbcd -n): exits non-zero\n"
	    "                               naming every object that would be down\n"
	    "  build [--incremental] [--base BOARD] FILE -o OUT\n"
	    "                               write the whole configuration FILE gives (on top of\n"
	    "                               the factory defaults, or of the flash board.ini\n"
	    "                               BOARD) as a flash board.ini (OUT may be BOARD)\n"
	    "  export [TABLE] [-o FILE]     download the running configuration (secrets left out)\n"
	    "  status [TABLE]               download the status tables\n"
	    "  import [--incremental] FILE  upload FILE (whole, or incremental) to the running "
	    "sbcd\n"
	    "  save                         save the running configuration to flash\n"
	    "  reset                        reset sbcd: reload the configuration saved on flash\n"
	    "  pending                      list changes waiting for a reset\n"
	    "  info                         version, uptime and counters of sbcd\n"
	    "  perf [fine|coarse [N]]       performance history: 10-second samples (last hour)\n"
	    "                               or 15-minute intervals (last day); perf sample\n"
	    "                               takes a sample now\n"
	    "  generations                  saves kept on flash: 0 the current one, then earlier\n"
	    "                               ones (newest first), each valid or not\n"
	    "  restore N                    make generation N the saved configuration again; it\n"
	    "                               boots at the next reset\n"
	    "  ha [master|backup|fault]     HA role and sync state (doc/HA.md); a role given\n"
	    "                               sets it as keepalived would\n"
	    "  tls OP CTX [ARGS] [-f FILE]  TLS context material (doc/TLS.md): show, roots,\n"
	    "                               generate, csr, import-cert, import-key,\n"
	    "                               import-roots, delete-root, import-crl, delete-crl;\n"
	    "                               FILE ('-' for stdin) is the PEM/DER or subject\n"
	    "FILE may be '-' for standard input.\n");
}

/*
 * The boot check is sbcd's own (sbcd -n): it loads TLS material and tries the listeners the
 * way boot does, so this runs the sbcd beside sbc-ini (or on PATH) rather than a copy of it.
 */
static int check_flash(const char *dir)
{
	char self[4096], path[4200];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(path, sizeof(path), "%s/sbcd", self);
			if (access(path, X_OK) == 0)
				execl(path, "sbcd", "-n", "--flash", dir, (char *)NULL);
			snprintf(path, sizeof(path), "%s/../sbin/sbcd", self);
			if (access(path, X_OK) == 0)
				execl(path, "sbcd", "-n", "--flash", dir, (char *)NULL);
		}
	}
	execlp("sbcd", "sbcd", "-n", "--flash", dir, (char *)NULL);
	fprintf(stderr, "sbc-ini: check --flash needs sbcd: %s\n", strerror(errno));
	return 2;
}

static char *read_input(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	if (!f) {
		fprintf(stderr, "sbc-ini: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if (cap > MAX_FILE + 65536) {
				fprintf(stderr, "sbc-ini: %s: larger than %u bytes\n", path,
					MAX_FILE);
				free(buf);
				buf = NULL;
				break;
			}
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		size_t n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
		if (n == 0)
			break;
	}
	if (buf)
		buf[*len] = 0;
	if (f != stdin)
		fclose(f);
	return buf;
}

/* The vendor features the document uses that the SBC ignores, as one summary at the end. */
static void print_ignored(const char *text, size_t len, FILE *f)
{
	char *sum = text ? ini_ignored_summary(text, len) : NULL;

	if (sum)
		fputs(sum, f);
	free(sum);
}

/* The store a flash board.ini holds (read as sbcd boots it: on the factory defaults). */
static struct conf_store *load_board(const char *path)
{
	struct conf_diag d;
	struct conf_store *st = NULL;
	size_t len;
	char *text = read_input(path, &len), *msgs;

	if (!text)
		return NULL;
	conf_diag_init(&d);
	conf_hash_import(1);
	st = ini_build(NULL, text, len, path, INI_REPLACE, 0, &d);
	if (!st) {
		msgs = conf_diag_join(&d);
		fprintf(stderr, "%s%s: not a valid board.ini (--base)\n", msgs ? msgs : "", path);
		free(msgs);
	}
	conf_diag_free(&d);
	free(text);
	return st;
}

static int cmd_check(const char *path, enum ini_mode mode, const char *out, const char *board)
{
	struct conf_diag d;
	struct conf_store *base = board ? load_board(board) : ini_factory(), *st;
	size_t len;
	char *text = read_input(path, &len), *msgs;

	if (!text || !base) {
		free(text);
		conf_store_free(base);
		return 1;
	}
	conf_diag_init(&d);
	d.max = 0;
	/* offline, on files the caller can read anyway: stored hashes load as hashes */
	conf_hash_import(1);
	st = ini_build(base, text, len, path, mode, 0, &d);
	msgs = conf_diag_join(&d);
	fputs(msgs ? msgs : "", st ? stdout : stderr);
	if (st && out) {
		size_t olen;
		char *text = ini_write(st, INI_W_SECRETS, &olen);
		/* a flash board.ini holds password hashes: 0600, as sbcd writes it */
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		FILE *f = fd >= 0 && fchmod(fd, 0600) == 0 ? fdopen(fd, "wb") : NULL;
		if (!f && fd >= 0)
			close(fd);
		if (!text || !f || fwrite(text, 1, olen, f) != olen || fclose(f) != 0) {
			fprintf(stderr, "sbc-ini: %s: cannot write\n", out);
			conf_store_free(st);
			st = NULL;
		}
		free(text);
	} else if (st) {
		printf("%s: valid (%u warning%s)\n", path, d.nwarn, d.nwarn == 1 ? "" : "s");
	} else
		fprintf(stderr, "%s: %u error%s\n", path, d.nerr, d.nerr == 1 ? "" : "s");
	print_ignored(text, len, st ? stdout : stderr);
	free(msgs);
	free(text);
	conf_diag_free(&d);
	conf_store_free(base);
	conf_store_free(st);
	return st ? 0 : 1;
}

/* --user: act for a WebUsers user (AS), with that user's level. */
static const char *as_user;

/* One request to sbcd; prints the reply to stdout (OK) or stderr (ERR). */
static char *kept_reply; /* set by call() when keep_reply is on (malloc'd, NUL-terminated) */
static int keep_reply;

static int call(const char *sock, const char *verb, const char *body, size_t blen, const char *out)
{
	char err[512], *reply = NULL;
	size_t rlen;
	struct ctl_client *c = ctl_open(sock, err, sizeof(err));
	int rc = 0;

	if (!c) {
		fprintf(stderr, "sbc-ini: %s\n", err);
		return 1;
	}
	if (as_user) {
		char line[128];
		snprintf(line, sizeof(line), "AS %.100s", as_user);
		rc = ctl_call(c, line, NULL, 0, &reply, &rlen);
		if (rc != 0) {
			if (reply)
				fwrite(reply, 1, rlen, stderr);
			free(reply);
			ctl_close(c);
			return 1;
		}
		free(reply);
		reply = NULL;
	}
	rc = ctl_call(c, verb, body, blen, &reply, &rlen);
	ctl_close(c);
	if (rc == 0 && out) {
		FILE *f = fopen(out, "wb");
		if (!f || fwrite(reply, 1, rlen, f) != rlen || fclose(f) != 0) {
			fprintf(stderr, "sbc-ini: %s: %s\n", out, strerror(errno));
			free(reply);
			return 1;
		}
	} else if (reply) {
		fwrite(reply, 1, rlen, rc == 0 ? stdout : stderr);
	}
	if (keep_reply && reply) {
		free(kept_reply);
		kept_reply = strndup(reply, rlen);
	}
	free(reply);
	return rc == 0 ? 0 : 1;
}

/*
 * The reply moved the web interface (#access lines): one block at the end, highlighted on a
 * terminal, saying where it will be reached after the reset (globals read back from sbcd).
 */
static void ini_access_print(const char *reply, const char *sock, FILE *f)
{
	struct conf_store *next = NULL;
	char err[256], *g = NULL, *block;
	size_t glen;
	struct ctl_client *c;

	if (!strstr(reply, "#access "))
		return;
	if ((c = ctl_open(sock, err, sizeof(err))) != NULL) {
		if (ctl_call(c, "EXPORT Globals", NULL, 0, &g, &glen) == 0 && g) {
			struct conf_diag d;
			conf_diag_init(&d);
			next = conf_store_factory();
			if (next &&
			    ini_load(next, g, glen, "Globals", INI_INCREMENTAL, 0, &d) < 0) {
				conf_store_free(next);
				next = NULL;
			}
			conf_diag_free(&d);
		}
		free(g);
		ctl_close(c);
	}
	block = ini_access_block(reply, next);
	if (block) {
		int tty = isatty(fileno(f));
		fprintf(f, "\n%s%s%s", tty ? "\033[1;7m" : "", block, tty ? "\033[0m" : "");
	}
	free(block);
	conf_store_free(next);
}

struct opts {
	const char *sock, *out, *file, *base;
	enum ini_mode mode;
};

/* Options before the command and after it share one parser; 1 for --help, -1 on error. */
static int opts_parse(int argc, char **argv, const char *optstring, struct opts *o)
{
	static const struct option longopts[] = {{"socket", required_argument, NULL, 's'},
						 {"incremental", no_argument, NULL, 'i'},
						 {"replace", no_argument, NULL, 'r'},
						 {"output", required_argument, NULL, 'o'},
						 {"file", required_argument, NULL, 'f'},
						 {"user", required_argument, NULL, 'u'},
						 {"help", no_argument, NULL, 'h'},
						 {"base", required_argument, NULL, 'b'},
						 {NULL, 0, NULL, 0}};
	int c;

	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->sock = optarg;
			break;
		case 'i':
			o->mode = INI_INCREMENTAL;
			break;
		case 'r':
			o->mode = INI_REPLACE;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'f':
			o->file = optarg;
			break;
		case 'u':
			as_user = optarg;
			break;
		case 'b':
			o->base = optarg;
			break;
		case 'h':
			return 1;
		default:
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {.mode = INI_REPLACE};
	const char *sock, *out, *cmd, *file;
	enum ini_mode mode;
	char verb[256];
	int rc;

	/* "+": stop at the command; options may follow it too (optind 0 resets getopt) */
	rc = opts_parse(argc, argv, "+s:o:f:u:irh", &o);
	if (rc > 0) {
		usage(stdout);
		return 0;
	}
	if (rc < 0 || optind >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[optind];
	if (!strcmp(cmd, "check") && argc - optind == 3 && !strcmp(argv[optind + 1], "--flash"))
		return check_flash(argv[optind + 2]);
	argc -= optind;
	argv += optind;
	optind = 0;
	if (opts_parse(argc, argv, "s:o:f:u:irh", &o) != 0) {
		usage(stderr);
		return 2;
	}
	sock = o.sock, out = o.out, file = o.file, mode = o.mode;
	const char *arg = optind < argc ? argv[optind] : NULL;

	if (!strcmp(cmd, "check") || !strcmp(cmd, "build")) {
		if (!arg || (!strcmp(cmd, "build") && !out)) {
			usage(stderr);
			return 2;
		}
		return cmd_check(arg, mode, strcmp(cmd, "build") ? NULL : out, o.base);
	}
	if (!strcmp(cmd, "export") || !strcmp(cmd, "status")) {
		snprintf(verb, sizeof(verb), "%s%s%s", !strcmp(cmd, "export") ? "EXPORT" : "STATUS",
			 arg ? " " : "", arg ? arg : "");
		return call(sock, verb, NULL, 0, out);
	}
	if (!strcmp(cmd, "import")) {
		size_t len;
		char *text;
		int rc;
		if (!arg) {
			usage(stderr);
			return 2;
		}
		text = read_input(arg, &len);
		if (!text)
			return 1;
		const char *base = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
		snprintf(verb, sizeof(verb), "LOAD %s %.200s",
			 mode == INI_INCREMENTAL ? "incremental" : "replace", base);
		keep_reply = 1;
		rc = call(sock, verb, text, len, NULL);
		keep_reply = 0;
		print_ignored(text, len, rc == 0 ? stdout : stderr);
		/* last: the one thing the operator must not miss */
		if (rc == 0 && kept_reply)
			ini_access_print(kept_reply, sock, stdout);
		free(kept_reply);
		free(text);
		return rc;
	}
	if (!strcmp(cmd, "tls")) {
		size_t n = 0, len = 0;
		char *text = NULL;
		int rc;
		n += (size_t)snprintf(verb, sizeof(verb), "TLS");
		for (int i = optind; i < argc && n < sizeof(verb); i++)
			n += (size_t)snprintf(verb + n, sizeof(verb) - n, " %s", argv[i]);
		if (optind + 2 > argc) {
			usage(stderr);
			return 2;
		}
		for (char *p = verb + 4; *p && *p != ' '; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		if (file && !(text = read_input(file, &len)))
			return 1;
		rc = call(sock, verb, text, len, out);
		if (text)
			explicit_bzero(text, len);
		free(text);
		return rc;
	}
	if (!strcmp(cmd, "save"))
		return call(sock, "SAVE", NULL, 0, NULL);
	if (!strcmp(cmd, "reset"))
		return call(sock, "RESET", NULL, 0, NULL);
	if (!strcmp(cmd, "pending"))
		return call(sock, "PENDING", NULL, 0, NULL);
	if (!strcmp(cmd, "info"))
		return call(sock, "INFO", NULL, 0, NULL);
	if (!strcmp(cmd, "generations"))
		return call(sock, "GENERATIONS", NULL, 0, NULL);
	if (!strcmp(cmd, "perf")) { /* sbcd checks the words (PERF, doc/MONITORING.md) */
		const char *n = optind + 1 < argc ? argv[optind + 1] : NULL;
		snprintf(verb, sizeof(verb), "PERF%s%.20s%s%.20s", arg ? " " : "", arg ? arg : "",
			 n ? " " : "", n ? n : "");
		return call(sock, verb, NULL, 0, NULL);
	}
	if (!strcmp(cmd, "ha")) { /* HA [MASTER|BACKUP|FAULT|STATUS] (doc/HA.md) */
		snprintf(verb, sizeof(verb), "HA%s%.20s", arg ? " " : "", arg ? arg : "");
		return call(sock, verb, NULL, 0, NULL);
	}
	if (!strcmp(cmd, "restore") && arg) {
		snprintf(verb, sizeof(verb), "RESTORE %.20s", arg);
		return call(sock, verb, NULL, 0, NULL);
	}
	fprintf(stderr, "sbc-ini: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}

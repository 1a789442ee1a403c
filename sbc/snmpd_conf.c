/* The snmpd master's include file: rendering, staging, signalling (snmpd_conf.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "conf/cols.h"
#include "conf/snmpv3.h"
#include "conf/store.h"
#include "log/log.h"
#include "sbc/snmpd_conf.h"

#define TOMBSTONE     "# deleted user: "
#define MAX_TOMBSTONE 32
#define MAX_FILE      (1 << 20)

static char inc_path[PATH_MAX];   /* --snmpd-include, or "" */
static char pid_path[PATH_MAX];   /* --snmpd-pidfile, or "" */
static char staged[PATH_MAX + 8]; /* PATH.new written by prepare, or "" */

int snmpd_conf_init(const char *include, const char *pidfile, char *err, size_t errlen)
{
	size_t pl = include ? strlen(include) : 0;

	inc_path[0] = pid_path[0] = 0;
	if (include && (include[0] != '/' || pl < 6 || strcmp(include + pl - 5, ".conf") ||
			pl >= sizeof(inc_path))) {
		snprintf(err, errlen, "--snmpd-include %s: not an absolute path ending in .conf",
			 include);
		return -1;
	}
	if (pidfile && (pidfile[0] != '/' || strlen(pidfile) >= sizeof(pid_path))) {
		snprintf(err, errlen, "--snmpd-pidfile %s: not an absolute path", pidfile);
		return -1;
	}
	snprintf(inc_path, sizeof(inc_path), "%s", include ? include : "");
	snprintf(pid_path, sizeof(pid_path), "%s", pidfile ? pidfile : "");
	return 0;
}

struct buf {
	char *s;
	size_t n, cap;
	int oom;
};

static void put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
		va_end(ap);
		if (k >= 0 && (size_t)k < b->cap - b->n) {
			b->n += (size_t)k;
			return;
		}
		char *t = realloc(b->s, b->cap * 2 + (size_t)k + 64);
		if (!t || k < 0) {
			b->oom = 1;
			return;
		}
		b->s = t;
		b->cap = b->cap * 2 + (size_t)k + 64;
	}
}

static const char *auth_name(long long a)
{
	static const char *const n[] = {"",        "MD5",     "SHA",    "SHA-224",
					"SHA-256", "SHA-384", "SHA-512"};

	return a > 0 && a <= CONF_SNMP_AUTH_SHA512 ? n[a] : "";
}

static const char *priv_name(long long p)
{
	static const char *const n[] = {"", "DES", "3DES", "AES", "AES-192", "AES-256"};

	return p > 0 && p <= CONF_SNMP_PRIV_AES256 ? n[p] : "";
}

/* A user with an authentication protocol and no key yet is off: snmpd does not get it. */
static int user_on(const struct conf_row *u)
{
	return u->v[SNMPUSER_AUTH_PROTOCOL].i == CONF_SNMP_AUTH_NONE || *u->v[SNMPUSER_AUTH_KEY].s;
}

static const struct conf_row *user_find(const struct conf_store *st, const char *name)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_snmpusers);

	for (unsigned j = 0; j < rs->n; j++)
		if (!strcmp(rs->row[j]->v[SNMPUSER_USERNAME].s, name) && user_on(rs->row[j]))
			return rs->row[j];
	return NULL;
}

static const char *priv_key(const struct conf_row *u)
{
	return *u->v[SNMPUSER_PRIV_KEY].s ? u->v[SNMPUSER_PRIV_KEY].s : u->v[SNMPUSER_AUTH_KEY].s;
}

static void user_lines(struct buf *b, const struct conf_row *u)
{
	const char *name = u->v[SNMPUSER_USERNAME].s;
	long long a = u->v[SNMPUSER_AUTH_PROTOCOL].i, p = u->v[SNMPUSER_PRIV_PROTOCOL].i;
	long long g = u->v[SNMPUSER_GROUP].i;
	const char *level = a == CONF_SNMP_AUTH_NONE   ? "noauth"
			    : p == CONF_SNMP_PRIV_NONE ? "auth"
						       : "priv";

	put(b, "createUser %s", name);
	if (a != CONF_SNMP_AUTH_NONE)
		put(b, " %s \"%s\"", auth_name(a), u->v[SNMPUSER_AUTH_KEY].s);
	if (p != CONF_SNMP_PRIV_NONE)
		put(b, " %s \"%s\"", priv_name(p), priv_key(u));
	put(b, "\n");
	if (g == CONF_SNMP_GROUP_RO)
		put(b, "rouser -s usm %s %s\n", name, level);
	else if (g == CONF_SNMP_GROUP_RW)
		put(b, "rwuser -s usm %s %s\n", name, level);
}

/* v3 options of trapsess for user u (its level, protocols and keys). */
static void trap_user(struct buf *b, const struct conf_row *u)
{
	long long a = u->v[SNMPUSER_AUTH_PROTOCOL].i, p = u->v[SNMPUSER_PRIV_PROTOCOL].i;

	put(b, "-v 3 -u %s -l %s", u->v[SNMPUSER_USERNAME].s,
	    a == CONF_SNMP_AUTH_NONE   ? "noAuthNoPriv"
	    : p == CONF_SNMP_PRIV_NONE ? "authNoPriv"
				       : "authPriv");
	if (a != CONF_SNMP_AUTH_NONE)
		put(b, " -a %s -A \"%s\"", auth_name(a), u->v[SNMPUSER_AUTH_KEY].s);
	if (p != CONF_SNMP_PRIV_NONE)
		put(b, " -x %s -X \"%s\"", priv_name(p), priv_key(u));
}

static void dest_lines(struct buf *b, const struct conf_store *st, int v1v2c)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_snmptrapdest);

	for (unsigned j = 0; j < rs->n; j++) {
		const struct conf_row *r = rs->row[j];
		const char *a = r->v[SNMPTRAP_ADDRESS].s;
		const struct conf_row *u = NULL;
		if (r->v[SNMPTRAP_VERSION].i == CONF_SNMP_V3) {
			u = user_find(st, r->v[SNMPTRAP_USER].s);
			if (!u) {
				put(b,
				    "# SNMPTrapDestinations %u: no User (or the user is off), "
				    "off\n",
				    r->index);
				continue;
			}
		} else if (!*r->v[SNMPTRAP_COMMUNITY].s) {
			put(b, "# SNMPTrapDestinations %u: v2c without Community, off\n", r->index);
			continue;
		} else if (!v1v2c) {
			put(b, "# SNMPTrapDestinations %u: v2c, off (SNMPv1v2cEnable = 0)\n",
			    r->index);
			continue;
		}
		put(b, "trapsess ");
		if (u)
			trap_user(b, u);
		else
			put(b, "-v 2c -c \"%s\"", r->v[SNMPTRAP_COMMUNITY].s);
		if (r->v[SNMPTRAP_TYPE].i == CONF_SNMP_INFORM)
			put(b, " -Ci");
		if (strchr(a, ':'))
			put(b, " udp6:[%s]:%lld\n", a, r->v[SNMPTRAP_PORT].i);
		else
			put(b, " udp:%s:%lld\n", a, r->v[SNMPTRAP_PORT].i);
	}
}

/* Users of the old file (live or tombstones) that st no longer has, as tombstones. */
static void tombstones(struct buf *b, const struct conf_store *st, const char *old)
{
	const char *line = old, *prev_mark = NULL;
	unsigned n = 0;

	while (line && *line && n < MAX_TOMBSTONE) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char name[40];
		if (!strncmp(line, "createUser ", 11) && sscanf(line + 11, "%39s", name) == 1 &&
		    !user_find(st, name)) {
			if (prev_mark)
				put(b, TOMBSTONE "%s\n%.*s\n", name, (int)len, line);
			else {
				unsigned char rnd[32];
				char hex[2][33];
				if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
					b->oom = 1;
					return;
				}
				for (int k = 0; k < 32; k++)
					snprintf(&hex[k / 16][2 * (k % 16)], 3, "%02x", rnd[k]);
				put(b, TOMBSTONE "%s\ncreateUser %s SHA-256 \"%s\" AES \"%s\"\n",
				    name, name, hex[0], hex[1]);
				OPENSSL_cleanse(rnd, sizeof(rnd));
				OPENSSL_cleanse(hex, sizeof(hex));
			}
			n++;
		}
		prev_mark = !strncmp(line, TOMBSTONE, strlen(TOMBSTONE)) ? line : NULL;
		line = end ? end + 1 : NULL;
	}
}

char *snmpd_conf_render(const struct conf_store *st, const char *old)
{
	struct buf b = {.cap = 4096};
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_snmpusers);
	int v1v2c = conf_globals_int(st, GLOBALS_SNMP_V1V2C_ENABLE) != 0;
	const char *ro = conf_globals_str(st, GLOBALS_SNMP_READ_ONLY_COMMUNITY_STRING);
	const char *rw = conf_globals_str(st, GLOBALS_SNMP_READ_WRITE_COMMUNITY_STRING);

	if (!(b.s = malloc(b.cap)))
		return NULL;
	b.s[0] = 0;
	put(&b, SNMPD_CONF_HEADER
	    " from SNMPUsers, SNMPTrapDestinations and [SNMP Params].\n"
	    "# Do not edit: sbcd replaces this file on every change (doc/SNMP.md).\n");
	put(&b, "# SNMPv3 users\n");
	for (unsigned j = 0; j < rs->n; j++)
		if (user_on(rs->row[j]))
			user_lines(&b, rs->row[j]);
		else
			put(&b, "# SNMPUsers %u: no AuthKey, off\n", rs->row[j]->index);
	if (old)
		tombstones(&b, st, old);
	put(&b, "# SNMPv1/v2c: %s\n", v1v2c ? "on" : "off (SNMPv1v2cEnable = 0)");
	if (v1v2c && *ro)
		put(&b, "rocommunity \"%s\" default\nrocommunity6 \"%s\" default\n", ro, ro);
	if (v1v2c && *rw)
		put(&b, "rwcommunity \"%s\" default\nrwcommunity6 \"%s\" default\n", rw, rw);
	put(&b, "# notification destinations\n");
	dest_lines(&b, st, v1v2c);
	if (b.oom) {
		OPENSSL_cleanse(b.s, b.cap);
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* The file in place (NUL-terminated, malloc'd) or NULL when absent; -1 when unreadable. */
static int file_read(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *s;
	size_t n;

	*out = NULL;
	if (!f) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	s = malloc(MAX_FILE + 1);
	if (!s) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(s, 1, MAX_FILE, f);
	fclose(f);
	s[n] = 0;
	*out = s;
	return 0;
}

static void secret_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* Renders st's file into PATH.new when it differs; 1 staged, 0 nothing to do, -1 with err. */
static int stage(const struct conf_store *st, char *err, size_t errlen)
{
	const char *path = inc_path;
	char *old = NULL, *text;
	int fd, rc = -1;

	staged[0] = 0;
	if (!*path)
		return 0;
	if (file_read(path, &old, err, errlen) < 0)
		return -1;
	if (old && strncmp(old, SNMPD_CONF_HEADER, strlen(SNMPD_CONF_HEADER))) {
		snprintf(err, errlen, "%s exists and was not written by sbcd: not replaced", path);
		secret_free(old);
		return -1;
	}
	text = snmpd_conf_render(st, old);
	if (!text) {
		snprintf(err, errlen, "%s: out of memory", path);
		secret_free(old);
		return -1;
	}
	if (old && !strcmp(old, text)) {
		rc = 0;
		goto out;
	}
	snprintf(staged, sizeof(staged), "%s.new", path);
	unlink(staged);
	fd = open(staged, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fsync(fd) < 0) {
		snprintf(err, errlen, "%s: %s", staged, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(staged);
		}
		staged[0] = 0;
		goto out;
	}
	close(fd);
	rc = 1;
out:
	secret_free(old);
	secret_free(text);
	return rc;
}

/* SIGHUP to the snmpd of the pid file, when it names a running snmpd. */
static void master_reload(const struct conf_store *st)
{
	const char *pidfile = pid_path;
	char comm[64] = "", proc[64];
	FILE *f;
	long pid = 0;

	if (!*pidfile) {
		log_info("snmpd include file changed: no --snmpd-pidfile, the master reloads it "
			 "by other means");
		return;
	}
	f = fopen(pidfile, "r");
	if (!f || fscanf(f, "%ld", &pid) != 1 || pid <= 1) {
		log_warnx("snmpd master: cannot read a pid from %s%s%s", pidfile, f ? "" : ": ",
			  f ? "" : strerror(errno));
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	snprintf(proc, sizeof(proc), "/proc/%ld/comm", pid);
	f = fopen(proc, "r");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = 0;
		fclose(f);
	}
	if (strncmp(comm, "snmpd", 5)) {
		log_warnx("snmpd master: pid %ld of %s is not snmpd: not signalled", pid, pidfile);
		return;
	}
	if (kill((pid_t)pid, SIGHUP) < 0)
		log_warnx("snmpd master: SIGHUP to pid %ld: %s", pid, strerror(errno));
	else
		log_info("snmpd master (pid %ld) reloads its configuration", pid);
}

static void commit_staged(const struct conf_store *st)
{
	const char *path = inc_path;

	if (!staged[0])
		return;
	if (rename(staged, path) < 0) {
		log_warnx("snmpd include file %s: %s", path, strerror(errno));
		unlink(staged);
		staged[0] = 0;
		return;
	}
	staged[0] = 0;
	log_info("snmpd include file %s written", path);
	master_reload(st);
}

int snmpd_conf_prepare(const struct conf_store *cand, struct conf_diag *d)
{
	char err[PATH_MAX + 128];

	if (stage(cand, err, sizeof(err)) < 0) {
		conf_diag_add(d, 1, "the snmpd master's include file (sbcd --snmpd-include): %s",
			      err);
		return -1;
	}
	return 0;
}

void snmpd_conf_apply(const struct conf_store *now)
{
	commit_staged(now);
}

void snmpd_conf_abort(void)
{
	if (staged[0])
		unlink(staged);
	staged[0] = 0;
}

void snmpd_conf_boot(const struct conf_store *st)
{
	char err[PATH_MAX + 128];

	if (stage(st, err, sizeof(err)) < 0)
		log_warnx("snmpd include file (--snmpd-include): %s", err);
	else
		commit_staged(st);
}

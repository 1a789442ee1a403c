/* TLS contexts on flash: default material, expiry alarms, status tables. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/su_wait.h>

#include "conf/store.h"
#include "sbc/alarms.h"
#include "sbc/flash.h"
#include "log/log.h"
#include "sbc/sbcd.h"
#include "sbc/sip/sip_engine.h"
#include "sbc/tlsmgr.h"
#include "tls/expiry.h"
#include "tls/material.h"
#include "tls/tls.h"

static su_timer_t *expiry_timer;
static time_t last_expiry_check;

static const struct conf_table *contexts(void)
{
	return &conf_tbl_tlscontexts;
}

const char *tlsmgr_root(const struct sbcd *s)
{
	static char root[PATH_MAX];

	snprintf(root, sizeof(root), "%s/running", s->rundir);
	return root;
}

static int mkdirs(const char *root, unsigned idx, char *dir, size_t len)
{
	char top[PATH_MAX];

	if (mkdir(root, 0700) < 0 && errno != EEXIST)
		return -1;
	snprintf(top, sizeof(top), "%s/tls", root);
	if (mkdir(top, 0700) < 0 && errno != EEXIST)
		return -1;
	if (snprintf(dir, len, "%s/tls/%u", root, idx) >= (int)len)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int tlsmgr_ctxdir(const struct sbcd *s, unsigned idx, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/tls/%u", tlsmgr_root(s), idx) < (int)len ? 0 : -1;
}

int tlsmgr_ctxdir_make(const struct sbcd *s, unsigned idx, char *buf, size_t len)
{
	return mkdirs(tlsmgr_root(s), idx, buf, len);
}

int tlsmgr_pending_dir(const struct sbcd *s, unsigned idx, char *buf, size_t len)
{
	return snprintf(buf, len, "%s/pending/%u", s->rundir, idx) < (int)len ? 0 : -1;
}

static int has_file(const char *dir, const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

int tlsmgr_ensure(struct sbcd *s, unsigned idx, char *err, size_t errlen)
{
	char dir[PATH_MAX], subject[300], host[128] = "sbc";
	const struct conf_row *r = conf_store_get(s->running, contexts(), idx);
	int bits = (int)conf_globals_int(s->running, GLOBALS_TLS_PKEY_SIZE);

	if (!r) {
		snprintf(err, errlen, "TLSContexts row %u: no such context", idx);
		return -1;
	}
	if (mkdirs(tlsmgr_root(s), idx, dir, sizeof(dir)) < 0) {
		snprintf(err, errlen, "%s/tls/%u: %s", tlsmgr_root(s), idx, strerror(errno));
		return -1;
	}
	/* material an operator put there (even a key alone, awaiting its certificate) stays */
	if (has_file(dir, TLS_FILE_CERT) || has_file(dir, TLS_FILE_KEY))
		return 0;
	gethostname(host, sizeof(host) - 1);
	snprintf(subject, sizeof(subject), "CN=%s,OU=%s,O=SBC", host, r->v[TLSCTX_NAME].s);
	if (tls_material_generate(dir, TLS_KEY_RSA, bits, subject, 3650, err, errlen) < 0)
		return -1;
	log_info("TLS context %u (%s): generated a %d-bit RSA key and a self-signed certificate "
		 "for %s",
		 idx, r->v[TLSCTX_NAME].s, bits, subject);
	return 0;
}

/* Contexts in use: 0, and those named by SIP interfaces and proxy sets. */
static int in_use(const struct conf_store *st, const char *name, unsigned idx)
{
	static const struct {
		const struct conf_table *t;
		int col;
	} users[] = {{&conf_tbl_sipinterface, SIPIF_TLS_CONTEXT},
		     {&conf_tbl_proxyset, PROXYSET_TLS_CONTEXT_NAME}};

	if (idx == 0)
		return 1;
	for (unsigned u = 0; u < 2; u++) {
		const struct conf_table *t = users[u].t;
		int c = users[u].col;
		const struct conf_rows *rs = conf_store_rows(st, t);
		for (unsigned j = 0; j < rs->n; j++)
			if (!strcasecmp(rs->row[j]->v[c].s, name))
				return 1;
	}
	return 0;
}

int tlsmgr_check_boot(const char *flashdir, const struct conf_store *st)
{
	const struct conf_rows *rs = conf_store_rows(st, contexts());
	char dir[PATH_MAX], err[PATH_MAX + 200];
	int rc = 0;

	for (unsigned j = 0; j < rs->n; j++) {
		snprintf(dir, sizeof(dir), "%s/tls/%u", flashdir, rs->row[j]->index);
		if (has_file(dir, TLS_FILE_KEY) &&
		    tls_material_check_key_perms(dir, err, sizeof(err)) < 0) {
			log_errx("TLS context %u: %s", rs->row[j]->index, err);
			rc = -1;
		}
	}
	return rc;
}

/* Boot gave context idx its first material: the flash keeps it, so a reset gives the same key. */
static void keep_on_flash(struct sbcd *s, const char *src, unsigned idx)
{
	static const char *const files[] = {TLS_FILE_CERT, TLS_FILE_KEY};
	char from[PATH_MAX], to[PATH_MAX], err[PATH_MAX + 200];

	tlsmgr_ctxdir(s, idx, from, sizeof(from));
	if (mkdirs(src, idx, to, sizeof(to)) < 0) {
		log_warnx("TLS context %u: %s: %s", idx, to, strerror(errno));
		return;
	}
	for (unsigned i = 0; i < 2; i++) {
		char f[PATH_MAX + 32], t[PATH_MAX + 32], *buf;
		size_t len;
		snprintf(f, sizeof(f), "%s/%s", from, files[i]);
		snprintf(t, sizeof(t), "%s/%s", to, files[i]);
		buf = flash_read_file(f, 1u << 20, &len, err, sizeof(err));
		if (!buf || flash_write_file(t, buf, len, i ? 0600 : 0644, err, sizeof(err)) < 0)
			log_warnx("TLS context %u: keeping its first material on flash: %s", idx,
				  err);
		if (buf)
			explicit_bzero(buf, len);
		free(buf);
	}
}

int tlsmgr_boot(struct sbcd *s, const char *src)
{
	const struct conf_rows *rs = conf_store_rows(s->running, contexts());
	char err[PATH_MAX + 200], from[PATH_MAX], to[PATH_MAX], asrc[48], text[PATH_MAX + 300];
	int rc = 0;

	/* degrade, don't die: such a context is down (the engine refuses its key) with an alarm */
	if (tlsmgr_check_boot(src, s->running) < 0) {
		log_errx("a private key is readable by others: its TLS context stays down (chmod "
			 "600 it, then reset)");
		rc = -1;
	}
	/* the running material starts as the saved one; only a save writes it back */
	flash_tree_remove(tlsmgr_root(s));
	snprintf(from, sizeof(from), "%s/pending", s->rundir);
	flash_tree_remove(from);
	for (unsigned j = 0; j < rs->n; j++) {
		unsigned idx = rs->row[j]->index;
		snprintf(from, sizeof(from), "%s/tls/%u", src, idx);
		if (tlsmgr_ctxdir_make(s, idx, to, sizeof(to)) < 0 ||
		    (access(from, F_OK) == 0 &&
		     flash_tree_copy(from, to, 0, err, sizeof(err)) < 0)) {
			log_errx("TLS context %u: running material: %s", idx,
				 access(from, F_OK) == 0 ? err : strerror(errno));
			rc = -1;
		}
	}
	for (unsigned j = 0; j < rs->n; j++) {
		const struct conf_row *r = rs->row[j];
		int had;
		if (!in_use(s->running, r->v[TLSCTX_NAME].s, r->index))
			continue;
		tlsmgr_ctxdir(s, r->index, to, sizeof(to));
		had = has_file(to, TLS_FILE_CERT) || has_file(to, TLS_FILE_KEY);
		if (tlsmgr_ensure(s, r->index, err, sizeof(err)) < 0) {
			snprintf(asrc, sizeof(asrc), "TLSContext#%u", r->index);
			snprintf(text, sizeof(text),
				 "TLS context %u ('%s') has no usable material: %s", r->index,
				 r->v[TLSCTX_NAME].s, err);
			alarm_set("tlsContextDown", asrc, ALARM_MAJOR, text);
			rc = -1;
			continue;
		}
		if (!had)
			keep_on_flash(s, src, r->index);
	}
	tlsmgr_check_expiry(s);
	return rc;
}

static void on_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sbcd *s = (struct sbcd *)arg;
	long period = (long)conf_globals_int(s->running, GLOBALS_TLS_EXPIRY_CHECK_PERIOD) * 86400;

	if (time(NULL) - last_expiry_check >= period)
		tlsmgr_check_expiry(s);
	su_timer_set(t, on_tick, arg);
}

void tlsmgr_committed(struct sbcd *s, const struct conf_store *old)
{
	const struct conf_rows *rs = conf_store_rows(old, contexts());
	char dir[PATH_MAX];

	for (unsigned j = 0; j < rs->n; j++) {
		unsigned idx = rs->row[j]->index;
		if (conf_store_get(s->running, contexts(), idx))
			continue;
		/* a deleted context leaves the running material; the flash keeps it until a save */
		tlsmgr_ctxdir(s, idx, dir, sizeof(dir));
		flash_tree_remove(dir);
		tlsmgr_pending_dir(s, idx, dir, sizeof(dir));
		flash_tree_remove(dir);
		log_info("TLS context %u deleted with its running material (saved material stays "
			 "on flash until the next save)",
			 idx);
	}
	tlsmgr_check_expiry(s);
}

void tlsmgr_check_expiry(struct sbcd *s)
{
	const struct conf_rows *rs = conf_store_rows(s->running, contexts());
	int start = (int)conf_globals_int(s->running, GLOBALS_TLS_EXPIRY_CHECK_START);
	time_t now = time(NULL);
	static const enum alarm_severity map[] = {ALARM_CLEARED, ALARM_MINOR, ALARM_MAJOR,
						  ALARM_CRITICAL};

	last_expiry_check = now;
	for (unsigned idx = 0; idx < contexts()->max_rows; idx++) {
		char dir[PATH_MAX], src[48], msg[200], err[300];
		struct tls_cert_info info;
		int match;
		const struct conf_row *r = conf_store_get(s->running, contexts(), idx);
		snprintf(src, sizeof(src), "TLSContext#%u", idx);
		tlsmgr_ctxdir(s, idx, dir, sizeof(dir));
		if (!r || tls_material_cert_info(dir, &info, &match, err, sizeof(err)) < 0) {
			alarm_set("certificateExpiry", src, ALARM_CLEARED, "");
			continue;
		}
		enum tls_alarm a = tls_expiry_severity(info.not_after, now, start);
		tls_expiry_message(idx, info.not_after, now, msg, sizeof(msg));
		alarm_set("certificateExpiry", src, map[a], msg);
	}
	(void)rs;
	if (!expiry_timer && s->root) {
		expiry_timer = su_timer_create(su_root_task(s->root), 3600 * 1000);
		su_timer_set(expiry_timer, on_tick, (su_timer_arg_t *)s);
	}
}

void tlsmgr_changed(struct sbcd *s, unsigned idx)
{
	s->edits++; /* running material differs from flash until a save */
	tlsmgr_check_expiry(s);
	if (s->sip)
		sip_engine_tls_changed(s->sip, idx);
}

static void fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void set(const struct conf_table *t, struct conf_row *r, int col, const char *v)
{
	char err[128];

	conf_row_set_text(t, r, col, v, err, sizeof(err));
}

void tlsmgr_status(struct sbcd *s, struct conf_store *st)
{
	const struct conf_table *tc = &conf_tbl_tlscertificates;
	const struct conf_table *tr = &conf_tbl_trustedroots;
	const struct conf_rows *rs = conf_store_rows(s->running, contexts());
	int start = (int)conf_globals_int(s->running, GLOBALS_TLS_EXPIRY_CHECK_START);
	time_t now = time(NULL);
	char dir[PATH_MAX], buf[64], err[300];

	for (unsigned j = 0; j < rs->n; j++) {
		unsigned idx = rs->row[j]->index;
		struct tls_cert_info info, *roots = NULL;
		unsigned nroots = 0;
		int match = 0;
		struct conf_row *r = conf_store_ensure(st, tc, idx, NULL);
		if (!r)
			continue;
		tlsmgr_ctxdir(s, idx, dir, sizeof(dir));
		set(tc, r, TLSCERT_CONTEXT_NAME, rs->row[j]->v[TLSCTX_NAME].s);
		if (tls_material_cert_info(dir, &info, &match, err, sizeof(err)) == 0) {
			long days = tls_expiry_days(info.not_after, now);
			int state;
			set(tc, r, TLSCERT_SUBJECT, info.subject);
			set(tc, r, TLSCERT_ISSUER, info.issuer);
			set(tc, r, TLSCERT_SERIAL_NUMBER, info.serial);
			fmt_time(info.not_before, buf, sizeof(buf));
			set(tc, r, TLSCERT_NOT_BEFORE, buf);
			fmt_time(info.not_after, buf, sizeof(buf));
			set(tc, r, TLSCERT_NOT_AFTER, buf);
			set(tc, r, TLSCERT_KEY_TYPE, info.key_type);
			set(tc, r, TLSCERT_FINGERPRINT, info.sha256);
			set(tc, r, TLSCERT_SUBJECT_ALT_NAME, info.san);
			r->v[TLSCERT_DAYS_LEFT].i = days;
			if (!match)
				state = 5;
			else if (now < info.not_before)
				state = 4;
			else if (now >= info.not_after)
				state = 3;
			else if (tls_expiry_severity(info.not_after, now, start) != TLS_ALARM_NONE)
				state = 2;
			else
				state = 1;
			r->v[TLSCERT_STATUS].i = state;
		}
		if (tls_material_list_roots(dir, &roots, &nroots, err, sizeof(err)) < 0)
			continue;
		for (unsigned k = 0; k < nroots && k < 1000; k++) {
			struct conf_row *q = conf_store_ensure(st, tr, idx * 1000 + k, NULL);
			if (!q)
				break;
			q->v[TROOT_CONTEXT].i = idx;
			q->v[TROOT_POSITION].i = k;
			set(tr, q, TROOT_SUBJECT, roots[k].subject);
			set(tr, q, TROOT_ISSUER, roots[k].issuer);
			set(tr, q, TROOT_SERIAL_NUMBER, roots[k].serial);
			fmt_time(roots[k].not_before, buf, sizeof(buf));
			set(tr, q, TROOT_NOT_BEFORE, buf);
			fmt_time(roots[k].not_after, buf, sizeof(buf));
			set(tr, q, TROOT_NOT_AFTER, buf);
			set(tr, q, TROOT_FINGERPRINT, roots[k].sha256);
			q->v[TROOT_IS_CA].i = roots[k].is_ca;
		}
		free(roots);
	}
}

void tlsmgr_stop(struct sbcd *s)
{
	if (expiry_timer)
		su_timer_destroy(expiry_timer);
	expiry_timer = NULL;
}

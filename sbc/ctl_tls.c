/*
 * TLS verbs of the control protocol (doc/CONTROL.md, doc/TLS.md):
 *
 *   TLS SHOW <ctx>                          device certificate, key state (never the key)
 *   TLS ROOTS <ctx>                         trusted roots, one line each
 *   TLS GENERATE <ctx> [rsa|ec-p256|ec-p384] [bits] [days]   body: subject
 *   TLS CSR <ctx>                           body: subject (optional); reply: PEM
 *   TLS IMPORT-CERT <ctx>                   body: PEM or DER (with chain)
 *   TLS IMPORT-KEY <ctx> [PASSPHRASE]       body: key; with PASSPHRASE its first line
 *   TLS IMPORT-ROOTS <ctx>                  body: PEM bundle or DER
 *   TLS DELETE-ROOT <ctx> <position>
 *   TLS IMPORT-CRL <ctx>                    body: PEM or DER
 *   TLS DELETE-CRL <ctx>
 *   TLS PEM <ctx>                           certificate chain and trusted roots (public)
 *   TLS WEBCRED 0 [stamp]                   the HTTPS server's material, key included
 *
 * <ctx> is a TLSContexts index or name. Reading needs level 50 (CSR 100) and never
 * changes the flash; changing material needs 200 (security administrator), as the vendor
 * does. A context's first change (or CSR) gives it a key and self-signed certificate.
 *
 * WEBCRED is how sbc-web gets its certificate, key, trusted roots and CRL without reading
 * the flash (doc/CONTROL.md "TLS WEBCRED"): only the web front end's uid (or a master peer)
 * may ask. The reply's stamp is a SHA-256 over the material and context 0's policy
 * columns; with the stamp it already has, the reply is just "unchanged", so the web can
 * ask every second and rebuild its SSL_CTX only on a change. Both replies carry
 * "started <time>", sbcd's start: a reset (re-execution) changes it, and the web
 * then exits to be started again with the new WEB Params (reset-required).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "conf/num.h"
#include "control/ctl.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_tls.h"
#include "sbc/flash.h"
#include "sbc/ctl_work.h"
#include "log/log.h"
#include "sbc/sbcd.h"
#include "sbc/tlsmgr.h"
#include "tls/file.h"
#include "tls/material.h"
#include "tls/tls.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

static char *out_text(int ok, size_t *rlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static char *out_text(int ok, size_t *rlen, const char *fmt, ...)
{
	char *body = NULL, *out = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	if (asprintf(&out, "%s%s", ok ? "OK\n" : "ERR\n", body) < 0)
		out = NULL;
	free(body);
	*rlen = out ? strlen(out) : 0;
	return out;
}

/*
 * Context 0 is the web interface's: a change of its material is live for HTTPS too, and it
 * changes how the operator reaches the device, so the reply says so (doc/CONTROL.md).
 */
static const char *web_note(struct sbcd *s, int idx, const char *op)
{
	int trust = !strcasecmp(op, "IMPORT-ROOTS") || !strcasecmp(op, "DELETE-ROOT") ||
		    !strcasecmp(op, "IMPORT-CRL") || !strcasecmp(op, "DELETE-CRL");

	if (idx != 0)
		return "";
	if (trust && conf_globals_int(s->active, GLOBALS_HTTPS_REQUIRE_CLIENT_CERTIFICATE))
		return "note: TLS context 0 serves the web interface: the client certificates "
		       "HTTPS accepts change now, for new connections\n";
	return trust ? ""
		     : "note: TLS context 0 serves the web interface: HTTPS uses its new "
		       "certificate and key now, for new connections\n";
}

/* The context an argument names (index or name); -1 when none. */
static int context_index(struct sbcd *s, const char *arg)
{
	const struct conf_table *t = &conf_tbl_tlscontexts;
	const struct conf_row *r;
	char *end;
	unsigned long idx;

	if (!arg)
		return -1;
	idx = strtoul(arg, &end, 10);
	if (*arg && !*end)
		r = conf_store_get(s->running, t, (unsigned)idx);
	else
		r = conf_store_find_name(s->running, t, arg);
	return r ? (int)r->index : -1;
}

static void fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static char *show(const char *dir, int idx, int staged, size_t *rlen)
{
	struct tls_cert_info ci;
	char err[512], nb[40], na[40];
	int match;

	if (tls_material_cert_info(dir, &ci, &match, err, sizeof(err)) < 0)
		return out_text(0, rlen, "TLS context %d: %s\n", idx, err);
	fmt_time(ci.not_before, nb, sizeof(nb));
	fmt_time(ci.not_after, na, sizeof(na));
	return out_text(
	    1, rlen,
	    "context %d\nsubject %s\nissuer %s\nserial %s\nnot-before %s\n"
	    "not-after %s\nkey-type %s\nsubject-alt-name %s\nfingerprint %s\n"
	    "private-key %s\n%s",
	    idx, ci.subject, ci.issuer, ci.serial, nb, na, ci.key_type, ci.san[0] ? ci.san : "-",
	    ci.sha256, match ? "present, matches the certificate" : "MISSING or does not match",
	    staged ? "staged-key present, awaiting its certificate (import-cert)\n" : "");
}

static char *roots(const char *dir, size_t *rlen)
{
	struct tls_cert_info *r = NULL;
	unsigned n = 0;
	char err[512], na[40], *buf = NULL, *out;
	size_t len = 0;
	FILE *f;

	if (tls_material_list_roots(dir, &r, &n, err, sizeof(err)) < 0)
		return out_text(0, rlen, "%s\n", err);
	f = open_memstream(&buf, &len);
	if (!f) {
		free(r);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		fmt_time(r[i].not_after, na, sizeof(na));
		fprintf(f, "%u\tsubject=%s\tissuer=%s\tnot-after=%s\tca=%s\tsha256=%s\n", i,
			r[i].subject, r[i].issuer, na, r[i].is_ca ? "yes" : "no", r[i].sha256);
	}
	fclose(f);
	free(r);
	out = out_text(1, rlen, "%s", buf ? buf : "");
	free(buf);
	return out;
}

static enum tls_key_type key_type(const char *a)
{
	if (a && !strcasecmp(a, "ec-p256"))
		return TLS_KEY_EC_P256;
	if (a && !strcasecmp(a, "ec-p384"))
		return TLS_KEY_EC_P384;
	return TLS_KEY_RSA;
}

/* The body as a NUL-terminated first line (subject, passphrase), trimmed. */
static void first_line(const char *body, size_t blen, char *buf, size_t len)
{
	size_t n = 0;

	while (n < blen && n + 1 < len && body[n] != '\n' && body[n] != '\r')
		n++;
	memcpy(buf, body, n);
	buf[n] = 0;
}

/*
 * A key that does not match the context's certificate (or comes before any) is staged in
 * the pending slot, never in the running material: the engine only ever sees a matching
 * pair. 0 installed, 1 staged (warn says so), -1 refused.
 */
static int import_key(struct sbcd *s, int idx, const char *dir, const char *key, size_t klen,
		      const char *pass, char *warn, size_t wlen, char *err, size_t elen)
{
	char pend[PATH_MAX], from[PATH_MAX + 32], to[PATH_MAX + 32], ignore[256];
	struct tls_cert_info ci;
	int match = 0, has_cert;

	if (tlsmgr_pending_dir(s, (unsigned)idx, pend, sizeof(pend)) < 0) {
		snprintf(err, elen, "pending slot: path too long");
		return -1;
	}
	/* validated first: a refused key leaves a staged one as it was */
	if (tls_material_import_key(pend, key, klen, pass, warn, wlen, err, elen) < 0)
		return -1;
	snprintf(from, sizeof(from), "%s/%s", dir, TLS_FILE_CERT);
	snprintf(to, sizeof(to), "%s/%s", pend, TLS_FILE_CERT);
	unlink(to);
	has_cert = access(from, F_OK) == 0;
	if (has_cert && flash_tree_copy(dir, pend, 0, err, elen) == 0) {
		/* the copy brought the running key too: the staged one goes back on top */
		if (tls_material_import_key(pend, key, klen, pass, warn, wlen, err, elen) < 0)
			return -1;
		if (tls_material_cert_info(pend, &ci, &match, ignore, sizeof(ignore)) < 0)
			match = 0;
	}
	if (match) {
		flash_tree_remove(pend);
		return tls_material_import_key(dir, key, klen, pass, warn, wlen, err, elen);
	}
	/* the slot holds the key alone */
	snprintf(to, sizeof(to), "%s/%s", pend, TLS_FILE_ROOTS);
	unlink(to);
	snprintf(to, sizeof(to), "%s/%s", pend, TLS_FILE_CRL);
	unlink(to);
	snprintf(to, sizeof(to), "%s/%s", pend, TLS_FILE_CERT);
	unlink(to);
	snprintf(warn, wlen,
		 "staged: %s; TLS context %d keeps its current key and certificate until "
		 "import-cert brings the certificate of the staged key, which installs both",
		 has_cert ? "the key does not match the context's certificate"
			  : "the context has no certificate",
		 idx);
	return 1;
}

static int staged_key(struct sbcd *s, int idx)
{
	char kp[PATH_MAX + 32];

	tlsmgr_pending_dir(s, (unsigned)idx, kp, sizeof(kp) - 32);
	strcat(kp, "/" TLS_FILE_KEY);
	return access(kp, F_OK) == 0;
}

/* Replaces the running directory dir by a copy with the staged pair on top. */
static int install_pair(const char *dir, const char *pend, char *err, size_t elen)
{
	char nw[PATH_MAX + 8], old[PATH_MAX + 8];

	snprintf(nw, sizeof(nw), "%s.new", dir);
	snprintf(old, sizeof(old), "%s.old", dir);
	flash_tree_remove(nw);
	flash_tree_remove(old);
	if (flash_tree_copy(dir, nw, 0, err, elen) < 0 ||
	    flash_tree_copy(pend, nw, 0, err, elen) < 0 || rename(dir, old) < 0 ||
	    rename(nw, dir) < 0) {
		if (access(dir, F_OK) != 0)
			rename(old, dir);
		flash_tree_remove(nw);
		if (!err[0])
			snprintf(err, elen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	flash_tree_remove(old);
	flash_tree_remove(pend);
	return 0;
}

/* A certificate completes a staged key, or else replaces the one of the running key. */
static int import_cert(struct sbcd *s, int idx, const char *dir, const char *body, size_t blen,
		       char *warn, size_t wlen, char *err, size_t elen)
{
	char pend[PATH_MAX], kp[PATH_MAX + 32];

	tlsmgr_pending_dir(s, (unsigned)idx, pend, sizeof(pend));
	snprintf(kp, sizeof(kp), "%s/%s", pend, TLS_FILE_KEY);
	if (access(kp, F_OK) == 0 &&
	    tls_material_import_cert(pend, body, blen, warn, wlen, err, elen) == 0) {
		err[0] = 0;
		if (install_pair(dir, pend, err, elen) < 0)
			return -1;
		snprintf(warn + strlen(warn), wlen - strlen(warn),
			 "%sinstalled with the key staged for it", warn[0] ? "; " : "");
		return 0;
	}
	if (tls_material_import_cert(dir, body, blen, warn, wlen, err, elen) < 0) {
		if (access(kp, F_OK) == 0)
			snprintf(err + strlen(err), elen - strlen(err), " (nor the staged key)");
		return -1;
	}
	return 0;
}

/* TLS GENERATE: the key is made on a worker thread, stored and applied on the loop. */
struct gen_job {
	struct ctl_job j;
	int idx, bits, days;
	enum tls_key_type type;
	char dir[PATH_MAX], subject[512], err[1024];
	struct tls_generated *g;
};

static void gen_work(struct ctl_job *j)
{
	struct gen_job *gj = (struct gen_job *)j;

	gj->g = tls_material_generate_new(gj->type, gj->bits, gj->subject, gj->days, gj->err,
					  sizeof(gj->err));
}

static void gen_free(struct ctl_job *j)
{
	struct gen_job *gj = (struct gen_job *)j;

	tls_generated_free(gj->g);
	free(gj);
}

static char *gen_finish(struct sbcd *s, struct ctl_session *cs, struct ctl_job *j, size_t *rlen)
{
	struct gen_job *gj = (struct gen_job *)j;
	const struct conf_table *t = &conf_tbl_tlscontexts;

	if (gj->g && !conf_store_get(s->running, t, (unsigned)gj->idx))
		snprintf(gj->err, sizeof(gj->err), "the context was deleted meanwhile");
	if (!gj->g || !conf_store_get(s->running, t, (unsigned)gj->idx) ||
	    tls_material_generate_store(gj->dir, gj->g, gj->err, sizeof(gj->err)) < 0) {
		log_warnx("TLS context %d: GENERATE refused: %s", gj->idx, gj->err);
		return out_text(0, rlen, "TLS context %d: %s\nnothing was changed\n", gj->idx,
				gj->err);
	}
	log_info("TLS context %d: GENERATE by %s", gj->idx, cs->user[0] ? cs->user : "uid");
	/* a new pair: a key staged for the old one has nothing left to wait for */
	if (tlsmgr_pending_dir(s, (unsigned)gj->idx, gj->err, sizeof(gj->err)) == 0)
		flash_tree_remove(gj->err);
	tlsmgr_changed(s, (unsigned)gj->idx);
	return out_text(1, rlen, "%s", web_note(s, gj->idx, "GENERATE"));
}

static char *generate(struct sbcd *s, struct ctl_session *cs, int idx, const char *dir, int argc,
		      char **argv, const char *body, size_t blen, size_t *rlen)
{
	struct gen_job *gj;
	long long bits = conf_globals_int(s->running, GLOBALS_TLS_PKEY_SIZE), days = 3650;
	char err[160];

	/* strict: "2048x" or "abc" is refused, never read as a number it only begins with */
	if ((argc > 4 &&
	     conf_num_parse("key size (bits)", argv[4], 0, 8192, &bits, err, sizeof(err)) < 0) ||
	    (argc > 5 && conf_num_parse("days", argv[5], 1, 36500, &days, err, sizeof(err)) < 0))
		return out_text(0, rlen, "TLS context %d: GENERATE %s\nnothing was changed\n", idx,
				err);
	gj = calloc(1, sizeof(*gj));
	if (!gj)
		return NULL;
	gj->j.work = gen_work;
	gj->j.lane = CTL_LANE_LONG; /* seconds to a minute: never ahead of a login */
	gj->j.finish = gen_finish;
	gj->j.free = gen_free;
	gj->idx = idx;
	gj->bits = (int)bits;
	gj->days = (int)days;
	gj->type = key_type(argc > 3 ? argv[3] : NULL);
	snprintf(gj->dir, sizeof(gj->dir), "%s", dir);
	first_line(body, blen, gj->subject, sizeof(gj->subject));
	if (!gj->subject[0]) {
		char host[128] = "sbc";
		gethostname(host, sizeof(host) - 1);
		snprintf(gj->subject, sizeof(gj->subject), "CN=%s", host);
	}
	cs->job = &gj->j;
	return NULL;
}

/* The material files of a context, in the order of a WEBCRED or PEM reply. */
static const char *const cred_files[] = {TLS_FILE_CERT, TLS_FILE_KEY, TLS_FILE_ROOTS, TLS_FILE_CRL};
static const char *const cred_names[] = {"cert", "key", "roots", "crl"};

/*
 * Reply "OK\n[stamp S\n]" then, for each file wanted (mask bit i: cred_files[i]),
 * "<name> <len>\n<bytes>". Without a stamp argument: no stamp line. The buffers
 * that held the key are wiped.
 */
static char *cred_reply(struct sbcd *s, int idx, unsigned mask, int with_stamp, const char *have,
			size_t *rlen)
{
	unsigned char *buf[4] = {0}, md[32];
	size_t len[4] = {0}, total = 64, off;
	char dir[PATH_MAX], path[PATH_MAX + 32], err[512], stamp[65];
	const struct conf_row *row =
	    conf_store_get(s->running, &conf_tbl_tlscontexts, (unsigned)idx);
	struct tls_policy pol;
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	char *out = NULL;
	unsigned mdlen = 0;

	memset(&pol, 0, sizeof(pol));
	if (row)
		tls_policy_from_row(row, &pol);
	tlsmgr_ctxdir(s, (unsigned)idx, dir, sizeof(dir));
	if (!h || !EVP_DigestInit_ex(h, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(h, &pol, sizeof(pol)))
		goto out;
	for (unsigned i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, cred_files[i]);
		if (!(mask & (1u << i)))
			continue;
		if (tls_file_read(path, 1, &buf[i], &len[i], err, sizeof(err)) < 0) {
			out = out_text(0, rlen, "TLS context %d: %s\n", idx, err);
			goto out;
		}
		/* the name and length go in too: no two material sets hash alike */
		if (!EVP_DigestUpdate(h, cred_names[i], strlen(cred_names[i]) + 1) ||
		    !EVP_DigestUpdate(h, &len[i], sizeof(len[i])) ||
		    (len[i] && !EVP_DigestUpdate(h, buf[i], len[i])))
			goto out;
		total += len[i] + 32;
	}
	if (!EVP_DigestFinal_ex(h, md, &mdlen))
		goto out;
	for (unsigned i = 0; i < 32; i++)
		snprintf(stamp + 2 * i, 3, "%02x", md[i]);
	/* started: sbcd's start (a reset re-executes it), for the web to re-read its settings */
	if (with_stamp && have && !strcmp(have, stamp)) {
		out = out_text(1, rlen, "unchanged\nstarted %lld\n", (long long)s->started);
		goto out;
	}
	if (!(out = malloc(total + 80)))
		goto out;
	off = (size_t)sprintf(out, "OK\n");
	if (with_stamp)
		off += (size_t)sprintf(out + off, "stamp %s\nstarted %lld\n", stamp,
				       (long long)s->started);
	for (unsigned i = 0; i < 4; i++) {
		if (!(mask & (1u << i)))
			continue;
		off += (size_t)sprintf(out + off, "%s %zu\n", cred_names[i], len[i]);
		if (len[i])
			memcpy(out + off, buf[i], len[i]);
		off += len[i];
	}
	out[off] = 0;
	*rlen = off;
out:
	EVP_MD_CTX_free(h);
	for (unsigned i = 0; i < 4; i++)
		if (buf[i])
			tls_file_free(buf[i], len[i]);
	if (!out)
		return out_text(0, rlen, "TLS context %d: cannot read its material\n", idx);
	return out;
}

char *ctl_tls_handle(struct sbcd *s, struct ctl_session *cs, int argc, char **argv,
		     const char *body, size_t blen, size_t *rlen)
{
	const char *op = argc > 1 ? argv[1] : "";
	int idx = context_index(s, argc > 2 ? argv[2] : NULL);
	char dir[PATH_MAX], err[1024], warn[512] = "";
	int reading = !strcasecmp(op, "SHOW") || !strcasecmp(op, "ROOTS");
	int rc;

	if (argc < 3)
		return out_text(0, rlen, "usage: TLS <operation> <context> ...\n");
	if (idx < 0)
		return out_text(0, rlen, "TLSContexts: no context '%s'\n", argv[2]);
	if (!strcasecmp(op, "WEBCRED")) {
		/* the key leaves sbcd for the HTTPS server alone: its uid, or a master peer */
		if (!(cs->roles & CTL_ROLE_WEB) || idx != 0) {
			log_warnx("TLS WEBCRED %d refused to uid %u pid %u", idx, cs->uid, cs->pid);
			return out_text(
			    0, rlen,
			    "permission denied: TLS WEBCRED is for the web front end "
			    "(user sbc-web) and context 0\n#code permission TLSContexts "
			    "- -\n");
		}
		return cred_reply(s, idx, 0xf, 1, argc > 3 ? argv[3] : NULL, rlen);
	}
	if (!strcasecmp(op, "PEM"))
		return cred_reply(s, idx, 0x5, 0, NULL, rlen);
	if (!reading && cs->level < (strcasecmp(op, "CSR") ? CTL_LEVEL_SECADMIN : CTL_LEVEL_ADMIN))
		return out_text(0, rlen,
				"permission denied: level %u may not change TLS material\n"
				"#code permission TLSContexts - -\n",
				cs->level);
	/* reading changes nothing on flash: a monitor cannot make sbcd generate keys */
	if (reading) {
		tlsmgr_ctxdir(s, (unsigned)idx, dir, sizeof(dir));
		return !strcasecmp(op, "SHOW") ? show(dir, idx, staged_key(s, idx), rlen)
					       : roots(dir, rlen);
	}
	if (tlsmgr_ctxdir_make(s, (unsigned)idx, dir, sizeof(dir)) < 0)
		return out_text(0, rlen, "TLS context %d: cannot create its directory\n", idx);
	/* first use of a context: it gets a key and a self-signed certificate (unless a
	   certificate comes for a staged key) */
	if (strcasecmp(op, "GENERATE") && strcasecmp(op, "IMPORT-KEY") &&
	    !(!strcasecmp(op, "IMPORT-CERT") && staged_key(s, idx)) &&
	    tlsmgr_ensure(s, (unsigned)idx, err, sizeof(err)) < 0)
		return out_text(0, rlen, "TLS context %d: %s\n", idx, err);

	if (!strcasecmp(op, "CSR")) {
		char subject[512], *pem = NULL, *out;
		first_line(body, blen, subject, sizeof(subject));
		if (tls_material_csr(dir, subject, &pem, err, sizeof(err)) < 0)
			return out_text(0, rlen, "TLS context %d: %s\n", idx, err);
		out = out_text(1, rlen, "%s", pem);
		free(pem);
		return out;
	}
	if (!strcasecmp(op, "GENERATE")) {
		/* up to 8192-bit RSA: seconds of CPU, so a worker thread does it */
		return generate(s, cs, idx, dir, argc, argv, body, blen, rlen);
	} else if (!strcasecmp(op, "IMPORT-CERT")) {
		rc = import_cert(s, idx, dir, body, blen, warn, sizeof(warn), err, sizeof(err));
	} else if (!strcasecmp(op, "IMPORT-KEY")) {
		char pass[1024] = "";
		const char *key = body;
		size_t klen = blen;
		if (argc > 3 && !strcasecmp(argv[3], "PASSPHRASE")) {
			first_line(body, blen, pass, sizeof(pass));
			const char *nl = memchr(body, '\n', blen);
			key = nl ? nl + 1 : body + blen;
			klen = blen - (size_t)(key - body);
		}
		rc = import_key(s, idx, dir, key, klen, pass[0] ? pass : NULL, warn, sizeof(warn),
				err, sizeof(err));
		explicit_bzero(pass, sizeof(pass));
		if (rc > 0) {
			log_info("TLS context %d: IMPORT-KEY by %s: staged", idx,
				 cs->user[0] ? cs->user : "uid");
			return out_text(1, rlen, "%s\n", warn);
		}
	} else if (!strcasecmp(op, "IMPORT-ROOTS")) {
		unsigned added = 0, skipped = 0;
		rc = tls_material_import_roots(dir, body, blen, &added, &skipped, err, sizeof(err));
		if (rc == 0)
			snprintf(warn, sizeof(warn), "added %u, skipped %u already trusted", added,
				 skipped);
	} else if (!strcasecmp(op, "DELETE-ROOT") && argc > 3) {
		unsigned root;
		/* "0abc" is not root 0: a typo must not delete the first root */
		rc = conf_num_uint("root index", argv[3], 0, 65535, &root, err, sizeof(err));
		if (rc == 0)
			rc = tls_material_delete_root(dir, root, err, sizeof(err));
	} else if (!strcasecmp(op, "IMPORT-CRL")) {
		rc = tls_material_import_crl(dir, body, blen, warn, sizeof(warn), err, sizeof(err));
	} else if (!strcasecmp(op, "DELETE-CRL")) {
		rc = tls_material_delete_crl(dir, err, sizeof(err));
	} else {
		return out_text(0, rlen, "unknown TLS operation '%s'\n", op);
	}
	if (rc < 0) {
		log_warnx("TLS context %d: %s refused: %s", idx, op, err);
		return out_text(0, rlen, "TLS context %d: %s\nnothing was changed\n", idx, err);
	}
	log_info("TLS context %d: %s by %s%s%s", idx, op, cs->user[0] ? cs->user : "uid",
		 warn[0] ? ": " : "", warn);
	tlsmgr_changed(s, (unsigned)idx);
	return out_text(1, rlen, "%s%s%s", warn, warn[0] ? "\n" : "", web_note(s, idx, op));
}

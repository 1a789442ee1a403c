/* The device certificate and key of a context directory: generate, request, import, show. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls/certinfo.h"
#include "tls/err.h"
#include "tls/file.h"
#include "tls/issue.h"
#include "tls/material.h"
#include "tls/parse.h"
#include "tls/tls.h"

/* The key file's content, staged then wiped with the secure-memory BIO. */
static int stage_key(struct tls_stage *s, const char *path, EVP_PKEY *key, char *err, size_t errlen)
{
	BIO *b = tls_pem_key(key);
	char *data;
	long n;
	int rc;

	if (!b || (n = BIO_get_mem_data(b, &data)) <= 0) {
		BIO_free(b);
		return tls_errf_ssl(err, errlen, "%s: cannot encode the key", path);
	}
	rc = tls_stage_write(s, path, data, (size_t)n, 0600, err, errlen);
	BIO_free(b);
	return rc;
}

static int stage_certs(struct tls_stage *s, const char *path, STACK_OF(X509) *sk, char *err,
		       size_t errlen)
{
	size_t len;
	char *pem = tls_pem_certs(sk, &len);
	int rc;

	if (!pem)
		return tls_errf_ssl(err, errlen, "%s: cannot encode the certificates", path);
	rc = tls_stage_write(s, path, pem, len, 0644, err, errlen);
	free(pem);
	return rc;
}

struct tls_generated {
	EVP_PKEY *key;
	STACK_OF(X509) *sk;
};

void tls_generated_free(struct tls_generated *g)
{
	if (!g)
		return;
	sk_X509_pop_free(g->sk, X509_free);
	EVP_PKEY_free(g->key);
	free(g);
}

struct tls_generated *tls_material_generate_new(enum tls_key_type type, int bits,
						const char *subject, int days, char *err,
						size_t errlen)
{
	struct tls_generated *g;
	X509_NAME *name = NULL;
	X509 *cert = NULL;
	char cn[256];

	if (days < 1 || days > 36500) {
		tls_errf(err, errlen, "validity of %d days: must be 1 to 36500", days);
		return NULL;
	}
	if (!(g = calloc(1, sizeof(*g)))) {
		tls_errf(err, errlen, "out of memory");
		return NULL;
	}
	ERR_clear_error();
	if (!(name = tls_subject_parse(subject, cn, sizeof(cn), err, errlen)) ||
	    !(g->key = tls_key_new(type, bits, err, errlen)) ||
	    !(cert = tls_cert_self_signed(g->key, name, cn, days, err, errlen)))
		goto fail;
	if (!(g->sk = sk_X509_new_null()) || !sk_X509_push(g->sk, cert)) {
		tls_errf(err, errlen, "out of memory");
		goto fail;
	}
	X509_NAME_free(name);
	return g;
fail:
	X509_free(cert);
	X509_NAME_free(name);
	tls_generated_free(g);
	return NULL;
}

int tls_material_generate_store(const char *ctxdir, const struct tls_generated *g, char *err,
				size_t errlen)
{
	char kpath[PATH_MAX], cpath[PATH_MAX];
	struct tls_stage st[2];

	if (tls_path(kpath, sizeof(kpath), ctxdir, TLS_FILE_KEY, err, errlen) < 0 ||
	    tls_path(cpath, sizeof(cpath), ctxdir, TLS_FILE_CERT, err, errlen) < 0)
		return -1;
	if (tls_dir_make(ctxdir, err, errlen) < 0 ||
	    stage_key(&st[0], kpath, g->key, err, errlen) < 0)
		return -1;
	if (stage_certs(&st[1], cpath, g->sk, err, errlen) < 0) {
		tls_stage_discard(st, 1);
		return -1;
	}
	return tls_stage_commit(st, 2, err, errlen);
}

int tls_material_generate(const char *ctxdir, enum tls_key_type type, int bits, const char *subject,
			  int days, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct tls_generated *g;
	int rc;

	if (tls_path(path, sizeof(path), ctxdir, TLS_FILE_KEY, err, errlen) < 0)
		return -1;
	if (!(g = tls_material_generate_new(type, bits, subject, days, err, errlen)))
		return -1;
	rc = tls_material_generate_store(ctxdir, g, err, errlen);
	tls_generated_free(g);
	return rc;
}

int tls_material_csr(const char *ctxdir, const char *subject, char **pem_out, char *err,
		     size_t errlen)
{
	char cn[256], path[PATH_MAX];
	STACK_OF(X509) *sk = NULL;
	X509_NAME *name = NULL;
	EVP_PKEY *key = NULL;

	*pem_out = NULL;
	ERR_clear_error();
	if (tls_path(path, sizeof(path), ctxdir, TLS_FILE_KEY, err, errlen) < 0 ||
	    !(key = tls_load_key(path, err, errlen)))
		return -1;
	if (subject && *subject) {
		name = tls_subject_parse(subject, cn, sizeof(cn), err, errlen);
	} else if (tls_path(path, sizeof(path), ctxdir, TLS_FILE_CERT, err, errlen) == 0 &&
		   (sk = tls_load_certs(path, 0, err, errlen)) != NULL) {
		name = X509_NAME_dup(X509_get_subject_name(sk_X509_value(sk, 0)));
		if (name && tls_name_cn(name, cn, sizeof(cn)) < 0) {
			tls_errf(err, errlen, "the stored certificate's subject has no CN");
			X509_NAME_free(name);
			name = NULL;
		}
	}
	if (name)
		*pem_out = tls_csr_pem(key, name, cn, err, errlen);
	X509_NAME_free(name);
	sk_X509_pop_free(sk, X509_free);
	EVP_PKEY_free(key);
	return *pem_out ? 0 : -1;
}

static void warn_validity(X509 *x, char *warn, size_t warnlen)
{
	char when[64];
	struct tm tm;
	time_t t;

	if (X509_cmp_current_time(X509_get0_notAfter(x)) < 0) {
		t = tls_asn1_time(X509_get0_notAfter(x));
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
		tls_warnf(warn, warnlen, "certificate expired on %s", when);
	} else if (X509_cmp_current_time(X509_get0_notBefore(x)) > 0) {
		t = tls_asn1_time(X509_get0_notBefore(x));
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
		tls_warnf(warn, warnlen, "certificate is not valid before %s", when);
	}
}

int tls_material_import_cert(const char *ctxdir, const void *buf, size_t len, char *warn,
			     size_t warnlen, char *err, size_t errlen)
{
	char kpath[PATH_MAX], cpath[PATH_MAX];
	STACK_OF(X509) *sk = NULL;
	EVP_PKEY *key = NULL;
	struct tls_stage st;
	int rc = -1;

	if (warn && warnlen)
		warn[0] = 0;
	ERR_clear_error();
	if (tls_path(kpath, sizeof(kpath), ctxdir, TLS_FILE_KEY, err, errlen) < 0 ||
	    tls_path(cpath, sizeof(cpath), ctxdir, TLS_FILE_CERT, err, errlen) < 0 ||
	    !(sk = tls_parse_certs(buf, len, "certificate", err, errlen)))
		goto out;
	if (!tls_file_exists(kpath)) {
		tls_errf(err, errlen,
			 "certificate: no private key stored; generate or import "
			 "the key first");
		goto out;
	}
	if (!(key = tls_load_key(kpath, err, errlen)))
		goto out;
	if (X509_check_private_key(sk_X509_value(sk, 0), key) != 1) {
		ERR_clear_error();
		tls_errf(err, errlen, "certificate does not match the stored private key");
		goto out;
	}
	warn_validity(sk_X509_value(sk, 0), warn, warnlen);
	for (int i = 1; i < sk_X509_num(sk); i++)
		if (X509_check_issued(sk_X509_value(sk, i), sk_X509_value(sk, i - 1)) != X509_V_OK)
			tls_warnf(warn, warnlen,
				  "chain certificate %d did not issue certificate %d before it", i,
				  i - 1);
	if (stage_certs(&st, cpath, sk, err, errlen) == 0)
		rc = tls_stage_commit(&st, 1, err, errlen);
out:
	EVP_PKEY_free(key);
	sk_X509_pop_free(sk, X509_free);
	ERR_clear_error();
	return rc;
}

int tls_material_import_key(const char *ctxdir, const void *buf, size_t len, const char *passphrase,
			    char *warn, size_t warnlen, char *err, size_t errlen)
{
	char kpath[PATH_MAX], cpath[PATH_MAX], ignore[256];
	STACK_OF(X509) *sk = NULL;
	struct tls_stage st;
	EVP_PKEY *key;
	int rc = -1, bits;

	if (warn && warnlen)
		warn[0] = 0;
	ERR_clear_error();
	if (tls_path(kpath, sizeof(kpath), ctxdir, TLS_FILE_KEY, err, errlen) < 0 ||
	    tls_path(cpath, sizeof(cpath), ctxdir, TLS_FILE_CERT, err, errlen) < 0 ||
	    !(key = tls_parse_key(buf, len, passphrase, "private key", err, errlen)))
		return -1;
	bits = EVP_PKEY_get_security_bits(key);
	if (bits < 112)
		tls_warnf(warn, warnlen,
			  "the key offers %d bits of security; OpenSSL's default level needs 112",
			  bits);
	sk = tls_load_certs(cpath, 1, ignore, sizeof(ignore));
	if (!sk)
		tls_warnf(warn, warnlen, "the stored certificate is unreadable");
	else if (sk_X509_num(sk) && X509_check_private_key(sk_X509_value(sk, 0), key) != 1)
		tls_warnf(warn, warnlen, "certificate does not match the new key");
	ERR_clear_error();
	if (tls_dir_make(ctxdir, err, errlen) == 0 && stage_key(&st, kpath, key, err, errlen) == 0)
		rc = tls_stage_commit(&st, 1, err, errlen);
	sk_X509_pop_free(sk, X509_free);
	EVP_PKEY_free(key);
	return rc;
}

int tls_material_cert_info(const char *ctxdir, struct tls_cert_info *info, int *key_matches,
			   char *err, size_t errlen)
{
	char kpath[PATH_MAX], cpath[PATH_MAX], ignore[256];
	STACK_OF(X509) *sk;
	EVP_PKEY *key;

	*key_matches = 0;
	ERR_clear_error();
	if (tls_path(kpath, sizeof(kpath), ctxdir, TLS_FILE_KEY, err, errlen) < 0 ||
	    tls_path(cpath, sizeof(cpath), ctxdir, TLS_FILE_CERT, err, errlen) < 0 ||
	    !(sk = tls_load_certs(cpath, 0, err, errlen)))
		return -1;
	tls_cert_info_fill(sk_X509_value(sk, 0), 0, info);
	if (tls_file_exists(kpath) && (key = tls_load_key(kpath, ignore, sizeof(ignore)))) {
		*key_matches = X509_check_private_key(sk_X509_value(sk, 0), key) == 1;
		EVP_PKEY_free(key);
	}
	sk_X509_pop_free(sk, X509_free);
	ERR_clear_error();
	return 0;
}

int tls_material_check_key_perms(const char *ctxdir, char *err, size_t errlen)
{
	char path[PATH_MAX];

	if (tls_path(path, sizeof(path), ctxdir, TLS_FILE_KEY, err, errlen) < 0)
		return -1;
	return tls_key_perms_check(path, err, errlen);
}

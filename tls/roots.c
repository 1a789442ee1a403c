/* Trusted roots and CRLs of a context directory. */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "tls/certinfo.h"
#include "tls/err.h"
#include "tls/file.h"
#include "tls/material.h"
#include "tls/parse.h"
#include "tls/tls.h"

/* Replaces path with the PEM of sk, or removes it when sk is empty. */
static int store_certs(const char *path, STACK_OF(X509) *sk, char *err, size_t errlen)
{
	struct tls_stage st;
	size_t len = 0;
	char *pem;
	int rc;

	if (sk_X509_num(sk) == 0) {
		tls_stage_remove(&st, path);
		return tls_stage_commit(&st, 1, err, errlen);
	}
	if (!(pem = tls_pem_certs(sk, &len)))
		return tls_errf(err, errlen, "%s: cannot encode the certificates", path);
	if (len > TLS_MAX_INPUT)
		rc = tls_errf(err, errlen, "%s would exceed %d bytes", path, TLS_MAX_INPUT);
	else
		rc = tls_stage_write(&st, path, pem, len, 0644, err, errlen) ||
		     tls_stage_commit(&st, 1, err, errlen);
	free(pem);
	return rc ? -1 : 0;
}

static int store_crls(const char *path, STACK_OF(X509_CRL) *sk, char *err, size_t errlen)
{
	struct tls_stage st;
	size_t len = 0;
	char *pem;
	int rc;

	if (!(pem = tls_pem_crls(sk, &len)))
		return tls_errf(err, errlen, "%s: cannot encode the CRLs", path);
	if (len > TLS_MAX_INPUT)
		rc = tls_errf(err, errlen, "%s would exceed %d bytes", path, TLS_MAX_INPUT);
	else
		rc = tls_stage_write(&st, path, pem, len, 0644, err, errlen) ||
		     tls_stage_commit(&st, 1, err, errlen);
	free(pem);
	return rc ? -1 : 0;
}

static int fingerprint_in(STACK_OF(X509) *sk, const unsigned char md[32])
{
	unsigned char other[32];

	for (int i = 0; i < sk_X509_num(sk); i++)
		if (tls_cert_sha256(sk_X509_value(sk, i), other) == 0 && !memcmp(md, other, 32))
			return 1;
	return 0;
}

int tls_material_import_roots(const char *ctxdir, const void *buf, size_t len, unsigned *added,
			      unsigned *skipped, char *err, size_t errlen)
{
	STACK_OF(X509) *in = NULL, *all = NULL;
	unsigned char md[32];
	char path[PATH_MAX];
	int rc = -1;

	*added = *skipped = 0;
	ERR_clear_error();
	if (tls_path(path, sizeof(path), ctxdir, TLS_FILE_ROOTS, err, errlen) < 0 ||
	    !(in = tls_parse_certs(buf, len, "trusted roots", err, errlen)) ||
	    !(all = tls_load_certs(path, 1, err, errlen)))
		goto out;
	for (int i = 0; i < sk_X509_num(in); i++) {
		X509 *x = sk_X509_value(in, i);
		if (tls_cert_sha256(x, md) < 0) {
			tls_errf_ssl(err, errlen, "trusted roots: certificate %d", i + 1);
			goto out;
		}
		if (fingerprint_in(all, md)) {
			(*skipped)++;
			continue;
		}
		if (!sk_X509_push(all, x)) {
			tls_errf(err, errlen, "out of memory");
			goto out;
		}
		X509_up_ref(x);
		(*added)++;
	}
	rc = 0;
	if (*added &&
	    (tls_dir_make(ctxdir, err, errlen) < 0 || store_certs(path, all, err, errlen) < 0))
		rc = -1;
out:
	if (rc < 0)
		*added = *skipped = 0;
	sk_X509_pop_free(in, X509_free);
	sk_X509_pop_free(all, X509_free);
	return rc;
}

int tls_material_list_roots(const char *ctxdir, struct tls_cert_info **out, unsigned *n, char *err,
			    size_t errlen)
{
	char path[PATH_MAX];
	STACK_OF(X509) *sk;
	int num;

	*out = NULL;
	*n = 0;
	ERR_clear_error();
	if (tls_path(path, sizeof(path), ctxdir, TLS_FILE_ROOTS, err, errlen) < 0 ||
	    !(sk = tls_load_certs(path, 1, err, errlen)))
		return -1;
	num = sk_X509_num(sk);
	if (num > 0 && !(*out = calloc((size_t)num, sizeof(**out)))) {
		sk_X509_pop_free(sk, X509_free);
		return tls_errf(err, errlen, "out of memory");
	}
	for (int i = 0; i < num; i++)
		tls_cert_info_fill(sk_X509_value(sk, i), (unsigned)i, &(*out)[i]);
	*n = (unsigned)num;
	sk_X509_pop_free(sk, X509_free);
	return 0;
}

int tls_material_delete_root(const char *ctxdir, unsigned index, char *err, size_t errlen)
{
	char path[PATH_MAX];
	STACK_OF(X509) *sk;
	int rc;

	ERR_clear_error();
	if (tls_path(path, sizeof(path), ctxdir, TLS_FILE_ROOTS, err, errlen) < 0 ||
	    !(sk = tls_load_certs(path, 1, err, errlen)))
		return -1;
	if (index >= (unsigned)sk_X509_num(sk)) {
		rc = tls_errf(err, errlen, "no trusted root at index %u (there are %d)", index,
			      sk_X509_num(sk));
	} else {
		X509_free(sk_X509_delete(sk, (int)index));
		rc = store_certs(path, sk, err, errlen);
	}
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

/* The trusted root that issued and signed crl, or NULL. */
static X509 *crl_issuer(STACK_OF(X509) *roots, X509_CRL *crl)
{
	for (int i = 0; i < sk_X509_num(roots); i++) {
		X509 *r = sk_X509_value(roots, i);
		EVP_PKEY *k = X509_get0_pubkey(r);
		if (!X509_NAME_cmp(X509_get_subject_name(r), X509_CRL_get_issuer(crl)) && k &&
		    X509_CRL_verify(crl, k) == 1)
			return r;
	}
	ERR_clear_error();
	return NULL;
}

/* Drops the CRLs of sk issued by name. */
static void drop_issuer(STACK_OF(X509_CRL) *sk, const X509_NAME *name)
{
	for (int i = sk_X509_CRL_num(sk) - 1; i >= 0; i--)
		if (!X509_NAME_cmp(X509_CRL_get_issuer(sk_X509_CRL_value(sk, i)), name))
			X509_CRL_free(sk_X509_CRL_delete(sk, i));
}

int tls_material_import_crl(const char *ctxdir, const void *buf, size_t len, char *warn,
			    size_t warnlen, char *err, size_t errlen)
{
	char rpath[PATH_MAX], cpath[PATH_MAX], who[256];
	STACK_OF(X509_CRL) *in = NULL, *all = NULL;
	STACK_OF(X509) *roots = NULL;
	int rc = -1;

	if (warn && warnlen)
		warn[0] = 0;
	ERR_clear_error();
	if (tls_path(rpath, sizeof(rpath), ctxdir, TLS_FILE_ROOTS, err, errlen) < 0 ||
	    tls_path(cpath, sizeof(cpath), ctxdir, TLS_FILE_CRL, err, errlen) < 0 ||
	    !(in = tls_parse_crls(buf, len, "CRL", err, errlen)) ||
	    !(roots = tls_load_certs(rpath, 1, err, errlen)) ||
	    !(all = tls_load_crls(cpath, 1, err, errlen)))
		goto out;
	for (int i = 0; i < sk_X509_CRL_num(in); i++) {
		X509_CRL *crl = sk_X509_CRL_value(in, i);
		const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);

		tls_name_text(X509_CRL_get_issuer(crl), who, sizeof(who));
		if (!crl_issuer(roots, crl)) {
			tls_errf(err, errlen, "CRL %d: its issuer \"%s\" is not a trusted root",
				 i + 1, who);
			goto out;
		}
		if (next && X509_cmp_current_time(next) < 0)
			tls_warnf(warn, warnlen,
				  "CRL of \"%s\" is past its next update: verifications that "
				  "need it will fail",
				  who);
		drop_issuer(all, X509_CRL_get_issuer(crl));
		if (!sk_X509_CRL_push(all, crl)) {
			tls_errf(err, errlen, "out of memory");
			goto out;
		}
		X509_CRL_up_ref(crl);
	}
	rc = store_crls(cpath, all, err, errlen);
out:
	if (rc < 0 && warn && warnlen)
		warn[0] = 0;
	sk_X509_CRL_pop_free(in, X509_CRL_free);
	sk_X509_CRL_pop_free(all, X509_CRL_free);
	sk_X509_pop_free(roots, X509_free);
	return rc;
}

int tls_material_delete_crl(const char *ctxdir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct tls_stage st;

	if (tls_path(path, sizeof(path), ctxdir, TLS_FILE_CRL, err, errlen) < 0)
		return -1;
	tls_stage_remove(&st, path);
	return tls_stage_commit(&st, 1, err, errlen);
}

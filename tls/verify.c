/*
 * Verification flags map to OpenSSL in this one function, which also writes
 * the policy in effect for the log: a reader of the log sees exactly what the
 * code did, not what the configuration intended.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls/certinfo.h"
#include "tls/err.h"
#include "tls/file.h"
#include "tls/parse.h"
#include "tls/verify.h"
#include "tls/version.h"

static int text_idx = -1;
static CRYPTO_ONCE text_once = CRYPTO_ONCE_STATIC_INIT;

static void text_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	OPENSSL_free(ptr);
}

static void text_index_init(void)
{
	text_idx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, text_free);
}

static int text_index(void)
{
	return CRYPTO_THREAD_run_once(&text_once, text_index_init) ? text_idx : -1;
}

static void text_set(SSL_CTX *ctx, const char *text)
{
	int idx = text_index();
	char *old, *copy;

	if (idx < 0 || !(copy = OPENSSL_strdup(text)))
		return;
	old = SSL_CTX_get_ex_data(ctx, idx);
	if (SSL_CTX_set_ex_data(ctx, idx, copy))
		OPENSSL_free(old);
	else
		OPENSSL_free(copy);
}

const char *tls_ctx_policy_text(const SSL_CTX *ctx)
{
	int idx = text_index();
	const char *t = (ctx && idx >= 0) ? SSL_CTX_get_ex_data(ctx, idx) : NULL;

	return t ? t : "TLS policy not set by tls_ctx_configure";
}

static X509_STORE *make_store(STACK_OF(X509) *roots, STACK_OF(X509_CRL) *crls, char *err,
			      size_t errlen)
{
	X509_STORE *st = X509_STORE_new();

	if (!st) {
		tls_errf(err, errlen, "out of memory");
		return NULL;
	}
	for (int i = 0; i < sk_X509_num(roots); i++)
		if (!X509_STORE_add_cert(st, sk_X509_value(roots, i))) {
			tls_errf_ssl(err, errlen, "%s: root %d", TLS_FILE_ROOTS, i);
			goto fail;
		}
	for (int i = 0; i < sk_X509_CRL_num(crls); i++)
		if (!X509_STORE_add_crl(st, sk_X509_CRL_value(crls, i))) {
			tls_errf_ssl(err, errlen, "%s: CRL %d", TLS_FILE_CRL, i);
			goto fail;
		}
	return st;
fail:
	X509_STORE_free(st);
	return NULL;
}

static int set_client_ca_list(SSL_CTX *ctx, STACK_OF(X509) *roots, char *err, size_t errlen)
{
	STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();

	for (int i = 0; names && i < sk_X509_num(roots); i++) {
		X509_NAME *n = X509_NAME_dup(X509_get_subject_name(sk_X509_value(roots, i)));
		if (!n || !sk_X509_NAME_push(names, n)) {
			X509_NAME_free(n);
			sk_X509_NAME_pop_free(names, X509_NAME_free);
			names = NULL;
		}
	}
	if (!names)
		return tls_errf(err, errlen, "out of memory");
	SSL_CTX_set_client_CA_list(ctx, names);
	return 0;
}

static void append(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(buf, len);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static void describe(SSL_CTX *ctx, const struct tls_policy *p, enum tls_role role, int verify,
		     int nroots, int ncrls)
{
	int server = role == TLS_ROLE_SERVER;
	X509 *own = SSL_CTX_get0_certificate(ctx);
	char vers[64], who[256], text[1024] = "";

	append(text, sizeof(text), "%s, versions %s: ", server ? "server" : "client",
	       tls_versions_text(p->versions, vers, sizeof(vers)));
	if (!verify) {
		append(text, sizeof(text), "%s",
		       server ? "client certificate not requested"
			      : "server certificate NOT verified");
	} else {
		append(text, sizeof(text), "%s certificate %s against %d trusted root%s%s",
		       server ? "client" : "server", server ? "required and verified" : "verified",
		       nroots, nroots == 1 ? "" : "s",
		       nroots ? "" : " (every peer will be refused)");
		append(text, sizeof(text), ", depth %d, %s", p->verify_depth,
		       !p->require_strict ? "EKU not checked"
		       : server           ? "EKU clientAuth required"
					  : "EKU serverAuth required");
		if (ncrls)
			append(
			    text, sizeof(text),
			    ", revocation checked with %d CRL%s (every CA of the chain needs one)",
			    ncrls, ncrls == 1 ? "" : "s");
		else
			append(text, sizeof(text), ", no revocation check");
	}
	if (own) {
		tls_name_text(X509_get_subject_name(own), who, sizeof(who));
		append(text, sizeof(text), "; own certificate \"%s\"", who);
	} else {
		append(text, sizeof(text), "; no own certificate");
	}
	text_set(ctx, text);
}

int tls_verify_apply(SSL_CTX *ctx, const struct tls_policy *p, enum tls_role role,
		     const char *ctxdir, unsigned flags, char *err, size_t errlen)
{
	char rpath[PATH_MAX], cpath[PATH_MAX];
	STACK_OF(X509_CRL) *crls = NULL;
	STACK_OF(X509) *roots = NULL;
	int rc = -1;

	if (tls_path(rpath, sizeof(rpath), ctxdir, TLS_FILE_ROOTS, err, errlen) < 0 ||
	    tls_path(cpath, sizeof(cpath), ctxdir, TLS_FILE_CRL, err, errlen) < 0 ||
	    !(roots = tls_load_certs(rpath, 1, err, errlen)) ||
	    !(crls = tls_load_crls(cpath, 1, err, errlen)))
		goto out;
	rc = tls_verify_apply_sk(ctx, p, role, roots, crls, flags, err, errlen);
out:
	sk_X509_pop_free(roots, X509_free);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	return rc;
}

int tls_verify_apply_sk(SSL_CTX *ctx, const struct tls_policy *p, enum tls_role role,
			STACK_OF(X509) *roots, STACK_OF(X509_CRL) *crls, unsigned flags, char *err,
			size_t errlen)
{
	const unsigned long crl_flags = X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
	X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(ctx);
	int verify = (flags & TLS_F_VERIFY_PEER) != 0, mode, purpose;
	X509_STORE *store;

	if (!(store = make_store(roots, crls, err, errlen)))
		return -1;
	SSL_CTX_set_cert_store(ctx, store);
	if (sk_X509_CRL_num(crls))
		X509_VERIFY_PARAM_set_flags(vp, crl_flags);
	else
		X509_VERIFY_PARAM_clear_flags(vp, crl_flags);
	/* OpenSSL checks the EKU by default; the vendor's non-strict mode does not. */
	if (!p->require_strict)
		purpose = X509_PURPOSE_ANY;
	else
		purpose =
		    role == TLS_ROLE_SERVER ? X509_PURPOSE_SSL_CLIENT : X509_PURPOSE_SSL_SERVER;
	if (!X509_VERIFY_PARAM_set_purpose(vp, purpose)) {
		tls_errf_ssl(err, errlen, "cannot set the certificate purpose");
		return -1;
	}
	if (p->verify_depth > 0)
		SSL_CTX_set_verify_depth(ctx, p->verify_depth);
	if (!verify)
		mode = SSL_VERIFY_NONE;
	else if (role == TLS_ROLE_SERVER)
		mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	else
		mode = SSL_VERIFY_PEER;
	/* No callback: nothing installed earlier (by sofia-sip, say) may override a failure. */
	SSL_CTX_set_verify(ctx, mode, NULL);
	if (role == TLS_ROLE_SERVER && set_client_ca_list(ctx, roots, err, errlen) < 0)
		return -1;
	describe(ctx, p, role, verify, sk_X509_num(roots), sk_X509_CRL_num(crls));
	return 0;
}

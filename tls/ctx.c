/*
 * SSL_CTX objects from a TLS context: protocol and cipher policy, the device
 * certificate, then verification (tls/verify.c). The same code configures a
 * context made here and one made by sofia-sip, so both behave alike.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "tls/err.h"
#include "tls/file.h"
#include "tls/parse.h"
#include "tls/policy.h"
#include "tls/verify.h"
#include "tls/version.h"

/* Every name of a TLS 1.3 suite list must be known: OpenSSL skips unknown ones silently. */
static int check_suites(SSL_CTX *ctx, const char *col, const char *list, char *err, size_t errlen)
{
	STACK_OF(SSL_CIPHER) *have = SSL_CTX_get_ciphers(ctx);
	char copy[1025], *save, *name;

	snprintf(copy, sizeof(copy), "%s", list);
	for (name = strtok_r(copy, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
		int found = 0;
		for (int i = 0; !found && i < sk_SSL_CIPHER_num(have); i++)
			found = !strcmp(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(have, i)), name);
		if (!found)
			return tls_errf(err, errlen, "%s: unknown TLS 1.3 cipher suite \"%s\"", col,
					name);
	}
	return 0;
}

/* OpenSSL only says "invalid argument": find the name it did not know. */
static int bad_group(SSL_CTX *ctx, const char *list, char *err, size_t errlen)
{
	char copy[513], *save, *name;

	ERR_clear_error();
	snprintf(copy, sizeof(copy), "%s", list);
	for (name = strtok_r(copy, ":", &save); name; name = strtok_r(NULL, ":", &save))
		if (!SSL_CTX_set1_groups_list(ctx, name)) {
			ERR_clear_error();
			return tls_errf(err, errlen, "%s: unknown group \"%s\"",
					TLS_POLICY_COL(groups), name);
		}
	return tls_errf(err, errlen, "%s \"%s\": malformed list", TLS_POLICY_COL(groups), list);
}

/*
 * "DEFAULT" (the schema's default) means the project's policy, not OpenSSL's:
 * TLS 1.2 suites with forward secrecy (ECDHE/DHE) and AEAD ciphers only, no
 * CBC, no RSA key exchange (doc/TLS.md). Any other list is taken as written.
 */
#define TLS_CIPHERS_DEFAULT                                                                        \
	"ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!eNULL:!SHA1:!SHA256:!SHA384"

static const char *tls_cipher_list(const char *list)
{
	return !strcasecmp(list, "DEFAULT") ? TLS_CIPHERS_DEFAULT : list;
}

static int set_ciphers(SSL_CTX *ctx, const struct tls_policy *p, enum tls_role role, char *err,
		       size_t errlen)
{
	int server = role == TLS_ROLE_SERVER;
	const char *list = tls_cipher_list(server ? p->ciphers_server : p->ciphers_client);
	const char *suites = server ? p->suites_server : p->suites_client;
	const char *lcol = server ? TLS_POLICY_COL(ciphers_server) : TLS_POLICY_COL(ciphers_client);
	const char *scol = server ? TLS_POLICY_COL(suites_server) : TLS_POLICY_COL(suites_client);

	/* Empty strings keep OpenSSL's defaults. */
	if (*suites && (!SSL_CTX_set_ciphersuites(ctx, suites) ||
			check_suites(ctx, scol, suites, err, errlen) < 0))
		return *err ? -1 : tls_errf_ssl(err, errlen, "%s \"%s\"", scol, suites);
	if (*list && !SSL_CTX_set_cipher_list(ctx, list))
		return tls_errf_ssl(err, errlen, "%s \"%s\"", lcol, list);
	if (*p->groups && !SSL_CTX_set1_groups_list(ctx, p->groups))
		return bad_group(ctx, p->groups, err, errlen);
	return 0;
}

/* Finite-field DH parameters for TLS <= 1.2 DHE suites, by size. */
static int set_dh(SSL_CTX *ctx, int bits, char *err, size_t errlen)
{
	const char *group = bits == 1024   ? "dh_1024_160"
			    : bits == 2048 ? "ffdhe2048"
			    : bits == 3072 ? "ffdhe3072"
					   : NULL;
	OSSL_PARAM params[2];
	EVP_PKEY_CTX *pc;
	EVP_PKEY *dh = NULL;

	if (bits == 0)
		return SSL_CTX_set_dh_auto(ctx, 1) ? 0 : tls_errf_ssl(err, errlen, "DH");
	if (!group)
		return tls_errf(err, errlen, "%s %d: unsupported size", TLS_POLICY_COL(dh_bits),
				bits);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_end();
	pc = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (!pc || EVP_PKEY_paramgen_init(pc) <= 0 || EVP_PKEY_CTX_set_params(pc, params) <= 0 ||
	    EVP_PKEY_paramgen(pc, &dh) <= 0) {
		EVP_PKEY_CTX_free(pc);
		return tls_errf_ssl(err, errlen, "%s %d", TLS_POLICY_COL(dh_bits), bits);
	}
	EVP_PKEY_CTX_free(pc);
	SSL_CTX_set_dh_auto(ctx, 0);
	if (!SSL_CTX_set0_tmp_dh_pkey(ctx, dh)) {
		EVP_PKEY_free(dh);
		return tls_errf_ssl(err, errlen, "%s %d (OpenSSL security level %d)",
				    TLS_POLICY_COL(dh_bits), bits, SSL_CTX_get_security_level(ctx));
	}
	return 0;
}

/* The device certificate sk[0], its chain sk[1..] and key on ctx; what names them in errors. */
static int use_device(SSL_CTX *ctx, STACK_OF(X509) *sk, EVP_PKEY *key, const char *cwhat,
		      const char *kwhat, char *err, size_t errlen)
{
	if (X509_check_private_key(sk_X509_value(sk, 0), key) != 1) {
		ERR_clear_error();
		return tls_errf(err, errlen, "%s does not match %s", cwhat, kwhat);
	}
	if (!SSL_CTX_use_certificate(ctx, sk_X509_value(sk, 0)))
		return tls_errf_ssl(err, errlen, "%s", cwhat);
	SSL_CTX_clear_chain_certs(ctx);
	for (int i = 1; i < sk_X509_num(sk); i++)
		if (!SSL_CTX_add1_chain_cert(ctx, sk_X509_value(sk, i)))
			return tls_errf_ssl(err, errlen, "%s: chain certificate %d", cwhat, i);
	if (!SSL_CTX_use_PrivateKey(ctx, key) || !SSL_CTX_check_private_key(ctx))
		return tls_errf_ssl(err, errlen, "%s", kwhat);
	return 0;
}

/* certificate.pem (device certificate, then its chain) and private-key.pem. */
static int load_device(SSL_CTX *ctx, const char *ctxdir, char *err, size_t errlen)
{
	char cpath[PATH_MAX], kpath[PATH_MAX];
	STACK_OF(X509) *sk = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1;

	if (tls_path(cpath, sizeof(cpath), ctxdir, TLS_FILE_CERT, err, errlen) < 0 ||
	    tls_path(kpath, sizeof(kpath), ctxdir, TLS_FILE_KEY, err, errlen) < 0 ||
	    !(sk = tls_load_certs(cpath, 0, err, errlen)) ||
	    tls_key_perms_check(kpath, err, errlen) < 0 ||
	    !(key = tls_load_key(kpath, err, errlen)))
		goto out;
	rc = use_device(ctx, sk, key, cpath, kpath, err, errlen);
out:
	EVP_PKEY_free(key);
	sk_X509_pop_free(sk, X509_free);
	return rc;
}

int tls_ctx_configure(SSL_CTX *ctx, const struct tls_policy *p, enum tls_role role,
		      const char *ctxdir, unsigned flags, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = 0;
	if (!ctx || !p || !ctxdir)
		return tls_errf(err, errlen, "tls_ctx_configure: missing argument");
	ERR_clear_error();
	/*
	 * The server picks from its own list in its order (the operator's), and
	 * nobody may renegotiate: client-initiated renegotiation is a cheap DoS.
	 */
	if (role == TLS_ROLE_SERVER)
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	if (tls_versions_apply(ctx, p->versions, err, errlen) < 0 ||
	    set_ciphers(ctx, p, role, err, errlen) < 0 || set_dh(ctx, p->dh_bits, err, errlen) < 0)
		return -1;
	if (!(flags & TLS_F_NO_CERT) && load_device(ctx, ctxdir, err, errlen) < 0)
		return -1;
	return tls_verify_apply(ctx, p, role, ctxdir, flags, err, errlen);
}

SSL_CTX *tls_ctx_build(const struct tls_policy *p, enum tls_role role, const char *ctxdir,
		       unsigned flags, char *err, size_t errlen)
{
	SSL_CTX *ctx =
	    SSL_CTX_new(role == TLS_ROLE_SERVER ? TLS_server_method() : TLS_client_method());

	if (!ctx) {
		tls_errf_ssl(err, errlen, "cannot create an SSL_CTX");
		return NULL;
	}
	if (tls_ctx_configure(ctx, p, role, ctxdir, flags, err, errlen) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

SSL_CTX *tls_ctx_build_mem(const struct tls_policy *p, enum tls_role role, const struct tls_mem *m,
			   unsigned flags, char *err, size_t errlen)
{
	SSL_CTX *ctx =
	    SSL_CTX_new(role == TLS_ROLE_SERVER ? TLS_server_method() : TLS_client_method());
	STACK_OF(X509) *sk = NULL, *roots = NULL;
	STACK_OF(X509_CRL) *crls = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1;

	if (err && errlen)
		err[0] = 0;
	if (!ctx) {
		tls_errf_ssl(err, errlen, "cannot create an SSL_CTX");
		return NULL;
	}
	ERR_clear_error();
	if (role == TLS_ROLE_SERVER)
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	if (m->cert_len > TLS_MAX_INPUT || m->key_len > TLS_MAX_INPUT ||
	    m->roots_len > TLS_MAX_INPUT || m->crl_len > TLS_MAX_INPUT) {
		tls_errf(err, errlen, "material larger than %d bytes", TLS_MAX_INPUT);
		goto out;
	}
	if (tls_versions_apply(ctx, p->versions, err, errlen) < 0 ||
	    set_ciphers(ctx, p, role, err, errlen) < 0 || set_dh(ctx, p->dh_bits, err, errlen) < 0)
		goto out;
	if (!(flags & TLS_F_NO_CERT) &&
	    (!(sk = tls_parse_certs(m->cert, m->cert_len, TLS_FILE_CERT, err, errlen)) ||
	     !(key = tls_parse_key(m->key, m->key_len, NULL, TLS_FILE_KEY, err, errlen)) ||
	     use_device(ctx, sk, key, TLS_FILE_CERT, TLS_FILE_KEY, err, errlen) < 0))
		goto out;
	/* no roots or CRL is no error, as a missing file is none */
	roots = m->roots_len ? tls_parse_certs(m->roots, m->roots_len, TLS_FILE_ROOTS, err, errlen)
			     : sk_X509_new_null();
	crls = m->crl_len ? tls_parse_crls(m->crl, m->crl_len, TLS_FILE_CRL, err, errlen)
			  : sk_X509_CRL_new_null();
	if (!roots || !crls)
		goto out;
	rc = tls_verify_apply_sk(ctx, p, role, roots, crls, flags, err, errlen);
out:
	EVP_PKEY_free(key);
	sk_X509_pop_free(sk, X509_free);
	sk_X509_pop_free(roots, X509_free);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	if (rc < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

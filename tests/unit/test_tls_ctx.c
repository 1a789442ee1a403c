/* tls_policy_from_row and tls_ctx_configure: what lands on the SSL_CTX, and every refusal. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509_vfy.h>

#include "conf/store.h"
#include "tests/unit/test_tls_util.h"
#include "tests/unit/tls_pki.h"
#include "tests/unit/unit.h"
#include "tls/tls.h"

static const int root_only[] = {TLS_PKI_ROOT, -1};
static const int two_roots[] = {TLS_PKI_ROOT, TLS_PKI_ROGUE_CA, -1};

static const struct conf_column *col(const char *name)
{
	const struct conf_table *t = conf_table_find("TLSContexts");
	int c = t ? conf_column_find(t, name) : -1;

	return c >= 0 ? &t->cols[c] : NULL;
}

static void test_policy_defaults(void)
{
	struct tls_policy p;

	memset(&p, 0x55, sizeof(p));
	tls_policy_default(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(col("TLSVersion"));
	CU_ASSERT_EQUAL(p.versions, (unsigned)atoi(col("TLSVersion")->def));
	CU_ASSERT_STRING_EQUAL(p.ciphers_server, col("ServerCipherString")->def);
	CU_ASSERT_STRING_EQUAL(p.ciphers_client, col("ClientCipherString")->def);
	CU_ASSERT_STRING_EQUAL(p.suites_server, col("ServerCipherTLS13String")->def);
	CU_ASSERT_STRING_EQUAL(p.suites_client, col("ClientCipherTLS13String")->def);
	CU_ASSERT_STRING_EQUAL(p.groups, col("KeyExchangeGroups")->def);
	CU_ASSERT_EQUAL(p.verify_depth, atoi(col("VerifyDepth")->def));
	CU_ASSERT_EQUAL(p.require_strict, atoi(col("RequireStrictCert")->def));
	CU_ASSERT_EQUAL(p.dh_bits, atoi(col("DHKeySize")->def));
	CU_ASSERT(p.verify_depth > 0);
}

static void test_policy_from_row(void)
{
	static const struct {
		const char *col, *text;
	} set[] = {
	    {"TLSVersion", "12"},
	    {"ServerCipherString", "ECDHE-ECDSA-AES128-GCM-SHA256"},
	    {"ClientCipherString", "ECDHE-RSA-AES256-GCM-SHA384"},
	    {"ServerCipherTLS13String", "TLS_AES_128_GCM_SHA256"},
	    {"ClientCipherTLS13String", "TLS_CHACHA20_POLY1305_SHA256"},
	    {"KeyExchangeGroups", "P-384:X25519"},
	    {"VerifyDepth", "3"},
	    {"RequireStrictCert", "1"},
	    {"DHKeySize", "3072"},
	};
	const struct conf_table *t = conf_table_find("TLSContexts");
	struct conf_store *st = conf_store_new();
	struct conf_row *r;
	struct tls_policy p;
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	r = conf_store_ensure(st, t, 7, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		CU_ASSERT_EQUAL(conf_row_set_text(t, r, conf_column_find(t, set[i].col),
						  set[i].text, err, sizeof(err)),
				0);
	tls_policy_from_row(r, &p);
	CU_ASSERT_EQUAL(p.versions, 12);
	CU_ASSERT_STRING_EQUAL(p.ciphers_server, "ECDHE-ECDSA-AES128-GCM-SHA256");
	CU_ASSERT_STRING_EQUAL(p.ciphers_client, "ECDHE-RSA-AES256-GCM-SHA384");
	CU_ASSERT_STRING_EQUAL(p.suites_server, "TLS_AES_128_GCM_SHA256");
	CU_ASSERT_STRING_EQUAL(p.suites_client, "TLS_CHACHA20_POLY1305_SHA256");
	CU_ASSERT_STRING_EQUAL(p.groups, "P-384:X25519");
	CU_ASSERT_EQUAL(p.verify_depth, 3);
	CU_ASSERT_EQUAL(p.require_strict, 1);
	CU_ASSERT_EQUAL(p.dh_bits, 3072);
	conf_store_free(st);
}

static void test_versions(void)
{
	const uint64_t all_no =
	    SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2 | SSL_OP_NO_TLSv1_3;
	static const struct {
		unsigned bits;
		int min, max;
		uint64_t no;
	} cases[] = {
	    {0, TLS1_2_VERSION, 0, 0}, /* "any" starts at TLS 1.2 (doc/TLS.md) */
	    {1, TLS1_VERSION, TLS1_VERSION, 0},
	    {2, TLS1_1_VERSION, TLS1_1_VERSION, 0},
	    {3, TLS1_VERSION, TLS1_1_VERSION, 0},
	    {4, TLS1_2_VERSION, TLS1_2_VERSION, 0},
	    {5, TLS1_VERSION, TLS1_2_VERSION, SSL_OP_NO_TLSv1_1},
	    {6, TLS1_1_VERSION, TLS1_2_VERSION, 0},
	    {7, TLS1_VERSION, TLS1_2_VERSION, 0},
	    {8, TLS1_3_VERSION, TLS1_3_VERSION, 0},
	    {9, TLS1_VERSION, TLS1_3_VERSION, SSL_OP_NO_TLSv1_1 | SSL_OP_NO_TLSv1_2},
	    {10, TLS1_1_VERSION, TLS1_3_VERSION, SSL_OP_NO_TLSv1_2},
	    {11, TLS1_VERSION, TLS1_3_VERSION, SSL_OP_NO_TLSv1_2},
	    {12, TLS1_2_VERSION, TLS1_3_VERSION, 0},
	    {13, TLS1_VERSION, TLS1_3_VERSION, SSL_OP_NO_TLSv1_1},
	    {14, TLS1_1_VERSION, TLS1_3_VERSION, 0},
	    {15, TLS1_VERSION, TLS1_3_VERSION, 0},
	};
	char dir[512], err[256];
	struct tls_policy p;

	tls_test_dir("versions", dir, sizeof(dir));
	tls_policy_default(&p);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
		/* Holes left by an earlier configuration must not survive. */
		SSL_CTX_set_options(ctx, all_no);
		p.versions = cases[i].bits;
		CU_ASSERT_EQUAL(tls_ctx_configure(ctx, &p, TLS_ROLE_SERVER, dir, TLS_F_NO_CERT, err,
						  sizeof(err)),
				0);
		CU_ASSERT_EQUAL(SSL_CTX_get_min_proto_version(ctx), cases[i].min);
		CU_ASSERT_EQUAL(SSL_CTX_get_max_proto_version(ctx), cases[i].max);
		CU_ASSERT_EQUAL(SSL_CTX_get_options(ctx) & all_no, cases[i].no);
		SSL_CTX_free(ctx);
	}
	p.versions = 16;
	CU_ASSERT_PTR_NULL(
	    tls_ctx_build(&p, TLS_ROLE_SERVER, dir, TLS_F_NO_CERT, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "TLSVersion 16"));
}

/* tls_ctx_build with one field changed must fail with a message holding want. */
static void refuse(struct tls_policy *p, enum tls_role role, const char *want)
{
	char dir[512], err[256] = "";
	SSL_CTX *ctx;

	tls_test_dir("refuse", dir, sizeof(dir));
	ctx = tls_ctx_build(p, role, dir, TLS_F_NO_CERT, err, sizeof(err));
	CU_ASSERT_PTR_NULL(ctx);
	if (!strstr(err, want))
		fprintf(stderr, "\nwant \"%s\" in \"%s\"\n", want, err);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, want));
	SSL_CTX_free(ctx);
}

static void test_cipher_errors(void)
{
	struct tls_policy p;

	tls_policy_default(&p);
	snprintf(p.ciphers_server, sizeof(p.ciphers_server), "NO-SUCH-CIPHER");
	refuse(&p, TLS_ROLE_SERVER, "ServerCipherString \"NO-SUCH-CIPHER\": no cipher match");
	tls_policy_default(&p);
	snprintf(p.ciphers_client, sizeof(p.ciphers_client), "BOGUS");
	refuse(&p, TLS_ROLE_CLIENT, "ClientCipherString \"BOGUS\"");
	tls_policy_default(&p);
	snprintf(p.suites_server, sizeof(p.suites_server), "TLS_AES_128_GCM_SHA256:TLS_NOPE");
	refuse(&p, TLS_ROLE_SERVER,
	       "ServerCipherTLS13String: unknown TLS 1.3 cipher suite \"TLS_NOPE\"");
	tls_policy_default(&p);
	snprintf(p.suites_client, sizeof(p.suites_client), "NOPE");
	refuse(&p, TLS_ROLE_CLIENT, "ClientCipherTLS13String");
	tls_policy_default(&p);
	snprintf(p.groups, sizeof(p.groups), "P-256:NOT-A-GROUP");
	refuse(&p, TLS_ROLE_SERVER, "KeyExchangeGroups: unknown group \"NOT-A-GROUP\"");
	snprintf(p.groups, sizeof(p.groups), "P-256::");
	refuse(&p, TLS_ROLE_SERVER, "KeyExchangeGroups \"P-256::\": malformed list");
	tls_policy_default(&p);
	p.dh_bits = 999;
	refuse(&p, TLS_ROLE_SERVER, "DHKeySize 999: unsupported size");
}

static void test_role_strings(void)
{
	struct tls_policy p;
	char dir[512], err[256];
	SSL_CTX *ctx;

	/* The server string is not looked at by a client, nor the other way round. */
	tls_policy_default(&p);
	snprintf(p.ciphers_server, sizeof(p.ciphers_server), "BOGUS");
	snprintf(p.suites_server, sizeof(p.suites_server), "BOGUS");
	tls_test_dir("roles", dir, sizeof(dir));
	ctx = tls_ctx_build(&p, TLS_ROLE_CLIENT, dir, TLS_F_NO_CERT, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(ctx);
	SSL_CTX_free(ctx);
	/* Empty strings keep OpenSSL's defaults rather than disabling everything. */
	p.ciphers_client[0] = p.suites_client[0] = p.groups[0] = 0;
	ctx = tls_ctx_build(&p, TLS_ROLE_CLIENT, dir, TLS_F_NO_CERT, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(ctx);
	CU_ASSERT(ctx && sk_SSL_CIPHER_num(SSL_CTX_get_ciphers(ctx)) > 3);
	SSL_CTX_free(ctx);
}

static void test_device_files(void)
{
	char dir[512], path[600], err[256];
	struct tls_policy p;
	SSL_CTX *ctx;
	char *big;

	tls_policy_default(&p);
	tls_test_dir("device", dir, sizeof(dir));
	ctx = tls_ctx_build(&p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err));
	CU_ASSERT_PTR_NULL(ctx);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate.pem: No such file"));

	CU_ASSERT_EQUAL_FATAL(tls_pki_write_ctxdir(dir, TLS_PKI_SERVER_EC, root_only, 0), 0);
	ctx = tls_ctx_build(&p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(ctx);
	CU_ASSERT(ctx && SSL_CTX_get0_certificate(ctx) &&
		  !X509_cmp(SSL_CTX_get0_certificate(ctx), tls_pki_cert(TLS_PKI_SERVER_EC)));
	SSL_CTX_free(ctx);

	/* A key others can read is refused. */
	snprintf(path, sizeof(path), "%s/private-key.pem", dir);
	chmod(path, 0644);
	CU_ASSERT_PTR_NULL(tls_ctx_build(&p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mode 0644"));
	chmod(path, 0600);

	/* The key of another certificate. */
	{
		size_t len;
		char *k = tls_pki_key_pem(TLS_PKI_CLIENT_EC, NULL, &len);
		CU_ASSERT_EQUAL(tls_test_write(path, k, len, 0600), 0);
		free(k);
	}
	CU_ASSERT_PTR_NULL(tls_ctx_build(&p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate.pem does not match"));

	/* Garbage and oversized trusted roots name the file. */
	CU_ASSERT_EQUAL_FATAL(tls_pki_write_ctxdir(dir, TLS_PKI_SERVER_EC, root_only, 0), 0);
	snprintf(path, sizeof(path), "%s/trusted-roots.pem", dir);
	CU_ASSERT_EQUAL(tls_test_write(path, "-----BEGIN CERTIFICATE-----\nAAAA\n", 33, 0644), 0);
	CU_ASSERT_PTR_NULL(tls_ctx_build(&p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "trusted-roots.pem"));
	big = calloc(1, 5u << 20);
	memset(big, 'A', 5u << 20);
	CU_ASSERT_EQUAL(tls_test_write(path, big, 5u << 20, 0644), 0);
	free(big);
	CU_ASSERT_PTR_NULL(tls_ctx_build(&p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "trusted-roots.pem: file too large"));

	/* A CRL file that is not a CRL. */
	CU_ASSERT_EQUAL_FATAL(tls_pki_write_ctxdir(dir, TLS_PKI_SERVER_EC, root_only, 0), 0);
	snprintf(path, sizeof(path), "%s/crl.pem", dir);
	{
		size_t len;
		char *c = tls_pki_cert_pem(TLS_PKI_ROOT, 0, &len);
		CU_ASSERT_EQUAL(tls_test_write(path, c, len, 0644), 0);
		free(c);
	}
	CU_ASSERT_PTR_NULL(tls_ctx_build(&p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "crl.pem: PEM block 1 is a CERTIFICATE, not a CRL"));
}

static void test_verify_settings(void)
{
	const unsigned long crl = X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
	char dir[512], err[256];
	struct tls_policy p;
	SSL_CTX *ctx;

	tls_policy_default(&p);
	p.verify_depth = 3;
	tls_test_dir("verify", dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(
	    tls_pki_write_ctxdir(dir, TLS_PKI_SERVER_EC, two_roots,
				 1u << TLS_PKI_CRL_ROOT | 1u << TLS_PKI_CRL_INTER),
	    0);
	ctx = tls_ctx_build(&p, TLS_ROLE_SERVER, dir, TLS_F_VERIFY_PEER, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_mode(ctx),
			SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_depth(ctx), 3);
	CU_ASSERT_EQUAL(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(ctx)), 2);
	CU_ASSERT_EQUAL(X509_VERIFY_PARAM_get_flags(SSL_CTX_get0_param(ctx)) & crl, crl);
	CU_ASSERT_EQUAL(sk_X509_OBJECT_num(X509_STORE_get0_objects(SSL_CTX_get_cert_store(ctx))),
			4); /* 2 roots + 2 CRLs */

	/* Reconfiguring the same ctx without CRL and without verification undoes both. */
	CU_ASSERT_EQUAL_FATAL(tls_pki_write_ctxdir(dir, TLS_PKI_SERVER_EC, root_only, 0), 0);
	CU_ASSERT_EQUAL(tls_ctx_configure(ctx, &p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE);
	CU_ASSERT_EQUAL(X509_VERIFY_PARAM_get_flags(SSL_CTX_get0_param(ctx)) & crl, 0);
	CU_ASSERT_EQUAL(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(ctx)), 1);
	SSL_CTX_free(ctx);

	ctx = tls_ctx_build(&p, TLS_ROLE_CLIENT, dir, TLS_F_VERIFY_PEER | TLS_F_NO_CERT, err,
			    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER);
	CU_ASSERT_PTR_NULL(SSL_CTX_get0_certificate(ctx));
	SSL_CTX_free(ctx);
	ctx = tls_ctx_build(&p, TLS_ROLE_CLIENT, dir, TLS_F_NO_CERT, err, sizeof(err));
	CU_ASSERT_EQUAL(ctx ? SSL_CTX_get_verify_mode(ctx) : -1, SSL_VERIFY_NONE);
	SSL_CTX_free(ctx);
}

static int foreign_cb(int ok, X509_STORE_CTX *x)
{
	return 1; /* accepts anything: what we must never leave in place */
}

static void test_foreign_ctx(void)
{
	char dir[512], err[256];
	struct tls_policy p;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	/* As sofia-sip leaves it: its own callback, an old-version option. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, foreign_cb);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TLSv1_3);
	tls_policy_default(&p);
	p.versions = 12;
	tls_test_dir("foreign", dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(tls_pki_write_ctxdir(dir, TLS_PKI_SERVER_RSA, root_only, 0), 0);
	CU_ASSERT_EQUAL(
	    tls_ctx_configure(ctx, &p, TLS_ROLE_SERVER, dir, TLS_F_VERIFY_PEER, err, sizeof(err)),
	    0);
	CU_ASSERT_PTR_NULL(SSL_CTX_get_verify_callback(ctx));
	CU_ASSERT_EQUAL(SSL_CTX_get_options(ctx) & SSL_OP_NO_TLSv1_3, 0);
	CU_ASSERT_EQUAL(SSL_CTX_get_options(ctx) & SSL_OP_CIPHER_SERVER_PREFERENCE,
			SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_free(ctx);
	CU_ASSERT_EQUAL(tls_ctx_configure(NULL, &p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err)), -1);
}

static void test_policy_text(void)
{
	char dir[512], err[256];
	struct tls_policy p;
	SSL_CTX *ctx;
	const char *t;

	tls_policy_default(&p);
	p.versions = 12;
	p.require_strict = 1;
	tls_test_dir("text", dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(
	    tls_pki_write_ctxdir(dir, TLS_PKI_SERVER_EC, two_roots,
				 1u << TLS_PKI_CRL_ROOT | 1u << TLS_PKI_CRL_INTER),
	    0);
	ctx = tls_ctx_build(&p, TLS_ROLE_SERVER, dir, TLS_F_VERIFY_PEER, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	t = tls_ctx_policy_text(ctx);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "server, versions TLS1.2 TLS1.3: "));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(t, "client certificate required and verified against 2 trusted roots"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "EKU clientAuth required"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "revocation checked with 2 CRLs"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "own certificate \"CN=localhost,O=SBC Test\""));
	/* The text follows a reconfiguration. */
	p.require_strict = 0;
	p.versions = 0;
	CU_ASSERT_EQUAL(tls_ctx_configure(ctx, &p, TLS_ROLE_SERVER, dir, 0, err, sizeof(err)), 0);
	t = tls_ctx_policy_text(ctx);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "versions any: client certificate not requested"));
	SSL_CTX_free(ctx);

	ctx = tls_ctx_build(&p, TLS_ROLE_CLIENT, dir, TLS_F_NO_CERT | TLS_F_VERIFY_PEER, err,
			    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	t = tls_ctx_policy_text(ctx);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "server certificate verified against 2 trusted roots"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "EKU not checked"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "; no own certificate"));
	SSL_CTX_free(ctx);

	CU_ASSERT_EQUAL_FATAL(tls_pki_write_ctxdir(dir, -1, NULL, 0), 0);
	ctx = tls_ctx_build(&p, TLS_ROLE_CLIENT, dir, TLS_F_NO_CERT | TLS_F_VERIFY_PEER, err,
			    sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(strstr(tls_ctx_policy_text(ctx), "(every peer will be refused)"));
	SSL_CTX_free(ctx);
	ctx = SSL_CTX_new(TLS_client_method());
	CU_ASSERT_STRING_EQUAL(tls_ctx_policy_text(ctx), "TLS policy not set by tls_ctx_configure");
	SSL_CTX_free(ctx);
}

UNIT_SUITE(tls_ctx, {"policy defaults come from the schema", test_policy_defaults},
	   {"policy from a TLSContexts row", test_policy_from_row},
	   {"TLSVersion bits to bounds and holes", test_versions},
	   {"bad cipher, suite, group and DH settings", test_cipher_errors},
	   {"role picks its strings; empty keeps defaults", test_role_strings},
	   {"device certificate and key files", test_device_files},
	   {"verify mode, depth, CA list, CRL flags", test_verify_settings},
	   {"a ctx made elsewhere is fully taken over", test_foreign_ctx},
	   {"policy text", test_policy_text});

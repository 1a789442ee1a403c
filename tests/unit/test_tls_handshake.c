/*
 * Real TLS handshakes between SSL_CTXs from tls_ctx_build, in process over a
 * memory BIO pair: versions, mutual authentication and every way it must fail,
 * with the alert the peer receives.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509_vfy.h>

#include "tests/unit/test_tls_util.h"
#include "tests/unit/tls_pki.h"
#include "tests/unit/unit.h"
#include "tls/material.h"
#include "tls/tls.h"

#define NONE (-1)
#define CRLS (1u << TLS_PKI_CRL_ROOT | 1u << TLS_PKI_CRL_INTER)

/* TLS AlertDescription values (RFC 8446 6.2). */
enum {
	A_HANDSHAKE = 40,
	A_BAD_CERT = 42,
	A_UNSUPPORTED_CERT = 43,
	A_REVOKED = 44,
	A_EXPIRED = 45,
	A_UNKNOWN_CA = 48,
	A_PROTOCOL_VERSION = 70,
	A_CERT_REQUIRED = 116,
};

static const int roots[] = {TLS_PKI_ROOT, -1};

static const struct hs_case {
	const char *name;
	unsigned sv, cv;          /* TLSVersion bits, server and client */
	int sdev, cdev;           /* device certificate, NONE for no certificate */
	int sverify, cverify;     /* TLS_F_VERIFY_PEER */
	int sstrict, cstrict;     /* RequireStrictCert */
	unsigned scrl;            /* CRLs of the server's context */
	int ok, version;          /* expected outcome and version */
	int to_client, to_server; /* fatal alert each side must receive, NONE: no check */
	long sresult, cresult;    /* SSL_get_verify_result on each side, NONE: no check */
	const char *peer_cn;      /* client CN the server must see, NULL: no check */
} cases[] = {
    {"1.2 server auth, EC", 4, 4, TLS_PKI_SERVER_EC, NONE, 0, 1, 0, 0, 0, 1, TLS1_2_VERSION, NONE,
     NONE, NONE, X509_V_OK, ""},
    {"1.3 server auth, EC", 8, 8, TLS_PKI_SERVER_EC, NONE, 0, 1, 0, 0, 0, 1, TLS1_3_VERSION, NONE,
     NONE, NONE, X509_V_OK, ""},
    {"1.2 server auth, RSA", 4, 4, TLS_PKI_SERVER_RSA, NONE, 0, 1, 0, 0, 0, 1, TLS1_2_VERSION, NONE,
     NONE, NONE, X509_V_OK, NULL},
    {"1.3 server auth, RSA", 8, 8, TLS_PKI_SERVER_RSA, NONE, 0, 1, 0, 0, 0, 1, TLS1_3_VERSION, NONE,
     NONE, NONE, X509_V_OK, NULL},
    {"any and any make 1.3", 0, 0, TLS_PKI_SERVER_EC, NONE, 0, 1, 0, 0, 0, 1, TLS1_3_VERSION, NONE,
     NONE, NONE, NONE, NULL},
    {"1.2 and 1.2+1.3 make 1.2", 4, 12, TLS_PKI_SERVER_EC, NONE, 0, 1, 0, 0, 0, 1, TLS1_2_VERSION,
     NONE, NONE, NONE, NONE, NULL},
    {"server without verify ignores a client certificate", 8, 8, TLS_PKI_SERVER_EC,
     TLS_PKI_CLIENT_EC, 0, 1, 0, 0, 0, 1, TLS1_3_VERSION, NONE, NONE, NONE, NONE, ""},
    {"1.2 mutual, EC", 4, 4, TLS_PKI_SERVER_EC, TLS_PKI_CLIENT_EC, 1, 1, 0, 0, 0, 1, TLS1_2_VERSION,
     NONE, NONE, X509_V_OK, X509_V_OK, "client.test"},
    {"1.3 mutual, EC", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_CLIENT_EC, 1, 1, 0, 0, 0, 1, TLS1_3_VERSION,
     NONE, NONE, X509_V_OK, X509_V_OK, "client.test"},
    {"1.2 mutual, RSA", 4, 4, TLS_PKI_SERVER_RSA, TLS_PKI_CLIENT_RSA, 1, 1, 0, 0, 0, 1,
     TLS1_2_VERSION, NONE, NONE, X509_V_OK, X509_V_OK, "client.test"},
    {"1.3 mutual, RSA, strict", 8, 8, TLS_PKI_SERVER_RSA, TLS_PKI_CLIENT_RSA, 1, 1, 1, 1, 0, 1,
     TLS1_3_VERSION, NONE, NONE, X509_V_OK, X509_V_OK, "client.test"},
    {"1.3 mutual, no client certificate", 8, 8, TLS_PKI_SERVER_EC, NONE, 1, 1, 0, 0, 0, 0, 0,
     A_CERT_REQUIRED, NONE, NONE, NONE, NULL},
    {"1.2 mutual, no client certificate", 4, 4, TLS_PKI_SERVER_EC, NONE, 1, 1, 0, 0, 0, 0, 0,
     A_HANDSHAKE, NONE, NONE, NONE, NULL},
    {"1.3 mutual, client of an untrusted CA", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_ROGUE_CLIENT, 1, 1,
     0, 0, 0, 0, 0, A_UNKNOWN_CA, NONE, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, NONE, NULL},
    {"1.2 mutual, client of an untrusted CA", 4, 4, TLS_PKI_SERVER_EC, TLS_PKI_ROGUE_CLIENT, 1, 1,
     0, 0, 0, 0, 0, A_UNKNOWN_CA, NONE, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, NONE, NULL},
    {"1.3 mutual, self-signed client", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_ROGUE, 1, 1, 0, 0, 0, 0, 0,
     A_UNKNOWN_CA, NONE, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, NONE, NULL},
    {"1.3 mutual, revoked client, CRL", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_REVOKED, 1, 1, 0, 0, CRLS,
     0, 0, A_REVOKED, NONE, X509_V_ERR_CERT_REVOKED, NONE, NULL},
    {"1.2 mutual, revoked client, CRL", 4, 4, TLS_PKI_SERVER_EC, TLS_PKI_REVOKED, 1, 1, 0, 0, CRLS,
     0, 0, A_REVOKED, NONE, X509_V_ERR_CERT_REVOKED, NONE, NULL},
    {"1.3 mutual, valid client, CRL", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_CLIENT_EC, 1, 1, 0, 0, CRLS,
     1, TLS1_3_VERSION, NONE, NONE, X509_V_OK, X509_V_OK, "client.test"},
    {"1.3 mutual, revoked client, no CRL", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_REVOKED, 1, 1, 0, 0, 0,
     1, TLS1_3_VERSION, NONE, NONE, X509_V_OK, NONE, "localhost"},
    {"1.3 mutual, CRL of the intermediate only", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_CLIENT_EC, 1, 1,
     0, 0, 1u << TLS_PKI_CRL_INTER, 0, 0, NONE, NONE, X509_V_ERR_UNABLE_TO_GET_CRL, NONE, NULL},
    {"1.3 mutual, expired client", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_EXPIRED, 1, 1, 0, 0, 0, 0, 0,
     A_EXPIRED, NONE, X509_V_ERR_CERT_HAS_EXPIRED, NONE, NULL},
    {"1.3 mutual, client not yet valid", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_NOT_YET_VALID, 1, 1, 0, 0,
     0, 0, 0, A_BAD_CERT, NONE, X509_V_ERR_CERT_NOT_YET_VALID, NONE, NULL},
    {"1.3 mutual, wrong EKU, strict", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_WRONG_EKU, 1, 1, 1, 0, 0, 0,
     0, A_UNSUPPORTED_CERT, NONE, X509_V_ERR_INVALID_PURPOSE, NONE, NULL},
    {"1.2 mutual, wrong EKU, strict", 4, 4, TLS_PKI_SERVER_EC, TLS_PKI_WRONG_EKU, 1, 1, 1, 0, 0, 0,
     0, A_UNSUPPORTED_CERT, NONE, X509_V_ERR_INVALID_PURPOSE, NONE, NULL},
    {"1.3 mutual, server certificate as client, strict", 8, 8, TLS_PKI_SERVER_EC,
     TLS_PKI_SERVER_RSA, 1, 1, 1, 0, 0, 0, 0, A_UNSUPPORTED_CERT, NONE, X509_V_ERR_INVALID_PURPOSE,
     NONE, NULL},
    {"1.3 mutual, wrong EKU, not strict", 8, 8, TLS_PKI_SERVER_EC, TLS_PKI_WRONG_EKU, 1, 1, 0, 0, 0,
     1, TLS1_3_VERSION, NONE, NONE, X509_V_OK, NONE, "localhost"},
    {"1.3 client strict, server with wrong EKU", 8, 8, TLS_PKI_WRONG_EKU, NONE, 0, 1, 0, 1, 0, 0, 0,
     NONE, A_UNSUPPORTED_CERT, NONE, X509_V_ERR_INVALID_PURPOSE, NULL},
    {"1.2 client strict, server with wrong EKU", 4, 4, TLS_PKI_WRONG_EKU, NONE, 0, 1, 0, 1, 0, 0, 0,
     NONE, A_UNSUPPORTED_CERT, NONE, X509_V_ERR_INVALID_PURPOSE, NULL},
    {"1.3 client not strict, server with wrong EKU", 8, 8, TLS_PKI_WRONG_EKU, NONE, 0, 1, 0, 0, 0,
     1, TLS1_3_VERSION, NONE, NONE, NONE, X509_V_OK, NULL},
    {"1.3 client verifies a self-signed server", 8, 8, TLS_PKI_ROGUE, NONE, 0, 1, 0, 0, 0, 0, 0,
     NONE, A_UNKNOWN_CA, NONE, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, NULL},
    {"1.3 client verifies an expired server", 8, 8, TLS_PKI_EXPIRED, NONE, 0, 1, 0, 0, 0, 0, 0,
     NONE, A_EXPIRED, NONE, X509_V_ERR_CERT_HAS_EXPIRED, NULL},
    {"1.3 client without verify accepts anything", 8, 8, TLS_PKI_ROGUE, NONE, 0, 0, 0, 0, 0, 1,
     TLS1_3_VERSION, NONE, NONE, NONE, NONE, NULL},
    {"server 1.3 only, client 1.2 only", 8, 4, TLS_PKI_SERVER_EC, NONE, 0, 1, 0, 0, 0, 0, 0,
     A_PROTOCOL_VERSION, NONE, NONE, NONE, NULL},
    {"server 1.2 only, client 1.3 only", 4, 8, TLS_PKI_SERVER_EC, NONE, 0, 1, 0, 0, 0, 0, 0,
     A_PROTOCOL_VERSION, NONE, NONE, NONE, NULL},
};

static SSL_CTX *make(enum tls_role role, struct tls_policy *p, int dev, unsigned crls,
		     unsigned flags)
{
	char dir[512], err[256];
	SSL_CTX *ctx;

	tls_test_dir(role == TLS_ROLE_SERVER ? "srv" : "cli", dir, sizeof(dir));
	CU_ASSERT_EQUAL(tls_pki_write_ctxdir(dir, dev, roots, crls), 0);
	if (dev < 0)
		flags |= TLS_F_NO_CERT;
	ctx = tls_ctx_build(p, role, dir, flags, err, sizeof(err));
	if (!ctx)
		fprintf(stderr, "\ntls_ctx_build: %s\n", err);
	return ctx;
}

static int check(const struct hs_case *c, const struct tls_hs *r)
{
	int good = r->ok == c->ok && (!c->ok || r->version == c->version) &&
		   (c->to_client == NONE || r->client.alert_recv == c->to_client) &&
		   (c->to_server == NONE || r->server.alert_recv == c->to_server) &&
		   (c->sresult == NONE || r->server.verify == c->sresult) &&
		   (c->cresult == NONE || r->client.verify == c->cresult) &&
		   (!c->peer_cn || !strcmp(r->peer_cn, c->peer_cn));

	if (!good)
		fprintf(stderr,
			"\n  %s: ok %d version %x alerts to client %d to server %d verify "
			"server %ld client %ld peer \"%s\"",
			c->name, r->ok, r->version, r->client.alert_recv, r->server.alert_recv,
			r->server.verify, r->client.verify, r->peer_cn);
	return good;
}

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct hs_case *c = &cases[i];
		struct tls_policy sp, cp;
		SSL_CTX *s, *cl;
		struct tls_hs r;

		tls_policy_default(&sp);
		tls_policy_default(&cp);
		sp.versions = c->sv;
		cp.versions = c->cv;
		sp.require_strict = c->sstrict;
		cp.require_strict = c->cstrict;
		s = make(TLS_ROLE_SERVER, &sp, c->sdev, c->scrl,
			 c->sverify ? TLS_F_VERIFY_PEER : 0);
		cl = make(TLS_ROLE_CLIENT, &cp, c->cdev, 0, c->cverify ? TLS_F_VERIFY_PEER : 0);
		CU_ASSERT_PTR_NOT_NULL(s);
		CU_ASSERT_PTR_NOT_NULL(cl);
		if (s && cl) {
			tls_test_handshake(s, cl, c->cverify ? "localhost" : NULL, &r);
			CU_ASSERT(check(c, &r));
		}
		SSL_CTX_free(s);
		SSL_CTX_free(cl);
	}
}

/* Server and client differing in one cipher setting; want_ok and the cipher on success. */
static void cipher_case(const char *name, unsigned versions, const char *s12, const char *c12,
			const char *s13, const char *c13, const char *sg, const char *cg,
			const char *want_cipher)
{
	struct tls_policy sp, cp;
	SSL_CTX *s, *c;
	struct tls_hs r;

	tls_policy_default(&sp);
	tls_policy_default(&cp);
	sp.versions = cp.versions = versions;
	if (s12)
		snprintf(sp.ciphers_server, sizeof(sp.ciphers_server), "%s", s12);
	if (c12)
		snprintf(cp.ciphers_client, sizeof(cp.ciphers_client), "%s", c12);
	if (s13)
		snprintf(sp.suites_server, sizeof(sp.suites_server), "%s", s13);
	if (c13)
		snprintf(cp.suites_client, sizeof(cp.suites_client), "%s", c13);
	if (sg)
		snprintf(sp.groups, sizeof(sp.groups), "%s", sg);
	if (cg)
		snprintf(cp.groups, sizeof(cp.groups), "%s", cg);
	s = make(TLS_ROLE_SERVER, &sp, TLS_PKI_SERVER_EC, 0, 0);
	c = make(TLS_ROLE_CLIENT, &cp, NONE, 0, TLS_F_VERIFY_PEER);
	CU_ASSERT_FATAL(s && c);
	tls_test_handshake(s, c, "localhost", &r);
	if (want_cipher) {
		CU_ASSERT(r.ok);
		CU_ASSERT_STRING_EQUAL(r.cipher, want_cipher);
	} else {
		CU_ASSERT(!r.ok);
		CU_ASSERT_EQUAL(r.client.alert_recv, A_HANDSHAKE);
	}
	if ((want_cipher && (!r.ok || strcmp(r.cipher, want_cipher))) || (!want_cipher && r.ok))
		fprintf(stderr, "\n  %s: ok %d cipher %s alert %d", name, r.ok, r.cipher,
			r.client.alert_recv);
	SSL_CTX_free(s);
	SSL_CTX_free(c);
}

static void test_ciphers(void)
{
	cipher_case("1.2 same cipher", 4, "ECDHE-ECDSA-AES128-GCM-SHA256",
		    "ECDHE-ECDSA-AES128-GCM-SHA256", NULL, NULL, NULL, NULL,
		    "ECDHE-ECDSA-AES128-GCM-SHA256");
	/* The server's order wins (SSL_OP_CIPHER_SERVER_PREFERENCE). */
	cipher_case("1.2 server order", 4,
		    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384",
		    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305", NULL, NULL, NULL,
		    NULL, "ECDHE-ECDSA-CHACHA20-POLY1305");
	cipher_case("1.2 cipher mismatch", 4, "ECDHE-ECDSA-AES128-GCM-SHA256",
		    "ECDHE-ECDSA-AES256-GCM-SHA384", NULL, NULL, NULL, NULL, NULL);
	cipher_case("1.3 same suite", 8, NULL, NULL, "TLS_CHACHA20_POLY1305_SHA256",
		    "TLS_CHACHA20_POLY1305_SHA256", NULL, NULL, "TLS_CHACHA20_POLY1305_SHA256");
	cipher_case("1.3 suite mismatch", 8, NULL, NULL, "TLS_AES_128_GCM_SHA256",
		    "TLS_AES_256_GCM_SHA384", NULL, NULL, NULL);
	/* A 1.2 cipher list does not limit TLS 1.3. */
	cipher_case("1.3 ignores the 1.2 list", 8, "ECDHE-ECDSA-AES128-GCM-SHA256",
		    "ECDHE-ECDSA-AES256-GCM-SHA384", NULL, NULL, NULL, NULL,
		    "TLS_AES_256_GCM_SHA384");
	cipher_case("1.3 group mismatch", 8, NULL, NULL, NULL, NULL, "P-384", "X25519", NULL);
	cipher_case("1.3 group after retry", 8, NULL, NULL, NULL, NULL, "P-384", "X25519:P-384",
		    "TLS_AES_256_GCM_SHA384");
}

static void test_dhe(void)
{
	static const int sizes[] = {2048, 3072};
	struct tls_policy sp, cp;
	struct tls_hs r;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		tls_policy_default(&sp);
		tls_policy_default(&cp);
		sp.versions = cp.versions = 4;
		sp.dh_bits = sizes[i];
		snprintf(sp.ciphers_server, sizeof(sp.ciphers_server), "DHE-RSA-AES128-GCM-SHA256");
		snprintf(cp.ciphers_client, sizeof(cp.ciphers_client), "DHE-RSA-AES128-GCM-SHA256");
		SSL_CTX *s = make(TLS_ROLE_SERVER, &sp, TLS_PKI_SERVER_RSA, 0, 0);
		SSL_CTX *c = make(TLS_ROLE_CLIENT, &cp, NONE, 0, TLS_F_VERIFY_PEER);
		CU_ASSERT_FATAL(s && c);
		CU_ASSERT(tls_test_handshake(s, c, "localhost", &r));
		CU_ASSERT_STRING_EQUAL(r.cipher, "DHE-RSA-AES128-GCM-SHA256");
		SSL_CTX_free(s);
		SSL_CTX_free(c);
	}
}

/* Factory default: a generated self-signed certificate, trusted by pinning it. */
static void test_generated_material(void)
{
	char sdir[512], cdir[512], path[600], err[256], *pem;
	struct tls_policy p;
	unsigned added, skipped;
	SSL_CTX *s, *c;
	struct tls_hs r;
	size_t len;

	tls_policy_default(&p);
	tls_test_dir("gen-srv", sdir, sizeof(sdir));
	tls_test_dir("gen-cli", cdir, sizeof(cdir));
	CU_ASSERT_EQUAL_FATAL(tls_material_generate(sdir, TLS_KEY_EC_P256, 0, "CN=localhost,O=SBC",
						    30, err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL_FATAL(
	    tls_material_generate(cdir, TLS_KEY_RSA, 2048, "CN=peer.test", 30, err, sizeof(err)),
	    0);
	/* Each side trusts the other's certificate. */
	snprintf(path, sizeof(path), "%s/certificate.pem", sdir);
	pem = tls_test_slurp(path, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(cdir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	free(pem);
	snprintf(path, sizeof(path), "%s/certificate.pem", cdir);
	pem = tls_test_slurp(path, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(sdir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	free(pem);
	p.require_strict = 1;
	for (unsigned v = 4; v <= 8; v += 4) {
		p.versions = v;
		s = tls_ctx_build(&p, TLS_ROLE_SERVER, sdir, TLS_F_VERIFY_PEER, err, sizeof(err));
		c = tls_ctx_build(&p, TLS_ROLE_CLIENT, cdir, TLS_F_VERIFY_PEER, err, sizeof(err));
		CU_ASSERT_FATAL(s && c);
		CU_ASSERT(tls_test_handshake(s, c, "localhost", &r));
		CU_ASSERT_STRING_EQUAL(r.peer_cn, "peer.test");
		CU_ASSERT_EQUAL(r.version, v == 4 ? TLS1_2_VERSION : TLS1_3_VERSION);
		SSL_CTX_free(s);
		SSL_CTX_free(c);
	}
}

static void test_pki_files(void)
{
	char dir[512], path[600], *text;

	tls_test_dir("pki", dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(tls_pki_write_dir(dir), 0);
	snprintf(path, sizeof(path), "%s/server-ec.crt", dir);
	text = tls_test_slurp(path, NULL);
	CU_ASSERT(text && strstr(text, "BEGIN CERTIFICATE") &&
		  strstr(strstr(text, "END CERTIFICATE"), "BEGIN CERTIFICATE"));
	free(text);
	snprintf(path, sizeof(path), "%s/crl-all.pem", dir);
	text = tls_test_slurp(path, NULL);
	CU_ASSERT(text && strstr(strstr(text, "END X509 CRL"), "BEGIN X509 CRL"));
	free(text);
	for (int i = 0; i < TLS_PKI_N; i++) {
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s.key", dir, tls_pki_name(i));
		text = tls_test_slurp(path, NULL);
		CU_ASSERT(text && strstr(text, "PRIVATE KEY"));
		CU_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
		free(text);
	}
}

UNIT_SUITE(tls_handshake, {"server auth, mutual auth and refusals", test_cases},
	   {"cipher, suite and group agreement", test_ciphers}, {"DHE with DHKeySize", test_dhe},
	   {"generated self-signed material", test_generated_material},
	   {"PKI written as files", test_pki_files});

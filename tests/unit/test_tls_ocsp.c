/*
 * tls/ocsp: requests, the HTTP answer, and the judging of responses made here with the
 * test PKI (good, revoked, unknown; wrong nonce, wrong signer, wrong certificate, outside
 * the validity window, error status, garbage).
 */
#include <string.h>
#include <time.h>

#include <openssl/ocsp.h>

#include "tests/unit/tls_pki.h"
#include "tests/unit/unit.h"
#include "tls/ocsp.h"

#define LEAF   TLS_PKI_CLIENT_EC /* issued by INTER */
#define ISSUER TLS_PKI_INTER

struct resp_opts {
	int status; /* V_OCSP_CERTSTATUS_* */
	enum tls_pki_id signer;
	enum tls_pki_id about;   /* the certificate the answer names */
	long this_off, next_off; /* seconds from now; next_off 0: no nextUpdate */
	int nonce;               /* copy the request's nonce */
	int bad_nonce;           /* put another nonce */
	int resp_status;         /* OCSP_RESPONSE_STATUS_* */
};

static const struct resp_opts GOOD = {V_OCSP_CERTSTATUS_GOOD,         ISSUER, LEAF, -60, 3600, 1, 0,
				      OCSP_RESPONSE_STATUS_SUCCESSFUL};

static unsigned char *respond(const struct tls_ocsp_query *q, const struct resp_opts *o,
			      size_t *len)
{
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_CERTID *id = OCSP_cert_to_id(NULL, tls_pki_cert(o->about), tls_pki_issuer(o->about));
	ASN1_TIME *tu = X509_gmtime_adj(NULL, o->this_off);
	ASN1_TIME *nu = o->next_off ? X509_gmtime_adj(NULL, o->next_off) : NULL;
	ASN1_TIME *rev = X509_gmtime_adj(NULL, -7200);
	OCSP_RESPONSE *r = NULL;
	unsigned char *der = NULL;
	int n;

	OCSP_basic_add1_status(
	    bs, id, o->status,
	    o->status == V_OCSP_CERTSTATUS_REVOKED ? OCSP_REVOKED_STATUS_KEYCOMPROMISE : -1,
	    o->status == V_OCSP_CERTSTATUS_REVOKED ? rev : NULL, tu, nu);
	if (o->nonce)
		OCSP_copy_nonce(bs, q->req);
	if (o->bad_nonce)
		OCSP_basic_add1_nonce(bs, NULL, -1);
	OCSP_basic_sign(bs, tls_pki_cert(o->signer), tls_pki_key(o->signer), EVP_sha256(), NULL, 0);
	r = OCSP_response_create(o->resp_status,
				 o->resp_status == OCSP_RESPONSE_STATUS_SUCCESSFUL ? bs : NULL);
	n = r ? i2d_OCSP_RESPONSE(r, &der) : -1;
	*len = n > 0 ? (size_t)n : 0;
	OCSP_RESPONSE_free(r);
	OCSP_BASICRESP_free(bs);
	OCSP_CERTID_free(id);
	ASN1_TIME_free(tu);
	ASN1_TIME_free(nu);
	ASN1_TIME_free(rev);
	return der;
}

/* Judges the answer o to a fresh query about LEAF against a store holding ROOT. */
static enum tls_ocsp_status judge(const struct resp_opts *o, time_t *next, char *err, size_t errlen)
{
	struct tls_ocsp_query q;
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	unsigned char *der;
	size_t len;
	enum tls_ocsp_status st = TLS_OCSP_ERROR;

	CU_ASSERT_FATAL(tls_pki_init() == 0);
	sk_X509_push(chain, tls_pki_cert(LEAF));
	sk_X509_push(chain, tls_pki_cert(ISSUER));
	X509_STORE_add_cert(store, tls_pki_cert(TLS_PKI_ROOT));
	CU_ASSERT_FATAL(
	    tls_ocsp_query_new(&q, tls_pki_cert(LEAF), tls_pki_cert(ISSUER), err, errlen) == 0);
	der = respond(&q, o, &len);
	if (der)
		st = tls_ocsp_judge(der, len, &q, chain, store, time(NULL), next, err, errlen);
	OPENSSL_free(der);
	tls_ocsp_query_free(&q);
	sk_X509_free(chain);
	X509_STORE_free(store);
	return st;
}

static void test_statuses(void)
{
	struct resp_opts o = GOOD;
	time_t next = 0, now = time(NULL);
	char err[256] = "";

	CU_ASSERT_EQUAL(judge(&o, &next, err, sizeof(err)), TLS_OCSP_GOOD);
	CU_ASSERT(next >= now + 3500 && next <= now + 3700);
	o.status = V_OCSP_CERTSTATUS_REVOKED;
	CU_ASSERT_EQUAL(judge(&o, &next, err, sizeof(err)), TLS_OCSP_REVOKED);
	o.status = V_OCSP_CERTSTATUS_UNKNOWN;
	CU_ASSERT_EQUAL(judge(&o, &next, err, sizeof(err)), TLS_OCSP_UNKNOWN);
	/* no nonce echoed (a responder that caches its answers) is accepted */
	o = GOOD;
	o.nonce = 0;
	CU_ASSERT_EQUAL(judge(&o, &next, err, sizeof(err)), TLS_OCSP_GOOD);
	/* no nextUpdate: trusted for an hour */
	o = GOOD;
	o.next_off = 0;
	CU_ASSERT_EQUAL(judge(&o, &next, err, sizeof(err)), TLS_OCSP_GOOD);
	CU_ASSERT(next >= now + 3590 && next <= now + 3610);
}

static void test_refused_answers(void)
{
	static const struct {
		const char *what, *err;
		struct resp_opts o;
	} cases[] = {
	    {"another nonce",
	     "nonce",
	     {V_OCSP_CERTSTATUS_GOOD, ISSUER, LEAF, -60, 3600, 0, 1,
	      OCSP_RESPONSE_STATUS_SUCCESSFUL}},
	    {"signed by an unrelated CA",
	     "signer",
	     {V_OCSP_CERTSTATUS_GOOD, TLS_PKI_ROGUE_CA, LEAF, -60, 3600, 1, 0,
	      OCSP_RESPONSE_STATUS_SUCCESSFUL}},
	    {"signed by another end entity of the same CA (not delegated)",
	     "signer",
	     {V_OCSP_CERTSTATUS_GOOD, TLS_PKI_SERVER_EC, LEAF, -60, 3600, 1, 0,
	      OCSP_RESPONSE_STATUS_SUCCESSFUL}},
	    {"about another certificate",
	     "not about",
	     {V_OCSP_CERTSTATUS_GOOD, ISSUER, TLS_PKI_CLIENT_RSA, -60, 3600, 1, 0,
	      OCSP_RESPONSE_STATUS_SUCCESSFUL}},
	    {"nextUpdate passed",
	     "expired",
	     {V_OCSP_CERTSTATUS_GOOD, ISSUER, LEAF, -7200, -3600, 1, 0,
	      OCSP_RESPONSE_STATUS_SUCCESSFUL}},
	    {"thisUpdate in the future",
	     "future",
	     {V_OCSP_CERTSTATUS_GOOD, ISSUER, LEAF, 3600, 7200, 1, 0,
	      OCSP_RESPONSE_STATUS_SUCCESSFUL}},
	    {"tryLater",
	     "trylater",
	     {V_OCSP_CERTSTATUS_GOOD, ISSUER, LEAF, -60, 3600, 1, 0,
	      OCSP_RESPONSE_STATUS_TRYLATER}},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "";
		time_t next = 0;
		enum tls_ocsp_status st = judge(&cases[i].o, &next, err, sizeof(err));
		if (st != TLS_OCSP_ERROR || !strcasestr(err, cases[i].err))
			fprintf(stderr, "ocsp case '%s': status %s, err '%s'\n", cases[i].what,
				tls_ocsp_status_name(st), err);
		CU_ASSERT_EQUAL(st, TLS_OCSP_ERROR);
		CU_ASSERT_PTR_NOT_NULL(strcasestr(err, cases[i].err));
	}
}

static void test_garbage(void)
{
	struct tls_ocsp_query q;
	STACK_OF(X509) *chain = sk_X509_new_null();
	X509_STORE *store = X509_STORE_new();
	const unsigned char junk[] = "HTTP/1.0 200 OK\r\n\r\nnot DER";
	time_t next = 0;
	char err[256] = "";

	CU_ASSERT_FATAL(tls_pki_init() == 0);
	CU_ASSERT_FATAL(tls_ocsp_query_new(&q, tls_pki_cert(LEAF), tls_pki_cert(ISSUER), err,
					   sizeof(err)) == 0);
	CU_ASSERT_EQUAL(tls_ocsp_judge(junk, sizeof(junk), &q, chain, store, time(NULL), &next, err,
				       sizeof(err)),
			TLS_OCSP_ERROR);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not parse"));
	CU_ASSERT_EQUAL(tls_ocsp_query_new(&(struct tls_ocsp_query){0}, tls_pki_cert(LEAF), NULL,
					   err, sizeof(err)),
			-1);
	tls_ocsp_query_free(&q);
	sk_X509_free(chain);
	X509_STORE_free(store);
}

static void test_http(void)
{
	const unsigned char *body = NULL;
	size_t blen = 0;
	char err[128];
	const char *full = "HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n"
			   "Content-Length: 4\r\n\r\nABCD";
	const char *nolen = "HTTP/1.1 200 OK\r\n\r\nXYZ";

	CU_ASSERT_EQUAL(tls_ocsp_http_body(full, strlen(full), 0, &body, &blen, err, sizeof(err)),
			1);
	CU_ASSERT_EQUAL(blen, 4);
	CU_ASSERT(body && !memcmp(body, "ABCD", 4));
	/* more to come: the header, then the body */
	CU_ASSERT_EQUAL(tls_ocsp_http_body(full, 20, 0, &body, &blen, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(
	    tls_ocsp_http_body(full, strlen(full) - 1, 0, &body, &blen, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(
	    tls_ocsp_http_body(full, strlen(full) - 1, 1, &body, &blen, err, sizeof(err)), -1);
	/* no Content-Length: the body ends with the connection */
	CU_ASSERT_EQUAL(tls_ocsp_http_body(nolen, strlen(nolen), 0, &body, &blen, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(tls_ocsp_http_body(nolen, strlen(nolen), 1, &body, &blen, err, sizeof(err)),
			1);
	CU_ASSERT_EQUAL(blen, 3);
	CU_ASSERT_EQUAL(
	    tls_ocsp_http_body("HTTP/1.0 500 Oops\r\n\r\n", 21, 0, &body, &blen, err, sizeof(err)),
	    -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "500"));
	CU_ASSERT_EQUAL(
	    tls_ocsp_http_body("SIP/2.0 200 OK\r\n\r\n", 18, 0, &body, &blen, err, sizeof(err)),
	    -1);
}

static void test_request_and_key(void)
{
	struct tls_ocsp_query q;
	unsigned char k1[128], k2[128], k3[128];
	size_t n1, n2, n3;
	char out[4096], err[128];
	int len;

	CU_ASSERT_FATAL(tls_pki_init() == 0);
	CU_ASSERT_FATAL(tls_ocsp_query_new(&q, tls_pki_cert(LEAF), tls_pki_cert(ISSUER), err,
					   sizeof(err)) == 0);
	CU_ASSERT_PTR_NOT_NULL(OCSP_REQUEST_get_ext(
	    q.req, OCSP_REQUEST_get_ext_by_NID(q.req, NID_id_pkix_OCSP_Nonce, -1)));
	len = tls_ocsp_http_request(&q, "127.0.0.1", "/ocsp", out, sizeof(out));
	CU_ASSERT(len > (int)q.len);
	CU_ASSERT(!strncmp(out, "POST /ocsp HTTP/1.0\r\nHost: 127.0.0.1\r\n", 38));
	CU_ASSERT(!memcmp(out + len - q.len, q.der, q.len));
	CU_ASSERT_EQUAL(tls_ocsp_http_request(&q, "h", "/", out, 40), -1);
	tls_ocsp_query_free(&q);
	n1 = tls_ocsp_cache_key(tls_pki_cert(LEAF), tls_pki_cert(ISSUER), k1, sizeof(k1));
	n2 = tls_ocsp_cache_key(tls_pki_cert(LEAF), tls_pki_cert(ISSUER), k2, sizeof(k2));
	n3 = tls_ocsp_cache_key(tls_pki_cert(TLS_PKI_CLIENT_RSA), tls_pki_cert(ISSUER), k3,
				sizeof(k3));
	CU_ASSERT(n1 > 0 && n1 == n2 && !memcmp(k1, k2, n1));
	CU_ASSERT(n3 > 0 && (n3 != n1 || memcmp(k1, k3, n1)));
	CU_ASSERT_EQUAL(tls_ocsp_cache_key(tls_pki_cert(LEAF), NULL, k1, sizeof(k1)), 0);
	CU_ASSERT_EQUAL(tls_ocsp_cache_key(tls_pki_cert(LEAF), tls_pki_cert(ISSUER), k1, 8), 0);
}

UNIT_SUITE(tls_ocsp, {"good, revoked, unknown; nonce and nextUpdate optional", test_statuses},
	   {"answers refused: nonce, signer, certificate, window, status", test_refused_answers},
	   {"garbage and a missing issuer", test_garbage}, {"HTTP answers", test_http},
	   {"request with nonce, HTTP POST, cache key", test_request_and_key});

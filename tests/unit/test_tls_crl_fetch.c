/*
 * tls/crl_fetch: the URL a certificate's CRL distribution points name, URL splitting, the GET
 * request, and which fetched CRLs may be put in force (issuer, signature, key usage, delta, times,
 * rollback), with the test PKI.
 */
#include <string.h>
#include <time.h>

#include <openssl/x509v3.h>

#include "tests/unit/tls_pki.h"
#include "tests/unit/unit.h"
#include "tls/crl_fetch.h"

/* A copy of CLIENT_EC with a CRL distribution points extension (value as openssl.cnf writes it),
 * signed again by its issuer. */
static X509 *with_cdp(const char *value)
{
	X509 *x = X509_dup(tls_pki_cert(TLS_PKI_CLIENT_EC));
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL, NID_crl_distribution_points, value);

	CU_ASSERT_FATAL(x && ext);
	CU_ASSERT_FATAL(X509_add_ext(x, ext, -1) == 1);
	CU_ASSERT_FATAL(X509_sign(x, tls_pki_key(TLS_PKI_INTER), EVP_sha256()) > 0);
	X509_EXTENSION_free(ext);
	return x;
}

static void test_dp_url(void)
{
	char url[256];
	X509 *x;

	CU_ASSERT_FATAL(tls_pki_init() == 0);
	CU_ASSERT(tls_crl_dp_url(tls_pki_cert(TLS_PKI_CLIENT_EC), url, sizeof(url)) == -1);
	x = with_cdp("URI:http://10.0.0.1:8080/inter.crl");
	CU_ASSERT(tls_crl_dp_url(x, url, sizeof(url)) == 0);
	CU_ASSERT_STRING_EQUAL(url, "http://10.0.0.1:8080/inter.crl");
	CU_ASSERT(tls_crl_dp_url(x, url, 10) == -1); /* does not fit: none rather than cut */
	X509_free(x);
	/* the first http:// one: ldap first is skipped */
	x = with_cdp("URI:ldap://10.0.0.9/cn=x,URI:HTTP://[::1]/a.crl");
	CU_ASSERT(tls_crl_dp_url(x, url, sizeof(url)) == 0);
	CU_ASSERT_STRING_EQUAL(url, "HTTP://[::1]/a.crl");
	X509_free(x);
	x = with_cdp("URI:ldap://10.0.0.9/cn=x");
	CU_ASSERT(tls_crl_dp_url(x, url, sizeof(url)) == -1);
	X509_free(x);
}

static void test_url_split(void)
{
	static const struct {
		const char *url, *host, *path;
		unsigned port;
	} good[] = {
	    {"http://10.0.0.1/x.crl", "10.0.0.1", "/x.crl", 80},
	    {"http://10.0.0.1:8080/a/b.crl", "10.0.0.1", "/a/b.crl", 8080},
	    {"http://10.0.0.1", "10.0.0.1", "/", 80},
	    {"http://10.0.0.1:81?x=1#frag", "10.0.0.1", "/?x=1", 81},
	    {"http://[::1]:8080/c.crl", "::1", "/c.crl", 8080},
	    {"HTTP://crl.example.com/c.crl", "crl.example.com", "/c.crl", 80},
	};
	static const char *const bad[] = {
	    "https://10.0.0.1/x.crl", "http:///x.crl",        "http://10.0.0.1:0/x",
	    "http://10.0.0.1:99999/", "http://10.0.0.1:8x/",  "http://[::1/x",
	    "http://[::1]x/",         "http://a@10.0.0.1/x",  "http://10.0.0.1/a b",
	    "http://10.0.0.1:/x",     "ldap://10.0.0.1/cn=x",
	};
	char host[64], path[64];
	unsigned port;

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT(tls_http_url_split(good[i].url, host, sizeof(host), &port, path,
					     sizeof(path)) == 0);
		CU_ASSERT_STRING_EQUAL(host, good[i].host);
		CU_ASSERT_STRING_EQUAL(path, good[i].path);
		CU_ASSERT_EQUAL(port, good[i].port);
	}
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT(tls_http_url_split(bad[i], host, sizeof(host), &port, path,
					     sizeof(path)) == -1);
	CU_ASSERT(tls_http_url_split("http://10.0.0.1/a-long-path", host, sizeof(host), &port, path,
				     8) == -1);
}

static void test_request(void)
{
	char out[256];

	CU_ASSERT(tls_crl_http_request("10.0.0.1", 8080, "/x.crl", out, sizeof(out)) > 0);
	CU_ASSERT(strncmp(out, "GET /x.crl HTTP/1.0\r\nHost: 10.0.0.1:8080\r\n", 42) == 0);
	CU_ASSERT(strstr(out, "Connection: close\r\n\r\n") != NULL);
	CU_ASSERT(tls_crl_http_request("::1", 80, "/", out, sizeof(out)) > 0);
	CU_ASSERT(strstr(out, "Host: [::1]:80\r\n") != NULL);
	CU_ASSERT(tls_crl_http_request("10.0.0.1", 80, "/x", out, 20) == -1);
}

/* A copy of crl with lastUpdate now + off, signed by signer. */
static X509_CRL *resigned(X509_CRL *crl, long off, enum tls_pki_id signer)
{
	X509_CRL *c = X509_CRL_dup(crl);
	ASN1_TIME *t = X509_gmtime_adj(NULL, off);

	CU_ASSERT_FATAL(c && t && X509_CRL_set1_lastUpdate(c, t));
	CU_ASSERT_FATAL(X509_CRL_sign(c, tls_pki_key(signer), EVP_sha256()) > 0);
	ASN1_TIME_free(t);
	return c;
}

static void test_accept(void)
{
	X509 *inter, *root;
	X509_CRL *crl, *newer, *future, *forged;
	time_t now = time(NULL);
	char err[200];

	CU_ASSERT_FATAL(tls_pki_init() == 0);
	inter = tls_pki_cert(TLS_PKI_INTER);
	root = tls_pki_cert(TLS_PKI_ROOT);
	crl = tls_pki_crl(TLS_PKI_CRL_INTER);
	CU_ASSERT(tls_crl_accept(crl, inter, NULL, now, err, sizeof(err)) == 0);
	/* a stale CRL is still taken (its revocations apply; the alarm is the caller's) */
	CU_ASSERT(tls_crl_accept(tls_pki_crl(TLS_PKI_CRL_INTER_STALE), inter, NULL, now, err,
				 sizeof(err)) == 0);
	CU_ASSERT(tls_crl_accept(crl, root, NULL, now, err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "not issued by") != NULL);
	CU_ASSERT(tls_crl_accept(tls_pki_crl(TLS_PKI_CRL_ROGUE), inter, NULL, now, err,
				 sizeof(err)) == -1);
	/* the right name, the wrong key */
	forged = resigned(crl, -60, TLS_PKI_ROGUE_CA);
	CU_ASSERT(tls_crl_accept(forged, inter, NULL, now, err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "not signed by") != NULL);
	/* rollback: an older CRL does not replace a newer one; the same or newer does */
	newer = resigned(crl, -60, TLS_PKI_INTER);
	CU_ASSERT(tls_crl_accept(newer, inter, crl, now, err, sizeof(err)) == 0);
	CU_ASSERT(tls_crl_accept(crl, inter, newer, now, err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "older") != NULL);
	CU_ASSERT(tls_crl_accept(crl, inter, crl, now, err, sizeof(err)) == 0);
	future = resigned(crl, 3600, TLS_PKI_INTER);
	CU_ASSERT(tls_crl_accept(future, inter, NULL, now, err, sizeof(err)) == -1);
	CU_ASSERT(strstr(err, "future") != NULL);
	/* a leaf (key usage without cRLSign) may not sign CRLs */
	X509_CRL *byleaf = X509_CRL_dup(crl);
	CU_ASSERT_FATAL(byleaf != NULL);
	X509_CRL_set_issuer_name(byleaf, X509_get_subject_name(tls_pki_cert(TLS_PKI_SERVER_EC)));
	X509_CRL_sign(byleaf, tls_pki_key(TLS_PKI_SERVER_EC), EVP_sha256());
	CU_ASSERT(tls_crl_accept(byleaf, tls_pki_cert(TLS_PKI_SERVER_EC), NULL, now, err,
				 sizeof(err)) == -1);
	X509_CRL_free(byleaf);
	X509_CRL_free(forged);
	X509_CRL_free(newer);
	X509_CRL_free(future);
}

UNIT_SUITE(tls_crl_fetch, {"dp_url", test_dp_url}, {"url_split", test_url_split},
	   {"request", test_request}, {"accept", test_accept});

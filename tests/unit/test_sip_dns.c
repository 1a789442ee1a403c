/*
 * The pure parts of DNS routing (sbc/sip/sip_dns.h, sip_proxy_tls.c): RFC 3263 method by the
 * form of the address, NAPTR selection, SRV ordering by priority and weight (RFC 2782), and
 * the certificate name check of outgoing TLS (SAN DNS with wildcards, then CN).
 */
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "sbc/sip/sip_dns.h"
#include "sbc/sip/sip_internal.h"
#include "tests/unit/unit.h"

static void test_method(void)
{
	static const struct {
		int cfg, port, tr, want;
	} cases[] = {
	    {-1, 0, 0, SIP_DNS_NAPTR}, {-1, 1, 0, SIP_DNS_A},    {-1, 0, 1, SIP_DNS_SRV},
	    {-1, 1, 1, SIP_DNS_A},     {0, 0, 0, SIP_DNS_A},     {1, 1, 0, SIP_DNS_SRV},
	    {2, 1, 1, SIP_DNS_NAPTR},  {7, 0, 0, SIP_DNS_NAPTR},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(sip_dns_method_for(cases[i].cfg, cases[i].port, cases[i].tr),
				cases[i].want);
	CU_ASSERT(sip_dns_is_literal("127.0.0.1"));
	CU_ASSERT(sip_dns_is_literal("::1"));
	CU_ASSERT(sip_dns_is_literal("[2001:db8::1]"));
	CU_ASSERT(sip_dns_is_literal("LocalHost"));
	CU_ASSERT(!sip_dns_is_literal("trunk.example"));
	CU_ASSERT(!sip_dns_is_literal("1.2.3.4.example"));
	CU_ASSERT_STRING_EQUAL(sip_dns_srv_prefix(2), "_sips._tcp.");
	CU_ASSERT_STRING_EQUAL(sip_dns_srv_prefix(1), "_sip._tcp.");
	CU_ASSERT_STRING_EQUAL(sip_dns_srv_prefix(0), "_sip._udp.");
}

static void test_naptr(void)
{
	struct sip_dns_naptr r[] = {
	    {20, 10, "s", "SIP+D2U", "_sip._udp.x"},   {10, 20, "s", "SIP+D2T", "_sip._tcp.x"},
	    {10, 10, "s", "SIPS+D2T", "_sips._tcp.x"}, {5, 1, "u", "E2U+sip", "!^.*$!x!"},
	    {5, 1, "s", "SIP+D2S", "_sip._sctp.x"},    {1, 1, "s", "SIP+D2U", ""},
	};
	struct sip_dns_naptr c[6];
	unsigned n;

	memcpy(c, r, sizeof(r));
	n = sip_dns_naptr_select(c, 6, -1, 0);
	CU_ASSERT_EQUAL(n, 3); /* not "u", not SCTP, not an empty replacement */
	CU_ASSERT_STRING_EQUAL(c[0].replace, "_sips._tcp.x"); /* order 10 pref 10 */
	CU_ASSERT_STRING_EQUAL(c[1].replace, "_sip._tcp.x");  /* order 10 pref 20 */
	CU_ASSERT_STRING_EQUAL(c[2].replace, "_sip._udp.x");  /* order 20 */
	memcpy(c, r, sizeof(r));
	n = sip_dns_naptr_select(c, 6, -1, 1); /* sips: TLS only */
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(c[0].services, "SIPS+D2T");
	memcpy(c, r, sizeof(r));
	n = sip_dns_naptr_select(c, 6, 0, 0); /* transport given: only it */
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(c[0].replace, "_sip._udp.x");
	CU_ASSERT_EQUAL(sip_dns_naptr_transport("sips+d2t"), 2);
	CU_ASSERT_EQUAL(sip_dns_naptr_transport("SIP+D2S"), -1);
}

static unsigned zero(unsigned max)
{
	(void)max;
	return 0;
}

static unsigned last(unsigned max)
{
	return max - 1;
}

static unsigned rnd(unsigned max)
{
	return (unsigned)random() % max;
}

static void test_srv(void)
{
	struct sip_dns_srv r[] = {
	    {20, 40, 5062, 0, "b"},  {10, 60, 5060, 0, "a1"}, {10, 0, 5060, 0, "z"},
	    {10, 40, 5061, 0, "a2"}, {5, 0, 5000, 0, "p"},
	};
	struct sip_dns_srv c[5];
	unsigned first = 0, n = 20000;

	memcpy(c, r, sizeof(r));
	sip_dns_srv_order(c, 5, zero);
	/* priority first; within priority 10 a draw of 0 takes the first non-zero weight */
	CU_ASSERT_STRING_EQUAL(c[0].target, "p");
	CU_ASSERT_EQUAL(c[1].priority, 10);
	CU_ASSERT_EQUAL(c[3].priority, 10);
	CU_ASSERT_STRING_EQUAL(c[3].target, "z"); /* weight 0 after the weighted ones */
	CU_ASSERT_STRING_EQUAL(c[4].target, "b");
	memcpy(c, r, sizeof(r));
	sip_dns_srv_order(c, 5, last);
	CU_ASSERT_STRING_EQUAL(c[1].target, "a1"); /* the top of the sum is the heavier (60) */
	CU_ASSERT_STRING_EQUAL(c[2].target, "a2");
	CU_ASSERT_STRING_EQUAL(c[3].target, "z");
	/* weights 60 / 40: the first of priority 10 is a1 about 60% of the time */
	srandom(7);
	for (unsigned i = 0; i < n; i++) {
		memcpy(c, r, sizeof(r));
		sip_dns_srv_order(c, 5, rnd);
		first += !strcmp(c[1].target, "a1");
		CU_ASSERT_STRING_NOT_EQUAL(c[1].target, "z");
	}
	CU_ASSERT(first > n * 57 / 100 && first < n * 63 / 100);
}

/* A self-signed certificate with CN cn and, when san is not NULL, that subjectAltName. */
static X509 *cert_make(const char *cn, const char *san)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509V3_CTX v3;

	if (!k || !x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (san) {
		X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name, san);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(x, k, EVP_sha256());
	EVP_PKEY_free(k);
	return x;
}

static void test_cert_names(void)
{
	X509 *wild = cert_make("peer.secure.test", "DNS:*.secure.test,IP:127.0.0.1");
	X509 *cn = cert_make("cn.example", NULL);
	X509 *other = cert_make("sip.secure.test", "DNS:other.example");

	CU_ASSERT_FATAL(wild && cn && other);
	CU_ASSERT(sip_ctls_name_match(wild, "sip.secure.test"));
	CU_ASSERT(sip_ctls_name_match(wild, "SIP.Secure.Test"));
	CU_ASSERT(!sip_ctls_name_match(wild, "secure.test"));     /* the wildcard needs a label */
	CU_ASSERT(!sip_ctls_name_match(wild, "a.b.secure.test")); /* ... exactly one */
	CU_ASSERT(!sip_ctls_name_match(wild, "peer.insecure.test"));
	CU_ASSERT(sip_ctls_name_match(wild, "127.0.0.1")); /* an address: SAN IP */
	CU_ASSERT(!sip_ctls_name_match(wild, "127.0.0.2"));
	CU_ASSERT(sip_ctls_name_match(cn, "cn.example")); /* no SAN DNS: the CN */
	CU_ASSERT(!sip_ctls_name_match(cn, "other.example"));
	/* a SAN DNS present: the CN no longer counts */
	CU_ASSERT(!sip_ctls_name_match(other, "sip.secure.test"));
	CU_ASSERT(sip_ctls_name_match(other, "other.example"));
	X509_free(wild);
	X509_free(cn);
	X509_free(other);
}

UNIT_SUITE(sip_dns, {"RFC 3263 method by the form of the address", test_method},
	   {"NAPTR selection and order", test_naptr}, {"SRV priority and weights", test_srv},
	   {"certificate names: SAN DNS with wildcards, then CN", test_cert_names});

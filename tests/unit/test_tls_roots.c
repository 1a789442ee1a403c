/* Trusted roots and CRLs: import, dedupe, list, delete, and every refusal. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>

#include "tests/unit/test_tls_util.h"
#include "tests/unit/tls_pki.h"
#include "tests/unit/unit.h"
#include "tls/material.h"

#define BIG (5u << 20)

static char err[512], warn[512];

/* PEM of several certificates (ids up to -1), with bundle-style comments between. */
static char *bundle(const int *ids, size_t *len)
{
	char *acc = strdup("# test bundle\n"), *next, *pem;

	for (int i = 0; ids[i] >= 0; i++) {
		pem = tls_pki_cert_pem(ids[i], 0, NULL);
		if (asprintf(&next, "%s\n# %s\n%s", acc, tls_pki_name(ids[i]), pem) < 0)
			abort();
		free(pem);
		free(acc);
		acc = next;
	}
	*len = strlen(acc);
	return acc;
}

static unsigned nroots(const char *dir)
{
	struct tls_cert_info *info = NULL;
	unsigned n = 99;

	CU_ASSERT_EQUAL(tls_material_list_roots(dir, &info, &n, err, sizeof(err)), 0);
	free(info);
	return n;
}

static void test_import_and_list(void)
{
	static const int two[] = {TLS_PKI_ROOT, TLS_PKI_INTER, -1};
	struct tls_cert_info *info = NULL;
	unsigned added = 9, skipped = 9, n = 0;
	unsigned char md[32];
	char dir[512], hex[4], *pem;
	size_t len;

	tls_test_dir("roots", dir, sizeof(dir));
	CU_ASSERT_EQUAL(tls_material_list_roots(dir, &info, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(info);
	pem = bundle(two, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(dir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	free(pem);
	CU_ASSERT_EQUAL(added, 2);
	CU_ASSERT_EQUAL(skipped, 0);
	CU_ASSERT_EQUAL_FATAL(tls_material_list_roots(dir, &info, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_EQUAL(info[0].index, 0);
	CU_ASSERT_EQUAL(info[1].index, 1);
	CU_ASSERT_STRING_EQUAL(info[0].subject, "CN=Test Root CA,O=SBC Test");
	CU_ASSERT_STRING_EQUAL(info[0].issuer, "CN=Test Root CA,O=SBC Test");
	CU_ASSERT_STRING_EQUAL(info[1].subject, "CN=Test Intermediate CA,O=SBC Test");
	CU_ASSERT_STRING_EQUAL(info[1].issuer, "CN=Test Root CA,O=SBC Test");
	CU_ASSERT_STRING_EQUAL(info[0].serial, "1000");
	CU_ASSERT_EQUAL(info[0].is_ca, 1);
	CU_ASSERT_EQUAL(info[1].is_ca, 1);
	CU_ASSERT_EQUAL(info[0].not_after - info[0].not_before, 3651L * 86400);
	X509_digest(tls_pki_cert(TLS_PKI_INTER), EVP_sha256(), md, NULL);
	snprintf(hex, sizeof(hex), "%02X:", md[0]);
	CU_ASSERT_EQUAL(strncmp(info[1].sha256, hex, 3), 0);
	snprintf(hex, sizeof(hex), "%02X", md[31]);
	CU_ASSERT_STRING_EQUAL(info[1].sha256 + 93, hex);
	free(info);
}

static void test_duplicates(void)
{
	static const int two[] = {TLS_PKI_ROOT, TLS_PKI_INTER, -1};
	static const int dup[] = {TLS_PKI_ROOT, TLS_PKI_ROGUE_CA, TLS_PKI_ROGUE_CA, -1};
	unsigned added, skipped;
	struct tls_snap a, b;
	unsigned char *der;
	char dir[512], *pem;
	size_t len;

	tls_test_dir("dups", dir, sizeof(dir));
	pem = bundle(two, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(dir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	/* The same bundle again: nothing added, the file is not even rewritten. */
	tls_snap_take(dir, &a);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(dir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	tls_snap_take(dir, &b);
	CU_ASSERT(tls_snap_equal(&a, &b));
	tls_snap_free(&a);
	tls_snap_free(&b);
	free(pem);
	CU_ASSERT_EQUAL(added, 0);
	CU_ASSERT_EQUAL(skipped, 2);
	/* Duplicates against the file and inside the bundle. */
	pem = bundle(dup, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(dir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	free(pem);
	CU_ASSERT_EQUAL(added, 1);
	CU_ASSERT_EQUAL(skipped, 2);
	CU_ASSERT_EQUAL(nroots(dir), 3);
	/* One DER certificate; a non-CA is accepted (pinning a peer) and listed as such. */
	der = tls_pki_cert_der(TLS_PKI_ROGUE, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(dir, der, len, &added, &skipped, err, sizeof(err)), 0);
	free(der);
	CU_ASSERT_EQUAL(added, 1);
	{
		struct tls_cert_info *info;
		unsigned n;
		CU_ASSERT_EQUAL(tls_material_list_roots(dir, &info, &n, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL_FATAL(n, 4);
		CU_ASSERT_EQUAL(info[3].is_ca, 0);
		CU_ASSERT_STRING_EQUAL(info[2].subject, "CN=Rogue CA,O=SBC Test");
		free(info);
	}
}

static void test_roots_refused(void)
{
	static const int one[] = {TLS_PKI_ROOT, -1};
	unsigned added = 7, skipped = 7;
	char dir[512], *pem, *crl, *key, *mixed, *big;
	size_t len;

	tls_test_dir("badroots", dir, sizeof(dir));
	pem = bundle(one, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(dir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	TLS_REFUSED(dir, tls_material_import_roots(dir, "", 0, &added, &skipped, err, sizeof(err)),
		    "trusted roots is empty");
	TLS_REFUSED(dir,
		    tls_material_import_roots(dir, "# only a comment\n", 17, &added, &skipped, err,
					      sizeof(err)),
		    "neither PEM nor a DER certificate");
	CU_ASSERT_EQUAL(added, 0);
	CU_ASSERT_EQUAL(skipped, 0);
	/* A valid certificate followed by a CRL: the whole bundle is refused. */
	crl = tls_pki_crl_pem(TLS_PKI_CRL_ROOT, NULL);
	free(pem);
	pem = tls_pki_cert_pem(TLS_PKI_ROGUE_CA, 0, NULL);
	CU_ASSERT_FATAL(asprintf(&mixed, "%s%s", pem, crl) > 0);
	TLS_REFUSED(dir,
		    tls_material_import_roots(dir, mixed, strlen(mixed), &added, &skipped, err,
					      sizeof(err)),
		    "PEM block 2 is a X509 CRL, not a certificate");
	free(mixed);
	key = tls_pki_key_pem(TLS_PKI_ROGUE_CA, NULL, NULL);
	CU_ASSERT_FATAL(asprintf(&mixed, "%s%s", pem, key) > 0);
	TLS_REFUSED(dir,
		    tls_material_import_roots(dir, mixed, strlen(mixed), &added, &skipped, err,
					      sizeof(err)),
		    "PEM block 2 is a PRIVATE KEY, not a certificate");
	/* Cut inside the second block's body, then inside its BEGIN line. */
	TLS_REFUSED(dir,
		    tls_material_import_roots(dir, mixed, strlen(pem) + 60, &added, &skipped, err,
					      sizeof(err)),
		    "PEM block 2 is malformed");
	TLS_REFUSED(dir,
		    tls_material_import_roots(dir, mixed, strlen(pem) + 15, &added, &skipped, err,
					      sizeof(err)),
		    "PEM block 2 is truncated or malformed");
	free(mixed);
	free(key);
	free(crl);
	free(pem);
	big = malloc(BIG);
	memset(big, 'x', BIG);
	TLS_REFUSED(dir,
		    tls_material_import_roots(dir, big, BIG, &added, &skipped, err, sizeof(err)),
		    "file too large");
	free(big);
	CU_ASSERT_EQUAL(nroots(dir), 1);
}

static void test_delete(void)
{
	static const int three[] = {TLS_PKI_ROOT, TLS_PKI_INTER, TLS_PKI_ROGUE_CA, -1};
	struct tls_cert_info *info;
	unsigned added, skipped, n;
	char dir[512], path[600], *pem;
	size_t len;

	tls_test_dir("delete", dir, sizeof(dir));
	TLS_REFUSED(dir, tls_material_delete_root(dir, 0, err, sizeof(err)),
		    "no trusted root at index 0 (there are 0)");
	pem = bundle(three, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(dir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	free(pem);
	TLS_REFUSED(dir, tls_material_delete_root(dir, 3, err, sizeof(err)),
		    "no trusted root at index 3 (there are 3)");
	CU_ASSERT_EQUAL(tls_material_delete_root(dir, 1, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(tls_material_list_roots(dir, &info, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(info[0].subject, "CN=Test Root CA,O=SBC Test");
	CU_ASSERT_STRING_EQUAL(info[1].subject, "CN=Rogue CA,O=SBC Test");
	CU_ASSERT_EQUAL(info[1].index, 1);
	free(info);
	CU_ASSERT_EQUAL(tls_material_delete_root(dir, 0, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(tls_material_delete_root(dir, 0, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/trusted-roots.pem", dir);
	CU_ASSERT_EQUAL(access(path, F_OK), -1);
	CU_ASSERT_EQUAL(nroots(dir), 0);
}

static int crls_in(const char *dir)
{
	char path[600], *text, *p;
	int n = 0;

	snprintf(path, sizeof(path), "%s/crl.pem", dir);
	if (!(text = tls_test_slurp(path, NULL)))
		return 0;
	for (p = text; (p = strstr(p, "BEGIN X509 CRL")); p++)
		n++;
	free(text);
	return n;
}

static void test_crl(void)
{
	static const int two[] = {TLS_PKI_ROOT, TLS_PKI_INTER, -1};
	unsigned added, skipped;
	unsigned char *der = NULL;
	char dir[512], *pem;
	size_t len;
	int n;

	tls_test_dir("crl", dir, sizeof(dir));
	pem = tls_pki_crl_pem(TLS_PKI_CRL_INTER, &len);
	TLS_REFUSED(dir,
		    tls_material_import_crl(dir, pem, len, warn, sizeof(warn), err, sizeof(err)),
		    "is not a trusted root");
	free(pem);
	pem = bundle(two, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(dir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	free(pem);
	pem = tls_pki_crl_pem(TLS_PKI_CRL_INTER, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_crl(dir, pem, len, warn, sizeof(warn), err, sizeof(err)), 0);
	free(pem);
	CU_ASSERT_STRING_EQUAL(warn, "");
	CU_ASSERT_EQUAL(crls_in(dir), 1);
	/* DER, another issuer: kept beside the first. */
	n = i2d_X509_CRL(tls_pki_crl(TLS_PKI_CRL_ROOT), &der);
	CU_ASSERT_EQUAL(
	    tls_material_import_crl(dir, der, (size_t)n, warn, sizeof(warn), err, sizeof(err)), 0);
	OPENSSL_free(der);
	CU_ASSERT_EQUAL(crls_in(dir), 2);
	/* Same issuer: replaces; a stale one warns. */
	pem = tls_pki_crl_pem(TLS_PKI_CRL_INTER_STALE, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_crl(dir, pem, len, warn, sizeof(warn), err, sizeof(err)), 0);
	free(pem);
	CU_ASSERT_EQUAL(crls_in(dir), 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(warn, "is past its next update"));
	CU_ASSERT_EQUAL(tls_material_delete_crl(dir, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(crls_in(dir), 0);
	CU_ASSERT_EQUAL(tls_material_delete_crl(dir, err, sizeof(err)), 0);
}

static void test_crl_refused(void)
{
	static const int two[] = {TLS_PKI_ROOT, TLS_PKI_INTER, -1};
	unsigned added, skipped;
	char dir[512], *pem, *big;
	X509_CRL *forged;
	size_t len;
	BIO *b;

	tls_test_dir("badcrl", dir, sizeof(dir));
	pem = bundle(two, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_roots(dir, pem, len, &added, &skipped, err, sizeof(err)), 0);
	free(pem);
	pem = tls_pki_crl_pem(TLS_PKI_CRL_ROOT, &len);
	CU_ASSERT_EQUAL(
	    tls_material_import_crl(dir, pem, len, warn, sizeof(warn), err, sizeof(err)), 0);
	free(pem);
	pem = tls_pki_crl_pem(TLS_PKI_CRL_ROGUE, &len);
	TLS_REFUSED(dir,
		    tls_material_import_crl(dir, pem, len, warn, sizeof(warn), err, sizeof(err)),
		    "CRL 1: its issuer \"CN=Rogue CA,O=SBC Test\" is not a trusted root");
	free(pem);
	/* The intermediate's name, signed by another key: the name alone is not enough. */
	forged = X509_CRL_dup(tls_pki_crl(TLS_PKI_CRL_INTER));
	CU_ASSERT_FATAL(X509_CRL_sign(forged, tls_pki_key(TLS_PKI_ROGUE_CA), EVP_sha256()) > 0);
	b = BIO_new(BIO_s_mem());
	PEM_write_bio_X509_CRL(b, forged);
	len = (size_t)BIO_get_mem_data(b, &pem);
	TLS_REFUSED(dir,
		    tls_material_import_crl(dir, pem, len, warn, sizeof(warn), err, sizeof(err)),
		    "\"CN=Test Intermediate CA,O=SBC Test\" is not a trusted root");
	BIO_free(b);
	X509_CRL_free(forged);
	pem = tls_pki_cert_pem(TLS_PKI_ROOT, 0, &len);
	TLS_REFUSED(dir,
		    tls_material_import_crl(dir, pem, len, warn, sizeof(warn), err, sizeof(err)),
		    "CRL: PEM block 1 is a CERTIFICATE, not a CRL");
	free(pem);
	TLS_REFUSED(dir,
		    tls_material_import_crl(dir, "\x30\x03\x02\x01\x01", 5, warn, sizeof(warn), err,
					    sizeof(err)),
		    "neither PEM nor a DER CRL");
	TLS_REFUSED(dir, tls_material_import_crl(dir, "", 0, warn, sizeof(warn), err, sizeof(err)),
		    "CRL is empty");
	big = malloc(BIG);
	memset(big, 'c', BIG);
	TLS_REFUSED(dir,
		    tls_material_import_crl(dir, big, BIG, warn, sizeof(warn), err, sizeof(err)),
		    "file too large");
	free(big);
	CU_ASSERT_EQUAL(crls_in(dir), 1);
}

UNIT_SUITE(tls_roots, {"import a bundle and list it", test_import_and_list},
	   {"duplicates skipped; DER; non-CA listed", test_duplicates},
	   {"bad bundles refused whole", test_roots_refused}, {"delete by index", test_delete},
	   {"CRL import, replace, delete", test_crl}, {"CRL refusals", test_crl_refused});

/* Device certificate and key material: generate, CSR, import, show, and every refusal. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tests/unit/test_tls_util.h"
#include "tests/unit/tls_pki.h"
#include "tests/unit/unit.h"
#include "tls/material.h"

#define BIG (5u << 20)

static char err[512], warn[512];

static mode_t mode_of(const char *dir, const char *name)
{
	char path[600];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static X509 *stored_cert(const char *dir)
{
	char path[600], *pem;
	X509 *x = NULL;
	BIO *b;

	snprintf(path, sizeof(path), "%s/certificate.pem", dir);
	if (!(pem = tls_test_slurp(path, NULL)))
		return NULL;
	b = BIO_new_mem_buf(pem, -1);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	free(pem);
	return x;
}

static int count_in_file(const char *dir, const char *name, const char *what)
{
	char path[600], *text, *p;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(text = tls_test_slurp(path, NULL)))
		return -1;
	for (p = text; (p = strstr(p, what)); p++)
		n++;
	free(text);
	return n;
}

/* A directory holding the key (and, when with_cert, the chain) of a PKI entity. */
static const char *setup(char *dir, size_t len, enum tls_pki_id id, int with_cert)
{
	size_t n;
	char *pem;

	tls_test_dir("mat", dir, len);
	pem = tls_pki_key_pem(id, NULL, &n);
	CU_ASSERT_EQUAL(
	    tls_material_import_key(dir, pem, n, NULL, warn, sizeof(warn), err, sizeof(err)), 0);
	free(pem);
	if (with_cert) {
		pem = tls_pki_cert_pem(id, 1, &n);
		CU_ASSERT_EQUAL(
		    tls_material_import_cert(dir, pem, n, warn, sizeof(warn), err, sizeof(err)), 0);
		free(pem);
	}
	return dir;
}

static void test_generate(void)
{
	struct tls_cert_info info;
	char dir[512];
	int match = -1;
	X509 *x;

	tls_test_dir("gen", dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(tls_material_generate(dir, TLS_KEY_EC_P256, 0,
						    "CN=sbc.example.com,O=Example", 365, err,
						    sizeof(err)),
			      0);
	CU_ASSERT_EQUAL(mode_of(dir, "private-key.pem"), 0600);
	CU_ASSERT_EQUAL(mode_of(dir, "certificate.pem"), 0644);
	CU_ASSERT_EQUAL(tls_material_check_key_perms(dir, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL_FATAL(tls_material_cert_info(dir, &info, &match, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(match, 1);
	CU_ASSERT_STRING_EQUAL(info.subject, "CN=sbc.example.com,O=Example");
	CU_ASSERT_STRING_EQUAL(info.issuer, info.subject);
	CU_ASSERT_STRING_EQUAL(info.san, "DNS:sbc.example.com");
	CU_ASSERT_STRING_EQUAL(info.key_type, "EC P-256");
	CU_ASSERT_EQUAL(info.not_after - info.not_before, 365L * 86400);
	CU_ASSERT(labs((long)(info.not_before - time(NULL))) < 120);
	CU_ASSERT_EQUAL(info.is_ca, 0);
	CU_ASSERT_EQUAL(strlen(info.sha256), 95);
	CU_ASSERT(strlen(info.serial) >= 16);
	x = stored_cert(dir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(X509_get_extended_key_usage(x) & (XKU_SSL_SERVER | XKU_SSL_CLIENT),
			XKU_SSL_SERVER | XKU_SSL_CLIENT);
	CU_ASSERT_EQUAL(X509_check_host(x, "sbc.example.com", 0, 0, NULL), 1);
	X509_free(x);
	CU_ASSERT_EQUAL(count_in_file(dir, "private-key.pem", "BEGIN PRIVATE KEY"), 1);
}

static void test_generate_variants(void)
{
	struct tls_cert_info a, b;
	char dir[512];
	int match;

	tls_test_dir("gen", dir, sizeof(dir));
	CU_ASSERT_EQUAL(tls_material_generate(dir, TLS_KEY_RSA, 2048, "/O=Example/CN=host.test", 30,
					      err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(tls_material_cert_info(dir, &a, &match, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(a.subject, "CN=host.test,O=Example");
	CU_ASSERT_STRING_EQUAL(a.key_type, "RSA 2048");
	CU_ASSERT_EQUAL(match, 1);
	/* Generating again replaces the key and the certificate together. */
	CU_ASSERT_EQUAL(tls_material_generate(dir, TLS_KEY_EC_P384, 0,
					      " CN = 192.0.2.1 , O = Example\\, Inc. ", 1, err,
					      sizeof(err)),
			0);
	CU_ASSERT_EQUAL(tls_material_cert_info(dir, &b, &match, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(b.subject, "CN=192.0.2.1,O=Example\\, Inc.");
	CU_ASSERT_STRING_EQUAL(b.san, "IP Address:192.0.2.1");
	CU_ASSERT_STRING_EQUAL(b.key_type, "EC P-384");
	CU_ASSERT_STRING_NOT_EQUAL(a.sha256, b.sha256);
	CU_ASSERT_EQUAL(match, 1);
	CU_ASSERT_EQUAL(mode_of(dir, "private-key.pem"), 0600);
}

static void test_generate_refused(void)
{
	char dir[512];

	tls_test_dir("gen", dir, sizeof(dir));
	CU_ASSERT_EQUAL_FATAL(
	    tls_material_generate(dir, TLS_KEY_EC_P256, 0, "CN=old.test", 10, err, sizeof(err)), 0);
	TLS_REFUSED(
	    dir, tls_material_generate(dir, TLS_KEY_EC_P256, 0, "O=Example", 10, err, sizeof(err)),
	    "subject has no CN");
	TLS_REFUSED(
	    dir, tls_material_generate(dir, TLS_KEY_EC_P256, 0, "XX=1,CN=a", 10, err, sizeof(err)),
	    "unknown attribute \"XX\"");
	TLS_REFUSED(dir, tls_material_generate(dir, TLS_KEY_EC_P256, 0, "CN", 10, err, sizeof(err)),
		    "is not attribute=value");
	TLS_REFUSED(dir, tls_material_generate(dir, TLS_KEY_EC_P256, 0, "  ", 10, err, sizeof(err)),
		    "subject is empty");
	TLS_REFUSED(
	    dir, tls_material_generate(dir, TLS_KEY_EC_P256, 0, "CN=my host", 10, err, sizeof(err)),
	    "neither a host name nor an IP address");
	TLS_REFUSED(dir,
		    tls_material_generate(dir, TLS_KEY_EC_P256, 0, "CN=a", 0, err, sizeof(err)),
		    "validity of 0 days");
	TLS_REFUSED(dir,
		    tls_material_generate(dir, TLS_KEY_RSA, 1024, "CN=a", 10, err, sizeof(err)),
		    "RSA key size 1024");
	TLS_REFUSED(
	    dir, tls_material_generate(dir, (enum tls_key_type)9, 0, "CN=a", 10, err, sizeof(err)),
	    "unknown key type");
}

static void test_csr(void)
{
	struct tls_cert_info info;
	char dir[512], *pem = NULL;
	X509_REQ *req;
	X509 *x;
	BIO *b;
	int match;

	tls_test_dir("csr", dir, sizeof(dir));
	TLS_REFUSED(dir, tls_material_csr(dir, "CN=a", &pem, err, sizeof(err)), "private-key.pem");
	CU_ASSERT_PTR_NULL(pem);
	CU_ASSERT_EQUAL_FATAL(tls_material_generate(dir, TLS_KEY_EC_P256, 0, "CN=dev.test,O=Ex", 10,
						    err, sizeof(err)),
			      0);
	CU_ASSERT_EQUAL_FATAL(
	    tls_material_csr(dir, "CN=sip.example.com,O=Example,C=US", &pem, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(pem, "BEGIN CERTIFICATE REQUEST"));
	b = BIO_new_mem_buf(pem, -1);
	req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
	BIO_free(b);
	free(pem);
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	x = stored_cert(dir);
	/* Signed by the stored key, for the stored key. */
	CU_ASSERT_EQUAL(X509_REQ_verify(req, X509_get0_pubkey(x)), 1);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), X509_get0_pubkey(x)), 1);
	{
		STACK_OF(X509_EXTENSION) *exts = X509_REQ_get_extensions(req);
		CU_ASSERT_EQUAL(X509v3_get_ext_by_NID(exts, NID_subject_alt_name, -1) >= 0, 1);
		CU_ASSERT_EQUAL(X509v3_get_ext_by_NID(exts, NID_ext_key_usage, -1) >= 0, 1);
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	CU_ASSERT_EQUAL(
	    X509_NAME_get_index_by_NID(X509_REQ_get_subject_name(req), NID_countryName, -1) >= 0,
	    1);
	X509_REQ_free(req);
	X509_free(x);
	/* Without a subject: the stored certificate's. */
	CU_ASSERT_EQUAL_FATAL(tls_material_csr(dir, NULL, &pem, err, sizeof(err)), 0);
	b = BIO_new_mem_buf(pem, -1);
	req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
	BIO_free(b);
	free(pem);
	CU_ASSERT_PTR_NOT_NULL_FATAL(req);
	CU_ASSERT_EQUAL(tls_material_cert_info(dir, &info, &match, err, sizeof(err)), 0);
	x = stored_cert(dir);
	CU_ASSERT_EQUAL(X509_NAME_cmp(X509_REQ_get_subject_name(req), X509_get_subject_name(x)), 0);
	X509_free(x);
	X509_REQ_free(req);
	TLS_REFUSED(dir, tls_material_csr(dir, "O=NoCN", &pem, err, sizeof(err)), "no CN");
}

static void test_import_cert(void)
{
	struct tls_cert_info info;
	unsigned char *der;
	char dir[512], *pem;
	size_t n;
	int match;

	setup(dir, sizeof(dir), TLS_PKI_SERVER_EC, 0);
	pem = tls_pki_cert_pem(TLS_PKI_SERVER_EC, 1, &n);
	strcpy(warn, "stale");
	CU_ASSERT_EQUAL(tls_material_import_cert(dir, pem, n, warn, sizeof(warn), err, sizeof(err)),
			0);
	free(pem);
	CU_ASSERT_STRING_EQUAL(warn, "");
	CU_ASSERT_EQUAL(count_in_file(dir, "certificate.pem", "BEGIN CERTIFICATE"), 2);
	CU_ASSERT_EQUAL(tls_material_cert_info(dir, &info, &match, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(info.subject, "CN=localhost,O=SBC Test");
	CU_ASSERT_STRING_EQUAL(info.issuer, "CN=Test Intermediate CA,O=SBC Test");
	CU_ASSERT_STRING_EQUAL(info.san, "DNS:localhost, IP Address:127.0.0.1");
	CU_ASSERT_STRING_EQUAL(info.serial, "1002");
	CU_ASSERT_EQUAL(match, 1);
	/* DER: one certificate, stored as PEM. */
	der = tls_pki_cert_der(TLS_PKI_SERVER_EC, &n);
	CU_ASSERT_EQUAL(tls_material_import_cert(dir, der, n, warn, sizeof(warn), err, sizeof(err)),
			0);
	free(der);
	CU_ASSERT_EQUAL(count_in_file(dir, "certificate.pem", "BEGIN CERTIFICATE"), 1);
}

static void test_import_cert_refused(void)
{
	char dir[512], empty[512], *pem, *big;
	size_t n;

	setup(dir, sizeof(dir), TLS_PKI_SERVER_EC, 1);
	TLS_REFUSED(
	    dir,
	    tls_material_import_cert(dir, "hello world", 11, warn, sizeof(warn), err, sizeof(err)),
	    "neither PEM nor a DER certificate");
	pem = tls_pki_cert_pem(TLS_PKI_SERVER_EC, 1, &n);
	/* Cut inside the second block, then inside the first. */
	TLS_REFUSED(
	    dir, tls_material_import_cert(dir, pem, n - 100, warn, sizeof(warn), err, sizeof(err)),
	    "PEM block 2");
	TLS_REFUSED(dir,
		    tls_material_import_cert(dir, pem, n / 4, warn, sizeof(warn), err, sizeof(err)),
		    "PEM block 1");
	free(pem);
	pem = tls_pki_key_pem(TLS_PKI_SERVER_EC, NULL, &n);
	TLS_REFUSED(dir,
		    tls_material_import_cert(dir, pem, n, warn, sizeof(warn), err, sizeof(err)),
		    "PEM block 1 is a PRIVATE KEY, not a certificate");
	free(pem);
	pem = tls_pki_cert_pem(TLS_PKI_CLIENT_EC, 1, &n);
	TLS_REFUSED(dir,
		    tls_material_import_cert(dir, pem, n, warn, sizeof(warn), err, sizeof(err)),
		    "certificate does not match the stored private key");
	free(pem);
	TLS_REFUSED(dir, tls_material_import_cert(dir, "", 0, warn, sizeof(warn), err, sizeof(err)),
		    "certificate is empty");
	TLS_REFUSED(dir,
		    tls_material_import_cert(dir, " \n\t", 3, warn, sizeof(warn), err, sizeof(err)),
		    "certificate is empty");
	big = malloc(BIG);
	memset(big, '-', BIG);
	TLS_REFUSED(dir,
		    tls_material_import_cert(dir, big, BIG, warn, sizeof(warn), err, sizeof(err)),
		    "file too large");
	free(big);
	tls_test_dir("nokey", empty, sizeof(empty));
	pem = tls_pki_cert_pem(TLS_PKI_SERVER_EC, 1, &n);
	TLS_REFUSED(empty,
		    tls_material_import_cert(empty, pem, n, warn, sizeof(warn), err, sizeof(err)),
		    "no private key stored");
	free(pem);
}

static void test_import_cert_warnings(void)
{
	char dir[512], *pem, *ca, *both;
	size_t n;

	setup(dir, sizeof(dir), TLS_PKI_EXPIRED, 0);
	pem = tls_pki_cert_pem(TLS_PKI_EXPIRED, 1, &n);
	CU_ASSERT_EQUAL(tls_material_import_cert(dir, pem, n, warn, sizeof(warn), err, sizeof(err)),
			0);
	free(pem);
	CU_ASSERT_PTR_NOT_NULL(strstr(warn, "certificate expired on "));
	CU_ASSERT_EQUAL(count_in_file(dir, "certificate.pem", "BEGIN CERTIFICATE"), 2);

	setup(dir, sizeof(dir), TLS_PKI_NOT_YET_VALID, 0);
	pem = tls_pki_cert_pem(TLS_PKI_NOT_YET_VALID, 0, &n);
	CU_ASSERT_EQUAL(tls_material_import_cert(dir, pem, n, warn, sizeof(warn), err, sizeof(err)),
			0);
	CU_ASSERT_PTR_NOT_NULL(strstr(warn, "certificate is not valid before "));
	/* A chain in the wrong order is stored, with a warning. */
	ca = tls_pki_cert_pem(TLS_PKI_ROGUE_CA, 0, NULL);
	CU_ASSERT_FATAL(asprintf(&both, "%s%s", pem, ca) > 0);
	CU_ASSERT_EQUAL(
	    tls_material_import_cert(dir, both, strlen(both), warn, sizeof(warn), err, sizeof(err)),
	    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(warn, "chain certificate 1 did not issue certificate 0"));
	free(pem);
	free(ca);
	free(both);
}

static void test_import_key(void)
{
	unsigned char *der = NULL;
	char dir[512], path[600], *pem, *stored;
	EVP_PKEY *k;
	size_t n;
	BIO *b;
	int len;

	tls_test_dir("key", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/private-key.pem", dir);
	pem = tls_pki_key_pem(TLS_PKI_CLIENT_RSA, "s3cret pass", &n);
	CU_ASSERT_PTR_NOT_NULL(strstr(pem, "ENCRYPTED PRIVATE KEY"));
	TLS_REFUSED(
	    dir, tls_material_import_key(dir, pem, n, NULL, warn, sizeof(warn), err, sizeof(err)),
	    "the key is encrypted; a passphrase is needed");
	TLS_REFUSED(
	    dir,
	    tls_material_import_key(dir, pem, n, "wrong", warn, sizeof(warn), err, sizeof(err)),
	    "cannot decrypt the key (wrong passphrase?)");
	CU_ASSERT_EQUAL(tls_material_import_key(dir, pem, n, "s3cret pass", warn, sizeof(warn), err,
						sizeof(err)),
			0);
	free(pem);
	CU_ASSERT_STRING_EQUAL(warn, "");
	CU_ASSERT_EQUAL(mode_of(dir, "private-key.pem"), 0600);
	/* Stored unencrypted, and it is the same key. */
	stored = tls_test_slurp(path, NULL);
	CU_ASSERT_PTR_NULL(strstr(stored, "ENCRYPTED"));
	b = BIO_new_mem_buf(stored, -1);
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	free(stored);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(k, tls_pki_key(TLS_PKI_CLIENT_RSA)), 1);
	EVP_PKEY_free(k);
	/* DER (PKCS#8, unencrypted). */
	len = i2d_PrivateKey(tls_pki_key(TLS_PKI_SERVER_EC), &der);
	CU_ASSERT_FATAL(len > 0);
	CU_ASSERT_EQUAL(tls_material_import_key(dir, der, (size_t)len, NULL, warn, sizeof(warn),
						err, sizeof(err)),
			0);
	OPENSSL_free(der);
	stored = tls_test_slurp(path, NULL);
	b = BIO_new_mem_buf(stored, -1);
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	free(stored);
	CU_ASSERT_EQUAL(EVP_PKEY_eq(k, tls_pki_key(TLS_PKI_SERVER_EC)), 1);
	EVP_PKEY_free(k);
}

static void test_import_key_refused(void)
{
	unsigned char *der;
	char dir[512], *pem, *big;
	size_t n;

	setup(dir, sizeof(dir), TLS_PKI_SERVER_EC, 1);
	TLS_REFUSED(
	    dir,
	    tls_material_import_key(dir, "garbage", 7, NULL, warn, sizeof(warn), err, sizeof(err)),
	    "neither a PEM nor a DER private key");
	pem = tls_pki_key_pem(TLS_PKI_CLIENT_EC, NULL, &n);
	TLS_REFUSED(
	    dir,
	    tls_material_import_key(dir, pem, n / 2, NULL, warn, sizeof(warn), err, sizeof(err)),
	    "malformed or truncated private key");
	free(pem);
	pem = tls_pki_cert_pem(TLS_PKI_CLIENT_EC, 0, &n);
	TLS_REFUSED(
	    dir, tls_material_import_key(dir, pem, n, NULL, warn, sizeof(warn), err, sizeof(err)),
	    "this is a certificate, not a private key");
	free(pem);
	der = tls_pki_cert_der(TLS_PKI_CLIENT_EC, &n);
	TLS_REFUSED(
	    dir, tls_material_import_key(dir, der, n, NULL, warn, sizeof(warn), err, sizeof(err)),
	    "this is a certificate, not a private key");
	free(der);
	TLS_REFUSED(dir,
		    tls_material_import_key(dir, "", 0, NULL, warn, sizeof(warn), err, sizeof(err)),
		    "private key is empty");
	big = malloc(BIG);
	memset(big, 'k', BIG);
	TLS_REFUSED(
	    dir, tls_material_import_key(dir, big, BIG, NULL, warn, sizeof(warn), err, sizeof(err)),
	    "file too large");
	free(big);
}

static void test_key_of_other_cert(void)
{
	struct tls_cert_info info;
	char dir[512], *pem;
	size_t n;
	int match = -1;

	setup(dir, sizeof(dir), TLS_PKI_SERVER_EC, 1);
	CU_ASSERT_EQUAL(tls_material_cert_info(dir, &info, &match, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(match, 1);
	pem = tls_pki_key_pem(TLS_PKI_CLIENT_EC, NULL, &n);
	CU_ASSERT_EQUAL(
	    tls_material_import_key(dir, pem, n, NULL, warn, sizeof(warn), err, sizeof(err)), 0);
	free(pem);
	CU_ASSERT_STRING_EQUAL(warn, "certificate does not match the new key");
	CU_ASSERT_EQUAL(tls_material_cert_info(dir, &info, &match, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(match, 0);
}

static void test_key_perms_and_info(void)
{
	struct tls_cert_info info;
	char dir[512], path[600];
	int match = -1;

	tls_test_dir("perms", dir, sizeof(dir));
	CU_ASSERT_EQUAL(tls_material_check_key_perms(dir, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file"));
	CU_ASSERT_EQUAL(tls_material_cert_info(dir, &info, &match, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate.pem"));
	setup(dir, sizeof(dir), TLS_PKI_SERVER_EC, 1);
	snprintf(path, sizeof(path), "%s/private-key.pem", dir);
	CU_ASSERT_EQUAL(tls_material_check_key_perms(dir, err, sizeof(err)), 0);
	chmod(path, 0640);
	CU_ASSERT_EQUAL(tls_material_check_key_perms(dir, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mode 0640"));
	chmod(path, 0604);
	CU_ASSERT_EQUAL(tls_material_check_key_perms(dir, err, sizeof(err)), -1);
	chmod(path, 0400);
	CU_ASSERT_EQUAL(tls_material_check_key_perms(dir, err, sizeof(err)), 0);
	/* A missing key is reported as not matching, not as an error. */
	unlink(path);
	CU_ASSERT_EQUAL(tls_material_cert_info(dir, &info, &match, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(match, 0);
}

UNIT_SUITE(tls_material, {"generate: key, self-signed certificate, modes", test_generate},
	   {"generate: RSA, P-384, IP CN, both subject syntaxes", test_generate_variants},
	   {"generate: refusals change nothing", test_generate_refused},
	   {"CSR for the stored key", test_csr},
	   {"import certificate PEM chain and DER", test_import_cert},
	   {"import certificate: refusals change nothing", test_import_cert_refused},
	   {"import certificate: expired, not yet valid, bad order warn",
	    test_import_cert_warnings},
	   {"import key: encrypted, DER, stored 0600 in clear", test_import_key},
	   {"import key: refusals change nothing", test_import_key_refused},
	   {"import key of another certificate warns", test_key_of_other_cert},
	   {"key permissions and certificate info", test_key_perms_and_info});

/* A throw-away PKI for tests, made with the OpenSSL API (no openssl(1) calls). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tests/unit/tls_pki.h"

#define DAY (24L * 3600)

enum profile { P_CA, P_SERVER, P_CLIENT, P_BOTH, P_CODESIGN };

static const struct spec {
	const char *name;
	const char *cn;
	int issuer; /* enum tls_pki_id, or -1 for self-signed */
	enum profile profile;
	int rsa;
	long from, to;   /* validity, seconds from now */
	const char *san; /* subjectAltName, NULL for the profile's */
} specs[TLS_PKI_N] = {
    [TLS_PKI_ROOT] = {"root", "Test Root CA", -1, P_CA, 0, -DAY, 3650 * DAY},
    [TLS_PKI_INTER] = {"inter", "Test Intermediate CA", TLS_PKI_ROOT, P_CA, 0, -DAY, 1825 * DAY},
    [TLS_PKI_SERVER_EC] = {"server-ec", "localhost", TLS_PKI_INTER, P_SERVER, 0, -DAY, 365 * DAY},
    [TLS_PKI_SERVER_RSA] = {"server-rsa", "localhost", TLS_PKI_INTER, P_SERVER, 1, -DAY, 365 * DAY},
    [TLS_PKI_CLIENT_EC] = {"client-ec", "client.test", TLS_PKI_INTER, P_CLIENT, 0, -DAY, 365 * DAY},
    [TLS_PKI_CLIENT_RSA] = {"client-rsa", "client.test", TLS_PKI_INTER, P_CLIENT, 1, -DAY,
			    365 * DAY},
    [TLS_PKI_EXPIRED] = {"expired", "localhost", TLS_PKI_INTER, P_BOTH, 0, -30 * DAY, -DAY},
    [TLS_PKI_NOT_YET_VALID] = {"not-yet-valid", "localhost", TLS_PKI_INTER, P_BOTH, 0, DAY,
			       30 * DAY},
    [TLS_PKI_REVOKED] = {"revoked", "localhost", TLS_PKI_INTER, P_BOTH, 0, -DAY, 365 * DAY},
    [TLS_PKI_WRONG_EKU] = {"wrong-eku", "localhost", TLS_PKI_INTER, P_CODESIGN, 0, -DAY, 365 * DAY},
    [TLS_PKI_ROGUE_CA] = {"rogue-ca", "Rogue CA", -1, P_CA, 0, -DAY, 3650 * DAY},
    [TLS_PKI_ROGUE_CLIENT] = {"rogue-client", "client.test", TLS_PKI_ROGUE_CA, P_CLIENT, 0, -DAY,
			      365 * DAY},
    [TLS_PKI_ROGUE] = {"rogue", "localhost", -1, P_BOTH, 0, -DAY, 365 * DAY},
    [TLS_PKI_CLIENT_ALICE] = {"client-alice", "alice", TLS_PKI_INTER, P_CLIENT, 0, -DAY, 365 * DAY,
			      "URI:sip:alice@example.com"},
};

static const struct crl_spec {
	const char *name;
	int issuer;
	int revoked; /* enum tls_pki_id or -1 */
	long next;   /* nextUpdate, seconds from now */
} crl_specs[TLS_PKI_NCRL] = {
    [TLS_PKI_CRL_ROOT] = {"crl-root", TLS_PKI_ROOT, -1, 30 * DAY},
    [TLS_PKI_CRL_INTER] = {"crl-inter", TLS_PKI_INTER, TLS_PKI_REVOKED, 30 * DAY},
    [TLS_PKI_CRL_ROGUE] = {"crl-rogue", TLS_PKI_ROGUE_CA, -1, 30 * DAY},
    [TLS_PKI_CRL_INTER_STALE] = {"crl-inter-stale", TLS_PKI_INTER, TLS_PKI_REVOKED, -DAY},
};

static X509 *certs[TLS_PKI_N];
static EVP_PKEY *keys[TLS_PKI_N];
static X509_CRL *crls[TLS_PKI_NCRL];
static int built;

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	ok = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

static int add_profile(X509 *x, X509 *issuer, const struct spec *s)
{
	static const char *const eku[] = {[P_SERVER] = "serverAuth",
					  [P_CLIENT] = "clientAuth",
					  [P_BOTH] = "serverAuth,clientAuth",
					  [P_CODESIGN] = "codeSigning"};
	const char *san = s->san                   ? s->san
			  : s->profile == P_CLIENT ? "DNS:client.test"
						   : "DNS:localhost,IP:127.0.0.1";
	int rc = add_ext(x, issuer, NID_subject_key_identifier, "hash");

	if (issuer != x)
		rc |= add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
	if (s->profile == P_CA)
		return rc | add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE") |
		       add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
	return rc | add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE") |
	       add_ext(x, issuer, NID_key_usage,
		       s->rsa ? "critical,digitalSignature,keyEncipherment"
			      : "critical,digitalSignature") |
	       add_ext(x, issuer, NID_ext_key_usage, eku[s->profile]) |
	       add_ext(x, issuer, NID_subject_alt_name, san);
}

static X509 *issue(int id)
{
	const struct spec *s = &specs[id];
	X509 *x = X509_new(), *issuer;
	EVP_PKEY *ikey;
	X509_NAME *n = X509_NAME_new();
	int ok;

	keys[id] = s->rsa ? EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048)
			  : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	issuer = s->issuer < 0 ? x : certs[s->issuer];
	ikey = s->issuer < 0 ? keys[id] : keys[s->issuer];
	ok = x && n && keys[id] && X509_set_version(x, X509_VERSION_3) &&
	     ASN1_INTEGER_set(X509_get_serialNumber(x), 0x1000 + id) &&
	     X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)"SBC Test",
					-1, -1, 0) &&
	     X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)s->cn, -1,
					-1, 0) &&
	     X509_set_subject_name(x, n) &&
	     X509_set_issuer_name(x, X509_get_subject_name(issuer)) &&
	     X509_gmtime_adj(X509_getm_notBefore(x), s->from) &&
	     X509_gmtime_adj(X509_getm_notAfter(x), s->to) && X509_set_pubkey(x, keys[id]) &&
	     add_profile(x, issuer, s) == 0 && X509_sign(x, ikey, EVP_sha256());
	X509_NAME_free(n);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static X509_CRL *make_crl(const struct crl_spec *s)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *last = ASN1_TIME_adj(NULL, time(NULL), 0, -3600);
	ASN1_TIME *next = ASN1_TIME_adj(NULL, time(NULL), 0, s->next);
	int ok = crl && last && next && X509_CRL_set_version(crl, X509_CRL_VERSION_2) &&
		 X509_CRL_set_issuer_name(crl, X509_get_subject_name(certs[s->issuer])) &&
		 X509_CRL_set1_lastUpdate(crl, last) && X509_CRL_set1_nextUpdate(crl, next);

	if (ok && s->revoked >= 0) {
		X509_REVOKED *r = X509_REVOKED_new();
		ok = r &&
		     X509_REVOKED_set_serialNumber(r, X509_get_serialNumber(certs[s->revoked])) &&
		     X509_REVOKED_set_revocationDate(r, last) && X509_CRL_add0_revoked(crl, r);
		if (!ok)
			X509_REVOKED_free(r);
	}
	ok = ok && X509_CRL_sort(crl) && X509_CRL_sign(crl, keys[s->issuer], EVP_sha256());
	ASN1_TIME_free(last);
	ASN1_TIME_free(next);
	if (!ok) {
		X509_CRL_free(crl);
		return NULL;
	}
	return crl;
}

static void pki_free(void)
{
	for (int i = 0; i < TLS_PKI_N; i++) {
		X509_free(certs[i]);
		EVP_PKEY_free(keys[i]);
	}
	for (int i = 0; i < TLS_PKI_NCRL; i++)
		X509_CRL_free(crls[i]);
}

int tls_pki_init(void)
{
	if (built)
		return built > 0 ? 0 : -1;
	built = -1;
	/* specs[] lists every issuer before the certificates it signs. */
	for (int i = 0; i < TLS_PKI_N; i++)
		if (!(certs[i] = issue(i)))
			goto fail;
	for (int i = 0; i < TLS_PKI_NCRL; i++)
		if (!(crls[i] = make_crl(&crl_specs[i])))
			goto fail;
	built = 1;
	atexit(pki_free);
	return 0;
fail:
	ERR_print_errors_fp(stderr);
	return -1;
}

X509 *tls_pki_cert(enum tls_pki_id id)
{
	return tls_pki_init() == 0 ? certs[id] : NULL;
}

EVP_PKEY *tls_pki_key(enum tls_pki_id id)
{
	return tls_pki_init() == 0 ? keys[id] : NULL;
}

X509 *tls_pki_issuer(enum tls_pki_id id)
{
	return (tls_pki_init() == 0 && specs[id].issuer >= 0) ? certs[specs[id].issuer] : NULL;
}

X509_CRL *tls_pki_crl(enum tls_pki_crl c)
{
	return tls_pki_init() == 0 ? crls[c] : NULL;
}

const char *tls_pki_name(enum tls_pki_id id)
{
	assert((unsigned)id < sizeof(specs) / sizeof(specs[0]));
	return specs[id].name;
}

const char *tls_pki_crl_name(enum tls_pki_crl c)
{
	return crl_specs[c].name;
}

static char *bio_take(BIO *b, size_t *len)
{
	char *data, *out = NULL;
	long n = BIO_get_mem_data(b, &data);

	if (n >= 0 && (out = malloc((size_t)n + 1))) {
		memcpy(out, data, (size_t)n);
		out[n] = 0;
		if (len)
			*len = (size_t)n;
	}
	BIO_free(b);
	return out;
}

char *tls_pki_cert_pem(enum tls_pki_id id, int chain, size_t *len)
{
	BIO *b;

	if (tls_pki_init() < 0 || !(b = BIO_new(BIO_s_mem())))
		return NULL;
	PEM_write_bio_X509(b, certs[id]);
	/* Leaves of the intermediate carry it; the root stays with the peer's trust store. */
	if (chain && specs[id].issuer == TLS_PKI_INTER)
		PEM_write_bio_X509(b, certs[TLS_PKI_INTER]);
	return bio_take(b, len);
}

unsigned char *tls_pki_cert_der(enum tls_pki_id id, size_t *len)
{
	unsigned char *der = NULL, *out;
	int n;

	if (tls_pki_init() < 0 || (n = i2d_X509(certs[id], &der)) <= 0)
		return NULL;
	if ((out = malloc((size_t)n)))
		memcpy(out, der, (size_t)n);
	OPENSSL_free(der);
	*len = (size_t)n;
	return out;
}

char *tls_pki_key_pem(enum tls_pki_id id, const char *passphrase, size_t *len)
{
	BIO *b;

	if (tls_pki_init() < 0 || !(b = BIO_new(BIO_s_mem())))
		return NULL;
	if (passphrase)
		PEM_write_bio_PKCS8PrivateKey(b, keys[id], EVP_aes_256_cbc(), NULL, 0, NULL,
					      (void *)passphrase);
	else
		PEM_write_bio_PrivateKey(b, keys[id], NULL, NULL, 0, NULL, NULL);
	return bio_take(b, len);
}

char *tls_pki_crl_pem(enum tls_pki_crl c, size_t *len)
{
	BIO *b;

	if (tls_pki_init() < 0 || !(b = BIO_new(BIO_s_mem())))
		return NULL;
	PEM_write_bio_X509_CRL(b, crls[c]);
	return bio_take(b, len);
}

static int put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[4096];
	int fd, ok;

	if (!text)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	ok = fchmod(fd, mode) == 0 && ok;
	return (close(fd) == 0 && ok) ? 0 : -1;
}

static int put_free(const char *dir, const char *name, char *text, mode_t mode)
{
	int rc = put(dir, name, text, mode);

	free(text);
	return rc;
}

int tls_pki_write_dir(const char *dir)
{
	char name[64], *a, *b, *all;
	int rc = 0;

	if (tls_pki_init() < 0 || (mkdir(dir, 0700) < 0 && errno != EEXIST))
		return -1;
	for (int i = 0; i < TLS_PKI_N; i++) {
		snprintf(name, sizeof(name), "%s.crt", specs[i].name);
		rc |= put_free(dir, name, tls_pki_cert_pem(i, 1, NULL), 0644);
		snprintf(name, sizeof(name), "%s.key", specs[i].name);
		rc |= put_free(dir, name, tls_pki_key_pem(i, NULL, NULL), 0600);
	}
	for (int i = 0; i < TLS_PKI_NCRL; i++) {
		snprintf(name, sizeof(name), "%s.pem", crl_specs[i].name);
		rc |= put_free(dir, name, tls_pki_crl_pem(i, NULL), 0644);
	}
	rc |= put_free(dir, "ca.crt", tls_pki_cert_pem(TLS_PKI_ROOT, 0, NULL), 0644);
	a = tls_pki_cert_pem(TLS_PKI_ROOT, 0, NULL);
	b = tls_pki_cert_pem(TLS_PKI_INTER, 0, NULL);
	if (a && b && asprintf(&all, "%s%s", a, b) > 0)
		rc |= put_free(dir, "ca-bundle.crt", all, 0644);
	else
		rc = -1;
	free(a);
	free(b);
	a = tls_pki_crl_pem(TLS_PKI_CRL_ROOT, NULL);
	b = tls_pki_crl_pem(TLS_PKI_CRL_INTER, NULL);
	if (a && b && asprintf(&all, "%s%s", a, b) > 0)
		rc |= put_free(dir, "crl-all.pem", all, 0644);
	else
		rc = -1;
	free(a);
	free(b);
	return rc ? -1 : 0;
}

/* Appends text to a malloc'd string. */
static int cat(char **acc, char *text)
{
	char *n = NULL;

	if (!text || asprintf(&n, "%s%s", *acc ? *acc : "", text) < 0) {
		free(text);
		return -1;
	}
	free(text);
	free(*acc);
	*acc = n;
	return 0;
}

int tls_pki_write_ctxdir(const char *ctxdir, int dev, const int *roots, unsigned crl_mask)
{
	char path[4096], *acc = NULL;
	int rc = 0;

	if (tls_pki_init() < 0 || (mkdir(ctxdir, 0700) < 0 && errno != EEXIST))
		return -1;
	for (const char *const *f = (const char *const[]){"certificate.pem", "private-key.pem",
							  "trusted-roots.pem", "crl.pem", NULL};
	     *f; f++) {
		snprintf(path, sizeof(path), "%s/%s", ctxdir, *f);
		unlink(path);
	}
	if (dev >= 0) {
		rc |= put_free(ctxdir, "certificate.pem", tls_pki_cert_pem(dev, 1, NULL), 0644);
		rc |= put_free(ctxdir, "private-key.pem", tls_pki_key_pem(dev, NULL, NULL), 0600);
	}
	for (int i = 0; roots && roots[i] >= 0; i++)
		rc |= cat(&acc, tls_pki_cert_pem(roots[i], 0, NULL));
	if (acc)
		rc |= put_free(ctxdir, "trusted-roots.pem", acc, 0644);
	acc = NULL;
	for (int i = 0; i < TLS_PKI_NCRL; i++)
		if (crl_mask & (1u << i))
			rc |= cat(&acc, tls_pki_crl_pem(i, NULL));
	if (acc)
		rc |= put_free(ctxdir, "crl.pem", acc, 0644);
	return rc ? -1 : 0;
}

/* Strict parsing of operator-supplied PEM/DER material, and PEM output. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "tls/err.h"
#include "tls/file.h"
#include "tls/parse.h"
#include "tls/tls.h"

#define BEGIN "-----BEGIN "

struct kind {
	const char *label; /* in messages */
	int (*accepts)(const char *pem_name);
	void *(*d2i)(const unsigned char **p, long len, const char *pem_name);
	void (*free)(void *obj);
};

static int cert_name(const char *n)
{
	return !strcmp(n, "CERTIFICATE") || !strcmp(n, "X509 CERTIFICATE") ||
	       !strcmp(n, "TRUSTED CERTIFICATE");
}

static void *cert_d2i(const unsigned char **p, long len, const char *n)
{
	/* A "TRUSTED CERTIFICATE" carries OpenSSL trust settings after the certificate. */
	if (n && !strcmp(n, "TRUSTED CERTIFICATE"))
		return d2i_X509_AUX(NULL, p, len);
	return d2i_X509(NULL, p, len);
}

static void cert_free(void *o)
{
	X509_free(o);
}

static int crl_name(const char *n)
{
	return !strcmp(n, "X509 CRL");
}

static void *crl_d2i(const unsigned char **p, long len, const char *n)
{
	return d2i_X509_CRL(NULL, p, len);
}

static void crl_free(void *o)
{
	X509_CRL_free(o);
}

static const struct kind cert_kind = {"certificate", cert_name, cert_d2i, cert_free};
static const struct kind crl_kind = {"CRL", crl_name, crl_d2i, crl_free};

static int blank(const unsigned char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isspace(b[i]))
			return 0;
	return 1;
}

static unsigned count_begins(const void *buf, size_t len)
{
	const char *p = buf, *end = p + len;
	unsigned n = 0;

	while ((p = memmem(p, (size_t)(end - p), BEGIN, strlen(BEGIN))) != NULL) {
		n++;
		p += strlen(BEGIN);
	}
	return n;
}

/* Every PEM block, in order; a block of another kind refuses the whole input. */
static int parse_pem(const struct kind *k, const void *buf, size_t len, const char *what,
		     OPENSSL_STACK *out, char *err, size_t errlen)
{
	BIO *b = BIO_new_mem_buf(buf, (int)len);
	unsigned n = 0, expect = count_begins(buf, len);
	int rc = 0;

	if (!b)
		return tls_errf(err, errlen, "%s: out of memory", what);
	while (rc == 0) {
		char *name = NULL, *hdr = NULL;
		unsigned char *data = NULL;
		const unsigned char *p;
		long dlen = 0;
		void *obj;

		if (!PEM_read_bio(b, &name, &hdr, &data, &dlen)) {
			unsigned long e = ERR_peek_last_error();
			if (ERR_GET_LIB(e) == ERR_LIB_PEM &&
			    ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
				ERR_clear_error();
				break;
			}
			rc =
			    tls_errf_ssl(err, errlen, "%s: PEM block %u is malformed", what, n + 1);
			break;
		}
		n++;
		p = data;
		if (!k->accepts(name))
			rc = tls_errf(err, errlen, "%s: PEM block %u is a %s, not a %s", what, n,
				      name, k->label);
		else if (!(obj = k->d2i(&p, dlen, name)))
			rc = tls_errf_ssl(err, errlen, "%s: %s %u cannot be decoded", what,
					  k->label, n);
		else if (!OPENSSL_sk_push(out, obj)) {
			k->free(obj);
			rc = tls_errf(err, errlen, "%s: out of memory", what);
		}
		OPENSSL_free(name);
		OPENSSL_free(hdr);
		OPENSSL_clear_free(data, (size_t)dlen);
	}
	BIO_free(b);
	if (rc == 0 && n != expect)
		rc = tls_errf(err, errlen, "%s: PEM block %u is truncated or malformed", what,
			      n + 1);
	return rc;
}

/* DER objects back to back (usually exactly one). */
static int parse_der(const struct kind *k, const unsigned char *buf, size_t len, const char *what,
		     OPENSSL_STACK *out, char *err, size_t errlen)
{
	const unsigned char *p = buf, *end = buf + len;
	unsigned n = 0;

	while (p < end) {
		void *obj = k->d2i(&p, (long)(end - p), NULL);
		if (!obj) {
			/* OpenSSL's reason ("too long", "wrong tag") would only confuse here. */
			ERR_clear_error();
			if (n == 0)
				return tls_errf(err, errlen, "%s: neither PEM nor a DER %s", what,
						k->label);
			return tls_errf(err, errlen, "%s: bytes after DER %s %u", what, k->label,
					n);
		}
		n++;
		if (!OPENSSL_sk_push(out, obj)) {
			k->free(obj);
			return tls_errf(err, errlen, "%s: out of memory", what);
		}
	}
	return 0;
}

static int parse(const struct kind *k, const void *buf, size_t len, const char *what,
		 OPENSSL_STACK *out, char *err, size_t errlen)
{
	if (len > TLS_MAX_INPUT)
		return tls_errf(err, errlen, "%s: file too large (more than %d bytes)", what,
				TLS_MAX_INPUT);
	if (!buf || blank(buf, len))
		return tls_errf(err, errlen, "%s is empty", what);
	ERR_clear_error();
	if (count_begins(buf, len) ? parse_pem(k, buf, len, what, out, err, errlen)
				   : parse_der(k, buf, len, what, out, err, errlen))
		return -1;
	if (OPENSSL_sk_num(out) == 0)
		return tls_errf(err, errlen, "%s holds no %s", what, k->label);
	return 0;
}

STACK_OF(X509) *tls_parse_certs(const void *buf, size_t len, const char *what, char *err,
				size_t errlen)
{
	STACK_OF(X509) *sk = sk_X509_new_null();

	if (!sk) {
		tls_errf(err, errlen, "%s: out of memory", what);
		return NULL;
	}
	if (parse(&cert_kind, buf, len, what, (OPENSSL_STACK *)sk, err, errlen) < 0) {
		sk_X509_pop_free(sk, X509_free);
		return NULL;
	}
	return sk;
}

STACK_OF(X509_CRL) *tls_parse_crls(const void *buf, size_t len, const char *what, char *err,
				   size_t errlen)
{
	STACK_OF(X509_CRL) *sk = sk_X509_CRL_new_null();

	if (!sk) {
		tls_errf(err, errlen, "%s: out of memory", what);
		return NULL;
	}
	if (parse(&crl_kind, buf, len, what, (OPENSSL_STACK *)sk, err, errlen) < 0) {
		sk_X509_CRL_pop_free(sk, X509_CRL_free);
		return NULL;
	}
	return sk;
}

/* Never prompt on the terminal: no passphrase given means none to offer. */
static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	size_t n;

	if (!u)
		return -1;
	n = strlen(u);
	if (n > (size_t)size)
		return -1;
	memcpy(buf, u, n);
	return (int)n;
}

static int has(const void *buf, size_t len, const char *s)
{
	return memmem(buf, len, s, strlen(s)) != NULL;
}

static EVP_PKEY *key_der(const unsigned char *buf, size_t len, const char *what, char *err,
			 size_t errlen)
{
	const unsigned char *p = buf;
	EVP_PKEY *k = d2i_AutoPrivateKey(NULL, &p, (long)len);
	X509 *x;

	if (k)
		return k;
	p = buf;
	x = d2i_X509(NULL, &p, (long)len);
	ERR_clear_error();
	if (x) {
		X509_free(x);
		tls_errf(err, errlen, "%s: this is a certificate, not a private key", what);
	} else {
		tls_errf(err, errlen, "%s: neither a PEM nor a DER private key", what);
	}
	return NULL;
}

EVP_PKEY *tls_parse_key(const void *buf, size_t len, const char *pass, const char *what, char *err,
			size_t errlen)
{
	int encrypted;
	EVP_PKEY *k;
	BIO *b;

	if (len > TLS_MAX_INPUT) {
		tls_errf(err, errlen, "%s: file too large (more than %d bytes)", what,
			 TLS_MAX_INPUT);
		return NULL;
	}
	if (!buf || blank(buf, len)) {
		tls_errf(err, errlen, "%s is empty", what);
		return NULL;
	}
	ERR_clear_error();
	if (!count_begins(buf, len))
		return key_der(buf, len, what, err, errlen);
	if (!has(buf, len, "PRIVATE KEY-----")) {
		if (has(buf, len, BEGIN "CERTIFICATE-----"))
			tls_errf(err, errlen, "%s: this is a certificate, not a private key", what);
		else
			tls_errf(err, errlen, "%s: no private key in the PEM text", what);
		return NULL;
	}
	encrypted =
	    has(buf, len, BEGIN "ENCRYPTED PRIVATE KEY") || has(buf, len, "Proc-Type: 4,ENCRYPTED");
	if (encrypted && (!pass || !*pass)) {
		tls_errf(err, errlen, "%s: the key is encrypted; a passphrase is needed", what);
		return NULL;
	}
	b = BIO_new_mem_buf(buf, (int)len);
	if (!b) {
		tls_errf(err, errlen, "%s: out of memory", what);
		return NULL;
	}
	k = PEM_read_bio_PrivateKey_ex(b, NULL, pass_cb, (void *)pass, NULL, NULL);
	BIO_free(b);
	if (!k) {
		if (encrypted)
			tls_errf(err, errlen, "%s: cannot decrypt the key (wrong passphrase?)",
				 what);
		else
			tls_errf(err, errlen, "%s: malformed or truncated private key", what);
		ERR_clear_error();
	}
	return k;
}

static char *bio_text(BIO *b, size_t *len)
{
	char *data, *out = NULL;
	long n = BIO_get_mem_data(b, &data);

	if (n >= 0 && (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, data, (size_t)n);
		out[n] = 0;
		if (len)
			*len = (size_t)n;
	}
	BIO_free(b);
	return out;
}

char *tls_pem_certs(STACK_OF(X509) *sk, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());

	if (!b)
		return NULL;
	for (int i = 0; i < sk_X509_num(sk); i++)
		if (!PEM_write_bio_X509(b, sk_X509_value(sk, i))) {
			BIO_free(b);
			return NULL;
		}
	return bio_text(b, len);
}

char *tls_pem_crls(STACK_OF(X509_CRL) *sk, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());

	if (!b)
		return NULL;
	for (int i = 0; i < sk_X509_CRL_num(sk); i++)
		if (!PEM_write_bio_X509_CRL(b, sk_X509_CRL_value(sk, i))) {
			BIO_free(b);
			return NULL;
		}
	return bio_text(b, len);
}

BIO *tls_pem_key(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_secmem());

	if (b && !PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)) {
		BIO_free(b);
		return NULL;
	}
	return b;
}

STACK_OF(X509) *tls_load_certs(const char *path, int optional, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len;
	STACK_OF(X509) *sk;

	if (tls_file_read(path, optional, &buf, &len, err, errlen) < 0)
		return NULL;
	if (!buf)
		return sk_X509_new_null();
	sk = tls_parse_certs(buf, len, path, err, errlen);
	tls_file_free(buf, len);
	return sk;
}

STACK_OF(X509_CRL) *tls_load_crls(const char *path, int optional, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len;
	STACK_OF(X509_CRL) *sk;

	if (tls_file_read(path, optional, &buf, &len, err, errlen) < 0)
		return NULL;
	if (!buf)
		return sk_X509_CRL_new_null();
	sk = tls_parse_crls(buf, len, path, err, errlen);
	tls_file_free(buf, len);
	return sk;
}

EVP_PKEY *tls_load_key(const char *path, char *err, size_t errlen)
{
	unsigned char *buf;
	size_t len;
	EVP_PKEY *k;

	if (tls_file_read(path, 0, &buf, &len, err, errlen) < 0)
		return NULL;
	k = tls_parse_key(buf, len, NULL, path, err, errlen);
	tls_file_free(buf, len);
	return k;
}

/* Key generation, self-signed device certificates and CSRs. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls/err.h"
#include "tls/issue.h"

#define MAX_RDN 16

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

/* Splits s in place at unescaped sep; removes the escapes. */
static int split(char *s, char sep, char **part, int max)
{
	int n = 0;
	char *w = s;

	part[n++] = w;
	for (char *r = s; *r; r++) {
		if (*r == '\\' && r[1]) {
			*w++ = *++r;
			continue;
		}
		if (*r == sep) {
			*w++ = 0;
			if (n == max)
				return -1;
			part[n++] = w;
			continue;
		}
		*w++ = *r;
	}
	*w = 0;
	return n;
}

static int add_rdn(X509_NAME *name, char *rdn, char *err, size_t errlen)
{
	char *eq = strchr(rdn, '='), *key, *val;
	int nid;

	if (!eq)
		return tls_errf(err, errlen, "subject: \"%s\" is not attribute=value", rdn);
	*eq = 0;
	key = trim(rdn);
	val = trim(eq + 1);
	nid = OBJ_txt2nid(key);
	if (nid == NID_undef)
		return tls_errf(err, errlen, "subject: unknown attribute \"%s\"", key);
	if (!*val)
		return tls_errf(err, errlen, "subject: %s has no value", key);
	if (!X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, (unsigned char *)val, -1, -1, 0))
		return tls_errf_ssl(err, errlen, "subject: %s=%s", key, val);
	return 0;
}

X509_NAME *tls_subject_parse(const char *subject, char *cn, size_t cnlen, char *err, size_t errlen)
{
	char *copy, *s, *part[MAX_RDN];
	X509_NAME *name = NULL;
	int n, slash;

	cn[0] = 0;
	if (!subject || !(copy = strdup(subject))) {
		tls_errf(err, errlen, "subject is missing");
		return NULL;
	}
	s = trim(copy);
	slash = *s == '/';
	n = *s ? split(s + slash, slash ? '/' : ',', part, MAX_RDN) : 0;
	if (n <= 0) {
		tls_errf(err, errlen, n ? "subject: more than %d attributes" : "subject is empty",
			 MAX_RDN);
		goto out;
	}
	if (!(name = X509_NAME_new())) {
		tls_errf(err, errlen, "out of memory");
		goto out;
	}
	/* RFC 4514 lists the most specific attribute first, the DER name holds it last. */
	for (int i = 0; name && i < n; i++) {
		char *rdn = part[slash ? i : n - 1 - i];
		if (slash && !*trim(rdn) && i == n - 1)
			break; /* "/CN=x/" */
		if (add_rdn(name, rdn, err, errlen) < 0) {
			X509_NAME_free(name);
			name = NULL;
		}
	}
	/* With several CNs the most specific (last in the DER name) is the host name. */
	if (name && tls_name_cn(name, cn, cnlen) < 0) {
		tls_errf(err, errlen, "subject has no CN");
		X509_NAME_free(name);
		name = NULL;
	}
out:
	free(copy);
	return name;
}

int tls_name_cn(const X509_NAME *name, char *cn, size_t cnlen)
{
	int i = -1, last = -1;
	const ASN1_STRING *s;

	while ((i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0)
		last = i;
	if (last < 0)
		return -1;
	s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
	snprintf(cn, cnlen, "%.*s", ASN1_STRING_length(s), (const char *)ASN1_STRING_get0_data(s));
	return 0;
}

EVP_PKEY *tls_key_new(enum tls_key_type type, int bits, char *err, size_t errlen)
{
	EVP_PKEY *k = NULL;

	switch (type) {
	case TLS_KEY_RSA:
		if (!bits)
			bits = 2048;
		if (bits < 2048 || bits > 8192) {
			tls_errf(err, errlen, "RSA key size %d: must be 2048 to 8192 bits", bits);
			return NULL;
		}
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	case TLS_KEY_EC_P256:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case TLS_KEY_EC_P384:
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	default:
		tls_errf(err, errlen, "unknown key type %d", (int)type);
		return NULL;
	}
	if (!k)
		tls_errf_ssl(err, errlen, "key generation failed");
	return k;
}

static int host_char(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '*';
}

/* subjectAltName from the CN: an IP address, else a DNS name. */
static GENERAL_NAMES *san_from_cn(const char *cn, char *err, size_t errlen)
{
	GENERAL_NAMES *names = GENERAL_NAMES_new();
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OCTET_STRING *ip = a2i_IPADDRESS(cn);

	ERR_clear_error();
	if (!names || !g)
		goto fail;
	if (ip) {
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
		ip = NULL;
	} else {
		ASN1_IA5STRING *dns = ASN1_IA5STRING_new();
		for (const char *p = cn; *p; p++)
			if (!host_char((unsigned char)*p)) {
				ASN1_IA5STRING_free(dns);
				tls_errf(err, errlen,
					 "CN \"%s\" is neither a host name nor an IP address", cn);
				goto out;
			}
		if (!dns || !ASN1_STRING_set(dns, cn, -1)) {
			ASN1_IA5STRING_free(dns);
			goto fail;
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, dns);
	}
	if (!sk_GENERAL_NAME_push(names, g))
		goto fail;
	return names;
fail:
	tls_errf(err, errlen, "out of memory");
out:
	ASN1_OCTET_STRING_free(ip);
	GENERAL_NAME_free(g);
	GENERAL_NAMES_free(names);
	return NULL;
}

/* The extensions of a device certificate or request (cert NULL for a request). */
static STACK_OF(X509_EXTENSION) *device_exts(X509 *cert, EVP_PKEY *key, const char *cn, char *err,
					     size_t errlen)
{
	int rsa = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA;
	const struct {
		int nid;
		const char *value;
	} conf[] = {
	    {NID_basic_constraints, "critical,CA:FALSE"},
	    /* keyEncipherment only means something for RSA key transport. */
	    {NID_key_usage,
	     rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"},
	    {NID_ext_key_usage, "serverAuth,clientAuth"},
	    {NID_subject_key_identifier, cert ? "hash" : NULL},
	};
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	GENERAL_NAMES *san = san_from_cn(cn, err, errlen);
	X509_EXTENSION *e;
	X509V3_CTX ctx;

	if (!exts || !san)
		goto fail;
	X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
	for (size_t i = 0; i < sizeof(conf) / sizeof(conf[0]); i++) {
		if (!conf[i].value)
			continue;
		e = X509V3_EXT_conf_nid(NULL, &ctx, conf[i].nid, conf[i].value);
		if (!e || !sk_X509_EXTENSION_push(exts, e)) {
			X509_EXTENSION_free(e);
			tls_errf_ssl(err, errlen, "extension %s", OBJ_nid2sn(conf[i].nid));
			goto fail;
		}
	}
	e = X509V3_EXT_i2d(NID_subject_alt_name, 0, san);
	if (!e || !sk_X509_EXTENSION_push(exts, e)) {
		X509_EXTENSION_free(e);
		tls_errf_ssl(err, errlen, "extension subjectAltName");
		goto fail;
	}
	GENERAL_NAMES_free(san);
	return exts;
fail:
	GENERAL_NAMES_free(san);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return NULL;
}

static int random_serial(X509 *x)
{
	BIGNUM *bn = BN_new();
	int ok = bn && BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
		 BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));

	BN_free(bn);
	return ok ? 0 : -1;
}

X509 *tls_cert_self_signed(EVP_PKEY *key, const X509_NAME *name, const char *cn, int days,
			   char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509 *x = X509_new();

	if (!x || !X509_set_version(x, X509_VERSION_3) || random_serial(x) < 0 ||
	    !X509_set_subject_name(x, name) || !X509_set_issuer_name(x, name) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) || !X509_set_pubkey(x, key)) {
		tls_errf_ssl(err, errlen, "cannot build the certificate");
		goto fail;
	}
	if (!(exts = device_exts(x, key, cn, err, errlen)))
		goto fail;
	for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++)
		if (!X509_add_ext(x, sk_X509_EXTENSION_value(exts, i), -1)) {
			tls_errf_ssl(err, errlen, "cannot add extensions");
			goto fail;
		}
	if (!X509_sign(x, key, EVP_sha256())) {
		tls_errf_ssl(err, errlen, "cannot sign the certificate");
		goto fail;
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	return x;
fail:
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_free(x);
	return NULL;
}

char *tls_csr_pem(EVP_PKEY *key, const X509_NAME *name, const char *cn, char *err, size_t errlen)
{
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_REQ *req = X509_REQ_new();
	char *data, *out = NULL;
	BIO *b = NULL;
	long n;

	if (!req || !X509_REQ_set_version(req, X509_REQ_VERSION_1) ||
	    !X509_REQ_set_subject_name(req, name) || !X509_REQ_set_pubkey(req, key)) {
		tls_errf_ssl(err, errlen, "cannot build the request");
		goto out;
	}
	if (!(exts = device_exts(NULL, key, cn, err, errlen)))
		goto out;
	if (!X509_REQ_add_extensions(req, exts) || !X509_REQ_sign(req, key, EVP_sha256())) {
		tls_errf_ssl(err, errlen, "cannot sign the request");
		goto out;
	}
	b = BIO_new(BIO_s_mem());
	if (!b || !PEM_write_bio_X509_REQ(b, req) || (n = BIO_get_mem_data(b, &data)) <= 0 ||
	    !(out = malloc((size_t)n + 1))) {
		tls_errf(err, errlen, "cannot write the request");
		goto out;
	}
	memcpy(out, data, (size_t)n);
	out[n] = 0;
out:
	BIO_free(b);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	return out;
}

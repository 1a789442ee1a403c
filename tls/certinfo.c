/* What a show command may print about a certificate: never anything secret. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "tls/certinfo.h"

static void bio_to_buf(BIO *b, char *buf, size_t len)
{
	int n = b ? BIO_read(b, buf, (int)len - 1) : -1;

	buf[n > 0 ? n : 0] = 0;
}

void tls_name_text(const X509_NAME *n, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());

	/* RFC 2253 order and escaping, but UTF-8 printed rather than escaped. */
	if (b)
		X509_NAME_print_ex(b, n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	bio_to_buf(b, buf, len);
	BIO_free(b);
}

time_t tls_asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return 0;
	return timegm(&tm);
}

int tls_cert_sha256(X509 *x, unsigned char md[32])
{
	unsigned n = 0;

	return (X509_digest(x, EVP_sha256(), md, &n) && n == 32) ? 0 : -1;
}

static void serial_text(X509 *x, char *buf, size_t len)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	snprintf(buf, len, "%s", hex ? hex : "");
	OPENSSL_free(hex);
	BN_free(bn);
}

static void key_text(X509 *x, char *buf, size_t len)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[64];

	buf[0] = 0;
	if (!k)
		return;
	if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA) {
		snprintf(buf, len, "RSA %d", EVP_PKEY_get_bits(k));
	} else if (EVP_PKEY_get_base_id(k) == EVP_PKEY_EC &&
		   EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
						  sizeof(group), NULL)) {
		const char *nist = EC_curve_nid2nist(OBJ_sn2nid(group));
		snprintf(buf, len, "EC %.24s", nist ? nist : group);
	} else {
		snprintf(buf, len, "%s %d", OBJ_nid2sn(EVP_PKEY_get_base_id(k)),
			 EVP_PKEY_get_bits(k));
	}
}

static void san_text(X509 *x, char *buf, size_t len)
{
	int i = X509_get_ext_by_NID(x, NID_subject_alt_name, -1);
	BIO *b;

	buf[0] = 0;
	if (i < 0 || !(b = BIO_new(BIO_s_mem())))
		return;
	X509V3_EXT_print(b, X509_get_ext(x, i), 0, 0);
	bio_to_buf(b, buf, len);
	BIO_free(b);
}

void tls_cert_info_fill(X509 *x, unsigned index, struct tls_cert_info *info)
{
	unsigned char md[32];
	char *p;

	memset(info, 0, sizeof(*info));
	info->index = index;
	tls_name_text(X509_get_subject_name(x), info->subject, sizeof(info->subject));
	tls_name_text(X509_get_issuer_name(x), info->issuer, sizeof(info->issuer));
	serial_text(x, info->serial, sizeof(info->serial));
	info->not_before = tls_asn1_time(X509_get0_notBefore(x));
	info->not_after = tls_asn1_time(X509_get0_notAfter(x));
	if (tls_cert_sha256(x, md) == 0) {
		p = info->sha256;
		for (unsigned i = 0; i < sizeof(md); i++)
			p += sprintf(p, i ? ":%02X" : "%02X", md[i]);
	}
	info->is_ca = X509_check_ca(x) != 0;
	key_text(x, info->key_type, sizeof(info->key_type));
	san_text(x, info->san, sizeof(info->san));
	ERR_clear_error();
}

/* Peer certificate checks of the SIP TLS listeners: subject patterns, EKU, refusal reasons. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include "conf/store.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_ocsp.h"
#include "tls/certinfo.h"
#include "tls/names.h"
#include "tls/tls.h"

/* One name against one pattern, as tls/names.c matches (shared with the SIP identity checks). */
static int label_match(const char *pat, const char *name)
{
	return tls_name_match(pat, name);
}

/* SAN entries (DNS, IP, URI, email) when the certificate has any, else the CN. */
int sip_tls_subject_match(X509 *cert, const char *pattern)
{
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int nsan = 0, hit = 0;
	char buf[256];

	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans) && !hit; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
		const ASN1_STRING *s = NULL;
		buf[0] = 0;
		if (g->type == GEN_DNS || g->type == GEN_URI || g->type == GEN_EMAIL) {
			s = g->d.ia5;
			snprintf(buf, sizeof(buf), "%.*s", ASN1_STRING_length(s),
				 (const char *)ASN1_STRING_get0_data(s));
		} else if (g->type == GEN_IPADD) {
			s = g->d.ip;
			if (ASN1_STRING_length(s) == 4)
				inet_ntop(AF_INET, ASN1_STRING_get0_data(s), buf, sizeof(buf));
			else if (ASN1_STRING_length(s) == 16)
				inet_ntop(AF_INET6, ASN1_STRING_get0_data(s), buf, sizeof(buf));
		}
		if (!buf[0])
			continue;
		nsan++;
		hit = label_match(pattern, buf);
	}
	GENERAL_NAMES_free(sans);
	if (nsan)
		return hit;
	if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf,
				      sizeof(buf)) > 0)
		return label_match(pattern, buf);
	return 0;
}

/* A certificate with an EKU must allow clientAuth (RFC 5280); one without may be used so. */
int sip_tls_eku_allows_client(X509 *cert)
{
	uint32_t x = X509_get_extended_key_usage(cert);

	return x == UINT32_MAX || (x & (XKU_SSL_CLIENT | XKU_ANYEKU));
}

enum sip_rej sip_tls_rej_of_verify(int verr)
{
	switch (verr) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return SIP_REJ_EXPIRED;
	case X509_V_ERR_CERT_REVOKED:
		return SIP_REJ_REVOKED;
	case X509_V_ERR_INVALID_PURPOSE:
		return SIP_REJ_PURPOSE;
	case X509_V_ERR_HOSTNAME_MISMATCH:
		return SIP_REJ_SUBJECT;
	default:
		/* unknown issuer, bad signature, CRL missing: not a chain we trust */
		return SIP_REJ_UNKNOWN_CA;
	}
}

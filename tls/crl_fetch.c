/* CRL distribution points: URL, request and acceptance of a fetched CRL (tls/crl_fetch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tls/crl_fetch.h"
#include "tls/err.h"

int tls_crl_dp_url(X509 *cert, char *url, size_t len)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	int found = -1;

	for (int i = 0; dps && found < 0 && i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
		GENERAL_NAMES *gn =
		    dp->distpoint && dp->distpoint->type == 0 ? dp->distpoint->name.fullname : NULL;
		for (int j = 0; gn && found < 0 && j < sk_GENERAL_NAME_num(gn); j++) {
			GENERAL_NAME *g = sk_GENERAL_NAME_value(gn, j);
			const char *s;
			int n;
			if (g->type != GEN_URI)
				continue;
			s = (const char *)ASN1_STRING_get0_data(g->d.uniformResourceIdentifier);
			n = ASN1_STRING_length(g->d.uniformResourceIdentifier);
			if (n > 7 && (size_t)n < len && !strncasecmp(s, "http://", 7) &&
			    !memchr(s, 0, (size_t)n)) {
				memcpy(url, s, (size_t)n);
				url[n] = 0;
				found = 0;
			}
		}
	}
	sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
	ERR_clear_error();
	return found;
}

int tls_http_url_split(const char *url, char *host, size_t hlen, unsigned *port, char *path,
		       size_t plen)
{
	const char *h, *end, *colon;
	size_t n;

	if (strncasecmp(url, "http://", 7))
		return -1;
	h = url + 7;
	end = h + strcspn(h, "/?#");
	*port = 80;
	if (*h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (!rb)
			return -1;
		n = (size_t)(rb - h - 1);
		if (n == 0 || n >= hlen)
			return -1;
		memcpy(host, h + 1, n);
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
		if (!colon && rb + 1 != end)
			return -1;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		n = (size_t)((colon ? colon : end) - h);
		if (n == 0 || n >= hlen)
			return -1;
		memcpy(host, h, n);
	}
	host[n] = 0;
	if (strpbrk(host, " \t\r\n@"))
		return -1;
	if (colon) {
		char *stop;
		unsigned long p = strtoul(colon + 1, &stop, 10);
		if (stop != end || stop == colon + 1 || p == 0 || p > 65535)
			return -1;
		*port = (unsigned)p;
	}
	n = strcspn(end, "#"); /* the fragment is not sent */
	if (memchr(end, ' ', n) || memchr(end, '\r', n) || memchr(end, '\n', n) ||
	    memchr(end, '\t', n))
		return -1;
	if ((size_t)snprintf(path, plen, "%s%.*s", *end == '/' ? "" : "/", (int)n, end) >= plen)
		return -1;
	return 0;
}

int tls_crl_http_request(const char *host, unsigned port, const char *path, char *out, size_t max)
{
	int v6 = strchr(host, ':') != NULL;
	int n = snprintf(out, max,
			 "GET %s HTTP/1.0\r\nHost: %s%s%s:%u\r\nAccept: application/pkix-crl\r\n"
			 "Connection: close\r\n\r\n",
			 path, v6 ? "[" : "", host, v6 ? "]" : "", port);

	return n > 0 && (size_t)n < max ? n : -1;
}

time_t tls_asn1_time_t(const ASN1_TIME *t)
{
	struct tm tm;

	return t && ASN1_TIME_to_tm(t, &tm) ? timegm(&tm) : 0;
}

void tls_asn1_time_text(const ASN1_TIME *t, char *buf, size_t len)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, len, "%s", "");
}

int tls_crl_accept(X509_CRL *crl, X509 *issuer, X509_CRL *current, time_t now, char *err,
		   size_t errlen)
{
	EVP_PKEY *k = X509_get0_pubkey(issuer);
	time_t thisu = tls_asn1_time_t(X509_CRL_get0_lastUpdate(crl));
	int rc = -1;

	if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)))
		tls_errf(err, errlen, "the CRL is not issued by the CA of the certificate");
	else if (!k || X509_CRL_verify(crl, k) != 1)
		tls_errf(err, errlen, "the CRL is not signed by the CA of the certificate");
	else if ((X509_get_key_usage(issuer) & KU_CRL_SIGN) == 0)
		tls_errf(err, errlen, "the CA may not sign CRLs (key usage)");
	else if (X509_CRL_get_ext_by_NID(crl, NID_delta_crl, -1) >= 0)
		tls_errf(err, errlen, "a delta CRL (not supported)");
	else if (!thisu || thisu > now + 300)
		tls_errf(err, errlen, "thisUpdate missing or in the future");
	else if (current && thisu < tls_asn1_time_t(X509_CRL_get0_lastUpdate(current)))
		tls_errf(err, errlen, "older than the CRL in force");
	else
		rc = 0;
	ERR_clear_error();
	return rc;
}

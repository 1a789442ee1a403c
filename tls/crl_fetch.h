/*
 * tls_crl_fetch: the pure parts of CRL distribution points, no I/O and no event loop: which URL
 * a certificate names, how it splits, the HTTP request to send, and whether a fetched CRL may be
 * put in force (whoever owns the loop fetches; sbc/sip/sip_crl.c does on the SIP loop).
 */
#ifndef TLS_CRL_FETCH_H
#define TLS_CRL_FETCH_H

#include <stddef.h>
#include <time.h>

#include <openssl/x509.h>

/* The first http:// URI of cert's CRL distribution points into url. 0, or -1 when none fits. */
int tls_crl_dp_url(X509 *cert, char *url, size_t len);

/*
 * Splits http://host[:port][/path]: host (brackets of an IPv6 literal removed), port (80 when
 * absent) and path ("/" when absent; query kept). 0, or -1 when it is not such a URL.
 */
int tls_http_url_split(const char *url, char *host, size_t hostlen, unsigned *port, char *path,
		       size_t pathlen);

/* The HTTP/1.0 GET of path from host:port (Connection: close). Length, or -1 when too long. */
int tls_crl_http_request(const char *host, unsigned port, const char *path, char *out, size_t max);

/*
 * 0 when crl may replace current (NULL: none yet) as the CRL of issuer: a full CRL (no delta)
 * issued by issuer's subject, signed by its key, issuer's key usage (if any) allowing cRLSign,
 * thisUpdate present and not after now + 5 minutes, not older than current's. Else -1 with err.
 */
int tls_crl_accept(X509_CRL *crl, X509 *issuer, X509_CRL *current, time_t now, char *err,
		   size_t errlen);

/* ASN.1 time as time_t (0 when absent or unreadable), and as "YYYY-MM-DD HH:MM:SS UTC". */
time_t tls_asn1_time_t(const ASN1_TIME *t);
void tls_asn1_time_text(const ASN1_TIME *t, char *buf, size_t len);

#endif

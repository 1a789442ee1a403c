/*
 * tls_ocsp: the pure parts of OCSP (RFC 6960) checking, no I/O and no event loop.
 *
 * A check is: build a request for (leaf, issuer) with a fresh nonce, send its DER body in an
 * HTTP POST (whoever owns the loop does that), cut the body out of the HTTP answer, then judge
 * the response: signed by the issuer or by a responder the issuer delegated (OCSPSigning EKU)
 * and chaining to the trust store, for the certificate id asked, with the nonce sent (when the
 * responder echoes one), inside its thisUpdate/nextUpdate window (5 minutes of clock skew).
 */
#ifndef TLS_OCSP_H
#define TLS_OCSP_H

#include <stddef.h>
#include <time.h>

#include <openssl/ocsp.h>
#include <openssl/x509.h>

enum tls_ocsp_status {
	TLS_OCSP_GOOD,
	TLS_OCSP_REVOKED,
	TLS_OCSP_UNKNOWN, /* the responder does not know the certificate */
	TLS_OCSP_ERROR,   /* no usable answer: transport, HTTP, format, signature, window */
};

const char *tls_ocsp_status_name(enum tls_ocsp_status s);

/* One query in flight: the request and what the answer must match. */
struct tls_ocsp_query {
	OCSP_REQUEST *req;
	OCSP_CERTID *id;
	unsigned char *der; /* the request, DER, OPENSSL_free'd by tls_ocsp_query_free */
	size_t len;
};

/* Builds the request for leaf issued by issuer, with a nonce. 0, or -1 with err. */
int tls_ocsp_query_new(struct tls_ocsp_query *q, X509 *leaf, X509 *issuer, char *err,
		       size_t errlen);
void tls_ocsp_query_free(struct tls_ocsp_query *q);

/*
 * The key of the cache for (leaf, issuer): the DER of the SHA-1 certificate id, at most max
 * bytes into out. Its length, or 0 when it cannot be made.
 */
size_t tls_ocsp_cache_key(X509 *leaf, X509 *issuer, unsigned char *out, size_t max);

/*
 * The HTTP request to send: POST path with the DER body. Length written (without NUL), or -1
 * when it does not fit.
 */
int tls_ocsp_http_request(const struct tls_ocsp_query *q, const char *host, const char *path,
			  char *out, size_t max);

/*
 * Finds the body of a complete HTTP/1.x answer in buf[0..len). 1 with *body and *blen set
 * when the answer is complete (status 200, Content-Length bytes present, or eof with no
 * Content-Length), 0 when more bytes are needed, -1 with err when it can never be good.
 */
int tls_ocsp_http_body(const char *buf, size_t len, int eof, const unsigned char **body,
		       size_t *blen, char *err, size_t errlen);

/*
 * Judges a DER response to q: GOOD, REVOKED or UNKNOWN (with *next_update, the time after
 * which it must be asked again: nextUpdate, or now + 1 hour when the responder gives none),
 * or ERROR with err. chain: certificates that may help to verify the signer (the peer's
 * chain); store: the trust anchors of the TLS context.
 */
enum tls_ocsp_status tls_ocsp_judge(const unsigned char *der, size_t len,
				    const struct tls_ocsp_query *q, STACK_OF(X509) *chain,
				    X509_STORE *store, time_t now, time_t *next_update, char *err,
				    size_t errlen);

/*
 * The first HTTP OCSP URL of the certificate's Authority Information Access, split: host
 * (IP literal or name, brackets removed), port (80 when absent) and path ("/" when absent).
 * 0, or -1 when there is none usable.
 */
int tls_ocsp_aia(X509 *cert, char *host, size_t hostlen, unsigned *port, char *path,
		 size_t pathlen);

#endif

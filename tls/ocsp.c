/*
 * OCSP requests and the judging of responses. Pure: the event loop that sends and receives
 * lives in sbcd (sbc/sip/sip_ocsp.c); everything here is testable with in-memory objects.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "tls/err.h"
#include "tls/ocsp.h"

#define OCSP_SKEW_S  300
#define OCSP_NO_NEXT 3600 /* how long an answer without nextUpdate is trusted */

const char *tls_ocsp_status_name(enum tls_ocsp_status s)
{
	switch (s) {
	case TLS_OCSP_GOOD:
		return "good";
	case TLS_OCSP_REVOKED:
		return "revoked";
	case TLS_OCSP_UNKNOWN:
		return "unknown";
	default:
		return "error";
	}
}

void tls_ocsp_query_free(struct tls_ocsp_query *q)
{
	OCSP_REQUEST_free(q->req);
	OCSP_CERTID_free(q->id);
	OPENSSL_free(q->der);
	memset(q, 0, sizeof(*q));
}

int tls_ocsp_query_new(struct tls_ocsp_query *q, X509 *leaf, X509 *issuer, char *err, size_t errlen)
{
	OCSP_CERTID *id;
	int n;

	memset(q, 0, sizeof(*q));
	if (!leaf || !issuer)
		return tls_errf(err, errlen, "OCSP: no issuer certificate for the certificate id");
	if (!(q->req = OCSP_REQUEST_new()) || !(q->id = OCSP_cert_to_id(NULL, leaf, issuer)) ||
	    !(id = OCSP_CERTID_dup(q->id)))
		goto fail;
	if (!OCSP_request_add0_id(q->req, id)) {
		OCSP_CERTID_free(id);
		goto fail;
	}
	if (!OCSP_request_add1_nonce(q->req, NULL, -1))
		goto fail;
	if ((n = i2d_OCSP_REQUEST(q->req, &q->der)) <= 0)
		goto fail;
	q->len = (size_t)n;
	return 0;
fail:
	tls_ocsp_query_free(q);
	return tls_errf_ssl(err, errlen, "OCSP: cannot build the request");
}

size_t tls_ocsp_cache_key(X509 *leaf, X509 *issuer, unsigned char *out, size_t max)
{
	OCSP_CERTID *id = leaf && issuer ? OCSP_cert_to_id(NULL, leaf, issuer) : NULL;
	int n = id ? i2d_OCSP_CERTID(id, NULL) : 0;
	unsigned char *p = out;

	if (n <= 0 || (size_t)n > max) {
		OCSP_CERTID_free(id);
		ERR_clear_error();
		return 0;
	}
	i2d_OCSP_CERTID(id, &p);
	OCSP_CERTID_free(id);
	return (size_t)n;
}

int tls_ocsp_http_request(const struct tls_ocsp_query *q, const char *host, const char *path,
			  char *out, size_t max)
{
	int n =
	    snprintf(out, max,
		     "POST %s HTTP/1.0\r\nHost: %s\r\nContent-Type: application/ocsp-request\r\n"
		     "Accept: application/ocsp-response\r\nContent-Length: %zu\r\n\r\n",
		     path && path[0] ? path : "/", host, q->len);

	if (n < 0 || (size_t)n + q->len > max)
		return -1;
	memcpy(out + n, q->der, q->len);
	return n + (int)q->len;
}

/* Value of header name in the head [buf, end), or NULL. */
static const char *header(const char *buf, const char *end, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = buf; p && p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			break;
		if ((size_t)(eol - p) > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
			p += nl + 1;
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			return p;
		}
		p = eol + 1;
	}
	return NULL;
}

int tls_ocsp_http_body(const char *buf, size_t len, int eof, const unsigned char **body,
		       size_t *blen, char *err, size_t errlen)
{
	const char *end = NULL, *cl;
	size_t head, want;
	int status;

	for (size_t i = 0; i + 3 < len; i++)
		if (!memcmp(buf + i, "\r\n\r\n", 4)) {
			end = buf + i + 4;
			break;
		}
	if (!end) {
		if (eof)
			return tls_errf(err, errlen,
					"HTTP answer ends inside its header (%zu bytes)", len);
		return len > 16384 ? tls_errf(err, errlen, "HTTP header longer than 16 KiB") : 0;
	}
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) || sscanf(buf + 9, "%3d", &status) != 1)
		return tls_errf(err, errlen, "not an HTTP/1.x answer");
	if (status != 200)
		return tls_errf(err, errlen, "HTTP status %d", status);
	head = (size_t)(end - buf);
	cl = header(buf, end, "Content-Length");
	if (cl) {
		char *stop;
		unsigned long v = strtoul(cl, &stop, 10);
		if (stop == cl || v > 1024 * 1024)
			return tls_errf(err, errlen, "bad Content-Length");
		want = v;
		if (len - head < want)
			return eof ? tls_errf(err, errlen, "HTTP body cut short: %zu of %zu bytes",
					      len - head, want)
				   : 0;
	} else {
		if (!eof)
			return 0;
		want = len - head;
	}
	*body = (const unsigned char *)end;
	*blen = want;
	return 1;
}

enum tls_ocsp_status tls_ocsp_judge(const unsigned char *der, size_t len,
				    const struct tls_ocsp_query *q, STACK_OF(X509) *chain,
				    X509_STORE *store, time_t now, time_t *next_update, char *err,
				    size_t errlen)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	OCSP_BASICRESP *bs = NULL;
	ASN1_GENERALIZEDTIME *this_upd = NULL, *next_upd = NULL, *rev = NULL;
	enum tls_ocsp_status st = TLS_OCSP_ERROR;
	int rstatus, cstatus, reason, nonce;
	ASN1_TIME *tnow = NULL;

	if (!resp) {
		tls_errf_ssl(err, errlen, "OCSP: response does not parse");
		goto out;
	}
	if ((rstatus = OCSP_response_status(resp)) != OCSP_RESPONSE_STATUS_SUCCESSFUL) {
		tls_errf(err, errlen, "OCSP: responder says %s", OCSP_response_status_str(rstatus));
		goto out;
	}
	if (!(bs = OCSP_response_get1_basic(resp))) {
		tls_errf_ssl(err, errlen, "OCSP: no basic response");
		goto out;
	}
	/* 1 nonce matches, -1 responder sent none (allowed: many cache answers), else refused */
	nonce = OCSP_check_nonce(q->req, bs);
	if (nonce != 1 && nonce != -1) {
		tls_errf(err, errlen, "OCSP: nonce does not match the request");
		goto out;
	}
	if (OCSP_basic_verify(bs, chain, store, 0) <= 0) {
		tls_errf_ssl(err, errlen, "OCSP: response signature or signer not trusted");
		goto out;
	}
	if (!OCSP_resp_find_status(bs, q->id, &cstatus, &reason, &rev, &this_upd, &next_upd)) {
		tls_errf(err, errlen, "OCSP: response is not about the certificate asked");
		goto out;
	}
	if (!(tnow = ASN1_TIME_adj(NULL, now, 0, 0)))
		goto out;
	/* OCSP_check_validity reads the clock; compare with now ourselves for testability */
	if (ASN1_TIME_compare(this_upd, ASN1_TIME_adj(tnow, now, 0, OCSP_SKEW_S)) > 0) {
		tls_errf(err, errlen, "OCSP: thisUpdate is in the future");
		goto out;
	}
	if (next_upd &&
	    ASN1_TIME_compare(next_upd, ASN1_TIME_adj(tnow, now, 0, -OCSP_SKEW_S)) < 0) {
		tls_errf(err, errlen, "OCSP: response expired (nextUpdate passed)");
		goto out;
	}
	*next_update = now + OCSP_NO_NEXT;
	if (next_upd) {
		struct tm tm;
		if (ASN1_TIME_to_tm(next_upd, &tm))
			*next_update = timegm(&tm);
	}
	st = cstatus == V_OCSP_CERTSTATUS_GOOD      ? TLS_OCSP_GOOD
	     : cstatus == V_OCSP_CERTSTATUS_REVOKED ? TLS_OCSP_REVOKED
						    : TLS_OCSP_UNKNOWN;
out:
	ASN1_TIME_free(tnow);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	ERR_clear_error();
	return st;
}

int tls_ocsp_aia(X509 *cert, char *host, size_t hostlen, unsigned *port, char *path, size_t pathlen)
{
	STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(cert);
	int rc = -1;

	for (int i = 0; rc < 0 && i < sk_OPENSSL_STRING_num(urls); i++) {
		char *h = NULL, *p = NULL, *pa = NULL;
		int ssl = 0;
		if (OCSP_parse_url(sk_OPENSSL_STRING_value(urls, i), &h, &p, &pa, &ssl) && !ssl &&
		    strlen(h) < hostlen && strlen(pa) < pathlen) {
			snprintf(host, hostlen, "%s", h);
			snprintf(path, pathlen, "%s", pa);
			*port = (unsigned)atoi(p);
			rc = *port > 0 && *port < 65536 ? 0 : -1;
		}
		OPENSSL_free(h);
		OPENSSL_free(p);
		OPENSSL_free(pa);
	}
	X509_email_free(urls);
	ERR_clear_error();
	return rc;
}

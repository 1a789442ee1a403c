/*
 * OCSP for HTTPS management: client certificates checked per TLS context 0's OCSP columns, and
 * the server's own certificate stapled when OcspStapling is on.
 *
 * Why the request is held and not the handshake: libevent's OpenSSL bufferevent closes the
 * connection on any handshake result other than "want read/write", so OpenSSL's retry-verify
 * cannot be used. The verify callback answers from the cache (a refusal fails the handshake with
 * its alert) or starts a query and lets the handshake finish; each request of that connection
 * then waits (web_ocsp_hold) until the answer, without the loop waiting: good (or no answer and
 * OcspDefaultResponse allow) serves it, anything else refuses it with 403 and closes the
 * connection. The HTTP POST client is a libevent bufferevent, one attempt per responder with
 * WEB_OCSP_TIMEOUT_S each; the pure parts (request, nonce, judgement) are tls/ocsp.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "tls/certinfo.h"
#include "tls/ocsp.h"
#include "tls/tls.h"
#include "web/web.h"

#define WEB_OCSP_TIMEOUT_S 4
#define KEY_MAX            128
#define CACHE_MAX          1024
#define MAX_TARGETS        3
#define STAPLE_RETRY_S     60

void web_route(struct evhttp_request *req, struct web *w, int https);

struct target {
	char host[256], path[256];
	unsigned port;
};

struct waiter {
	struct waiter *next;
	struct evhttp_request *req;
	struct evhttp_connection *conn;
};

struct query {
	struct query *next; /* in flight */
	int refs;           /* the flight list and each SSL that waits for it */
	int done, ok;       /* ok: serve the connection's requests */
	int allow;          /* OcspDefaultResponse */
	char detail[400];
	unsigned char key[KEY_MAX];
	size_t klen;
	struct tls_ocsp_query oq;
	STACK_OF(X509) *chain;
	X509_STORE *store;
	struct target t[MAX_TARGETS];
	int nt, cur;
	struct bufferevent *bev;
	struct event *timer;
	char subject[256], err[300];
	struct waiter *waiters;
	int staple; /* a fetch of our own certificate's staple */
};

struct centry {
	struct centry *next;
	unsigned char key[KEY_MAX];
	size_t klen;
	enum tls_ocsp_status st;
	time_t until;
};

static struct {
	struct web *w;
	struct query *flight;
	struct centry *cache;
	unsigned ncache;
	int idx; /* per-SSL: the query it waits for */
	/* staple of our certificate */
	unsigned char *der;
	size_t len;
	time_t until;
	X509 *leaf, *issuer;
	struct tls_policy pol;
	struct event *srefresh;
} g = {.idx = -1};

static void q_unref(struct query *q)
{
	if (!q || --q->refs > 0)
		return;
	if (q->bev)
		bufferevent_free(q->bev);
	if (q->timer)
		event_free(q->timer);
	tls_ocsp_query_free(&q->oq);
	sk_X509_pop_free(q->chain, X509_free);
	X509_STORE_free(q->store);
	free(q);
}

static void ssl_q_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	q_unref(ptr);
}

/* --- cache --- */

static struct centry *cache_find(const unsigned char *k, size_t n, time_t now)
{
	struct centry **pp = &g.cache, *c;

	while ((c = *pp)) {
		if (c->until <= now) {
			*pp = c->next;
			free(c);
			g.ncache--;
			continue;
		}
		if (c->klen == n && !memcmp(c->key, k, n))
			return c;
		pp = &c->next;
	}
	return NULL;
}

static void cache_put(const unsigned char *k, size_t n, enum tls_ocsp_status st, time_t until)
{
	time_t now = time(NULL);
	struct centry *c = cache_find(k, n, now);

	if (until <= now)
		return;
	if (!c) {
		if (g.ncache >= CACHE_MAX || !(c = calloc(1, sizeof(*c))))
			return;
		memcpy(c->key, k, n);
		c->klen = n;
		c->next = g.cache;
		g.cache = c;
		g.ncache++;
	}
	c->st = st;
	c->until = until;
}

/* --- one query --- */

static void attempt_next(struct query *q);

static void target_text(const struct target *t, char *buf, size_t len)
{
	snprintf(buf, len, strchr(t->host, ':') ? "[%s]:%u%s" : "%s:%u%s", t->host, t->port,
		 t->path);
}

static void staple_done(struct query *q, enum tls_ocsp_status st, const unsigned char *der,
			size_t len, time_t next);

/* The verdict of a client check in q->ok and q->detail. */
static void verdict(struct query *q, enum tls_ocsp_status st, const char *who)
{
	switch (st) {
	case TLS_OCSP_GOOD:
		q->ok = 1;
		snprintf(q->detail, sizeof(q->detail), "OCSP: good (%s)", who);
		break;
	case TLS_OCSP_REVOKED:
		snprintf(q->detail, sizeof(q->detail), "OCSP: '%s' revoked (%s)", q->subject, who);
		break;
	case TLS_OCSP_UNKNOWN:
		snprintf(q->detail, sizeof(q->detail), "OCSP: '%s' unknown to the responder (%s)",
			 q->subject, who);
		break;
	default:
		q->ok = q->allow;
		snprintf(q->detail, sizeof(q->detail),
			 "OCSP: no answer for '%s' (%s); OcspDefaultResponse %s", q->subject, who,
			 q->allow ? "allow: accepted" : "reject");
	}
}

static void refuse(struct evhttp_request *req, const char *detail)
{
	char *addr = NULL;
	ev_uint16_t port = 0;

	evhttp_connection_get_peer(evhttp_request_get_connection(req), &addr, &port);
	web_log(LOG_WARNING, "https: refused client %s:%u: %s", addr ? addr : "?", port, detail);
	g.w->cnt.refused_verify++;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Connection", "close");
	evhttp_send_error(req, 403, "client certificate refused (OCSP)");
}

static void query_finish(struct query *q, enum tls_ocsp_status st, time_t next,
			 const unsigned char *der, size_t len)
{
	struct query **pp;
	struct waiter *wt, *n;
	char who[300] = "";

	for (pp = &g.flight; *pp && *pp != q; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = q->next;
	event_del(q->timer);
	if (q->cur < q->nt)
		target_text(&q->t[q->cur], who, sizeof(who));
	if (q->staple) {
		staple_done(q, st, der, len, next);
		q_unref(q); /* its bufferevent goes with it: der is no longer used */
		return;
	}
	if (st != TLS_OCSP_ERROR)
		cache_put(q->key, q->klen, st, next);
	verdict(q, st, st == TLS_OCSP_ERROR ? q->err : who);
	q->done = 1;
	web_log(q->ok ? LOG_INFO : LOG_WARNING, "https: client certificate '%s': %s", q->subject,
		q->detail);
	wt = q->waiters;
	q->waiters = NULL;
	for (; wt; wt = n) {
		n = wt->next;
		evhttp_connection_set_closecb(wt->conn, NULL, NULL);
		if (q->ok)
			web_route(wt->req, g.w, 1);
		else
			refuse(wt->req, q->detail);
		free(wt);
	}
	if (q->bev) /* a callback of it may be running: libevent frees it after */
		bufferevent_free(q->bev);
	q->bev = NULL;
	q_unref(q);
}

static void attempt_fail(struct query *q, const char *why)
{
	char who[300];

	target_text(&q->t[q->cur], who, sizeof(who));
	snprintf(q->err, sizeof(q->err), "%s: %s", who, why);
	if (q->bev)
		bufferevent_free(q->bev);
	q->bev = NULL;
	q->cur++;
	attempt_next(q);
}

static void got(struct query *q, int eof)
{
	struct evbuffer *in = bufferevent_get_input(q->bev);
	size_t n = evbuffer_get_length(in), blen;
	const char *buf = (const char *)evbuffer_pullup(in, -1);
	const unsigned char *body;
	time_t next = 0;
	char err[256];
	int rc = tls_ocsp_http_body(buf ? buf : "", n, eof, &body, &blen, err, sizeof(err));
	enum tls_ocsp_status st;

	if (rc == 0)
		return;
	if (rc < 0) {
		attempt_fail(q, err);
		return;
	}
	st = tls_ocsp_judge(body, blen, &q->oq, q->chain, q->store, time(NULL), &next, err,
			    sizeof(err));
	ERR_clear_error();
	if (st == TLS_OCSP_ERROR) {
		attempt_fail(q, err);
		return;
	}
	query_finish(q, st, next, body, blen);
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct query *q = arg;

	if (evbuffer_get_length(bufferevent_get_input(bev)) > 1024 * 1024 + 16384)
		attempt_fail(q, "answer too large");
	else
		got(q, 0);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct query *q = arg;
	char why[128];

	if (what & BEV_EVENT_CONNECTED)
		return;
	if (what & BEV_EVENT_EOF) {
		got(q, 1);
		return;
	}
	snprintf(why, sizeof(why), "%s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	attempt_fail(q, why);
}

static void timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct query *q = arg;
	char why[64];

	if (!q->bev) { /* the start: the first attempt */
		attempt_next(q);
		return;
	}
	snprintf(why, sizeof(why), "no answer in %d s", WEB_OCSP_TIMEOUT_S);
	attempt_fail(q, why);
}

static void attempt_next(struct query *q)
{
	while (q->cur < q->nt) {
		struct target *t = &q->t[q->cur];
		struct sockaddr_storage ss;
		int sl = sizeof(ss);
		char addr[300], req[8192];
		int rlen;
		struct timeval tv = {WEB_OCSP_TIMEOUT_S, 0};

		snprintf(addr, sizeof(addr), strchr(t->host, ':') ? "[%s]:%u" : "%s:%u", t->host,
			 t->port);
		rlen = tls_ocsp_http_request(&q->oq, addr, t->path, req, sizeof(req));
		if (rlen < 0) {
			attempt_fail(q, "request too large");
			return;
		}
		if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &sl) < 0) {
			/* a name would need DNS: not on this loop */
			attempt_fail(q, "not an IP address (host names are not resolved)");
			return;
		}
		q->bev = bufferevent_socket_new(g.w->base, -1, BEV_OPT_CLOSE_ON_FREE);
		if (!q->bev) {
			attempt_fail(q, "out of memory");
			return;
		}
		bufferevent_setcb(q->bev, read_cb, NULL, event_cb, q);
		bufferevent_enable(q->bev, EV_READ | EV_WRITE);
		if (bufferevent_write(q->bev, req, (size_t)rlen) < 0 ||
		    bufferevent_socket_connect(q->bev, (struct sockaddr *)&ss, sl) < 0) {
			attempt_fail(q, "cannot connect");
			return;
		}
		event_add(q->timer, &tv);
		return;
	}
	if (!q->err[0])
		snprintf(q->err, sizeof(q->err), "no OCSP responder");
	query_finish(q, TLS_OCSP_ERROR, 0, NULL, 0);
}

static void targets_of(struct query *q, const struct tls_policy *pol, X509 *leaf, int aia_first)
{
	const char *srv[2] = {pol->ocsp_primary, pol->ocsp_secondary};
	struct target *t;

	if (aia_first && q->nt < MAX_TARGETS) {
		t = &q->t[q->nt];
		if (tls_ocsp_aia(leaf, t->host, sizeof(t->host), &t->port, t->path,
				 sizeof(t->path)) == 0)
			q->nt++;
	}
	for (int i = 0; i < 2; i++)
		if (srv[i][0] && q->nt < MAX_TARGETS) {
			t = &q->t[q->nt++];
			snprintf(t->host, sizeof(t->host), "%s", srv[i]);
			snprintf(t->path, sizeof(t->path), "/");
			t->port = pol->ocsp_port ? pol->ocsp_port : 2560;
		}
	if (!aia_first && !q->nt && pol->ocsp_aia) {
		t = &q->t[0];
		if (tls_ocsp_aia(leaf, t->host, sizeof(t->host), &t->port, t->path,
				 sizeof(t->path)) == 0)
			q->nt = 1;
	}
}

/* A new query in flight (started from a timer, never from inside OpenSSL); NULL on failure. */
static struct query *query_start(X509 *leaf, X509 *issuer, STACK_OF(X509) *chain, X509_STORE *store,
				 const struct tls_policy *pol, int staple)
{
	struct query *q = calloc(1, sizeof(*q));
	char err[256];

	if (!q)
		return NULL;
	q->refs = 1, q->allow = pol->ocsp_default_allow, q->staple = staple;
	tls_name_text(X509_get_subject_name(leaf), q->subject, sizeof(q->subject));
	q->klen = tls_ocsp_cache_key(leaf, issuer, q->key, sizeof(q->key));
	targets_of(q, pol, leaf, staple);
	if (!g.w->base || !q->nt || !q->klen ||
	    tls_ocsp_query_new(&q->oq, leaf, issuer, err, sizeof(err)) < 0 ||
	    !(q->chain = X509_chain_up_ref(chain)) ||
	    !(q->timer = evtimer_new(g.w->base, timeout_cb, q)) || !X509_STORE_up_ref(store)) {
		ERR_clear_error();
		q_unref(q);
		return NULL;
	}
	q->store = store;
	q->next = g.flight;
	g.flight = q;
	event_active(q->timer, EV_TIMEOUT, 0);
	return q;
}

/* --- clients --- */

int web_ocsp_verify(struct web *w, const struct tls_policy *pol, SSL *ssl, X509_STORE_CTX *xs)
{
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(xs);
	X509 *leaf = chain && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : NULL;
	X509 *issuer = chain && sk_X509_num(chain) > 1 ? sk_X509_value(chain, 1) : NULL;
	unsigned char key[KEY_MAX];
	struct centry *c;
	struct query *q;
	size_t klen;
	char subject[256] = "?";

	g.w = w;
	if (g.idx < 0)
		g.idx = SSL_get_ex_new_index(0, "web ocsp", NULL, NULL, ssl_q_free);
	if (!pol->ocsp_enable || !leaf || g.idx < 0 || SSL_get_ex_data(ssl, g.idx))
		return 1;
	tls_name_text(X509_get_subject_name(leaf), subject, sizeof(subject));
	klen = tls_ocsp_cache_key(leaf, issuer, key, sizeof(key));
	if (klen && (c = cache_find(key, klen, time(NULL)))) {
		if (c->st == TLS_OCSP_GOOD)
			return 1;
		web_log(LOG_INFO, "https: client certificate '%s': OCSP: %s (cached)", subject,
			tls_ocsp_status_name(c->st));
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REVOKED);
		return 0;
	}
	for (q = g.flight; q; q = q->next)
		if (!q->staple && q->klen == klen && !memcmp(q->key, key, klen))
			break;
	if (!q && !(q = query_start(leaf, issuer, chain, X509_STORE_CTX_get0_store(xs), pol, 0))) {
		web_log(LOG_NOTICE,
			"https: client certificate '%s': OCSP: no responder to ask; "
			"OcspDefaultResponse %s",
			subject, pol->ocsp_default_allow ? "allow: accepted" : "reject");
		if (pol->ocsp_default_allow)
			return 1;
		X509_STORE_CTX_set_error(xs, X509_V_ERR_OCSP_VERIFY_FAILED);
		return 0;
	}
	q->refs++;
	if (!SSL_set_ex_data(ssl, g.idx, q))
		q_unref(q);
	return 1;
}

static void conn_closed(struct evhttp_connection *conn, void *arg)
{
	for (struct query *q = g.flight; q; q = q->next)
		for (struct waiter **pp = &q->waiters, *wt; (wt = *pp);) {
			if (wt->conn != conn) {
				pp = &wt->next;
				continue;
			}
			*pp = wt->next;
			free(wt);
		}
}

int web_ocsp_hold(struct web *w, struct evhttp_request *req)
{
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	struct bufferevent *bev = conn ? evhttp_connection_get_bufferevent(conn) : NULL;
	SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
	struct query *q = ssl && g.idx >= 0 ? SSL_get_ex_data(ssl, g.idx) : NULL;
	struct waiter *wt;

	if (!q || (q->done && q->ok))
		return 0;
	if (q->done) {
		refuse(req, q->detail);
		return 1;
	}
	if (!(wt = calloc(1, sizeof(*wt)))) {
		evhttp_send_error(req, 503, NULL);
		return 1;
	}
	wt->req = req, wt->conn = conn;
	wt->next = q->waiters;
	q->waiters = wt;
	evhttp_connection_set_closecb(conn, conn_closed, NULL);
	return 1;
}

/* --- stapling of our certificate --- */

static void staple_fetch(evutil_socket_t fd, short what, void *arg);

static void staple_arm(time_t secs)
{
	struct timeval tv = {secs > 0 ? secs : 1, 0};

	if (!g.w->base) /* before the loop exists: web_tls_watch starts it again */
		return;
	if (!g.srefresh)
		g.srefresh = evtimer_new(g.w->base, staple_fetch, NULL);
	if (g.srefresh)
		evtimer_add(g.srefresh, &tv);
}

static void staple_done(struct query *q, enum tls_ocsp_status st, const unsigned char *der,
			size_t len, time_t next)
{
	time_t now = time(NULL);
	unsigned char *copy;

	if (st == TLS_OCSP_ERROR || !der || !(copy = malloc(len))) {
		web_log(LOG_WARNING, "https: OCSP staple of '%s' not fetched (%s); again in %d s",
			q->subject, q->err[0] ? q->err : "out of memory", STAPLE_RETRY_S);
		staple_arm(STAPLE_RETRY_S);
		return;
	}
	memcpy(copy, der, len);
	free(g.der);
	g.der = copy, g.len = len, g.until = next;
	web_log(LOG_INFO, "https: OCSP staple (%s) in force for '%s', refreshed in %ld s",
		tls_ocsp_status_name(st), q->subject, (long)((next - now) / 2));
	staple_arm((next - now) / 2);
}

static void staple_fetch(evutil_socket_t fd, short what, void *arg)
{
	X509_STORE *st;
	STACK_OF(X509) *chain;

	if (!g.leaf || !g.issuer || !g.pol.ocsp_stapling)
		return;
	/* the issuer is the trust anchor of its own responder's answers */
	st = X509_STORE_new();
	chain = sk_X509_new_null();
	if (st && chain && X509_STORE_add_cert(st, g.issuer) &&
	    X509_STORE_set_flags(st, X509_V_FLAG_PARTIAL_CHAIN) && sk_X509_push(chain, g.leaf) &&
	    query_start(g.leaf, g.issuer, chain, st, &g.pol, 1)) {
		X509_STORE_free(st);
		sk_X509_free(chain);
		return;
	}
	X509_STORE_free(st);
	sk_X509_free(chain);
	ERR_clear_error();
	web_log(LOG_WARNING, "https: OCSP staple: no responder for the certificate (no AIA OCSP "
			     "URL, no OcspServerPrimary)");
}

static int status_cb(SSL *ssl, void *arg)
{
	unsigned char *copy;

	if (!g.der || g.until <= time(NULL) || !(copy = OPENSSL_malloc(g.len)))
		return SSL_TLSEXT_ERR_NOACK;
	memcpy(copy, g.der, g.len);
	if (!SSL_set_tlsext_status_ocsp_resp(ssl, copy, (long)g.len)) {
		OPENSSL_free(copy);
		return SSL_TLSEXT_ERR_NOACK;
	}
	return SSL_TLSEXT_ERR_OK;
}

void web_ocsp_staple_start(struct web *w, SSL_CTX *ctx, const struct tls_policy *pol,
			   STACK_OF(X509) *roots)
{
	STACK_OF(X509) *extra = NULL;
	X509 *leaf = SSL_CTX_get0_certificate(ctx), *issuer = NULL;

	g.w = w;
	g.pol = *pol;
	free(g.der);
	g.der = NULL;
	X509_free(g.leaf);
	X509_free(g.issuer);
	g.leaf = g.issuer = NULL;
	if (g.srefresh)
		evtimer_del(g.srefresh);
	if (!pol->ocsp_stapling || !leaf)
		return;
	SSL_CTX_get0_chain_certs(ctx, &extra);
	for (int i = 0; extra && !issuer && i < sk_X509_num(extra); i++)
		if (X509_check_issued(sk_X509_value(extra, i), leaf) == X509_V_OK)
			issuer = sk_X509_value(extra, i);
	for (int i = 0; roots && !issuer && i < sk_X509_num(roots); i++)
		if (X509_check_issued(sk_X509_value(roots, i), leaf) == X509_V_OK)
			issuer = sk_X509_value(roots, i);
	if (!issuer) {
		web_log(LOG_WARNING,
			"https: OCSP stapling: the issuer of the certificate is neither "
			"in its chain nor a trusted root: nothing to staple");
		return;
	}
	X509_up_ref(leaf);
	X509_up_ref(issuer);
	g.leaf = leaf, g.issuer = issuer;
	SSL_CTX_set_tlsext_status_cb(ctx, status_cb);
	staple_arm(0);
}

void web_ocsp_free(struct web *w)
{
	while (g.flight) {
		struct query *q = g.flight;
		g.flight = q->next;
		for (struct waiter *wt = q->waiters, *n; wt; wt = n) {
			n = wt->next;
			free(wt);
		}
		q->waiters = NULL;
		q_unref(q);
	}
	while (g.cache) {
		struct centry *c = g.cache;
		g.cache = c->next;
		free(c);
	}
	if (g.srefresh)
		event_free(g.srefresh);
	g.srefresh = NULL;
	free(g.der);
	g.der = NULL;
	X509_free(g.leaf);
	X509_free(g.issuer);
	g.leaf = g.issuer = NULL;
}

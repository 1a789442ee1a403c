/*
 * OCSP queries on the su_root loop: a non-blocking socket per query, registered with the
 * root like sofia's own sockets, a timer per attempt, and a cache keyed by (TLS context,
 * certificate id). Why our own small HTTP client: it is one POST and one answer, and the
 * loop must own every wait; OpenSSL's HTTP client would need its own loop glue anyway.
 *
 * Why a responder that failed is "down" for SIP_OCSP_DOWN_S: without it every new
 * connection would wait the full timeout while the responder is unreachable.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "conf/cols.h"
#include "conf/store.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_ocsp.h"
#include "tls/certinfo.h"
#include "tls/ocsp.h"

#define NBUCKET     512
#define CACHE_MAX   8192
#define KEY_MAX     128
#define NCTX        100
#define IN_MAX      (1024 * 1024 + 16384)
#define MAX_TARGETS 3

struct centry {
	struct centry *next;
	int ctx;
	unsigned char key[KEY_MAX];
	size_t klen;
	enum tls_ocsp_status st;
	time_t until;
};

struct ctxst {
	int used, state; /* OCSPStatus ResponderState: 1 unknown, 2 up, 3 down */
	time_t down_until, last_t;
	char responder[300], last[320], lasterr[300];
	char down_cfg[200]; /* the responder configuration that was down */
	unsigned long long queries, good, revoked, unknown, noanswer, hits;
	unsigned entries;
};

struct target {
	char host[256], path[256];
	unsigned port;
};

struct query;

struct sip_ocsp_wait {
	struct sip_ocsp_wait *next;
	struct query *q;
	sip_ocsp_done_fn *fn;
	void *arg;
};

struct query {
	struct query *next;
	struct sip_ocsp *m;
	int ctx, allow;
	unsigned char key[KEY_MAX];
	size_t klen;
	struct tls_ocsp_query oq;
	STACK_OF(X509) *chain;
	X509_STORE *store;
	char subject[256];
	struct target t[MAX_TARGETS];
	int nt, cur;
	int fd, idx; /* socket and su_root registration of the attempt; -1 when none */
	su_timer_t *timer;
	char out[8192];
	int outlen, outoff;
	char *in;
	size_t inlen, incap;
	char err[300];
	char cfg[200];                 /* cfg_text of the policy it was started under */
	sip_ocsp_staple_fn *staple_fn; /* a staple fetch: the answer goes there, no waiters */
	void *staple_arg;
	unsigned char *resp;
	size_t resplen;
	struct sip_ocsp_wait *waiters;
};

struct sip_ocsp {
	struct sip_engine *e;
	struct centry *b[NBUCKET];
	unsigned n;
	struct query *qs;
	struct ctxst cs[NCTX];
};

static struct sip_ocsp *mod(struct sip_engine *e)
{
	if (!e->ocsp && (e->ocsp = calloc(1, sizeof(*e->ocsp))))
		e->ocsp->e = e;
	return e->ocsp;
}

static struct ctxst *cstate(struct sip_ocsp *m, int ctx)
{
	static struct ctxst scratch; /* out-of-range contexts count nowhere visible */

	if (ctx < 0 || ctx >= NCTX) {
		memset(&scratch, 0, sizeof(scratch));
		return &scratch;
	}
	m->cs[ctx].used = 1;
	if (!m->cs[ctx].state)
		m->cs[ctx].state = 1;
	return &m->cs[ctx];
}

/* --- cache --- */

static unsigned hash(int ctx, const unsigned char *k, size_t n)
{
	unsigned h = 2166136261u ^ (unsigned)ctx;

	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 16777619u;
	return h % NBUCKET;
}

static struct centry *cache_find(struct sip_ocsp *m, int ctx, const unsigned char *k, size_t n,
				 time_t now)
{
	struct centry **pp = &m->b[hash(ctx, k, n)], *c;

	while ((c = *pp)) {
		if (c->until <= now) { /* expired: dropped on the way */
			*pp = c->next;
			if (c->ctx >= 0 && c->ctx < NCTX && m->cs[c->ctx].entries)
				m->cs[c->ctx].entries--;
			m->n--;
			free(c);
			continue;
		}
		if (c->ctx == ctx && c->klen == n && !memcmp(c->key, k, n))
			return c;
		pp = &c->next;
	}
	return NULL;
}

static void cache_flush_expired(struct sip_ocsp *m, time_t now)
{
	for (unsigned i = 0; i < NBUCKET; i++) {
		struct centry **pp = &m->b[i], *c;
		while ((c = *pp)) {
			if (c->until > now) {
				pp = &c->next;
				continue;
			}
			*pp = c->next;
			if (c->ctx >= 0 && c->ctx < NCTX && m->cs[c->ctx].entries)
				m->cs[c->ctx].entries--;
			m->n--;
			free(c);
		}
	}
}

static void cache_put(struct sip_ocsp *m, int ctx, const unsigned char *k, size_t n,
		      enum tls_ocsp_status st, time_t until, time_t now)
{
	struct centry *c = cache_find(m, ctx, k, n, now);
	unsigned h;

	if (until <= now)
		return;
	if (!c) {
		if (m->n >= CACHE_MAX)
			cache_flush_expired(m, now);
		if (m->n >= CACHE_MAX || !(c = calloc(1, sizeof(*c))))
			return; /* full of live answers: this one is asked again next time */
		h = hash(ctx, k, n);
		c->ctx = ctx;
		memcpy(c->key, k, n);
		c->klen = n;
		c->next = m->b[h];
		m->b[h] = c;
		m->n++;
		if (ctx >= 0 && ctx < NCTX)
			m->cs[ctx].entries++;
	}
	c->st = st;
	c->until = until;
}

/* --- verdicts --- */

static enum sip_ocsp_verdict verdict_of(enum tls_ocsp_status st, int allow, const char *subject,
					const char *why, char *detail, size_t detlen)
{
	switch (st) {
	case TLS_OCSP_GOOD:
		snprintf(detail, detlen, "OCSP: good (%s)", why);
		return SIP_OCSP_OK;
	case TLS_OCSP_REVOKED:
		snprintf(detail, detlen, "OCSP: '%s' revoked (%s)", subject, why);
		return SIP_OCSP_REVOKED;
	case TLS_OCSP_UNKNOWN:
		snprintf(detail, detlen, "OCSP: '%s' unknown to the responder (%s)", subject, why);
		return SIP_OCSP_REVOKED;
	default:
		snprintf(detail, detlen, "OCSP: no answer (%s); OcspDefaultResponse %s", why,
			 allow ? "allow: accepted" : "reject");
		return allow ? SIP_OCSP_OK : SIP_OCSP_UNAVAILABLE;
	}
}

/* --- one query --- */

static void attempt_next(struct query *q);

static void attempt_close(struct query *q)
{
	su_root_t *root = q->m->e->root;

	if (q->idx >= 0)
		su_root_deregister(root, q->idx);
	if (q->fd >= 0)
		close(q->fd);
	q->idx = q->fd = -1;
	su_timer_reset(q->timer);
	q->inlen = 0;
	q->outoff = 0;
}

static void query_free(struct query *q)
{
	struct query **pp;

	attempt_close(q);
	for (pp = &q->m->qs; *pp && *pp != q; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = q->next;
	for (struct sip_ocsp_wait *w = q->waiters, *n; w; w = n) {
		n = w->next;
		free(w);
	}
	su_timer_destroy(q->timer);
	tls_ocsp_query_free(&q->oq);
	sk_X509_pop_free(q->chain, X509_free);
	X509_STORE_free(q->store);
	free(q->in);
	free(q->resp);
	free(q);
}

static void target_text(const struct target *t, char *buf, size_t len)
{
	snprintf(buf, len, strchr(t->host, ':') ? "[%s]:%u%s" : "%s:%u%s", t->host, t->port,
		 t->path);
}

/* Ends the query: caches a real answer, decides the waiters, frees q. */
static void query_finish(struct query *q, enum tls_ocsp_status st, time_t next_update)
{
	struct ctxst *cs = cstate(q->m, q->ctx);
	struct sip_ocsp_wait *w, *n;
	time_t now = time(NULL);
	char detail[600], who[300] = "";

	if (q->cur < q->nt)
		target_text(&q->t[q->cur], who, sizeof(who));
	if (st != TLS_OCSP_ERROR) {
		cache_put(q->m, q->ctx, q->key, q->klen, st, next_update, now);
		cs->state = 2;
		cs->down_until = 0;
		snprintf(cs->responder, sizeof(cs->responder), "%s", who);
		snprintf(cs->last, sizeof(cs->last), "%s: %s", tls_ocsp_status_name(st),
			 q->subject);
		cs->last_t = now;
		cs->good += st == TLS_OCSP_GOOD;
		cs->revoked += st == TLS_OCSP_REVOKED;
		cs->unknown += st == TLS_OCSP_UNKNOWN;
		log_info("sip: OCSP: TLS context %d: '%s' is %s (responder %s, cached %lds)",
			 q->ctx, q->subject, tls_ocsp_status_name(st), who,
			 (long)(next_update - now));
	} else {
		cs->state = 3;
		cs->down_until = now + SIP_OCSP_DOWN_S;
		snprintf(cs->down_cfg, sizeof(cs->down_cfg), "%s", q->cfg);
		snprintf(cs->lasterr, sizeof(cs->lasterr), "%s", q->err);
		log_warnx("sip: OCSP: TLS context %d: no answer for '%s' (%s); responders taken as "
			  "down for %d s, OcspDefaultResponse %s decides",
			  q->ctx, q->subject, q->err, SIP_OCSP_DOWN_S,
			  q->allow ? "allow" : "reject");
	}
	if (q->staple_fn)
		q->staple_fn(q->staple_arg, st != TLS_OCSP_ERROR ? q->resp : NULL, q->resplen,
			     next_update, q->err[0] ? q->err : tls_ocsp_status_name(st));
	w = q->waiters;
	q->waiters = NULL;
	for (; w; w = n) {
		n = w->next;
		if (st == TLS_OCSP_ERROR)
			cs->noanswer++;
		enum sip_ocsp_verdict v =
		    verdict_of(st, q->allow, q->subject, st == TLS_OCSP_ERROR ? q->err : who,
			       detail, sizeof(detail));
		w->q = NULL;
		w->fn(w->arg, v, detail);
		free(w);
	}
	query_free(q);
}

static void attempt_fail(struct query *q, const char *why)
{
	char who[300];

	target_text(&q->t[q->cur], who, sizeof(who));
	snprintf(q->err, sizeof(q->err), "%s: %s", who, why);
	attempt_close(q);
	q->cur++;
	attempt_next(q);
}

static void timeout_cb(su_root_magic_t *mg, su_timer_t *t, su_timer_arg_t *arg)
{
	struct query *q = (struct query *)arg;
	char why[64];

	if (q->fd < 0) { /* the attempt failed at once: go on from the loop */
		attempt_next(q);
		return;
	}
	snprintf(why, sizeof(why), "no answer in %d ms", SIP_OCSP_TIMEOUT_MS);
	attempt_fail(q, why);
}

static void got_bytes(struct query *q, int eof)
{
	const unsigned char *body;
	size_t blen;
	time_t next = 0;
	char err[256];
	int rc = tls_ocsp_http_body(q->in, q->inlen, eof, &body, &blen, err, sizeof(err));
	enum tls_ocsp_status st;

	if (rc == 0)
		return;
	if (rc < 0) {
		attempt_fail(q, err);
		return;
	}
	st = tls_ocsp_judge(body, blen, &q->oq, q->chain, q->store, time(NULL), &next, err,
			    sizeof(err));
	if (st == TLS_OCSP_ERROR) {
		attempt_fail(q, err);
		return;
	}
	if (q->staple_fn && (q->resp = malloc(blen))) {
		memcpy(q->resp, body, blen);
		q->resplen = blen;
	}
	query_finish(q, st, next);
}

static int wake_cb(su_root_magic_t *mg, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct query *q = (struct query *)arg;
	int events = su_wait_events(w, q->fd), soerr = 0;
	socklen_t sl = sizeof(soerr);
	ssize_t n;

	if (q->outoff < q->outlen) {
		if (getsockopt(q->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr) {
			attempt_fail(q, strerror(soerr));
			return 0;
		}
		n = send(q->fd, q->out + q->outoff, (size_t)(q->outlen - q->outoff), MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			attempt_fail(q, strerror(errno));
			return 0;
		}
		if (n > 0)
			q->outoff += (int)n;
		if (q->outoff == q->outlen)
			su_root_eventmask(q->m->e->root, q->idx, q->fd, SU_WAIT_IN | SU_WAIT_HUP);
		return 0;
	}
	if (!(events & (SU_WAIT_IN | SU_WAIT_HUP | SU_WAIT_ERR)))
		return 0;
	if (q->inlen + 4096 > q->incap) {
		size_t cap = q->incap ? q->incap * 2 : 8192;
		char *p = cap <= IN_MAX ? realloc(q->in, cap) : NULL;
		if (!p) {
			attempt_fail(q, "answer too large");
			return 0;
		}
		q->in = p, q->incap = cap;
	}
	n = recv(q->fd, q->in + q->inlen, q->incap - q->inlen, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			attempt_fail(q, strerror(errno));
		return 0;
	}
	q->inlen += (size_t)n;
	got_bytes(q, n == 0);
	return 0;
}

/* Starts attempt q->cur, or the next that can start; finishes q when none is left. */
static void attempt_next(struct query *q)
{
	su_root_t *root = q->m->e->root;

	while (q->cur < q->nt) {
		struct target *t = &q->t[q->cur];
		struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
					 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
		struct addrinfo *ai = NULL;
		char port[8], host[300];
		su_wait_t w = SU_WAIT_INIT;
		int fd;

		snprintf(port, sizeof(port), "%u", t->port);
		snprintf(host, sizeof(host), strchr(t->host, ':') ? "[%s]" : "%s", t->host);
		q->outlen = tls_ocsp_http_request(&q->oq, host, t->path, q->out, sizeof(q->out));
		if (q->outlen < 0) {
			attempt_fail(q, "request too large");
			return;
		}
		if (getaddrinfo(t->host, port, &hints, &ai) != 0 || !ai) {
			/* no DNS on the loop: a name would block it */
			attempt_fail(q, "not an IP address (host names are not resolved)");
			return;
		}
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0 ||
		    (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
			int err = errno;
			if (fd >= 0)
				close(fd);
			freeaddrinfo(ai);
			attempt_fail(q, strerror(err));
			return;
		}
		freeaddrinfo(ai);
		q->fd = fd;
		if (su_wait_create(&w, fd, SU_WAIT_OUT | SU_WAIT_ERR | SU_WAIT_HUP) < 0 ||
		    (q->idx = su_root_register(root, &w, wake_cb, (su_wakeup_arg_t *)q, 0)) < 0) {
			su_wait_destroy(&w);
			q->idx = -1;
			attempt_fail(q, "cannot watch the socket");
			return;
		}
		cstate(q->m, q->ctx)->queries++;
		su_timer_set_interval(q->timer, timeout_cb, (su_timer_arg_t *)q,
				      SIP_OCSP_TIMEOUT_MS);
		return;
	}
	if (!q->err[0])
		snprintf(q->err, sizeof(q->err), "no OCSP responder");
	query_finish(q, TLS_OCSP_ERROR, 0);
}

/* Which responders a policy asks: a change of them ends a "down" period. */
static void cfg_text(const struct tls_policy *pol, char *buf, size_t len)
{
	snprintf(buf, len, "%s|%s|%u|%d", pol->ocsp_primary, pol->ocsp_secondary, pol->ocsp_port,
		 pol->ocsp_aia);
}

static void targets_of(struct query *q, const struct tls_policy *pol, X509 *leaf)
{
	const char *srv[2] = {pol->ocsp_primary, pol->ocsp_secondary};

	for (int i = 0; i < 2; i++)
		if (srv[i][0] && q->nt < MAX_TARGETS) {
			struct target *t = &q->t[q->nt++];
			snprintf(t->host, sizeof(t->host), "%s", srv[i]);
			snprintf(t->path, sizeof(t->path), "/");
			t->port = pol->ocsp_port ? pol->ocsp_port : 2560;
		}
	if (!q->nt && pol->ocsp_aia) {
		struct target *t = &q->t[0];
		if (tls_ocsp_aia(leaf, t->host, sizeof(t->host), &t->port, t->path,
				 sizeof(t->path)) == 0)
			q->nt = 1;
	}
}

enum sip_ocsp_verdict sip_ocsp_check(struct sip_engine *e, int ctx, const struct tls_policy *pol,
				     X509_STORE_CTX *x, sip_ocsp_done_fn *fn, void *arg,
				     struct sip_ocsp_wait **w, char *detail, size_t detlen)
{
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(x);
	X509 *leaf = chain && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : NULL;
	X509 *issuer = chain && sk_X509_num(chain) > 1 ? sk_X509_value(chain, 1) : NULL;
	unsigned char key[KEY_MAX];
	struct sip_ocsp *m;
	struct ctxst *cs;
	struct centry *c;
	struct query *q;
	time_t now = time(NULL);
	char subject[256] = "?", err[256], cfg[200];
	size_t klen;

	*w = NULL;
	if (!pol || !pol->ocsp_enable)
		return SIP_OCSP_OK;
	if (leaf)
		tls_name_text(X509_get_subject_name(leaf), subject, sizeof(subject));
	if (!(m = mod(e)))
		return verdict_of(TLS_OCSP_ERROR, pol->ocsp_default_allow, subject, "out of memory",
				  detail, detlen);
	cs = cstate(m, ctx);
	klen = tls_ocsp_cache_key(leaf, issuer, key, sizeof(key));
	if (!klen) {
		cs->noanswer++;
		return verdict_of(TLS_OCSP_ERROR, pol->ocsp_default_allow, subject,
				  "no issuer in the chain to name the certificate", detail, detlen);
	}
	if ((c = cache_find(m, ctx, key, klen, now))) {
		cs->hits++;
		return verdict_of(c->st, pol->ocsp_default_allow, subject, "cached", detail,
				  detlen);
	}
	cfg_text(pol, cfg, sizeof(cfg));
	if (cs->down_until > now && !strcmp(cfg, cs->down_cfg)) {
		cs->noanswer++;
		snprintf(err, sizeof(err), "responder down since the last failure, %s",
			 cs->lasterr);
		return verdict_of(TLS_OCSP_ERROR, pol->ocsp_default_allow, subject, err, detail,
				  detlen);
	}
	for (q = m->qs; q; q = q->next)
		if (q->ctx == ctx && q->klen == klen && !memcmp(q->key, key, klen))
			break;
	if (!q) {
		if (!(q = calloc(1, sizeof(*q))))
			goto oom;
		q->m = m, q->ctx = ctx, q->allow = pol->ocsp_default_allow, q->fd = q->idx = -1;
		snprintf(q->cfg, sizeof(q->cfg), "%s", cfg);
		memcpy(q->key, key, klen);
		q->klen = klen;
		snprintf(q->subject, sizeof(q->subject), "%s", subject);
		targets_of(q, pol, leaf);
		if (!q->nt) {
			free(q);
			cs->noanswer++;
			return verdict_of(TLS_OCSP_ERROR, pol->ocsp_default_allow, subject,
					  "no responder: OcspServerPrimary is empty and no AIA URL "
					  "is usable",
					  detail, detlen);
		}
		if (tls_ocsp_query_new(&q->oq, leaf, issuer, err, sizeof(err)) < 0 ||
		    !(q->chain = X509_chain_up_ref(chain)) ||
		    !(q->timer = su_timer_create(su_root_task(e->root), 0))) {
			tls_ocsp_query_free(&q->oq);
			sk_X509_pop_free(q->chain, X509_free);
			free(q);
			goto oom;
		}
		q->store = X509_STORE_CTX_get0_store(x);
		X509_STORE_up_ref(q->store);
		snprintf(cs->responder, sizeof(cs->responder), "%s", "");
		target_text(&q->t[0], cs->responder, sizeof(cs->responder));
		q->next = m->qs;
		m->qs = q;
		/* started from a timer: a failure at once must not call back from inside here */
		su_timer_set_interval(q->timer, timeout_cb, (su_timer_arg_t *)q, 0);
	}
	if (!(*w = calloc(1, sizeof(**w))))
		goto oom;
	(*w)->q = q, (*w)->fn = fn, (*w)->arg = arg;
	(*w)->next = q->waiters;
	q->waiters = *w;
	snprintf(detail, detlen, "OCSP: asking %s about '%s'", cs->responder, subject);
	return SIP_OCSP_PENDING;
oom:
	ERR_clear_error();
	return verdict_of(TLS_OCSP_ERROR, pol->ocsp_default_allow, subject, "out of memory", detail,
			  detlen);
}

int sip_ocsp_fetch_staple(struct sip_engine *e, int ctx, const struct tls_policy *pol, X509 *leaf,
			  X509 *issuer, sip_ocsp_staple_fn *fn, void *arg)
{
	struct sip_ocsp *m = mod(e);
	struct query *q = m ? calloc(1, sizeof(*q)) : NULL;
	struct tls_policy own = *pol;
	char err[256];

	if (!q)
		return -1;
	q->m = m, q->ctx = ctx, q->fd = q->idx = -1;
	q->staple_fn = fn, q->staple_arg = arg;
	q->klen = tls_ocsp_cache_key(leaf, issuer, q->key, sizeof(q->key));
	tls_name_text(X509_get_subject_name(leaf), q->subject, sizeof(q->subject));
	/* the own certificate's AIA first, then the configured servers */
	own.ocsp_primary[0] = own.ocsp_secondary[0] = 0;
	own.ocsp_aia = 1;
	targets_of(q, &own, leaf);
	own = *pol;
	own.ocsp_aia = 0;
	if (q->nt < MAX_TARGETS) {
		struct query tmp = {.nt = 0};
		targets_of(&tmp, &own, leaf);
		for (int i = 0; i < tmp.nt && q->nt < MAX_TARGETS; i++)
			q->t[q->nt++] = tmp.t[i];
	}
	/* the issuer is the trust anchor of its own responder's answers */
	if (!q->nt || tls_ocsp_query_new(&q->oq, leaf, issuer, err, sizeof(err)) < 0 ||
	    !(q->chain = sk_X509_new_null()) || !sk_X509_push(q->chain, leaf) ||
	    !X509_up_ref(leaf) || !(q->store = X509_STORE_new()) ||
	    !X509_STORE_add_cert(q->store, issuer) ||
	    !X509_STORE_set_flags(q->store, X509_V_FLAG_PARTIAL_CHAIN) ||
	    !(q->timer = su_timer_create(su_root_task(e->root), 0))) {
		q->staple_fn = NULL;
		query_free(q);
		ERR_clear_error();
		return -1;
	}
	q->next = m->qs;
	m->qs = q;
	su_timer_set_interval(q->timer, timeout_cb, (su_timer_arg_t *)q, 0);
	return 0;
}

void sip_ocsp_cancel(struct sip_ocsp_wait *w)
{
	struct sip_ocsp_wait **pp;

	if (!w || !w->q)
		return;
	for (pp = &w->q->waiters; *pp && *pp != w; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = w->next;
	free(w);
}

void sip_ocsp_status(struct sip_engine *e, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_ocspstatus;
	struct sip_ocsp *m = e->ocsp;
	time_t now = time(NULL);
	char ebuf[128];

	conf_store_clear(st, t);
	for (int i = 0; e->rt && i < NCTX; i++) {
		const struct sip_rt_ctx *rc = sip_rt_cfg_ctx(e->rt, i);
		const struct ctxst *cs = m ? &m->cs[i] : NULL;
		struct conf_row *r;
		char resp[300];
		if (!rc || (!rc->pol.ocsp_enable && !(cs && cs->used)))
			continue;
		if (!(r = conf_store_ensure(st, t, (unsigned)i, NULL)))
			continue;
		conf_row_set_text(t, r, OCSPSTATUS_CONTEXT_NAME, rc->name, ebuf, sizeof(ebuf));
		r->v[OCSPSTATUS_ENABLED].i = rc->pol.ocsp_enable;
		if (cs && cs->responder[0])
			snprintf(resp, sizeof(resp), "%s", cs->responder);
		else if (rc->pol.ocsp_primary[0])
			snprintf(resp, sizeof(resp), "%s:%u", rc->pol.ocsp_primary,
				 rc->pol.ocsp_port);
		else
			snprintf(resp, sizeof(resp), "%s", rc->pol.ocsp_aia ? "AIA" : "");
		conf_row_set_text(t, r, OCSPSTATUS_RESPONDER, resp, ebuf, sizeof(ebuf));
		r->v[OCSPSTATUS_RESPONDER_STATE].i = !rc->pol.ocsp_enable ? 4
						     : cs && cs->state == 3 && cs->down_until <= now
							 ? 1
						     : cs && cs->state ? cs->state
								       : 1;
		r->v[OCSPSTATUS_LAST_RESPONSE_AGE].i = cs && cs->last_t ? now - cs->last_t : -1;
		if (!cs)
			continue;
		r->v[OCSPSTATUS_CACHE_ENTRIES].i = cs->entries;
		conf_row_set_text(t, r, OCSPSTATUS_LAST_RESPONSE, cs->last, ebuf, sizeof(ebuf));
		conf_row_set_text(t, r, OCSPSTATUS_LAST_ERROR, cs->lasterr, ebuf, sizeof(ebuf));
		r->v[OCSPSTATUS_QUERIES].i = (long long)cs->queries;
		r->v[OCSPSTATUS_GOOD].i = (long long)cs->good;
		r->v[OCSPSTATUS_REVOKED].i = (long long)cs->revoked;
		r->v[OCSPSTATUS_UNKNOWN].i = (long long)cs->unknown;
		r->v[OCSPSTATUS_NO_ANSWER].i = (long long)cs->noanswer;
		r->v[OCSPSTATUS_CACHE_HITS].i = (long long)cs->hits;
	}
}

void sip_ocsp_release(struct sip_engine *e)
{
	struct sip_ocsp *m = e->ocsp;

	if (!m)
		return;
	while (m->qs)
		query_free(m->qs);
	for (unsigned i = 0; i < NBUCKET; i++)
		for (struct centry *c = m->b[i], *n; c; c = n) {
			n = c->next;
			free(c);
		}
	free(m);
	e->ocsp = NULL;
}

/*
 * sofia-sip's epoll port keeps its registration index in each epoll_event's data; the
 * kernel shows it in /proc/self/fdinfo of the epoll descriptor ("tfd: N events: E data: D").
 */
static int index_in(int epfd, int fd)
{
	char path[64], line[256];
	FILE *f;
	int idx = -1;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", epfd);
	if (!(f = fopen(path, "re")))
		return -1;
	while (idx < 0 && fgets(line, sizeof(line), f)) {
		int tfd;
		unsigned ev;
		unsigned long long data;
		if (sscanf(line, "tfd: %d events: %x data: %llx", &tfd, &ev, &data) == 3 &&
		    tfd == fd)
			idx = (int)(unsigned)(data & 0xffffffffu);
	}
	fclose(f);
	return idx;
}

int sip_ocsp_su_index(int fd)
{
	static int epfd = -1;
	char path[64], target[64];
	struct dirent *d;
	DIR *dir;
	int idx;

	if (epfd >= 0 && (idx = index_in(epfd, fd)) > 0)
		return idx;
	if (!(dir = opendir("/proc/self/fd")))
		return -1;
	idx = -1;
	while (idx <= 0 && (d = readdir(dir))) {
		int n = atoi(d->d_name);
		ssize_t len;
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", n);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = 0;
		if (strcmp(target, "anon_inode:[eventpoll]") != 0)
			continue;
		if ((idx = index_in(n, fd)) > 0)
			epfd = n;
	}
	closedir(dir);
	return idx > 0 ? idx : -1;
}

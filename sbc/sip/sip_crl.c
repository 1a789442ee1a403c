/*
 * CRL distribution points: a registry of (context, URL) entries with the CRL in force, consulted
 * by the revocation hook of the SIP trust stores, and fetched by a small HTTP GET client on the
 * su_root loop (as sip_ocsp.c's POST client: one request, one answer, every wait owned by the
 * loop).
 *
 * Why our own revocation step rather than adding the CRLs to the X509_STORE: OpenSSL's CRL
 * check needs a CRL for every CA of the chain once it is on, so a context whose phones' CA
 * publishes a CRL but whose root does not would refuse everyone; and an X509_STORE can only
 * grow, so each refresh would leave the previous CRL behind.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "conf/cols.h"
#include "conf/store.h"
#include "sbc/alarms.h"
#include "sbc/sip/sip_crl.h"
#include "sbc/sip/sip_internal.h"
#include "tls/certinfo.h"
#include "tls/crl_fetch.h"
#include "tls/ocsp.h"
#include "tls/parse.h"

#define NCTX   100
#define IN_MAX (TLS_MAX_INPUT + 16384)

struct cdp {
	struct cdp *next;
	unsigned id; /* for the alarm source */
	int ctx;
	char url[512], host[256], path[512];
	unsigned port;
	X509 *issuer; /* the CA the CRL must come from */
	char issuer_text[256];
	X509_CRL *crl; /* in force; NULL until fetched */
	time_t this_upd, next_upd, fetched_at, due;
	unsigned long long fetches;
	char result[300];
	int alarmed;
	/* the fetch: loop only */
	struct sip_engine *e;
	int fd, idx;
	time_t deadline;
	char out[1024];
	int outlen, outoff;
	char *in;
	size_t inlen, incap;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct cdp *list;
static unsigned next_id = 1;
static int bind_idx = -1;
static X509_STORE_CTX_check_revocation_fn dflt_check;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init_once(void)
{
	X509_STORE_CTX *x = X509_STORE_CTX_new();
	X509_STORE *s = X509_STORE_new();

	bind_idx = X509_STORE_get_ex_new_index(0, "sbc crl dp", NULL, NULL, NULL);
	/* OpenSSL's own revocation step, which a store without a hook uses */
	if (x && s && X509_STORE_CTX_init(x, s, NULL, NULL))
		dflt_check = X509_STORE_CTX_get_check_revocation(x);
	X509_STORE_CTX_free(x);
	X509_STORE_free(s);
	ERR_clear_error();
}

/* --- the revocation hook (any thread) --- */

static struct cdp *find(int ctx, const char *url)
{
	for (struct cdp *c = list; c; c = c->next)
		if (c->ctx == ctx && !strcmp(c->url, url))
			return c;
	return NULL;
}

static unsigned count_ctx(int ctx)
{
	unsigned n = 0;

	for (struct cdp *c = list; c; c = c->next)
		n += c->ctx == ctx;
	return n;
}

/* Learns the CDP URLs of the chain of x: only from a chain whose links verify up to a
 * certificate of the trust store (check_revocation runs before OpenSSL checks signatures). */
static void learn(X509_STORE_CTX *x, int ctx)
{
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(x);
	int n = chain ? sk_X509_num(chain) : 0;
	int trusted = n > X509_STORE_CTX_get_num_untrusted(x);
	char url[512];

	for (int i = 0; trusted && i + 1 < n; i++) {
		X509 *cert = sk_X509_value(chain, i), *iss = sk_X509_value(chain, i + 1);
		struct cdp *c;
		int good = 1;
		if (tls_crl_dp_url(cert, url, sizeof(url)) < 0)
			continue;
		pthread_mutex_lock(&lock);
		c = find(ctx, url);
		pthread_mutex_unlock(&lock);
		if (c)
			continue;
		for (int k = i; good && k + 1 < n; k++)
			good = X509_verify(sk_X509_value(chain, k),
					   X509_get0_pubkey(sk_X509_value(chain, k + 1))) == 1;
		ERR_clear_error();
		if (!good || !(c = calloc(1, sizeof(*c))))
			continue;
		snprintf(c->url, sizeof(c->url), "%s", url);
		c->ctx = ctx, c->fd = c->idx = -1;
		if (tls_http_url_split(url, c->host, sizeof(c->host), &c->port, c->path,
				       sizeof(c->path)) < 0)
			snprintf(c->result, sizeof(c->result), "not a usable http:// URL");
		tls_name_text(X509_get_subject_name(iss), c->issuer_text, sizeof(c->issuer_text));
		X509_up_ref(iss);
		c->issuer = iss;
		pthread_mutex_lock(&lock);
		if (find(ctx, url) || count_ctx(ctx) >= SIP_CRL_MAX_PER_CTX) {
			pthread_mutex_unlock(&lock);
			X509_free(iss);
			free(c);
			continue;
		}
		c->id = next_id++;
		c->next = list;
		list = c;
		pthread_mutex_unlock(&lock);
	}
}

/* The fetched CRL in force for certificates issued by iss in context ctx (up-referenced). */
static X509_CRL *crl_of(int ctx, X509 *iss)
{
	X509_CRL *crl = NULL;

	for (struct cdp *c = list; c && !crl; c = c->next)
		if (c->ctx == ctx && c->crl && !X509_cmp(c->issuer, iss) && X509_CRL_up_ref(c->crl))
			crl = c->crl;
	return crl;
}

static int check_revocation(X509_STORE_CTX *x)
{
	X509_STORE *st = X509_STORE_CTX_get0_store(x);
	intptr_t b = st && bind_idx >= 0 ? (intptr_t)X509_STORE_get_ex_data(st, bind_idx) : 0;
	int ctx = (int)(b & 0xffff) - 1, enable = (int)(b >> 16);
	unsigned long flags = X509_VERIFY_PARAM_get_flags(X509_STORE_CTX_get0_param(x));
	STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(x);
	int n = chain ? sk_X509_num(chain) : 0, rc = 1;

	if (ctx < 0 || !enable)
		return dflt_check ? dflt_check(x) : 1;
	learn(x, ctx);
	if (flags & X509_V_FLAG_CRL_CHECK) {
		/* imported CRLs in force: OpenSSL's check, our CRLs beside the store's */
		STACK_OF(X509_CRL) *sk = sk_X509_CRL_new_null();
		for (int i = 0; sk && i + 1 < n; i++) {
			X509_CRL *crl;
			pthread_mutex_lock(&lock);
			crl = crl_of(ctx, sk_X509_value(chain, i + 1));
			pthread_mutex_unlock(&lock);
			if (crl && !sk_X509_CRL_push(sk, crl))
				X509_CRL_free(crl);
		}
		X509_STORE_CTX_set0_crls(x, sk);
		rc = dflt_check ? dflt_check(x) : 1;
		X509_STORE_CTX_set0_crls(x, NULL);
		sk_X509_CRL_pop_free(sk, X509_CRL_free);
		return rc;
	}
	for (int i = 0; i + 1 < n; i++) {
		X509 *cert = sk_X509_value(chain, i);
		X509_REVOKED *rev = NULL;
		X509_CRL *crl;
		int hit;
		pthread_mutex_lock(&lock);
		crl = crl_of(ctx, sk_X509_value(chain, i + 1));
		pthread_mutex_unlock(&lock);
		if (!crl)
			continue;
		hit = X509_CRL_get0_by_cert(crl, &rev, cert) == 1;
		X509_CRL_free(crl);
		if (!hit)
			continue;
		X509_STORE_CTX_set_error_depth(x, i);
		X509_STORE_CTX_set_current_cert(x, cert);
		X509_STORE_CTX_set_error(x, X509_V_ERR_CERT_REVOKED);
		if (!X509_STORE_CTX_get_verify_cb(x)(0, x))
			return 0;
	}
	return rc;
}

void sip_crl_store_bind(X509_STORE *st, int ctx, int enable)
{
	pthread_once(&once, init_once);
	if (!st || bind_idx < 0 || ctx < 0 || ctx >= NCTX)
		return;
	X509_STORE_set_ex_data(st, bind_idx,
			       (void *)(intptr_t)((ctx + 1) | (enable ? 1 << 16 : 0)));
	X509_STORE_set_check_revocation(st, check_revocation);
}

/* --- fetching (loop) --- */

static void alarm_source(const struct cdp *c, char *buf, size_t len)
{
	snprintf(buf, len, "TLSContext#%d CRL#%u", c->ctx, c->id);
}

static void fetch_close(struct cdp *c)
{
	if (c->idx >= 0 && c->e)
		su_root_deregister(c->e->root, c->idx);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = c->idx = -1;
	c->deadline = 0;
	free(c->in);
	c->in = NULL;
	c->inlen = c->incap = 0;
}

static void fetch_fail(struct cdp *c, const char *why)
{
	time_t now = time(NULL);

	fetch_close(c);
	c->fetched_at = now;
	c->due = now + SIP_CRL_RETRY_S;
	if (strcmp(c->result + (strncmp(c->result, "failed: ", 8) ? 0 : 8), why))
		log_warnx("sip: CRL of '%s' from %s (TLS context %d): fetch failed: %s; next try "
			  "in %d s%s",
			  c->issuer_text, c->url, c->ctx, why, SIP_CRL_RETRY_S,
			  c->crl ? ", the CRL in force stays" : "");
	snprintf(c->result, sizeof(c->result), "failed: %s", why);
}

/* An empty CRL has no revoked list at all (-1 from OpenSSL). */
static int revoked_count(X509_CRL *crl)
{
	int n = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));

	return n > 0 ? n : 0;
}

/* A body of the URL: one full CRL signed by the issuer, not older than the one in force. */
static void fetch_done(struct cdp *c, const unsigned char *body, size_t blen)
{
	STACK_OF(X509_CRL) *sk;
	X509_CRL *crl;
	time_t now = time(NULL), thisu, nextu, win;
	char err[300], why[400], src[64];
	int changed, revoked;

	if (!(sk = tls_parse_crls(body, blen, "the answer", err, sizeof(err))) ||
	    sk_X509_CRL_num(sk) != 1) {
		snprintf(why, sizeof(why), "%s", sk ? "the answer is not exactly one CRL" : err);
		sk_X509_CRL_pop_free(sk, X509_CRL_free);
		fetch_fail(c, why);
		return;
	}
	crl = sk_X509_CRL_value(sk, 0);
	X509_CRL_up_ref(crl);
	sk_X509_CRL_pop_free(sk, X509_CRL_free);
	thisu = tls_asn1_time_t(X509_CRL_get0_lastUpdate(crl));
	nextu = tls_asn1_time_t(X509_CRL_get0_nextUpdate(crl));
	if (tls_crl_accept(crl, c->issuer, c->crl, now, err, sizeof(err)) < 0) {
		X509_CRL_free(crl);
		fetch_fail(c, err);
		return;
	}
	fetch_close(c);
	revoked = revoked_count(crl);
	changed = !c->crl || X509_CRL_match(c->crl, crl) != 0;
	pthread_mutex_lock(&lock);
	X509_CRL_free(c->crl);
	c->crl = crl;
	c->this_upd = thisu, c->next_upd = nextu;
	pthread_mutex_unlock(&lock);
	c->fetched_at = now;
	/* at 80% of the window; past it (the server still has the same CRL), at half the time
	 * left, so that a fresh CRL published late is still taken before nextUpdate */
	win = nextu > thisu ? (nextu - thisu) * 8 / 10 : 3600;
	c->due = thisu + win;
	if (c->due <= now) {
		time_t left = nextu > now ? (nextu - now) / 2 : SIP_CRL_RETRY_S;
		c->due = now + (left < SIP_CRL_MIN_REFRESH_S ? SIP_CRL_MIN_REFRESH_S
				: left > SIP_CRL_RETRY_S     ? SIP_CRL_RETRY_S
							     : left);
	}
	if (c->due > now + 86400)
		c->due = now + 86400;
	snprintf(c->result, sizeof(c->result), "ok: %d revoked%s", revoked,
		 changed ? "" : ", unchanged");
	if (c->alarmed && (!nextu || nextu > now)) {
		alarm_source(c, src, sizeof(src));
		alarm_set("crlExpired", src, ALARM_CLEARED, "");
		c->alarmed = 0;
	}
	if (!changed)
		return;
	log_info("sip: CRL of '%s' from %s (TLS context %d): %d revoked, next update in %lds, "
		 "refreshed in %lds",
		 c->issuer_text, c->url, c->ctx, revoked, nextu ? (long)(nextu - now) : -1L,
		 (long)(c->due - now));
	sip_tls_trust_recheck(c->e, c->ctx, "new CRL from a distribution point");
}

static int wake_cb(su_root_magic_t *mg, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct cdp *c = (struct cdp *)arg;
	const unsigned char *body;
	size_t blen;
	int soerr = 0, rc;
	socklen_t sl = sizeof(soerr);
	char err[256];
	ssize_t n;

	if (c->outoff < c->outlen) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr) {
			fetch_fail(c, strerror(soerr));
			return 0;
		}
		n = send(c->fd, c->out + c->outoff, (size_t)(c->outlen - c->outoff), MSG_NOSIGNAL);
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			fetch_fail(c, strerror(errno));
			return 0;
		}
		if (n > 0)
			c->outoff += (int)n;
		if (c->outoff == c->outlen)
			su_root_eventmask(c->e->root, c->idx, c->fd, SU_WAIT_IN | SU_WAIT_HUP);
		return 0;
	}
	if (c->inlen + 8192 > c->incap) {
		size_t cap = c->incap ? c->incap * 2 : 16384;
		char *p = cap <= IN_MAX ? realloc(c->in, cap) : NULL;
		if (!p) {
			fetch_fail(c, "answer larger than 1 MiB");
			return 0;
		}
		c->in = p, c->incap = cap;
	}
	n = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			fetch_fail(c, strerror(errno));
		return 0;
	}
	c->inlen += (size_t)n;
	rc = tls_ocsp_http_body(c->in, c->inlen, n == 0, &body, &blen, err, sizeof(err));
	if (rc < 0)
		fetch_fail(c, err);
	else if (rc > 0)
		fetch_done(c, body, blen);
	return 0;
}

static void fetch_start(struct sip_engine *e, struct cdp *c, time_t now)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	su_wait_t w = SU_WAIT_INIT;
	char port[8];
	int fd;

	c->e = e;
	c->fetches++;
	if (!c->host[0]) {
		c->due = now + 3600;
		return;
	}
	snprintf(port, sizeof(port), "%u", c->port);
	if (getaddrinfo(c->host, port, &hints, &ai) != 0 || !ai) {
		/* no DNS on the loop: a name would block it */
		fetch_fail(c, "not an IP address (host names are not resolved)");
		return;
	}
	c->outlen = tls_crl_http_request(c->host, c->port, c->path, c->out, sizeof(c->out));
	c->outoff = 0;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->outlen < 0 || fd < 0 ||
	    (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS)) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		fetch_fail(c, c->outlen < 0 ? "URL too long" : strerror(err));
		return;
	}
	freeaddrinfo(ai);
	c->fd = fd;
	c->deadline = now + SIP_CRL_TIMEOUT_S;
	if (su_wait_create(&w, fd, SU_WAIT_OUT | SU_WAIT_ERR | SU_WAIT_HUP) < 0 ||
	    (c->idx = su_root_register(e->root, &w, wake_cb, (su_wakeup_arg_t *)c, 0)) < 0) {
		su_wait_destroy(&w);
		c->idx = -1;
		fetch_fail(c, "cannot watch the socket");
	}
}

static void entry_free(struct cdp *c)
{
	char src[64];

	fetch_close(c);
	if (c->alarmed) {
		alarm_source(c, src, sizeof(src));
		alarm_set("crlExpired", src, ALARM_CLEARED, "");
	}
	X509_CRL_free(c->crl);
	X509_free(c->issuer);
	free(c);
}

static int ctx_enabled(struct sip_engine *e, int ctx)
{
	const struct sip_rt_ctx *rc = e->rt ? sip_rt_cfg_ctx(e->rt, ctx) : NULL;

	return rc && rc->pol.crl_dp;
}

void sip_crl_tick(struct sip_engine *e)
{
	time_t now = time(NULL);
	struct cdp **pp, *c;
	int dropped[NCTX] = {0};
	char src[64], text[900], nu[40];

	pthread_once(&once, init_once);
	pthread_mutex_lock(&lock);
	for (pp = &list; (c = *pp);) {
		if (ctx_enabled(e, c->ctx)) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		if (c->crl && c->ctx >= 0 && c->ctx < NCTX)
			dropped[c->ctx] = 1;
		entry_free(c);
	}
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < NCTX; i++)
		if (dropped[i])
			sip_tls_trust_recheck(e, i, "CRL distribution points turned off");
	/* entries are added by the hook (at the head) but freed only here, on the loop */
	pthread_mutex_lock(&lock);
	c = list;
	pthread_mutex_unlock(&lock);
	for (; c; c = c->next) {
		if (c->fd >= 0 && now >= c->deadline) {
			char why[64];
			snprintf(why, sizeof(why), "no answer in %d s", SIP_CRL_TIMEOUT_S);
			fetch_fail(c, why);
		}
		if (c->fd < 0 && now >= c->due)
			fetch_start(e, c, now);
		if (c->crl && c->next_upd && now >= c->next_upd && !c->alarmed) {
			alarm_source(c, src, sizeof(src));
			tls_asn1_time_text(X509_CRL_get0_nextUpdate(c->crl), nu, sizeof(nu));
			snprintf(
			    text, sizeof(text),
			    "CRL of '%s' for TLS context %d from %s passed its nextUpdate (%s) "
			    "without a fresh one (%s); its revocations still apply",
			    c->issuer_text, c->ctx, c->url, nu,
			    c->result[0] ? c->result : "not fetched again yet");
			alarm_set("crlExpired", src, ALARM_MAJOR, text);
			c->alarmed = 1;
		}
	}
}

/* --- status --- */

static void row_crl(const struct conf_table *t, struct conf_row *r, X509_CRL *crl, time_t now)
{
	char buf[300], ebuf[128];
	time_t nu = tls_asn1_time_t(X509_CRL_get0_nextUpdate(crl));

	tls_name_text(X509_CRL_get_issuer(crl), buf, sizeof(buf));
	conf_row_set_text(t, r, CRLSTATUS_ISSUER, buf, ebuf, sizeof(ebuf));
	tls_asn1_time_text(X509_CRL_get0_lastUpdate(crl), buf, sizeof(buf));
	conf_row_set_text(t, r, CRLSTATUS_THIS_UPDATE, buf, ebuf, sizeof(ebuf));
	tls_asn1_time_text(X509_CRL_get0_nextUpdate(crl), buf, sizeof(buf));
	conf_row_set_text(t, r, CRLSTATUS_NEXT_UPDATE, buf, ebuf, sizeof(ebuf));
	r->v[CRLSTATUS_STATE].i = nu && nu <= now ? 2 : 1;
	r->v[CRLSTATUS_REVOKED_COUNT].i = revoked_count(crl);
}

void sip_crl_status(struct sip_engine *e, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_crlstatus;
	unsigned num[NCTX] = {0};
	time_t now = time(NULL);
	char path[600], err[256], ebuf[128];

	conf_store_clear(st, t);
	for (int i = 0; e->rt && i < NCTX; i++) {
		STACK_OF(X509_CRL) *sk;
		if (!sip_rt_cfg_ctx(e->rt, i))
			continue;
		snprintf(path, sizeof(path), "%s/tls/%d/%s", e->flashdir, i, TLS_FILE_CRL);
		if (!(sk = tls_load_crls(path, 1, err, sizeof(err)))) {
			ERR_clear_error();
			continue;
		}
		for (int k = 0; k < sk_X509_CRL_num(sk) && num[i] < 1000; k++) {
			struct conf_row *r =
			    conf_store_ensure(st, t, (unsigned)i * 1000 + num[i]++, NULL);
			if (!r)
				continue;
			r->v[CRLSTATUS_CONTEXT].i = i;
			row_crl(t, r, sk_X509_CRL_value(sk, k), now);
			conf_row_set_text(t, r, CRLSTATUS_SOURCE, "imported", ebuf, sizeof(ebuf));
		}
		sk_X509_CRL_pop_free(sk, X509_CRL_free);
	}
	pthread_mutex_lock(&lock);
	for (struct cdp *c = list; c; c = c->next) {
		struct conf_row *r;
		if (c->ctx < 0 || c->ctx >= NCTX || num[c->ctx] >= 1000 ||
		    !(r = conf_store_ensure(st, t, (unsigned)c->ctx * 1000 + num[c->ctx]++, NULL)))
			continue;
		r->v[CRLSTATUS_CONTEXT].i = c->ctx;
		if (c->crl) {
			row_crl(t, r, c->crl, now);
		} else {
			conf_row_set_text(t, r, CRLSTATUS_ISSUER, c->issuer_text, ebuf,
					  sizeof(ebuf));
			r->v[CRLSTATUS_STATE].i = 3;
		}
		conf_row_set_text(t, r, CRLSTATUS_SOURCE, c->url, ebuf, sizeof(ebuf));
		conf_row_set_text(t, r, CRLSTATUS_LAST_FETCH,
				  c->fd >= 0 && !c->result[0] ? "fetching" : c->result, ebuf,
				  sizeof(ebuf));
		r->v[CRLSTATUS_LAST_FETCH_AGE].i = c->fetched_at ? now - c->fetched_at : -1;
		r->v[CRLSTATUS_FETCHES].i = (long long)c->fetches;
	}
	pthread_mutex_unlock(&lock);
	ERR_clear_error();
}

void sip_crl_release(struct sip_engine *e)
{
	pthread_mutex_lock(&lock);
	while (list) {
		struct cdp *c = list;
		list = c->next;
		entry_free(c);
	}
	pthread_mutex_unlock(&lock);
}

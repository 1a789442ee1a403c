/*
 * sip_proxy_tls: the SBC as TLS client towards proxies.
 *
 * Why a transport of its own per (SIP interface, TLS context): sofia-sip uses
 * the SSL_CTX of a TLS primary for the connections it accepts and for those it
 * opens, so the proxy set's context (certificate, roots, versions) can only
 * apply to a primary made for it. We add one with tport_tbind (an ephemeral
 * listening port whose server handshakes are all refused), capture
 * its SSL_CTX as sip_tls.c does, and bind the client policy to it. Requests
 * name it with NTATAG_TPORT; sofia reuses its open connections by address.
 *
 * Why watches: sofia drops the queued request when a handshake fails and
 * never times a stalled one out, so the request would only fail at Timer F.
 * We learn every connection of our SSL_CTX (ex_data new callback, info and
 * verify callbacks), and a request sent over one is watched until it gets a
 * response: a failed handshake, a refused certificate, a connection closed
 * under it, or a handshake not done by the deadline calls its failure
 * function within at most SIP_CTLS_DEADLINE_MS. The failure is reported from
 * a timer, never from inside sofia's or OpenSSL's callbacks.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/tport_tag.h>

#include "sbc/sip/sip_crl.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_ocsp.h"
#include "tls/certinfo.h"

#define SIP_CTLS_DEADLINE_MS 1500
#define SIP_CTLS_POLL_MS     50
#define SIP_CTLS_EXPECTS     32

enum { CC_NEW, CC_HS, CC_UP, CC_FAILED };

struct sip_cconn {
	struct sip_cconn *next;
	struct sip_ctls *cl;
	SSL *ssl; /* NULL once OpenSSL freed it */
	int fd, bound;
	dev_t dev;
	ino_t ino;
	int state, reported, verr;
	char peer[80];
	char expect[256];
	char sni[256]; /* the DNS name the peer was reached by, "" for an address */
	char subject[512];
	char reason[256];
	/* OCSP of the server certificate (sip_ocsp.h): the handshake is held while pending */
	struct sip_ocsp_wait *ocsp_wait;
	int ocsp_checked, ocsp_pending, su_idx;
	BIO *hold;        /* sofia's socket BIO while our read hook is on it */
	su_timer_t *park; /* stops sofia watching the socket while held */
};

struct sip_ctls {
	struct sip_ctls *next;
	struct sip_ctls_mod *m;
	struct sip_iface *ifc;
	int ctx;
	tport_t *pri;
	SSL_CTX *ssl_ctx;
	char ident[40];
	struct sip_cconn *conns;
	struct {
		char peer[80], name[256];
	} exp[SIP_CTLS_EXPECTS];
	unsigned nexp;
	struct {
		char peer[80], host[256];
	} sni[SIP_CTLS_EXPECTS];
	unsigned nsni;
};

struct sip_ctls_wait {
	struct sip_ctls_wait *next;
	struct sip_ctls *cl;
	char peer[80];
	unsigned long long deadline; /* 0 once the connection is up */
	sip_ctls_fail_fn *fn;
	void *arg;
};

struct sip_ctls_mod {
	struct sip_engine *e;
	struct sip_ctls *list;
	struct sip_ctls_wait *waits;
	su_timer_t *timer;
	int armed, closing;
	unsigned long long ok, failed;
};

static int cctx_idx = -1, cssl_idx = -1;

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

static struct sip_ctls *ctls_of_ctx(const SSL_CTX *ctx)
{
	struct sip_ctls *cl = ctx && cctx_idx >= 0 ? SSL_CTX_get_ex_data(ctx, cctx_idx) : NULL;

	return cl && !cl->m->closing ? cl : NULL;
}

static void arm(struct sip_ctls_mod *m, unsigned ms);

static void cssl_new_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	SSL *ssl = parent;
	struct sip_ctls *cl = ctls_of_ctx(SSL_get_SSL_CTX(ssl));
	struct sip_cconn *c;

	if (!cl || !(c = calloc(1, sizeof(*c))))
		return;
	c->cl = cl, c->ssl = ssl, c->fd = -1;
	if (CRYPTO_set_ex_data(ad, cssl_idx, c) != 1) {
		free(c);
		return;
	}
	c->next = cl->conns;
	cl->conns = c;
}

static void cssl_free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
			 void *argp)
{
	struct sip_cconn *c = ptr;

	if (c)
		c->ssl = NULL, c->bound = c->bound ? c->bound : -1;
}

int sip_ctls_global_init(void)
{
	static int done;

	if (!done) {
		cctx_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, "sbc sip client",
						   NULL, NULL, NULL);
		cssl_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, "sbc sip client conn",
						   cssl_new_cb, NULL, cssl_free_cb);
		done = 1;
	}
	return cctx_idx >= 0 && cssl_idx >= 0 ? 0 : -1;
}

/* --- connection records --- */

/* Learns the socket and the peer. Only from OpenSSL's callbacks on this SSL: elsewhere
 * sofia may already have freed its BIO (it never frees the SSL). */
static void conn_bind(struct sip_cconn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	struct stat sb;
	int fd;

	if (c->bound || !c->ssl)
		return;
	fd = SSL_get_fd(c->ssl);
	if (fd < 0 || fstat(fd, &sb) < 0 || getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	c->fd = fd, c->dev = sb.st_dev, c->ino = sb.st_ino, c->bound = 1;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "%s:%u", host, ntohs(s4->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(c->peer, sizeof(c->peer), "[%s]:%u", host, ntohs(s6->sin6_port));
	}
	/* the name this peer's certificate must carry */
	snprintf(c->expect, sizeof(c->expect), "%s", c->cl->m->e->rt->remote_subject);
	for (unsigned i = 0; !c->expect[0] && i < c->cl->nexp && i < SIP_CTLS_EXPECTS; i++)
		if (strcmp(c->cl->exp[i].peer, c->peer) == 0)
			snprintf(c->expect, sizeof(c->expect), "%s", c->cl->exp[i].name);
	if (!c->expect[0])
		sip_rt_split_hostport(c->peer, c->expect, sizeof(c->expect), &(unsigned){0});
	for (unsigned i = 0; i < c->cl->nsni && i < SIP_CTLS_EXPECTS; i++)
		if (strcmp(c->cl->sni[i].peer, c->peer) == 0)
			snprintf(c->sni, sizeof(c->sni), "%s", c->cl->sni[i].host);
}

static int conn_alive(const struct sip_cconn *c)
{
	struct stat sb;

	return c->bound == 1 && fstat(c->fd, &sb) == 0 && sb.st_ino == c->ino &&
	       sb.st_dev == c->dev;
}

static void conn_fail(struct sip_cconn *c, const char *fmt, const char *detail)
{
	if (c->state == CC_FAILED)
		return;
	c->state = CC_FAILED;
	snprintf(c->reason, sizeof(c->reason), fmt, detail);
	arm(c->cl->m, 0);
}

/* --- OpenSSL callbacks on our client SSL_CTX --- */

int sip_ctls_name_match(X509 *cert, const char *name)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1)
		return X509_check_ip_asc(cert, name, 0) == 1;
	return X509_check_host(cert, name, 0, 0, NULL) == 1;
}

/* --- OCSP: the handshake is held as on the server side (sip_tls.c) --- */

static void cpark_cb(su_root_magic_t *mg, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sip_cconn *c = (struct sip_cconn *)arg;

	if (!c->ocsp_pending || !conn_alive(c))
		return;
	if (c->su_idx <= 0)
		c->su_idx = sip_ocsp_su_index(c->fd);
	if (c->su_idx > 0)
		su_root_eventmask(c->cl->m->e->root, c->su_idx, c->fd, SU_WAIT_ERR | SU_WAIT_HUP);
}

static long chold_cb(BIO *b, int oper, const char *argp, size_t len, int argi, long argl, int ret,
		     size_t *processed)
{
	struct sip_cconn *c = (struct sip_cconn *)BIO_get_callback_arg(b);

	if (!c)
		return ret;
	if (oper == BIO_CB_FREE) {
		c->hold = NULL;
		return ret;
	}
	if (oper == BIO_CB_READ && c->ocsp_pending) {
		BIO_clear_retry_flags(b);
		BIO_set_retry_read(b);
		if (c->park)
			su_timer_set_interval(c->park, cpark_cb, (su_timer_arg_t *)c, 0);
		return -1;
	}
	return ret;
}

static void chold_end(struct sip_cconn *c)
{
	if (c->ocsp_wait)
		sip_ocsp_cancel(c->ocsp_wait);
	c->ocsp_wait = NULL;
	c->ocsp_pending = 0;
	if (c->hold) {
		BIO_set_callback_ex(c->hold, NULL);
		BIO_set_callback_arg(c->hold, NULL);
		c->hold = NULL;
	}
	su_timer_destroy(c->park);
	c->park = NULL;
}

static void cocsp_done(void *arg, enum sip_ocsp_verdict v, const char *detail)
{
	struct sip_cconn *c = arg;

	c->ocsp_wait = NULL;
	chold_end(c);
	if (v != SIP_OCSP_OK) {
		c->verr = X509_V_ERR_CERT_REVOKED;
		conn_fail(c, "TLS: server certificate refused (%s)", detail);
		if (conn_alive(c))
			shutdown(c->fd, SHUT_RDWR);
	} else if (strstr(detail, "no answer")) {
		log_notice("sip: TLS server %s: %s", c->peer, detail);
	}
	if (c->su_idx > 0 && conn_alive(c))
		su_root_eventmask(c->cl->m->e->root, c->su_idx, c->fd,
				  SU_WAIT_IN | SU_WAIT_ERR | SU_WAIT_HUP);
}

/* OCSP of the server certificate that verified: 0 to refuse, 1 to go on (or hold). */
static int cverify_ocsp(struct sip_cconn *c, X509_STORE_CTX *x, const struct tls_policy *pol)
{
	BIO *rb = SSL_get_rbio(c->ssl);
	char detail[400];
	enum sip_ocsp_verdict v;

	c->ocsp_checked = 1;
	v = sip_ocsp_check(c->cl->m->e, c->cl->ctx, pol, x, cocsp_done, c, &c->ocsp_wait, detail,
			   sizeof(detail));
	if (v == SIP_OCSP_PENDING) {
		if (rb && !BIO_get_callback_ex(rb) &&
		    (c->park = su_timer_create(su_root_task(c->cl->m->e->root), 0))) {
			c->hold = rb;
			BIO_set_callback_arg(rb, (char *)c);
			BIO_set_callback_ex(rb, chold_cb);
			c->ocsp_pending = 1;
			return 1;
		}
		sip_ocsp_cancel(c->ocsp_wait);
		c->ocsp_wait = NULL;
		v = pol->ocsp_default_allow ? SIP_OCSP_OK : SIP_OCSP_UNAVAILABLE;
	}
	if (v == SIP_OCSP_OK)
		return 1;
	snprintf(c->reason, sizeof(c->reason), "TLS: server certificate refused (%.200s)", detail);
	X509_STORE_CTX_set_error(x, v == SIP_OCSP_REVOKED ? X509_V_ERR_CERT_REVOKED
							  : X509_V_ERR_OCSP_VERIFY_FAILED);
	log_warnx("sip: TLS server %s: %s", c->peer, detail);
	return 0;
}

static int cverify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct sip_ctls *cl = ssl ? ctls_of_ctx(SSL_get_SSL_CTX(ssl)) : NULL;
	struct sip_cconn *c = ssl ? SSL_get_ex_data(ssl, cssl_idx) : NULL;
	const struct sip_rt_cfg *cfg = cl ? cl->m->e->rt : NULL;
	int depth = X509_STORE_CTX_get_error_depth(x);
	X509 *cert = X509_STORE_CTX_get_current_cert(x);

	if (!cl || !c || !cfg)
		return ok;
	if (depth == 0 && cert && !c->subject[0])
		tls_name_text(X509_get_subject_name(cert), c->subject, sizeof(c->subject));
	/* chain errors count only when the server certificate must verify */
	if (!ok && !(cfg->verify_server || cfg->require_cert))
		ok = 1;
	if (ok && depth == 0 && cfg->hostname_mode >= 1 && c->expect[0] &&
	    !sip_ctls_name_match(cert, c->expect)) {
		X509_STORE_CTX_set_error(x, X509_V_ERR_HOSTNAME_MISMATCH);
		ok = 0;
	}
	if (ok && depth == 0 && !c->ocsp_checked && (cfg->verify_server || cfg->require_cert)) {
		const struct sip_rt_ctx *rc = sip_rt_cfg_ctx(cfg, cl->ctx);
		if (rc && rc->pol.ocsp_enable)
			ok = cverify_ocsp(c, x, &rc->pol);
	}
	if (!ok && !c->verr)
		c->verr = X509_STORE_CTX_get_error(x);
	return ok;
}

static void cinfo_cb(const SSL *ssl, int where, int ret)
{
	struct sip_ctls *cl = ctls_of_ctx(SSL_get_SSL_CTX(ssl));
	struct sip_cconn *c = cl ? SSL_get_ex_data(ssl, cssl_idx) : NULL;
	char detail[200];

	if (!c || SSL_is_server(ssl))
		return;
	if (where & SSL_CB_HANDSHAKE_START) {
		conn_bind(c);
		/* SNI: the ClientHello is written after this callback */
		if (c->state == CC_NEW && c->sni[0] &&
		    !SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name))
			SSL_set_tlsext_host_name((SSL *)ssl, c->sni);
		if (c->state == CC_NEW)
			c->state = CC_HS;
	}
	if ((where & SSL_CB_HANDSHAKE_DONE) && c->state == CC_HS) {
		c->state = CC_UP;
		cl->m->ok++;
		arm(cl->m, 0);
	}
	if ((where & SSL_CB_ALERT) && (ret >> 8) == SSL3_AL_FATAL) {
		if (c->verr) {
			snprintf(detail, sizeof(detail), "%s",
				 X509_verify_cert_error_string(c->verr));
			conn_fail(c, "TLS: certificate verify failed (%s)", detail);
		} else {
			snprintf(detail, sizeof(detail), "alert %d %s from %s", ret & 0xff,
				 SSL_alert_desc_string_long(ret),
				 (where & SSL_CB_READ) ? "the server" : "us");
			conn_fail(c, "TLS: handshake failed (%s)", detail);
		}
	}
	if ((where & SSL_CB_EXIT) && ret == 0 && c->state != CC_UP) {
		unsigned long e = ERR_peek_last_error();
		snprintf(detail, sizeof(detail), "%s",
			 e ? ERR_reason_error_string(e) : "connection closed");
		conn_fail(c, "TLS: handshake failed (%s)", detail);
	}
}

/* The ephemeral listening port of a client transport serves nobody. */
static int chello_cb(SSL *ssl, int *al, void *arg)
{
	*al = SSL_AD_HANDSHAKE_FAILURE;
	return SSL_CLIENT_HELLO_ERROR;
}

/* --- the watch timer --- */

static void fire(struct sip_ctls_mod *m, struct sip_ctls *cl, const char *peer, const char *why)
{
	struct sip_ctls_wait **pw;

	sip_engine_event(m->e, LOG_WARNING, "sip: outgoing %s to %s on interface '%s' failed", why,
			 peer, cl->ifc->name);
again:
	for (pw = &m->waits; *pw; pw = &(*pw)->next) {
		struct sip_ctls_wait *w = *pw;
		if (w->cl != cl || strcmp(w->peer, peer))
			continue;
		*pw = w->next;
		w->fn(w->arg, why);
		free(w);
		goto again; /* fn may have changed the list */
	}
}

/* A handshake held for an OCSP answer has its own timeout (sip_ocsp.h). */
static int ocsp_held(const struct sip_ctls_wait *w)
{
	for (const struct sip_cconn *c = w->cl->conns; c; c = c->next)
		if (c->ocsp_pending && strcmp(c->peer, w->peer) == 0)
			return 1;
	return 0;
}

struct event {
	struct sip_ctls *cl;
	char peer[80], why[256];
};

/* Connection events first (collected, so that callbacks never see a list being walked),
 * then overdue handshakes. */
static void timer_cb(su_root_magic_t *mg, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sip_ctls_mod *m = (struct sip_ctls_mod *)arg;
	unsigned long long now = now_ms();
	struct event *ev = NULL;
	unsigned nev = 0, cap = 0;
	struct sip_ctls_wait *w;

	m->armed = 0;
	for (struct sip_ctls *cl = m->list; cl; cl = cl->next)
		for (struct sip_cconn **pc = &cl->conns; *pc;) {
			struct sip_cconn *c = *pc;
			const char *why = NULL;
			int dead;
			dead = c->bound && !conn_alive(c);
			if (c->state == CC_FAILED && !c->reported) {
				m->failed++;
				if (conn_alive(c))
					shutdown(c->fd, SHUT_RDWR);
				why = c->reason;
			} else if (dead && c->state == CC_UP) {
				why = "TLS: connection closed by the peer";
			} else if (dead && c->state == CC_HS) {
				m->failed++;
				why = "TLS: connection closed during the handshake";
			} else if (c->state == CC_UP) {
				for (w = m->waits; w; w = w->next)
					if (w->cl == cl && strcmp(w->peer, c->peer) == 0)
						w->deadline = 0;
			}
			if (why) {
				c->state = CC_FAILED, c->reported = 1;
				if (nev == cap) {
					struct event *ne =
					    realloc(ev, (cap = cap * 2 + 4) * sizeof(*ev));
					if (!ne)
						break;
					ev = ne;
				}
				ev[nev].cl = cl;
				snprintf(ev[nev].peer, sizeof(ev[nev].peer), "%s", c->peer);
				snprintf(ev[nev].why, sizeof(ev[nev].why), "%s", why);
				nev++;
			}
			if (dead) {
				*pc = c->next;
				if (c->ssl)
					SSL_set_ex_data(c->ssl, cssl_idx, NULL);
				chold_end(c);
				free(c);
				continue;
			}
			pc = &c->next;
		}
	for (unsigned i = 0; i < nev; i++)
		fire(m, ev[i].cl, ev[i].peer, ev[i].why);
	free(ev);
again:
	for (w = m->waits; w; w = w->next)
		if (w->deadline && now >= w->deadline && !ocsp_held(w)) {
			for (struct sip_cconn *c = w->cl->conns; c; c = c->next)
				if (strcmp(c->peer, w->peer) == 0 && c->state != CC_UP &&
				    c->state != CC_FAILED) {
					c->state = CC_FAILED, c->reported = 1;
					if (conn_alive(c))
						shutdown(c->fd, SHUT_RDWR);
				}
			m->failed++;
			fire(m, w->cl, w->peer, "TLS: connection not established in time");
			goto again;
		}
	if (m->waits)
		arm(m, SIP_CTLS_POLL_MS);
}

static void arm(struct sip_ctls_mod *m, unsigned ms)
{
	if (m->closing || (m->armed && ms))
		return;
	su_timer_set_interval(m->timer, timer_cb, (su_timer_arg_t *)m, ms);
	m->armed = 1;
}

/* --- client transports --- */

static struct sip_ctls_mod *mod(struct sip_engine *e)
{
	if (!e->ctls && (e->ctls = calloc(1, sizeof(*e->ctls)))) {
		e->ctls->e = e;
		e->ctls->timer = su_timer_create(su_root_task(e->root), 0);
	}
	return e->ctls && e->ctls->timer ? e->ctls : NULL;
}

static tport_t *find_ident(struct sip_engine *e, const char *ident)
{
	for (tport_t *tp = tport_primaries(nta_agent_tports(e->agent)); tp; tp = tport_next(tp))
		if (tport_ident(tp) && strcmp(tport_ident(tp), ident) == 0)
			return tp;
	return NULL;
}

tport_t *sip_ctls_primary(struct sip_engine *e, struct sip_iface *ifc, int ctx, char *err,
			  size_t errlen)
{
	struct sip_ctls_mod *m = mod(e);
	const struct sip_rt_ctx *rc = sip_rt_cfg_ctx(e->rt, ctx);
	char ctxdir[512], sofdir[512], url[160], why[512];
	char const *transports[] = {"tls", NULL};
	tp_name_t tpn = {
	    .tpn_proto = "tls", .tpn_canon = ifc->addr, .tpn_host = ifc->addr, .tpn_port = "0"};
	su_addrinfo_t const *ai;
	sip_via_t *via;
	struct sip_ctls *cl;
	SSL_CTX *got[4];
	unsigned n;
	int rv;

	if (!m || !rc) {
		snprintf(err, errlen, rc ? "out of memory" : "TLS context %d does not exist", ctx);
		return NULL;
	}
	for (cl = m->list; cl; cl = cl->next)
		if (cl->ifc == ifc && cl->ctx == ctx)
			return cl->pri;
	if (e->material_fn && e->material_fn(e->material_arg, (unsigned)ctx, err, errlen) < 0)
		return NULL;
	if (sip_engine_sofia_dir(e, (unsigned)ctx, ctxdir, sizeof(ctxdir), sofdir, sizeof(sofdir),
				 err, errlen) < 0 ||
	    !(cl = calloc(1, sizeof(*cl))))
		return NULL;
	cl->m = m, cl->ifc = ifc, cl->ctx = ctx;
	snprintf(cl->ident, sizeof(cl->ident), "sbc-tls-client-%u-%d", ifc->index, ctx);
	/*
	 * tport_tbind, not nta_agent_add_tport: the latter rebuilds every primary's Via and
	 * frees the old ones, which the connections already open still point to (their copy
	 * of the primary's magic). We give the new primary its Via ourselves.
	 */
	sip_tls_capture_begin();
	rv = tport_tbind(nta_agent_tports(e->agent), &tpn, transports, TPTAG_SERVER(1),
			 TPTAG_CERTIFICATE(sofdir), TPTAG_TLS_VERSION(0),
			 TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_NONE), TPTAG_IDENT(cl->ident),
			 TAG_END());
	n = sip_tls_capture_end(got, 4);
	cl->pri = rv < 0 ? NULL : find_ident(e, cl->ident);
	ai = cl->pri ? tport_get_address(cl->pri) : NULL;
	if (!ai || !ai->ai_addr || n != 1) {
		snprintf(err, errlen, "cannot make the client transport of context %d: %s", ctx,
			 !ai ? "sofia-sip refused it" : "SSL_CTX not captured exactly once");
		free(cl);
		return NULL;
	}
	snprintf(url, sizeof(url),
		 strchr(ifc->addr, ':') ? "SIP/2.0/TLS [%s]:%u" : "SIP/2.0/TLS %s:%u", ifc->addr,
		 ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port));
	via = sip_via_make(e->home, url);
	if (!via) {
		snprintf(err, errlen, "out of memory");
		free(cl);
		return NULL;
	}
	tport_set_magic(cl->pri, (tp_magic_t *)via);
	cl->ssl_ctx = got[0];
	SSL_CTX_clear_options(cl->ssl_ctx, SSL_OP_NO_SSL_MASK);
	if (tls_ctx_configure(cl->ssl_ctx, &rc->pol, TLS_ROLE_CLIENT, ctxdir, TLS_F_VERIFY_PEER,
			      why, sizeof(why)) < 0) {
		snprintf(err, errlen, "TLS context '%s': %s", rc->name, why);
		free(cl); /* the primary stays, unused: sofia cannot remove one */
		return NULL;
	}
	sip_crl_store_bind(SSL_CTX_get_cert_store(cl->ssl_ctx), ctx, rc->pol.crl_dp);
	SSL_CTX_set_mode(cl->ssl_ctx, SSL_MODE_RELEASE_BUFFERS); /* idle: no record buffers */
	SSL_CTX_set_verify(cl->ssl_ctx, SSL_VERIFY_PEER, cverify_cb);
	SSL_CTX_set_info_callback(cl->ssl_ctx, cinfo_cb);
	SSL_CTX_set_client_hello_cb(cl->ssl_ctx, chello_cb, NULL);
	SSL_CTX_set_ex_data(cl->ssl_ctx, cctx_idx, cl);
	cl->next = m->list;
	m->list = cl;
	log_info("sip: TLS client transport of interface '%s' with context '%s': %s", ifc->name,
		 rc->name, tls_ctx_policy_text(cl->ssl_ctx));
	return cl->pri;
}

static struct sip_ctls *ctls_of_tport(struct sip_engine *e, tport_t *tp)
{
	tport_t *pri = tp ? tport_parent(tp) : NULL;

	for (struct sip_ctls *cl = e->ctls ? e->ctls->list : NULL; pri && cl; cl = cl->next)
		if (cl->pri == pri)
			return cl;
	return NULL;
}

struct sip_iface *sip_ctls_iface_of(struct sip_engine *e, tport_t *tp)
{
	struct sip_ctls *cl = ctls_of_tport(e, tp);

	return cl ? cl->ifc : NULL;
}

struct sip_ctls_wait *sip_ctls_watch(struct sip_engine *e, tport_t *pri, const char *peer,
				     const char *expect, sip_ctls_fail_fn *fn, void *arg)
{
	struct sip_ctls *cl = ctls_of_tport(e, pri);
	struct sip_ctls_wait *w;
	unsigned ms = e->rt ? e->rt->hs_timeout_ms : SIP_CTLS_DEADLINE_MS;
	int up = 0, slot;

	if (!cl || !(w = calloc(1, sizeof(*w))))
		return NULL;
	slot = -1;
	for (unsigned i = 0; i < cl->nexp && i < SIP_CTLS_EXPECTS; i++)
		if (strcmp(cl->exp[i].peer, peer) == 0)
			slot = (int)i;
	if (slot < 0)
		slot = (int)(cl->nexp++ % SIP_CTLS_EXPECTS);
	snprintf(cl->exp[slot].peer, sizeof(cl->exp[slot].peer), "%s", peer);
	snprintf(cl->exp[slot].name, sizeof(cl->exp[slot].name), "%s", expect ? expect : "");
	for (struct sip_cconn *c = cl->conns; c; c = c->next)
		up |= c->state == CC_UP && conn_alive(c) && strcmp(c->peer, peer) == 0;
	w->cl = cl, w->fn = fn, w->arg = arg;
	snprintf(w->peer, sizeof(w->peer), "%s", peer);
	w->deadline = up ? 0 : now_ms() + (ms < SIP_CTLS_DEADLINE_MS ? ms : SIP_CTLS_DEADLINE_MS);
	w->next = e->ctls->waits;
	e->ctls->waits = w;
	arm(e->ctls, SIP_CTLS_POLL_MS);
	return w;
}

void sip_ctls_sni(struct sip_engine *e, tport_t *pri, const char *peer, const char *host)
{
	struct sip_ctls *cl = ctls_of_tport(e, pri);
	int slot = -1;

	if (!cl)
		return;
	for (unsigned i = 0; i < cl->nsni && i < SIP_CTLS_EXPECTS; i++)
		if (strcmp(cl->sni[i].peer, peer) == 0)
			slot = (int)i;
	if (slot < 0)
		slot = (int)(cl->nsni++ % SIP_CTLS_EXPECTS);
	snprintf(cl->sni[slot].peer, sizeof(cl->sni[slot].peer), "%s", peer);
	snprintf(cl->sni[slot].host, sizeof(cl->sni[slot].host), "%s", host);
}

void sip_ctls_unwatch(struct sip_engine *e, struct sip_ctls_wait *w)
{
	if (!w || !e->ctls)
		return;
	for (struct sip_ctls_wait **pw = &e->ctls->waits; *pw; pw = &(*pw)->next)
		if (*pw == w) {
			*pw = w->next;
			free(w);
			return;
		}
}

const char *sip_ctls_peer_subject(struct sip_engine *e, tport_t *pri, const char *peer)
{
	struct sip_ctls *cl = ctls_of_tport(e, pri);

	for (struct sip_cconn *c = cl ? cl->conns : NULL; c; c = c->next)
		if (c->state == CC_UP && strcmp(c->peer, peer) == 0 && conn_alive(c))
			return c->subject;
	return NULL;
}

void sip_ctls_reconfigure(struct sip_engine *e, int ctx, const struct tls_policy *pol)
{
	const struct sip_rt_ctx *rc = e->rt ? sip_rt_cfg_ctx(e->rt, ctx) : NULL;
	char ctxdir[600], why[512] = "";

	if (!pol && !rc)
		return;
	pol = pol ? pol : &rc->pol;
	snprintf(ctxdir, sizeof(ctxdir), "%s/tls/%d", e->flashdir, ctx);
	for (struct sip_ctls *cl = e->ctls ? e->ctls->list : NULL; cl; cl = cl->next) {
		SSL_CTX *scratch;
		int ok;
		if (cl->ctx != ctx)
			continue;
		scratch = SSL_CTX_new(TLS_client_method());
		ok = scratch && tls_ctx_configure(scratch, pol, TLS_ROLE_CLIENT, ctxdir,
						  TLS_F_VERIFY_PEER, why, sizeof(why)) == 0;
		SSL_CTX_free(scratch);
		ERR_clear_error();
		if (ok) {
			SSL_CTX_clear_options(cl->ssl_ctx, SSL_OP_NO_SSL_MASK);
			ok = tls_ctx_configure(cl->ssl_ctx, pol, TLS_ROLE_CLIENT, ctxdir,
					       TLS_F_VERIFY_PEER, why, sizeof(why)) == 0;
			sip_crl_store_bind(SSL_CTX_get_cert_store(cl->ssl_ctx), ctx, pol->crl_dp);
			/* our verification and tracking stay bound whatever configure set */
			SSL_CTX_set_verify(cl->ssl_ctx, SSL_VERIFY_PEER, cverify_cb);
			SSL_CTX_set_info_callback(cl->ssl_ctx, cinfo_cb);
			SSL_CTX_flush_sessions(cl->ssl_ctx, 0);
			ERR_clear_error();
		}
		if (ok)
			log_info(
			    "sip: TLS client transport of interface '%s' with context %d: now %s",
			    cl->ifc->name, ctx, tls_ctx_policy_text(cl->ssl_ctx));
		else
			log_warnx(
			    "sip: TLS client transport of interface '%s' with context %d keeps "
			    "its previous policy and material: %s",
			    cl->ifc->name, ctx, why[0] ? why : "out of memory");
	}
	sip_ctls_recheck(e, ctx);
}

/* 0 when the established connection's server chain no longer verifies (err set). */
static int conn_reverify(struct sip_cconn *c, const struct sip_rt_cfg *cfg, int *err)
{
	X509 *leaf = SSL_get0_peer_certificate(c->ssl);
	X509_STORE_CTX *x = X509_STORE_CTX_new();
	int ok;

	if (!leaf || !x ||
	    !X509_STORE_CTX_init(x, SSL_CTX_get_cert_store(c->cl->ssl_ctx), leaf,
				 SSL_get_peer_cert_chain(c->ssl))) {
		X509_STORE_CTX_free(x);
		ERR_clear_error();
		return 1; /* nothing to judge by: kept */
	}
	X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(x), SSL_CTX_get0_param(c->cl->ssl_ctx));
	ok = X509_verify_cert(x) == 1;
	*err = ok ? 0 : X509_STORE_CTX_get_error(x);
	X509_STORE_CTX_free(x);
	ERR_clear_error();
	if (ok && cfg->hostname_mode >= 1 && c->expect[0] && !sip_ctls_name_match(leaf, c->expect))
		ok = 0, *err = X509_V_ERR_HOSTNAME_MISMATCH;
	return ok;
}

unsigned sip_ctls_recheck(struct sip_engine *e, int ctx)
{
	const struct sip_rt_cfg *cfg = e->rt;
	unsigned closed = 0, kept = 0;
	int err = 0;

	/* without server verification no certificate was judged: nothing to judge again */
	if (!e->ctls || !cfg || !(cfg->verify_server || cfg->require_cert))
		return 0;
	for (struct sip_ctls *cl = e->ctls->list; cl; cl = cl->next) {
		if (cl->ctx != ctx)
			continue;
		for (struct sip_cconn *c = cl->conns; c; c = c->next) {
			if (c->state != CC_UP || !c->ssl || !conn_alive(c))
				continue;
			if (conn_reverify(c, cfg, &err)) {
				kept++;
				continue;
			}
			closed++;
			cl->ifc->closed_trust++;
			snprintf(
			    c->reason, sizeof(c->reason),
			    "TLS: connection closed: the server certificate no longer verifies "
			    "after a trust change (%s)",
			    X509_verify_cert_error_string(err));
			c->state = CC_FAILED;
			shutdown(c->fd, SHUT_RDWR);
			sip_engine_event(e, LOG_WARNING,
					 "sip: TLS server %s ('%s') on interface '%s': %s", c->peer,
					 c->subject, cl->ifc->name, c->reason);
		}
	}
	if (closed || kept)
		sip_engine_event(e, LOG_NOTICE,
				 "sip: outgoing TLS of context %d after a trust change: %u "
				 "established connection%s kept, %u closed",
				 ctx, kept, kept == 1 ? "" : "s", closed);
	if (closed)
		arm(e->ctls, 0);
	return closed;
}

void sip_ctls_sweep(struct sip_engine *e)
{
	if (e->ctls && e->ctls->list)
		arm(e->ctls, 0);
}

void sip_ctls_unbind(struct sip_engine *e)
{
	if (!e->ctls)
		return;
	e->ctls->closing = 1;
	su_timer_destroy(e->ctls->timer);
	e->ctls->timer = NULL;
	for (struct sip_ctls *cl = e->ctls->list; cl; cl = cl->next)
		SSL_CTX_set_ex_data(cl->ssl_ctx, cctx_idx, NULL);
}

void sip_ctls_release(struct sip_engine *e)
{
	struct sip_ctls_mod *m = e->ctls;

	if (!m)
		return;
	while (m->waits) {
		struct sip_ctls_wait *w = m->waits;
		m->waits = w->next;
		free(w);
	}
	while (m->list) {
		struct sip_ctls *cl = m->list;
		m->list = cl->next;
		while (cl->conns) {
			struct sip_cconn *c = cl->conns;
			cl->conns = c->next;
			if (c->ssl)
				SSL_set_ex_data(c->ssl, cssl_idx, NULL);
			chold_end(c);
			free(c);
		}
		free(cl);
	}
	free(m);
	e->ctls = NULL;
}

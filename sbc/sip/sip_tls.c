/*
 * sip_tls: binds a TLS context's policy to the SSL_CTX that sofia-sip creates
 * for a TLS transport, and watches every connection made with it.
 *
 * Why this way: sofia-sip 1.12.11 builds each transport's SSL_CTX itself and
 * has no setting for versions, ciphers, CRLs or handshake time. OpenSSL calls
 * an ex_data "new" callback for every SSL_CTX and SSL it creates, so we learn
 * sofia's objects through OpenSSL's public API, without sofia internals and
 * without interposing OpenSSL symbols.
 *
 * Why connections are tracked by socket: Debian's sofia-sip never SSL_free()s
 * a connection: its tls_free() calls SSL_shutdown(), BIO_free()s the socket
 * BIO it gave the SSL and forgets the SSL. A record learns its socket (fd
 * plus inode) right after accept; a sweep marks it gone once that fd no
 * longer is that socket, so the counts follow the sockets.
 *
 * Why we swap the SSL's BIO (conn_adopt): two faults of that tls_free().
 * (1) The SSL leaks, with its buffers and peer chain: tens of kilobytes per
 * connection, without bound under new-connection load. (2) SSL_shutdown() of
 * a connection refused during its handshake, or reset by its peer, leaves an
 * error in the thread's OpenSSL error queue; sofia's next SSL_get_error(), on
 * another connection, reads it and closes that innocent connection. So at
 * bind time the SSL gets a socket BIO of ours and sofia's BIO keeps only
 * sofia's reference; a callback on sofia's BIO sees tls_free() free it, right
 * after the SSL_shutdown(): there we clear the error queue and free the SSL
 * (sofia never touches it again). The SSL "free" callback then drops the record.
 * Our BIO also clears errors other connections left before each socket read,
 * since sofia's failure paths (a refused handshake) leave theirs.
 */
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
#include "sbc/sip/sip_hs.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_crl.h"
#include "sbc/sip/sip_ocsp.h"
#include "tls/certinfo.h"
#include "tls/names.h"
#include "tls/tls.h"

#include "sbc/sip/sip_tls_conn.h"
#include "sbc/sip/sip_tport_tls.h"

static int ctx_idx = -1, ssl_idx = -1;
int sip_tls_bind_idx = -1;
static pthread_once_t idx_once = PTHREAD_ONCE_INIT;

/* SSL_CTX capture window: only this thread, only between begin and end. */
static int capturing;
static pthread_t capture_thread;
static SSL_CTX *captured[8];
static unsigned ncaptured;

static const char *const rej_names[SIP_REJ_N] = {
    [SIP_REJ_NOCERT] = "no-certificate",
    [SIP_REJ_UNKNOWN_CA] = "unknown-ca",
    [SIP_REJ_EXPIRED] = "expired",
    [SIP_REJ_REVOKED] = "revoked",
    [SIP_REJ_PURPOSE] = "bad-purpose",
    [SIP_REJ_SUBJECT] = "subject-mismatch",
    [SIP_REJ_PROTOCOL] = "protocol",
    [SIP_REJ_TIMEOUT] = "timeout",
    [SIP_REJ_LIMIT] = "connection-limit",
    [SIP_REJ_REVOKED_OCSP] = "revoked-ocsp",
    [SIP_REJ_OCSP_UNAVAILABLE] = "ocsp-unavailable",
};

const char *sip_rej_name(enum sip_rej r)
{
	return r < SIP_REJ_N ? rej_names[r] : "?";
}

static void conn_new(struct sip_iface *ifc, SSL *ssl, CRYPTO_EX_DATA *ad);
static void conn_drop(struct sip_conn *c, int ssl_freed);
static void conn_adopt(struct sip_conn *c);
static void park_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg);

static void ctx_new_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	if (!capturing || !pthread_equal(pthread_self(), capture_thread))
		return;
	if (ncaptured < sizeof(captured) / sizeof(captured[0]))
		captured[ncaptured] = parent;
	ncaptured++;
}

static void ssl_new_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	SSL *ssl = parent;
	SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
	struct sip_iface *ifc = ctx ? SSL_CTX_get_ex_data(ctx, ctx_idx) : NULL;

	/* SSLs of other contexts (clients, HTTPS, other threads) are not ours */
	if (ifc && !ifc->eng->closing)
		conn_new(ifc, ssl, ad);
}

static void ssl_free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	if (ptr)
		conn_drop(ptr, 1);
}

static void bind_free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
			 void *argp)
{
	free(ptr);
}

static void idx_init(void)
{
	ctx_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, "sbc sip iface", ctx_new_cb,
					  NULL, NULL);
	ssl_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, "sbc sip conn", ssl_new_cb, NULL,
					  ssl_free_cb);
	sip_tls_bind_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, "sbc sip bind", NULL,
						   NULL, bind_free_cb);
	sip_tport_tls_check();
}

int sip_tls_global_init(void)
{
	pthread_once(&idx_once, idx_init);
	return ctx_idx >= 0 && ssl_idx >= 0 && sip_tls_bind_idx >= 0 ? 0 : -1;
}

void sip_tls_capture_begin(void)
{
	ncaptured = 0;
	capture_thread = pthread_self();
	capturing = 1;
}

unsigned sip_tls_capture_end(SSL_CTX **out, unsigned max)
{
	capturing = 0;
	for (unsigned i = 0; i < ncaptured && i < max && i < 8; i++)
		out[i] = captured[i];
	return ncaptured;
}

/* --- names and matching --- */

/* --- connection records --- */

/*
 * Refusals are logged per peer address (log_peer_limited): a flood from one peer becomes a
 * few lines and a "suppressed N" summary, and never hides the refusals of other peers. The
 * event hook (alarms, traps) still sees every one.
 */
void sip_tls_conn_log(struct sip_conn *c, int prio, const char *what, int refusal)
{
	struct sip_iface *ifc = c->ifc;
	struct sip_engine *e = ifc->eng;
	const char *ver = "-", *cipher = "-";
	char line[1024], host[64], *colon;

	if (c->state != C_NEW && c->ssl) {
		const SSL_CIPHER *ci = SSL_get_current_cipher(c->ssl);
		ver = SSL_get_version(c->ssl);
		cipher = ci ? SSL_CIPHER_get_name(ci) : "-";
	}
	snprintf(line, sizeof(line),
		 "sip: TLS %s: interface '%s' (%u) peer %s version %s cipher %s subject '%s' "
		 "issuer '%s'",
		 what, ifc->name, ifc->index, c->peer[0] ? c->peer : "?", ver, cipher,
		 c->subject ? c->subject : "", c->issuer ? c->issuer : "");
	if (!refusal) {
		sip_engine_event(e, prio, "%s", line);
		return;
	}
	if (e->event_fn)
		e->event_fn(e->event_arg, prio, line);
	if (!e->tls_lim && (e->tls_lim = malloc(sizeof(*e->tls_lim))))
		log_peer_limit_init(e->tls_lim, 6, 5);
	snprintf(host, sizeof(host), "%s", c->peer[0] ? c->peer : "?");
	colon = strrchr(host, ':'); /* the address, whatever the source port */
	if (colon)
		*colon = 0;
	if (e->tls_lim)
		log_peer_limited(e->tls_lim, host, prio, "%s", line);
	else
		log_msg(prio, "%s", line);
}

void sip_conn_detail(struct sip_conn *c, const char *fmt, ...)
{
	va_list ap;
	char *t = NULL;

	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) < 0)
		t = NULL;
	va_end(ap);
	free(c->hs_detail);
	c->hs_detail = t;
}

/* The peer certificate's subject and issuer, kept as text the first time one is seen. */
static void conn_names(struct sip_conn *c, X509 *x)
{
	char b[256];

	if (c->subject)
		return;
	tls_name_text(X509_get_subject_name(x), b, sizeof(b));
	c->subject = strdup(b);
	tls_name_text(X509_get_issuer_name(x), b, sizeof(b));
	c->issuer = strdup(b);
}

static void conn_reject(struct sip_conn *c, enum sip_rej r, const char *detail)
{
	char what[512];

	if (c->hs_owned) {
		/* on the worker: the SIP thread counts and logs it (sip_tls_hs_done) */
		if (!c->hs_rej) {
			c->hs_rej = (int)r + 1;
			sip_conn_detail(c, "%s", detail);
		}
		return;
	}
	if (c->state == C_UP || c->state == C_REJECTED)
		return;
	c->state = C_REJECTED;
	su_timer_reset(c->timer);
	c->ifc->rejected[r]++;
	snprintf(what, sizeof(what), "rejected (%s: %s)", sip_rej_name(r), detail);
	sip_tls_conn_log(c, LOG_WARNING, what, 1);
}

static void conn_accept(struct sip_conn *c)
{
	X509 *peer;

	if (c->hs_owned) {
		c->hs_up = 1; /* on the worker: recorded by sip_tls_hs_done */
		return;
	}
	if (c->state == C_UP || c->state == C_REJECTED)
		return;
	c->state = C_UP;
	su_timer_reset(c->timer);
	peer = SSL_get0_peer_certificate(c->ssl);
	if (peer)
		conn_names(c, peer);
	if (SSL_is_server(c->ssl)) {
		c->ifc->accepted++;
		sip_tls_conn_log(c, LOG_INFO, "accepted", 0);
	}
}

/* Learns the socket. Only called while sofia still owns the SSL's BIO. */
static void conn_bind(struct sip_conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct stat sb;
	char host[INET6_ADDRSTRLEN];
	int fd;

	if (c->bound)
		return;
	fd = SSL_get_fd(c->ssl);
	if (fd < 0 || fstat(fd, &sb) < 0)
		return;
	c->fd = fd, c->dev = sb.st_dev, c->ino = sb.st_ino, c->bound = 1;
	conn_adopt(c);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
			snprintf(c->peer, sizeof(c->peer), "%s:%u", host, ntohs(s4->sin_port));
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
			snprintf(c->peer, sizeof(c->peer), "[%s]:%u", host, ntohs(s6->sin6_port));
		}
		sip_conn_index_add(&c->ifc->by_peer, c);
	}
}

static long sbio_cb(BIO *b, int oper, const char *argp, size_t len, int argi, long argl, int ret,
		    size_t *processed)
{
	struct sip_conn *c = (struct sip_conn *)BIO_get_callback_arg(b);

	if (oper != BIO_CB_FREE || !c)
		return ret;
	/* inside sofia's tls_free(), just after its SSL_shutdown() */
	ERR_clear_error();
	if (c->hs_owned) {
		/* a worker holds the SSL: freed when it gives it back (sip_tls_hs_done) */
		c->sbio = NULL;
		sip_hs_forget_fd(c);
		return ret;
	}
	c->sbio = NULL;
	/*
	 * That tls_free() also SSL_CTX_free()s the master context for every connection (its
	 * secondaries copy the master's type), a reference only the leaked SSL made up for.
	 * Take one for it, or the context would be freed under the listener.
	 */
	SSL_CTX_up_ref(SSL_get_SSL_CTX(c->ssl));
	SSL_free(c->ssl); /* the free callback drops c */
	ERR_clear_error();
	return ret;
}

/*
 * Before each socket read of one of our connections: an error another connection left in
 * the thread's queue would make sofia's SSL_get_error() on this one fail it. Reads only: a
 * failing handshake raises its error and then writes its alert, and the alert callback must
 * still find that error; every call that can block on reading starts with a read.
 */
static long mine_cb(BIO *b, int oper, const char *argp, size_t len, int argi, long argl, int ret,
		    size_t *processed)
{
	struct sip_conn *c = (struct sip_conn *)BIO_get_callback_arg(b);

	if (oper == BIO_CB_READ && ERR_peek_error())
		ERR_clear_error();
	if (oper == BIO_CB_READ && c && c->ocsp_pending) {
		/* the handshake waits for the OCSP answer: "nothing yet" to OpenSSL and sofia */
		BIO_clear_retry_flags(b);
		BIO_set_retry_read(b);
		if (c->park)
			su_timer_set_interval(c->park, park_cb, (su_timer_arg_t *)c, 0);
		return -1;
	}
	return ret;
}

/*
 * Gives the SSL a socket BIO of its own and leaves sofia's BIO with the one reference sofia
 * will free (SSL_set_bio took two, one per direction, and sofia frees one). No-op unless the
 * SSL reads and writes sofia's one plain socket BIO.
 */
static void conn_adopt(struct sip_conn *c)
{
	BIO *sb = SSL_get_rbio(c->ssl), *w = SSL_get_wbio(c->ssl), *mine;

	/* the write side may carry OpenSSL's handshake buffer in front of sofia's BIO */
	if (!sb || BIO_method_type(sb) != BIO_TYPE_SOCKET || (w != sb && BIO_next(w) != sb))
		return;
	if (!(mine = BIO_new_socket(c->fd, BIO_NOCLOSE)))
		return;
	if (!BIO_up_ref(sb)) {
		BIO_free(mine);
		return;
	}
	BIO_set_callback_ex(mine, mine_cb);
	BIO_set_callback_arg(mine, (char *)c);
	c->mine = mine;
	SSL_set_bio(c->ssl, mine, mine);
	BIO_set_callback_arg(sb, (char *)c);
	BIO_set_callback_ex(sb, sbio_cb);
	c->sbio = sb;
}

int sip_tls_conn_alive(const struct sip_conn *c)
{
	struct stat sb;

	return c->bound && fstat(c->fd, &sb) == 0 && sb.st_ino == c->ino && sb.st_dev == c->dev;
}

/* Ends a connection we refuse: sofia sees end of stream and closes it. */
void sip_tls_conn_kill(struct sip_conn *c)
{
	if (sip_tls_conn_alive(c))
		shutdown(c->fd, SHUT_RDWR);
}

/* OCSP checks hold handshakes on the SIP thread's timers: those stay there. */
static int hs_ocsp_on(struct sip_conn *c)
{
	struct ctx_bind *b = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(c->ssl), sip_tls_bind_idx);

	return b && b->pol.ocsp_enable;
}

static void conn_timer_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sip_conn *c = (struct sip_conn *)arg;
	struct sip_iface *ifc = c->ifc;
	char detail[64];

	if (ifc->eng->closing)
		return;
	if (!c->bound) {
		/* first run, just after accept: the socket is known now */
		conn_bind(c);
		if (c->over_cap) {
			snprintf(detail, sizeof(detail), "more than %u connections", ifc->max_tls);
			conn_reject(c, SIP_REJ_LIMIT, detail);
			sip_tls_conn_kill(c);
			return;
		}
		if (c->state == C_NEW && !hs_ocsp_on(c))
			sip_hs_take(ifc->eng->hs, c);
		if (c->state == C_NEW || c->state == C_HANDSHAKE)
			su_timer_set_interval(t, conn_timer_cb, arg, ifc->eng->hs_timeout_ms);
		return;
	}
	if (c->hs_owned) {
		/* the worker sees the socket shut and gives the connection back */
		c->hs_timeout = 1;
		sip_tls_conn_kill(c);
		return;
	}
	if (c->state == C_NEW || c->state == C_HANDSHAKE) {
		c->timed_out = 1;
		snprintf(detail, sizeof(detail), "handshake not done in %u ms",
			 ifc->eng->hs_timeout_ms);
		conn_reject(c, SIP_REJ_TIMEOUT, detail);
		sip_tls_conn_kill(c);
	}
}

static void conn_new(struct sip_iface *ifc, SSL *ssl, CRYPTO_EX_DATA *ad)
{
	struct sip_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return;
	c->ifc = ifc;
	c->ssl = ssl;
	c->fd = -1;
	c->hs_fd = -1;
	c->ocsp_rej = -1;
	c->timer = su_timer_create(su_root_task(ifc->eng->root), 0);
	if (!c->timer || CRYPTO_set_ex_data(ad, ssl_idx, c) != 1) {
		su_timer_destroy(c->timer);
		free(c);
		return;
	}
	c->next = ifc->conns;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &ifc->conns;
	ifc->conns = c;
	ifc->active++;
	if (ifc->active > ifc->max_tls) {
		/* the count may still hold connections sofia closed since the last sweep */
		sip_tls_sweep(ifc->eng);
		c->over_cap = ifc->active > ifc->max_tls;
	}
	/* runs on the next turn of the loop, before any event of the new socket */
	su_timer_set_interval(c->timer, conn_timer_cb, (su_timer_arg_t *)c, 0);
}

/* The socket is closed; sofia's tls_free() may come much later (a binding holds the tport). */
static void conn_gone(struct sip_conn *c)
{
	if (c->gone)
		return;
	if (!c->ifc->eng->closing && (c->state == C_NEW || c->state == C_HANDSHAKE))
		conn_reject(c, SIP_REJ_PROTOCOL, "closed during the handshake");
	c->gone = 1;
	c->ifc->active--;
}

static void conn_drop(struct sip_conn *c, int ssl_freed)
{
	if (!ssl_freed)
		SSL_set_ex_data(c->ssl, ssl_idx, NULL);
	if (c->sbio) {
		/* sofia still holds its BIO: nothing may call us back about c */
		BIO_set_callback_ex(c->sbio, NULL);
		BIO_set_callback_arg(c->sbio, NULL);
	}
	if (c->ocsp_wait)
		sip_ocsp_cancel(c->ocsp_wait);
	if (c->mine) /* alive: OpenSSL frees an SSL's BIOs after its ex_data */
		BIO_set_callback_arg(c->mine, NULL);
	su_timer_destroy(c->park);
	conn_gone(c);
	sip_conn_index_del(&c->ifc->by_peer, c);
	if (c->ifc->sweep_at == c)
		c->ifc->sweep_at = c->next;
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	su_timer_destroy(c->timer);
	free(c->ocsp_detail);
	free(c->hs_detail);
	free(c->subject);
	free(c->issuer);
	free(c);
}

/* --- OpenSSL callbacks on sofia's SSL_CTX --- */

static struct sip_conn *conn_of(const SSL *ssl)
{
	struct sip_conn *c = ssl ? SSL_get_ex_data(ssl, ssl_idx) : NULL;

	return c && !c->ifc->eng->closing ? c : NULL;
}

/* Watching the socket again lets sofia go on with the handshake OpenSSL held. */
static void unpark(struct sip_conn *c)
{
	if (c->park)
		su_timer_reset(c->park);
	if (c->su_idx > 0 && sip_tls_conn_alive(c))
		su_root_eventmask(c->ifc->eng->root, c->su_idx, c->fd,
				  SU_WAIT_IN | SU_WAIT_ERR | SU_WAIT_HUP);
}

/*
 * After sofia set its event mask for a held handshake (it does so when SSL_accept returns
 * "want read"): stop it watching the socket, or the unread records would wake it at once,
 * again and again, until the OCSP answer. Errors and hang-ups still wake it.
 */
static void park_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sip_conn *c = (struct sip_conn *)arg;

	if (!c->ocsp_pending || !sip_tls_conn_alive(c))
		return;
	if (c->su_idx <= 0)
		c->su_idx = sip_ocsp_su_index(c->fd);
	if (c->su_idx > 0)
		su_root_eventmask(c->ifc->eng->root, c->su_idx, c->fd, SU_WAIT_ERR | SU_WAIT_HUP);
}

static void ocsp_done(void *arg, enum sip_ocsp_verdict v, const char *detail)
{
	struct sip_conn *c = arg;

	c->ocsp_wait = NULL;
	c->ocsp_pending = 0;
	if (c->gone || c->state == C_REJECTED || c->ifc->eng->closing)
		return;
	if (v == SIP_OCSP_OK) {
		if (strstr(detail, "no answer"))
			sip_tls_conn_log(c, LOG_NOTICE, detail, 0);
		unpark(c);
		return;
	}
	conn_reject(c, v == SIP_OCSP_REVOKED ? SIP_REJ_REVOKED_OCSP : SIP_REJ_OCSP_UNAVAILABLE,
		    detail);
	sip_tls_conn_kill(c);
	unpark(c);
}

/* The OCSP check of a client certificate that verified: 0 to refuse, 1 to go on (or hold). */
static int verify_ocsp(struct sip_conn *c, SSL *ssl, X509_STORE_CTX *x)
{
	struct ctx_bind *b = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), sip_tls_bind_idx);
	struct sip_iface *ifc = c->ifc;
	enum sip_ocsp_verdict v;
	char detail[400];

	if (!b || !b->pol.ocsp_enable || c->ocsp_checked)
		return 1;
	c->ocsp_checked = 1;
	v = sip_ocsp_check(ifc->eng, ifc->ctx_index, &b->pol, x, ocsp_done, c, &c->ocsp_wait,
			   detail, sizeof(detail));
	if (v == SIP_OCSP_PENDING && !c->mine) {
		/* no BIO of ours to hold the handshake: the answer will only fill the cache */
		sip_ocsp_cancel(c->ocsp_wait);
		c->ocsp_wait = NULL;
		v = b->pol.ocsp_default_allow ? SIP_OCSP_OK : SIP_OCSP_UNAVAILABLE;
		snprintf(detail, sizeof(detail),
			 "OCSP: answer pending and the handshake cannot be held; "
			 "OcspDefaultResponse %s",
			 b->pol.ocsp_default_allow ? "allow: accepted" : "reject");
	}
	switch (v) {
	case SIP_OCSP_PENDING:
		c->ocsp_pending = 1;
		if (!c->park)
			c->park = su_timer_create(su_root_task(ifc->eng->root), 0);
		return 1;
	case SIP_OCSP_OK:
		if (strstr(detail, "no answer") || strstr(detail, "cannot be held"))
			sip_tls_conn_log(c, LOG_NOTICE, detail, 0);
		return 1;
	case SIP_OCSP_REVOKED:
		c->ocsp_rej = SIP_REJ_REVOKED_OCSP;
		X509_STORE_CTX_set_error(x, X509_V_ERR_CERT_REVOKED);
		break;
	default:
		c->ocsp_rej = SIP_REJ_OCSP_UNAVAILABLE;
		X509_STORE_CTX_set_error(x, X509_V_ERR_OCSP_VERIFY_FAILED);
		break;
	}
	free(c->ocsp_detail);
	c->ocsp_detail = strdup(detail);
	return 0;
}

static int verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct sip_iface *ifc = ssl ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ctx_idx) : NULL;
	struct sip_conn *c = conn_of(ssl);
	X509 *leaf = X509_STORE_CTX_get0_cert(x);

	if (ifc && ifc->prev_verify)
		ok = ifc->prev_verify(ok, x);
	if (c && leaf)
		conn_names(c, leaf);
	/* stricter only: a failure found by OpenSSL is never turned into success */
	if (ok && ifc && SSL_is_server(ssl) && X509_STORE_CTX_get_error_depth(x) == 0) {
		X509 *cert = X509_STORE_CTX_get_current_cert(x);
		if (!sip_tls_eku_allows_client(cert)) {
			X509_STORE_CTX_set_error(x, X509_V_ERR_INVALID_PURPOSE);
			ok = 0;
		} else if (ifc->subject[0] && !sip_tls_subject_match(cert, ifc->subject)) {
			X509_STORE_CTX_set_error(x, X509_V_ERR_HOSTNAME_MISMATCH);
			ok = 0;
		} else if (c) {
			ok = verify_ocsp(c, ssl, x);
		}
	}
	if (!ok && c && !c->verr)
		c->verr = X509_STORE_CTX_get_error(x);
	return ok;
}

static void alert_reject(struct sip_conn *c, int where, int ret)
{
	int desc = ret & 0xff;
	unsigned long e = ERR_peek_last_error();
	char detail[320];

	if (where & SSL_CB_READ) {
		snprintf(detail, sizeof(detail), "peer sent alert %d %s", desc,
			 SSL_alert_desc_string_long(ret));
		conn_reject(c, SIP_REJ_PROTOCOL, detail);
	} else if (c->ocsp_rej >= 0) {
		snprintf(detail, sizeof(detail), "%.140s, alert %d",
			 c->ocsp_detail ? c->ocsp_detail : "OCSP", desc);
		conn_reject(c, (enum sip_rej)c->ocsp_rej, detail);
	} else if (c->verr) {
		snprintf(detail, sizeof(detail), "%s, alert %d",
			 X509_verify_cert_error_string(c->verr), desc);
		conn_reject(c, sip_tls_rej_of_verify(c->verr), detail);
	} else if ((ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    ERR_GET_REASON(e) == SSL_R_PEER_DID_NOT_RETURN_A_CERTIFICATE) ||
		   desc == SSL_AD_CERTIFICATE_REQUIRED) {
		snprintf(detail, sizeof(detail), "no client certificate, alert %d", desc);
		conn_reject(c, SIP_REJ_NOCERT, detail);
	} else {
		snprintf(detail, sizeof(detail), "%s, alert %d %s",
			 e ? ERR_reason_error_string(e) : "handshake failure", desc,
			 SSL_alert_desc_string_long(ret));
		conn_reject(c, SIP_REJ_PROTOCOL, detail);
	}
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	struct sip_conn *c = conn_of(ssl);

	if (!c)
		return;
	if (where & SSL_CB_HANDSHAKE_START) {
		conn_bind(c);
		if (c->state == C_NEW)
			c->state = C_HANDSHAKE;
	}
	if (where & SSL_CB_HANDSHAKE_DONE)
		conn_accept(c);
	if ((where & SSL_CB_ALERT) && (ret >> 8) == SSL3_AL_FATAL &&
	    (c->state == C_NEW || c->state == C_HANDSHAKE))
		alert_reject(c, where, ret);
}

static int hello_cb(SSL *ssl, int *al, void *arg)
{
	struct sip_conn *c = conn_of(ssl);

	if (c && (c->over_cap || c->state == C_REJECTED)) {
		*al = SSL_AD_HANDSHAKE_FAILURE;
		return SSL_CLIENT_HELLO_ERROR;
	}
	return SSL_CLIENT_HELLO_SUCCESS;
}

/*
 * The policy, the material and our callbacks on ctx. Run at bind time and again after a
 * material change: tls_ctx_configure replaces the trust store, CRL flags, client CA list and
 * device certificate in place, and removes any verify callback, so ours goes back on last.
 */
const struct tls_policy *sip_tls_iface_policy(const struct sip_iface *ifc)
{
	struct ctx_bind *b =
	    ifc->ssl_ctx ? SSL_CTX_get_ex_data(ifc->ssl_ctx, sip_tls_bind_idx) : NULL;

	return b ? &b->pol : NULL;
}

int sip_tls_policy_apply(struct sip_iface *ifc, SSL_CTX *ctx, const struct tls_policy *p,
			 const char *ctxdir, char *err, size_t errlen)
{
	int want, mode;

	/* sofia's version switches would narrow the context's TLSVersion */
	SSL_CTX_clear_options(ctx, SSL_OP_NO_SSL_MASK);
	if (tls_ctx_configure(ctx, p, TLS_ROLE_SERVER, ctxdir, ifc->mutual ? TLS_F_VERIFY_PEER : 0,
			      err, errlen) < 0)
		return -1;
	sip_crl_store_bind(SSL_CTX_get_cert_store(ctx), ifc->ctx_index, p->crl_dp);
	mode = SSL_CTX_get_verify_mode(ctx);
	want = ifc->mutual ? (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) : SSL_VERIFY_NONE;
	if (mode != want) {
		snprintf(err, errlen, "verify mode %#x after binding the policy, want %#x", mode,
			 want);
		return -1;
	}
	/* an idle connection keeps no record buffers (about 34 KiB): OpenSSL frees them when
	 * nothing is pending and allocates them again for the next record */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/* TLS 1.2 sessions (TLS 1.3 resumes from stateless tickets): at most about 60 MiB */
	SSL_CTX_sess_set_cache_size(ctx, 20480);
	ifc->prev_verify = SSL_CTX_get_verify_callback(ctx);
	SSL_CTX_set_verify(ctx, mode, verify_cb);
	SSL_CTX_set_info_callback(ctx, info_cb);
	SSL_CTX_set_client_hello_cb(ctx, hello_cb, NULL);
	if (p->ocsp_stapling)
		SSL_CTX_set_tlsext_status_cb(ctx, sip_staple_status_cb);
	else
		SSL_CTX_callback_ctrl(ctx, SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB, NULL);
	SSL_CTX_set_tlsext_status_arg(ctx, ifc);
	return 0;
}

int sip_tls_bind(struct sip_iface *ifc, SSL_CTX *ctx, const struct conf_row *tlsctx,
		 const char *ctxdir, char *err, size_t errlen)
{
	struct ctx_bind *b = calloc(1, sizeof(*b));

	if (!b || !SSL_CTX_set_ex_data(ctx, sip_tls_bind_idx, b)) {
		free(b);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	tls_policy_from_row(tlsctx, &b->pol);
	snprintf(b->ctxdir, sizeof(b->ctxdir), "%s", ctxdir);
	if (sip_tls_policy_apply(ifc, ctx, &b->pol, ctxdir, err, errlen) < 0)
		return -1;
	if (!SSL_CTX_set_ex_data(ctx, ctx_idx, ifc)) {
		snprintf(err, errlen, "cannot attach the interface to the SSL_CTX");
		return -1;
	}
	ifc->ssl_ctx = ctx;
	sip_staple_start(ifc);
	log_info("sip: interface '%s' TLS port %u: mutual authentication %s%s%s; %s", ifc->name,
		 ifc->port[SIP_PROTO_TLS], ifc->mutual ? "on" : "off",
		 ifc->subject[0] ? ", client subject " : "", ifc->subject,
		 tls_ctx_policy_text(ctx));
	return 0;
}

/*
 * Sessions and tickets issued under the old material would let a client resume without
 * its certificate being checked against the new roots and CRL: forget them all.
 */
/* Looks at up to max connections of ifc from its sweep cursor (0: all of them). */
static void sweep_iface(struct sip_iface *ifc, unsigned max)
{
	struct sip_conn *c = max && ifc->sweep_at ? ifc->sweep_at : ifc->conns, *next;

	for (unsigned n = 0; c && (!max || n < max); c = next, n++) {
		next = c->next;
		if (!c->bound || c->gone || c->hs_owned || sip_tls_conn_alive(c))
			continue;
		if (c->sbio)
			conn_gone(c); /* freed with sofia's BIO */
		else
			conn_drop(c, 0); /* moves the cursor off c */
	}
	ifc->sweep_at = max ? c : NULL;
}

void sip_tls_sweep(struct sip_engine *e)
{
	for (unsigned i = 0; i < e->nifs; i++)
		sweep_iface(&e->ifs[i], 0);
}

void sip_tls_sweep_some(struct sip_engine *e)
{
	/* a fstat per connection: at 15,000 connections a whole sweep held the loop for tens of
	   ms; 1,000 per tick (about 3 ms) see each of 15,000 every 15 s. A connection sofia closes
	   is seen at once (its BIO's free); this finds only sockets closed under a binding's tport,
	   and a new connection over the cap sweeps whole first (conn_new). */
	for (unsigned i = 0; i < e->nifs; i++)
		sweep_iface(&e->ifs[i], 1000);
}

void sip_tls_hs_done(struct sip_conn *c)
{
	struct sip_engine *e = c->ifc->eng;
	char detail[400];

	if (c->hs_sofia_freed) {
		/* sofia closed the connection meanwhile: what sbio_cb put off */
		if (!e->closing && c->state == C_HANDSHAKE)
			conn_reject(c, SIP_REJ_PROTOCOL, "closed during the handshake");
		SSL_CTX_up_ref(SSL_get_SSL_CTX(c->ssl));
		SSL_free(c->ssl); /* the free callback drops c */
		ERR_clear_error();
		return;
	}
	if (e->closing)
		return;
	if (c->hs_timeout) {
		c->timed_out = 1;
		snprintf(detail, sizeof(detail), "handshake not done in %u ms", e->hs_timeout_ms);
		conn_reject(c, SIP_REJ_TIMEOUT, detail);
	} else if (c->hs_rej) {
		conn_reject(c, (enum sip_rej)(c->hs_rej - 1), c->hs_detail ? c->hs_detail : "");
	} else if (c->hs_up) {
		conn_accept(c);
	} else {
		conn_reject(c, SIP_REJ_PROTOCOL,
			    c->hs_detail ? c->hs_detail : "closed during the handshake");
	}
	free(c->hs_detail); /* the handshake's outcome is recorded: idle records stay small */
	c->hs_detail = NULL;
	if (c->state == C_REJECTED)
		sip_tls_conn_kill(c);
	/* sofia's SSL_accept now returns at once: 1, or the failure it closes on */
	sip_hs_rewatch(e->hs, c);
}

void sip_tls_unbind(struct sip_engine *e)
{
	for (unsigned i = 0; i < e->nifs; i++)
		sip_staple_stop(&e->ifs[i]);
	for (unsigned i = 0; i < e->nifs; i++)
		if (e->ifs[i].ssl_ctx)
			SSL_CTX_set_ex_data(e->ifs[i].ssl_ctx, ctx_idx, NULL);
}

void sip_tls_release(struct sip_engine *e)
{
	for (unsigned i = 0; i < e->nifs; i++) {
		while (e->ifs[i].conns)
			conn_drop(e->ifs[i].conns, 0);
		sip_conn_index_free(&e->ifs[i].by_peer);
		sip_staple_free(&e->ifs[i]);
	}
	free(e->tls_lim);
	e->tls_lim = NULL;
}

void sip_tls_log_flush(struct sip_engine *e)
{
	if (e->tls_lim)
		log_peer_flush(e->tls_lim);
}

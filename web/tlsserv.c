/*
 * The HTTPS server context: TLS context 0 as tls_ctx_build_mem makes it, with
 * the WEB Params on top. sbc-web reads no file of the flash: the certificate,
 * key, trusted roots and CRL come from sbcd (TLS WEBCRED 0, only for this
 * front end's user), at start and whenever the reply's stamp changes. A timer
 * asks every second with the stamp it has (a one-line "unchanged" reply when
 * nothing changed); a new material or policy of context 0 is built into a new
 * SSL_CTX first and swapped in for new handshakes: connections and logged-in
 * sessions stay. The WEB Params themselves are reset-required, read at start:
 * when sbcd was reset (WEBCRED's "started" changed), sbc-web exits with status
 * 0 and its unit (Restart=always) or sbcd's supervision starts it again.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include <event2/event.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "conf/store.h"
#include "ini/ini.h"
#include "tls/tls.h"
#include "tls/certinfo.h"
#include "web/web.h"

#define WEBCRED_POLL_MS 1000

static struct {
	struct web *w;
	struct tls_policy policy;
	SSL_CTX *ctx;
	STACK_OF(X509) *roots; /* the trusted roots the ctx was built with */
	char stamp[65];        /* of the material the ctx was built with */
	long long started;     /* sbcd's start as WEBCRED said first; 0 before */
	struct event *poll;
	int ex_idx;   /* per-SSL: handshake already counted */
	int subj_idx; /* per-SSL: subject of the certificate that failed verification */
	int peer_idx; /* per-SSL: peer address, taken while the socket is surely open */
} g = {.ex_idx = -1, .subj_idx = -1, .peer_idx = -1};

static void subj_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	OPENSSL_free(ptr);
}

int web_cred_parse(const char *reply, size_t rlen, const char *const *names, unsigned n,
		   const char **ptr, size_t *len)
{
	const char *p = reply, *end = reply + rlen;

	for (unsigned i = 0; i < n; i++) {
		ptr[i] = NULL;
		len[i] = 0;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char name[16];
		unsigned long l;
		int used = 0;

		if (!nl)
			return -1;
		if (sscanf(p, "%15s %lu%n", name, &l, &used) != 2 || p + used != nl ||
		    l > (unsigned long)(end - nl - 1)) {
			/* "stamp S" and other one-line items carry no body */
			p = nl + 1;
			continue;
		}
		for (unsigned i = 0; i < n; i++)
			if (!strcmp(name, names[i])) {
				ptr[i] = nl + 1;
				len[i] = l;
			}
		p = nl + 1 + l;
	}
	return 0;
}

/* TLS context 0's row from sbcd (its policy may change live too). */
static int policy_fetch(struct tls_policy *p, char *err, size_t errlen)
{
	struct conf_store *st = conf_store_new();
	const struct conf_table *tc = conf_table_find("TLSContexts");
	const struct conf_row *row;
	char *reply = NULL;
	size_t rlen = 0;
	struct conf_diag d;
	int rc = -1;

	conf_diag_init(&d);
	if (web_sbc_call(g.w->sock, "EXPORT TLSContexts", &reply, &rlen) != 0 || !st || !tc ||
	    ini_load(st, reply, rlen, "EXPORT", INI_INCREMENTAL, 0, &d) < 0 ||
	    !(row = conf_store_get(st, tc, 0))) {
		snprintf(err, errlen, "cannot read TLS context 0 from sbcd: %s",
			 reply ? reply : "no reply");
	} else {
		tls_policy_from_row(row, p);
		/* HTTPSCipherString is the web's own list; TLS 1.3 suites stay context 0's */
		snprintf(p->ciphers_server, sizeof(p->ciphers_server), "%s", g.w->cfg.ciphers);
		rc = 0;
	}
	conf_diag_free(&d);
	conf_store_free(st);
	free(reply);
	return rc;
}

/*
 * Asks sbcd for the material (with the stamp we have: "unchanged" when it is the
 * same) and builds a new SSL_CTX when it changed. 1 changed, 0 unchanged, -1 with
 * the reason in err (the old SSL_CTX stays).
 */
static int refresh(char *err, size_t errlen)
{
	static const char *const names[] = {"cert", "key", "roots", "crl"};
	static const unsigned char sid[] = "sbc-web";
	unsigned flags = g.w->cfg.require_cert ? TLS_F_VERIFY_PEER : 0;
	char verb[96], *reply = NULL, stamp[65] = "";
	const char *ptr[4], *st;
	size_t rlen = 0, len[4];
	struct tls_policy pol;
	struct tls_mem m;
	SSL_CTX *ctx = NULL;
	int rc = -1;

	snprintf(verb, sizeof(verb), "TLS WEBCRED 0%s%s", g.stamp[0] ? " " : "", g.stamp);
	if (web_sbc_call(g.w->sock, verb, &reply, &rlen) != 0) {
		snprintf(err, errlen, "TLS WEBCRED: %s", reply ? reply : "no reply");
		goto out;
	}
	if ((st = strstr(reply, "started ")) != NULL) {
		long long t = strtoll(st + 8, NULL, 10);
		if (g.started && t != g.started) {
			/* a reset: the WEB Params (reset-required) may have changed */
			web_log(LOG_NOTICE, "sbcd was reset: sbc-web stops, to start with the "
					    "settings now in effect");
			event_base_loopexit(g.w->base, NULL);
		}
		g.started = t;
	}
	if (!strncmp(reply, "unchanged", 9)) {
		rc = 0;
		goto out;
	}
	if (!(st = strstr(reply, "stamp ")) || sscanf(st, "stamp %64s", stamp) != 1 ||
	    web_cred_parse(reply, rlen, names, 4, ptr, len) < 0 || !ptr[0] || !ptr[1]) {
		snprintf(err, errlen, "TLS WEBCRED: a reply without the certificate and key");
		goto out;
	}
	if (policy_fetch(&pol, err, errlen) < 0)
		goto out;
	m = (struct tls_mem){.cert = ptr[0],
			     .cert_len = len[0],
			     .key = ptr[1],
			     .key_len = len[1],
			     .roots = ptr[2],
			     .roots_len = len[2],
			     .crl = ptr[3],
			     .crl_len = len[3]};
	if (!(ctx = tls_ctx_build_mem(&pol, TLS_ROLE_SERVER, &m, flags, err, errlen)))
		goto out;
	/* resumed sessions keep the verified client identity; needs an id context */
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	STACK_OF(X509) *roots = sk_X509_new_null();
	BIO *b = ptr[2] ? BIO_new_mem_buf(ptr[2], (int)len[2]) : NULL;
	X509 *x;
	while (b && roots && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		if (!sk_X509_push(roots, x))
			X509_free(x);
	BIO_free(b);
	ERR_clear_error();
	/* connections keep the SSL_CTX they started with (SSL_new holds a reference) */
	SSL_CTX_free(g.ctx);
	g.ctx = ctx;
	sk_X509_pop_free(g.roots, X509_free);
	g.roots = roots;
	g.policy = pol;
	memcpy(g.stamp, stamp, sizeof(stamp));
	web_log(LOG_INFO, "https: %s", tls_ctx_policy_text(ctx));
	web_ocsp_staple_start(g.w, ctx, &pol, roots);
	rc = 1;
out:
	if (reply) {
		OPENSSL_cleanse(reply, rlen);
		free(reply);
	}
	return rc;
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	char err[1024];
	int rc = refresh(err, sizeof(err));

	if (rc > 0)
		web_log(LOG_NOTICE, "https: TLS context 0 changed: new handshakes use it");
	else if (rc < 0)
		web_log(LOG_ERR, "https: new TLS context 0 refused, keeping the old: %s", err);
}

int web_tls_init(struct web *w, char *err, size_t errlen)
{
	g.w = w;
	if (g.ex_idx < 0)
		g.ex_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (g.subj_idx < 0)
		g.subj_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, subj_free);
	if (g.peer_idx < 0)
		g.peer_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, subj_free);
	return refresh(err, errlen) < 0 ? -1 : 0;
}

int web_tls_watch(struct web *w)
{
	struct timeval tv = {WEBCRED_POLL_MS / 1000, (WEBCRED_POLL_MS % 1000) * 1000};

	if (!g.ctx)
		return 0;
	web_ocsp_staple_start(w, g.ctx, &g.policy, g.roots); /* its timers need the loop */
	g.poll = event_new(w->base, -1, EV_PERSIST, on_poll, w);
	return g.poll && event_add(g.poll, &tv) == 0 ? 0 : -1;
}

void web_tls_free(struct web *w)
{
	if (g.poll)
		event_free(g.poll);
	g.poll = NULL;
	web_ocsp_free(w);
	SSL_CTX_free(g.ctx);
	g.ctx = NULL;
	sk_X509_pop_free(g.roots, X509_free);
	g.roots = NULL;
}

static void peer_of(SSL *ssl, char *buf, size_t len)
{
	const char *known = SSL_get_ex_data(ssl, g.peer_idx);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	int fd = SSL_get_fd(ssl);

	if (known) {
		snprintf(buf, len, "%s", known);
		return;
	}
	if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			port = ntohs(a->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			port = ntohs(a->sin6_port);
		}
	}
	snprintf(buf, len, "%s:%u", host, port);
}

static void subject_of(SSL *ssl, char *buf, size_t len)
{
	X509 *x = SSL_get0_peer_certificate(ssl);
	const char *failed = SSL_get_ex_data(ssl, g.subj_idx);

	buf[0] = 0;
	if (x)
		tls_name_text(X509_get_subject_name(x), buf, len); /* RFC 4514, as sbcd logs */
	else if (failed)
		snprintf(buf, len, "%s", failed);
}

/*
 * Records which certificate failed, for the log line; the result is left
 * exactly as OpenSSL decided (tls_ctx_configure's policy stays in force).
 */
static int verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	X509 *x = X509_STORE_CTX_get_current_cert(xs);
	char buf[256];

	if (ok && ssl && g.w->cfg.require_cert && X509_STORE_CTX_get_error_depth(xs) == 0)
		ok = web_ocsp_verify(g.w, &g.policy, ssl, xs);
	if (!ok && ssl && x && !SSL_get_ex_data(ssl, g.subj_idx)) {
		tls_name_text(X509_get_subject_name(x), buf, sizeof(buf));
		SSL_set_ex_data(ssl, g.subj_idx, OPENSSL_strdup(buf));
	}
	return ok;
}

static const char *alert_text(int ret)
{
	/* OpenSSL 3.0 has no text for TLS 1.3's certificate_required */
	return (ret & 0xff) == 116 ? "certificate required" : SSL_alert_desc_string_long(ret);
}

/* Every handshake we refuse is logged with the peer and the reason, and counted. */
static void info_cb(const SSL *cssl, int where, int ret)
{
	SSL *ssl = (SSL *)cssl;
	struct web_counters *c = &g.w->cnt;
	char peer[80], subj[256];

	if (SSL_get_ex_data(ssl, g.ex_idx))
		return;
	if ((where & SSL_CB_HANDSHAKE_START) && !SSL_get_ex_data(ssl, g.peer_idx)) {
		peer_of(ssl, peer, sizeof(peer));
		SSL_set_ex_data(ssl, g.peer_idx, OPENSSL_strdup(peer));
		return;
	}
	if (where & SSL_CB_HANDSHAKE_DONE) {
		SSL_set_ex_data(ssl, g.ex_idx, (void *)1);
		c->tls_ok++;
		return;
	}
	if (!(where & SSL_CB_ALERT) || strcmp(SSL_alert_type_string(ret), "F") != 0)
		return;
	SSL_set_ex_data(ssl, g.ex_idx, (void *)1);
	peer_of(ssl, peer, sizeof(peer));
	subject_of(ssl, subj, sizeof(subj));
	if (where & SSL_CB_READ) {
		c->aborted_by_peer++;
		web_log(LOG_NOTICE, "https: client %s ended the handshake: alert %s", peer,
			alert_text(ret));
		return;
	}
	long vr = SSL_get_verify_result(ssl);
	int desc = ret & 0xff;
	if (vr != X509_V_OK) {
		c->refused_verify++;
		web_log(LOG_WARNING, "https: refused client %s: certificate %s: %s (alert %s)",
			peer, subj[0] ? subj : "?", X509_verify_cert_error_string(vr),
			alert_text(ret));
	} else if (g.w->cfg.require_cert && !subj[0] && (desc == 116 || desc == 40)) {
		c->refused_nocert++;
		web_log(LOG_WARNING, "https: refused client %s: no client certificate (alert %s)",
			peer, alert_text(ret));
	} else {
		c->refused_other++;
		web_log(LOG_WARNING, "https: refused client %s: handshake failed (alert %s)", peer,
			alert_text(ret));
	}
}

SSL *web_tls_new_ssl(struct web *w)
{
	SSL *ssl;

	if (!g.ctx || !(ssl = SSL_new(g.ctx)))
		return NULL;
	SSL_set_info_callback(ssl, info_cb);
	SSL_set_verify(ssl, SSL_get_verify_mode(ssl), verify_cb);
	return ssl;
}

int web_tls_peer_is_trusted_leaf(struct web *w, SSL *ssl, char *cn, size_t cnlen)
{
	X509 *x = SSL_get0_peer_certificate(ssl);

	cn[0] = 0;
	if (!x || !g.roots || SSL_get_verify_result(ssl) != X509_V_OK)
		return 0;
	for (int i = 0; i < sk_X509_num(g.roots); i++) {
		if (X509_cmp(x, sk_X509_value(g.roots, i)) != 0)
			continue;
		if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
					      (int)cnlen) <= 0) {
			cn[0] = 0;
			return 0;
		}
		return 1;
	}
	return 0;
}

/*
 * The HTTPS server context: TLS context 0 as tls_ctx_build makes it, with the
 * WEB Params on top. Material replaced on flash (a new trusted root, a new
 * certificate) is picked up for new connections without a reset; the WEB
 * Params themselves are reset-required and read once at start.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/tls.h"
#include "tls/certinfo.h"
#include "web/web.h"

static const char *const material[] = {TLS_FILE_CERT, TLS_FILE_KEY, TLS_FILE_ROOTS, TLS_FILE_CRL};
#define NMAT (sizeof(material) / sizeof(material[0]))

struct stamp {
	time_t mtime;
	long nsec;
	off_t size;
	ino_t ino;
};

static struct {
	struct web *w;
	struct tls_policy policy;
	SSL_CTX *ctx;
	STACK_OF(X509) *roots; /* the trusted roots the ctx was built with */
	struct stamp st[NMAT];
	time_t checked;
	int ex_idx;   /* per-SSL: handshake already counted */
	int subj_idx; /* per-SSL: subject of the certificate that failed verification */
	int peer_idx; /* per-SSL: peer address, taken while the socket is surely open */
} g = {.ex_idx = -1, .subj_idx = -1, .peer_idx = -1};

static void subj_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	OPENSSL_free(ptr);
}

static void stamps_read(struct stamp *st)
{
	char path[PATH_MAX + 32];
	struct stat sb;

	for (size_t i = 0; i < NMAT; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		snprintf(path, sizeof(path), "%s/%s", g.w->ctxdir, material[i]);
		if (stat(path, &sb) == 0) {
			st[i].mtime = sb.st_mtim.tv_sec;
			st[i].nsec = sb.st_mtim.tv_nsec;
			st[i].size = sb.st_size;
			st[i].ino = sb.st_ino;
		}
	}
}

static STACK_OF(X509) *roots_read(void)
{
	char path[PATH_MAX + 32];
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *x;
	BIO *b;

	snprintf(path, sizeof(path), "%s/%s", g.w->ctxdir, TLS_FILE_ROOTS);
	if (!sk || !(b = BIO_new_file(path, "r")))
		return sk;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		if (!sk_X509_push(sk, x))
			X509_free(x);
	BIO_free(b);
	ERR_clear_error();
	return sk;
}

static int build(char *err, size_t errlen)
{
	struct web *w = g.w;
	unsigned flags = w->cfg.require_cert ? TLS_F_VERIFY_PEER : 0;
	static const unsigned char sid[] = "sbc-web";
	struct stamp st[NMAT];
	SSL_CTX *ctx;

	stamps_read(st);
	ctx = tls_ctx_build(&g.policy, TLS_ROLE_SERVER, w->ctxdir, flags, err, errlen);
	if (!ctx)
		return -1;
	/* resumed sessions keep the verified client identity; needs an id context */
	SSL_CTX_set_session_id_context(ctx, sid, sizeof(sid) - 1);
	SSL_CTX_free(g.ctx);
	g.ctx = ctx;
	sk_X509_pop_free(g.roots, X509_free);
	g.roots = roots_read();
	memcpy(g.st, st, sizeof(st));
	web_log(LOG_INFO, "https: %s", tls_ctx_policy_text(ctx));
	return 0;
}

int web_tls_init(struct web *w, const struct conf_row *ctx0, char *err, size_t errlen)
{
	g.w = w;
	if (g.ex_idx < 0)
		g.ex_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (g.subj_idx < 0)
		g.subj_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, subj_free);
	if (g.peer_idx < 0)
		g.peer_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, subj_free);
	tls_policy_from_row(ctx0, &g.policy);
	/* HTTPSCipherString is the web's own list; TLS 1.3 suites stay context 0's */
	snprintf(g.policy.ciphers_server, sizeof(g.policy.ciphers_server), "%s", w->cfg.ciphers);
	return build(err, errlen);
}

void web_tls_free(struct web *w)
{
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
	time_t now = time(NULL);
	struct stamp st[NMAT];
	char err[512];
	SSL *ssl;

	if (now != g.checked) {
		g.checked = now;
		stamps_read(st);
		if (memcmp(st, g.st, sizeof(st)) != 0) {
			if (build(err, sizeof(err)) < 0) {
				/* keep serving with the material we have */
				memcpy(g.st, st, sizeof(st));
				web_log(LOG_ERR,
					"https: new TLS context 0 material refused, "
					"keeping the old: %s",
					err);
			} else {
				web_log(LOG_INFO, "https: TLS context 0 material reloaded");
			}
		}
	}
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

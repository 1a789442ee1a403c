/* A SIP peer over TLS for the routing tests (see test_sip_proxy_peer.h). */
#include <assert.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "tests/unit/test_sip_proxy_peer.h"

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sip_peer_start(struct sip_peer *p, enum tls_pki_id cert, unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof(a);
	X509 *iss = tls_pki_issuer(cert);
	int one = 1, stall = p->stall, ost = p->options_status;

	memset(p, 0, sizeof(*p));
	p->stall = stall;
	p->options_status = ost ? ost : 200;
	for (int i = 0; i < SIP_PEER_CONNS; i++)
		p->conn[i].fd = -1;
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (p->lfd < 0)
		return -1;
	setsockopt(p->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(p->lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(p->lfd, 16) < 0 ||
	    getsockname(p->lfd, (struct sockaddr *)&a, &al) < 0) {
		close(p->lfd);
		p->lfd = -1;
		return -1;
	}
	fcntl(p->lfd, F_SETFL, O_NONBLOCK);
	p->port = ntohs(a.sin_port);
	p->ctx = SSL_CTX_new(TLS_server_method());
	SSL_CTX_use_certificate(p->ctx, tls_pki_cert(cert));
	SSL_CTX_use_PrivateKey(p->ctx, tls_pki_key(cert));
	if (iss && iss == tls_pki_cert(TLS_PKI_INTER))
		SSL_CTX_add1_chain_cert(p->ctx, iss);
	X509_STORE_add_cert(SSL_CTX_get_cert_store(p->ctx), tls_pki_cert(TLS_PKI_ROOT));
	X509_STORE_add_cert(SSL_CTX_get_cert_store(p->ctx), tls_pki_cert(TLS_PKI_INTER));
	SSL_CTX_set_verify(p->ctx, SSL_VERIFY_PEER, NULL);
	/* the SBC's device certificate may carry serverAuth only, as many do */
	SSL_CTX_set_purpose(p->ctx, X509_PURPOSE_ANY);
	return 0;
}

void sip_peer_stop(struct sip_peer *p)
{
	for (int i = 0; i < SIP_PEER_CONNS; i++)
		if (p->up[i]) {
			p->conn[i].ctx = NULL; /* shared */
			sip_client_close(&p->conn[i]);
			p->up[i] = 0;
		}
	if (p->lfd >= 0)
		close(p->lfd);
	p->lfd = -1;
	SSL_CTX_free(p->ctx);
	p->ctx = NULL;
}

static void accept_new(struct sip_peer *p)
{
	int fd;

	while (p->lfd >= 0 && (fd = accept(p->lfd, NULL, NULL)) >= 0) {
		int i;
		for (i = 0; i < SIP_PEER_CONNS && p->up[i]; i++)
			;
		/* tests open a handful of connections: more means the code under test leaks them */
		assert(i < SIP_PEER_CONNS);
		fcntl(fd, F_SETFL, O_NONBLOCK);
		memset(&p->conn[i], 0, sizeof(p->conn[i]));
		p->conn[i].fd = fd;
		p->conn[i].ssl = SSL_new(p->ctx);
		SSL_set_fd(p->conn[i].ssl, fd);
		SSL_set_accept_state(p->conn[i].ssl);
		p->up[i] = 1;
	}
}

static void drop(struct sip_peer *p, int i)
{
	p->conn[i].ctx = NULL;
	sip_client_close(&p->conn[i]);
	p->up[i] = 0;
}

void sip_peer_poll(struct sip_test *t, struct sip_peer *p)
{
	su_root_step(t->root, 2);
	accept_new(p);
	for (int i = 0; i < SIP_PEER_CONNS; i++) {
		struct sip_client *c = &p->conn[i];
		/* the error queue is shared with the engine in this thread: start clean */
		ERR_clear_error();
		if (p->up[i] == 1 && !p->stall) {
			int r = SSL_do_handshake(c->ssl);
			if (r == 1) {
				X509 *peer = SSL_get0_peer_certificate(c->ssl);
				p->up[i] = 2;
				p->handshakes++;
				p->client_subject[0] = 0;
				if (peer)
					X509_NAME_oneline(X509_get_subject_name(peer),
							  p->client_subject,
							  sizeof(p->client_subject));
			} else {
				int e = SSL_get_error(c->ssl, r);
				if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
					drop(p, i);
			}
			ERR_clear_error();
		}
		while (p->up[i] == 2 && c->len < sizeof(c->buf) - 1) {
			ERR_clear_error();
			int r =
			    SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - c->len - 1));
			if (r > 0) {
				c->len += (size_t)r;
				continue;
			}
			int e = SSL_get_error(c->ssl, r);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				drop(p, i);
			ERR_clear_error();
			break;
		}
	}
}

/* Length of the first whole message in buf, 0 when incomplete. */
static size_t whole(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	char hdr[8192], cl[32];
	size_t h;

	if (!end)
		return 0;
	h = (size_t)(end - buf) + 4;
	snprintf(hdr, sizeof(hdr), "%.*s", (int)(h < sizeof(hdr) - 1 ? h : sizeof(hdr) - 1), buf);
	sip_msg_header(hdr, "Content-Length", cl, sizeof(cl));
	if (!cl[0])
		sip_msg_header(hdr, "l", cl, sizeof(cl));
	h += strtoul(cl, NULL, 10);
	return len >= h ? h : 0;
}

int sip_peer_send(struct sip_test *t, struct sip_peer *p, int which, const char *msg)
{
	if (which < 0 || which >= SIP_PEER_CONNS || p->up[which] != 2)
		return -1;
	ERR_clear_error();
	return sip_client_send(t, &p->conn[which], msg);
}

int sip_peer_recv(struct sip_test *t, struct sip_peer *p, char *out, size_t len,
		  unsigned timeout_ms, int *which)
{
	unsigned long long end = now_ms() + timeout_ms;
	char resp[4096];

	do {
		sip_peer_poll(t, p);
		for (int i = 0; i < SIP_PEER_CONNS; i++) {
			struct sip_client *c = &p->conn[i];
			size_t n = p->up[i] == 2 ? whole(c->buf, c->len) : 0;
			if (!n)
				continue;
			size_t k = n < len - 1 ? n : len - 1;
			memcpy(out, c->buf, k);
			out[k] = 0;
			memmove(c->buf, c->buf + n, c->len - n);
			c->len -= n;
			if (strncmp(out, "OPTIONS ", 8) == 0) {
				p->options++;
				if (p->options_status) {
					sip_msg_response(resp, sizeof(resp), out, p->options_status,
							 "peer-ka", NULL, NULL);
					sip_client_send(t, c, resp);
				}
				i = -1; /* look again from the start */
				continue;
			}
			if (which)
				*which = i;
			return (int)n;
		}
	} while (now_ms() < end);
	return -1;
}

int sip_peer_expect(struct sip_test *t, struct sip_peer *p, const char *method, char *out,
		    size_t len, int *which)
{
	unsigned long long end = now_ms() + 3000;
	size_t ml = strlen(method);

	while (now_ms() < end) {
		int n = sip_peer_recv(t, p, out, len, (unsigned)(end - now_ms()), which);
		if (n < 0)
			return 0;
		if (strncmp(out, method, ml) == 0 && out[ml] == ' ')
			return 1;
	}
	return 0;
}

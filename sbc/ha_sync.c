/*
 * The synchronisation channel: one mutual-TLS connection per configuration
 * sent, blocking I/O with timeouts on threads of their own, so the SIP loop
 * never waits for the peer. The loop thread learns results through ha_post.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "log/log.h"
#include "sbc/ha_int.h"

static void io_timeouts(int fd)
{
	struct timeval tv = {HA_IO_TIMEOUT, 0};

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int ssl_fail(const char *what, char *err, size_t errlen)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(err, errlen, "%s: %s", what, buf[0] ? buf : strerror(errno));
	return -1;
}

static int read_line(SSL *ssl, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		if (SSL_read(ssl, buf + n, 1) != 1)
			return -1;
		if (buf[n] == '\n') {
			buf[n] = 0;
			return 0;
		}
		n++;
	}
	return -1;
}

static int write_all(SSL *ssl, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		int n = SSL_write(ssl, p, len > (1u << 30) ? 1 << 30 : (int)len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void peer_name(SSL *ssl, const char *addr, char *out, size_t len)
{
	X509 *x = SSL_get1_peer_certificate(ssl);
	char cn[128] = "";

	if (x) {
		X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn));
		X509_free(x);
	}
	snprintf(out, len, "%s (CN=%s)", addr, cn);
}

/* One incoming connection: the header, our decision, the payload. */
static void serve(struct ha *h, int fd, const char *addr)
{
	char err[300], line[160], who[256], magic[16], verb[16];
	unsigned long long gen, len, ours, pending;
	enum ha_role role;
	int state;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	char *data = NULL;

	io_timeouts(fd);
	if (!(ctx = tls_ctx_build(&h->pol, TLS_ROLE_SERVER, h->ctxdir, TLS_F_VERIFY_PEER, err,
				  sizeof(err)))) {
		log_errx("HA channel: TLS context %u: %s", h->ctx, err);
		return;
	}
	if (!(ssl = SSL_new(ctx)) || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1) {
		ssl_fail("handshake", err, sizeof(err));
		log_warnx("HA channel: connection from %s refused: %s", addr, err);
		goto out;
	}
	peer_name(ssl, addr, who, sizeof(who));
	if (read_line(ssl, line, sizeof(line)) < 0 ||
	    sscanf(line, "%15s %15s %llu %llu", magic, verb, &gen, &len) != 4 ||
	    strcmp(magic, HA_MAGIC) || (strcmp(verb, "CONFIG") && strcmp(verb, "STATE")) ||
	    len > HA_MAX_CONF) {
		log_warnx("HA channel: %s: not a configuration header", who);
		goto out;
	}

	state = !strcmp(verb, "STATE");
	pthread_mutex_lock(&h->mu);
	role = h->role_shared;
	ours = h->gen_shared;
	pending = h->gen_pending;
	if (role != HA_ACTIVE && !state && gen > ours && gen > pending)
		h->gen_pending = gen;
	pthread_mutex_unlock(&h->mu);
	if (role == HA_ACTIVE) {
		snprintf(line, sizeof(line), "REFUSED active %llu\n", ours);
	} else if (!state && (gen <= ours || gen <= pending)) {
		snprintf(line, sizeof(line), "%s %llu\n", gen == ours ? "OK" : "REFUSED older",
			 pending > ours ? pending : ours);
	} else {
		struct ha_event *ev;
		size_t got = 0;
		if (!(data = malloc(len + 1)) || write_all(ssl, "SEND\n", 5) < 0)
			goto unpend;
		while (got < len) {
			int n = SSL_read(ssl, data + got,
					 (int)(len - got > (1u << 30) ? 1u << 30 : len - got));
			if (n <= 0) {
				log_warnx("HA channel: %s: configuration cut short", who);
				goto unpend;
			}
			got += (size_t)n;
		}
		data[len] = 0;
		if (!(ev = calloc(1, sizeof(*ev))))
			goto out;
		ev->type = state ? HA_EV_STATE : HA_EV_RECEIVED;
		ev->gen = gen;
		ev->data = data;
		ev->len = len;
		snprintf(ev->text, sizeof(ev->text), "%s", who);
		data = NULL;
		ha_post(h, ev);
		snprintf(line, sizeof(line), "OK %llu\n", state ? ours : gen);
	}
	write_all(ssl, line, strlen(line));
	SSL_shutdown(ssl);
	goto out;
unpend:
	pthread_mutex_lock(&h->mu);
	h->gen_pending = 0;
	pthread_mutex_unlock(&h->mu);
out:
	free(data);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
}

static void *listen_main(void *arg)
{
	struct ha *h = arg;

	while (!h->stopping) {
		struct pollfd p = {h->lfd, POLLIN, 0};
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char host[64] = "?";
		int fd;
		if (poll(&p, 1, 300) <= 0)
			continue;
		if ((fd = accept4(h->lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC)) < 0)
			continue;
		getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), NULL, 0,
			    NI_NUMERICHOST);
		serve(h, fd, host);
		close(fd);
	}
	return NULL;
}

int ha_sync_listen(struct ha *h, char *err, size_t errlen)
{
	struct addrinfo hints = {0}, *ai = NULL;
	char port[8];
	int one = 1, rc;

	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_family = h->local_host[0] ? AF_UNSPEC : AF_INET;
	snprintf(port, sizeof(port), "%u", h->port);
	if ((rc = getaddrinfo(h->local_host[0] ? h->local_host : NULL, port, &hints, &ai))) {
		snprintf(err, errlen, "HA: HALocalAddress '%s': %s", h->local_host,
			 gai_strerror(rc));
		return -1;
	}
	h->lfd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->lfd < 0 || setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(h->lfd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(h->lfd, 8) < 0) {
		snprintf(err, errlen, "HA: sync channel %s:%u (HALocalAddress, HASyncPort): %s",
			 h->local_host[0] ? h->local_host : "*", h->port, strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	if (pthread_create(&h->lthread, NULL, listen_main, h)) {
		snprintf(err, errlen, "HA: no thread for the sync channel");
		return -1;
	}
	h->lthread_on = 1;
	return 0;
}

void ha_sync_stop(struct ha *h)
{
	/* a sender still running uses h: each ends within its timeouts */
	for (int i = 0;
	     i < 4 * 10 * HA_IO_TIMEOUT && __atomic_load_n(&h->pushers, __ATOMIC_SEQ_CST); i++)
		usleep(100000);
	h->stopping = 1;
	if (h->lthread_on)
		pthread_join(h->lthread, NULL);
	h->lthread_on = 0;
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = -1;
}

struct push {
	struct ha *h;
	const char *kind;
	char *data;
	size_t len;
	unsigned long long gen;
};

static int connect_peer(const struct ha *h, char *err, size_t errlen)
{
	struct addrinfo hints = {0}, *ai = NULL;
	char port[8];
	int fd, rc, soerr = 0;
	socklen_t sl = sizeof(soerr);
	struct pollfd p;

	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", h->port);
	if ((rc = getaddrinfo(h->peer_host, port, &hints, &ai))) {
		snprintf(err, errlen, "HAPeerAddress '%s': %s", h->peer_host, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno == EINPROGRESS) {
		p.fd = fd;
		p.events = POLLOUT;
		if (poll(&p, 1, HA_IO_TIMEOUT * 1000) != 1)
			soerr = ETIMEDOUT;
		else
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
	} else if (fd >= 0 && errno && errno != EINPROGRESS) {
		soerr = errno;
	}
	freeaddrinfo(ai);
	if (fd < 0 || soerr) {
		snprintf(err, errlen, "connect to %s:%u: %s", h->peer_host, h->port,
			 strerror(fd < 0 ? errno : soerr));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	io_timeouts(fd);
	return fd;
}

static void *push_main(void *arg)
{
	struct push *p = arg;
	struct ha *h = p->h;
	struct ha_event *ev = calloc(1, sizeof(*ev));
	char err[300] = "", line[160], word[32];
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd;
	long long g;

	if (!ev)
		goto out;
	ev->type = HA_EV_PUSHED;
	ev->state = !strcmp(p->kind, "STATE");
	ev->gen = p->gen;
	ev->peer_gen = -1;
	errno = 0;
	if ((fd = connect_peer(h, err, sizeof(err))) < 0)
		goto done;
	if (!(ctx = tls_ctx_build(&h->pol, TLS_ROLE_CLIENT, h->ctxdir, TLS_F_VERIFY_PEER, err,
				  sizeof(err)))) {
		close(fd);
		goto done;
	}
	snprintf(line, sizeof(line), "%s %s %llu %zu\n", HA_MAGIC, p->kind, p->gen, p->len);
	if (!(ssl = SSL_new(ctx)) || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1)
		ssl_fail("TLS handshake with the peer", err, sizeof(err));
	else if (write_all(ssl, line, strlen(line)) < 0)
		ssl_fail("send", err, sizeof(err));
	else if (read_line(ssl, line, sizeof(line)) < 0)
		ssl_fail("no answer", err, sizeof(err));
	/* the peer says SEND only when it takes this generation */
	else if (!strcmp(line, "SEND") &&
		 (write_all(ssl, p->data, p->len) < 0 || read_line(ssl, line, sizeof(line)) < 0))
		ssl_fail("send", err, sizeof(err));
	else {
		snprintf(err, sizeof(err), "peer: %s", line);
		if (sscanf(line, "%31s", word) == 1 && !strcmp(word, "OK"))
			ev->ok = 1;
		char *last = strrchr(line, ' ');
		if (last && sscanf(last + 1, "%lld", &g) == 1)
			ev->peer_gen = g;
	}
	if (ssl)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
done:
	snprintf(ev->text, sizeof(ev->text), "%s", err);
	ERR_clear_error();
	ha_post(h, ev);
out:
	free(p->data);
	free(p);
	__atomic_sub_fetch(&h->pushers, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

int ha_sync_push(struct ha *h, const char *kind, char *payload, size_t len, unsigned long long gen)
{
	struct push *p = calloc(1, sizeof(*p));
	pthread_t t;

	if (!p) {
		free(payload);
		return -1;
	}
	p->h = h;
	p->kind = kind;
	p->data = payload;
	p->len = len;
	p->gen = gen;
	__atomic_add_fetch(&h->pushers, 1, __ATOMIC_SEQ_CST);
	if (pthread_create(&t, NULL, push_main, p)) {
		__atomic_sub_fetch(&h->pushers, 1, __ATOMIC_SEQ_CST);
		free(payload);
		free(p);
		return -1;
	}
	pthread_detach(t);
	return 0;
}

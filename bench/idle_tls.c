/*
 * idle_tls: holds N idle SIP-over-mutual-TLS connections to one server (OpenSSL, epoll).
 *
 *   bench-idle_tls --port P --cert C --key K [--host 127.0.0.1] --conns N [--inflight M]
 *                  [--timeout S]
 *
 * Opens N connections, at most M handshaking at once; on each, after a full mutual
 * handshake (TLS 1.3, no tickets, no session cache), one OPTIONS and its 200, the connection
 * goes idle. Then prints "ready ok=N errors=E seconds=T" and reads commands on stdin, one a
 * line, answering each with one line:
 *   ping K      "\r\n\r\n" (RFC 5626 keep-alive) on the first K idle connections; waits up to
 *               5 s for their "\r\n" pongs: "ping sent=K pong=M"
 *   options K   one OPTIONS on K connections spread over all: "options sent=K ok=M"
 *   split K     one OPTIONS on K connections, each in two TLS records: the headers without
 *               their last CRLF, then "\r\n" alone (a CRLF inside a message is no keep-alive):
 *               "split sent=K ok=M"
 *   alive       "alive=N": connections the server has not closed (a read sees end of stream)
 *   register K  one REGISTER (user uI, Expires 3600, Contact over this connection) on each of
 *               the first K idle connections, --inflight of them outstanding at most; up to
 *               120 s in all:
 *               "register sent=K ok=M seconds=T"
 *   refresh R S REGISTERs refreshing those bindings at R per second for S seconds, round robin
 *               over the registered connections (one outstanding per connection at most), then
 *               up to 10 s for the last answers: "refresh sent=N ok=M seconds=T rate=X
 *               p50_ms=A p99_ms=B max_ms=C" (rate: 200s per second over the S seconds;
 *               times from each REGISTER written to its 200)
 *   quit / EOF  closes every connection and exits
 * Why not bench/tlsload: that keeps OPTIONS outstanding on every connection; this one measures
 * what a server spends on a connection that does nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench/bench_args.h"

enum st { S_FREE, S_HANDSHAKE, S_WAIT200, S_IDLE, S_DEAD };

struct conn {
	int fd;
	SSL *ssl;
	enum st st;
	int expect;     /* 200s or pongs awaited */
	unsigned cseq;  /* of the last REGISTER */
	int registered; /* a REGISTER of this connection was answered 200 */
	double sent_at; /* when the REGISTER awaited was written (0: none) */
	unsigned len;   /* bytes in buf */
	char buf[1024];
};

static struct {
	const char *host, *cert, *key;
	unsigned port, conns, inflight;
	double timeout;
} o = {"127.0.0.1", NULL, NULL, 0, 0, 64, 300};

static SSL_CTX *ctx;
static int ep;
static struct conn *cs;
static unsigned long long seq;
static unsigned got_ok, got_pong;
static double *lat; /* REGISTER round trips (s) of the current refresh run */
static size_t nlat, caplat;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void conn_close(struct conn *c, enum st st)
{
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ssl = NULL;
	c->st = st;
}

static int conn_open(struct conn *c)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(o.port)};
	struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
	int one = 1;

	inet_pton(AF_INET, o.host, &sa.sin_addr);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		conn_close(c, S_DEAD);
		return -1;
	}
	c->ssl = SSL_new(ctx);
	if (!c->ssl) {
		conn_close(c, S_DEAD);
		return -1;
	}
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_connect_state(c->ssl);
	c->st = S_HANDSHAKE;
	c->len = 0;
	c->expect = 0;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

static int send_options_split(struct conn *c, int split)
{
	char m[600];
	unsigned long long n = ++seq;
	int len = snprintf(m, sizeof(m),
			   "OPTIONS sip:sbc@%s:%u;transport=tls SIP/2.0\r\n"
			   "Via: SIP/2.0/TLS 127.0.0.1:5061;rport;branch=z9hG4bK-%d-%llx\r\n"
			   "Max-Forwards: 70\r\nFrom: <sip:idle@127.0.0.1>;tag=%llx\r\n"
			   "To: <sip:sbc@%s>\r\nCall-ID: %d-%llx@idle\r\nCSeq: 1 OPTIONS\r\n"
			   "Content-Length: 0\r\n\r\n",
			   o.host, o.port, getpid(), n, n, o.host, getpid(), n);

	if (split &&
	    (SSL_write(c->ssl, m, len - 2) != len - 2 || SSL_write(c->ssl, "\r\n", 2) != 2))
		return -1;
	if (!split && SSL_write(c->ssl, m, len) != len)
		return -1;
	c->expect++;
	return 0;
}

/* A REGISTER of user u<i> from connection c (its Contact reached over this connection). */
static int send_register(struct conn *c, unsigned i)
{
	char m[800];
	int len = snprintf(m, sizeof(m),
			   "REGISTER sip:%s:%u;transport=tls SIP/2.0\r\n"
			   "Via: SIP/2.0/TLS 127.0.0.1:5061;rport;branch=z9hG4bK-r%d-%u-%u\r\n"
			   "Max-Forwards: 70\r\nFrom: <sip:u%u@bench.example>;tag=r%u\r\n"
			   "To: <sip:u%u@bench.example>\r\nCall-ID: reg-%d-%u@idle\r\n"
			   "CSeq: %u REGISTER\r\n"
			   "Contact: <sip:u%u@127.0.0.1:5061;transport=tls>\r\nExpires: 3600\r\n"
			   "Content-Length: 0\r\n\r\n",
			   o.host, o.port, getpid(), i, c->cseq + 1, i, i, i, getpid(), i,
			   c->cseq + 1, i);

	if (SSL_write(c->ssl, m, len) != len)
		return -1;
	c->cseq++;
	c->expect++;
	c->sent_at = now();
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double lat_pct(double q)
{
	size_t k = (size_t)(q * (double)nlat + 0.999999);
	return nlat ? lat[(k ? k : 1) - 1] * 1000 : 0;
}

static int send_options(struct conn *c)
{
	return send_options_split(c, 0);
}

/* Consumes pongs and whole responses from buf; counts 200s and pongs. -1 on garbage. */
static int parse(struct conn *c)
{
	for (;;) {
		char *end, *cl;
		unsigned hl, bl = 0;
		if (c->len >= 2 && c->buf[0] == '\r' && c->buf[1] == '\n') {
			memmove(c->buf, c->buf + 2, c->len - 2);
			c->len -= 2;
			got_pong++;
			continue;
		}
		end = memmem(c->buf, c->len, "\r\n\r\n", 4);
		if (!end)
			return 0;
		hl = (unsigned)(end - c->buf) + 4;
		*end = 0;
		cl = strcasestr(c->buf, "\r\nContent-Length:");
		if (cl)
			bl = (unsigned)strtoul(cl + 17, NULL, 10);
		*end = '\r';
		if (hl + bl > c->len)
			return 0;
		if (strncmp(c->buf, "SIP/2.0 200", 11) == 0) {
			got_ok++;
			c->expect--;
			if (c->sent_at > 0) {
				c->registered = 1;
				if (nlat == caplat) {
					double *nl = realloc(lat, (caplat ? caplat * 2 : 65536) *
								      sizeof(*lat));
					if (nl)
						lat = nl, caplat = caplat ? caplat * 2 : 65536;
				}
				if (nlat < caplat)
					lat[nlat++] = now() - c->sent_at;
				c->sent_at = 0;
			}
		} else if (strncmp(c->buf, "SIP/2.0 1", 9) != 0)
			return -1;
		memmove(c->buf, c->buf + hl + bl, c->len - hl - bl);
		c->len -= hl + bl;
	}
}

/* Reads what the server sent; the connection dies on end of stream or an error. */
static void on_read(struct conn *c)
{
	for (;;) {
		int r = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - c->len - 1));
		if (r <= 0) {
			int e = SSL_get_error(c->ssl, r);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				conn_close(c, S_DEAD);
			ERR_clear_error();
			return;
		}
		c->len += (unsigned)r;
		if (parse(c) < 0 || c->len >= sizeof(c->buf) - 1) {
			conn_close(c, S_DEAD);
			return;
		}
		if (c->st == S_WAIT200 && c->expect == 0) {
			struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
			c->st = S_IDLE;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
	}
}

static void on_event(struct conn *c)
{
	if (c->st == S_HANDSHAKE) {
		int r = SSL_do_handshake(c->ssl);
		if (r != 1) {
			int e = SSL_get_error(c->ssl, r);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				conn_close(c, S_DEAD);
			ERR_clear_error();
			return;
		}
		c->st = S_WAIT200;
		if (send_options(c) < 0) {
			conn_close(c, S_DEAD);
			return;
		}
	}
	if (c->st == S_WAIT200 || c->st == S_IDLE)
		on_read(c);
}

static void pump(double until, int (*done)(void))
{
	struct epoll_event evs[256];

	while (now() < until && !(done && done())) {
		int n = epoll_wait(ep, evs, 256, 20);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c->st != S_FREE && c->st != S_DEAD)
				on_event(c);
		}
	}
}

static unsigned want_pong, want_ok;
static int pongs_done(void)
{
	return got_pong >= want_pong;
}
static int oks_done(void)
{
	return got_ok >= want_ok;
}

static unsigned count(enum st st)
{
	unsigned n = 0;

	for (unsigned i = 0; i < o.conns; i++)
		n += cs[i].st == st;
	return n;
}

static void open_all(void)
{
	double t0 = now(), until = t0 + o.timeout;
	unsigned next = 0;
	struct epoll_event evs[256];

	while (now() < until) {
		unsigned busy = count(S_HANDSHAKE) + count(S_WAIT200);
		while (next < o.conns && busy < o.inflight) {
			conn_open(&cs[next++]);
			busy++;
		}
		if (next == o.conns && busy == 0)
			break;
		int n = epoll_wait(ep, evs, 256, 20);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c->st != S_FREE && c->st != S_DEAD)
				on_event(c);
		}
	}
	printf("ready ok=%u errors=%u seconds=%.1f\n", count(S_IDLE), o.conns - count(S_IDLE),
	       now() - t0);
	fflush(stdout);
}

static unsigned alive(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < o.conns; i++) {
		struct conn *c = &cs[i];
		struct pollfd p = {.fd = c->fd, .events = POLLIN};
		if (c->st != S_IDLE)
			continue;
		if (poll(&p, 1, 0) == 1)
			on_read(c);
		n += c->st == S_IDLE;
	}
	return n;
}

static void command(const char *line)
{
	unsigned k = 0, sent = 0;
	double secs = 0;

	if (sscanf(line, "ping %u", &k) == 1) {
		got_pong = 0;
		for (unsigned i = 0; i < o.conns && sent < k; i++)
			if (cs[i].st == S_IDLE && SSL_write(cs[i].ssl, "\r\n\r\n", 4) == 4)
				sent++;
		want_pong = sent;
		pump(now() + 5, pongs_done);
		printf("ping sent=%u pong=%u\n", sent, got_pong);
	} else if (sscanf(line, "split %u", &k) == 1) {
		got_ok = 0;
		for (unsigned i = 0; i < o.conns && sent < k; i++)
			if (cs[i].st == S_IDLE && send_options_split(&cs[i], 1) == 0)
				sent++;
		want_ok = sent;
		pump(now() + 10, oks_done);
		for (unsigned i = 0; i < o.conns; i++)
			cs[i].expect = 0;
		printf("split sent=%u ok=%u\n", sent, got_ok);
	} else if (sscanf(line, "options %u", &k) == 1) {
		unsigned idle = count(S_IDLE), step = k ? (idle / k ? idle / k : 1) : 1;
		got_ok = 0;
		for (unsigned i = 0, j = 0; i < o.conns && sent < k; i++)
			if (cs[i].st == S_IDLE && j++ % step == 0 && send_options(&cs[i]) == 0)
				sent++;
		want_ok = sent;
		pump(now() + 10, oks_done);
		for (unsigned i = 0; i < o.conns; i++)
			cs[i].expect = 0;
		printf("options sent=%u ok=%u\n", sent, got_ok);
	} else if (sscanf(line, "register %u", &k) == 1) {
		double t0 = now(), until = t0 + 120;
		unsigned next = 0;
		struct epoll_event evs[256];
		got_ok = 0;
		/* at most --inflight REGISTERs outstanding: the bindings are made, not a burst */
		while (now() < until) {
			for (; next < o.conns && sent < k && sent - got_ok < o.inflight; next++)
				if (cs[next].st == S_IDLE && send_register(&cs[next], next) == 0)
					sent++;
			if ((next == o.conns || sent == k) && got_ok >= sent)
				break;
			int n = epoll_wait(ep, evs, 256, 5);
			for (int e = 0; e < n; e++) {
				struct conn *c = evs[e].data.ptr;
				if (c->st != S_FREE && c->st != S_DEAD)
					on_event(c);
			}
		}
		for (unsigned i = 0; i < o.conns; i++)
			cs[i].expect = 0, cs[i].sent_at = 0;
		printf("register sent=%u ok=%u seconds=%.2f\n", sent, got_ok, now() - t0);
	} else if (sscanf(line, "refresh %u %lf", &k, &secs) == 2 && k > 0 && secs > 0) {
		double t0 = now(), end = t0 + secs, ok_at_end = 0;
		unsigned next = 0;
		unsigned long long due = 0;
		struct epoll_event evs[256];
		got_ok = 0;
		nlat = 0;
		while (now() < end) {
			/* every REGISTER that fell due is sent, on the next registered connection
			   with none outstanding */
			unsigned long long want = (unsigned long long)((now() - t0) * k) + 1;
			for (unsigned tries = 0; due < want && tries < o.conns; tries++) {
				struct conn *c = &cs[next];
				unsigned i = next;
				next = (next + 1) % o.conns;
				if (c->st != S_IDLE || !c->registered || c->expect)
					continue;
				if (send_register(c, i) == 0)
					sent++;
				due++;
			}
			int n = epoll_wait(ep, evs, 256, 1);
			for (int e = 0; e < n; e++) {
				struct conn *c = evs[e].data.ptr;
				if (c->st != S_FREE && c->st != S_DEAD)
					on_event(c);
			}
		}
		ok_at_end = got_ok;
		want_ok = sent;
		pump(now() + 10, oks_done);
		for (unsigned i = 0; i < o.conns; i++)
			cs[i].expect = 0, cs[i].sent_at = 0;
		qsort(lat, nlat, sizeof(*lat), cmp_double);
		printf("refresh sent=%u ok=%u seconds=%.2f rate=%.0f p50_ms=%.2f p99_ms=%.2f "
		       "max_ms=%.2f\n",
		       sent, got_ok, secs, ok_at_end / secs, lat_pct(0.5), lat_pct(0.99),
		       nlat ? lat[nlat - 1] * 1000 : 0);
	} else if (strncmp(line, "alive", 5) == 0) {
		printf("alive=%u\n", alive());
	} else {
		printf("unknown command: %s", line);
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"host", 1, 0, 'h'},    {"port", 1, 0, 'p'},
					   {"cert", 1, 0, 'c'},    {"key", 1, 0, 'k'},
					   {"conns", 1, 0, 'n'},   {"inflight", 1, 0, 'i'},
					   {"timeout", 1, 0, 't'}, {0, 0, 0, 0}};
	struct rlimit rl;
	char line[256];
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'h':
			o.host = optarg;
			break;
		case 'p':
			o.port = bench_arg_uint("bench-idle_tls", "--port", optarg, 1, 65535);
			break;
		case 'c':
			o.cert = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'n':
			o.conns = bench_arg_uint("bench-idle_tls", "--conns", optarg, 1, 1000000);
			break;
		case 'i':
			o.inflight =
			    bench_arg_uint("bench-idle_tls", "--inflight", optarg, 1, 10000);
			break;
		case 't':
			o.timeout =
			    bench_arg_double("bench-idle_tls", "--timeout", optarg, 1, 86400);
			break;
		default:
			return 2;
		}
	}
	if (!o.port || !o.cert || !o.key || !o.conns) {
		fprintf(stderr, "usage: bench-idle_tls --port P --cert C --key K --conns N\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, o.cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, o.key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS); /* the client's memory is not measured */
	ep = epoll_create1(EPOLL_CLOEXEC);
	cs = calloc(o.conns, sizeof(*cs));
	if (ep < 0 || !cs)
		return 1;
	for (unsigned i = 0; i < o.conns; i++)
		cs[i].fd = -1;
	open_all();
	while (fgets(line, sizeof(line), stdin) && strncmp(line, "quit", 4) != 0)
		command(line);
	for (unsigned i = 0; i < o.conns; i++)
		conn_close(&cs[i], S_FREE);
	return 0;
}

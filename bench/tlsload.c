/*
 * tlsload: SIP over mutual TLS load generator (OpenSSL, non-blocking, epoll).
 *
 *   bench-tlsload --port P --cert C --key K [--host 127.0.0.1] [--mode new|persist]
 *                 [--conns N] [--window W] [--seconds S] [--warmup S] [--tls13]
 *                 [--pids "PID ..."] [--procs N] [--register PREFIX]
 *
 * new:     N connections in flight; each runs a full handshake (no resumption) with the
 *          client certificate, sends one OPTIONS, waits for the 200 and closes. Counted:
 *          connections that got their 200.
 * persist: N connections opened once; each keeps W OPTIONS outstanding. Counted: 200s.
 *          With --register PREFIX, each connection first REGISTERs sip:PREFIX<i>-<pid>@HOST
 *          (its certificate then bound to that AOR) and starts its OPTIONS after the 200;
 *          a REGISTER refused is an error.
 *
 * Measured over S seconds after W seconds of warm-up. --pids names the server's
 * processes: their CPU time (utime + stime from /proc/PID/stat, summed, each process
 * and its threads) over the measured interval is reported, and the rate per server
 * CPU-second. --procs forks that many generator processes (the load is split, the
 * counts summed). Prints one line of key=value pairs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench/bench_args.h"

enum st { S_FREE, S_CONNECT, S_HANDSHAKE, S_RUN };

struct conn {
	int fd;
	SSL *ssl;
	enum st st;
	unsigned outstanding; /* OPTIONS sent, 200 not yet seen */
	unsigned want_write;
	int registering; /* REGISTER sent, its 200 not yet seen */
	size_t len;
	char buf[8192];
};

static struct {
	const char *host, *cert, *key, *pids, *reg;
	unsigned port, conns, window, procs;
	double seconds, warmup;
	int persist, tls13;
} o = {"127.0.0.1", NULL, NULL, NULL, NULL, 0, 50, 1, 1, 10, 2, 0, 0};

static SSL_CTX *ctx;
static int ep;
static struct conn *cs;
static unsigned long long ok_count, errors, seq;
static int counting;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* utime + stime of every listed process, seconds */
static double cpu_of(const char *pids)
{
	char copy[4096], *save, *tok, path[64], line[2048];
	double ticks = 0, hz = (double)sysconf(_SC_CLK_TCK);

	if (!pids)
		return 0;
	snprintf(copy, sizeof(copy), "%s", pids);
	for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		FILE *f;
		snprintf(path, sizeof(path), "/proc/%s/stat", tok);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(line, sizeof(line), f)) {
			char *p = strrchr(line, ')');
			unsigned long ut = 0, st = 0;
			/* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt
			 * cmajflt utime stime */
			if (p &&
			    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
				   &ut, &st) == 2)
				ticks += (double)(ut + st);
		}
		fclose(f);
	}
	return ticks / hz;
}

static void conn_close(struct conn *c)
{
	if (c->ssl) {
		SSL_set_quiet_shutdown(c->ssl, 0);
		SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->ssl = NULL;
	c->st = S_FREE;
	ERR_clear_error();
}

static int conn_open(struct conn *c)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(o.port)};
	struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
	int one = 1;

	inet_pton(AF_INET, o.host, &sa.sin_addr);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	c->ssl = SSL_new(ctx);
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_connect_state(c->ssl);
	c->st = S_CONNECT;
	c->len = 0;
	c->outstanding = 0;
	c->registering = 0;
	epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
	return 0;
}

static void fail(struct conn *c)
{
	if (counting)
		errors++;
	conn_close(c);
	if (!o.persist)
		conn_open(c);
}

static int send_options(struct conn *c)
{
	char m[600];
	unsigned long long n = ++seq;
	int len = snprintf(m, sizeof(m),
			   "OPTIONS sip:sbc@%s:%u;transport=tls SIP/2.0\r\n"
			   "Via: SIP/2.0/TLS 127.0.0.1:5061;rport;branch=z9hG4bK-%d-%llx\r\n"
			   "Max-Forwards: 70\r\nFrom: <sip:load@127.0.0.1>;tag=%llx\r\n"
			   "To: <sip:sbc@%s>\r\nCall-ID: %d-%llx@load\r\nCSeq: 1 OPTIONS\r\n"
			   "Content-Length: 0\r\n\r\n",
			   o.host, o.port, getpid(), n, n, o.host, getpid(), n);
	int r = SSL_write(c->ssl, m, len);

	if (r != len)
		return -1; /* small writes on an idle socket do not block */
	c->outstanding++;
	return 0;
}

/* A REGISTER of sip:PREFIX<i>-<pid>@host with a TLS contact, expiring in an hour. */
static int send_register(struct conn *c)
{
	char m[800];
	unsigned long long n = ++seq;
	unsigned i = (unsigned)(c - cs);
	int len = snprintf(m, sizeof(m),
			   "REGISTER sip:%s:%u;transport=tls SIP/2.0\r\n"
			   "Via: SIP/2.0/TLS 127.0.0.1:5061;rport;branch=z9hG4bK-%d-%llx\r\n"
			   "Max-Forwards: 70\r\nFrom: <sip:%s%u-%d@%s>;tag=%llx\r\n"
			   "To: <sip:%s%u-%d@%s>\r\nCall-ID: %d-%llx@load\r\nCSeq: 1 REGISTER\r\n"
			   "Contact: <sip:%s%u-%d@127.0.0.1:5061;transport=tls>\r\n"
			   "Expires: 3600\r\nContent-Length: 0\r\n\r\n",
			   o.host, o.port, getpid(), n, o.reg, i, getpid(), o.host, n, o.reg, i,
			   getpid(), o.host, getpid(), n, o.reg, i, getpid());
	int r = SSL_write(c->ssl, m, len);

	if (r != len)
		return -1;
	c->registering = 1;
	return 0;
}

/* Whole SIP messages out of the buffer; returns how many 200s, -1 on a bad message. */
static int parse(struct conn *c)
{
	int got = 0;

	for (;;) {
		char *end = memmem(c->buf, c->len, "\r\n\r\n", 4), *cl;
		size_t hl, bl = 0, total;
		if (!end)
			return got;
		hl = (size_t)(end - c->buf) + 4;
		*end = 0;
		cl = strcasestr(c->buf, "\r\nContent-Length:");
		if (cl)
			bl = strtoul(cl + 17, NULL, 10);
		*end = '\r';
		total = hl + bl;
		if (total > c->len)
			return got;
		if (strncmp(c->buf, "SIP/2.0 200", 11) == 0)
			got++;
		else if (strncmp(c->buf, "SIP/2.0 1", 9) != 0)
			return -1;
		memmove(c->buf, c->buf + total, c->len - total);
		c->len -= total;
	}
}

static void on_event(struct conn *c)
{
	int r;

	if (c->st == S_CONNECT || c->st == S_HANDSHAKE) {
		c->st = S_HANDSHAKE;
		r = SSL_do_handshake(c->ssl);
		if (r != 1) {
			int e = SSL_get_error(c->ssl, r);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				fail(c);
			return;
		}
		c->st = S_RUN;
		if (o.persist && o.reg) {
			if (send_register(c) < 0)
				fail(c);
			return;
		}
		for (unsigned i = 0; i < (o.persist ? o.window : 1); i++)
			if (send_options(c) < 0)
				return fail(c);
		return;
	}
	for (;;) {
		r = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - c->len - 1));
		if (r <= 0) {
			int e = SSL_get_error(c->ssl, r);
			if (e != SSL_ERROR_WANT_READ)
				fail(c);
			return;
		}
		c->len += (size_t)r;
		int got = parse(c);
		if (got < 0 || c->len >= sizeof(c->buf) - 1)
			return fail(c);
		if (got && c->registering) {
			/* the REGISTER's 200 (one message at a time on this connection) */
			c->registering = 0;
			got--;
			for (unsigned i = 0; i < o.window; i++)
				if (send_options(c) < 0)
					return fail(c);
		}
		if (!got)
			continue;
		if (counting)
			ok_count += (unsigned)got;
		c->outstanding -= (unsigned)got;
		if (!o.persist) {
			conn_close(c);
			conn_open(c);
			return;
		}
		for (int i = 0; i < got; i++)
			if (send_options(c) < 0)
				return fail(c);
	}
}

static void run(unsigned nconns, double *elapsed)
{
	struct epoll_event evs[256];
	double t0, t_end, start;

	ep = epoll_create1(EPOLL_CLOEXEC);
	cs = calloc(nconns, sizeof(*cs));
	for (unsigned i = 0; i < nconns; i++) {
		cs[i].fd = -1;
		conn_open(&cs[i]);
	}
	t0 = now();
	start = t0 + o.warmup;
	t_end = start + o.seconds;
	for (;;) {
		double t = now();
		if (!counting && t >= start) {
			counting = 1;
			ok_count = errors = 0;
		}
		if (t >= t_end)
			break;
		int n = epoll_wait(ep, evs, 256, 50);
		for (int i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c->st != S_FREE)
				on_event(c);
		}
		if (o.persist)
			for (unsigned i = 0; i < nconns; i++)
				if (cs[i].st == S_FREE && conn_open(&cs[i]) < 0)
					errors++;
	}
	*elapsed = now() - start;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"host", 1, 0, 'h'},     {"port", 1, 0, 'p'},
					   {"cert", 1, 0, 'c'},     {"key", 1, 0, 'k'},
					   {"mode", 1, 0, 'm'},     {"conns", 1, 0, 'n'},
					   {"window", 1, 0, 'w'},   {"seconds", 1, 0, 's'},
					   {"warmup", 1, 0, 'W'},   {"tls13", 0, 0, '3'},
					   {"pids", 1, 0, 'P'},     {"procs", 1, 0, 'j'},
					   {"register", 1, 0, 'r'}, {0, 0, 0, 0}};
	int ch, fds[2];
	double elapsed = 0, cpu0, cpu1;
	unsigned long long tot_ok = 0, tot_err = 0;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'h':
			o.host = optarg;
			break;
		case 'p':
			o.port = bench_arg_uint("bench-tlsload", "--port", optarg, 1, 65535);
			break;
		case 'c':
			o.cert = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'm':
			o.persist = strcmp(optarg, "persist") == 0;
			break;
		case 'n':
			o.conns = bench_arg_uint("bench-tlsload", "--conns", optarg, 1, 1000000);
			break;
		case 'w':
			o.window = bench_arg_uint("bench-tlsload", "--window", optarg, 1, 1000000);
			break;
		case 's':
			o.seconds =
			    bench_arg_double("bench-tlsload", "--seconds", optarg, 0.001, 86400);
			break;
		case 'W':
			o.warmup = bench_arg_double("bench-tlsload", "--warmup", optarg, 0, 86400);
			break;
		case '3':
			o.tls13 = 1;
			break;
		case 'P':
			o.pids = optarg;
			break;
		case 'j':
			o.procs = bench_arg_uint("bench-tlsload", "--procs", optarg, 1, 1024);
			break;
		case 'r':
			o.reg = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!o.port || !o.cert || !o.key || !o.conns || !o.procs) {
		fprintf(stderr, "usage: bench-tlsload --port P --cert C --key K [options]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, o.cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, o.key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	/* every handshake a full one: no tickets, no session cache */
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (o.tls13)
		SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	if (pipe(fds) < 0)
		return 1;
	for (unsigned p = 0; p < o.procs; p++) {
		if (fork() == 0) {
			unsigned n = o.conns / o.procs + (p < o.conns % o.procs);
			run(n ? n : 1, &elapsed);
			dprintf(fds[1], "%llu %llu %.6f\n", ok_count, errors, elapsed);
			_exit(0);
		}
	}
	close(fds[1]);
	/* CPU over the measured window: sample when the children start counting */
	usleep((useconds_t)(o.warmup * 1e6));
	cpu0 = cpu_of(o.pids);
	FILE *f = fdopen(fds[0], "r");
	unsigned long long a, b;
	double el, maxel = 0;
	while (f && fscanf(f, "%llu %llu %lf", &a, &b, &el) == 3) {
		tot_ok += a, tot_err += b;
		if (el > maxel)
			maxel = el;
	}
	cpu1 = cpu_of(o.pids);
	while (wait(NULL) > 0)
		;
	double rate = maxel > 0 ? tot_ok / maxel : 0, cpu = cpu1 - cpu0;
	printf("mode=%s conns=%u window=%u seconds=%.2f ok=%llu errors=%llu rate=%.1f "
	       "server_cpu_s=%.2f per_cpu_s=%.1f\n",
	       o.persist ? "persist" : "new", o.conns, o.persist ? o.window : 1, maxel, tot_ok,
	       tot_err, rate, cpu, cpu > 0 ? tot_ok / cpu : 0);
	return tot_ok ? 0 : 1;
}

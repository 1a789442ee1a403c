/*
 * options_rtt: SIP OPTIONS round trips over one persistent mutual-TLS connection.
 *
 *   bench-options_rtt --port P --cert C --key K [--host 127.0.0.1] [--seconds S]
 *                     [--interval-ms I] [--timeout-ms T] [--label NAME] [--slow-ms X]
 *                     [--samples FILE]
 *
 * Sends one OPTIONS at a time (the next only once the previous was answered or timed out),
 * paced at one every I ms (default 5), over one connection opened once, and records:
 *  - rtt: from the OPTIONS being written to its final response being read;
 *  - sched: from the moment the OPTIONS was due (start + k * I) to its response. When the
 *    server stalls, the requests that fell due meanwhile go out back to back afterwards and
 *    each counts its wait, so a stall weighs in the percentiles by its length, not as one
 *    sample (the "coordinated omission" correction).
 * A request unanswered after T ms (default 10000) counts as a timeout with T as its time; a
 * late answer is recognised by its CSeq and ignored. A lost connection is reopened (counted).
 * Runs S seconds (default 10, at most 3600) or until SIGUSR1/SIGTERM/SIGINT, then prints one
 * line of key=value pairs (times in ms). Exit 1 when nothing was answered. --slow-ms prints
 * each answer later than X ms (sched) to stderr as it comes; --samples writes every sched
 * time (ms, one a line, sorted) to FILE at the end, for percentiles pooled over several runs.
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench/bench_args.h"

static struct {
	const char *host, *cert, *key, *label;
	unsigned port;
	double seconds, interval, timeout; /* seconds */
} o = {"127.0.0.1", NULL, NULL, "run", 0, 10, 0.005, 10};

static volatile sig_atomic_t stop;
static SSL_CTX *ctx;
static SSL *ssl;
static int fd = -1;
static char buf[65536];
static size_t blen;

struct samples {
	double *v;
	size_t n, cap;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wall-clock seconds, to match a slow answer with other tools' logs. */
static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
	stop = 1;
}

static int push(struct samples *s, double v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4096;
		double *nv = realloc(s->v, cap * sizeof(*nv));
		if (!nv)
			return -1;
		s->v = nv, s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) of sorted samples, in ms. */
static double pct(const struct samples *s, double q)
{
	size_t k;

	if (!s->n)
		return 0;
	k = (size_t)(q * (double)s->n + 0.999999);
	k = k ? k - 1 : 0;
	return s->v[k < s->n ? k : s->n - 1] * 1000;
}

static void disconnect(void)
{
	if (ssl)
		SSL_free(ssl);
	if (fd >= 0)
		close(fd);
	ssl = NULL, fd = -1, blen = 0;
	ERR_clear_error();
}

/* Connects and runs the handshake (blocking, bounded by the timeout). */
static int reconnect(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(o.port)};
	struct timeval tv = {.tv_sec = (time_t)o.timeout,
			     .tv_usec = (suseconds_t)((o.timeout - (time_t)o.timeout) * 1e6)};
	int one = 1;

	disconnect();
	inet_pton(AF_INET, o.host, &sa.sin_addr);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) != 1)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "options_rtt: cannot connect to %s:%u\n", o.host, o.port);
	ERR_print_errors_fp(stderr);
	disconnect();
	return -1;
}

static int send_options(unsigned long long cseq)
{
	char m[700];
	int len = snprintf(m, sizeof(m),
			   "OPTIONS sip:sbc@%s:%u;transport=tls SIP/2.0\r\n"
			   "Via: SIP/2.0/TLS 127.0.0.1:5061;rport;branch=z9hG4bK-rtt-%d-%llu\r\n"
			   "Max-Forwards: 70\r\nFrom: <sip:rtt@127.0.0.1>;tag=r%llu\r\n"
			   "To: <sip:sbc@%s>\r\nCall-ID: rtt-%d@bench\r\nCSeq: %llu OPTIONS\r\n"
			   "Content-Length: 0\r\n\r\n",
			   o.host, o.port, getpid(), cseq, cseq, o.host, getpid(), cseq);

	return SSL_write(ssl, m, len) == len ? 0 : -1;
}

/*
 * Reads until the final response to cseq arrives (1: *status set), the deadline passes (0)
 * or the connection fails (-1). Other responses (late answers, 1xx) are dropped.
 */
static int await(unsigned long long cseq, double deadline, int *status)
{
	for (;;) {
		char *end;
		while ((end = memmem(buf, blen, "\r\n\r\n", 4))) {
			size_t hl = (size_t)(end - buf) + 4, bl = 0, total;
			char *h;
			unsigned long long got = 0;
			int st = 0;
			*end = 0;
			if ((h = strcasestr(buf, "\r\nContent-Length:")))
				bl = strtoul(h + 17, NULL, 10);
			if ((h = strcasestr(buf, "\r\nCSeq:")))
				got = strtoull(h + 7, NULL, 10);
			sscanf(buf, "SIP/2.0 %d", &st);
			*end = '\r';
			total = hl + bl;
			if (total > sizeof(buf))
				return -1;
			if (total > blen)
				break;
			memmove(buf, buf + total, blen - total);
			blen -= total;
			if (got == cseq && st >= 200) {
				*status = st;
				return 1;
			}
		}
		if (blen == sizeof(buf))
			return -1;
		if (!SSL_pending(ssl)) {
			struct pollfd p = {.fd = fd, .events = POLLIN};
			double left = deadline - now();
			if (left <= 0)
				return 0;
			int r = poll(&p, 1, (int)(left * 1000) + 1);
			if (r < 0 && errno == EINTR)
				continue; /* SIGUSR1: this answer is still awaited */
			if (r <= 0)
				continue;
		}
		int n = SSL_read(ssl, buf + blen, (int)(sizeof(buf) - blen));
		if (n <= 0) {
			int e = SSL_get_error(ssl, n);
			if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
				continue;
			return -1;
		}
		blen += (size_t)n;
	}
}

static void sleep_until(double t)
{
	double d;

	while (!stop && (d = t - now()) > 0) {
		struct timespec ts = {.tv_sec = (time_t)d,
				      .tv_nsec = (long)((d - (time_t)d) * 1e9)};
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {{"host", 1, 0, 'h'},
					   {"port", 1, 0, 'p'},
					   {"cert", 1, 0, 'c'},
					   {"key", 1, 0, 'k'},
					   {"seconds", 1, 0, 's'},
					   {"interval-ms", 1, 0, 'i'},
					   {"label", 1, 0, 'l'},
					   {"timeout-ms", 1, 0, 't'},
					   {"slow-ms", 1, 0, 'w'},
					   {"samples", 1, 0, 'S'},
					   {0, 0, 0, 0}};
	const char *samples_path = NULL; /* every sched sample is written there at the end */
	double slow = 0; /* > 0: each sample later than this (sched) is printed to stderr */
	struct samples rtt = {0}, sched = {0};
	unsigned long long cseq = 0, timeouts = 0, errors = 0, reconnects = 0, non200 = 0;
	double start, end, due;
	int ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'h':
			o.host = optarg;
			break;
		case 'p':
			o.port = bench_arg_uint("bench-options_rtt", "--port", optarg, 1, 65535);
			break;
		case 'c':
			o.cert = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 's':
			o.seconds =
			    bench_arg_double("bench-options_rtt", "--seconds", optarg, 0.001, 3600);
			break;
		case 'i':
			o.interval = bench_arg_double("bench-options_rtt", "--interval-ms", optarg,
						      0.001, 3600000) /
				     1000;
			break;
		case 't':
			o.timeout = bench_arg_double("bench-options_rtt", "--timeout-ms", optarg,
						     0.001, 3600000) /
				    1000;
			break;
		case 'l':
			o.label = optarg;
			break;
		case 'S':
			samples_path = optarg;
			break;
		case 'w':
			slow = bench_arg_double("bench-options_rtt", "--slow-ms", optarg, 0.001,
						3600000) /
			       1000;
			break;
		default:
			return 2;
		}
	}
	if (!o.port || !o.cert || !o.key || o.seconds <= 0 || o.seconds > 3600 || o.interval <= 0 ||
	    o.timeout <= 0) {
		fprintf(stderr,
			"usage: bench-options_rtt --port P --cert C --key K [--seconds S "
			"(0-3600)] [--interval-ms I] [--timeout-ms T] [--label NAME] [--slow-ms X] "
			"[--samples FILE]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: sleeps end early */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, o.cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, o.key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (reconnect() < 0)
		return 1;

	start = now();
	end = start + o.seconds;
	due = start;
	while (!stop && now() < end) {
		double t0, t1;
		int status = 0, r;
		sleep_until(due);
		if (stop)
			break;
		if (!ssl && (reconnects++, reconnect() < 0)) {
			errors++;
			due += o.interval;
			continue;
		}
		t0 = now();
		r = send_options(++cseq) < 0 ? -1 : await(cseq, t0 + o.timeout, &status);
		t1 = now();
		if (r == 1) {
			if (push(&rtt, t1 - t0) < 0 || push(&sched, t1 - due) < 0)
				return 1;
			non200 += status != 200;
			if (slow > 0 && t1 - due > slow)
				fprintf(stderr,
					"slow at=%.3f s wall=%.3f sched_ms=%.2f rtt_ms=%.2f\n",
					due - start, wall(), (t1 - due) * 1000, (t1 - t0) * 1000);
		} else if (r == 0) {
			timeouts++;
			if (push(&rtt, o.timeout) < 0 || push(&sched, t1 - due) < 0)
				return 1;
		} else {
			errors++;
			disconnect();
		}
		due += o.interval;
	}
	qsort(rtt.v, rtt.n, sizeof(double), cmp);
	qsort(sched.v, sched.n, sizeof(double), cmp);
	if (samples_path) {
		FILE *f = fopen(samples_path, "w");
		if (!f) {
			perror(samples_path);
			return 1;
		}
		for (size_t i = 0; i < sched.n; i++)
			fprintf(f, "%.3f\n", sched.v[i] * 1000);
		if (fclose(f) != 0) {
			perror(samples_path);
			return 1;
		}
	}
	printf("label=%s seconds=%.2f samples=%zu timeouts=%llu errors=%llu reconnects=%llu "
	       "non200=%llu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f sched_p50_ms=%.2f "
	       "sched_p99_ms=%.2f sched_max_ms=%.2f\n",
	       o.label, now() - start, rtt.n, timeouts, errors, reconnects, non200, pct(&rtt, 0.5),
	       pct(&rtt, 0.99), rtt.n ? rtt.v[rtt.n - 1] * 1000 : 0, pct(&sched, 0.5),
	       pct(&sched, 0.99), sched.n ? sched.v[sched.n - 1] * 1000 : 0);
	disconnect();
	SSL_CTX_free(ctx);
	free(rtt.v);
	free(sched.v);
	return rtt.n > timeouts ? 0 : 1;
}

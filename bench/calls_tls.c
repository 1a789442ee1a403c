/*
 * bench-calls_tls: load generator for calls over persistent TLS on both legs.
 *
 * Plays the caller (one TLS connection to --target, optionally REGISTERed) and
 * the callee (a TLS server on --uas-port that answers INVITE 200 with SDP and
 * BYE 200). Phase 1 runs --calls INVITE-200-ACK-BYE-200 calls keeping --window
 * in flight; phase 2 holds --hold calls answered at once, then hangs them up.
 * CPU time of the processes in --pids (utime + stime) is read around phase 1.
 * Prints one line of key=value results. Single-threaded, bounded by --timeout.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench/bench_args.h"

#define MAXC 64
#define BUF  (512 * 1024)

struct conn {
	int fd;
	SSL *ssl;
	char *buf;
	size_t len;
};

enum { C_IDLE, C_INVITING, C_UP, C_BYEING, C_DONE };

struct call {
	int state;
	char ok[4096]; /* the 200 to the INVITE */
};

static struct conn uac, uas[MAXC];
static SSL_CTX *sctx;
static int nuas, lfd;
static struct call *calls;
static unsigned lport;
static const char *ruri_host = "sbc.example";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_of(const char *pids)
{
	char path[64], line[2048], *p;
	double ticks = 0;
	char *copy = strdup(pids ? pids : ""), *save = NULL;

	for (char *t = strtok_r(copy, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
		FILE *f;
		unsigned long ut, st;
		snprintf(path, sizeof(path), "/proc/%s/stat", t);
		if (!(f = fopen(path, "r")))
			continue;
		if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
			   &st) == 2)
			ticks += ut + st;
		fclose(f);
	}
	free(copy);
	return ticks / sysconf(_SC_CLK_TCK);
}

static void die(const char *m)
{
	fprintf(stderr, "bench-calls_tls: %s\n", m);
	ERR_print_errors_fp(stderr);
	exit(1);
}

static void wr(struct conn *c, const char *m)
{
	size_t n = strlen(m), off = 0;

	while (off < n) {
		int r = SSL_write(c->ssl, m + off, (int)(n - off));
		if (r <= 0)
			die("write failed");
		off += (size_t)r;
	}
}

static const char *hdr(const char *msg, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name);
	const char *p = strstr(msg, "\r\n");

	buf[0] = 0;
	while (p && p[2] != '\r') {
		const char *l = p + 2, *e = strstr(l, "\r\n");
		if (!e)
			break;
		if (!strncasecmp(l, name, nl) && l[nl] == ':') {
			const char *v = l + nl + 1;
			while (*v == ' ')
				v++;
			snprintf(buf, len, "%.*s", (int)(e - v), v);
			return buf;
		}
		p = e;
	}
	return buf;
}

/* Every line of header `name`, renamed to `as`, appended to out. */
static void lines(char *out, size_t len, const char *msg, const char *name, const char *as)
{
	size_t nl = strlen(name);
	const char *p = strstr(msg, "\r\n");

	while (p && p[2] != '\r') {
		const char *l = p + 2, *e = strstr(l, "\r\n");
		if (!e)
			break;
		if (!strncasecmp(l, name, nl) && l[nl] == ':')
			snprintf(out + strlen(out), len - strlen(out), "%s:%.*s\r\n", as,
				 (int)(e - l - nl - 1), l + nl + 1);
		p = e;
	}
}

/* Next whole message of c into out; 0 when none is complete. */
static int next_msg(struct conn *c, char *out, size_t len)
{
	char *end = memmem(c->buf, c->len, "\r\n\r\n", 4), cl[32], *k;
	size_t h, n;

	if (!end)
		return 0;
	h = (size_t)(end - c->buf) + 4;
	*end = 0;
	k = strcasestr(c->buf, "\r\nContent-Length:");
	snprintf(cl, sizeof(cl), "%s", k ? k + 17 : "0");
	*end = '\r';
	n = h + strtoul(cl, NULL, 10);
	if (c->len < n || n >= len)
		return 0;
	memcpy(out, c->buf, n);
	out[n] = 0;
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	return 1;
}

static const char sdp[] = "v=0\r\no=b 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\n"
			  "t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

static void uas_answer(struct conn *c, const char *req)
{
	char out[8192] = "", v[512];
	int invite = !strncmp(req, "INVITE ", 7), bye = !strncmp(req, "BYE ", 4);
	int opt = !strncmp(req, "OPTIONS ", 8);

	if (!invite && !bye && !opt)
		return; /* ACK */
	strcat(out, "SIP/2.0 200 OK\r\n");
	lines(out, sizeof(out), req, "Via", "Via");
	if (invite)
		lines(out, sizeof(out), req, "Record-Route", "Record-Route");
	snprintf(out + strlen(out), sizeof(out) - strlen(out), "From: %s\r\n",
		 hdr(req, "From", v, sizeof(v)));
	snprintf(out + strlen(out), sizeof(out) - strlen(out), "To: %s%s\r\n",
		 hdr(req, "To", v, sizeof(v)), strstr(v, "tag=") ? "" : ";tag=uas");
	snprintf(out + strlen(out), sizeof(out) - strlen(out), "Call-ID: %s\r\nCSeq: %s\r\n",
		 hdr(req, "Call-ID", v, sizeof(v)), hdr(req, "CSeq", v + 256, 256));
	if (invite)
		snprintf(out + strlen(out), sizeof(out) - strlen(out),
			 "Contact: <sip:bob@127.0.0.1:%u;transport=tls>\r\n"
			 "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
			 lport, strlen(sdp), sdp);
	else
		strcat(out, "Content-Length: 0\r\n\r\n");
	wr(c, out);
}

static unsigned branch;

static void uac_request(const char *method, unsigned i, unsigned cseq, const char *ok)
{
	char out[8192], ruri[300], to[512], v[512];

	if (ok) {
		const char *a = strchr(hdr(ok, "Contact", v, sizeof(v)), '<');
		snprintf(ruri, sizeof(ruri), "%.*s", a ? (int)strcspn(a + 1, ">") : 0,
			 a ? a + 1 : "");
		hdr(ok, "To", to, sizeof(to));
	} else {
		snprintf(ruri, sizeof(ruri), "sip:bob@%s", ruri_host);
		snprintf(to, sizeof(to), "<sip:bob@%s>", ruri_host);
	}
	snprintf(out, sizeof(out),
		 "%s %s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:1;branch=z9hG4bK-b%u-%u;rport\r\n"
		 "Max-Forwards: 70\r\nFrom: <sip:alice@%s>;tag=a%u\r\nTo: %s\r\n"
		 "Call-ID: b%u@bench\r\nCSeq: %u %s\r\n",
		 method, ruri, i, ++branch, ruri_host, i, to, i, cseq, method);
	if (ok) {
		/* the route set: Record-Route of the 2xx, in order */
		char rr[4096] = "";
		lines(rr, sizeof(rr), ok, "Record-Route", "Route");
		strcat(out, rr);
	}
	if (!strcmp(method, "INVITE"))
		snprintf(out + strlen(out), sizeof(out) - strlen(out),
			 "Contact: <sip:alice@127.0.0.1:1;transport=tls>\r\n"
			 "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
			 strlen(sdp), sdp);
	else
		strcat(out, "Content-Length: 0\r\n\r\n");
	wr(&uac, out);
}

static int rd(struct conn *c)
{
	int r, got = 0;

	do {
		if (BUF - c->len < 16384)
			die("buffer full");
		r = SSL_read(c->ssl, c->buf + c->len, (int)(BUF - c->len - 1));
		if (r <= 0)
			return got ? 1 : -1;
		c->len += (size_t)r, got = 1;
	} while (SSL_pending(c->ssl));
	return 1;
}

static unsigned established, finished;
static int hold_phase;

/* A response on the caller's connection. */
static void uac_event(const char *m)
{
	char v[256];
	unsigned i;
	int st = atoi(m + 8);

	if (strncmp(m, "SIP/2.0 ", 8)) {
		/* a request to the caller (BYE or OPTIONS from the far end): 200 it */
		uas_answer(&uac, m);
		return;
	}
	if (sscanf(hdr(m, "Call-ID", v, sizeof(v)), "b%u@", &i) != 1 || st < 200)
		return;
	if (strstr(hdr(m, "CSeq", v, sizeof(v)), "INVITE") && calls[i].state == C_INVITING) {
		if (st >= 300)
			die("INVITE refused");
		snprintf(calls[i].ok, sizeof(calls[i].ok), "%s", m);
		uac_request("ACK", i, 1, m);
		established++;
		if (hold_phase) {
			calls[i].state = C_UP;
		} else {
			uac_request("BYE", i, 2, m);
			calls[i].state = C_BYEING;
		}
	} else if (strstr(v, "BYE") && calls[i].state == C_BYEING) {
		calls[i].state = C_DONE;
		finished++;
	}
}

static void pump(int ms)
{
	struct pollfd pf[MAXC + 2];
	static char m[65536];
	int n = 0;

	pf[n++] = (struct pollfd){.fd = uac.fd, .events = POLLIN};
	pf[n++] = (struct pollfd){.fd = lfd, .events = POLLIN};
	for (int k = 0; k < nuas; k++)
		pf[n++] = (struct pollfd){.fd = uas[k].fd, .events = POLLIN};
	if (!SSL_pending(uac.ssl) && poll(pf, (nfds_t)n, ms) <= 0)
		return;
	if ((pf[0].revents & POLLIN) || SSL_pending(uac.ssl)) {
		if (rd(&uac) < 0)
			die("the target closed the caller's connection");
		while (next_msg(&uac, m, sizeof(m)))
			uac_event(m);
	}
	if ((pf[1].revents & POLLIN) && nuas < MAXC) {
		/* the callee side: one blocking handshake per connection the target opens */
		struct conn *c = &uas[nuas];
		int one = 1;
		c->fd = accept(lfd, NULL, NULL);
		if (c->fd >= 0) {
			setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			c->ssl = SSL_new(sctx);
			SSL_set_fd(c->ssl, c->fd);
			if (SSL_accept(c->ssl) != 1)
				die("callee handshake failed");
			nuas++;
		}
	}
	for (int k = 0; k < nuas; k++)
		if ((pf[2 + k].revents & POLLIN) && uas[k].ssl) {
			if (rd(&uas[k]) < 0) {
				close(uas[k].fd);
				uas[k].fd = -1, uas[k].ssl = NULL;
				continue;
			}
			while (next_msg(&uas[k], m, sizeof(m)))
				uas_answer(&uas[k], m);
		}
}

int main(int argc, char **argv)
{
	unsigned target = 0, ncalls = 1000, window = 50, hold = 0, timeout = 120;
	const char *cert = NULL, *key = NULL, *pids = NULL;
	int do_register = 0, one = 1;
	SSL_CTX *cctx;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	double t0, t1, c0, c1, end;
	unsigned sent = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--target"))
			target =
			    bench_arg_uint("bench-calls_tls", "--target", argv[i + 1], 1, 65535);
		else if (!strcmp(argv[i], "--uas-port"))
			lport =
			    bench_arg_uint("bench-calls_tls", "--uas-port", argv[i + 1], 1, 65535);
		else if (!strcmp(argv[i], "--cert"))
			cert = argv[i + 1];
		else if (!strcmp(argv[i], "--key"))
			key = argv[i + 1];
		else if (!strcmp(argv[i], "--calls"))
			ncalls =
			    bench_arg_uint("bench-calls_tls", "--calls", argv[i + 1], 1, 10000000);
		else if (!strcmp(argv[i], "--window"))
			window =
			    bench_arg_uint("bench-calls_tls", "--window", argv[i + 1], 1, 100000);
		else if (!strcmp(argv[i], "--hold"))
			hold =
			    bench_arg_uint("bench-calls_tls", "--hold", argv[i + 1], 0, 10000000);
		else if (!strcmp(argv[i], "--pids"))
			pids = argv[i + 1];
		else if (!strcmp(argv[i], "--register"))
			do_register =
			    (int)bench_arg_uint("bench-calls_tls", "--register", argv[i + 1], 0, 1);
		else if (!strcmp(argv[i], "--ruri-host"))
			ruri_host = argv[i + 1];
		else if (!strcmp(argv[i], "--timeout"))
			timeout =
			    bench_arg_uint("bench-calls_tls", "--timeout", argv[i + 1], 1, 86400);
	}
	if (!target || !lport || !cert || !key)
		die("usage: --target PORT --uas-port PORT --cert F --key F [--calls N] [--window "
		    "W] "
		    "[--hold N] [--pids 'P ...'] [--register 1] [--ruri-host H]");
	calls = calloc(ncalls + hold + 1, sizeof(*calls));
	uac.buf = malloc(BUF);
	for (int k = 0; k < MAXC; k++)
		uas[k].buf = malloc(BUF);
	cctx = SSL_CTX_new(TLS_client_method());
	sctx = SSL_CTX_new(TLS_server_method());
	if (!calls || !cctx || !sctx || SSL_CTX_use_certificate_chain_file(cctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(cctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_use_certificate_chain_file(sctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM) != 1)
		die("cannot load the certificate");
	/* the callee: listen */
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_port = htons(lport);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(lfd, 64) < 0)
		die("cannot listen");
	/* the caller: connect */
	uac.fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_port = htons(target);
	if (connect(uac.fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("cannot connect to the target");
	setsockopt(uac.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	uac.ssl = SSL_new(cctx);
	SSL_set_fd(uac.ssl, uac.fd);
	if (SSL_connect(uac.ssl) != 1)
		die("TLS handshake with the target failed");
	end = now() + timeout;
	if (do_register) {
		char reg[1024], m[8192];
		snprintf(
		    reg, sizeof(reg),
		    "REGISTER sip:%s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:1;branch=z9hG4bK-r\r\n"
		    "Max-Forwards: 70\r\nFrom: <sip:alice@%s>;tag=r\r\nTo: <sip:alice@%s>\r\n"
		    "Call-ID: reg@bench\r\nCSeq: 1 REGISTER\r\n"
		    "Contact: <sip:alice@127.0.0.1:1;transport=tls>\r\nContent-Length: 0\r\n\r\n",
		    ruri_host, ruri_host, ruri_host);
		wr(&uac, reg);
		while (now() < end && rd(&uac) > 0 && !next_msg(&uac, m, sizeof(m)))
			;
		if (atoi(m + 8) != 200)
			die("REGISTER failed");
	}
	t0 = now();
	c0 = cpu_of(pids);
	while (finished < ncalls && now() < end) {
		while (sent < ncalls && sent - finished < window) {
			calls[sent].state = C_INVITING;
			uac_request("INVITE", sent, 1, NULL);
			sent++;
		}
		pump(100);
	}
	t1 = now();
	c1 = cpu_of(pids);
	printf("calls=%u seconds=%.3f cps=%.1f cpu_seconds=%.3f cpu_ms_per_call=%.3f", finished,
	       t1 - t0, finished / (t1 - t0), c1 - c0, finished ? (c1 - c0) * 1000 / finished : 0);
	/* phase 2: hold */
	hold_phase = 1;
	established = 0;
	for (unsigned i = ncalls; i < ncalls + hold && now() < end; i++) {
		calls[i].state = C_INVITING;
		uac_request("INVITE", i, 1, NULL);
		while (i + 1 - ncalls - established >= window && now() < end)
			pump(100);
	}
	while (established < hold && now() < end)
		pump(100);
	printf(" held=%u", established);
	finished = 0;
	for (unsigned i = ncalls; i < ncalls + hold; i++)
		if (calls[i].state == C_UP) {
			calls[i].state = C_BYEING;
			uac_request("BYE", i, 2, calls[i].ok);
			if (i % 100 == 0)
				pump(0);
		}
	while (finished < established && now() < end)
		pump(100);
	printf(" hung_up=%u\n", finished);
	return finished == established && established == hold ? 0 : 2;
}

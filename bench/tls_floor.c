/*
 * tls_floor: the least memory an OpenSSL server keeps per idle SIP-over-mutual-TLS connection.
 *
 *   bench-tls_floor --port P --cert CHAIN --key K --ca ROOTS [--no-client-cert]
 *
 * A reference for bench/idle_tls.sh, measured in the same run as sbcd and Kamailio: a server
 * made of libssl and epoll only, with sbcd's TLS settings (TLS 1.2 and 1.3, record buffers
 * released while idle, no tickets, no session cache, the client's certificate required and
 * verified against ROOTS), one SSL object per connection and nothing else per connection but
 * an 8-byte slot. It answers each request with a bare "SIP/2.0 200 OK" and a CRLF keep-alive
 * with its pong; it parses no SIP. Whatever sbcd needs per connection beyond this figure is
 * sofia-sip's and its own; this figure is the OpenSSL library's (Debian's OpenSSL 3.0 here).
 * Prints "listening" once ready; runs until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench_args.h"

static volatile sig_atomic_t stop;
static SSL **conns; /* by descriptor */
static int nconns;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static SSL_CTX *make_ctx(const char *cert, const char *key, const char *ca, int mutual)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
		ERR_print_errors_fp(stderr);
		exit(1);
	}
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (mutual)
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	return ctx;
}

static void drop(int fd)
{
	SSL_free(conns[fd]);
	conns[fd] = NULL;
	close(fd);
}

/* Reads what arrived; answers requests and keep-alives. */
static void serve(int fd)
{
	static char buf[16384]; /* one buffer for every connection, as sbcd has */
	SSL *ssl = conns[fd];

	if (!SSL_is_init_finished(ssl)) {
		int r = SSL_do_handshake(ssl);
		if (r != 1) {
			int e = SSL_get_error(ssl, r);
			if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
				drop(fd);
			ERR_clear_error();
			return;
		}
	}
	for (;;) {
		int r = SSL_read(ssl, buf, sizeof(buf) - 1), e;
		if (r > 0) {
			static const char ok[] = "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";
			buf[r] = 0;
			if (strstr(buf, "OPTIONS "))
				SSL_write(ssl, ok, sizeof(ok) - 1);
			else if (r == 4 && memcmp(buf, "\r\n\r\n", 4) == 0)
				SSL_write(ssl, "\r\n", 2);
			continue;
		}
		e = SSL_get_error(ssl, r);
		ERR_clear_error();
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			drop(fd);
		return;
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"port", 1, NULL, 'p'}, {"cert", 1, NULL, 'c'},           {"key", 1, NULL, 'k'},
	    {"ca", 1, NULL, 'a'},   {"no-client-cert", 0, NULL, 'n'}, {NULL, 0, NULL, 0}};
	const char *cert = NULL, *key = NULL, *ca = NULL;
	unsigned port = 0;
	int mutual = 1, ch, ls, ep, one = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct epoll_event ev = {.events = EPOLLIN};
	struct rlimit rl;
	SSL_CTX *ctx;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'p':
			port = bench_arg_uint("bench-tls_floor", "--port", optarg, 1, 65535);
			break;
		case 'c':
			cert = optarg;
			break;
		case 'k':
			key = optarg;
			break;
		case 'a':
			ca = optarg;
			break;
		case 'n':
			mutual = 0;
			break;
		default:
			return 2;
		}
	}
	if (!port || !cert || !key || !ca) {
		fprintf(stderr, "usage: bench-tls_floor --port P --cert CHAIN --key K --ca ROOTS "
				"[--no-client-cert]\n");
		return 2;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	nconns = (int)rl.rlim_cur;
	conns = calloc((size_t)nconns, sizeof(*conns));
	ctx = make_ctx(cert, key, ca, mutual);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	if (!conns || ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(ls, 4096) < 0) {
		perror("bench-tls_floor: listen");
		return 1;
	}
	ep = epoll_create1(0);
	ev.data.fd = ls;
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	printf("listening\n");
	fflush(stdout);

	while (!stop) {
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, 200);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd != ls) {
				if (conns[fd])
					serve(fd);
				continue;
			}
			for (;;) {
				int c = accept4(ls, NULL, NULL, SOCK_NONBLOCK);
				if (c < 0)
					break;
				if (c >= nconns || !(conns[c] = SSL_new(ctx))) {
					close(c);
					continue;
				}
				SSL_set_fd(conns[c], c);
				SSL_set_accept_state(conns[c]);
				ev.data.fd = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
			}
		}
	}
	for (int fd = 0; fd < nconns; fd++)
		if (conns[fd])
			drop(fd);
	SSL_CTX_free(ctx);
	free(conns);
	return 0;
}

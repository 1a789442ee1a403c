/* Helpers of the sip test suites (see test_sip_util.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "sbc/sip/sip_engine.h"
#include "tests/unit/test_sip_util.h"
#include "tests/unit/unit.h"

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_event(void *arg, int prio, const char *line)
{
	struct sip_test *t = arg;

	if (t->nevents < sizeof(t->events) / sizeof(t->events[0]))
		snprintf(t->events[t->nevents++], sizeof(t->events[0]), "%s", line);
}

int sip_test_init(struct sip_test *t)
{
	static unsigned seq;
	struct conf_row *r;
	char err[256];
	const struct conf_table *ti = conf_table_find("InterfaceTable");

	memset(t, 0, sizeof(*t));
	su_init();
	if (tls_pki_init() < 0)
		return -1;
	snprintf(t->flash, sizeof(t->flash), "%s/sip-%u-flash", unit_tmpdir(), seq);
	snprintf(t->run, sizeof(t->run), "%s/sip-%u-run", unit_tmpdir(), seq++);
	mkdir(t->flash, 0700);
	mkdir(t->run, 0700);
	t->st = conf_store_factory();
	r = t->st ? conf_store_ensure(t->st, ti, 0, NULL) : NULL;
	if (!r || conf_row_set_text(ti, r, conf_column_find(ti, "InterfaceName"), "lo", err,
				    sizeof(err)) < 0)
		return -1;
	t->root = su_root_create(NULL);
	return t->root ? 0 : -1;
}

void sip_test_set(struct sip_test *t, const char *table, unsigned row, const char *col,
		  const char *value)
{
	const struct conf_table *tb = conf_table_find(table);
	struct conf_row *r = tb ? conf_store_ensure(t->st, tb, row, NULL) : NULL;
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	if (conf_row_set_text(tb, r, conf_column_find(tb, col), value, err, sizeof(err)) < 0) {
		fprintf(stderr, "set %s %u %s = %s: %s\n", table, row, col, value, err);
		CU_FAIL_FATAL("sip_test_set");
	}
}

void sip_test_ctx(struct sip_test *t, unsigned idx, const char *name, enum tls_pki_id dev,
		  const int *roots, unsigned crl_mask)
{
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/tls", t->flash);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/tls/%u", t->flash, idx);
	CU_ASSERT_EQUAL_FATAL(tls_pki_write_ctxdir(dir, (int)dev, roots, crl_mask), 0);
	sip_test_set(t, "TLSContexts", idx, "Name", name);
}

static unsigned free_port(int type)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	int s = socket(AF_INET, type, 0);
	unsigned p = 0;

	if (s >= 0 && bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(s, (struct sockaddr *)&a, &l) == 0)
		p = ntohs(a.sin_port);
	if (s >= 0)
		close(s);
	return p;
}

unsigned sip_test_iface(struct sip_test *t, unsigned idx, const char *name, const char *ctx,
			int mutual, unsigned want, unsigned ports[3])
{
	static const char *const col[3] = {"UDPPort", "TCPPort", "TLSPort"};
	unsigned p[3];
	char v[16];

	sip_test_set(t, "SIPInterface", idx, "InterfaceName", name);
	sip_test_set(t, "SIPInterface", idx, "NetworkInterface", "lo");
	sip_test_set(t, "SIPInterface", idx, "TLSContext", ctx);
	snprintf(v, sizeof(v), "%d", mutual);
	sip_test_set(t, "SIPInterface", idx, "TLSMutualAuthentication", v);
	for (int i = 0; i < 3; i++) {
		p[i] = (want & (1u << i)) ? free_port(i ? SOCK_STREAM : SOCK_DGRAM) : 0;
		snprintf(v, sizeof(v), "%u", p[i]);
		sip_test_set(t, "SIPInterface", idx, col[i], v);
		if (ports)
			ports[i] = p[i];
	}
	return p[2];
}

struct sip_engine *sip_test_start(struct sip_test *t, char *err, size_t errlen)
{
	t->e = sip_engine_create(t->root, t->st, t->flash, t->run, err, errlen);
	if (t->e)
		sip_engine_set_event_hook(t->e, on_event, t);
	return t->e;
}

void sip_test_done(struct sip_test *t)
{
	sip_engine_destroy(t->e);
	t->e = NULL;
	if (t->root)
		su_root_destroy(t->root);
	conf_store_free(t->st);
	t->root = NULL;
	t->st = NULL;
}

void sip_test_pump(struct sip_test *t, unsigned ms)
{
	unsigned long long end = now_ms() + ms;

	while (now_ms() < end)
		su_root_step(t->root, 5);
}

long long sip_test_status(struct sip_test *t, const char *table, unsigned row, const char *col)
{
	struct conf_store *st = conf_store_new();
	const struct conf_table *tb = conf_table_find(table);
	struct conf_row *r;
	long long v = -1;
	unsigned long long end = now_ms() + 3000;

	/* handshakes on worker threads are counted when they come back to the loop */
	while (sip_engine_hs_pending(t->e) && now_ms() < end)
		su_root_step(t->root, 2);
	sip_engine_status(t->e, st);
	r = conf_store_get(st, tb, row);
	if (r)
		v = r->v[conf_column_find(tb, col)].i;
	conf_store_free(st);
	return v;
}

const char *sip_test_status_str(struct sip_test *t, const char *table, unsigned row,
				const char *col, char *buf, size_t len)
{
	struct conf_store *st = conf_store_new();
	const struct conf_table *tb = conf_table_find(table);
	struct conf_row *r;

	buf[0] = 0;
	sip_engine_status(t->e, st);
	r = conf_store_get(st, tb, row);
	if (r)
		snprintf(buf, len, "%s", r->v[conf_column_find(tb, col)].s);
	conf_store_free(st);
	return buf;
}

int sip_test_event(struct sip_test *t, const char *a, const char *b, const char *c)
{
	for (unsigned i = 0; i < t->nevents; i++)
		if ((!a || strstr(t->events[i], a)) && (!b || strstr(t->events[i], b)) &&
		    (!c || strstr(t->events[i], c)))
			return 1;
	return 0;
}

/* --- clients --- */

static int client_idx = -1;

static void client_info(const SSL *ssl, int where, int ret)
{
	struct sip_client *c = SSL_get_ex_data(ssl, client_idx);

	if (c && (where & SSL_CB_ALERT) && (where & SSL_CB_READ) && (ret >> 8) == SSL3_AL_FATAL)
		c->alert_recv = ret & 0xff;
}

static int client_cert_cb(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	struct sip_client *c = SSL_get_ex_data(ssl, client_idx);

	if (c)
		c->cert_requested = 1;
	return 0; /* use the certificate set on the ctx, if any */
}

static int tcp_connect(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0)
		return -1;
	fcntl(s, F_SETFL, O_NONBLOCK);
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS) {
		close(s);
		return -1;
	}
	return s;
}

int sip_client_tcp(unsigned port)
{
	return tcp_connect(port);
}

int sip_client_tls(struct sip_test *t, struct sip_client *c, unsigned port, int cert, int minv,
		   int maxv, unsigned timeout_ms)
{
	unsigned long long end = now_ms() + timeout_ms;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(c, 0, sizeof(*c));
	c->alert_recv = -1;
	if (client_idx < 0)
		client_idx = SSL_get_ex_new_index(0, "sip test client", NULL, NULL, NULL);
	c->fd = tcp_connect(port);
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->fd < 0 || !c->ctx)
		return 0;
	if (minv)
		SSL_CTX_set_min_proto_version(c->ctx, minv);
	if (maxv)
		SSL_CTX_set_max_proto_version(c->ctx, maxv);
	SSL_CTX_set_info_callback(c->ctx, client_info);
	SSL_CTX_set_client_cert_cb(c->ctx, client_cert_cb);
	if (cert >= 0) {
		X509 *iss = tls_pki_issuer(cert);
		SSL_CTX_use_certificate(c->ctx, tls_pki_cert(cert));
		SSL_CTX_use_PrivateKey(c->ctx, tls_pki_key(cert));
		if (iss && iss == tls_pki_cert(TLS_PKI_INTER))
			SSL_CTX_add1_chain_cert(c->ctx, iss);
	}
	c->ssl = SSL_new(c->ctx);
	SSL_set_ex_data(c->ssl, client_idx, c);
	SSL_set_fd(c->ssl, c->fd);
	SSL_set_tlsext_host_name(c->ssl, "localhost");
	while (now_ms() < end) {
		int r = SSL_connect(c->ssl), e;
		if (r == 1) {
			if (getsockname(c->fd, (struct sockaddr *)&a, &al) == 0)
				c->local_port = ntohs(a.sin_port);
			return 1;
		}
		e = SSL_get_error(c->ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			return 0;
		su_root_step(t->root, 2);
	}
	return 0;
}

int sip_client_send(struct sip_test *t, struct sip_client *c, const char *msg)
{
	size_t n = strlen(msg), off = 0;
	unsigned long long end = now_ms() + 2000;

	while (off < n && now_ms() < end) {
		int r = SSL_write(c->ssl, msg + off, (int)(n - off));
		if (r > 0) {
			off += (size_t)r;
			continue;
		}
		int e = SSL_get_error(c->ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			return -1;
		su_root_step(t->root, 2);
	}
	su_root_step(t->root, 1);
	return off == n ? 0 : -1;
}

/* Length of the first whole message in buf, 0 when incomplete. */
static size_t whole_msg(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	char cl[32];
	size_t hdr, body = 0;

	if (!end)
		return 0;
	hdr = (size_t)(end - buf) + 4;
	{
		char tmp[8192];
		size_t k = hdr < sizeof(tmp) - 1 ? hdr : sizeof(tmp) - 1;
		memcpy(tmp, buf, k);
		tmp[k] = 0;
		sip_msg_header(tmp, "Content-Length", cl, sizeof(cl));
		if (!cl[0])
			sip_msg_header(tmp, "l", cl, sizeof(cl));
	}
	body = strtoul(cl, NULL, 10);
	return len >= hdr + body ? hdr + body : 0;
}

int sip_client_recv(struct sip_test *t, struct sip_client *c, char *out, size_t len,
		    unsigned timeout_ms)
{
	unsigned long long end = now_ms() + timeout_ms;

	for (;;) {
		size_t n = whole_msg(c->buf, c->len);
		if (n) {
			size_t k = n < len - 1 ? n : len - 1;
			memcpy(out, c->buf, k);
			out[k] = 0;
			memmove(c->buf, c->buf + n, c->len - n);
			c->len -= n;
			return (int)n;
		}
		if (now_ms() >= end)
			return -1;
		int r = SSL_read(c->ssl, c->buf + c->len, (int)(sizeof(c->buf) - c->len - 1));
		if (r > 0) {
			c->len += (size_t)r;
			continue;
		}
		int e = SSL_get_error(c->ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			return 0;
		su_root_step(t->root, 2);
	}
}

void sip_client_close(struct sip_client *c)
{
	if (c->ssl)
		SSL_free(c->ssl);
	if (c->ctx)
		SSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* --- messages --- */

void sip_msg_request(char *out, size_t len, const char *method, const char *ruri,
		     const char *transport, unsigned lport, const char *from_user,
		     const char *to_user, const char *callid, unsigned cseq, const char *extra,
		     const char *body)
{
	static unsigned branch;

	snprintf(out, len,
		 "%s %s SIP/2.0\r\n"
		 "Via: SIP/2.0/%s 127.0.0.1:%u;branch=z9hG4bK-test-%u-%u;rport\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:%s@example.com>;tag=ft-%s\r\n"
		 "To: <sip:%s@example.com>\r\n"
		 "Call-ID: %s\r\n"
		 "CSeq: %u %s\r\n"
		 "%s"
		 "%s"
		 "Content-Length: %zu\r\n\r\n%s",
		 method, ruri, transport, lport, (unsigned)getpid(), ++branch, from_user, from_user,
		 to_user, callid, cseq, method, extra ? extra : "",
		 body && body[0] ? "Content-Type: application/sdp\r\n" : "",
		 body ? strlen(body) : 0, body ? body : "");
}

/* Copies every line of req whose header name is name (case-insensitive) into out. */
static size_t copy_headers(char *out, size_t len, const char *req, const char *name,
			   const char *suffix)
{
	size_t used = 0, nl = strlen(name);
	const char *p = strstr(req, "\r\n");

	while (p && p[2] != '\r') {
		const char *line = p + 2, *e = strstr(line, "\r\n");
		if (!e)
			break;
		if ((size_t)(e - line) > nl && strncasecmp(line, name, nl) == 0 &&
		    line[nl] == ':') {
			int k = snprintf(out + used, len - used, "%.*s%s\r\n", (int)(e - line),
					 line, suffix ? suffix : "");
			if (k > 0 && (size_t)k < len - used)
				used += (size_t)k;
		}
		p = e;
	}
	return used;
}

void sip_msg_response(char *out, size_t len, const char *req, int status, const char *totag,
		      const char *extra, const char *body)
{
	char tt[64] = "";
	size_t used;

	if (totag)
		snprintf(tt, sizeof(tt), ";tag=%s", totag);
	used = (size_t)snprintf(out, len, "SIP/2.0 %d %s\r\n", status,
				status < 200 ? "Ringing" : "OK");
	used += copy_headers(out + used, len - used, req, "Via", NULL);
	used += copy_headers(out + used, len - used, req, "From", NULL);
	used += copy_headers(out + used, len - used, req, "To", tt);
	used += copy_headers(out + used, len - used, req, "Call-ID", NULL);
	used += copy_headers(out + used, len - used, req, "CSeq", NULL);
	snprintf(out + used, len - used, "%s%sContent-Length: %zu\r\n\r\n%s", extra ? extra : "",
		 body && body[0] ? "Content-Type: application/sdp\r\n" : "",
		 body ? strlen(body) : 0, body ? body : "");
}

int sip_msg_status(const char *msg)
{
	return strncmp(msg, "SIP/2.0 ", 8) == 0 ? atoi(msg + 8) : -1;
}

const char *sip_msg_header(const char *msg, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name);
	const char *p = strstr(msg, "\r\n");

	buf[0] = 0;
	while (p && p[2] != '\r' && p[2]) {
		const char *line = p + 2, *e = strstr(line, "\r\n");
		if (!e)
			break;
		if (strncasecmp(line, name, nl) == 0 && (line[nl] == ':' || line[nl] == ' ')) {
			const char *v = line + nl;
			while (*v == ' ' || *v == ':')
				v++;
			snprintf(buf, len, "%.*s", (int)(e - v), v);
			return buf;
		}
		p = e;
	}
	return buf;
}

int sip_client_options(struct sip_test *t, struct sip_client *c)
{
	char req[2048], resp[8192], cid[64];
	static unsigned n;
	int r;

	snprintf(cid, sizeof(cid), "options-%u-%u", (unsigned)getpid(), ++n);
	sip_msg_request(req, sizeof(req), "OPTIONS", "sip:ping@127.0.0.1", "TLS", c->local_port,
			"prober", "ping", cid, 1, NULL, NULL);
	if (sip_client_send(t, c, req) < 0)
		return -1;
	r = sip_client_recv(t, c, resp, sizeof(resp), 2000);
	return r > 0 ? sip_msg_status(resp) : -1;
}

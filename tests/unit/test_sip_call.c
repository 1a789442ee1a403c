/*
 * SIP behaviour of the engine: OPTIONS, the registrar, and a call between two
 * users registered over mutually authenticated TLS, relayed as a B2BUA with
 * topology hiding. The users are small clients in this file (OpenSSL).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <unistd.h>

#include "sbc/sip/sip_engine.h"
#include "tests/unit/test_sip_util.h"
#include "tests/unit/unit.h"

static const int roots_main[] = {TLS_PKI_ROOT, -1};

static unsigned setup(struct sip_test *t, unsigned ports[3])
{
	char err[512] = "";

	CU_ASSERT_EQUAL_FATAL(sip_test_init(t), 0);
	sip_test_ctx(t, 0, "default", TLS_PKI_SERVER_EC, roots_main, 0);
	sip_test_iface(t, 0, "users", "default", 1, 7, ports);
	if (!sip_test_start(t, err, sizeof(err)))
		fprintf(stderr, "engine: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->e);
	return ports[2];
}

/* One request over UDP and its final response (status), or -1. */
static int udp_request(struct sip_test *t, unsigned port, const char *method, const char *extra,
		       char *resp, size_t rlen)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	char req[2048];
	int s = socket(AF_INET, SOCK_DGRAM, 0), status = -1;

	bind(s,
	     (struct sockaddr *)&(struct sockaddr_in){.sin_family = AF_INET,
						      .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
	     sizeof(a));
	getsockname(s, (struct sockaddr *)&me, &ml);
	sip_msg_request(req, sizeof(req), method, "sip:carol@127.0.0.1", "UDP", ntohs(me.sin_port),
			"carol", "carol", "udp-call-1", 1, extra, NULL);
	sendto(s, req, strlen(req), 0, (struct sockaddr *)&a, sizeof(a));
	for (int i = 0; i < 400 && status < 200; i++) {
		ssize_t k;
		sip_test_pump(t, 5);
		k = recv(s, resp, rlen - 1, MSG_DONTWAIT);
		if (k > 0) {
			resp[k] = 0;
			status = sip_msg_status(resp);
		}
	}
	close(s);
	return status;
}

static void test_options(void)
{
	struct sip_test t;
	unsigned ports[3];
	char resp[4096], h[256];
	struct sip_client c;

	setup(&t, ports);
	CU_ASSERT_EQUAL(udp_request(&t, ports[0], "OPTIONS", NULL, resp, sizeof(resp)), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(sip_msg_header(resp, "Allow", h, sizeof(h)), "INVITE"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sip_msg_header(resp, "Allow", h, sizeof(h)), "REGISTER"));
	CU_ASSERT_STRING_EQUAL(sip_msg_header(resp, "Accept", h, sizeof(h)), "application/sdp");
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "\r\nSupported:"));
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &c, ports[2], TLS_PKI_CLIENT_EC, 0, 0, 3000), 1);
	CU_ASSERT_EQUAL(sip_client_options(&t, &c), 200);
	sip_client_close(&c);
	/* unknown method: 405 with Allow; request missing Call-ID: 400 */
	CU_ASSERT_EQUAL(udp_request(&t, ports[0], "PUBLISH", NULL, resp, sizeof(resp)), 405);
	sip_test_done(&t);
}

/* REGISTER over an established client; returns the status and leaves the response in resp. */
static int do_register(struct sip_test *t, struct sip_client *c, const char *user,
		       const char *contact_extra, unsigned cseq, char *resp, size_t rlen)
{
	char req[2048], extra[512], cid[64];

	snprintf(cid, sizeof(cid), "reg-%s", user);
	snprintf(extra, sizeof(extra), "%s\r\n", contact_extra);
	sip_msg_request(req, sizeof(req), "REGISTER", "sip:example.com", "TLS", c->local_port, user,
			user, cid, cseq, extra, NULL);
	if (sip_client_send(t, c, req) < 0 || sip_client_recv(t, c, resp, rlen, 2000) <= 0)
		return -1;
	return sip_msg_status(resp);
}

static void test_register(void)
{
	struct sip_test t;
	unsigned ports[3];
	struct sip_client c;
	char resp[4096], h[512], contact[256], buf[512];

	setup(&t, ports);
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &c, ports[2], TLS_PKI_CLIENT_EC, 0, 0, 3000), 1);
	snprintf(contact, sizeof(contact), "Contact: <sip:alice@127.0.0.1:%u;transport=tls>",
		 c.local_port);
	CU_ASSERT_EQUAL(do_register(&t, &c, "alice", contact, 1, resp, sizeof(resp)), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(sip_msg_header(resp, "Contact", h, sizeof(h)), "expires="));
	CU_ASSERT_STRING_EQUAL(sip_test_status_str(&t, "Registrations", 0, "AOR", buf, sizeof(buf)),
			       "sip:alice@example.com");
	CU_ASSERT_STRING_EQUAL(
	    sip_test_status_str(&t, "Registrations", 0, "Transport", buf, sizeof(buf)), "tls");
	CU_ASSERT_STRING_EQUAL(
	    sip_test_status_str(&t, "Registrations", 0, "InterfaceName", buf, sizeof(buf)),
	    "users");
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    sip_test_status_str(&t, "Registrations", 0, "CertificateSubject", buf, sizeof(buf)),
	    "CN="));
	CU_ASSERT(sip_test_status(&t, "Registrations", 0, "Expires") > 3500);
	/* refresh with a shorter lifetime */
	strcat(contact, ";expires=60");
	CU_ASSERT_EQUAL(do_register(&t, &c, "alice", contact, 2, resp, sizeof(resp)), 200);
	CU_ASSERT(sip_test_status(&t, "Registrations", 0, "Expires") <= 60);
	CU_ASSERT_EQUAL(sip_test_status(&t, "Registrations", 1, "Expires"), -1);
	/* Contact: * needs Expires: 0 */
	CU_ASSERT_EQUAL(do_register(&t, &c, "alice", "Contact: *", 3, resp, sizeof(resp)), 400);
	CU_ASSERT_EQUAL(
	    do_register(&t, &c, "alice", "Contact: *\r\nExpires: 0", 4, resp, sizeof(resp)), 200);
	CU_ASSERT_EQUAL(sip_test_status(&t, "Registrations", 0, "Expires"), -1);
	/* a binding expires by itself */
	snprintf(contact, sizeof(contact),
		 "Contact: <sip:alice@127.0.0.1:%u;transport=tls>;expires=1", c.local_port);
	CU_ASSERT_EQUAL(do_register(&t, &c, "alice", contact, 5, resp, sizeof(resp)), 200);
	CU_ASSERT(sip_test_status(&t, "Registrations", 0, "Expires") >= 0);
	sip_test_pump(&t, 2100);
	CU_ASSERT_EQUAL(sip_test_status(&t, "Registrations", 0, "Expires"), -1);
	sip_client_close(&c);
	sip_test_done(&t);
}

/* Receives the next request on c, skipping nothing; its method must be `method`. */
static int expect_request(struct sip_test *t, struct sip_client *c, const char *method, char *msg,
			  size_t len)
{
	if (sip_client_recv(t, c, msg, len, 3000) <= 0)
		return 0;
	return strncmp(msg, method, strlen(method)) == 0 && msg[strlen(method)] == ' ';
}

/* Next response on c that is not 100 Trying: its status. */
static int expect_response(struct sip_test *t, struct sip_client *c, char *msg, size_t len)
{
	for (int i = 0; i < 5; i++) {
		if (sip_client_recv(t, c, msg, len, 3000) <= 0)
			return -1;
		if (sip_msg_status(msg) != 100)
			return sip_msg_status(msg);
	}
	return -1;
}

/* The URI inside <...> of a header value. */
static const char *uri_of(const char *hv, char *buf, size_t len)
{
	const char *a = strchr(hv, '<'), *b = a ? strchr(a, '>') : NULL;

	snprintf(buf, len, "%.*s", a && b ? (int)(b - a - 1) : 0, a ? a + 1 : "");
	return buf;
}

/* Adds ;tag=totag to the To header of a request made by sip_msg_request. */
static void with_totag(char *req, size_t len, const char *totag)
{
	char *to = strstr(req, "\r\nTo: "), *eol = to ? strstr(to + 2, "\r\n") : NULL;
	char rest[8192];

	if (!eol)
		return;
	snprintf(rest, sizeof(rest), "%s", eol);
	snprintf(eol, len - (size_t)(eol - req), ";tag=%s%s", totag, rest);
}

static void test_call(void)
{
	struct sip_test t;
	unsigned ports[3];
	struct sip_client al, bo;
	char resp[8192], req[8192], m[8192], h[512], ca[256], cb[256], sbc[256], bcid[256];
	char totag[128];
	static const char sdp_a[] = "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
				    "c=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
	static const char sdp_b[] = "v=0\r\no=bob 1 1 IN IP4 192.0.2.2\r\ns=-\r\n"
				    "c=IN IP4 192.0.2.2\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

	setup(&t, ports);
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &al, ports[2], TLS_PKI_CLIENT_EC, 0, 0, 3000), 1);
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &bo, ports[2], TLS_PKI_CLIENT_RSA, 0, 0, 3000), 1);
	snprintf(ca, sizeof(ca), "Contact: <sip:alice@127.0.0.1:%u;transport=tls>", al.local_port);
	snprintf(cb, sizeof(cb), "Contact: <sip:bob@127.0.0.1:%u;transport=tls>", bo.local_port);
	CU_ASSERT_EQUAL_FATAL(do_register(&t, &al, "alice", ca, 1, resp, sizeof(resp)), 200);
	CU_ASSERT_EQUAL_FATAL(do_register(&t, &bo, "bob", cb, 1, resp, sizeof(resp)), 200);

	/* unknown user: 404 */
	snprintf(h, sizeof(h), "%s\r\n", ca);
	sip_msg_request(req, sizeof(req), "INVITE", "sip:nobody@127.0.0.1", "TLS", al.local_port,
			"alice", "nobody", "call-404@alice", 1, h, sdp_a);
	CU_ASSERT_EQUAL(sip_client_send(&t, &al, req), 0);
	CU_ASSERT_EQUAL(expect_response(&t, &al, resp, sizeof(resp)), 404);

	/* alice calls bob */
	snprintf(h, sizeof(h), "%s\r\n", ca);
	sip_msg_request(req, sizeof(req), "INVITE", "sip:bob@127.0.0.1", "TLS", al.local_port,
			"alice", "bob", "call-1@alice.example", 1, h, sdp_a);
	CU_ASSERT_EQUAL(sip_client_send(&t, &al, req), 0);
	CU_ASSERT_FATAL(expect_request(&t, &bo, "INVITE", m, sizeof(m)));
	if (getenv("SIP_TEST_DUMP"))
		fprintf(stderr, "---bob got\n%s\n", m);
	/* topology hiding towards bob */
	sip_msg_header(m, "Call-ID", bcid, sizeof(bcid));
	CU_ASSERT(bcid[0] && strcmp(bcid, "call-1@alice.example") != 0);
	CU_ASSERT_PTR_NULL(strstr(m, "alice.example"));
	CU_ASSERT_PTR_NULL(strstr(m, "z9hG4bK-test")); /* alice's Via branch */
	snprintf(h, sizeof(h), "127.0.0.1:%u", al.local_port);
	CU_ASSERT_PTR_NULL(strstr(m, h)); /* alice's address: not in Via, not in Contact */
	snprintf(sbc, sizeof(sbc), "127.0.0.1:%u", ports[2]);
	CU_ASSERT_PTR_NOT_NULL(strstr(sip_msg_header(m, "Via", h, sizeof(h)), sbc));
	CU_ASSERT_PTR_NOT_NULL(strstr(sip_msg_header(m, "Contact", h, sizeof(h)), "sip:sbc@"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "m=audio 4000"));
	CU_ASSERT_PTR_NOT_NULL(strstr(sip_msg_header(m, "From", h, sizeof(h)), "alice@"));

	/* bob rings, then answers */
	sip_msg_response(resp, sizeof(resp), m, 180, "bobtag", NULL, NULL);
	CU_ASSERT_EQUAL(sip_client_send(&t, &bo, resp), 0);
	snprintf(h, sizeof(h), "%s\r\n", cb);
	sip_msg_response(resp, sizeof(resp), m, 200, "bobtag", h, sdp_b);
	CU_ASSERT_EQUAL(sip_client_send(&t, &bo, resp), 0);
	CU_ASSERT_EQUAL(expect_response(&t, &al, resp, sizeof(resp)), 180);
	CU_ASSERT_EQUAL(expect_response(&t, &al, resp, sizeof(resp)), 200);
	if (getenv("SIP_TEST_DUMP"))
		fprintf(stderr, "---alice got\n%s\n", resp);
	/* topology hiding towards alice */
	CU_ASSERT_STRING_EQUAL(sip_msg_header(resp, "Call-ID", h, sizeof(h)),
			       "call-1@alice.example");
	CU_ASSERT_PTR_NULL(strstr(resp, bcid));
	CU_ASSERT_PTR_NULL(strstr(resp, "bobtag"));
	snprintf(h, sizeof(h), "127.0.0.1:%u", bo.local_port);
	CU_ASSERT_PTR_NULL(strstr(resp, h));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "m=audio 5000"));
	uri_of(sip_msg_header(resp, "Contact", h, sizeof(h)), sbc, sizeof(sbc));
	CU_ASSERT_PTR_NOT_NULL(strstr(sbc, "sip:sbc@"));
	{
		const char *tt = strstr(sip_msg_header(resp, "To", h, sizeof(h)), "tag=");
		snprintf(totag, sizeof(totag), "%s", tt ? tt + 4 : "");
	}
	CU_ASSERT(totag[0] != 0);

	/* ACK reaches bob on his dialog */
	sip_msg_request(req, sizeof(req), "ACK", sbc, "TLS", al.local_port, "alice", "bob",
			"call-1@alice.example", 1, NULL, NULL);
	with_totag(req, sizeof(req), totag);
	CU_ASSERT_EQUAL(sip_client_send(&t, &al, req), 0);
	CU_ASSERT(expect_request(&t, &bo, "ACK", m, sizeof(m)));
	CU_ASSERT_STRING_EQUAL(sip_msg_header(m, "Call-ID", h, sizeof(h)), bcid);

	/* alice hangs up */
	sip_msg_request(req, sizeof(req), "BYE", sbc, "TLS", al.local_port, "alice", "bob",
			"call-1@alice.example", 2, NULL, NULL);
	with_totag(req, sizeof(req), totag);
	CU_ASSERT_EQUAL(sip_client_send(&t, &al, req), 0);
	CU_ASSERT_FATAL(expect_request(&t, &bo, "BYE", m, sizeof(m)));
	CU_ASSERT_STRING_EQUAL(sip_msg_header(m, "Call-ID", h, sizeof(h)), bcid);
	sip_msg_response(resp, sizeof(resp), m, 200, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(sip_client_send(&t, &bo, resp), 0);
	CU_ASSERT_EQUAL(expect_response(&t, &al, resp, sizeof(resp)), 200);
	CU_ASSERT_STRING_EQUAL(sip_msg_header(resp, "Call-ID", h, sizeof(h)),
			       "call-1@alice.example");
	CU_ASSERT(sip_test_event(&t, "call", "ended: BYE", NULL));
	sip_client_close(&al);
	sip_client_close(&bo);
	sip_test_done(&t);
}

UNIT_SUITE(sip_call, {"OPTIONS", test_options}, {"registrar", test_register},
	   {"call between TLS users", test_call});

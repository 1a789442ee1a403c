/*
 * Calls between a mutual-TLS user and a proxy set over TLS, through the
 * engine as B2BUA, both directions; the outgoing TLS certificate matrix with
 * time to fail; keep-alive, failover and homing. The proxy is a TLS peer of
 * this process (test_sip_proxy_peer.h), the user a TLS client (test_sip_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sbc/sip/sip_engine.h"
#include "tests/unit/test_sip_proxy_peer.h"
#include "tests/unit/unit.h"

static const int roots_main[] = {TLS_PKI_ROOT, -1};
static const char sdp_a[] = "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
			    "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
static const char sdp_b[] = "v=0\r\no=bob 1 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\n"
			    "t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

struct env {
	struct sip_test t;
	unsigned ports[3];
	struct sip_client al;
};

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void add_proxy(struct sip_test *t, unsigned row, unsigned idx, const char *host,
		      unsigned port)
{
	char v[64];

	sip_test_set(t, "ProxyIp", row, "ProxySetId", "0");
	snprintf(v, sizeof(v), "%u", idx);
	sip_test_set(t, "ProxyIp", row, "ProxyIpIndex", v);
	snprintf(v, sizeof(v), "%s:%u", host, port);
	sip_test_set(t, "ProxyIp", row, "IpAddress", v);
	sip_test_set(t, "ProxyIp", row, "TransportType", "2");
}

/* Users on interface 0 (mutual TLS), the proxy set "itsp" and routes both ways. */
static void configure(struct env *v, unsigned proxy_port)
{
	struct sip_test *t = &v->t;

	CU_ASSERT_EQUAL_FATAL(sip_test_init(t), 0);
	sip_test_ctx(t, 0, "default", TLS_PKI_SERVER_EC, roots_main, 0);
	sip_test_iface(t, 0, "users", "default", 1, 7, v->ports);
	sip_test_set(t, "Globals", 0, "VerifyServerCertificate", "1");
	sip_test_set(t, "Globals", 0, "PeerHostNameVerificationMode", "1");
	sip_test_set(t, "ProxySet", 0, "ProxyName", "itsp");
	add_proxy(t, 0, 0, "127.0.0.1", proxy_port);
	sip_test_set(t, "IPGroup", 0, "Name", "itsp");
	sip_test_set(t, "IPGroup", 0, "ProxySetName", "itsp");
	sip_test_set(t, "IPGroup", 1, "Name", "users");
	sip_test_set(t, "IPGroup", 1, "Type", "1");
	sip_test_set(t, "IP2IPRouting", 0, "RouteName", "to-itsp");
	sip_test_set(t, "IP2IPRouting", 0, "SrcIPGroupName", "users");
	sip_test_set(t, "IP2IPRouting", 0, "DestType", "0");
	sip_test_set(t, "IP2IPRouting", 0, "DestIPGroupName", "itsp");
	sip_test_set(t, "IP2IPRouting", 1, "RouteName", "to-users");
	sip_test_set(t, "IP2IPRouting", 1, "SrcIPGroupName", "itsp");
	sip_test_set(t, "IP2IPRouting", 1, "DestType", "11");
}

static int start(struct env *v)
{
	char err[512] = "", resp[4096], req[2048], contact[256];

	if (!sip_test_start(&v->t, err, sizeof(err)))
		fprintf(stderr, "engine: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v->t.e);
	CU_ASSERT_EQUAL_FATAL(
	    sip_client_tls(&v->t, &v->al, v->ports[2], TLS_PKI_CLIENT_EC, 0, 0, 3000), 1);
	snprintf(contact, sizeof(contact), "Contact: <sip:alice@127.0.0.1:%u;transport=tls>\r\n",
		 v->al.local_port);
	sip_msg_request(req, sizeof(req), "REGISTER", "sip:example.com", "TLS", v->al.local_port,
			"alice", "alice", "reg-alice", 1, contact, NULL);
	if (sip_client_send(&v->t, &v->al, req) < 0 ||
	    sip_client_recv(&v->t, &v->al, resp, sizeof(resp), 2000) <= 0)
		return -1;
	return sip_msg_status(resp) == 200 ? 0 : -1;
}

static void finish(struct env *v)
{
	for (unsigned i = 0; getenv("SIP_TEST_EVENTS") && i < v->t.nevents; i++)
		fprintf(stderr, "event: %s\n", v->t.events[i]);
	sip_client_close(&v->al);
	sip_test_done(&v->t);
}

/* Next response on c other than 100. */
static int response(struct sip_test *t, struct sip_client *c, char *msg, size_t len,
		    unsigned timeout_ms)
{
	for (int i = 0; i < 5; i++) {
		if (sip_client_recv(t, c, msg, len, timeout_ms) <= 0)
			return -1;
		if (sip_msg_status(msg) != 100)
			return sip_msg_status(msg);
	}
	return -1;
}

static int request(struct sip_test *t, struct sip_client *c, const char *method, char *msg,
		   size_t len)
{
	for (int i = 0; i < 5; i++) {
		if (sip_client_recv(t, c, msg, len, 3000) <= 0)
			return 0;
		if (strncmp(msg, method, strlen(method)) == 0 && msg[strlen(method)] == ' ')
			return 1;
	}
	return 0;
}

static const char *uri_of(const char *hv, char *buf, size_t len)
{
	const char *a = strchr(hv, '<'), *b = a ? strchr(a, '>') : NULL;

	snprintf(buf, len, "%.*s", a && b ? (int)(b - a - 1) : 0, a ? a + 1 : "");
	return buf;
}

/* A request in the dialog of a received initial INVITE (we are its callee): to its Contact,
 * From/To swapped, our tag on From. */
static void in_dialog(char *out, size_t len, const char *invite, const char *method, unsigned cseq,
		      unsigned lport, const char *mytag)
{
	static unsigned n;
	char from[512], to[512], cid[256], ct[512], uri[256];

	sip_msg_header(invite, "From", from, sizeof(from));
	sip_msg_header(invite, "To", to, sizeof(to));
	sip_msg_header(invite, "Call-ID", cid, sizeof(cid));
	uri_of(sip_msg_header(invite, "Contact", ct, sizeof(ct)), uri, sizeof(uri));
	snprintf(out, len,
		 "%s %s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:%u;branch=z9hG4bK-dlg-%u-%u\r\n"
		 "Max-Forwards: 70\r\nFrom: %s;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %u %s\r\nContent-Length: 0\r\n\r\n",
		 method, uri, lport, (unsigned)getpid(), ++n, to, mytag, from, cid, cseq, method);
}

/* A request in the dialog we made with an INVITE (we are its caller), after its 2xx. */
static void caller_dialog(char *out, size_t len, const char *invite, const char *ok,
			  const char *method, unsigned cseq, unsigned lport)
{
	static unsigned n;
	char from[512], to[512], cid[256], ct[512], uri[256];

	sip_msg_header(invite, "From", from, sizeof(from));
	sip_msg_header(ok, "To", to, sizeof(to));
	sip_msg_header(invite, "Call-ID", cid, sizeof(cid));
	uri_of(sip_msg_header(ok, "Contact", ct, sizeof(ct)), uri, sizeof(uri));
	snprintf(out, len,
		 "%s %s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:%u;branch=z9hG4bK-cdl-%u-%u\r\n"
		 "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %u %s\r\nContent-Length: 0\r\n\r\n",
		 method, uri, lport, (unsigned)getpid(), ++n, from, to, cid, cseq, method);
}

static void alice_invite(struct env *v, const char *user, const char *callid, char *req, size_t len)
{
	char ruri[128], extra[256];

	snprintf(ruri, sizeof(ruri), "sip:%s@example.com", user);
	snprintf(extra, sizeof(extra), "Contact: <sip:alice@127.0.0.1:%u;transport=tls>\r\n",
		 v->al.local_port);
	sip_msg_request(req, len, "INVITE", ruri, "TLS", v->al.local_port, "alice", user, callid, 1,
			extra, sdp_a);
}

/* alice calls bob behind the proxy; who hangs up: 0 alice, 1 the proxy. */
static void call_out(struct env *v, struct sip_peer *px, int bye_from)
{
	struct sip_test *t = &v->t;
	char req[8192], m[8192], resp[8192], h[512], ok[8192], cid[64], subj[512];
	int w;

	snprintf(cid, sizeof(cid), "out-%d@alice.example", bye_from);
	alice_invite(v, "bob", cid, req, sizeof(req));
	CU_ASSERT_EQUAL(sip_client_send(t, &v->al, req), 0);
	if (!sip_peer_expect(t, px, "INVITE", m, sizeof(m), &w)) {
		CU_FAIL("no INVITE at the proxy");
		return;
	}
	/* topology hiding, SDP untouched, the SBC's own certificate presented */
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "INVITE sip:bob@127.0.0.1:"));
	CU_ASSERT_PTR_NULL(strstr(m, "alice.example"));
	snprintf(h, sizeof(h), "127.0.0.1:%u", v->al.local_port);
	CU_ASSERT_PTR_NULL(strstr(m, h));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, sdp_a));
	CU_ASSERT_PTR_NOT_NULL(strstr(sip_msg_header(m, "Contact", h, sizeof(h)), "sip:sbc@"));
	X509_NAME_oneline(X509_get_subject_name(tls_pki_cert(TLS_PKI_SERVER_EC)), subj,
			  sizeof(subj));
	CU_ASSERT_STRING_EQUAL(px->client_subject, subj);
	/* the Calls table has it */
	CU_ASSERT_EQUAL(sip_test_status(t, "Calls", 0, "State"), 0);
	CU_ASSERT_STRING_EQUAL(sip_test_status_str(t, "Calls", 0, "CallerCallId", h, sizeof(h)),
			       cid);
	CU_ASSERT_STRING_EQUAL(sip_test_status_str(t, "Calls", 0, "DestIPGroupName", h, sizeof(h)),
			       "itsp");
	CU_ASSERT_STRING_EQUAL(sip_test_status_str(t, "Calls", 0, "SrcIPGroupName", h, sizeof(h)),
			       "users");
	CU_ASSERT_STRING_EQUAL(sip_test_status_str(t, "Calls", 0, "CalleeTransport", h, sizeof(h)),
			       "tls");
	/* ringing, answer */
	sip_msg_response(resp, sizeof(resp), m, 180, "bobtag", NULL, NULL);
	CU_ASSERT_EQUAL(sip_peer_send(t, px, w, resp), 0);
	snprintf(h, sizeof(h), "Contact: <sip:bob@127.0.0.1:%u;transport=tls>\r\n", px->port);
	sip_msg_response(resp, sizeof(resp), m, 200, "bobtag", h, sdp_b);
	CU_ASSERT_EQUAL(sip_peer_send(t, px, w, resp), 0);
	CU_ASSERT_EQUAL(response(t, &v->al, ok, sizeof(ok), 3000), 180);
	CU_ASSERT_EQUAL(response(t, &v->al, ok, sizeof(ok), 3000), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(ok, sdp_b));
	CU_ASSERT_PTR_NULL(strstr(ok, "bobtag"));
	CU_ASSERT_EQUAL(sip_test_status(t, "Calls", 0, "State"), 1);
	/* ACK end to end */
	caller_dialog(req, sizeof(req), req, ok, "ACK", 1, v->al.local_port);
	CU_ASSERT_EQUAL(sip_client_send(t, &v->al, req), 0);
	CU_ASSERT(sip_peer_expect(t, px, "ACK", resp, sizeof(resp), NULL));
	if (bye_from == 0) {
		alice_invite(v, "bob", cid, m + 4096, 4096); /* the INVITE text again */
		caller_dialog(req, sizeof(req), m + 4096, ok, "BYE", 2, v->al.local_port);
		CU_ASSERT_EQUAL(sip_client_send(t, &v->al, req), 0);
		CU_ASSERT_FATAL(sip_peer_expect(t, px, "BYE", resp, sizeof(resp), &w));
		sip_msg_response(req, sizeof(req), resp, 200, NULL, NULL, NULL);
		CU_ASSERT_EQUAL(sip_peer_send(t, px, w, req), 0);
		CU_ASSERT_EQUAL(response(t, &v->al, resp, sizeof(resp), 3000), 200);
	} else {
		in_dialog(req, sizeof(req), m, "BYE", 2, px->port, "bobtag");
		CU_ASSERT_EQUAL(sip_peer_send(t, px, w, req), 0);
		CU_ASSERT_FATAL(request(t, &v->al, "BYE", m, sizeof(m)));
		CU_ASSERT_STRING_EQUAL(sip_msg_header(m, "Call-ID", h, sizeof(h)), cid);
		sip_msg_response(resp, sizeof(resp), m, 200, NULL, NULL, NULL);
		CU_ASSERT_EQUAL(sip_client_send(t, &v->al, resp), 0);
		CU_ASSERT_FATAL(sip_peer_recv(t, px, resp, sizeof(resp), 3000, NULL) > 0);
		CU_ASSERT_EQUAL(sip_msg_status(resp), 200);
	}
	sip_test_pump(t, 50);
	CU_ASSERT(sip_test_event(t, "ended: BYE", NULL, NULL));
	CU_ASSERT_EQUAL(sip_test_status(t, "Calls", 0, "State"), -1);
}

static void test_call_out(void)
{
	struct env v;
	struct sip_peer px = {0};

	CU_ASSERT_EQUAL_FATAL(sip_peer_start(&px, TLS_PKI_SERVER_RSA, 0), 0);
	configure(&v, px.port);
	CU_ASSERT_EQUAL_FATAL(start(&v), 0);
	call_out(&v, &px, 0);
	call_out(&v, &px, 1);
	/* both calls over one TLS connection to the proxy */
	CU_ASSERT_EQUAL(px.handshakes, 1);
	CU_ASSERT(sip_test_status(&v.t, "ProxyStatus", 0, "RequestsAnswered") == 2);
	sip_peer_stop(&px);
	finish(&v);
}

/* The proxy calls alice over its own TLS connection to the SBC; who hangs up as above. */
static void test_call_in(void)
{
	struct env v;
	struct sip_peer px = {0};
	struct sip_client pc;
	char req[8192], m[8192], resp[8192], ok[8192], h[512];

	CU_ASSERT_EQUAL_FATAL(sip_peer_start(&px, TLS_PKI_SERVER_RSA, 0), 0);
	configure(&v, px.port);
	CU_ASSERT_EQUAL_FATAL(start(&v), 0);
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&v.t, &pc, v.ports[2], TLS_PKI_CLIENT_RSA, 0, 0, 3000),
			      1);
	for (int bye_from = 0; bye_from < 2; bye_from++) {
		char cid[64];
		snprintf(cid, sizeof(cid), "in-%d@proxy.example", bye_from);
		snprintf(h, sizeof(h), "Contact: <sip:bob@127.0.0.1:%u;transport=tls>\r\n",
			 pc.local_port);
		sip_msg_request(req, sizeof(req), "INVITE", "sip:alice@sbc.example", "TLS",
				pc.local_port, "bob", "alice", cid, 1, h, sdp_b);
		CU_ASSERT_EQUAL(sip_client_send(&v.t, &pc, req), 0);
		CU_ASSERT_FATAL(request(&v.t, &v.al, "INVITE", m, sizeof(m)));
		CU_ASSERT_PTR_NULL(strstr(m, "proxy.example"));
		CU_ASSERT_PTR_NOT_NULL(strstr(m, sdp_b));
		CU_ASSERT_STRING_EQUAL(
		    sip_test_status_str(&v.t, "Calls", 0, "SrcIPGroupName", h, sizeof(h)), "itsp");
		snprintf(h, sizeof(h), "Contact: <sip:alice@127.0.0.1:%u;transport=tls>\r\n",
			 v.al.local_port);
		sip_msg_response(resp, sizeof(resp), m, 200, "alicetag", h, sdp_a);
		CU_ASSERT_EQUAL(sip_client_send(&v.t, &v.al, resp), 0);
		CU_ASSERT_EQUAL(response(&v.t, &pc, ok, sizeof(ok), 3000), 200);
		CU_ASSERT_PTR_NOT_NULL(strstr(ok, sdp_a));
		caller_dialog(resp, sizeof(resp), req, ok, "ACK", 1, pc.local_port);
		CU_ASSERT_EQUAL(sip_client_send(&v.t, &pc, resp), 0);
		CU_ASSERT(request(&v.t, &v.al, "ACK", resp, sizeof(resp)));
		if (bye_from == 0) {
			caller_dialog(resp, sizeof(resp), req, ok, "BYE", 2, pc.local_port);
			CU_ASSERT_EQUAL(sip_client_send(&v.t, &pc, resp), 0);
			CU_ASSERT_FATAL(request(&v.t, &v.al, "BYE", m, sizeof(m)));
			sip_msg_response(resp, sizeof(resp), m, 200, NULL, NULL, NULL);
			CU_ASSERT_EQUAL(sip_client_send(&v.t, &v.al, resp), 0);
			CU_ASSERT_EQUAL(response(&v.t, &pc, resp, sizeof(resp), 3000), 200);
		} else {
			in_dialog(resp, sizeof(resp), m, "BYE", 2, v.al.local_port, "alicetag");
			CU_ASSERT_EQUAL(sip_client_send(&v.t, &v.al, resp), 0);
			CU_ASSERT_FATAL(request(&v.t, &pc, "BYE", m, sizeof(m)));
			CU_ASSERT_STRING_EQUAL(sip_msg_header(m, "Call-ID", h, sizeof(h)), cid);
			sip_msg_response(resp, sizeof(resp), m, 200, NULL, NULL, NULL);
			CU_ASSERT_EQUAL(sip_client_send(&v.t, &pc, resp), 0);
			CU_ASSERT_EQUAL(response(&v.t, &v.al, resp, sizeof(resp), 3000), 200);
		}
	}
	sip_client_close(&pc);
	sip_peer_stop(&px);
	finish(&v);
}

/* CANCEL before the answer: alice gets 487, the proxy gets CANCEL. */
static void test_cancel(void)
{
	struct env v;
	struct sip_peer px = {0};
	char inv[8192], req[8192], m[8192], resp[8192];
	int w, got487 = 0, got200 = 0;

	CU_ASSERT_EQUAL_FATAL(sip_peer_start(&px, TLS_PKI_SERVER_RSA, 0), 0);
	configure(&v, px.port);
	CU_ASSERT_EQUAL_FATAL(start(&v), 0);
	alice_invite(&v, "bob", "cancel-1@alice", inv, sizeof(inv));
	CU_ASSERT_EQUAL(sip_client_send(&v.t, &v.al, inv), 0);
	CU_ASSERT_FATAL(sip_peer_expect(&v.t, &px, "INVITE", m, sizeof(m), &w));
	sip_msg_response(resp, sizeof(resp), m, 180, "bobtag", NULL, NULL);
	CU_ASSERT_EQUAL(sip_peer_send(&v.t, &px, w, resp), 0);
	CU_ASSERT_EQUAL(response(&v.t, &v.al, resp, sizeof(resp), 3000), 180);
	/* CANCEL: the INVITE's Via, From, To, Call-ID, CSeq number */
	{
		char *body = strstr(inv, "\r\n\r\n"), *ct;
		snprintf(req, sizeof(req), "CANCEL%s", inv + strlen("INVITE"));
		body = strstr(req, "\r\n\r\n");
		body[4] = 0;
		*strstr(req, "CSeq: 1 INVITE") = 0;
		ct = strstr(inv, "CSeq: 1 INVITE");
		snprintf(req + strlen(req), sizeof(req) - strlen(req),
			 "CSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n");
		(void)ct;
	}
	CU_ASSERT_EQUAL(sip_client_send(&v.t, &v.al, req), 0);
	for (int i = 0; i < 2; i++) {
		int st = response(&v.t, &v.al, resp, sizeof(resp), 3000);
		got487 |= st == 487;
		got200 |= st == 200 && strstr(resp, "CANCEL") != NULL;
	}
	CU_ASSERT(got487 && got200);
	CU_ASSERT_FATAL(sip_peer_expect(&v.t, &px, "CANCEL", m, sizeof(m), &w));
	sip_msg_response(resp, sizeof(resp), m, 200, "bobtag", NULL, NULL);
	CU_ASSERT_EQUAL(sip_peer_send(&v.t, &px, w, resp), 0);
	CU_ASSERT(sip_test_event(&v.t, "cancelled by the caller", NULL, NULL));
	sip_peer_stop(&px);
	finish(&v);
}

/* One proxy certificate case: the call reaches the proxy, or alice gets 503 in < 2 s. */
static void tls_case(enum tls_pki_id cert, int stall, const char *host, const char *subject,
		     int verify, int hostmode, const char *want)
{
	struct env v;
	struct sip_peer px = {.stall = stall};
	char inv[8192], m[8192], resp[8192], h[512], cid[64];
	unsigned long long t0, dt;
	int st, w;

	CU_ASSERT_EQUAL_FATAL(sip_peer_start(&px, cert, 0), 0);
	configure(&v, px.port);
	add_proxy(&v.t, 0, 0, host, px.port);
	sip_test_set(&v.t, "Globals", 0, "TLSRemoteSubjectName", subject);
	sip_test_set(&v.t, "Globals", 0, "VerifyServerCertificate", verify ? "1" : "0");
	sip_test_set(&v.t, "Globals", 0, "PeerHostNameVerificationMode", hostmode ? "1" : "0");
	CU_ASSERT_EQUAL_FATAL(start(&v), 0);
	snprintf(cid, sizeof(cid), "tls-%d-%d@alice", (int)cert, stall);
	alice_invite(&v, "bob", cid, inv, sizeof(inv));
	t0 = now_ms();
	CU_ASSERT_EQUAL(sip_client_send(&v.t, &v.al, inv), 0);
	if (!want) {
		CU_ASSERT(sip_peer_expect(&v.t, &px, "INVITE", m, sizeof(m), &w));
		sip_msg_response(resp, sizeof(resp), m, 486, "bobtag", NULL, NULL);
		sip_peer_send(&v.t, &px, w, resp);
		CU_ASSERT_EQUAL(response(&v.t, &v.al, resp, sizeof(resp), 3000), 486);
	} else {
		for (int i = 0; i < 200 && !(st = 0) && v.al.len == 0; i++)
			sip_peer_poll(&v.t, &px);
		st = response(&v.t, &v.al, resp, sizeof(resp), 2500);
		dt = now_ms() - t0;
		CU_ASSERT_EQUAL(st, 503);
		CU_ASSERT(dt < 2000);
		sip_msg_header(resp, "Reason", h, sizeof(h));
		CU_ASSERT_PTR_NOT_NULL(strstr(h, "SIP;cause=503;text=\"TLS: "));
		CU_ASSERT_PTR_NOT_NULL(strstr(h, want));
		if (!strstr(h, want) || dt >= 2000)
			fprintf(stderr, "tls case %d: %d after %llu ms, Reason: %s\n", (int)cert,
				st, dt, h);
		CU_ASSERT(sip_test_event(&v.t, "sip: outgoing TLS: ", want, NULL));
		CU_ASSERT_PTR_NOT_NULL(strstr(
		    sip_test_status_str(&v.t, "ProxyStatus", 0, "LastError", h, sizeof(h)), want));
		CU_ASSERT_EQUAL(sip_test_status(&v.t, "ProxyStatus", 0, "RequestsFailed"), 1);
	}
	sip_peer_stop(&px);
	finish(&v);
}

static void test_tls_matrix(void)
{
	/* trusted, with the host name checked against the address */
	tls_case(TLS_PKI_SERVER_EC, 0, "127.0.0.1", "", 1, 1, NULL);
	/* an unknown CA: refused; accepted when the server is not verified */
	tls_case(TLS_PKI_ROGUE_CLIENT, 0, "127.0.0.1", "", 1, 1,
		 "certificate verify failed (unable to get local issuer certificate)");
	tls_case(TLS_PKI_ROGUE_CLIENT, 0, "127.0.0.1", "", 0, 0, NULL);
	/* wrong host name (mode 1), by TLSRemoteSubjectName and by the proxy's address
	 * (CLIENT_EC names client.test only); a host name as the proxy address */
	tls_case(TLS_PKI_SERVER_EC, 0, "127.0.0.1", "sip.wrong.example", 1, 1,
		 "certificate verify failed (hostname mismatch)");
	tls_case(TLS_PKI_SERVER_EC, 0, "127.0.0.1", "sip.wrong.example", 1, 0, NULL);
	tls_case(TLS_PKI_CLIENT_EC, 0, "127.0.0.1", "", 1, 1,
		 "certificate verify failed (hostname mismatch)");
	tls_case(TLS_PKI_SERVER_EC, 0, "localhost", "", 1, 1, NULL);
	/* expired */
	tls_case(TLS_PKI_EXPIRED, 0, "localhost", "", 1, 1,
		 "certificate verify failed (certificate has expired)");
	/* a server that never answers the handshake */
	tls_case(TLS_PKI_SERVER_EC, 1, "127.0.0.1", "", 1, 1, "not established in time");
}

/* A TLS context change reaches outgoing TLS at the next commit, for new connections. */
static void test_tls_policy_live(void)
{
	struct env v;
	struct sip_peer px = {0}, px2 = {0};
	char inv[8192], m[8192], resp[8192], h[512];
	int w;

	CU_ASSERT_EQUAL_FATAL(sip_peer_start(&px, TLS_PKI_SERVER_EC, 0), 0);
	CU_ASSERT_EQUAL_FATAL(sip_peer_start(&px2, TLS_PKI_SERVER_EC, 0), 0);
	configure(&v, px.port);
	CU_ASSERT_EQUAL_FATAL(start(&v), 0);
	alice_invite(&v, "bob", "live-1@alice", inv, sizeof(inv));
	CU_ASSERT_EQUAL(sip_client_send(&v.t, &v.al, inv), 0);
	CU_ASSERT_FATAL(sip_peer_expect(&v.t, &px, "INVITE", m, sizeof(m), &w));
	sip_msg_response(resp, sizeof(resp), m, 486, "bobtag", NULL, NULL);
	sip_peer_send(&v.t, &px, w, resp);
	CU_ASSERT_EQUAL(response(&v.t, &v.al, resp, sizeof(resp), 3000), 486);
	/* context 0 now allows TLS 1.0 only (OpenSSL 3 offers no protocol then) and the proxy
	 * moves, so the next call needs a new connection: it must fail with the new policy */
	sip_test_set(&v.t, "TLSContexts", 0, "TLSVersion", "1");
	add_proxy(&v.t, 0, 0, "127.0.0.1", px2.port);
	sip_engine_config_changed(v.t.e, v.t.st);
	alice_invite(&v, "bob", "live-2@alice", inv, sizeof(inv));
	CU_ASSERT_EQUAL(sip_client_send(&v.t, &v.al, inv), 0);
	for (int i = 0; i < 200 && v.al.len == 0; i++)
		sip_peer_poll(&v.t, &px2);
	CU_ASSERT_EQUAL(response(&v.t, &v.al, resp, sizeof(resp), 2500), 503);
	sip_msg_header(resp, "Reason", h, sizeof(h));
	CU_ASSERT_PTR_NOT_NULL(strstr(h, "TLS"));
	CU_ASSERT_EQUAL(px2.handshakes, 0);
	sip_peer_stop(&px);
	sip_peer_stop(&px2);
	finish(&v);
}

/* Next INVITE at a or b (the other answers keep-alives meanwhile): 0 for a, 1 for b. */
static int which_proxy(struct env *v, struct sip_peer *a, struct sip_peer *b, const char *cid)
{
	char inv[8192], m[8192], resp[8192];
	unsigned long long end = now_ms() + 3000;
	int w, who = -1;

	alice_invite(v, "bob", cid, inv, sizeof(inv));
	CU_ASSERT_EQUAL(sip_client_send(&v->t, &v->al, inv), 0);
	while (who < 0 && now_ms() < end) {
		if (a->lfd >= 0 && sip_peer_recv(&v->t, a, m, sizeof(m), 20, &w) > 0 &&
		    !strncmp(m, "INVITE ", 7))
			who = 0;
		else if (b->lfd >= 0 && sip_peer_recv(&v->t, b, m, sizeof(m), 20, &w) > 0 &&
			 !strncmp(m, "INVITE ", 7))
			who = 1;
	}
	if (who >= 0) {
		sip_msg_response(resp, sizeof(resp), m, 486, "busy", NULL, NULL);
		sip_peer_send(&v->t, who ? b : a, w, resp);
		CU_ASSERT_EQUAL(response(&v->t, &v->al, resp, sizeof(resp), 3000), 486);
	}
	return who;
}

/* Turns the loop (both peers answering keep-alives) until ProxyStatus row has state st. */
static int wait_state(struct env *v, struct sip_peer *a, struct sip_peer *b, unsigned row, int st,
		      unsigned ms)
{
	unsigned long long end = now_ms() + ms;
	char m[8192];

	while (now_ms() < end) {
		if (a->lfd >= 0)
			sip_peer_recv(&v->t, a, m, sizeof(m), 20, NULL);
		if (b->lfd >= 0)
			sip_peer_recv(&v->t, b, m, sizeof(m), 20, NULL);
		if (sip_test_status(&v->t, "ProxyStatus", row, "State") == st)
			return 1;
	}
	return 0;
}

static void test_keepalive(void)
{
	struct env v;
	struct sip_peer a = {0}, b = {0};
	unsigned long long t0;
	unsigned aport;

	CU_ASSERT_EQUAL_FATAL(sip_peer_start(&a, TLS_PKI_SERVER_EC, 0), 0);
	CU_ASSERT_EQUAL_FATAL(sip_peer_start(&b, TLS_PKI_SERVER_RSA, 0), 0);
	aport = a.port;
	configure(&v, a.port);
	add_proxy(&v.t, 1, 1, "127.0.0.1", b.port);
	sip_test_set(&v.t, "ProxySet", 0, "EnableProxyKeepAlive", "1");
	sip_test_set(&v.t, "ProxySet", 0, "ProxyKeepAliveTime", "5");
	sip_test_set(&v.t, "ProxySet", 0, "ProxyRedundancyMode", "1");
	CU_ASSERT_EQUAL_FATAL(start(&v), 0);
	CU_ASSERT(wait_state(&v, &a, &b, 0, 1, 3000));
	CU_ASSERT(wait_state(&v, &a, &b, 1, 1, 3000));
	CU_ASSERT(a.options >= 1 && b.options >= 1);
	CU_ASSERT_EQUAL(sip_test_status(&v.t, "ProxyStatus", 0, "Active"), 1);
	CU_ASSERT_EQUAL(which_proxy(&v, &a, &b, "ka-1@alice"), 0);
	{
		char h[512];
		CU_ASSERT_PTR_NOT_NULL(strstr(
		    sip_test_status_str(&v.t, "ProxyStatus", 0, "TLSPeerSubject", h, sizeof(h)),
		    "CN="));
	}
	/* a stops: the next keep-alive marks it down, calls go to b */
	sip_peer_stop(&a);
	t0 = now_ms();
	CU_ASSERT_FATAL(wait_state(&v, &a, &b, 0, 2, 8000));
	CU_ASSERT(now_ms() - t0 < 7000);
	CU_ASSERT_EQUAL(which_proxy(&v, &a, &b, "ka-2@alice"), 1);
	CU_ASSERT_EQUAL(sip_test_status(&v.t, "ProxyStatus", 1, "Active"), 1);
	/* a is back: homing returns to it */
	CU_ASSERT_EQUAL_FATAL(sip_peer_start(&a, TLS_PKI_SERVER_EC, aport), 0);
	CU_ASSERT_FATAL(wait_state(&v, &a, &b, 0, 1, 8000));
	CU_ASSERT_EQUAL(which_proxy(&v, &a, &b, "ka-3@alice"), 0);
	CU_ASSERT(sip_test_status(&v.t, "ProxyStatus", 0, "KeepAliveFailures") >= 1);
	{
		/* the two addresses swap places: each keeps its own state and counters */
		long long fa = sip_test_status(&v.t, "ProxyStatus", 0, "KeepAliveFailures");
		long long fb = sip_test_status(&v.t, "ProxyStatus", 1, "KeepAliveFailures");
		long long sa = sip_test_status(&v.t, "ProxyStatus", 0, "KeepAlivesSent");
		long long sb = sip_test_status(&v.t, "ProxyStatus", 1, "KeepAlivesSent");
		char h[128], want[64];
		CU_ASSERT_FATAL(fa != fb); /* a failed, b did not: the swap is visible */
		add_proxy(&v.t, 0, 0, "127.0.0.1", b.port);
		add_proxy(&v.t, 1, 1, "127.0.0.1", aport);
		sip_engine_config_changed(v.t.e, v.t.st);
		snprintf(want, sizeof(want), "127.0.0.1:%u", aport);
		CU_ASSERT_STRING_EQUAL(
		    sip_test_status_str(&v.t, "ProxyStatus", 1, "IpAddress", h, sizeof(h)), want);
		CU_ASSERT_EQUAL(sip_test_status(&v.t, "ProxyStatus", 1, "KeepAliveFailures"), fa);
		CU_ASSERT_EQUAL(sip_test_status(&v.t, "ProxyStatus", 0, "KeepAliveFailures"), fb);
		CU_ASSERT(sip_test_status(&v.t, "ProxyStatus", 1, "KeepAlivesSent") >= sa);
		CU_ASSERT(sip_test_status(&v.t, "ProxyStatus", 0, "KeepAlivesSent") >= sb);
		CU_ASSERT_EQUAL(sip_test_status(&v.t, "ProxyStatus", 0, "State"), 1);
		CU_ASSERT_EQUAL(sip_test_status(&v.t, "ProxyStatus", 1, "State"), 1);
	}
	sip_peer_stop(&a);
	sip_peer_stop(&b);
	finish(&v);
}

UNIT_SUITE(sip_proxy, {"call to a TLS proxy, BYE from each side", test_call_out},
	   {"call from a TLS proxy, BYE from each side", test_call_in},
	   {"CANCEL before the answer", test_cancel},
	   {"outgoing TLS certificate matrix", test_tls_matrix},
	   {"keep-alive, failover and homing", test_keepalive},
	   {"a TLS context change reaches outgoing TLS without a reset", test_tls_policy_live});

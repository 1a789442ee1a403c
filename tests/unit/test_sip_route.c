/*
 * Routing decisions of the engine, end to end over UDP on loopback:
 * classification (rules, deny, failure response), IP-to-IP routing (first
 * matching rule wins, request types, no match, unregistered user) and a live
 * configuration change through sip_engine_config_changed. Destinations are
 * plain UDP sockets of this test.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sbc/sip/sip_engine.h"
#include "tests/unit/test_sip_util.h"
#include "tests/unit/unit.h"

static int udp_open(unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(s, (struct sockaddr *)&a, &l) < 0)
		return -1;
	*port = ntohs(a.sin_port);
	return s;
}

static void udp_send(int s, unsigned lport, unsigned to, const char *method, const char *from,
		     const char *user, const char *callid)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(to),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	char req[4096], ruri[128], contact[128];

	snprintf(ruri, sizeof(ruri), "sip:%s@example.com", user);
	snprintf(contact, sizeof(contact), "Contact: <sip:%s@127.0.0.1:%u>\r\n", from, lport);
	sip_msg_request(req, sizeof(req), method, ruri, "UDP", lport, from, user, callid, 1,
			contact, NULL);
	sendto(s, req, strlen(req), 0, (struct sockaddr *)&a, sizeof(a));
}

/* The next datagram on s within ms whose first line starts with `start`; 1 when found. */
static int udp_got(struct sip_test *t, int s, const char *start, char *buf, size_t len, unsigned ms)
{
	for (unsigned i = 0; i < ms / 5; i++) {
		ssize_t k;
		sip_test_pump(t, 5);
		while ((k = recv(s, buf, len - 1, MSG_DONTWAIT)) > 0) {
			buf[k] = 0;
			if (strncmp(buf, start, strlen(start)) == 0)
				return 1;
		}
	}
	return 0;
}

/* Final status of the request last sent on s, or -1. */
static int udp_status(struct sip_test *t, int s, char *buf, size_t len)
{
	for (int i = 0; i < 5; i++) {
		if (!udp_got(t, s, "SIP/2.0 ", buf, len, 2000))
			return -1;
		if (sip_msg_status(buf) >= 200)
			return sip_msg_status(buf);
	}
	return -1;
}

static void set_route(struct sip_test *t, unsigned row, const char *name, const char *src,
		      const char *dst_user, int req, int type, unsigned port)
{
	char v[16];

	sip_test_set(t, "IP2IPRouting", row, "RouteName", name);
	sip_test_set(t, "IP2IPRouting", row, "SrcIPGroupName", src);
	sip_test_set(t, "IP2IPRouting", row, "DestUsernamePrefix", dst_user);
	snprintf(v, sizeof(v), "%d", req);
	sip_test_set(t, "IP2IPRouting", row, "RequestType", v);
	snprintf(v, sizeof(v), "%d", type);
	sip_test_set(t, "IP2IPRouting", row, "DestType", v);
	sip_test_set(t, "IP2IPRouting", row, "DestAddress", "127.0.0.1");
	snprintf(v, sizeof(v), "%u", port);
	sip_test_set(t, "IP2IPRouting", row, "DestPort", v);
	sip_test_set(t, "IP2IPRouting", row, "DestTransportType", "0");
}

static void test_routing(void)
{
	struct sip_test t;
	unsigned ports[3], px, py, pz, pc;
	int x, y, z, caller;
	char err[512] = "", buf[8192], h[512];

	CU_ASSERT_EQUAL_FATAL(sip_test_init(&t), 0);
	x = udp_open(&px), y = udp_open(&py), z = udp_open(&pz), caller = udp_open(&pc);
	CU_ASSERT_FATAL(x >= 0 && y >= 0 && z >= 0 && caller >= 0);
	sip_test_iface(&t, 0, "net", "default", 0, 1, ports);
	sip_test_set(&t, "SIPInterface", 0, "ClassificationFailureResponseType", "403");
	sip_test_set(&t, "IPGroup", 0, "Name", "lab");
	sip_test_set(&t, "IPGroup", 0, "ClassifyByProxySet", "0");
	sip_test_set(&t, "Classification", 0, "ClassificationName", "no-evil");
	sip_test_set(&t, "Classification", 0, "SrcUsernamePrefix", "evil");
	sip_test_set(&t, "Classification", 0, "ActionType", "0");
	sip_test_set(&t, "Classification", 1, "ClassificationName", "loopback");
	sip_test_set(&t, "Classification", 1, "SrcAddress", "127.0.0.*");
	sip_test_set(&t, "Classification", 1, "SrcIPGroupName", "lab");
	set_route(&t, 0, "r-100", "lab", "100", 0, 1, px);
	set_route(&t, 1, "r-invite", "Any", "*", 1, 1, py);
	set_route(&t, 2, "r-all", "Any", "*", 0, 1, pz);
	set_route(&t, 3, "r-users", "Any", "*", 0, 11, 0);
	sip_test_set(&t, "IP2IPRouting", 1, "DestHost", "example.com");
	if (!sip_test_start(&t, err, sizeof(err)))
		fprintf(stderr, "engine: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.e);

	/* 1001 matches rules 0, 1 and 2: the first wins */
	udp_send(caller, pc, ports[0], "INVITE", "alice", "1001", "route-1");
	CU_ASSERT(udp_got(&t, x, "INVITE sip:1001@127.0.0.1", buf, sizeof(buf), 2000));
	CU_ASSERT_PTR_NOT_NULL(strstr(sip_msg_header(buf, "Via", h, sizeof(h)), "127.0.0.1"));
	CU_ASSERT_PTR_NULL(strstr(buf, "route-1")); /* a new Call-ID towards the destination */
	/* 2001: rule 1 (INVITE only) */
	udp_send(caller, pc, ports[0], "INVITE", "alice", "2001", "route-2");
	CU_ASSERT(udp_got(&t, y, "INVITE sip:2001@", buf, sizeof(buf), 2000));
	/* MESSAGE to 2001 skips the INVITE rule: rule 2 */
	udp_send(caller, pc, ports[0], "MESSAGE", "alice", "2001", "route-3");
	CU_ASSERT(udp_got(&t, z, "MESSAGE sip:2001@", buf, sizeof(buf), 2000));
	CU_ASSERT(sip_test_event(&t, "route-3", NULL, NULL) == 0);
	CU_ASSERT(sip_test_event(&t, "MESSAGE from alice", "IP group 'lab'", "rule 'r-all'"));

	/* classification: a deny rule and no matching rule answer the interface's 403 */
	udp_send(caller, pc, ports[0], "INVITE", "evil1", "1001", "route-4");
	CU_ASSERT_EQUAL(udp_status(&t, caller, buf, sizeof(buf)), 403);
	CU_ASSERT(sip_test_event(&t, "refused 403", "denied by classification rule 0", NULL));

	/* live change: rule 0 now sends 100x to y; rule 2 only for user 3; 4xxx unregistered */
	sip_test_set(&t, "IP2IPRouting", 0, "DestPort", "0");
	snprintf(h, sizeof(h), "%u", py);
	sip_test_set(&t, "IP2IPRouting", 0, "DestPort", h);
	sip_test_set(&t, "IP2IPRouting", 2, "DestUsernamePrefix", "3");
	sip_test_set(&t, "Classification", 1, "SrcAddress", "10.0.0.*");
	sip_engine_config_changed(t.e, t.st);
	/* the store may go away after the call: the engine kept its own copy */
	udp_send(caller, pc, ports[0], "INVITE", "alice", "1002", "route-5");
	CU_ASSERT_EQUAL(udp_status(&t, caller, buf, sizeof(buf)), 403);
	sip_test_set(&t, "Classification", 1, "SrcAddress", "127.0.0.1");
	sip_engine_config_changed(t.e, t.st);
	udp_send(caller, pc, ports[0], "INVITE", "alice", "1002", "route-6");
	CU_ASSERT(udp_got(&t, y, "INVITE sip:1002@", buf, sizeof(buf), 2000));
	/* MESSAGE to 4001: rule 3, all users, nobody registered: 480 */
	udp_send(caller, pc, ports[0], "MESSAGE", "alice", "4001", "route-7");
	CU_ASSERT_EQUAL(udp_status(&t, caller, buf, sizeof(buf)), 480);
	/* no rule at all for it: 404 */
	sip_test_set(&t, "IP2IPRouting", 3, "DestUsernamePrefix", "5");
	sip_engine_config_changed(t.e, t.st);
	udp_send(caller, pc, ports[0], "MESSAGE", "alice", "4001", "route-8");
	CU_ASSERT_EQUAL(udp_status(&t, caller, buf, sizeof(buf)), 404);
	CU_ASSERT(sip_test_event(&t, "refused 404", "no routing rule matches", NULL));
	close(x), close(y), close(z), close(caller);
	sip_test_done(&t);
}

UNIT_SUITE(sip_route, {"classification and first matching rule", test_routing});

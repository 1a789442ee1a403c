/*
 * SIP identity (issue 15): certificate-bound registrations, the certificate
 * to AOR rule, digest authentication (SHA-256, MD5, nonce count, stale), and
 * the registration limits, against an engine in this process. The peers are
 * small clients of this file: TLS (tests/unit/test_sip_util.h) and UDP.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf/sipcred.h"
#include "tls/names.h"
#include "sbc/sip/sip_engine.h"
#include "tests/unit/test_sip_util.h"
#include "tests/unit/unit.h"

static const int roots_main[] = {TLS_PKI_ROOT, -1};

static void setup(struct sip_test *t, unsigned ports[3], const char *const *set)
{
	char err[512] = "";

	CU_ASSERT_EQUAL_FATAL(sip_test_init(t), 0);
	sip_test_ctx(t, 0, "default", TLS_PKI_SERVER_EC, roots_main, 0);
	sip_test_iface(t, 0, "users", "default", 1, 7, ports);
	for (; set && set[0]; set += 2)
		sip_test_set(t, "SIPInterface", 0, set[0], set[1]);
	if (!sip_test_start(t, err, sizeof(err)))
		fprintf(stderr, "engine: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->e);
}

/* A policy change on the running engine, as sbcd does after a commit. */
static void apply(struct sip_test *t, const char *table, const char *col, const char *value)
{
	sip_test_set(t, table, 0, col, value);
	sip_engine_config_changed(t->e, t->st);
}

struct udp {
	int fd;
	unsigned lport, port;
};

static void udp_open(struct udp *u, unsigned port)
{
	struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t ml = sizeof(me);

	u->fd = socket(AF_INET, SOCK_DGRAM, 0);
	CU_ASSERT_FATAL(u->fd >= 0);
	bind(u->fd, (struct sockaddr *)&me, sizeof(me));
	getsockname(u->fd, (struct sockaddr *)&me, &ml);
	u->lport = ntohs(me.sin_port);
	u->port = port;
}

/* Sends req and returns the final status (resp holds it), or -1 after 2 s. */
static int udp_send(struct sip_test *t, struct udp *u, const char *req, char *resp, size_t rlen)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(u->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int status = -1;

	sendto(u->fd, req, strlen(req), 0, (struct sockaddr *)&a, sizeof(a));
	for (int i = 0; i < 400 && status < 200; i++) {
		ssize_t k;
		sip_test_pump(t, 5);
		k = recv(u->fd, resp, rlen - 1, MSG_DONTWAIT);
		if (k > 0) {
			resp[k] = 0;
			status = sip_msg_status(resp);
		}
	}
	return status;
}

/* REGISTER of user with extra headers (Contact, Expires, Authorization) over UDP. */
static int udp_register(struct sip_test *t, struct udp *u, const char *user, const char *extra,
			unsigned cseq, char *resp, size_t rlen)
{
	char req[4096], cid[64];

	snprintf(cid, sizeof(cid), "udp-reg-%s-%u", user, u->lport);
	sip_msg_request(req, sizeof(req), "REGISTER", "sip:example.com", "UDP", u->lport, user,
			user, cid, cseq, extra, NULL);
	return udp_send(t, u, req, resp, rlen);
}

static int tls_register(struct sip_test *t, struct sip_client *c, const char *user,
			const char *extra, unsigned cseq, char *resp, size_t rlen)
{
	char req[4096], cid[64];

	snprintf(cid, sizeof(cid), "tls-reg-%s-%u", user, c->local_port);
	sip_msg_request(req, sizeof(req), "REGISTER", "sip:example.com", "TLS", c->local_port, user,
			user, cid, cseq, extra, NULL);
	if (sip_client_send(t, c, req) < 0 || sip_client_recv(t, c, resp, rlen, 2000) <= 0)
		return -1;
	return sip_msg_status(resp);
}

static unsigned nregs(struct sip_test *t)
{
	unsigned n = 0;
	char buf[512];

	while (sip_test_status_str(t, "Registrations", n, "AOR", buf, sizeof(buf))[0])
		n++;
	return n;
}

static void test_cert_bound(void)
{
	struct sip_test t;
	unsigned ports[3];
	struct sip_client al, other;
	struct udp u;
	char resp[4096], h[512], extra[512], buf[512];

	setup(&t, ports, NULL);
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &al, ports[2], TLS_PKI_CLIENT_ALICE, 0, 0, 3000),
			      1);
	snprintf(extra, sizeof(extra), "Contact: <sip:alice@127.0.0.1:%u;transport=tls>\r\n",
		 al.local_port);
	CU_ASSERT_EQUAL(tls_register(&t, &al, "alice", extra, 1, resp, sizeof(resp)), 200);
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    sip_test_status_str(&t, "Registrations", 0, "CertificateSubject", buf, sizeof(buf)),
	    "alice"));
	CU_ASSERT_STRING_EQUAL(
	    sip_test_status_str(&t, "Registrations", 0, "Authentication", buf, sizeof(buf)),
	    "certificate");
	CU_ASSERT_STRING_EQUAL(
	    sip_test_status_str(&t, "Registrations", 0, "IdentityCheck", buf, sizeof(buf)),
	    "certificate bound (no AOR rule)");

	/* the hijack: a plain UDP peer adds a binding, then removes them all */
	udp_open(&u, ports[0]);
	snprintf(extra, sizeof(extra), "Contact: <sip:alice@127.0.0.1:%u>\r\n", u.lport);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", extra, 1, resp, sizeof(resp)), 403);
	CU_ASSERT_PTR_NOT_NULL(strstr(sip_msg_header(resp, "Reason", h, sizeof(h)), "bound to"));
	CU_ASSERT_EQUAL(
	    udp_register(&t, &u, "alice", "Contact: *\r\nExpires: 0\r\n", 2, resp, sizeof(resp)),
	    403);
	CU_ASSERT_EQUAL(nregs(&t), 1);
	CU_ASSERT_STRING_EQUAL(
	    sip_test_status_str(&t, "Registrations", 0, "Transport", buf, sizeof(buf)), "tls");
	/* another valid certificate of the same CA is not alice's either */
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &other, ports[2], TLS_PKI_CLIENT_EC, 0, 0, 3000),
			      1);
	CU_ASSERT_EQUAL(tls_register(&t, &other, "alice", "Contact: *\r\nExpires: 0\r\n", 1, resp,
				     sizeof(resp)),
			403);
	CU_ASSERT_EQUAL(nregs(&t), 1);
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "IdentityMismatches"), 3);
	CU_ASSERT(sip_test_event(&t, "refused 403", "sip:alice@example.com", "127.0.0.1"));
	/* a user not bound to a certificate stays open to UDP (no authentication asked) */
	snprintf(extra, sizeof(extra), "Contact: <sip:bob@127.0.0.1:%u>\r\n", u.lport);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "bob", extra, 3, resp, sizeof(resp)), 200);
	/* alice herself removes her binding */
	CU_ASSERT_EQUAL(
	    tls_register(&t, &al, "alice", "Contact: *\r\nExpires: 0\r\n", 2, resp, sizeof(resp)),
	    200);
	CU_ASSERT_EQUAL(nregs(&t), 1); /* bob's */
	close(u.fd);
	sip_client_close(&al);
	sip_client_close(&other);
	sip_test_done(&t);
}

static void test_aor_rule(void)
{
	static const char *const set[] = {"TLSIdentityBinding", "2", NULL};
	struct sip_test t;
	unsigned ports[3];
	struct sip_client al, cl;
	char resp[4096], h[512], extra[512], buf[512];

	setup(&t, ports, set);
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &al, ports[2], TLS_PKI_CLIENT_ALICE, 0, 0, 3000),
			      1);
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &cl, ports[2], TLS_PKI_CLIENT_EC, 0, 0, 3000), 1);
	snprintf(extra, sizeof(extra), "Contact: <sip:x@127.0.0.1:%u;transport=tls>\r\n",
		 cl.local_port);
	/* aor-match: client.test has no URI SAN for alice */
	CU_ASSERT_EQUAL(tls_register(&t, &cl, "alice", extra, 1, resp, sizeof(resp)), 403);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(sip_msg_header(resp, "Reason", h, sizeof(h)), "does not match"));
	CU_ASSERT_EQUAL(tls_register(&t, &al, "bob", extra, 1, resp, sizeof(resp)), 403);
	CU_ASSERT_EQUAL(nregs(&t), 0);
	CU_ASSERT_EQUAL(tls_register(&t, &al, "alice", extra, 2, resp, sizeof(resp)), 200);
	CU_ASSERT_STRING_EQUAL(
	    sip_test_status_str(&t, "Registrations", 0, "IdentityCheck", buf, sizeof(buf)),
	    "aor-match: URI sip:alice@example.com = AOR");
	/* subject: the AOR host (example.com) or user must match a DNS SAN or the CN */
	apply(&t, "SIPInterface", "TLSIdentityBinding", "1");
	CU_ASSERT_EQUAL(tls_register(&t, &cl, "carol", extra, 2, resp, sizeof(resp)), 403);
	CU_ASSERT_EQUAL(tls_register(&t, &al, "alice", extra, 3, resp, sizeof(resp)), 200);
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "IdentityMismatches"), 3);
	CU_ASSERT_EQUAL(tls_register(&t, &cl, "client.test", extra, 3, resp, sizeof(resp)), 200);
	CU_ASSERT_STRING_EQUAL(
	    sip_test_status_str(&t, "Registrations", 0, "IdentityCheck", buf, sizeof(buf)),
	    "subject: DNS client.test = AOR user");
	sip_client_close(&al);
	sip_client_close(&cl);
	sip_test_done(&t);
}

/* wildcards as for TLSRemoteSubjectName */
static void test_name_match(void)
{
	CU_ASSERT(tls_name_match("*.example.com", "pbx.example.com"));
	CU_ASSERT(tls_name_match("pbx.example.com", "*.example.com"));
	CU_ASSERT(!tls_name_match("*.example.com", "example.com"));
	CU_ASSERT(!tls_name_match("*.example.com", "a.b.example.com") ||
		  tls_name_match("*.example.com", "a.b.example.com") == 0);
	CU_ASSERT(tls_name_match("Client.Test", "client.test"));
	CU_ASSERT(!tls_name_match("", ""));
}

/* --- digest --- */

/* nonce of the challenge header line that names alg, into out. */
static int nonce_of(const char *resp, const char *hname, const char *alg, char *out, size_t len)
{
	for (const char *p = resp; (p = strstr(p, hname)); p++) {
		const char *eol = strstr(p, "\r\n"), *a = strstr(p, alg),
			   *n = strstr(p, "nonce=\"");
		if (!eol || !a || a > eol || !n || n > eol)
			continue;
		n += 7;
		snprintf(out, len, "%.*s", (int)(strchr(n, '"') - n), n);
		return 0;
	}
	return -1;
}

/* An Authorization (or Proxy-Authorization) header line for user/password. */
static void digest_line(char *out, size_t len, const char *hname, enum conf_digest_alg alg,
			const char *user, const char *pass, const char *realm, const char *method,
			const char *uri, const char *nonce, unsigned nc)
{
	char a1[256], ha1[65], a2[256], ha2[65], r[512], resp[65], ncs[9];

	snprintf(ncs, sizeof(ncs), "%08x", nc);
	snprintf(a1, sizeof(a1), "%s:%s:%s", user, realm, pass);
	conf_digest_hex(alg, a1, strlen(a1), ha1, sizeof(ha1));
	snprintf(a2, sizeof(a2), "%s:%s", method, uri);
	conf_digest_hex(alg, a2, strlen(a2), ha2, sizeof(ha2));
	snprintf(r, sizeof(r), "%s:%s:%s:%s:auth:%s", ha1, nonce, ncs, "c0ffee", ha2);
	conf_digest_hex(alg, r, strlen(r), resp, sizeof(resp));
	snprintf(out, len,
		 "%s: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
		 "response=\"%s\", algorithm=%s, qop=auth, nc=%s, cnonce=\"c0ffee\"\r\n",
		 hname, user, realm, nonce, uri, resp, alg == CONF_DIGEST_MD5 ? "MD5" : "SHA-256",
		 ncs);
}

static void test_digest(void)
{
	static const char *const set[] = {"AuthenticationMode", "2", NULL};
	struct sip_test t;
	unsigned ports[3];
	struct udp u;
	char resp[4096], extra[1024], contact[128], auth[700], nonce[64], req[4096], buf[512];
	const struct conf_row *row;

	CU_ASSERT_EQUAL_FATAL(sip_test_init(&t), 0);
	sip_test_set(&t, "SIPCredentials", 0, "Username", "alice");
	sip_test_set(&t, "SIPCredentials", 0, "Password", "Circle of Life");
	/* stored as HA1s, never in clear */
	row = conf_store_get(t.st, &conf_tbl_sipcredentials, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(row);
	CU_ASSERT(conf_sipcred_matches(row->v[SIPCRED_PASSWORD].s, "alice", "sbc"));
	CU_ASSERT_PTR_NULL(strstr(row->v[SIPCRED_PASSWORD].s, "Circle"));
	sip_test_done(&t);

	setup(&t, ports, set);
	sip_test_set(&t, "SIPCredentials", 0, "Username", "alice");
	sip_test_set(&t, "SIPCredentials", 0, "Password", "Circle of Life");
	sip_engine_config_changed(t.e, t.st);
	udp_open(&u, ports[0]);
	snprintf(contact, sizeof(contact), "Contact: <sip:alice@127.0.0.1:%u>\r\n", u.lport);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", contact, 1, resp, sizeof(resp)), 401);
	/* RFC 8760: SHA-256 offered first, then MD5, both qop=auth */
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "algorithm=SHA-256"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "algorithm=MD5"));
	CU_ASSERT(strstr(resp, "algorithm=SHA-256") < strstr(resp, "algorithm=MD5"));
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "qop=\"auth\""));
	CU_ASSERT_EQUAL(nregs(&t), 0);
	CU_ASSERT_EQUAL_FATAL(nonce_of(resp, "WWW-Authenticate", "SHA-256", nonce, sizeof(nonce)),
			      0);
	digest_line(auth, sizeof(auth), "Authorization", CONF_DIGEST_SHA256, "alice",
		    "Circle of Life", "sbc", "REGISTER", "sip:example.com", nonce, 1);
	snprintf(extra, sizeof(extra), "%s%s", contact, auth);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", extra, 2, resp, sizeof(resp)), 200);
	CU_ASSERT_STRING_EQUAL(
	    sip_test_status_str(&t, "Registrations", 0, "Authentication", buf, sizeof(buf)),
	    "digest-sha-256");
	/* the same nonce count again: a replay */
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", extra, 3, resp, sizeof(resp)), 401);
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "ReplayedNonces"), 1);
	digest_line(auth, sizeof(auth), "Authorization", CONF_DIGEST_SHA256, "alice",
		    "Circle of Life", "sbc", "REGISTER", "sip:example.com", nonce, 2);
	snprintf(extra, sizeof(extra), "%s%s", contact, auth);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", extra, 4, resp, sizeof(resp)), 200);
	/* wrong password: 403 with a Reason */
	digest_line(auth, sizeof(auth), "Authorization", CONF_DIGEST_SHA256, "alice", "guess",
		    "sbc", "REGISTER", "sip:example.com", nonce, 3);
	snprintf(extra, sizeof(extra), "%s%s", contact, auth);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", extra, 5, resp, sizeof(resp)), 403);
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "AuthFailures"), 1);
	/* alice's password does not register bob */
	digest_line(auth, sizeof(auth), "Authorization", CONF_DIGEST_SHA256, "alice",
		    "Circle of Life", "sbc", "REGISTER", "sip:example.com", nonce, 4);
	snprintf(extra, sizeof(extra), "%s%s", contact, auth);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "bob", extra, 6, resp, sizeof(resp)), 403);
	/* MD5 */
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", contact, 7, resp, sizeof(resp)), 401);
	CU_ASSERT_EQUAL_FATAL(nonce_of(resp, "WWW-Authenticate", "MD5", nonce, sizeof(nonce)), 0);
	digest_line(auth, sizeof(auth), "Authorization", CONF_DIGEST_MD5, "alice", "Circle of Life",
		    "sbc", "REGISTER", "sip:example.com", nonce, 1);
	snprintf(extra, sizeof(extra), "%s%s", contact, auth);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", extra, 8, resp, sizeof(resp)), 200);
	CU_ASSERT_STRING_EQUAL(
	    sip_test_status_str(&t, "Registrations", 0, "Authentication", buf, sizeof(buf)),
	    "digest-md5");
	/* an expired nonce with the right password: stale=true */
	apply(&t, "Globals", "SIPDigestNonceLifetime", "1");
	sip_test_pump(&t, 1100);
	sleep(1);
	digest_line(auth, sizeof(auth), "Authorization", CONF_DIGEST_MD5, "alice", "Circle of Life",
		    "sbc", "REGISTER", "sip:example.com", nonce, 2);
	snprintf(extra, sizeof(extra), "%s%s", contact, auth);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", extra, 9, resp, sizeof(resp)), 401);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "stale=true"));
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "StaleNonces"), 1);
	/* INVITE: 407 with Proxy-Authenticate before any routing */
	sip_msg_request(req, sizeof(req), "INVITE", "sip:bob@example.com", "UDP", u.lport, "alice",
			"bob", "digest-call-1", 1, contact, NULL);
	CU_ASSERT_EQUAL(udp_send(&t, &u, req, resp, sizeof(resp)), 407);
	CU_ASSERT_PTR_NOT_NULL(strstr(resp, "Proxy-Authenticate: Digest"));
	CU_ASSERT(sip_test_status(&t, "SIPIdentityStatus", 0, "Challenges") >= 4);
	close(u.fd);
	sip_test_done(&t);
}

/* --- limits --- */

static void test_limits(void)
{
	static const char *const set[] = {"MaxNumOfRegUsers", "1", NULL};
	struct sip_test t;
	unsigned ports[3];
	struct udp u;
	char resp[4096], contact[128], req[4096], h[512];

	setup(&t, ports, set);
	udp_open(&u, ports[0]);
	snprintf(contact, sizeof(contact), "Contact: <sip:x@127.0.0.1:%u>\r\n", u.lport);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", contact, 1, resp, sizeof(resp)), 200);
	CU_ASSERT_EQUAL(udp_register(&t, &u, "bob", contact, 1, resp, sizeof(resp)), 503);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(sip_msg_header(resp, "Reason", h, sizeof(h)), "MaxNumOfRegUsers"));
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", contact, 2, resp, sizeof(resp)), 200);
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "RegistrationLimitRefused"), 1);
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "RegisteredUsers"), 1);
	CU_ASSERT(sip_test_event(&t, "refused 503", "sip:bob@example.com", NULL));
	/* BlockUnRegUsers: carol has no binding */
	apply(&t, "SIPInterface", "BlockUnRegUsers", "1");
	sip_msg_request(req, sizeof(req), "MESSAGE", "sip:alice@example.com", "UDP", u.lport,
			"carol", "alice", "block-1", 1, NULL, NULL);
	CU_ASSERT_EQUAL(udp_send(&t, &u, req, resp, sizeof(resp)), 403);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(sip_msg_header(resp, "Reason", h, sizeof(h)), "not registered"));
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "UnregisteredRefused"), 1);
	/* EnableUnAuthenticatedRegistrations disable: a bare REGISTER is challenged */
	apply(&t, "SIPInterface", "EnableUnAuthenticatedRegistrations", "0");
	CU_ASSERT_EQUAL(udp_register(&t, &u, "alice", contact, 3, resp, sizeof(resp)), 401);
	close(u.fd);
	sip_test_done(&t);
}

UNIT_SUITE(sip_identity, {"certificate-bound registrations", test_cert_bound},
	   {"certificate to AOR rule", test_aor_rule}, {"name wildcards", test_name_match},
	   {"digest authentication", test_digest}, {"registration limits", test_limits});

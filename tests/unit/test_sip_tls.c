/*
 * SIP over TLS with mutual authentication: real handshakes against the
 * engine's TLS ports on 127.0.0.1, each case asserting the outcome (200 to
 * OPTIONS, or refusal with its alert) and the TLSStatus counter that moved.
 */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "sbc/sip/sip_engine.h"
#include "tests/unit/test_sip_util.h"
#include "tests/unit/unit.h"

static const char *const counters[] = {
    "HandshakesAccepted", "RejectedNoCertificate",   "RejectedUnknownCA",       "RejectedExpired",
    "RejectedRevoked",    "RejectedBadPurpose",      "RejectedSubjectMismatch", "RejectedProtocol",
    "RejectedTimeout",    "RejectedConnectionLimit",
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

static const int roots_main[] = {TLS_PKI_ROOT, -1};
static const int roots_rogue[] = {TLS_PKI_ROGUE_CA, -1};
#define CRL_MAIN ((1u << TLS_PKI_CRL_ROOT) | (1u << TLS_PKI_CRL_INTER))

/* Context 0 on the main PKI (with CRLs), one SIP interface with TLS only. */
static unsigned setup_one(struct sip_test *t, int mutual, int global)
{
	unsigned port;
	char v[8];

	CU_ASSERT_EQUAL_FATAL(sip_test_init(t), 0);
	sip_test_ctx(t, 0, "default", TLS_PKI_SERVER_EC, roots_main, CRL_MAIN);
	port = sip_test_iface(t, 0, "tls-if", "default", mutual, 4, NULL);
	snprintf(v, sizeof(v), "%d", global);
	sip_test_set(t, "Globals", 0, "SIPSRequireClientCertificate", v);
	return port;
}

static void snap(struct sip_test *t, unsigned row, long long out[NCOUNTERS])
{
	for (unsigned i = 0; i < NCOUNTERS; i++)
		out[i] = sip_test_status(t, "TLSStatus", row, counters[i]);
}

/* Connects with cert, sends OPTIONS when the client handshake completes; 1 when 200 came. */
static int try_client(struct sip_test *t, unsigned port, int cert, int maxv, int *alert,
		      int *requested)
{
	struct sip_client c;
	int ok = 0;

	if (sip_client_tls(t, &c, port, cert, 0, maxv, 3000))
		ok = sip_client_options(t, &c) == 200;
	if (alert)
		*alert = c.alert_recv;
	if (requested)
		*requested = c.cert_requested;
	sip_client_close(&c);
	sip_test_pump(t, 20);
	return ok;
}

/* Exactly `which` moved, by one; every other counter stayed. */
static int only_moved(const long long a[NCOUNTERS], const long long b[NCOUNTERS], const char *which)
{
	int good = 1;

	for (unsigned i = 0; i < NCOUNTERS; i++) {
		long long want = a[i] + (strcmp(counters[i], which) == 0);
		if (b[i] != want) {
			fprintf(stderr, "  counter %s: %lld -> %lld (want %lld)\n", counters[i],
				a[i], b[i], want);
			good = 0;
		}
	}
	return good;
}

struct mcase {
	const char *name;
	int cert;
	int maxv;
	int ok;
	const char *counter;
	int alert; /* expected fatal alert from the server, -1 none, -2 any */
};

static const struct mcase matrix[] = {
    {"ECDSA client via intermediate", TLS_PKI_CLIENT_EC, 0, 1, "HandshakesAccepted", -1},
    {"RSA client via intermediate", TLS_PKI_CLIENT_RSA, 0, 1, "HandshakesAccepted", -1},
    {"ECDSA client over TLS 1.2", TLS_PKI_CLIENT_EC, TLS1_2_VERSION, 1, "HandshakesAccepted", -1},
    {"no certificate, TLS 1.3", -1, 0, 0, "RejectedNoCertificate", 116},
    {"no certificate, TLS 1.2", -1, TLS1_2_VERSION, 0, "RejectedNoCertificate", 40},
    {"unknown CA", TLS_PKI_ROGUE_CLIENT, 0, 0, "RejectedUnknownCA", 48},
    {"self-signed", TLS_PKI_ROGUE, 0, 0, "RejectedUnknownCA", 48},
    {"expired", TLS_PKI_EXPIRED, 0, 0, "RejectedExpired", 45},
    {"not yet valid", TLS_PKI_NOT_YET_VALID, 0, 0, "RejectedExpired", -2},
    {"revoked", TLS_PKI_REVOKED, 0, 0, "RejectedRevoked", 44},
    {"serverAuth-only EKU", TLS_PKI_SERVER_EC, 0, 0, "RejectedBadPurpose", -2},
    {"codeSigning-only EKU", TLS_PKI_WRONG_EKU, 0, 0, "RejectedBadPurpose", -2},
};

static void test_matrix(void)
{
	struct sip_test t;
	unsigned port = setup_one(&t, 1, 0);
	char err[512] = "";
	long long a[NCOUNTERS], b[NCOUNTERS];

	if (!sip_test_start(&t, err, sizeof(err)))
		fprintf(stderr, "engine: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.e);
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "MutualAuthentication"), 1);
	for (unsigned i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
		const struct mcase *m = &matrix[i];
		int alert = -1, ok;
		snap(&t, 0, a);
		ok = try_client(&t, port, m->cert, m->maxv, &alert, NULL);
		snap(&t, 0, b);
		if (ok != m->ok || !only_moved(a, b, m->counter) ||
		    (m->alert >= 0 && alert != m->alert) || (m->alert == -2 && alert < 0)) {
			fprintf(stderr, "  case '%s': ok %d alert %d\n", m->name, ok, alert);
			CU_FAIL("certificate matrix case");
		}
	}
	/* one log line per connection, naming the interface, reason and peer certificate */
	CU_ASSERT(sip_test_event(&t, "TLS accepted", "interface 'tls-if'", "CN=client"));
	CU_ASSERT(sip_test_event(&t, "rejected (revoked", "peer 127.0.0.1:", NULL));
	CU_ASSERT(sip_test_event(&t, "rejected (no-certificate", "version TLSv1.3", NULL));
	CU_ASSERT(sip_test_event(&t, "rejected (expired", "issuer '", NULL));
	sip_test_done(&t);
}

/* Mutual authentication: the row's setting wins when 0 or 1; -1 follows the global. */
static void test_override(void)
{
	static const struct {
		int row, global, eff;
	} cases[] = {{-1, 1, 1}, {0, 1, 0}, {1, 0, 1}, {-1, 0, 0}};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_test t;
		unsigned port = setup_one(&t, cases[i].row, cases[i].global);
		char err[512];
		int requested = -1, ok;

		CU_ASSERT_PTR_NOT_NULL_FATAL(sip_test_start(&t, err, sizeof(err)));
		CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "MutualAuthentication"),
				cases[i].eff);
		ok = try_client(&t, port, -1, 0, NULL, &requested);
		CU_ASSERT_EQUAL(ok, !cases[i].eff);
		/* off: no certificate is even requested */
		CU_ASSERT_EQUAL(requested, cases[i].eff);
		CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "RejectedNoCertificate"),
				cases[i].eff);
		ok = try_client(&t, port, TLS_PKI_CLIENT_EC, 0, NULL, &requested);
		CU_ASSERT_EQUAL(ok, 1);
		sip_test_done(&t);
	}
}

/* Two interfaces, each with its own context and CA: each accepts only its own clients. */
static void test_two_interfaces(void)
{
	struct sip_test t;
	unsigned p0, p1;
	char err[512];

	CU_ASSERT_EQUAL_FATAL(sip_test_init(&t), 0);
	sip_test_ctx(&t, 0, "default", TLS_PKI_SERVER_EC, roots_main, CRL_MAIN);
	sip_test_ctx(&t, 3, "rogue", TLS_PKI_ROGUE, roots_rogue, 0);
	p0 = sip_test_iface(&t, 0, "main-if", "default", 1, 4, NULL);
	p1 = sip_test_iface(&t, 1, "rogue-if", "rogue", 1, 4, NULL);
	if (!sip_test_start(&t, err, sizeof(err)))
		fprintf(stderr, "engine: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.e);
	CU_ASSERT_EQUAL(try_client(&t, p0, TLS_PKI_CLIENT_EC, 0, NULL, NULL), 1);
	CU_ASSERT_EQUAL(try_client(&t, p1, TLS_PKI_CLIENT_EC, 0, NULL, NULL), 0);
	CU_ASSERT_EQUAL(try_client(&t, p1, TLS_PKI_ROGUE_CLIENT, 0, NULL, NULL), 1);
	CU_ASSERT_EQUAL(try_client(&t, p0, TLS_PKI_ROGUE_CLIENT, 0, NULL, NULL), 0);
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "HandshakesAccepted"), 1);
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "RejectedUnknownCA"), 1);
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 1, "HandshakesAccepted"), 1);
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 1, "RejectedUnknownCA"), 1);
	sip_test_done(&t);
}

/*
 * The policy really is bound to sofia's SSL_CTX: sofia alone would accept any
 * version; a context allowing TLS 1.3 only must refuse a TLS 1.2 client with
 * protocol_version (70), and one allowing TLS 1.2 only a TLS 1.3-only client.
 */
static void test_binding(void)
{
	static const struct {
		const char *ver;
		int cmin, cmax, ok;
	} cases[] = {
	    {"8", TLS1_2_VERSION, TLS1_2_VERSION, 0},
	    {"8", TLS1_3_VERSION, TLS1_3_VERSION, 1},
	    {"4", TLS1_3_VERSION, TLS1_3_VERSION, 0},
	    {"4", TLS1_2_VERSION, TLS1_2_VERSION, 1},
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_test t;
		unsigned port = setup_one(&t, 1, 0);
		struct sip_client c;
		char err[512];
		int ok = 0;

		sip_test_set(&t, "TLSContexts", 0, "TLSVersion", cases[i].ver);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sip_test_start(&t, err, sizeof(err)));
		if (sip_client_tls(&t, &c, port, TLS_PKI_CLIENT_EC, cases[i].cmin, cases[i].cmax,
				   3000))
			ok = sip_client_options(&t, &c) == 200;
		CU_ASSERT_EQUAL(ok, cases[i].ok);
		if (!cases[i].ok) {
			CU_ASSERT_EQUAL(c.alert_recv, SSL_AD_PROTOCOL_VERSION);
			CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "RejectedProtocol"), 1);
		}
		sip_client_close(&c);
		sip_test_done(&t);
	}
}

static int port_listens(unsigned port)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int s = socket(AF_INET, SOCK_STREAM, 0), rc;

	rc = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (s >= 0)
		close(s);
	return rc;
}

/*
 * A context whose policy cannot be applied leaves that TLS port down (degrade, don't die):
 * the engine starts, TLSStatus says down and why, nothing listens on the port.
 */
static void test_bind_failure(void)
{
	struct sip_test t;
	char err[512] = "", why[1024];
	unsigned port = setup_one(&t, 1, 0);

	sip_test_set(&t, "TLSContexts", 0, "ServerCipherString", "NO-SUCH-CIPHER");
	sip_test_set(&t, "TLSContexts", 0, "TLSVersion", "4");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sip_test_start(&t, err, sizeof(err)));
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "State"), 2);
	sip_test_status_str(&t, "TLSStatus", 0, "StateReason", why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "ServerCipherString"));
	if (!strstr(why, "ServerCipherString"))
		fprintf(stderr, "reason: %s\n", why);
	CU_ASSERT_FALSE(port_listens(port));
	sip_test_done(&t);
}

/* TLSRemoteSubjectName with PeerHostNameVerificationMode 2 restricts client subjects. */
static void test_subject(void)
{
	static const struct {
		const char *mode, *name;
		int ok;
	} cases[] = {
	    {"2", "client.test", 1},   {"2", "*.test", 1},     {"2", "other.test", 0},
	    {"2", "*.example.com", 0}, {"1", "other.test", 1}, /* mode 1: server side only */
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_test t;
		unsigned port = setup_one(&t, 1, 0);
		char err[512];
		long long a[NCOUNTERS], b[NCOUNTERS];
		int ok;

		sip_test_set(&t, "Globals", 0, "PeerHostNameVerificationMode", cases[i].mode);
		sip_test_set(&t, "Globals", 0, "TLSRemoteSubjectName", cases[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(sip_test_start(&t, err, sizeof(err)));
		snap(&t, 0, a);
		ok = try_client(&t, port, TLS_PKI_CLIENT_EC, 0, NULL, NULL);
		snap(&t, 0, b);
		CU_ASSERT_EQUAL(ok, cases[i].ok);
		CU_ASSERT(only_moved(
		    a, b, cases[i].ok ? "HandshakesAccepted" : "RejectedSubjectMismatch"));
		sip_test_done(&t);
	}
}

static unsigned long long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when the server closed fd (EOF or reset) */
static int closed_by_server(int fd)
{
	char b[64];
	ssize_t k = recv(fd, b, sizeof(b), MSG_DONTWAIT);

	return k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/*
 * Hundreds of stalled clients (TCP connected, nothing sent, or half a
 * ClientHello): the engine keeps serving, and closes each after the bound.
 */
static void test_stalled(void)
{
	enum { N = 300 };
	struct sip_test t;
	unsigned port = setup_one(&t, 1, 0);
	char err[512];
	int fds[N];
	unsigned open_ok = 0, closed = 0;
	unsigned long long t0, took;
	static const unsigned char half_hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00};

	sip_test_set(&t, "Globals", 0, "TLSHandshakeTimeout", "1");
	/* the SIP thread's own timeouts (sip_test_status waits for workers' handshakes, and
	 * these never end early); stalls on the workers: tests/integration/sip_hs.sh */
	sip_test_set(&t, "Globals", 0, "SIPTLSHandshakeThreads", "0");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sip_test_start(&t, err, sizeof(err)));
	for (int i = 0; i < N; i++) {
		fds[i] = sip_client_tcp(port);
		open_ok += fds[i] >= 0;
		if (i % 25 == 24)
			sip_test_pump(&t, 30); /* let the engine accept them (listen backlog) */
	}
	CU_ASSERT_EQUAL(open_ok, N);
	sip_test_pump(&t, 100);
	for (int i = 0; i < 10; i++)
		if (fds[i] >= 0 && send(fds[i], half_hello, sizeof(half_hello), 0) < 0)
			CU_FAIL("send");
	/* still responsive: a full handshake and OPTIONS well within the bound */
	t0 = ms_now();
	CU_ASSERT_EQUAL(try_client(&t, port, TLS_PKI_CLIENT_EC, 0, NULL, NULL), 1);
	took = ms_now() - t0;
	CU_ASSERT(took < 700);
	CU_ASSERT(sip_test_status(&t, "TLSStatus", 0, "ActiveConnections") >= N);
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "RejectedTimeout"), 0);
	/* past the bound (1 s) every stalled connection is closed and counted */
	for (unsigned long long end = ms_now() + 3000; ms_now() < end && closed < N;) {
		sip_test_pump(&t, 50);
		closed = 0;
		for (int i = 0; i < N; i++)
			closed += fds[i] >= 0 && closed_by_server(fds[i]);
	}
	CU_ASSERT_EQUAL(closed, N);
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "RejectedTimeout"), N);
	sip_test_pump(&t, 50);
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "ActiveConnections"), 0);
	CU_ASSERT(sip_test_event(&t, "rejected (timeout", "handshake not done", NULL));
	for (int i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	sip_test_done(&t);
}

/* MaxTLSConnections: the connection past the cap is closed at once. */
static void test_cap(void)
{
	struct sip_test t;
	unsigned port = setup_one(&t, 1, 0);
	char err[512];
	int fds[4];

	sip_test_set(&t, "SIPInterface", 0, "MaxTLSConnections", "3");
	CU_ASSERT_PTR_NOT_NULL_FATAL(sip_test_start(&t, err, sizeof(err)));
	for (int i = 0; i < 4; i++) {
		fds[i] = sip_client_tcp(port);
		sip_test_pump(&t, 30);
	}
	sip_test_pump(&t, 100);
	CU_ASSERT(!closed_by_server(fds[0]));
	CU_ASSERT(!closed_by_server(fds[2]));
	CU_ASSERT(closed_by_server(fds[3]));
	CU_ASSERT_EQUAL(sip_test_status(&t, "TLSStatus", 0, "RejectedConnectionLimit"), 1);
	/* once one is gone, a full client fits again */
	close(fds[0]);
	sip_test_pump(&t, 100);
	CU_ASSERT_EQUAL(try_client(&t, port, TLS_PKI_CLIENT_EC, 0, NULL, NULL), 1);
	for (int i = 1; i < 4; i++)
		close(fds[i]);
	sip_test_done(&t);
}

UNIT_SUITE(sip_tls, {"certificate matrix", test_matrix}, {"mutual auth override", test_override},
	   {"two interfaces, two CAs", test_two_interfaces},
	   {"policy bound to sofia", test_binding},
	   {"bad policy leaves the port down", test_bind_failure},
	   {"remote subject name", test_subject}, {"stalled handshakes", test_stalled},
	   {"connection cap", test_cap});

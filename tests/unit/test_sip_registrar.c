/*
 * The registrar's store at scale (sip_reg_store.h): 100,000 bindings inserted,
 * refreshed, looked up, expired in order and removed by connection, with the
 * users per interface counted as they go, the memory per binding and the time
 * the SIP loop is held to copy the Registrations table.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/store.h"
#include "sbc/sip/sip_engine.h"
#include "sbc/sip/sip_reg_store.h"
#include "tests/unit/test_sip_util.h"
#include "tests/unit/unit.h"

#define N     100000u
#define NCONN 50000u /* two users per connection */

static struct sip_iface ifs[2] = {{.name = "users-a"}, {.name = "users-b"}};
static char conns[NCONN]; /* &conns[i] stands for connection i (only a key to the store) */
static char other_conn;
static unsigned drops, conn_news, conn_drops;

static void on_drop(struct sip_binding *b, void *arg)
{
	drops++;
}

static int on_conn_new(struct sip_reg_conn *c, void *arg)
{
	conn_news++;
	return 0;
}

static void on_conn_drop(struct sip_reg_conn *c, void *arg)
{
	conn_drops++;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Binding i: user i over connection i % NCONN, interface i % 2, expiring in a permuted order. */
struct fixture {
	char user[32], aor[64], contact[96], peer[32];
	struct sip_reg_new nb;
};

static void make(struct fixture *f, unsigned i, time_t base)
{
	snprintf(f->user, sizeof(f->user), "u%06u", i);
	snprintf(f->aor, sizeof(f->aor), "sip:u%06u@sbc.example.com", i);
	snprintf(f->contact, sizeof(f->contact), "sip:u%06u@10.1.%u.%u:%u;transport=tls", i,
		 (i % NCONN) / 250, (i % NCONN) % 250, 5061 + i % 2);
	snprintf(f->peer, sizeof(f->peer), "10.1.%u.%u:%u", (i % NCONN) / 250, (i % NCONN) % 250,
		 40000 + (i % NCONN) % 20000);
	f->nb = (struct sip_reg_new){f->user,
				     f->aor,
				     f->contact,
				     f->peer,
				     "",
				     "",
				     "digest-md5",
				     "digest user",
				     &ifs[(i % NCONN) % 2],
				     SIP_PROTO_TLS,
				     (tport_t *)&conns[i % NCONN],
				     base + 1 + (time_t)((i * 7919u) % 3600u)};
}

static struct sip_reg_store *fill(time_t base, double *ms)
{
	struct sip_reg_hooks h = {on_drop, on_conn_new, on_conn_drop, NULL, NULL};
	struct sip_reg_store *s = sip_reg_store_new(&h);
	struct fixture f;
	double t0 = now_ms();

	drops = conn_news = conn_drops = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (unsigned i = 0; i < N; i++) {
		make(&f, i, base);
		CU_ASSERT_PTR_NULL(sip_reg_find(s, f.user, f.contact));
		if (!sip_reg_add(s, &f.nb)) {
			CU_FAIL("sip_reg_add");
			break;
		}
	}
	if (ms)
		*ms = now_ms() - t0;
	return s;
}

static void test_insert_lookup(void)
{
	double ms;
	size_t heap0 = mallinfo2().uordblks;
	struct sip_reg_store *s = fill(1000, &ms);
	size_t heap = mallinfo2().uordblks - heap0; /* what malloc handed out, headers included */
	struct fixture f;
	unsigned bad = 0;
	size_t bytes = sip_reg_bytes(s);

	CU_ASSERT_EQUAL(sip_reg_count(s), N);
	CU_ASSERT_EQUAL(conn_news, NCONN);
	/* each interface holds half the users (connection i carries users i and i + NCONN) */
	CU_ASSERT_EQUAL(sip_reg_users(s, NULL), N);
	CU_ASSERT_EQUAL(sip_reg_users(s, &ifs[0]), N / 2);
	CU_ASSERT_EQUAL(sip_reg_users(s, &ifs[1]), N / 2);
	for (unsigned i = 0; i < N; i++) {
		make(&f, i, 1000);
		struct sip_binding *b = sip_reg_freshest(s, f.user, 1000, 0);
		bad += !b || strcmp(b->contact, f.contact) || strcmp(b->aor, f.aor) ||
		       b->tp != f.nb.tp || b->ifc != f.nb.ifc || b->expires != f.nb.expires;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_PTR_NULL(sip_reg_freshest(s, "nobody", 1000, 0));
	CU_ASSERT_PTR_NULL(sip_reg_freshest(s, "u000001", 1000, 1)); /* no certificate bindings */
	/* a connection record per connection, found by tport and by peer */
	make(&f, 12345, 1000);
	struct sip_reg_conn *c = sip_reg_conn_of(s, f.nb.tp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->nbind, 2);
	CU_ASSERT_PTR_EQUAL(sip_reg_conn_find(s, f.nb.ifc, SIP_PROTO_TLS, f.peer), c);
	CU_ASSERT_PTR_NULL(sip_reg_conn_find(s, f.nb.ifc, SIP_PROTO_TCP, f.peer));
	/* the old single list took minutes here (a scan per insert); hashing takes well under 1 s
	 */
	fprintf(stderr,
		"\n  registrar: %u inserts in %.1f ms, %zu bytes (%zu per binding; malloc: %zu per "
		"binding) ",
		N, ms, bytes, bytes / N, heap / N);
	CU_ASSERT(ms < 3000);
	CU_ASSERT(bytes / N < 512);
	CU_ASSERT(heap / N < 512);
	sip_reg_store_free(s);
	CU_ASSERT_EQUAL(drops, N);
	CU_ASSERT_EQUAL(conn_drops, NCONN);
}

static void test_refresh(void)
{
	struct sip_reg_store *s = fill(1000, NULL);
	struct fixture f;
	unsigned moved = 0, bad = 0;
	double t0 = now_ms(), ms;

	/* a refresh over the same connection: in place, new expiry, freshest */
	for (unsigned i = 0; i < N; i++) {
		make(&f, i, 1000);
		struct sip_binding *b = sip_reg_find(s, f.user, f.contact);
		f.nb.expires = 5000 + i % 100;
		struct sip_binding *r = b ? sip_reg_refresh(s, b, &f.nb) : NULL;
		moved += r != b;
		bad += !r || r->expires != f.nb.expires;
	}
	ms = now_ms() - t0;
	fprintf(stderr, "\n  registrar: %u refreshes in %.1f ms ", N, ms);
	CU_ASSERT_EQUAL(moved, 0);
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(sip_reg_count(s), N);
	CU_ASSERT(ms < 3000);
	/* every binding now expires at 5000 or later: nothing is due before */
	CU_ASSERT_PTR_NULL(sip_reg_due(s, 4999));
	CU_ASSERT_PTR_NOT_NULL(sip_reg_due(s, 5000));

	/* user 7 moves to a new connection and interface, with a certificate */
	make(&f, 7, 1000);
	struct sip_binding *b = sip_reg_find(s, f.user, f.contact);
	struct sip_reg_conn *old = sip_reg_conn_of(s, f.nb.tp);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(old);
	f.nb.tp = (tport_t *)&other_conn; /* a key no other binding uses */
	f.nb.peer = "192.0.2.7:5061";
	f.nb.subject = "CN=u000007";
	f.nb.ifc = &ifs[0] == f.nb.ifc ? &ifs[1] : &ifs[0];
	f.nb.expires = 9000;
	struct sip_binding *nb = sip_reg_refresh(s, b, &f.nb);
	CU_ASSERT_PTR_NOT_NULL_FATAL(nb);
	CU_ASSERT_STRING_EQUAL(nb->peer, "192.0.2.7:5061");
	CU_ASSERT_EQUAL(sip_reg_count(s), N);
	CU_ASSERT_EQUAL(sip_reg_conn_of(s, f.nb.tp)->nbind, 1);
	CU_ASSERT_EQUAL(sip_reg_conn_of(s, (tport_t *)&conns[7])->nbind, 1);
	CU_ASSERT_PTR_EQUAL(sip_reg_freshest(s, "u000007", 1000, 1), nb);
	CU_ASSERT_EQUAL(sip_reg_cert_count(s), 1);
	/* the user moved interface: one user more there, one less on the old one */
	CU_ASSERT_EQUAL(sip_reg_users(s, f.nb.ifc), N / 2 + 1);
	CU_ASSERT_EQUAL(sip_reg_users(s, NULL), N);
	sip_reg_store_free(s);
}

static void test_expiry_order(void)
{
	struct sip_reg_store *s = fill(1000, NULL);
	struct sip_binding *b;
	time_t last = 0;
	unsigned n = 0, order_bad = 0, early = 0;
	double t0 = now_ms(), ms;

	/* step time forward a second at a time, as the engine tick does */
	for (time_t now = 1000; now <= 1000 + 3601; now++)
		while ((b = sip_reg_due(s, now))) {
			order_bad += b->expires < last;
			early += b->expires > now;
			last = b->expires;
			sip_reg_remove(s, b);
			n++;
		}
	ms = now_ms() - t0;
	fprintf(stderr, "\n  registrar: %u expiries in %.1f ms ", n, ms);
	CU_ASSERT_EQUAL(n, N);
	CU_ASSERT_EQUAL(order_bad, 0);
	CU_ASSERT_EQUAL(early, 0);
	CU_ASSERT_EQUAL(sip_reg_count(s), 0);
	CU_ASSERT_EQUAL(sip_reg_users(s, NULL), 0);
	CU_ASSERT_EQUAL(sip_reg_users(s, &ifs[0]), 0);
	CU_ASSERT_EQUAL(conn_drops, NCONN);
	CU_ASSERT(ms < 3000);
	sip_reg_store_free(s);
}

static void test_remove_by_connection(void)
{
	struct sip_reg_store *s = fill(1000, NULL);
	struct fixture f;
	unsigned removed = 0, left = 0;

	for (unsigned k = 0; k < 10000; k++) {
		struct sip_reg_conn *c = sip_reg_conn_of(s, (tport_t *)&conns[k]);
		if (c)
			removed += sip_reg_remove_conn(s, c);
	}
	CU_ASSERT_EQUAL(removed, 20000);
	CU_ASSERT_EQUAL(drops, 20000);
	CU_ASSERT_EQUAL(conn_drops, 10000);
	CU_ASSERT_EQUAL(sip_reg_count(s), N - 20000);
	CU_ASSERT_EQUAL(sip_reg_users(s, NULL), N - 20000);
	CU_ASSERT_EQUAL(sip_reg_users(s, &ifs[0]) + sip_reg_users(s, &ifs[1]), N - 20000);
	CU_ASSERT_PTR_NULL(sip_reg_conn_of(s, (tport_t *)&conns[5]));
	for (unsigned i = 0; i < N; i++) {
		make(&f, i, 1000);
		left += sip_reg_freshest(s, f.user, 1000, 0) != NULL;
	}
	CU_ASSERT_EQUAL(left, N - 20000);
	/* the heap is still in order after removals from its middle */
	time_t last = 0;
	unsigned bad = 0;
	for (struct sip_binding *b; (b = sip_reg_due(s, 99999)); sip_reg_remove(s, b))
		bad += b->expires < last, last = b->expires;
	CU_ASSERT_EQUAL(bad, 0);
	sip_reg_store_free(s);
}

/* A user with several contacts counts once per interface; not alive bindings are skipped. */
static int alive_not_b(const struct sip_binding *b, void *arg)
{
	return strstr(b->contact, "@b") == NULL;
}

static void test_users_and_alive(void)
{
	struct sip_reg_hooks h = {.alive = alive_not_b};
	struct sip_reg_store *s = sip_reg_store_new(&h);
	struct sip_reg_new a = {"alice", "sip:alice@x", "sip:alice@a", "1.1.1.1:1",   "",   "",
				"none",  "none",        &ifs[0],       SIP_PROTO_UDP, NULL, 100};
	struct sip_reg_new b = a;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	b.contact = "sip:alice@b";
	CU_ASSERT_PTR_NOT_NULL(sip_reg_add(s, &a));
	CU_ASSERT_PTR_NOT_NULL(sip_reg_add(s, &b)); /* newer, but not alive */
	CU_ASSERT_EQUAL(sip_reg_users(s, &ifs[0]), 1);
	CU_ASSERT_STRING_EQUAL(sip_reg_freshest(s, "alice", 50, 0)->contact, "sip:alice@a");
	b.contact = "sip:alice@c";
	b.ifc = &ifs[1];
	struct sip_binding *c = sip_reg_add(s, &b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(sip_reg_freshest(s, "alice", 50, 0)->contact, "sip:alice@c");
	CU_ASSERT_EQUAL(sip_reg_users(s, &ifs[0]), 1);
	CU_ASSERT_EQUAL(sip_reg_users(s, &ifs[1]), 1);
	CU_ASSERT_EQUAL(sip_reg_users(s, NULL), 1);
	sip_reg_remove(s, c);
	CU_ASSERT_EQUAL(sip_reg_users(s, &ifs[1]), 0);
	CU_ASSERT_EQUAL(sip_reg_users(s, &ifs[0]), 1);
	CU_ASSERT_PTR_NULL(sip_reg_freshest(s, "alice", 100, 0)); /* expired at 100 */
	sip_reg_store_free(s);
}

/*
 * The Registrations table of 100,000 bindings: the loop only copies them (median of 7
 * copies under 10 ms here); the rows are made later, off the loop, newest first.
 */
static void test_status_snapshot(void)
{
	struct sip_reg_store *s = fill(1000, NULL);
	double t[7], t0, fill_ms;
	struct sip_reg_snap *sn = NULL;

	for (unsigned k = 0; k < 7; k++) {
		sip_reg_snap_free(sn);
		t0 = now_ms();
		sn = sip_reg_snap_take(s, 1000);
		t[k] = now_ms() - t0;
	}
	for (unsigned i = 0; i < 7; i++) /* sort the samples */
		for (unsigned j = i + 1; j < 7; j++)
			if (t[j] < t[i]) {
				double x = t[i];
				t[i] = t[j], t[j] = x;
			}
	CU_ASSERT_PTR_NOT_NULL_FATAL(sn);
	/* the next copy reuses the buffer of the last one released: no fresh pages on the loop */
	const struct sip_reg_ent *buf = sn->ent;
	sip_reg_snap_free(sn);
	sn = sip_reg_snap_take(s, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(sn);
	CU_ASSERT_PTR_EQUAL(sn->ent, buf);
	CU_ASSERT(sn->cap >= N);
	CU_ASSERT_EQUAL(sip_reg_snap_count(sn), N);
	struct conf_store *st = conf_store_new();
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	t0 = now_ms();
	sip_reg_snap_fill(sn, st);
	fill_ms = now_ms() - t0;
	fprintf(stderr,
		"\n  registrar: status copy of %u bindings min %.1f median %.1f max %.1f ms "
		"on the loop; rows made in %.1f ms off it ",
		N, t[0], t[3], t[6], fill_ms);
	CU_ASSERT(t[3] < 10);
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_registrations);
	CU_ASSERT_EQUAL_FATAL(rs->n, N);
	CU_ASSERT_STRING_EQUAL(rs->row[0]->v[REGISTRATION_AOR].s, "sip:u099999@sbc.example.com");
	CU_ASSERT_STRING_EQUAL(rs->row[N - 1]->v[REGISTRATION_AOR].s,
			       "sip:u000000@sbc.example.com");
	/* row N - 1 - 5 is user 5 */
	CU_ASSERT_STRING_EQUAL(rs->row[N - 6]->v[REGISTRATION_TRANSPORT].s, "tls");
	CU_ASSERT_STRING_EQUAL(rs->row[N - 6]->v[REGISTRATION_INTERFACE_NAME].s, "users-b");
	CU_ASSERT_EQUAL(rs->row[N - 6]->v[REGISTRATION_EXPIRES].i, 1 + (5 * 7919) % 3600);
	conf_store_free(st);
	/* expired bindings are not shown */
	sn = sip_reg_snap_take(s, 1000 + 1800);
	CU_ASSERT(sip_reg_snap_count(sn) < N && sip_reg_snap_count(sn) > N / 3);
	sip_reg_snap_free(sn);
	sip_reg_store_free(s);
}

/* Bindings removed while a copy is out stay readable for it, and are freed after it. */
static void test_status_graveyard(void)
{
	struct sip_reg_store *s = fill(1000, NULL);
	struct sip_reg_snap *sn = sip_reg_snap_take(s, 1000);
	struct conf_store *st = conf_store_new();
	struct fixture f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sn);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	for (unsigned i = 0; i < 1000; i++) {
		make(&f, i, 1000);
		sip_reg_remove(s, sip_reg_find(s, f.user, f.contact));
	}
	CU_ASSERT_EQUAL(sip_reg_count(s), N - 1000);
	CU_ASSERT_EQUAL(sip_reg_reclaim(s), 1); /* one copy out: nothing freed yet */
	sip_reg_snap_fill(sn, st);              /* reads the removed ones too, then releases */
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_registrations);
	CU_ASSERT_EQUAL(rs->n, N);
	CU_ASSERT_STRING_EQUAL(rs->row[N - 1]->v[REGISTRATION_CONTACT].s,
			       "sip:u000000@10.1.0.0:5061;transport=tls");
	CU_ASSERT_EQUAL(sip_reg_reclaim(s), 0);
	conf_store_free(st);
	sip_reg_store_free(s);
}

/* REGISTER of user over c with its own contact; the status or -1. */
static int reg(struct sip_test *t, struct sip_client *c, const char *user, unsigned cseq)
{
	char req[2048], extra[256], cid[64], resp[4096];

	snprintf(cid, sizeof(cid), "reg-%s-%u", user, c->local_port);
	snprintf(extra, sizeof(extra), "Contact: <sip:%s@127.0.0.1:%u;transport=tls>\r\n", user,
		 c->local_port);
	sip_msg_request(req, sizeof(req), "REGISTER", "sip:example.com", "TLS", c->local_port, user,
			user, cid, cseq, extra, NULL);
	if (sip_client_send(t, c, req) < 0 || sip_client_recv(t, c, resp, sizeof(resp), 2000) <= 0)
		return -1;
	return sip_msg_status(resp);
}

static unsigned nregs(struct sip_test *t)
{
	unsigned n = 0;

	while (sip_test_status(t, "Registrations", n, "Expires") >= 0)
		n++;
	return n;
}

/*
 * In the engine: a closed connection ends the bindings made over it (sofia's close
 * notification), the others stay; refreshes keep one binding; the user counts follow.
 */
static void test_engine_connection_close(void)
{
	static const int roots[] = {TLS_PKI_ROOT, -1};
	struct sip_test t;
	unsigned ports[3];
	struct sip_client a, b;
	char err[512] = "", buf[256];

	CU_ASSERT_EQUAL_FATAL(sip_test_init(&t), 0);
	sip_test_ctx(&t, 0, "default", TLS_PKI_SERVER_EC, roots, 0);
	sip_test_iface(&t, 0, "users", "default", 1, 7, ports);
	if (!sip_test_start(&t, err, sizeof(err)))
		fprintf(stderr, "engine: %s\n", err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t.e);
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &a, ports[2], TLS_PKI_CLIENT_EC, 0, 0, 3000), 1);
	CU_ASSERT_EQUAL_FATAL(sip_client_tls(&t, &b, ports[2], TLS_PKI_CLIENT_EC, 0, 0, 3000), 1);
	CU_ASSERT_EQUAL(reg(&t, &a, "alice", 1), 200);
	CU_ASSERT_EQUAL(reg(&t, &a, "anna", 1), 200);
	CU_ASSERT_EQUAL(reg(&t, &b, "bob", 1), 200);
	for (unsigned k = 2; k < 12; k++) /* refreshes over the same connection */
		CU_ASSERT_EQUAL(reg(&t, &a, "alice", k), 200);
	CU_ASSERT_EQUAL(nregs(&t), 3);
	CU_ASSERT_STRING_EQUAL(sip_test_status_str(&t, "Registrations", 0, "AOR", buf, sizeof(buf)),
			       "sip:alice@example.com"); /* the last refreshed comes first */
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "RegisteredUsers"), 3);
	sip_client_close(&a);
	for (unsigned ms = 0; ms < 3000 && nregs(&t) != 1; ms += 20)
		sip_test_pump(&t, 20);
	CU_ASSERT_EQUAL(nregs(&t), 1);
	CU_ASSERT_STRING_EQUAL(sip_test_status_str(&t, "Registrations", 0, "AOR", buf, sizeof(buf)),
			       "sip:bob@example.com");
	CU_ASSERT_EQUAL(sip_test_status(&t, "SIPIdentityStatus", 0, "RegisteredUsers"), 1);
	CU_ASSERT(
	    sip_test_event(&t, "registration of sip:anna@example.com", "connection closed", NULL));
	sip_client_close(&b);
	sip_test_done(&t);
}

UNIT_SUITE(sip_registrar,
	   {"engine: a closed connection ends its bindings", test_engine_connection_close},
	   {"status copy, graveyard", test_status_graveyard},
	   {"insert and lookup of 100,000", test_insert_lookup},
	   {"refresh of 100,000", test_refresh}, {"expiry order", test_expiry_order},
	   {"removal by connection", test_remove_by_connection},
	   {"users per interface, alive", test_users_and_alive},
	   {"status copy of 100,000", test_status_snapshot});

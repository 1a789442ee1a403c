/*
 * Phased commits (conf/txn.h): a consumer refusing in prepare leaves the
 * running store and every consumer as they were; otherwise each concerned
 * consumer prepares, then applies, in order; reset-only changes concern none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/txn.h"
#include "ini/ini.h"
#include "tests/unit/unit.h"

static struct {
	int prepared[CONF_CONSUMER_N], aborted[CONF_CONSUMER_N], applied[CONF_CONSUMER_N];
	int refuse; /* consumer id that refuses, or -1 */
	char order[16];
	const struct conf_store *seen_old, *seen_now;
} rec;

static int prepare(void *arg, const struct conf_store *running, const struct conf_store *cand,
		   struct conf_diag *d)
{
	int id = (int)(long)arg;

	if (id == rec.refuse) {
		conf_diag_add_at(
		    d, 1, CONF_C_REFUSED, &conf_tbl_tlscontexts, 0, TLSCTX_CLIENT_CIPHER_STRING,
		    "TLSContexts row 0 column ClientCipherString: cannot apply it now");
		return -1;
	}
	rec.prepared[id]++;
	return 0;
}

static void abort_(void *arg)
{
	rec.aborted[(int)(long)arg]++;
}

static void apply(void *arg, const struct conf_store *old, const struct conf_store *now)
{
	int id = (int)(long)arg;

	rec.applied[id]++;
	rec.order[strlen(rec.order)] = (char)('0' + id);
	rec.seen_old = old, rec.seen_now = now;
}

static void hooks_on(int refuse)
{
	memset(&rec, 0, sizeof(rec));
	rec.refuse = refuse;
	for (int id = 0; id < CONF_CONSUMER_N; id++)
		conf_consumer_set(
		    (enum conf_consumer_id)id,
		    &(struct conf_consumer_hooks){prepare, abort_, apply, (void *)(long)id});
}

static void hooks_off(void)
{
	for (int id = 0; id < CONF_CONSUMER_N; id++)
		conf_consumer_set((enum conf_consumer_id)id, NULL);
}

/* running, and a candidate with one column of row 0 of t changed to text */
static struct conf_store *candidate(const struct conf_store *running, const struct conf_table *t,
				    int col, const char *text)
{
	struct conf_store *c = conf_store_clone(running);
	struct conf_row *r = conf_store_ensure(c, t, 0, NULL);
	char err[128];

	CU_ASSERT_FATAL(r && conf_row_set_text(t, r, col, text, err, sizeof(err)) == 0);
	return c;
}

static void test_refusal_changes_nothing(void)
{
	struct conf_store *running = ini_factory(), *before = conf_store_clone(running);
	struct conf_store *keep = running;
	struct conf_diag d;
	char *text;

	hooks_on(CONF_CONSUMER_SIP);
	conf_diag_init(&d);
	/* TLS context 0 concerns all three: TLS and web prepare, then the SIP engine refuses */
	CU_ASSERT_EQUAL(conf_txn_commit(&running,
					candidate(running, &conf_tbl_tlscontexts,
						  TLSCTX_CLIENT_CIPHER_STRING, "NO-SUCH"),
					&d),
			-1);
	CU_ASSERT_PTR_EQUAL(running, keep);
	CU_ASSERT(conf_store_equal(running, before));
	CU_ASSERT_EQUAL(rec.prepared[CONF_CONSUMER_TLS], 1);
	CU_ASSERT_EQUAL(rec.prepared[CONF_CONSUMER_WEB], 1);
	CU_ASSERT_EQUAL(rec.aborted[CONF_CONSUMER_TLS], 1);
	CU_ASSERT_EQUAL(rec.aborted[CONF_CONSUMER_WEB], 1);
	CU_ASSERT_EQUAL(rec.aborted[CONF_CONSUMER_SIP], 0); /* it refused: nothing to drop */
	CU_ASSERT_STRING_EQUAL(rec.order, "");              /* nobody applied */
	CU_ASSERT_EQUAL(d.nerr, 1);
	CU_ASSERT_EQUAL(d.at[0].code, CONF_C_REFUSED);
	CU_ASSERT_PTR_EQUAL(d.at[0].table, &conf_tbl_tlscontexts);
	CU_ASSERT_EQUAL(d.at[0].row, 0);
	CU_ASSERT_EQUAL(d.at[0].col, TLSCTX_CLIENT_CIPHER_STRING);
	text = conf_diag_join_coded(&d);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(text, "cannot apply it now\n#code refused TLSContexts 0 ClientCipherString\n"));
	free(text);
	hooks_off();
	conf_diag_free(&d);
	conf_store_free(running);
	conf_store_free(before);
}

static void test_accept_applies_in_order(void)
{
	struct conf_store *running = ini_factory(), *cand;
	struct conf_diag d;

	hooks_on(-1);
	conf_diag_init(&d);
	cand = candidate(running, &conf_tbl_tlscontexts, TLSCTX_CLIENT_CIPHER_STRING, "HIGH");
	CU_ASSERT_EQUAL(conf_txn_commit(&running, cand, &d), 0);
	CU_ASSERT_PTR_EQUAL(running, cand);
	CU_ASSERT_STRING_EQUAL(rec.order, "012"); /* TLS, web, SIP */
	CU_ASSERT_PTR_EQUAL(rec.seen_now, cand);
	CU_ASSERT_PTR_NOT_NULL(rec.seen_old);
	CU_ASSERT_EQUAL(rec.aborted[CONF_CONSUMER_TLS] + rec.aborted[CONF_CONSUMER_SIP], 0);
	CU_ASSERT_EQUAL(d.nerr, 0);
	hooks_off();
	conf_diag_free(&d);
	conf_store_free(running);
}

static void test_only_concerned_consumers(void)
{
	struct conf_store *running = ini_factory();
	struct conf_diag d;

	conf_diag_init(&d);
	/* a proxy set concerns the SIP engine alone */
	hooks_on(-1);
	CU_ASSERT_EQUAL(
	    conf_txn_commit(&running,
			    candidate(running, &conf_tbl_proxyset, PROXYSET_PROXY_NAME, "ps0"), &d),
	    0);
	CU_ASSERT_STRING_EQUAL(rec.order, "2");
	/* a reset-required global (HTTPSPort) concerns nobody now, even one that refuses */
	hooks_on(CONF_CONSUMER_WEB);
	CU_ASSERT_EQUAL(
	    conf_txn_commit(&running,
			    candidate(running, &conf_tbl_globals, GLOBALS_HTTPS_PORT, "8443"), &d),
	    0);
	CU_ASSERT_STRING_EQUAL(rec.order, "");
	CU_ASSERT_EQUAL(conf_globals_int(running, GLOBALS_HTTPS_PORT), 8443);
	/* a live TLS global concerns TLS material only */
	hooks_on(-1);
	CU_ASSERT_EQUAL(conf_txn_commit(&running,
					candidate(running, &conf_tbl_globals,
						  GLOBALS_TLS_EXPIRY_CHECK_START, "30"),
					&d),
			0);
	CU_ASSERT_STRING_EQUAL(rec.order, "0");
	CU_ASSERT_EQUAL(d.nerr, 0);
	hooks_off();
	conf_diag_free(&d);
	conf_store_free(running);
}

static void test_invalid_never_prepared(void)
{
	struct conf_store *running = ini_factory(), *keep = running;
	struct conf_diag d;

	hooks_on(-1);
	conf_diag_init(&d);
	/* a proxy set without its mandatory name fails validation: nobody is asked */
	CU_ASSERT_EQUAL(
	    conf_txn_commit(&running,
			    candidate(running, &conf_tbl_proxyset, PROXYSET_PROXY_NAME, ""), &d),
	    -1);
	CU_ASSERT_PTR_EQUAL(running, keep);
	CU_ASSERT(d.nerr > 0);
	for (int id = 0; id < CONF_CONSUMER_N; id++)
		CU_ASSERT_EQUAL(rec.prepared[id] + rec.applied[id], 0);
	hooks_off();
	conf_diag_free(&d);
	conf_store_free(running);
}

/* Every consumer declares tables of the schema and columns that exist there. */
static void test_consumers_declared(void)
{
	for (int id = 0; id < CONF_CONSUMER_N; id++) {
		const struct conf_consumer *c = &conf_consumers[id];
		CU_ASSERT(c->name && c->nuses > 0);
		for (unsigned k = 0; k < c->nuses; k++) {
			CU_ASSERT(conf_table_pos(c->uses[k].table) >= 0);
			for (const int *col = c->uses[k].cols; col && *col >= 0; col++)
				CU_ASSERT((unsigned)*col < c->uses[k].table->ncols);
		}
	}
}

/* Digest credentials and the nonce lifetime are live in the SIP engine (issue 15): a change
 * to them must reach its apply hook, or the registrar keeps the boot-time users. */
static void test_sip_identity_concerns_sip(void)
{
	struct conf_store *running = ini_factory();
	struct conf_store *cred =
	    candidate(running, &conf_tbl_sipcredentials, SIPCRED_USERNAME, "alice");
	struct conf_store *life =
	    candidate(running, &conf_tbl_globals, GLOBALS_SIP_DIGEST_NONCE_LIFETIME, "60");

	CU_ASSERT(conf_consumer_concerned(CONF_CONSUMER_SIP, running, cred));
	CU_ASSERT(conf_consumer_concerned(CONF_CONSUMER_SIP, running, life));
	conf_store_free(cred);
	conf_store_free(life);
	conf_store_free(running);
}

/* precomputed commits: what build made reaches prepare_built, or is dropped, never both */
static int built_n, built_taken, built_dropped;
static const struct conf_store *built_from;

static void *build(void *arg, const struct conf_store *cand)
{
	built_n++;
	built_from = cand;
	return malloc(1);
}

static int prepare_built(void *arg, const struct conf_store *running, const struct conf_store *cand,
			 void *built, struct conf_diag *d)
{
	built_taken++;
	free(built);
	return prepare(arg, running, cand, d);
}

static void drop(void *arg, void *built)
{
	built_dropped++;
	free(built);
}

static void test_precomputed(void)
{
	struct conf_store *running = ini_factory(), *cand, *old = NULL;
	struct conf_txn_pre pre;
	struct conf_diag d;

	hooks_on(-1);
	built_n = built_taken = built_dropped = 0;
	conf_consumer_set(CONF_CONSUMER_SIP,
			  &(struct conf_consumer_hooks){prepare, abort_, apply,
							(void *)(long)CONF_CONSUMER_SIP, build,
							prepare_built, drop});
	conf_diag_init(&d);
	/* concerned: built once (from cand), taken by prepare_built, applied; old handed back */
	cand = candidate(running, &conf_tbl_tlscontexts, TLSCTX_CLIENT_CIPHER_STRING, "HIGH");
	CU_ASSERT_EQUAL(conf_txn_precompute(&pre, cand, 0, &d), 0);
	CU_ASSERT_EQUAL(built_n, 1);
	CU_ASSERT_PTR_EQUAL(built_from, cand);
	struct conf_store *keep = running;
	CU_ASSERT_EQUAL(conf_txn_commit_pre(&running, cand, &pre, &old, &d), 0);
	CU_ASSERT_PTR_EQUAL(running, cand);
	CU_ASSERT_PTR_EQUAL(old, keep);
	CU_ASSERT_EQUAL(built_taken, 1);
	CU_ASSERT_EQUAL(built_dropped, 0);
	CU_ASSERT_EQUAL(rec.prepared[CONF_CONSUMER_SIP], 1);
	CU_ASSERT_STRING_EQUAL(rec.order, "012");
	conf_store_free(old);
	/* a refusal by another consumer: built and not taken is dropped, nothing changes */
	rec.refuse = CONF_CONSUMER_TLS;
	keep = running;
	cand = candidate(running, &conf_tbl_tlscontexts, TLSCTX_CLIENT_CIPHER_STRING, "MEDIUM");
	CU_ASSERT_EQUAL(conf_txn_precompute(&pre, cand, CONF_TXN_VALIDATED, &d), 0);
	CU_ASSERT_EQUAL(conf_txn_commit_pre(&running, cand, &pre, NULL, &d), -1);
	CU_ASSERT_PTR_EQUAL(running, keep);
	CU_ASSERT_EQUAL(built_n, 2);
	CU_ASSERT_EQUAL(built_taken, 1);
	CU_ASSERT_EQUAL(built_dropped, 1);
	/* an invalid candidate: precompute refuses, builds nothing */
	conf_diag_free(&d);
	conf_diag_init(&d);
	cand = candidate(running, &conf_tbl_proxyset, PROXYSET_PROXY_NAME, "");
	CU_ASSERT_EQUAL(conf_txn_precompute(&pre, cand, 0, &d), -1);
	CU_ASSERT(d.nerr > 0);
	CU_ASSERT_EQUAL(built_n, 2);
	conf_store_free(cand);
	hooks_off();
	conf_diag_free(&d);
	conf_store_free(running);
}

UNIT_SUITE(conf_txn, {"a refusal in prepare changes nothing", test_refusal_changes_nothing},
	   {"accepted: prepared, then applied in order", test_accept_applies_in_order},
	   {"only concerned consumers; reset-only changes none", test_only_concerned_consumers},
	   {"an invalid candidate is never prepared", test_invalid_never_prepared},
	   {"consumers declared against the schema", test_consumers_declared},
	   {"SIP credentials and nonce lifetime concern the SIP engine",
	    test_sip_identity_concerns_sip},
	   {"precomputed: built once, taken by prepare or dropped", test_precomputed});

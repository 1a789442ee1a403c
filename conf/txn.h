/*
 * conf txn: a commit in phases, as FRRouting's northbound does it.
 *
 *   validate  the whole candidate store (conf_store_validate);
 *   prepare   each consumer that the change concerns checks that it can apply
 *             it now (ports it must bind now, TLS material it must load now)
 *             and may stage what apply will need; it may refuse with a reason;
 *   apply     every prepared consumer makes the change live (cannot fail);
 *   abort     when one refused, those already prepared drop what they staged,
 *             and nothing changes: neither the running store nor any consumer.
 *
 * The consumers, and which tables and columns each one applies, are declared
 * next to the schema (conf/consumers.c). A column flagged CONF_F_RESET is
 * stored at once and applied at the next reset, so changing only such columns
 * concerns no consumer now (conf_store_pending lists them). Added and deleted
 * rows concern every consumer of their table.
 *
 * conf/ knows no engine: sbcd registers the hooks (conf_consumer_set).
 */
#ifndef CONF_TXN_H
#define CONF_TXN_H

#include "conf/store.h"

enum conf_consumer_id {
	CONF_CONSUMER_TLS,  /* TLS material on flash, expiry alarms (sbc/tlsmgr.c) */
	CONF_CONSUMER_WEB,  /* sbc-web, restarted when the policy of TLS context 0 changes */
	CONF_CONSUMER_SIP,  /* the SIP engine: routing, proxy sets, outgoing TLS (sbc/sip/) */
	CONF_CONSUMER_SNMP, /* the snmpd master's include file: v3 users, trap sinks
			       (sbc/snmpd_conf.c) */
	CONF_CONSUMER_N
};

/* One table a consumer applies: every column, or those listed. */
struct conf_use {
	const struct conf_table *table;
	const int *cols; /* bindings (conf/cols.h), ended by -1; NULL for every column */
};

struct conf_consumer {
	const char *name; /* in messages: "the SIP engine" */
	const struct conf_use *uses;
	unsigned nuses;
};

/* The declared consumers, indexed by enum conf_consumer_id. */
extern const struct conf_consumer conf_consumers[CONF_CONSUMER_N];

/* 1 when a and b differ in a row or a live column that consumer id applies. */
int conf_consumer_concerned(enum conf_consumer_id id, const struct conf_store *a,
			    const struct conf_store *b);

struct conf_consumer_hooks {
	/*
	 * Can cand be applied now? Must not change what runs. Returns 0 (it may
	 * keep what it built for apply), or -1 after adding at least one error to
	 * d, best with conf_diag_add_at(d, 1, CONF_C_REFUSED, table, row, col, ...).
	 * NULL: always ready.
	 */
	int (*prepare)(void *arg, const struct conf_store *running, const struct conf_store *cand,
		       struct conf_diag *d);
	/* Drops what prepare kept: another consumer refused. NULL: nothing kept. */
	void (*abort)(void *arg);
	/* Makes now live; old is the previous running store, freed after every apply. */
	void (*apply)(void *arg, const struct conf_store *old, const struct conf_store *now);
	void *arg;
	/*
	 * Optional, for commits precomputed off the event loop (conf_txn_precompute):
	 * build is pure computation from cand alone (no consumer state; any thread)
	 * and returns what prepare_built then takes over (NULL: out of memory, the
	 * plain prepare runs instead); drop frees a built result no prepare took.
	 */
	void *(*build)(void *arg, const struct conf_store *cand);
	int (*prepare_built)(void *arg, const struct conf_store *running,
			     const struct conf_store *cand, void *built, struct conf_diag *d);
	void (*drop)(void *arg, void *built);
};

/* Registers (or with NULL removes) the hooks of consumer id; they are copied. */
void conf_consumer_set(enum conf_consumer_id id, const struct conf_consumer_hooks *h);

/*
 * Commits cand (taking ownership) over *running: validate, prepare, then
 * apply or abort. Returns 0 with *running = cand and the old store freed; or
 * -1 with the errors in d, cand freed and *running untouched.
 */
int conf_txn_commit(struct conf_store **running, struct conf_store *cand, struct conf_diag *d);

/*
 * The part of a commit that is pure computation, done beforehand on any thread
 * (a control worker): validation of the whole candidate and each consumer's
 * build hook. Reads cand and the registered hooks only.
 */
struct conf_txn_pre {
	int validated; /* conf_store_validate passed */
	void *built[CONF_CONSUMER_N];
};

/*
 * Validates cand (unless flags has CONF_TXN_VALIDATED: the caller just did, as
 * ini_build does) and builds; -1 with the errors in d (then nothing is built).
 */
#define CONF_TXN_VALIDATED 1u
int conf_txn_precompute(struct conf_txn_pre *p, const struct conf_store *cand, unsigned flags,
			struct conf_diag *d);
/* Drops what was built and not taken by a commit (safe on any thread, twice). */
void conf_txn_pre_drop(struct conf_txn_pre *p);

/*
 * conf_txn_commit with p precomputed for this cand (p may be NULL): validation
 * is not repeated, consumers with a built result prepare from it. When oldp is
 * not NULL the previous running store is handed back there instead of freed
 * (the caller frees it, off the loop if it is large). p is dropped either way.
 */
int conf_txn_commit_pre(struct conf_store **running, struct conf_store *cand,
			struct conf_txn_pre *p, struct conf_store **oldp, struct conf_diag *d);

#endif

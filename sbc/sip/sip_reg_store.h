/*
 * sip_reg_store: the registrar's bindings, indexed for 100,000 of them.
 *
 * Plain data, no SIP and no sofia calls (tport_t pointers are only keys here),
 * so it is tested on its own. Every operation is O(1) expected or O(log n):
 *  - by user: open hashing (chains), power-of-two buckets doubled when the
 *    bindings outnumber them; a user's bindings share one chain;
 *  - by connection: each TCP/TLS connection with bindings has a record, found by
 *    its tport pointer or by (interface, protocol, peer address); it lists its
 *    bindings, so a closed connection drops them without a scan;
 *  - by expiry: a binary min-heap, so expiry looks only at what is due;
 *  - users per interface: counted as bindings come and go (a user counts once
 *    per interface however many contacts it has).
 * One allocation per binding holds the binding and its strings; one per
 * connection record. Runs on the SIP loop only.
 */
#ifndef SBC_SIP_REG_STORE_H
#define SBC_SIP_REG_STORE_H

#include <stddef.h>
#include <time.h>

#include "sbc/sip/sip_internal.h"

/* A connection (TCP or TLS) that carries bindings. */
struct sip_reg_conn {
	struct sip_reg_conn *tnext, *pnext; /* hash chains: by tport, by peer */
	unsigned thash, phash;
	tport_t *tp;
	struct sip_iface *ifc;
	enum sip_proto proto;
	struct sip_binding *binds; /* linked by cnext */
	unsigned nbind;
	int pendd;   /* the owner's close notification id (sip_registrar.c: tport_pend) */
	char peer[]; /* addr:port */
};

/* What a binding is made of (the strings are copied). */
struct sip_reg_new {
	const char *user, *aor, *contact, *peer, *subject, *issuer, *auth, *check;
	struct sip_iface *ifc;
	enum sip_proto proto;
	tport_t *tp; /* key of the connection record when proto is not UDP */
	time_t expires;
};

struct sip_reg_store;

/*
 * Hooks the owner sets: drop(b) just before a binding is freed, conn_new(c)
 * after a connection record is made (0, or -1 to refuse the binding) and
 * conn_drop(c) before one is freed (its last binding went). alive(b), when
 * set, says whether a binding may be used (lookups skip it otherwise).
 */
struct sip_reg_hooks {
	void (*drop)(struct sip_binding *b, void *arg);
	int (*conn_new)(struct sip_reg_conn *c, void *arg);
	void (*conn_drop)(struct sip_reg_conn *c, void *arg);
	int (*alive)(const struct sip_binding *b, void *arg);
	void *arg;
};

/* NULL when out of memory. hooks may be NULL. */
struct sip_reg_store *sip_reg_store_new(const struct sip_reg_hooks *hooks);
/* Frees every binding (drop hooks called) and the store. */
void sip_reg_store_free(struct sip_reg_store *s);

/* Bindings held (live or not yet expired away). */
unsigned sip_reg_count(const struct sip_reg_store *s);
/* The i-th binding in no particular order (i < sip_reg_count), for walks. */
struct sip_binding *sip_reg_at(const struct sip_reg_store *s, unsigned i);

/* The binding of user at contact, or NULL. */
struct sip_binding *sip_reg_find(const struct sip_reg_store *s, const char *user,
				 const char *contact);
/* Adds a binding (none for user and contact yet); NULL when out of memory or refused. */
struct sip_binding *sip_reg_add(struct sip_reg_store *s, const struct sip_reg_new *nb);
/*
 * Makes b what nb says (same user and contact): in place when its strings and
 * connection are unchanged (a plain refresh), else by a new allocation. Returns
 * the binding (its address may have changed), or NULL when out of memory: then
 * b is left as it was.
 */
struct sip_binding *sip_reg_refresh(struct sip_reg_store *s, struct sip_binding *b,
				    const struct sip_reg_new *nb);
/* Removes and frees b. */
void sip_reg_remove(struct sip_reg_store *s, struct sip_binding *b);
/* Removes every binding over connection c (and so c); returns how many. */
unsigned sip_reg_remove_conn(struct sip_reg_store *s, struct sip_reg_conn *c);

/* The binding that expires first if it has expired at now, else NULL. */
struct sip_binding *sip_reg_due(const struct sip_reg_store *s, time_t now);

/* First / next binding of user (any state), NULL at the end. */
struct sip_binding *sip_reg_user_first(const struct sip_reg_store *s, const char *user);
struct sip_binding *sip_reg_user_next(const struct sip_binding *b);
/* The freshest live binding of user (with a certificate subject when cert), or NULL. */
struct sip_binding *sip_reg_freshest(const struct sip_reg_store *s, const char *user, time_t now,
				     int cert);
/* Users with a binding on ifc (NULL: anywhere). Expired ones count until removed. */
unsigned sip_reg_users(const struct sip_reg_store *s, const struct sip_iface *ifc);
/* 1 when user has a binding on ifc. */
int sip_reg_user_on(const struct sip_reg_store *s, const char *user, const struct sip_iface *ifc);
/* Bindings with a certificate subject. */
unsigned sip_reg_cert_count(const struct sip_reg_store *s);

/* The connection record of tp, or of (ifc, proto, peer); NULL when none. */
struct sip_reg_conn *sip_reg_conn_of(const struct sip_reg_store *s, const tport_t *tp);
struct sip_reg_conn *sip_reg_conn_find(const struct sip_reg_store *s, const struct sip_iface *ifc,
				       enum sip_proto proto, const char *peer);

/* An expiry heap entry: the key beside the binding, so a walk reads one array. */
struct sip_reg_ent {
	time_t expires;
	unsigned long long seq; /* the binding's, for the newest-first order of the table */
	struct sip_binding *b;
};

/*
 * A copy of the heap for the Registrations table, taken on the loop (a memcpy
 * of 24 bytes per binding, the interface names copied): the rows are made from
 * it later on any thread (sip_reg_snap_fill, sip_engine.h), reading the
 * bindings' strings, which never change while a binding lives. While a copy is
 * out, removed bindings are not freed but kept in a graveyard, freed by
 * sip_reg_reclaim once every copy is released. NULL on no memory.
 */
struct sip_reg_snap {
	struct sip_reg_ent *ent;
	unsigned n, cap; /* entries copied; room in ent */
	time_t now;      /* expiry reference: entries expired at now are not shown */
	struct {
		const struct sip_iface *ifc;
		char name[48];
	} * ifn;
	unsigned nifn;
	struct sip_reg_shared *sh;
};
struct sip_reg_snap *sip_reg_snap_take(struct sip_reg_store *s, time_t now);
/* Entries of sn not expired at its now. */
unsigned sip_reg_snap_count(const struct sip_reg_snap *sn);
/*
 * The copy is no longer read (any thread): ent goes back to the store for the next copy
 * (grown to the heap's capacity and touched here when the heap grew meanwhile) and is set
 * to NULL; the rest of sn is the caller's to free.
 */
void sip_reg_snap_release(struct sip_reg_snap *sn);
/* Frees the graveyard when no copy is out; returns how many copies are out. */
unsigned sip_reg_reclaim(struct sip_reg_store *s);

/* Bytes the store holds (bindings, connection records, tables): for the docs and tests. */
size_t sip_reg_bytes(const struct sip_reg_store *s);

#endif

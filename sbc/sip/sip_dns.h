/*
 * sip_dns: host names of SIP destinations, resolved without blocking the
 * engine's event loop (doc/ROUTING.md "DNS").
 *
 * Two parts:
 * - the pure rules (sip_dns_sel.c): which method a name is resolved with
 *   (RFC 3263 by the form of the address, or ProxySet DNSResolveMethod), which
 *   NAPTR records count and in what order, the order of SRV records (priority,
 *   then a weighted random order within a priority, RFC 2782);
 * - the cache (sip_dns.c): sofia-sip's asynchronous resolver (sresolv) on the
 *   engine's su_root. Answers are kept for their TTL (the smallest TTL met on
 *   the way NAPTR -> SRV -> A/AAAA) and refreshed in the background before
 *   they expire. A name that stops resolving keeps its last good targets until
 *   TTL + the grace period (state "stale") and raises the alarm
 *   dnsResolutionFailed (source: the name), cleared when it resolves again.
 *
 * Everything runs on the engine's su_root thread; nothing here blocks.
 */
#ifndef SBC_SIP_DNS_H
#define SBC_SIP_DNS_H

#include <stddef.h>

struct conf_store;
struct su_root_s;

/* Where a target came from (DNSStatus Source). */
enum sip_dns_src {
	SIP_DNS_SRC_LITERAL = 0,
	SIP_DNS_SRC_NAPTR = 1, /* NAPTR -> SRV -> A/AAAA */
	SIP_DNS_SRC_SRV = 2,   /* SRV -> A/AAAA */
	SIP_DNS_SRC_A = 3,
	SIP_DNS_SRC_AAAA = 4,
};

/* ProxySet DNSResolveMethod (the vendor's numbers). */
enum sip_dns_method {
	SIP_DNS_BY_FORM = -1, /* RFC 3263: port -> A, transport -> SRV, else NAPTR */
	SIP_DNS_A = 0,
	SIP_DNS_SRV = 1,
	SIP_DNS_NAPTR = 2,
};

/* DNSStatus State. */
enum sip_dns_state {
	SIP_DNS_RESOLVING = 0, /* asked, no answer yet */
	SIP_DNS_OK = 1,
	SIP_DNS_STALE = 2,  /* no longer resolves: last good targets kept until TTL + grace */
	SIP_DNS_FAILED = 3, /* does not resolve, nothing kept */
};

#define SIP_DNS_MAX_TARGETS 16

struct sip_dns_target {
	char ip[64];   /* address literal */
	unsigned port; /* from SRV, else the one asked for, else 5060 / 5061 for TLS */
	int transport; /* 0 udp, 1 tcp, 2 tls */
	int source;    /* enum sip_dns_src */
	unsigned priority, weight;
};

/* ---- pure rules (sip_dns_sel.c) ---- */

struct sip_dns_naptr {
	unsigned order, pref;
	char flags[8];
	char services[32];
	char replace[256];
};

struct sip_dns_srv {
	unsigned priority, weight, port;
	int transport; /* from the SRV name (_sip._udp, _sip._tcp, _sips._tcp) */
	char target[256];
};

/* 1 when host is an IPv4 or IPv6 address literal (brackets allowed) or "localhost". */
int sip_dns_is_literal(const char *host);
/*
 * The method a name is resolved with: the configured one when >= 0, else by the form of the
 * address (RFC 3263 4.2): an explicit port -> A/AAAA; an explicit transport -> SRV (then
 * A/AAAA); else NAPTR (then SRV, then A/AAAA).
 */
int sip_dns_method_for(int configured, int has_port, int has_transport);
/* Transport of a NAPTR service field: SIP+D2U 0, SIP+D2T 1, SIPS+D2T 2, -1 for others. */
int sip_dns_naptr_transport(const char *services);
/*
 * Keeps the NAPTR records RFC 3263 uses (flag "s", a SIP service; only SIPS+D2T when sips;
 * only the given transport when transport >= 0), sorted by order, then preference; returns
 * how many are kept at the front of r.
 */
unsigned sip_dns_naptr_select(struct sip_dns_naptr *r, unsigned n, int transport, int sips);
/*
 * Orders SRV records (RFC 2782): ascending priority; within a priority a weighted random
 * order (a record of weight w comes first with probability w / sum; weight 0 records last
 * unless all are 0). rnd(max) returns a number in [0, max); max > 0.
 */
void sip_dns_srv_order(struct sip_dns_srv *r, unsigned n, unsigned (*rnd)(unsigned max));
/* "_sip._udp." / "_sip._tcp." / "_sips._tcp." prefix of transport 0 / 1 / 2. */
const char *sip_dns_srv_prefix(int transport);

/* ---- the cache (sip_dns.c) ---- */

struct sip_dns;
/* Called (from the loop, never from inside a lookup) when the targets of a name changed. */
typedef void sip_dns_changed_fn(void *arg);
/* Called once when the name waited for resolved, failed or the wait timed out. */
typedef void sip_dns_wait_fn(void *arg);

struct sip_dns *sip_dns_create(struct su_root_s *root, const char *rundir,
			       sip_dns_changed_fn *changed, void *arg);
void sip_dns_destroy(struct sip_dns *d);
/*
 * The servers to ask: up to 3 address literals (n 0: the host's /etc/resolv.conf), on port
 * (0: 53); grace_s the seconds a stale answer is kept beyond its TTL. A change restarts every
 * resolution. 0, or -1 with err.
 */
int sip_dns_configure(struct sip_dns *d, char servers[][64], unsigned n, unsigned port,
		      unsigned grace_s, char *err, size_t errlen);
/*
 * The targets of name (method as sip_dns_method_for; transport -1 any; sips 1 for sips:
 * URIs; port 0 none given), at most max of them into out, usable ones first in the order to
 * try (SRV priority, NAPTR order). Returns how many (> 0); 0 while it is being resolved (a
 * resolution is started when none is under way); -1 when it does not resolve, with why.
 * pin 1: a configured name, refreshed for as long as the configuration names it (see
 * sip_dns_unpin_all); 0: dropped when unused for 10 minutes. Never blocks.
 */
int sip_dns_lookup(struct sip_dns *d, const char *name, int method, int transport, int sips,
		   unsigned port, int pin, struct sip_dns_target *out, unsigned max, char *why,
		   size_t whylen);
/* fn(arg) once, when the lookup with the same key is done (resolved or failed) or after
 * timeout_ms. -1 when out of memory. */
int sip_dns_wait(struct sip_dns *d, const char *name, int method, int transport, int sips,
		 unsigned port, unsigned timeout_ms, sip_dns_wait_fn *fn, void *arg);
/* Forgets a waiter (its arg is going away). */
void sip_dns_unwait(struct sip_dns *d, void *arg);
/* Before the configuration pins its names again: names it no longer pins are dropped. */
void sip_dns_unpin_all(struct sip_dns *d);
/* Once a second: refreshes, retries, expiry of stale answers, waiter time-outs. */
void sip_dns_tick(struct sip_dns *d);
/* Queries sent so far (for tests and the benchmark). */
unsigned long long sip_dns_queries(const struct sip_dns *d);
/* Fills the DNSStatus table: one row per (name, target), or per name without targets.
 * state_of(arg, name, target) gives the proxy state of a target (0 unknown, 1 up, 2 down) and
 * its proxy set name, -1 when it is no proxy set member. */
typedef int sip_dns_member_fn(void *arg, const char *name, const struct sip_dns_target *t,
			      char *set, size_t setlen);
void sip_dns_status(struct sip_dns *d, struct conf_store *st, sip_dns_member_fn *member, void *arg);

/* ---- engine glue (sip_dns_engine.c) ---- */

struct sip_engine;
/* Creates e->dns on e->root; names resolve once sip_dns_engine_config ran. -1 out of memory. */
int sip_dns_engine_start(struct sip_engine *e);
/* e->rt is new: servers, grace, and the proxy sets' members from the cache (names no longer
 * configured are dropped). Call before sip_proxy_config. */
void sip_dns_engine_config(struct sip_engine *e);
void sip_dns_engine_status(struct sip_engine *e, struct conf_store *st);

#endif

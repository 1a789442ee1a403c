/*
 * sip internal: what the sip_*.c files of sbcd share. Nothing outside sbc/sip_*.c
 * includes this; the public contract is sbc/sip_engine.h.
 *
 * Everything here runs on the engine's su_root thread, except the OpenSSL
 * ex_data callbacks of sip_tls.c, which ignore objects that are not ours.
 */
#ifndef SBC_SIP_INTERNAL_H
#define SBC_SIP_INTERNAL_H

#include <stddef.h>
#include <time.h>

#include <openssl/ssl.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>

#include "log/log.h"
#include "sbc/sip/sip_engine.h"
#include "sbc/sip/sip_identity.h"
#include "sbc/sip/sip_route.h"

struct conf_row;
struct conf_store;

/* Why a TLS connection was refused; the order is the TLSStatus column order. */
enum sip_rej {
	SIP_REJ_NOCERT,
	SIP_REJ_UNKNOWN_CA,
	SIP_REJ_EXPIRED, /* also not yet valid: outside the validity period */
	SIP_REJ_REVOKED,
	SIP_REJ_PURPOSE,
	SIP_REJ_SUBJECT,
	SIP_REJ_PROTOCOL,
	SIP_REJ_TIMEOUT,
	SIP_REJ_LIMIT,
	SIP_REJ_REVOKED_OCSP,     /* OCSP: revoked or unknown */
	SIP_REJ_OCSP_UNAVAILABLE, /* OCSP: no answer, OcspDefaultResponse reject */
	SIP_REJ_N
};

const char *sip_rej_name(enum sip_rej r);

enum sip_proto { SIP_PROTO_UDP, SIP_PROTO_TCP, SIP_PROTO_TLS, SIP_PROTO_N };

struct sip_conn;

struct sip_iface {
	struct sip_engine *eng;
	unsigned index; /* SIPInterface row index */
	char name[48];  /* InterfaceName */
	char addr[64];  /* IP address of its network interface */
	unsigned port[SIP_PROTO_N];
	tport_t *pri[SIP_PROTO_N];  /* sofia primaries, NULL when the port is off */
	char why[SIP_PROTO_N][400]; /* why a configured port does not listen; "" when it does */
	int ctx_index;              /* TLSContexts row, -1 without TLS */
	int mutual;                 /* effective mutual authentication */
	char subject[256];          /* required client subject pattern, "" for none */
	unsigned max_tls;           /* MaxTLSConnections */
	SSL_CTX *ssl_ctx;           /* captured from sofia-sip, policy bound */
	SSL_verify_cb prev_verify;  /* verify callback tls_ctx_configure left, or NULL */
	unsigned long long accepted;
	unsigned long long rejected[SIP_REJ_N];
	unsigned active;
	struct sip_conn *conns;      /* live TLS connections of this interface */
	struct sip_conn_index {      /* the same by peer address (sip_tls_peers.c) */
		struct sip_conn **b; /* nb chains (a power of two), n connections */
		unsigned nb, n;
	} by_peer;
	struct sip_conn *sweep_at;       /* where the next partial sweep starts (NULL: the head) */
	unsigned max_tcp;                /* MaxTCPConnections */
	unsigned tcp_active;             /* TCP connections at the last sweep (sip_tcp.c) */
	unsigned long long tcp_closed;   /* TCP connections closed idle or over a cap */
	struct sip_id_policy idp;        /* who may register and call (sip_identity.c) */
	struct sip_id_counters idc;      /* SIPIdentityStatus */
	unsigned long long closed_trust; /* established connections closed by a trust change */
	struct sip_staple *staple;       /* OCSP staple of the TLS listener (sip_tls.c) */
	/* initial INVITEs received (sip_perf.h) */
	unsigned long long call_attempts;
};

struct sip_registrar;
struct sip_b2bua;

struct sip_engine {
	su_root_t *root;
	su_home_t *home;
	nta_agent_t *agent;
	nta_leg_t *deflt; /* receives every request outside a dialog */
	struct sip_iface *ifs;
	unsigned nifs;
	unsigned hs_timeout_ms;
	su_timer_t *tick; /* liveness sweep of TLS connections, binding expiry */
	int closing;
	struct log_limit loglim;
	sip_event_fn *event_fn;
	void *event_arg;
	sip_material_fn *material_fn; /* makes a TLS context's material on first use */
	void *material_arg;
	struct sip_registrar *reg;
	struct sip_b2bua *b2b;
	/* routing (sip_route.h): running configuration copy, proxy sets, client TLS */
	struct sip_rt_cfg *rt;
	struct sip_rt_cfg *staged; /* built by sip_engine_config_prepare, awaiting apply */
	struct sip_proxy *proxy;
	struct sip_ctls_mod *ctls;
	struct sip_auth *auth; /* digest credentials and nonces (sip_auth.c) */
	char flashdir[256], rundir[256];
	unsigned tcp_idle_ms;            /* TCPIdleTimeout, 0 for none */
	struct sip_tcp *tcp;             /* sip_tcp.c */
	struct log_peer_limit *tls_lim;  /* TLS refusal lines, per peer address */
	const struct conf_store *active; /* what it was created with; outlives the engine */
	struct sip_dns *dns;             /* host names (sip_dns.h) */
	int dns_no_defer;                /* a deferred request is retried: never defer again */
	struct sip_perf *perf;           /* counters over time (sip_perf.h) */
	struct sip_ocsp *ocsp;           /* OCSP queries and cache (sip_ocsp.c) */
	struct sip_hs *hs;               /* TLS handshake workers (sip_hs.h), NULL for none */
};

/* TLS context ctx_index has new material: interfaces whose TLS port is down for want of
 * usable material try again (sip_engine.c). */
void sip_iface_tls_retry(struct sip_engine *e, unsigned ctx_index);

/* --- sip_staple.c: OCSP stapling of a TLS listener's own certificate --- */

/* (Re)starts fetching the staple for ifc's certificate per its context's policy (or drops it
 * when stapling is off); refreshed at half its remaining life. */
void sip_staple_start(struct sip_iface *ifc);
/* The SSL_CTX status callback (arg: the interface): staples the answer in force, if any. */
int sip_staple_status_cb(SSL *s, void *arg);
/* Stops the refresh timer (engine going down); sip_staple_free releases the rest. */
void sip_staple_stop(struct sip_iface *ifc);
void sip_staple_free(struct sip_iface *ifc);

/* --- sip_tls.c: policy binding and connection tracking --- */

/* sip_tls_verify.c: 1 when the certificate's SAN DNS names (else CN) match the subject
 * pattern (wildcards as tls/names.c); 1 when its EKU, if any, allows a TLS client; the
 * refusal reason of an X509_V_ERR_* code. */
int sip_tls_subject_match(X509 *cert, const char *pattern);
int sip_tls_eku_allows_client(X509 *cert);
enum sip_rej sip_tls_rej_of_verify(int verr);
/* The TLS policy bound to ifc's listener (its context's), NULL when none is bound. */
const struct tls_policy *sip_tls_iface_policy(const struct sip_iface *ifc);
/* Registers the OpenSSL ex_data indexes once per process; -1 on failure. */
int sip_tls_global_init(void);
/* Arms capture of the SSL_CTX objects created by this thread until sip_tls_capture_end. */
void sip_tls_capture_begin(void);
/* Stops capture; returns how many were created and stores up to max of them in out. */
unsigned sip_tls_capture_end(SSL_CTX **out, unsigned max);
/*
 * Binds the interface's TLS policy to the captured ctx: the context's versions, ciphers,
 * trust store, CRL and certificate (tls_ctx_configure), verify mode from ifc->mutual,
 * and our verify, info and client-hello callbacks. 0, or -1 with the reason in err.
 */
int sip_tls_bind(struct sip_iface *ifc, SSL_CTX *ctx, const struct conf_row *tlsctx,
		 const char *ctxdir, char *err, size_t errlen);
/* TLSContexts rows of running (versions, ciphers, groups...) apply to each interface's new
 * handshakes, as HTTPS does; a policy that does not load leaves the previous one (logged). */
void sip_tls_policy_changed(struct sip_engine *e, const struct conf_store *running);
/* The trust of TLS context ctx changed without new material (a CRL fetched from a distribution
 * point, say): sessions forgotten, established connections in and out verified again and those
 * that fail closed, counted and logged (why: for the log). */
void sip_tls_trust_recheck(struct sip_engine *e, int ctx, const char *why);
/* Drops dead connections (closed by sofia) from the counts: all of them, or (the tick) a
 * thousand of each interface's, from where the last partial sweep stopped. */
void sip_tls_sweep(struct sip_engine *e);
void sip_tls_sweep_some(struct sip_engine *e);
/* FNV-1a of a NUL-terminated string: the hash of the registrar and the TLS peer index. */
unsigned sip_str_hash(const char *s);
/* Before the agent is destroyed (while sofia's SSL_CTXs live): forget the interfaces. */
void sip_tls_unbind(struct sip_engine *e);
/* After the agent is destroyed: frees every connection record left. */
void sip_tls_release(struct sip_engine *e);
/* Prints the "suppressed N" summaries of TLS refusal lines that are due (once a second). */
void sip_tls_log_flush(struct sip_engine *e);
/* Peer certificate subject of the live connection from `peer` ("addr:port"), or NULL. */
const char *sip_tls_peer_subject(struct sip_iface *ifc, const char *peer);
/* The verified peer certificate of the live connection from peer, with its subject and issuer
 * text; NULL when there is none (no connection, no certificate, chain not verified). */
X509 *sip_tls_peer_cert(struct sip_iface *ifc, const char *peer, const char **subject,
			const char **issuer);

/* --- sip_tcp.c: idle timeout and caps of SIP connections, descriptor reserve --- */

/* Descriptors kept for the control socket, flash saves, logging and children (at least). */
#define SIP_FD_RESERVE 64
/* Most SIP connections (TCP and TLS) at once: the descriptor limit less the reserve (the
 * larger of SIP_FD_RESERVE and an eighth of the limit). */
unsigned sip_tcp_limit(void);
/*
 * From the engine tick (once a second; for N descriptors above 5,000, every N/5,000 s): a
 * pass over sbcd's descriptors that closes SIP connections idle for tcp_idle_ms, TCP
 * connections beyond an interface's max_tcp and any connection beyond sip_tcp_limit(), newest
 * first, each with a log line limited per peer address. The pass runs in slices on a timer of
 * its own (at 15,000 connections a whole pass held the loop for tens of ms); near the limit it
 * runs whole, every 100 ms.
 */
void sip_tcp_sweep(struct sip_engine *e);
void sip_tcp_release(struct sip_engine *e);

/* --- sip_engine.c helpers shared by the registrar and the B2BUA --- */

/* One log line (rate-limited) and the event hook (not limited). */
void sip_engine_event(struct sip_engine *e, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The interface and protocol a transport (primary or connection) belongs to, or NULL. */
struct sip_iface *sip_iface_of_tport(struct sip_engine *e, tport_t *tp, enum sip_proto *proto);
const char *sip_proto_name(enum sip_proto p);
/* "sip:sbc@addr:port;transport=x": the SBC's own Contact on an interface, in buf. */
const char *sip_iface_contact(const struct sip_iface *ifc, enum sip_proto p, char *buf, size_t len);
/* "addr:port" of the sender of the request of irq. */
void sip_irq_peer(nta_incoming_t *irq, char *buf, size_t len);
/* Writes agent.pem and cafile.pem of TLS context ctx under rundir for sofia-sip: ctxdir gets
 * <flashdir>/tls/<ctx>, sofdir the directory to give TPTAG_CERTIFICATE. 0 or -1 with err. */
int sip_engine_sofia_dir(struct sip_engine *e, unsigned ctx, char *ctxdir, size_t ctxlen,
			 char *sofdir, size_t soflen, char *err, size_t errlen);

/* --- sip_registrar.c --- */

struct sip_reg_conn;

/* One binding; the strings live in the same allocation (sip_reg_store.h). */
struct sip_binding {
	const char *user;    /* user part of the address of record: the routing key */
	const char *aor;     /* sip:user@host */
	const char *contact; /* Contact URI as registered */
	const char *peer;    /* addr:port the REGISTER came from */
	const char *subject; /* peer certificate subject (TLS with a client certificate), or "" */
	const char *issuer;  /* its issuer: subject and issuer are the identity bound to the AOR */
	const char *auth;    /* how it was authenticated (Registrations Authentication) */
	const char *check;   /* how the identity was tied to the AOR (IdentityCheck) */
	struct sip_iface *ifc;
	tport_t *tp;    /* the connection (TCP/TLS) or primary (UDP) it came over */
	time_t expires; /* CLOCK_MONOTONIC seconds */
	enum sip_proto proto;
	unsigned heap;             /* sip_reg_store.c: position in the expiry heap */
	unsigned hash;             /* of user */
	struct sip_binding *unext; /* next in its user hash chain */
	struct sip_binding *cnext; /* next over the same connection */
	struct sip_reg_conn *conn; /* the connection record, NULL over UDP */
	unsigned long long seq;    /* bind order: the freshest binding has the largest */
	char text[];               /* the strings above */
};

struct sip_registrar *sip_registrar_create(struct sip_engine *e);
void sip_registrar_destroy(struct sip_registrar *r);
/* Handles a REGISTER received on ifc; replies through irq. Returns 0 (replied). */
int sip_registrar_request(struct sip_registrar *r, struct sip_iface *ifc, enum sip_proto p,
			  nta_incoming_t *irq, sip_t const *sip);
/* HA: a binding replicated from the peer (sip_ha.c), without a connection, valid for left
 * seconds (nb's tp and expires are set here); a binding of the same user and contact is
 * replaced. 0, or -1 when full. */
struct sip_reg_new;
int sip_registrar_apply(struct sip_registrar *r, struct sip_reg_new *nb, unsigned long left);
/* The freshest live binding of user, or NULL. */
struct sip_binding *sip_registrar_lookup(struct sip_registrar *r, const char *user);
/* 1 when a live binding was registered over the connection (p TCP or TLS) from peer
 * ("addr:port") on ifc: such a connection carries calls to a user and is not closed as idle.
 * O(1): the registrar keeps a record per connection with bindings. */
int sip_registrar_holds(struct sip_registrar *r, const struct sip_iface *ifc, enum sip_proto p,
			const char *peer);
void sip_registrar_expire(struct sip_registrar *r);
/* Fills the Registrations status table. */
void sip_registrar_status(struct sip_registrar *r, struct conf_store *st);
/* A compact copy of the live bindings for sip_reg_snap_fill (sip_engine.h); NULL on no
 * memory. Holds the loop for a copy only (doc/SIP.md, "Registrar at scale"). */
struct sip_reg_snap *sip_registrar_snapshot(struct sip_registrar *r);
/* The live binding of user that carries a certificate identity, or NULL. */
struct sip_binding *sip_registrar_bound(struct sip_registrar *r, const char *user);
/* Users with a live binding on ifc (NULL: on any interface). */
unsigned sip_registrar_users(struct sip_registrar *r, const struct sip_iface *ifc);
/* Calls (INVITE dialogs not ended) whose caller came in on ifc. */
unsigned sip_b2bua_calls(struct sip_b2bua *b, const struct sip_iface *ifc);

/* --- sip_b2bua.c --- */

struct sip_b2bua *sip_b2bua_create(struct sip_engine *e);
void sip_b2bua_destroy(struct sip_b2bua *b);
/* A request outside a dialog to route between users (INVITE, MESSAGE). 0 when handled
 * (replied or pending), else the status to answer with. */
int sip_b2bua_request(struct sip_b2bua *b, struct sip_iface *ifc, enum sip_proto p,
		      nta_incoming_t *irq, sip_t const *sip);
/* Once a second: the media engine client follows the running MediaEngineAddress. */
void sip_b2bua_tick(struct sip_b2bua *b);
/* HA: recreates an established call replicated from the peer (sip_ha.h), both legs bound to
 * the B2BUA as if set up here. 0, or -1 (no interface, no memory). */
struct sip_ha_call;
int sip_b2bua_restore(struct sip_b2bua *b, const struct sip_ha_call *hc);

#endif

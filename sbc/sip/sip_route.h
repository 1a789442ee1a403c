/*
 * sip_route: classification, IP-to-IP routing, proxy sets and outgoing TLS of
 * the SIP engine. Internal to sbc/sip_*.c (like sip_internal.h, which includes
 * this file); doc/ROUTING.md is the operator's view of the same rules.
 *
 * Configuration: the engine keeps a private copy (struct sip_rt_cfg) of what
 * routing needs from the running store, rebuilt by sip_engine_config_changed
 * after every commit. Nothing here keeps a pointer into a conf_store.
 *
 * Runtime state that outlives a commit (proxy address up/down, counters,
 * client TLS transports and their connections) is keyed by names and
 * addresses, and carried over when the configuration is rebuilt.
 *
 * Everything runs on the engine's su_root thread.
 */
#ifndef SBC_SIP_ROUTE_H
#define SBC_SIP_ROUTE_H

#include <stddef.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/tport.h>

#include "tls/tls.h"

struct conf_store;
struct sip_media_cfg;
struct sip_b2bua;
struct sip_binding;
struct sip_engine;
struct sip_iface;

/* ---- configuration snapshot (sip_route_cfg.c) ---- */

enum { SIP_RT_ANY = -1 };

/* sip_flags of a response made by sofia's transaction layer (timeout, transport error),
 * not received: NTA_INTERNAL_MSG of sofia-sip's nta_internal.h, which is not installed. */
#define SIP_NTA_INTERNAL (1 << 15)

/* IP2IPRouting DestType values (doc/ROUTING.md). */
enum sip_rt_dest {
	SIP_RT_DEST_IPGROUP = 0,
	SIP_RT_DEST_ADDRESS = 1,
	SIP_RT_DEST_RURI = 2,
	SIP_RT_DEST_ALL_USERS = 11,
};

struct sip_rt_sifc {
	unsigned index;
	char name[48];
	int fail_resp; /* ClassificationFailureResponseType */
	int ctx;       /* TLSContexts index of its TLSContext, -1 when unknown */
	int idle_s;    /* TCPIdleTimeout of the interface, -1: the global one */
};

struct sip_rt_proxyip {
	unsigned row;     /* ProxyIp row index (the ProxyStatus row) */
	unsigned ipindex; /* ProxyIpIndex */
	char addr[132];   /* IpAddress as configured */
	char host[128];   /* host part of it (no brackets) */
	unsigned port;    /* explicit port or the transport's default */
	int transport;    /* 0 udp, 1 tcp, 2 tls (ProxyIp -1 resolved to udp) */
	unsigned priority, weight;
	char ip[64]; /* resolved address literal, "" when resolution failed */
	/* DNS (sip_dns.h): a ProxyIp naming a host is expanded into one member per target */
	char name[128];    /* the host name resolved, "" for an address literal */
	int cfg_transport; /* TransportType as configured, -1 not configured */
	int has_port;      /* the address gave a port */
	int source;        /* enum sip_dns_src of the member */
};

struct sip_rt_set {
	unsigned index;
	char name[48];
	int keepalive; /* EnableProxyKeepAlive: 0 off, else OPTIONS */
	unsigned ka_time;
	int balancing; /* 0 none, 1 round-robin, 2 random weights */
	int hotswap;
	int input;      /* ClassificationInput: 0 ip only, 1 ip + port + transport */
	int ctx;        /* TLSContexts index of TLSContextName, -1 for none */
	int redundancy; /* -1 / 0 parking, 1 homing */
	char ka_fail[68];
	int sifc;                   /* SIPInterface index of SBCIPv4SIPInterfaceName, -1 for none */
	struct sip_rt_proxyip *ips; /* members: sorted by ProxyIpIndex, a name's targets in order */
	unsigned nips;
	int dns_method;              /* DNSResolveMethod (enum sip_dns_method) */
	struct sip_rt_proxyip *rows; /* the ProxyIp rows as configured, by ProxyIpIndex */
	unsigned nrows;
};

struct sip_rt_group {
	unsigned index;
	char name[48];
	int type; /* 0 server, 1 user */
	int set;  /* position in cfg->sets, -1 for none */
	char sipgroup[104];
	char contact_user[64];
	int by_set; /* ClassifyByProxySet */
	int sifc;   /* SIPInterface index, -1 for none */
};

struct sip_rt_class {
	unsigned index;
	char name[48];
	int sifc;      /* SIPInterface index, -1 any */
	char addr[68]; /* "" any; trailing '*' a prefix */
	unsigned port; /* 0 any */
	int transport; /* -1 any */
	char src_user[64], src_host[104], dst_user[64], dst_host[104];
	int allow;
	int group; /* position in cfg->groups, -1 none */
};

struct sip_rt_route {
	unsigned index;
	char name[48];
	char src_group[48]; /* "Any" or a group name */
	char src_user[64], src_host[104], dst_user[64], dst_host[104];
	int req_type;
	int dest_type;
	int dst_group; /* position in cfg->groups, -1 none */
	int dst_sifc;  /* SIPInterface index, -1 none */
	char dst_addr[104];
	unsigned dst_port;
	int dst_transport; /* -1 not configured */
};

struct sip_rt_ctx {
	unsigned index;
	char name[48];
	struct tls_policy pol;
};

struct sip_rt_cfg {
	int verify_server; /* VerifyServerCertificate */
	int require_cert;  /* SIPSRequireClientCertificate (as client: server must verify) */
	int hostname_mode; /* PeerHostNameVerificationMode */
	char remote_subject[256];
	unsigned hs_timeout_ms;
	struct sip_rt_sifc *sifcs;
	unsigned nsifcs;
	struct sip_rt_set *sets;
	unsigned nsets;
	struct sip_rt_group *groups;
	unsigned ngroups;
	struct sip_rt_class *classes;
	unsigned nclasses;
	struct sip_rt_route *routes;
	unsigned nroutes;
	struct sip_rt_ctx *ctxs;
	unsigned nctxs;
	/* proxy-set state laid out ahead (sip_proxy_prebuild), maybe on a worker; taken by
	   sip_proxy_config, else freed with the copy */
	struct sip_proxy_pre *proxy_pre;
	/* DNS servers: InterfaceTable Primary/SecondaryDNSServerIPAddress ("" none: the host's) */
	char dns_servers[3][64];
	unsigned ndns, dns_port, dns_grace;
	struct sip_media_cfg *media; /* sip_media.h */
};

/* A copy of what routing needs from st (NULL when out of memory). Host names of
 * proxy addresses are resolved here (getaddrinfo), once per commit. */
struct sip_rt_cfg *sip_rt_cfg_build(const struct conf_store *st);
void sip_rt_cfg_free(struct sip_rt_cfg *c);
const struct sip_rt_ctx *sip_rt_cfg_ctx(const struct sip_rt_cfg *c, int index);
const struct sip_rt_sifc *sip_rt_cfg_sifc(const struct sip_rt_cfg *c, int index);
/* host as an address literal when it is one (or "localhost"); "" for a name (never asks DNS). */
void sip_rt_resolve(const char *host, char *out, size_t len);
/*
 * Rebuilds each set's members (ips) from its rows: a literal row is one member; a named row
 * one member per DNS target of the cache (sip_dns_lookup, pinned: a resolution starts when
 * none is known), or one unusable member while it has none. Also pins the DestAddress names of
 * routing rules. On the loop only.
 */
struct sip_dns;
void sip_rt_cfg_expand(struct sip_rt_cfg *c, struct sip_dns *dns);
/* "host[:port]" or "[v6]:port" into host and port (0 when absent); -1 when malformed. */
int sip_rt_split_hostport(const char *in, char *host, size_t hlen, unsigned *port);

/* ---- classification and routing (sip_route.c) ---- */

/* Where a request goes: filled by sip_route_request. */
struct sip_dest {
	int to_user;              /* a registered user (binding), else an address */
	struct sip_binding *user; /* the binding when to_user */
	char ruri[512];           /* Request-URI towards the destination */
	char next_hop[160];       /* route URL of the first hop, "" for the Request-URI */
	tport_t *tp;              /* transport to send with (NTATAG_TPORT), no reference */
	struct sip_iface *ifc;    /* our interface towards the destination */
	int transport;            /* 0 udp, 1 tcp, 2 tls */
	char peer[80];            /* "ip:port" of the first hop */
	char expect[256];         /* name the TLS server must present ("" none) */
	int set, ip;              /* proxy set position and address position, -1 none */
	char src_group[48], dst_group[48];
	char route_name[48];
	/* SIP_RT_DNS_PENDING: the lookup to wait for (DestAddress or Request-URI host) */
	char dns_name[128];
	int dns_method, dns_transport, dns_sips;
	unsigned dns_port;
};

/* sip_route_request: the destination host is being resolved; see sip_route_defer. */
#define SIP_RT_DNS_PENDING 1

/*
 * Classifies a request outside a dialog that arrived on ifc from `peer` and
 * routes it. 0 with out filled, or the status to answer with (a classification
 * failure answers the interface's ClassificationFailureResponseType, no
 * matching rule 404, a matched destination that is unavailable 480 or 503);
 * `why` gets a short text for the log and a Reason header.
 */
int sip_route_request(struct sip_engine *e, struct sip_iface *ifc, int proto, const char *peer,
		      sip_t const *sip, struct sip_dest *out, char *why, size_t whylen);
/* Fills the address part of d (first hop, transport, client TLS transport, expected
 * server name) for proxy address a reached from ifc; 0 or a status with why. */
int sip_rt_fill_proxyip(struct sip_engine *e, struct sip_dest *d, struct sip_iface *ifc, int ctx,
			const struct sip_rt_proxyip *a, const char *user, char *why, size_t whylen);
/*
 * The request of irq waits for out's DNS lookup (SIP_RT_DNS_PENDING) and is given to the
 * B2BUA again when it is done (at most once more: still unresolved then, it gets 503). An
 * INVITE gets 100 Trying now. 0 when waiting, else the status to answer with.
 */
int sip_route_defer(struct sip_engine *e, const struct sip_dest *out, struct sip_iface *ifc,
		    int proto, nta_incoming_t *irq);
/* After a failure of out's proxy address: the next usable address of the same set
 * (hot swap), refilling out; -1 when there is none. */
int sip_route_next(struct sip_engine *e, struct sip_dest *out, unsigned tried_mask);

/* ---- proxy sets: state, selection, keep-alive (sip_proxy.c) ---- */

struct sip_proxy;
struct sip_proxy *sip_proxy_create(struct sip_engine *e);
void sip_proxy_destroy(struct sip_proxy *p);
/*
 * The per-address records of cfg's proxy sets, allocated and keyed (set name, address,
 * transport) but not yet bound to an engine: pure, so a control worker makes them and
 * the loop only carries state over (10,000 addresses cost the loop about 15 ms to lay
 * out). NULL when out of memory.
 */
struct sip_proxy_pre;
struct sip_proxy_pre *sip_proxy_prebuild(const struct sip_rt_cfg *cfg);
void sip_proxy_pre_free(struct sip_proxy_pre *pre);
/* The configuration changed: carries address state over by (set name, address); takes
 * cfg->proxy_pre when there is one (else lays the records out here). */
void sip_proxy_config(struct sip_proxy *p, struct sip_rt_cfg *cfg);
/* Once a second: keep-alive probes due, probe timeouts. */
void sip_proxy_tick(struct sip_proxy *p);
/* Position of the address of set `set` to use now, skipping those in tried_mask; -1 none. */
int sip_proxy_pick(struct sip_proxy *p, int set, unsigned tried_mask);
/* A request to (set, ip) got a response (up) or failed with reason (down). */
void sip_proxy_result(struct sip_proxy *p, int set, int ip, int ok, const char *reason);
/* 1 when the source matches an address of set (ClassificationInput decides what). */
int sip_proxy_matches(const struct sip_rt_set *s, const char *ip, unsigned port, int transport);
/* Fills the ProxyStatus table (a named ProxyIp row: its members summed up in one row). */
void sip_proxy_status(struct sip_proxy *p, struct conf_store *st);
/* The keep-alive state (0 unknown, 1 up, 2 down) of the member of a proxy set resolved from
 * name to ip:port/transport, with the set's name; -1 when no set has it. */
int sip_proxy_member_state(struct sip_proxy *p, const char *name, const char *ip, unsigned port,
			   int transport, char *set, size_t setlen);

/* ---- outgoing TLS (sip_proxy_tls.c) ---- */

/*
 * One client transport per (SIP interface, TLS context): a sofia TLS primary
 * whose SSL_CTX carries the context's certificate, roots and versions and our
 * verification (VerifyServerCertificate, SIPSRequireClientCertificate,
 * PeerHostNameVerificationMode). Connections to the same peer are reused by
 * sofia. Its listening socket (an ephemeral port) refuses every handshake.
 */
struct sip_ctls;
typedef void sip_ctls_fail_fn(void *arg, const char *reason);
struct sip_ctls_wait;

int sip_ctls_global_init(void);
/* The client transport of (ifc, ctx index), made on first use; NULL with err. */
tport_t *sip_ctls_primary(struct sip_engine *e, struct sip_iface *ifc, int ctx, char *err,
			  size_t errlen);
/* The interface a client transport (primary or connection) belongs to, or NULL. */
struct sip_iface *sip_ctls_iface_of(struct sip_engine *e, tport_t *pri);
/*
 * Watches the TLS connection from client transport pri to peer ("ip:port") on
 * behalf of one request: when its handshake fails, is refused by verification
 * or is not done within the deadline (at most 2 s), fn(arg, reason) is called
 * once, from a timer, and the connection is closed. expect is the name the
 * server certificate must match when host names are verified. Returns NULL
 * when a verified connection is already up (nothing to watch) or on failure.
 */
struct sip_ctls_wait *sip_ctls_watch(struct sip_engine *e, tport_t *pri, const char *peer,
				     const char *expect, sip_ctls_fail_fn *fn, void *arg);
/* The request got a response (or was abandoned): no callback any more. NULL is fine. */
void sip_ctls_unwatch(struct sip_engine *e, struct sip_ctls_wait *w);
/* New TLS connections from pri to peer ("ip:port") send SNI host (a DNS name). */
void sip_ctls_sni(struct sip_engine *e, tport_t *pri, const char *peer, const char *host);
/* 1 when cert names name: an IP literal against SAN IP; a host name against SAN DNS (with
 * wildcards), else the CN when there is no SAN DNS (X509_check_host). */
int sip_ctls_name_match(X509 *cert, const char *name);
/* Subject of the live verified connection to peer from pri, or NULL. */
const char *sip_ctls_peer_subject(struct sip_engine *e, tport_t *pri, const char *peer);
/* Drops records of closed connections (engine tick). */
void sip_ctls_sweep(struct sip_engine *e);
/*
 * TLS context ctx has a new policy (pol, when not NULL) or new material on disk: every client
 * transport using it takes them for its new handshakes; established connections whose server
 * no longer verifies are closed (sip_ctls_recheck). The policy is tried on a scratch SSL_CTX
 * first: what does not load changes nothing (logged).
 */
void sip_ctls_reconfigure(struct sip_engine *e, int ctx, const struct tls_policy *pol);
/* Verifies the server chain of every established outgoing connection of context ctx again
 * (after a trust change) and closes those that fail: counted in the interface's
 * ClosedTrustChange, logged, their pending requests failed. Returns how many were closed. */
unsigned sip_ctls_recheck(struct sip_engine *e, int ctx);
/* Before nta_agent_destroy: forget the SSL_CTXs; after: free everything. */
void sip_ctls_unbind(struct sip_engine *e);
void sip_ctls_release(struct sip_engine *e);

/* ---- calls (sip_b2bua.c) ---- */

/* Fills the Calls status table. */
void sip_b2bua_status(struct sip_b2bua *b, struct conf_store *st);

#endif

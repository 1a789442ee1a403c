/*
 * sip_identity: who may register and call as whom, per SIP interface.
 *
 * Runs on the engine's su_root thread, before the registrar binds anything and
 * before the B2BUA routes anything. Policy per SIP interface (refreshed from
 * the running configuration on every commit, no reset needed):
 * - AuthenticationMode: none, certificate (a verified client certificate on
 *   the TLS connection), digest (RFC 3261 / RFC 8760, sip_auth.c), either,
 *   both. Missing digest credentials are challenged (401 for REGISTER, 407
 *   otherwise); a missing certificate, a wrong password or a digest user other
 *   than the AOR's user are refused 403. With AuthenticationMode none and
 *   EnableUnAuthenticatedRegistrations disable, REGISTER needs either.
 * - Certificate-bound registrations: a binding made over a connection with a
 *   verified client certificate records its subject and issuer; while such a
 *   binding lives, REGISTER of that AOR (adding, refreshing or removing, `*`
 *   included) is accepted only from a connection presenting the same subject
 *   and issuer, else 403.
 * - TLSIdentityBinding ties a registering certificate to the AOR: none;
 *   subject: a SAN URI equal to the AOR (user@host, host wildcards), a SAN URI
 *   without user part or a SAN DNS matching the AOR host, or a SAN DNS or the CN
 *   matching the AOR user or host; aor-match: a SAN URI matching the whole AOR.
 * - BlockUnRegUsers enable: INVITE/MESSAGE from a user without a live binding
 *   is refused 403; from a certificate-bound user, the request must present
 *   that certificate.
 * - MaxNumOfRegUsers (>= 0): a new user beyond it is refused 503 (registrar).
 * Every refusal carries a Reason header, is counted (SIPIdentityStatus) and
 * logged, rate-limited, with interface, peer and AOR.
 */
#ifndef SBC_SIP_IDENTITY_H
#define SBC_SIP_IDENTITY_H

#include <stddef.h>

#include <sofia-sip/nta.h>
#include <sofia-sip/sip.h>

enum sip_id_binding { SIP_IDB_NONE, SIP_IDB_SUBJECT, SIP_IDB_AOR };
enum sip_auth_mode { SIP_AM_NONE, SIP_AM_CERT, SIP_AM_DIGEST, SIP_AM_EITHER, SIP_AM_BOTH };

struct sip_id_policy {
	int binding;       /* enum sip_id_binding */
	int mode;          /* enum sip_auth_mode */
	int unauth_reg;    /* EnableUnAuthenticatedRegistrations: 0 only when disable */
	int block_unreg;   /* BlockUnRegUsers: 1 only when enable */
	long long max_reg; /* MaxNumOfRegUsers, -1 unlimited */
	char realm[65];    /* AuthenticationRealm */
	int algs;          /* DigestAlgorithms: 0 SHA-256 MD5, 1 MD5 SHA-256, 2 SHA-256, 3 MD5 */
};

struct sip_id_counters {
	unsigned long long authenticated, challenges, failures, stale, replayed, mismatch, unauth,
	    unreg, limit;
};

struct sip_engine;
struct sip_iface;
struct conf_store;

/* What a REGISTER proved, for its bindings (Registrations columns). */
struct sip_id_result {
	char subject[512], issuer[512]; /* certificate identity, "" for none */
	char auth[64];                  /* Authentication column */
	char check[256];                /* IdentityCheck column */
};

/*
 * The checks of REGISTER (user: the AOR's user part, aor: "sip:user@host") and of
 * INVITE/MESSAGE (the From user), on interface ifc over proto p (enum sip_proto).
 * 0: go on (for REGISTER, res says what was proven); 1: refused or challenged, the
 * reply is sent and irq destroyed.
 */
int sip_identity_register(struct sip_engine *e, struct sip_iface *ifc, int p, nta_incoming_t *irq,
			  sip_t const *sip, const char *user, const char *aor,
			  struct sip_id_result *res);
int sip_identity_request(struct sip_engine *e, struct sip_iface *ifc, int p, nta_incoming_t *irq,
			 sip_t const *sip);
/* Refuses irq with status, phrase and a Reason naming why; counts it in *counter and logs
 * (rate-limited) with interface, peer and AOR. Destroys irq. */
void sip_identity_refuse(struct sip_engine *e, struct sip_iface *ifc, nta_incoming_t *irq,
			 int status, const char *phrase, const char *why, const char *aor,
			 unsigned long long *counter);

/* Refreshes every interface's policy and the credentials from st (boot and each commit).
 * 0, or -1 when out of memory (the previous credentials stay). */
int sip_identity_config(struct sip_engine *e, const struct conf_store *st);
/* Fills SIPIdentityStatus (one row per SIP interface, same index). */
void sip_identity_status(struct sip_engine *e, struct conf_store *st);

#endif

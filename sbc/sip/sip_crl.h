/*
 * sip_crl: CRLs fetched from the CRL distribution points (CDP) of peer certificates, for the
 * TLS contexts whose CrlDistributionPointEnable is on.
 *
 * Where they apply: sip_crl_store_bind() hooks the revocation step of every verification made
 * with the X509_STORE of a SIP SSL_CTX (listeners, client transports, the re-checks after a
 * trust change). In that step:
 *  - the first http:// URL of each certificate's CDP is learned, with the CA that issued the
 *    certificate, once the chain's signatures up to a trusted root check out; the loop fetches
 *    it within a second (at most SIP_CRL_MAX_PER_CTX URLs per context);
 *  - a certificate that a fetched CRL of its issuer revokes is refused (X509_V_ERR_CERT_REVOKED,
 *    reported through the verify callback like OpenSSL's own findings);
 *  - when the context has imported CRLs (OpenSSL's CRL_CHECK_ALL in force), the fetched CRLs are
 *    handed to OpenSSL's own check beside them (a fresher fetched CRL of an issuer wins).
 * A certificate whose CRL is not fetched yet is accepted; its connection is verified again when
 * the CRL arrives. The hook may run on any thread: the registry has its own lock.
 *
 * Everything else runs on the engine's loop: sip_crl_tick (once a second) starts due fetches (a
 * non-blocking socket registered with the su_root; IP address hosts only: a host name would need
 * DNS on the loop), refreshes each CRL at 80% of its thisUpdate..nextUpdate window (and
 * past that point at half the time left to nextUpdate, SIP_CRL_MIN_REFRESH_S to SIP_CRL_RETRY_S
 * apart; an hour without nextUpdate; SIP_CRL_RETRY_S after a failure),
 * raises alarm crlExpired when a nextUpdate passes without a fresh CRL, and after a CRL changes
 * calls sip_tls_trust_recheck() for its context. A fetched CRL counts only when it is a full CRL
 * signed by the issuer learned with its URL, not older than the one in force.
 */
#ifndef SBC_SIP_CRL_H
#define SBC_SIP_CRL_H

#include <openssl/x509.h>

#define SIP_CRL_MAX_PER_CTX   32
#define SIP_CRL_TIMEOUT_S     10
#define SIP_CRL_RETRY_S       30
#define SIP_CRL_MIN_REFRESH_S 1

struct sip_engine;
struct conf_store;

/* Hooks the revocation step of st (a trust store of TLS context ctx); enable: the context's
 * CrlDistributionPointEnable. Call after each tls_ctx_configure on a SIP SSL_CTX. */
void sip_crl_store_bind(X509_STORE *st, int ctx, int enable);

/* Once a second on the loop: fetches, refreshes, alarms; drops the CRLs of contexts that no
 * longer enable distribution points. */
void sip_crl_tick(struct sip_engine *e);

/* Fills CRLStatus: the imported CRLs of every context, then the fetched ones. */
void sip_crl_status(struct sip_engine *e, struct conf_store *st);

/* Ends every fetch and forgets every fetched CRL (clearing their alarms). */
void sip_crl_release(struct sip_engine *e);

#endif

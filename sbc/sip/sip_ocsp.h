/*
 * sip_ocsp: OCSP checking of peer certificates on the engine's su_root loop.
 *
 * A check never blocks: it answers at once from the cache (entries live until the response's
 * nextUpdate), from the responder state (a responder that failed is "down" for
 * SIP_OCSP_DOWN_S seconds and the context's OcspDefaultResponse decides), or it starts one
 * HTTP query (shared by every check of the same certificate) and calls the waiter's function
 * later, from the loop, never from inside OpenSSL. Responders: OcspServerPrimary then
 * OcspServerSecondary on OcspServerPort; when neither is set and OcspAiaEnable is on, the
 * certificate's AIA OCSP URL (IP literal hosts only: a host name would need DNS on the loop).
 * Each attempt has SIP_OCSP_TIMEOUT_MS to connect and answer.
 *
 * Everything here runs on the engine's loop thread.
 */
#ifndef SBC_SIP_OCSP_H
#define SBC_SIP_OCSP_H

#include <stddef.h>

#include <openssl/x509.h>

#include "tls/tls.h"

#define SIP_OCSP_TIMEOUT_MS 4000
#define SIP_OCSP_DOWN_S     30

struct sip_engine;
struct conf_store;
struct sip_ocsp_wait;

enum sip_ocsp_verdict {
	SIP_OCSP_OK,          /* good, or no answer and the default response allows */
	SIP_OCSP_REVOKED,     /* revoked, or unknown to the responder */
	SIP_OCSP_UNAVAILABLE, /* no answer and the default response rejects */
	SIP_OCSP_PENDING,     /* a query is running: the waiter's function will be called */
};

typedef void sip_ocsp_done_fn(void *arg, enum sip_ocsp_verdict v, const char *detail);

/*
 * Checks the leaf of the verified chain x (the issuer is its next certificate) under
 * policy pol of TLS context ctx. Returns the verdict with detail (a line for the log), or
 * SIP_OCSP_PENDING with *w set: fn(arg, verdict, detail) is called once from the loop unless
 * sip_ocsp_cancel(*w) comes first; the waiter is freed when fn returns (fn must not cancel it). OK
 * at once when pol does not enable OCSP.
 */
enum sip_ocsp_verdict sip_ocsp_check(struct sip_engine *e, int ctx, const struct tls_policy *pol,
				     X509_STORE_CTX *x, sip_ocsp_done_fn *fn, void *arg,
				     struct sip_ocsp_wait **w, char *detail, size_t detlen);

/*
 * Fetches an OCSP answer for the device's own certificate leaf (issued by issuer) to staple:
 * its AIA URL first, then the policy's servers. fn(arg, der, len, next_update, err) is called
 * once from the loop: der NULL on failure (err says why). The answer is verified against the
 * issuer. 0 when started, -1 when there is no responder or no memory.
 */
typedef void sip_ocsp_staple_fn(void *arg, const unsigned char *der, size_t len, time_t next_update,
				const char *err);
int sip_ocsp_fetch_staple(struct sip_engine *e, int ctx, const struct tls_policy *pol, X509 *leaf,
			  X509 *issuer, sip_ocsp_staple_fn *fn, void *arg);

/* Forgets a waiter (its connection ended); the query goes on and fills the cache. */
void sip_ocsp_cancel(struct sip_ocsp_wait *w);

/* Fills the OCSPStatus table: one row per TLS context that has OCSP on or was used. */
void sip_ocsp_status(struct sip_engine *e, struct conf_store *st);

/* Ends every query (waiters are not called) and frees the module. */
void sip_ocsp_release(struct sip_engine *e);

/*
 * The su_root registration index of socket fd as sofia-sip registered it (read from the
 * epoll set's fdinfo), or -1 when it cannot be found (a non-epoll su port). Used to stop
 * and resume watching a connection whose handshake is held for an OCSP answer.
 */
int sip_ocsp_su_index(int fd);

#endif

/*
 * sip_auth: SIP digest authentication (RFC 3261 22, RFC 8760) against the
 * SIPCredentials table, with SHA-256 and MD5, qop=auth.
 *
 * Nonces are random, issued per interface, valid SIPDigestNonceLifetime
 * seconds, kept in a fixed table (the oldest is forgotten first; a forgotten
 * nonce is answered like an expired one). Each response must raise the nonce
 * count (nc) of its nonce: a count seen before is a replay. A response computed
 * right with an expired or forgotten nonce is answered with a new challenge and
 * stale=true. Responses are compared in constant time.
 */
#ifndef SBC_SIP_AUTH_H
#define SBC_SIP_AUTH_H

#include <stddef.h>

#include <sofia-sip/sip.h>

struct sip_auth;
struct sip_iface;
struct conf_store;

enum sip_auth_res {
	SIP_AUTH_NONE,   /* no credentials for this realm */
	SIP_AUTH_OK,     /* user authenticated */
	SIP_AUTH_BAD,    /* wrong password, unknown user, malformed */
	SIP_AUTH_STALE,  /* right password, expired or unknown nonce */
	SIP_AUTH_REPLAY, /* nonce count not above the last one seen */
};

struct sip_auth *sip_auth_create(void);
void sip_auth_destroy(struct sip_auth *a);
/* Copies the credentials and the nonce lifetime from st. 0, or -1 (out of memory). */
int sip_auth_config(struct sip_auth *a, const struct conf_store *st);
/*
 * Checks the Authorization (proxy 0) or Proxy-Authorization (proxy 1) headers of
 * sip for the realm of ifc. On SIP_AUTH_OK, user gets the digest user name and
 * alg "MD5" or "SHA-256". On failure, why says what (for logs).
 */
enum sip_auth_res sip_auth_check(struct sip_auth *a, const struct sip_iface *ifc, sip_t const *sip,
				 int proxy, char *user, size_t ulen, const char **alg, char *why,
				 size_t wlen);
/*
 * The challenge headers in the interface's DigestAlgorithms order with a new nonce, for
 * WWW-Authenticate (401) or Proxy-Authenticate (407): into c1, and c2 ("" when one only).
 * 0, or -1 when no random bytes could be had.
 */
int sip_auth_challenge(struct sip_auth *a, const struct sip_iface *ifc, int stale, char *c1,
		       char *c2, size_t len);

#endif

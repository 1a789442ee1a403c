/*
 * tls: OpenSSL SSL_CTX objects built from a TLS context (TLSContexts row +
 * its material on flash). One module for every user: SIP server side, SIP
 * client side (proxy sets) and HTTPS management.
 *
 * Material of context N lives in <flash>/tls/<N>/:
 *   certificate.pem    device certificate, then its chain (PEM)
 *   private-key.pem    private key (PEM, mode 0600)
 *   trusted-roots.pem  trusted CA certificates, several concatenated (PEM)
 *   crl.pem            optional certificate revocation list(s) (PEM)
 */
#ifndef TLS_TLS_H
#define TLS_TLS_H

#include <stddef.h>
#include <openssl/ssl.h>

struct conf_row;

/* Versions, ciphers and checks of one TLS context (the TLSContexts columns). */
struct tls_policy {
	unsigned versions;           /* TLSVersion bits: 1 TLS1.0, 2 TLS1.1, 4 TLS1.2, 8 TLS1.3; 0 any */
	char ciphers_server[1025];   /* ServerCipherString (TLS <= 1.2) */
	char ciphers_client[1025];   /* ClientCipherString */
	char suites_server[1025];    /* ServerCipherTLS13String */
	char suites_client[1025];    /* ClientCipherTLS13String */
	char groups[513];            /* KeyExchangeGroups */
	int verify_depth;            /* VerifyDepth */
	int require_strict;          /* RequireStrictCert: peer must carry the right EKU */
	int dh_bits;                 /* DHKeySize */
};

enum tls_role { TLS_ROLE_SERVER, TLS_ROLE_CLIENT };

/* flags for tls_ctx_configure / tls_ctx_build */
#define TLS_F_VERIFY_PEER 0x01 /* server: demand and verify the client certificate;
				* client: verify the server certificate */
#define TLS_F_NO_CERT     0x02 /* do not load the device certificate and key */

/* Fills p from a TLSContexts row of the schema. */
void tls_policy_from_row(const struct conf_row *r, struct tls_policy *p);

/*
 * Applies policy p, role and flags to an existing ctx (one made by us or by
 * sofia-sip): protocol version bounds, cipher lists, groups, verify mode and
 * depth, the trust store from ctxdir/trusted-roots.pem (with CRL checking
 * when ctxdir/crl.pem exists), the client CA list sent to clients, and, unless
 * TLS_F_NO_CERT, the device certificate chain and key. Returns 0, or -1 with
 * the reason in err; on failure ctx may be partly changed (callers build new).
 */
int tls_ctx_configure(SSL_CTX *ctx, const struct tls_policy *p, enum tls_role role,
		      const char *ctxdir, unsigned flags, char *err, size_t errlen);

/* A new SSL_CTX configured as above, or NULL with the reason in err. */
SSL_CTX *tls_ctx_build(const struct tls_policy *p, enum tls_role role, const char *ctxdir,
		       unsigned flags, char *err, size_t errlen);

#endif

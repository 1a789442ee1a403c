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

/* File names inside a context directory. */
#define TLS_FILE_CERT  "certificate.pem"
#define TLS_FILE_KEY   "private-key.pem"
#define TLS_FILE_ROOTS "trusted-roots.pem"
#define TLS_FILE_CRL   "crl.pem"

/* Largest certificate, key, bundle or CRL file accepted, read or written. */
#define TLS_MAX_INPUT (1024 * 1024)

/* Versions, ciphers and checks of one TLS context (the TLSContexts columns). */
struct tls_policy {
	unsigned versions; /* TLSVersion bits: 1 TLS1.0, 2 TLS1.1, 4 TLS1.2, 8 TLS1.3; 0 any */
	char ciphers_server[1025]; /* ServerCipherString (TLS <= 1.2) */
	char ciphers_client[1025]; /* ClientCipherString */
	char suites_server[1025];  /* ServerCipherTLS13String */
	char suites_client[1025];  /* ClientCipherTLS13String */
	char groups[513];          /* KeyExchangeGroups */
	int verify_depth;          /* VerifyDepth */
	int require_strict;        /* RequireStrictCert: peer must carry the right EKU */
	int dh_bits;               /* DHKeySize */
	int ocsp_enable;           /* OcspEnable */
	char ocsp_primary[64];     /* OcspServerPrimary, "" for none */
	char ocsp_secondary[64];   /* OcspServerSecondary */
	unsigned ocsp_port;        /* OcspServerPort */
	int ocsp_default_allow;    /* OcspDefaultResponse: 1 allow, 0 reject */
	int ocsp_aia;              /* OcspAiaEnable: the certificate's AIA URL when no server */
	int ocsp_stapling;         /* OcspStapling */
	int crl_dp;                /* CrlDistributionPointEnable: CRLs fetched from CDP URLs */
};

enum tls_role { TLS_ROLE_SERVER, TLS_ROLE_CLIENT };

/* flags for tls_ctx_configure / tls_ctx_build */
#define TLS_F_VERIFY_PEER                                                                          \
	0x01               /* server: demand and verify the client certificate;                    \
			    * client: verify the server certificate */
#define TLS_F_NO_CERT 0x02 /* do not load the device certificate and key */

/*
 * Fills p from a TLSContexts row of the schema. Columns are reached by their
 * bindings (conf/cols.h); a column whose type no longer fits its field keeps
 * its value from tls_policy_default.
 */
void tls_policy_from_row(const struct conf_row *r, struct tls_policy *p);

/* Fills p with the schema's default values of the TLSContexts columns. */
void tls_policy_default(struct tls_policy *p);

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

/*
 * The material of a context in memory (sbc-web gets it from sbcd, never from
 * the flash): PEM or DER buffers; roots and crl may be empty (len 0).
 */
struct tls_mem {
	const void *cert, *key, *roots, *crl;
	size_t cert_len, key_len, roots_len, crl_len;
};

/* As tls_ctx_build, from m instead of a directory (the key's mode is not checked). */
SSL_CTX *tls_ctx_build_mem(const struct tls_policy *p, enum tls_role role, const struct tls_mem *m,
			   unsigned flags, char *err, size_t errlen);

/*
 * Notes on tls_ctx_configure:
 * - Empty cipher, suite or group strings keep OpenSSL's defaults.
 * - TLSVersion bits with gaps (say TLS1.0 + TLS1.2) become the span lowest..
 *   highest plus SSL_OP_NO_* for the holes. OpenSSL 3 at its default security
 *   level 2 refuses TLS 1.0 and 1.1 whatever the bits say.
 * - Verify mode: server with TLS_F_VERIFY_PEER demands a client certificate
 *   (SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT), client with it
 *   verifies the server (SSL_VERIFY_PEER); otherwise SSL_VERIFY_NONE. Any
 *   verify callback already on ctx is removed so nothing can override the
 *   result. Host name checks are per connection (SSL_set1_host): the caller's.
 * - RequireStrictCert on: the peer certificate must carry EKU clientAuth (we
 *   are the server) or serverAuth (we are the client). Off: EKU is not checked,
 *   as the vendor does, although OpenSSL would check it by default.
 * - When crl.pem exists, every CA that issued a certificate of the peer chain
 *   (the root too, as issuer of the intermediate) needs a current CRL in it
 *   (CRL_CHECK_ALL); a missing or stale one fails the handshake.
 * - DHKeySize picks ffdhe2048 / ffdhe3072 for TLS <= 1.2 DHE suites; 1024
 *   is refused by OpenSSL's default security level (the error says so).
 * - A server prefers its own cipher order; renegotiation is refused.
 * - The key file must not be accessible by group or others.
 */

/*
 * The verification policy tls_ctx_configure put in effect on ctx, in one line
 * for the caller to log (who is verified, against how many roots, depth, EKU,
 * revocation, own certificate); a fixed text when ctx was not configured by us.
 * The string lives as long as ctx or until the next tls_ctx_configure.
 */
const char *tls_ctx_policy_text(const SSL_CTX *ctx);

#endif

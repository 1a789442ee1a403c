/*
 * A test PKI made with the OpenSSL API at run time, for TLS, SIP and HTTPS
 * tests. Built once per test process on first use (about a second: two RSA
 * keys), then shared read-only.
 *
 *   ROOT (EC P-256, self-signed CA)
 *   └─ INTER (EC P-256, CA)
 *      ├─ SERVER_EC, SERVER_RSA: SAN DNS:localhost, IP:127.0.0.1; EKU serverAuth
 *      ├─ CLIENT_EC, CLIENT_RSA: SAN DNS:client.test; EKU clientAuth
 *      ├─ EXPIRED, NOT_YET_VALID, REVOKED: SAN localhost; EKU serverAuth + clientAuth
 *      └─ WRONG_EKU: SAN localhost; EKU codeSigning only
 *   ROGUE_CA (self-signed CA, unrelated) └─ ROGUE_CLIENT (clientAuth)
 *   ROGUE: self-signed end entity, SAN localhost, EKU serverAuth + clientAuth
 *
 * CRLs: CRL_ROOT (by ROOT, nothing revoked), CRL_INTER (by INTER, revokes
 * REVOKED), CRL_ROGUE (by ROGUE_CA), CRL_INTER_STALE (by INTER, nextUpdate
 * passed). Leaves are valid from yesterday for a year (except the expired
 * and not-yet-valid ones).
 */
#ifndef TLS_PKI_H
#define TLS_PKI_H

#include <stddef.h>
#include <openssl/x509.h>

enum tls_pki_id {
	TLS_PKI_ROOT,
	TLS_PKI_INTER,
	TLS_PKI_SERVER_EC,
	TLS_PKI_SERVER_RSA,
	TLS_PKI_CLIENT_EC,
	TLS_PKI_CLIENT_RSA,
	TLS_PKI_EXPIRED,
	TLS_PKI_NOT_YET_VALID,
	TLS_PKI_REVOKED,
	TLS_PKI_WRONG_EKU,
	TLS_PKI_ROGUE_CA,
	TLS_PKI_ROGUE_CLIENT,
	TLS_PKI_ROGUE,
	TLS_PKI_CLIENT_ALICE, /* CN alice, SAN URI:sip:alice@example.com; clientAuth; by INTER */
	TLS_PKI_N
};

enum tls_pki_crl {
	TLS_PKI_CRL_ROOT,
	TLS_PKI_CRL_INTER,
	TLS_PKI_CRL_ROGUE,
	TLS_PKI_CRL_INTER_STALE,
	TLS_PKI_NCRL
};

/* 0 when the PKI exists (built now if needed), -1 when it could not be made. */
int tls_pki_init(void);
X509 *tls_pki_cert(enum tls_pki_id id);
EVP_PKEY *tls_pki_key(enum tls_pki_id id);
X509 *tls_pki_issuer(enum tls_pki_id id); /* NULL for self-signed */
X509_CRL *tls_pki_crl(enum tls_pki_crl c);
/* File base name: "root", "inter", "server-ec", ... */
const char *tls_pki_name(enum tls_pki_id id);
const char *tls_pki_crl_name(enum tls_pki_crl c);

/* malloc'd, NUL-terminated text (len without the NUL); with chain, the
 * issuing intermediate follows a leaf certificate. */
char *tls_pki_cert_pem(enum tls_pki_id id, int chain, size_t *len);
unsigned char *tls_pki_cert_der(enum tls_pki_id id, size_t *len);
char *tls_pki_key_pem(enum tls_pki_id id, const char *passphrase, size_t *len);
char *tls_pki_crl_pem(enum tls_pki_crl c, size_t *len);

/*
 * Writes the whole PKI as PEM into dir (created if needed): <name>.crt
 * (certificate and, for leaves of INTER, the intermediate), <name>.key (0600),
 * ca.crt (ROOT), ca-bundle.crt (ROOT and INTER), <crl name>.pem, and
 * crl-all.pem (CRL_ROOT and CRL_INTER). 0 or -1.
 */
int tls_pki_write_dir(const char *dir);

/*
 * Writes a TLS context directory (tls/tls.h layout): the device certificate
 * with chain and key of dev (none when dev < 0), the trusted roots listed in
 * roots[] up to a -1, and the CRLs of crl_mask (bit 1 << enum tls_pki_crl)
 * into crl.pem. Removes files of the layout it does not write. 0 or -1.
 */
int tls_pki_write_ctxdir(const char *ctxdir, int dev, const int *roots, unsigned crl_mask);

#endif

/*
 * tls internal: certificates, CRLs and keys from operator input, and back to
 * PEM text.
 *
 * Input is PEM (any number of blocks; text around the blocks, such as the
 * comments of CA bundles, is ignored) or DER (one object, or certificates
 * back to back). Strict: every PEM block must be of the expected kind, every
 * BEGIN line must have its block parsed (a truncated block is an error, not
 * silently dropped), and an empty input is refused. `what` names the input in
 * messages ("certificate", "trusted roots", "trusted-roots.pem", ...).
 * Callers bound len (TLS_MAX_INPUT) beforehand.
 */
#ifndef TLS_PARSE_H
#define TLS_PARSE_H

#include <stddef.h>
#include <openssl/x509.h>

STACK_OF(X509) *tls_parse_certs(const void *buf, size_t len, const char *what, char *err,
				size_t errlen);
STACK_OF(X509_CRL) *tls_parse_crls(const void *buf, size_t len, const char *what, char *err,
				   size_t errlen);
/*
 * The private key in buf (PEM, possibly encrypted with pass, or DER). Never
 * prompts: an encrypted key without pass is refused. Says so when buf holds
 * a certificate instead of a key.
 */
EVP_PKEY *tls_parse_key(const void *buf, size_t len, const char *pass, const char *what, char *err,
			size_t errlen);

/* PEM text, malloc'd and NUL-terminated (len excludes the NUL); NULL on failure. */
char *tls_pem_certs(STACK_OF(X509) *sk, size_t *len);
char *tls_pem_crls(STACK_OF(X509_CRL) *sk, size_t *len);
/* Unencrypted PKCS#8 PEM of k in a secure-memory BIO, wiped when the BIO is freed. */
BIO *tls_pem_key(EVP_PKEY *k);

/* Reads a file of the context directory with the parsers above. A missing
 * file gives an empty stack (certs, crls) when optional. */
STACK_OF(X509) *tls_load_certs(const char *path, int optional, char *err, size_t errlen);
STACK_OF(X509_CRL) *tls_load_crls(const char *path, int optional, char *err, size_t errlen);
EVP_PKEY *tls_load_key(const char *path, char *err, size_t errlen);

#endif

/*
 * tls internal: new keys, self-signed device certificates and signing
 * requests, as OpenSSL objects (no files). Return NULL / -1 with err filled.
 */
#ifndef TLS_ISSUE_H
#define TLS_ISSUE_H

#include <stddef.h>
#include <openssl/x509.h>

#include "tls/material.h"

/*
 * Parses "CN=host,O=Org" (RFC 4514: most specific first, "\," escapes) or
 * "/O=Org/CN=host" into a new X509_NAME. The CN, which must be present, is
 * copied into cn.
 */
X509_NAME *tls_subject_parse(const char *subject, char *cn, size_t cnlen, char *err, size_t errlen);
/* The CN of a name into cn; -1 when it has none. */
int tls_name_cn(const X509_NAME *name, char *cn, size_t cnlen);

EVP_PKEY *tls_key_new(enum tls_key_type type, int bits, char *err, size_t errlen);

/* Self-signed end-entity certificate: SAN from cn, EKU serverAuth + clientAuth. */
X509 *tls_cert_self_signed(EVP_PKEY *key, const X509_NAME *name, const char *cn, int days,
			   char *err, size_t errlen);

/* Signing request with the same extensions, as PEM text (malloc'd). */
char *tls_csr_pem(EVP_PKEY *key, const X509_NAME *name, const char *cn, char *err, size_t errlen);

#endif

/*
 * tls internal: TLSVersion bits (1 TLS1.0, 2 TLS1.1, 4 TLS1.2, 8 TLS1.3; 0 any)
 * onto an SSL_CTX: the span lowest..highest as min/max protocol version, and
 * SSL_OP_NO_* for the versions inside the span that are not in the set.
 */
#ifndef TLS_VERSION_H
#define TLS_VERSION_H

#include <stddef.h>
#include <openssl/ssl.h>

int tls_versions_apply(SSL_CTX *ctx, unsigned bits, char *err, size_t errlen);
/* "any", "TLS1.2", "TLS1.2 TLS1.3", ... Returns buf. */
const char *tls_versions_text(unsigned bits, char *buf, size_t len);

#endif

/*
 * tls internal: peer verification of an SSL_CTX, in one place.
 *
 * tls_verify_apply installs a new trust store (the roots of trusted-roots.pem
 * and the CRLs of crl.pem), the CRL flags, the purpose (EKU) check, the depth,
 * the verify mode and, for a server, the client CA list; then it records the
 * text that tls_ctx_policy_text returns. Call it last: the text names the
 * device certificate in effect. 0, or -1 with err naming the file.
 */
#ifndef TLS_VERIFY_H
#define TLS_VERIFY_H

#include <stddef.h>

#include "tls/tls.h"

int tls_verify_apply(SSL_CTX *ctx, const struct tls_policy *p, enum tls_role role,
		     const char *ctxdir, unsigned flags, char *err, size_t errlen);
/* The same with the roots and CRLs given (they stay the caller's). */
int tls_verify_apply_sk(SSL_CTX *ctx, const struct tls_policy *p, enum tls_role role,
			STACK_OF(X509) *roots, STACK_OF(X509_CRL) *crls, unsigned flags, char *err,
			size_t errlen);

#endif

/* tls internal: the TLSContexts column behind a field of struct tls_policy. */
#ifndef TLS_POLICY_H
#define TLS_POLICY_H

#include <stddef.h>

#include "tls/tls.h"

/* Column name of the field at offsetof(struct tls_policy, f), for messages. */
const char *tls_policy_col(size_t off);

#define TLS_POLICY_COL(field) tls_policy_col(offsetof(struct tls_policy, field))

#endif

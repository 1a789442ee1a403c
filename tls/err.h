/*
 * tls internal: error text for the err buffers of the tls module.
 *
 * tls_errf writes a formatted message into err (truncated to errlen, always
 * terminated; err may be NULL). tls_errf_ssl does the same and appends
 * ": <reason>" taken from the OpenSSL error queue (the earliest error, which
 * names the cause rather than the wrapper), then empties the queue.
 * Both return -1 so callers can write `return tls_errf(...)`.
 */
#ifndef TLS_ERR_H
#define TLS_ERR_H

#include <stddef.h>

int tls_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tls_errf_ssl(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends "; text" to a warning buffer (or sets it when empty). */
void tls_warnf(char *warn, size_t warnlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

/* Error and warning text shared by the tls module. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "tls/err.h"

int tls_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int tls_errf_ssl(char *err, size_t errlen, const char *fmt, ...)
{
	unsigned long e = ERR_peek_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ERR_clear_error();
	if (!e)
		return tls_errf(err, errlen, "%s", msg);
	if (reason)
		return tls_errf(err, errlen, "%s: %s", msg, reason);
	return tls_errf(err, errlen, "%s: OpenSSL error %lx", msg, e);
}

void tls_warnf(char *warn, size_t warnlen, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!warn || !warnlen)
		return;
	used = strnlen(warn, warnlen);
	if (used + 3 >= warnlen)
		return;
	if (used) {
		memcpy(warn + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(warn + used, warnlen - used, fmt, ap);
	va_end(ap);
}

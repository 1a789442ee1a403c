/*
 * conf_num: strict decimal numbers for every program's arguments, options,
 * environment variables and control-verb arguments. The whole text must be one
 * decimal integer (an optional '-' only when min < 0; no spaces, no '+', no
 * trailing characters, no hex or octal) within [min, max]. Nothing is clamped
 * and nothing defaults silently: a refusal fills err with
 * "WHAT: 'TEXT' is not a whole number in MIN..MAX" (or "... is out of range
 * MIN..MAX"), so the caller can print it as is and exit non-zero.
 */
#ifndef CONF_NUM_H
#define CONF_NUM_H

#include <stddef.h>

/* 0 and *out set, or -1 and err filled naming `what`. text may be NULL (refused). */
int conf_num_parse(const char *what, const char *text, long long min, long long max, long long *out,
		   char *err, size_t errlen);
/* The same for an unsigned result; max at most UINT_MAX. */
int conf_num_uint(const char *what, const char *text, unsigned min, unsigned max, unsigned *out,
		  char *err, size_t errlen);
/* A decimal fraction ("2", "0.5"; no exponent, no sign unless min < 0) within [min, max]. */
int conf_num_double(const char *what, const char *text, double min, double max, double *out,
		    char *err, size_t errlen);

#endif

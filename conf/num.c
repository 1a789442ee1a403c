/* Strict numbers: strtoll alone takes "0abc" as 0 and " 7" as 7; the checks here refuse both. */
#include "conf/num.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int conf_num_parse(const char *what, const char *text, long long min, long long max, long long *out,
		   char *err, size_t errlen)
{
	const char *p = text;
	char *end;
	long long v;

	if (!text || !*text) {
		snprintf(err, errlen, "%s: missing (a whole number in %lld..%lld)", what, min, max);
		return -1;
	}
	if (*p == '-' && min < 0)
		p++;
	if (*p < '0' || *p > '9')
		goto bad;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (*end)
		goto bad;
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "%s: '%.40s' is out of range %lld..%lld", what, text, min,
			 max);
		return -1;
	}
	*out = v;
	return 0;
bad:
	snprintf(err, errlen, "%s: '%.40s' is not a whole number in %lld..%lld", what, text, min,
		 max);
	return -1;
}

int conf_num_uint(const char *what, const char *text, unsigned min, unsigned max, unsigned *out,
		  char *err, size_t errlen)
{
	long long v;

	if (conf_num_parse(what, text, min, max, &v, err, errlen) < 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int conf_num_double(const char *what, const char *text, double min, double max, double *out,
		    char *err, size_t errlen)
{
	const char *p = text;
	char *end;
	double v;

	if (!text || !*text) {
		snprintf(err, errlen, "%s: missing (a number in %g..%g)", what, min, max);
		return -1;
	}
	if (*p == '-' && min < 0)
		p++;
	for (int digits = 0, dot = 0;; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (*p == '.' && !dot)
			dot = 1;
		else if (*p || !digits)
			goto bad;
		else
			break;
	}
	v = strtod(text, &end);
	if (*end)
		goto bad;
	if (v < min || v > max) {
		snprintf(err, errlen, "%s: '%.40s' is out of range %g..%g", what, text, min, max);
		return -1;
	}
	*out = v;
	return 0;
bad:
	snprintf(err, errlen, "%s: '%.40s' is not a number in %g..%g", what, text, min, max);
	return -1;
}

/*
 * tls expiry: alarm severity and text for a certificate nearing its end.
 * Pure functions of (not_after, now, TLSExpiryCheckStart): no clock, no files.
 *
 * Days left are counted up: 1 second to 24 hours left is "1 day".
 *   CRITICAL  now >= not_after (expired)
 *   MAJOR     at most TLS_EXPIRY_MAJOR_DAYS days left ("a week and a day")
 *   MINOR     at most start_days days left (TLSExpiryCheckStart; 0: never MINOR)
 *   NONE      otherwise
 * MAJOR and CRITICAL do not depend on start_days.
 */
#ifndef TLS_EXPIRY_H
#define TLS_EXPIRY_H

#include <stddef.h>
#include <time.h>

#define TLS_EXPIRY_MAJOR_DAYS 8

enum tls_alarm { TLS_ALARM_NONE, TLS_ALARM_MINOR, TLS_ALARM_MAJOR, TLS_ALARM_CRITICAL };

/* Whole days left, counted up (> 0), or days since expiry counted down (<= 0, 0: today). */
long tls_expiry_days(time_t not_after, time_t now);

enum tls_alarm tls_expiry_severity(time_t not_after, time_t now, int start_days);

/* "none", "minor", "major", "critical". */
const char *tls_alarm_name(enum tls_alarm a);

/*
 * "certificate of TLS context N will expire in D days" (or "in 1 day"), or
 * "certificate of TLS context N has expired D days ago" (or "1 day ago",
 * "today"). Returns buf.
 */
const char *tls_expiry_message(unsigned ctx_index, time_t not_after, time_t now, char *buf,
			       size_t len);

#endif

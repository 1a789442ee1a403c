/* Certificate expiry alarms, kept free of clocks so every boundary can be tested. */
#include <stdio.h>

#include "tls/expiry.h"

#define DAY 86400L

long tls_expiry_days(time_t not_after, time_t now)
{
	long long left = (long long)not_after - (long long)now;

	if (left > 0)
		return (long)((left + DAY - 1) / DAY);
	return (long)(left / DAY); /* truncates toward zero: -0.5 day is "today" */
}

enum tls_alarm tls_expiry_severity(time_t not_after, time_t now, int start_days)
{
	long days;

	if (now >= not_after)
		return TLS_ALARM_CRITICAL;
	days = tls_expiry_days(not_after, now);
	if (days <= TLS_EXPIRY_MAJOR_DAYS)
		return TLS_ALARM_MAJOR;
	if (start_days > 0 && days <= start_days)
		return TLS_ALARM_MINOR;
	return TLS_ALARM_NONE;
}

const char *tls_alarm_name(enum tls_alarm a)
{
	static const char *const names[] = {"none", "minor", "major", "critical"};

	return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

const char *tls_expiry_message(unsigned ctx_index, time_t not_after, time_t now, char *buf,
			       size_t len)
{
	long days = tls_expiry_days(not_after, now);

	if (now < not_after)
		snprintf(buf, len, "certificate of TLS context %u will expire in %ld day%s",
			 ctx_index, days, days == 1 ? "" : "s");
	else if (days == 0)
		snprintf(buf, len, "certificate of TLS context %u has expired today", ctx_index);
	else
		snprintf(buf, len, "certificate of TLS context %u has expired %ld day%s ago",
			 ctx_index, -days, days == -1 ? "" : "s");
	return buf;
}

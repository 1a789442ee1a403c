/* Log lines go to stderr with a time stamp (tests read them) and, as a daemon, to syslog. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "web/web.h"

static int use_syslog;

void web_log_open(int to_syslog)
{
	use_syslog = to_syslog;
	if (use_syslog)
		openlog("sbc-web", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void web_log(int prio, const char *fmt, ...)
{
	static const char *const names[] = {"emerg",   "alert",  "crit", "error",
					    "warning", "notice", "info", "debug"};
	char ts[32], msg[1024];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s sbc-web %s: %s\n", ts, names[prio & 7], msg);
	fflush(stderr);
	if (use_syslog)
		syslog(prio, "%s", msg);
}

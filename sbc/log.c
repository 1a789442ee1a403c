/* syslog + stderr logging with a rate limiter for floods. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sbc/log.h"

static int log_stderr;
static int log_syslog = 1;
static const char *log_ident = "sbc";
static int log_facility = LOG_DAEMON;

void log_init(const char *ident, int foreground, int facility)
{
	log_stderr = foreground;
	log_ident = ident;
	log_facility = facility << 3;
	/* under systemd, stderr already goes to the journal: once is enough */
	log_syslog = !(foreground && getenv("JOURNAL_STREAM"));
	if (log_syslog)
		openlog(log_ident, LOG_PID | LOG_NDELAY, log_facility);
}

void log_reopen(void)
{
	if (!log_syslog)
		return;
	closelog();
	openlog(log_ident, LOG_PID | LOG_NDELAY, log_facility);
}

static void vlog(int prio, const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	if (log_syslog)
		vsyslog(prio, fmt, ap);
	if (log_stderr) {
		vfprintf(stderr, fmt, ap2);
		fputc('\n', stderr);
		fflush(stderr);
	}
	va_end(ap2);
}

void log_msg(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void log_ratelimited(struct log_limit *l, int prio, const char *fmt, ...)
{
	double t = now_s();
	va_list ap;

	if (l->last == 0)
		l->tokens = l->burst;
	else
		l->tokens += (t - l->last) * l->per_sec;
	if (l->tokens > l->burst)
		l->tokens = l->burst;
	l->last = t;
	if (l->tokens < 1) {
		l->suppressed++;
		return;
	}
	l->tokens -= 1;
	if (l->suppressed) {
		log_msg(prio, "(%lu similar messages suppressed)", l->suppressed);
		l->suppressed = 0;
	}
	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

/*
 * log: sbcd's logging. Lines go to syslog (facility from SyslogFacility) and,
 * in the foreground, also to stderr. log_ratelimited lets a flood of similar
 * events (refused TLS clients) through at a bounded rate and reports what it
 * dropped.
 */
#ifndef SBC_LOG_H
#define SBC_LOG_H

#include <syslog.h>

void log_init(const char *ident, int foreground, int facility);
/* Reopens the syslog connection (SIGHUP, after syslogd restarted). */
void log_reopen(void);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warnx(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_errx(...)  log_msg(LOG_ERR, __VA_ARGS__)

/* A token bucket: at most `per_sec` lines a second, bursts of `burst`. */
struct log_limit {
	unsigned per_sec, burst;
	double tokens;
	double last;
	unsigned long suppressed;
};
void log_ratelimited(struct log_limit *l, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

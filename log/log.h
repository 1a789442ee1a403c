/*
 * log: the one logging module of every program (sbcd, sbc-web, sbc-cli,
 * sbc-snmp-agent, sbc-ini). Each line has a syslog severity that survives to
 * where it lands:
 * - stderr connected to the journal ($JOURNAL_STREAM names stderr's device and
 *   inode, as systemd sets it for a service and the children inherit it): the
 *   line carries an sd-daemon "<N>" prefix, so `journalctl -p warning` shows
 *   warnings and worse, and syslog is not used (the journal has the line once);
 * - syslog (daemons in the background, or LOG_F_SYSLOG): the line goes with its
 *   severity and the facility given to log_open;
 * - stderr otherwise (a terminal, a test's log file): plain text, or with a
 *   time stamp, program name and severity word when LOG_F_STAMP is asked for.
 * log_ratelimited lets a flood of similar events through at a bounded rate;
 * log_peer_limited does it per peer address and later reports what it dropped
 * in one "suppressed N" line per peer.
 */
#ifndef LOG_LOG_H
#define LOG_LOG_H

#include <syslog.h>

enum {
	LOG_F_STDERR = 1, /* write lines to stderr */
	LOG_F_SYSLOG = 2, /* send lines to syslog (skipped when stderr is the journal) */
	LOG_F_STAMP = 4,  /* on a plain stderr: "YYYY-mm-dd HH:MM:SS ident severity: " first */
};

/* Sets up logging for the program `ident`; facility is a syslog facility number (16 = local0). */
void log_open(const char *ident, unsigned flags, int facility);
/* sbcd's set-up: stderr in the foreground, syslog unless stderr is the journal. */
void log_init(const char *ident, int foreground, int facility);
/* Reopens the syslog connection (sbcd on SIGHUP, after syslogd restarted). */
void log_reopen(void);
/* 1 when stderr is the journal (lines carry "<N>" prefixes). */
int log_to_journal(void);
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_warnx(...)  log_msg(LOG_WARNING, __VA_ARGS__)
#define log_errx(...)   log_msg(LOG_ERR, __VA_ARGS__)

/* A token bucket: at most `per_sec` lines a second, bursts of `burst`. */
struct log_limit {
	unsigned per_sec, burst;
	double tokens;
	double last;
	unsigned long suppressed;
};
void log_ratelimited(struct log_limit *l, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Per peer address: a token bucket for each of the LOG_PEER_SLOTS most recent peers. */
#define LOG_PEER_SLOTS 64
struct log_peer_slot {
	char peer[64];
	double tokens, last, since; /* since: first line suppressed */
	unsigned long suppressed;
	int prio;
};
struct log_peer_limit {
	unsigned per_min, burst;
	struct log_peer_slot slot[LOG_PEER_SLOTS];
};
void log_peer_limit_init(struct log_peer_limit *l, unsigned per_min, unsigned burst);
/* One line about `peer`, unless that peer used its lines up; then it is counted. */
void log_peer_limited(struct log_peer_limit *l, const char *peer, int prio, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints "peer X: N similar lines suppressed in S s" for peers whose bucket has refilled
 * (call it now and then, e.g. once a second). */
void log_peer_flush(struct log_peer_limit *l);

#endif

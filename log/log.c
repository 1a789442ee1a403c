/* Logging with severities that reach the journal and syslog, and rate limiters for floods. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "log/log.h"

static unsigned log_flags = LOG_F_SYSLOG;
static int log_journal;
static int log_syslog_open = 1; /* before log_open: syslog, as syslog(3) alone would */
static const char *log_ident = "sbc";
static int log_facility = LOG_DAEMON;

/* $JOURNAL_STREAM is "dev:ino" of the stream systemd connected; a redirected stderr differs. */
static int stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &sb) < 0)
		return 0;
	return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

void log_open(const char *ident, unsigned flags, int facility)
{
	log_ident = ident;
	log_flags = flags;
	log_facility = facility << 3;
	log_journal = stderr_is_journal();
	if (log_journal)
		log_flags |= LOG_F_STDERR; /* the journal has every line once, with its priority */
	log_syslog_open = (log_flags & LOG_F_SYSLOG) && !log_journal;
	if (log_syslog_open)
		openlog(log_ident, LOG_PID | LOG_NDELAY, log_facility);
}

void log_init(const char *ident, int foreground, int facility)
{
	log_open(ident, (foreground ? LOG_F_STDERR : 0) | LOG_F_SYSLOG, facility);
}

int log_to_journal(void)
{
	return log_journal;
}

void log_reopen(void)
{
	if (!log_syslog_open)
		return;
	closelog();
	openlog(log_ident, LOG_PID | LOG_NDELAY, log_facility);
}

static void vlog(int prio, const char *fmt, va_list ap)
{
	static const char *const names[] = {"emerg",   "alert",  "crit", "error",
					    "warning", "notice", "info", "debug"};
	char msg[2048], *nl;
	va_list ap2;

	va_copy(ap2, ap);
	if (log_syslog_open)
		vsyslog(log_facility | LOG_PRI(prio), fmt, ap);
	if (log_flags & LOG_F_STDERR) {
		vsnprintf(msg, sizeof(msg), fmt, ap2);
		/* one record per line: a newline inside would start a line without priority */
		while ((nl = strchr(msg, '\n')))
			*nl = ' ';
		if (log_journal) {
			fprintf(stderr, "<%d>%s\n", LOG_PRI(prio), msg);
		} else if (log_flags & LOG_F_STAMP) {
			char ts[32];
			time_t now = time(NULL);
			struct tm tm;
			localtime_r(&now, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
			fprintf(stderr, "%s %s %s: %s\n", ts, log_ident, names[LOG_PRI(prio)], msg);
		} else {
			fprintf(stderr, "%s\n", msg);
		}
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

void log_peer_limit_init(struct log_peer_limit *l, unsigned per_min, unsigned burst)
{
	memset(l, 0, sizeof(*l));
	l->per_min = per_min ? per_min : 1;
	l->burst = burst ? burst : 1;
}

static void peer_summary(struct log_peer_slot *s, double t)
{
	if (!s->suppressed)
		return;
	log_msg(s->prio, "peer %s: %lu similar line%s suppressed in the last %.0f s", s->peer,
		s->suppressed, s->suppressed == 1 ? "" : "s", t - s->since);
	s->suppressed = 0;
}

static void peer_refill(const struct log_peer_limit *l, struct log_peer_slot *s, double t)
{
	s->tokens += (t - s->last) * l->per_min / 60.0;
	if (s->tokens > l->burst)
		s->tokens = l->burst;
	s->last = t;
}

/* The slot of peer: its own, else a free one, else the least recently used (summarised). */
static struct log_peer_slot *peer_slot(struct log_peer_limit *l, const char *peer, double t)
{
	struct log_peer_slot *lru = &l->slot[0];

	for (unsigned i = 0; i < LOG_PEER_SLOTS; i++) {
		struct log_peer_slot *s = &l->slot[i];
		if (s->peer[0] && !strcmp(s->peer, peer))
			return s;
		if (!s->peer[0] || s->last < lru->last)
			lru = s;
		if (!s->peer[0])
			break;
	}
	peer_summary(lru, t);
	memset(lru, 0, sizeof(*lru));
	snprintf(lru->peer, sizeof(lru->peer), "%s", peer);
	lru->tokens = l->burst;
	lru->last = t;
	return lru;
}

void log_peer_limited(struct log_peer_limit *l, const char *peer, int prio, const char *fmt, ...)
{
	double t = now_s();
	struct log_peer_slot *s = peer_slot(l, peer, t);
	va_list ap;

	peer_refill(l, s, t);
	if (s->tokens < 1) {
		if (!s->suppressed++)
			s->since = t;
		s->prio = prio;
		return;
	}
	s->tokens -= 1;
	peer_summary(s, t);
	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

void log_peer_flush(struct log_peer_limit *l)
{
	double t = now_s();

	for (unsigned i = 0; i < LOG_PEER_SLOTS; i++) {
		struct log_peer_slot *s = &l->slot[i];
		if (!s->peer[0] || !s->suppressed)
			continue;
		peer_refill(l, s, t);
		if (s->tokens >= 1)
			peer_summary(s, t);
	}
}

/* log/: journald priorities on stderr, per-peer rate limit with a "suppressed N" summary. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log/log.h"
#include "tests/unit/unit.h"

/* Runs fn with stderr in a fresh file (as the journal when journal is set); returns its text. */
static char *capture(void (*fn)(void), int journal)
{
	static char text[8192];
	char path[512], js[64];
	int saved = dup(2), fd;
	struct stat sb;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/log-capture", unit_tmpdir());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0 && saved >= 0 && fstat(fd, &sb) == 0);
	fflush(stderr);
	dup2(fd, 2);
	snprintf(js, sizeof(js), "%llu:%llu", (unsigned long long)sb.st_dev,
		 (unsigned long long)sb.st_ino + (journal ? 0 : 1));
	setenv("JOURNAL_STREAM", js, 1);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	unsetenv("JOURNAL_STREAM");
	n = pread(fd, text, sizeof(text) - 1, 0);
	close(fd);
	text[n > 0 ? n : 0] = 0;
	return text;
}

static void lines(void)
{
	log_open("unit", LOG_F_STDERR, 16);
	log_msg(LOG_WARNING, "failed login for %s", "x");
	log_info("two\nlines");
}

static void test_journal_priorities(void)
{
	const char *t = capture(lines, 1);

	CU_ASSERT_STRING_EQUAL(t, "<4>failed login for x\n<6>two lines\n");
	CU_ASSERT(log_to_journal());
	t = capture(lines, 0); /* a stderr that is not the journal's stream: plain lines */
	CU_ASSERT_STRING_EQUAL(t, "failed login for x\ntwo lines\n");
	CU_ASSERT(!log_to_journal());
	log_open("unit-tests", LOG_F_SYSLOG, 1); /* what the other suites had: syslog only */
}

static struct log_peer_limit lim;

static void flood(void)
{
	log_open("unit", LOG_F_STDERR, 16);
	log_peer_limit_init(&lim, 6, 3);
	for (int i = 0; i < 10; i++)
		log_peer_limited(&lim, "192.0.2.1", LOG_WARNING, "refused A %d", i);
	for (int i = 0; i < 2; i++)
		log_peer_limited(&lim, "192.0.2.2", LOG_WARNING, "refused B %d", i);
	log_peer_flush(&lim); /* nothing refilled yet: no summary */
	fprintf(stderr, "--\n");
	/* twenty seconds later: the bucket of A has refilled */
	for (unsigned i = 0; i < LOG_PEER_SLOTS; i++)
		lim.slot[i].last -= 20, lim.slot[i].since -= 20;
	log_peer_flush(&lim);
	log_peer_flush(&lim); /* once only */
}

static void test_peer_limit(void)
{
	const char *t = capture(flood, 0);

	CU_ASSERT_STRING_EQUAL(t,
			       "refused A 0\nrefused A 1\nrefused A 2\nrefused B 0\nrefused B 1\n"
			       "--\npeer 192.0.2.1: 7 similar lines suppressed in the last 20 s\n");
}

UNIT_SUITE(log, {"journald priorities", test_journal_priorities},
	   {"per-peer limit and summary", test_peer_limit});

/*
 * sbcd's verb parser reads a request frame by its length only (issue 14,
 * finding 1): no frame is taken for a C string past its end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl.h"
#include "ini/ini.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_work.h"
#include "sbc/sbcd.h"
#include "tests/unit/unit.h"

/* Handles a frame of len bytes placed at the start of a block full of stale bytes. */
static char *handle_in_stale(struct sbcd *s, struct ctl_session *cs, const char *frame, size_t len,
			     size_t *rlen)
{
	size_t cap = len + 4096;
	char *buf = malloc(cap), *out;

	if (!buf)
		return NULL;
	memset(buf, 'Q', cap); /* what an earlier, longer request left in the buffer */
	memcpy(buf, frame, len);
	out = ctl_verbs_handle(s, cs, buf, len, rlen);
	if (!out && cs->job)
		out = ctl_job_run_here(s, cs, rlen);
	free(buf);
	return out;
}

static void test_frames_by_length(void)
{
	struct sbcd s = {0};
	struct ctl_session cs = {.level = 220, .peer_level = 220};
	size_t rlen = 0;
	char *out;

	s.running = ini_factory();
	s.active = conf_store_clone(s.running);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.running);

	/* no '\n', stale bytes after it: the old parser echoed them back */
	out = handle_in_stale(&s, &cs, "XYZZY", 5, &rlen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(rlen, strlen("ERR\nunknown request 'XYZZY'\n"));
	CU_ASSERT(memcmp(out, "ERR\nunknown request 'XYZZY'\n", rlen) == 0);
	CU_ASSERT(memchr(out, 'Q', rlen) == NULL);
	free(out);

	/* length 0 */
	out = handle_in_stale(&s, &cs, "", 0, &rlen);
	CU_ASSERT(out && rlen == strlen("ERR\nempty request\n") &&
		  memcmp(out, "ERR\nempty request\n", rlen) == 0);
	free(out);

	/* a NUL byte in the verb line is refused, not cut short */
	out = handle_in_stale(&s, &cs, "SAVE\0junk\n", 10, &rlen);
	CU_ASSERT(out && rlen > 4 && memcmp(out, "ERR\n", 4) == 0);
	CU_ASSERT(out && memmem(out, rlen, "NUL byte", 8) != NULL);
	free(out);

	/* a verb line too long for the parser */
	{
		char big[5000];
		memset(big, 'A', sizeof(big));
		out = handle_in_stale(&s, &cs, big, sizeof(big), &rlen);
		CU_ASSERT(out && memmem(out, rlen, "longer than", 11) != NULL);
		free(out);
	}

	/* LOGIN whose password body has no '\n' and stale bytes after it: the
	 * password is exactly the body's bytes */
	out = handle_in_stale(&s, &cs, "LOGIN Admin\nAdmin", 17, &rlen);
	CU_ASSERT(out && rlen >= 3 && memcmp(out, "OK\n", 3) == 0);
	free(out);

	/* a verb with arguments and no '\n' */
	out = handle_in_stale(&s, &cs, "EXPORT NoSuchTable", 18, &rlen);
	CU_ASSERT(out && rlen == strlen("ERR\nno configuration table NoSuchTable\n") &&
		  memcmp(out, "ERR\nno configuration table NoSuchTable\n", rlen) == 0);
	free(out);

	conf_store_free(s.running);
	conf_store_free(s.active);
}

UNIT_SUITE(ctl_frames, {"frames are read by their length only", test_frames_by_length});

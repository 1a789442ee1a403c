/*
 * libFuzzer harness for the control frame parser (issue 14): the input is the
 * byte stream a peer writes to sbcd's control socket. It is cut into frames
 * (4-byte big-endian length, then the frame) as ctl_server.c does, each frame
 * is split by ctl_request_split and handled by sbcd's verb parser
 * (ctl_verbs_handle) on a connection of a monitor-level peer, deferred jobs
 * (LOGIN) run in place. Every frame is copied into a block of exactly its
 * length, so any read past it is an ASan report.
 *
 * Build (see TESTING.md "Sanitizers and fuzzing"):
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -I. \
 *     tests/fuzz/fuzz_ctl_frame.c <sbcd's objects but sbcd_main.o> <core libraries> \
 *     $(pkg-config --libs sofia-sip-ua) -lssl -lcrypto -lcrypt -lm
 * Run: ./fuzz_ctl_frame -max_total_time=30 tests/fuzz/corpus/ctl_frame
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/fuzz_assert.h"
#include "control/ctl.h"
#include "ini/ini.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_work.h"
#include "log/log.h"
#include "sbc/sbcd.h"

static struct sbcd sbcd;

static int setup(void)
{
	char tmpl[] = "/tmp/fuzz_ctl_frame.XXXXXX";

	/* log lines to stderr only, never into the machine's syslog */
	setenv("JOURNAL_STREAM", "fuzz", 1);
	log_init("fuzz_ctl_frame", 1, LOG_USER >> 3);
	sbcd.running = ini_factory();
	sbcd.active = sbcd.running ? conf_store_clone(sbcd.running) : NULL;
	fuzz_assert(sbcd.active && mkdtemp(tmpl), "fuzz_ctl_frame: set-up failed");
	snprintf(sbcd.flashdir, sizeof(sbcd.flashdir), "%s", tmpl);
	return 0;
}

/* One frame as the server hands it over: a block of exactly len bytes. */
static void one_frame(struct ctl_session *cs, const uint8_t *p, size_t len)
{
	char *frame = malloc(len ? len : 1), line[16], err[128], *out;
	const char *body;
	size_t blen, rlen = 0;

	if (!frame)
		return;
	memcpy(frame, p, len);
	/* the split alone, with a small line buffer (the too-long path) */
	fuzz_assert(ctl_request_split(frame, len, line, sizeof(line), &body, &blen, err,
				      sizeof(err)) != 0 ||
			(strlen(line) < sizeof(line) && body + blen == frame + len),
		    "fuzz_ctl_frame: the verb line or the body escapes the frame");
	out = ctl_verbs_handle(&sbcd, cs, frame, len, &rlen);
	if (!out && cs->job)
		out = ctl_job_run_here(&sbcd, cs, &rlen);
	/* a reply is a frame too: "OK\n" or "ERR\n" and its length says how long */
	fuzz_assert(!out || (rlen >= 3 && (memcmp(out, "OK\n", 3) == 0 ||
					   (rlen >= 4 && memcmp(out, "ERR\n", 4) == 0))),
		    "fuzz_ctl_frame: a reply that is neither OK nor ERR");
	free(out);
	free(frame);
	/* never more than reading: a guessed password must not let the fuzzer write flash */
	if (cs->level > CTL_LEVEL_MONITOR)
		cs->level = CTL_LEVEL_MONITOR;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready = 0;
	struct ctl_session cs = {.fd = -1,
				 .level = CTL_LEVEL_MONITOR,
				 .peer_level = CTL_LEVEL_MONITOR,
				 .uid = 65534,
				 .pid = 1};

	if (!ready)
		ready = !setup();
	/* the stream, cut as ctl_server.c cuts it; a truncated last frame is handled as is */
	for (unsigned n = 0; size >= 4 && n < 16; n++) {
		uint32_t flen;
		memcpy(&flen, data, 4);
		flen = ntohl(flen);
		data += 4, size -= 4;
		if (flen > CTL_MAX_FRAME)
			break;
		if (flen > size)
			flen = (uint32_t)size;
		one_frame(&cs, data, flen);
		data += flen, size -= flen;
	}
	return 0;
}

/* Control protocol framing over a real socket pair. */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control/ctl.h"
#include "tests/unit/unit.h"

static void test_frames_round_trip(void)
{
	int sv[2];
	char *got = NULL;
	size_t len = 0;
	static char big[3u << 20];

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(ctl_frame_send(sv[0], "INFO\n", 5), 0);
	CU_ASSERT_EQUAL(ctl_frame_recv(sv[1], &got, &len, CTL_MAX_FRAME), 0);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT(got && memcmp(got, "INFO\n", 5) == 0 && got[5] == 0);
	free(got);
	/* a frame larger than the socket buffer arrives whole (sender in another process) */
	memset(big, 'x', sizeof(big));
	if (fork() == 0) {
		ctl_frame_send(sv[0], big, sizeof(big));
		_exit(0);
	}
	CU_ASSERT_EQUAL(ctl_frame_recv(sv[1], &got, &len, CTL_MAX_FRAME), 0);
	CU_ASSERT_EQUAL(len, sizeof(big));
	CU_ASSERT(got && got[0] == 'x' && got[len - 1] == 'x');
	free(got);
	close(sv[0]);
	close(sv[1]);
}

static void test_oversized_and_truncated(void)
{
	int sv[2];
	char *got = NULL;
	size_t len;
	uint32_t hdr = htonl(1000);

	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	/* a length above the limit is refused before anything is allocated */
	CU_ASSERT_EQUAL(ctl_frame_send(sv[0], "0123456789", 10), 0);
	CU_ASSERT_EQUAL(ctl_frame_recv(sv[1], &got, &len, 4), -1);
	CU_ASSERT_PTR_NULL(got);
	close(sv[0]);
	close(sv[1]);
	/* a peer that closes mid-frame gives an error, not a short frame */
	CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	CU_ASSERT_EQUAL(write(sv[0], &hdr, 4), 4);
	CU_ASSERT_EQUAL(write(sv[0], "abc", 3), 3);
	close(sv[0]);
	CU_ASSERT_EQUAL(ctl_frame_recv(sv[1], &got, &len, CTL_MAX_FRAME), -1);
	CU_ASSERT_PTR_NULL(got);
	close(sv[1]);
	CU_ASSERT_EQUAL(ctl_frame_send(-1, "x", 1), -1);
}

static void test_request_split(void)
{
	const char req[] = "LOAD incremental f.ini\n[SIP Params]\nX = 1\n";
	const char none[] = "SAVE";
	char line[CTL_MAX_LINE], err[128];
	const char *body;
	size_t blen;

	CU_ASSERT_EQUAL(
	    ctl_request_split(req, strlen(req), line, sizeof(line), &body, &blen, err, sizeof(err)),
	    0);
	CU_ASSERT_STRING_EQUAL(line, "LOAD incremental f.ini");
	CU_ASSERT_EQUAL(blen, strlen("[SIP Params]\nX = 1\n"));
	CU_ASSERT(strncmp(body, "[SIP Params]", 12) == 0);
	CU_ASSERT_EQUAL(ctl_request_split(none, strlen(none), line, sizeof(line), &body, &blen, err,
					  sizeof(err)),
			0);
	CU_ASSERT_STRING_EQUAL(line, "SAVE");
	CU_ASSERT_EQUAL(blen, 0);
}

/*
 * Regression (issue 14, finding 1): a frame is read by its length only. The
 * frames sit at the very end of a heap block, without a '\n' or a NUL after
 * them, so any read past the length is an ASan heap-buffer-overflow, and the
 * old split (which returned the frame itself as the "C string" verb line)
 * handed out a line that was not terminated within the frame.
 */
static void test_request_split_by_length(void)
{
	static const char *cases[] = {"INFO", "", "LOGIN Admin", "EXPORT\0trailing\nbody"};
	static const size_t lens[] = {4, 0, 11, 20};
	char line[CTL_MAX_LINE], err[128];
	const char *body;
	size_t blen;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *frame = malloc(lens[i] ? lens[i] : 1);
		int rc;
		CU_ASSERT_PTR_NOT_NULL_FATAL(frame);
		memcpy(frame, cases[i], lens[i]);
		memset(line, 'z', sizeof(line));
		rc = ctl_request_split(frame, lens[i], line, sizeof(line), &body, &blen, err,
				       sizeof(err));
		if (i == 3) {
			/* a NUL byte in the verb line is refused, not cut short */
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT(strstr(err, "NUL byte") != NULL);
		} else {
			CU_ASSERT_EQUAL(rc, 0);
			/* the line is a copy, terminated within the caller's buffer */
			CU_ASSERT(memchr(line, 0, lens[i] + 1) == line + lens[i]);
			CU_ASSERT(memcmp(line, cases[i], lens[i]) == 0);
			CU_ASSERT_EQUAL(blen, 0);
			CU_ASSERT(body == frame + lens[i]);
		}
		free(frame);
	}
	/* a verb line longer than the buffer is refused */
	{
		char *big = malloc(4000);
		CU_ASSERT_PTR_NOT_NULL_FATAL(big);
		memset(big, 'A', 4000);
		CU_ASSERT_EQUAL(ctl_request_split(big, 4000, line, sizeof(line), &body, &blen, err,
						  sizeof(err)),
				-1);
		CU_ASSERT(strstr(err, "longer than") != NULL);
		CU_ASSERT_STRING_EQUAL(line, "");
		free(big);
	}
}

static void test_open_errors(void)
{
	char err[256];

	CU_ASSERT_PTR_NULL(ctl_open("/nonexistent/sbcd.sock", err, sizeof(err)));
	CU_ASSERT(strstr(err, "cannot connect to sbcd at /nonexistent/sbcd.sock") != NULL);
	setenv("SBC_SOCKET", "/tmp/from-env.sock", 1);
	CU_ASSERT_STRING_EQUAL(ctl_socket_path(NULL), "/tmp/from-env.sock");
	CU_ASSERT_STRING_EQUAL(ctl_socket_path("/x.sock"), "/x.sock");
	unsetenv("SBC_SOCKET");
	CU_ASSERT_STRING_EQUAL(ctl_socket_path(NULL), CTL_DEFAULT_SOCKET);
}

UNIT_SUITE(control, {"frames round trip", test_frames_round_trip},
	   {"oversized and truncated frames", test_oversized_and_truncated},
	   {"request split", test_request_split},
	   {"request split reads by length only", test_request_split_by_length},
	   {"open errors and socket path", test_open_errors});

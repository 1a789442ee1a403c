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
	char req[] = "LOAD incremental f.ini\n[SIP Params]\nX = 1\n";
	char none[] = "SAVE";
	char *line, *body;
	size_t blen;

	ctl_request_split(req, strlen(req), &line, &body, &blen);
	CU_ASSERT_STRING_EQUAL(line, "LOAD incremental f.ini");
	CU_ASSERT_EQUAL(blen, strlen("[SIP Params]\nX = 1\n"));
	CU_ASSERT(strncmp(body, "[SIP Params]", 12) == 0);
	ctl_request_split(none, strlen(none), &line, &body, &blen);
	CU_ASSERT_STRING_EQUAL(line, "SAVE");
	CU_ASSERT_EQUAL(blen, 0);
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
	   {"open errors and socket path", test_open_errors});

/*
 * control: the protocol between sbcd and every front end (doc/CONTROL.md).
 *
 * A UNIX stream socket carries frames: a 4-byte big-endian length, then that
 * many bytes. A request frame is "VERB [args...]\n" followed by a body (an INI
 * document for LOAD, a PEM file for TLS imports, ...). A reply frame is
 * "OK\n" or "ERR\n" followed by a body: data, or the errors of a refused
 * request, one per line, each naming file/line, table, row, column and reason.
 */
#ifndef CONTROL_CTL_H
#define CONTROL_CTL_H

#include <stddef.h>

#define CTL_MAX_FRAME      (64u << 20)
#define CTL_MAX_LINE       1024 /* a request's verb line, its '\n' excluded, plus one */
#define CTL_DEFAULT_SOCKET "/run/sbc/sbcd.sock"

/* Privilege levels, the vendor's user levels. */
#define CTL_LEVEL_MONITOR  50
#define CTL_LEVEL_ADMIN    100
#define CTL_LEVEL_SECADMIN 200
#define CTL_LEVEL_MASTER   220

/* Blocking frame I/O; 0 on success, -1 on error or end of stream. *data is malloc'd. */
int ctl_frame_send(int fd, const char *data, size_t len);
int ctl_frame_recv(int fd, char **data, size_t *len, size_t max);

/*
 * Splits a request frame of len bytes (not NUL-terminated; it may hold NUL bytes
 * and be empty) by its length only. The verb line (up to the first '\n', or the
 * whole frame when there is none) is copied NUL-terminated into line[linecap];
 * *body points into the frame after the '\n' and has *blen bytes (never
 * NUL-terminated). Returns 0, or -1 with the reason in err when the verb line
 * does not fit in linecap - 1 bytes or holds a NUL byte (line is then "").
 */
int ctl_request_split(const char *frame, size_t len, char *line, size_t linecap, const char **body,
		      size_t *blen, char *err, size_t errlen);

struct ctl_client;

/* Connects to sbcd; path NULL means $SBC_SOCKET or CTL_DEFAULT_SOCKET. */
struct ctl_client *ctl_open(const char *path, char *err, size_t errlen);
void ctl_close(struct ctl_client *c);
int ctl_fd(const struct ctl_client *c);

/*
 * Sends "verb\n" + body and waits for the reply. Returns 0 for OK, 1 for ERR
 * (the errors in *reply), -1 when the connection failed (reason in *reply).
 * *reply is malloc'd and NUL-terminated; free it.
 */
int ctl_call(struct ctl_client *c, const char *verb, const char *body, size_t blen, char **reply,
	     size_t *rlen);

/* The socket path a front end uses: opt if given, else $SBC_SOCKET, else the default. */
const char *ctl_socket_path(const char *opt);

#endif

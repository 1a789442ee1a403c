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
#define CTL_DEFAULT_SOCKET "/run/sbc/sbcd.sock"

/* Privilege levels, the vendor's user levels. */
#define CTL_LEVEL_MONITOR  50
#define CTL_LEVEL_ADMIN    100
#define CTL_LEVEL_SECADMIN 200
#define CTL_LEVEL_MASTER   220

/* Blocking frame I/O; 0 on success, -1 on error or end of stream. *data is malloc'd. */
int ctl_frame_send(int fd, const char *data, size_t len);
int ctl_frame_recv(int fd, char **data, size_t *len, size_t max);

/* Splits a request into its verb line (NUL-terminated in place) and body. */
void ctl_request_split(char *frame, size_t len, char **line, char **body, size_t *blen);

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

/* Framing and the client library every front end links. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/ctl.h"

struct ctl_client {
	int fd;
};

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* a non-blocking socket: wait, but not forever */
			struct pollfd pfd = {.fd = fd, .events = POLLOUT};
			if (poll(&pfd, 1, 5000) == 1)
				continue;
			return -1;
		}
		if (n <= 0)
			return -1;
		p += n, len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n, len -= (size_t)n;
	}
	return 0;
}

int ctl_frame_send(int fd, const char *data, size_t len)
{
	uint32_t hdr = htonl((uint32_t)len);

	if (len > CTL_MAX_FRAME)
		return -1;
	if (write_all(fd, &hdr, sizeof(hdr)) < 0)
		return -1;
	return write_all(fd, data, len);
}

int ctl_frame_recv(int fd, char **data, size_t *len, size_t max)
{
	uint32_t hdr;
	char *buf;

	*data = NULL;
	if (read_all(fd, &hdr, sizeof(hdr)) < 0)
		return -1;
	*len = ntohl(hdr);
	if (*len > max)
		return -1;
	buf = malloc(*len + 1);
	if (!buf)
		return -1;
	if (read_all(fd, buf, *len) < 0) {
		free(buf);
		return -1;
	}
	buf[*len] = 0;
	*data = buf;
	return 0;
}

int ctl_request_split(const char *frame, size_t len, char *line, size_t linecap, const char **body,
		      size_t *blen, char *err, size_t errlen)
{
	const char *nl = len ? memchr(frame, '\n', len) : NULL;
	size_t llen = nl ? (size_t)(nl - frame) : len;

	*body = nl ? nl + 1 : frame + len;
	*blen = nl ? len - llen - 1 : 0;
	if (linecap)
		line[0] = 0;
	if (llen >= linecap) {
		snprintf(err, errlen, "request line of %zu bytes: longer than %zu", llen,
			 linecap ? linecap - 1 : 0);
		return -1;
	}
	if (llen && memchr(frame, 0, llen)) {
		snprintf(err, errlen, "request line holds a NUL byte");
		return -1;
	}
	memcpy(line, frame, llen);
	line[llen] = 0;
	return 0;
}

const char *ctl_socket_path(const char *opt)
{
	const char *env = getenv("SBC_SOCKET");

	if (opt && *opt)
		return opt;
	return (env && *env) ? env : CTL_DEFAULT_SOCKET;
}

struct ctl_client *ctl_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_client *c;
	int fd;

	path = ctl_socket_path(path);
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen, "cannot connect to sbcd at %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	c = malloc(sizeof(*c));
	if (!c) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->fd = fd;
	return c;
}

void ctl_close(struct ctl_client *c)
{
	if (c) {
		close(c->fd);
		free(c);
	}
}

int ctl_fd(const struct ctl_client *c)
{
	return c->fd;
}

int ctl_call(struct ctl_client *c, const char *verb, const char *body, size_t blen, char **reply,
	     size_t *rlen)
{
	size_t vlen = strlen(verb), n;
	char *req = malloc(vlen + 1 + blen), *rep;
	int rc;

	*reply = NULL;
	if (rlen)
		*rlen = 0;
	if (!req)
		return -1;
	memcpy(req, verb, vlen);
	req[vlen] = '\n';
	if (blen)
		memcpy(req + vlen + 1, body, blen);
	rc = ctl_frame_send(c->fd, req, vlen + 1 + blen);
	explicit_bzero(req, vlen + 1 + blen); /* a password or a private key may be in it */
	free(req);
	if (rc < 0 || ctl_frame_recv(c->fd, &rep, &n, CTL_MAX_FRAME) < 0) {
		*reply = strdup("connection to sbcd lost\n");
		return -1;
	}
	if (n >= 3 && memcmp(rep, "OK\n", 3) == 0)
		rc = 0;
	else if (n >= 4 && memcmp(rep, "ERR\n", 4) == 0)
		rc = 1;
	else
		rc = -1;
	{
		size_t skip = rc == 0 ? 3 : rc == 1 ? 4 : 0;
		memmove(rep, rep + skip, n - skip + 1);
		n -= skip;
	}
	*reply = rep;
	if (rlen)
		*rlen = n;
	return rc;
}

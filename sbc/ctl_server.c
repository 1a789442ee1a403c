/* The control socket on the su_root loop: accept, read frames, answer. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/ctl.h"
#include "sbc/ctl_server.h"
#include "log/log.h"
#include "sbc/sbcd.h"

#define MAX_CONN 64

struct conn {
	struct ctl_server *srv;
	struct ctl_session cs;
	su_wait_t wait;
	int reg;
	char *buf;
	size_t len, cap;
};

struct ctl_server {
	struct sbcd *s;
	int fd;
	su_wait_t wait;
	int reg;
	char path[108];
	struct conn *conns[MAX_CONN];
};

static void conn_close(struct conn *c)
{
	struct ctl_server *srv = c->srv;

	for (int i = 0; i < MAX_CONN; i++)
		if (srv->conns[i] == c)
			srv->conns[i] = NULL;
	su_root_deregister(srv->s->root, c->reg);
	close(c->cs.fd);
	if (c->buf)
		explicit_bzero(c->buf, c->cap);
	free(c->buf);
	free(c);
}

static int conn_read(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct conn *c = (struct conn *)arg;
	struct sbcd *s = c->srv->s;
	ssize_t n;

	if (c->cap - c->len < 65536) {
		size_t cap = c->cap ? c->cap * 2 : 131072;
		char *nb = realloc(c->buf, cap);
		if (!nb) {
			conn_close(c);
			return 0;
		}
		c->buf = nb, c->cap = cap;
	}
	n = read(c->cs.fd, c->buf + c->len, c->cap - c->len);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		conn_close(c);
		return 0;
	}
	c->len += (size_t)n;
	while (c->len >= 4) {
		uint32_t flen;
		size_t rlen;
		char *reply;
		memcpy(&flen, c->buf, 4);
		flen = ntohl(flen);
		if (flen > CTL_MAX_FRAME) {
			log_warnx("control: frame of %u bytes from pid %u refused", flen,
				  c->cs.pid);
			conn_close(c);
			return 0;
		}
		if (c->len < 4 + (size_t)flen)
			break;
		reply = ctl_verbs_handle(s, &c->cs, c->buf + 4, flen, &rlen);
		memmove(c->buf, c->buf + 4 + flen, c->len - 4 - flen);
		c->len -= 4 + flen;
		/* requests carry passwords and private keys: leave no copy behind */
		explicit_bzero(c->buf + c->len, 4 + flen);
		if (!reply || ctl_frame_send(c->cs.fd, reply, rlen) < 0) {
			free(reply);
			conn_close(c);
			return 0;
		}
		free(reply);
		if (s->reset_requested || s->stop_requested)
			su_root_break(s->root);
	}
	return 0;
}

static int srv_accept(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct ctl_server *srv = (struct ctl_server *)arg;
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	struct timeval tv = {5, 0};
	struct conn *c;
	int fd = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC), slot = -1;

	if (fd < 0)
		return 0;
	for (int i = 0; i < MAX_CONN; i++)
		if (!srv->conns[i]) {
			slot = i;
			break;
		}
	if (slot < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0) {
		log_warnx("control: connection refused (%s)",
			  slot < 0 ? "too many" : "no credentials");
		close(fd);
		return 0;
	}
	/* replies are written blocking, bounded by a send timeout */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return 0;
	}
	c->srv = srv;
	c->cs.fd = fd;
	c->cs.uid = cr.uid;
	c->cs.pid = (unsigned)cr.pid;
	c->cs.peer_level =
	    (cr.uid == 0 || cr.uid == geteuid()) ? CTL_LEVEL_MASTER : CTL_LEVEL_MONITOR;
	c->cs.level = c->cs.peer_level;
	if (su_wait_create(&c->wait, fd, SU_WAIT_IN | SU_WAIT_HUP) < 0 ||
	    (c->reg = su_root_register(srv->s->root, &c->wait, conn_read, (su_wakeup_arg_t *)c,
				       0)) < 0) {
		close(fd);
		free(c);
		return 0;
	}
	srv->conns[slot] = c;
	return 0;
}

struct ctl_server *ctl_server_start(struct sbcd *s, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl_server *srv;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	srv->s = s;
	strcpy(sa.sun_path, path);
	strcpy(srv->path, path);
	unlink(path);
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (srv->fd < 0 || bind(srv->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(srv->fd, 16) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		goto fail;
	}
	if (su_wait_create(&srv->wait, srv->fd, SU_WAIT_ACCEPT) < 0 ||
	    (srv->reg = su_root_register(s->root, &srv->wait, srv_accept, (su_wakeup_arg_t *)srv,
					 0)) < 0) {
		snprintf(err, errlen, "control socket %s: cannot register with the event loop",
			 path);
		goto fail;
	}
	return srv;
fail:
	if (srv->fd >= 0)
		close(srv->fd);
	free(srv);
	return NULL;
}

void ctl_server_stop(struct ctl_server *srv)
{
	if (!srv)
		return;
	for (int i = 0; i < MAX_CONN; i++)
		if (srv->conns[i])
			conn_close(srv->conns[i]);
	su_root_deregister(srv->s->root, srv->reg);
	close(srv->fd);
	unlink(srv->path);
	free(srv);
}

/*
 * The control socket on the su_root loop: accept, read frames, answer.
 *
 * Nothing here ever waits for a peer. Sockets are non-blocking; a reply is
 * queued on its connection and written as the peer reads it. While a reply is
 * queued, or a request's work runs on a worker thread (ctl_work.h), the
 * connection reads no further requests: a pipelining client is back-pressured
 * by its own socket buffers. A peer that leaves a reply unread for
 * CTL_WRITE_TIMEOUT seconds, or sends no request for CTL_IDLE_TIMEOUT seconds,
 * is dropped. Connections are capped per peer uid, and slots are kept for root
 * and sbcd's own user, so that no other local user can lock the front ends out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <grp.h>
#include <pwd.h>
#include <time.h>
#include <unistd.h>

#include "conf/num.h"
#include "control/ctl.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_work.h"
#include "log/log.h"
#include "sbc/sbcd.h"

#define MAX_CONN          128 /* all connections */
#define RESERVED_CONN     16  /* of which only root / sbcd's user may take these */
#define PER_UID_MAX       16  /* connections of one uid other than root / sbcd's */
#define CTL_IDLE_TIMEOUT  300 /* seconds without a request (none in progress) */
#define CTL_WRITE_TIMEOUT 10  /* seconds a queued reply may go unread */

enum conn_state { C_READ, C_WRITE, C_BUSY };

struct conn {
	struct ctl_server *srv;
	struct ctl_session cs;
	su_wait_t wait;
	int reg; /* -1 when not watched (busy) */
	enum conn_state state;
	int privileged;
	char *buf; /* input: frames not yet handled */
	size_t len, cap;
	size_t held;           /* the first frame's size while its job runs: the job may read it */
	unsigned char ohdr[4]; /* the reply being written: its frame header, */
	char *out;             /* its frame (olen counts both, ooff what is written) */
	size_t olen, ooff;
	time_t last_request, last_write; /* monotonic seconds */
};

struct ctl_server {
	struct sbcd *s;
	int fd;
	long role_uid[3]; /* uids of the front-end users (CTL_ROLE_WEB, KEYS, SNMP); -1 none */
	su_wait_t wait;
	int reg;
	char path[108];
	struct conn *conns[MAX_CONN];
	struct ctl_workers *workers;
	su_timer_t *timer;
	unsigned idle_timeout, write_timeout;
	struct log_limit refusals; /* a flood of refused peers logs a few lines and a count */
};

static time_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void conn_close(struct conn *c)
{
	struct ctl_server *srv = c->srv;

	for (int i = 0; i < MAX_CONN; i++)
		if (srv->conns[i] == c)
			srv->conns[i] = NULL;
	if (c->reg >= 0)
		su_root_deregister(srv->s->root, c->reg);
	close(c->cs.fd);
	if (c->buf)
		explicit_bzero(c->buf, c->cap);
	free(c->buf);
	if (c->out)
		explicit_bzero(c->out, c->olen - 4);
	free(c->out);
	free(c);
}

static int conn_event(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg);

/* Drops the first n bytes of the input (a handled frame), leaving no copy of them behind:
   requests carry passwords and private keys. */
static void conn_consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	explicit_bzero(c->buf + c->len, n);
}

/* Watches the socket for what the state needs: input, output, or nothing while busy. */
static int conn_watch(struct conn *c, enum conn_state st)
{
	su_root_t *root = c->srv->s->root;

	if (c->reg >= 0 && c->state == st)
		return 0;
	c->state = st;
	if (c->reg >= 0) {
		su_root_deregister(root, c->reg); /* destroys c->wait */
		c->reg = -1;
	}
	if (st == C_BUSY)
		return 0;
	if (su_wait_create(&c->wait, c->cs.fd,
			   st == C_READ ? SU_WAIT_IN | SU_WAIT_HUP : SU_WAIT_OUT | SU_WAIT_HUP) <
		0 ||
	    (c->reg = su_root_register(root, &c->wait, conn_event, (su_wakeup_arg_t *)c, 0)) < 0) {
		log_errx("control: cannot watch the connection of pid %u", c->cs.pid);
		c->reg = -1;
		return -1;
	}
	return 0;
}

/* Writes what the socket takes now. 1: all written, 0: more later, -1: peer gone. */
static int conn_flush(struct conn *c)
{
	while (c->ooff < c->olen) {
		struct iovec iov[2];
		struct msghdr mh = {.msg_iov = iov};
		ssize_t n;
		if (c->ooff < 4) {
			iov[0] = (struct iovec){c->ohdr + c->ooff, 4 - c->ooff};
			iov[1] = (struct iovec){c->out, c->olen - 4};
			mh.msg_iovlen = 2;
		} else {
			iov[0] = (struct iovec){c->out + (c->ooff - 4), c->olen - c->ooff};
			mh.msg_iovlen = 1;
		}
		n = sendmsg(c->cs.fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->ooff += (size_t)n;
		c->last_write = now_mono();
	}
	explicit_bzero(c->out, c->olen - 4);
	free(c->out);
	c->out = NULL;
	c->olen = c->ooff = 0;
	return 1;
}

/* Queues a reply frame (takes reply). -1 when it cannot be framed. */
static int conn_queue(struct conn *c, char *reply, size_t rlen)
{
	uint32_t hdr = htonl((uint32_t)rlen);

	if (!reply || rlen > CTL_MAX_FRAME) {
		log_warnx("control: reply of %zu bytes to pid %u cannot be sent", rlen, c->cs.pid);
		free(reply);
		return -1;
	}
	memcpy(c->ohdr, &hdr, 4);
	c->out = reply;
	c->olen = rlen + 4;
	c->ooff = 0;
	c->last_write = now_mono();
	return 0;
}

/* The reply of a request that stops or resets sbcd: written (briefly waited for), then the loop
 * ends. */
static void conn_last_word(struct conn *c)
{
	struct pollfd pfd = {.fd = c->cs.fd, .events = POLLOUT};

	for (int i = 0; c->out && i < 20 && conn_flush(c) == 0; i++)
		poll(&pfd, 1, 100);
	su_root_break(c->srv->s->root);
}

/*
 * Handles the frames already read, one at a time: a frame is handled only when
 * the previous reply has been written and no work is in progress. Returns -1
 * when the connection was closed.
 */
static int conn_process(struct conn *c)
{
	struct sbcd *s = c->srv->s;

	for (;;) {
		uint32_t flen;
		size_t rlen = 0;
		char *reply;
		int rc;

		if (c->state == C_BUSY && c->cs.job)
			return 0;
		if (c->out) {
			rc = conn_flush(c);
			if (rc < 0)
				goto drop;
			if (rc == 0)
				return conn_watch(c, C_WRITE) < 0 ? (conn_close(c), -1) : 0;
		}
		if (c->len < 4)
			break;
		memcpy(&flen, c->buf, 4);
		flen = ntohl(flen);
		if (flen > CTL_MAX_FRAME) {
			log_warnx("control: frame of %u bytes from uid %u pid %u refused", flen,
				  c->cs.uid, c->cs.pid);
			goto drop;
		}
		if (c->len < 4 + (size_t)flen)
			break;
		c->last_request = now_mono();
		reply = ctl_verbs_handle(s, &c->cs, c->buf + 4, flen, &rlen);
		if (!reply && c->cs.job) {
			/* nothing is read while the job runs: the frame stays as it is until the
			   job is done (ctl_work.h), so the job need not copy it on the loop */
			c->held = 4 + (size_t)flen;
			c->cs.job->owner = c;
			if (conn_watch(c, C_BUSY) < 0)
				goto drop;
			ctl_workers_submit(c->srv->workers, c->cs.job);
			return 0;
		}
		conn_consume(c, 4 + (size_t)flen);
		if (conn_queue(c, reply, rlen) < 0)
			goto drop;
		if (s->reset_requested || s->stop_requested) {
			conn_last_word(c);
			return 0;
		}
	}
	return conn_watch(c, C_READ) < 0 ? (conn_close(c), -1) : 0;
drop:
	conn_close(c);
	return -1;
}

static void conn_read(struct conn *c)
{
	ssize_t n;

	if (c->cap - c->len < 65536) {
		size_t cap = c->cap ? c->cap * 2 : 131072;
		char *nb = realloc(c->buf, cap);
		if (!nb) {
			conn_close(c);
			return;
		}
		c->buf = nb, c->cap = cap;
	}
	n = read(c->cs.fd, c->buf + c->len, c->cap - c->len);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		conn_close(c);
		return;
	}
	c->len += (size_t)n;
	conn_process(c);
}

static int conn_event(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct conn *c = (struct conn *)arg;

	if (c->state == C_WRITE)
		conn_process(c); /* writable (or gone: the write fails) */
	else if (c->state == C_READ)
		conn_read(c);
	return 0;
}

/* A worker finished a connection's job: the reply is made on this (the loop) thread. */
static void job_done(void *owner, struct ctl_job *j)
{
	struct conn *c = owner;
	struct sbcd *s = c->srv->s;
	size_t rlen = 0;
	char *reply;

	c->cs.job = NULL;
	reply = j->finish(s, &c->cs, j, &rlen);
	j->free(j);
	conn_consume(c, c->held);
	c->held = 0;
	c->last_request = now_mono();
	if (conn_queue(c, reply, rlen) < 0) {
		conn_close(c);
		return;
	}
	c->state = C_READ; /* unwatched until conn_process picks what to watch */
	c->reg = -1;
	conn_process(c);
}

/* Idle peers and peers that do not read their replies are dropped, never waited for. */
static void on_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct ctl_server *srv = (struct ctl_server *)arg;
	time_t now = now_mono();

	for (int i = 0; i < MAX_CONN; i++) {
		struct conn *c = srv->conns[i];
		if (!c || c->cs.job)
			continue;
		if (c->out && now - c->last_write >= (time_t)srv->write_timeout) {
			log_warnx("control: uid %u pid %u has not read its reply for %u s "
				  "(%zu bytes queued): connection dropped",
				  c->cs.uid, c->cs.pid, srv->write_timeout, c->olen - c->ooff);
			conn_close(c);
		} else if (!c->out && now - c->last_request >= (time_t)srv->idle_timeout) {
			log_info("control: uid %u pid %u sent no request for %u s: connection "
				 "closed",
				 c->cs.uid, c->cs.pid, srv->idle_timeout);
			conn_close(c);
		}
	}
	su_timer_set(t, on_tick, arg);
}

static void log_refusal(struct ctl_server *srv, const struct ucred *cr, const char *why)
{
	log_ratelimited(&srv->refusals, LOG_WARNING,
			"control: connection of uid %u pid %u refused: %s", cr->uid,
			(unsigned)cr->pid, why);
}

/* Why a peer may not have one more connection, or NULL. */
static const char *over_limit(struct ctl_server *srv, unsigned uid, int privileged)
{
	unsigned total = 0, others = 0, same = 0;

	for (int i = 0; i < MAX_CONN; i++) {
		struct conn *c = srv->conns[i];
		if (!c)
			continue;
		total++;
		others += !c->privileged;
		same += c->cs.uid == uid;
	}
	if (total >= MAX_CONN)
		return "all control connections in use";
	if (privileged)
		return NULL;
	if (same >= PER_UID_MAX)
		return "too many connections of this user";
	if (others >= MAX_CONN - RESERVED_CONN)
		return "the remaining connections are kept for root and sbcd's user";
	return NULL;
}

static int srv_accept(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct ctl_server *srv = (struct ctl_server *)arg;
	struct ucred cr;
	socklen_t crl = sizeof(cr);
	struct conn *c;
	const char *why;
	int fd = accept4(srv->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK), slot = -1, privileged;

	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crl) < 0) {
		log_warnx("control: connection refused: no peer credentials: %s", strerror(errno));
		close(fd);
		return 0;
	}
	privileged = cr.uid == 0 || cr.uid == geteuid();
	unsigned roles = privileged ? CTL_ROLE_WEB | CTL_ROLE_KEYS | CTL_ROLE_SNMP : 0;
	for (unsigned i = 0; i < 3; i++)
		if (srv->role_uid[i] >= 0 && (long)cr.uid == srv->role_uid[i])
			roles |= 1u << i;
	/* front ends share the slots kept for sbcd's own: no local user locks them out */
	if ((why = over_limit(srv, cr.uid, privileged || roles)) != NULL) {
		log_refusal(srv, &cr, why);
		close(fd);
		return 0;
	}
	for (int i = 0; i < MAX_CONN && slot < 0; i++)
		if (!srv->conns[i])
			slot = i;
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return 0;
	}
	c->srv = srv;
	c->reg = -1;
	c->privileged = privileged || roles;
	c->cs.roles = roles;
	c->cs.fd = fd;
	c->cs.uid = cr.uid;
	c->cs.pid = (unsigned)cr.pid;
	c->cs.peer_level = privileged                ? CTL_LEVEL_MASTER
			   : (roles & CTL_ROLE_SNMP) ? CTL_LEVEL_ADMIN
						     : CTL_LEVEL_MONITOR;
	c->cs.level = c->cs.peer_level;
	c->last_request = now_mono();
	srv->conns[slot] = c;
	if (conn_watch(c, C_READ) < 0)
		conn_close(c);
	return 0;
}

/* A test's shorter limit from the environment: unset is the default, a bad value refuses start. */
static int env_seconds(const char *name, unsigned dflt, unsigned *out, char *err, size_t errlen)
{
	const char *v = getenv(name);

	*out = dflt;
	if (!v || !*v)
		return 0;
	return conf_num_uint(name, v, 1, 86400, out, err, errlen);
}

/* The uid of the front-end user named by env (else dflt); -1 when there is none. */
static long role_user(const char *env, const char *dflt)
{
	const char *name = getenv(env);
	struct passwd *pw = getpwnam(name && *name ? name : dflt);

	if (!pw || pw->pw_uid == 0 || pw->pw_uid == geteuid())
		return -1;
	log_info("control: user %s (uid %u) is the %s front end", pw->pw_name, (unsigned)pw->pw_uid,
		 dflt);
	return (long)pw->pw_uid;
}

/* The front ends reach the socket through group sbc-ctl (SBCD_CTL_GROUP), when it exists. */
static void socket_group(const char *path)
{
	const char *name = getenv("SBCD_CTL_GROUP");
	struct group *gr = getgrnam(name && *name ? name : "sbc-ctl");

	if (gr && chown(path, (uid_t)-1, gr->gr_gid) < 0)
		log_warnx("control socket %s: cannot give it to group %s: %s (is sbcd's user a "
			  "member?)",
			  path, gr->gr_name, strerror(errno));
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
	srv->reg = -1;
	srv->role_uid[0] = role_user("SBCD_WEB_USER", "sbc-web");
	srv->role_uid[1] = role_user("SBCD_KEYS_USER", "sbc-keys");
	srv->role_uid[2] = role_user("SBCD_SNMP_USER", "sbc-snmp");
	srv->refusals = (struct log_limit){.per_sec = 2, .burst = 10};
	/* shorter limits for tests (doc/CONTROL.md) */
	if (env_seconds("SBCD_CTL_IDLE_TIMEOUT", CTL_IDLE_TIMEOUT, &srv->idle_timeout, err,
			errlen) < 0 ||
	    env_seconds("SBCD_CTL_WRITE_TIMEOUT", CTL_WRITE_TIMEOUT, &srv->write_timeout, err,
			errlen) < 0) {
		free(srv);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	strcpy(srv->path, path);
	unlink(path);
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (srv->fd < 0 || bind(srv->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(srv->fd, 64) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		goto fail;
	}
	socket_group(path);
	if (!(srv->workers = ctl_workers_start(s->root, job_done, err, errlen)))
		goto fail;
	srv->timer = su_timer_create(su_root_task(s->root), 1000);
	if (!srv->timer || su_timer_set(srv->timer, on_tick, (su_timer_arg_t *)srv) < 0) {
		snprintf(err, errlen, "control socket %s: cannot start its timer", path);
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
	if (srv->timer)
		su_timer_destroy(srv->timer);
	ctl_workers_stop(srv->workers);
	if (srv->fd >= 0)
		close(srv->fd);
	free(srv);
	return NULL;
}

void ctl_server_stop(struct ctl_server *srv)
{
	if (!srv)
		return;
	/* first the workers: a running job finishes, none is finished (its connection goes) */
	ctl_workers_stop(srv->workers);
	su_timer_destroy(srv->timer);
	for (int i = 0; i < MAX_CONN; i++)
		if (srv->conns[i])
			conn_close(srv->conns[i]);
	su_root_deregister(srv->s->root, srv->reg);
	close(srv->fd);
	unlink(srv->path);
	free(srv);
}

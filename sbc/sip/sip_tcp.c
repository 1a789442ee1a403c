/*
 * sip_tcp: idle timeout and connection caps for SIP over TCP (and TLS), and the
 * descriptor reserve.
 *
 * Why a sweep of our own descriptors: sofia-sip 1.12.11 accepts connections
 * inside tport and tells the stack nothing until a message arrives; it has no
 * connection cap, and the only idle limit is the 30 minutes NTA gives every
 * connection (TPTAG_IDLE(1800000) in nta_agent_create), far more than a flood
 * of idle connections needs to exhaust the descriptors. So
 * once a second we list /proc/self/fd, keep the accepted stream sockets whose
 * local port is a TCP or TLS port of an interface, and end the ones that must
 * go with shutdown(2): sofia reads end of stream and closes them itself, as
 * sip_tls.c does with TLS connections it refuses. TCP_INFO says how long a
 * socket has neither received nor sent data.
 *
 * Order of refusal: over a cap, the newest connections go first (those the
 * sweep saw last), so established peers keep theirs. Near the descriptor
 * limit the sweep runs every 100 ms: sofia may still accept up to the hard
 * end between sweeps (it cannot be told to stop), and the reserve comes back
 * within that time.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sbc/sip/sip_hs.h"
#include "sbc/sip/sip_internal.h"

struct tcp_slot {
	ino_t ino;        /* the socket seen at this fd, 0 for none */
	uint64_t seen;    /* sweep sequence number when first seen: larger is newer */
	int killed;       /* shut down by us, waiting for sofia to close it */
	unsigned ifc;     /* index in e->ifs */
	enum sip_proto p; /* SIP_PROTO_TCP or SIP_PROTO_TLS; SIP_PROTO_N: not a SIP connection */
	uint64_t listed;  /* sequence number of the last pass that listed it */
	char peer[64];
};

struct sip_tcp {
	struct tcp_slot *slot;
	unsigned nslot;
	uint64_t seq;
	su_timer_t *soon; /* an early sweep while connections press on the limit */
	DIR *fds; /* /proc/self/fd, kept open: the sweep must work with no descriptor left */
	struct log_peer_limit lim; /* per peer: refusal lines of a flood are summarised */
	int in_pass;               /* a pass is reading the directory, a slice at a time */
	unsigned listed;           /* descriptors the pass has read so far */
	unsigned last_n;           /* descriptors the last whole pass read */
	unsigned ticks;            /* engine ticks since the last pass began */
	su_timer_t *slice;         /* runs the pass's next slice */
};

#define SLICE_MS    20  /* between two slices of a pass */
#define SLICE_PARTS 40  /* a pass in about this many slices, */
#define SLICE_MIN   256 /* each of at least this many descriptors */

unsigned sip_tcp_limit(void)
{
	struct rlimit rl;
	unsigned lim, reserve;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > (1u << 20))
		lim = 1u << 20;
	else
		lim = (unsigned)rl.rlim_cur;
	reserve = SIP_FD_RESERVE > lim / 8 ? SIP_FD_RESERVE : lim / 8;
	return lim > reserve ? lim - reserve : 0;
}

static int slot_grow(struct sip_tcp *t, unsigned fd)
{
	unsigned n = t->nslot ? t->nslot : 256;
	struct tcp_slot *s;

	while (n <= fd)
		n *= 2;
	if (n == t->nslot)
		return 0;
	s = realloc(t->slot, n * sizeof(*s));
	if (!s)
		return -1;
	memset(s + t->nslot, 0, (n - t->nslot) * sizeof(*s));
	t->slot = s, t->nslot = n;
	return 0;
}

static void peer_text(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(s4->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(s6->sin6_port));
	} else
		snprintf(buf, len, "?");
}

/* The address alone, as InterfaceTable writes it (no brackets). */
static void host_of(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	buf[0] = 0;
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf,
			  (socklen_t)len);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf,
			  (socklen_t)len);
}

static unsigned port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

/* The interface and protocol of an accepted SIP stream socket at fd, or -1. */
static int classify(struct sip_engine *e, int fd, struct tcp_slot *s)
{
	struct sockaddr_storage me, peer;
	socklen_t ml = sizeof(me), pl = sizeof(peer), il = sizeof(int);
	int type = 0, listening = 0;
	unsigned port;
	char host[INET6_ADDRSTRLEN];

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &il) < 0 || type != SOCK_STREAM)
		return -1;
	il = sizeof(int);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &il) < 0 || listening)
		return -1;
	if (getsockname(fd, (struct sockaddr *)&me, &ml) < 0 ||
	    (me.ss_family != AF_INET && me.ss_family != AF_INET6) ||
	    getpeername(fd, (struct sockaddr *)&peer, &pl) < 0)
		return -1;
	port = port_of(&me);
	host_of(&me, host, sizeof(host));
	/* interfaces on different addresses may share a port: the address decides, then the port */
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < e->nifs; i++)
			for (int p = SIP_PROTO_TCP; p <= SIP_PROTO_TLS; p++) {
				const struct sip_iface *ifc = &e->ifs[i];
				if (!ifc->pri[p] || ifc->port[p] != port ||
				    (pass == 0 && strcmp(ifc->addr, host) != 0))
					continue;
				s->ifc = i, s->p = (enum sip_proto)p;
				peer_text(&peer, s->peer, sizeof(s->peer));
				return 0;
			}
	return -1;
}

/* Milliseconds since the socket last received or sent data (since it opened, if never). */
static unsigned idle_ms(int fd)
{
	struct tcp_info ti;
	socklen_t l = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &l) < 0)
		return 0;
	return ti.tcpi_last_data_recv < ti.tcpi_last_data_sent ? ti.tcpi_last_data_recv
							       : ti.tcpi_last_data_sent;
}

/* The interface's TCPIdleTimeout in ms (its own, else the global one), 0 for never. */
static unsigned iface_idle_ms(const struct sip_engine *e, const struct sip_iface *ifc)
{
	const struct sip_rt_sifc *f = e->rt ? sip_rt_cfg_sifc(e->rt, (int)ifc->index) : NULL;

	return f && f->idle_s >= 0 ? (unsigned)f->idle_s * 1000 : e->tcp_idle_ms;
}

static void end_conn(struct sip_engine *e, int fd, struct tcp_slot *s, const char *why)
{
	struct sip_iface *ifc = &e->ifs[s->ifc];
	char host[64], *colon;
	struct stat sb;

	/* a pass spans many turns of the loop: the descriptor may hold another socket by now */
	if (fstat(fd, &sb) < 0 || sb.st_ino != s->ino) {
		memset(s, 0, sizeof(*s));
		return;
	}
	s->killed = 1;
	shutdown(fd, SHUT_RDWR);
	if (s->p == SIP_PROTO_TCP)
		ifc->tcp_closed++;
	/* one summary per peer address, whatever its source port */
	snprintf(host, sizeof(host), "%s", s->peer);
	colon = strrchr(host, ':');
	if (colon)
		*colon = 0;
	log_peer_limited(&e->tcp->lim, host, LOG_WARNING,
			 "sip: %s connection from %s on interface '%s' (%u) closed: %s",
			 sip_proto_name(s->p), s->peer, ifc->name, ifc->index, why);
}

struct live {
	int fd;
	struct tcp_slot *s;
};

static int newest_first(const void *a, const void *b)
{
	const struct live *x = a, *y = b;

	if (x->s->seen != y->s->seen)
		return x->s->seen < y->s->seen ? 1 : -1;
	return y->fd - x->fd;
}

static void soon_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg);

/* Starts a pass: the directory of descriptors is read from its start, a slice at a time (procfs
   lists them by number, so a pass resumed later goes on from where it stopped). */
static int pass_begin(struct sip_engine *e)
{
	struct sip_tcp *t = e->tcp;

	if (!t->fds && !(t->fds = opendir("/proc/self/fd")))
		return -1;
	t->seq++;
	t->listed = 0;
	rewinddir(t->fds);
	t->in_pass = 1;
	return 0;
}

/* One descriptor: classified when new, ended when idle past its interface's limit. */
static void pass_fd(struct sip_engine *e, int fd)
{
	struct sip_tcp *t = e->tcp;
	struct stat sb;
	struct tcp_slot *s;
	unsigned lim_ms;
	char why[96];

	if (sip_hs_is_dup(fd) || fstat(fd, &sb) < 0 || !S_ISSOCK(sb.st_mode)) {
		if ((unsigned)fd < t->nslot)
			memset(&t->slot[fd], 0, sizeof(t->slot[fd]));
		return;
	}
	if (slot_grow(t, (unsigned)fd) < 0)
		return;
	s = &t->slot[fd];
	s->listed = t->seq;
	if (s->ino != sb.st_ino) {
		memset(s, 0, sizeof(*s));
		s->listed = t->seq;
		s->ino = sb.st_ino;
		if (classify(e, fd, s) < 0) {
			s->ifc = 0;
			s->p = SIP_PROTO_N; /* not ours; looked at again if its inode changes */
			return;
		}
		s->seen = t->seq;
	}
	if (s->killed || s->p == SIP_PROTO_N)
		return;
	/* a connection a phone registered over carries its calls: its binding bounds it */
	lim_ms = iface_idle_ms(e, &e->ifs[s->ifc]);
	if (lim_ms && idle_ms(fd) >= lim_ms &&
	    !sip_registrar_holds(e->reg, &e->ifs[s->ifc], s->p, s->peer)) {
		snprintf(why, sizeof(why), "idle for %u s", lim_ms / 1000);
		end_conn(e, fd, s, why);
	}
}

/* Ends a pass: the caps, counted over every connection the pass saw, newest over them first. */
static void pass_end(struct sip_engine *e)
{
	struct sip_tcp *t = e->tcp;
	unsigned *count = calloc(e->nifs ? e->nifs : 1, sizeof(unsigned));
	unsigned total = 0, limit = sip_tcp_limit(), nlv = 0, over = 0;
	struct live *lv = NULL;
	char why[96];

	t->in_pass = 0;
	t->last_n = t->listed;
	if (!count)
		return;
	for (unsigned fd = 0; fd < t->nslot; fd++) {
		struct tcp_slot *s = &t->slot[fd];
		if (s->ino && s->listed != t->seq)
			memset(s, 0, sizeof(*s)); /* closed since the last pass */
		if (!s->ino || s->killed || s->p == SIP_PROTO_N)
			continue;
		total++;
		count[s->ifc] += s->p == SIP_PROTO_TCP;
		over |= s->p == SIP_PROTO_TCP && count[s->ifc] > e->ifs[s->ifc].max_tcp;
	}
	if (total > limit || over) {
		/* oldest first: each connection is counted against its interface and the total */
		if (!(lv = malloc(total * sizeof(*lv))))
			goto out;
		for (unsigned fd = 0; fd < t->nslot; fd++) {
			struct tcp_slot *s = &t->slot[fd];
			if (s->ino && !s->killed && s->p != SIP_PROTO_N)
				lv[nlv++] = (struct live){(int)fd, s};
		}
		qsort(lv, nlv, sizeof(*lv), newest_first);
		memset(count, 0, (e->nifs ? e->nifs : 1) * sizeof(unsigned));
		total = 0;
		for (unsigned i = nlv; i-- > 0;) {
			struct tcp_slot *s = lv[i].s;
			struct sip_iface *ifc = &e->ifs[s->ifc];
			if (total >= limit) {
				snprintf(
				    why, sizeof(why),
				    "more than %u SIP connections (descriptor limit less reserve)",
				    limit);
				end_conn(e, lv[i].fd, s, why);
			} else if (s->p == SIP_PROTO_TCP && count[s->ifc] >= ifc->max_tcp) {
				snprintf(why, sizeof(why),
					 "more than %u TCP connections on the interface",
					 ifc->max_tcp);
				end_conn(e, lv[i].fd, s, why);
			} else {
				total++;
				count[s->ifc] += s->p == SIP_PROTO_TCP;
			}
		}
	}
	for (unsigned i = 0; i < e->nifs; i++)
		e->ifs[i].tcp_active = count[i];
	/* near the limit, a flood refills it between ticks: look again, whole, in 100 ms */
	if (total >= limit - limit / 8) {
		if (!t->soon)
			t->soon = su_timer_create(su_root_task(e->root), 100);
		if (t->soon)
			su_timer_set(t->soon, soon_cb, (su_timer_arg_t *)e);
	}
	log_peer_flush(&t->lim);
out:
	free(lv);
	free(count);
}

/* Looks at the pass's next max descriptors (0: all that are left); ends the pass after them. */
static void pass_run(struct sip_engine *e, unsigned max)
{
	struct sip_tcp *t = e->tcp;
	struct dirent *de;

	for (unsigned n = 0; !max || n < max; n++) {
		char *end;
		long fd;
		if (!(de = readdir(t->fds))) {
			pass_end(e);
			return;
		}
		fd = strtol(de->d_name, &end, 10);
		if (*end || fd < 0 || fd == dirfd(t->fds))
			continue;
		t->listed++;
		pass_fd(e, (int)fd);
	}
}

static void slice_cb(su_root_magic_t *m, su_timer_t *tm, su_timer_arg_t *arg)
{
	struct sip_engine *e = (struct sip_engine *)arg;
	struct sip_tcp *t = e->tcp;
	unsigned per = (t->last_n + SLICE_PARTS - 1) / SLICE_PARTS;

	if (e->closing || !t->in_pass)
		return;
	pass_run(e, per > SLICE_MIN ? per : SLICE_MIN);
	if (t->in_pass)
		su_timer_set(tm, slice_cb, arg);
}

static int tcp_state(struct sip_engine *e)
{
	if (e->tcp)
		return 0;
	if (!(e->tcp = calloc(1, sizeof(*e->tcp))))
		return -1;
	log_peer_limit_init(&e->tcp->lim, 6, 5);
	return 0;
}

/* Near the limit: a whole pass at once (the one in progress, if any, is finished first). */
static void soon_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sip_engine *e = (struct sip_engine *)arg;

	if (e->closing || tcp_state(e) < 0)
		return;
	if (e->tcp->in_pass)
		pass_run(e, 0);
	if (pass_begin(e) == 0)
		pass_run(e, 0);
}

void sip_tcp_sweep(struct sip_engine *e)
{
	if (e->closing || tcp_state(e) < 0 || e->tcp->in_pass)
		return; /* a pass still in progress goes on in its slices */
	/* a pass costs a few microseconds per descriptor (about 45 ms of CPU at 15,000): one a
	   second up to 5,000 descriptors, above that one every N/5,000 s (15,000: every 3 s);
	   idle limits are in seconds, and near the limit passes come every 100 ms (soon_cb) */
	if (++e->tcp->ticks <= e->tcp->last_n / 5000)
		return;
	e->tcp->ticks = 0;
	if (pass_begin(e) < 0)
		return;
	if (e->tcp->last_n <= SLICE_MIN) {
		pass_run(e, 0); /* a few descriptors: at once */
		return;
	}
	if (!e->tcp->slice)
		e->tcp->slice = su_timer_create(su_root_task(e->root), SLICE_MS);
	if (!e->tcp->slice || su_timer_set(e->tcp->slice, slice_cb, (su_timer_arg_t *)e) < 0)
		pass_run(e, 0);
}

void sip_tcp_release(struct sip_engine *e)
{
	if (!e->tcp)
		return;
	su_timer_destroy(e->tcp->soon);
	su_timer_destroy(e->tcp->slice);
	if (e->tcp->fds)
		closedir(e->tcp->fds);
	free(e->tcp->slot);
	free(e->tcp);
	e->tcp = NULL;
}

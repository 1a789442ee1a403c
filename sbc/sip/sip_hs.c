/*
 * sip_hs: TLS handshakes of the SIP listeners on worker threads (contract in sip_hs.h).
 *
 * Why two sofia-sip symbols are interposed: sofia registers an accepted TLS socket with
 * su_root_register(..., tls_connect, ...) and calls SSL_accept from tls_connect on every
 * event of it. To stop sofia watching a socket we need its registration index (kept by
 * the su_root_register wrapper, for registrations whose callback is tls_connect), and
 * since epoll reports errors and hang-ups even with an empty event mask, the tls_connect
 * wrapper drops the events of a socket a worker owns (the worker sees the same condition
 * and gives the connection back at once). Both symbols are exported by
 * libsofia-sip-ua.so.0 and reached through its PLT/GOT, so the executable's definitions
 * take their place; the real ones are found with dlsym(RTLD_NEXT).
 *
 * Why the worker drives a duplicate of the socket: should sofia close the socket while a
 * worker holds it (its own timers), the number may be reused by the next accept; the
 * duplicate keeps the worker on the right socket until it gives the connection back.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <openssl/err.h>

#include "sbc/sip/sip_hs.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_tls_conn.h"

struct hs_worker {
	struct sip_hs *pool;
	pthread_t th;
	int started;
	int epfd, efd;
	pthread_mutex_t mu;   /* inq, stop */
	struct sip_conn *inq; /* handed over, not yet in the epoll */
	int stop;
	struct sip_conn *active; /* in the epoll: the worker's alone */
	unsigned long long done; /* handshakes given back (atomic) */
	unsigned id;
};

struct sip_hs {
	struct sip_engine *e;
	unsigned n, next;
	struct hs_worker *w;
	int done_efd, su_reg;
	pthread_mutex_t mu;     /* doneq */
	struct sip_conn *doneq; /* given back, awaiting the SIP thread */
	unsigned owned;         /* taken and not yet released (SIP thread) */
};

/* --- sofia's registration of handshaking sockets, by socket number --- */

struct fd_slot {
	int idx;   /* su_root registration with tls_connect, 0 for none */
	int owned; /* a worker holds the handshake: drop sofia's events */
	int dup;   /* a worker's duplicate of a handshaking socket, not a connection of its own */
};

static pthread_mutex_t fd_mu = PTHREAD_MUTEX_INITIALIZER;
static struct fd_slot *fds;
static size_t nfds;

static struct fd_slot *fd_slot(int fd, int grow)
{
	if (fd < 0)
		return NULL;
	if ((size_t)fd >= nfds) {
		size_t n = nfds ? nfds : 1024;
		struct fd_slot *p;
		if (!grow)
			return NULL;
		while (n <= (size_t)fd)
			n *= 2;
		if (!(p = realloc(fds, n * sizeof(*p))))
			return NULL;
		memset(p + nfds, 0, (n - nfds) * sizeof(*p));
		fds = p, nfds = n;
	}
	return &fds[fd];
}

typedef int wakeup_fn(su_root_magic_t *, su_wait_t *, su_wakeup_arg_t *);
typedef int register_fn(su_root_t *, su_wait_t *, su_wakeup_f, su_wakeup_arg_t *, int);

int tls_connect(su_root_magic_t *magic, su_wait_t *w, tport_t *self);

int tls_connect(su_root_magic_t *magic, su_wait_t *w, tport_t *self)
{
	static wakeup_fn *real;
	struct fd_slot *s;
	int owned;

	if (!real && !(real = (wakeup_fn *)dlsym(RTLD_NEXT, "tls_connect")))
		return 0;
	pthread_mutex_lock(&fd_mu);
	s = w ? fd_slot(w->fd, 0) : NULL;
	owned = s && s->owned;
	pthread_mutex_unlock(&fd_mu);
	return owned ? 0 : real(magic, w, (su_wakeup_arg_t *)self);
}

int su_root_register(su_root_t *root, su_wait_t *waits, su_wakeup_f callback, su_wakeup_arg_t *arg,
		     int priority)
{
	static register_fn *real;
	struct fd_slot *s;
	int idx;

	if (!real && !(real = (register_fn *)dlsym(RTLD_NEXT, "su_root_register")))
		return -1;
	idx = real(root, waits, callback, arg, priority);
	if (!waits)
		return idx;
	pthread_mutex_lock(&fd_mu);
	if ((s = fd_slot(waits->fd, (wakeup_fn *)callback == (wakeup_fn *)tls_connect)))
		s->idx = (wakeup_fn *)callback == (wakeup_fn *)tls_connect && idx > 0 ? idx : 0;
	pthread_mutex_unlock(&fd_mu);
	return idx;
}

static void fd_own(int fd, int owned)
{
	struct fd_slot *s;

	pthread_mutex_lock(&fd_mu);
	if ((s = fd_slot(fd, 0)))
		s->owned = owned;
	pthread_mutex_unlock(&fd_mu);
}

static void fd_mark_dup(int fd, int dup)
{
	struct fd_slot *s;

	pthread_mutex_lock(&fd_mu);
	if ((s = fd_slot(fd, dup)))
		s->dup = dup;
	pthread_mutex_unlock(&fd_mu);
}

int sip_hs_is_dup(int fd)
{
	struct fd_slot *s;
	int dup;

	pthread_mutex_lock(&fd_mu);
	s = fd_slot(fd, 0);
	dup = s && s->dup;
	pthread_mutex_unlock(&fd_mu);
	return dup;
}

static int fd_index(int fd)
{
	struct fd_slot *s;
	int idx;

	pthread_mutex_lock(&fd_mu);
	s = fd_slot(fd, 0);
	idx = s ? s->idx : 0;
	pthread_mutex_unlock(&fd_mu);
	return idx;
}

/* --- policy lock --- */

static pthread_rwlock_t policy_lock;
static pthread_once_t policy_once = PTHREAD_ONCE_INIT;

static void policy_init(void)
{
	pthread_rwlockattr_t a;

	/* the SIP thread must not wait behind a stream of worker steps */
	pthread_rwlockattr_init(&a);
	pthread_rwlockattr_setkind_np(&a, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&policy_lock, &a);
	pthread_rwlockattr_destroy(&a);
}

void sip_hs_policy_lock(void)
{
	pthread_once(&policy_once, policy_init);
	pthread_rwlock_wrlock(&policy_lock);
}

void sip_hs_policy_unlock(void)
{
	pthread_rwlock_unlock(&policy_lock);
}

/* --- workers --- */

static void list_del(struct hs_worker *w, struct sip_conn *c)
{
	if (c->hs_prev)
		c->hs_prev->hs_next = c->hs_next;
	else
		w->active = c->hs_next;
	if (c->hs_next)
		c->hs_next->hs_prev = c->hs_prev;
	c->hs_next = c->hs_prev = NULL;
}

static void give_back(struct hs_worker *w, struct sip_conn *c)
{
	struct sip_hs *p = w->pool;
	uint64_t one = 1;

	epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->hs_fd, NULL);
	list_del(w, c);
	__atomic_add_fetch(&w->done, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&p->mu);
	c->hs_next = p->doneq;
	p->doneq = c;
	pthread_mutex_unlock(&p->mu);
	if (write(p->done_efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return; /* the counter is full: the SIP thread is awake already */
}

/* One step of the handshake on readiness; gives c back when it is over. */
static void step(struct hs_worker *w, struct sip_conn *c)
{
	struct epoll_event ev = {.data.ptr = c};
	unsigned long e;
	int r, st;

	pthread_rwlock_rdlock(&policy_lock);
	ERR_clear_error();
	r = SSL_accept(c->ssl);
	st = SSL_get_error(c->ssl, r);
	if (r != 1 && st != SSL_ERROR_WANT_READ && st != SSL_ERROR_WANT_WRITE && !c->hs_rej) {
		const char *why = NULL;
		e = ERR_peek_last_error();
		if (e)
			why = ERR_reason_error_string(e);
		else if (st == SSL_ERROR_SYSCALL || st == SSL_ERROR_ZERO_RETURN)
			why = "closed during the handshake";
		sip_conn_detail(c, "%s", why && why[0] ? why : "handshake failure");
	}
	ERR_clear_error();
	pthread_rwlock_unlock(&policy_lock);
	if (r == 1) {
		c->hs_up = 1;
		give_back(w, c);
	} else if (st == SSL_ERROR_WANT_READ || st == SSL_ERROR_WANT_WRITE) {
		ev.events = st == SSL_ERROR_WANT_READ ? EPOLLIN : EPOLLOUT;
		if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->hs_fd, &ev) < 0) {
			sip_conn_detail(c, "handshake worker: epoll: %s", strerror(errno));
			give_back(w, c);
		}
	} else {
		give_back(w, c);
	}
}

static void take_new(struct hs_worker *w)
{
	struct sip_conn *q, *c;
	uint64_t v;

	if (read(w->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&w->mu);
	q = w->inq;
	w->inq = NULL;
	pthread_mutex_unlock(&w->mu);
	while ((c = q)) {
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
		q = c->hs_next;
		c->hs_prev = NULL;
		c->hs_next = w->active;
		if (w->active)
			w->active->hs_prev = c;
		w->active = c;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, c->hs_fd, &ev) < 0) {
			sip_conn_detail(c, "handshake worker: epoll: %s", strerror(errno));
			give_back(w, c);
			continue;
		}
		step(w, c); /* the ClientHello is often there already */
	}
}

static void *worker_main(void *arg)
{
	struct hs_worker *w = arg;
	struct epoll_event ev[64];
	char name[16];

	snprintf(name, sizeof(name), "sbcd-hs%u", w->id);
	pthread_setname_np(pthread_self(), name);
	for (;;) {
		int n = epoll_wait(w->epfd, ev, 64, -1), stop;
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			if (!ev[i].data.ptr)
				take_new(w);
			else
				step(w, ev[i].data.ptr);
		}
		pthread_mutex_lock(&w->mu);
		stop = w->stop;
		pthread_mutex_unlock(&w->mu);
		if (stop)
			break;
	}
	ERR_clear_error();
	OPENSSL_thread_stop();
	return NULL;
}

/* --- the SIP thread's side --- */

/* Ends the worker's ownership: c is the SIP thread's again. */
static void release(struct sip_hs *p, struct sip_conn *c)
{
	if (!c->hs_sofia_freed) {
		BIO_set_fd(c->mine, c->fd, BIO_NOCLOSE);
		fd_own(c->fd, 0);
	}
	fd_mark_dup(c->hs_fd, 0);
	close(c->hs_fd);
	c->hs_fd = -1;
	c->hs_owned = 0;
	p->owned--;
	sip_tls_hs_done(c);
}

static int done_cb(su_root_magic_t *m, su_wait_t *wt, su_wakeup_arg_t *arg)
{
	struct sip_hs *p = (struct sip_hs *)arg;
	struct sip_conn *q, *c;
	uint64_t v;

	if (read(p->done_efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	pthread_mutex_lock(&p->mu);
	q = p->doneq;
	p->doneq = NULL;
	pthread_mutex_unlock(&p->mu);
	while ((c = q)) {
		q = c->hs_next;
		c->hs_next = NULL;
		release(p, c);
	}
	return 0;
}

unsigned sip_hs_threads_for(long long v)
{
	long cores;

	if (v >= 0)
		return (unsigned)v;
	/* one per core, not one per core beyond the SIP thread's: the SIP thread's part of a
	 * new connection is a fifth of the workers' (doc/PERFORMANCE.md), so with cores - 1
	 * workers the last core would mostly idle while handshakes queue */
	cores = sysconf(_SC_NPROCESSORS_ONLN);
	return cores > 1 ? (unsigned)(cores > 64 ? 64 : cores) : 1;
}

struct sip_hs *sip_hs_start(struct sip_engine *e, unsigned n, char *err, size_t errlen)
{
	struct sip_hs *p = calloc(1, sizeof(*p));
	su_wait_t wait = SU_WAIT_INIT;

	pthread_once(&policy_once, policy_init);
	if (!p || !(p->w = calloc(n, sizeof(*p->w)))) {
		free(p);
		snprintf(err, errlen, "TLS handshake workers: out of memory");
		return NULL;
	}
	p->e = e;
	p->done_efd = -1;
	pthread_mutex_init(&p->mu, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct hs_worker *w = &p->w[i];
		w->epfd = w->efd = -1;
		pthread_mutex_init(&w->mu, NULL);
	}
	p->n = n;
	if ((p->done_efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
	    su_wait_create(&wait, p->done_efd, SU_WAIT_IN) < 0 ||
	    (p->su_reg = su_root_register(e->root, &wait, done_cb, (su_wakeup_arg_t *)p, 0)) <= 0) {
		snprintf(err, errlen, "TLS handshake workers: completion eventfd: %s",
			 strerror(errno));
		p->su_reg = 0;
		goto fail;
	}
	for (unsigned i = 0; i < n; i++) {
		struct hs_worker *w = &p->w[i];
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
		w->pool = p;
		w->id = i;
		if ((w->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
		    (w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0 ||
		    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->efd, &ev) < 0) {
			snprintf(err, errlen, "TLS handshake worker %u: epoll: %s", i,
				 strerror(errno));
			goto fail;
		}
		if ((errno = pthread_create(&w->th, NULL, worker_main, w)) != 0) {
			snprintf(err, errlen, "TLS handshake worker %u: thread: %s", i,
				 strerror(errno));
			goto fail;
		}
		w->started = 1;
	}
	return p;
fail:
	sip_hs_stop(p);
	return NULL;
}

void sip_hs_stop(struct sip_hs *p)
{
	uint64_t one = 1;

	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++) {
		struct hs_worker *w = &p->w[i];
		if (!w->started)
			continue;
		pthread_mutex_lock(&w->mu);
		w->stop = 1;
		pthread_mutex_unlock(&w->mu);
		if (write(w->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_warnx("sip: TLS handshake worker %u: wake-up: %s", i, strerror(errno));
		pthread_join(w->th, NULL);
	}
	/* what the workers still held comes back unfinished */
	for (unsigned i = 0; i < p->n; i++) {
		struct hs_worker *w = &p->w[i];
		struct sip_conn *c;
		while ((c = w->active)) {
			list_del(w, c);
			release(p, c);
		}
		while ((c = w->inq)) {
			w->inq = c->hs_next;
			c->hs_next = NULL;
			release(p, c);
		}
		if (w->epfd >= 0)
			close(w->epfd);
		if (w->efd >= 0)
			close(w->efd);
		pthread_mutex_destroy(&w->mu);
	}
	if (p->done_efd >= 0)
		done_cb(NULL, NULL, (su_wakeup_arg_t *)p);
	if (p->su_reg > 0)
		su_root_deregister(p->e->root, p->su_reg);
	if (p->done_efd >= 0)
		close(p->done_efd);
	pthread_mutex_destroy(&p->mu);
	free(p->w);
	free(p);
}

int sip_hs_take(struct sip_hs *p, struct sip_conn *c)
{
	struct hs_worker *w;
	int idx = fd_index(c->fd), dup;
	uint64_t one = 1;

	if (!p || !p->n || idx <= 0 || !c->mine || c->hs_owned)
		return 0;
	if ((dup = fcntl(c->fd, F_DUPFD_CLOEXEC, 0)) < 0)
		return 0;
	if (su_root_eventmask(p->e->root, idx, c->fd, 0) < 0) {
		close(dup);
		return 0;
	}
	fd_own(c->fd, 1);
	fd_mark_dup(dup, 1);
	BIO_set_fd(c->mine, dup, BIO_NOCLOSE);
	c->hs_fd = dup;
	c->hs_idx = idx;
	c->hs_up = c->hs_rej = c->hs_timeout = c->hs_sofia_freed = 0;
	free(c->hs_detail);
	c->hs_detail = NULL;
	c->state = C_HANDSHAKE;
	c->hs_owned = 1;
	p->owned++;
	w = &p->w[p->next++ % p->n];
	pthread_mutex_lock(&w->mu);
	c->hs_prev = NULL;
	c->hs_next = w->inq;
	w->inq = c;
	pthread_mutex_unlock(&w->mu);
	if (write(w->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warnx("sip: TLS handshake worker %u: wake-up: %s", w->id, strerror(errno));
	return 1;
}

void sip_hs_rewatch(struct sip_hs *p, struct sip_conn *c)
{
	/* OUT as well: the socket is writable, so sofia's tls_connect runs on the next turn */
	if (p && c->hs_idx > 0)
		su_root_eventmask(p->e->root, c->hs_idx, c->fd,
				  SU_WAIT_IN | SU_WAIT_OUT | SU_WAIT_ERR | SU_WAIT_HUP);
	c->hs_idx = 0;
}

void sip_hs_forget_fd(struct sip_conn *c)
{
	fd_own(c->fd, 0);
	c->hs_sofia_freed = 1;
}

unsigned sip_hs_owned(const struct sip_hs *p)
{
	return p ? p->owned : 0;
}

unsigned sip_hs_counts(const struct sip_hs *p, unsigned long long *out, unsigned max)
{
	unsigned i;

	for (i = 0; p && i < p->n && i < max; i++)
		out[i] = __atomic_load_n(&p->w[i].done, __ATOMIC_RELAXED);
	return i;
}

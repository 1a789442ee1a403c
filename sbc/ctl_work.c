/* Worker threads for deferred control requests; completions reach the loop through an eventfd. */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log/log.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_work.h"

#define MAX_SHORT   3
#define MAX_THREADS (MAX_SHORT + 1)
#define LANES       2

struct ctl_workers;

struct worker {
	struct ctl_workers *w;
	enum ctl_lane lane;
	unsigned id; /* within the lane: the thread is named sbcd-ctl<id> or sbcd-key */
	pthread_t thread;
};

struct ctl_workers {
	su_root_t *root;
	su_wait_t wait;
	int reg, efd;
	void (*done)(void *owner, struct ctl_job *j);
	pthread_mutex_t mu;
	pthread_cond_t cv[LANES];
	struct ctl_job *queue[LANES], **qtail[LANES]; /* to run, first in first out */
	struct ctl_job *finished;                     /* run, waiting for the loop */
	int stopping;
	unsigned nthreads;
	struct worker threads[MAX_THREADS];
};

unsigned ctl_work_short_threads(unsigned cpus)
{
	return cpus <= 2 ? 1 : cpus - 1 > MAX_SHORT ? MAX_SHORT : cpus - 1;
}

/* The cores this process may run on (its affinity mask), at least 1. */
static unsigned usable_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && (n = CPU_COUNT(&set)) > 0)
		return (unsigned)n;
	n = (int)sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

void ctl_work_background(void)
{
	/* the SIP event loop comes first: on a 2-core box a hashing or key-making worker must
	   not take the core it needs. Nice 10 for this thread only (lowering needs no right),
	   not SCHED_IDLE: under full load from elsewhere an idle-class thread gets almost no
	   CPU, and a login would take seconds. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
}

struct later {
	void (*fn)(void *arg);
	void *arg;
};

static void *later_main(void *arg)
{
	struct later l = *(struct later *)arg;

	free(arg);
	ctl_work_background();
	l.fn(l.arg);
	return NULL;
}

void ctl_work_later(void (*fn)(void *arg), void *arg)
{
	struct later *l = malloc(sizeof(*l));
	pthread_attr_t at;
	pthread_t t;

	if (l && pthread_attr_init(&at) == 0) {
		int rc;
		*l = (struct later){fn, arg};
		pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&t, &at, later_main, l);
		pthread_attr_destroy(&at);
		if (rc == 0)
			return;
	}
	free(l);
	fn(arg);
}

static void *worker_main(void *arg)
{
	struct worker *me = arg;
	struct ctl_workers *w = me->w;
	unsigned l = me->lane;
	uint64_t one = 1;
	char name[16];

	if (l == CTL_LANE_LONG)
		snprintf(name, sizeof(name), "sbcd-key");
	else
		snprintf(name, sizeof(name), "sbcd-ctl%u", me->id);
	pthread_setname_np(pthread_self(), name);
	ctl_work_background();
	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct ctl_job *j;
		while (!w->queue[l] && !w->stopping)
			pthread_cond_wait(&w->cv[l], &w->mu);
		if (w->stopping)
			break;
		j = w->queue[l];
		w->queue[l] = j->next;
		if (!w->queue[l])
			w->qtail[l] = &w->queue[l];
		pthread_mutex_unlock(&w->mu);
		j->work(j);
		pthread_mutex_lock(&w->mu);
		j->next = w->finished;
		w->finished = j;
		if (write(w->efd, &one, sizeof(one)) < 0) {
			/* the counter cannot overflow with so few jobs: nothing to do */
		}
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static int on_done(su_root_magic_t *m, su_wait_t *wt, su_wakeup_arg_t *arg)
{
	struct ctl_workers *w = (struct ctl_workers *)arg;
	struct ctl_job *list, *rev = NULL;
	uint64_t n;

	if (read(w->efd, &n, sizeof(n)) < 0) {
		/* EAGAIN: another wakeup already took the count */
	}
	pthread_mutex_lock(&w->mu);
	list = w->finished;
	w->finished = NULL;
	pthread_mutex_unlock(&w->mu);
	while (list) { /* completion order */
		struct ctl_job *next = list->next;
		list->next = rev;
		rev = list;
		list = next;
	}
	while (rev) {
		struct ctl_job *next = rev->next;
		w->done(rev->owner, rev);
		rev = next;
	}
	return 0;
}

struct ctl_workers *ctl_workers_start(su_root_t *root, void (*done)(void *owner, struct ctl_job *j),
				      char *err, size_t errlen)
{
	struct ctl_workers *w = calloc(1, sizeof(*w));
	unsigned cpus = usable_cpus(), nshort = ctl_work_short_threads(cpus);

	if (!w) {
		snprintf(err, errlen, "control workers: out of memory");
		return NULL;
	}
	w->root = root;
	w->done = done;
	w->reg = -1;
	pthread_mutex_init(&w->mu, NULL);
	for (unsigned l = 0; l < LANES; l++) {
		w->qtail[l] = &w->queue[l];
		pthread_cond_init(&w->cv[l], NULL);
	}
	w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->efd < 0 || su_wait_create(&w->wait, w->efd, SU_WAIT_IN) < 0 ||
	    (w->reg = su_root_register(root, &w->wait, on_done, (su_wakeup_arg_t *)w, 0)) < 0) {
		snprintf(err, errlen, "control workers: cannot watch their eventfd");
		goto fail;
	}
	for (; w->nthreads < nshort + 1; w->nthreads++) {
		struct worker *t = &w->threads[w->nthreads];
		t->w = w;
		t->lane = w->nthreads < nshort ? CTL_LANE_SHORT : CTL_LANE_LONG;
		t->id = t->lane == CTL_LANE_SHORT ? w->nthreads : 0;
		if (pthread_create(&t->thread, NULL, worker_main, t) != 0) {
			snprintf(err, errlen, "control workers: cannot start thread %u",
				 w->nthreads);
			ctl_workers_stop(w);
			return NULL;
		}
	}
	log_info("control workers: %u for logins, imports and exports, 1 for key generation "
		 "(%u core%s%s)",
		 nshort, cpus, cpus == 1 ? "" : "s",
		 cpus >= 2 ? ": the SIP event loop keeps one" : ", shared with SIP");
	return w;
fail:
	if (w->reg >= 0)
		su_root_deregister(root, w->reg);
	if (w->efd >= 0)
		close(w->efd);
	free(w);
	return NULL;
}

void ctl_workers_submit(struct ctl_workers *w, struct ctl_job *j)
{
	unsigned l = j->lane == CTL_LANE_LONG ? CTL_LANE_LONG : CTL_LANE_SHORT;

	pthread_mutex_lock(&w->mu);
	j->next = NULL;
	*w->qtail[l] = j;
	w->qtail[l] = &j->next;
	pthread_cond_signal(&w->cv[l]);
	pthread_mutex_unlock(&w->mu);
}

static void free_list(struct ctl_job *j)
{
	while (j) {
		struct ctl_job *next = j->next;
		j->free(j);
		j = next;
	}
}

void ctl_workers_stop(struct ctl_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	for (unsigned l = 0; l < LANES; l++)
		pthread_cond_broadcast(&w->cv[l]);
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i].thread, NULL);
	for (unsigned l = 0; l < LANES; l++)
		free_list(w->queue[l]);
	free_list(w->finished);
	if (w->reg >= 0)
		su_root_deregister(w->root, w->reg);
	close(w->efd);
	pthread_mutex_destroy(&w->mu);
	for (unsigned l = 0; l < LANES; l++)
		pthread_cond_destroy(&w->cv[l]);
	free(w);
}

char *ctl_job_run_here(struct sbcd *s, struct ctl_session *cs, size_t *rlen)
{
	struct ctl_job *j = cs->job;
	char *out;

	cs->job = NULL;
	if (!j)
		return NULL;
	j->work(j);
	out = j->finish(s, cs, j, rlen);
	j->free(j);
	return out;
}

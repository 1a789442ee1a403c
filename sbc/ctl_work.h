/*
 * ctl_work: the CPU-heavy part of a control request (password hashing, key
 * generation) runs on a worker thread, off the SIP event loop.
 *
 * A verb handler that defers sets cs->job and returns NULL. The control server
 * then reads nothing more from that connection, queues the job, and when a
 * worker has run job->work it calls job->finish on the loop thread, which
 * applies the result (store, lockout, flash, SIP engine: only there) and makes
 * the reply. work sees only the job's own copies, never sbcd's state, and the
 * request's body the handler was given: the server keeps that frame unchanged
 * until job->free has returned (so a big body is copied on the worker, not on
 * the loop).
 */
#ifndef SBC_CTL_WORK_H
#define SBC_CTL_WORK_H

#include <stddef.h>

#include <sofia-sip/su_wait.h>

struct sbcd;
struct ctl_session;

/*
 * Which workers run a job. Control work never takes every core: the short lane has one thread
 * per core sbcd may use but one (at least one, at most 3), so the SIP event loop always keeps a
 * core for itself, however many logins or imports arrive at once; key generation (seconds, up
 * to a minute for RSA-8192) has a thread of its own, so no login waits behind it.
 */
enum ctl_lane {
	CTL_LANE_SHORT, /* logins, imports, exports: milliseconds to a fraction of a second */
	CTL_LANE_LONG,  /* key generation */
};

struct ctl_job {
	void (*work)(struct ctl_job *j); /* worker thread: pure computation */
	/* loop thread, after work: the reply frame ("OK\n..." / "ERR\n..."), NULL on no memory */
	char *(*finish)(struct sbcd *s, struct ctl_session *cs, struct ctl_job *j, size_t *rlen);
	void (*free)(struct ctl_job *j); /* after finish, or instead of it at shutdown */
	void *owner;                     /* the connection; set by the server */
	enum ctl_lane lane;              /* set by the verb (calloc: CTL_LANE_SHORT) */
	struct ctl_job *next;            /* queue link, owned by ctl_work */
};

struct ctl_workers;

/*
 * Starts the workers of both lanes (see enum ctl_lane), whose completions are
 * signalled through an eventfd on root; done(owner, job) is then called on the
 * loop thread for each finished job. Returns NULL with the reason in err.
 */
struct ctl_workers *ctl_workers_start(su_root_t *root, void (*done)(void *owner, struct ctl_job *j),
				      char *err, size_t errlen);

/* The short lane's thread count for a process allowed on cpus cores: cpus - 1, within 1 .. 3. */
unsigned ctl_work_short_threads(unsigned cpus);

/* Queues a job (never blocks the caller). */
void ctl_workers_submit(struct ctl_workers *w, struct ctl_job *j);

/* Waits for running jobs, frees queued and finished ones unfinished, stops the threads. */
void ctl_workers_stop(struct ctl_workers *w);

/*
 * Puts the calling thread in the background (nice 10), so the SIP event loop
 * comes first on the CPU. Workers call it;
 * so does any helper thread of sbcd that does bulk work (freeing a big store).
 */
void ctl_work_background(void);

/*
 * Calls fn(arg) on a short-lived detached background thread, so that freeing a big structure
 * (a 10,000-row store, a routing copy) costs the loop nothing; fn must touch nothing but arg.
 * Calls it on the calling thread when no thread can be made.
 */
void ctl_work_later(void (*fn)(void *arg), void *arg);

/* Runs cs->job on the calling thread (tests, fuzzing) and returns its reply. */
char *ctl_job_run_here(struct sbcd *s, struct ctl_session *cs, size_t *rlen);

#endif

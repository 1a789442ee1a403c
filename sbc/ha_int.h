/* ha internals shared by sbc/ha*.c (see sbc/ha.h). */
#ifndef SBC_HA_INT_H
#define SBC_HA_INT_H

#include <pthread.h>
#include <time.h>
#include <sofia-sip/su_wait.h>

#include "sbc/ha.h"
#include "tls/tls.h"

/* One line of the channel: "SBCHA1 CONFIG <gen> <len>", then len bytes; reply one line. */
#define HA_MAGIC      "SBCHA1"
#define HA_MAX_CONF   (64u * 1024 * 1024)
#define HA_IO_TIMEOUT 5 /* seconds, every blocking read, write, connect of the channel */

/* What a channel thread hands to the loop thread (through ha->pipefd). */
struct ha_event {
	enum { HA_EV_RECEIVED, HA_EV_PUSHED, HA_EV_STATE } type;
	int state;              /* pushed: a STATE batch (else a CONFIG) */
	unsigned long long gen; /* received, pushed: its generation; state: 1 whole table */
	long long peer_gen;     /* pushed: the peer's generation from its reply, -1 unknown */
	int ok;                 /* pushed: the peer took it */
	char *data;             /* received: the payload (malloc'd) */
	size_t len;
	char text[256]; /* pushed: the peer's reply or the error; received: peer name */
};

struct ha {
	struct sbcd *s;
	enum ha_role role;
	int health; /* 1 up, 2 down */
	char health_why[200];
	time_t role_since;
	unsigned long role_changes;
	unsigned long long gen;
	long long peer_gen;
	time_t last_sync;
	char last_result[256];
	char peer_host[64];
	unsigned port;
	char local_host[64];
	unsigned ctx;
	char fifo[PATH_MAX], healthfile[PATH_MAX], genfile[PATH_MAX];
	int fifo_fd;
	su_wait_t fifo_wait;
	int fifo_reg;
	char fifobuf[1024];
	size_t fifolen;
	su_timer_t *timer;
	int pipefd[2];
	su_wait_t pipe_wait;
	int pipe_reg;
	int push_inflight;
	int push_again;
	int pushers;         /* sender threads running (atomic) */
	struct ha_state *st; /* replicated SIP state (ha_state.c) */
	int state_inflight, state_full;
	time_t state_retry, state_received;
	su_timer_t *state_timer;
	/* shared with the listener thread: under mu */
	pthread_mutex_t mu;
	enum ha_role role_shared;
	unsigned long long gen_shared;
	unsigned long long gen_pending; /* received, being installed */
	struct tls_policy pol;
	char ctxdir[PATH_MAX];
	int lfd;
	pthread_t lthread;
	int lthread_on;
	volatile int stopping;
};

/* ha_sync.c: the channel. */
int ha_sync_listen(struct ha *h, char *err, size_t errlen);
void ha_sync_stop(struct ha *h);
/*
 * Sends payload (taken) to the peer on a thread: kind "CONFIG" (arg: its generation) or
 * "STATE" (arg: 1 for the whole table); HA_EV_PUSHED follows.
 */
int ha_sync_push(struct ha *h, const char *kind, char *payload, size_t len, unsigned long long arg);
/* Posts an event to the loop thread (any thread). */
void ha_post(struct ha *h, struct ha_event *ev);

/* ha_pack.c: the flash as one payload, and its installation. */
char *ha_pack(const char *flashdir, unsigned skip_ctx, size_t *len, char *err, size_t errlen);
int ha_install(struct ha *h, const char *data, size_t len, unsigned long long gen, char *err,
	       size_t errlen);
int ha_gen_write(struct ha *h, unsigned long long gen, char *err, size_t errlen);

/* ha_state.c: replicated registrations. */
int ha_state_init(struct ha *h);
void ha_state_free(struct ha *h);
unsigned ha_state_count(const struct ha *h);
/* Established calls in the replicated state (not counted by ha_state_count). */
unsigned ha_state_calls(const struct ha *h);
void ha_state_flush(struct ha *h);          /* active: send the batch or the table */
void ha_state_pushed(struct ha *h, int ok); /* the send's result */
void ha_state_received(struct ha *h, int full, char *data, size_t len); /* standby */
void ha_state_apply(struct ha *h); /* becoming active, engine started */

#endif

/* The pair's role as keepalived decides it, the health we tell it, status and verbs. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/cols.h"
#include "control/ctl.h"
#include "log/log.h"
#include "sbc/alarms.h"
#include "sbc/ctl_reply.h"
#include "sbc/ctl_server.h"
#include "sbc/flash.h"
#include "sbc/ha.h"
#include "sbc/ha_int.h"
#include "sbc/sbcd.h"
#include "sbc/sbcd_boot.h"
#include "sbc/sip/sip_engine.h"
#include "sbc/tlsmgr.h"

static struct ha *g_ha; /* one sbcd, one pair */

static const char *role_name(enum ha_role r)
{
	static const char *const n[] = {"", "disabled", "active", "standby", "fault", "init"};
	return r >= HA_DISABLED && r <= HA_INIT ? n[r] : "?";
}

enum ha_role ha_role(const struct sbcd *s)
{
	(void)s;
	return g_ha ? g_ha->role : HA_DISABLED;
}

/* Every SIP interface that has ports listens on all of them (TLSStatus State up or off). */
static int sip_listening(struct sbcd *s, char *why, size_t len)
{
	struct conf_store *st;
	struct conf_rows *rs;
	int ok = 1;

	if (!s->sip) {
		snprintf(why, len, "SIP engine not running");
		return 0;
	}
	if (!(st = conf_store_new()))
		return 1;
	sip_engine_status(s->sip, st);
	rs = conf_store_rows(st, &conf_tbl_tlsstatus);
	for (unsigned i = 0; rs && i < rs->n && ok; i++) {
		long long state = rs->row[i]->v[TLSSTATUS_STATE].i;
		if (state == 2 || state == 3) {
			snprintf(why, len, "SIP interface %u not listening: %s", rs->row[i]->index,
				 rs->row[i]->v[TLSSTATUS_STATE_REASON].s);
			ok = 0;
		}
	}
	conf_store_free(st);
	return ok;
}

static void health_write(struct ha *h)
{
	char buf[300], tmp[PATH_MAX + 8];
	int fd, n;

	h->health_why[0] = 0;
	/*
	 * init (no word from keepalived yet) is down: a box restarted while its keepalived
	 * stayed MASTER must not keep the address without listeners. keepalived then says
	 * FAULT, which is up (a standby's health), and the election follows.
	 */
	if (h->role == HA_INIT) {
		snprintf(h->health_why, sizeof(h->health_why), "waiting for keepalived's state");
		h->health = 2;
	} else if (h->role == HA_ACTIVE &&
		   !sip_listening(h->s, h->health_why, sizeof(h->health_why))) {
		h->health = 2;
	} else {
		h->health = 1;
	}
	n = snprintf(buf, sizeof(buf), "%s %ld %s %s\n", h->health == 1 ? "up" : "down",
		     (long)getpid(), role_name(h->role), h->health_why);
	snprintf(tmp, sizeof(tmp), "%s.tmp", h->healthfile);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, buf, (size_t)n) != n || close(fd) < 0 || rename(tmp, h->healthfile) < 0)
		log_warnx("HA health file %s: %s", h->healthfile, strerror(errno));
}

static void push(struct ha *h, const char *why)
{
	char err[300], *data;
	size_t len;

	if (h->role != HA_ACTIVE || !h->peer_host[0])
		return;
	if (h->push_inflight) {
		h->push_again = 1;
		return;
	}
	if (h->peer_gen >= 0 && (unsigned long long)h->peer_gen > h->gen) {
		/* the peer saved later than us (it was active while we were away): never overwrite
		 */
		snprintf(h->last_result, sizeof(h->last_result),
			 "not sent: the peer has generation %lld, newer than ours (%llu)",
			 h->peer_gen, h->gen);
		return;
	}
	if (!(data = ha_pack(h->s->flashdir, h->ctx, &len, err, sizeof(err)))) {
		snprintf(h->last_result, sizeof(h->last_result), "not sent: %s", err);
		log_errx("HA: configuration not sent to %s: %s", h->peer_host, err);
		return;
	}
	if (ha_sync_push(h, "CONFIG", data, len, h->gen) < 0)
		return;
	h->push_inflight = 1;
	if (strcmp(why, "peer behind"))
		log_info("HA: sending generation %llu to %s (%s)", h->gen, h->peer_host, why);
}

static void set_role(struct ha *h, enum ha_role r, const char *by)
{
	struct sbcd *s = h->s;
	char err[512], text[300], src[32];
	enum ha_role old = h->role;

	if (r == h->role)
		return;
	log_info("HA: role %s -> %s (%s)", role_name(h->role), role_name(r), by);
	if (r == HA_ACTIVE && !s->sip) {
		/* a standby ran nothing: what it installed runs whole, nothing stays pending */
		conf_store_free(s->active);
		s->active = conf_store_clone(s->running);
		if (sbcd_sip_start(s, err, sizeof(err)) < 0)
			log_errx("HA: SIP engine: %s", err);
		h->role = r; /* the registrations it applies are this active's to send */
		ha_state_apply(h);
	} else if (r != HA_ACTIVE && s->sip) {
		sbcd_sip_stop(s);
	}
	h->role = r;
	h->role_since = time(NULL);
	h->role_changes++;
	pthread_mutex_lock(&h->mu);
	h->role_shared = r;
	pthread_mutex_unlock(&h->mu);
	snprintf(text, sizeof(text), "HA role %s (%s)", role_name(r), by);
	/* one alarm row per role (source "HA <role>"): each change is a new row, so a new
	 * notification (sbcHARoleChange); the previous role's row goes */
	snprintf(src, sizeof(src), "HA %s", role_name(old));
	alarm_set("haRoleChange", src, ALARM_CLEARED, "");
	snprintf(src, sizeof(src), "HA %s", role_name(r));
	alarm_set("haRoleChange", src, r == HA_FAULT ? ALARM_MAJOR : ALARM_INDETERMINATE, text);
	health_write(h);
	if (r == HA_ACTIVE) {
		h->peer_gen = -1; /* learn it again: the peer may have changed while we were away */
		push(h, "became active");
	}
}

static enum ha_role parse_state(const char *w)
{
	if (!strcasecmp(w, "MASTER"))
		return HA_ACTIVE;
	if (!strcasecmp(w, "BACKUP"))
		return HA_STANDBY;
	if (!strcasecmp(w, "FAULT") || !strcasecmp(w, "STOP") || !strcasecmp(w, "DELETED"))
		return HA_FAULT;
	return 0;
}

/* keepalived's notify_fifo: 'INSTANCE "VI_1" MASTER 100' per line. */
static int on_fifo(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct ha *h = (struct ha *)arg;
	ssize_t n;
	char *nl;

	(void)m;
	(void)w;
	n = read(h->fifo_fd, h->fifobuf + h->fifolen, sizeof(h->fifobuf) - 1 - h->fifolen);
	if (n <= 0)
		return 0;
	h->fifolen += (size_t)n;
	h->fifobuf[h->fifolen] = 0;
	while ((nl = strchr(h->fifobuf, '\n'))) {
		char type[32] = "", name[128] = "", state[32] = "";
		*nl = 0;
		if (sscanf(h->fifobuf, "%31s %127s %31s", type, name, state) == 3 &&
		    !strcmp(type, "INSTANCE") && parse_state(state)) {
			char by[200];
			snprintf(by, sizeof(by), "keepalived %s %s", name, state);
			set_role(h, parse_state(state), by);
		}
		h->fifolen -= (size_t)(nl + 1 - h->fifobuf);
		memmove(h->fifobuf, nl + 1, h->fifolen + 1);
	}
	if (h->fifolen == sizeof(h->fifobuf) - 1)
		h->fifolen = 0; /* a line that long is not keepalived's */
	return 0;
}

static void on_received(struct ha *h, struct ha_event *ev)
{
	char err[512];

	pthread_mutex_lock(&h->mu);
	h->gen_pending = 0;
	pthread_mutex_unlock(&h->mu);
	if (h->role == HA_ACTIVE || ev->gen <= h->gen) {
		log_warnx("HA: generation %llu from %s not installed (role %s, ours %llu)", ev->gen,
			  ev->text, role_name(h->role), h->gen);
		return;
	}
	h->last_sync = time(NULL);
	if (ha_install(h, ev->data, ev->len, ev->gen, err, sizeof(err)) < 0) {
		snprintf(h->last_result, sizeof(h->last_result), "generation %llu refused: %s",
			 ev->gen, err);
		log_errx("HA: generation %llu from %s not installed: %s", ev->gen, ev->text, err);
		alarm_set("haSyncFailed", "HA", ALARM_MAJOR, h->last_result);
		return;
	}
	h->peer_gen = (long long)ev->gen;
	snprintf(h->last_result, sizeof(h->last_result), "generation %llu installed from %s",
		 ev->gen, ev->text);
	log_info("HA: %s", h->last_result);
	alarm_set("haSyncFailed", "HA", ALARM_CLEARED, "");
}

static void on_pushed(struct ha *h, struct ha_event *ev)
{
	char prev[sizeof(h->last_result)];

	if (ev->state) {
		if (!ev->ok && !h->state_full)
			log_warnx("HA: SIP state not sent to %s: %s", h->peer_host, ev->text);
		ha_state_pushed(h, ev->ok);
		return;
	}
	h->push_inflight = 0;
	h->last_sync = time(NULL);
	if (ev->peer_gen >= 0)
		h->peer_gen = ev->peer_gen;
	memcpy(prev, h->last_result, sizeof(prev));
	snprintf(h->last_result, sizeof(h->last_result), "generation %llu %s: %s", ev->gen,
		 ev->ok ? "sent" : "not taken", ev->text);
	if (ev->ok)
		alarm_set("haSyncFailed", "HA", ALARM_CLEARED, "");
	else if (strcmp(prev, h->last_result)) /* retries every 3 s: log each new reason once */
		log_warnx("HA: generation %llu to %s: %s", ev->gen, h->peer_host, ev->text);
	if (h->push_again) {
		h->push_again = 0;
		push(h, "saved again meanwhile");
	}
}

static int on_pipe(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct ha *h = (struct ha *)arg;
	struct ha_event *ev;

	(void)m;
	(void)w;
	while (read(h->pipefd[0], &ev, sizeof(ev)) == (ssize_t)sizeof(ev)) {
		if (ev->type == HA_EV_STATE)
			ha_state_received(h, ev->gen != 0, ev->data, ev->len);
		else if (ev->type == HA_EV_RECEIVED)
			on_received(h, ev);
		else
			on_pushed(h, ev);
		free(ev->data);
		free(ev);
	}
	return 0;
}

void ha_post(struct ha *h, struct ha_event *ev)
{
	if (write(h->pipefd[1], &ev, sizeof(ev)) != (ssize_t)sizeof(ev)) {
		free(ev->data);
		free(ev);
	}
}

static void on_state_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	(void)m;
	(void)t;
	ha_state_flush((struct ha *)arg);
}

/* Every second: the health file; while active, resend until the peer has our generation. */
static void on_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct ha *h = (struct ha *)arg;
	static unsigned n;

	(void)m;
	(void)t;
	health_write(h);
	if (h->role == HA_ACTIVE && !h->push_inflight &&
	    (h->peer_gen < 0 || (unsigned long long)h->peer_gen < h->gen) && ++n % 3 == 0)
		push(h, "peer behind");
}

static unsigned long long gen_read(const char *path)
{
	char err[128], *txt;
	size_t len;
	unsigned long long g = 0;

	if ((txt = flash_read_file(path, 64, &len, err, sizeof(err)))) {
		g = strtoull(txt, NULL, 10);
		free(txt);
	}
	return g;
}

int ha_gen_write(struct ha *h, unsigned long long gen, char *err, size_t errlen)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%llu\n", gen);

	if (flash_write_file(h->genfile, buf, (size_t)n, 0600, err, errlen) < 0)
		return -1;
	h->gen = gen;
	pthread_mutex_lock(&h->mu);
	h->gen_shared = gen;
	pthread_mutex_unlock(&h->mu);
	return 0;
}

int ha_start(struct sbcd *s, char *err, size_t errlen)
{
	struct ha *h;
	const struct conf_row *cr;

	if (!conf_globals_int(s->active, GLOBALS_HA_ENABLE))
		return 0;
	if (!(h = calloc(1, sizeof(*h)))) {
		snprintf(err, errlen, "HA: out of memory");
		return -1;
	}
	h->s = s;
	h->role = HA_INIT;
	h->role_since = time(NULL);
	h->peer_gen = -1;
	h->fifo_fd = h->pipefd[0] = h->pipefd[1] = h->lfd = -1;
	pthread_mutex_init(&h->mu, NULL);
	h->role_shared = HA_INIT;
	snprintf(h->peer_host, sizeof(h->peer_host), "%s",
		 conf_globals_str(s->active, GLOBALS_HA_PEER_ADDRESS));
	snprintf(h->local_host, sizeof(h->local_host), "%s",
		 conf_globals_str(s->active, GLOBALS_HA_LOCAL_ADDRESS));
	h->port = (unsigned)conf_globals_int(s->active, GLOBALS_HA_SYNC_PORT);
	h->ctx = (unsigned)conf_globals_int(s->active, GLOBALS_HA_SYNC_TLS_CONTEXT);
	snprintf(h->fifo, sizeof(h->fifo), "%s/ha.fifo", s->rundir);
	snprintf(h->healthfile, sizeof(h->healthfile), "%s/ha-health", s->rundir);
	snprintf(h->genfile, sizeof(h->genfile), "%s/ha-generation", s->flashdir);
	h->gen = h->gen_shared = gen_read(h->genfile);
	g_ha = h;
	if (!(cr = conf_store_get(s->active, &conf_tbl_tlscontexts, h->ctx))) {
		snprintf(err, errlen, "HA: HASyncTLSContext %u: no such row in TLSContexts",
			 h->ctx);
		goto fail;
	}
	tls_policy_from_row(cr, &h->pol);
	if (tlsmgr_ctxdir(s, h->ctx, h->ctxdir, sizeof(h->ctxdir)) < 0) {
		snprintf(err, errlen, "HA: TLS context %u: path too long", h->ctx);
		goto fail;
	}
	if ((mkfifo(h->fifo, 0600) < 0 && errno != EEXIST) ||
	    (h->fifo_fd = open(h->fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "HA: keepalived FIFO %s: %s", h->fifo, strerror(errno));
		goto fail;
	}
	if (pipe2(h->pipefd, O_NONBLOCK | O_CLOEXEC) < 0 ||
	    su_wait_create(&h->fifo_wait, h->fifo_fd, SU_WAIT_IN) < 0 ||
	    (h->fifo_reg =
		 su_root_register(s->root, &h->fifo_wait, on_fifo, (su_wakeup_arg_t *)h, 0)) <= 0 ||
	    su_wait_create(&h->pipe_wait, h->pipefd[0], SU_WAIT_IN) < 0 ||
	    (h->pipe_reg =
		 su_root_register(s->root, &h->pipe_wait, on_pipe, (su_wakeup_arg_t *)h, 0)) <= 0) {
		snprintf(err, errlen, "HA: cannot watch %s", h->fifo);
		goto fail;
	}
	if (ha_sync_listen(h, err, errlen) < 0)
		goto fail;
	h->timer = su_timer_create(su_root_task(s->root), 1000);
	if (!h->timer || su_timer_set_for_ever(h->timer, on_tick, (su_timer_arg_t *)h) < 0) {
		snprintf(err, errlen, "HA: no timer");
		goto fail;
	}
	h->state_timer = su_timer_create(su_root_task(s->root), 200);
	if (ha_state_init(h) < 0 || !h->state_timer ||
	    su_timer_set_for_ever(h->state_timer, on_state_tick, (su_timer_arg_t *)h) < 0) {
		snprintf(err, errlen, "HA: no timer for the SIP state");
		goto fail;
	}
	health_write(h);
	log_info("HA on: peer %s:%u, sync context %u, generation %llu, keepalived FIFO %s, "
		 "health %s; no SIP listener until keepalived says MASTER",
		 h->peer_host[0] ? h->peer_host : "(none)", h->port, h->ctx, h->gen, h->fifo,
		 h->healthfile);
	return 1;
fail:
	ha_stop(s);
	return -1;
}

void ha_stop(struct sbcd *s)
{
	struct ha *h = g_ha;

	(void)s;
	if (!h)
		return;
	ha_sync_stop(h);
	if (h->timer)
		su_timer_destroy(h->timer);
	if (h->state_timer)
		su_timer_destroy(h->state_timer);
	ha_state_free(h);
	if (h->fifo_reg > 0)
		su_root_deregister(s->root, h->fifo_reg);
	if (h->pipe_reg > 0)
		su_root_deregister(s->root, h->pipe_reg);
	if (h->fifo_fd >= 0)
		close(h->fifo_fd);
	if (h->pipefd[0] >= 0)
		close(h->pipefd[0]);
	if (h->pipefd[1] >= 0)
		close(h->pipefd[1]);
	unlink(h->healthfile);
	g_ha = NULL;
	free(h);
}

const char *ha_refusal(const struct sbcd *s, const char *verb, const char *op)
{
	static char buf[300];
	struct ha *h = g_ha;

	(void)s;
	if (!h || h->role == HA_ACTIVE)
		return NULL;
	if (!strcasecmp(verb, "TLS") && op &&
	    (!strcasecmp(op, "SHOW") || !strcasecmp(op, "ROOTS") || !strcasecmp(op, "PEM") ||
	     !strcasecmp(op, "WEBCRED")))
		return NULL;
	snprintf(buf, sizeof(buf),
		 "refused: this box is the HA %s; change the configuration on the active box "
		 "(peer %s), it is replicated here on every save\n#code ha-standby - - -",
		 role_name(h->role), h->peer_host[0] ? h->peer_host : "unknown");
	return buf;
}

void ha_saved(struct sbcd *s)
{
	struct ha *h = g_ha;
	char err[300];

	(void)s;
	if (!h)
		return;
	if (ha_gen_write(h, h->gen + 1, err, sizeof(err)) < 0) {
		log_errx("HA: generation not raised: %s", err);
		return;
	}
	push(h, "saved");
}

char *ha_verb(struct sbcd *s, struct ctl_session *cs, int argc, char **argv, size_t *rlen)
{
	struct ha *h = g_ha;
	enum ha_role r;

	(void)s;
	if (!h)
		return ctl_reply_text(0, rlen, "HA is off (HAEnable 0 since boot)\n");
	if (argc < 2 || !strcasecmp(argv[1], "STATUS"))
		return ctl_reply_text(
		    1, rlen,
		    "role %s\nhealth %s%s%s\npeer %s:%u\ngeneration %llu\n"
		    "peer-generation %lld\nlast-sync %s\nregistrations %u\ncalls %u\n",
		    role_name(h->role), h->health == 1 ? "up" : "down", h->health_why[0] ? " " : "",
		    h->health_why, h->peer_host, h->port, h->gen, h->peer_gen, h->last_result,
		    ha_state_count(h), ha_state_calls(h));
	if (cs->level < CTL_LEVEL_ADMIN)
		return ctl_reply_text(0, rlen, "permission denied\n#code permission - - -\n");
	if (!(r = parse_state(argv[1])))
		return ctl_reply_text(0, rlen, "HA: '%s': say MASTER, BACKUP, FAULT or STATUS\n",
				      argv[1]);
	set_role(h, r, "control verb");
	return ctl_reply_text(1, rlen, "role %s\n", role_name(h->role));
}

void ha_status(struct sbcd *s, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_hastatus;
	struct ha *h = g_ha;
	struct conf_row *r;
	char buf[128], ebuf[128];
	time_t now = time(NULL);

	(void)s;
	if (!(r = conf_store_ensure(st, t, 0, NULL)))
		return;
	if (!h) {
		r->v[HASTATUS_ROLE].i = HA_DISABLED;
		return;
	}
	r->v[HASTATUS_ROLE].i = h->role;
	r->v[HASTATUS_HEALTH].i = h->health ? h->health : 1;
	snprintf(buf, sizeof(buf), "%s:%u", h->peer_host, h->port);
	conf_row_set_text(t, r, HASTATUS_PEER, buf, ebuf, sizeof(ebuf));
	r->v[HASTATUS_GENERATION].i = (long long)h->gen;
	r->v[HASTATUS_PEER_GENERATION].i = h->peer_gen;
	r->v[HASTATUS_LAST_SYNC_AGE].i = h->last_sync ? now - h->last_sync : -1;
	for (char *c = h->last_result; *c; c++) /* status strings: no double quote or control */
		if (*c == '"' || (unsigned char)*c < 0x20)
			*c = *c == '"' ? '\'' : ' ';
	conf_row_set_text(t, r, HASTATUS_LAST_SYNC_RESULT, h->last_result, ebuf, sizeof(ebuf));
	r->v[HASTATUS_ROLE_CHANGES].i = (long long)h->role_changes;
	r->v[HASTATUS_ROLE_AGE].i = now - h->role_since;
	r->v[HASTATUS_REGISTRATIONS].i = ha_state_count(h);
}

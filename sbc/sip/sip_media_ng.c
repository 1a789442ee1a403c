/* sip_media_ng: rtpengine ng client on the su_root loop (see the header). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log/log.h"
#include "sbc/alarms.h"
#include "sbc/sip/sip_media_ng.h"

#define NG_TICK_MS  250
#define NG_MAX_NODE 1024

struct ng_req {
	struct ng_req *next;
	unsigned id;
	char cookie[32];
	char *msg; /* cookie, space, dictionary */
	size_t len;
	long long sent_ms, first_ms;
	unsigned tries;
	sip_ng_cb *cb;
	void *arg;
};

struct sip_ng {
	su_root_t *root;
	su_wait_t wait;
	int reg; /* su_root_register index, 0 when not registered */
	int fd;
	su_timer_t *tick;
	char addr[80];
	struct ng_req *reqs;
	unsigned next_id;
	int up;
	long long last_ping_ms;
	long long engine_start_ms; /* rtpengine's start on our clock (now - uptime), 0: unknown */
	unsigned restarts;
	unsigned long long sent, replies, timeouts;
	struct sip_benc nodes[NG_MAX_NODE];
	char rbuf[SIP_NG_MAX_MSG + 1];
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_up(struct sip_ng *ng, int up, const char *why)
{
	char src[120], text[300];

	if (ng->up == up)
		return;
	ng->up = up;
	snprintf(src, sizeof(src), "media engine %s", ng->addr);
	if (up) {
		log_msg(LOG_NOTICE, "media: rtpengine at %s answers", ng->addr);
		alarm_set("mediaEngineDown", src, ALARM_CLEARED, "");
		return;
	}
	snprintf(text, sizeof(text),
		 "rtpengine at %s does not answer its ng control protocol (%s): new calls are "
		 "not anchored; check that rtpengine runs with --listen-ng=%s",
		 ng->addr, why, ng->addr);
	log_msg(LOG_WARNING, "media: %s", text);
	alarm_set("mediaEngineDown", src, ALARM_MAJOR, text);
}

static void req_free(struct ng_req *r)
{
	free(r->msg);
	free(r);
}

/* Unlinks and returns the request with cookie c, or NULL. */
static struct ng_req *take(struct sip_ng *ng, const char *c, size_t n)
{
	for (struct ng_req **pp = &ng->reqs; *pp; pp = &(*pp)->next) {
		struct ng_req *r = *pp;
		if (strlen(r->cookie) == n && memcmp(r->cookie, c, n) == 0) {
			*pp = r->next;
			return r;
		}
	}
	return NULL;
}

static int readable(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct sip_ng *ng = (struct sip_ng *)arg;
	char err[160];

	for (;;) {
		ssize_t n = recv(ng->fd, ng->rbuf, SIP_NG_MAX_MSG, MSG_DONTWAIT);
		const char *sp;
		struct ng_req *r;

		if (n < 0)
			break;
		ng->rbuf[n] = 0;
		sp = memchr(ng->rbuf, ' ', (size_t)n);
		if (!sp || !(r = take(ng, ng->rbuf, (size_t)(sp - ng->rbuf))))
			continue; /* a late reply to a request already given up */
		ng->replies++;
		set_up(ng, 1, "");
		sp++;
		if (sip_benc_parse(sp, (size_t)(ng->rbuf + n - sp), ng->nodes, NG_MAX_NODE, err,
				   sizeof(err)) < 0 ||
		    ng->nodes[0].type != SIP_BENC_DICT) {
			log_msg(LOG_WARNING, "media: unparsable reply from rtpengine at %s: %s",
				ng->addr, err[0] ? err : "not a dictionary");
			if (r->cb)
				r->cb(r->arg, NULL, err[0] ? err : "reply not a dictionary");
		} else if (r->cb) {
			r->cb(r->arg, &ng->nodes[0], NULL);
		}
		req_free(r);
	}
	return 0;
}

/*
 * The health probe is a "statistics" request: any reply means up (set_up follows every
 * reply and timeout), and its uptime tells a restart (every session lost) from a pause.
 */
static void ping_cb(void *arg, const struct sip_benc *reply, const char *err)
{
	struct sip_ng *ng = arg;
	const struct sip_benc *up = sip_benc_get(
	    sip_benc_get(sip_benc_get(reply, "statistics"), "totalstatistics"), "uptime");
	char buf[32];
	long long uptime, start;

	if (!reply || !up)
		return;
	uptime = up->type == SIP_BENC_INT ? up->i : atoll(sip_benc_cstr(up, buf, sizeof(buf)));
	start = now_ms() - uptime * 1000;
	/* uptime counts whole seconds: a start more than 3 s later is a new process */
	if (ng->engine_start_ms && start > ng->engine_start_ms + SIP_NG_RESTART_SLACK_MS) {
		ng->restarts++;
		log_msg(LOG_WARNING,
			"media: rtpengine at %s restarted (up %lld s): the media sessions it held "
			"are lost",
			ng->addr, uptime);
	}
	if (!ng->engine_start_ms || start > ng->engine_start_ms + SIP_NG_RESTART_SLACK_MS)
		ng->engine_start_ms = start;
}

static void tick_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sip_ng *ng = (struct sip_ng *)arg;
	long long now = now_ms();
	struct ng_req **pp = &ng->reqs;

	while (*pp) {
		struct ng_req *r = *pp;
		long long wait = 500LL << (r->tries > 2 ? 2 : r->tries - 1);
		if (now - r->first_ms >= SIP_NG_TIMEOUT_MS) {
			*pp = r->next;
			ng->timeouts++;
			set_up(ng, 0, "no reply");
			if (r->cb)
				r->cb(r->arg, NULL, "media engine timeout");
			req_free(r);
			continue;
		}
		if (now - r->sent_ms >= wait) {
			(void)send(ng->fd, r->msg, r->len, MSG_DONTWAIT);
			r->sent_ms = now, r->tries++;
		}
		pp = &r->next;
	}
	if (now - ng->last_ping_ms >= SIP_NG_PING_MS) {
		static const char ping[] = "d7:command10:statisticse";
		ng->last_ping_ms = now;
		sip_ng_send(ng, ping, sizeof(ping) - 1, ping_cb, ng);
	}
	su_timer_set(ng->tick, tick_cb, (su_timer_arg_t *)ng);
}

static int parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[80], *port;
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST}, *ai;

	snprintf(host, sizeof(host), "%s", addr);
	port = strrchr(host, ':');
	if (!port || port == host)
		return -1;
	*port++ = 0;
	if (host[0] == '[' && port[-2] == ']')
		memmove(host, host + 1, strlen(host)), host[strlen(host) - 1] = 0;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sl = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

struct sip_ng *sip_ng_create(su_root_t *root, const char *addr, char *err, size_t errlen)
{
	struct sip_ng *ng;
	struct sockaddr_storage ss;
	socklen_t sl;

	if (parse_addr(addr, &ss, &sl) < 0) {
		snprintf(err, errlen, "media engine address '%s': not host:port", addr);
		return NULL;
	}
	if (!(ng = calloc(1, sizeof(*ng)))) {
		snprintf(err, errlen, "media engine %s: out of memory", addr);
		return NULL;
	}
	ng->root = root;
	ng->up = -1; /* unknown until the first reply or timeout */
	snprintf(ng->addr, sizeof(ng->addr), "%s", addr);
	srandom((unsigned)now_ms() ^ (unsigned)getpid());
	ng->next_id = (unsigned)random() % 100000;
	ng->fd = -1;
	ng->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ng->fd < 0 || connect(ng->fd, (struct sockaddr *)&ss, sl) < 0 ||
	    su_wait_create(&ng->wait, ng->fd, SU_WAIT_IN) < 0 ||
	    (ng->reg = su_root_register(root, &ng->wait, readable, (su_wakeup_arg_t *)ng, 0)) <=
		0 ||
	    !(ng->tick = su_timer_create(su_root_task(root), NG_TICK_MS))) {
		snprintf(err, errlen, "media engine %s: socket: %s", addr, strerror(errno));
		sip_ng_destroy(ng);
		return NULL;
	}
	ng->last_ping_ms = now_ms() - SIP_NG_PING_MS; /* first ping at the first tick */
	su_timer_set(ng->tick, tick_cb, (su_timer_arg_t *)ng);
	return ng;
}

void sip_ng_destroy(struct sip_ng *ng)
{
	char src[120];

	if (!ng)
		return;
	while (ng->reqs) {
		struct ng_req *r = ng->reqs;
		ng->reqs = r->next;
		req_free(r);
	}
	if (ng->tick)
		su_timer_destroy(ng->tick);
	if (ng->reg > 0)
		su_root_deregister(ng->root, ng->reg);
	if (ng->fd >= 0)
		close(ng->fd);
	snprintf(src, sizeof(src), "media engine %s", ng->addr);
	alarm_set("mediaEngineDown", src, ALARM_CLEARED, "");
	free(ng);
}

unsigned sip_ng_send(struct sip_ng *ng, const char *dict, size_t len, sip_ng_cb *cb, void *arg)
{
	struct ng_req *r;
	int hl;

	if (!ng || !(r = calloc(1, sizeof(*r))))
		return 0;
	r->id = ++ng->next_id ? ng->next_id : ++ng->next_id;
	snprintf(r->cookie, sizeof(r->cookie), "%d_%u", (int)getpid(), r->id);
	hl = (int)strlen(r->cookie) + 1;
	if (len + (size_t)hl > SIP_NG_MAX_MSG || !(r->msg = malloc(len + (size_t)hl))) {
		free(r);
		return 0;
	}
	memcpy(r->msg, r->cookie, (size_t)hl - 1);
	r->msg[hl - 1] = ' ';
	memcpy(r->msg + hl, dict, len);
	r->len = len + (size_t)hl;
	r->cb = cb, r->arg = arg;
	r->sent_ms = r->first_ms = now_ms();
	r->tries = 1;
	r->next = ng->reqs;
	ng->reqs = r;
	ng->sent++;
	(void)send(ng->fd, r->msg, r->len, MSG_DONTWAIT); /* lost: the tick retransmits */
	return r->id;
}

void *sip_ng_cancel(struct sip_ng *ng, unsigned id)
{
	void *arg;

	if (!ng || !id)
		return NULL;
	for (struct ng_req *r = ng->reqs; r; r = r->next)
		if (r->id == id) {
			arg = r->arg;
			r->cb = NULL, r->arg = NULL; /* kept: its late reply is dropped */
			return arg;
		}
	return NULL;
}

int sip_ng_down(const struct sip_ng *ng)
{
	return ng && ng->up == 0;
}

int sip_ng_up(const struct sip_ng *ng)
{
	return ng && ng->up == 1;
}

const char *sip_ng_addr(const struct sip_ng *ng)
{
	return ng ? ng->addr : "";
}

unsigned sip_ng_restarts(const struct sip_ng *ng)
{
	return ng ? ng->restarts : 0;
}

void sip_ng_counters(const struct sip_ng *ng, unsigned long long *sent, unsigned long long *replies,
		     unsigned long long *timeouts)
{
	*sent = ng ? ng->sent : 0;
	*replies = ng ? ng->replies : 0;
	*timeouts = ng ? ng->timeouts : 0;
}

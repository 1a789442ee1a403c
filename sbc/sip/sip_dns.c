/*
 * sip_dns: the name cache of the SIP engine on sofia-sip's asynchronous
 * resolver (sresolv), which polls its sockets and runs its timers on the
 * engine's su_root: no thread, no blocking call.
 *
 * One entry per (name, method, transport, sips, port). An entry is resolved by
 * a job: NAPTR -> SRV -> A/AAAA as its method says, each stage's queries
 * sent together, the next stage started when the last answer of the stage is
 * in. The job's result replaces the entry's targets when it found some; when
 * it found none, the last good targets stay until TTL + grace (stale).
 *
 * Why our own cache over sresolv's: routing reads targets on every request and
 * must never wait; the refresh ahead of expiry, the stale grace and the alarm
 * are ours.
 */
#define SRES_CONTEXT_T struct dns_q

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/sresolv.h>
#include <sofia-sip/su_wait.h>

#include "conf/store.h"
#include "log/log.h"
#include "sbc/alarms.h"
#include "sbc/sip/sip_dns.h"

#define DNS_IDLE_MS   (10 * 60 * 1000ULL) /* an unpinned entry unused this long is dropped */
#define DNS_RETRY_MS  2000ULL             /* a failing name is asked again this often */
#define DNS_MIN_TTL   1U
#define DNS_MAX_SRV   16
#define DNS_MAX_NAPTR 8
#define DNS_ALARM     "dnsResolutionFailed"
#define DNS_MAX_WAIT  10000U

struct dns_job;

struct dns_q {
	struct dns_q *next; /* d->queries */
	struct dns_job *j;
	sres_query_t *sq;
	int type;
	int srv; /* index in j->srv of the target asked for, -1 the name itself */
	int transport;
};

struct dns_entry;

struct dns_job {
	struct sip_dns *d;
	struct dns_entry *en;
	int stage; /* 0 NAPTR, 1 SRV, 2 addresses */
	unsigned pending;
	unsigned ttl; /* smallest TTL met */
	int source;   /* how the addresses were reached: NAPTR, SRV or none (A/AAAA) */
	struct sip_dns_naptr naptr[DNS_MAX_NAPTR];
	unsigned nnaptr;
	struct sip_dns_srv srv[DNS_MAX_SRV];
	unsigned nsrv;
	struct sip_dns_target t[SIP_DNS_MAX_TARGETS];
	int tsrv[SIP_DNS_MAX_TARGETS]; /* position in srv of each target's record, -1 none */
	unsigned n;
	char err[160];
};

struct dns_waiter {
	struct dns_waiter *next;
	sip_dns_wait_fn *fn;
	void *arg;
	unsigned long long deadline;
};

struct dns_entry {
	struct dns_entry *next;
	char name[256];
	int method, transport, sips;
	unsigned port;
	int pinned, state, alarm;
	struct sip_dns_target t[SIP_DNS_MAX_TARGETS];
	unsigned n;
	unsigned ttl;
	unsigned long long expires, refresh, keep_until, next_try, last_used; /* monotonic ms */
	struct dns_job *job;
	struct dns_waiter *waiters;
	char err[160];
};

struct sip_dns {
	su_root_t *root;
	sres_resolver_t *res;
	char conf[512]; /* our resolv.conf, "" for the host's */
	char rundir[256];
	unsigned grace_s;
	struct dns_entry *entries;
	struct dns_q *queries;
	sip_dns_changed_fn *changed;
	void *changed_arg;
	unsigned long long nqueries;
	int notify; /* targets changed: tell the engine after the callback returns */
	su_timer_t *later;
};

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

static const char *const src_names[] = {"literal", "NAPTR", "SRV", "A", "AAAA"};

/* --- resolver --- */

static void queries_drop(struct sip_dns *d)
{
	while (d->queries) {
		struct dns_q *q = d->queries;
		d->queries = q->next;
		if (q->sq)
			sres_query_bind(q->sq, NULL, NULL);
		free(q);
	}
	for (struct dns_entry *en = d->entries; en; en = en->next) {
		free(en->job);
		en->job = NULL;
		en->next_try = 0; /* ask again at the next tick */
	}
}

static int resolver_open(struct sip_dns *d, char *err, size_t errlen)
{
	d->res = sres_resolver_create(d->root, d->conf[0] ? d->conf : NULL, TAG_END());
	if (!d->res) {
		snprintf(err, errlen, "DNS: cannot create the resolver (%s): %s",
			 d->conf[0] ? d->conf : "/etc/resolv.conf", strerror(errno));
		return -1;
	}
	return 0;
}

struct sip_dns *sip_dns_create(struct su_root_s *root, const char *rundir,
			       sip_dns_changed_fn *changed, void *arg)
{
	struct sip_dns *d = calloc(1, sizeof(*d));
	char err[256];

	if (!d)
		return NULL;
	d->root = root;
	d->changed = changed, d->changed_arg = arg;
	d->grace_s = 300;
	snprintf(d->rundir, sizeof(d->rundir), "%s", rundir ? rundir : "");
	if (resolver_open(d, err, sizeof(err)) < 0)
		log_warnx("sip: %s; names resolve once servers are configured", err);
	return d;
}

static void entry_free(struct sip_dns *d, struct dns_entry *en)
{
	if (en->alarm)
		alarm_set(DNS_ALARM, en->name, ALARM_CLEARED, "");
	for (struct dns_q *q = d->queries; q; q = q->next)
		if (q->j && q->j == en->job) {
			if (q->sq)
				sres_query_bind(q->sq, NULL, NULL);
			q->sq = NULL, q->j = NULL; /* freed with the list */
		}
	while (en->waiters) {
		struct dns_waiter *w = en->waiters;
		en->waiters = w->next;
		free(w);
	}
	free(en->job);
	free(en);
}

void sip_dns_destroy(struct sip_dns *d)
{
	if (!d)
		return;
	queries_drop(d);
	while (d->entries) {
		struct dns_entry *en = d->entries;
		d->entries = en->next;
		entry_free(d, en);
	}
	if (d->res)
		sres_resolver_destroy(d->res);
	if (d->later)
		su_timer_destroy(d->later);
	if (d->conf[0])
		unlink(d->conf);
	free(d);
}

int sip_dns_configure(struct sip_dns *d, char servers[][64], unsigned n, unsigned port,
		      unsigned grace_s, char *err, size_t errlen)
{
	char conf[512] = "", tmp[520], text[512];
	size_t len = 0;
	FILE *f;

	d->grace_s = grace_s;
	if (n) {
		snprintf(conf, sizeof(conf), "%s/sip-resolv.conf",
			 d->rundir[0] ? d->rundir : "/tmp");
		for (unsigned i = 0; i < n && i < 3; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "nameserver %s\n",
						servers[i]);
		/* sresolv: one port for every server; 2 s per try, 2 tries per server */
		snprintf(text + len, sizeof(text) - len, "port %u\noptions timeout:2 attempts:2\n",
			 port ? port : 53);
	}
	if (!strcmp(conf, d->conf) && conf[0]) {
		/* same file: rewrite only when the text differs */
		char old[512];
		size_t m = 0;
		if ((f = fopen(conf, "r"))) {
			m = fread(old, 1, sizeof(old) - 1, f);
			fclose(f);
		}
		old[m] = 0;
		if (!strcmp(old, text) && d->res)
			return 0;
	} else if (!conf[0] && !d->conf[0] && d->res) {
		return 0;
	}
	if (conf[0]) {
		snprintf(tmp, sizeof(tmp), "%s.new", conf);
		if (!(f = fopen(tmp, "w")) || fputs(text, f) < 0 || fclose(f) != 0 ||
		    rename(tmp, conf) < 0) {
			snprintf(err, errlen, "DNS: cannot write %s: %s", conf, strerror(errno));
			return -1;
		}
	}
	queries_drop(d);
	if (d->res)
		sres_resolver_destroy(d->res);
	d->res = NULL;
	snprintf(d->conf, sizeof(d->conf), "%s", conf);
	return resolver_open(d, err, errlen);
}

/* --- jobs --- */

static void job_done(struct sip_dns *d, struct dns_job *j);
/* From an answer (the loop, not inside a lookup): proxy set members follow at once, so no
 * request sees the name resolved in DNSStatus but not yet among the members. */
static void notify_now(struct sip_dns *d)
{
	if (d->notify && d->changed) {
		d->notify = 0;
		d->changed(d->changed_arg);
	}
}
static void answer_cb(sres_context_t *q, sres_query_t *sq, sres_record_t **answers);

static void ask(struct sip_dns *d, struct dns_job *j, int type, const char *name, int srv,
		int transport)
{
	struct dns_q *q = calloc(1, sizeof(*q));

	if (!q || !d->res) {
		free(q);
		snprintf(j->err, sizeof(j->err), "%s", d->res ? "out of memory" : "no resolver");
		return;
	}
	q->j = j, q->type = type, q->srv = srv, q->transport = transport;
	q->next = d->queries;
	d->queries = q;
	j->pending++;
	d->nqueries++;
	q->sq = sres_query(d->res, answer_cb, q, (uint16_t)type, name);
	if (!q->sq) {
		j->pending--;
		q->j = NULL;
		snprintf(j->err, sizeof(j->err), "cannot send a query for %s", name);
	}
}

static void stage_addresses(struct sip_dns *d, struct dns_job *j)
{
	struct dns_entry *en = j->en;

	j->stage = 2;
	if (j->nsrv) {
		for (unsigned i = 0; i < j->nsrv; i++) {
			ask(d, j, sres_type_a, j->srv[i].target, (int)i, j->srv[i].transport);
			ask(d, j, sres_type_aaaa, j->srv[i].target, (int)i, j->srv[i].transport);
		}
	} else {
		j->source = SIP_DNS_SRC_A;
		ask(d, j, sres_type_a, en->name, -1, en->transport);
		ask(d, j, sres_type_aaaa, en->name, -1, en->transport);
	}
}

static void stage_srv(struct sip_dns *d, struct dns_job *j)
{
	struct dns_entry *en = j->en;
	char qn[300];

	j->stage = 1;
	if (j->nnaptr) {
		for (unsigned i = 0; i < j->nnaptr; i++)
			ask(d, j, sres_type_srv, j->naptr[i].replace, -1,
			    sip_dns_naptr_transport(j->naptr[i].services));
		return;
	}
	for (int t = 0; t < 3; t++) {
		if ((en->transport >= 0 && t != en->transport) || (en->sips && t != 2))
			continue;
		snprintf(qn, sizeof(qn), "%s%s", sip_dns_srv_prefix(t), en->name);
		ask(d, j, sres_type_srv, qn, -1, t);
	}
}

static void job_start(struct sip_dns *d, struct dns_entry *en)
{
	struct dns_job *j = calloc(1, sizeof(*j));

	if (!j)
		return;
	j->d = d, j->en = en;
	j->ttl = 0xffffffffU;
	en->job = j;
	if (en->method == SIP_DNS_NAPTR) {
		j->stage = 0;
		ask(d, j, sres_type_naptr, en->name, -1, -1);
	} else if (en->method == SIP_DNS_SRV) {
		stage_srv(d, j);
	} else {
		stage_addresses(d, j);
	}
	if (!j->pending)
		job_done(d, j);
}

static void take_ttl(struct dns_job *j, const sres_record_t *r)
{
	unsigned ttl = r->sr_record->r_ttl;

	if (ttl < j->ttl)
		j->ttl = ttl;
}

static unsigned rnd(unsigned max)
{
	return (unsigned)random() % max;
}

/* One answer in: records into the job; the next stage when the stage is complete. */
static void answer_cb(sres_context_t *q, sres_query_t *sq, sres_record_t **answers)
{
	struct dns_job *j = q->j;
	struct sip_dns *d;
	unsigned errs = 0;

	q->sq = NULL;
	if (!j) /* abandoned: sresolv no longer calls it (sres_query_bind) */
		return;
	q->j = NULL;
	d = j->d;
	for (unsigned i = 0; answers && answers[i]; i++) {
		const sres_record_t *r = answers[i];
		if (r->sr_record->r_status) {
			errs++;
			continue;
		}
		if (r->sr_record->r_type != q->type)
			continue;
		take_ttl(j, r);
		if (q->type == sres_type_naptr && j->nnaptr < DNS_MAX_NAPTR) {
			struct sip_dns_naptr *n = &j->naptr[j->nnaptr++];
			const sres_naptr_record_t *na = r->sr_naptr;
			n->order = na->na_order, n->pref = na->na_prefer;
			snprintf(n->flags, sizeof(n->flags), "%s",
				 na->na_flags ? na->na_flags : "");
			snprintf(n->services, sizeof(n->services), "%s",
				 na->na_services ? na->na_services : "");
			snprintf(n->replace, sizeof(n->replace), "%s",
				 na->na_replace ? na->na_replace : "");
		} else if (q->type == sres_type_srv && j->nsrv < DNS_MAX_SRV) {
			struct sip_dns_srv *s = &j->srv[j->nsrv++];
			const sres_srv_record_t *sr = r->sr_srv;
			s->priority = sr->srv_priority, s->weight = sr->srv_weight;
			s->port = sr->srv_port, s->transport = q->transport;
			snprintf(s->target, sizeof(s->target), "%s",
				 sr->srv_target ? sr->srv_target : "");
			/* "." means no service here (RFC 2782) */
			if (!strcmp(s->target, ".") || !s->target[0])
				j->nsrv--;
		} else if ((q->type == sres_type_a || q->type == sres_type_aaaa) &&
			   j->n < SIP_DNS_MAX_TARGETS) {
			struct sip_dns_target *t = &j->t[j->n];
			j->tsrv[j->n++] = q->srv;
			const struct sip_dns_srv *s = q->srv >= 0 ? &j->srv[q->srv] : NULL;
			memset(t, 0, sizeof(*t));
			if (q->type == sres_type_a)
				inet_ntop(AF_INET, &r->sr_a->a_addr, t->ip, sizeof(t->ip));
			else
				inet_ntop(AF_INET6, &r->sr_aaaa->aaaa_addr, t->ip, sizeof(t->ip));
			t->transport = q->transport >= 0 ? q->transport : 0;
			t->port = s                   ? s->port
				  : j->en->port       ? j->en->port
				  : t->transport == 2 ? 5061
						      : 5060;
			t->source = s                        ? j->source
				    : q->type == sres_type_a ? SIP_DNS_SRC_A
							     : SIP_DNS_SRC_AAAA;
			t->priority = s ? s->priority : 0;
			t->weight = s ? s->weight : 0;
		}
	}
	if (!answers || errs)
		snprintf(j->err, sizeof(j->err), "%s",
			 !answers                                              ? "no answer"
			 : answers[0]->sr_record->r_status == SRES_TIMEOUT_ERR ? "timed out"
			 : answers[0]->sr_record->r_status == SRES_NAME_ERR    ? "no such name"
			 : answers[0]->sr_record->r_status == SRES_RECORD_ERR
			     ? "no record of that type"
			     : "server error");
	if (answers)
		sres_free_answers(d->res, answers);
	if (--j->pending)
		return;
	/* stage complete */
	if (j->stage == 0) {
		j->nnaptr =
		    sip_dns_naptr_select(j->naptr, j->nnaptr, j->en->transport, j->en->sips);
		/* RFC 3263 4.1: the first record whose transport we support (all of them) */
		if (j->nnaptr > 1)
			j->nnaptr = 1;
		j->source = j->nnaptr ? SIP_DNS_SRC_NAPTR : SIP_DNS_SRC_SRV;
		stage_srv(d, j);
	} else if (j->stage == 1) {
		if (!j->source)
			j->source = SIP_DNS_SRC_SRV;
		sip_dns_srv_order(j->srv, j->nsrv, rnd);
		stage_addresses(d, j);
	} else {
		job_done(d, j);
		notify_now(d);
		return;
	}
	if (!j->pending) {
		job_done(d, j);
		notify_now(d);
	}
}

/* --- results --- */

static void later_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg);

/* Deliver changes and waiters from a timer: never from inside a lookup. */
static void kick(struct sip_dns *d)
{
	if (!d->later)
		d->later = su_timer_create(su_root_task(d->root), 0);
	if (d->later)
		su_timer_set_interval(d->later, later_cb, (su_timer_arg_t *)d, 0);
}

static int tgt_cmp(const void *a, const void *b)
{
	const struct sip_dns_target *x = a, *y = b;
	int c = strcmp(x->ip, y->ip);

	if (c)
		return c;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return (x->transport > y->transport) - (x->transport < y->transport);
}

/* Same targets (as a set: a new SRV draw alone is no change). */
static int same_targets(const struct sip_dns_target *a, unsigned na, const struct sip_dns_target *b,
			unsigned nb)
{
	struct sip_dns_target x[SIP_DNS_MAX_TARGETS], y[SIP_DNS_MAX_TARGETS];

	if (na != nb)
		return 0;
	memcpy(x, a, na * sizeof(*a));
	memcpy(y, b, nb * sizeof(*b));
	qsort(x, na, sizeof(*x), tgt_cmp);
	qsort(y, nb, sizeof(*y), tgt_cmp);
	for (unsigned i = 0; i < na; i++)
		if (tgt_cmp(&x[i], &y[i]) || x[i].priority != y[i].priority ||
		    x[i].weight != y[i].weight || x[i].source != y[i].source)
			return 0;
	return 1;
}

/* Targets in the order to try: the SRV order, then IPv4 before IPv6 for one record. */
static void job_sort(struct dns_job *j)
{
	for (unsigned i = 1; i < j->n; i++)
		for (unsigned k = i; k > 0; k--) {
			int a = j->tsrv[k - 1], b = j->tsrv[k];
			int v6a = strchr(j->t[k - 1].ip, ':') != NULL,
			    v6b = strchr(j->t[k].ip, ':') != NULL;
			if (a < b || (a == b && v6a <= v6b))
				break;
			struct sip_dns_target t = j->t[k];
			j->t[k] = j->t[k - 1], j->t[k - 1] = t;
			j->tsrv[k] = a, j->tsrv[k - 1] = b;
		}
}

static void job_done(struct sip_dns *d, struct dns_job *j)
{
	struct dns_entry *en = j->en;
	unsigned long long now = now_ms();
	char text[400];

	en->job = NULL;
	for (struct dns_waiter *w = en->waiters; w; w = w->next)
		w->deadline = 0; /* due at the next kick */
	if (j->n) {
		job_sort(j);
		if (!same_targets(en->t, en->n, j->t, j->n))
			d->notify = 1;
		memcpy(en->t, j->t, j->n * sizeof(j->t[0]));
		en->n = j->n;
		en->ttl = j->ttl < DNS_MIN_TTL ? DNS_MIN_TTL : j->ttl > 86400 ? 86400 : j->ttl;
		en->expires = now + en->ttl * 1000ULL;
		/* refresh ahead of expiry: at 80% of the TTL, at least 500 ms before */
		en->refresh = now + en->ttl * 800ULL;
		if (en->expires - en->refresh < 500)
			en->refresh = en->expires > now + 500 ? en->expires - 500 : now;
		en->keep_until = en->expires + d->grace_s * 1000ULL;
		if (en->state != SIP_DNS_OK && en->state != SIP_DNS_RESOLVING)
			log_msg(LOG_NOTICE, "sip: DNS name '%s' resolves again (%u targets)",
				en->name, en->n);
		en->state = SIP_DNS_OK;
		en->err[0] = 0;
		if (en->alarm)
			alarm_set(DNS_ALARM, en->name, ALARM_CLEARED, "");
		en->alarm = 0;
	} else {
		snprintf(en->err, sizeof(en->err), "%s", j->err[0] ? j->err : "no usable record");
		en->next_try = now + DNS_RETRY_MS;
		if (en->n && now < en->keep_until) {
			en->state = SIP_DNS_STALE;
		} else {
			if (en->n)
				d->notify = 1;
			en->n = 0;
			en->state = SIP_DNS_FAILED;
		}
		snprintf(
		    text, sizeof(text), "DNS name '%s' does not resolve (%s)%s", en->name, en->err,
		    en->state == SIP_DNS_STALE ? ": last good targets kept until TTL + grace" : "");
		if (!en->alarm || en->alarm != en->state)
			log_warnx("sip: %s", text);
		alarm_set(DNS_ALARM, en->name,
			  en->state == SIP_DNS_STALE ? ALARM_MINOR : ALARM_MAJOR, text);
		en->alarm = en->state;
	}
	free(j);
	kick(d);
}

static void later_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sip_dns *d = (struct sip_dns *)arg;
	struct dns_waiter *due = NULL;
	unsigned long long now = now_ms();

	(void)m, (void)t;
	if (d->notify) {
		d->notify = 0;
		if (d->changed)
			d->changed(d->changed_arg);
	}
	for (struct dns_entry *en = d->entries; en; en = en->next)
		for (struct dns_waiter **pw = &en->waiters; *pw;) {
			struct dns_waiter *w = *pw;
			if (en->job && w->deadline > now) {
				pw = &w->next;
				continue;
			}
			if (!en->job || w->deadline <= now) {
				*pw = w->next;
				w->next = due;
				due = w;
				continue;
			}
			pw = &w->next;
		}
	while (due) {
		struct dns_waiter *w = due;
		due = w->next;
		w->fn(w->arg);
		free(w);
	}
}

/* --- lookups --- */

static struct dns_entry *entry_get(struct sip_dns *d, const char *name, int method, int transport,
				   int sips, unsigned port, int create)
{
	struct dns_entry *en;
	size_t n = strlen(name);

	if (n && name[n - 1] == '.')
		n--;
	for (en = d->entries; en; en = en->next)
		if (strlen(en->name) == n && !strncasecmp(en->name, name, n) &&
		    en->method == method && en->transport == transport && en->sips == sips &&
		    en->port == port)
			return en;
	if (!create || !n || n >= sizeof(en->name) || !(en = calloc(1, sizeof(*en))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		en->name[i] = (char)tolower((unsigned char)name[i]);
	en->method = method, en->transport = transport, en->sips = sips, en->port = port;
	en->state = SIP_DNS_RESOLVING;
	en->next = d->entries;
	d->entries = en;
	return en;
}

int sip_dns_lookup(struct sip_dns *d, const char *name, int method, int transport, int sips,
		   unsigned port, int pin, struct sip_dns_target *out, unsigned max, char *why,
		   size_t whylen)
{
	struct dns_entry *en = d ? entry_get(d, name, method, transport, sips, port, 1) : NULL;
	unsigned long long now = now_ms();
	unsigned n;

	if (!en) {
		snprintf(why, whylen, "DNS: cannot resolve '%s' (out of memory or bad name)", name);
		return -1;
	}
	en->pinned |= pin;
	en->last_used = now;
	if (!en->job && !en->n && en->state == SIP_DNS_RESOLVING)
		job_start(d, en);
	if (en->n) {
		n = en->n < max ? en->n : max;
		memcpy(out, en->t, n * sizeof(*out));
		return (int)n;
	}
	if (en->state == SIP_DNS_RESOLVING)
		return 0;
	snprintf(why, whylen, "DNS: '%s' does not resolve (%s)", en->name, en->err);
	return -1;
}

int sip_dns_wait(struct sip_dns *d, const char *name, int method, int transport, int sips,
		 unsigned port, unsigned timeout_ms, sip_dns_wait_fn *fn, void *arg)
{
	struct dns_entry *en = entry_get(d, name, method, transport, sips, port, 1);
	struct dns_waiter *w = en ? calloc(1, sizeof(*w)) : NULL;

	if (!w)
		return -1;
	w->fn = fn, w->arg = arg;
	w->deadline =
	    now_ms() + (timeout_ms && timeout_ms < DNS_MAX_WAIT ? timeout_ms : DNS_MAX_WAIT);
	w->next = en->waiters;
	en->waiters = w;
	if (!en->job)
		kick(d); /* done already (or never started): answer from the timer */
	return 0;
}

void sip_dns_unwait(struct sip_dns *d, void *arg)
{
	for (struct dns_entry *en = d ? d->entries : NULL; en; en = en->next)
		for (struct dns_waiter **pw = &en->waiters; *pw;) {
			struct dns_waiter *w = *pw;
			if (w->arg == arg) {
				*pw = w->next;
				free(w);
			} else {
				pw = &w->next;
			}
		}
}

void sip_dns_unpin_all(struct sip_dns *d)
{
	for (struct dns_entry *en = d ? d->entries : NULL; en; en = en->next)
		if (en->pinned) {
			en->pinned = 0;
			en->last_used = 0; /* dropped at the next tick unless pinned again */
		}
}

void sip_dns_tick(struct sip_dns *d)
{
	unsigned long long now = now_ms();
	int due = 0;

	if (!d)
		return;
	for (struct dns_entry **pe = &d->entries; *pe;) {
		struct dns_entry *en = *pe;
		if (!en->pinned && !en->waiters && !en->job && now - en->last_used > DNS_IDLE_MS) {
			*pe = en->next;
			entry_free(d, en);
			continue;
		}
		pe = &en->next;
		for (struct dns_waiter *w = en->waiters; w; w = w->next)
			due |= w->deadline <= now;
		if (en->state == SIP_DNS_STALE && now >= en->keep_until) {
			en->n = 0;
			en->state = SIP_DNS_FAILED;
			d->notify = 1;
			due = 1;
			alarm_set(DNS_ALARM, en->name, ALARM_MAJOR,
				  "DNS name does not resolve; "
				  "its last good targets expired");
			log_warnx("sip: DNS name '%s': last good targets expired (TTL + grace)",
				  en->name);
		}
		if (en->job)
			continue;
		if ((en->state == SIP_DNS_OK && now >= en->refresh) ||
		    (en->state != SIP_DNS_OK && now >= en->next_try))
			job_start(d, en);
	}
	if (due)
		kick(d);
}

unsigned long long sip_dns_queries(const struct sip_dns *d)
{
	return d ? d->nqueries : 0;
}

/* --- status --- */

void sip_dns_status(struct sip_dns *d, struct conf_store *st, sip_dns_member_fn *member, void *arg)
{
	const struct conf_table *t = &conf_tbl_dnsstatus;
	struct conf_rows *rs = conf_store_rows(st, t);
	unsigned long long now = now_ms();
	unsigned idx = 0;
	static const char *const tn[] = {"udp", "tcp", "tls"};
	char ebuf[128], target[100], set[64];

	if (!rs || !d)
		return;
	conf_store_clear(st, t);
	for (struct dns_entry *en = d->entries; en && idx < t->max_rows; en = en->next)
		for (unsigned k = 0; k < (en->n ? en->n : 1) && idx < t->max_rows; k++) {
			const struct sip_dns_target *g = en->n ? &en->t[k] : NULL;
			struct conf_row *r = conf_store_ensure(st, t, idx++, NULL);
			int ps = -1;
			if (!r)
				continue;
			target[0] = set[0] = 0;
			if (g) {
				snprintf(target, sizeof(target),
					 strchr(g->ip, ':') ? "[%s]:%u" : "%s:%u", g->ip, g->port);
				if (member)
					ps = member(arg, en->name, g, set, sizeof(set));
			}
			conf_row_set_text(t, r, DNSSTATUS_NAME, en->name, ebuf, sizeof(ebuf));
			conf_row_set_text(t, r, DNSSTATUS_TARGET, target, ebuf, sizeof(ebuf));
			conf_row_set_text(t, r, DNSSTATUS_TRANSPORT_TYPE,
					  g ? tn[g->transport % 3] : "", ebuf, sizeof(ebuf));
			conf_row_set_text(t, r, DNSSTATUS_SOURCE, g ? src_names[g->source % 5] : "",
					  ebuf, sizeof(ebuf));
			conf_row_set_text(t, r, DNSSTATUS_PROXY_SET_NAME, set, ebuf, sizeof(ebuf));
			conf_row_set_text(t, r, DNSSTATUS_LAST_ERROR, en->err, ebuf, sizeof(ebuf));
			r->v[DNSSTATUS_PRIORITY].i = g ? g->priority : 0;
			r->v[DNSSTATUS_WEIGHT].i = g ? g->weight : 0;
			r->v[DNSSTATUS_TTL_LEFT].i =
			    en->n && en->expires > now
				? (long long)((en->expires - now + 999) / 1000)
				: 0;
			r->v[DNSSTATUS_STATE].i = en->state;
			r->v[DNSSTATUS_PROXY_STATE].i = ps < 0 ? 0 : ps;
		}
}

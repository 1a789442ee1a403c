/* Performance monitoring: per-interface samples every 10 s, 15-minute intervals (sip_perf.h). */
#include <stdlib.h>
#include <string.h>

#include "conf/store.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_perf.h"

struct perf_if {
	unsigned index;
	char name[48];
	int seen; /* present at the last sample */
	/* totals at the previous sample: the next one counts the change */
	unsigned long long last_acc, last_cert, last_other, last_att;
	int primed;
	struct sip_perf_sample fine[SIP_PERF_FINE_N];
	unsigned nfine, hfine; /* count, next slot */
	struct sip_perf_sample coarse[SIP_PERF_COARSE_N];
	unsigned ncoarse, hcoarse;
	struct sip_perf_sample cur; /* the 15-minute interval in progress */
};

struct sip_perf {
	struct perf_if **ifs;
	unsigned n;
	int on;
	time_t next; /* monotonic second of the next sample */
	time_t last; /* monotonic second of the previous sample */
};

static time_t mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct sip_perf *sip_perf_create(void)
{
	struct sip_perf *p = calloc(1, sizeof(*p));

	if (p) {
		p->on = 1;
		p->next = mono_s() + SIP_PERF_SAMPLE_S;
	}
	return p;
}

void sip_perf_destroy(struct sip_perf *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->n; i++)
		free(p->ifs[i]);
	free(p->ifs);
	free(p);
}

void sip_perf_enable(struct sip_perf *p, int on)
{
	if (p)
		p->on = !!on;
}

static struct perf_if *perf_if_get(struct sip_perf *p, const struct sip_iface *ifc)
{
	struct perf_if *pi, **v;

	for (unsigned i = 0; i < p->n; i++)
		if (p->ifs[i]->index == ifc->index) {
			pi = p->ifs[i];
			if (strcmp(pi->name, ifc->name)) { /* another interface at that index */
				memset(pi, 0, sizeof(*pi));
				pi->index = ifc->index;
			}
			snprintf(pi->name, sizeof(pi->name), "%s", ifc->name);
			return pi;
		}
	if (!(pi = calloc(1, sizeof(*pi))) || !(v = realloc(p->ifs, (p->n + 1) * sizeof(*v)))) {
		free(pi);
		return NULL;
	}
	pi->index = ifc->index;
	snprintf(pi->name, sizeof(pi->name), "%s", ifc->name);
	p->ifs = v;
	p->ifs[p->n++] = pi;
	return pi;
}

/* The change of a counter since the last sample; a counter that went back restarted. */
static unsigned long long delta(unsigned long long now, unsigned long long *last)
{
	unsigned long long d = now >= *last ? now - *last : now;

	*last = now;
	return d;
}

static void add_into(struct sip_perf_sample *to, const struct sip_perf_sample *s)
{
	to->secs += s->secs;
	to->count += s->count;
	to->accepted += s->accepted;
	to->refused_cert += s->refused_cert;
	to->refused_other += s->refused_other;
	to->attempts += s->attempts;
	to->tls_sum += s->tls_sum, to->regs_sum += s->regs_sum, to->calls_sum += s->calls_sum;
	if (s->tls_max > to->tls_max)
		to->tls_max = s->tls_max;
	if (s->regs_max > to->regs_max)
		to->regs_max = s->regs_max;
	if (s->calls_max > to->calls_max)
		to->calls_max = s->calls_max;
}

/* Closes the interval in progress when the wall clock crossed its 15-minute boundary. */
static void roll_interval(struct perf_if *pi, time_t now)
{
	time_t start = now - now % SIP_PERF_INTERVAL_S;

	if (pi->cur.start == start)
		return;
	if (pi->cur.count) {
		pi->coarse[pi->hcoarse] = pi->cur;
		pi->hcoarse = (pi->hcoarse + 1) % SIP_PERF_COARSE_N;
		if (pi->ncoarse < SIP_PERF_COARSE_N)
			pi->ncoarse++;
	}
	memset(&pi->cur, 0, sizeof(pi->cur));
	pi->cur.start = start;
}

static void sample_iface(struct sip_engine *e, struct sip_perf *p, struct sip_iface *ifc,
			 time_t now, unsigned secs)
{
	struct perf_if *pi = perf_if_get(p, ifc);
	struct sip_perf_sample s = {.start = now - (time_t)secs, .secs = secs, .count = 1};
	unsigned long long cert = 0, other = 0;

	if (!pi)
		return;
	pi->seen = 1;
	for (int k = 0; k < SIP_REJ_N; k++)
		if (k == SIP_REJ_PROTOCOL || k == SIP_REJ_TIMEOUT || k == SIP_REJ_LIMIT)
			other += ifc->rejected[k];
		else
			cert += ifc->rejected[k];
	if (!pi->primed) { /* the first sample only sets the base */
		pi->last_acc = ifc->accepted, pi->last_cert = cert, pi->last_other = other;
		pi->last_att = ifc->call_attempts;
		pi->primed = 1;
		roll_interval(pi, now);
		return;
	}
	s.accepted = delta(ifc->accepted, &pi->last_acc);
	s.refused_cert = delta(cert, &pi->last_cert);
	s.refused_other = delta(other, &pi->last_other);
	s.attempts = delta(ifc->call_attempts, &pi->last_att);
	s.tls_max = ifc->active;
	s.regs_max = sip_registrar_users(e->reg, ifc);
	s.calls_max = sip_b2bua_calls(e->b2b, ifc);
	s.tls_sum = s.tls_max, s.regs_sum = s.regs_max, s.calls_sum = s.calls_max;
	pi->fine[pi->hfine] = s;
	pi->hfine = (pi->hfine + 1) % SIP_PERF_FINE_N;
	if (pi->nfine < SIP_PERF_FINE_N)
		pi->nfine++;
	roll_interval(pi, now);
	add_into(&pi->cur, &s);
}

void sip_perf_sample_now(struct sip_engine *e, struct sip_perf *p)
{
	time_t now = time(NULL), mono = mono_s();
	unsigned k = 0, secs;

	if (!p)
		return;
	secs = p->last && mono > p->last ? (unsigned)(mono - p->last) : 1;
	for (unsigned i = 0; i < p->n; i++)
		p->ifs[i]->seen = 0;
	for (unsigned i = 0; i < e->nifs; i++)
		sample_iface(e, p, &e->ifs[i], now, secs);
	/* interfaces gone from the configuration take their history with them */
	for (unsigned i = 0; i < p->n; i++)
		if (p->ifs[i]->seen)
			p->ifs[k++] = p->ifs[i];
		else
			free(p->ifs[i]);
	p->n = k;
	p->last = mono;
	p->next = mono + SIP_PERF_SAMPLE_S;
}

void sip_perf_tick(struct sip_engine *e, struct sip_perf *p)
{
	if (p && p->on && mono_s() >= p->next)
		sip_perf_sample_now(e, p);
}

static void set_row(const struct conf_table *t, struct conf_row *r, const struct perf_if *pi,
		    int which, const struct sip_perf_sample *s)
{
	char ebuf[128];

	conf_row_set_text(t, r, PERF_INTERFACE_NAME, pi->name, ebuf, sizeof(ebuf));
	r->v[PERF_INTERVAL].i = which;
	r->v[PERF_INTERVAL_START].i = (long long)s->start;
	r->v[PERF_INTERVAL_SECONDS].i = s->secs;
	r->v[PERF_SAMPLES].i = s->count;
	r->v[PERF_HANDSHAKES_ACCEPTED].i = (long long)s->accepted;
	r->v[PERF_HANDSHAKES_REFUSED].i = (long long)(s->refused_cert + s->refused_other);
	r->v[PERF_REFUSED_CERTIFICATE].i = (long long)s->refused_cert;
	r->v[PERF_REFUSED_OTHER].i = (long long)s->refused_other;
	r->v[PERF_CALL_ATTEMPTS].i = (long long)s->attempts;
	r->v[PERF_TLS_CONNECTIONS_MAX].i = s->tls_max;
	r->v[PERF_TLS_CONNECTIONS_AVERAGE].i = s->count ? (long long)(s->tls_sum / s->count) : 0;
	r->v[PERF_REGISTERED_USERS_MAX].i = s->regs_max;
	r->v[PERF_CALLS_MAX].i = s->calls_max;
}

void sip_perf_status(struct sip_perf *p, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_perfintervals;

	conf_store_clear(st, t);
	for (unsigned i = 0; p && i < p->n; i++) {
		const struct perf_if *pi = p->ifs[i];
		const struct sip_perf_sample *prev =
		    pi->ncoarse
			? &pi->coarse[(pi->hcoarse + SIP_PERF_COARSE_N - 1) % SIP_PERF_COARSE_N]
			: NULL;
		struct conf_row *r;
		if ((r = conf_store_ensure(st, t, pi->index * 2, NULL)))
			set_row(t, r, pi, 0, &pi->cur);
		if (prev && (r = conf_store_ensure(st, t, pi->index * 2 + 1, NULL)))
			set_row(t, r, pi, 1, prev);
	}
}

static void write_sample(FILE *f, const struct perf_if *pi, const struct sip_perf_sample *s)
{
	unsigned c = s->count ? s->count : 1;

	fprintf(f, "%u %lld %u %llu %llu %llu %llu %u %llu %u %llu %u %llu %s\n", pi->index,
		(long long)s->start, s->secs, s->accepted, s->refused_cert, s->refused_other,
		s->attempts, s->tls_max, s->tls_sum / c, s->regs_max, s->regs_sum / c, s->calls_max,
		s->calls_sum / c, pi->name);
}

int sip_perf_write(struct sip_perf *p, const char *which, unsigned last, FILE *f)
{
	int fine;

	if (!which || !strcmp(which, "fine"))
		fine = 1;
	else if (!strcmp(which, "coarse"))
		fine = 0;
	else
		return -1;
	fprintf(f, "# %s %u %s\n", fine ? "fine" : "coarse",
		fine ? SIP_PERF_SAMPLE_S : SIP_PERF_INTERVAL_S,
		p && p->on ? "sampling" : "stopped");
	fputs("# index start secs accepted refused_cert refused_other call_attempts tls_max "
	      "tls_avg regs_max regs_avg calls_max calls_avg name\n",
	      f);
	for (unsigned i = 0; p && i < p->n; i++) {
		const struct perf_if *pi = p->ifs[i];
		const struct sip_perf_sample *ring = fine ? pi->fine : pi->coarse;
		unsigned n = fine ? pi->nfine : pi->ncoarse, h = fine ? pi->hfine : pi->hcoarse;
		unsigned cap = fine ? SIP_PERF_FINE_N : SIP_PERF_COARSE_N;
		unsigned from = last && last < n ? n - last : 0;
		for (unsigned k = from; k < n; k++)
			write_sample(f, pi, &ring[(h + cap - n + k) % cap]);
		if (!fine && pi->cur.count)
			write_sample(f, pi, &pi->cur); /* the interval in progress last */
	}
	return 0;
}

void sip_engine_perf_sample(struct sip_engine *e)
{
	if (e)
		sip_perf_sample_now(e, e->perf);
}

int sip_engine_perf_write(struct sip_engine *e, const char *which, unsigned last, FILE *f)
{
	return e ? sip_perf_write(e->perf, which, last, f) : -1;
}

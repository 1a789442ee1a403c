/*
 * sip_proxy: proxy sets at run time. Per address: up / down / unknown, the last
 * error, counters and the keep-alive probe; per set: which address requests go
 * to (redundancy parking or homing, round-robin, random weights).
 *
 * Why "unknown" is usable: without keep-alive nothing tells us an address is
 * down before a request fails, so every address starts usable (as the vendor
 * does). A failed request marks the address down only in sets with keep-alive,
 * where the next probe brings it back.
 *
 * Keep-alive is an OPTIONS every ProxyKeepAliveTime seconds. Any answer means
 * up, except the codes in KeepAliveFailureResp; no answer within
 * SIP_KA_TIMEOUT_MS, a transport error, or a failed TLS connection means down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>

#include "conf/store.h"
#include "sbc/sip/sip_internal.h"

#define SIP_KA_TIMEOUT_MS 3000

enum { ST_UNKNOWN, ST_UP, ST_DOWN };
static const char *const state_names[] = {"unknown", "up", "down"};

struct paddr {
	struct sip_proxy *p;
	int set, ip; /* positions in the current configuration */
	/* key, carried over a commit */
	char set_name[48], addr[132];
	char tip[64]; /* the member's address (a named row has one member per DNS target) */
	unsigned port;
	int named; /* resolved from a host name: the log names the target too */
	int transport;
	int state;
	char last_error[256];
	time_t last_change; /* wall clock */
	unsigned long long ka_sent, ka_failed, req_ok, req_failed;
	unsigned long long next_ka, ka_deadline; /* monotonic ms */
	nta_outgoing_t *ka_orq;
	struct sip_ctls_wait *ka_wait;
	tport_t *tp; /* client transport used last (no reference: the engine owns it) */
	char peer[80];
};

struct pset {
	struct paddr *a;
	unsigned n;
	unsigned rr;
	int active; /* parking: the address in use */
};

struct sip_proxy {
	struct sip_engine *e;
	struct pset *sets;
	unsigned nsets;
	unsigned seq;
};

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

struct sip_proxy *sip_proxy_create(struct sip_engine *e)
{
	struct sip_proxy *p = calloc(1, sizeof(*p));

	if (p)
		p->e = e;
	return p;
}

static void ka_stop(struct paddr *a)
{
	sip_ctls_unwatch(a->p->e, a->ka_wait);
	a->ka_wait = NULL;
	if (a->ka_orq)
		nta_outgoing_destroy(a->ka_orq);
	a->ka_orq = NULL;
}

static void sets_free(struct pset *sets, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < sets[i].n; j++)
			ka_stop(&sets[i].a[j]);
		free(sets[i].a);
	}
	free(sets);
}

void sip_proxy_destroy(struct sip_proxy *p)
{
	if (!p)
		return;
	sets_free(p->sets, p->nsets);
	free(p);
}

static const struct sip_rt_set *cfg_set(struct sip_proxy *p, int set)
{
	const struct sip_rt_cfg *c = p->e->rt;

	return c && set >= 0 && (unsigned)set < c->nsets ? &c->sets[set] : NULL;
}

static void set_state(struct paddr *a, int st, const char *why)
{
	if (why && why[0])
		snprintf(a->last_error, sizeof(a->last_error), "%s", why);
	if (a->state == st)
		return;
	sip_engine_event(a->p->e, st == ST_DOWN ? LOG_WARNING : LOG_INFO,
			 "sip: proxy set '%s' address %s%s%s%s is %s%s%s", a->set_name, a->addr,
			 a->named ? " (" : "", a->named ? a->tip : "", a->named ? ")" : "",
			 state_names[st], why && why[0] ? ": " : "", why ? why : "");
	a->state = st;
	a->last_change = time(NULL);
}

/* The previous configuration's set called name; i is where it most likely is. */
static struct pset *old_set(struct sip_proxy *p, unsigned i, const char *name)
{
	if (i < p->nsets && p->sets[i].n && !strcasecmp(p->sets[i].a[0].set_name, name))
		return &p->sets[i];
	for (unsigned k = 0; k < p->nsets; k++)
		if (p->sets[k].n && !strcasecmp(p->sets[k].a[0].set_name, name))
			return &p->sets[k];
	return NULL;
}

struct sip_proxy_pre {
	struct pset *sets;
	unsigned n;
};

void sip_proxy_pre_free(struct sip_proxy_pre *pre)
{
	if (!pre)
		return;
	for (unsigned i = 0; i < pre->n; i++)
		free(pre->sets[i].a); /* never probed: nothing to stop */
	free(pre->sets);
	free(pre);
}

struct sip_proxy_pre *sip_proxy_prebuild(const struct sip_rt_cfg *cfg)
{
	struct sip_proxy_pre *pre = calloc(1, sizeof(*pre));

	if (!pre || !(pre->sets = calloc(cfg->nsets ? cfg->nsets : 1, sizeof(*pre->sets))))
		return free(pre), NULL;
	pre->n = cfg->nsets;
	for (unsigned i = 0; i < cfg->nsets; i++) {
		const struct sip_rt_set *s = &cfg->sets[i];
		struct pset *ps = &pre->sets[i];
		if (!(ps->a = calloc(s->nips ? s->nips : 1, sizeof(*ps->a)))) {
			sip_proxy_pre_free(pre);
			return NULL;
		}
		ps->n = s->nips;
		for (unsigned j = 0; j < s->nips; j++) {
			struct paddr *a = &ps->a[j];
			a->set = (int)i, a->ip = (int)j;
			snprintf(a->set_name, sizeof(a->set_name), "%s", s->name);
			snprintf(a->addr, sizeof(a->addr), "%s", s->ips[j].addr);
			snprintf(a->tip, sizeof(a->tip), "%s", s->ips[j].ip);
			a->port = s->ips[j].port;
			a->named = s->ips[j].name[0] != 0;
			a->transport = s->ips[j].transport;
		}
	}
	return pre;
}

/* 1 when a row of set s is a name (its members come from DNS, sip_rt_cfg_expand). */
static int set_named(const struct sip_rt_set *s)
{
	for (unsigned j = 0; j < s->nrows; j++)
		if (s->rows[j].name[0])
			return 1;
	return 0;
}

/*
 * 1 when pre was laid out for cfg's members as they are now: pre was made from cfg itself, and
 * only the sets with names can have changed since (DNS expands them on the loop), so only
 * those are compared (a 10,000-address import: no string compared on the loop).
 */
static int pre_matches(const struct sip_proxy_pre *pre, const struct sip_rt_cfg *cfg)
{
	if (pre->n != cfg->nsets)
		return 0;
	for (unsigned i = 0; i < pre->n; i++) {
		if (pre->sets[i].n != cfg->sets[i].nips)
			return 0;
		if (!set_named(&cfg->sets[i]))
			continue;
		for (unsigned j = 0; j < pre->sets[i].n; j++) {
			const struct paddr *a = &pre->sets[i].a[j];
			const struct sip_rt_proxyip *m = &cfg->sets[i].ips[j];
			if (a->port != m->port || a->transport != m->transport ||
			    strcmp(a->tip, m->ip) || strcmp(a->addr, m->addr))
				return 0;
		}
	}
	return 1;
}

void sip_proxy_config(struct sip_proxy *p, struct sip_rt_cfg *cfg)
{
	struct sip_proxy_pre *pre = cfg->proxy_pre;
	unsigned long long now = now_ms();
	struct pset *ns;

	cfg->proxy_pre = NULL;
	if (pre && !pre_matches(pre, cfg))
		pre = (sip_proxy_pre_free(pre), NULL);
	if (!pre)
		pre = sip_proxy_prebuild(cfg);
	if (!pre) {
		log_warnx("sip: proxy sets keep their previous configuration: out of memory");
		return;
	}
	ns = pre->sets;
	for (unsigned i = 0; i < pre->n; i++) {
		const struct sip_rt_set *s = &cfg->sets[i];
		/* state carries over from the old set of the same name (most often at i) */
		struct pset *os = old_set(p, i, s->name);
		for (unsigned j = 0; j < ns[i].n; j++) {
			struct paddr *a = &ns[i].a[j];
			a->p = p;
			a->next_ka = now; /* probe at once */
			/* the same address is most often at the same place: j is tried first */
			unsigned first = os && j < os->n ? j : 0;
			for (unsigned k = 0; os && k < os->n; k++) {
				struct paddr *o = &os->a[k == 0 ? first : k <= first ? k - 1 : k];
				if (o->port != a->port || o->transport != a->transport ||
				    strcmp(o->tip, a->tip) || strcmp(o->addr, a->addr))
					continue;
				a->state =
				    s->keepalive || o->state != ST_DOWN ? o->state : ST_UNKNOWN;
				snprintf(a->last_error, sizeof(a->last_error), "%s", o->last_error);
				a->last_change = o->last_change;
				a->ka_sent = o->ka_sent, a->ka_failed = o->ka_failed;
				a->req_ok = o->req_ok, a->req_failed = o->req_failed;
				a->next_ka =
				    o->ka_orq ? now : o->next_ka; /* an old probe is abandoned */
				break;
			}
		}
	}
	sets_free(p->sets, p->nsets);
	p->sets = ns;
	p->nsets = pre->n;
	free(pre);
}

int sip_proxy_matches(const struct sip_rt_set *s, const char *ip, unsigned port, int transport)
{
	for (unsigned j = 0; j < s->nips; j++) {
		const struct sip_rt_proxyip *a = &s->ips[j];
		if (!a->ip[0] || strcmp(a->ip, ip))
			continue;
		if (s->input == 0 || (a->port == port && a->transport == transport))
			return 1;
	}
	return 0;
}

static int usable(const struct paddr *a, const struct sip_rt_set *s, unsigned tried)
{
	return a->state != ST_DOWN && s->ips[a->ip].ip[0] && !(a->ip < 32 && (tried >> a->ip) & 1);
}

int sip_proxy_pick(struct sip_proxy *p, int set, unsigned tried)
{
	const struct sip_rt_set *s = cfg_set(p, set);
	struct pset *ps = s && (unsigned)set < p->nsets ? &p->sets[set] : NULL;
	unsigned long total = 0, r;

	if (!ps || !ps->n)
		return -1;
	if (s->balancing == 1) {
		for (unsigned k = 0; k < ps->n; k++) {
			unsigned j = (ps->rr + k) % ps->n;
			if (usable(&ps->a[j], s, tried)) {
				ps->rr = j + 1;
				return (int)j;
			}
		}
		return -1;
	}
	if (s->balancing == 2) {
		for (unsigned j = 0; j < ps->n; j++)
			if (usable(&ps->a[j], s, tried))
				total += s->ips[j].weight ? s->ips[j].weight : 1;
		if (!total)
			return -1;
		r = (unsigned long)random() % total;
		for (unsigned j = 0; j < ps->n; j++) {
			unsigned long w = s->ips[j].weight ? s->ips[j].weight : 1;
			if (!usable(&ps->a[j], s, tried))
				continue;
			if (r < w)
				return (int)j;
			r -= w;
		}
		return -1;
	}
	if (s->redundancy == 1) {
		/* homing: always the first address that is usable */
		for (unsigned j = 0; j < ps->n; j++)
			if (usable(&ps->a[j], s, tried))
				return ps->active = (int)j;
		return -1;
	}
	/* parking: stay where we are while it works, else move on */
	for (unsigned k = 0; k < ps->n; k++) {
		unsigned j = ((unsigned)ps->active + k) % ps->n;
		if (usable(&ps->a[j], s, tried))
			return ps->active = (int)j;
	}
	return -1;
}

static struct paddr *addr_at(struct sip_proxy *p, int set, int ip)
{
	if (set < 0 || (unsigned)set >= p->nsets || ip < 0 || (unsigned)ip >= p->sets[set].n)
		return NULL;
	return &p->sets[set].a[ip];
}

void sip_proxy_result(struct sip_proxy *p, int set, int ip, int ok, const char *reason)
{
	struct paddr *a = addr_at(p, set, ip);
	const struct sip_rt_set *s = cfg_set(p, set);

	if (!a || !s)
		return;
	if (ok) {
		a->req_ok++;
		if (s->keepalive)
			set_state(a, ST_UP, NULL);
		return;
	}
	a->req_failed++;
	if (s->keepalive)
		set_state(a, ST_DOWN, reason);
	else if (reason)
		snprintf(a->last_error, sizeof(a->last_error), "%s", reason);
}

/* --- keep-alive --- */

/* Is status one of the comma-separated codes of KeepAliveFailureResp? */
static int listed(const char *list, int status)
{
	for (const char *q = list; q && *q;) {
		if (atoi(q) == status)
			return 1;
		q = strchr(q, ',');
		q = q ? q + 1 : NULL;
	}
	return 0;
}

static void ka_done(struct paddr *a, int up, const char *why)
{
	ka_stop(a);
	if (!up)
		a->ka_failed++;
	set_state(a, up ? ST_UP : ST_DOWN, why);
}

static int ka_resp_cb(nta_outgoing_magic_t *m, nta_outgoing_t *orq, sip_t const *sip)
{
	struct paddr *a = (struct paddr *)m;
	const struct sip_rt_set *s = cfg_set(a->p, a->set);
	int status = sip && sip->sip_status ? sip->sip_status->st_status : 408;
	int local = !sip || (sip->sip_flags & SIP_NTA_INTERNAL);
	char why[128];

	if (status < 200)
		return 0;
	sip_ctls_unwatch(a->p->e, a->ka_wait);
	a->ka_wait = NULL;
	if ((local && (status == 408 || status == 503)) || (s && listed(s->ka_fail, status))) {
		snprintf(why, sizeof(why), "keep-alive answered %d %s", status,
			 sip && sip->sip_status ? sip->sip_status->st_phrase : "");
		ka_done(a, 0, why);
	} else {
		ka_done(a, 1, NULL);
	}
	return 0;
}

static void ka_tls_fail(void *arg, const char *reason)
{
	struct paddr *a = arg;

	a->ka_wait = NULL;
	ka_done(a, 0, reason);
}

static void ka_send(struct sip_proxy *p, struct paddr *a, const struct sip_rt_set *s)
{
	struct sip_engine *e = p->e;
	struct sip_dest d;
	char why[256], from[200], contact[200];
	int gpos = -1;

	memset(&d, 0, sizeof(d));
	/* the interface of an IP group using this set, else the set's, else the first */
	for (unsigned i = 0; i < e->rt->ngroups; i++)
		if (e->rt->groups[i].set == a->set && gpos < 0)
			gpos = (int)i;
	if (!e->nifs)
		return;
	{
		struct sip_iface *ifc = &e->ifs[0];
		int sifc =
		    gpos >= 0 && e->rt->groups[gpos].sifc >= 0 ? e->rt->groups[gpos].sifc : s->sifc;
		for (unsigned i = 0; sifc >= 0 && i < e->nifs; i++)
			if ((int)e->ifs[i].index == sifc)
				ifc = &e->ifs[i];
		d.set = a->set, d.ip = a->ip;
		if (sip_rt_fill_proxyip(e, &d, ifc, s->ctx, &s->ips[a->ip], NULL, why,
					sizeof(why))) {
			ka_done(a, 0, why);
			return;
		}
	}
	a->tp = d.tp;
	snprintf(a->peer, sizeof(a->peer), "%s", d.peer);
	snprintf(from, sizeof(from), "<sip:sbc@%s>;tag=ka%u", d.ifc->addr, ++p->seq);
	sip_iface_contact(d.ifc, d.ifc->port[d.transport] ? d.transport : SIP_PROTO_UDP, contact,
			  sizeof(contact));
	a->ka_sent++;
	a->ka_deadline = now_ms() + SIP_KA_TIMEOUT_MS;
	a->ka_orq = nta_outgoing_tcreate(
	    e->deflt, ka_resp_cb, (nta_outgoing_magic_t *)a, URL_STRING_MAKE(d.next_hop),
	    SIP_METHOD_OPTIONS, URL_STRING_MAKE(d.ruri), SIPTAG_FROM_STR(from),
	    SIPTAG_TO_STR(d.ruri), SIPTAG_CONTACT_STR(contact),
	    SIPTAG_CALL_ID(sip_call_id_create(e->home, NULL)), SIPTAG_MAX_FORWARDS_STR("70"),
	    TAG_IF(d.tp, NTATAG_TPORT(d.tp)), TAG_END());
	if (!a->ka_orq) {
		ka_done(a, 0, "cannot send the keep-alive");
		return;
	}
	if (d.transport == SIP_PROTO_TLS)
		a->ka_wait = sip_ctls_watch(e, d.tp, d.peer, d.expect, ka_tls_fail, a);
}

void sip_proxy_tick(struct sip_proxy *p)
{
	const struct sip_rt_cfg *c = p->e->rt;
	unsigned long long now = now_ms();

	for (unsigned i = 0; c && i < p->nsets && i < c->nsets; i++) {
		const struct sip_rt_set *s = &c->sets[i];
		for (unsigned j = 0; j < p->sets[i].n; j++) {
			struct paddr *a = &p->sets[i].a[j];
			if (a->ka_orq && now >= a->ka_deadline) {
				ka_done(a, 0, "keep-alive not answered");
				continue;
			}
			if (!s->keepalive || a->ka_orq || now < a->next_ka)
				continue;
			a->next_ka =
			    now + (unsigned long long)(s->ka_time ? s->ka_time : 60) * 1000;
			ka_send(p, a, s);
		}
	}
}

/* --- status --- */

void sip_proxy_status(struct sip_proxy *p, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_proxystatus;
	const struct sip_rt_cfg *c = p->e->rt;
	struct conf_rows *rs = conf_store_rows(st, t);
	static const char *const tn[] = {"udp", "tcp", "tls"};
	char ebuf[128];

	if (!rs || !c)
		return;
	conf_store_clear(st, t);
	for (unsigned i = 0; i < p->nsets && i < c->nsets; i++)
		for (unsigned j = 0; j < p->sets[i].n; j++) {
			struct paddr *a = &p->sets[i].a[j];
			const struct sip_rt_proxyip *ci = &c->sets[i].ips[j];
			/* the members of a named row share its row: summed up in the first one */
			int first = j == 0 || c->sets[i].ips[j - 1].row != ci->row;
			struct conf_row *r = conf_store_ensure(st, t, ci->row, NULL);
			const char *subj = a->tp && a->transport == SIP_PROTO_TLS
					       ? sip_ctls_peer_subject(p->e, a->tp, a->peer)
					       : NULL;
			int active = c->sets[i].balancing == 0 && p->sets[i].active == (int)j;
			char resolved[64];
			if (!r)
				continue;
			if (!first) {
				long long s0 = r->v[PROXYSTATUS_STATE].i;
				/* up when a member is up; down when all are down */
				r->v[PROXYSTATUS_STATE].i = s0 == ST_UP || a->state == ST_UP ? ST_UP
							    : s0 == ST_DOWN && a->state == ST_DOWN
								? ST_DOWN
								: ST_UNKNOWN;
				r->v[PROXYSTATUS_ACTIVE].i |= active;
				if (a->last_change > r->v[PROXYSTATUS_LAST_CHANGE].i)
					r->v[PROXYSTATUS_LAST_CHANGE].i = (long long)a->last_change;
				if (a->last_error[0])
					conf_row_set_text(t, r, PROXYSTATUS_LAST_ERROR,
							  a->last_error, ebuf, sizeof(ebuf));
				if (active && subj)
					conf_row_set_text(t, r, PROXYSTATUS_TLS_PEER_SUBJECT, subj,
							  ebuf, sizeof(ebuf));
				if (active)
					conf_row_set_text(t, r, PROXYSTATUS_RESOLVED_ADDRESS,
							  ci->ip, ebuf, sizeof(ebuf));
				r->v[PROXYSTATUS_KEEP_ALIVES_SENT].i += (long long)a->ka_sent;
				r->v[PROXYSTATUS_KEEP_ALIVE_FAILURES].i += (long long)a->ka_failed;
				r->v[PROXYSTATUS_REQUESTS_ANSWERED].i += (long long)a->req_ok;
				r->v[PROXYSTATUS_REQUESTS_FAILED].i += (long long)a->req_failed;
				continue;
			}
			snprintf(resolved, sizeof(resolved), "%s", ci->ip);
			const struct {
				int col;
				const char *v;
			} text[] = {
			    {PROXYSTATUS_PROXY_SET_NAME, a->set_name},
			    {PROXYSTATUS_IP_ADDRESS, a->addr},
			    {PROXYSTATUS_RESOLVED_ADDRESS, resolved},
			    {PROXYSTATUS_TRANSPORT_TYPE, tn[a->transport % 3]},
			    {PROXYSTATUS_LAST_ERROR, a->last_error},
			    {PROXYSTATUS_TLS_PEER_SUBJECT, subj ? subj : ""},
			};
			for (unsigned k = 0; k < sizeof(text) / sizeof(text[0]); k++)
				conf_row_set_text(t, r, text[k].col, text[k].v, ebuf, sizeof(ebuf));
			r->v[PROXYSTATUS_PROXY_IP_INDEX].i = ci->ipindex;
			r->v[PROXYSTATUS_STATE].i = a->state;
			r->v[PROXYSTATUS_ACTIVE].i = active;
			r->v[PROXYSTATUS_LAST_CHANGE].i = (long long)a->last_change;
			r->v[PROXYSTATUS_KEEP_ALIVES_SENT].i = (long long)a->ka_sent;
			r->v[PROXYSTATUS_KEEP_ALIVE_FAILURES].i = (long long)a->ka_failed;
			r->v[PROXYSTATUS_REQUESTS_ANSWERED].i = (long long)a->req_ok;
			r->v[PROXYSTATUS_REQUESTS_FAILED].i = (long long)a->req_failed;
		}
}

int sip_proxy_member_state(struct sip_proxy *p, const char *name, const char *ip, unsigned port,
			   int transport, char *set, size_t setlen)
{
	const struct sip_rt_cfg *c = p ? p->e->rt : NULL;

	for (unsigned i = 0; c && i < p->nsets && i < c->nsets; i++)
		for (unsigned j = 0; j < p->sets[i].n && j < c->sets[i].nips; j++) {
			const struct sip_rt_proxyip *ci = &c->sets[i].ips[j];
			if (!ci->name[0] || strcasecmp(ci->name, name) || strcmp(ci->ip, ip) ||
			    ci->port != port || ci->transport != transport)
				continue;
			snprintf(set, setlen, "%s", c->sets[i].name);
			return p->sets[i].a[j].state;
		}
	return -1;
}

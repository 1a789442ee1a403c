/*
 * sip_route_cfg: the engine's private copy of the routing configuration.
 *
 * Why a copy: sbcd frees the running store on the next commit, and routing
 * runs on every request; a flat copy with references already turned into
 * positions makes each decision a walk over small arrays.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf/hostport.h"
#include "conf/store.h"
#include "sbc/sip/sip_dns.h"
#include "sbc/sip/sip_media.h"
#include "sbc/sip/sip_route.h"

static void sv(const struct conf_row *r, int col, char *out, size_t len)
{
	snprintf(out, len, "%s", conf_row_str(r, col));
}

/* Index of the row of table t named `name`, -1 when empty or absent. */
static int ref_index(const struct conf_store *st, const struct conf_table *t, const char *name)
{
	struct conf_row *r;

	if (!name || !name[0])
		return -1;
	r = conf_store_find_name(st, t, name);
	return r ? (int)r->index : -1;
}

int sip_rt_split_hostport(const char *in, char *host, size_t hlen, unsigned *port)
{
	char err[256];

	/* the validator's own reader: what validates is what the engine uses */
	return conf_hostport_parse(in, host, hlen, port, err, sizeof(err));
}

/*
 * The address of host as a literal; "" when it is a name. Configuration is applied on the
 * event loop, which must never block on DNS: names go to the asynchronous cache (sip_dns.c).
 * "localhost" is the one name known without asking.
 */
void sip_rt_resolve(const char *host, char *out, size_t len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
	struct addrinfo *ai = NULL, *pick;

	out[0] = 0;
	if (!strcasecmp(host, "localhost"))
		host = "127.0.0.1";
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
		return;
	/* IPv4 first: "localhost" would often give ::1 first, and interfaces are mostly IPv4 */
	for (pick = ai; pick && pick->ai_family != AF_INET; pick = pick->ai_next)
		;
	if (!pick)
		pick = ai;
	getnameinfo(pick->ai_addr, pick->ai_addrlen, out, (socklen_t)len, NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(ai);
}

static int ip_cmp(const void *a, const void *b)
{
	const struct sip_rt_proxyip *x = a, *y = b;

	return (x->ipindex > y->ipindex) - (x->ipindex < y->ipindex);
}

/* One ProxyIp row into its set's address list. */
static void fill_ip(const struct conf_row *p, struct sip_rt_proxyip *a)
{
	long long tr;

	a->row = p->index;
	a->ipindex = (unsigned)conf_row_int(p, PROXYIP_PROXY_IP_INDEX);
	sv(p, PROXYIP_IP_ADDRESS, a->addr, sizeof(a->addr));
	tr = conf_row_int(p, PROXYIP_TRANSPORT_TYPE);
	a->transport = tr < 0 ? 0 : (int)tr;
	a->cfg_transport = tr < 0 ? -1 : (int)tr;
	a->priority = (unsigned)conf_row_int(p, PROXYIP_PRIORITY);
	a->weight = (unsigned)conf_row_int(p, PROXYIP_WEIGHT);
	if (sip_rt_split_hostport(a->addr, a->host, sizeof(a->host), &a->port) < 0)
		return; /* validation refuses it; keep the row, never usable */
	a->has_port = a->port != 0;
	if (!a->port)
		a->port = a->transport == 2 ? 5061 : 5060;
	sip_rt_resolve(a->host, a->ip, sizeof(a->ip));
	if (!a->ip[0])
		snprintf(a->name, sizeof(a->name), "%s", a->host);
}

static int build_sets(struct sip_rt_cfg *c, const struct conf_store *st)
{
	const struct conf_table *ts = &conf_tbl_proxyset;
	const struct conf_table *ti = &conf_tbl_proxyip;
	const struct conf_rows *rs = conf_store_rows(st, ts), *ri = conf_store_rows(st, ti);
	char buf[256];
	/* position in c->sets of each ProxySet index: one pass over ProxyIp, not one per set */
	int *pos = malloc(ts->max_rows * sizeof(*pos));

	c->sets = calloc(rs->n ? rs->n : 1, sizeof(*c->sets));
	if (!c->sets || !pos) {
		free(pos);
		return -1;
	}
	for (unsigned k = 0; k < ts->max_rows; k++)
		pos[k] = -1;
	for (unsigned i = 0; i < rs->n; i++) {
		const struct conf_row *r = rs->row[i];
		struct sip_rt_set *s = &c->sets[c->nsets++];

		pos[r->index] = (int)i;
		s->index = r->index;
		sv(r, PROXYSET_PROXY_NAME, s->name, sizeof(s->name));
		s->keepalive = (int)conf_row_int(r, PROXYSET_ENABLE_PROXY_KEEP_ALIVE);
		s->ka_time = (unsigned)conf_row_int(r, PROXYSET_PROXY_KEEP_ALIVE_TIME);
		s->balancing = (int)conf_row_int(r, PROXYSET_PROXY_LOAD_BALANCING_METHOD);
		s->hotswap = (int)conf_row_int(r, PROXYSET_IS_PROXY_HOT_SWAP);
		s->input = (int)conf_row_int(r, PROXYSET_CLASSIFICATION_INPUT);
		sv(r, PROXYSET_TLS_CONTEXT_NAME, buf, sizeof(buf));
		s->ctx = ref_index(st, &conf_tbl_tlscontexts, buf);
		s->redundancy = (int)conf_row_int(r, PROXYSET_PROXY_REDUNDANCY_MODE);
		sv(r, PROXYSET_KEEP_ALIVE_FAILURE_RESP, s->ka_fail, sizeof(s->ka_fail));
		sv(r, PROXYSET_SBC_IPV4_SIP_INTERFACE_NAME, buf, sizeof(buf));
		s->sifc = ref_index(st, &conf_tbl_sipinterface, buf);
		s->dns_method = (int)conf_row_int(r, PROXYSET_DNS_RESOLVE_METHOD);
	}
	/* count, allocate, fill */
	for (unsigned j = 0; j < ri->n; j++) {
		unsigned long set =
		    strtoul(conf_row_str(ri->row[j], PROXYIP_PROXY_SET_ID), NULL, 10);
		if (conf_row_str(ri->row[j], PROXYIP_PROXY_SET_ID)[0] && set < ts->max_rows &&
		    pos[set] >= 0)
			c->sets[pos[set]].nips++;
	}
	for (unsigned i = 0; i < c->nsets; i++) {
		c->sets[i].ips =
		    calloc(c->sets[i].nips ? c->sets[i].nips : 1, sizeof(*c->sets[i].ips));
		if (!c->sets[i].ips) {
			free(pos);
			return -1;
		}
		c->sets[i].nips = 0;
	}
	for (unsigned j = 0; j < ri->n; j++) {
		unsigned long set =
		    strtoul(conf_row_str(ri->row[j], PROXYIP_PROXY_SET_ID), NULL, 10);
		if (!conf_row_str(ri->row[j], PROXYIP_PROXY_SET_ID)[0] || set >= ts->max_rows ||
		    pos[set] < 0)
			continue;
		struct sip_rt_set *s = &c->sets[pos[set]];
		fill_ip(ri->row[j], &s->ips[s->nips++]);
	}
	for (unsigned i = 0; i < c->nsets; i++) {
		struct sip_rt_set *s = &c->sets[i];
		qsort(s->ips, s->nips, sizeof(*s->ips), ip_cmp);
		/* the rows as configured; ips becomes the members (sip_rt_cfg_expand) */
		s->rows = malloc((s->nips ? s->nips : 1) * sizeof(*s->rows));
		if (!s->rows) {
			free(pos);
			return -1;
		}
		memcpy(s->rows, s->ips, s->nips * sizeof(*s->rows));
		s->nrows = s->nips;
	}
	free(pos);
	return 0;
}

/* The DNS servers of the InterfaceTable (each interface's primary, then secondary). */
static void build_dns(struct sip_rt_cfg *c, const struct conf_store *st)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_interfaces);
	static const int cols[] = {NETIF_PRIMARY_DNS_SERVER_IP_ADDRESS,
				   NETIF_SECONDARY_DNS_SERVER_IP_ADDRESS};

	for (unsigned i = 0; rs && i < rs->n; i++)
		for (unsigned k = 0; k < 2; k++) {
			const char *v = conf_row_str(rs->row[i], cols[k]);
			unsigned j;
			if (!v[0])
				continue;
			for (j = 0; j < c->ndns && strcmp(c->dns_servers[j], v); j++)
				;
			if (j == c->ndns && c->ndns < 3)
				snprintf(c->dns_servers[c->ndns++], sizeof(c->dns_servers[0]), "%s",
					 v);
		}
	c->dns_port = (unsigned)conf_globals_int(st, GLOBALS_DNS_SERVER_PORT);
	c->dns_grace = (unsigned)conf_globals_int(st, GLOBALS_DNS_GRACE_PERIOD);
}

void sip_rt_cfg_expand(struct sip_rt_cfg *c, struct sip_dns *dns)
{
	struct sip_dns_target t[SIP_DNS_MAX_TARGETS];
	char why[256], host[128];
	unsigned port;

	for (unsigned i = 0; c && i < c->nsets; i++) {
		struct sip_rt_set *s = &c->sets[i];
		unsigned cap = s->nrows, n = 0;
		struct sip_rt_proxyip *m;

		/* a literal row is one member, a name up to SIP_DNS_MAX_TARGETS; a set of literals
		 * keeps the members sip_rt_cfg_build made (its rows): nothing to do on the loop */
		for (unsigned j = 0; j < s->nrows; j++)
			cap += s->rows[j].name[0] ? SIP_DNS_MAX_TARGETS - 1 : 0;
		if (cap == s->nrows)
			continue;
		m = malloc((cap ? cap : 1) * sizeof(*m));

		if (!m)
			continue; /* keeps the previous members */
		for (unsigned j = 0; j < s->nrows; j++) {
			const struct sip_rt_proxyip *r = &s->rows[j];
			int k = 0;
			if (r->name[0] && dns)
				k = sip_dns_lookup(dns, r->name,
						   sip_dns_method_for(s->dns_method, r->has_port,
								      r->cfg_transport >= 0),
						   r->cfg_transport, 0, r->has_port ? r->port : 0,
						   1, t, SIP_DNS_MAX_TARGETS, why, sizeof(why));
			if (k <= 0) {
				m[n++] = *r;
				continue;
			}
			for (int x = 0; x < k; x++) {
				struct sip_rt_proxyip *a = &m[n++];
				*a = *r;
				snprintf(a->ip, sizeof(a->ip), "%s", t[x].ip);
				a->port = t[x].port;
				a->transport = t[x].transport;
				a->source = t[x].source;
				if (t[x].source == SIP_DNS_SRC_SRV ||
				    t[x].source == SIP_DNS_SRC_NAPTR)
					a->priority = t[x].priority, a->weight = t[x].weight;
			}
		}
		free(s->ips);
		s->ips = m;
		s->nips = n;
	}
	/* DestAddress names: resolved ahead of the first request */
	for (unsigned i = 0; c && dns && i < c->nroutes; i++) {
		const struct sip_rt_route *r = &c->routes[i];
		char ip[64];
		int tr = r->dst_transport;
		if (r->dest_type != SIP_RT_DEST_ADDRESS ||
		    sip_rt_split_hostport(r->dst_addr, host, sizeof(host), &port) < 0)
			continue;
		sip_rt_resolve(host, ip, sizeof(ip));
		if (ip[0])
			continue;
		port = r->dst_port ? r->dst_port : port;
		sip_dns_lookup(dns, host, sip_dns_method_for(SIP_DNS_BY_FORM, port != 0, tr >= 0),
			       tr, 0, port, 1, t, SIP_DNS_MAX_TARGETS, why, sizeof(why));
	}
}

static int set_pos(const struct sip_rt_cfg *c, const struct conf_store *st, const char *name)
{
	int idx = ref_index(st, &conf_tbl_proxyset, name);

	for (unsigned i = 0; idx >= 0 && i < c->nsets; i++)
		if ((int)c->sets[i].index == idx)
			return (int)i;
	return -1;
}

static int group_pos(const struct sip_rt_cfg *c, const char *name)
{
	for (unsigned i = 0; name[0] && i < c->ngroups; i++)
		if (strcasecmp(c->groups[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int build_groups(struct sip_rt_cfg *c, const struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_ipgroup;
	const struct conf_rows *rs = conf_store_rows(st, t);
	char buf[256];

	c->groups = calloc(rs->n ? rs->n : 1, sizeof(*c->groups));
	if (!c->groups)
		return -1;
	for (unsigned i = 0; i < rs->n; i++) {
		const struct conf_row *r = rs->row[i];
		struct sip_rt_group *g = &c->groups[c->ngroups++];

		g->index = r->index;
		sv(r, IPGROUP_NAME, g->name, sizeof(g->name));
		g->type = (int)conf_row_int(r, IPGROUP_TYPE);
		sv(r, IPGROUP_PROXY_SET_NAME, buf, sizeof(buf));
		g->set = set_pos(c, st, buf);
		sv(r, IPGROUP_SIP_GROUP_NAME, g->sipgroup, sizeof(g->sipgroup));
		sv(r, IPGROUP_CONTACT_USER, g->contact_user, sizeof(g->contact_user));
		g->by_set = (int)conf_row_int(r, IPGROUP_CLASSIFY_BY_PROXY_SET);
		sv(r, IPGROUP_SIP_INTERFACE_NAME, buf, sizeof(buf));
		g->sifc = ref_index(st, &conf_tbl_sipinterface, buf);
	}
	return 0;
}

static int build_rules(struct sip_rt_cfg *c, const struct conf_store *st)
{
	const struct conf_table *tc = &conf_tbl_classification;
	const struct conf_table *tr = &conf_tbl_ip2iprouting;
	const struct conf_rows *rc = conf_store_rows(st, tc), *rr = conf_store_rows(st, tr);
	char buf[256];

	c->classes = calloc(rc->n ? rc->n : 1, sizeof(*c->classes));
	c->routes = calloc(rr->n ? rr->n : 1, sizeof(*c->routes));
	if (!c->classes || !c->routes)
		return -1;
	for (unsigned i = 0; i < rc->n; i++) {
		const struct conf_row *r = rc->row[i];
		struct sip_rt_class *k = &c->classes[c->nclasses++];

		k->index = r->index;
		sv(r, CLASSIF_CLASSIFICATION_NAME, k->name, sizeof(k->name));
		sv(r, CLASSIF_SRC_SIP_INTERFACE_NAME, buf, sizeof(buf));
		k->sifc = buf[0] ? ref_index(st, &conf_tbl_sipinterface, buf) : SIP_RT_ANY;
		sv(r, CLASSIF_SRC_ADDRESS, k->addr, sizeof(k->addr));
		k->port = (unsigned)conf_row_int(r, CLASSIF_SRC_PORT);
		k->transport = (int)conf_row_int(r, CLASSIF_SRC_TRANSPORT_TYPE);
		sv(r, CLASSIF_SRC_USERNAME_PREFIX, k->src_user, sizeof(k->src_user));
		sv(r, CLASSIF_SRC_HOST, k->src_host, sizeof(k->src_host));
		sv(r, CLASSIF_DEST_USERNAME_PREFIX, k->dst_user, sizeof(k->dst_user));
		sv(r, CLASSIF_DEST_HOST, k->dst_host, sizeof(k->dst_host));
		k->allow = (int)conf_row_int(r, CLASSIF_ACTION_TYPE);
		sv(r, CLASSIF_SRC_IP_GROUP_NAME, buf, sizeof(buf));
		k->group = group_pos(c, buf);
	}
	for (unsigned i = 0; i < rr->n; i++) {
		const struct conf_row *r = rr->row[i];
		struct sip_rt_route *k = &c->routes[c->nroutes++];

		k->index = r->index;
		sv(r, ROUTE_ROUTE_NAME, k->name, sizeof(k->name));
		sv(r, ROUTE_SRC_IP_GROUP_NAME, k->src_group, sizeof(k->src_group));
		sv(r, ROUTE_SRC_USERNAME_PREFIX, k->src_user, sizeof(k->src_user));
		sv(r, ROUTE_SRC_HOST, k->src_host, sizeof(k->src_host));
		sv(r, ROUTE_DEST_USERNAME_PREFIX, k->dst_user, sizeof(k->dst_user));
		sv(r, ROUTE_DEST_HOST, k->dst_host, sizeof(k->dst_host));
		k->req_type = (int)conf_row_int(r, ROUTE_REQUEST_TYPE);
		k->dest_type = (int)conf_row_int(r, ROUTE_DEST_TYPE);
		sv(r, ROUTE_DEST_IP_GROUP_NAME, buf, sizeof(buf));
		k->dst_group = group_pos(c, buf);
		sv(r, ROUTE_DEST_SIP_INTERFACE_NAME, buf, sizeof(buf));
		k->dst_sifc = ref_index(st, &conf_tbl_sipinterface, buf);
		sv(r, ROUTE_DEST_ADDRESS, k->dst_addr, sizeof(k->dst_addr));
		k->dst_port = (unsigned)conf_row_int(r, ROUTE_DEST_PORT);
		k->dst_transport = (int)conf_row_int(r, ROUTE_DEST_TRANSPORT_TYPE);
	}
	return 0;
}

static int build_ifaces(struct sip_rt_cfg *c, const struct conf_store *st)
{
	const struct conf_table *ts = &conf_tbl_sipinterface;
	const struct conf_table *tc = &conf_tbl_tlscontexts;
	const struct conf_rows *rs = conf_store_rows(st, ts), *rc = conf_store_rows(st, tc);
	char buf[256];

	c->sifcs = calloc(rs->n ? rs->n : 1, sizeof(*c->sifcs));
	c->ctxs = calloc(rc->n ? rc->n : 1, sizeof(*c->ctxs));
	if (!c->sifcs || !c->ctxs)
		return -1;
	for (unsigned i = 0; i < rs->n; i++) {
		struct sip_rt_sifc *s = &c->sifcs[c->nsifcs++];

		s->index = rs->row[i]->index;
		sv(rs->row[i], SIPIF_INTERFACE_NAME, s->name, sizeof(s->name));
		s->fail_resp =
		    (int)conf_row_int(rs->row[i], SIPIF_CLASSIFICATION_FAILURE_RESPONSE_TYPE);
		sv(rs->row[i], SIPIF_TLS_CONTEXT, buf, sizeof(buf));
		s->ctx = ref_index(st, &conf_tbl_tlscontexts, buf);
		s->idle_s = (int)conf_row_int(rs->row[i], SIPIF_TCP_IDLE_TIMEOUT);
	}
	for (unsigned i = 0; i < rc->n; i++) {
		struct sip_rt_ctx *x = &c->ctxs[c->nctxs++];

		x->index = rc->row[i]->index;
		sv(rc->row[i], TLSCTX_NAME, x->name, sizeof(x->name));
		tls_policy_from_row(rc->row[i], &x->pol);
	}
	return 0;
}

struct sip_rt_cfg *sip_rt_cfg_build(const struct conf_store *st)
{
	struct sip_rt_cfg *c = calloc(1, sizeof(*c));
	long long hs;

	if (!c)
		return NULL;
	c->verify_server = conf_globals_int(st, GLOBALS_VERIFY_SERVER_CERTIFICATE) != 0;
	c->require_cert = conf_globals_int(st, GLOBALS_SIPS_REQUIRE_CLIENT_CERTIFICATE) != 0;
	c->hostname_mode = (int)conf_globals_int(st, GLOBALS_PEER_HOST_NAME_VERIFICATION_MODE);
	snprintf(c->remote_subject, sizeof(c->remote_subject), "%s",
		 conf_globals_str(st, GLOBALS_TLS_REMOTE_SUBJECT_NAME));
	hs = conf_globals_int(st, GLOBALS_TLS_HANDSHAKE_TIMEOUT);
	c->hs_timeout_ms = (unsigned)(hs > 0 ? hs : 10) * 1000;
	build_dns(c, st);
	if (build_ifaces(c, st) < 0 || build_sets(c, st) < 0 || build_groups(c, st) < 0 ||
	    build_rules(c, st) < 0 || !(c->media = sip_media_cfg_build(st))) {
		sip_rt_cfg_free(c);
		return NULL;
	}
	return c;
}

void sip_rt_cfg_free(struct sip_rt_cfg *c)
{
	if (!c)
		return;
	sip_proxy_pre_free(c->proxy_pre);
	for (unsigned i = 0; i < c->nsets; i++) {
		free(c->sets[i].ips);
		free(c->sets[i].rows);
	}
	free(c->sets);
	free(c->groups);
	free(c->classes);
	free(c->routes);
	free(c->sifcs);
	free(c->ctxs);
	sip_media_cfg_free(c->media);
	free(c);
}

const struct sip_rt_ctx *sip_rt_cfg_ctx(const struct sip_rt_cfg *c, int index)
{
	for (unsigned i = 0; c && index >= 0 && i < c->nctxs; i++)
		if ((int)c->ctxs[i].index == index)
			return &c->ctxs[i];
	return NULL;
}

const struct sip_rt_sifc *sip_rt_cfg_sifc(const struct sip_rt_cfg *c, int index)
{
	for (unsigned i = 0; c && index >= 0 && i < c->nsifcs; i++)
		if ((int)c->sifcs[i].index == index)
			return &c->sifcs[i];
	return NULL;
}

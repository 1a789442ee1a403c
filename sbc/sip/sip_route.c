/*
 * sip_route: the source IP group of a request (classification) and where it
 * goes (IP-to-IP routing), by the rules of doc/ROUTING.md. First match wins
 * in both tables, in row-index order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>

#include "sbc/sip/sip_dns.h"
#include "sbc/sip/sip_internal.h"

#define GROUP_FAIL (-2)

/* User patterns: "*" or empty match anything, else a prefix (case-sensitive, as digits are). */
static int user_match(const char *pat, const char *user)
{
	if (!pat[0] || strcmp(pat, "*") == 0)
		return 1;
	return user && strncmp(user, pat, strlen(pat)) == 0;
}

/* Host patterns: "*" or empty match anything, "*.dom" a suffix, else equal (no case). */
static int host_match(const char *pat, const char *host)
{
	size_t hl, pl;

	if (!pat[0] || strcmp(pat, "*") == 0)
		return 1;
	if (!host)
		return 0;
	if (pat[0] == '*') {
		hl = strlen(host), pl = strlen(pat + 1);
		return hl >= pl && strcasecmp(host + hl - pl, pat + 1) == 0;
	}
	return strcasecmp(pat, host) == 0;
}

/* Classification SrcAddress: empty any, trailing '*' a prefix, else equal. */
static int addr_match(const char *pat, const char *ip)
{
	size_t n = strlen(pat);

	if (!n)
		return 1;
	if (pat[n - 1] == '*')
		return strncmp(pat, ip, n - 1) == 0;
	return strcmp(pat, ip) == 0;
}

/* IP2IPRouting RequestType against the method. */
static int request_match(int type, sip_method_t m)
{
	switch (type) {
	case 0:
		return 1;
	case 1:
		return m == sip_method_invite;
	case 2:
		return m == sip_method_register;
	case 3:
		return m == sip_method_subscribe;
	case 4:
		return m == sip_method_invite || m == sip_method_register;
	case 5:
		return m == sip_method_invite || m == sip_method_subscribe;
	case 6:
		return m == sip_method_options;
	default:
		return 0;
	}
}

static struct sip_iface *iface_by_index(struct sip_engine *e, int idx)
{
	for (unsigned i = 0; idx >= 0 && i < e->nifs; i++)
		if ((int)e->ifs[i].index == idx)
			return &e->ifs[i];
	return NULL;
}

/* "1.2.3.4:5060" or "[::1]:5060" into ip and port. */
static void split_peer(const char *peer, char *ip, size_t len, unsigned *port)
{
	if (sip_rt_split_hostport(peer, ip, len, port) < 0)
		ip[0] = 0, *port = 0;
}

static int classify(struct sip_engine *e, struct sip_iface *ifc, int proto, const char *peer,
		    sip_t const *sip, char *why, size_t whylen)
{
	const struct sip_rt_cfg *c = e->rt;
	const url_t *fu = sip->sip_from->a_url, *ru = sip->sip_request->rq_url;
	struct sip_binding *b = fu->url_user ? sip_registrar_lookup(e->reg, fu->url_user) : NULL;
	char ip[64];
	unsigned port;

	split_peer(peer, ip, sizeof(ip), &port);
	/* a registered user calling over the connection (or address) it registered from */
	if (b && strcmp(b->peer, peer) == 0) {
		for (unsigned i = 0; i < c->ngroups; i++)
			if (c->groups[i].type == 1)
				return (int)i;
		return SIP_RT_ANY;
	}
	for (unsigned i = 0; i < c->ngroups; i++) {
		const struct sip_rt_group *g = &c->groups[i];
		if (g->type == 0 && g->by_set && g->set >= 0 &&
		    sip_proxy_matches(&c->sets[g->set], ip, port, proto))
			return (int)i;
	}
	for (unsigned i = 0; i < c->nclasses; i++) {
		const struct sip_rt_class *k = &c->classes[i];
		if ((k->sifc != SIP_RT_ANY && k->sifc != (int)ifc->index) ||
		    !addr_match(k->addr, ip) || (k->port && k->port != port) ||
		    (k->transport >= 0 && k->transport != proto) ||
		    !user_match(k->src_user, fu->url_user) ||
		    !host_match(k->src_host, fu->url_host) ||
		    !user_match(k->dst_user, ru->url_user) ||
		    !host_match(k->dst_host, ru->url_host))
			continue;
		if (!k->allow) {
			snprintf(why, whylen, "denied by classification rule %u '%s'", k->index,
				 k->name);
			return GROUP_FAIL;
		}
		return k->group;
	}
	/* nothing configured for routing at all: calls between registered users */
	if (!c->nclasses && !c->ngroups && !c->nroutes)
		return SIP_RT_ANY;
	snprintf(why, whylen, "no classification rule matches source %s", peer);
	return GROUP_FAIL;
}

/* The first hop and transport of an address destination. */
static int fill_address(struct sip_engine *e, struct sip_dest *d, struct sip_iface *ifc, int ctx,
			const char *ip, const char *host, unsigned port, int transport,
			const char *user, char *why, size_t whylen)
{
	const struct sip_rt_cfg *c = e->rt;
	const char *tn = transport == 2 ? "tls" : transport == 1 ? "tcp" : "udp";
	int v6 = strchr(ip, ':') != NULL;
	char err[256];

	if (!ip[0]) {
		snprintf(why, whylen, "DNS: '%s' has no usable address (yet)", host);
		return 503;
	}
	if (!port)
		port = transport == 2 ? 5061 : 5060;
	d->ifc = ifc;
	d->transport = transport;
	snprintf(d->peer, sizeof(d->peer), v6 ? "[%s]:%u" : "%s:%u", ip, port);
	snprintf(d->next_hop, sizeof(d->next_hop), "sip:%s;transport=%s", d->peer, tn);
	snprintf(d->ruri, sizeof(d->ruri), "sip:%s%s%s%s%s:%u", user ? user : "",
		 user && user[0] ? "@" : "", strchr(host, ':') ? "[" : "", host,
		 strchr(host, ':') ? "]" : "", port);
	if (transport == 2) {
		if (ctx < 0)
			ctx = ifc->ctx_index >= 0 ? ifc->ctx_index : 0;
		d->tp = sip_ctls_primary(e, ifc, ctx, err, sizeof(err));
		if (!d->tp) {
			snprintf(why, whylen, "TLS: %s", err);
			return 503;
		}
		snprintf(d->expect, sizeof(d->expect), "%s",
			 c->remote_subject[0] ? c->remote_subject : host);
		if (!sip_dns_is_literal(host))
			sip_ctls_sni(e, d->tp, d->peer, host);
	} else {
		d->tp = ifc->pri[transport];
	}
	return 0;
}

int sip_rt_fill_proxyip(struct sip_engine *e, struct sip_dest *d, struct sip_iface *ifc, int ctx,
			const struct sip_rt_proxyip *a, const char *user, char *why, size_t whylen)
{
	return fill_address(e, d, ifc, ctx, a->ip, a->host, a->port, a->transport, user, why,
			    whylen);
}

/*
 * A destination given as host (DestAddress, Request-URI host): a literal at once; a name from
 * the DNS cache (RFC 3263 by the form: port -> A, transport -> SRV, else NAPTR), the first
 * target; SIP_RT_DNS_PENDING (with d->dns_* set) while it is being resolved.
 */
static int fill_named(struct sip_engine *e, struct sip_dest *d, struct sip_iface *ifc,
		      const char *host, unsigned port, int transport, int sips, const char *user,
		      char *why, size_t whylen)
{
	struct sip_dns_target t[1];
	char ip[64];
	int method, n;

	sip_rt_resolve(host, ip, sizeof(ip));
	if (ip[0] || !e->dns)
		return fill_address(e, d, ifc, -1, ip, host, port,
				    transport < 0 ? (sips ? 2 : 0) : transport, user, why, whylen);
	method = sip_dns_method_for(SIP_DNS_BY_FORM, port != 0, transport >= 0 || sips);
	n = sip_dns_lookup(e->dns, host, method, sips ? 2 : transport, sips, port, 0, t, 1, why,
			   whylen);
	if (n > 0)
		return fill_address(e, d, ifc, -1, t[0].ip, host, t[0].port, t[0].transport, user,
				    why, whylen);
	if (n < 0)
		return 503;
	if (e->dns_no_defer) {
		snprintf(why, whylen, "DNS: '%s' not resolved in time", host);
		return 503;
	}
	snprintf(d->dns_name, sizeof(d->dns_name), "%s", host);
	d->dns_method = method, d->dns_transport = sips ? 2 : transport, d->dns_sips = sips;
	d->dns_port = port;
	snprintf(why, whylen, "DNS: resolving '%s'", host);
	return SIP_RT_DNS_PENDING;
}

static int fill_proxy(struct sip_engine *e, struct sip_dest *d, struct sip_iface *in, int gpos,
		      int set, int ip, const char *user, char *why, size_t whylen)
{
	const struct sip_rt_cfg *c = e->rt;
	const struct sip_rt_set *s = &c->sets[set];
	const struct sip_rt_proxyip *a = &s->ips[ip];
	const struct sip_rt_group *g = gpos >= 0 ? &c->groups[gpos] : NULL;
	struct sip_iface *ifc = NULL;
	int rc;

	if (g && g->sifc >= 0)
		ifc = iface_by_index(e, g->sifc);
	if (!ifc && s->sifc >= 0)
		ifc = iface_by_index(e, s->sifc);
	if (!ifc)
		ifc = in;
	d->set = set, d->ip = ip;
	rc = sip_rt_fill_proxyip(e, d, ifc, s->ctx, a, user, why, whylen);
	if (!rc && g && g->sipgroup[0])
		snprintf(d->ruri, sizeof(d->ruri), "sip:%s%s%s", user ? user : "",
			 user && user[0] ? "@" : "", g->sipgroup);
	return rc;
}

static int to_user(struct sip_engine *e, struct sip_dest *d, const char *user, int unknown)
{
	struct sip_binding *b = user ? sip_registrar_lookup(e->reg, user) : NULL;

	if (!b)
		return unknown;
	d->to_user = 1;
	d->user = b;
	d->tp = b->tp;
	d->ifc = b->ifc;
	d->transport = b->proto;
	snprintf(d->ruri, sizeof(d->ruri), "%s", b->contact);
	snprintf(d->peer, sizeof(d->peer), "%s", b->peer);
	return 0;
}

static int route_dest(struct sip_engine *e, const struct sip_rt_route *r, struct sip_iface *in,
		      sip_t const *sip, struct sip_dest *d, char *why, size_t whylen)
{
	const struct sip_rt_cfg *c = e->rt;
	const url_t *ru = sip->sip_request->rq_url;
	const char *user = ru->url_user;
	struct sip_iface *ifc = r->dst_sifc >= 0 ? iface_by_index(e, r->dst_sifc) : NULL;
	char host[128];
	unsigned port;
	int ip_pos, tr;

	if (!ifc)
		ifc = in;
	switch (r->dest_type) {
	case SIP_RT_DEST_IPGROUP:
		if (r->dst_group < 0) {
			snprintf(why, whylen, "rule %u '%s' has no destination IP group", r->index,
				 r->name);
			return 500;
		}
		snprintf(d->dst_group, sizeof(d->dst_group), "%s", c->groups[r->dst_group].name);
		if (c->groups[r->dst_group].type == 1 || c->groups[r->dst_group].set < 0) {
			snprintf(why, whylen, "user %s is not registered", user ? user : "?");
			return to_user(e, d, user, 480);
		}
		ip_pos = sip_proxy_pick(e->proxy, c->groups[r->dst_group].set, 0);
		if (ip_pos < 0) {
			snprintf(why, whylen, "no proxy of IP group '%s' is available",
				 c->groups[r->dst_group].name);
			return 503;
		}
		return fill_proxy(e, d, in, r->dst_group, c->groups[r->dst_group].set, ip_pos, user,
				  why, whylen);
	case SIP_RT_DEST_ADDRESS:
		tr = r->dst_transport < 0 ? 0 : r->dst_transport;
		if (sip_rt_split_hostport(r->dst_addr, host, sizeof(host), &port) < 0) {
			snprintf(why, whylen, "rule %u '%s': bad DestAddress", r->index, r->name);
			return 500;
		}
		return fill_named(e, d, ifc, host, r->dst_port ? r->dst_port : port,
				  r->dst_transport, 0, user, why, whylen);
	case SIP_RT_DEST_RURI:
		if (!ru->url_host) {
			snprintf(why, whylen, "Request-URI has no host");
			return 400;
		}
		tr = r->dst_transport >= 0                     ? r->dst_transport
		     : ru->url_type == url_sips                ? 2
		     : !ru->url_params                         ? 0
		     : strstr(ru->url_params, "transport=tls") ? 2
		     : strstr(ru->url_params, "transport=tcp") ? 1
							       : 0;
		snprintf(host, sizeof(host), "%s", ru->url_host);
		return fill_named(e, d, ifc, host, ru->url_port ? (unsigned)atoi(ru->url_port) : 0,
				  r->dst_transport >= 0 || ru->url_type == url_sips ||
					  (ru->url_params && strstr(ru->url_params, "transport="))
				      ? tr
				      : -1,
				  ru->url_type == url_sips, user, why, whylen);
	case SIP_RT_DEST_ALL_USERS:
		snprintf(why, whylen, "user %s is not registered", user ? user : "?");
		return to_user(e, d, user, 480);
	default:
		snprintf(why, whylen, "rule %u '%s': DestType %d is not supported", r->index,
			 r->name, r->dest_type);
		return 500;
	}
}

int sip_route_request(struct sip_engine *e, struct sip_iface *ifc, int proto, const char *peer,
		      sip_t const *sip, struct sip_dest *out, char *why, size_t whylen)
{
	const struct sip_rt_cfg *c = e->rt;
	const url_t *fu = sip->sip_from->a_url, *ru = sip->sip_request->rq_url;
	const struct sip_rt_sifc *sc;
	int g, rc;

	memset(out, 0, sizeof(*out));
	out->set = out->ip = -1;
	why[0] = 0;
	if (!c)
		return 500;
	g = classify(e, ifc, proto, peer, sip, why, whylen);
	if (g == GROUP_FAIL) {
		sc = sip_rt_cfg_sifc(c, (int)ifc->index);
		/* ClassificationFailureResponseType 0 ("no response") or any value that is not
		 * a failure status means 500 (doc/ROUTING.md): returning 0 here would read as
		 * "routed" to the caller, with out empty. */
		return sc && sc->fail_resp >= 300 && sc->fail_resp <= 699 ? sc->fail_resp : 500;
	}
	snprintf(out->src_group, sizeof(out->src_group), "%s", g >= 0 ? c->groups[g].name : "Any");
	if (!c->nroutes) {
		snprintf(why, whylen, "user %s is not registered",
			 ru->url_user ? ru->url_user : "?");
		return to_user(e, out, ru->url_user, 404);
	}
	for (unsigned i = 0; i < c->nroutes; i++) {
		const struct sip_rt_route *r = &c->routes[i];
		if ((strcasecmp(r->src_group, "Any") && strcasecmp(r->src_group, out->src_group)) ||
		    !user_match(r->src_user, fu->url_user) ||
		    !host_match(r->src_host, fu->url_host) ||
		    !user_match(r->dst_user, ru->url_user) ||
		    !host_match(r->dst_host, ru->url_host) ||
		    !request_match(r->req_type, sip->sip_request->rq_method))
			continue;
		snprintf(out->route_name, sizeof(out->route_name), "%s", r->name);
		rc = route_dest(e, r, ifc, sip, out, why, whylen);
		if (rc)
			return rc;
		why[0] = 0;
		return 0;
	}
	snprintf(why, whylen, "no routing rule matches (source IP group '%s')", out->src_group);
	return 404;
}

int sip_route_next(struct sip_engine *e, struct sip_dest *out, unsigned tried_mask)
{
	const struct sip_rt_cfg *c = e->rt;
	char why[256], user[128] = "";
	const char *at;
	int ip, g = -1;

	if (out->set < 0 || !c || out->set >= (int)c->nsets || !c->sets[out->set].hotswap)
		return -1;
	ip = sip_proxy_pick(e->proxy, out->set, tried_mask);
	if (ip < 0)
		return -1;
	/* the user part of the Request-URI we had */
	at = strchr(out->ruri, '@');
	if (at && strncmp(out->ruri, "sip:", 4) == 0)
		snprintf(user, sizeof(user), "%.*s", (int)(at - out->ruri - 4), out->ruri + 4);
	for (unsigned i = 0; i < c->ngroups; i++)
		if (strcasecmp(c->groups[i].name, out->dst_group) == 0)
			g = (int)i;
	return fill_proxy(e, out, out->ifc, g, out->set, ip, user, why, sizeof(why)) ? -1 : 0;
}

/* --- requests waiting for DNS --- */

struct sip_defer {
	struct sip_engine *e;
	struct sip_iface *ifc;
	int proto;
	nta_incoming_t *irq;
};

static void defer_cb(void *arg)
{
	struct sip_defer *x = arg;
	struct sip_engine *e = x->e;
	msg_t *msg = nta_incoming_getrequest(x->irq);
	sip_t const *sip = msg ? sip_object(msg) : NULL;
	int rc = 500;

	if (sip) {
		e->dns_no_defer = 1;
		rc = sip_b2bua_request(e->b2b, x->ifc, (enum sip_proto)x->proto, x->irq, sip);
		e->dns_no_defer = 0;
	}
	if (rc) {
		nta_incoming_treply(x->irq, rc, NULL, TAG_END());
		nta_incoming_destroy(x->irq);
	}
	if (msg)
		msg_destroy(msg);
	free(x);
}

int sip_route_defer(struct sip_engine *e, const struct sip_dest *out, struct sip_iface *ifc,
		    int proto, nta_incoming_t *irq)
{
	struct sip_defer *x = calloc(1, sizeof(*x));

	if (!x || !e->dns)
		return free(x), 503;
	x->e = e, x->ifc = ifc, x->proto = proto, x->irq = irq;
	if (sip_dns_wait(e->dns, out->dns_name, out->dns_method, out->dns_transport, out->dns_sips,
			 out->dns_port, 8000, defer_cb, x) < 0)
		return free(x), 503;
	if (nta_incoming_method(irq) == sip_method_invite)
		nta_incoming_treply(irq, SIP_100_TRYING, TAG_END());
	return 0;
}

/*
 * sip_dns_engine: what ties the name cache to the engine: its servers come from
 * the routing copy, and a change of a name's targets rebuilds the proxy sets'
 * members (state carried over by address, as after a commit).
 */
#include <stdio.h>

#include "log/log.h"
#include "sbc/sip/sip_dns.h"
#include "sbc/sip/sip_internal.h"

static void changed_cb(void *arg)
{
	struct sip_engine *e = arg;

	if (!e->rt || e->closing)
		return;
	sip_rt_cfg_expand(e->rt, e->dns);
	sip_proxy_config(e->proxy, e->rt);
	sip_engine_event(e, LOG_INFO, "sip: DNS targets changed: proxy set members rebuilt");
}

int sip_dns_engine_start(struct sip_engine *e)
{
	e->dns = sip_dns_create(e->root, e->rundir, changed_cb, e);
	return e->dns ? 0 : -1;
}

void sip_dns_engine_config(struct sip_engine *e)
{
	char err[400];

	if (!e->dns || !e->rt)
		return;
	if (sip_dns_configure(e->dns, e->rt->dns_servers, e->rt->ndns, e->rt->dns_port,
			      e->rt->dns_grace, err, sizeof(err)) < 0)
		log_warnx("sip: %s", err);
	sip_dns_unpin_all(e->dns);
	sip_rt_cfg_expand(e->rt, e->dns);
}

static int member_cb(void *arg, const char *name, const struct sip_dns_target *t, char *set,
		     size_t setlen)
{
	struct sip_engine *e = arg;

	return sip_proxy_member_state(e->proxy, name, t->ip, t->port, t->transport, set, setlen);
}

void sip_dns_engine_status(struct sip_engine *e, struct conf_store *st)
{
	sip_dns_status(e->dns, st, member_cb, e);
}

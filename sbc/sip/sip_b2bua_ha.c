/* sip_b2bua_ha: established calls to the HA standby, and rebuilt from its records (doc/HA.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>

#include "conf/store.h"
#include "sbc/sip/sip_b2bua_int.h"
#include "sbc/sip/sip_ha.h"

void sip_b2bua_ha_call(struct sip_call *c, int up)
{
	struct sip_ha_call hc;
	char routes[2][1024], targets[2][512];

	if (!up && !c->ha_sent)
		return;
	memset(&hc, 0, sizeof(hc));
	for (int i = 0; i < 2; i++) {
		struct sip_side *s = &c->side[i];
		struct sip_ha_leg *l = &hc.leg[i];
		sip_route_t const *rt = NULL;
		sip_contact_t const *tg = NULL;
		size_t at = 0;

		routes[i][0] = targets[i][0] = 0;
		if (s->leg)
			nta_leg_get_route(s->leg, &rt, &tg);
		for (; rt && at < sizeof(routes[i]); rt = rt->r_next)
			at += (size_t)snprintf(routes[i] + at, sizeof(routes[i]) - at,
					       "%s<" URL_PRINT_FORMAT ">", at ? "," : "",
					       URL_PRINT_ARGS(rt->r_url));
		if (tg)
			snprintf(targets[i], sizeof(targets[i]), URL_PRINT_FORMAT,
				 URL_PRINT_ARGS(tg->m_url));
		l->callid = s->callid;
		l->local_uri = s->luri;
		l->remote_uri = s->ruri;
		l->local_tag = s->leg ? nta_leg_get_tag(s->leg) : NULL;
		l->remote_tag = s->leg ? nta_leg_get_rtag(s->leg) : NULL;
		l->local_cseq = s->leg ? nta_leg_get_seq(s->leg) : 0;
		l->remote_cseq = s->leg ? nta_leg_get_rseq(s->leg) : 0;
		l->target = targets[i];
		l->route = routes[i];
		l->ifc = s->ifc ? s->ifc->index : 0;
		l->proto = (int)s->proto;
		l->peer = s->peer;
	}
	hc.media_callid = c->media.anchored ? c->media.callid : "";
	hc.start = (long long)c->start;
	hc.connected = (long long)c->connected;
	sip_ha_dialog(&hc, up);
	c->ha_sent = up;
}

/* One side of a replicated call: its leg as NTA had it on the old active. */
static int restore_side(struct sip_call *c, int i, const struct sip_ha_leg *l)
{
	struct sip_engine *e = c->b->e;
	struct sip_side *s = &c->side[i];
	sip_contact_t *tg = l->target[0] ? sip_contact_make(c->home, l->target) : NULL;
	char from[600], to[600], cseq[32];

	s->call = c;
	s->idx = i;
	for (unsigned k = 0; k < e->nifs; k++)
		if (e->ifs[k].index == l->ifc)
			s->ifc = &e->ifs[k];
	if (!s->ifc || l->proto < 0 || l->proto >= SIP_PROTO_N)
		return -1;
	s->proto = (enum sip_proto)l->proto;
	s->restored = 1;
	sip_iface_contact(s->ifc, s->proto, s->contact, sizeof(s->contact));
	snprintf(s->peer, sizeof(s->peer), "%s", l->peer);
	snprintf(s->callid, sizeof(s->callid), "%s", l->callid);
	snprintf(s->luri, sizeof(s->luri), "%s", l->local_uri);
	snprintf(s->ruri, sizeof(s->ruri), "%s", l->remote_uri);
	snprintf(from, sizeof(from), "<%s>;tag=%s", l->local_uri, l->local_tag);
	snprintf(to, sizeof(to), "<%s>;tag=%s", l->remote_uri, l->remote_tag);
	snprintf(cseq, sizeof(cseq), "%lu", l->local_cseq);
	s->leg = nta_leg_tcreate(
	    e->agent, sip_b2bua_leg_cb, (nta_leg_magic_t *)s, SIPTAG_CALL_ID_STR(l->callid),
	    SIPTAG_FROM_STR(from), SIPTAG_TO_STR(to), SIPTAG_CSEQ_STR(cseq),
	    NTATAG_REMOTE_CSEQ(l->remote_cseq), TAG_IF(l->route[0], SIPTAG_ROUTE_STR(l->route)),
	    TAG_IF(tg, NTATAG_TARGET(tg)), TAG_END());
	return s->leg && nta_leg_get_tag(s->leg) ? 0 : -1;
}

int sip_b2bua_restore(struct sip_b2bua *b, const struct sip_ha_call *hc)
{
	struct sip_call *c;

	if (!(c = calloc(1, sizeof(*c))) || !(c->home = su_home_new(sizeof(*c->home)))) {
		free(c);
		return -1;
	}
	c->method = sip_method_invite;
	c->answered = c->responded = 1;
	c->start = (time_t)hc->start;
	c->connected = (time_t)hc->connected;
	c->dest.set = -1;
	sip_b2bua_call_link(b, c);
	if (!c->reaper || restore_side(c, 0, &hc->leg[0]) < 0 ||
	    restore_side(c, 1, &hc->leg[1]) < 0) {
		sip_b2bua_call_free(c);
		return -1;
	}
	if (hc->media_callid[0]) { /* the rtpengine session: deleted at the call's end */
		c->media.m = b->media;
		c->media.anchored = 1;
		c->media.offerer = -1;
		snprintf(c->media.callid, sizeof(c->media.callid), "%s", hc->media_callid);
	}
	sip_b2bua_ha_call(c, 1); /* this box's table holds it now, for the next failover */
	return 0;
}

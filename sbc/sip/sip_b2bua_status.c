/* sip_b2bua_status: the Calls status table and per-interface call counts from the B2BUA. */
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

void sip_b2bua_status(struct sip_b2bua *b, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_calls;
	struct conf_rows *rs = conf_store_rows(st, t);
	unsigned idx = 0;
	time_t now = time(NULL);
	char ebuf[128];

	if (!rs || !b)
		return;
	conf_store_clear(st, t);
	for (struct sip_call *c = b->calls; c && idx < t->max_rows; c = c->next) {
		struct conf_row *r;
		if (c->method != sip_method_invite || c->ended ||
		    !(r = conf_store_ensure(st, t, idx++, NULL)))
			continue;
		const struct {
			int col;
			const char *v;
		} text[] = {
		    {CALLS_CALLER_CALL_ID, c->side[0].callid},
		    {CALLS_CALLEE_CALL_ID, c->side[1].callid},
		    {CALLS_CALLER_PEER, c->side[0].peer},
		    {CALLS_CALLEE_PEER, c->side[1].peer},
		    {CALLS_CALLER_INTERFACE, c->side[0].ifc ? c->side[0].ifc->name : ""},
		    {CALLS_CALLEE_INTERFACE, c->side[1].ifc ? c->side[1].ifc->name : ""},
		    {CALLS_CALLER_TRANSPORT, sip_proto_name(c->side[0].proto)},
		    {CALLS_CALLEE_TRANSPORT,
		     sip_proto_name(c->dest.to_user ? c->side[1].proto
						    : (enum sip_proto)c->dest.transport)},
		    {CALLS_SRC_IP_GROUP_NAME, c->dest.src_group},
		    {CALLS_DEST_IP_GROUP_NAME, c->dest.dst_group},
		    {CALLS_ROUTE_NAME, c->dest.route_name},
		    {CALLS_CALLER_MEDIA, c->media.addr[0]},
		    {CALLS_CALLEE_MEDIA, c->media.addr[1]},
		};
		for (unsigned k = 0; k < sizeof(text) / sizeof(text[0]); k++)
			conf_row_set_text(t, r, text[k].col, text[k].v, ebuf, sizeof(ebuf));
		r->v[CALLS_STATE].i = c->answered ? 1 : 0;
		r->v[CALLS_START_TIME].i = (long long)c->start;
		r->v[CALLS_DURATION].i = c->connected ? (long long)(now - c->connected) : 0;
		r->v[CALLS_CALLER_SRTP].i = c->media.srtp[0];
		r->v[CALLS_CALLEE_SRTP].i = c->media.srtp[1];
		r->v[CALLS_MEDIA_PACKETS].i = c->media.packets;
		/* the counters of the next look come from this query */
		sip_media_query(b->media, &c->media);
	}
}

unsigned sip_b2bua_calls(struct sip_b2bua *b, const struct sip_iface *ifc)
{
	unsigned n = 0;

	for (struct sip_call *c = b ? b->calls : NULL; c; c = c->next)
		n += c->method == sip_method_invite && !c->ended && c->side[0].ifc == ifc;
	return n;
}

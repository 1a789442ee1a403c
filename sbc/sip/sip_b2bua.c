/*
 * sip_b2bua: calls (and MESSAGE) between registered users, as a back-to-back
 * user agent.
 *
 * Each call is two independent dialogs (NTA legs): side 0 with the caller,
 * side 1 with the callee. Nothing of one side's signalling addresses crosses
 * to the other (topology hiding): side 1 gets a new Call-ID and tags, NTA puts
 * the SBC's own Via on each request, and each side sees the SBC's Contact. Only
 * From/To addresses of record, the status and the body (SDP) are relayed.
 * Requests to a user go over the connection it registered over (NTATAG_TPORT);
 * requests back to the caller over the connection its INVITE came on.
 *
 * A call is freed a few seconds after it ends, so that NTA's retransmission
 * handling of the last transactions still finds it.
 *
 * Where the callee is comes from routing (sip_route.c): a registered user, or
 * an address (a proxy of a proxy set, an explicit address, the Request-URI).
 * Over TLS to an address, the INVITE is watched (sip_proxy_tls.c) until the
 * first response: a TLS failure answers the caller 503 with a Reason header
 * naming it at once, or tries the next proxy of a hot-swap set.
 *
 * Reliable provisional responses (RFC 3262) are relayed end to end: the callee
 * is offered 100rel as the caller offered it (Supported or Require), its
 * reliable 18x goes to the caller as a reliable 18x of ours (nta_reliable), and
 * the caller's PRACK goes on as our PRACK of the callee's 18x; SDP in them takes
 * the rtpengine path of every other SDP carrier.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tagarg.h>

#include "conf/store.h"
#include "sbc/sip/sip_ha.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_media.h"

#include "sbc/sip/sip_b2bua_int.h"

struct sip_b2bua *sip_b2bua_create(struct sip_engine *e)
{
	struct sip_b2bua *b = calloc(1, sizeof(*b));

	if (b && !(b->media = sip_media_create(e->root)))
		b = (free(b), NULL);
	if (b)
		b->e = e;
	return b;
}

void sip_b2bua_call_link(struct sip_b2bua *b, struct sip_call *c)
{
	c->b = b;
	c->next = b->calls;
	if (c->next)
		c->next->pprev = &c->next;
	c->pprev = &b->calls;
	b->calls = c;
	c->reaper = su_timer_create(su_root_task(b->e->root), CALL_LINGER_MS);
}

void sip_b2bua_call_free(struct sip_call *c)
{
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	sip_ctls_unwatch(c->b->e, c->wait);
	su_timer_destroy(c->reaper);
	for (struct media_op *op = c->mops; op; op = op->next)
		sip_media_cancel(c->b->media, op->id);
	sip_media_forget(c->b->media, &c->media);
	for (struct sip_fwd *f = c->fwds; f; f = f->next) {
		if (f->orq)
			nta_outgoing_destroy(f->orq);
		if (f->irq)
			nta_incoming_destroy(f->irq);
	}
	if (c->orq)
		nta_outgoing_destroy(c->orq);
	if (c->irq)
		nta_incoming_destroy(c->irq);
	for (int i = 0; i < 2; i++) {
		if (c->side[i].leg)
			nta_leg_destroy(c->side[i].leg);
		tport_unref(c->side[i].tp);
	}
	su_home_unref(c->home);
	free(c);
}

void sip_b2bua_destroy(struct sip_b2bua *b)
{
	if (!b)
		return;
	while (b->calls)
		sip_b2bua_call_free(b->calls);
	sip_media_destroy(b->media);
	free(b);
}

static void reap_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	sip_b2bua_call_free((struct sip_call *)arg);
}

static void call_end(struct sip_call *c, const char *why)
{
	if (c->ended)
		return;
	c->ended = 1;
	sip_b2bua_ha_call(c, 0);
	sip_ctls_unwatch(c->b->e, c->wait);
	c->wait = NULL;
	sip_media_delete(c->b->media, &c->media);
	sip_engine_event(c->b->e, LOG_INFO, "sip: call %p ended: %s", (void *)c, why);
	su_timer_set(c->reaper, reap_cb, (su_timer_arg_t *)c);
}

static tport_t *side_tp(struct sip_side *s);

static struct sip_side *other(struct sip_side *s)
{
	return &s->call->side[!s->idx];
}

/* Sends a response with the SDP rtpengine rewrote; our Contact on dialog-making answers. */
static void reply_sdp(nta_incoming_t *irq, int status, const char *phrase,
		      const struct sip_side *to, sip_method_t m, const char *sdp)
{
	int contact =
	    (m == sip_method_invite || m == sip_method_update) && status > 100 && status < 300;

	nta_incoming_treply(irq, status, phrase[0] ? phrase : NULL,
			    TAG_IF(contact, SIPTAG_CONTACT_STR(to->contact)),
			    SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp),
			    TAG_END());
}

/* Relays a response: status, phrase and body; our Contact on dialog-making answers. */
static void relay_response(nta_incoming_t *irq, sip_t const *sip, int status,
			   const struct sip_side *to, sip_method_t m)
{
	int contact =
	    (m == sip_method_invite || m == sip_method_update) && status > 100 && status < 300;

	nta_incoming_treply(irq, status, sip && sip->sip_status ? sip->sip_status->st_phrase : NULL,
			    TAG_IF(contact, SIPTAG_CONTACT_STR(to->contact)),
			    TAG_IF(sip, SIPTAG_CONTENT_TYPE(sip ? sip->sip_content_type : NULL)),
			    TAG_IF(sip, SIPTAG_PAYLOAD(sip ? sip->sip_payload : NULL)), TAG_END());
}

/* sdp: the ACK's SDP as rtpengine rewrote it (NULL: ack's body as is). */
static void send_ack_sdp(struct sip_side *s, sip_t const *ack, const char *sdp)
{
	sip_cseq_t *cs;
	nta_outgoing_t *o;

	if (!s->invite_cseq || s->acked_cseq == s->invite_cseq)
		return;
	cs = sip_cseq_create(s->call->home, s->invite_cseq, SIP_METHOD_ACK);
	o = nta_outgoing_tcreate(
	    s->leg, NULL, NULL, NULL, SIP_METHOD_ACK, NULL, SIPTAG_CSEQ(cs),
	    TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	    TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)),
	    TAG_IF(!sdp && ack, SIPTAG_CONTENT_TYPE(ack ? ack->sip_content_type : NULL)),
	    TAG_IF(!sdp && ack, SIPTAG_PAYLOAD(ack ? ack->sip_payload : NULL)),
	    NTATAG_TPORT(side_tp(s)), TAG_END());
	if (o)
		nta_outgoing_destroy(o);
	s->acked_cseq = s->invite_cseq;
}

static void send_ack(struct sip_side *s, sip_t const *ack)
{
	send_ack_sdp(s, ack, NULL);
}

/* --- SDP through rtpengine --- */

static void media_done(void *arg, const char *sdp, size_t len, const char *err);

/* 1 when sip carries SDP that an anchored call hands to rtpengine. */
static int has_sdp(struct sip_call *c, sip_t const *sip)
{
	return c->media.anchored && sip && sip->sip_payload &&
	       sip_media_is_sdp(sip->sip_content_type ? sip->sip_content_type->c_type : NULL,
				sip->sip_payload->pl_len);
}

/* Hands the SDP of sip (from side `from`) to rtpengine; the message it belongs to goes on
 * in media_done. NULL when it could not be sent. */
static struct media_op *media_start(struct sip_call *c, enum mop_kind kind, int from, int answer,
				    sip_t const *sip, struct sip_fwd *f)
{
	struct media_op *op = su_zalloc(c->home, sizeof(*op));

	if (!op)
		return NULL;
	op->c = c, op->kind = kind, op->to = !from, op->f = f;
	if (sip && sip->sip_status) {
		op->status = sip->sip_status->st_status;
		snprintf(op->phrase, sizeof(op->phrase), "%s",
			 sip->sip_status->st_phrase ? sip->sip_status->st_phrase : "");
	}
	op->id = sip_media_sdp(c->b->media, &c->media, from, answer, sip->sip_payload->pl_data,
			       sip->sip_payload->pl_len, media_done, op);
	if (!op->id) {
		sip_engine_event(c->b->e, LOG_WARNING,
				 "sip: call %p: media engine: request not sent", (void *)c);
		return NULL;
	}
	op->next = c->mops;
	c->mops = op;
	return op;
}

/* An ACK from side `from`: its SDP (the answer to a late offer) through rtpengine. */
static void relay_ack(struct sip_call *c, int from, sip_t const *ack)
{
	if (has_sdp(c, ack) && media_start(c, MOP_ACK, from, 1, ack, NULL))
		return;
	send_ack(&c->side[!from], ack);
}

/* The connection toward s: its own, or for a call recreated after an HA failover (its old
 * connection gone with the old box), the one its user registered over again, if any. */
static tport_t *side_tp(struct sip_side *s)
{
	struct sip_binding *bd;
	char user[128];
	const char *u = strchr(s->ruri, ':'), *at = u ? strchr(u, '@') : NULL;

	if (s->tp || !s->restored || !at || at - u - 1 >= (long)sizeof(user))
		return s->tp;
	snprintf(user, sizeof(user), "%.*s", (int)(at - u - 1), u + 1);
	bd = sip_registrar_lookup(s->call->b->e->reg, user);
	return bd ? bd->tp : NULL;
}

static void send_bye(struct sip_side *s)
{
	nta_outgoing_t *o = nta_outgoing_tcreate(s->leg, NULL, NULL, NULL, SIP_METHOD_BYE, NULL,
						 NTATAG_TPORT(side_tp(s)), TAG_END());
	if (o)
		nta_outgoing_destroy(o);
}

/* --- in-dialog requests --- */

static int fwd_resp_cb(nta_outgoing_magic_t *m, nta_outgoing_t *orq, sip_t const *sip);

/* Sends f's request to side `to` with body sdp (rtpengine's) or else the body of sip; a
 * PRACK acknowledges the callee's reliable 18x. -1 when NTA refused it. */
static int fwd_send(struct sip_fwd *f, struct sip_side *to, const char *sdp, sip_t const *sip)
{
	struct sip_call *c = f->call;
	int contact = f->method == sip_method_invite || f->method == sip_method_update;
	const char *name = f->method == sip_method_invite   ? "INVITE"
			   : f->method == sip_method_update ? "UPDATE"
			   : sip && sip->sip_request        ? sip->sip_request->rq_method_name
							    : "PRACK";

	if (f->method == sip_method_prack)
		f->orq = nta_outgoing_prack(
		    to->leg, c->orq, fwd_resp_cb, (nta_outgoing_magic_t *)f, NULL, NULL,
		    NTATAG_RSEQ(f->pr ? f->pr->rseq : 0),
		    TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
		    TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)),
		    TAG_IF(!sdp && sip, SIPTAG_CONTENT_TYPE(sip ? sip->sip_content_type : NULL)),
		    TAG_IF(!sdp && sip, SIPTAG_PAYLOAD(sip ? sip->sip_payload : NULL)),
		    NTATAG_TPORT(side_tp(to)), TAG_END());
	else
		f->orq = nta_outgoing_tcreate(
		    to->leg, fwd_resp_cb, (nta_outgoing_magic_t *)f, NULL, f->method, name, NULL,
		    TAG_IF(contact, SIPTAG_CONTACT_STR(to->contact)),
		    TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
		    TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)),
		    TAG_IF(!sdp && sip, SIPTAG_CONTENT_TYPE(sip ? sip->sip_content_type : NULL)),
		    TAG_IF(!sdp && sip, SIPTAG_PAYLOAD(sip ? sip->sip_payload : NULL)),
		    NTATAG_TPORT(side_tp(to)), TAG_END());
	if (f->orq && c->ha_sent && f->method != sip_method_bye)
		sip_b2bua_ha_call(c, 1); /* the standby's copy follows the CSeqs of both legs */
	return f->orq ? 0 : -1;
}

static int fwd_resp_cb(nta_outgoing_magic_t *m, nta_outgoing_t *orq, sip_t const *sip)
{
	struct sip_fwd *f = (struct sip_fwd *)m;
	struct sip_call *c = f->call;
	int status = sip && sip->sip_status ? sip->sip_status->st_status : 408;

	if (status == 100)
		return 0;
	if (f->method == sip_method_invite && status >= 200 && status < 300)
		c->side[!f->from].invite_cseq = sip->sip_cseq->cs_seq;
	if (f->irq && status < 300 && has_sdp(c, sip) &&
	    media_start(c, MOP_FWD_RESP, !f->from, f->offer, sip, f)) {
		f->irq_held = status >= 200 && f->method != sip_method_invite;
	} else if (f->irq) {
		relay_response(f->irq, sip, status, &c->side[f->from], f->method);
	}
	if (status >= 200) {
		if (f->irq && f->method != sip_method_invite && !f->irq_held)
			nta_incoming_destroy(f->irq), f->irq = NULL;
		nta_outgoing_destroy(orq);
		f->orq = NULL;
		if (f->method == sip_method_bye)
			call_end(c, "BYE");
	}
	return 0;
}

/* ACK and CANCEL of an INVITE we answer (NTA hands them to the transaction). */
static int irq_fwd_cb(nta_incoming_magic_t *m, nta_incoming_t *irq, sip_t const *sip);

static int relay_in_dialog(struct sip_side *s, nta_incoming_t *irq, sip_t const *sip)
{
	struct sip_call *c = s->call;
	struct sip_side *o = other(s);
	sip_method_t m = sip->sip_request->rq_method;
	struct sip_fwd *f;

	if (m == sip_method_ack) {
		relay_ack(c, s->idx, sip);
		nta_incoming_destroy(irq);
		return 0;
	}
	if (c->ended || c->method != sip_method_invite)
		return 481;
	if (!(f = su_zalloc(c->home, sizeof(*f))))
		return 500;
	f->call = c, f->from = s->idx, f->irq = irq, f->method = m;
	f->next = c->fwds;
	c->fwds = f;
	if ((m == sip_method_invite || m == sip_method_update) && has_sdp(c, sip)) {
		/* an offer: the request goes on with rtpengine's SDP (media_done) */
		f->offer = 1;
		if (!media_start(c, MOP_FWD_REQ, s->idx, 0, sip, f)) {
			f->irq = NULL;
			return 503;
		}
		if (m == sip_method_invite)
			nta_incoming_bind(irq, irq_fwd_cb, (nta_incoming_magic_t *)f);
		return 0;
	}
	if (fwd_send(f, o, NULL, sip) < 0) {
		f->irq = NULL; /* NTA answers and frees it */
		return 500;
	}
	if (m == sip_method_invite)
		nta_incoming_bind(irq, irq_fwd_cb, (nta_incoming_magic_t *)f);
	return 0;
}

int sip_b2bua_leg_cb(nta_leg_magic_t *m, nta_leg_t *leg, nta_incoming_t *irq, sip_t const *sip)
{
	struct sip_side *s = (struct sip_side *)m;

	if (!sip || !sip->sip_request)
		return 400;
	return relay_in_dialog(s, irq, sip);
}

/* f is NULL for the initial INVITE (from side 0), else the re-INVITE relayed. */
static int irq_event(struct sip_call *c, struct sip_fwd *f, nta_incoming_t *irq, sip_t const *sip)
{
	int from = f ? f->from : 0;

	if (!sip || !sip->sip_request) {
		/* no ACK came for our 2xx */
		if (!f && c->answered && !c->ended) {
			send_bye(&c->side[1]);
			call_end(c, "no ACK from the caller");
		}
		return 0;
	}
	if (sip->sip_request->rq_method == sip_method_ack) {
		relay_ack(c, from, sip);
	} else if (sip->sip_request->rq_method == sip_method_cancel) {
		if (f && f->orq)
			nta_outgoing_cancel(f->orq);
		if (!f && !c->answered) {
			c->cancelled = 1;
			if (c->orq)
				nta_outgoing_cancel(c->orq);
			nta_incoming_treply(irq, SIP_487_REQUEST_TERMINATED, TAG_END());
			call_end(c, "cancelled by the caller");
		}
	}
	return 0;
}

static int irq_call_cb(nta_incoming_magic_t *m, nta_incoming_t *irq, sip_t const *sip)
{
	return irq_event((struct sip_call *)m, NULL, irq, sip);
}

static int irq_fwd_cb(nta_incoming_magic_t *m, nta_incoming_t *irq, sip_t const *sip)
{
	struct sip_fwd *f = (struct sip_fwd *)m;

	return irq_event(f->call, f, irq, sip);
}

/* --- reliable provisional responses (RFC 3262) --- */

/* The caller's PRACK of our reliable 18x: it goes on as our PRACK of the callee's 18x
 * (through rtpengine when it carries SDP), and the callee's answer to it comes back in
 * fwd_resp_cb. */
static int prack_cb(nta_reliable_magic_t *rm, nta_reliable_t *rel, nta_incoming_t *prq,
		    sip_t const *sip)
{
	struct sip_prack *pr = (struct sip_prack *)rm;
	struct sip_call *c = pr->c;
	struct sip_fwd *f;
	int sdp = has_sdp(c, sip);

	(void)rel;
	if (c->ended || !sip || !(f = su_zalloc(c->home, sizeof(*f))))
		return 200; /* nothing to relay it to: answered here */
	f->call = c, f->from = 0, f->irq = prq, f->method = sip_method_prack, f->pr = pr;
	f->offer = sdp && !pr->offer; /* a new offer in the PRACK: its 200 carries the answer */
	f->next = c->fwds;
	c->fwds = f;
	if (sdp ? media_start(c, MOP_FWD_REQ, 0, pr->offer, sip, f) != NULL
		: fwd_send(f, &c->side[1], NULL, sip) == 0)
		return 0;
	f->irq = NULL;
	nta_incoming_treply(prq, SIP_503_SERVICE_UNAVAILABLE, TAG_END());
	nta_incoming_destroy(prq);
	return 0;
}

/* PRACKs the callee's reliable 18x (RSeq rseq) here, when the caller will not. */
static void prack_here(struct sip_call *c, uint32_t rseq)
{
	nta_outgoing_t *o =
	    nta_outgoing_prack(c->side[1].leg, c->orq, NULL, NULL, NULL, NULL, NTATAG_RSEQ(rseq),
			       NTATAG_TPORT(c->side[1].tp), TAG_END());
	if (o)
		nta_outgoing_destroy(o);
}

/*
 * Relays the callee's reliable 18x (RSeq rseq) to the caller reliably, with sdp
 * (rtpengine's) or else the body of sip. When the caller did not offer 100rel, the 18x is
 * PRACKed here and relayed as an ordinary 18x.
 */
static void relay_reliable(struct sip_call *c, uint32_t rseq, int status, const char *phrase,
			   sip_t const *sip, const char *sdp)
{
	struct sip_prack *pr = su_zalloc(c->home, sizeof(*pr));

	if (pr) {
		pr->c = c, pr->rseq = rseq;
		pr->offer = !c->early_offer && (sdp || has_sdp(c, sip));
		if (nta_reliable_treply(
			c->irq, prack_cb, (nta_reliable_magic_t *)pr, status, phrase,
			SIPTAG_CONTACT_STR(c->side[0].contact),
			TAG_IF(sdp, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
			TAG_IF(sdp, SIPTAG_PAYLOAD_STR(sdp)),
			TAG_IF(!sdp && sip,
			       SIPTAG_CONTENT_TYPE(sip ? sip->sip_content_type : NULL)),
			TAG_IF(!sdp && sip, SIPTAG_PAYLOAD(sip ? sip->sip_payload : NULL)),
			TAG_END()))
			return; /* pr lives in the call's home */
		su_free(c->home, pr);
	}
	prack_here(c, rseq);
	if (sdp)
		reply_sdp(c->irq, status, phrase ? phrase : "", &c->side[0], c->method, sdp);
	else
		relay_response(c->irq, sip, status, &c->side[0], c->method);
}

/* --- the initial request --- */

static int send_initial(struct sip_call *c, sip_t const *sip);

/* The callee side failed before answering (TLS, transport, timeout): the next proxy of a
 * hot-swap set, else the caller gets 503 with a Reason naming the failure. */
static void call_fail(struct sip_call *c, int status, const char *phrase, const char *why)
{
	struct sip_engine *e = c->b->e;
	char reason[400];
	msg_t *req;

	sip_ctls_unwatch(e, c->wait);
	c->wait = NULL;
	if (c->dest.set >= 0)
		sip_proxy_result(e->proxy, c->dest.set, c->dest.ip, 0, why);
	if (c->orq)
		nta_outgoing_destroy(c->orq);
	c->orq = NULL;
	if (c->cancelled || c->ended || c->answered)
		return;
	if (c->dest.ip >= 0 && c->dest.ip < 32)
		c->tried |= 1u << c->dest.ip;
	if (!c->responded && sip_route_next(e, &c->dest, c->tried) == 0) {
		req = nta_incoming_getrequest(c->irq);
		sip_engine_event(e, LOG_WARNING, "sip: call %p: %s; trying %s", (void *)c, why,
				 c->dest.peer);
		tport_unref(c->side[1].tp);
		c->side[1].tp = tport_ref(c->dest.tp);
		if (req && send_initial(c, sip_object(req)) == 0) {
			msg_destroy(req);
			return;
		}
		msg_destroy(req);
	}
	snprintf(reason, sizeof(reason), "SIP;cause=%d;text=\"%s\"", status, why);
	nta_incoming_treply(c->irq, status, phrase, SIPTAG_REASON_STR(reason), TAG_END());
	call_end(c, why);
}

static void call_tls_fail(void *arg, const char *why)
{
	struct sip_call *c = arg;

	c->wait = NULL;
	call_fail(c, 503, "Service Unavailable", why);
}

static int invite_resp_cb(nta_outgoing_magic_t *m, nta_outgoing_t *orq, sip_t const *sip)
{
	struct sip_call *c = (struct sip_call *)m;
	struct sip_side *b = &c->side[1];
	int status = sip && sip->sip_status ? sip->sip_status->st_status : 408;
	int local = !sip || (sip->sip_flags & SIP_NTA_INTERNAL); /* not from the callee */
	char why[200];

	if (local && (status == 408 || status == 503) && !c->responded && !c->dest.to_user) {
		snprintf(why, sizeof(why), "%s",
			 status == 408            ? "no response (timeout)"
			 : sip && sip->sip_status ? sip->sip_status->st_phrase
						  : "transport error");
		call_fail(c, status, sip && sip->sip_status ? sip->sip_status->st_phrase : NULL,
			  why);
		return 0;
	}
	if (!c->responded) {
		c->responded = 1;
		sip_ctls_unwatch(c->b->e, c->wait);
		c->wait = NULL;
		if (c->dest.set >= 0)
			sip_proxy_result(c->b->e->proxy, c->dest.set, c->dest.ip, 1, NULL);
	}
	if (status == 100)
		return 0;
	if (status < 200) {
		struct media_op *op;
		uint32_t rseq = c->method == sip_method_invite && sip->sip_rseq && sip->sip_to &&
					sip->sip_to->a_tag
				    ? sip->sip_rseq->rs_response
				    : 0;
		if (sip->sip_to && sip->sip_to->a_tag)
			nta_leg_rtag(b->leg, sip->sip_to->a_tag);
		if (c->cancelled || c->ended)
			return 0;
		if (rseq) /* a reliable 18x: an early dialog, our PRACK goes to its Contact */
			nta_leg_client_route(b->leg, sip->sip_record_route, sip->sip_contact);
		if (has_sdp(c, sip) &&
		    (op = media_start(c, MOP_RESP, 1, c->early_offer, sip, NULL)))
			op->rseq = rseq;
		else if (rseq)
			relay_reliable(c, rseq, status, sip->sip_status->st_phrase, sip, NULL);
		else
			relay_response(c->irq, sip, status, &c->side[0], c->method);
		return 0;
	}
	if (status < 300 && c->method == sip_method_invite) {
		nta_leg_rtag(b->leg, sip->sip_to->a_tag);
		nta_leg_client_route(b->leg, sip->sip_record_route, sip->sip_contact);
		b->invite_cseq = sip->sip_cseq->cs_seq;
		if (c->cancelled || c->ended) {
			/* answered after the caller gave up */
			send_ack(b, NULL);
			send_bye(b);
			return 0;
		}
		if (!c->answered) {
			c->answered = 1;
			c->connected = time(NULL);
			sip_b2bua_ha_call(c, 1);
			if (!(has_sdp(c, sip) &&
			      media_start(c, MOP_RESP, 1, c->early_offer, sip, NULL)))
				relay_response(c->irq, sip, status, &c->side[0], c->method);
		} else if (b->acked_cseq == b->invite_cseq) {
			b->acked_cseq = 0; /* the callee repeats its 2xx: our ACK was lost */
			send_ack(b, NULL);
		}
		return 0;
	}
	if (!c->cancelled && !c->ended && !c->answered)
		relay_response(c->irq, sip, status, &c->side[0], c->method);
	if (c->method != sip_method_invite || status >= 300)
		call_end(c, status >= 300 ? "refused by the callee" : "message delivered");
	return 0;
}

/* ifc and p: the interface and transport of the side (NULL: those of tp). */
static int side_init(struct sip_side *s, struct sip_call *c, int idx, tport_t *tp,
		     struct sip_iface *ifc, int p)
{
	struct sip_engine *e = c->b->e;
	enum sip_proto tpp = SIP_PROTO_UDP;

	s->call = c;
	s->idx = idx;
	s->tp = tport_ref(tp);
	if (!ifc) {
		ifc = sip_iface_of_tport(e, tp, &tpp);
		p = tpp;
	}
	if (!ifc || p < 0 || p >= SIP_PROTO_N)
		return -1;
	/* our Contact on a transport the interface listens on */
	for (int k = 0; !ifc->port[p] && k < SIP_PROTO_N; k++)
		if (ifc->port[k])
			p = k;
	s->ifc = ifc;
	s->proto = p;
	sip_iface_contact(ifc, p, s->contact, sizeof(s->contact));
	return 0;
}

static int send_initial(struct sip_call *c, sip_t const *sip)
{
	struct sip_engine *e = c->b->e;
	struct sip_dest *d = &c->dest;
	int invite = c->method == sip_method_invite;
	/* 100rel toward the callee as the caller offered it (reliable 18x relayed end to end) */
	int req100 = invite && sip->sip_require && sip_has_feature(sip->sip_require, "100rel");
	int sup100 = invite && sip->sip_supported && sip_has_feature(sip->sip_supported, "100rel");

	snprintf(c->side[1].peer, sizeof(c->side[1].peer), "%s", d->peer);
	c->orq = nta_outgoing_tcreate(
	    c->side[1].leg, invite_resp_cb, (nta_outgoing_magic_t *)c,
	    d->next_hop[0] ? URL_STRING_MAKE(d->next_hop) : NULL, sip->sip_request->rq_method,
	    sip->sip_request->rq_method_name, URL_STRING_MAKE(d->ruri),
	    TAG_IF(invite, SIPTAG_CONTACT_STR(c->side[1].contact)),
	    TAG_IF(c->sdp_out1, SIPTAG_CONTENT_TYPE_STR("application/sdp")),
	    TAG_IF(c->sdp_out1, SIPTAG_PAYLOAD_STR(c->sdp_out1)),
	    TAG_IF(!c->sdp_out1, SIPTAG_CONTENT_TYPE(sip->sip_content_type)),
	    TAG_IF(!c->sdp_out1, SIPTAG_PAYLOAD(sip->sip_payload)),
	    TAG_IF(req100, SIPTAG_REQUIRE_STR("100rel")),
	    TAG_IF(sup100 && !req100, SIPTAG_SUPPORTED_STR("100rel")),
	    TAG_IF(d->tp, NTATAG_TPORT(d->tp)), TAG_END());
	if (!c->orq)
		return -1;
	if (!d->to_user && d->transport == SIP_PROTO_TLS)
		c->wait = sip_ctls_watch(e, d->tp, d->peer, d->expect, call_tls_fail, c);
	return 0;
}

int sip_b2bua_request(struct sip_b2bua *b, struct sip_iface *ifc, enum sip_proto p,
		      nta_incoming_t *irq, sip_t const *sip)
{
	struct sip_engine *e = b->e;
	struct sip_call *c;
	sip_from_t *from;
	tport_t *tp;
	char peer[80], why[300], reason[400];
	int invite = sip->sip_request->rq_method == sip_method_invite, rc;

	if (sip->sip_max_forwards && sip->sip_max_forwards->mf_count == 0)
		return 483;
	/* authentication and BlockUnRegUsers come before any routing (sip_identity.h) */
	if (sip_identity_request(e, ifc, p, irq, sip))
		return 0;
	if (!(c = calloc(1, sizeof(*c))) || !(c->home = su_home_new(sizeof(*c->home)))) {
		free(c);
		return 500;
	}
	sip_irq_peer(irq, peer, sizeof(peer));
	rc = sip_route_request(e, ifc, p, peer, sip, &c->dest, why, sizeof(why));
	if (rc == SIP_RT_DNS_PENDING) { /* the destination is being resolved: wait for it */
		rc = sip_route_defer(e, &c->dest, ifc, p, irq);
		su_home_unref(c->home);
		free(c);
		return rc;
	}
	if (rc) {
		su_home_unref(c->home);
		free(c);
		sip_engine_event(
		    e, LOG_INFO, "sip: %s from %s (%s) to %s refused %d: %s",
		    sip->sip_request->rq_method_name, peer,
		    sip->sip_from->a_url->url_user ? sip->sip_from->a_url->url_user : "?",
		    sip->sip_request->rq_url->url_user ? sip->sip_request->rq_url->url_user : "?",
		    rc, why);
		if (rc >= 500 && why[0]) {
			snprintf(reason, sizeof(reason), "SIP;cause=%d;text=\"%s\"", rc, why);
			nta_incoming_treply(irq, rc, NULL, SIPTAG_REASON_STR(reason), TAG_END());
			nta_incoming_destroy(irq);
			return 0;
		}
		return rc >= 300 && rc <= 699 ? rc : 500;
	}
	c->method = sip->sip_request->rq_method;
	c->start = time(NULL);
	sip_b2bua_call_link(b, c);
	tp = nta_incoming_transport(e->agent, irq, NULL);
	rc = side_init(&c->side[0], c, 0, tp, NULL, 0);
	tport_unref(tp);
	snprintf(c->side[0].peer, sizeof(c->side[0].peer), "%s", peer);
	snprintf(c->side[0].callid, sizeof(c->side[0].callid), "%s", sip->sip_call_id->i_id);
	snprintf(c->side[0].luri, sizeof(c->side[0].luri), URL_PRINT_FORMAT,
		 URL_PRINT_ARGS(sip->sip_to->a_url));
	snprintf(c->side[0].ruri, sizeof(c->side[0].ruri), URL_PRINT_FORMAT,
		 URL_PRINT_ARGS(sip->sip_from->a_url));
	snprintf(c->side[1].luri, sizeof(c->side[1].luri), "%s", c->side[0].ruri);
	snprintf(c->side[1].ruri, sizeof(c->side[1].ruri), "%s", c->side[0].luri);
	if (rc < 0 || !c->reaper ||
	    side_init(&c->side[1], c, 1, c->dest.tp, c->dest.to_user ? NULL : c->dest.ifc,
		      c->dest.transport) < 0)
		goto fail;
	if (invite) {
		c->side[0].leg = nta_leg_tcreate(
		    e->agent, sip_b2bua_leg_cb, (nta_leg_magic_t *)&c->side[0],
		    SIPTAG_CALL_ID(sip->sip_call_id), SIPTAG_FROM(sip->sip_to),
		    SIPTAG_TO(sip->sip_from), NTATAG_REMOTE_CSEQ(sip->sip_cseq->cs_seq), TAG_END());
		if (!c->side[0].leg || !nta_leg_tag(c->side[0].leg, NULL))
			goto fail;
		nta_incoming_tag(irq, nta_leg_get_tag(c->side[0].leg));
		nta_leg_server_route(c->side[0].leg, sip->sip_record_route, sip->sip_contact);
	}
	from = sip_from_dup(c->home, sip->sip_from);
	if (!from)
		goto fail;
	msg_params_remove((msg_param_t *)from->a_params, "tag");
	from->a_tag = NULL;
	{
		sip_call_id_t *cid = sip_call_id_create(c->home, NULL);
		if (!cid)
			goto fail;
		snprintf(c->side[1].callid, sizeof(c->side[1].callid), "%s", cid->i_id);
		c->side[1].leg = nta_leg_tcreate(
		    e->agent, sip_b2bua_leg_cb, (nta_leg_magic_t *)&c->side[1], SIPTAG_FROM(from),
		    SIPTAG_TO(sip_to_create(c->home, (url_string_t *)sip->sip_to->a_url)),
		    SIPTAG_CALL_ID(cid), TAG_END());
	}
	if (!c->side[1].leg || !nta_leg_tag(c->side[1].leg, NULL))
		goto fail;
	c->irq = irq;
	if (invite)
		sip_media_call_init(b->media, e->rt ? e->rt->media : NULL, &c->media,
				    c->side[0].callid, c->dest.src_group, c->dest.dst_group,
				    c->side[0].ifc ? (int)c->side[0].ifc->index : -1,
				    c->side[1].ifc ? (int)c->side[1].ifc->index : -1);
	if (invite && has_sdp(c, sip)) {
		/* the offer goes to the callee as rtpengine rewrites it (media_done) */
		c->early_offer = 1;
		if (!media_start(c, MOP_INITIAL, 0, 0, sip, NULL)) {
			c->irq = NULL;
			goto fail;
		}
	} else if (send_initial(c, sip) < 0) {
		c->irq = NULL;
		goto fail;
	}
	if (invite) {
		nta_incoming_bind(irq, irq_call_cb, (nta_incoming_magic_t *)c);
		nta_incoming_treply(irq, SIP_100_TRYING, TAG_END());
	}
	sip_engine_event(e, LOG_INFO,
			 "sip: %s from %s (%s, IP group '%s') to %s via %s (rule '%s') call %p",
			 sip->sip_request->rq_method_name,
			 sip->sip_from->a_url->url_user ? sip->sip_from->a_url->url_user : "?",
			 peer, c->dest.src_group, c->dest.ruri,
			 c->dest.peer[0] ? c->dest.peer : "-", c->dest.route_name, (void *)c);
	return 0;
fail:
	sip_b2bua_call_free(c);
	return 500;
}

/* --- rtpengine's answers --- */

/* The held message goes on with the SDP rtpengine wrote (or fails with err). */
static void media_done(void *arg, const char *sdp_in, size_t len, const char *err)
{
	struct media_op *op = arg;
	struct sip_call *c = op->c;
	struct sip_fwd *f = op->f;
	struct sip_side *to = &c->side[op->to];
	char *sdp = err ? NULL : su_strndup(c->home, sdp_in, len);
	char reason[300];
	msg_t *req;

	op->id = 0;
	if (!err && !sdp)
		err = "out of memory";
	if (err) {
		sip_engine_event(c->b->e, LOG_WARNING, "sip: call %p: media engine: %s", (void *)c,
				 err);
		snprintf(reason, sizeof(reason), "SIP;cause=503;text=\"media engine: %s\"", err);
	}
	switch (op->kind) {
	case MOP_INITIAL:
		if (c->cancelled || c->ended)
			return;
		if (!err) {
			c->sdp_out1 = sdp;
			req = nta_incoming_getrequest(c->irq);
			if (req && send_initial(c, sip_object(req)) == 0) {
				msg_destroy(req);
				return;
			}
			msg_destroy(req);
			snprintf(reason, sizeof(reason), "SIP;cause=500;text=\"request not sent\"");
		}
		nta_incoming_treply(c->irq, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_REASON_STR(reason),
				    TAG_END());
		call_end(c, err ? "media engine failed" : "request not sent");
		return;
	case MOP_RESP:
		if (c->ended || (c->cancelled && op->status < 200))
			return;
		if (!err && op->rseq) {
			relay_reliable(c, op->rseq, op->status, op->phrase, NULL, sdp);
			return;
		}
		if (!err) {
			reply_sdp(c->irq, op->status, op->phrase, to, c->method, sdp);
			return;
		}
		if (op->status < 200) {
			if (op->rseq)
				prack_here(c,
					   op->rseq); /* not relayed: the callee stops resending */
			return;                       /* the final answer follows */
		}
		send_ack(&c->side[1], NULL);
		send_bye(&c->side[1]);
		nta_incoming_treply(c->irq, SIP_503_SERVICE_UNAVAILABLE, SIPTAG_REASON_STR(reason),
				    TAG_END());
		call_end(c, "media engine failed");
		return;
	case MOP_ACK:
		send_ack_sdp(to, NULL, sdp);
		return;
	case MOP_FWD_REQ:
		if (!err && !c->ended && fwd_send(f, to, sdp, NULL) == 0)
			return;
		if (f->irq) {
			nta_incoming_treply(f->irq, SIP_503_SERVICE_UNAVAILABLE,
					    TAG_IF(err, SIPTAG_REASON_STR(reason)), TAG_END());
			if (f->method != sip_method_invite)
				nta_incoming_destroy(f->irq), f->irq = NULL;
		}
		return;
	case MOP_FWD_RESP:
		if (f->irq && !err)
			reply_sdp(f->irq, op->status, op->phrase, to, f->method, sdp);
		else if (f->irq && op->status >= 200)
			nta_incoming_treply(f->irq, SIP_503_SERVICE_UNAVAILABLE,
					    SIPTAG_REASON_STR(reason), TAG_END());
		if (f->irq && f->irq_held) {
			nta_incoming_destroy(f->irq);
			f->irq = NULL;
			f->irq_held = 0;
		}
		return;
	}
}

void sip_b2bua_tick(struct sip_b2bua *b)
{
	unsigned lost = 0;

	if (!b)
		return;
	sip_media_sync(b->media, b->e->rt ? b->e->rt->media : NULL);
	if (!sip_media_tick(b->media))
		return;
	for (struct sip_call *c = b->calls; c; c = c->next)
		if (c->method == sip_method_invite && !c->ended)
			lost += (unsigned)sip_media_check_lost(b->media, &c->media);
	sip_media_report_lost(b->media, lost);
}

/*
 * sip_b2bua_int: the B2BUA's call records, shared by its files (sip_b2bua.c: signalling;
 * sip_b2bua_status.c: the Calls table; sip_b2bua_ha.c: HA replication and restore).
 * Private to sbc/sip/sip_b2bua*.c; everything here runs on the SIP thread.
 */
#ifndef SBC_SIP_B2BUA_INT_H
#define SBC_SIP_B2BUA_INT_H

#include <time.h>

#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_media.h"

#define CALL_LINGER_MS 4000

struct sip_call;

struct sip_side {
	struct sip_call *call;
	int idx;
	nta_leg_t *leg;
	tport_t *tp; /* the connection (or UDP primary) towards this side's user */
	char contact[160];
	uint32_t invite_cseq; /* last INVITE we sent on this side, for its ACK */
	uint32_t acked_cseq;
	struct sip_iface *ifc;
	enum sip_proto proto;
	char peer[80];
	char callid[256];
	char luri[256], ruri[256]; /* the leg's local and remote URIs (HA replication) */
	int restored;              /* recreated from an HA record: tp NULL, the old one gone */
};

struct sip_call {
	struct sip_call *next, **pprev;
	struct sip_b2bua *b;
	su_home_t *home;
	struct sip_side side[2]; /* 0 caller, 1 callee */
	nta_incoming_t *irq;     /* the caller's initial request */
	nta_outgoing_t *orq;     /* our initial request to the callee */
	sip_method_t method;     /* INVITE, or MESSAGE (no dialog) */
	int answered, cancelled, ended;
	su_timer_t *reaper;
	struct sip_fwd *fwds;
	struct sip_dest dest;       /* where side 1 is */
	struct sip_ctls_wait *wait; /* TLS watch of the initial request */
	unsigned tried;             /* proxy addresses tried (bit per position) */
	int responded;              /* side 1 answered something */
	time_t start, connected;
	struct sip_media_call media; /* anchoring through rtpengine (sip_media.h) */
	struct media_op *mops;       /* SDP waiting for rtpengine */
	char *sdp_out1;              /* the initial INVITE's SDP as rewritten for side 1 */
	int early_offer;             /* the initial INVITE carried an offer */
	int ha_sent;                 /* replicated to the HA standby (sip_ha.h) */
};

/* A reliable 18x of the callee relayed reliably to the caller: the caller's PRACK of ours
 * becomes our PRACK of the callee's. */
struct sip_prack {
	struct sip_call *c;
	uint32_t rseq; /* RSeq of the callee's reliable 18x */
	int offer;     /* that 18x carried an offer: the PRACK carries the answer */
};

/* A message held until rtpengine has rewritten its SDP. */
enum mop_kind { MOP_INITIAL, MOP_RESP, MOP_ACK, MOP_FWD_REQ, MOP_FWD_RESP };

struct media_op {
	struct media_op *next;
	struct sip_call *c;
	unsigned id; /* 0 once answered */
	enum mop_kind kind;
	int to;     /* the side the rewritten SDP goes to */
	int status; /* MOP_RESP, MOP_FWD_RESP */
	char phrase[80];
	struct sip_fwd *f; /* MOP_FWD_* */
	uint32_t rseq;     /* MOP_RESP: RSeq of the callee's reliable 18x, else 0 */
};

/* An in-dialog request relayed from one side to the other. */
struct sip_fwd {
	struct sip_fwd *next;
	struct sip_call *call;
	int from;
	nta_incoming_t *irq;
	nta_outgoing_t *orq;
	sip_method_t method;
	int offer;            /* the request carried SDP: the response's SDP is an answer */
	int irq_held;         /* irq answered in media_done, freed there */
	struct sip_prack *pr; /* PRACK: the callee's 18x it acknowledges */
};

struct sip_b2bua {
	struct sip_engine *e;
	struct sip_call *calls;
	struct sip_media *media;
};

/* Adds c to b's calls (c->b set) with its reaper timer; the timer is NULL on no memory. */
void sip_b2bua_call_link(struct sip_b2bua *b, struct sip_call *c);
/* Frees a call and everything it holds (its legs, transactions, media operations). */
void sip_b2bua_call_free(struct sip_call *c);
/* NTA's callback for requests on a call's leg (magic: the struct sip_side). */
int sip_b2bua_leg_cb(nta_leg_magic_t *m, nta_leg_t *leg, nta_incoming_t *irq, sip_t const *sip);
/* The call's dialogs to the HA standby: up when established (and after each relayed
 * in-dialog request), gone when it ends. */
void sip_b2bua_ha_call(struct sip_call *c, int up);

#endif

/* sip_media: offer/answer/delete/query of anchored calls through rtpengine (see header). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/cols.h"
#include "conf/store.h"
#include "log/log.h"
#include "sbc/alarms.h"
#include "sbc/sip/sip_media.h"
#include "sbc/sip/sip_media_ng.h"

#define NG_MSG_MAX 20000

struct mc_group {
	char name[48];
	enum sip_media_sec sec;
	int anchor;
};

struct mc_sifc {
	int index;
	char realm[48];
};

struct sip_media_cfg {
	char engine[81];
	char default_realm[48];
	struct mc_group *groups;
	unsigned ngroups;
	struct mc_sifc *sifcs;
	unsigned nsifcs;
};

struct sip_media {
	su_root_t *root;
	struct sip_ng *ng;
	char engine[81];
	unsigned gen;         /* rtpengine restarts seen (all clients): sessions before are lost */
	unsigned ng_restarts; /* sip_ng_restarts of the current client, last seen */
	int lost_pending;     /* a call may have lost its session: count them at the next tick */
	char lost_src[120];   /* source of the raised mediaSessionLost alarm, "" when none */
	char msg[NG_MSG_MAX];
};

/* --- configuration --- */

struct sip_media_cfg *sip_media_cfg_build(const struct conf_store *st)
{
	struct sip_media_cfg *c = calloc(1, sizeof(*c));
	const struct conf_rows *g = conf_store_rows(st, &conf_tbl_ipgroup);
	const struct conf_rows *s = conf_store_rows(st, &conf_tbl_sipinterface);
	const struct conf_rows *mr = conf_store_rows(st, &conf_tbl_mediarealm);

	if (!c)
		return NULL;
	snprintf(c->engine, sizeof(c->engine), "%s",
		 conf_globals_str(st, GLOBALS_MEDIA_ENGINE_ADDRESS));
	for (unsigned i = 0; mr && i < mr->n; i++)
		if (conf_row_int(mr->row[i], MREALM_IS_DEFAULT) && !c->default_realm[0])
			snprintf(c->default_realm, sizeof(c->default_realm), "%s",
				 conf_row_str(mr->row[i], MREALM_NAME));
	c->groups = calloc(g && g->n ? g->n : 1, sizeof(*c->groups));
	c->sifcs = calloc(s && s->n ? s->n : 1, sizeof(*c->sifcs));
	if (!c->groups || !c->sifcs) {
		sip_media_cfg_free(c);
		return NULL;
	}
	for (unsigned i = 0; g && i < g->n; i++) {
		struct mc_group *mg = &c->groups[c->ngroups++];
		const char *pn = conf_row_str(g->row[i], IPGROUP_IP_PROFILE_NAME);
		const struct conf_row *p =
		    pn[0] ? conf_store_find_name(st, &conf_tbl_ipprofile, pn) : NULL;
		snprintf(mg->name, sizeof(mg->name), "%s", conf_row_str(g->row[i], IPGROUP_NAME));
		mg->sec =
		    p ? (enum sip_media_sec)conf_row_int(p, IPPROF_SBC_MEDIA_SECURITY_BEHAVIOUR)
		      : SIP_MSEC_AS_IS;
		mg->anchor = p ? (int)conf_row_int(p, IPPROF_SBC_MEDIA_ANCHORING) : 1;
	}
	for (unsigned i = 0; s && i < s->n; i++) {
		struct mc_sifc *ms = &c->sifcs[c->nsifcs++];
		const char *r = conf_row_str(s->row[i], SIPIF_MEDIA_REALM);
		ms->index = (int)s->row[i]->index;
		snprintf(ms->realm, sizeof(ms->realm), "%s", r[0] ? r : c->default_realm);
	}
	return c;
}

void sip_media_cfg_free(struct sip_media_cfg *c)
{
	if (!c)
		return;
	free(c->groups);
	free(c->sifcs);
	free(c);
}

static const struct mc_group *group_of(const struct sip_media_cfg *c, const char *name)
{
	for (unsigned i = 0; c && name && name[0] && i < c->ngroups; i++)
		if (strcasecmp(c->groups[i].name, name) == 0)
			return &c->groups[i];
	return NULL;
}

static const char *realm_of(const struct sip_media_cfg *c, int sifc)
{
	for (unsigned i = 0; c && i < c->nsifcs; i++)
		if (c->sifcs[i].index == sifc)
			return c->sifcs[i].realm;
	return c ? c->default_realm : "";
}

/* --- engine --- */

struct sip_media *sip_media_create(su_root_t *root)
{
	struct sip_media *m = calloc(1, sizeof(*m));

	if (m)
		m->root = root;
	return m;
}

void sip_media_destroy(struct sip_media *m)
{
	if (!m)
		return;
	sip_ng_destroy(m->ng);
	free(m);
}

void sip_media_sync(struct sip_media *m, const struct sip_media_cfg *cfg)
{
	const char *want = cfg ? cfg->engine : "";
	char err[200];

	if (strcmp(want, m->engine) == 0)
		return;
	if (m->ng)
		log_msg(LOG_NOTICE,
			"media: ng client to %s stopped (the calls rtpengine holds go on; their "
			"requests go to the new engine address)",
			m->engine);
	sip_ng_destroy(m->ng);
	m->ng = NULL;
	m->ng_restarts = 0;
	snprintf(m->engine, sizeof(m->engine), "%s", want);
	if (!want[0])
		return;
	if (!(m->ng = sip_ng_create(m->root, want, err, sizeof(err))))
		log_msg(LOG_ERR, "media: Globals MediaEngineAddress: %s", err);
	else
		log_msg(LOG_NOTICE, "media: media engine (rtpengine ng) at %s", want);
}

void sip_media_call_init(struct sip_media *m, const struct sip_media_cfg *cfg,
			 struct sip_media_call *mc, const char *callid, const char *group0,
			 const char *group1, int sifc0, int sifc1)
{
	const struct mc_group *g[2] = {group_of(cfg, group0), group_of(cfg, group1)};

	sip_media_sync(m, cfg);
	mc->m = m;
	snprintf(mc->callid, sizeof(mc->callid), "%s", callid);
	mc->offerer = -1;
	for (int i = 0; i < 2; i++) {
		mc->sec[i] = g[i] ? g[i]->sec : SIP_MSEC_AS_IS;
		snprintf(mc->realm[i], sizeof(mc->realm[i]), "%s",
			 realm_of(cfg, i ? sifc1 : sifc0));
	}
	/* a known-down engine leaves new calls unanchored (alarm mediaEngineDown says so) */
	mc->anchored =
	    m->ng && (!g[0] || g[0]->anchor) && (!g[1] || g[1]->anchor) && !sip_ng_down(m->ng);
}

static const char *const tags[2] = {"sbc-a", "sbc-b"};

/* Every SRTP suite rtpengine 10.5 offers but AES_CM_128_HMAC_SHA1_80 (RFC 4568's default). */
static const char *const other_suites[] = {
    "no-AEAD_AES_256_GCM",        "no-AEAD_AES_128_GCM",        "no-AES_256_CM_HMAC_SHA1_80",
    "no-AES_256_CM_HMAC_SHA1_32", "no-AES_192_CM_HMAC_SHA1_80", "no-AES_192_CM_HMAC_SHA1_32",
    "no-AES_CM_128_HMAC_SHA1_32", "no-F8_128_HMAC_SHA1_80",     "no-F8_128_HMAC_SHA1_32",
    "no-NULL_HMAC_SHA1_80",       "no-NULL_HMAC_SHA1_32",
};

struct sdp_op {
	struct sip_media_call *mc;
	int to;
	sip_media_cb *cb;
	void *arg;
};

/* Notes the SBC's media address and the security in the SDP sent to side `to`. */
static void note_sdp(struct sip_media_call *mc, int to, const char *sdp, size_t len)
{
	char addr[64] = "", proto[32] = "", line[256];
	unsigned port = 0;
	int crypto = 0;

	for (const char *p = sdp, *end = sdp + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		snprintf(line, sizeof(line), "%.*s", (int)(n < sizeof(line) ? n : sizeof(line) - 1),
			 p);
		line[strcspn(line, "\r")] = 0;
		if (!addr[0])
			sscanf(line, "c=IN IP%*1[46] %63s", addr);
		if (!port)
			sscanf(line, "m=audio %u %31s", &port, proto);
		if (strncmp(line, "a=crypto:", 9) == 0)
			crypto = 1;
		p = nl ? nl + 1 : end;
	}
	snprintf(mc->addr[to], sizeof(mc->addr[to]), "%s:%u", addr, port);
	mc->srtp[to] = strstr(proto, "SAVP") != NULL || crypto;
	/* rtpengine holds the session now, whatever happened to an earlier one */
	mc->gen = mc->m ? mc->m->gen : 0;
	mc->lost = 0;
}

static void sdp_reply(void *arg, const struct sip_benc *reply, const char *err)
{
	struct sdp_op *op = arg;
	const struct sip_benc *sdp = sip_benc_get(reply, "sdp");
	char why[200];

	if (reply && !sip_benc_is(sip_benc_get(reply, "result"), "ok")) {
		snprintf(why, sizeof(why), "rtpengine refused: ");
		sip_benc_cstr(sip_benc_get(reply, "error-reason"), why + strlen(why),
			      sizeof(why) - strlen(why));
		err = why;
	} else if (reply && (!sdp || sdp->type != SIP_BENC_STR)) {
		err = "rtpengine answered without an SDP";
	}
	if (err) {
		op->cb(op->arg, NULL, 0, err);
	} else {
		note_sdp(op->mc, op->to, sdp->s, sdp->len);
		op->cb(op->arg, sdp->s, sdp->len, NULL);
	}
	free(op);
}

unsigned sip_media_sdp(struct sip_media *m, struct sip_media_call *mc, int from, int answer,
		       const char *sdp, size_t len, sip_media_cb *cb, void *arg)
{
	struct sip_benc_buf b;
	struct sdp_op *op;
	int to = !from;
	unsigned id;

	if (!m->ng || !mc->anchored || mc->deleted)
		return 0;
	sip_benc_init(&b, m->msg, sizeof(m->msg));
	sip_benc_dict(&b);
	sip_benc_kv(&b, "command", answer ? "answer" : "offer");
	sip_benc_kv(&b, "call-id", mc->callid);
	sip_benc_kv(&b, "from-tag", tags[answer ? to : from]);
	if (answer)
		sip_benc_kv(&b, "to-tag", tags[from]);
	sip_benc_str(&b, "sdp");
	sip_benc_strn(&b, sdp, len);
	sip_benc_str(&b, "replace");
	sip_benc_list(&b);
	sip_benc_str(&b, "origin");
	sip_benc_str(&b, "session-connection");
	sip_benc_end(&b);
	sip_benc_kv(&b, "ICE", "remove");
	if (!answer) {
		/* toward `to`: SRTP (SDES) or RTP as its IP group's profile says */
		sip_benc_str(&b, "flags");
		sip_benc_list(&b);
		if (mc->sec[to] == SIP_MSEC_BOTH)
			sip_benc_str(&b, "OSRTP-offer");
		sip_benc_end(&b);
		if (mc->sec[to] == SIP_MSEC_SRTP)
			sip_benc_kv(&b, "transport-protocol", "RTP/SAVP");
		else if (mc->sec[to] == SIP_MSEC_RTP || mc->sec[to] == SIP_MSEC_BOTH)
			sip_benc_kv(&b, "transport-protocol", "RTP/AVP");
		if (mc->sec[to] == SIP_MSEC_SRTP || mc->sec[to] == SIP_MSEC_BOTH) {
			/* SDES with AES_CM_128_HMAC_SHA1_80 alone (rtpengine 10.5 has no "only-")
			 */
			sip_benc_str(&b, "SDES");
			sip_benc_list(&b);
			for (unsigned i = 0; i < sizeof(other_suites) / sizeof(other_suites[0]);
			     i++)
				sip_benc_str(&b, other_suites[i]);
			sip_benc_end(&b);
			sip_benc_kv(&b, "DTLS", "off");
		}
		/* realms map to rtpengine's named interfaces; one realm needs no direction */
		if (mc->realm[from][0] && mc->realm[to][0] &&
		    strcmp(mc->realm[from], mc->realm[to]) != 0) {
			sip_benc_str(&b, "direction");
			sip_benc_list(&b);
			sip_benc_str(&b, mc->realm[from]);
			sip_benc_str(&b, mc->realm[to]);
			sip_benc_end(&b);
		}
		mc->offerer = from;
	}
	sip_benc_end(&b);
	if (b.err || !(op = calloc(1, sizeof(*op))))
		return 0;
	op->mc = mc, op->to = to, op->cb = cb, op->arg = arg;
	if (!(id = sip_ng_send(m->ng, m->msg, b.len, sdp_reply, op)))
		free(op);
	return id;
}

void sip_media_cancel(struct sip_media *m, unsigned id)
{
	if (m && id)
		free(sip_ng_cancel(m->ng, id));
}

static void ignore_reply(void *arg, const struct sip_benc *reply, const char *err)
{
	(void)arg, (void)reply, (void)err;
}

void sip_media_delete(struct sip_media *m, struct sip_media_call *mc)
{
	struct sip_benc_buf b;

	if (!m->ng || !mc->anchored || mc->deleted)
		return;
	mc->deleted = 1;
	if (mc->qid)
		sip_ng_cancel(m->ng, mc->qid), mc->qid = 0;
	sip_benc_init(&b, m->msg, sizeof(m->msg));
	sip_benc_dict(&b);
	sip_benc_kv(&b, "command", "delete");
	sip_benc_kv(&b, "call-id", mc->callid);
	sip_benc_end(&b);
	if (!b.err)
		sip_ng_send(m->ng, m->msg, b.len, ignore_reply, NULL);
}

static void query_reply(void *arg, const struct sip_benc *reply, const char *err)
{
	struct sip_media_call *mc = arg;
	const struct sip_benc *t = sip_benc_get(reply, "totals");
	const struct sip_benc *rtp = sip_benc_get(sip_benc_get(t, "RTP"), "packets");

	mc->qid = 0;
	if (!reply)
		return;
	if (!sip_benc_is(sip_benc_get(reply, "result"), "ok")) {
		if (!mc->lost)
			log_msg(LOG_WARNING,
				"media: call %s: rtpengine no longer knows the media session "
				"(restarted?): its media is not relayed",
				mc->callid);
		mc->lost = 1;
		if (mc->m)
			mc->m->lost_pending = 1;
		return;
	}
	if (rtp && rtp->type == SIP_BENC_INT)
		mc->packets = rtp->i;
}

void sip_media_query(struct sip_media *m, struct sip_media_call *mc)
{
	struct sip_benc_buf b;

	if (!m || !m->ng || !mc->anchored || mc->deleted || mc->qid || mc->offerer < 0)
		return;
	sip_benc_init(&b, m->msg, sizeof(m->msg));
	sip_benc_dict(&b);
	sip_benc_kv(&b, "command", "query");
	sip_benc_kv(&b, "call-id", mc->callid);
	sip_benc_end(&b);
	if (!b.err)
		mc->qid = sip_ng_send(m->ng, m->msg, b.len, query_reply, mc);
}

void sip_media_forget(struct sip_media *m, struct sip_media_call *mc)
{
	if (m && mc->qid)
		sip_ng_cancel(m->ng, mc->qid);
	mc->qid = 0;
}

int sip_media_tick(struct sip_media *m)
{
	unsigned r = sip_ng_restarts(m ? m->ng : NULL);

	if (!m)
		return 0;
	if (r != m->ng_restarts) {
		m->ng_restarts = r;
		m->gen++;
		m->lost_pending = 1;
	}
	return m->lost_pending || m->lost_src[0];
}

int sip_media_check_lost(struct sip_media *m, struct sip_media_call *mc)
{
	if (!mc->anchored || mc->deleted || mc->offerer < 0)
		return 0;
	if (!mc->lost && mc->gen != m->gen) {
		mc->lost = 1;
		log_msg(LOG_WARNING,
			"media: call %s: rtpengine restarted and lost its media session: its media "
			"is not relayed until a re-INVITE anchors it again",
			mc->callid);
	}
	return mc->lost;
}

void sip_media_report_lost(struct sip_media *m, unsigned n)
{
	char text[300];

	m->lost_pending = 0;
	if (!n) {
		if (m->lost_src[0])
			alarm_set("mediaSessionLost", m->lost_src, ALARM_CLEARED, "");
		m->lost_src[0] = 0;
		return;
	}
	if (!m->lost_src[0])
		snprintf(m->lost_src, sizeof(m->lost_src), "media engine %s", m->engine);
	snprintf(text, sizeof(text),
		 "%u anchored call(s) lost their media session in rtpengine at %s (restarted): "
		 "their media is not relayed until a re-INVITE anchors it again",
		 n, m->engine);
	alarm_set("mediaSessionLost", m->lost_src, ALARM_MAJOR, text);
}

int sip_media_is_sdp(const char *ctype, size_t len)
{
	return len > 0 && (!ctype || strncasecmp(ctype, "application/sdp", 15) == 0);
}

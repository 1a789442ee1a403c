/*
 * sip_media: media anchoring of B2BUA calls through rtpengine (ng protocol).
 *
 * The B2BUA hands every SDP it relays to sip_media_sdp: an offer or an answer from one
 * side, rewritten by rtpengine for the other side so that it names only the SBC's media
 * address, with SRTP (SDES, RTP/SAVP, AES_CM_128_HMAC_SHA1_80) or RTP toward that side as
 * its IP group's IpProfile says (SBCMediaSecurityBehaviour). The answer comes later, on
 * the su_root loop. In rtpengine, a call is the caller's Call-ID; side 0 (the caller) is
 * monologue tag "sbc-a", side 1 "sbc-b", whichever side offers.
 *
 * Configuration (sip_media_cfg) is built with the routing copy (sip_rt_cfg_build) from
 * the global MediaEngineAddress, IpProfile, IPGroup IPProfileName, SIPInterface
 * MediaRealm and CpMediaRealm; the ng client follows the running MediaEngineAddress.
 */
#ifndef SBC_SIP_MEDIA_H
#define SBC_SIP_MEDIA_H

#include <stddef.h>

#include <sofia-sip/su_wait.h>

struct conf_store;
struct sip_media;
struct sip_media_cfg;

enum sip_media_sec { SIP_MSEC_AS_IS, SIP_MSEC_SRTP, SIP_MSEC_RTP, SIP_MSEC_BOTH };

/* What one call needs; zero it, then sip_media_call_init. */
struct sip_media_call {
	struct sip_media *m; /* set by sip_media_call_init */
	int anchored;
	enum sip_media_sec sec[2];
	char realm[2][48];
	char callid[256];
	int offerer;       /* side of the last offer, -1 before any */
	char addr[2][80];  /* SBC media "addr:port" in the last SDP sent to each side */
	int srtp[2];       /* that SDP is RTP/SAVP (or carries crypto lines) */
	long long packets; /* relayed both ways, from the last query */
	unsigned qid;      /* pending query, 0 for none */
	int lost;          /* rtpengine no longer knows the call (restarted) */
	unsigned gen;      /* the engine generation that holds the session (sip_media_tick) */
	int deleted;
};

struct sip_media_cfg *sip_media_cfg_build(const struct conf_store *st);
void sip_media_cfg_free(struct sip_media_cfg *c);

struct sip_media *sip_media_create(su_root_t *root);
void sip_media_destroy(struct sip_media *m);
/* The ng client follows cfg's engine address (created, moved or stopped). */
void sip_media_sync(struct sip_media *m, const struct sip_media_cfg *cfg);

/*
 * Decides whether a new call is anchored: an engine is configured and not known down,
 * and neither side's IP group profile turns anchoring off. group0/1 are the IP group
 * names of the sides (may be "" or "Any"), sifc0/1 their SIPInterface rows (-1: none).
 * Starts (or re-targets) the ng client when cfg names another engine.
 */
void sip_media_call_init(struct sip_media *m, const struct sip_media_cfg *cfg,
			 struct sip_media_call *mc, const char *callid, const char *group0,
			 const char *group1, int sifc0, int sifc1);

/* Result of sip_media_sdp: the SDP for the other side (valid during the call), or NULL
 * with err. */
typedef void sip_media_cb(void *arg, const char *sdp, size_t len, const char *err);

/*
 * An SDP from side `from`: an offer (answer 0) or the answer to the other side's offer.
 * Returns the request id to cancel with sip_media_cancel, or 0 when nothing was sent
 * (cb is then not called).
 */
unsigned sip_media_sdp(struct sip_media *m, struct sip_media_call *mc, int from, int answer,
		       const char *sdp, size_t len, sip_media_cb *cb, void *arg);
void sip_media_cancel(struct sip_media *m, unsigned id);
/* Deletes the call in rtpengine (once; no answer awaited). */
void sip_media_delete(struct sip_media *m, struct sip_media_call *mc);
/* Asks rtpengine for the call's counters; mc->packets follows when the answer comes (mc
 * must stay alive until then or sip_media_cancel(m, mc->qid)). */
void sip_media_query(struct sip_media *m, struct sip_media_call *mc);
/* Drops the pending query of mc (before mc is freed). */
void sip_media_forget(struct sip_media *m, struct sip_media_call *mc);
/*
 * Lost sessions (rtpengine restarted, sip_ng_restarts; or a query answered "unknown
 * call"). Each second the B2BUA calls sip_media_tick; when it returns 1, it passes every
 * live call to sip_media_check_lost (1: that call's session is lost, logged once per call)
 * and the count to sip_media_report_lost, which raises alarm mediaSessionLost (major) on
 * "media engine <addr>" while the count is not 0 and clears it after. A new offer
 * answered by rtpengine (a re-INVITE) anchors a lost call again.
 */
int sip_media_tick(struct sip_media *m);
int sip_media_check_lost(struct sip_media *m, struct sip_media_call *mc);
void sip_media_report_lost(struct sip_media *m, unsigned n);
/* 1 when an SDP body: content type application/sdp (or none given) and a non-empty body. */
int sip_media_is_sdp(const char *ctype, size_t len);

#endif

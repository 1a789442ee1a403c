/*
 * sip_media_ng: client of rtpengine's ng control protocol (bencoded dictionaries
 * over UDP, each datagram "<cookie> <dict>"), driven from the SIP engine's su_root:
 * nothing blocks. A request is retransmitted with the same cookie (rtpengine answers a
 * repeated cookie from its cache, so a retransmission is never applied twice) after
 * 0.5, 1 and 2 s, and fails after SIP_NG_TIMEOUT_MS.
 *
 * Health: a "statistics" request every SIP_NG_PING_MS; the engine is down from the first
 * request that times out until the next reply, with alarm mediaEngineDown (major) on
 * "media engine <addr>" meanwhile. The uptime in its replies tells a restart of rtpengine
 * (all its sessions lost) from a pause: sip_ng_restarts counts them (logged). Everything
 * runs on the su_root thread.
 */
#ifndef SBC_SIP_MEDIA_NG_H
#define SBC_SIP_MEDIA_NG_H

#include <stddef.h>

#include <sofia-sip/su_wait.h>

#include "sbc/sip/sip_media_benc.h"

#define SIP_NG_TIMEOUT_MS       3500
#define SIP_NG_PING_MS          5000
#define SIP_NG_MAX_MSG          65000
#define SIP_NG_RESTART_SLACK_MS 3000

struct sip_ng;

/*
 * A reply: the dictionary (valid during the call only), or NULL with err saying why
 * (timeout, unparsable reply). A reply whose "result" is "error" comes as the
 * dictionary: the caller reads "error-reason".
 */
typedef void sip_ng_cb(void *arg, const struct sip_benc *reply, const char *err);

/* addr "host:port" (IPv4 or [IPv6]). NULL with err on a bad address or no socket. */
struct sip_ng *sip_ng_create(su_root_t *root, const char *addr, char *err, size_t errlen);
/* Pending requests are dropped without their callbacks; the alarm is cleared. */
void sip_ng_destroy(struct sip_ng *ng);
/*
 * Sends dict (a bencoded dictionary, copied). cb is called exactly once, later (never
 * from inside this call), unless sip_ng_cancel(id) comes first. Returns the request id
 * (> 0), or 0 when it could not be queued (cb is then not called).
 */
unsigned sip_ng_send(struct sip_ng *ng, const char *dict, size_t len, sip_ng_cb *cb, void *arg);
/* The callback of request id will not be called; returns its arg (for the caller to
 * free), or NULL when id is unknown. */
void *sip_ng_cancel(struct sip_ng *ng, unsigned id);
/* 1 while the engine answers; 0 after a timeout until its next reply. */
int sip_ng_up(const struct sip_ng *ng);
/* 1 after a timeout until the next reply (0 also before the first reply or timeout). */
int sip_ng_down(const struct sip_ng *ng);
const char *sip_ng_addr(const struct sip_ng *ng);
/* Restarts of rtpengine seen since creation (its start time moved by more than
 * SIP_NG_RESTART_SLACK_MS between two health replies). */
unsigned sip_ng_restarts(const struct sip_ng *ng);
/* Requests sent, replies received, timeouts (since creation). */
void sip_ng_counters(const struct sip_ng *ng, unsigned long long *sent, unsigned long long *replies,
		     unsigned long long *timeouts);

#endif

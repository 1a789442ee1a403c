/*
 * sip_ha: the SIP engine's side of HA replication (doc/HA.md): registrations
 * (with their certificate identity) leave the active as text records and are
 * applied on the box that becomes active.
 *
 * A record is one line of tab-separated fields, its key the first three:
 *   B <user> <contact> <aor> <interface index> <proto> <peer> <subject> <issuer>
 *     <authentication> <identity check> <expiry, unix time>
 * The registrar calls sip_ha_binding at every binding added, refreshed or
 * removed; the sink (sbcd's HA module) keeps and sends them. The engine holds
 * no HA state: with no sink set, the calls do nothing.
 */
#ifndef SBC_SIP_HA_H
#define SBC_SIP_HA_H

#include <stddef.h>

struct sip_engine;
struct sip_binding;

/* key: "B\t<user>\t<contact>"; record: the whole line, NULL when the binding is gone. */
typedef void sip_ha_sink_fn(void *arg, const char *key, const char *record);
void sip_ha_set_sink(sip_ha_sink_fn *fn, void *arg);

/* Registrar: binding b added or refreshed (up 1), or removed (up 0). */
void sip_ha_binding(struct sip_engine *e, const struct sip_binding *b, int up);

/*
 * On the box becoming active, with its engine just created: applies the records
 * (lines) that are still valid. Bindings get no connection: each waits for its
 * user to register again over a new one, and stays until it expires. Returns how
 * many were applied.
 */
unsigned sip_ha_apply(struct sip_engine *e, const char *records, size_t len);

/*
 * Established calls (dialogs): one "D" record per call, keyed by side 0's Call-ID
 * and our tag toward side 0, written when the call is established (the callee's
 * 2xx) and removed when it ends. The record starts with its key
 * "D <side 0 Call-ID> <our tag toward side 0>", then for side 0 and side 1:
 *   <call-id> <local URI> <local tag> <remote URI> <remote tag> <local CSeq>
 *   <remote CSeq> <remote target> <route set> <interface index> <proto> <peer>
 * then the rtpengine call-id (empty when not anchored), the call's start and
 * connect times (unix). Route sets are "<uri>,<uri>" as in a Route header.
 */
struct sip_ha_leg {
	const char *callid, *local_uri, *local_tag, *remote_uri, *remote_tag;
	unsigned long local_cseq, remote_cseq;
	const char *target, *route;
	unsigned ifc;
	int proto;
	const char *peer;
};

struct sip_ha_call {
	struct sip_ha_leg leg[2]; /* 0 caller, 1 callee */
	const char *media_callid;
	long long start, connected;
};

#define SIP_HA_LEG_FIELDS  12
#define SIP_HA_CALL_FIELDS (3 + 2 * SIP_HA_LEG_FIELDS + 3)

/* Hands key/record (NULL: gone) to the sink, if any. */
void sip_ha_put(const char *key, const char *record);

/* B2BUA: call hc established (up 1) or ended (up 0). */
void sip_ha_dialog(const struct sip_ha_call *hc, int up);

/* Formats the record of hc into rec (key into key); returns -1 when it does not fit. */
int sip_ha_dialog_format(const struct sip_ha_call *hc, char *key, size_t klen, char *rec,
			 size_t rlen);

/* Parses one D record in place (line is cut at tabs; hc points into it); -1 if malformed. */
int sip_ha_dialog_parse(char *line, struct sip_ha_call *hc);

#endif

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

#endif

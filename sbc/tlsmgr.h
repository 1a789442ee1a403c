/*
 * tlsmgr: sbcd's side of TLS contexts: the material directories on flash,
 * default material, expiry alarms and the TLS status tables.
 *
 *  - tlsmgr_boot: logs a private key that others may read (the engine then
 *    refuses that context: its listeners are down with an alarm); makes
 *    sure context 0 and every context a SIP interface or proxy set uses has a
 *    key and a certificate (a fresh self-signed one, RSA of TLSPkeySize bits,
 *    when it has none; failing that, alarm tlsContextDown);
 *    checks expiry. Returns -1 when something is down, but boot goes on.
 *  - tlsmgr_ensure: the same "first use" generation for one context; a
 *    context that has a key or a certificate is left as it is.
 *  - tlsmgr_committed: after a configuration change, removes the material of
 *    deleted contexts and rechecks expiry.
 *  - tlsmgr_check_expiry: raises, changes or clears the certificateExpiry
 *    alarm of every context (TLSExpiryCheckStart; minor, major, critical).
 *    Run at boot, after every material change, and every TLSExpiryCheckPeriod days.
 */
#ifndef SBC_TLSMGR_H
#define SBC_TLSMGR_H

#include <stddef.h>

struct sbcd;
struct conf_store;

/* The path <flash>/tls/<idx>; the _make form also creates it (0700). -1 on failure. */
int tlsmgr_ctxdir(const struct sbcd *s, unsigned idx, char *buf, size_t len);
int tlsmgr_ctxdir_make(const struct sbcd *s, unsigned idx, char *buf, size_t len);
int tlsmgr_boot(struct sbcd *s);
int tlsmgr_check_boot(const char *flashdir, const struct conf_store *st);
int tlsmgr_ensure(struct sbcd *s, unsigned idx, char *err, size_t errlen);
void tlsmgr_committed(struct sbcd *s, const struct conf_store *old);
void tlsmgr_check_expiry(struct sbcd *s);
/* Material of context idx changed: recheck expiry, tell the SIP engine. */
void tlsmgr_changed(struct sbcd *s, unsigned idx);
void tlsmgr_status(struct sbcd *s, struct conf_store *st);
void tlsmgr_stop(struct sbcd *s);

#endif

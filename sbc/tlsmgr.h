/*
 * tlsmgr: sbcd's side of TLS contexts: the running material, default
 * material, expiry alarms and the TLS status tables.
 *
 * The running material (<rundir>/running/tls/<N>/, tlsmgr_root) is what every
 * reader uses: this module, the SIP engine, sbc-web (context 0). Boot copies
 * it from the flash generation it booted; imports, generation and context
 * deletions change only it; a save (flash_save) writes it to flash.
 *
 *  - tlsmgr_boot: logs a private key on flash that others may read (the engine
 *    then refuses that context: its listeners are down with an alarm); makes
 *    the running material from src (the booted flash generation); makes
 *    sure context 0 and every context a SIP interface or proxy set uses has a
 *    key and a certificate (a fresh self-signed one, RSA of TLSPkeySize bits,
 *    when it has none: that first material is also kept on flash at src, so a
 *    reset keeps the key; failing that, alarm tlsContextDown); checks expiry.
 *    Returns -1 when something is down, but boot goes on.
 *  - tlsmgr_ensure: the same "first use" generation for one context (running
 *    material only); a context that has a key or a certificate is left as it is.
 *  - tlsmgr_committed: after a configuration change, removes the running (and
 *    staged) material of deleted contexts and rechecks expiry. The flash keeps
 *    it until the next save.
 *  - tlsmgr_check_expiry: raises, changes or clears the certificateExpiry
 *    alarm of every context (TLSExpiryCheckStart; minor, major, critical).
 *    Run at boot, after every material change, and every TLSExpiryCheckPeriod days.
 */
#ifndef SBC_TLSMGR_H
#define SBC_TLSMGR_H

#include <stddef.h>

struct sbcd;
struct conf_store;

/* The running material's root: <rundir>/running (it holds tls/<N>/); a static buffer. */
const char *tlsmgr_root(const struct sbcd *s);
/* The path <root>/tls/<idx>; the _make form also creates it (0700). -1 on failure. */
int tlsmgr_ctxdir(const struct sbcd *s, unsigned idx, char *buf, size_t len);
int tlsmgr_ctxdir_make(const struct sbcd *s, unsigned idx, char *buf, size_t len);
/* A staged key awaiting its certificate (ctl_tls.c): <rundir>/pending/<idx>; never read by the
 * engine. */
int tlsmgr_pending_dir(const struct sbcd *s, unsigned idx, char *buf, size_t len);
int tlsmgr_boot(struct sbcd *s, const char *src);
int tlsmgr_check_boot(const char *flashdir, const struct conf_store *st);
int tlsmgr_ensure(struct sbcd *s, unsigned idx, char *err, size_t errlen);
void tlsmgr_committed(struct sbcd *s, const struct conf_store *old);
void tlsmgr_check_expiry(struct sbcd *s);
/* Material of context idx changed: recheck expiry, tell the SIP engine. */
void tlsmgr_changed(struct sbcd *s, unsigned idx);
void tlsmgr_status(struct sbcd *s, struct conf_store *st);
void tlsmgr_stop(struct sbcd *s);

#endif

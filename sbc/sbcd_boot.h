/*
 * sbcd_boot: bringing sbcd up from flash and down again.
 *  sbcd_boot       loads the flash (refusing to start on any error, each
 *                  printed with file and line), makes the running and active
 *                  stores, prepares TLS material, starts the control socket
 *                  and the SIP engine.
 *  sbcd_boot_check the same checks without starting anything (sbcd -n).
 */
#ifndef SBC_SBCD_BOOT_H
#define SBC_SBCD_BOOT_H

#include <stddef.h>

struct sbcd;

int sbcd_boot(struct sbcd *s);
void sbcd_shutdown(struct sbcd *s);
int sbcd_boot_check(const char *flashdir);
/* The SIP engine on s->active (boot, or HA becoming active), and its end (HA standby). */
int sbcd_sip_start(struct sbcd *s, char *err, size_t errlen);
void sbcd_sip_stop(struct sbcd *s);

#endif

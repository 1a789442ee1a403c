/*
 * ha: the 1+1 pair (doc/HA.md). keepalived (VRRP) owns the virtual address
 * and decides who is MASTER; sbcd follows it and tells it its health.
 *
 *  - keepalived -> sbcd: keepalived's notify_fifo <rundir>/ha.fifo (lines
 *    'INSTANCE "VI_1" MASTER 100'), or the control verb HA MASTER|BACKUP|FAULT.
 *    MASTER starts the SIP engine (listeners on the virtual address); BACKUP
 *    and FAULT stop it, so the standby listens on nothing but its management
 *    and the synchronisation channel.
 *  - sbcd -> keepalived: <rundir>/ha-health, rewritten every second: "up PID"
 *    when this box can serve its role (active: every SIP interface listening),
 *    "down PID reason" otherwise; packaging/ha/sbc-ha-check (track_script) also
 *    fails when PID is gone or the file is stale.
 *  - configuration: every save on the active raises the sync generation
 *    (<flash>/ha-generation) and sends board.ini and the TLS material to the
 *    peer over mutual TLS (context HASyncTLSContext, port HASyncPort); the
 *    standby installs it as a save of its own, keeping its box-local HA globals
 *    and the sync context's material. A box never installs a generation that
 *    is not newer than its own, and an active box never installs anything.
 *
 * Everything here runs on sbcd's loop thread except the channel's I/O
 * (ha_sync.c threads), which hands results back through a pipe.
 */
#ifndef SBC_HA_H
#define SBC_HA_H

#include <stddef.h>

struct sbcd;
struct conf_store;
struct ctl_session;

enum ha_role { HA_DISABLED = 1, HA_ACTIVE = 2, HA_STANDBY = 3, HA_FAULT = 4, HA_INIT = 5 };

/*
 * Boot: with HAEnable 1 (since boot), sets up the FIFO, the health file, the
 * sync listener and the role init (no SIP engine until MASTER). Returns 1 when HA
 * is on (the caller then does not start the SIP engine), 0 when off, -1 with
 * the reason in err.
 */
int ha_start(struct sbcd *s, char *err, size_t errlen);
void ha_stop(struct sbcd *s);

/* The role now (HA_DISABLED when HA is off). */
enum ha_role ha_role(const struct sbcd *s);

/*
 * Control verbs that change the configuration (LOAD, SAVE, RESTORE, TLS
 * changes) call this first: NULL when allowed, else the refusal text naming
 * the active peer (a static buffer).
 */
const char *ha_refusal(const struct sbcd *s, const char *verb, const char *op);

/* After a successful SAVE: raises the generation and sends it to the peer. */
void ha_saved(struct sbcd *s);

/* HA [MASTER|BACKUP|FAULT|STATUS]: the control verb (admin to change the role). */
char *ha_verb(struct sbcd *s, struct ctl_session *cs, int argc, char **argv, size_t *rlen);

/* Fills the HAStatus status table. */
void ha_status(struct sbcd *s, struct conf_store *st);

#endif

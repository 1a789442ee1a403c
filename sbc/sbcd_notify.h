/*
 * sbcd_notify: the systemd notification protocol (sd_notify(3)) without
 * libsystemd. When $NOTIFY_SOCKET is set (a path, or "@name" for an abstract
 * socket), sbcd sends READY=1 once its control socket and SIP listeners are up,
 * STOPPING=1 when it stops, and, when $WATCHDOG_USEC is set (and
 * $WATCHDOG_PID, if set, is our pid), WATCHDOG=1 from a timer on the event
 * loop at half the watchdog period, so a stalled loop stops the pings and
 * systemd restarts sbcd. Without $NOTIFY_SOCKET every call does nothing.
 */
#ifndef SBC_SBCD_NOTIFY_H
#define SBC_SBCD_NOTIFY_H

#include <sofia-sip/su_wait.h>

/* Sends one datagram of "KEY=VALUE\n..." text. 0 when sent or not under systemd, -1 on error. */
int sbcd_notify(const char *state);
/* Starts the watchdog pings on root when systemd asked for them. 0, or -1 on error. */
int sbcd_notify_watchdog_start(su_root_t *root);
void sbcd_notify_watchdog_stop(void);

#endif

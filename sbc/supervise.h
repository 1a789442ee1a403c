/*
 * supervise: sbcd starts its helper processes (sbc-web, sbc-snmp-agent, and rtpengine
 * when MediaEngineStart is set) and
 * restarts them when they exit, with a growing delay (1 s doubling to 30 s,
 * back to 1 s after a minute of good running). Programs are looked up beside
 * the sbcd executable. Stopping sends SIGTERM, then SIGKILL after 2 s.
 * A child that exits twice in a row within 10 s of its start (sbc-web whose
 * port is taken, say) raises alarm processDown on "process <name>"; it
 * clears once the child has run 10 s.
 */
#ifndef SBC_SUPERVISE_H
#define SBC_SUPERVISE_H

struct sbcd;

/* Starts what the active configuration asks for; logs and goes on when a program is absent. */
void supervise_start(struct sbcd *s);
void supervise_stop(struct sbcd *s);
/* Stops a child so that it starts again at once with fresh settings (sbc-web after a change
 * of TLS context 0). */
void supervise_restart(const char *name);
/* One line per child: "name pid restarts" (for INFO). */
int supervise_describe(char *buf, unsigned len);

#endif

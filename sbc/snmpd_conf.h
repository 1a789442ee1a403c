/*
 * snmpd_conf: the snmpd master's include file, made from SNMPUsers,
 * SNMPTrapDestinations and the [SNMP Params] globals (doc/SNMP.md).
 *
 * The file (sbcd --snmpd-include, in a directory the master reads with
 * includeDir) holds createUser, rouser/rwuser, rocommunity/rwcommunity and
 * trapsess lines. After a change sbcd sends SIGHUP to the snmpd named by
 * --snmpd-pidfile; snmpd then reads its configuration again without a
 * restart. Where the file goes is the deployment's choice, not an operator's
 * setting: no view can make sbcd write elsewhere. createUser lines are consumed into snmpd's
 * persistent storage, where a user outlives its line: a user deleted from SNMPUsers stays in the
 * file as a tombstone (a createUser with random keys nobody knows and no
 * access), so its old keys stop working at once and after restarts of snmpd.
 *
 * Runs on sbcd's event loop only (one staged file at a time).
 */
#ifndef SBC_SNMPD_CONF_H
#define SBC_SNMPD_CONF_H

#include <stddef.h>

struct conf_store;
struct conf_diag;

/*
 * The file and the master's pid file (either may be NULL: none). -1 with err
 * when include is not an absolute path ending in .conf or pidfile not absolute.
 */
int snmpd_conf_init(const char *include, const char *pidfile, char *err, size_t errlen);

/* First line of every file sbcd writes: a file without it is never replaced. */
#define SNMPD_CONF_HEADER "# sbc-snmpd: written by sbcd"

/*
 * The text of the include file for st; old is the current file (or NULL),
 * whose user names become tombstones when st no longer has them. Returns a
 * malloc'd string, or NULL on out of memory.
 */
char *snmpd_conf_render(const struct conf_store *st, const char *old);

/*
 * Commit hooks (sbc/sbcd_commit.c): prepare renders cand's file and, when it
 * differs from the file in place, writes it beside it (PATH.new, mode 0640);
 * -1 with an error in d naming the file when it cannot be written or is not
 * sbcd's own. apply puts the staged file in place and signals the master (a
 * failure to signal is logged: the file is in place for its next start);
 * abort removes the staged file.
 */
int snmpd_conf_prepare(const struct conf_store *cand, struct conf_diag *d);
void snmpd_conf_apply(const struct conf_store *now);
void snmpd_conf_abort(void);

/* At boot: makes the file match the flash's configuration (logs a failure). */
void snmpd_conf_boot(const struct conf_store *st);

#endif

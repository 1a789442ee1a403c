/*
 * sbcd: the daemon's state. sbcd alone owns the running configuration, the
 * flash and the SIP/TLS engine; front ends reach it only through the control
 * socket (ctl_server.c, ctl_verbs.c).
 */
#ifndef SBC_SBCD_H
#define SBC_SBCD_H

#include <limits.h>
#include <time.h>
#include <sofia-sip/su_wait.h>

#include "conf/store.h"

struct sip_engine;
struct ctl_server;

struct sbcd {
	su_root_t *root;
	struct conf_store *running; /* what every view reads and edits */
	struct conf_store *active;  /* what reset-required settings run with, since boot */
	char flashdir[PATH_MAX];
	char rundir[PATH_MAX];
	char sockpath[PATH_MAX];
	struct sip_engine *sip;
	struct ctl_server *ctl;
	time_t started;
	int foreground;      /* logging to stderr too; children log to syslog otherwise */
	int reset_requested; /* re-execute from flash once the reply is sent */
	int stop_requested;
	unsigned long changes; /* committed transactions since boot */
	unsigned long saves;
	unsigned long edits;       /* commits and TLS material changes since boot */
	unsigned long edits_saved; /* edits at the last save: INFO's unsaved is the difference */
};

/*
 * Commits a candidate as the new running configuration, in phases
 * (conf/txn.h): validate, prepare (TLS material, web server, SIP engine; each
 * may refuse), then apply the live (non reset-required) changes, or abort.
 * Takes ownership of candidate. Returns 0 (the old store is freed), or -1 with
 * the errors in d and nothing changed: not the running store, not a consumer.
 */
struct conf_diag;
int sbcd_commit(struct sbcd *s, struct conf_store *candidate, struct conf_diag *d);
/*
 * The same with the pure part precomputed for candidate on a worker
 * (conf_txn_precompute); the old store is handed back in *oldp when oldp is
 * not NULL (conf_txn_commit_pre).
 */
struct conf_txn_pre;
int sbcd_commit_pre(struct sbcd *s, struct conf_store *candidate, struct conf_txn_pre *p,
		    struct conf_store **oldp, struct conf_diag *d);

/* Registers sbcd's consumers of commits (sbcd_commit.c); sbcd_boot calls it. */
void sbcd_consumers_register(struct sbcd *s);

/* The status tables, live, as a store (caller frees). */
struct conf_store *sbcd_status(struct sbcd *s);
/* The same, but the Registrations rows are left to sip_reg_snap_fill(*later, store), to be
 * run off the loop (sip_engine_status_split); *later is NULL when nothing is left. */
struct sip_reg_snap;
struct conf_store *sbcd_status_split(struct sbcd *s, struct sip_reg_snap **later);

#endif

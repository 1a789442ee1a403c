/*
 * sbc-snmp-agent: an AgentX subagent of snmpd serving SBC-MIB, and a client of
 * sbcd's control socket. It holds no configuration of its own: reads come
 * from a short-lived cache of EXPORT / STATUS / INFO, writes go through the
 * same incremental-INI transaction path as every other view (LOAD).
 *
 * Everything runs on one thread, in Net-SNMP's event loop.
 */
#ifndef SNMP_AGENT_AGENT_H
#define SNMP_AGENT_AGENT_H

#include <stddef.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "conf/store.h"
#include "snmp-agent/agent_layout.h"

#define AGENT_OID_MAX 24

/* The root of the MIB, enterprises.AGENT_ARC_BELOW_ENTERPRISES. */
extern const oid agent_root[];
extern const size_t agent_root_len;

/* --- control connection (agent_model.c) --- */

/* Sets the socket path; the connection is opened on first use (closed when the path changes). */
void agent_ctl_init(const char *path);
/*
 * One request to sbcd, reconnecting once if the connection was lost (sbcd
 * restarted). Returns 0 for OK, 1 for ERR (errors in *reply), -1 when sbcd
 * cannot be reached. *reply is malloc'd and NUL-terminated.
 */
int agent_ctl_call(const char *verb, const char *body, size_t blen, char **reply, size_t *rlen);

/* --- the data served: sbcd's state plus rows waiting in createAndWait --- */

/* A row created with createAndWait: kept by the agent until set active. */
struct agent_pending {
	struct agent_pending *next;
	const struct conf_table *t;
	unsigned index;
	char **val; /* one per column, text form; NULL: the default */
	time_t created;
};

enum agent_var_kind { AGENT_V_COL, AGENT_V_ROWSTATUS, AGENT_V_DEV };

/* One instance the agent answers for, in OID order. */
struct agent_var {
	oid name[AGENT_OID_MAX];
	size_t len;
	enum agent_var_kind kind;
	const struct conf_table *t;
	int col;                    /* AGENT_V_COL: schema column */
	const struct conf_row *row; /* or NULL for a pending row */
	struct agent_pending *pend; /* pending row, else NULL */
	unsigned dev;               /* AGENT_V_DEV: enum agent_dev */
};

struct agent_model {
	struct conf_store *st; /* configuration + status rows; NULL when sbcd is unreachable */
	char version[64];
	long uptime;
	unsigned long changes, saves, pending;
	struct agent_var *vars;
	size_t nvars;
};

/* Cache lifetime of the model, in milliseconds (default 1000). */
void agent_model_set_ttl(unsigned ms);
/* The current model, fetched again when older than the TTL or when force. Never NULL. */
const struct agent_model *agent_model_get(int force);
/* Forget the cache: the next read fetches. */
void agent_model_invalidate(void);
/* Frees the model and the waiting rows and closes the control connection (module unload). */
void agent_model_free(void);
/* Parses an INFO reply into m (version, uptime, counters). */
void agent_info_parse(const char *text, struct agent_model *m);
/* First instance whose OID is > name (or >= when inclusive); NULL past the end. */
const struct agent_var *agent_model_next(const struct agent_model *m, const oid *name, size_t len,
					 int inclusive);
const struct agent_var *agent_model_find(const struct agent_model *m, const oid *name, size_t len);

struct agent_pending *agent_pending_find(const struct conf_table *t, unsigned index);
struct agent_pending *agent_pending_add(const struct conf_table *t, unsigned index);
void agent_pending_drop(struct agent_pending *p);
/* RowStatus of a pending row: notReady (3) while a mandatory column is empty, else 2. */
int agent_pending_status(const struct agent_pending *p);
/* Text of column col of a pending row (its default when not set). */
const char *agent_pending_text(const struct agent_pending *p, int col);

/* --- OIDs (agent_oid.c) --- */

enum agent_ref_kind {
	AGENT_R_NONE,      /* no such object */
	AGENT_R_GLOBAL,    /* t = globals, col */
	AGENT_R_COLUMN,    /* t, col, index */
	AGENT_R_ROWSTATUS, /* t, index */
	AGENT_R_INDEX,     /* the not-accessible index column */
	AGENT_R_DEV,       /* dev */
};

struct agent_ref {
	enum agent_ref_kind kind;
	const struct conf_table *t;
	int col;
	unsigned index;
	unsigned dev;
	int instance; /* 1 when the OID names a well-formed instance (index < max_rows, .0) */
};

/* Resolves an OID under agent_root; kind AGENT_R_NONE when it names no object. */
void agent_oid_parse(const oid *name, size_t len, struct agent_ref *r);
/* Builds the OID of an instance; returns its length. */
size_t agent_oid_column(oid *out, const struct conf_table *t, unsigned colnum, unsigned index);
size_t agent_oid_global(oid *out, unsigned colnum);
size_t agent_oid_dev(oid *out, unsigned dev);
size_t agent_oid_under(oid *out, const unsigned *sub, size_t n);

/* --- request handling --- */

/* Registers the handler for the whole MIB subtree; 0 on success. */
int agent_handler_register(void);
/* Removes that registration (module unload); nothing when not registered. */
void agent_handler_unregister(void);
/* GET / GETNEXT on a list of requests (agent_get.c). */
int agent_get_handle(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests);
/* The SET phases (agent_set.c): one PDU is one transaction. */
int agent_set_handle(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests);

/* --- notifications (agent_notify.c) --- */

/* Starts polling sbcd every poll_s seconds for events to notify. */
void agent_notify_start(unsigned poll_s, unsigned rate_s);
/* Stops the polling and forgets the queue and what was seen (module unload). */
void agent_notify_stop(void);
/* Sends one notification now (or queues it until the master is connected). */
void agent_notify_send(enum agent_notif n, const char *source, const char *text, int severity,
		       unsigned long count);

#endif

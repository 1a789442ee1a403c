/*
 * agent_layout: where every object of our MIB lives, derived from the schema.
 * Shared by the subagent and the MIB generator (bench/snmp_mibgen.c), so the
 * module text and the agent can never disagree on a number.
 *
 * The enterprise arc is defined here and nowhere else in C. Until a private
 * enterprise number is registered we live in Net-SNMP's experimental
 * "playpen" arc, enterprises.8072.9999.9999. To move: change
 * AGENT_ARC_BELOW_ENTERPRISES (e.g. to `12345` for enterprises.12345),
 * regenerate mib/SBC-MIB.txt (doc/SNMP.md) and rebuild.
 *
 *   R = enterprises.AGENT_ARC_BELOW_ENTERPRISES  (sbcMIB, the MODULE-IDENTITY)
 *   R.0             notifications, R.0.<enum agent_notif>
 *   R.1.1.<col>.0   global parameters (the Globals table's columns, by mib number)
 *   R.1.<t>.1.<col>.<index>  configuration table t (conf_table.mib), entry, column
 *   R.2.<t>.1.<col>.<index>  read-only status table t (CONF_TF_STATUS)
 *   R.3.<n>.0       device information and actions (enum agent_dev)
 *   R.4.<n>         objects carried by notifications (enum agent_nobj)
 *   R.5             conformance: R.5.1 groups, R.5.2 compliances
 *
 * Columns keep the schema's mib numbers, which must be 1..AGENT_COL_SCHEMA_MAX;
 * the agent adds the index (AGENT_COL_INDEX, not-accessible) and, on tables
 * where rows can be created, RowStatus (AGENT_COL_ROWSTATUS).
 */
#ifndef SNMP_AGENT_LAYOUT_H
#define SNMP_AGENT_LAYOUT_H

#include "conf/conf.h"

#define AGENT_ARC_ENTERPRISES       1, 3, 6, 1, 4, 1
#define AGENT_ARC_BELOW_ENTERPRISES 8072, 9999, 9999
#define AGENT_ARC                   AGENT_ARC_ENTERPRISES, AGENT_ARC_BELOW_ENTERPRISES

enum agent_branch {
	AGENT_B_NOTIFS = 0,
	AGENT_B_CONFIG = 1,
	AGENT_B_STATUS = 2,
	AGENT_B_DEVICE = 3,
	AGENT_B_NOBJ = 4,
	AGENT_B_CONFORMANCE = 5,
};

#define AGENT_COL_SCHEMA_MAX 199
#define AGENT_COL_INDEX      200
#define AGENT_COL_ROWSTATUS  201

/* Device scalars R.3.<n>.0 */
enum agent_dev {
	AGENT_DEV_VERSION = 1, /* DisplayString */
	AGENT_DEV_UPTIME = 2,  /* TimeTicks: sbcd's uptime */
	AGENT_DEV_CHANGES = 3, /* Unsigned32: committed transactions since boot */
	AGENT_DEV_SAVES = 4,   /* Unsigned32: saves to flash since boot */
	AGENT_DEV_PENDING = 5, /* Unsigned32: reset-required changes waiting */
	AGENT_DEV_SAVE = 10,   /* INTEGER { idle(0), save(1) } */
	AGENT_DEV_RESET = 11,  /* INTEGER { idle(0), reset(1), saveAndReset(2) } */
};

/* Notifications R.0.<n> */
enum agent_notif {
	AGENT_N_STARTED = 1,
	AGENT_N_SAVED = 2,
	AGENT_N_CERT_EXPIRY = 3,
	AGENT_N_TLS_REJECTED = 4,
	AGENT_N_PROXY_DOWN = 5,
	AGENT_N_PROXY_UP = 6,
	AGENT_N_HA_ROLE = 7, /* HA role change (doc/HA.md) */
};

/* Notification objects R.4.<n> (accessible-for-notify) */
enum agent_nobj {
	AGENT_NO_SOURCE = 1,   /* DisplayString: what the event is about */
	AGENT_NO_TEXT = 2,     /* DisplayString: human readable text */
	AGENT_NO_SEVERITY = 3, /* INTEGER, enum agent_severity */
	AGENT_NO_SEQUENCE = 4, /* Unsigned32: increments with every notification sent */
	AGENT_NO_COUNT = 5,    /* Unsigned32: events summarised (rate-limited notifications) */
};

/* The vendor's alarm severities (and the ITU X.733 ones). */
enum agent_severity {
	AGENT_SEV_CLEARED = 1,
	AGENT_SEV_INDETERMINATE = 2,
	AGENT_SEV_WARNING = 3,
	AGENT_SEV_MINOR = 4,
	AGENT_SEV_MAJOR = 5,
	AGENT_SEV_CRITICAL = 6,
};

/* How a column is encoded on the wire. */
enum agent_syntax {
	AGENT_SYN_INT32,   /* Integer32 (range) or INTEGER enumeration */
	AGENT_SYN_UINT32,  /* Unsigned32: non-negative ranges beyond Integer32 */
	AGENT_SYN_COUNT64, /* Counter64: status counters beyond 32 bits */
	AGENT_SYN_TEXT,    /* OCTET STRING / DisplayString */
};

#define AGENT_TEXT_IPADDR_MAX  45
#define AGENT_TEXT_DEFAULT_MAX 255

static inline enum agent_syntax agent_col_syntax(const struct conf_column *c)
{
	if (conf_type_is_text(c->type))
		return AGENT_SYN_TEXT;
	if (c->type == CONF_T_INT && c->max > 2147483647LL)
		return c->min >= 0 && c->max <= 4294967295LL ? AGENT_SYN_UINT32 : AGENT_SYN_COUNT64;
	return AGENT_SYN_INT32;
}

/* Longest value of a text column, in bytes. */
static inline unsigned agent_text_max(const struct conf_column *c)
{
	const struct conf_table *r;
	int n;

	switch (c->type) {
	case CONF_T_STRING:
	case CONF_T_SECRET:
		return c->max > 0 ? (unsigned)c->max : AGENT_TEXT_DEFAULT_MAX;
	case CONF_T_IPADDR:
		return AGENT_TEXT_IPADDR_MAX;
	case CONF_T_REF:
		if (c->flags & CONF_F_BYINDEX)
			return 10;
		r = conf_table_find(c->ref);
		n = r ? conf_table_name_col(r) : -1;
		return n >= 0 && r->cols[n].max > 0 ? (unsigned)r->cols[n].max
						    : AGENT_TEXT_DEFAULT_MAX;
	default:
		return 0;
	}
}

/* Rows of a configuration table can be created and destroyed (it has RowStatus). */
static inline int agent_table_creatable(const struct conf_table *t)
{
	return !(t->flags & (CONF_TF_STATUS | CONF_TF_GLOBALS)) && t->max_rows > 1;
}

/* A column SNMP may write. */
static inline int agent_col_writable(const struct conf_table *t, const struct conf_column *c)
{
	return !(t->flags & CONF_TF_STATUS) && !(c->flags & CONF_F_RO);
}

#endif

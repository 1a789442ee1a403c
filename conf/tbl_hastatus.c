/* HAStatus: the 1+1 pair as this box sees it (sbc/ha.c fills it). */
#include "conf/cols.h"

static const struct conf_enum roles[] = {{1, "disabled"}, {2, "active"}, {3, "standby"},
					 {4, "fault"},    {5, "init"},   {0, NULL}};
static const struct conf_enum health[] = {{1, "up"}, {2, "down"}, {0, NULL}};

static const struct conf_column cols[] = {
    [HASTATUS_ROLE] = {"Role", "role", 1, CONF_T_ENUM, 0, 0, roles, NULL, "1",
		       "keepalived's state as sbcd follows it: active (SIP listeners bound), "
		       "standby (management and synchronisation only), fault, init (no state "
		       "from keepalived yet), disabled (HAEnable 0)",
		       CONF_F_RO},
    [HASTATUS_HEALTH] = {"Health", "health", 2, CONF_T_ENUM, 0, 0, health, NULL, "1",
			 "What sbcd tells keepalived (track script): up when it can serve its "
			 "role (active: every SIP interface listening)",
			 CONF_F_RO},
    [HASTATUS_PEER] = {"Peer", "peer", 3, CONF_T_STRING, 0, 0, NULL, NULL, "",
		       "The peer's synchronisation address:port", CONF_F_RO},
    [HASTATUS_GENERATION] = {"Generation", "generation", 4, CONF_T_INT, 0, 0x7fffffffffffffffLL,
			     NULL, NULL, "0",
			     "Configuration generation on this box's flash (grows with each save "
			     "on the active)",
			     CONF_F_RO},
    [HASTATUS_PEER_GENERATION] = {"PeerGeneration", "peer-generation", 5, CONF_T_INT, -1,
				  0x7fffffffffffffffLL, NULL, NULL, "-1",
				  "The peer's generation at the last exchange, -1 unknown",
				  CONF_F_RO},
    [HASTATUS_LAST_SYNC_AGE] = {"LastSyncAge", "last-sync-age", 6, CONF_T_INT, -1,
				0x7fffffffffffffffLL, NULL, NULL, "-1",
				"Seconds since the last configuration sent or installed, -1 none",
				CONF_F_RO},
    [HASTATUS_LAST_SYNC_RESULT] = {"LastSyncResult", "last-sync-result", 7, CONF_T_STRING, 0, 0,
				   NULL, NULL, "",
				   "What the last synchronisation did or why it failed", CONF_F_RO},
    [HASTATUS_ROLE_CHANGES] = {"RoleChanges", "role-changes", 8, CONF_T_INT, 0,
			       0x7fffffffffffffffLL, NULL, NULL, "0", "Role changes since boot",
			       CONF_F_RO},
    [HASTATUS_ROLE_AGE] = {"RoleAge", "role-age", 9, CONF_T_INT, 0, 0x7fffffffffffffffLL, NULL,
			   NULL, "0", "Seconds in the current role", CONF_F_RO},
    [HASTATUS_REGISTRATIONS] = {"Registrations", "registrations", 10, CONF_T_INT, 0,
				0x7fffffffffffffffLL, NULL, NULL, "0",
				"Registrations replicated (as the active last sent them); the box "
				"becoming active applies them",
				CONF_F_RO},
};
_Static_assert(CONF_NCOLS(cols) == HASTATUS_NCOLS, "conf/cols.h lists every column of hastatus");

const struct conf_table conf_tbl_hastatus = {
    .name = "HAStatus",
    .cli = "ha-status",
    .tree = "system",
    .mib = 19,
    .max_rows = 1,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "High availability (1+1 with keepalived): role, peer, generations, last sync",
};

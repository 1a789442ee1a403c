/* DNSStatus: the names the SIP engine resolves, one row per (name, target), filled by sbcd. */
#include "conf/cols.h"

static const struct conf_enum states[] = {
    {0, "resolving"}, {1, "resolved"}, {2, "stale"}, {3, "failed"}, {0, NULL}};
static const struct conf_enum pstates[] = {{0, "unknown"}, {1, "up"}, {2, "down"}, {0, NULL}};

static const struct conf_column cols[] = {
    [DNSSTATUS_NAME] = {"Name", "name", 1, CONF_T_STRING, 0, 255, NULL, NULL, "",
			"Host name resolved (a ProxyIp address, DestAddress or Request-URI host)",
			CONF_F_RO},
    [DNSSTATUS_TARGET] = {"Target", "target", 2, CONF_T_STRING, 0, 80, NULL, NULL, "",
			  "Resolved address and port, empty while the name has none", CONF_F_RO},
    [DNSSTATUS_TRANSPORT_TYPE] = {"TransportType", "transport-type", 3, CONF_T_STRING, 0, 8, NULL,
				  NULL, "", "Transport to the target: udp, tcp or tls", CONF_F_RO},
    [DNSSTATUS_SOURCE] = {"Source", "source", 4, CONF_T_STRING, 0, 8, NULL, NULL, "",
			  "How the target was found: NAPTR, SRV, A or AAAA", CONF_F_RO},
    [DNSSTATUS_PRIORITY] = {"Priority", "priority", 5, CONF_T_INT, 0, 65535, NULL, NULL, "0",
			    "SRV priority (lower is tried first), 0 without SRV", CONF_F_RO},
    [DNSSTATUS_WEIGHT] = {"Weight", "weight", 6, CONF_T_INT, 0, 65535, NULL, NULL, "0",
			  "SRV weight within its priority, 0 without SRV", CONF_F_RO},
    [DNSSTATUS_TTL_LEFT] = {"TTLLeft", "ttl-left", 7, CONF_T_INT, 0, 0x7fffffffLL, NULL, NULL, "0",
			    "Seconds before the answer expires (it is refreshed before)",
			    CONF_F_RO},
    [DNSSTATUS_STATE] = {"State", "state", 8, CONF_T_ENUM, 0, 0, states, NULL, "0",
			 "Resolving, resolved, stale (no longer resolves: last good targets "
			 "kept until TTL + DNSGracePeriod) or failed",
			 CONF_F_RO},
    [DNSSTATUS_PROXY_SET_NAME] = {"ProxySetName", "proxy-set-name", 9, CONF_T_STRING, 0, 40, NULL,
				  NULL, "", "Proxy set the target is a member of, empty for none",
				  CONF_F_RO},
    [DNSSTATUS_PROXY_STATE] = {"ProxyState", "proxy-state", 10, CONF_T_ENUM, 0, 0, pstates, NULL,
			       "0", "Keep-alive state of the target as a proxy set member",
			       CONF_F_RO},
    [DNSSTATUS_LAST_ERROR] = {"LastError", "last-error", 11, CONF_T_STRING, 0, 160, NULL, NULL, "",
			      "Why the last resolution of the name failed, empty when it did not",
			      CONF_F_RO},
};
_Static_assert(CONF_NCOLS(cols) == DNSSTATUS_NCOLS, "conf/cols.h lists every column of dnsstatus");

const struct conf_table conf_tbl_dnsstatus = {
    .name = "DNSStatus",
    .cli = "dns-status",
    .tree = "voip",
    .mib = 16,
    .max_rows = 10000,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Host names resolved by the SIP engine: targets, source, TTL left, state",
};

/* ProxyStatus: the state of every proxy address (one row per ProxyIp row), filled by sbcd. */
#include "conf/cols.h"

#define COUNTER(n, cli, mib, help)                                                                 \
	{                                                                                          \
		n, cli, mib, CONF_T_INT, 0, 0x7fffffffffffffffLL, NULL, NULL, "0", help, CONF_F_RO \
	}

static const struct conf_enum states[] = {{0, "unknown"}, {1, "up"}, {2, "down"}, {0, NULL}};

static const struct conf_column cols[] = {
    [PROXYSTATUS_PROXY_SET_NAME] = {"ProxySetName", "proxy-set-name", 1, CONF_T_STRING, 0, 40, NULL,
				    NULL, "",
				    "Proxy set of the address (row index = ProxyIp index)",
				    CONF_F_RO},
    [PROXYSTATUS_PROXY_IP_INDEX] = {"ProxyIpIndex", "proxy-ip-index", 2, CONF_T_INT, 0, 9, NULL,
				    NULL, "0", "Position of the address within its proxy set",
				    CONF_F_RO},
    [PROXYSTATUS_IP_ADDRESS] = {"IpAddress", "proxy-address", 3, CONF_T_STRING, 0, 128, NULL, NULL,
				"", "Proxy address as configured", CONF_F_RO},
    [PROXYSTATUS_RESOLVED_ADDRESS] =
	{"ResolvedAddress", "resolved-address", 4, CONF_T_STRING, 0, 63, NULL, NULL, "",
	 "IP address the proxy address resolved to, empty when it did not resolve", CONF_F_RO},
    [PROXYSTATUS_TRANSPORT_TYPE] = {"TransportType", "transport-type", 5, CONF_T_STRING, 0, 8, NULL,
				    NULL, "", "Transport to the proxy: udp, tcp or tls", CONF_F_RO},
    [PROXYSTATUS_STATE] = {"State", "state", 6, CONF_T_ENUM, 0, 0, states, NULL, "0",
			   "Unknown (no keep-alive), up, or down (keep-alive or requests failed)",
			   CONF_F_RO},
    [PROXYSTATUS_ACTIVE] = {"Active", "active", 7, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
			    "Requests go to this address now (redundancy without load balancing)",
			    CONF_F_RO},
    [PROXYSTATUS_LAST_ERROR] = {"LastError", "last-error", 8, CONF_T_STRING, 0, 255, NULL, NULL, "",
				"Last failure of a keep-alive or request to this address",
				CONF_F_RO},
    [PROXYSTATUS_TLS_PEER_SUBJECT] =
	{"TLSPeerSubject", "tls-peer-subject", 9, CONF_T_STRING, 0, 511, NULL, NULL, "",
	 "Certificate subject of the live TLS connection to the proxy, empty for none", CONF_F_RO},
    [PROXYSTATUS_LAST_CHANGE] = {"LastChange", "last-change", 10, CONF_T_INT, 0, 0x7fffffffffffLL,
				 NULL, NULL, "0",
				 "When the state last changed (seconds since 1970), 0 never",
				 CONF_F_RO},
    [PROXYSTATUS_KEEP_ALIVES_SENT] =
	COUNTER("KeepAlivesSent", "keep-alives-sent", 11, "OPTIONS keep-alives sent"),
    [PROXYSTATUS_KEEP_ALIVE_FAILURES] =
	COUNTER("KeepAliveFailures", "keep-alive-failures", 12,
		"Keep-alives not answered, refused, or lost to a TLS failure"),
    [PROXYSTATUS_REQUESTS_ANSWERED] = COUNTER("RequestsAnswered", "requests-answered", 13,
					      "Requests routed to the address that got a response"),
    [PROXYSTATUS_REQUESTS_FAILED] =
	COUNTER("RequestsFailed", "requests-failed", 14,
		"Requests routed to the address that failed (transport, TLS, timeout)"),
};
_Static_assert(CONF_NCOLS(cols) == PROXYSTATUS_NCOLS,
	       "conf/cols.h lists every column of proxystatus");

const struct conf_table conf_tbl_proxystatus = {
    .name = "ProxyStatus",
    .cli = "proxy-status",
    .tree = "voip",
    .mib = 6,
    .max_rows = 10000,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "State of the proxy addresses (keep-alive, last error, TLS peer)",
};

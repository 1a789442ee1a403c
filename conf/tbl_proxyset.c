/* ProxySet: a group of proxy addresses the SBC sends requests to. */
#include "conf/cols.h"

static const struct conf_enum keepalive[] = {
    {0, "disable"}, {1, "using-options"}, {2, "using-register"}, {0, NULL}};
static const struct conf_enum balancing[] = {
    {0, "disable"}, {1, "round-robin"}, {2, "random-weights"}, {0, NULL}};
static const struct conf_enum classification[] = {
    {0, "ip-only"}, {1, "ip-port-transport"}, {0, NULL}};
static const struct conf_enum redundancy[] = {
    {-1, "not-configured"}, {0, "parking"}, {1, "homing"}, {0, NULL}};
static const struct conf_enum dns[] = {
    {-1, "not-configured"}, {0, "a-record"}, {1, "srv"}, {2, "naptr"}, {0, NULL}};

static const struct conf_column cols[] = {
    [PROXYSET_PROXY_NAME] = {"ProxyName", "proxy-name", 1, CONF_T_STRING, 0, 40, NULL, NULL, "",
			     "Name of the proxy set", CONF_F_NAME | CONF_F_MANDATORY},
    [PROXYSET_ENABLE_PROXY_KEEP_ALIVE] = {"EnableProxyKeepAlive", "proxy-enable-keep-alive", 2,
					  CONF_T_ENUM, 0, 0, keepalive, NULL, "0",
					  "Probe the proxies to learn which are up", 0},
    [PROXYSET_PROXY_KEEP_ALIVE_TIME] = {"ProxyKeepAliveTime", "proxy-keep-alive-time", 3,
					CONF_T_INT, 5, 2000000, NULL, NULL, "60",
					"Seconds between keep-alive probes", 0},
    [PROXYSET_PROXY_LOAD_BALANCING_METHOD] = {"ProxyLoadBalancingMethod",
					      "proxy-load-balancing-method", 4, CONF_T_ENUM, 0, 0,
					      balancing, NULL, "0",
					      "How requests are spread over the proxies", 0},
    [PROXYSET_IS_PROXY_HOT_SWAP] = {"IsProxyHotSwap", "is-proxy-hot-swap", 5, CONF_T_BOOL, 0, 1,
				    NULL, NULL, "0",
				    "Retry the next proxy when one does not answer", 0},
    [PROXYSET_SRD_NAME] = {"SRDName", "srd-name", 6, CONF_T_STRING, 0, 40, NULL, NULL, "DefaultSRD",
			   "Signaling routing domain", 0},
    [PROXYSET_CLASSIFICATION_INPUT] =
	{"ClassificationInput", "classification-input", 7, CONF_T_ENUM, 0, 0, classification, NULL,
	 "0", "What of the source must match to classify a request to this proxy set", 0},
    [PROXYSET_TLS_CONTEXT_NAME] =
	{"TLSContextName", "tls-context-name", 8, CONF_T_REF, 0, 0, NULL, "TLSContexts", "",
	 "TLS context for connections to these proxies (empty: the SIP interface's)", 0},
    [PROXYSET_PROXY_REDUNDANCY_MODE] =
	{"ProxyRedundancyMode", "proxy-redundancy-mode", 9, CONF_T_ENUM, 0, 0, redundancy, NULL,
	 "-1", "Parking stays on the proxy that answered; homing returns to the first", 0},
    [PROXYSET_DNS_RESOLVE_METHOD] = {"DNSResolveMethod", "dns-resolve-method", 10, CONF_T_ENUM, 0,
				     0, dns, NULL, "-1", "How proxy host names are resolved", 0},
    [PROXYSET_KEEP_ALIVE_FAILURE_RESP] =
	{"KeepAliveFailureResp", "keep-alive-fail-resp", 11, CONF_T_STRING, 0, 64, NULL, NULL, "",
	 "Responses to a keep-alive that mean the proxy is down (comma separated codes)", 0},
    [PROXYSET_SBC_IPV4_SIP_INTERFACE_NAME] = {"SBCIPv4SIPInterfaceName", "sbcipv4-sip-int-name", 12,
					      CONF_T_REF, 0, 0, NULL, "SIPInterface", "",
					      "SIP interface used to reach these proxies", 0},
};
_Static_assert(CONF_NCOLS(cols) == PROXYSET_NCOLS, "conf/cols.h lists every column of proxyset");

const struct conf_table conf_tbl_proxyset = {
    .name = "ProxySet",
    .cli = "proxy-set",
    .tree = "voip",
    .mib = 5,
    .max_rows = 1000,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Proxy sets: groups of proxies requests are sent to",
};

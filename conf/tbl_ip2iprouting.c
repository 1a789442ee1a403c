/* IP2IPRouting: where a classified request goes (first matching rule wins). */
#include "conf/cols.h"

static const struct conf_enum requests[] = {{0, "all"},
					    {1, "invite"},
					    {2, "register"},
					    {3, "subscribe"},
					    {4, "invite-and-register"},
					    {5, "invite-and-subscribe"},
					    {6, "options"},
					    {0, NULL}};
/* DestType: the vendor's numbers where the vendor has the type; 11 (all-users) is our
 * number for "a user registered on the SBC" (doc/ROUTING.md). */
static const struct conf_enum dests[] = {
    {0, "ip-group"}, {1, "dest-address"}, {2, "request-uri"}, {11, "all-users"}, {0, NULL}};
static const struct conf_enum transports[] = {
    {-1, "not-configured"}, {0, "udp"}, {1, "tcp"}, {2, "tls"}, {0, NULL}};

static const struct conf_column cols[] = {
    [ROUTE_ROUTE_NAME] = {"RouteName", "route-name", 1, CONF_T_STRING, 0, 40, NULL, NULL, "",
			  "Name of the rule", CONF_F_NAME | CONF_F_MANDATORY},
    [ROUTE_SRC_IP_GROUP_NAME] = {"SrcIPGroupName", "src-ip-group-name", 2, CONF_T_STRING, 0, 40,
				 NULL, NULL, "Any", "Source IP group (Any: every group)", 0},
    [ROUTE_SRC_USERNAME_PREFIX] = {"SrcUsernamePrefix", "src-username-prefix", 3, CONF_T_STRING, 0,
				   60, NULL, NULL, "*", "Prefix of the From user (* any)", 0},
    [ROUTE_SRC_HOST] = {"SrcHost", "src-host", 4, CONF_T_STRING, 0, 100, NULL, NULL, "*",
			"From host (* any)", 0},
    [ROUTE_DEST_USERNAME_PREFIX] = {"DestUsernamePrefix", "dst-username-prefix", 5, CONF_T_STRING,
				    0, 60, NULL, NULL, "*",
				    "Prefix of the Request-URI user (* any)", 0},
    [ROUTE_DEST_HOST] = {"DestHost", "dst-host", 6, CONF_T_STRING, 0, 100, NULL, NULL, "*",
			 "Request-URI host (* any)", 0},
    [ROUTE_REQUEST_TYPE] = {"RequestType", "request-type", 7, CONF_T_ENUM, 0, 0, requests, NULL,
			    "0", "Requests the rule applies to", 0},
    [ROUTE_DEST_TYPE] =
	{"DestType", "dst-type", 8, CONF_T_ENUM, 0, 0, dests, NULL, "0",
	 "Destination: an IP group, an explicit address, the Request-URI, or a registered user", 0},
    [ROUTE_DEST_IP_GROUP_NAME] = {"DestIPGroupName", "dst-ip-group-name", 9, CONF_T_REF, 0, 0, NULL,
				  "IPGroup", "", "Destination IP group (DestType ip-group)", 0},
    [ROUTE_DEST_SIP_INTERFACE_NAME] = {"DestSIPInterfaceName", "dst-sip-interface-name", 10,
				       CONF_T_REF, 0, 0, NULL, "SIPInterface", "",
				       "SIP interface to send from (empty: the IP group's)", 0},
    [ROUTE_DEST_ADDRESS] = {"DestAddress", "dst-address", 11, CONF_T_STRING, 0, 100, NULL, NULL, "",
			    "Destination host or IP (DestType dest-address)", 0},
    [ROUTE_DEST_PORT] = {"DestPort", "dst-port", 12, CONF_T_PORT, 0, 0, NULL, NULL, "0",
			 "Destination port (0: the transport's default)", 0},
    [ROUTE_DEST_TRANSPORT_TYPE] = {"DestTransportType", "dst-transport-type", 13, CONF_T_ENUM, 0, 0,
				   transports, NULL, "-1", "Destination transport", 0},
};
_Static_assert(CONF_NCOLS(cols) == ROUTE_NCOLS, "conf/cols.h lists every column of ip2iprouting");

const struct conf_table conf_tbl_ip2iprouting = {
    .name = "IP2IPRouting",
    .cli = "ip-to-ip-routing",
    .tree = "voip",
    .mib = 10,
    .max_rows = 1000,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "IP-to-IP routing rules (first match wins)",
};

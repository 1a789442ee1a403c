/* IPGroup: a group of peers (a server behind a proxy set, or users) that routing names. */
#include "conf/cols.h"

static const struct conf_enum types[] = {{0, "server"}, {1, "user"}, {0, NULL}};

static const struct conf_column cols[] = {
    [IPGROUP_TYPE] = {"Type", "type", 1, CONF_T_ENUM, 0, 0, types, NULL, "0",
		      "Server: reached through its proxy set; user: registered users", 0},
    [IPGROUP_NAME] = {"Name", "name", 2, CONF_T_STRING, 0, 40, NULL, NULL, "",
		      "Name of the IP group", CONF_F_NAME | CONF_F_MANDATORY},
    [IPGROUP_PROXY_SET_NAME] = {"ProxySetName", "proxy-set-name", 3, CONF_T_REF, 0, 0, NULL,
				"ProxySet", "", "Proxy set of a server IP group", 0},
    [IPGROUP_SIP_GROUP_NAME] =
	{"SIPGroupName", "sip-group-name", 4, CONF_T_STRING, 0, 100, NULL, NULL, "",
	 "Host part put in the Request-URI towards this group (empty: the proxy address)", 0},
    [IPGROUP_CONTACT_USER] = {"ContactUser", "contact-user", 5, CONF_T_STRING, 0, 60, NULL, NULL,
			      "", "User part of the SBC's Contact towards this group", 0},
    [IPGROUP_SRD_NAME] = {"SRDName", "srd-name", 6, CONF_T_STRING, 0, 40, NULL, NULL, "DefaultSRD",
			  "Signaling routing domain", 0},
    [IPGROUP_CLASSIFY_BY_PROXY_SET] =
	{"ClassifyByProxySet", "classify-by-proxy-set", 7, CONF_T_BOOL, 0, 1, NULL, NULL, "1",
	 "Requests from the addresses of the group's proxy set belong to the group", 0},
    [IPGROUP_SIP_INTERFACE_NAME] =
	{"SIPInterfaceName", "sip-interface-name", 8, CONF_T_REF, 0, 0, NULL, "SIPInterface", "",
	 "SIP interface that reaches this group (empty: the proxy set's, else interface 0)", 0},
    [IPGROUP_IP_PROFILE_NAME] = {"IPProfileName", "ip-profile-name", 9, CONF_T_REF, 0, 0, NULL,
				 "IpProfile", "",
				 "IP profile: media security and anchoring toward the group", 0},
};
_Static_assert(CONF_NCOLS(cols) == IPGROUP_NCOLS, "conf/cols.h lists every column of ipgroup");

const struct conf_table conf_tbl_ipgroup = {
    .name = "IPGroup",
    .cli = "ip-group",
    .tree = "voip",
    .mib = 8,
    .max_rows = 1000,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "IP groups: servers and users that routing sends requests to",
};

/* IPGroup: a group of peers (a server behind a proxy set, or users) that routing names. */
#include "conf/conf.h"

static const struct conf_enum types[] = {{0, "server"}, {1, "user"}, {0, NULL}};

static const struct conf_column cols[] = {
    {"Type", "type", 1, CONF_T_ENUM, 0, 0, types, NULL, "0",
     "Server: reached through its proxy set; user: registered users", 0},
    {"Name", "name", 2, CONF_T_STRING, 0, 40, NULL, NULL, "", "Name of the IP group",
     CONF_F_NAME | CONF_F_MANDATORY},
    {"ProxySetName", "proxy-set-name", 3, CONF_T_REF, 0, 0, NULL, "ProxySet", "",
     "Proxy set of a server IP group", 0},
    {"SIPGroupName", "sip-group-name", 4, CONF_T_STRING, 0, 100, NULL, NULL, "",
     "Host part put in the Request-URI towards this group (empty: the proxy address)", 0},
    {"ContactUser", "contact-user", 5, CONF_T_STRING, 0, 60, NULL, NULL, "",
     "User part of the SBC's Contact towards this group", 0},
    {"SRDName", "srd-name", 6, CONF_T_STRING, 0, 40, NULL, NULL, "DefaultSRD",
     "Signaling routing domain", 0},
    {"ClassifyByProxySet", "classify-by-proxy-set", 7, CONF_T_BOOL, 0, 1, NULL, NULL, "1",
     "Requests from the addresses of the group's proxy set belong to the group", 0},
    {"SIPInterfaceName", "sip-interface-name", 8, CONF_T_REF, 0, 0, NULL, "SIPInterface", "",
     "SIP interface that reaches this group (empty: the proxy set's, else interface 0)", 0},
};

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

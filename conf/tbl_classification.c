/* Classification: which IP group a request comes from, or whether it is refused. */
#include "conf/cols.h"

static const struct conf_enum transports[] = {
    {-1, "any"}, {0, "udp"}, {1, "tcp"}, {2, "tls"}, {0, NULL}};
static const struct conf_enum actions[] = {{0, "deny"}, {1, "allow"}, {0, NULL}};

static const struct conf_column cols[] = {
    [CLASSIF_CLASSIFICATION_NAME] = {"ClassificationName", "classification-name", 1, CONF_T_STRING,
				     0, 40, NULL, NULL, "", "Name of the rule",
				     CONF_F_NAME | CONF_F_MANDATORY},
    [CLASSIF_SRC_SIP_INTERFACE_NAME] = {"SrcSIPInterfaceName", "src-sip-interface-name", 2,
					CONF_T_REF, 0, 0, NULL, "SIPInterface", "",
					"SIP interface the request arrived on (empty: any)", 0},
    [CLASSIF_SRC_ADDRESS] = {"SrcAddress", "src-ip-address", 3, CONF_T_STRING, 0, 64, NULL, NULL,
			     "", "Source IP address (a trailing * matches a prefix; empty: any)",
			     0},
    [CLASSIF_SRC_PORT] = {"SrcPort", "src-port", 4, CONF_T_PORT, 0, 0, NULL, NULL, "0",
			  "Source port (0: any)", 0},
    [CLASSIF_SRC_TRANSPORT_TYPE] = {"SrcTransportType", "src-transport-type", 5, CONF_T_ENUM, 0, 0,
				    transports, NULL, "-1", "Transport of the request", 0},
    [CLASSIF_SRC_USERNAME_PREFIX] = {"SrcUsernamePrefix", "src-username-prefix", 6, CONF_T_STRING,
				     0, 60, NULL, NULL, "*", "Prefix of the From user (* any)", 0},
    [CLASSIF_SRC_HOST] = {"SrcHost", "src-host", 7, CONF_T_STRING, 0, 100, NULL, NULL, "*",
			  "From host (* any)", 0},
    [CLASSIF_DEST_USERNAME_PREFIX] = {"DestUsernamePrefix", "dst-username-prefix", 8, CONF_T_STRING,
				      0, 60, NULL, NULL, "*",
				      "Prefix of the Request-URI user (* any)", 0},
    [CLASSIF_DEST_HOST] = {"DestHost", "dst-host", 9, CONF_T_STRING, 0, 100, NULL, NULL, "*",
			   "Request-URI host (* any)", 0},
    [CLASSIF_ACTION_TYPE] = {"ActionType", "action-type", 10, CONF_T_ENUM, 0, 0, actions, NULL, "1",
			     "Allow the request (classified to SrcIPGroupName) or deny it", 0},
    [CLASSIF_SRC_IP_GROUP_NAME] = {"SrcIPGroupName", "src-ip-group-name", 11, CONF_T_REF, 0, 0,
				   NULL, "IPGroup", "", "IP group the request is classified to", 0},
};
_Static_assert(CONF_NCOLS(cols) == CLASSIF_NCOLS,
	       "conf/cols.h lists every column of classification");

const struct conf_table conf_tbl_classification = {
    .name = "Classification",
    .cli = "classification",
    .tree = "voip",
    .mib = 9,
    .max_rows = 1000,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Classification rules: the source IP group of incoming requests (first match wins)",
};

/* MediaRealm: the address and the port range media of a SIP interface is anchored on. */
#include "conf/cols.h"

static const struct conf_column cols[] = {
    [MREALM_NAME] = {"MediaRealmName", "name", 1, CONF_T_STRING, 0, 40, NULL, NULL, "",
		     "Name of the media realm (also the rtpengine interface name)",
		     CONF_F_NAME | CONF_F_MANDATORY},
    [MREALM_IPV4_IF] = {"IPv4IF", "ipv4if", 2, CONF_T_REF, 0, 0, NULL, "InterfaceTable", "",
			"IP interface whose address media of this realm uses", CONF_F_MANDATORY},
    [MREALM_PORT_RANGE_START] = {"PortRangeStart", "port-range-start", 3, CONF_T_PORT, 0, 0, NULL,
				 NULL, "30000",
				 "First UDP port of the realm (each media session leg takes 2: "
				 "RTP and RTCP)",
				 CONF_F_RESET},
    [MREALM_MEDIA_SESSION_LEG] = {"MediaSessionLeg", "session-leg", 4, CONF_T_INT, 1, 16000, NULL,
				  NULL, "500",
				  "Media session legs of the realm (the port range is twice that)",
				  CONF_F_RESET},
    [MREALM_IS_DEFAULT] = {"IsDefault", "is-default", 5, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
			   "Realm of SIP interfaces that name none", 0},
};
_Static_assert(CONF_NCOLS(cols) == MREALM_NCOLS, "conf/cols.h lists every column of mediarealm");

const struct conf_table conf_tbl_mediarealm = {
    .name = "CpMediaRealm",
    .cli = "media-realm",
    .tree = "voip",
    .mib = 25,
    .max_rows = 64,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Media realms: the address and ports anchored media uses",
};

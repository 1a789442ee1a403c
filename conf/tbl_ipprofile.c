/* IPProfile: media behaviour of the IP groups that name the profile. */
#include "conf/cols.h"

static const struct conf_enum sec[] = {
    {0, "as-is"}, {1, "secured"}, {2, "not-secured"}, {3, "both"}, {0, NULL}};

static const struct conf_column cols[] = {
    [IPPROF_NAME] = {"ProfileName", "profile-name", 1, CONF_T_STRING, 0, 40, NULL, NULL, "",
		     "Name of the IP profile", CONF_F_NAME | CONF_F_MANDATORY},
    [IPPROF_SBC_MEDIA_SECURITY_BEHAVIOUR] =
	{"SBCMediaSecurityBehaviour", "sbc-media-security-mode", 2, CONF_T_ENUM, 0, 0, sec, NULL,
	 "0",
	 "Media toward the group: as the other side offers; SRTP only (SDES, "
	 "AES_CM_128_HMAC_SHA1_80); RTP only; or RTP with SRTP offered too (RFC 8643)",
	 0},
    [IPPROF_SBC_MEDIA_ANCHORING] = {"SBCMediaAnchoring", "sbc-media-anchoring", 3, CONF_T_BOOL, 0,
				    1, NULL, NULL, "1",
				    "Relay the media of calls of the group through the media "
				    "engine (off: media flows between the endpoints)",
				    0},
};
_Static_assert(CONF_NCOLS(cols) == IPPROF_NCOLS, "conf/cols.h lists every column of ipprofile");

const struct conf_table conf_tbl_ipprofile = {
    .name = "IpProfile",
    .cli = "ip-profile",
    .tree = "voip",
    .mib = 26,
    .max_rows = 64,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "IP profiles: media security and anchoring of IP groups",
};

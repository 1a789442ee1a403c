/* WebUsers: the local users of the web interface, the CLI and SSH. */
#include "conf/cols.h"

static const struct conf_enum status[] = {
    {0, "new"}, {1, "valid"}, {2, "failed-access-locked"}, {3, "inactivity-locked"}, {0, NULL}};
static const struct conf_enum levels[] = {
    {50, "monitor"}, {100, "admin"}, {200, "security-admin"}, {220, "master"}, {0, NULL}};

static const struct conf_column cols[] = {
    [WEBUSER_USERNAME] = {"Username", "username", 1, CONF_T_STRING, 0, 40, NULL, NULL, "",
			  "Login name", CONF_F_NAME | CONF_F_MANDATORY},
    [WEBUSER_PASSWORD] = {"Password", "password", 2, CONF_T_SECRET, 0, 256, NULL, NULL, "",
			  "Password (stored as a hash; never shown)",
			  CONF_F_SECRET | CONF_F_HASHED},
    [WEBUSER_STATUS] = {"Status", "status", 3, CONF_T_ENUM, 0, 0, status, NULL, "1",
			"Account status", 0},
    [WEBUSER_PW_AGE_INTERVAL] = {"PwAgeInterval", "pw-age-interval", 4, CONF_T_INT, 0, 10000, NULL,
				 NULL, "0", "Days before the password must be changed, 0 for never",
				 0},
    [WEBUSER_SESSION_LIMIT] = {"SessionLimit", "session-limit", 5, CONF_T_INT, 1, 10, NULL, NULL,
			       "2", "Sessions the user may have open at once", 0},
    [WEBUSER_SESSION_TIMEOUT] = {"SessionTimeout", "session-timeout", 6, CONF_T_INT, 0, 100000,
				 NULL, NULL, "15",
				 "Minutes of inactivity before a session is closed, 0 for never",
				 0},
    [WEBUSER_BLOCK_TIME] = {"BlockTime", "block-duration", 7, CONF_T_INT, 0, 100000, NULL, NULL,
			    "60", "Seconds a user is locked out after repeated failed logins", 0},
    [WEBUSER_USER_LEVEL] = {"UserLevel", "privilege", 8, CONF_T_ENUM, 0, 0, levels, NULL, "50",
			    "Privilege: 50 monitor, 100 admin, 200 security admin, 220 master", 0},
    [WEBUSER_SSH_PUBLIC_KEY] = {"SSHPublicKey", "ssh-public-key", 9, CONF_T_STRING, 0, 2048, NULL,
				NULL, "", "OpenSSH public key that logs this user in over SSH", 0},
};
_Static_assert(CONF_NCOLS(cols) == WEBUSER_NCOLS, "conf/cols.h lists every column of webusers");

const struct conf_table conf_tbl_webusers = {
    .name = "WebUsers",
    .cli = "user",
    .tree = "system",
    .mib = 7,
    .max_rows = 20,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Local users of the web interface, CLI and SSH",
};

/* SIPIdentityStatus: per SIP interface authentication and registration-policy counters. */
#include "conf/cols.h"

#define COUNTER(n, cli, mib, help)                                                                 \
	{                                                                                          \
		n, cli, mib, CONF_T_INT, 0, 0x7fffffffffffffffLL, NULL, NULL, "0", help, CONF_F_RO \
	}

static const struct conf_column cols[] = {
    [SIPIDSTATUS_INTERFACE_NAME] = {"InterfaceName", "interface-name", 1, CONF_T_STRING, 0, 40,
				    NULL, NULL, "",
				    "Name of the SIP interface (row index = SIPInterface index)",
				    CONF_F_RO},
    [SIPIDSTATUS_REGISTERED_USERS] =
	COUNTER("RegisteredUsers", "registered-users", 2, "Users with a live binding now"),
    [SIPIDSTATUS_AUTHENTICATED] =
	COUNTER("Authenticated", "authenticated", 3, "Requests that passed digest authentication"),
    [SIPIDSTATUS_CHALLENGES] =
	COUNTER("Challenges", "challenges", 4, "401/407 digest challenges sent"),
    [SIPIDSTATUS_AUTH_FAILURES] = COUNTER("AuthFailures", "auth-failures", 5,
					  "Digest responses refused (wrong password, user)"),
    [SIPIDSTATUS_STALE_NONCES] =
	COUNTER("StaleNonces", "stale-nonces", 6, "Responses with an expired nonce (stale=true)"),
    [SIPIDSTATUS_REPLAYED_NONCES] =
	COUNTER("ReplayedNonces", "replayed-nonces", 7, "Responses replaying a nonce count"),
    [SIPIDSTATUS_IDENTITY_MISMATCHES] =
	COUNTER("IdentityMismatches", "identity-mismatches", 8,
		"Requests refused 403: certificate not the one bound to the AOR, or not its AOR"),
    [SIPIDSTATUS_UNAUTHENTICATED_REFUSED] =
	COUNTER("UnauthenticatedRefused", "unauthenticated-refused", 9,
		"Requests refused 403 for lack of the required certificate"),
    [SIPIDSTATUS_UNREGISTERED_REFUSED] = COUNTER("UnregisteredRefused", "unregistered-refused", 10,
						 "Requests refused: user not registered"),
    [SIPIDSTATUS_REGISTRATION_LIMIT_REFUSED] =
	COUNTER("RegistrationLimitRefused", "registration-limit-refused", 11,
		"Registrations refused: MaxNumOfRegUsers reached"),
    [SIPIDSTATUS_CALL_ATTEMPTS] =
	COUNTER("CallAttempts", "call-attempts", 12, "Initial INVITEs received since start"),
};
_Static_assert(CONF_NCOLS(cols) == SIPIDSTATUS_NCOLS,
	       "conf/cols.h lists every column of sipidstatus");

const struct conf_table conf_tbl_sipidstatus = {
    .name = "SIPIdentityStatus",
    .cli = "sip-identity-status",
    .tree = "voip",
    .mib = 15,
    .max_rows = 64,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Per SIP interface: authentication, identity and registration-policy counters",
};

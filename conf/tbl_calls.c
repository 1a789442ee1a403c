/* Calls: the calls the B2BUA holds now, one row per call, filled by sbcd. */
#include "conf/cols.h"

#define TEXT(n, cli, mib, max, help)                                                               \
	{                                                                                          \
		n, cli, mib, CONF_T_STRING, 0, max, NULL, NULL, "", help, CONF_F_RO                \
	}

static const struct conf_enum states[] = {{0, "setup"}, {1, "connected"}, {2, "ending"}, {0, NULL}};

static const struct conf_column cols[] = {
    [CALLS_CALLER_CALL_ID] =
	TEXT("CallerCallId", "caller-call-id", 1, 255, "Call-ID of the caller's leg"),
    [CALLS_CALLEE_CALL_ID] =
	TEXT("CalleeCallId", "callee-call-id", 2, 255, "Call-ID of the callee's leg (the SBC's)"),
    [CALLS_CALLER_PEER] =
	TEXT("CallerPeer", "caller-peer", 3, 79, "Address and port of the caller's side"),
    [CALLS_CALLEE_PEER] =
	TEXT("CalleePeer", "callee-peer", 4, 79, "Address and port of the callee's side"),
    [CALLS_CALLER_INTERFACE] =
	TEXT("CallerInterface", "caller-interface", 5, 40, "SIP interface of the caller's leg"),
    [CALLS_CALLEE_INTERFACE] =
	TEXT("CalleeInterface", "callee-interface", 6, 40, "SIP interface of the callee's leg"),
    [CALLS_CALLER_TRANSPORT] =
	TEXT("CallerTransport", "caller-transport", 7, 8, "Transport of the caller's leg"),
    [CALLS_CALLEE_TRANSPORT] =
	TEXT("CalleeTransport", "callee-transport", 8, 8, "Transport of the callee's leg"),
    [CALLS_SRC_IP_GROUP_NAME] = TEXT("SrcIPGroupName", "src-ip-group-name", 9, 40,
				     "IP group the call was classified to (Any when unclassified)"),
    [CALLS_DEST_IP_GROUP_NAME] =
	TEXT("DestIPGroupName", "dst-ip-group-name", 10, 40,
	     "IP group the call was routed to, empty for a user or an address"),
    [CALLS_ROUTE_NAME] =
	TEXT("RouteName", "route-name", 11, 40, "IP2IPRouting rule that routed the call"),
    [CALLS_STATE] = {"State", "state", 12, CONF_T_ENUM, 0, 0, states, NULL, "0",
		     "Setup (not answered), connected, or ending", CONF_F_RO},
    [CALLS_START_TIME] = {"StartTime", "start-time", 13, CONF_T_INT, 0, 0x7fffffffffffLL, NULL,
			  NULL, "0", "When the call started (seconds since 1970)", CONF_F_RO},
    [CALLS_DURATION] = {"Duration", "duration", 14, CONF_T_INT, 0, 0x7fffffffLL, NULL, NULL, "0",
			"Seconds since the call was answered, 0 before", CONF_F_RO},
    [CALLS_CALLER_MEDIA] = TEXT("CallerMediaAddress", "caller-media", 15, 79,
				"SBC's media address and port in the SDP sent to the caller"),
    [CALLS_CALLEE_MEDIA] = TEXT("CalleeMediaAddress", "callee-media", 16, 79,
				"SBC's media address and port in the SDP sent to the callee"),
    [CALLS_CALLER_SRTP] = {"CallerSRTP", "caller-srtp", 17, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
			   "The caller's media is SRTP", CONF_F_RO},
    [CALLS_CALLEE_SRTP] = {"CalleeSRTP", "callee-srtp", 18, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
			   "The callee's media is SRTP", CONF_F_RO},
    [CALLS_MEDIA_PACKETS] = {"MediaPackets", "media-packets", 19, CONF_T_INT, 0,
			     0x7fffffffffffffffLL, NULL, NULL, "0",
			     "Packets the media engine relayed for the call (both ways)",
			     CONF_F_RO},
};
_Static_assert(CONF_NCOLS(cols) == CALLS_NCOLS, "conf/cols.h lists every column of calls");

const struct conf_table conf_tbl_calls = {
    .name = "Calls",
    .cli = "calls",
    .tree = "voip",
    .mib = 7,
    .max_rows = 100000,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Calls the SBC holds now",
};

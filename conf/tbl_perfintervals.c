/* PerformanceIntervals: per SIP interface, the current and previous 15-minute intervals. */
#include "conf/cols.h"

#define COUNTER(n, cli, mib, help)                                                                 \
	{                                                                                          \
		n, cli, mib, CONF_T_INT, 0, 0x7fffffffffffffffLL, NULL, NULL, "0", help, CONF_F_RO \
	}
#define GAUGE(n, cli, mib, help)                                                                   \
	{                                                                                          \
		n, cli, mib, CONF_T_INT, 0, 0x7fffffff, NULL, NULL, "0", help, CONF_F_RO           \
	}

static const struct conf_enum intervals[] = {{0, "current"}, {1, "previous"}, {0, NULL}};

static const struct conf_column cols[] = {
    [PERF_INTERFACE_NAME] = {"InterfaceName", "interface-name", 1, CONF_T_STRING, 0, 40, NULL, NULL,
			     "",
			     "Name of the SIP interface (row index = 2 x SIPInterface index, + 1 "
			     "for the previous interval)",
			     CONF_F_RO},
    [PERF_INTERVAL] = {"Interval", "interval", 2, CONF_T_ENUM, 0, 0, intervals, NULL, "0",
		       "The interval in progress, or the one before it", CONF_F_RO},
    [PERF_INTERVAL_START] = GAUGE("IntervalStart", "interval-start", 3,
				  "Start of the interval (seconds since 1970, UTC; on a "
				  "15-minute boundary)"),
    [PERF_INTERVAL_SECONDS] =
	GAUGE("IntervalSeconds", "interval-seconds", 4, "Seconds of the interval sampled so far"),
    [PERF_SAMPLES] = GAUGE("Samples", "samples", 5, "10-second samples in the interval"),
    [PERF_HANDSHAKES_ACCEPTED] = COUNTER("HandshakesAccepted", "handshakes-accepted", 6,
					 "TLS handshakes accepted in the interval"),
    [PERF_HANDSHAKES_REFUSED] = COUNTER("HandshakesRefused", "handshakes-refused", 7,
					"TLS handshakes refused in the interval, any reason"),
    [PERF_REFUSED_CERTIFICATE] =
	COUNTER("RefusedCertificate", "refused-certificate", 8,
		"Refused for the client certificate: none, unknown CA, expired, revoked, "
		"purpose, subject"),
    [PERF_REFUSED_OTHER] =
	COUNTER("RefusedOther", "refused-other", 9,
		"Refused for the protocol, a handshake timeout or the connection limit"),
    [PERF_CALL_ATTEMPTS] =
	COUNTER("CallAttempts", "call-attempts", 10, "Initial INVITEs received in the interval"),
    [PERF_TLS_CONNECTIONS_MAX] = GAUGE("TLSConnectionsMax", "tls-connections-max", 11,
				       "Most TLS connections seen at a sample"),
    [PERF_TLS_CONNECTIONS_AVERAGE] = GAUGE("TLSConnectionsAverage", "tls-connections-average", 12,
					   "Average of the TLS connections at the samples"),
    [PERF_REGISTERED_USERS_MAX] = GAUGE("RegisteredUsersMax", "registered-users-max", 13,
					"Most registered users seen at a sample"),
    [PERF_CALLS_MAX] =
	GAUGE("CallsMax", "calls-max", 14, "Most calls in progress seen at a sample"),
};
_Static_assert(CONF_NCOLS(cols) == PERF_NCOLS, "conf/cols.h lists every column of perfintervals");

const struct conf_table conf_tbl_perfintervals = {
    .name = "PerformanceIntervals",
    .cli = "performance",
    .tree = "voip",
    .mib = 30,
    .max_rows = 128,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Per SIP interface: TLS, registration and call counts of the current and previous "
	    "15-minute intervals (the vendor's performance monitoring)",
};

/* TLSStatus: per SIP interface state and TLS counters, filled live by sbcd's SIP engine. */
#include "conf/cols.h"

#define COUNTER(n, cli, mib, help)                                                                 \
	{                                                                                          \
		n, cli, mib, CONF_T_INT, 0, 0x7fffffffffffffffLL, NULL, NULL, "0", help, CONF_F_RO \
	}

static const struct conf_enum states[] = {
    {1, "up"}, {2, "down"}, {3, "partly-down"}, {4, "off"}, {0, NULL}};

static const struct conf_column cols[] = {
    [TLSSTATUS_INTERFACE_NAME] = {"InterfaceName", "interface-name", 1, CONF_T_STRING, 0, 40, NULL,
				  NULL, "",
				  "Name of the SIP interface (row index = SIPInterface index)",
				  CONF_F_RO},
    [TLSSTATUS_TLS_PORT] = {"TLSPort", "tls-port", 2, CONF_T_PORT, 0, 0, NULL, NULL, "0",
			    "TLS listening port, 0 when TLS is off", CONF_F_RO},
    [TLSSTATUS_MUTUAL_AUTHENTICATION] =
	{"MutualAuthentication", "mutual-auth", 3, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "Mutual authentication in effect (interface setting or SIPSRequireClientCertificate)",
	 CONF_F_RO},
    [TLSSTATUS_HANDSHAKES_ACCEPTED] = COUNTER("HandshakesAccepted", "handshakes-accepted", 4,
					      "TLS handshakes completed and accepted"),
    [TLSSTATUS_REJECTED_NO_CERTIFICATE] =
	COUNTER("RejectedNoCertificate", "rejected-no-certificate", 5,
		"Handshakes refused: the client sent no certificate"),
    [TLSSTATUS_REJECTED_UNKNOWN_CA] =
	COUNTER("RejectedUnknownCA", "rejected-unknown-ca", 6,
		"Handshakes refused: the client certificate does not chain to a trusted root"),
    [TLSSTATUS_REJECTED_EXPIRED] =
	COUNTER("RejectedExpired", "rejected-expired", 7,
		"Handshakes refused: client certificate expired or not yet valid"),
    [TLSSTATUS_REJECTED_REVOKED] = COUNTER("RejectedRevoked", "rejected-revoked", 8,
					   "Handshakes refused: client certificate revoked (CRL)"),
    [TLSSTATUS_REJECTED_BAD_PURPOSE] =
	COUNTER("RejectedBadPurpose", "rejected-bad-purpose", 9,
		"Handshakes refused: client certificate not for client authentication (EKU)"),
    [TLSSTATUS_REJECTED_SUBJECT_MISMATCH] = COUNTER(
	"RejectedSubjectMismatch", "rejected-subject-mismatch", 10,
	"Handshakes refused: client certificate subject does not match TLSRemoteSubjectName"),
    [TLSSTATUS_REJECTED_PROTOCOL] =
	COUNTER("RejectedProtocol", "rejected-protocol", 11,
		"Handshakes failed for protocol reasons (version, ciphers, peer alert, closed)"),
    [TLSSTATUS_REJECTED_TIMEOUT] =
	COUNTER("RejectedTimeout", "rejected-timeout", 12,
		"Connections closed because the handshake took longer than TLSHandshakeTimeout"),
    [TLSSTATUS_REJECTED_CONNECTION_LIMIT] =
	COUNTER("RejectedConnectionLimit", "rejected-connection-limit", 13,
		"Connections closed because MaxTLSConnections were already open"),
    [TLSSTATUS_ACTIVE_CONNECTIONS] =
	COUNTER("ActiveConnections", "active-connections", 14, "TLS connections open now"),
    [TLSSTATUS_TCP_ACTIVE_CONNECTIONS] =
	COUNTER("TCPActiveConnections", "tcp-active-connections", 15,
		"Plain TCP connections open at the last sweep (once a second)"),
    [TLSSTATUS_TCP_CONNECTIONS_CLOSED] = COUNTER(
	"TCPConnectionsClosed", "tcp-connections-closed", 16,
	"Plain TCP connections closed: idle for TCPIdleTimeout, or beyond MaxTCPConnections "
	"or the descriptor limit"),
    [TLSSTATUS_STATE] =
	{"State", "state", 17, CONF_T_ENUM, 0, 0, states, NULL, "1",
	 "SIP interface state: up (every configured port listens), down (none does), "
	 "partly-down, off (no port configured)",
	 CONF_F_RO},
    [TLSSTATUS_STATE_REASON] =
	{"StateReason", "state-reason", 18, CONF_T_STRING, 0, 0, NULL, NULL, "",
	 "Why a configured port does not listen, with the remedy; empty when "
	 "up",
	 CONF_F_RO},
    [TLSSTATUS_REJECTED_REVOKED_OCSP] =
	COUNTER("RejectedRevokedOcsp", "rejected-revoked-ocsp", 19,
		"Handshakes refused: the OCSP responder says revoked (or unknown)"),
    [TLSSTATUS_REJECTED_OCSP_UNAVAILABLE] =
	COUNTER("RejectedOcspUnavailable", "rejected-ocsp-unavailable", 20,
		"Handshakes refused: no OCSP answer and OcspDefaultResponse is reject"),
    [TLSSTATUS_CLOSED_TRUST_CHANGE] = COUNTER(
	"ClosedTrustChange", "closed-trust-change", 21,
	"Established connections closed: their peer chain failed verification again after a "
	"change of trusted roots, CRL or verification settings"),
};
_Static_assert(CONF_NCOLS(cols) == TLSSTATUS_NCOLS, "conf/cols.h lists every column of tlsstatus");

const struct conf_table conf_tbl_tlsstatus = {
    .name = "TLSStatus",
    .cli = "tls-status",
    .tree = "voip",
    .mib = 1,
    .max_rows = 64,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "TLS handshakes and connections per SIP interface",
};

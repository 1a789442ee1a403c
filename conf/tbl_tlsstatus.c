/* TLSStatus: per SIP interface state and TLS counters, filled live by sbcd's SIP engine. */
#include "conf/conf.h"

#define COUNTER(n, cli, mib, help)                                                                 \
	{                                                                                          \
		n, cli, mib, CONF_T_INT, 0, 0x7fffffffffffffffLL, NULL, NULL, "0", help, CONF_F_RO \
	}

static const struct conf_enum states[] = {
    {1, "up"}, {2, "down"}, {3, "partly-down"}, {4, "off"}, {0, NULL}};

static const struct conf_column cols[] = {
    {"InterfaceName", "interface-name", 1, CONF_T_STRING, 0, 40, NULL, NULL, "",
     "Name of the SIP interface (row index = SIPInterface index)", CONF_F_RO},
    {"TLSPort", "tls-port", 2, CONF_T_PORT, 0, 0, NULL, NULL, "0",
     "TLS listening port, 0 when TLS is off", CONF_F_RO},
    {"MutualAuthentication", "mutual-auth", 3, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
     "Mutual authentication in effect (interface setting or SIPSRequireClientCertificate)",
     CONF_F_RO},
    COUNTER("HandshakesAccepted", "handshakes-accepted", 4,
	    "TLS handshakes completed and accepted"),
    COUNTER("RejectedNoCertificate", "rejected-no-certificate", 5,
	    "Handshakes refused: the client sent no certificate"),
    COUNTER("RejectedUnknownCA", "rejected-unknown-ca", 6,
	    "Handshakes refused: the client certificate does not chain to a trusted root"),
    COUNTER("RejectedExpired", "rejected-expired", 7,
	    "Handshakes refused: client certificate expired or not yet valid"),
    COUNTER("RejectedRevoked", "rejected-revoked", 8,
	    "Handshakes refused: client certificate revoked (CRL)"),
    COUNTER("RejectedBadPurpose", "rejected-bad-purpose", 9,
	    "Handshakes refused: client certificate not for client authentication (EKU)"),
    COUNTER("RejectedSubjectMismatch", "rejected-subject-mismatch", 10,
	    "Handshakes refused: client certificate subject does not match TLSRemoteSubjectName"),
    COUNTER("RejectedProtocol", "rejected-protocol", 11,
	    "Handshakes failed for protocol reasons (version, ciphers, peer alert, closed)"),
    COUNTER("RejectedTimeout", "rejected-timeout", 12,
	    "Connections closed because the handshake took longer than TLSHandshakeTimeout"),
    COUNTER("RejectedConnectionLimit", "rejected-connection-limit", 13,
	    "Connections closed because MaxTLSConnections were already open"),
    COUNTER("ActiveConnections", "active-connections", 14, "TLS connections open now"),
    {"State", "state", 15, CONF_T_ENUM, 0, 0, states, NULL, "1",
     "SIP interface state: up (every configured port listens), down (none does), partly-down, "
     "off (no port configured)",
     CONF_F_RO},
    {"StateReason", "state-reason", 16, CONF_T_STRING, 0, 0, NULL, NULL, "",
     "Why a configured port does not listen, with the remedy; empty when up", CONF_F_RO},
};

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

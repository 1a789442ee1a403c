/* Global parameters: one row whose columns carry their INI section and CLI group. */
#include "conf/cols.h"

static const struct conf_enum hostname_modes[] = {
    {0, "disable"}, {1, "server-only"}, {2, "server-and-client"}, {0, NULL}};

#define SIP  "SIP Params"
#define SYS  "SYSTEM Params"
#define WEB  "WEB Params"
#define SNMP "SNMP Params"
#define SEC  "network security-settings"

static const struct conf_column cols[] = {
    [GLOBALS_SIPS_REQUIRE_CLIENT_CERTIFICATE] =
	{"SIPSRequireClientCertificate", "sips-require-client-certificate", 1, CONF_T_BOOL, 0, 1,
	 NULL, NULL, "0",
	 "TLS mutual authentication on SIP interfaces that do not set their own: as server demand "
	 "and verify the client certificate; as client the server certificate must verify",
	 CONF_F_RESET, SIP, SEC},
    [GLOBALS_VERIFY_SERVER_CERTIFICATE] =
	{"VerifyServerCertificate", "tls-vrfy-srvr-cert", 2, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "As TLS client, verify the server certificate against the context's trusted roots", 0, SIP,
	 SEC},
    [GLOBALS_PEER_HOST_NAME_VERIFICATION_MODE] =
	{"PeerHostNameVerificationMode", "peer-hostname-verification-mode", 3, CONF_T_ENUM, 0, 2,
	 hostname_modes, NULL, "0",
	 "Match the peer certificate SAN (else CN) against the proxy address or "
	 "TLSRemoteSubjectName",
	 CONF_F_RESET, SIP, SEC},
    [GLOBALS_TLS_REMOTE_SUBJECT_NAME] =
	{"TLSRemoteSubjectName", "tls-rmt-subs-name", 4, CONF_T_STRING, 0, 255, NULL, NULL, "",
	 "Expected peer certificate subject (SAN or CN; wildcards allowed); empty for none",
	 CONF_F_RESET, SIP, SEC},
    [GLOBALS_TLS_RE_HANDSHAKE_INTERVAL] =
	{"TLSReHandshakeInterval", "tls-re-hndshk-int", 5, CONF_T_INT, 0, 1500, NULL, NULL, "0",
	 "Minutes between TLS renegotiations, 0 for never (stored; TLS 1.3 has none)", 0, SIP, SEC},
    [GLOBALS_TLS_HANDSHAKE_TIMEOUT] =
	{"TLSHandshakeTimeout", "tls-handshake-timeout", 6, CONF_T_INT, 1, 300, NULL, NULL, "10",
	 "Seconds a TLS handshake may take before the connection is closed", CONF_F_RESET, SIP,
	 SEC},
    [GLOBALS_TLS_EXPIRY_CHECK_START] =
	{"TLSExpiryCheckStart", "tls-expiry-check-start", 7, CONF_T_INT, 0, 3650, NULL, NULL, "60",
	 "Days before a certificate expires when the expiry alarm is first raised", 0, SYS, SEC},
    [GLOBALS_TLS_EXPIRY_CHECK_PERIOD] = {"TLSExpiryCheckPeriod", "tls-expiry-check-period", 8,
					 CONF_T_INT, 1, 3650, NULL, NULL, "7",
					 "Days between certificate expiry checks", 0, SYS, SEC},
    [GLOBALS_TLS_PKEY_SIZE] =
	{"TLSPkeySize", "tls-pkey-size", 9, CONF_T_ENUM, 0, 0,
	 (const struct conf_enum[]){
	     {1024, "1024"}, {2048, "2048"}, {3072, "3072"}, {4096, "4096"}, {0, NULL}},
	 NULL, "2048", "Size in bits of RSA keys generated on the device", 0, SYS, SEC},
    [GLOBALS_HTTPS_ONLY] = {"HTTPSOnly", "https-only", 10, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
			    "Serve the web interface over HTTPS only", CONF_F_RESET, WEB,
			    "system web"},
    [GLOBALS_HTTPS_REQUIRE_CLIENT_CERTIFICATE] =
	{"HTTPSRequireClientCertificate", "req-client-cert", 11, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "HTTPS demands a client certificate trusted by TLS context 0", CONF_F_RESET, WEB,
	 "system web"},
    [GLOBALS_HTTPS_CIPHER_STRING] = {"HTTPSCipherString", "https-cipher-string", 12, CONF_T_STRING,
				     0, 1024, NULL, NULL, "DEFAULT",
				     "OpenSSL cipher list for HTTPS (TLS 1.2 and below)",
				     CONF_F_RESET, WEB, "system web"},
    [GLOBALS_HTTPS_PORT] = {"HTTPSPort", "https-port", 13, CONF_T_PORT, 0, 0, NULL, NULL, "443",
			    "TCP port of the HTTPS web interface, 0 for off", CONF_F_RESET, WEB,
			    "system web"},
    [GLOBALS_HTTP_PORT] = {"HTTPPort", "http-port", 14, CONF_T_PORT, 0, 0, NULL, NULL, "80",
			   "TCP port of the HTTP web interface, 0 for off", CONF_F_RESET, WEB,
			   "system web"},
    [GLOBALS_WEB_ADDRESS] = {"WebAddress", "web-address", 15, CONF_T_IPADDR, 0, 0, NULL, NULL,
			     "127.0.0.1", "Address the web interface listens on", CONF_F_RESET, WEB,
			     "system web"},
    [GLOBALS_AGENTX_SOCKET] =
	{"AgentXSocket", "agentx-socket", 16, CONF_T_STRING, 0, 255, NULL, NULL, "",
	 "AgentX socket of the master snmpd; empty leaves the SNMP subagent stopped", CONF_F_RESET,
	 SNMP, "system snmp"},
    [GLOBALS_SYSLOG_FACILITY] = {"SyslogFacility", "syslog-facility", 17, CONF_T_INT, 0, 23, NULL,
				 NULL, "16", "Syslog facility number (16 = local0)", 0, SYS,
				 "system logging"},
    [GLOBALS_TCP_IDLE_TIMEOUT] =
	{"TCPIdleTimeout", "tcp-idle-timeout", 18, CONF_T_INT, 0, 86400, NULL, NULL, "600",
	 "Seconds a SIP connection over TCP or TLS may carry no data before it is closed (not "
	 "while a live registration was made over it), 0 for never",
	 CONF_F_RESET, SIP, SEC},
    [GLOBALS_SIP_DIGEST_NONCE_LIFETIME] =
	{"SIPDigestNonceLifetime", "digest-nonce-lifetime", 40, CONF_T_INT, 1, 3600, NULL, NULL,
	 "300", "Seconds a SIP digest nonce is valid; later it is answered stale=true", 0, SIP,
	 SEC},
    [GLOBALS_DNS_SERVER_PORT] =
	{"DNSServerPort", "dns-server-port", 100, CONF_T_PORT, 0, 0, NULL, NULL, "53",
	 "UDP port of the DNS servers of the InterfaceTable (PrimaryDNSServerIPAddress, "
	 "SecondaryDNSServerIPAddress); not 53 in tests only",
	 0, SIP, "network dns"},
    [GLOBALS_DNS_GRACE_PERIOD] =
	{"DNSGracePeriod", "dns-grace-period", 101, CONF_T_INT, 0, 86400, NULL, NULL, "300",
	 "Seconds a name that stopped resolving keeps its last good targets beyond their TTL", 0,
	 SIP, "network dns"},
    [GLOBALS_PERFORMANCE_MONITORING] =
	{"PerformanceMonitoring", "performance-monitoring", 170, CONF_T_BOOL, 0, 1, NULL, NULL, "1",
	 "Sample the SIP interfaces' counters every 10 s (history, 15-minute intervals, "
	 "dashboard charts)",
	 0, SYS, "system performance"},
    [GLOBALS_MEDIA_ENGINE_ADDRESS] =
	{"MediaEngineAddress", "media-engine-address", 140, CONF_T_STRING, 0, 80, NULL, NULL, "",
	 "host:port of rtpengine's ng control protocol; empty: media is not anchored", 0, SIP,
	 "voip media"},
    [GLOBALS_MEDIA_ENGINE_START] =
	{"MediaEngineStart", "media-engine-start", 141, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "sbcd starts and supervises a private rtpengine listening on MediaEngineAddress, with "
	 "the default media realm's address and port range",
	 CONF_F_RESET, SIP, "voip media"},
    [GLOBALS_SNMP_READ_ONLY_COMMUNITY_STRING] =
	{"SNMPReadOnlyCommunityString", "ro-community-string", 120, CONF_T_SECRET, 0, 64, NULL,
	 NULL, "",
	 "SNMPv1/v2c read-only community of the snmpd master, empty for none (never shown)",
	 CONF_F_SECRET, SNMP, "system snmp"},
    [GLOBALS_SNMP_READ_WRITE_COMMUNITY_STRING] =
	{"SNMPReadWriteCommunityString", "rw-community-string", 121, CONF_T_SECRET, 0, 64, NULL,
	 NULL, "",
	 "SNMPv1/v2c read-write community of the snmpd master, empty for none (never shown)",
	 CONF_F_SECRET, SNMP, "system snmp"},
    [GLOBALS_SNMP_V1V2C_ENABLE] =
	{"SNMPv1v2cEnable", "v1v2c-enable", 122, CONF_T_BOOL, 0, 1, NULL, NULL, "1",
	 "SNMPv1/v2c communities and v2c notifications on the snmpd master; 0 leaves SNMPv3 only",
	 0, SNMP, "system snmp"},
    /* HA (doc/HA.md): box-local, never replicated to the peer */
    [GLOBALS_HA_ENABLE] =
	{"HAEnable", "ha-enable", 180, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "1+1 pair with keepalived: SIP listeners only while keepalived says MASTER, "
	 "configuration replicated to the peer on every save",
	 CONF_F_RESET, SYS, "system ha"},
    [GLOBALS_HA_PEER_ADDRESS] = {"HAPeerAddress", "ha-peer-address", 181, CONF_T_IPADDR, 0, 0, NULL,
				 NULL, "", "The other box's synchronisation address", 0, SYS,
				 "system ha"},
    [GLOBALS_HA_SYNC_PORT] = {"HASyncPort", "ha-sync-port", 182, CONF_T_PORT, 0, 0, NULL, NULL,
			      "7011",
			      "TCP port of the mutual-TLS synchronisation channel, on both boxes",
			      CONF_F_RESET, SYS, "system ha"},
    [GLOBALS_HA_SYNC_TLS_CONTEXT] =
	{"HASyncTLSContext", "ha-sync-tls-context", 183, CONF_T_INT, 0, 99, NULL, NULL, "0",
	 "TLS context (certificate, key, trusted roots) of the synchronisation channel; its "
	 "material stays on each box",
	 0, SYS, "system ha"},
    [GLOBALS_HA_LOCAL_ADDRESS] =
	{"HALocalAddress", "ha-local-address", 184, CONF_T_IPADDR, 0, 0, NULL, NULL, "",
	 "Address the synchronisation listener binds, empty for every address", CONF_F_RESET, SYS,
	 "system ha"},
    [GLOBALS_SIP_TLS_HANDSHAKE_THREADS] =
	{"SIPTLSHandshakeThreads", "tls-handshake-threads", 171, CONF_T_INT, -1, 64, NULL, NULL,
	 "-1",
	 "Threads that run the SIP listeners' TLS handshakes beside the SIP thread: -1 for one "
	 "per core, 0 for none (handshakes on the SIP thread)",
	 CONF_F_RESET, SIP, SEC},
};
_Static_assert(CONF_NCOLS(cols) == GLOBALS_NCOLS, "conf/cols.h lists every column of globals");

const struct conf_table conf_tbl_globals = {
    .name = "Globals",
    .cli = "globals",
    .tree = "system",
    .mib = 1,
    .max_rows = 1,
    .flags = CONF_TF_GLOBALS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Global parameters",
};

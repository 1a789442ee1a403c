/*
 * conf cols: typed bindings of every schema column.
 *
 * C code reaches a column by a constant, never by its name: a row's value is
 * row->v[SIPIF_TLS_PORT], a global is conf_globals_int(st, GLOBALS_HTTPS_PORT),
 * a table is &conf_tbl_sipinterface. Names appear only at the edges, where text
 * from an operator or a file is matched against the schema (INI, CLI, SNMP,
 * web, control protocol).
 *
 * One list per table below is the single source of truth for the position,
 * canonical name and type of each column. From it come:
 * - an enum per table whose values are the column positions;
 * - the column array of conf/tbl_*.c, written with designated initializers
 *   ([SIPIF_TLS_PORT] = {"TLSPort", ...}) and a static assertion on its length;
 * - conf_bindings[] (conf/cols.c), which tests/unit/test_conf_bindings.c walks:
 *   it fails when a schema column's name or type differs from its binding,
 *   when a column has no binding, or when a table has no binding list.
 *
 * Adding a column: one X() line here, one [ID] = {...} entry in its tbl_*.c.
 */
#ifndef CONF_COLS_H
#define CONF_COLS_H

#include "conf/conf.h"

/* X(ID, "CanonicalName", TYPE): TYPE is the conf_type without CONF_T_. */
#define CONF_COL_ENUM(id, name, type) id,

/* Globals (conf/tbl_globals.c) */
extern const struct conf_table conf_tbl_globals;
#define CONF_COLS_GLOBALS(X)                                                                       \
	X(GLOBALS_SIPS_REQUIRE_CLIENT_CERTIFICATE, "SIPSRequireClientCertificate", BOOL)           \
	X(GLOBALS_VERIFY_SERVER_CERTIFICATE, "VerifyServerCertificate", BOOL)                      \
	X(GLOBALS_PEER_HOST_NAME_VERIFICATION_MODE, "PeerHostNameVerificationMode", ENUM)          \
	X(GLOBALS_TLS_REMOTE_SUBJECT_NAME, "TLSRemoteSubjectName", STRING)                         \
	X(GLOBALS_TLS_RE_HANDSHAKE_INTERVAL, "TLSReHandshakeInterval", INT)                        \
	X(GLOBALS_TLS_HANDSHAKE_TIMEOUT, "TLSHandshakeTimeout", INT)                               \
	X(GLOBALS_TLS_EXPIRY_CHECK_START, "TLSExpiryCheckStart", INT)                              \
	X(GLOBALS_TLS_EXPIRY_CHECK_PERIOD, "TLSExpiryCheckPeriod", INT)                            \
	X(GLOBALS_TLS_PKEY_SIZE, "TLSPkeySize", ENUM)                                              \
	X(GLOBALS_HTTPS_ONLY, "HTTPSOnly", BOOL)                                                   \
	X(GLOBALS_HTTPS_REQUIRE_CLIENT_CERTIFICATE, "HTTPSRequireClientCertificate", BOOL)         \
	X(GLOBALS_HTTPS_CIPHER_STRING, "HTTPSCipherString", STRING)                                \
	X(GLOBALS_HTTPS_PORT, "HTTPSPort", PORT)                                                   \
	X(GLOBALS_HTTP_PORT, "HTTPPort", PORT)                                                     \
	X(GLOBALS_WEB_ADDRESS, "WebAddress", IPADDR)                                               \
	X(GLOBALS_AGENTX_SOCKET, "AgentXSocket", STRING)                                           \
	X(GLOBALS_SYSLOG_FACILITY, "SyslogFacility", INT)                                          \
	X(GLOBALS_TCP_IDLE_TIMEOUT, "TCPIdleTimeout", INT)                                         \
	X(GLOBALS_SIP_DIGEST_NONCE_LIFETIME, "SIPDigestNonceLifetime", INT)                        \
	X(GLOBALS_DNS_SERVER_PORT, "DNSServerPort", PORT)                                          \
	X(GLOBALS_DNS_GRACE_PERIOD, "DNSGracePeriod", INT)                                         \
	X(GLOBALS_PERFORMANCE_MONITORING, "PerformanceMonitoring", BOOL)                           \
	X(GLOBALS_MEDIA_ENGINE_ADDRESS, "MediaEngineAddress", STRING)                              \
	X(GLOBALS_MEDIA_ENGINE_START, "MediaEngineStart", BOOL)                                    \
	X(GLOBALS_SNMP_READ_ONLY_COMMUNITY_STRING, "SNMPReadOnlyCommunityString", SECRET)          \
	X(GLOBALS_SNMP_READ_WRITE_COMMUNITY_STRING, "SNMPReadWriteCommunityString", SECRET)        \
	X(GLOBALS_SNMP_V1V2C_ENABLE, "SNMPv1v2cEnable", BOOL)                                      \
	X(GLOBALS_HA_ENABLE, "HAEnable", BOOL)                                                     \
	X(GLOBALS_HA_PEER_ADDRESS, "HAPeerAddress", IPADDR)                                        \
	X(GLOBALS_HA_SYNC_PORT, "HASyncPort", PORT)                                                \
	X(GLOBALS_HA_SYNC_TLS_CONTEXT, "HASyncTLSContext", INT)                                    \
	X(GLOBALS_HA_LOCAL_ADDRESS, "HALocalAddress", IPADDR)                                      \
	X(GLOBALS_SIP_TLS_HANDSHAKE_THREADS, "SIPTLSHandshakeThreads", INT)
enum globals_col { CONF_COLS_GLOBALS(CONF_COL_ENUM) GLOBALS_NCOLS };

/* TLSContexts (conf/tbl_tlscontexts.c) */
extern const struct conf_table conf_tbl_tlscontexts;
#define CONF_COLS_TLSCTX(X)                                                                        \
	X(TLSCTX_NAME, "Name", STRING)                                                             \
	X(TLSCTX_TLS_VERSION, "TLSVersion", ENUM)                                                  \
	X(TLSCTX_DTLS_VERSION, "DTLSVersion", ENUM)                                                \
	X(TLSCTX_SERVER_CIPHER_STRING, "ServerCipherString", STRING)                               \
	X(TLSCTX_CLIENT_CIPHER_STRING, "ClientCipherString", STRING)                               \
	X(TLSCTX_SERVER_CIPHER_TLS13_STRING, "ServerCipherTLS13String", STRING)                    \
	X(TLSCTX_CLIENT_CIPHER_TLS13_STRING, "ClientCipherTLS13String", STRING)                    \
	X(TLSCTX_KEY_EXCHANGE_GROUPS, "KeyExchangeGroups", STRING)                                 \
	X(TLSCTX_REQUIRE_STRICT_CERT, "RequireStrictCert", BOOL)                                   \
	X(TLSCTX_OCSP_ENABLE, "OcspEnable", BOOL)                                                  \
	X(TLSCTX_OCSP_SERVER_PRIMARY, "OcspServerPrimary", IPADDR)                                 \
	X(TLSCTX_OCSP_SERVER_SECONDARY, "OcspServerSecondary", IPADDR)                             \
	X(TLSCTX_OCSP_SERVER_PORT, "OcspServerPort", PORT)                                         \
	X(TLSCTX_OCSP_DEFAULT_RESPONSE, "OcspDefaultResponse", ENUM)                               \
	X(TLSCTX_DH_KEY_SIZE, "DHKeySize", ENUM)                                                   \
	X(TLSCTX_VERIFY_DEPTH, "VerifyDepth", INT)                                                 \
	X(TLSCTX_OCSP_AIA_ENABLE, "OcspAiaEnable", BOOL)                                           \
	X(TLSCTX_OCSP_STAPLING, "OcspStapling", BOOL)                                              \
	X(TLSCTX_CRL_DISTRIBUTION_POINT_ENABLE, "CrlDistributionPointEnable", BOOL)
enum tlsctx_col { CONF_COLS_TLSCTX(CONF_COL_ENUM) TLSCTX_NCOLS };

/* InterfaceTable (conf/tbl_interfaces.c) */
extern const struct conf_table conf_tbl_interfaces;
#define CONF_COLS_NETIF(X)                                                                         \
	X(NETIF_APPLICATION_TYPES, "ApplicationTypes", ENUM)                                       \
	X(NETIF_INTERFACE_MODE, "InterfaceMode", ENUM)                                             \
	X(NETIF_IP_ADDRESS, "IPAddress", IPADDR)                                                   \
	X(NETIF_PREFIX_LENGTH, "PrefixLength", INT)                                                \
	X(NETIF_GATEWAY, "Gateway", IPADDR)                                                        \
	X(NETIF_INTERFACE_NAME, "InterfaceName", STRING)                                           \
	X(NETIF_PRIMARY_DNS_SERVER_IP_ADDRESS, "PrimaryDNSServerIPAddress", IPADDR)                \
	X(NETIF_SECONDARY_DNS_SERVER_IP_ADDRESS, "SecondaryDNSServerIPAddress", IPADDR)            \
	X(NETIF_UNDERLYING_DEVICE, "UnderlyingDevice", STRING)
enum netif_col { CONF_COLS_NETIF(CONF_COL_ENUM) NETIF_NCOLS };

/* SIPInterface (conf/tbl_sipinterface.c) */
extern const struct conf_table conf_tbl_sipinterface;
#define CONF_COLS_SIPIF(X)                                                                         \
	X(SIPIF_INTERFACE_NAME, "InterfaceName", STRING)                                           \
	X(SIPIF_NETWORK_INTERFACE, "NetworkInterface", REF)                                        \
	X(SIPIF_APPLICATION_TYPE, "ApplicationType", ENUM)                                         \
	X(SIPIF_UDP_PORT, "UDPPort", PORT)                                                         \
	X(SIPIF_TCP_PORT, "TCPPort", PORT)                                                         \
	X(SIPIF_TLS_PORT, "TLSPort", PORT)                                                         \
	X(SIPIF_SRD_NAME, "SRDName", STRING)                                                       \
	X(SIPIF_MESSAGE_POLICY_NAME, "MessagePolicyName", STRING)                                  \
	X(SIPIF_TLS_CONTEXT, "TLSContext", REF)                                                    \
	X(SIPIF_TLS_MUTUAL_AUTHENTICATION, "TLSMutualAuthentication", ENUM)                        \
	X(SIPIF_TCP_KEEPALIVE_ENABLE, "TCPKeepaliveEnable", BOOL)                                  \
	X(SIPIF_CLASSIFICATION_FAILURE_RESPONSE_TYPE, "ClassificationFailureResponseType", INT)    \
	X(SIPIF_BLOCK_UN_REG_USERS, "BlockUnRegUsers", ENUM)                                       \
	X(SIPIF_MAX_NUM_OF_REG_USERS, "MaxNumOfRegUsers", INT)                                     \
	X(SIPIF_ENABLE_UN_AUTHENTICATED_REGISTRATIONS, "EnableUnAuthenticatedRegistrations", ENUM) \
	X(SIPIF_TOPOLOGY_LOCATION, "TopologyLocation", ENUM)                                       \
	X(SIPIF_MAX_TLS_CONNECTIONS, "MaxTLSConnections", INT)                                     \
	X(SIPIF_MAX_TCP_CONNECTIONS, "MaxTCPConnections", INT)                                     \
	X(SIPIF_TLS_IDENTITY_BINDING, "TLSIdentityBinding", ENUM)                                  \
	X(SIPIF_AUTHENTICATION_MODE, "AuthenticationMode", ENUM)                                   \
	X(SIPIF_AUTHENTICATION_REALM, "AuthenticationRealm", STRING)                               \
	X(SIPIF_DIGEST_ALGORITHMS, "DigestAlgorithms", ENUM)                                       \
	X(SIPIF_MEDIA_REALM, "MediaRealm", REF)                                                    \
	X(SIPIF_TCP_IDLE_TIMEOUT, "TCPIdleTimeout", INT)
enum sipif_col { CONF_COLS_SIPIF(CONF_COL_ENUM) SIPIF_NCOLS };

/* ProxySet (conf/tbl_proxyset.c) */
extern const struct conf_table conf_tbl_proxyset;
#define CONF_COLS_PROXYSET(X)                                                                      \
	X(PROXYSET_PROXY_NAME, "ProxyName", STRING)                                                \
	X(PROXYSET_ENABLE_PROXY_KEEP_ALIVE, "EnableProxyKeepAlive", ENUM)                          \
	X(PROXYSET_PROXY_KEEP_ALIVE_TIME, "ProxyKeepAliveTime", INT)                               \
	X(PROXYSET_PROXY_LOAD_BALANCING_METHOD, "ProxyLoadBalancingMethod", ENUM)                  \
	X(PROXYSET_IS_PROXY_HOT_SWAP, "IsProxyHotSwap", BOOL)                                      \
	X(PROXYSET_SRD_NAME, "SRDName", STRING)                                                    \
	X(PROXYSET_CLASSIFICATION_INPUT, "ClassificationInput", ENUM)                              \
	X(PROXYSET_TLS_CONTEXT_NAME, "TLSContextName", REF)                                        \
	X(PROXYSET_PROXY_REDUNDANCY_MODE, "ProxyRedundancyMode", ENUM)                             \
	X(PROXYSET_DNS_RESOLVE_METHOD, "DNSResolveMethod", ENUM)                                   \
	X(PROXYSET_KEEP_ALIVE_FAILURE_RESP, "KeepAliveFailureResp", STRING)                        \
	X(PROXYSET_SBC_IPV4_SIP_INTERFACE_NAME, "SBCIPv4SIPInterfaceName", REF)
enum proxyset_col { CONF_COLS_PROXYSET(CONF_COL_ENUM) PROXYSET_NCOLS };

/* ProxyIp (conf/tbl_proxyip.c) */
extern const struct conf_table conf_tbl_proxyip;
#define CONF_COLS_PROXYIP(X)                                                                       \
	X(PROXYIP_PROXY_SET_ID, "ProxySetId", REF)                                                 \
	X(PROXYIP_PROXY_IP_INDEX, "ProxyIpIndex", INT)                                             \
	X(PROXYIP_IP_ADDRESS, "IpAddress", STRING)                                                 \
	X(PROXYIP_TRANSPORT_TYPE, "TransportType", ENUM)                                           \
	X(PROXYIP_PRIORITY, "Priority", INT)                                                       \
	X(PROXYIP_WEIGHT, "Weight", INT)
enum proxyip_col { CONF_COLS_PROXYIP(CONF_COL_ENUM) PROXYIP_NCOLS };

/* IPGroup (conf/tbl_ipgroup.c) */
extern const struct conf_table conf_tbl_ipgroup;
#define CONF_COLS_IPGROUP(X)                                                                       \
	X(IPGROUP_TYPE, "Type", ENUM)                                                              \
	X(IPGROUP_NAME, "Name", STRING)                                                            \
	X(IPGROUP_PROXY_SET_NAME, "ProxySetName", REF)                                             \
	X(IPGROUP_SIP_GROUP_NAME, "SIPGroupName", STRING)                                          \
	X(IPGROUP_CONTACT_USER, "ContactUser", STRING)                                             \
	X(IPGROUP_SRD_NAME, "SRDName", STRING)                                                     \
	X(IPGROUP_CLASSIFY_BY_PROXY_SET, "ClassifyByProxySet", BOOL)                               \
	X(IPGROUP_SIP_INTERFACE_NAME, "SIPInterfaceName", REF)                                     \
	X(IPGROUP_IP_PROFILE_NAME, "IPProfileName", REF)
enum ipgroup_col { CONF_COLS_IPGROUP(CONF_COL_ENUM) IPGROUP_NCOLS };

/* Classification (conf/tbl_classification.c) */
extern const struct conf_table conf_tbl_classification;
#define CONF_COLS_CLASSIF(X)                                                                       \
	X(CLASSIF_CLASSIFICATION_NAME, "ClassificationName", STRING)                               \
	X(CLASSIF_SRC_SIP_INTERFACE_NAME, "SrcSIPInterfaceName", REF)                              \
	X(CLASSIF_SRC_ADDRESS, "SrcAddress", STRING)                                               \
	X(CLASSIF_SRC_PORT, "SrcPort", PORT)                                                       \
	X(CLASSIF_SRC_TRANSPORT_TYPE, "SrcTransportType", ENUM)                                    \
	X(CLASSIF_SRC_USERNAME_PREFIX, "SrcUsernamePrefix", STRING)                                \
	X(CLASSIF_SRC_HOST, "SrcHost", STRING)                                                     \
	X(CLASSIF_DEST_USERNAME_PREFIX, "DestUsernamePrefix", STRING)                              \
	X(CLASSIF_DEST_HOST, "DestHost", STRING)                                                   \
	X(CLASSIF_ACTION_TYPE, "ActionType", ENUM)                                                 \
	X(CLASSIF_SRC_IP_GROUP_NAME, "SrcIPGroupName", REF)
enum classif_col { CONF_COLS_CLASSIF(CONF_COL_ENUM) CLASSIF_NCOLS };

/* IP2IPRouting (conf/tbl_ip2iprouting.c) */
extern const struct conf_table conf_tbl_ip2iprouting;
#define CONF_COLS_ROUTE(X)                                                                         \
	X(ROUTE_ROUTE_NAME, "RouteName", STRING)                                                   \
	X(ROUTE_SRC_IP_GROUP_NAME, "SrcIPGroupName", STRING)                                       \
	X(ROUTE_SRC_USERNAME_PREFIX, "SrcUsernamePrefix", STRING)                                  \
	X(ROUTE_SRC_HOST, "SrcHost", STRING)                                                       \
	X(ROUTE_DEST_USERNAME_PREFIX, "DestUsernamePrefix", STRING)                                \
	X(ROUTE_DEST_HOST, "DestHost", STRING)                                                     \
	X(ROUTE_REQUEST_TYPE, "RequestType", ENUM)                                                 \
	X(ROUTE_DEST_TYPE, "DestType", ENUM)                                                       \
	X(ROUTE_DEST_IP_GROUP_NAME, "DestIPGroupName", REF)                                        \
	X(ROUTE_DEST_SIP_INTERFACE_NAME, "DestSIPInterfaceName", REF)                              \
	X(ROUTE_DEST_ADDRESS, "DestAddress", STRING)                                               \
	X(ROUTE_DEST_PORT, "DestPort", PORT)                                                       \
	X(ROUTE_DEST_TRANSPORT_TYPE, "DestTransportType", ENUM)
enum route_col { CONF_COLS_ROUTE(CONF_COL_ENUM) ROUTE_NCOLS };

/* WebUsers (conf/tbl_webusers.c) */
extern const struct conf_table conf_tbl_webusers;
#define CONF_COLS_WEBUSER(X)                                                                       \
	X(WEBUSER_USERNAME, "Username", STRING)                                                    \
	X(WEBUSER_PASSWORD, "Password", SECRET)                                                    \
	X(WEBUSER_STATUS, "Status", ENUM)                                                          \
	X(WEBUSER_PW_AGE_INTERVAL, "PwAgeInterval", INT)                                           \
	X(WEBUSER_SESSION_LIMIT, "SessionLimit", INT)                                              \
	X(WEBUSER_SESSION_TIMEOUT, "SessionTimeout", INT)                                          \
	X(WEBUSER_BLOCK_TIME, "BlockTime", INT)                                                    \
	X(WEBUSER_USER_LEVEL, "UserLevel", ENUM)                                                   \
	X(WEBUSER_SSH_PUBLIC_KEY, "SSHPublicKey", STRING)
enum webuser_col { CONF_COLS_WEBUSER(CONF_COL_ENUM) WEBUSER_NCOLS };

/* TLSStatus (conf/tbl_tlsstatus.c) */
extern const struct conf_table conf_tbl_tlsstatus;
#define CONF_COLS_TLSSTATUS(X)                                                                     \
	X(TLSSTATUS_INTERFACE_NAME, "InterfaceName", STRING)                                       \
	X(TLSSTATUS_TLS_PORT, "TLSPort", PORT)                                                     \
	X(TLSSTATUS_MUTUAL_AUTHENTICATION, "MutualAuthentication", BOOL)                           \
	X(TLSSTATUS_HANDSHAKES_ACCEPTED, "HandshakesAccepted", INT)                                \
	X(TLSSTATUS_REJECTED_NO_CERTIFICATE, "RejectedNoCertificate", INT)                         \
	X(TLSSTATUS_REJECTED_UNKNOWN_CA, "RejectedUnknownCA", INT)                                 \
	X(TLSSTATUS_REJECTED_EXPIRED, "RejectedExpired", INT)                                      \
	X(TLSSTATUS_REJECTED_REVOKED, "RejectedRevoked", INT)                                      \
	X(TLSSTATUS_REJECTED_BAD_PURPOSE, "RejectedBadPurpose", INT)                               \
	X(TLSSTATUS_REJECTED_SUBJECT_MISMATCH, "RejectedSubjectMismatch", INT)                     \
	X(TLSSTATUS_REJECTED_PROTOCOL, "RejectedProtocol", INT)                                    \
	X(TLSSTATUS_REJECTED_TIMEOUT, "RejectedTimeout", INT)                                      \
	X(TLSSTATUS_REJECTED_CONNECTION_LIMIT, "RejectedConnectionLimit", INT)                     \
	X(TLSSTATUS_ACTIVE_CONNECTIONS, "ActiveConnections", INT)                                  \
	X(TLSSTATUS_TCP_ACTIVE_CONNECTIONS, "TCPActiveConnections", INT)                           \
	X(TLSSTATUS_TCP_CONNECTIONS_CLOSED, "TCPConnectionsClosed", INT)                           \
	X(TLSSTATUS_STATE, "State", ENUM)                                                          \
	X(TLSSTATUS_STATE_REASON, "StateReason", STRING)                                           \
	X(TLSSTATUS_REJECTED_REVOKED_OCSP, "RejectedRevokedOcsp", INT)                             \
	X(TLSSTATUS_REJECTED_OCSP_UNAVAILABLE, "RejectedOcspUnavailable", INT)                     \
	X(TLSSTATUS_CLOSED_TRUST_CHANGE, "ClosedTrustChange", INT)
enum tlsstatus_col { CONF_COLS_TLSSTATUS(CONF_COL_ENUM) TLSSTATUS_NCOLS };

/* Registrations (conf/tbl_registrations.c) */
extern const struct conf_table conf_tbl_registrations;
#define CONF_COLS_REGISTRATION(X)                                                                  \
	X(REGISTRATION_AOR, "AOR", STRING)                                                         \
	X(REGISTRATION_CONTACT, "Contact", STRING)                                                 \
	X(REGISTRATION_INTERFACE_NAME, "InterfaceName", STRING)                                    \
	X(REGISTRATION_TRANSPORT, "Transport", STRING)                                             \
	X(REGISTRATION_PEER_ADDRESS, "PeerAddress", STRING)                                        \
	X(REGISTRATION_CERTIFICATE_SUBJECT, "CertificateSubject", STRING)                          \
	X(REGISTRATION_EXPIRES, "Expires", INT)                                                    \
	X(REGISTRATION_AUTHENTICATION, "Authentication", STRING)                                   \
	X(REGISTRATION_IDENTITY_CHECK, "IdentityCheck", STRING)
enum registration_col { CONF_COLS_REGISTRATION(CONF_COL_ENUM) REGISTRATION_NCOLS };

/* TLSCertificates (conf/tbl_tlscertificates.c) */
extern const struct conf_table conf_tbl_tlscertificates;
#define CONF_COLS_TLSCERT(X)                                                                       \
	X(TLSCERT_CONTEXT_NAME, "ContextName", STRING)                                             \
	X(TLSCERT_SUBJECT, "Subject", STRING)                                                      \
	X(TLSCERT_ISSUER, "Issuer", STRING)                                                        \
	X(TLSCERT_SERIAL_NUMBER, "SerialNumber", STRING)                                           \
	X(TLSCERT_NOT_BEFORE, "NotBefore", STRING)                                                 \
	X(TLSCERT_NOT_AFTER, "NotAfter", STRING)                                                   \
	X(TLSCERT_KEY_TYPE, "KeyType", STRING)                                                     \
	X(TLSCERT_DAYS_LEFT, "DaysLeft", INT)                                                      \
	X(TLSCERT_STATUS, "Status", ENUM)                                                          \
	X(TLSCERT_FINGERPRINT, "Fingerprint", STRING)                                              \
	X(TLSCERT_SUBJECT_ALT_NAME, "SubjectAltName", STRING)
enum tlscert_col { CONF_COLS_TLSCERT(CONF_COL_ENUM) TLSCERT_NCOLS };

/* TrustedRoots (conf/tbl_trustedroots.c) */
extern const struct conf_table conf_tbl_trustedroots;
#define CONF_COLS_TROOT(X)                                                                         \
	X(TROOT_CONTEXT, "Context", INT)                                                           \
	X(TROOT_POSITION, "Position", INT)                                                         \
	X(TROOT_SUBJECT, "Subject", STRING)                                                        \
	X(TROOT_ISSUER, "Issuer", STRING)                                                          \
	X(TROOT_SERIAL_NUMBER, "SerialNumber", STRING)                                             \
	X(TROOT_NOT_BEFORE, "NotBefore", STRING)                                                   \
	X(TROOT_NOT_AFTER, "NotAfter", STRING)                                                     \
	X(TROOT_FINGERPRINT, "Fingerprint", STRING)                                                \
	X(TROOT_IS_CA, "IsCA", BOOL)
enum troot_col { CONF_COLS_TROOT(CONF_COL_ENUM) TROOT_NCOLS };

/* Alarms (conf/tbl_alarms.c) */
extern const struct conf_table conf_tbl_alarms;
#define CONF_COLS_ALARMS(X)                                                                        \
	X(ALARMS_NAME, "Name", STRING)                                                             \
	X(ALARMS_SEVERITY, "Severity", ENUM)                                                       \
	X(ALARMS_SOURCE, "Source", STRING)                                                         \
	X(ALARMS_TEXT, "Text", STRING)                                                             \
	X(ALARMS_RAISED_AT, "RaisedAt", STRING)                                                    \
	X(ALARMS_UNIQUE_ID, "UniqueId", INT)
enum alarms_col { CONF_COLS_ALARMS(CONF_COL_ENUM) ALARMS_NCOLS };

/* ProxyStatus (conf/tbl_proxystatus.c) */
extern const struct conf_table conf_tbl_proxystatus;
#define CONF_COLS_PROXYSTATUS(X)                                                                   \
	X(PROXYSTATUS_PROXY_SET_NAME, "ProxySetName", STRING)                                      \
	X(PROXYSTATUS_PROXY_IP_INDEX, "ProxyIpIndex", INT)                                         \
	X(PROXYSTATUS_IP_ADDRESS, "IpAddress", STRING)                                             \
	X(PROXYSTATUS_RESOLVED_ADDRESS, "ResolvedAddress", STRING)                                 \
	X(PROXYSTATUS_TRANSPORT_TYPE, "TransportType", STRING)                                     \
	X(PROXYSTATUS_STATE, "State", ENUM)                                                        \
	X(PROXYSTATUS_ACTIVE, "Active", BOOL)                                                      \
	X(PROXYSTATUS_LAST_ERROR, "LastError", STRING)                                             \
	X(PROXYSTATUS_TLS_PEER_SUBJECT, "TLSPeerSubject", STRING)                                  \
	X(PROXYSTATUS_LAST_CHANGE, "LastChange", INT)                                              \
	X(PROXYSTATUS_KEEP_ALIVES_SENT, "KeepAlivesSent", INT)                                     \
	X(PROXYSTATUS_KEEP_ALIVE_FAILURES, "KeepAliveFailures", INT)                               \
	X(PROXYSTATUS_REQUESTS_ANSWERED, "RequestsAnswered", INT)                                  \
	X(PROXYSTATUS_REQUESTS_FAILED, "RequestsFailed", INT)
enum proxystatus_col { CONF_COLS_PROXYSTATUS(CONF_COL_ENUM) PROXYSTATUS_NCOLS };

/* Calls (conf/tbl_calls.c) */
extern const struct conf_table conf_tbl_calls;
#define CONF_COLS_CALLS(X)                                                                         \
	X(CALLS_CALLER_CALL_ID, "CallerCallId", STRING)                                            \
	X(CALLS_CALLEE_CALL_ID, "CalleeCallId", STRING)                                            \
	X(CALLS_CALLER_PEER, "CallerPeer", STRING)                                                 \
	X(CALLS_CALLEE_PEER, "CalleePeer", STRING)                                                 \
	X(CALLS_CALLER_INTERFACE, "CallerInterface", STRING)                                       \
	X(CALLS_CALLEE_INTERFACE, "CalleeInterface", STRING)                                       \
	X(CALLS_CALLER_TRANSPORT, "CallerTransport", STRING)                                       \
	X(CALLS_CALLEE_TRANSPORT, "CalleeTransport", STRING)                                       \
	X(CALLS_SRC_IP_GROUP_NAME, "SrcIPGroupName", STRING)                                       \
	X(CALLS_DEST_IP_GROUP_NAME, "DestIPGroupName", STRING)                                     \
	X(CALLS_ROUTE_NAME, "RouteName", STRING)                                                   \
	X(CALLS_STATE, "State", ENUM)                                                              \
	X(CALLS_START_TIME, "StartTime", INT)                                                      \
	X(CALLS_DURATION, "Duration", INT)                                                         \
	X(CALLS_CALLER_MEDIA, "CallerMediaAddress", STRING)                                        \
	X(CALLS_CALLEE_MEDIA, "CalleeMediaAddress", STRING)                                        \
	X(CALLS_CALLER_SRTP, "CallerSRTP", BOOL)                                                   \
	X(CALLS_CALLEE_SRTP, "CalleeSRTP", BOOL)                                                   \
	X(CALLS_MEDIA_PACKETS, "MediaPackets", INT)
enum calls_col { CONF_COLS_CALLS(CONF_COL_ENUM) CALLS_NCOLS };

/* SIPCredentials (conf/tbl_sipcredentials.c) */
extern const struct conf_table conf_tbl_sipcredentials;
#define CONF_COLS_SIPCRED(X)                                                                       \
	X(SIPCRED_USERNAME, "Username", STRING)                                                    \
	X(SIPCRED_REALM, "Realm", STRING)                                                          \
	X(SIPCRED_PASSWORD, "Password", SECRET)
enum sipcred_col { CONF_COLS_SIPCRED(CONF_COL_ENUM) SIPCRED_NCOLS };

/* SIPIdentityStatus (conf/tbl_sipidstatus.c) */
extern const struct conf_table conf_tbl_sipidstatus;
#define CONF_COLS_SIPIDSTATUS(X)                                                                   \
	X(SIPIDSTATUS_INTERFACE_NAME, "InterfaceName", STRING)                                     \
	X(SIPIDSTATUS_REGISTERED_USERS, "RegisteredUsers", INT)                                    \
	X(SIPIDSTATUS_AUTHENTICATED, "Authenticated", INT)                                         \
	X(SIPIDSTATUS_CHALLENGES, "Challenges", INT)                                               \
	X(SIPIDSTATUS_AUTH_FAILURES, "AuthFailures", INT)                                          \
	X(SIPIDSTATUS_STALE_NONCES, "StaleNonces", INT)                                            \
	X(SIPIDSTATUS_REPLAYED_NONCES, "ReplayedNonces", INT)                                      \
	X(SIPIDSTATUS_IDENTITY_MISMATCHES, "IdentityMismatches", INT)                              \
	X(SIPIDSTATUS_UNAUTHENTICATED_REFUSED, "UnauthenticatedRefused", INT)                      \
	X(SIPIDSTATUS_UNREGISTERED_REFUSED, "UnregisteredRefused", INT)                            \
	X(SIPIDSTATUS_REGISTRATION_LIMIT_REFUSED, "RegistrationLimitRefused", INT)                 \
	X(SIPIDSTATUS_CALL_ATTEMPTS, "CallAttempts", INT)
enum sipidstatus_col { CONF_COLS_SIPIDSTATUS(CONF_COL_ENUM) SIPIDSTATUS_NCOLS };

/* PerformanceIntervals (conf/tbl_perfintervals.c) */
extern const struct conf_table conf_tbl_perfintervals;
#define CONF_COLS_PERF(X)                                                                          \
	X(PERF_INTERFACE_NAME, "InterfaceName", STRING)                                            \
	X(PERF_INTERVAL, "Interval", ENUM)                                                         \
	X(PERF_INTERVAL_START, "IntervalStart", INT)                                               \
	X(PERF_INTERVAL_SECONDS, "IntervalSeconds", INT)                                           \
	X(PERF_SAMPLES, "Samples", INT)                                                            \
	X(PERF_HANDSHAKES_ACCEPTED, "HandshakesAccepted", INT)                                     \
	X(PERF_HANDSHAKES_REFUSED, "HandshakesRefused", INT)                                       \
	X(PERF_REFUSED_CERTIFICATE, "RefusedCertificate", INT)                                     \
	X(PERF_REFUSED_OTHER, "RefusedOther", INT)                                                 \
	X(PERF_CALL_ATTEMPTS, "CallAttempts", INT)                                                 \
	X(PERF_TLS_CONNECTIONS_MAX, "TLSConnectionsMax", INT)                                      \
	X(PERF_TLS_CONNECTIONS_AVERAGE, "TLSConnectionsAverage", INT)                              \
	X(PERF_REGISTERED_USERS_MAX, "RegisteredUsersMax", INT)                                    \
	X(PERF_CALLS_MAX, "CallsMax", INT)
enum perf_col { CONF_COLS_PERF(CONF_COL_ENUM) PERF_NCOLS };
/* One table's bindings, for tests and tools that walk them all. */
struct conf_col_binding {
	int col;             /* the enum constant: position in t->cols */
	const char *id;      /* its C spelling, e.g. "SIPIF_TLS_PORT" */
	const char *name;    /* the canonical column name it stands for */
	enum conf_type type; /* the type the C code expects */
};

struct conf_table_binding {
	const struct conf_table *table;
	const char *name; /* the canonical table name the C code expects */
	const struct conf_col_binding *cols;
	unsigned ncols; /* the enum's *_NCOLS */
};

/* Every table's bindings, in conf_tables[] order. */
extern const struct conf_table_binding conf_bindings[];
extern const unsigned conf_nbindings;

/* DNSStatus (conf/tbl_dnsstatus.c) */
extern const struct conf_table conf_tbl_dnsstatus;
#define CONF_COLS_DNSSTATUS(X)                                                                     \
	X(DNSSTATUS_NAME, "Name", STRING)                                                          \
	X(DNSSTATUS_TARGET, "Target", STRING)                                                      \
	X(DNSSTATUS_TRANSPORT_TYPE, "TransportType", STRING)                                       \
	X(DNSSTATUS_SOURCE, "Source", STRING)                                                      \
	X(DNSSTATUS_PRIORITY, "Priority", INT)                                                     \
	X(DNSSTATUS_WEIGHT, "Weight", INT)                                                         \
	X(DNSSTATUS_TTL_LEFT, "TTLLeft", INT)                                                      \
	X(DNSSTATUS_STATE, "State", ENUM)                                                          \
	X(DNSSTATUS_PROXY_SET_NAME, "ProxySetName", STRING)                                        \
	X(DNSSTATUS_PROXY_STATE, "ProxyState", ENUM)                                               \
	X(DNSSTATUS_LAST_ERROR, "LastError", STRING)
enum dnsstatus_col { CONF_COLS_DNSSTATUS(CONF_COL_ENUM) DNSSTATUS_NCOLS };

/* OCSPStatus (conf/tbl_ocspstatus.c) */
extern const struct conf_table conf_tbl_ocspstatus;
#define CONF_COLS_OCSPSTATUS(X)                                                                    \
	X(OCSPSTATUS_CONTEXT_NAME, "ContextName", STRING)                                          \
	X(OCSPSTATUS_ENABLED, "Enabled", BOOL)                                                     \
	X(OCSPSTATUS_RESPONDER, "Responder", STRING)                                               \
	X(OCSPSTATUS_RESPONDER_STATE, "ResponderState", ENUM)                                      \
	X(OCSPSTATUS_CACHE_ENTRIES, "CacheEntries", INT)                                           \
	X(OCSPSTATUS_LAST_RESPONSE, "LastResponse", STRING)                                        \
	X(OCSPSTATUS_LAST_RESPONSE_AGE, "LastResponseAge", INT)                                    \
	X(OCSPSTATUS_LAST_ERROR, "LastError", STRING)                                              \
	X(OCSPSTATUS_QUERIES, "Queries", INT)                                                      \
	X(OCSPSTATUS_GOOD, "Good", INT)                                                            \
	X(OCSPSTATUS_REVOKED, "Revoked", INT)                                                      \
	X(OCSPSTATUS_UNKNOWN, "Unknown", INT)                                                      \
	X(OCSPSTATUS_NO_ANSWER, "NoAnswer", INT)                                                   \
	X(OCSPSTATUS_CACHE_HITS, "CacheHits", INT)
enum ocspstatus_col { CONF_COLS_OCSPSTATUS(CONF_COL_ENUM) OCSPSTATUS_NCOLS };

/* CRLStatus (conf/tbl_crlstatus.c) */
extern const struct conf_table conf_tbl_crlstatus;
#define CONF_COLS_CRLSTATUS(X)                                                                     \
	X(CRLSTATUS_CONTEXT, "Context", INT)                                                       \
	X(CRLSTATUS_ISSUER, "Issuer", STRING)                                                      \
	X(CRLSTATUS_THIS_UPDATE, "ThisUpdate", STRING)                                             \
	X(CRLSTATUS_NEXT_UPDATE, "NextUpdate", STRING)                                             \
	X(CRLSTATUS_SOURCE, "Source", STRING)                                                      \
	X(CRLSTATUS_STATE, "State", ENUM)                                                          \
	X(CRLSTATUS_REVOKED_COUNT, "RevokedCount", INT)                                            \
	X(CRLSTATUS_LAST_FETCH, "LastFetch", STRING)                                               \
	X(CRLSTATUS_LAST_FETCH_AGE, "LastFetchAge", INT)                                           \
	X(CRLSTATUS_FETCHES, "Fetches", INT)
enum crlstatus_col { CONF_COLS_CRLSTATUS(CONF_COL_ENUM) CRLSTATUS_NCOLS };
/* CpMediaRealm (conf/tbl_mediarealm.c) */
extern const struct conf_table conf_tbl_mediarealm;
#define CONF_COLS_MREALM(X)                                                                        \
	X(MREALM_NAME, "MediaRealmName", STRING)                                                   \
	X(MREALM_IPV4_IF, "IPv4IF", REF)                                                           \
	X(MREALM_PORT_RANGE_START, "PortRangeStart", PORT)                                         \
	X(MREALM_MEDIA_SESSION_LEG, "MediaSessionLeg", INT)                                        \
	X(MREALM_IS_DEFAULT, "IsDefault", BOOL)
enum mrealm_col { CONF_COLS_MREALM(CONF_COL_ENUM) MREALM_NCOLS };

/* IpProfile (conf/tbl_ipprofile.c) */
extern const struct conf_table conf_tbl_ipprofile;
#define CONF_COLS_IPPROF(X)                                                                        \
	X(IPPROF_NAME, "ProfileName", STRING)                                                      \
	X(IPPROF_SBC_MEDIA_SECURITY_BEHAVIOUR, "SBCMediaSecurityBehaviour", ENUM)                  \
	X(IPPROF_SBC_MEDIA_ANCHORING, "SBCMediaAnchoring", BOOL)
enum ipprof_col { CONF_COLS_IPPROF(CONF_COL_ENUM) IPPROF_NCOLS };

/* SNMPUsers (conf/tbl_snmpusers.c) */
extern const struct conf_table conf_tbl_snmpusers;
#define CONF_COLS_SNMPUSER(X)                                                                      \
	X(SNMPUSER_USERNAME, "Username", STRING)                                                   \
	X(SNMPUSER_AUTH_PROTOCOL, "AuthProtocol", ENUM)                                            \
	X(SNMPUSER_PRIV_PROTOCOL, "PrivProtocol", ENUM)                                            \
	X(SNMPUSER_AUTH_KEY, "AuthKey", SECRET)                                                    \
	X(SNMPUSER_PRIV_KEY, "PrivKey", SECRET)                                                    \
	X(SNMPUSER_GROUP, "Group", ENUM)
enum snmpuser_col { CONF_COLS_SNMPUSER(CONF_COL_ENUM) SNMPUSER_NCOLS };

/* SNMPTrapDestinations (conf/tbl_snmptrapdest.c) */
extern const struct conf_table conf_tbl_snmptrapdest;
#define CONF_COLS_SNMPTRAP(X)                                                                      \
	X(SNMPTRAP_ADDRESS, "Address", STRING)                                                     \
	X(SNMPTRAP_PORT, "Port", PORT)                                                             \
	X(SNMPTRAP_VERSION, "Version", ENUM)                                                       \
	X(SNMPTRAP_TYPE, "Type", ENUM)                                                             \
	X(SNMPTRAP_USER, "User", REF)                                                              \
	X(SNMPTRAP_COMMUNITY, "Community", SECRET)
enum snmptrap_col { CONF_COLS_SNMPTRAP(CONF_COL_ENUM) SNMPTRAP_NCOLS };

/* HAStatus (conf/tbl_hastatus.c) */
extern const struct conf_table conf_tbl_hastatus;
#define CONF_COLS_HASTATUS(X)                                                                      \
	X(HASTATUS_ROLE, "Role", ENUM)                                                             \
	X(HASTATUS_HEALTH, "Health", ENUM)                                                         \
	X(HASTATUS_PEER, "Peer", STRING)                                                           \
	X(HASTATUS_GENERATION, "Generation", INT)                                                  \
	X(HASTATUS_PEER_GENERATION, "PeerGeneration", INT)                                         \
	X(HASTATUS_LAST_SYNC_AGE, "LastSyncAge", INT)                                              \
	X(HASTATUS_LAST_SYNC_RESULT, "LastSyncResult", STRING)                                     \
	X(HASTATUS_ROLE_CHANGES, "RoleChanges", INT)                                               \
	X(HASTATUS_ROLE_AGE, "RoleAge", INT)                                                       \
	X(HASTATUS_REGISTRATIONS, "Registrations", INT)
enum hastatus_col { CONF_COLS_HASTATUS(CONF_COL_ENUM) HASTATUS_NCOLS };

#endif

/* SIPInterface: where the SBC listens for SIP, and with which TLS policy. */
#include <stdio.h>
#include <strings.h>

#include "conf/cols.h"
#include "conf/store.h"

static const struct conf_enum app_types[] = {{0, "gw"}, {1, "sas"}, {2, "sbc"}, {0, NULL}};
static const struct conf_enum tristate[] = {
    {-1, "not-configured"}, {0, "disable"}, {1, "enable"}, {0, NULL}};
static const struct conf_enum topology[] = {{0, "down"}, {1, "up"}, {0, NULL}};
static const struct conf_enum id_binding[] = {
    {0, "none"}, {1, "subject"}, {2, "aor-match"}, {0, NULL}};
static const struct conf_enum digest_algs[] = {
    {0, "sha-256-md5"}, {1, "md5-sha-256"}, {2, "sha-256"}, {3, "md5"}, {0, NULL}};
static const struct conf_enum auth_modes[] = {{0, "none"},   {1, "certificate"}, {2, "digest"},
					      {3, "either"}, {4, "both"},        {0, NULL}};

static const struct conf_column cols[] = {
    [SIPIF_INTERFACE_NAME] = {"InterfaceName", "interface-name", 1, CONF_T_STRING, 0, 40, NULL,
			      NULL, "", "Name of the SIP interface",
			      CONF_F_NAME | CONF_F_MANDATORY},
    [SIPIF_NETWORK_INTERFACE] = {"NetworkInterface", "network-interface", 2, CONF_T_REF, 0, 0, NULL,
				 "InterfaceTable", "",
				 "IP interface (InterfaceTable name) to listen on",
				 CONF_F_MANDATORY | CONF_F_RESET},
    [SIPIF_APPLICATION_TYPE] = {"ApplicationType", "application-type", 3, CONF_T_ENUM, 0, 0,
				app_types, NULL, "2", "Application served by the interface",
				CONF_F_RESET},
    [SIPIF_UDP_PORT] = {"UDPPort", "udp-port", 4, CONF_T_PORT, 0, 0, NULL, NULL, "5060",
			"UDP listening port, 0 for off", CONF_F_RESET},
    [SIPIF_TCP_PORT] = {"TCPPort", "tcp-port", 5, CONF_T_PORT, 0, 0, NULL, NULL, "5060",
			"TCP listening port, 0 for off", CONF_F_RESET},
    [SIPIF_TLS_PORT] = {"TLSPort", "tls-port", 6, CONF_T_PORT, 0, 0, NULL, NULL, "5061",
			"TLS listening port, 0 for off", CONF_F_RESET},
    [SIPIF_SRD_NAME] = {"SRDName", "srd-name", 7, CONF_T_STRING, 0, 40, NULL, NULL, "DefaultSRD",
			"Signaling routing domain", 0},
    [SIPIF_MESSAGE_POLICY_NAME] = {"MessagePolicyName", "message-policy-name", 8, CONF_T_STRING, 0,
				   40, NULL, NULL, "", "Message policy applied to the interface",
				   0},
    [SIPIF_TLS_CONTEXT] = {"TLSContext", "tls-context-name", 9, CONF_T_REF, 0, 0, NULL,
			   "TLSContexts", "default",
			   "TLS context (certificate, roots, versions) of the TLS port",
			   CONF_F_RESET},
    [SIPIF_TLS_MUTUAL_AUTHENTICATION] =
	{"TLSMutualAuthentication", "tls-mutual-auth", 10, CONF_T_ENUM, 0, 0, tristate, NULL, "-1",
	 "Demand and verify the client certificate (-1: SIPSRequireClientCertificate decides)",
	 CONF_F_RESET},
    [SIPIF_TCP_KEEPALIVE_ENABLE] = {"TCPKeepaliveEnable", "tcp-keepalive-enable", 11, CONF_T_BOOL,
				    0, 1, NULL, NULL, "0",
				    "Send TCP keep-alives on connections of this interface", 0},
    [SIPIF_CLASSIFICATION_FAILURE_RESPONSE_TYPE] =
	{"ClassificationFailureResponseType", "classification_fail_response_type", 12, CONF_T_INT,
	 0, 699, NULL, NULL, "500",
	 "SIP response to a request that fails classification, 0 for none", 0},
    [SIPIF_BLOCK_UN_REG_USERS] = {"BlockUnRegUsers", "block-un-reg-users", 13, CONF_T_ENUM, 0, 0,
				  tristate, NULL, "-1",
				  "Refuse requests from users that have not registered", 0},
    [SIPIF_MAX_NUM_OF_REG_USERS] =
	{"MaxNumOfRegUsers", "max-reg-users", 14, CONF_T_INT, -1, 100000, NULL, NULL, "-1",
	 "Most users that may register through this interface, -1 unlimited", 0},
    [SIPIF_ENABLE_UN_AUTHENTICATED_REGISTRATIONS] =
	{"EnableUnAuthenticatedRegistrations", "enable-un-auth-registrs", 15, CONF_T_ENUM, 0, 0,
	 tristate, NULL, "-1", "Accept registrations that were not authenticated", 0},
    [SIPIF_TOPOLOGY_LOCATION] = {"TopologyLocation", "topology-location", 16, CONF_T_ENUM, 0, 0,
				 topology, NULL, "0",
				 "Where the interface sits in the topology (display only)", 0},
    [SIPIF_MAX_TLS_CONNECTIONS] = {"MaxTLSConnections", "max-tls-connections", 17, CONF_T_INT, 1,
				   200000, NULL, NULL, "1024",
				   "Most TLS connections open at once on this interface",
				   CONF_F_RESET},
    [SIPIF_MAX_TCP_CONNECTIONS] =
	{"MaxTCPConnections", "max-tcp-connections", 18, CONF_T_INT, 1, 100000, NULL, NULL, "1024",
	 "Most plain TCP connections open at once on this interface; newer ones are closed",
	 CONF_F_RESET},
    [SIPIF_TLS_IDENTITY_BINDING] =
	{"TLSIdentityBinding", "tls-identity-binding", 19, CONF_T_ENUM, 0, 0, id_binding, NULL, "0",
	 "Tie a registering client certificate to the AOR: none; subject (AOR user or host matches "
	 "a SAN URI/DNS or the CN); aor-match (the whole AOR matches a SAN URI)",
	 0},
    [SIPIF_AUTHENTICATION_MODE] =
	{"AuthenticationMode", "authentication-mode", 20, CONF_T_ENUM, 0, 0, auth_modes, NULL, "0",
	 "What REGISTER and INVITE must present: none, certificate, digest, either or both", 0},
    [SIPIF_AUTHENTICATION_REALM] =
	{"AuthenticationRealm", "authentication-realm", 21, CONF_T_STRING, 0, 64, NULL, NULL, "sbc",
	 "Realm of digest challenges (SIPCredentials rows of this realm)", 0},
    [SIPIF_DIGEST_ALGORITHMS] =
	{"DigestAlgorithms", "digest-algorithms", 22, CONF_T_ENUM, 0, 0, digest_algs, NULL, "0",
	 "Digest challenges offered, the preferred first (RFC 8760); clients that read only the "
	 "first challenge need md5 first",
	 0},
    [SIPIF_MEDIA_REALM] = {"MediaRealm", "media-realm-name", 23, CONF_T_REF, 0, 0, NULL,
			   "CpMediaRealm", "",
			   "Media realm of calls on the interface (empty: the default realm)", 0},
    [SIPIF_TCP_IDLE_TIMEOUT] =
	{"TCPIdleTimeout", "tcp-idle-timeout", 24, CONF_T_INT, -1, 86400, NULL, NULL, "-1",
	 "Seconds a TCP or TLS connection of this interface that carries no registration may stay "
	 "idle before it is closed; -1: the global TCPIdleTimeout, 0: never",
	 0},
};
_Static_assert(CONF_NCOLS(cols) == SIPIF_NCOLS, "conf/cols.h lists every column of sipinterface");

const struct conf_table conf_tbl_sipinterface;

/* No two interfaces on the same IP interface may share a port of the same transport. */
static int check_ports(const struct conf_store *st, char *err, size_t errlen)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_sipinterface);

	for (unsigned a = 0; a < rs->n; a++)
		for (unsigned b = a + 1; b < rs->n; b++) {
			const struct conf_row *x = rs->row[a], *y = rs->row[b];
			if (strcasecmp(x->v[SIPIF_NETWORK_INTERFACE].s,
				       y->v[SIPIF_NETWORK_INTERFACE].s))
				continue;
			for (int p = 0; p < 3; p++) {
				long long px = x->v[SIPIF_UDP_PORT + p].i,
					  py = y->v[SIPIF_UDP_PORT + p].i;
				if (px && px == py) {
					snprintf(
					    err, errlen,
					    "SIPInterface row %u column %s: port %lld is already "
					    "used by row %u on interface '%s'",
					    y->index, cols[SIPIF_UDP_PORT + p].name, py, x->index,
					    y->v[SIPIF_NETWORK_INTERFACE].s);
					return -1;
				}
			}
			/* TCP and TLS share the TCP port space */
			if ((x->v[SIPIF_TCP_PORT].i &&
			     x->v[SIPIF_TCP_PORT].i == y->v[SIPIF_TLS_PORT].i) ||
			    (x->v[SIPIF_TLS_PORT].i &&
			     x->v[SIPIF_TLS_PORT].i == y->v[SIPIF_TCP_PORT].i)) {
				snprintf(err, errlen,
					 "SIPInterface row %u: TCP/TLS port clashes with row %u on "
					 "interface '%s'",
					 y->index, x->index, y->v[SIPIF_NETWORK_INTERFACE].s);
				return -1;
			}
		}
	for (unsigned a = 0; a < rs->n; a++) {
		const struct conf_row *x = rs->row[a];
		if (x->v[SIPIF_TCP_PORT].i && x->v[SIPIF_TCP_PORT].i == x->v[SIPIF_TLS_PORT].i) {
			snprintf(err, errlen,
				 "SIPInterface row %u column TLSPort: %lld is also the TCPPort",
				 x->index, x->v[SIPIF_TLS_PORT].i);
			return -1;
		}
	}
	return 0;
}

const struct conf_table conf_tbl_sipinterface = {
    .name = "SIPInterface",
    .cli = "sip-interface",
    .tree = "voip",
    .mib = 4,
    .max_rows = 64,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "SIP interfaces: listening ports and TLS policy",
    .check = check_ports,
};

/* TLSContexts: the unit of trust. Material (certificate, key, roots) lives on flash per row. */
#include "conf/cols.h"

/* TLSVersion is a bit set: 1 TLS1.0, 2 TLS1.1, 4 TLS1.2, 8 TLS1.3; 0 any. */
static const struct conf_enum tls_versions[] = {
    {0, "any"},
    {1, "tls-1-0"},
    {2, "tls-1-1"},
    {3, "tls-1-0-1-1"},
    {4, "tls-1-2"},
    {5, "tls-1-0-1-2"},
    {6, "tls-1-1-1-2"},
    {7, "tls-1-0-1-1-1-2"},
    {8, "tls-1-3"},
    {9, "tls-1-0-1-3"},
    {10, "tls-1-1-1-3"},
    {11, "tls-1-0-1-1-1-3"},
    {12, "tls-1-2-1-3"},
    {13, "tls-1-0-1-2-1-3"},
    {14, "tls-1-1-1-2-1-3"},
    {15, "tls-1-0-1-1-1-2-1-3"},
    {0, NULL},
};
static const struct conf_enum dtls_versions[] = {
    {0, "any"}, {1, "dtls-1-0"}, {2, "dtls-1-2"}, {0, NULL}};
static const struct conf_enum ocsp_default[] = {{0, "reject"}, {1, "allow"}, {0, NULL}};
static const struct conf_enum dh_sizes[] = {
    {1024, "1024"}, {2048, "2048"}, {3072, "3072"}, {0, NULL}};

#define TLS13_SUITES "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"

static const struct conf_column cols[] = {
    [TLSCTX_NAME] = {"Name", "name", 1, CONF_T_STRING, 0, 31, NULL, NULL, "",
		     "Name of the TLS context, used by SIP interfaces and proxy sets",
		     CONF_F_NAME | CONF_F_MANDATORY},
    [TLSCTX_TLS_VERSION] =
	{"TLSVersion", "tls-version", 2, CONF_T_ENUM, 0, 0, tls_versions, NULL, "0",
	 "TLS versions allowed (bit set: 1 TLS1.0, 2 TLS1.1, 4 TLS1.2, 8 TLS1.3; 0 any)", 0},
    [TLSCTX_DTLS_VERSION] = {"DTLSVersion", "dtls-version", 3, CONF_T_ENUM, 0, 0, dtls_versions,
			     NULL, "0", "DTLS versions allowed", 0},
    [TLSCTX_SERVER_CIPHER_STRING] =
	{"ServerCipherString", "ciphers-server", 4, CONF_T_STRING, 0, 1024, NULL, NULL, "DEFAULT",
	 "OpenSSL cipher list (TLS 1.2 and below) when the device is the TLS server", 0},
    [TLSCTX_CLIENT_CIPHER_STRING] =
	{"ClientCipherString", "ciphers-client", 5, CONF_T_STRING, 0, 1024, NULL, NULL, "DEFAULT",
	 "OpenSSL cipher list (TLS 1.2 and below) when the device is the TLS client", 0},
    [TLSCTX_SERVER_CIPHER_TLS13_STRING] =
	{"ServerCipherTLS13String", "ciphers-server-tls13", 6, CONF_T_STRING, 0, 1024, NULL, NULL,
	 TLS13_SUITES, "TLS 1.3 cipher suites when the device is the TLS server", 0},
    [TLSCTX_CLIENT_CIPHER_TLS13_STRING] =
	{"ClientCipherTLS13String", "ciphers-client-tls13", 7, CONF_T_STRING, 0, 1024, NULL, NULL,
	 TLS13_SUITES, "TLS 1.3 cipher suites when the device is the TLS client", 0},
    [TLSCTX_KEY_EXCHANGE_GROUPS] = {"KeyExchangeGroups", "key-exchange-groups", 8, CONF_T_STRING, 0,
				    512, NULL, NULL, "X25519:P-256:P-384:X448",
				    "Key exchange groups (ECDHE and DHE), in preference order", 0},
    [TLSCTX_REQUIRE_STRICT_CERT] =
	{"RequireStrictCert", "require-strict-cert", 9, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "Require the peer certificate to carry the matching extended key usage", 0},
    [TLSCTX_OCSP_ENABLE] =
	{"OcspEnable", "ocsp-server", 10, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "Check peer certificates with OCSP (SIP clients on mutual-TLS interfaces, proxy servers)",
	 0},
    [TLSCTX_OCSP_SERVER_PRIMARY] = {"OcspServerPrimary", "ocsp-server-primary", 11, CONF_T_IPADDR,
				    0, 0, NULL, NULL, "", "Primary OCSP server address", 0},
    [TLSCTX_OCSP_SERVER_SECONDARY] = {"OcspServerSecondary", "ocsp-server-secondary", 12,
				      CONF_T_IPADDR, 0, 0, NULL, NULL, "",
				      "Secondary OCSP server address", 0},
    [TLSCTX_OCSP_SERVER_PORT] = {"OcspServerPort", "ocsp-port", 13, CONF_T_PORT, 0, 0, NULL, NULL,
				 "2560", "OCSP server TCP port", 0},
    [TLSCTX_OCSP_DEFAULT_RESPONSE] =
	{"OcspDefaultResponse", "ocsp-default-response", 14, CONF_T_ENUM, 0, 0, ocsp_default, NULL,
	 "0", "What to do when no OCSP server answers: reject or allow the peer", 0},
    [TLSCTX_DH_KEY_SIZE] = {"DHKeySize", "dh-key-size", 15, CONF_T_ENUM, 0, 0, dh_sizes, NULL,
			    "2048", "Diffie-Hellman group size for DHE cipher suites", 0},
    [TLSCTX_VERIFY_DEPTH] = {"VerifyDepth", "verify-depth", 16, CONF_T_INT, 1, 10, NULL, NULL, "5",
			     "Longest certificate chain accepted from a peer", 0},
    [TLSCTX_OCSP_AIA_ENABLE] =
	{"OcspAiaEnable", "ocsp-aia", 17, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "Without OcspServerPrimary, ask the OCSP URL of the certificate's AIA (IP address hosts)",
	 0},
    [TLSCTX_OCSP_STAPLING] =
	{"OcspStapling", "ocsp-stapling", 18, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "Staple an OCSP answer for the device certificate on SIP TLS listeners (fetched from its "
	 "AIA URL, else OcspServerPrimary, refreshed before nextUpdate)",
	 0},
    [TLSCTX_CRL_DISTRIBUTION_POINT_ENABLE] =
	{"CrlDistributionPointEnable", "crl-dist-point", 19, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
	 "Fetch the CRLs named by the CRL distribution points (http://, IP address hosts) of peer "
	 "certificates, refreshed before nextUpdate; a revoked peer is refused or disconnected",
	 0},
};
_Static_assert(CONF_NCOLS(cols) == TLSCTX_NCOLS, "conf/cols.h lists every column of tlscontexts");

const struct conf_table conf_tbl_tlscontexts = {
    .name = "TLSContexts",
    .cli = "tls",
    .tree = "network",
    .mib = 2,
    .max_rows = 100,
    .flags = CONF_TF_FIXED0,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "TLS contexts: certificate, key, trusted roots, versions and ciphers",
};

/* Registrations: users registered through the SBC, filled live by sbcd's SIP engine. */
#include "conf/cols.h"

static const struct conf_column cols[] = {
    [REGISTRATION_AOR] = {"AOR", "aor", 1, CONF_T_STRING, 0, 255, NULL, NULL, "",
			  "Address of record of the user (sip:user@domain)", CONF_F_RO},
    [REGISTRATION_CONTACT] = {"Contact", "contact", 2, CONF_T_STRING, 0, 511, NULL, NULL, "",
			      "Contact the user registered", CONF_F_RO},
    [REGISTRATION_INTERFACE_NAME] = {"InterfaceName", "interface-name", 3, CONF_T_STRING, 0, 40,
				     NULL, NULL, "", "SIP interface the registration came through",
				     CONF_F_RO},
    [REGISTRATION_TRANSPORT] = {"Transport", "transport", 4, CONF_T_STRING, 0, 8, NULL, NULL, "",
				"Transport of the registration: udp, tcp or tls", CONF_F_RO},
    [REGISTRATION_PEER_ADDRESS] = {"PeerAddress", "peer-address", 5, CONF_T_STRING, 0, 63, NULL,
				   NULL, "", "Address and port the registration came from",
				   CONF_F_RO},
    [REGISTRATION_CERTIFICATE_SUBJECT] =
	{"CertificateSubject", "certificate-subject", 6, CONF_T_STRING, 0, 511, NULL, NULL, "",
	 "Subject of the client certificate of the TLS connection, empty for none", CONF_F_RO},
    [REGISTRATION_EXPIRES] = {"Expires", "expires", 7, CONF_T_INT, 0, 0x7fffffffLL, NULL, NULL, "0",
			      "Seconds until the binding expires", CONF_F_RO},
    [REGISTRATION_AUTHENTICATION] = {"Authentication", "authentication", 8, CONF_T_STRING, 0, 63,
				     NULL, NULL, "",
				     "How the registration was authenticated: none, certificate, "
				     "digest-md5, digest-sha-256 or both",
				     CONF_F_RO},
    [REGISTRATION_IDENTITY_CHECK] = {"IdentityCheck", "identity-check", 9, CONF_T_STRING, 0, 255,
				     NULL, NULL, "",
				     "How the certificate or digest user was tied to the AOR",
				     CONF_F_RO},
};
_Static_assert(CONF_NCOLS(cols) == REGISTRATION_NCOLS,
	       "conf/cols.h lists every column of registrations");

const struct conf_table conf_tbl_registrations = {
    .name = "Registrations",
    .cli = "registrations",
    .tree = "voip",
    .mib = 2,
    .max_rows = 100000,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Users registered through the SBC",
};

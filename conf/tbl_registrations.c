/* Registrations: users registered through the SBC, filled live by sbcd's SIP engine. */
#include "conf/conf.h"

static const struct conf_column cols[] = {
    {"AOR", "aor", 1, CONF_T_STRING, 0, 255, NULL, NULL, "",
     "Address of record of the user (sip:user@domain)", CONF_F_RO},
    {"Contact", "contact", 2, CONF_T_STRING, 0, 511, NULL, NULL, "", "Contact the user registered",
     CONF_F_RO},
    {"InterfaceName", "interface-name", 3, CONF_T_STRING, 0, 40, NULL, NULL, "",
     "SIP interface the registration came through", CONF_F_RO},
    {"Transport", "transport", 4, CONF_T_STRING, 0, 8, NULL, NULL, "",
     "Transport of the registration: udp, tcp or tls", CONF_F_RO},
    {"PeerAddress", "peer-address", 5, CONF_T_STRING, 0, 63, NULL, NULL, "",
     "Address and port the registration came from", CONF_F_RO},
    {"CertificateSubject", "certificate-subject", 6, CONF_T_STRING, 0, 511, NULL, NULL, "",
     "Subject of the client certificate of the TLS connection, empty for none", CONF_F_RO},
    {"Expires", "expires", 7, CONF_T_INT, 0, 0x7fffffffLL, NULL, NULL, "0",
     "Seconds until the binding expires", CONF_F_RO},
};

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

/* TrustedRoots (status): the trusted root certificates of every TLS context. */
#include "conf/conf.h"

#define TEXT(n, cli, mib, help)                                                                    \
	{                                                                                          \
		n, cli, mib, CONF_T_STRING, 0, 0, NULL, NULL, "", help, CONF_F_RO                  \
	}

static const struct conf_column cols[] = {
    {"Context", "context", 1, CONF_T_INT, 0, 99, NULL, NULL, "0", "Index of the TLS context",
     CONF_F_RO},
    {"Position", "position", 2, CONF_T_INT, 0, 999, NULL, NULL, "0",
     "Position in the context's trusted-roots file (used to delete it)", CONF_F_RO},
    TEXT("Subject", "subject", 3, "Subject of the certificate"),
    TEXT("Issuer", "issuer", 4, "Issuer of the certificate"),
    TEXT("SerialNumber", "serial", 5, "Serial number (hexadecimal)"),
    TEXT("NotBefore", "not-before", 6, "Start of validity (UTC)"),
    TEXT("NotAfter", "not-after", 7, "End of validity (UTC)"),
    TEXT("Fingerprint", "fingerprint", 8, "SHA-256 fingerprint"),
    {"IsCA", "is-ca", 9, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
     "The certificate is a certification authority", CONF_F_RO},
};

const struct conf_table conf_tbl_trustedroots = {
    .name = "TrustedRoots",
    .cli = "trusted-root",
    .tree = "network",
    .mib = 4,
    .max_rows = 100000,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Trusted root certificates (index: context * 1000 + position)",
};

/* TrustedRoots (status): the trusted root certificates of every TLS context. */
#include "conf/cols.h"

#define TEXT(n, cli, mib, help)                                                                    \
	{                                                                                          \
		n, cli, mib, CONF_T_STRING, 0, 0, NULL, NULL, "", help, CONF_F_RO                  \
	}

static const struct conf_column cols[] = {
    [TROOT_CONTEXT] = {"Context", "context", 1, CONF_T_INT, 0, 99, NULL, NULL, "0",
		       "Index of the TLS context", CONF_F_RO},
    [TROOT_POSITION] = {"Position", "position", 2, CONF_T_INT, 0, 999, NULL, NULL, "0",
			"Position in the context's trusted-roots file (used to delete it)",
			CONF_F_RO},
    [TROOT_SUBJECT] = TEXT("Subject", "subject", 3, "Subject of the certificate"),
    [TROOT_ISSUER] = TEXT("Issuer", "issuer", 4, "Issuer of the certificate"),
    [TROOT_SERIAL_NUMBER] = TEXT("SerialNumber", "serial", 5, "Serial number (hexadecimal)"),
    [TROOT_NOT_BEFORE] = TEXT("NotBefore", "not-before", 6, "Start of validity (UTC)"),
    [TROOT_NOT_AFTER] = TEXT("NotAfter", "not-after", 7, "End of validity (UTC)"),
    [TROOT_FINGERPRINT] = TEXT("Fingerprint", "fingerprint", 8, "SHA-256 fingerprint"),
    [TROOT_IS_CA] = {"IsCA", "is-ca", 9, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
		     "The certificate is a certification authority", CONF_F_RO},
};
_Static_assert(CONF_NCOLS(cols) == TROOT_NCOLS, "conf/cols.h lists every column of trustedroots");

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

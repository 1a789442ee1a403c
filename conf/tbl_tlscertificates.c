/* TLSCertificates (status): the device certificate of each TLS context. */
#include "conf/cols.h"

static const struct conf_enum states[] = {{0, "missing"}, {1, "valid"},         {2, "expiring"},
					  {3, "expired"}, {4, "not-yet-valid"}, {5, "key-mismatch"},
					  {0, NULL}};

#define TEXT(n, cli, mib, help)                                                                    \
	{                                                                                          \
		n, cli, mib, CONF_T_STRING, 0, 0, NULL, NULL, "", help, CONF_F_RO                  \
	}

static const struct conf_column cols[] = {
    [TLSCERT_CONTEXT_NAME] = TEXT("ContextName", "context-name", 1, "Name of the TLS context"),
    [TLSCERT_SUBJECT] = TEXT("Subject", "subject", 2, "Subject of the device certificate"),
    [TLSCERT_ISSUER] = TEXT("Issuer", "issuer", 3, "Issuer of the device certificate"),
    [TLSCERT_SERIAL_NUMBER] = TEXT("SerialNumber", "serial", 4, "Serial number (hexadecimal)"),
    [TLSCERT_NOT_BEFORE] = TEXT("NotBefore", "not-before", 5, "Start of validity (UTC)"),
    [TLSCERT_NOT_AFTER] = TEXT("NotAfter", "not-after", 6, "End of validity (UTC)"),
    [TLSCERT_KEY_TYPE] = TEXT("KeyType", "key-type", 7, "Algorithm and size of the key"),
    [TLSCERT_DAYS_LEFT] = {"DaysLeft", "days-left", 8, CONF_T_INT, -100000, 100000, NULL, NULL, "0",
			   "Days until the certificate expires (negative once expired)", CONF_F_RO},
    [TLSCERT_STATUS] = {"Status", "status", 9, CONF_T_ENUM, 0, 0, states, NULL, "0",
			"State of the certificate and its key", CONF_F_RO},
    [TLSCERT_FINGERPRINT] = TEXT("Fingerprint", "fingerprint", 10, "SHA-256 fingerprint"),
    [TLSCERT_SUBJECT_ALT_NAME] =
	TEXT("SubjectAltName", "subject-alt-name", 11, "Subject alternative names"),
};
_Static_assert(CONF_NCOLS(cols) == TLSCERT_NCOLS,
	       "conf/cols.h lists every column of tlscertificates");

const struct conf_table conf_tbl_tlscertificates = {
    .name = "TLSCertificates",
    .cli = "tls-certificate",
    .tree = "network",
    .mib = 3,
    .max_rows = 100,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Device certificates of the TLS contexts (index: context)",
};

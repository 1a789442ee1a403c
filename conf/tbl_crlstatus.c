/* CRLStatus: every CRL a TLS context checks (imported or fetched from a CRL distribution point),
 * filled live by sbcd. Row index: context * 1000 + the CRL's number within the context. */
#include "conf/cols.h"

static const struct conf_enum states[] = {
    {1, "current"}, {2, "expired"}, {3, "not-fetched"}, {0, NULL}};

static const struct conf_column cols[] = {
    [CRLSTATUS_CONTEXT] = {"Context", "context", 1, CONF_T_INT, 0, 99, NULL, NULL, "0",
			   "Index of the TLS context that checks this CRL", CONF_F_RO},
    [CRLSTATUS_ISSUER] = {"Issuer", "issuer", 2, CONF_T_STRING, 0, 0, NULL, NULL, "",
			  "Issuer of the CRL (the CA whose certificates it revokes)", CONF_F_RO},
    [CRLSTATUS_THIS_UPDATE] = {"ThisUpdate", "this-update", 3, CONF_T_STRING, 0, 0, NULL, NULL, "",
			       "thisUpdate of the CRL in force (UTC), empty before the first fetch",
			       CONF_F_RO},
    [CRLSTATUS_NEXT_UPDATE] = {"NextUpdate", "next-update", 4, CONF_T_STRING, 0, 0, NULL, NULL, "",
			       "nextUpdate of the CRL in force (UTC): a fresh one is due by then",
			       CONF_F_RO},
    [CRLSTATUS_SOURCE] = {"Source", "source", 5, CONF_T_STRING, 0, 0, NULL, NULL, "",
			  "imported (crl.pem of the context), or the distribution point URL",
			  CONF_F_RO},
    [CRLSTATUS_STATE] = {"State", "state", 6, CONF_T_ENUM, 0, 0, states, NULL, "1",
			 "current; expired: past its nextUpdate without a fresh one (alarm "
			 "crlExpired for fetched CRLs); not-fetched: no CRL obtained yet",
			 CONF_F_RO},
    [CRLSTATUS_REVOKED_COUNT] = {"RevokedCount", "revoked-count", 7, CONF_T_INT, 0,
				 0x7fffffffffffffffLL, NULL, NULL, "0",
				 "Certificates the CRL in force revokes", CONF_F_RO},
    [CRLSTATUS_LAST_FETCH] = {"LastFetch", "last-fetch", 8, CONF_T_STRING, 0, 0, NULL, NULL, "",
			      "Result of the last fetch (fetched CRLs only)", CONF_F_RO},
    [CRLSTATUS_LAST_FETCH_AGE] = {"LastFetchAge", "last-fetch-age", 9, CONF_T_INT, -1,
				  0x7fffffffffffffffLL, NULL, NULL, "-1",
				  "Seconds since the last fetch ended, -1 for none", CONF_F_RO},
    [CRLSTATUS_FETCHES] = {"Fetches", "fetches", 10, CONF_T_INT, 0, 0x7fffffffffffffffLL, NULL,
			   NULL, "0", "Fetches tried from the distribution point", CONF_F_RO},
};
_Static_assert(CONF_NCOLS(cols) == CRLSTATUS_NCOLS, "conf/cols.h lists every column of crlstatus");

const struct conf_table conf_tbl_crlstatus = {
    .name = "CRLStatus",
    .cli = "crl-status",
    .tree = "network",
    .mib = 18,
    .max_rows = 100000,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Per CRL: TLS context, issuer, validity, source (imported or URL), last fetch",
};

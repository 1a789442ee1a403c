/* OCSPStatus: per TLS context, the OCSP responder state and cache, filled live by sbcd. */
#include "conf/cols.h"

#define COUNTER(n, cli, mib, help)                                                                 \
	{                                                                                          \
		n, cli, mib, CONF_T_INT, 0, 0x7fffffffffffffffLL, NULL, NULL, "0", help, CONF_F_RO \
	}

static const struct conf_enum states[] = {
    {1, "unknown"}, {2, "up"}, {3, "down"}, {4, "off"}, {0, NULL}};

static const struct conf_column cols[] = {
    [OCSPSTATUS_CONTEXT_NAME] = {"ContextName", "context-name", 1, CONF_T_STRING, 0, 40, NULL, NULL,
				 "", "Name of the TLS context (row index = TLSContexts index)",
				 CONF_F_RO},
    [OCSPSTATUS_ENABLED] = {"Enabled", "enabled", 2, CONF_T_BOOL, 0, 1, NULL, NULL, "0",
			    "OcspEnable of the context", CONF_F_RO},
    [OCSPSTATUS_RESPONDER] = {"Responder", "responder", 3, CONF_T_STRING, 0, 0, NULL, NULL, "",
			      "Responder asked last (address:port/path), or the one configured",
			      CONF_F_RO},
    [OCSPSTATUS_RESPONDER_STATE] =
	{"ResponderState", "responder-state", 4, CONF_T_ENUM, 0, 0, states, NULL, "1",
	 "up: the last query was answered; down: it was not (OcspDefaultResponse decides for "
	 "30 s); unknown: not asked yet; off: OCSP not enabled",
	 CONF_F_RO},
    [OCSPSTATUS_CACHE_ENTRIES] =
	COUNTER("CacheEntries", "cache-entries", 5, "Answers cached until their nextUpdate"),
    [OCSPSTATUS_LAST_RESPONSE] = {"LastResponse", "last-response", 6, CONF_T_STRING, 0, 0, NULL,
				  NULL, "",
				  "Last answer: good, revoked, unknown or error, with the subject",
				  CONF_F_RO},
    [OCSPSTATUS_LAST_RESPONSE_AGE] = {"LastResponseAge", "last-response-age", 7, CONF_T_INT, -1,
				      0x7fffffffffffffffLL, NULL, NULL, "-1",
				      "Seconds since the last answer, -1 for none", CONF_F_RO},
    [OCSPSTATUS_LAST_ERROR] = {"LastError", "last-error", 8, CONF_T_STRING, 0, 0, NULL, NULL, "",
			       "Why the last failed query failed", CONF_F_RO},
    [OCSPSTATUS_QUERIES] = COUNTER("Queries", "queries", 9, "OCSP requests sent"),
    [OCSPSTATUS_GOOD] = COUNTER("Good", "good", 10, "Answers: good"),
    [OCSPSTATUS_REVOKED] = COUNTER("Revoked", "revoked", 11, "Answers: revoked"),
    [OCSPSTATUS_UNKNOWN] = COUNTER("Unknown", "unknown", 12, "Answers: unknown certificate"),
    [OCSPSTATUS_NO_ANSWER] =
	COUNTER("NoAnswer", "no-answer", 13,
		"Checks decided by OcspDefaultResponse: no responder answered in time, or the "
		"answer was not valid"),
    [OCSPSTATUS_CACHE_HITS] =
	COUNTER("CacheHits", "cache-hits", 14, "Checks answered from the cache"),
};
_Static_assert(CONF_NCOLS(cols) == OCSPSTATUS_NCOLS,
	       "conf/cols.h lists every column of ocspstatus");

const struct conf_table conf_tbl_ocspstatus = {
    .name = "OCSPStatus",
    .cli = "ocsp-status",
    .tree = "network",
    .mib = 17,
    .max_rows = 100,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Per TLS context: OCSP responder state, cache and answers",
};

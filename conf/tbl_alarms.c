/* Alarms (status): active alarms, the vendor's severity ladder. */
#include "conf/cols.h"

static const struct conf_enum severities[] = {{0, "cleared"}, {1, "indeterminate"}, {2, "warning"},
					      {3, "minor"},   {4, "major"},         {5, "critical"},
					      {0, NULL}};

static const struct conf_column cols[] = {
    [ALARMS_NAME] = {"Name", "name", 1, CONF_T_STRING, 0, 0, NULL, NULL, "",
		     "Alarm name, e.g. certificateExpiry", CONF_F_RO},
    [ALARMS_SEVERITY] = {"Severity", "severity", 2, CONF_T_ENUM, 0, 0, severities, NULL, "0",
			 "Severity", CONF_F_RO},
    [ALARMS_SOURCE] = {"Source", "source", 3, CONF_T_STRING, 0, 0, NULL, NULL, "",
		       "What raised it, e.g. TLSContext#1", CONF_F_RO},
    [ALARMS_TEXT] = {"Text", "text", 4, CONF_T_STRING, 0, 0, NULL, NULL, "", "Description",
		     CONF_F_RO},
    [ALARMS_RAISED_AT] = {"RaisedAt", "raised-at", 5, CONF_T_STRING, 0, 0, NULL, NULL, "",
			  "When the alarm was raised or last changed severity (UTC)", CONF_F_RO},
    [ALARMS_UNIQUE_ID] = {"UniqueId", "unique-id", 6, CONF_T_INT, 0, 0x7fffffff, NULL, NULL, "0",
			  "Sequence number, new at every raise or change", CONF_F_RO},
};
_Static_assert(CONF_NCOLS(cols) == ALARMS_NCOLS, "conf/cols.h lists every column of alarms");

const struct conf_table conf_tbl_alarms = {
    .name = "Alarms",
    .cli = "alarm",
    .tree = "system",
    .mib = 5,
    .max_rows = 1000,
    .flags = CONF_TF_STATUS,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Active alarms",
};

/*
 * SNMPTrapDestinations: where the snmpd master sends the SBC's notifications,
 * as SNMPv3 traps or informs with an SNMPUsers user, or as v2c ones with a
 * community (only while SNMPv1v2cEnable is on). A row without its User (v3)
 * or Community (v2c) is off until it has one.
 */
#include <stdio.h>
#include <string.h>

#include "conf/cols.h"
#include "conf/snmpv3.h"
#include "conf/store.h"

static const struct conf_enum version[] = {{CONF_SNMP_V2C, "v2c"}, {CONF_SNMP_V3, "v3"}, {0, NULL}};
static const struct conf_enum type[] = {
    {CONF_SNMP_TRAP, "trap"}, {CONF_SNMP_INFORM, "inform"}, {0, NULL}};

static const struct conf_column cols[] = {
    [SNMPTRAP_ADDRESS] = {"Address", "address", 1, CONF_T_STRING, 0, 255, NULL, NULL, "",
			  "Host name or IP address of the manager", CONF_F_MANDATORY},
    [SNMPTRAP_PORT] = {"Port", "port", 2, CONF_T_PORT, 0, 0, NULL, NULL, "162",
		       "UDP port of the manager", 0},
    [SNMPTRAP_VERSION] = {"Version", "version", 3, CONF_T_ENUM, 0, 0, version, NULL, "3",
			  "SNMP version: 2 v2c (community), 3 v3 (user)", 0},
    [SNMPTRAP_TYPE] = {"Type", "type", 4, CONF_T_ENUM, 0, 0, type, NULL, "0",
		       "0 trap (unacknowledged), 1 inform (acknowledged, resent)", 0},
    [SNMPTRAP_USER] =
	{"User", "user", 5, CONF_T_REF, 0, 0, NULL, "SNMPUsers", "",
	 "SNMPUsers user the v3 notifications are sent as; empty: the destination is off", 0},
    [SNMPTRAP_COMMUNITY] =
	{"Community", "community", 6, CONF_T_SECRET, 0, 64, NULL, NULL, "",
	 "Community of v2c notifications; empty: the v2c destination is off (never shown)",
	 CONF_F_SECRET},
};
_Static_assert(CONF_NCOLS(cols) == SNMPTRAP_NCOLS, "conf/cols.h lists every column of snmptrap");

static int bad(char *err, size_t errlen, unsigned row, const char *col, const char *why)
{
	snprintf(err, errlen, "SNMPTrapDestinations row %u column %s: %s", row, col, why);
	return -1;
}

static int check_dests(const struct conf_store *st, char *err, size_t errlen)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_snmptrapdest);
	static const int gc[] = {GLOBALS_SNMP_READ_ONLY_COMMUNITY_STRING,
				 GLOBALS_SNMP_READ_WRITE_COMMUNITY_STRING};

	for (unsigned k = 0; k < 2; k++)
		if (!conf_snmp_text_ok(conf_globals_str(st, gc[k]))) {
			snprintf(err, errlen,
				 "Globals column %s: control characters, '\"' and '\\' are not "
				 "allowed",
				 conf_globals()->cols[gc[k]].name);
			return -1;
		}
	for (unsigned j = 0; j < rs->n; j++) {
		const struct conf_row *r = rs->row[j];
		const char *a = r->v[SNMPTRAP_ADDRESS].s;
		if (strspn(a,
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") !=
		    strlen(a))
			return bad(err, errlen, r->index, "Address",
				   "not a host name or an IP address");
		if (!r->v[SNMPTRAP_PORT].i)
			return bad(err, errlen, r->index, "Port", "port 0");
		/* a v3 row without User, a v2c row without Community: off (sbc/snmpd_conf.c) */
		if (!conf_snmp_text_ok(r->v[SNMPTRAP_COMMUNITY].s))
			return bad(err, errlen, r->index, "Community",
				   "control characters, '\"' and '\\' are not allowed");
	}
	return 0;
}

const struct conf_table conf_tbl_snmptrapdest = {
    .name = "SNMPTrapDestinations",
    .cli = "snmp-trap-destination",
    .tree = "system",
    .mib = 21,
    .max_rows = 10,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Managers that receive the SBC's notifications (SNMP traps or informs)",
    .check = check_dests,
};

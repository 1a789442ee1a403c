#!/bin/bash
# The SNMP agent loaded into snmpd itself (build/lib/sbc-snmp.so, `dlmod sbc_snmp PATH`) instead
# of the AgentX subagent: reads, a SET round trip, bulk walks, notifications, a bounded wait
# while sbcd does not answer, and a reload of snmpd's configuration (unload + load).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/snmp_env.sh"
t_begin snmp_dlmod
SO=$TOP/build/lib/sbc-snmp.so

ntraps() { grep -c "snmpTrapOID.0 = OID: SBC-MIB::$1" "$T_DIR/traps.log" 2>/dev/null; }
ms() { echo $(($(date +%s%N) / 1000000)); }

check "the module is built" test -f "$SO"
check "base MIBs" snmp_mibs
check "sbcd starts" snmp_sbcd_start
check "snmptrapd starts" snmp_trapd_start
SNMPD_EXTRA="dlmod sbc_snmp $SO
sbcSocket $T_DIR/sbcd.sock
sbcPoll 1"
check "snmpd starts with the module" snmp_master_start
check "snmpd serves SBC-MIB itself (no subagent)" wait_for "sw snmpget sbcDeviceVersion.0 | grep -q STRING" 100
contains "the module logged its start" "$T_DIR/snmpd.log" "sbc-snmp started in snmpd \(sbcd $T_DIR/sbcd.sock\)"
check "no unknown configuration token" sh -c "! grep -qi 'unknown token' $T_DIR/snmpd.log"

# --- reads ------------------------------------------------------------------------------
check "sbcTLSContextsName.0 = default" sh -c "$(declare -f sw); SNMP_MIBDIR=$SNMP_MIBDIR T_DIR=$T_DIR ADMIN_AUTH='$ADMIN_AUTH' SNMP_PORT=$SNMP_PORT sw snmpget -Oqv sbcTLSContextsName.0 | grep -qx '\"*default\"*'"
check "sbcTLSExpiryCheckStart.0 reads 60" test "$(sw snmpget -Oqv sbcTLSExpiryCheckStart.0)" = 60
check "a missing row is noSuchInstance" sh -c "$(declare -f sw); SNMP_MIBDIR=$SNMP_MIBDIR T_DIR=$T_DIR ADMIN_AUTH='$ADMIN_AUTH' SNMP_PORT=$SNMP_PORT sw snmpget sbcTLSContextsName.42 | grep -q 'No Such Instance'"

# --- a SET round trip ---------------------------------------------------------------------
check "snmpset sbcTLSExpiryCheckStart.0 = 45" sw snmpset sbcTLSExpiryCheckStart.0 i 45
check "sbc-ini export shows it" sh -c "$BIN/sbc-ini --socket $T_DIR/sbcd.sock export | grep -qx 'TLSExpiryCheckStart = 45'"
check "SNMP reads it back" test "$(sw snmpget -Oqv sbcTLSExpiryCheckStart.0)" = 45
SW_OPTS=-Ir sw snmpset sbcTLSExpiryCheckStart.0 i 30 sbcTLSContextsName.0 s renamed >"$T_DIR/tx.out" 2>&1
contains "a PDU with a refused varbind fails (inconsistentValue)" "$T_DIR/tx.out" "inconsistentValue"
check "and changes nothing" test "$(sw snmpget -Oqv sbcTLSExpiryCheckStart.0)" = 45
SW_OPTS=-Ir sw snmpset sbcTLSContextsTLSVersion.0 i 99 >"$T_DIR/err.out" 2>&1
contains "an enumeration value that does not exist -> wrongValue" "$T_DIR/err.out" "Reason: wrongValue"
check "createAndGo TLSContexts row 5" sw snmpset sbcTLSContextsRowStatus.5 i 4 sbcTLSContextsName.5 s five
check "sbcd has row 5" sh -c "$BIN/sbc-ini --socket $T_DIR/sbcd.sock export TLSContexts | grep -q '^TLSContexts 5 = \"five\"'"

# --- bulk walks ---------------------------------------------------------------------------
sw snmpbulkwalk -Cr20 sbcTLSContextsTable >"$T_DIR/bulk-table.out" 2>&1
contains "bulk walk of sbcTLSContextsTable has row 0" "$T_DIR/bulk-table.out" '^SBC-MIB::sbcTLSContextsName\.0 = STRING: "?default"?$'
contains "and row 5" "$T_DIR/bulk-table.out" '^SBC-MIB::sbcTLSContextsName\.5 = STRING: "?five"?$'
sw snmpbulkwalk -Cr20 sbcMIB >"$T_DIR/bulkwalk.out" 2>&1
sw snmpwalk sbcMIB >"$T_DIR/walk.out" 2>&1
check "snmpwalk and snmpbulkwalk of sbcMIB return the same objects" cmp "$T_DIR/walk.out" "$T_DIR/bulkwalk.out"
check "the walk ends cleanly" sh -c "! grep -qE '^(Timeout|Error)|No more variables' $T_DIR/walk.out"
check "the walk has $(wc -l <"$T_DIR/walk.out") objects (> 100)" test "$(wc -l <"$T_DIR/walk.out")" -gt 100
check "destroy TLSContexts row 5" sw snmpset sbcTLSContextsRowStatus.5 i 6

# --- notifications go to snmpd's own trap sinks ------------------------------------------
check "sbcDeviceStarted received" wait_for "[ \$(ntraps sbcDeviceStarted) -ge 1 ]" 100
check "save by SNMP" sw snmpset sbcDeviceSaveConfiguration.0 i 1
check "sbcConfigurationSaved received" wait_for "[ \$(ntraps sbcConfigurationSaved) -ge 1 ]" 100

# --- sbcd hung, then down: snmpd is held at most for the control timeout -------------------
kill -STOP "$SBCD_PID"
sleep 1.2 # the model cached before the stop has expired
a=$(ms)
sw snmpget sbcTLSContextsName.0 >"$T_DIR/hung.out" 2>&1
b=$(ms)
check "a read while sbcd is hung answers within 3 s ($((b - a)) ms)" test $((b - a)) -lt 3000
a=$(ms)
sv2 snmpget .1.3.6.1.2.1.1.3.0 >"$T_DIR/sysup.out" 2>&1
b=$(ms)
contains "snmpd's own objects still answer" "$T_DIR/sysup.out" "Timeticks"
check "  at once ($((b - a)) ms)" test $((b - a)) -lt 1500
kill -CONT "$SBCD_PID"
snmp_sbcd_stop
SW_OPTS=-Ir sw snmpset sbcTLSExpiryCheckStart.0 i 32 >"$T_DIR/down.out" 2>&1
contains "a SET while sbcd is down -> resourceUnavailable" "$T_DIR/down.out" "Reason: resourceUnavailable"
check "sbcd restarts" snmp_sbcd_start
check "the module serves the restarted sbcd" wait_for "sw snmpget -Oqv sbcTLSExpiryCheckStart.0 | grep -qx 45" 50

# --- reload of snmpd's configuration: the module is unloaded and loaded again --------------
kill -HUP "$SNMPD_PID"
check "after SIGHUP snmpd still serves SBC-MIB" wait_for "sw snmpget sbcTLSContextsName.0 | grep -q default" 50
check "snmpd is alive" kill -0 "$SNMPD_PID"
contains "the module was unloaded and loaded again" "$T_DIR/snmpd.log" "sbc-snmp unloaded"
check "a SET after the reload" sw snmpset sbcTLSExpiryCheckStart.0 i 60
check "reached sbcd" sh -c "$BIN/sbc-ini --socket $T_DIR/sbcd.sock export | grep -qx 'TLSExpiryCheckStart = 60'"
t_end

#!/bin/bash
# sbc-snmp-agent under a private snmpd master: reads of every table, a SET round trip over
# every writable column of every table (checked against sbc-ini export), RowStatus row
# creation and destruction, every SET error status, the read-only user, device actions.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/snmp_env.sh"
t_begin snmp_agent

GEN=$BIN/sbc-mibgen
check "base MIBs" snmp_mibs
check "sbcd starts" snmp_sbcd_start
check "snmpd master starts" snmp_master_start
check "sbc-snmp-agent registers with the master" snmp_agent_start
ARC=$("$GEN" arc)
"$GEN" samples >"$T_DIR/samples"

# value of a column in `sbc-ini export` (FORMAT order), of a global parameter
ini_get() { # table row column
	sbcini export "$1" | awk -v t="$1" -v r="$2" -v c="$3" '
	$1 == "FORMAT" { l = $0; sub(/^FORMAT [^=]*= */, "", l); sub(/;$/, "", l); n = split(l, col, /, */) }
	$1 == t && $2 == r && $3 == "=" { l = $0; sub(/^[^=]*= */, "", l); sub(/;$/, "", l)
		split(l, val, /, /); for (i = 1; i <= n; i++) if (col[i] == t "_" c) { v = val[i]
		gsub(/^"|"$/, "", v); print v } }'
}
ini_global() { sbcini export | awk -F' = ' -v c="$1" '$1 == c { v = $2; gsub(/^'"'"'|'"'"'$/, "", v); print v }'; }
# value by SNMP: numbers for enumerations, strings unquoted
snmp_val() { sw snmpget -Oqv -Oe "$1" | sed 's/^"//; s/"$//'; }
table_mib() { awk -v t="$1" '$1 == "T" && $2 == t { print $3 }' "$T_DIR/samples"; }

# --- reads ---------------------------------------------------------------------------
sw snmpbulkwalk -Cr20 sbcMIB >"$T_DIR/bulkwalk.out" 2>&1
sw snmpwalk sbcMIB >"$T_DIR/walk.out" 2>&1
check "snmpwalk and snmpbulkwalk return the same objects" cmp "$T_DIR/walk.out" "$T_DIR/bulkwalk.out"
check "the walk ends cleanly" sh -c "! grep -qE '^(Timeout|Error)|No more variables' $T_DIR/walk.out"
for t in $(awk '$1 == "T" { print $2 }' "$T_DIR/samples"); do
	sbcini export "$t" | grep -qE "^$t 0 = " || continue
	contains "walk has configuration table $t" "$T_DIR/walk.out" "^SBC-MIB::sbc${t%Table}[A-Za-z0-9]+\.0 = "
done
contains "walk has global parameters" "$T_DIR/walk.out" '^SBC-MIB::sbcTLSExpiryCheckStart\.0 = INTEGER: 60$'
contains "walk has device information" "$T_DIR/walk.out" '^SBC-MIB::sbcDeviceVersion\.0 = STRING: '
check "snmptable reads TLSContexts" sh -c "$(declare -f sw); SNMP_MIBDIR=$SNMP_MIBDIR T_DIR=$T_DIR ADMIN_AUTH='$ADMIN_AUTH' SNMP_PORT=$SNMP_PORT sw snmptable -Cf , sbcTLSContextsTable | grep -q '^default,'"
sbcini status >"$T_DIR/status.ini"
for t in $(grep -oE '^\[ [A-Za-z0-9]+ \]' "$T_DIR/status.ini" | tr -d '[] '); do
	rows=$(grep -cE "^$t [0-9]+ = " "$T_DIR/status.ini")
	n=$(grep -cE "^SBC-MIB::sbc${t%Table}[A-Za-z0-9]+\.[0-9]+ = " "$T_DIR/walk.out")
	check "status table $t readable ($rows rows)" test "$rows" = 0 -o "$n" -gt 0
done
check "secret columns read as empty strings" sh -c "grep '^SBC-MIB::sbcWebUsersPassword\.0 = ' $T_DIR/walk.out | grep -qE '(STRING: |= \"\")$'"
check "snmpget of a missing row is noSuchInstance" sh -c "$(declare -f sw); SNMP_MIBDIR=$SNMP_MIBDIR T_DIR=$T_DIR ADMIN_AUTH='$ADMIN_AUTH' SNMP_PORT=$SNMP_PORT sw snmpget sbcTLSContextsName.42 | grep -q 'No Such Instance'"

# --- round trip over every writable global -----------------------------------------
sbcini export Globals >"$T_DIR/globals.ini"
args=()
while read -r kind col mib ty val; do
	[ "$kind" = G ] || [ "$kind" = S ] && args+=(".$ARC.1.1.$mib.0" "$ty" "$val")
done <"$T_DIR/samples"
check "one SET of every global parameter (${#args[@]} args)" sw snmpset "${args[@]}"
bad=""
while read -r kind col mib ty val; do
	if [ "$kind" = S ]; then # secret: never read back, never exported
		[ -z "$(snmp_val ".$ARC.1.1.$mib.0")" ] || bad="$bad $col(secret shown)"
		[ -z "$(ini_global "$col")" ] || bad="$bad $col(secret exported)"
		continue
	fi
	[ "$kind" = G ] || continue
	[ "$(ini_global "$col")" = "$val" ] || bad="$bad $col(ini:$(ini_global "$col"))"
	[ "$(snmp_val ".$ARC.1.1.$mib.0")" = "$val" ] || bad="$bad $col(snmp)"
done <"$T_DIR/samples"
check "every global reads back by SNMP and in sbc-ini export${bad:+:$bad}" test -z "$bad"
check "globals restored" sbcini import --incremental "$T_DIR/globals.ini"

# --- row creation and a round trip over every writable column of every table ---------
IF0=$(ini_get InterfaceTable 0 InterfaceName)
for t in $(awk '$1 == "T" && $4 == 1 && $5 == 1 { print $2 }' "$T_DIR/samples"); do
	tm=$(table_mib "$t")
	[ -n "$(sbcini export "$t" | grep -E "^$t 0 = ")" ] && continue
	args=(".$ARC.1.$tm.1.201.0" i 4)
	while read -r kind tab col mib ty mand name secret val; do
		[ "$kind" = C ] && [ "$tab" = "$t" ] || continue
		[ "$name" = 1 ] && val=${t}_0
		# a mandatory reference names row 1 of its table as the samples do ("name-1"); the
		# one such table here is the InterfaceTable (CpMediaRealm IPv4IF), whose only row is
		# the factory's row 0: name that one
		[ "$mand" = 1 ] && [ "$name" = 0 ] && [ "$val" = name-1 ] && val=$IF0
		[ "$mand" = 1 ] || [ "$name" = 1 ] && args+=(".$ARC.1.$tm.1.$mib.0" "$ty" "$val")
	done <"$T_DIR/samples"
	check "createAndGo $t row 0 (referenced by other tables)" sw snmpset "${args[@]}"
done
for t in $(awk '$1 == "T" && $4 == 1 { print $2 }' "$T_DIR/samples"); do
	tm=$(table_mib "$t")
	args=(".$ARC.1.$tm.1.201.1" i 4)
	while read -r kind tab col mib ty mand name secret val; do
		[ "$kind" = C ] && [ "$tab" = "$t" ] && args+=(".$ARC.1.$tm.1.$mib.1" "$ty" "$val")
	done <"$T_DIR/samples"
	check "createAndGo $t row 1 with every writable column in one PDU" sw snmpset "${args[@]}"
	bad=""
	while read -r kind tab col mib ty mand name secret val; do
		[ "$kind" = C ] && [ "$tab" = "$t" ] || continue
		if [ "$secret" = 1 ]; then
			[ -z "$(snmp_val ".$ARC.1.$tm.1.$mib.1")" ] || bad="$bad $col(secret shown)"
			continue
		fi
		[ "$(ini_get "$t" 1 "$col")" = "$val" ] || bad="$bad $col(ini:$(ini_get "$t" 1 "$col"))"
		[ "$(snmp_val ".$ARC.1.$tm.1.$mib.1")" = "$val" ] || bad="$bad $col(snmp)"
	done <"$T_DIR/samples"
	check "$t row 1 matches sbc-ini export and SNMP reads${bad:+:$bad}" test -z "$bad"
	check "$t row 1 RowStatus is active" test "$(snmp_val ".$ARC.1.$tm.1.201.1")" = 1
done

# createAndWait: the row waits in the agent until it is made active
check "createAndWait TLSContexts row 7" sw snmpset sbcTLSContextsRowStatus.7 i 5
check "the waiting row is notReady while its name is empty" test "$(snmp_val sbcTLSContextsRowStatus.7)" = 3
check "a column of the waiting row can be set" sw snmpset sbcTLSContextsName.7 s waiting7
check "then the row is notInService" test "$(snmp_val sbcTLSContextsRowStatus.7)" = 2
check "the waiting row is not in sbcd yet" test -z "$(ini_get TLSContexts 7 Name)"
check "active creates it" sw snmpset sbcTLSContextsRowStatus.7 i 1
check "now sbcd has it" test "$(ini_get TLSContexts 7 Name)" = waiting7

# destroy everything created, in reverse dependency order
for t in $(awk '$1 == "T" && $4 == 1 { print $2 }' "$T_DIR/samples" | tac); do
	tm=$(table_mib "$t")
	check "destroy $t row 1" sw snmpset ".$ARC.1.$tm.1.201.1" i 6
	check "$t row 1 is gone from sbcd" test -z "$(sbcini export "$t" | grep -E "^$t 1 = ")"
done
check "destroy TLSContexts row 7" sw snmpset sbcTLSContextsRowStatus.7 i 6
check "destroy ProxySet row 0" sw snmpset sbcProxySetRowStatus.0 i 6
check "destroying a missing row is no error" sw snmpset sbcProxySetRowStatus.9 i 6

# --- one PDU is one transaction ------------------------------------------------------
sw snmpset sbcTLSExpiryCheckStart.0 i 30 sbcTLSContextsName.0 s renamed >"$T_DIR/tx.out" 2>&1
contains "a PDU whose second varbind is refused fails" "$T_DIR/tx.out" "inconsistentValue"
check "and changes nothing (first varbind not applied)" test "$(ini_global TLSExpiryCheckStart)" = 60

# --- error statuses ------------------------------------------------------------------
err_is() { # description status args...
	local d=$1 st=$2; shift 2
	SW_OPTS=-Ir sw snmpset "$@" >"$T_DIR/err.out" 2>&1
	contains "$d -> $st" "$T_DIR/err.out" "Reason: $st"
}
err_is "OCTET STRING to an integer column" wrongType ".$ARC.1.1.5.0" s 33
err_is "INTEGER to a text column" wrongType sbcTLSContextsName.0 i 3
err_is "40 characters into TLSContexts Name (31 at most)" wrongLength sbcTLSContextsName.0 s \
	"$(printf 'x%.0s' $(seq 40))"
err_is "an enumeration value that does not exist" wrongValue sbcTLSContextsTLSVersion.0 i 99
err_is "an integer out of range" wrongValue sbcTLSReHandshakeInterval.0 i 3333
err_is "an address that is not an IP address" wrongValue sbcWebAddress.0 s not-an-address
err_is "a double quote in a string" wrongValue sbcTLSContextsServerCipherString.0 s 'a"b'
err_is "RowStatus notReady" wrongValue sbcTLSContextsRowStatus.0 i 3
err_is "notInService on a live row" wrongValue sbcTLSContextsRowStatus.0 i 2
err_is "renaming a TLS context SIP interfaces refer to" inconsistentValue sbcTLSContextsName.0 s other
err_is "createAndGo on an existing row" inconsistentValue sbcTLSContextsRowStatus.0 i 4
err_is "createAndGo without the mandatory name" inconsistentValue sbcTLSContextsRowStatus.3 i 4
err_is "destroying TLS context 0" inconsistentValue sbcTLSContextsRowStatus.0 i 6
err_is "a column of a row that does not exist" inconsistentName sbcTLSContextsName.9 s nine
err_is "a row index past the table's size" noCreation sbcTLSContextsName.100 s x
err_is "a column number the table does not have" noCreation ".$ARC.1.2.1.150.0" i 1
err_is "a read-only object" notWritable sbcDeviceVersion.0 s 1

# --- read-only user -------------------------------------------------------------------
check "the read-only user reads" sh -c "$(declare -f sw_ro); SNMP_MIBDIR=$SNMP_MIBDIR T_DIR=$T_DIR MON_AUTH='$MON_AUTH' SNMP_PORT=$SNMP_PORT sw_ro snmpget sbcTLSContextsName.0 | grep -q default"
sw_ro snmpset sbcTLSExpiryCheckStart.0 i 31 >"$T_DIR/ro.out" 2>&1
contains "a write by the read-only user is refused" "$T_DIR/ro.out" "noAccess|authorizationError|notWritable"
check "and changes nothing" test "$(ini_global TLSExpiryCheckStart)" = 60

# --- actions --------------------------------------------------------------------------
check "sbcDeviceSaveConfiguration save(1)" sw snmpset sbcDeviceSaveConfiguration.0 i 1
check "sbcd counted the save" test "$(snmp_val sbcDeviceSaves.0)" = 1
check "the action reads idle(0)" test "$(snmp_val sbcDeviceSaveConfiguration.0)" = 0
mv "$T_DIR/flash/board.ini" "$T_DIR/board.ini.saved"
mkdir -p "$T_DIR/flash/board.ini/x"
err_is "save when the flash cannot be written" commitFailed sbcDeviceSaveConfiguration.0 i 1
rm -rf "$T_DIR/flash/board.ini"
mv "$T_DIR/board.ini.saved" "$T_DIR/flash/board.ini"
kill -STOP "$SBCD_PID"
err_is "any SET while sbcd does not answer" resourceUnavailable sbcTLSExpiryCheckStart.0 i 32
kill -CONT "$SBCD_PID"
snmp_sbcd_stop
err_is "any SET while sbcd is down" resourceUnavailable sbcTLSExpiryCheckStart.0 i 32
check "sbcd restarts" snmp_sbcd_start
check "the agent serves the restarted sbcd" wait_for "sw snmpset sbcTLSExpiryCheckStart.0 i 33" 50
check "and the change reached it" test "$(ini_global TLSExpiryCheckStart)" = 33
t_end

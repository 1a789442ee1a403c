#!/bin/bash
# SBC-MIB: the committed module is what the schema generates, smilint -l 6 has nothing to
# say about it (base MIBs from the npm package net-snmp), and Net-SNMP's parser places
# objects where the agent serves them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/snmp_env.sh"
t_begin snmp_mib

GEN=$BIN/sbc-mibgen
check "the MIB generator is built" test -x "$GEN"
"$GEN" mib >"$T_DIR/generated.mib" 2>"$T_DIR/gen.err"
check "the generator reports no schema problem" test ! -s "$T_DIR/gen.err"
if diff -u "$TOP/mib/SBC-MIB.txt" "$T_DIR/generated.mib" >"$T_DIR/mib.diff"; then
	ok "mib/SBC-MIB.txt matches the schema"
else
	fail "mib/SBC-MIB.txt differs from the schema: regenerate with" \
		"make mib"
	head -40 "$T_DIR/mib.diff" | sed 's/^/       | /'
fi

check "base MIBs installed from npm net-snmp@$NET_SNMP_NPM_VERSION" snmp_mibs
SMIPATH=$SNMP_MIBDIR smilint -l 6 -s "$TOP/mib/SBC-MIB.txt" >"$T_DIR/smilint.out" 2>&1
if [ -s "$T_DIR/smilint.out" ]; then
	fail "smilint -l 6 reports problems"
	head -20 "$T_DIR/smilint.out" | sed 's/^/       | /'
else
	ok "smilint -l 6 reports nothing"
fi

# every table and column of the schema is where the layout says, per Net-SNMP's parser
ARC=$("$GEN" arc)
tr() { MIBS= snmptranslate -M "$SNMP_MIBDIR" -m SBC-MIB -On "SBC-MIB::$1" 2>/dev/null; }
check "sbcMIB is the enterprise arc $ARC" test "$(tr sbcMIB)" = ".$ARC"
bad=0
while read -r kind table mib _; do
	[ "$kind" = T ] || continue
	base=${table%Table}
	[ "$(tr "sbc${base}Table")" = ".$ARC.1.$mib" ] || { bad=1; echo "  table $table"; }
	[ "$(tr "sbc${base}RowStatus")" = ".$ARC.1.$mib.1.201" ] || { bad=1; echo "  $table RowStatus"; }
done < <("$GEN" samples)
while read -r kind table col mib _; do
	[ "$kind" = C ] || continue
	tm=$("$GEN" samples | awk -v t="$table" '$1=="T" && $2==t {print $3}')
	[ "$(tr "sbc${table%Table}$col")" = ".$ARC.1.$tm.1.$mib" ] || { bad=1; echo "  $table $col"; }
done < <("$GEN" samples)
while read -r kind col mib _; do
	[ "$kind" = G ] || [ "$kind" = S ] || continue
	[ "$(tr "sbc$col")" = ".$ARC.1.1.$mib" ] || { bad=1; echo "  global $col"; }
done < <("$GEN" samples)
check "every writable table, column and global sits at its schema number" test "$bad" = 0
check "notifications under sbcMIB.0" test "$(tr sbcConfigurationSaved)" = ".$ARC.0.2"
check "the compliance statement exists" test -n "$(tr sbcCompliance)"
t_end

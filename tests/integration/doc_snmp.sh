#!/bin/bash
# Issue 19 item 3: every SNMP example in the docs works on stock Debian. Debian's snmp package
# ships no IETF base MIB and turns MIB loading off, so SBC-MIB (which imports SNMPv2-SMI, -TC,
# -CONF) cannot be loaded there: examples give numeric OIDs, unless they say they need the
# base MIBs (`-m +SBC-MIB`, doc/OPERATIONS.md section 6). Checks: (1) stock Net-SNMP with only
# Debian's MIB directory and the package's SBC-MIB cannot resolve an SBC name (the reason, so
# this test notices if it ever changes); (2) every snmp* command line in README.md and doc/
# names only numeric OIDs or carries -m +SBC-MIB, and snmptable (which needs the MIB) always
# carries it; (3) every numeric SBC OID in the docs is an object of SBC-MIB (resolved with the
# base MIBs the SNMP tests use, build/snmp-mibs), so the numbers stay right when the MIB moves.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/integration/snmp_env.sh"
t_begin doc_snmp
D=$T_DIR
command -v snmptranslate >/dev/null || { echo "  SKIP snmptranslate missing (package snmp)"; t_end; exit 0; }

# (1) stock Debian: no base MIBs; the package's SBC-MIB beside Debian's own MIB directory
mkdir -p "$D/stock"
cp "$TOP/mib/SBC-MIB.txt" "$D/stock/"
MIBDIRS_STOCK=/usr/share/snmp/mibs:$D/stock
expect_fail "stock Debian: -m +SBC-MIB cannot resolve sbcMIB (no SNMPv2-SMI)" \
	env -u MIBS -u MIBDIRS snmptranslate -M "$MIBDIRS_STOCK" -m +SBC-MIB -On SBC-MIB::sbcMIB
check "stock Debian: a numeric OID needs no MIB" \
	env -u MIBS -u MIBDIRS snmptranslate -M "$MIBDIRS_STOCK" -m '' -On .1.3.6.1.4.1.8072.9999.9999.1.2

# (2) the command lines of the docs (and the sentences that name a table by its MIB name)
grep -rnE '^\s*(snmpwalk|snmpbulkwalk|snmpget|snmpgetnext|snmpset|snmptable)\b' \
	"$TOP/README.md" "$TOP"/doc/*.md >"$D/lines" || true
n=$(wc -l <"$D/lines")
check "the docs hold SNMP examples ($n lines)" test "$n" -gt 0
bad=0
while IFS= read -r l; do
	cmd=${l#*:*:}
	f=${l%%:*}
	ln=${l#*:}
	ln=${ln%%:*}
	if grep -q -- '-m +SBC-MIB' <<<"$cmd"; then
		# names: only where the text just before says they need the base MIBs
		if ! head -n "$ln" "$f" | tail -n 15 | grep -qE 'snmp-mibs-downloader|base MIB'; then
			fail "loads SBC-MIB without saying it needs the base MIBs: $f:$ln: $cmd"
			bad=1
		fi
	else
		# without the MIB: no symbolic SBC name, no snmptable
		if grep -qE '(^|[ :])sbc[A-Z][A-Za-z0-9]*' <<<"$cmd" || grep -qE '^\s*snmptable' <<<"$cmd"; then
			fail "needs MIB names but loads none: ${l%%:*}: $cmd"
			bad=1
		fi
	fi
done <"$D/lines"
[ $bad = 0 ] && ok "every example names numeric OIDs, or says it loads SBC-MIB (-m +SBC-MIB)"

# (3) the numbers are objects of SBC-MIB
grep -rhoE '\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999(\.[0-9]+)*' "$TOP/README.md" "$TOP"/doc/*.md |
	sort -u >"$D/oids"
if snmp_mibs 2>/dev/null; then
	root=$(env -u MIBS snmptranslate -M "+$SNMP_MIBDIR" -m +SBC-MIB -On SBC-MIB::sbcMIB 2>/dev/null)
	while read -r o; do
		[ "$o" = "$root" ] && { ok "$o is SBC-MIB::sbcMIB"; continue; }
		name=$(env -u MIBS snmptranslate -M "+$SNMP_MIBDIR" -m +SBC-MIB "$o" 2>/dev/null)
		case "$name" in
		SBC-MIB::*) ok "$o is $name" ;;
		*) fail "$o is no SBC-MIB object (got '$name')" ;;
		esac
	done <"$D/oids"
else
	echo "  (base MIBs unavailable here (npm): the numbers are not resolved)"
fi
t_end

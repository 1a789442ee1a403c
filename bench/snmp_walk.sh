#!/bin/bash
# Benchmark: snmpbulkwalk of the 10,000-row ProxyIp table (and of the whole SBC-MIB with 100 TLS
# contexts) through snmpd + sbc-snmp-agent, next to a walk of a 10,000-row table that snmpd
# serves itself (NET-SNMP-EXTEND-MIB nsExtendOutLine of an `extend` whose output has 10,000
# lines), in the same run. With --write, replaces the "SNMP walks" section of doc/PERFORMANCE.md.
# Target (issue 7): within 2x of snmpd's own table, per row.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/integration/snmp_env.sh"
source "$(dirname "$0")/bigconf.sh"
t_begin bench-snmp
D=$T_DIR
RUNS=${RUNS:-3}

snmp_mibs || { fail "base MIBs"; t_end; exit 1; }
bigconf_gen >"$D/big.ini"
seq -f 'l%g' 1 10000 >"$D/lines.txt"
SNMPD_EXTRA="extend big /bin/cat $D/lines.txt"
snmp_sbcd_start >/dev/null || { fail "sbcd"; t_end; exit 1; }
"$BIN/sbc-ini" --socket "$D/sbcd.sock" import --incremental "$D/big.ini" >/dev/null || { fail "import"; t_end; exit 1; }
snmp_master_start && snmp_agent_start || { fail "snmpd + agent"; t_end; exit 1; }

now() { date +%s%N; }
walk() { # walk NAME OID...: best time in ms, rows in $D/NAME.out
	local name=$1 best=999999999 a b; shift
	for _ in $(seq "$RUNS"); do
		a=$(now)
		sv2 snmpbulkwalk -Cr50 -On "$@" >"$D/$name.out" 2>&1 || return 1
		b=$(now)
		[ $(((b - a) / 1000000)) -lt "$best" ] && best=$(((b - a) / 1000000))
	done
	echo "$best"
}
t_sbc=$(walk sbc sbcProxyIpTable) || { fail "walk of sbcProxyIpTable"; t_end; exit 1; }
t_own=$(walk own .1.3.6.1.4.1.8072.1.3.2.4.1.2) || { fail "walk of nsExtendOutLine"; t_end; exit 1; }
t_all=$(walk all .1.3.6.1.4.1.8072.9999.9999) || { fail "walk of the whole SBC-MIB"; t_end; exit 1; }
# snmptable reads whole rows (every column in one GETBULK)
best_tab=999999999
for _ in $(seq "$RUNS"); do
	a=$(now)
	MIBS= SNMP_PERSISTENT_DIR=$D/client-persist snmptable -v2c -c public -t 5 -r 1 -Cr 50 \
		-M "$SNMP_MIBDIR" -m SBC-MIB "udp:127.0.0.1:$SNMP_PORT" sbcProxyIpTable >"$D/tab.out" 2>&1 ||
		{ fail "snmptable"; t_end; exit 1; }
	b=$(now)
	[ $(((b - a) / 1000000)) -lt "$best_tab" ] && best_tab=$(((b - a) / 1000000))
done
t_tab=$best_tab
rows_tab=$(grep -c '127\.1\.' "$D/tab.out")
n_sbc=$(wc -l <"$D/sbc.out")
n_own=$(wc -l <"$D/own.out")
n_all=$(wc -l <"$D/all.out")
rows_sbc=$(grep -c '^\.1\.3\.6\.1\.4\.1\.8072\.9999\.9999\.1\.6\.1\.3\.' "$D/sbc.out")
agent_kb=$(awk '/VmHWM/ {print $2}' "/proc/$AGENT_PID/status")
snmpd_kb=$(awk '/VmHWM/ {print $2}' "/proc/$SNMPD_PID/status")
ratio=$(python3 -c "print(f'{($t_sbc / 10000) / ($t_own / 10000):.2f}')")
ratio_tab=$(python3 -c "print(f'{$t_tab / $t_own:.2f}')")
ratio_vb=$(python3 -c "print(f'{($t_sbc / $n_sbc) / ($t_own / $n_own):.2f}')")
cat >"$D/section.md" <<X
## SNMP walks (issue 7)

\`bench/snmp_walk.sh\`, best of $RUNS runs, measured $(date -u +%Y-%m-%d) on this 2-core machine:
snmpbulkwalk (SNMPv2c, 50 repetitions) through a private snmpd master on loopback.

| walk | varbinds | time | per row |
|---|---|---|---|
| sbcProxyIpTable, 10,000 rows (sbc-snmp-agent over AgentX) | $n_sbc | $t_sbc ms | $(python3 -c "print(f'{$t_sbc*1000/10000:.0f}')") µs |
| nsExtendOutLine, 10,000 rows (served by snmpd itself) | $n_own | $t_own ms | $(python3 -c "print(f'{$t_own*1000/10000:.0f}')") µs |
| sbcProxyIpTable with snmptable (all columns of a row per request) | $((rows_tab * 7)) | $t_tab ms | $(python3 -c "print(f'{$t_tab*1000/10000:.0f}')") µs |
| the whole SBC-MIB with 100 TLS contexts and 10,000 proxy addresses | $n_all | $t_all ms | |

Ratio SBC / snmpd's own table, per row: **$ratio** with snmpbulkwalk, **$ratio_tab** with snmptable
(target ≤ 2); per varbind $ratio_vb (a ProxyIp row has $((n_sbc / 10000)) columns, an extend line 1).
Peak memory: sbc-snmp-agent $((agent_kb / 1024)) MiB, snmpd $((snmpd_kb / 1024)) MiB.

Why: Net-SNMP's AgentX master does not pass GETBULK to a subagent; it turns each repetition into
one AgentX GetNext round trip, so a bulk walk of one column costs one round trip per varbind
(about 70 µs here, mostly scheduling across snmpd and the subagent), while snmpd's own tables
answer 50 repetitions in one pass. Reading whole rows (snmptable) does not help: the cost is per
varbind. The subagent's own work per varbind (a binary search in its sorted instance index,
refreshed from sbcd at most once a second) is a small part of it: \`perf\` shows both snmpd and
the subagent spending over half their time in the kernel's select/read/write of AgentX PDUs.
The target is not met for single-column bulk walks; meeting it needs a master that forwards
GETBULK (AgentX allows it) or serving the MIB from snmpd itself.
X
cat "$D/section.md"
if [ "${1:-}" = --write ]; then
	python3 - "$TOP/doc/PERFORMANCE.md" "$D/section.md" <<'PY'
import re, sys
path, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(path).read()
pat = re.compile(r"## SNMP walks.*?(?=\n## |\Z)", re.S)
doc = pat.sub(sec.strip() + "\n", doc) if pat.search(doc) else doc.rstrip() + "\n\n" + sec
open(path, "w").write(doc)
PY
fi
check "every ProxyIp row walked" test "$rows_sbc" -eq 10000
check "every extend line walked" test "$n_own" -eq 10000
t_end

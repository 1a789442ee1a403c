#!/bin/bash
# Benchmark: the cost of performance monitoring (issue 23). Persistent mutual-TLS OPTIONS
# (bench/options_rtt.c, CLIENTS connections, back to back) answered per CPU-second of sbcd,
# with PerformanceMonitoring on and off, alternated ROUNDS times in one run on one sbcd
# (the machine is shared: alternating spreads its noise over both). sbcd's CPU is
# utime+stime from /proc/PID/stat over each window. Target: on within 2% of off.
# With --write it replaces the "Monitoring cost (issue 23)" section of doc/PERFORMANCE.md.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
t_begin bench-monitoring
D=$T_DIR
P=$D/pki
SECS=${SECS:-15}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-2}
RTT=$BIN/bench-options_rtt
[ -x "$RTT" ] || { echo "build first: make"; exit 1; }
pki_make "$P" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n' >"$D/boot.ini"
t_sbcd "$D" "$D/boot.ini" >/dev/null || { echo "sbcd did not start"; exit 1; }
SPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
ini() { timeout 60 "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
ini tls import-roots 0 -f "$P/cas.pem" >/dev/null &&
	ini tls import-key 0 -f "$P/server.key" >/dev/null &&
	ini tls import-cert 0 -f "$P/server-chain.crt" >/dev/null || { echo "TLS set-up failed"; exit 1; }
cpu() { awk '{ print $14 + $15 }' "/proc/$SBCD_PID/stat"; }
HZ=$(getconf CLK_TCK)
declare -A OPS CPU
window() { # on|off
	printf '[SYSTEM Params]\nPerformanceMonitoring = %d\n' "$([ "$1" = on ] && echo 1 || echo 0)" >"$D/pm.ini"
	ini import --incremental "$D/pm.ini" >/dev/null || { echo "switch failed"; exit 1; }
	local c0 c1 n=0 pids="" i
	c0=$(cpu)
	for i in $(seq "$CLIENTS"); do
		"$RTT" --port "$SPORT" --cert "$P/client.crt" --key "$P/client.key" --label "$1" \
			--seconds "$SECS" --interval-ms 0.001 >"$D/$1.$i.out" 2>/dev/null &
		pids="$pids $!"
	done
	wait $pids
	c1=$(cpu)
	for i in $(seq "$CLIENTS"); do
		n=$((n + $(sed -n 's/.*samples=\([0-9]*\).*/\1/p' "$D/$1.$i.out")))
	done
	OPS[$1]=$((${OPS[$1]:-0} + n))
	CPU[$1]=$((${CPU[$1]:-0} + c1 - c0))
	echo "$1: $n OPTIONS, $((c1 - c0)) ticks" >&2
}
for _ in $(seq "$ROUNDS"); do window on; window off; done
ini perf fine 1 >"$D/perf.txt"
kill "$SBCD_PID"
rate() { python3 -c "import sys; print('%.0f' % (int(sys.argv[1]) / (int(sys.argv[2]) / int(sys.argv[3]))))" "${OPS[$1]}" "${CPU[$1]}" "$HZ"; }
ON=$(rate on) OFF=$(rate off)
RATIO=$(python3 -c "import sys; print('%.3f' % (float(sys.argv[1]) / float(sys.argv[2])))" "$ON" "$OFF")
OUT=$D/section.md
cat >"$OUT" <<X
## Monitoring cost (issue 23)

Persistent mutual-TLS OPTIONS answered per CPU-second of sbcd with \`PerformanceMonitoring\` on
(a sample of every interface every 10 s into the history and the 15-minute intervals) and off,
run by \`bench/monitoring.sh\` on $(date -u +%Y-%m-%d) on this $(nproc)-core machine at commit
$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?'): $CLIENTS clients (\`bench/options_rtt.c\`,
back to back), $ROUNDS rounds of $SECS s on and $SECS s off alternated on one sbcd; sbcd CPU
from /proc (utime+stime). Target: on within 2% of off.

| monitoring | OPTIONS answered | sbcd CPU s | OPTIONS per CPU-s |
|---|---|---|---|
| on | ${OPS[on]} | $(python3 -c "print('%.2f' % (${CPU[on]} / $HZ))") | $ON |
| off | ${OPS[off]} | $(python3 -c "print('%.2f' % (${CPU[off]} / $HZ))") | $OFF |

Ratio on/off: **$RATIO** ($(python3 -c "import sys; r=float(sys.argv[1]); print('meets' if r >= 0.98 else 'misses')" "$RATIO") the target).
X
cat "$OUT"
if [ "${1:-}" = --write ]; then
	python3 - "$TOP/doc/PERFORMANCE.md" "$OUT" <<'PY'
import sys
f, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(f).read()
head = "## Monitoring cost (issue 23)"
i = doc.find(head)
if i < 0:
    doc = doc.rstrip("\n") + "\n\n" + sec
else:
    j = doc.find("\n## ", i + len(head))
    doc = doc[:i] + sec + (doc[j:] if j >= 0 else "")
open(f, "w").write(doc)
PY
fi
T_FAIL=0
t_cleanup >/dev/null
trap - EXIT

#!/bin/bash
# HA failover time (issue 22, doc/PERFORMANCE.md "HA failover (issue 22)"): the pair of
# tests/ha_env.sh (keepalived advert_int 1, track script every 1 s), a probe in the phone's
# namespace opening a new mutual-TLS connection every 50 ms and sending one OPTIONS to the
# virtual address (bench/ha_probe.py). Each run kills the active sbcd with SIGKILL; the
# failover time is from the last OPTIONS answered by the old active to the first answered by
# the new one. The killed box is started again and comes back as standby before the next run.
# usage: bench/ha_failover.sh [RUNS]   (default 20; target p95 < 3 s)
source "$(dirname "$0")/../tests/lib.sh"
source "$TOP/tests/pki.sh"
t_begin ha_failover
D=$T_DIR
RUNS=${1:-20}
command -v keepalived >/dev/null || { fail "keepalived not installed (packaging/install-deps)"; t_end; exit 1; }
source "$TOP/tests/ha_env.sh"

start_sbcd a && start_ka a && wait_for '[ "$(role a)" = active ]' 150 &&
	start_sbcd b && start_ka b && wait_for '[ "$(role b)" = standby ]' 150 ||
	{ fail "the pair does not come up"; t_end; exit 1; }
cur=a oth=b
: >"$D/gaps"
for i in $(seq "$RUNS"); do
	wait_for 'listens '$cur 100 || { fail "run $i: $cur does not listen"; break; }
	rm -f "$D/stop"
	ip netns exec $NSP python3 "$TOP/bench/ha_probe.py" "$VIP" 5061 "$P/client.crt" \
		"$P/client.key" "$P/ca.crt" "$D/stop" 60 0.05 0.5 >"$D/probe$i" 2>&1 &
	probe=$!
	t_track $probe
	wait_for "grep -q ok $D/probe$i" 50 || { fail "run $i: no OPTIONS answered before"; kill $probe; break; }
	sleep 0.5
	pid=$(eval echo "\$SBCD_$cur")
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	# from here no answer can come from the old active (an OPTIONS it answered in its last
	# milliseconds started before tk)
	tk=$(date +%s.%N)
	# the first answer after the kill
	wait_for "awk -v t=$tk '\$1 > t && \$2 == \"ok\"' $D/probe$i | grep -q ." 200 ||
		{ fail "run $i: no answer within 20 s"; touch "$D/stop"; wait $probe; break; }
	touch "$D/stop"
	wait $probe
	gap=$(awk -v t="$tk" '$2 == "ok" && $1 < t { last = $1 } $2 == "ok" && $1 > t && !first { first = $1 }
		END { printf "%d", (first - last) * 1000 }' "$D/probe$i")
	echo "  run $i: $cur -> $oth: ${gap} ms"
	echo "$gap" >>"$D/gaps"
	[ "$(role $oth)" = active ] || { fail "run $i: $oth is not active"; break; }
	start_sbcd $cur || { fail "run $i: $cur does not start again"; break; }
	wait_for '[ "$(role '$cur')" = standby ]' 150 || { fail "run $i: $cur does not come back as standby"; break; }
	t=$cur cur=$oth oth=$t
done
n=$(wc -l <"$D/gaps")
if [ "$n" -gt 0 ]; then
	sort -n "$D/gaps" | awk -v n="$n" '{ v[NR] = $1 } END {
		i50 = int(0.50 * n + 0.999); i95 = int(0.95 * n + 0.999)
		printf "ha_failover: %d runs, p50 %d ms, p95 %d ms, max %d ms (target p95 < 3000 ms)\n",
			n, v[i50], v[i95], v[n] }' | tee "$D/summary"
	p95=$(awk '{ print $8 }' "$D/summary")
	check "$n failovers measured" [ "$n" -eq "$RUNS" ]
	check "p95 under 3 s" [ "$p95" -lt 3000 ]
fi
t_end

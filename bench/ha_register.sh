#!/bin/bash
# REGISTER throughput with HA replication vs a single box (issue 22, doc/PERFORMANCE.md
# "HA failover (issue 22)"). The pair of tests/ha_env.sh; sipp in the phone's namespace sends
# N REGISTERs over UDP to the virtual address, each of a new user (every one a new binding
# replicated to the standby), LIMIT in flight. Then box a alone with HAEnable 0 and the
# virtual address put on it by hand, the same load. Rounds alternate; the median counts.
# usage: bench/ha_register.sh [N] [ROUNDS]   (default 5000, 5)
source "$(dirname "$0")/../tests/lib.sh"
source "$TOP/tests/pki.sh"
t_begin ha_register
D=$T_DIR
N=${1:-5000}
ROUNDS=${2:-5}
LIMIT=50
command -v keepalived >/dev/null || { fail "keepalived not installed"; t_end; exit 1; }
command -v sipp >/dev/null || { fail "sipp not installed"; t_end; exit 1; }
source "$TOP/tests/ha_env.sh"
# the single box: a copy of a's flash with HA off
mkdir -p "$D/solo"
cp -a "$D/a/flash" "$D/solo/flash"
printf '[SYSTEM Params]\nHAEnable = 0\n' >"$D/solo.ini"
"$BIN/sbc-ini" build --incremental --base "$D/solo/flash/board.ini" "$D/solo.ini" \
	-o "$D/solo/flash/board.ini" >/dev/null || { fail "solo flash"; t_end; exit 1; }

# load TAG: N REGISTERs, prints the rate (REGISTERs per second), nothing when one failed
load() {
	local t0 t1 rc
	t0=$(date +%s.%N)
	ip netns exec $NSP timeout 300 sipp -sf "$TOP/bench/ha_register.xml" -i 10.222.0.3 \
		-p 5070 "$VIP:5060" -m "$N" -r 100000 -l $LIMIT -nostdin >"$D/$1.sipp" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	[ "$rc" -eq 0 ] && awk -v a="$t0" -v b="$t1" -v n="$N" 'BEGIN { printf "%d", n / (b - a) }'
}

pair_up() {
	start_sbcd a && start_ka a && wait_for '[ "$(role a)" = active ]' 150 &&
		start_sbcd b && start_ka b && wait_for '[ "$(role b)" = standby ]' 150 &&
		wait_for 'listens a' 50
}
stop_all() {
	for p in $T_PIDS; do kill "$p" 2>/dev/null; done
	for p in $T_PIDS; do for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
	T_PIDS=""
	rm -f "$D"/a/flash/ha-generation "$D"/b/flash/ha-generation
}
solo_up() {
	ip -n $NSA addr add "$VIP/24" dev eth0 2>/dev/null
	ip netns exec $NSA "$BIN/sbcd" -f --flash "$D/solo/flash" --socket "$D/solo/sbcd.sock" \
		--pidfile "$D/solo/sbcd.pid" >>"$D/solo/sbcd.log" 2>&1 &
	t_track $!
	wait_for "$BIN/sbc-ini --socket $D/solo/sbcd.sock info" 100 && wait_for 'listens a' 50
}
: >"$D/ha.rates"
: >"$D/solo.rates"
for r in $(seq "$ROUNDS"); do
	pair_up || { fail "round $r: the pair does not come up"; break; }
	rate=$(load ha$r)
	held=$("$BIN/sbc-ini" --socket "$D/b/sbcd.sock" ha | awk '$1 == "registrations" { print $2 }')
	echo "  round $r: HA pair: ${rate:-failed} REGISTER/s; standby holds $held registrations"
	[ -n "$rate" ] && echo "$rate" >>"$D/ha.rates"
	stop_all
	solo_up || { fail "round $r: the single box does not come up"; break; }
	rate=$(load solo$r)
	echo "  round $r: single box: ${rate:-failed} REGISTER/s"
	[ -n "$rate" ] && echo "$rate" >>"$D/solo.rates"
	stop_all
	ip -n $NSA addr del "$VIP/24" dev eth0 2>/dev/null
done
med() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ha=$(med "$D/ha.rates")
solo=$(med "$D/solo.rates")
echo "ha_register: $N REGISTERs, $LIMIT in flight: HA pair median ${ha:-?}/s, single box median ${solo:-?}/s ($(wc -l <"$D/ha.rates") + $(wc -l <"$D/solo.rates") rounds)"
check "every round measured" [ "$(wc -l <"$D/ha.rates")" -eq "$ROUNDS" ] && [ "$(wc -l <"$D/solo.rates")" -eq "$ROUNDS" ]
check "with replication within 10% of the single box" [ $((ha * 100)) -ge $((solo * 90)) ]
t_end

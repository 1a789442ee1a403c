#!/bin/bash
# Benchmark (issue 21): REGISTER refreshes over persistent mutual-TLS connections, sbcd and
# Kamailio 5.6 (Debian; registrar + usrloc in memory, one TLS worker) in the same run with the
# same client. For each server: CONNS connections (default 15,000), each a full mutual TLS 1.3
# handshake with an ECDSA P-256 client certificate; one REGISTER on each (user uI: CONNS
# bindings, each reached over its own connection); OPTIONS round trips over one more
# connection for IDLE_SECS (idle); then REGISTERs refreshing those bindings at RATE per second
# (default 2,000) for SECS (default 15) over the same connections (bench/idle_tls.c
# "refresh"), with the OPTIONS running beside (bench/options_rtt.c, one due every INTERVAL_MS,
# measuring client SCHED_FIFO when allowed). Server CPU: utime+stime of its processes over the
# refresh window. Usage: bench/register_tls.sh [--write]; --write puts the section "REGISTER
# refreshes over persistent TLS (issue 21)" into doc/PERFORMANCE.md.
# This machine: 20,000 descriptors per process (hard limit), so CONNS stays at 15,000 or below.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
t_begin bench-register-tls
D=$T_DIR
P=$D/pki
WRITE=0
[ "${1:-}" = --write ] && WRITE=1
CONNS=${CONNS:-15000}
RATE=${RATE:-2000}
SECS=${SECS:-15}
IDLE_SECS=${IDLE_SECS:-5}
INTERVAL_MS=${INTERVAL_MS:-5}
OPEN_TIMEOUT=${OPEN_TIMEOUT:-1800}
GEN=$BIN/bench-idle_tls
RTT=$BIN/bench-options_rtt
RTPRIO=${RTPRIO-chrt -f 10}
[ -n "$RTPRIO" ] && ! $RTPRIO true 2>/dev/null && RTPRIO=
command -v kamailio >/dev/null || { echo "kamailio is not installed (kamailio kamailio-tls-modules)"; exit 1; }
[ -x "$GEN" ] && [ -x "$RTT" ] || { echo "build first: make"; exit 1; }
ulimit -n "$(ulimit -Hn)"
pki_make "$P" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
CCRT=$P/client.crt CKEY=$P/client.key
source "$(dirname "$0")/tls_peers.sh" # sbcd_start, kam_start, stop

ticks() { # PIDS: utime+stime clock ticks summed over the processes (all their threads)
	local s=0 p v
	for p in $1; do v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null); s=$((s + ${v:-0})); done
	echo "$s"
}
key() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }

# run NAME PORT PIDS: one line "name ready registered sent ok rate p50 p99 max cpu_s idle_p99
# load_p99 load_max"
run() {
	local name=$1 port=$2 pids=$3 out=$D/out.$1 c0 c1 rp line idle load
	mkfifo "$D/in.$name"
	"$GEN" --port "$port" --cert "$CCRT" --key "$CKEY" --conns "$CONNS" --inflight 64 \
		--timeout "$OPEN_TIMEOUT" <"$D/in.$name" >"$out" 2>&1 &
	t_track $!
	exec 7>"$D/in.$name"
	wait_for "grep -q ^ready $out" $((OPEN_TIMEOUT * 10 + 600))
	echo "register $CONNS" >&7
	wait_for "grep -q ^register $out" 1500
	$RTPRIO "$RTT" --port "$port" --cert "$CCRT" --key "$CKEY" --label idle --seconds "$IDLE_SECS" \
		--interval-ms "$INTERVAL_MS" >"$D/idle.$name" 2>/dev/null
	$RTPRIO "$RTT" --port "$port" --cert "$CCRT" --key "$CKEY" --label load \
		--seconds $((SECS + 1)) --interval-ms "$INTERVAL_MS" >"$D/load.$name" 2>/dev/null &
	rp=$!
	t_track "$rp"
	sleep 0.5
	c0=$(ticks "$pids")
	echo "refresh $RATE $SECS" >&7
	wait_for "grep -q ^refresh $out" $(((SECS + 30) * 10))
	c1=$(ticks "$pids")
	wait "$rp"
	[ "$name" = sbcd ] && timeout 120 "$BIN/sbc-ini" --socket "$SOCK" status Registrations |
		grep -c '^Registrations ' >"$D/bindings"
	echo quit >&7
	exec 7>&-
	line=$(grep ^refresh "$out")
	idle=$(cat "$D/idle.$name") load=$(cat "$D/load.$name")
	echo "$name $(key "$(grep ^ready "$out")" ok) $(key "$(grep ^register "$out")" ok)" \
		"$(key "$line" sent) $(key "$line" ok) $(key "$line" rate) $(key "$line" p50_ms)" \
		"$(key "$line" p99_ms) $(key "$line" max_ms)" \
		"$(python3 -c "print(f'{($c1 - $c0) / 100:.2f}')")" \
		"$(key "$idle" sched_p99_ms) $(key "$load" sched_p99_ms) $(key "$load" sched_max_ms)"
}

ROWS=$D/rows
sbcd_start "$D/sbcd"
run sbcd "$SPORT" "$SBCD_PID" | tee -a "$ROWS" >&2
stop "$SBCD_PID"
KAM_REGISTRAR=1 kam_start
run kamailio "$KPORT" "$KPIDS" | tee -a "$ROWS" >&2
stop "$KPID"

KVER=$(kamailio -v 2>/dev/null | sed -n 's/^version: kamailio \([0-9.]*\).*/\1/p')
OUT=$D/section.md
{
	cat <<X
## REGISTER refreshes over persistent TLS (issue 21)

Run by \`bench/register_tls.sh\` on $(date -u +%Y-%m-%d) at commit $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?'), on this $(nproc)-core machine, sbcd and
Kamailio $KVER (registrar and usrloc in memory, \`tcp_children=1\`) one after the other with the same
client. $CONNS persistent mutual-TLS connections (TLS 1.3, ECDSA P-256 client certificate verified),
one REGISTER on each ($CONNS bindings, each reached over its own connection), then REGISTERs
refreshing them at $RATE per second offered for $SECS s, round robin over the connections
(\`bench/idle_tls.c\` "refresh"; one outstanding per connection). OPTIONS over one more
mutual-TLS connection, one due every $INTERVAL_MS ms, counted from when each was due (*sched*), for
$IDLE_SECS s before the refreshes (*idle*) and during them. *CPU*: the server's CPU-seconds over the
refresh window. Times in ms. sbcd's Registrations table at the end of the refreshes: $(cat "$D/bindings") rows.

| server | connections | registered | refreshes sent | 200 | 200/s | REGISTER p50 | REGISTER p99 | REGISTER max | CPU s | REGISTER per CPU-s | OPTIONS idle p99 | OPTIONS p99 during | OPTIONS max during |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
X
	while read -r name ready reg sent ok rate p50 p99 max cpu ip99 lp99 lmax; do
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
			"$ready" "$reg" "$sent" "$ok" "$rate" "$p50" "$p99" "$max" "$cpu" \
			"$(python3 -c "print(round($ok / $cpu) if $cpu > 0 else '-')")" "$ip99" "$lp99" "$lmax"
	done <"$ROWS"
} >"$OUT"
cat "$OUT"
if [ "$WRITE" = 1 ]; then
	python3 - "$(dirname "$0")/../doc/PERFORMANCE.md" "$OUT" <<'PY'
import sys
f, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(f).read()
head = "## REGISTER refreshes over persistent TLS (issue 21)"
i = doc.find(head)
if i >= 0:
    j = doc.find("\n## ", i + len(head))
    k = doc.find("### Notes", i)
    notes = doc[k:j if j >= 0 else len(doc)] if k >= 0 and (j < 0 or k < j) else ""
    doc = doc[:i] + sec + ("\n" + notes.rstrip("\n") + "\n" if notes else "") + (doc[j:] if j >= 0 else "")
else:
    j = doc.find("\n## HA failover")
    doc = (doc[:j + 1] + sec + "\n" + doc[j + 1:]) if j >= 0 else doc.rstrip("\n") + "\n\n" + sec
open(f, "w").write(doc)
PY
fi
T_FAIL=0
[ -n "${KEEP_TMP:-}" ] && echo "artifacts in $D"
t_cleanup >/dev/null
trap - EXIT

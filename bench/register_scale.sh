#!/bin/bash
# Benchmark: the registrar at scale (issue 21, item 2), sbcd alone.
#  (1) REGISTER refreshes: USERS users registered once over UDP (sipp, bench/register_refresh.xml,
#      one REGISTER and its 200 per call), then RATE REGISTERs/s for SECS s cycling over them
#      (each one a refresh of an existing binding, new Call-ID), while bench-options_rtt sends
#      OPTIONS over one persistent mutual-TLS connection (one every INTERVAL_MS ms) and reports
#      p50/p99/max; the same OPTIONS measured IDLE_SECS s idle before, as the reference.
#  (2) 100,000 bindings: BIG users registered in all (sipp at BIG_RATE/s), then WALKS reads of
#      the whole Registrations status table (sbc-ini status Registrations: the control STATUS
#      verb every view uses) one after the other while OPTIONS run; each walk's time and rows,
#      and the OPTIONS p99/max meanwhile. sbcd's RSS before and after the bindings gives the
#      memory per binding in the running daemon.
# Server CPU is utime+stime from /proc/PID/stat over each interval. Prints a Markdown section;
# with --write adds or replaces the "Registrar at scale (issue 21)" section of
# doc/PERFORMANCE.md (keeping a "### Notes" subsection written by hand).
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
t_begin bench-register-scale
D=$T_DIR
P=$D/pki
USERS=${USERS:-12000}
RATE=${RATE:-2000}
SECS=${SECS:-15}
WARM_RATE=${WARM_RATE:-2000}
BIG=${BIG:-100000}
BIG_RATE=${BIG_RATE:-2500}
WALKS=${WALKS:-5}
IDLE_SECS=${IDLE_SECS:-5}
INTERVAL_MS=${INTERVAL_MS:-5}
TIMEOUT_MS=${TIMEOUT_MS:-5000}
XML=$TOP/bench/register_refresh.xml
RTT=$BIN/bench-options_rtt
HZ=$(getconf CLK_TCK)
# The measuring client runs SCHED_FIFO when allowed (root): a delay it sees is then sbcd's.
RTPRIO=${RTPRIO-chrt -f 10}
[ -n "$RTPRIO" ] && ! $RTPRIO true 2>/dev/null && RTPRIO=
[ -x "$RTT" ] && [ -x "$BIN/sbcd" ] || { echo "build first: make"; exit 1; }
command -v sipp >/dev/null || { echo "sipp is not installed"; exit 1; }

cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
calc() { python3 -c "import sys; print(eval(sys.argv[1]))" "$1"; }
val() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }
free_udp() {
	python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

python3 - "$D" "$BIG" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
with open(f"{d}/users.csv", "w") as u:
    u.write("SEQUENTIAL\n")
    for i in range(n):
        u.write(f"user{i:06d}\n")
PY
head -$((USERS + 1)) "$D/users.csv" >"$D/users-small.csv"

pki_make "$P" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n' >"$D/boot.ini"
t_sbcd "$D" "$D/boot.ini" >/dev/null || { echo "sbcd did not start"; cat "$D/sbcd.log"; exit 1; }
UPORT=$(sed -n 's/^SIPInterface 0 = \([0-9]*\), [0-9]*, [0-9]*;/\1/p' "$D/init.ini" | head -1)
SPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini" | head -1)
ini() { timeout 120 "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
ini tls import-roots 0 -f "$P/cas.pem" >/dev/null &&
	ini tls import-key 0 -f "$P/server.key" >/dev/null &&
	ini tls import-cert 0 -f "$P/server-chain.crt" >/dev/null || { echo "TLS set-up failed"; exit 1; }
nregs() { ini status Registrations | grep -c '^Registrations '; }

# reg_run USERSFILE RATE COUNT: one sipp run; prints "ok failed seconds cpu_seconds". Every run
# sends from the same port LP, so a user's Contact is the same and a REGISTER refreshes.
LP=$(free_udp)
reg_run() {
	local inf=$1 rate=$2 n=$3 lp=$LP c0 c1 t0 t1 pid out=$D/sipp.$RANDOM.out okc fc
	c0=$(cpu_ticks "$SBCD_PID")
	t0=$(date +%s.%N)
	sipp -sf "$XML" -inf "$inf" -i 127.0.0.1 -p "$lp" -t u1 -r "$rate" -m "$n" \
		-l "$((rate > 100 ? rate : 100))" -nostdin -timeout "$((n / rate + 60))" \
		-max_retrans 3 127.0.0.1:"$UPORT" >"$out" 2>&1 &
	pid=$!
	t_track "$pid"
	wait "$pid"
	t1=$(date +%s.%N)
	c1=$(cpu_ticks "$SBCD_PID")
	okc=$(sed -n 's/.*Successful call *| *[0-9]* *| *\([0-9]*\).*/\1/p' "$out" | tail -1)
	fc=$(sed -n 's/.*Failed call *| *[0-9]* *| *\([0-9]*\).*/\1/p' "$out" | tail -1)
	echo "${okc:-0} ${fc:-0} $(calc "round($t1 - $t0, 2)") $(calc "round(($c1 - $c0) / $HZ, 2)")"
}

# udp_drops: datagrams the kernel dropped at sbcd's UDP socket (receive buffer full)
udp_drops() { awk -v p=":$(printf '%04X' "$UPORT")" '$2 ~ p"$" {d += $NF} END {print d + 0}' /proc/net/udp; }

# measure LABEL [COMMAND...]: OPTIONS round trips while COMMAND runs (else IDLE_SECS idle)
declare -A R L
measure() {
	local label=$1 rp
	shift
	$RTPRIO "$RTT" --port "$SPORT" --cert "$P/client.crt" --key "$P/client.key" --label "$label" \
		--seconds 600 --interval-ms "$INTERVAL_MS" --timeout-ms "$TIMEOUT_MS" \
		>"$D/$label.rtt" 2>"$D/$label.err" &
	rp=$!
	t_track "$rp"
	sleep 1
	if [ $# -gt 0 ]; then
		L[$label]=$("$@")
	else
		sleep "$IDLE_SECS"
		L[$label]=-
	fi
	kill -USR1 "$rp" 2>/dev/null
	for _ in $(seq $((TIMEOUT_MS / 100 + 50))); do kill -0 "$rp" 2>/dev/null || break; sleep 0.1; done
	wait "$rp" 2>/dev/null
	R[$label]=$(cat "$D/$label.rtt")
	echo "$label: ${R[$label]} | ${L[$label]}" >&2
	kill -0 "$SBCD_PID" 2>/dev/null || { echo "sbcd died during $label"; tail -20 "$D/sbcd.log"; exit 1; }
}

# walks: WALKS reads of the whole Registrations table; prints "rows ms ms ..."
walks() {
	local i a b rows times=""
	for i in $(seq "$WALKS"); do
		a=$(date +%s%N)
		rows=$(ini status Registrations | grep -c '^Registrations ')
		b=$(date +%s%N)
		times="$times $(((b - a) / 1000000))"
	done
	echo "rows=$rows walk_ms=${times# }"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
RSS0=$(rss_kib "$SBCD_PID")
read -r wok wfl _ _ <<<"$(reg_run "$D/users-small.csv" "$WARM_RATE" "$USERS")"
echo "warm-up: $wok registered, $wfl failed" >&2
N1=$(nregs)
measure idle
DROP0=$(udp_drops)
measure refresh reg_run "$D/users-small.csv" "$RATE" "$((RATE * SECS))"
DROP1=$(udp_drops)
read -r rok rfl rsec rcpu <<<"${L[refresh]}"
N2=$(nregs)

# (2) up to BIG bindings, then walks of the table while OPTIONS run
RSS1=$(rss_kib "$SBCD_PID")
read -r bok bfl bsec _ <<<"$(reg_run "$D/users.csv" "$BIG_RATE" "$BIG")"
echo "big: $bok registered, $bfl failed in $bsec s" >&2
sleep 35 # the REGISTER transactions end (timer J, 32 s): RSS then holds the bindings
N3=$(nregs)
RSS2=$(rss_kib "$SBCD_PID")
measure idle100k
measure walk walks
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
# sbcd logs the time each status copy held its loop (at 10,000 bindings or more)
HOLD=$(sed -n 's/.*Registrations copy of \([0-9]*\) bindings held the loop \([0-9.]*\) ms (\([0-9.]*\) ms CPU).*/\1 \2 \3/p' "$D/sbcd.log" |
	python3 -c 'import sys
r = [l.split() for l in sys.stdin]
w = sorted(float(x[1]) for x in r if int(x[0]) >= 90000)
c = sorted(float(x[2]) for x in r if int(x[0]) >= 90000)
print(f"{len(w)} copies of 90,000 or more, wall median {w[len(w) // 2]:.2f} ms, max {w[-1]:.2f} ms; "
      f"CPU median {c[len(c) // 2]:.2f} ms, max {c[-1]:.2f} ms" if w else "none logged")')
kill "$SBCD_PID"

COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)
OUT=$D/section.md
row() { # label description load
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$2" "$(val "${R[$1]}" samples)" \
		"$(val "${R[$1]}" p50_ms)" "$(val "${R[$1]}" p99_ms)" "$(val "${R[$1]}" max_ms)" \
		"$(val "${R[$1]}" sched_p99_ms)" "$(val "${R[$1]}" timeouts)" "$3"
}
{
	cat <<X
## Registrar at scale (issue 21)

Run by \`bench/register_scale.sh\` on $(date -u +%Y-%m-%d) at commit $COMMIT, one run, sbcd alone
(Kamailio not run beside it in this benchmark), $(nproc)-core machine shared with other work
(load average $LOAD0 at the start, $LOAD1 at the end: the OPTIONS tails below are mostly the
machine's; compare rows of one run, not runs).
REGISTERs from sipp $(sipp -v 2>&1 | sed -n 's/.*SIPp \(v[0-9.]*\).*/\1/p') over UDP
(\`bench/register_refresh.xml\`: REGISTER, 200; no authentication), users from an injection file;
OPTIONS from \`bench-options_rtt\` over one persistent mutual-TLS connection, one due every
$INTERVAL_MS ms (sched = counted from when each was due).

**Refreshes.** $USERS users registered first ($wok ok, $wfl failed; $N1 bindings), then $RATE
REGISTER/s offered for $SECS s over the same users: every one refreshes an existing binding.
Done: $rok ok, $rfl failed in $rsec s = $(calc "round($rok / $rsec)") REGISTER/s, sbcd CPU $rcpu s
($(calc "round($rok / $rcpu) if $rcpu > 0 else 0") REGISTER per CPU-second). Bindings after: $N2.
REGISTERs the kernel dropped at sbcd's UDP socket meanwhile (receive buffer full while sbcd
waited for a CPU): $((DROP1 - DROP0)); sipp retransmits them, and counts a REGISTER failed when
its retransmissions run out.

**100,000 bindings.** $BIG users registered in all at $BIG_RATE/s offered ($bok ok, $bfl failed in
$bsec s): $N3 bindings. sbcd RSS $((RSS0 / 1024)) MiB empty, $((RSS1 / 1024)) MiB at $N2 bindings,
$((RSS2 / 1024)) MiB at $N3, 35 s after the last REGISTER. RSS is not the bindings' memory:
nta keeps each UDP REGISTER transaction (request and response) for timer J, 32 s, so at 2,000/s
about 64,000 of them live at once, and the allocator keeps that peak. The bindings themselves
take about 370 bytes each (unit suite \`sip_registrar\`, doc/SIP.md). Then
$WALKS reads of the whole Registrations table (\`sbc-ini status Registrations\`, the STATUS
verb of every view), one after another, while OPTIONS run: ${L[walk]}. The SIP loop was held
for the copy of the bindings only (sbcd's log): $HOLD; the rows are made and written on the
control worker (nice 10), so the walk time is the worker's under this machine's load.

| OPTIONS while | samples | p50 ms | p99 ms | max ms | sched p99 ms | timeouts | load |
|---|---|---|---|---|---|---|---|
X
	row idle "idle, $N1 bindings" -
	row refresh "$RATE REGISTER/s refreshes, $USERS users" "${L[refresh]} (ok failed s cpu_s)"
	row idle100k "idle, $N3 bindings" -
	row walk "$WALKS table walks, $N3 rows" "${L[walk]}"
	echo
	cat <<X
Commands: \`make -j2 all && bash bench/register_scale.sh --write\`; knobs USERS=$USERS RATE=$RATE
SECS=$SECS WARM_RATE=$WARM_RATE BIG=$BIG BIG_RATE=$BIG_RATE WALKS=$WALKS IDLE_SECS=$IDLE_SECS
INTERVAL_MS=$INTERVAL_MS.
X
} >"$OUT"
cat "$OUT"
if [ "${1:-}" = --write ]; then
	F=$TOP/doc/PERFORMANCE.md
	python3 - "$F" "$OUT" <<'PY'
import sys
f, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(f).read()
head = "## Registrar at scale (issue 21)"
i = doc.find(head)
if i < 0:
    doc = doc.rstrip("\n") + "\n\n" + sec
else:
    j = doc.find("\n## ", i + len(head))
    rest = doc[j:] if j >= 0 else ""
    k = doc.find("### Notes", i)
    notes = doc[k:j if j >= 0 else len(doc)] if k >= 0 and (j < 0 or k < j) else ""
    doc = doc[:i] + sec + ("\n" + notes if notes else "") + rest
open(f, "w").write(doc)
PY
fi
T_FAIL=0
[ -n "${KEEP_TMP:-}" ] && echo "artifacts in $D"
t_cleanup >/dev/null
trap - EXIT

#!/bin/bash
# Benchmark: SIP latency while the control plane works (issue 14, "Benchmark").
# OPTIONS round trips over one persistent mutual-TLS connection (bench/options_rtt.c: one at a
# time, one due every INTERVAL_MS), p50/p99/max, measured idle and while, beside it:
#  (a) 20 LOGINs (yescrypt each) sent at once: 5 pipelined on each of 4 control connections;
#  (b) one 4096-bit RSA key generation (TLS GENERATE on a second TLS context);
#  (c) an incremental import of 10,000 ProxyIp rows (bench/bigconf.sh);
#  (d) 8 control clients that pipeline EXPORT requests and never read a reply (NOREAD_SECS).
# sbcd runs on its own PKI and free ports, in one run for every scenario. Each window starts
# LEAD s before the load and ends TAIL s after it. This machine is shared: its idle p99 moves
# tenfold between minutes, so the run is ROUNDS rounds (default 5) and every load window has its
# own idle window of IDLE_SECS (for (d): as long as its window) just before it. A load's p99 is
# pooled: the 99th percentile of every OPTIONS sent under that load in all rounds, against the
# same over its idle windows (one window's p99 is its 7th-worst answer of about 800, so one of
# this machine's delay bursts decides it); the table also gives the median over the rounds of
# each round's own ratio, and the worst due max. LOADS="logins keygen import noread" (the
# default) chooses the loads; SLOW_MS=X prints each OPTIONS later than X ms, with its wall-clock
# time, to the window's .err file (KEEP_TMP=1 keeps them). Beside every window a stall probe
# (bench/stall_probe.c) counts the machine's own pauses. Prints a Markdown section; with --write
# it replaces the "Control-plane load" section of doc/PERFORMANCE.md (keeping a "### Notes"
# subsection written by hand). Target
# (issue 14): p99 under every load within 2x the idle p99 and never above 50 ms; the verdict
# uses the p99 counted from when each OPTIONS was due.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
source "$(dirname "$0")/bigconf.sh"
t_begin bench-control-load
D=$T_DIR
P=$D/pki
IDLE_SECS=${IDLE_SECS:-4}
ROUNDS=${ROUNDS:-5}
INTERVAL_MS=${INTERVAL_MS:-5}
TIMEOUT_MS=${TIMEOUT_MS:-10000}
NOREAD_SECS=${NOREAD_SECS:-10}
LEAD=${LEAD:-1}
TAIL=${TAIL:-1}
LOAD_LIMIT=${LOAD_LIMIT:-180} # seconds any one load may take
RTT=$BIN/bench-options_rtt
PROBE=$BIN/bench-stall_probe # beside each window: pauses of the machine itself
# The measuring client runs SCHED_FIFO when allowed (root): a delay it sees is then sbcd's,
# not the client's own wait for a CPU that the machine's other work holds (RTPRIO= disables).
RTPRIO=${RTPRIO-chrt -f 10}
[ -n "$RTPRIO" ] && ! $RTPRIO true 2>/dev/null && RTPRIO=
[ -x "$RTT" ] && [ -x "$PROBE" ] || { echo "build first: make"; exit 1; }

pki_make "$P" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
{
	printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n'
	printf '[TLSContexts]\nFORMAT TLSContexts_Index = TLSContexts_Name;\nTLSContexts 1 = "bench";\n[\\TLSContexts]\n'
} >"$D/boot.ini"
t_sbcd "$D" "$D/boot.ini" >/dev/null || { echo "sbcd did not start"; cat "$D/sbcd.log"; exit 1; }
SPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
ini() { timeout 60 "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
ini tls import-roots 0 -f "$P/cas.pem" >/dev/null &&
	ini tls import-key 0 -f "$P/server.key" >/dev/null &&
	ini tls import-cert 0 -f "$P/server-chain.crt" >/dev/null || { echo "TLS set-up failed"; exit 1; }
for r in $(seq 1 "$ROUNDS"); do bigconf_gen $((5060 + r)) >"$D/big$r.ini"; done
(umask 077 && printf 'Admin\n' >"$D/pass") # the factory Admin password

# measure LABEL [LOAD COMMAND...]: one window of round trips; the load runs LEAD s after it
# (a Python load is started 0.5 s before the window, connected, and released at LEAD)
# starts (none: IDLE_SECS of idle). Sets R[LABEL] (options_rtt's line) and L[LABEL] (the load's).
declare -A R L P
measure() {
	local label=$1 rp pp a b lp go=
	shift
	# a Python load starts before the window and waits (CTL_LOAD_GO): the interpreter's
	# start-up is not sbcd's load
	if [ "${1:-}" = python3 ]; then
		go=$D/$label.go
		mkfifo "$go"
		CTL_LOAD_GO=$go timeout "$LOAD_LIMIT" "$@" >"$D/$label.load" 2>&1 &
		lp=$!
		t_track "$lp"
		sleep 0.5
	fi
	$RTPRIO "$RTT" --port "$SPORT" --cert "$P/client.crt" --key "$P/client.key" --label "$label" \
		--seconds $((LOAD_LIMIT + LEAD + TAIL + 30)) --interval-ms "$INTERVAL_MS" \
		--timeout-ms "$TIMEOUT_MS" ${SLOW_MS:+--slow-ms "$SLOW_MS"} --samples "$D/$label.samples" >"$D/$label.rtt" 2>"$D/$label.err" &
	rp=$!
	t_track "$rp"
	"$PROBE" --seconds $((LOAD_LIMIT + LEAD + TAIL + 30)) --label "$label" >"$D/$label.probe" 2>&1 &
	pp=$!
	t_track "$pp"
	if [ $# -gt 0 ]; then
		sleep "$LEAD"
		a=$(date +%s%N)
		if [ -n "$go" ]; then
			echo go >"$go"
			wait "$lp" || echo "load failed (status $?)" >>"$D/$label.load"
		else
			timeout "$LOAD_LIMIT" "$@" >"$D/$label.load" 2>&1 || echo "load failed (status $?)" >>"$D/$label.load"
		fi
		b=$(date +%s%N)
		L[$label]="$(tr '\n' ' ' <"$D/$label.load")took=$(((b - a) / 1000000))ms"
		sleep "$TAIL"
	else
		sleep "$IDLE_SECS"
		L[$label]="-"
	fi
	kill -USR1 "$rp" "$pp" 2>/dev/null
	wait "$pp" 2>/dev/null
	P[$label]=$(cat "$D/$label.probe")
	# options_rtt finishes the OPTIONS in flight (at most TIMEOUT_MS) and prints
	for _ in $(seq $((TIMEOUT_MS / 100 + 50))); do kill -0 "$rp" 2>/dev/null || break; sleep 0.1; done
	wait "$rp" 2>/dev/null
	R[$label]=$(cat "$D/$label.rtt")
	echo "$label: ${R[$label]} | load: ${L[$label]} | ${P[$label]}" >&2
	kill -0 "$SBCD_PID" 2>/dev/null || { echo "sbcd died during $label"; tail -20 "$D/sbcd.log"; exit 1; }
}

LOADS=${LOADS:-logins keygen import noread}
for r in $(seq 1 "$ROUNDS"); do
	for load in $LOADS; do
		case $load in
		logins)
			measure "idle-logins-$r"
			measure "logins-$r" python3 "$TOP/bench/ctl_load.py" login "$SOCK" 4 5 Admin "$D/pass" "$LOAD_LIMIT"
			;;
		keygen)
			measure "idle-keygen-$r"
			measure "keygen-$r" "$BIN/sbc-ini" --socket "$SOCK" tls generate 1 rsa 4096
			;;
		import)
			measure "idle-import-$r"
			measure "import-$r" "$BIN/sbc-ini" --socket "$SOCK" import --incremental "$D/big$r.ini"
			;;
		noread)
			# as long as the load's window: this machine's delay bursts come every few seconds,
			# and a 4 s reference against a 12 s window would count the bursts against the load
			IDLE_SECS=$((NOREAD_SECS + LEAD + TAIL)) measure "idle-noread-$r"
			measure "noread-$r" python3 "$TOP/bench/ctl_load.py" noread "$SOCK" 8 "$NOREAD_SECS"
			;;
		*) echo "unknown load $load (LOADS: logins keygen import noread)"; exit 2 ;;
		esac
	done
done
kill "$SBCD_PID"

val() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"${R[$1]}"; }
pval() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"${P[$1]}"; }
# stats LOAD: "idle_p99 load_p99 ratio median_ratio load_p50 worst_due_max samples timeouts
# machine_pauses machine_pause_max" (the last two from the stall probe of the load windows):
# p99s pooled over the rounds' samples (nearest rank, as options_rtt), the median of the
# rounds' own ratios and p50s, the worst max, the sums
stats() {
	local load=$1 r args=()
	for r in $(seq 1 "$ROUNDS"); do
		args+=("$(val "idle-$load-$r" sched_p99_ms)" "$(val "$load-$r" sched_p99_ms)" \
			"$(val "$load-$r" p50_ms)" "$(val "$load-$r" sched_max_ms)" \
			"$(val "$load-$r" samples)" "$(val "$load-$r" timeouts)" \
			"$(pval "$load-$r" stalls5)" "$(pval "$load-$r" max_ms)")
	done
	python3 -c '
import glob, math, sys, statistics as st
d, load, v = sys.argv[1], sys.argv[2], sys.argv[3:]
rows = [v[i:i + 8] for i in range(0, len(v), 8)]
rows = [[float(x) for x in r] for r in rows if all(r)]
if not rows: print("- - - - - - - - - -"); sys.exit()
def pooled(pattern):
    xs = sorted(float(x) for f in glob.glob(pattern) for x in open(f).read().split())
    return xs[max(0, math.ceil(0.99 * len(xs)) - 1)] if xs else float("nan")
ip, lp = pooled(f"{d}/idle-{load}-*.samples"), pooled(f"{d}/{load}-*.samples")
med = lambda k: st.median(r[k] for r in rows)
mratio = st.median(r[1] / r[0] for r in rows if r[0] > 0)
print(f"{ip:.2f} {lp:.2f} {lp / ip:.2f} {mratio:.2f} {med(2):.2f} {max(r[3] for r in rows):.2f} "
      f"{int(sum(r[4] for r in rows))} {int(sum(r[5] for r in rows))} "
      f"{int(sum(r[6] for r in rows))} {max(r[7] for r in rows):.1f}")' "$D" "$load" "${args[@]}"
}
row() { # load description
	local idle p99 ratio mratio p50 dmax n to mp mpmax verdict
	case " $LOADS " in *" $1 "*) ;; *) return ;; esac
	read -r idle p99 ratio mratio p50 dmax n to mp mpmax <<<"$(stats "$1")"
	verdict=$(python3 -c '
import sys
try: r, m = float(sys.argv[1]), float(sys.argv[2])
except ValueError: print("no data"); sys.exit()
print(("meets" if r <= 2 and m <= 50 else "misses") + f" ({r:.1f}x idle)")' "$ratio" "$dmax")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s |\n' "$2" "$n" "$to" "$p50" \
		"$idle" "$p99" "$ratio" "$mratio" "$dmax" "$mp" "$mpmax" "$verdict"
}
OUT=$D/section.md
cat >"$OUT" <<X
## Control-plane load (issue 14)

SIP OPTIONS over one persistent mutual-TLS connection (ECDSA P-256, client certificate
verified), one at a time, one due every $INTERVAL_MS ms (\`bench/options_rtt.c\`), while the
control socket works beside it; run by \`bench/control_load.sh\` on $(date -u +%Y-%m-%d) on this
$(nproc)-core machine, at commit $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?'). Times in ms. *rtt*: from the
OPTIONS written to its 200 read; *due*: from when the OPTIONS was due, so a stall of the event
loop counts for every request it delayed (coordinated omission corrected). A request unanswered
after $TIMEOUT_MS ms counts as a timeout at $TIMEOUT_MS ms. $ROUNDS rounds; in each, every load has
an idle window of $IDLE_SECS s just before it ($((NOREAD_SECS + LEAD + TAIL)) s before (d), as long as its window). *due p99*: the 99th
percentile of every OPTIONS under the load in all rounds, *idle due p99* the same over its idle
windows, *ratio* the one over the other; *round ratio*: the median over the rounds of each
round's p99 over its own idle window's; *rtt p50*: median over the rounds; *samples* and
*timeouts*: sums; *due max*: the worst. *machine pauses*: how often, in the load windows, a
SCHED_FIFO thread pinned to each core (\`bench/stall_probe.c\`, waking every 1 ms) was held
up for more than 5 ms (one wake-up that late, or a run of wake-ups each over 1 ms late), and
the longest (ms): the core itself did not run, or crawled, whatever ran on it. Target: p99
(due) under load <= 2x idle and <= 50 ms.

| load beside the OPTIONS | samples | timeouts | rtt p50 | idle due p99 | due p99 | ratio | round ratio | due max | machine pauses (longest) | target |
|---|---|---|---|---|---|---|---|---|---|---|
X
{
	row logins "(a) 20 LOGINs at once, 4 connections x 5 (yescrypt)"
	row keygen "(b) TLS GENERATE, RSA 4096"
	row import "(c) import of 10,000 ProxyIp rows (incremental)"
	row noread "(d) 8 clients pipelining EXPORT, never reading (${NOREAD_SECS} s)"
	echo
	printf 'The loads themselves, round 1: (a) %s; (b) %s; (c) %s; (d) %s.\n' "${L[logins-1]}" \
		"${L[keygen-1]}" "${L[import-1]}" "${L[noread-1]}"
} >>"$OUT"
cat "$OUT"
if [ "${1:-}" = --write ]; then
	python3 - "$TOP/doc/PERFORMANCE.md" "$OUT" <<'PY'
import sys
f, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(f).read()
head = "## Control-plane load (issue 14)"
i = doc.find(head)
if i < 0:
    doc = doc.rstrip("\n") + "\n\n" + sec
else:
    j = doc.find("\n## ", i + len(head))
    rest = doc[j:] if j >= 0 else ""
    k = doc.find("### Notes", i)
    notes = doc[k:j if j >= 0 else len(doc)] if k >= 0 and (j < 0 or k < j) else ""
    doc = doc[:i] + sec + ("\n" + notes.rstrip("\n") + "\n" if notes else "") + rest
open(f, "w").write(doc)
PY
fi
T_FAIL=0
[ -n "${KEEP_TMP:-}" ] && echo "artifacts in $D"
t_cleanup >/dev/null
trap - EXIT

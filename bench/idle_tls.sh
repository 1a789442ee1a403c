#!/bin/bash
# Benchmark (issue 21): memory per idle mutual-TLS connection, sbcd against Kamailio 5.6
# (Debian) and against bench/tls_floor.c (libssl and epoll alone with sbcd's TLS settings: what
# the OpenSSL library itself keeps) in the same run with the same client (bench/idle_tls.c). For each N (default
# "2000 15000"): N connections, each a full mutual TLS 1.3 handshake with an ECDSA P-256
# client certificate and one OPTIONS answered 200, then idle. PSS (/proc/PID/smaps_rollup;
# Kamailio: the sum over its processes) before the connections and after they are all idle
# and a few seconds have passed; KiB per connection = difference / connections established
# (all N unless the client ran out of OPEN_TIMEOUT or the server refused some). The connections are
# then checked: a sample answers OPTIONS, and CRLF keep-alives get their pongs.
# Usage: bench/idle_tls.sh [--write] [N ...]. --write puts the table into doc/PERFORMANCE.md,
# section "Idle TLS connections (issue 21)". LABEL=... names the build in the table (the
# before/after rows); the section keeps the rows of other labels.
# This machine: 20,000 descriptors per process (hard limit), so N stays at 15,000 or below.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
t_begin bench-idle-tls
D=$T_DIR
P=$D/pki
WRITE=0
[ "${1:-}" = --write ] && { WRITE=1; shift; }
NS=${*:-2000 15000}
LABEL=${LABEL:-$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo build)}
SETTLE=${SETTLE:-5}
OPEN_TIMEOUT=${OPEN_TIMEOUT:-1800} # seconds the client may take to open them all
GEN=$BIN/bench-idle_tls
command -v kamailio >/dev/null || { echo "kamailio is not installed (kamailio kamailio-tls-modules)"; exit 1; }
[ -x "$GEN" ] || { echo "build first: make"; exit 1; }
ulimit -n "$(ulimit -Hn)"

pki_make "$P" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
CCRT=$P/client.crt CKEY=$P/client.key

source "$(dirname "$0")/tls_peers.sh" # pss, sbcd_start, kam_start, stop

# --- the floor: a server of libssl alone (bench/tls_floor.c), same certificates ---
floor_start() {
	FPORT=$(free_port)
	"$BIN/bench-tls_floor" --port "$FPORT" --cert "$P/server-chain.crt" --key "$P/server.key" \
		--ca "$P/cas.pem" >"$D/floor.log" 2>&1 &
	FPID=$!
	t_track "$FPID"
	wait_for "grep -q ^listening $D/floor.log" 100 || { echo "bench-tls_floor did not start"; cat "$D/floor.log"; exit 1; }
}

# measure NAME PORT PIDS N: one line "name n before after kib_per_conn ok opts pongs"
measure() {
	local name=$1 port=$2 pids=$3 n=$4 before after ready opts pong gp
	before=$(pss "$pids")
	mkfifo "$D/in.$name.$n"
	"$GEN" --port "$port" --cert "$CCRT" --key "$CKEY" --conns "$n" --inflight 64 --timeout "$OPEN_TIMEOUT" \
		<"$D/in.$name.$n" >"$D/out.$name.$n" 2>&1 &
	gp=$!
	t_track "$gp"
	exec 7>"$D/in.$name.$n"
	wait_for "grep -q ^ready $D/out.$name.$n" $((OPEN_TIMEOUT * 10 + 600))
	ready=$(sed -n 's/^ready ok=\([0-9]*\).*/\1/p' "$D/out.$name.$n")
	sleep "$SETTLE"
	after=$(pss "$pids")
	echo "options 200" >&7
	wait_for "grep -q ^options $D/out.$name.$n" 200
	echo "ping 200" >&7
	wait_for "grep -q ^ping $D/out.$name.$n" 200
	echo quit >&7
	exec 7>&-
	for _ in $(seq 100); do kill -0 "$gp" 2>/dev/null || break; sleep 0.1; done
	opts=$(sed -n 's/^options sent=[0-9]* ok=\([0-9]*\).*/\1/p' "$D/out.$name.$n")
	pong=$(sed -n 's/^ping sent=[0-9]* pong=\([0-9]*\).*/\1/p' "$D/out.$name.$n")
	python3 -c "import sys; n,b,a,r=map(int,sys.argv[2:6]); print(sys.argv[1], n, b, a, f'{(a-b)/max(r,1):.1f}', *sys.argv[5:])" \
		"$name" "$n" "$before" "$after" "${ready:-0}" "${opts:-0}/200" "${pong:-0}/200"
}

# Both servers start afresh for each N: memory a server keeps after connections close (heap,
# Kamailio's shared memory pool) would hide part of the next N's cost.
ROWS=$D/rows
for n in $NS; do
	sbcd_start "$D/sbcd.$n"
	measure sbcd "$SPORT" "$SBCD_PID" "$n" | tee -a "$ROWS" >&2
	stop "$SBCD_PID"
	kam_start
	measure kamailio "$KPORT" "$KPIDS" "$n" | tee -a "$ROWS" >&2
	stop "$KPID"
	floor_start
	measure floor "$FPORT" "$FPID" "$n" | tee -a "$ROWS" >&2
	stop "$FPID"
done

KVER=$(kamailio -v 2>/dev/null | sed -n 's/^version: kamailio \([0-9.]*\).*/\1/p')
OUT=$D/section.md
{
	echo "| build | N | sbcd KiB/conn | Kamailio KiB/conn | libssl alone KiB/conn | sbcd PSS before/after (MiB) | Kamailio PSS before/after (MiB) | idle/N sbcd, Kam., libssl | OPTIONS 200s sbcd, Kam. | CRLF pongs sbcd, Kam. | target |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	for n in $NS; do
		read -r _ _ sb sa sk sr so sp <<<"$(grep "^sbcd $n " "$ROWS")"
		read -r _ _ kb ka kk kr ko kp <<<"$(grep "^kamailio $n " "$ROWS")"
		read -r _ _ _ _ fk fr _ _ <<<"$(grep "^floor $n " "$ROWS")"
		printf '| %s (%s) | %s | %s | %s | %s | %s / %s | %s / %s | %s, %s, %s | %s, %s | %s, %s | <= 16 |\n' \
			"$LABEL" "$(date -u +%Y-%m-%d)" "$n" "$sk" "$kk" "$fk" $((sb / 1024)) $((sa / 1024)) \
			$((kb / 1024)) $((ka / 1024)) "$sr" "$kr" "$fr" "$so" "$ko" "$sp" "$kp"
	done
} >"$OUT"
cat "$OUT"
if [ "$WRITE" = 1 ]; then
	F=$(dirname "$0")/../doc/PERFORMANCE.md
	python3 - "$F" "$OUT" "$KVER" <<'PY'
import sys
f, rows, kver = sys.argv[1], open(sys.argv[2]).read().splitlines(), sys.argv[3]
doc = open(f).read()
head = "## Idle TLS connections (issue 21)"
intro = f"""{head}

Memory an idle mutual-TLS connection costs the server: `bench/idle_tls.sh` opens N
connections with `bench/idle_tls.c` (TLS 1.3, full handshakes, ECDSA P-256 client
certificate verified against root + intermediate), sends one OPTIONS on each, waits for the
200s and lets them idle; PSS from `/proc/PID/smaps_rollup` (Kamailio {kver}: the sum over
all its processes, `-m 4096` shared memory, `tcp_children=1`) before the connections and
after them, divided by the connections established (column idle/N). Then 200 connections get an OPTIONS (200s counted) and 200 a CRLF
keep-alive (pongs counted). *libssl alone*: `bench/tls_floor.c`, a server of libssl and epoll
only with sbcd's TLS settings and one `SSL` per connection, measured the same way: what the
OpenSSL library itself keeps (Debian's OpenSSL 3.0). One row per build and N, in the same run
for the three servers; this machine allows 20,000 descriptors per process, so the largest N
is 15,000.

"""
i = doc.find(head)
old = []
if i >= 0:
    j = doc.find("\n## ", i + len(head))
    sec = doc[i:j if j >= 0 else len(doc)]
    rest = doc[j:] if j >= 0 else ""
    k = sec.find("### Notes")
    notes = sec[k:] if k >= 0 else ""
    old = [l for l in sec.splitlines() if l.startswith("| ") and not l.startswith("| build")]
    # rows written before the libssl-alone column: "-" in it
    old = ["|".join(c[:5] + [" - "] + c[5:]) if len(c) == 12 else l
           for l, c in ((l, l.split("|")) for l in old)]
    doc = doc[:i].rstrip("\n") + "\n\n"
else:
    rest, notes = "", ""
    doc = doc.rstrip("\n") + "\n\n"
new = [l for l in rows if l.startswith("| ") and not l.startswith("| build")]
labels = {l.split("|")[1].strip().split(" (")[0] for l in new}
keep = [l for l in old if l.split("|")[1].strip().split(" (")[0] not in labels]
table = rows[:2] + keep + new
doc += intro + "\n".join(table) + "\n" + ("\n" + notes.rstrip("\n") + "\n" if notes else "") + rest
open(f, "w").write(doc)
PY
fi
T_FAIL=0; [ -n "${KEEP_TMP:-}" ] && echo "artifacts in $D"
t_cleanup >/dev/null
trap - EXIT

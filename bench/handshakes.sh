#!/bin/bash
# Benchmark (issue 21, item 4): new mutual-TLS connections per second, wall clock, on this
# machine's cores: sbcd with its handshakes on the SIP thread (SIPTLSHandshakeThreads 0, the
# single-core figure of before), sbcd with 1 and the default (one per core) handshake threads, and Kamailio 5.6 with
# 1, 2 and 4 TLS/TCP worker processes, all in the same run, rounds interleaved, same load
# generator (bench/tlsload.c, --mode new: TCP connect, full TLS 1.3 mutual handshake without
# resumption, one OPTIONS, its 200, close). Server certificate RSA-2048 (the server's
# signature is the expensive part), client certificate ECDSA P-256 (cheap for the client).
# The generator's own CPU time is measured (bash `time`) to show it is not the bottleneck.
# Prints a Markdown section; with --write replaces the "Handshakes on every core (issue 21)"
# section of doc/PERFORMANCE.md. Needs: kamailio kamailio-tls-modules.
# Targets: sbcd (default threads) >= 1.7x sbcd with 0 threads, and >= 2x Kamailio's best.
# Wall-clock rates need a quiet machine: look at `uptime` first (the table prints it).
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
t_begin bench-handshakes
D=$T_DIR
P=$D/pki
SECS=${SECS:-8}
WARM=${WARM:-1}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
GEN=$BIN/bench-tlsload
command -v kamailio >/dev/null || { echo "kamailio is not installed (kamailio kamailio-tls-modules)"; exit 1; }
[ -x "$GEN" ] || { echo "build first: make"; exit 1; }

pki_make "$P" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
(
	cd "$P" || exit 1
	openssl genrsa -out server-rsa.key 2048 2>/dev/null
	pki_sign . server-rsa localhost server inter -days 365
	cat server-rsa.crt inter.crt >server-rsa-chain.crt
)
CCRT=$P/client.crt CKEY=$P/client.key

# --- sbcd instances: threads 0, 1 and the default (d: -1, one per core) --------------------
declare -A SPORT SPID
for th in 0 1 d; do
	d=$D/sbcd-$th
	mkdir -p "$d"
	printf '[SIP Params]\nSIPSRequireClientCertificate = 1\nSIPTLSHandshakeThreads = %s\n' \
		"$([ "$th" = d ] && echo -1 || echo "$th")" >"$d/boot.ini"
	printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_MaxTLSConnections;\nSIPInterface 0 = 100000;\n[\\SIPInterface]\n' >>"$d/boot.ini"
	t_sbcd "$d" "$d/boot.ini" >/dev/null || { echo "sbcd did not start"; exit 1; }
	SPORT[$th]=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$d/init.ini")
	SPID[$th]=$SBCD_PID
	for a in "import-roots 0 -f $P/cas.pem" "import-key 0 -f $P/server-rsa.key" \
		"import-cert 0 -f $P/server-rsa-chain.crt"; do
		# shellcheck disable=SC2086
		"$BIN/sbc-ini" --socket "$SOCK" tls $a >/dev/null || { echo "sbcd material: $a"; exit 1; }
	done
done

# --- Kamailio: stateless 200 to OPTIONS over mutual TLS, N TCP/TLS worker processes -------
MP=$(dirname "$(find /usr/lib -name sl.so -path '*kamailio*' | head -1)")
declare -A KPORT KPIDS
for kc in 1 2 4; do
	d=$D/kam-$kc
	mkdir -p "$d"
	KPORT[$kc]=$(free_port)
	cat >"$d/tls.cfg" <<X
[server:default]
method = TLSv1.2+
certificate = $P/server-rsa-chain.crt
private_key = $P/server-rsa.key
ca_list = $P/cas.pem
verify_certificate = yes
require_certificate = yes
verify_depth = 5
X
	cat >"$d/kamailio.cfg" <<X
#!KAMAILIO
debug=-1
log_stderror=yes
children=1
tcp_children=$kc
enable_tls=yes
auto_aliases=no
tcp_max_connections=20000
tls_max_connections=20000
listen=tls:127.0.0.1:${KPORT[$kc]}
mpath="$MP/"
loadmodule "tls.so"
loadmodule "sl.so"
loadmodule "textops.so"
modparam("tls", "config", "$d/tls.cfg")
request_route {
	force_rport();
	if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
	sl_send_reply("404", "Not here");
}
X
	kamailio -f "$d/kamailio.cfg" -DD -E -m 512 -M 32 -P "$d/kam.pid" -Y "$d" >"$d/kam.log" 2>&1 &
	pid=$!
	t_track "$pid"
	for _ in $(seq 50); do ss -ltn | grep -q "127.0.0.1:${KPORT[$kc]} " && break; sleep 0.1; done
	sleep 1
	KPIDS[$kc]="$pid $(pgrep -P "$pid" | tr '\n' ' ')"
done

# gen PORT PIDS: one measurement, its key=value line plus gen_cpu_s (the generator's CPU)
gen() {
	local out cpu
	out=$( { TIMEFORMAT='%U %S'; time timeout $((SECS + WARM + 30)) "$GEN" --port "$1" --pids "$2" \
		--cert "$CCRT" --key "$CKEY" --mode new --conns "$CONNS" --seconds "$SECS" \
		--warmup "$WARM" --tls13; } 2>"$D/time.err")
	cpu=$(tail -1 "$D/time.err" | awk '{printf "%.2f", $1 + $2}')
	echo "$out gen_cpu_s=$cpu"
}
# tcpu PID: "SIP-thread-ticks worker-ticks" (utime+stime of the main thread, of the sbcd-hs threads)
tcpu() {
	local m=0 w=0 t v
	for t in /proc/"$1"/task/*; do
		v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "$t/stat" 2>/dev/null) || continue
		if [ "${t##*/}" = "$1" ]; then m=$((m + v)); else case $(cat "$t/comm" 2>/dev/null) in sbcd-hs*) w=$((w + v)) ;; esac; fi
	done
	echo "$m $w"
}
val() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A RATE CPU GCPU ERR SIPMS HSMS
LABELS="sbc0 sbc1 sbcd kam1 kam2 kam4"
for r in $(seq "$ROUNDS"); do
	for l in $LABELS; do
		case $l in
		sbc*) read -r m0 w0 <<<"$(tcpu "${SPID[${l#sbc}]}")"
			line=$(gen "${SPORT[${l#sbc}]}" "${SPID[${l#sbc}]}")
			read -r m1 w1 <<<"$(tcpu "${SPID[${l#sbc}]}")"
			# CPU ms per connection on the SIP thread and on the workers (warm-up included)
			nok=$(val "$line" ok)
			line="$line sip_ms=$(python3 -c "print(f'{($m1-$m0)*1000/$(getconf CLK_TCK)/max(1,$nok*($SECS+$WARM)/$SECS):.2f}')") hs_ms=$(python3 -c "print(f'{($w1-$w0)*1000/$(getconf CLK_TCK)/max(1,$nok*($SECS+$WARM)/$SECS):.2f}')")"
			SIPMS[$l]="${SIPMS[$l]} $(val "$line" sip_ms)"
			HSMS[$l]="${HSMS[$l]} $(val "$line" hs_ms)" ;;
		kam*) line=$(gen "${KPORT[${l#kam}]}" "${KPIDS[${l#kam}]}") ;;
		esac
		echo "round $r $l: $line" >&2
		RATE[$l]="${RATE[$l]} $(val "$line" rate)"
		CPU[$l]="${CPU[$l]} $(val "$line" server_cpu_s)"
		GCPU[$l]="${GCPU[$l]} $(val "$line" gen_cpu_s)"
		ERR[$l]=$(( ${ERR[$l]:-0} + $(val "$line" errors | cut -d. -f1) ))
	done
done
for th in 0 1 d; do
	"$BIN/sbc-ini" --socket "$D/sbcd-$th/sbcd.sock" status TLSStatus >"$D/tlsstatus-$th" 2>&1
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print NR ? a[int((NR+1)/2)] : 0}'; }
KVER=$(kamailio -v 2>/dev/null | sed -n 's/^version: kamailio \([0-9.]*\).*/\1/p')
declare -A MED
for l in $LABELS; do MED[$l]=$(median <<<"${RATE[$l]}"); done
# Kamailio's best stable configuration: the highest median among those without errors
best_kam=
for l in kam1 kam2 kam4; do
	[ "${ERR[$l]}" = 0 ] || continue
	[ -z "$best_kam" ] && { best_kam=$l; continue; }
	python3 -c "import sys; sys.exit(0 if float('${MED[$l]}') > float('${MED[$best_kam]}') else 1)" && best_kam=$l
done
best_kam=${best_kam:-kam1}
ratio() { python3 -c "import sys; a,b=float(sys.argv[1] or 0),float(sys.argv[2] or 0); print(f'{a/b:.2f}' if b else '-')" "$1" "$2"; }
name() {
	case $1 in
	sbc0) echo "sbcd, SIPTLSHandshakeThreads 0 (handshakes on the SIP thread, as before)" ;;
	sbc1) echo "sbcd, SIPTLSHandshakeThreads 1" ;;
	sbcd) echo "sbcd, SIPTLSHandshakeThreads -1 (the default: one per core, $(nproc) here)" ;;
	kam*) echo "Kamailio $KVER, tcp_children=${1#kam}" ;;
	esac
}
OUT=$D/section.md
{
	cat <<X
## Handshakes on every core (issue 21)

New mutual-TLS connections per second, wall clock, on this $(nproc)-core machine (shared with
other work: figures vary from run to run; the rounds are interleaved so that each server
sees the same conditions). Each connection: TCP connect, full TLS 1.3 handshake without
resumption, server certificate RSA-2048 (chain of 2), client certificate ECDSA P-256
verified against two trusted roots, one OPTIONS, its 200, close. Generator
\`bench/tlsload.c\`, $CONNS connections in flight, ${SECS} s measured after ${WARM} s warm-up,
$ROUNDS rounds; run by \`bench/handshakes.sh\` on $(date -u +%Y-%m-%d) (load average before: $LOAD0). Rate = median of the
rounds; CPU = server CPU-seconds per second (utime+stime of every thread and process) and
the generator's own CPU-seconds per second, medians.

| server | new connections /s (rounds) | median | server CPU/s | generator CPU/s | errors |
|---|---|---|---|---|---|
X
	for l in $LABELS; do
		printf '| %s | %s | %s | %s | %s | %s |\n' "$(name "$l")" "$(echo ${RATE[$l]} | tr ' ' '/')" \
			"${MED[$l]}" \
			"$(python3 -c "import sys; print(f'{float(sys.argv[1])/$SECS:.2f}')" "$(median <<<"${CPU[$l]}")")" \
			"$(python3 -c "import sys; print(f'{float(sys.argv[1])/($SECS+$WARM):.2f}')" "$(median <<<"${GCPU[$l]}")")" \
			"${ERR[$l]}"
	done
	cat <<X

CPU milliseconds per new connection (medians; warm-up connections estimated at the measured
rate), on the SIP thread and on the handshake threads:

| sbcd | SIP thread ms | handshake threads ms |
|---|---|---|
X
	for l in sbc0 sbc1 sbcd; do
		printf '| %s | %s | %s |\n' "$(name "$l")" "$(median <<<"${SIPMS[$l]}")" "$(median <<<"${HSMS[$l]}")"
	done
	cat <<X

| ratio | value | target |
|---|---|---|
| sbcd default ($(nproc) threads) / sbcd 0 threads (single core, as before) | $(ratio "${MED[sbcd]}" "${MED[sbc0]}") | >= 1.7 |
| sbcd 1 thread / sbcd 0 threads | $(ratio "${MED[sbc1]}" "${MED[sbc0]}") | |
| sbcd default / $(name $best_kam) (Kamailio's best here) | $(ratio "${MED[sbcd]}" "${MED[$best_kam]}") | >= 2 |
X
} >"$OUT"
cat "$OUT"
if [ "${1:-}" = --write ]; then
	F=$(dirname "$0")/../doc/PERFORMANCE.md
	python3 - "$F" "$OUT" <<'PY'
import sys
f, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(f).read()
head = "## Handshakes on every core (issue 21)"
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
T_FAIL=0; [ -n "${KEEP_TMP:-}" ] && echo "artifacts in $D"
t_cleanup >/dev/null
trap - EXIT

#!/bin/bash
# Benchmark: SIP over mutual TLS, sbcd against Kamailio 5.6 (Debian), same run, same machine,
# same load generator (bench/tlsload.c): (a) new mutual-TLS connections per second, each
# carrying one OPTIONS answered 200; (b) OPTIONS per second over persistent mutual-TLS
# connections. ECDSA P-256 and RSA-2048 server and client certificates, TLS 1.3.
# Server CPU is utime+stime from /proc/PID/stat over the measured interval (every Kamailio
# process). Prints a Markdown section; with --write appends/replaces the "SIP over TLS" section
# of doc/PERFORMANCE.md. Needs: kamailio kamailio-tls-modules.
# Targets (issue: SIP over TLS with mutual authentication): new connections >= 2x Kamailio per
# server CPU-second, persistent OPTIONS >= Kamailio per server CPU-second.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
t_begin bench-sip-tls
D=$T_DIR
P=$D/pki
SECS=${SECS:-10}
WARM=${WARM:-2}
NEWCONNS=${NEWCONNS:-64}
PCONNS=${PCONNS:-50}
WINDOW=${WINDOW:-4}
PROCS=${PROCS:-1}
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
cat "$P/client.crt" >"$P/client-ec-chain.crt"

# --- sbcd, mutual TLS on SIP interface 0 ---
printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n' >"$D/boot.ini"
printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_MaxTLSConnections;\nSIPInterface 0 = 100000;\n[\\SIPInterface]\n' >>"$D/boot.ini"
t_sbcd "$D" "$D/boot.ini" >/dev/null || { echo "sbcd did not start"; exit 1; }
SPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@" >/dev/null; }
ini tls import-roots 0 -f "$P/cas.pem"
sbc_material() { # ec|rsa
	if [ "$1" = rsa ]; then ini tls import-key 0 -f "$P/server-rsa.key"; ini tls import-cert 0 -f "$P/server-rsa-chain.crt"
	else ini tls import-key 0 -f "$P/server.key"; ini tls import-cert 0 -f "$P/server-chain.crt"; fi
}

# --- Kamailio: stateless 200 to OPTIONS over mutual TLS, one TLS worker ---
KPORT=$(free_port)
MP=$(dirname "$(find /usr/lib -name sl.so -path '*kamailio*' | head -1)")
kam_start() { # ec|rsa
	local crt=$P/server-chain.crt key=$P/server.key
	[ "$1" = rsa ] && crt=$P/server-rsa-chain.crt key=$P/server-rsa.key
	cat >"$D/tls.cfg" <<X
[server:default]
method = TLSv1.2+
certificate = $crt
private_key = $key
ca_list = $P/cas.pem
verify_certificate = yes
require_certificate = yes
verify_depth = 5
X
	cat >"$D/kamailio.cfg" <<X
#!KAMAILIO
debug=-1
log_stderror=yes
children=1
tcp_children=1
enable_tls=yes
auto_aliases=no
tcp_max_connections=20000
tls_max_connections=20000
listen=tls:127.0.0.1:$KPORT
mpath="$MP/"
loadmodule "tls.so"
loadmodule "sl.so"
loadmodule "textops.so"
modparam("tls", "config", "$D/tls.cfg")
request_route {
	force_rport();
	if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
	sl_send_reply("404", "Not here");
}
X
	kamailio -f "$D/kamailio.cfg" -DD -E -m 512 -M 32 -P "$D/kam.pid" -Y "$D" >"$D/kam.log" 2>&1 &
	KPID=$!
	t_track "$KPID"
	for _ in $(seq 50); do ss -ltn | grep -q "127.0.0.1:$KPORT " && break; sleep 0.1; done
	sleep 1
	KPIDS="$KPID $(pgrep -P "$KPID" | tr '\n' ' ')"
}
kam_stop() {
	kill "$KPID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$KPID" 2>/dev/null || break; sleep 0.1; done
}

# gen PORT PIDS CERT KEY MODE: one measurement, its key=value line
gen() {
	local n=$NEWCONNS
	[ "$5" = persist ] && n=$PCONNS
	timeout $((SECS + WARM + 30)) "$GEN" --port "$1" --pids "$2" --cert "$3" --key "$4" --mode "$5" \
		--conns "$n" --window "$WINDOW" --seconds "$SECS" --warmup "$WARM" --tls13 --procs "$PROCS"
}
val() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }

declare -A R
for alg in ec rsa; do
	ccrt=$P/client-ec-chain.crt ckey=$P/client.key
	[ "$alg" = rsa ] && ccrt=$P/client-rsa-chain.crt ckey=$P/client-rsa.key
	sbc_material "$alg"
	kam_start "$alg"
	for mode in new persist; do
		R[sbc,$alg,$mode]=$(gen "$SPORT" "$SBCD_PID" "$ccrt" "$ckey" "$mode")
		echo "sbcd     $alg $mode: ${R[sbc,$alg,$mode]}" >&2
		R[kam,$alg,$mode]=$(gen "$KPORT" "$KPIDS" "$ccrt" "$ckey" "$mode")
		echo "kamailio $alg $mode: ${R[kam,$alg,$mode]}" >&2
	done
	kam_stop
done
SBC_RSS=$(awk '/VmHWM/ {print $2}' "/proc/$SBCD_PID/status")
"$BIN/sbc-ini" --socket "$SOCK" status TLSStatus >"$D/tlsstatus"
kill "$SBCD_PID"

KVER=$(kamailio -v 2>/dev/null | sed -n 's/^version: kamailio \([0-9.]*\).*/\1/p')
ratio() { python3 -c "import sys; a,b=float(sys.argv[1] or 0),float(sys.argv[2] or 0); print(f'{a/b:.2f}' if b else '-')" "$1" "$2"; }
row() { # alg mode label
	local s=${R[sbc,$1,$2]} k=${R[kam,$1,$2]}
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$3" \
		"$(val "$s" rate)" "$(val "$s" per_cpu_s)" "$(val "$k" rate)" "$(val "$k" per_cpu_s)" \
		"$(ratio "$(val "$s" per_cpu_s)" "$(val "$k" per_cpu_s)")" "$(val "$s" errors)/$(val "$k" errors)" \
		"$([ "$2" = new ] && echo '>= 2' || echo '>= 1')"
}
OUT=$D/section.md
cat >"$OUT" <<X
## SIP over TLS (issue: SIP over TLS with mutual authentication)

Mutual TLS 1.3 on one SIP interface; every client presents a certificate and the server
verifies it against two trusted roots (root + intermediate). Generator \`bench/tlsload.c\`
(OpenSSL, epoll, full handshakes: no tickets, no session cache), on the same $(nproc)-core machine,
run by \`bench/sip_tls.sh\` on $(date -u +%Y-%m-%d) in one run for both servers. (a) new connections:
$NEWCONNS in flight, each a TCP connect, a full mutual handshake, one OPTIONS, the 200, close.
(b) persistent: $PCONNS connections, $WINDOW OPTIONS outstanding on each. ${SECS} s measured after
${WARM} s warm-up. Server CPU is utime+stime (/proc/PID/stat) over the measured interval: sbcd's
one process; Kamailio $KVER's main process and all its children (\`children=1\`,
\`tcp_children=1\`, stateless \`sl_send_reply("200")\` to OPTIONS: the cheapest possible
Kamailio). sbcd answers OPTIONS statefully (NTA transaction) after its own checks.

| load | sbcd /s | sbcd per CPU-s | Kamailio /s | Kamailio per CPU-s | ratio per CPU-s | errors sbcd/Kam. | target |
|---|---|---|---|---|---|---|---|
X
{
	row ec new "new connections, ECDSA P-256"
	row rsa new "new connections, RSA-2048"
	row ec persist "persistent OPTIONS, ECDSA P-256"
	row rsa persist "persistent OPTIONS, RSA-2048"
	echo
	echo "sbcd peak RSS over the whole run: $((SBC_RSS / 1024)) MiB."
} >>"$OUT"
cat "$OUT"
if [ "${1:-}" = --write ]; then
	F=$(dirname "$0")/../doc/PERFORMANCE.md
	python3 - "$F" "$OUT" <<'PY'
import sys, re
f, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(f).read()
head = "## SIP over TLS (issue: SIP over TLS with mutual authentication)"
i = doc.find(head)
if i < 0:
    doc = doc.rstrip("\n") + "\n\n" + sec
else:
    j = doc.find("\n## ", i + len(head))
    # keep any notes written under the table by hand: they start with "### Notes"
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

#!/bin/bash
# Benchmark: new mutual-TLS connections per sbcd CPU-second with OCSP checking on (warm cache:
# every handshake's answer comes from the cache) against OCSP off, same run, same sbcd, same
# generator (bench/tlsload.c --mode new, TLS 1.3, ECDSA P-256). Rounds alternate off/on; the
# medians are compared. Target (issue 18): on within 10% of off. A third series, CRL distribution
# points on (OCSP off, the phone certificate names a CDP URL served by a python3 http.server, its
# CRL fetched and checked on every handshake), is measured in the same rounds (CRLDP=0 skips it).
# Prints a Markdown section; with --write replaces the "OCSP checking" section of
# doc/PERFORMANCE.md.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
t_begin bench-tls-ocsp
D=$T_DIR
P=$D/pki
SECS=${SECS:-8}
WARM=${WARM:-2}
CONNS=${CONNS:-64}
ROUNDS=${ROUNDS:-3}
GEN=$BIN/bench-tlsload
[ -x "$GEN" ] || { echo "build first: make"; exit 1; }
pki_make "$P" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
CRLDP=${CRLDP:-1}
HP=$(free_port)
if [ "$CRLDP" = 1 ]; then
	printf '[ cdp ]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = clientAuth\ncrlDistributionPoints = URI:http://127.0.0.1:%s/root.crl\n' "$HP" >>"$P/ca.cnf"
	( cd "$P" && openssl ecparam -name prime256v1 -genkey -noout -out cdpcli.key ) &&
		pki_sign "$P" cdpcli cdpcli.example.com cdp ca -days 365 &&
		mkdir -p "$D/www" && ( cd "$P" && openssl ca -batch -config ca.cnf -cert ca.crt \
			-keyfile ca.key -gencrl -crldays 1 -out "$D/www/root.crl" 2>/dev/null ) ||
		{ echo "CDP PKI failed"; exit 1; }
	python3 -m http.server "$HP" --bind 127.0.0.1 --directory "$D/www" >"$D/http.log" 2>&1 &
	t_track $!
fi

OP=$(free_port)
openssl ocsp -index "$P/index.txt" -port "$OP" -rsigner "$P/ca.crt" -rkey "$P/ca.key" \
	-CA "$P/ca.crt" -nmin 60 -ignore_err >"$D/ocsp.log" 2>&1 &
t_track $!
wait_for "timeout 2 openssl ocsp -issuer '$P/ca.crt' -cert '$P/client.crt' -url http://127.0.0.1:$OP \
	-CAfile '$P/ca.crt' 2>&1 | grep -q ': good'" 50 || { echo "responder did not start"; exit 1; }

printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n' >"$D/boot.ini"
printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_MaxTLSConnections;\nSIPInterface 0 = 100000;\n[\\SIPInterface]\n' >>"$D/boot.ini"
t_sbcd "$D" "$D/boot.ini" >/dev/null || { echo "sbcd did not start"; exit 1; }
SPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@" >/dev/null; }
ini tls import-roots 0 -f "$P/cas.pem"
ini tls import-key 0 -f "$P/server.key"
ini tls import-cert 0 -f "$P/server-chain.crt"
ocsp() { # OCSP 0|1 [CRL-DP 0|1]
	printf '[TLSContexts]\nFORMAT TLSContexts_Index = TLSContexts_OcspEnable, TLSContexts_OcspServerPrimary, TLSContexts_OcspServerPort, TLSContexts_CrlDistributionPointEnable;\nTLSContexts 0 = %s, 127.0.0.1, %s, %s;\n[\\TLSContexts]\n' "$1" "$OP" "${2:-0}" >"$D/o.ini"
	ini import --incremental "$D/o.ini"
}
gen() {
	local c=${1:-client}
	timeout $((SECS + WARM + 30)) "$GEN" --port "$SPORT" --pids "$SBCD_PID" --cert "$P/$c.crt" \
		--key "$P/$c.key" --mode new --conns "$CONNS" --seconds "$SECS" --warmup "$WARM" --tls13
}
val() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }
OFF=() ON=() CDP=() ERR=0
for r in $(seq "$ROUNDS"); do
	ocsp 0
	l=$(gen); echo "off round $r: $l" >&2; OFF+=("$(val "$l" per_cpu_s)"); ERR=$((ERR + $(val "$l" errors)))
	ocsp 1
	l=$(gen); echo "on  round $r: $l" >&2; ON+=("$(val "$l" per_cpu_s)"); ERR=$((ERR + $(val "$l" errors)))
	[ "$CRLDP" = 1 ] || continue
	ocsp 0 1
	l=$(gen cdpcli); echo "cdp round $r: $l" >&2; CDP+=("$(val "$l" per_cpu_s)"); ERR=$((ERR + $(val "$l" errors)))
done
[ "$CRLDP" = 1 ] && "$BIN/sbc-ini" --socket "$SOCK" status CRLStatus >"$D/crlstatus"
CRLROW=$(sed -n 's/^CRLStatus 0 = \(.*\);$/\1/p' "$D/crlstatus" 2>/dev/null)
"$BIN/sbc-ini" --socket "$SOCK" status OCSPStatus >"$D/ocspstatus"
Q=$(sed -n 's/^OCSPStatus 0 = .*, \([0-9]*\), [0-9]*, [0-9]*, [0-9]*, [0-9]*, \([0-9]*\);$/queries \1, cache hits \2/p' "$D/ocspstatus")
med() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
MOFF=$(med "${OFF[@]}") MON=$(med "${ON[@]}") MCDP=$( [ ${#CDP[@]} -gt 0 ] && med "${CDP[@]}")
RCDP=$(python3 -c "import sys; a,b=float(sys.argv[1] or 0),float(sys.argv[2]); print(f'{a/b:.3f}' if a and b else '-')" "$MCDP" "$MOFF")
RATIO=$(python3 -c "import sys; a,b=float(sys.argv[1]),float(sys.argv[2]); print(f'{a/b:.3f}' if b else '-')" "$MON" "$MOFF")
OUT=$D/section.md
cat >"$OUT" <<X
## OCSP checking (issue 18)

New mutual-TLS 1.3 connections (ECDSA P-256, $CONNS in flight, each a full handshake, one
OPTIONS, the 200, close) per sbcd CPU-second, OCSP off against OCSP on with a warm cache
(\`openssl ocsp\` responder on loopback, nextUpdate 60 min: after the first handshake every
check is a cache hit). $ROUNDS alternating rounds of ${SECS} s after ${WARM} s warm-up, run by
\`bench/tls_ocsp.sh\` on $(date -u +%Y-%m-%d) on this $(nproc)-core machine (shared with other work).

| OCSP | per CPU-s (rounds) | median |
|---|---|---|
| off | ${OFF[*]} | $MOFF |
| on, warm cache | ${ON[*]} | $MON |
| CRL distribution point on (OCSP off) | ${CDP[*]:--} | ${MCDP:--} |

On / off: **$RATIO** (target: within 10%, >= 0.90); CRL-DP / off: **$RCDP** (the phone
certificate names its CDP URL; the root's CRL, fetched once by sbcd from a \`python3 -m
http.server\`, is looked up on every handshake). Generator errors over all rounds: $ERR.
OCSPStatus after the run: ${Q:-see OCSPStatus}. CRLStatus row: ${CRLROW:--}.
X
cat "$OUT"
if [ "${1:-}" = --write ]; then
	F=$(dirname "$0")/../doc/PERFORMANCE.md
	python3 - "$F" "$OUT" <<'PY'
import sys
f, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(f).read()
head = "## OCSP checking (issue 18)"
i = doc.find(head)
if i < 0:
    doc = doc.rstrip("\n") + "\n\n" + sec
else:
    j = doc.find("\n## ", i + len(head))
    doc = doc[:i] + sec + (doc[j:] if j >= 0 else "")
open(f, "w").write(doc)
PY
fi

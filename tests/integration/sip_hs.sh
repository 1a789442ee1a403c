#!/bin/bash
# TLS handshakes on worker threads (SIPTLSHandshakeThreads, doc/SIP.md "Handshakes on every
# core") through a real sbcd: many concurrent mutual-TLS handshakes all accepted and counted
# once, refusals (no certificate, unknown CA) refused with their reason, alert and counter, a
# stalled handshake held by a worker closed after TLSHandshakeTimeout, OPTIONS on an
# established connection answered while 50 handshakes run, the handshakes really run on the
# sbcd-hs threads (their CPU time), and 0 keeps them on the SIP thread.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
t_begin sip_hs
D=$T_DIR
P=$D/pki
GEN=$BIN/bench-tlsload
pki_make "$P" >/dev/null 2>&1 || { fail "test PKI"; t_end; exit 1; }

printf '[SIP Params]\nTLSHandshakeTimeout = 2\nSIPSRequireClientCertificate = 1\nSIPTLSHandshakeThreads = 2\n' >"$D/boot.ini"
check "sbcd starts with 2 handshake threads" t_sbcd "$D" "$D/boot.ini"
TLSPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
check "server key" ini tls import-key 0 -f "$P/server.key"
check "server certificate" ini tls import-cert 0 -f "$P/server-chain.crt"
check "trusted roots" ini tls import-roots 0 -f "$P/cas.pem"
wait_for "ss -ltn | grep -q '127.0.0.1:$TLSPORT '" 50

# counter NAME: the TLSStatus column of SIP interface 0
counter() {
	ini status TLSStatus >"$D/status" 2>&1 || return 1
	awk -v col="$1" '
		/^FORMAT TLSStatus_Index/ { sub(/^FORMAT TLSStatus_Index = /, ""); sub(/;.*/, "")
			n = split($0, h, /, */); for (i = 1; i <= n; i++) { sub(/^TLSStatus_/, "", h[i]); if (h[i] == col) k = i } }
		/^TLSStatus 0 = / { sub(/^TLSStatus 0 = /, ""); sub(/;.*/, ""); split($0, v, /, */); print v[k] }' "$D/status"
}
# hs_threads PID: "name cpu-ticks" of each sbcd-hs thread
hs_threads() {
	for t in /proc/"$1"/task/*; do
		n=$(cat "$t/comm" 2>/dev/null)
		case $n in sbcd-hs*) awk -v n="$n" '{ sub(/^.*\) /, ""); print n, $12 + $13 }' "$t/stat" ;; esac
	done
}

hs_threads "$SBCD_PID" >"$D/threads0"
check "two threads named sbcd-hs0 and sbcd-hs1" test "$(awk '{print $1}' "$D/threads0" | sort | tr '\n' ' ')" = "sbcd-hs0 sbcd-hs1 "
contains "the log says where handshakes run" "$D/sbcd.log" "TLS handshakes on 2 worker threads"

# --- 200 mutual-TLS clients, 50 at a time: each handshake, one OPTIONS, its 200 ----------
cat >"$D/many.py" <<'PY'
import socket, ssl, sys, concurrent.futures as cf
port, pki, n, par = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def one(i):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.load_verify_locations(pki + "/cas.pem")
    ctx.load_cert_chain(pki + "/client.crt", pki + "/client.key")
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        with ctx.wrap_socket(s) as t:
            t.sendall((f"OPTIONS sip:sbc@127.0.0.1:{port};transport=tls SIP/2.0\r\n"
                       f"Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-m{i}\r\nMax-Forwards: 70\r\n"
                       f"From: <sip:t@127.0.0.1>;tag=m{i}\r\nTo: <sip:sbc@127.0.0.1>\r\n"
                       f"Call-ID: many{i}@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode())
            buf = b""
            while b"\r\n\r\n" not in buf:
                d = t.recv(4096)
                if not d:
                    break
                buf += d
            return buf.startswith(b"SIP/2.0 200")
def safe(i):
    try:
        return one(i)
    except Exception as e:
        print("client %d: %s" % (i, e))
        return False
with cf.ThreadPoolExecutor(par) as ex:
    res = list(ex.map(safe, range(n)))
print("ok=%d of %d" % (sum(res), n))
PY
acc0=$(counter HandshakesAccepted)
python3 "$D/many.py" "$TLSPORT" "$P" 200 50 >"$D/many.out" 2>&1
contains "200 concurrent mutual-TLS clients all got their 200" "$D/many.out" "^ok=200 of 200"
wait_for "[ \"\$(counter HandshakesAccepted)\" = $((acc0 + 200)) ]" 50
check "HandshakesAccepted moved by exactly 200" test "$(counter HandshakesAccepted)" = $((acc0 + 200))
hs_threads "$SBCD_PID" >"$D/threads1"
check "both workers ran handshakes (CPU time of sbcd-hs0 and sbcd-hs1 > 0)" \
	test "$(awk '$2 > 0' "$D/threads1" | wc -l)" = 2
wait_for "[ \"\$(counter ActiveConnections)\" = 0 ]" 50
check "no connection left counted" test "$(counter ActiveConnections)" = 0

# --- refusals keep their reason, alert and counter --------------------------------------
# s_try NAME [s_client options]: one connection; ALERT is the alert number the client got
s_try() {
	local name=$1; shift
	printf 'OPTIONS sip:x SIP/2.0\r\n\r\n' | timeout 5 openssl s_client -connect "127.0.0.1:$TLSPORT" \
		-CAfile "$P/ca.crt" -ign_eof "$@" >"$D/c-$name.out" 2>&1
	ALERT=$(grep -o 'SSL alert number [0-9]*' "$D/c-$name.out" | head -1 | grep -o '[0-9]*$')
	ALERT=${ALERT:--}
}
nc0=$(counter RejectedNoCertificate)
s_try nocert
check "no certificate: alert 116 (certificate required), got $ALERT" test "$ALERT" = 116
wait_for "[ \"\$(counter RejectedNoCertificate)\" = $((nc0 + 1)) ]" 30
check "RejectedNoCertificate moved by 1" test "$(counter RejectedNoCertificate)" = $((nc0 + 1))
ua0=$(counter RejectedUnknownCA)
s_try rogue -cert "$P/rogue.crt" -key "$P/rogue.key"
check "unknown CA: alert 48, got $ALERT" test "$ALERT" = 48
wait_for "[ \"\$(counter RejectedUnknownCA)\" = $((ua0 + 1)) ]" 30
check "RejectedUnknownCA moved by 1" test "$(counter RejectedUnknownCA)" = $((ua0 + 1))
contains "the refusal is logged with its reason" "$D/sbcd.log" "TLS rejected \(unknown-ca: .*alert 48"
contains "the no-certificate refusal is logged" "$D/sbcd.log" "TLS rejected \(no-certificate"

# --- a stalled handshake on a worker times out ------------------------------------------
to0=$(counter RejectedTimeout)
python3 - "$TLSPORT" >"$D/stall.out" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
h = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
h.sendall(bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]))  # half a ClientHello
t0 = time.time()
for c in (s, h):
    c.settimeout(8)
    try:
        d = c.recv(100)
        while d:
            d = c.recv(100)
    except (socket.timeout, ConnectionResetError):
        pass
print("closed after %.1f s" % (time.time() - t0))
PY
contains "stalled clients (nothing sent, half a ClientHello) closed after TLSHandshakeTimeout (2 s)" \
	"$D/stall.out" "closed after [23]\.[0-9] s"
wait_for "[ \"\$(counter RejectedTimeout)\" = $((to0 + 2)) ]" 30
check "RejectedTimeout moved by 2" test "$(counter RejectedTimeout)" = $((to0 + 2))

# --- OPTIONS on an established connection while 50 handshakes run -----------------------
cat >"$D/rtt.py" <<'PY'
import socket, ssl, sys, time
port, pki, secs = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.load_verify_locations(pki + "/cas.pem")
ctx.load_cert_chain(pki + "/client.crt", pki + "/client.key")
t = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5))
print("established", flush=True)
time.sleep(1.0)  # the load starts
rtts, lost, i, end = [], 0, 0, time.time() + secs
while time.time() < end:
    i += 1
    t0 = time.time()
    t.sendall((f"OPTIONS sip:sbc@127.0.0.1:{port};transport=tls SIP/2.0\r\n"
               f"Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-r{i}\r\nMax-Forwards: 70\r\n"
               f"From: <sip:t@127.0.0.1>;tag=r{i}\r\nTo: <sip:sbc@127.0.0.1>\r\n"
               f"Call-ID: rtt{i}@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode())
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            buf += t.recv(4096)
    except socket.timeout:
        lost += 1
        break
    if buf.startswith(b"SIP/2.0 200"):
        rtts.append((time.time() - t0) * 1000)
    else:
        lost += 1
    time.sleep(0.02)
rtts.sort()
q = lambda p: rtts[min(len(rtts) - 1, int(p * len(rtts)))] if rtts else -1
print("answered=%d lost=%d p50=%.1f p90=%.1f max=%.1f" % (len(rtts), lost, q(0.5), q(0.9), rtts[-1] if rtts else -1))
PY
python3 "$D/rtt.py" "$TLSPORT" "$P" 5 >"$D/rtt.out" 2>&1 &
RPID=$!
t_track "$RPID"
wait_for "grep -q established '$D/rtt.out'" 50
acc1=$(counter HandshakesAccepted)
timeout 30 "$GEN" --port "$TLSPORT" --cert "$P/client.crt" --key "$P/client.key" --mode new \
	--conns 50 --seconds 5 --warmup 0.5 --tls13 --pids "$SBCD_PID" >"$D/load.out" 2>&1
wait "$RPID"
cat "$D/rtt.out" "$D/load.out" | sed 's/^/       /'
contains "the load generator completed handshakes without errors" "$D/load.out" "ok=[1-9][0-9]* errors=0 "
check "handshakes were accepted meanwhile" test "$(counter HandshakesAccepted)" -gt $((acc1 + 50))
contains "every OPTIONS on the established connection answered during the load" "$D/rtt.out" \
	"answered=[1-9][0-9]* lost=0 "
# the SIP thread stays responsive: 90 % of the OPTIONS round trips under 100 ms on this
# shared 2-core machine (the handshakes run beside it)
p90=$(sed -n 's/.* p90=\([0-9.]*\).*/\1/p' "$D/rtt.out")
check "OPTIONS p90 round trip under 100 ms during the load (got ${p90:-?} ms)" \
	python3 -c "import sys; sys.exit(0 if 0 <= float('${p90:--1}') < 100 else 1)"
kill "$SBCD_PID"
wait_for "! kill -0 $SBCD_PID" 50
check "sbcd stops cleanly with its workers" bash -c "! kill -0 $SBCD_PID 2>/dev/null"
contains "no crash or OpenSSL error in the log" "$D/sbcd.log" "TLS handshakes on 2 worker threads"
if grep -qiE "segfault|assert|double free|corrupt" "$D/sbcd.log"; then fail "log shows a crash"; else ok "log shows no crash"; fi

# --- 0: handshakes on the SIP thread, as before -----------------------------------------
D2=$D/off
mkdir -p "$D2"
printf '[SIP Params]\nTLSHandshakeTimeout = 2\nSIPSRequireClientCertificate = 1\nSIPTLSHandshakeThreads = 0\n' >"$D2/boot.ini"
check "sbcd starts with SIPTLSHandshakeThreads 0" t_sbcd "$D2" "$D2/boot.ini"
TLSPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D2/init.ini")
D_SAVE=$D
D=$D2
ini tls import-key 0 -f "$P/server.key" >/dev/null && ini tls import-cert 0 -f "$P/server-chain.crt" >/dev/null &&
	ini tls import-roots 0 -f "$P/cas.pem" >/dev/null
wait_for "ss -ltn | grep -q '127.0.0.1:$TLSPORT '" 50
check "no sbcd-hs thread" test -z "$(hs_threads "$SBCD_PID")"
contains "the log says so" "$D2/sbcd.log" "TLS handshakes on the SIP thread"
acc0=$(counter HandshakesAccepted)
python3 "$D_SAVE/many.py" "$TLSPORT" "$P" 20 10 >"$D2/many.out" 2>&1
contains "20 clients accepted on the SIP thread" "$D2/many.out" "^ok=20 of 20"
check "HandshakesAccepted moved by 20" test "$(counter HandshakesAccepted)" = $((acc0 + 20))
D=$D_SAVE
t_end

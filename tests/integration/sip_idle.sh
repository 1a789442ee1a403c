#!/bin/bash
# Idle mutual-TLS connections (issue 21): a few hundred stay open, cheap, and answered; RFC 5626
# CRLF keep-alives get their pong; the interface's own TCPIdleTimeout closes connections that
# carry no registration. Client: bench/idle_tls.c (one process, full TLS 1.3 handshakes with an
# ECDSA client certificate, one OPTIONS each, then idle; driven line by line on stdin).
# The memory bound (KiB of PSS per connection, /proc/PID/smaps_rollup before and after) is
# BOUND_KIB, 30 by default: sbcd before this work measured 42-44 KiB here (each connection kept
# sofia-sip's 16 KiB read buffer and OpenSSL's record buffers), after it 22-25.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
t_begin sip_idle
D=$T_DIR
P=$D/pki
N=${N:-400}
BOUND_KIB=${BOUND_KIB:-30}
GEN=$BIN/bench-idle_tls
[ -x "$GEN" ] || { fail "build first: $GEN is missing"; t_end; exit 1; }
ulimit -n "$(ulimit -Hn)"

pki_make "$P" >/dev/null 2>&1 || { fail "PKI"; t_end; exit 1; }
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }

printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n' >"$D/boot.ini"
t_sbcd "$D" "$D/boot.ini" >/dev/null || { fail "sbcd did not start"; t_end; exit 1; }
SPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
ini tls import-roots 0 -f "$P/cas.pem" >/dev/null
ini tls import-key 0 -f "$P/server.key" >/dev/null
ini tls import-cert 0 -f "$P/server-chain.crt" >/dev/null

contains "sbcd logs the descriptor limit it runs with" "$D/sbcd.log" "descriptor limit [0-9]+ \(hard limit [0-9]+\)"
contains "sofia-sip's TLS transport runs with the shared read buffer" "$D/sbcd.log" \
	"TLS connections share one read buffer per thread"

# the client, driven through a FIFO: one command a line, one answer a line
mkfifo "$D/cmd"
"$GEN" --port "$SPORT" --cert "$P/client.crt" --key "$P/client.key" --conns "$N" --inflight 32 \
	--timeout 240 <"$D/cmd" >"$D/gen.out" 2>&1 &
GPID=$!
t_track "$GPID"
exec 7>"$D/cmd"
before=$(pss "$SBCD_PID")
ask() { # ask COMMAND PATTERN: send, wait for one more answer line matching PATTERN
	local n
	n=$(grep -c "^$2" "$D/gen.out")
	echo "$1" >&7
	wait_for "[ \$(grep -c '^$2' $D/gen.out) -gt $n ]" 300
}
wait_for "grep -q ^ready $D/gen.out" 2400
contains "$N mutual-TLS connections open, each answered its OPTIONS" "$D/gen.out" "^ready ok=$N errors=0"
sleep 3
after=$(pss "$SBCD_PID")
per=$(((after - before) / N))
echo "  PSS before ${before} kB, after ${after} kB: ${per} KiB per idle connection (bound ${BOUND_KIB})"
check "PSS per idle mutual-TLS connection is under ${BOUND_KIB} KiB (${per})" test "$per" -lt "$BOUND_KIB"

ask "options 100" options
contains "idle connections still answer OPTIONS" "$D/gen.out" "^options sent=100 ok=100$"
ask "ping 100" ping
contains "a CRLF keep-alive gets its pong on every connection" "$D/gen.out" "^ping sent=100 pong=100$"
ask "split 50" split
contains "a CRLF that ends a message's headers in a record of its own is no keep-alive" "$D/gen.out" "^split sent=50 ok=50$"
ask "options 50" "options sent=50"
contains "after keep-alives the connections still carry SIP" "$D/gen.out" "^options sent=50 ok=50$"
ask alive alive
contains "no connection was closed meanwhile" "$D/gen.out" "^alive=$N$"

# the interface's own idle timeout (live), shorter than the global one (600 s)
printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_TCPIdleTimeout;\nSIPInterface 0 = 3;\n[\\SIPInterface]\n' >"$D/idle.ini"
check "SIPInterface TCPIdleTimeout is set live" ini import --incremental "$D/idle.ini"
check "MaxTLSConnections accepts 200000" ini import --incremental <(printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_MaxTLSConnections;\nSIPInterface 0 = 200000;\n[\\SIPInterface]\n')
sleep 6
ask alive alive
sed -n 's/^alive=//p' "$D/gen.out" | tail -1 >"$D/alive.last"
check "connections without a registration are closed after the interface's 3 s" \
	grep -qx 0 "$D/alive.last"
contains "the closing is logged with its reason" "$D/sbcd.log" "tls connection from 127.0.0.1:[0-9]+ on interface .* closed: idle for 3 s"

echo quit >&7
exec 7>&-
t_end

#!/bin/bash
# Monitoring (issue 23): after a burst of accepted and refused mutual-TLS handshakes, a few
# registrations and a call attempt, the 15-minute interval counts them (status table, CLI-
# and SNMP-visible), /metrics passes `promtool check metrics` and matches TLSStatus, and the
# dashboard (headless Chromium, 1280x800) shows the alarm, the interface states and non-empty
# charts that refresh without reloading the page.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/web/common.sh"
. "$TOP/tests/integration/snmp_env.sh"
t_begin web_monitoring
NODE_DIR=$TOP/build/web-node

# the interface's TCP port is taken before sbcd starts: the interface is partly down, with an
# alarm; UDP and TLS listen. Mutual TLS on: handshakes without a good certificate are refused.
WEB_SIP_PORT=$(snmp_udp_port)
python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.listen(1)
time.sleep(900)' "$WEB_SIP_PORT" &
t_track $!
sleep 0.3
WEB_BOARD_EXTRA=$(printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n')
if web_setup; then ok "sbcd and sbc-web start"; else fail "sbcd and sbc-web start"; t_end; exit 1; fi

ini perf sample >/dev/null # the base: what came before is not in the interval
hs() { # label, openssl s_client args...: one handshake, then close
	timeout 10 openssl s_client -connect "127.0.0.1:$SIPS_PORT" -CAfile "$PKI/ca.crt" "$@" \
		</dev/null >/dev/null 2>&1
}
burst() {
	for _ in 1 2 3; do hs -cert "$PKI/client.crt" -key "$PKI/client.key"; done
	for _ in 1 2; do hs; done
	for _ in 1 2; do hs -cert "$PKI/rogue.crt" -key "$PKI/rogue.key"; done
}
burst
for u in alice bob; do
	python3 "$TOP/tests/sip/sipreq.py" --to "127.0.0.1:$SIP_PORT" --transport udp \
		--method REGISTER --user "$u" --from-user "$u" --timeout 5 >"$T_DIR/reg-$u.out" 2>&1
done
contains "a phone registers over UDP" "$T_DIR/reg-alice.out" '^final 200'
python3 "$TOP/tests/sip/sipreq.py" --to "127.0.0.1:$SIP_PORT" --transport udp --user carol \
	--from-user alice --timeout 5 >"$T_DIR/invite.out" 2>&1
ini perf sample >/dev/null
burst
ini perf sample >/dev/null

# --- the 15-minute interval and the history against TLSStatus ---------------------------
ini status TLSStatus >"$T_DIR/tls.ini"
ini status PerformanceIntervals >"$T_DIR/perf.ini"
ini status SIPIdentityStatus >"$T_DIR/ids.ini"
col() { # file table row column: the value of one column (FORMAT order)
	awk -v t="$2" -v r="$3" -v c="$2_$4" '
	$1 == "FORMAT" { l = $0; sub(/^FORMAT [^=]*= */, "", l); sub(/;$/, "", l); n = split(l, h, /, */) }
	$1 == t && $2 == r && $3 == "=" { l = $0; sub(/^[^=]*= */, "", l); sub(/;$/, "", l)
		split(l, v, /, /); for (i = 1; i <= n; i++) if (h[i] == c) { x = v[i]; gsub(/"/, "", x); print x } }' "$1"
}
acc=$(col "$T_DIR/tls.ini" TLSStatus 0 HandshakesAccepted)
ref=0
for c in RejectedNoCertificate RejectedUnknownCA RejectedExpired RejectedRevoked RejectedBadPurpose \
	RejectedSubjectMismatch RejectedProtocol RejectedTimeout RejectedConnectionLimit \
	RejectedRevokedOcsp RejectedOcspUnavailable; do
	ref=$((ref + $(col "$T_DIR/tls.ini" TLSStatus 0 "$c")))
done
pacc=$(col "$T_DIR/perf.ini" PerformanceIntervals 0 HandshakesAccepted)
pref=$(col "$T_DIR/perf.ini" PerformanceIntervals 0 HandshakesRefused)
pcert=$(col "$T_DIR/perf.ini" PerformanceIntervals 0 RefusedCertificate)
check "the burst was counted by TLSStatus (6 accepted, 8 refused)" \
	test "${acc:-0}" -ge 6 -a "$ref" -ge 8
check "the current interval counts every handshake TLSStatus counted ($pacc/$acc accepted, $pref/$ref refused)" \
	test "${pacc:-x}" = "$acc" -a "${pref:-x}" = "$ref"
check "certificate refusals are told apart ($pcert of $pref)" test "${pcert:-0}" -ge 8
check "the interval saw the registered users" \
	test "$(col "$T_DIR/perf.ini" PerformanceIntervals 0 RegisteredUsersMax)" -ge 2
check "the interval counts the call attempt" \
	test "$(col "$T_DIR/perf.ini" PerformanceIntervals 0 CallAttempts)" -ge 1
check "the interval is named and current" \
	test "$(col "$T_DIR/perf.ini" PerformanceIntervals 0 Interval)" = 0 -a \
	"$(col "$T_DIR/perf.ini" PerformanceIntervals 0 InterfaceName)" = SIPInterface_0
ini perf fine >"$T_DIR/fine.txt"
check "the 10-second history has the samples" \
	test "$(grep -c '^0 ' "$T_DIR/fine.txt")" -ge 2
check "a bad history request is refused" sh -c "! '$BIN/sbc-ini' --socket '$SOCK' perf fine 1x"

# --- /metrics --------------------------------------------------------------------------
M=https://127.0.0.1:$HTTPS_PORT/metrics
code=$(hcurl -o /dev/null -w '%{http_code}' "$M")
check "/metrics without credentials: 401 ($code)" test "$code" = 401
code=$(hcurl -o /dev/null -w '%{http_code}' -u Admin:wrong "$M")
check "/metrics with a wrong password: 401 ($code)" test "$code" = 401
code=$(hcurl -o "$T_DIR/metrics.txt" -w '%{http_code}' -u Admin:Admin "$M")
check "/metrics with Basic credentials: 200 ($code)" test "$code" = 200
if command -v promtool >/dev/null; then
	check "promtool check metrics accepts it" sh -c "promtool check metrics <'$T_DIR/metrics.txt' >'$T_DIR/promtool.out' 2>&1"
else
	fail "promtool is not installed (Debian package prometheus)"
fi
mval() { awk -v k="$1" 'index($0, k " ") == 1 { print $NF }' "$T_DIR/metrics.txt"; }
ini status TLSStatus >"$T_DIR/tls2.ini"
check "accepted handshakes match TLSStatus" test "$(mval 'sbc_tls_handshakes_accepted_total{interface="SIPInterface_0"}')" = "$(col "$T_DIR/tls2.ini" TLSStatus 0 HandshakesAccepted)"
check "no-certificate refusals match TLSStatus" test "$(mval 'sbc_tls_handshakes_refused_total{interface="SIPInterface_0",reason="no_certificate"}')" = "$(col "$T_DIR/tls2.ini" TLSStatus 0 RejectedNoCertificate)"
check "unknown-CA refusals match TLSStatus" test "$(mval 'sbc_tls_handshakes_refused_total{interface="SIPInterface_0",reason="unknown_ca"}')" = "$(col "$T_DIR/tls2.ini" TLSStatus 0 RejectedUnknownCA)"
contains "the alarm is exported" "$T_DIR/metrics.txt" '^sbc_alarm_active{name="sipInterfaceDown",.*} 1$'
contains "the interface is exported as not up" "$T_DIR/metrics.txt" '^sbc_interface_up{interface="SIPInterface_0"} 0$'
contains "registered users are exported" "$T_DIR/metrics.txt" '^sbc_registered_users{interface="SIPInterface_0"} 2$'

# --- SNMP: the performance table walks ------------------------------------------------
if snmp_mibs && snmp_master_start && snmp_agent_start; then
	ok "snmpd master and sbc-snmp-agent start"
	sw snmpwalk sbcPerformanceIntervalsTable >"$T_DIR/snmpwalk.out" 2>&1
	contains "snmpwalk: the current interval's accepted handshakes" "$T_DIR/snmpwalk.out" \
		"sbcPerformanceIntervalsHandshakesAccepted\\.0 = Counter64: $pacc\$"
	contains "snmpwalk: the interface name" "$T_DIR/snmpwalk.out" \
		'sbcPerformanceIntervalsInterfaceName\.0 = STRING: "?SIPInterface_0"?$'
else
	fail "snmpd master and sbc-snmp-agent start"
fi

# --- the dashboard in Chromium ---------------------------------------------------------
if [ ! -d "$NODE_DIR/node_modules/playwright-core" ]; then
	mkdir -p "$NODE_DIR"
	timeout 300 npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent \
		playwright-core@1 >"$T_DIR/npm.log" 2>&1
fi
ART=$T_DIR/artifacts
mkdir -p "$ART"
WEB_URL=https://127.0.0.1:$HTTPS_PORT WEB_USER=Admin WEB_PASS=Admin ART=$ART \
	SAMPLE="'$BIN/sbc-ini' --socket '$SOCK' perf sample" \
	CHROMIUM=$(command -v chromium) NODE_PATH=$NODE_DIR/node_modules \
	timeout 180 node "$TOP/tests/web/dashboard.js" >"$T_DIR/browser.out" 2>&1
rc=$?
while read -r word rest; do
	case "$word" in ok) ok "$rest" ;; FAIL) fail "$rest" ;; esac
done <"$T_DIR/browser.out"
[ $rc -eq 0 ] || { fail "browser script exit $rc"; sed 's/^/       | /' "$T_DIR/browser.out" | tail -20; }
check "screenshot dashboard.png" test -s "$ART/dashboard.png"
echo "  screenshots: $ART"
t_end

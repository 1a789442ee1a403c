#!/bin/bash
# Issue 17 items 3 and 5, the newcomer's first hour: `make run` with ports and a site overlay,
# strict numbers in every program, the #code pending / #access lines of LOAD and CHECK and
# sbc-ini's web-access block, the summary of ignored vendor features, RFC 4514 names in the
# logs, and the validation gaps (host:port, UTF-8, BOM, unterminated quotes).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/web/common.sh"
t_begin newcomer
D=$T_DIR

# ctl VERB FILE: one raw control request (4-byte length frames), the reply on stdout
ctl() {
	python3 - "$SOCK" "$1" "$2" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
body = open(sys.argv[3], 'rb').read()
req = sys.argv[2].encode() + b'\n' + body
s.sendall(struct.pack('>I', len(req)) + req)
def rd(n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: break
        b += c
    return b
n = struct.unpack('>I', rd(4))[0]
sys.stdout.write(rd(n).decode(errors='replace'))
PY
}

echo "# make run with ports and a site overlay"
R=$D/run
SIP=$(free_port) SIPS=$(free_port) HP=$(free_port) HSP=$(free_port)
printf "[WEB Params]\nWebAddress = '127.0.0.1'\n" >"$D/site.ini"
expect_fail "make run refuses a port that is not a number" \
	make -s -C "$TOP" run RUN_DIR="$R" HTTP_PORT=80x
contains "the refusal names the variable" "$T_DIR/last.out" "HTTP_PORT: '80x' is not a port"
[ -e "$R/flash/board.ini" ] && fail "a refused make run wrote the flash" || ok "a refused make run writes nothing"
make -s -C "$TOP" run RUN_DIR="$R" SITE="$D/site.ini" SIP_PORT="$SIP" SIPS_PORT="$SIPS" \
	HTTP_PORT="$HP" HTTPS_PORT="$HSP" >"$D/run.log" 2>&1 &
MAKE_PID=$!
t_track "$MAKE_PID"
if wait_for "[ -s '$R/sbcd.pid' ] && grep -q 'sbc-web info: ready' '$D/run.log'" 300; then
	RUN_SBCD=$(cat "$R/sbcd.pid")
	t_track "$RUN_SBCD"
	ok "make run starts sbcd and sbc-web"
else
	fail "make run starts sbcd and sbc-web"
	sed 's/^/       | /' "$D/run.log" | tail -20
fi
contains "the banner shows the SIP ports given" "$D/run.log" "UDP 127.0.0.1:$SIP, TCP 127.0.0.1:$SIP, TLS 127.0.0.1:$SIPS"
contains "the banner shows the web ports given" "$D/run.log" "web: https://127.0.0.1:$HSP/"
listening() { ss -Hltn "sport = :$1" | grep -q "127.0.0.1:$1"; }
check "SIP TCP listens on SIP_PORT" listening "$SIP"
check "SIP TLS listens on SIPS_PORT" listening "$SIPS"
check "HTTP listens on HTTP_PORT (the site's WebAddress)" listening "$HP"
check "HTTPS listens on HTTPS_PORT" listening "$HSP"
[ -n "${RUN_SBCD:-}" ] && kill "$RUN_SBCD"
wait_for "! kill -0 $MAKE_PID" 100 && ok "make run ends when sbcd is stopped" || fail "make run ends when sbcd is stopped"

echo "# strict numbers: every program refuses a number it only begins with"
expect_fail "sbc-snmp-agent --poll 2x" "$BIN/sbc-snmp-agent" --poll 2x --socket "$D/none.sock"
contains "... names the option" "$T_DIR/last.out" "--poll: '2x' is not a whole number"
expect_fail "sbc-web --https-port 99999" "$BIN/sbc-web" --https-port 99999 --socket "$D/none.sock"
contains "... names the option" "$T_DIR/last.out" "--https-port: '99999' is out of range 0..65535"
expect_fail "sbc-cli --idle-timeout 1O" "$BIN/sbc-cli" --idle-timeout 1O --socket "$D/none.sock"
contains "... names the option" "$T_DIR/last.out" "--idle-timeout: '1O' is not a whole number"
expect_fail "bench-tlsload --port 5x" "$BIN/bench-tlsload" --port 5x --cert x --key y
contains "... names the option" "$T_DIR/last.out" "--port: '5x' is not a whole number"
mkdir -p "$D/f2"
expect_fail "sbcd refuses SBCD_CTL_IDLE_TIMEOUT=abc" env SBCD_CTL_IDLE_TIMEOUT=abc timeout 20 \
	"$BIN/sbcd" -f --flash "$D/f2" --socket "$D/f2.sock"
contains "... naming the variable" "$T_DIR/last.out" "SBCD_CTL_IDLE_TIMEOUT: 'abc' is not a whole number"

echo "# sbcd with sbc-web on HTTPS (test PKI)"
if web_setup; then ok "sbcd and sbc-web start"; else fail "sbcd and sbc-web start"; t_end; exit 1; fi
ini tls import-roots 0 -f "$PKI/rogue-ca.crt" >/dev/null
ini tls roots 0 >"$D/roots.before"
expect_fail "sbc-ini tls delete-root 0 abc is refused" ini tls delete-root 0 abc
contains "... naming the argument" "$T_DIR/last.out" "root index: 'abc' is not a whole number"
ini tls roots 0 >"$D/roots.after"
check "... and deletes nothing" cmp "$D/roots.before" "$D/roots.after"
expect_fail "sbc-ini tls delete-root 0 1x is refused" ini tls delete-root 0 1x
ini tls show 0 >"$D/show.before"
expect_fail "sbc-ini tls generate 0 rsa 2048x is refused" ini tls generate 0 rsa 2048x
contains "... naming the argument" "$T_DIR/last.out" "key size \(bits\): '2048x'"
expect_fail "sbc-ini tls generate 0 rsa 2048 30d is refused" ini tls generate 0 rsa 2048 30d
ini tls show 0 >"$D/show.after"
check "... and the certificate is unchanged" cmp "$D/show.before" "$D/show.after"
expect_fail "sbc-ini restore 0x is refused" ini restore 0x
contains "... naming the argument" "$T_DIR/last.out" "generation: '0x' is not a whole number"

echo "# a whole vendor import moves the web back to 80/443: it stands out"
cat >"$D/vendor.ini" <<'X'
[SYSTEM Params]
SyslogServerIP = 10.1.1.1
EnableSyslog = 1
[SIP Params]
SIPSRequireClientCertificate = 0
GWDEBUGLEVEL = 5
[ SBCAdmissionControl ]
FORMAT SBCAdmissionControl_Index = SBCAdmissionControl_LimitType, SBCAdmissionControl_Limit;
SBCAdmissionControl 0 = 1, 100;
SBCAdmissionControl 1 = 2, 50;
[ \SBCAdmissionControl ]
[ SIPInterface ]
FORMAT SIPInterface_Index = SIPInterface_InterfaceName, SIPInterface_NetworkInterface, SIPInterface_SBCDirectMedia;
SIPInterface 0 = "SIPInterface_0", "O+M+C", 0;
[ \SIPInterface ]
X
ctl "CHECK replace vendor.ini" "$D/vendor.ini" >"$D/check.out"
contains "CHECK: a coded pending line" "$D/check.out" "^#code pending Globals 0 HTTPSPort$"
contains "CHECK: #access HTTPSPort running new" "$D/check.out" "^#access HTTPSPort $HTTPS_PORT 443$"
ini export Globals >"$D/g.before"
ini import "$D/vendor.ini" >"$D/import.out" 2>&1 && ok "the whole import loads" || fail "the whole import loads"
grep -A1 '^warning: pending reset: HTTPPort' "$D/import.out" >"$D/pair"
contains "LOAD: #code pending after the HTTPPort note" "$D/pair" "^#code pending Globals 0 HTTPPort$"
contains "LOAD: #access HTTPPort" "$D/import.out" "^#access HTTPPort $HTTP_PORT 80$"
tail -n 4 "$D/import.out" >"$D/tail"
contains "sbc-ini ends with the web-access block" "$D/tail" "Web access changes at the next reset"
contains "... saying where the web will be" "$D/tail" \
	"After reset the web interface will be reached at http://127.0.0.1:80/ and https://127.0.0.1:443/"
contains "the ignored vendor features are summarised" "$D/import.out" \
	"^Ignored by this SBC: 1 table \(2 rows\), 3 parameters, 1 column$"
contains "... one line per table" "$D/import.out" "^  table SBCAdmissionControl: 2 rows$"
contains "... parameters by section" "$D/import.out" "^  \[SYSTEM Params\]: 2 parameters: SyslogServerIP, EnableSyslog$"
"$BIN/sbc-ini" check "$D/vendor.ini" >"$D/offline.out" 2>&1
contains "sbc-ini check ends with the same summary" "$D/offline.out" "^  table SIPInterface: 1 column: SBCDirectMedia$"
# back to the test's ports: nothing moves any more
printf '[WEB Params]\nHTTPSPort = %s\nHTTPPort = %s\nWebAddress = 127.0.0.1\n' "$HTTPS_PORT" "$HTTP_PORT" >"$D/back.ini"
ini import --incremental "$D/back.ini" >"$D/back.out" 2>&1
if grep -q '#access' "$D/back.out"; then fail "no #access once the web stays"; else ok "no #access once the web stays"; fi

echo "# a client certificate demanded after the reset; names in RFC 4514 form"
printf '[WEB Params]\nHTTPSRequireClientCertificate = 1\n' >"$D/cert.ini"
ini import --incremental "$D/cert.ini" >"$D/cert.out" 2>&1
contains "#access HTTPSRequireClientCertificate 0 1" "$D/cert.out" "^#access HTTPSRequireClientCertificate 0 1$"
contains "the block says HTTPS will demand a certificate" "$D/cert.out" "HTTPS will demand a client certificate"
contains "... and where the web will be" "$D/cert.out" "reached at http://127.0.0.1:$HTTP_PORT/ and https://127.0.0.1:$HTTPS_PORT/"
if sbcd_reset; then ok "reset"; else fail "reset"; fi
hcurl --cert "$PKI/expired.crt" --key "$PKI/expired.key" -o /dev/null "https://127.0.0.1:$HTTPS_PORT/login"
wait_for "grep -q 'certificate has expired' '$WEB_LOG'" 50
# RFC 4514 as openssl prints it (openssl ca put CN first in the DER name: "O=SBC test,CN=operator")
RFC=$(openssl x509 -in "$PKI/expired.crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
contains "sbc-web logs the refused certificate as $RFC (RFC 4514)" "$WEB_LOG" \
	"refused client 127\.0\.0\.1:[0-9]+: certificate $RFC: certificate has expired"
ini tls delete-root 0 1 >"$D/delroot.out" 2>&1
contains "a trust change of TLS context 0 says HTTPS accepts other certificates now" "$D/delroot.out" \
	"the client certificates HTTPS accepts change now"
if grep -q '/CN=' "$WEB_LOG"; then fail "no /CN= name in any log"; grep '/CN=' "$WEB_LOG" | head -3; else ok "no /CN= name in any log"; fi

echo "# validation gaps"
pi() { printf '[ ProxySet ]\nFORMAT ProxySet_Index = ProxySet_ProxyName;\nProxySet 7 = "p7";\n[ \\ProxySet ]\n[ ProxyIp ]\nFORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress;\nProxyIp 70 = "7", 0, "%s";\n[ \\ProxyIp ]\n' "$1"; }
pi '127.0.0.1:99999999999' >"$D/p1.ini"
expect_fail "ProxyIp 127.0.0.1:99999999999 refused" ini import --incremental "$D/p1.ini"
contains "... with table, row and column" "$T_DIR/last.out" "ProxyIp row 70 column IpAddress: '127.0.0.1:99999999999' is not host\[:port\]"
pi '[::1]:5060:5' >"$D/p2.ini"
expect_fail "ProxyIp [::1]:5060:5 refused" ini import --incremental "$D/p2.ini"
contains "... with table, row and column" "$T_DIR/last.out" "ProxyIp row 70 column IpAddress"
pi '[::1]:5060' >"$D/p3.ini"
check "ProxyIp [::1]:5060 accepted" ini import --incremental "$D/p3.ini"
printf "[SIP Params]\nTLSRemoteSubjectName = 'caf\xe9'\n" >"$D/latin1.ini"
expect_fail "invalid UTF-8 text refused" ini import --incremental "$D/latin1.ini"
contains "... naming file, line and parameter" "$T_DIR/last.out" "latin1.ini:2: TLSRemoteSubjectName: not valid UTF-8"
printf "\xef\xbb\xbf[SIP Params]\nTLSRemoteSubjectName = 'caf\xc3\xa9'\n" >"$D/bom.ini"
check "a UTF-8 BOM at the top is accepted" ini import --incremental "$D/bom.ini"
check "sbc-ini check accepts it too" "$BIN/sbc-ini" check --incremental "$D/bom.ini"
printf "[SIP Params]\nTLSRemoteSubjectName = 'open\n" >"$D/quote.ini"
expect_fail "an unterminated quote is refused" "$BIN/sbc-ini" check --incremental "$D/quote.ini"
contains "... with file:line" "$T_DIR/last.out" "quote.ini:2: TLSRemoteSubjectName: unterminated quote"

t_end

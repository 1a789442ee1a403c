#!/bin/bash
# The vendor's six HTTPS steps in headless Chromium at 1280x800, by clicking only
# (tests/web/vendor_steps.js): TLS Contexts table, Certificate Information, Change Certificates
# (CSR signed by a CA, certificate loaded), Trusted Root Certificates Import, Web Security
# Settings (HTTPS only, client certificates), Save to flash and Reset; then the device is
# reached over HTTPS with the client certificate only. Screenshots in $T_DIR/artifacts.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/web/common.sh"
t_begin web_vendor_steps
NODE_DIR=$TOP/build/web-node
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ]; then
	timeout 600 apt-get install -y -q chromium >"$T_DIR/apt.log" 2>&1
fi
if ! command -v chromium >/dev/null || ! command -v node >/dev/null; then
	fail "chromium and node are needed (Debian packages chromium, nodejs)"
	t_end
	exit 1
fi
if [ ! -d "$NODE_DIR/node_modules/playwright-core" ]; then
	mkdir -p "$NODE_DIR"
	# playwright-core never downloads browsers; we use Debian's chromium
	timeout 300 npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent \
		playwright-core@1 >"$T_DIR/npm.log" 2>&1
fi
[ -d "$NODE_DIR/node_modules/playwright-core" ] || { fail "npm install playwright-core"; t_end; exit 1; }

# A device as delivered: no TLS material (context 0 gets a self-signed certificate at boot),
# no trusted root, HTTP and HTTPS, passwords; the test's ports, and a few rows in the wide
# tables so that their row actions are checked at 1280 px too.
PKI=$T_DIR/pki
FLASH=$T_DIR/flash
SOCK=$T_DIR/sbcd.sock
"$WEB_DIR/pki.sh" "$PKI" >/dev/null
mkdir -p "$FLASH"
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
while [ "$HTTPS_PORT" = "$HTTP_PORT" ]; do HTTPS_PORT=$(free_port); done
sip=$(free_port)
sips=$(free_port)
cat >"$FLASH/board.ini" <<X
[WEB Params]
HTTPSPort = $HTTPS_PORT
HTTPPort = $HTTP_PORT
WebAddress = '127.0.0.1'

[ SIPInterface ]
FORMAT SIPInterface_Index = SIPInterface_InterfaceName, SIPInterface_NetworkInterface, SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort;
SIPInterface 0 = "SIPInterface_0", "O+M+C", $sip, $sip, $sips;
[ \SIPInterface ]

[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime;
ProxySet 1 = "ITSP with a rather long proxy set name", 1, 60;
[ \ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 0 = "1", 0, "proxy.example.com:5061", 2;
[ \ProxyIp ]
[ IPGroup ]
FORMAT IPGroup_Index = IPGroup_Name, IPGroup_ProxySetName;
IPGroup 1 = "ITSP", "ITSP with a rather long proxy set name";
[ \IPGroup ]
[ IP2IPRouting ]
FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_DestIPGroupName;
IP2IPRouting 0 = "to ITSP", "ITSP";
[ \IP2IPRouting ]
X
chmod 600 "$FLASH/board.ini"
"$BIN/sbcd" -f --flash "$FLASH" --socket "$SOCK" --pidfile "$T_DIR/sbcd.pid" >"$T_DIR/sbcd.log" 2>&1 &
SBCD_PID=$!
t_track "$SBCD_PID"
WEB_LOG=$T_DIR/sbcd.log
if wait_for "'$BIN/sbc-ini' --socket '$SOCK' info" 100 && web_wait 0; then
	ok "sbcd and sbc-web start"
else
	fail "sbcd and sbc-web start"
	t_end
	exit 1
fi
check "a fresh device trusts no root" sh -c "! grep -q BEGIN '$FLASH/tls/0/trusted-roots.pem' 2>/dev/null"

ART=$T_DIR/artifacts
mkdir -p "$ART"
n=$(log_lines)
WEB_URL=https://127.0.0.1:$HTTPS_PORT WEB_USER=Admin WEB_PASS=Admin PKI=$PKI ART=$ART \
	CHROMIUM=$(command -v chromium) NODE_PATH=$NODE_DIR/node_modules \
	timeout 300 node "$TOP/tests/web/vendor_steps.js" >"$T_DIR/browser.out" 2>&1
rc=$?
while read -r word rest; do
	case "$word" in ok) ok "$rest" ;; FAIL) fail "$rest" ;; esac
done <"$T_DIR/browser.out"
[ $rc -eq 0 ] || { fail "browser script exit $rc"; sed 's/^/       | /' "$T_DIR/browser.out" | tail -20; }
for f in 1-tls-contexts 2-certificate-information 3-change-certificates 4-trusted-roots \
	5-web-security-settings 6-reset-confirm 7-after-reset; do
	check "screenshot $f.png (1280x800)" sh -c "file '$ART/$f.png' | grep -q '1280 x 800'"
done

# what the steps did, seen from outside
web_wait "$n" || fail "sbc-web back after the reset"
contains "saved: HTTPS only" "$FLASH/board.ini" '^HTTPSOnly = 1'
contains "saved: client certificates required" "$FLASH/board.ini" '^HTTPSRequireClientCertificate = 1'
check "saved: the imported roots" sh -c "grep -c BEGIN '$FLASH/tls/0/trusted-roots.pem' | grep -qx 2"
subj=$(openssl s_client -connect 127.0.0.1:$HTTPS_PORT -cert "$PKI/admin.crt" -key "$PKI/admin.key" \
	</dev/null 2>/dev/null | openssl x509 -noout -subject -issuer 2>/dev/null)
if echo "$subj" | grep -q 'sbc.vendor-steps.test' && echo "$subj" | grep -q 'SBC test CA'; then
	ok "HTTPS serves the certificate loaded in step 3"
else
	fail "HTTPS serves the certificate loaded in step 3: $subj"
fi
refused "no client certificate: refused after the reset"
code_is "the client certificate reaches the device (certificate login)" 200 \
	hcurl --cert "$PKI/admin.crt" --key "$PKI/admin.key" -L -o "$T_DIR/after.html" -w '%{http_code}' \
	"https://127.0.0.1:$HTTPS_PORT/"
contains "logged in as Admin by the certificate" "$T_DIR/after.html" 'Admin, master \(client certificate\)'
code_is "plain HTTP now redirects to HTTPS" 301 curl -s -o /dev/null -w '%{http_code}' \
	"http://127.0.0.1:$HTTP_PORT/status"
echo "  screenshots: $ART"
t_end

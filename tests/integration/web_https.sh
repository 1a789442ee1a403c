#!/bin/bash
# sbc-web over HTTP and HTTPS: login, sessions, CSRF, escaping, bad input, the
# JSON API, client certificates (curl matrix), the reset rule and HTTPS only.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/web/common.sh"
t_begin web_https
command -v curl >/dev/null || { echo "web_https: 0 passed, 1 failed (curl missing)"; exit 1; }
[ -x "$BIN/sbc-web" ] || { fail "build/bin/sbc-web missing"; t_end; exit; }
if web_setup; then ok "sbcd and sbc-web start"; else fail "sbcd and sbc-web start"; t_end; exit 1; fi
H=https://127.0.0.1:$HTTPS_PORT
P=http://127.0.0.1:$HTTP_PORT
J=$T_DIR/jar

echo "# plain settings: HTTP and HTTPS, no client certificate"
code_is "HTTP login page" 200 curl -s -o /dev/null -w '%{http_code}' $P/login
code_is "HTTPS login page" 200 hcurl -o /dev/null -w '%{http_code}' $H/login
code_is "pages need a login (redirect)" 303 hcurl -o /dev/null -w '%{http_code}' $H/status
code_is "wrong password refused" 401 web_login $J Admin nope
code_is "login as Admin" 303 web_login $J Admin Admin
CSRF=$(get_csrf $J)
hcurl -D "$T_DIR/h2" -o /dev/null "$H/login"
grep -i '^set-cookie: sbcpre' "$T_DIR/h2" >"$T_DIR/cookie" || true
contains "cookies are HttpOnly; SameSite=Strict; Secure on HTTPS" "$T_DIR/cookie" \
	'HttpOnly; SameSite=Strict; Secure'
hcurl -b $J $H/status >"$T_DIR/status.html"
contains "status page shows the version" "$T_DIR/status.html" 'id="info-version">[0-9]'
contains "status page shows the user" "$T_DIR/status.html" 'Admin, master'
hcurl -D "$T_DIR/h3" -o /dev/null -b $J $H/status
contains "CSP and nosniff headers" "$T_DIR/h3" "Content-Security-Policy: default-src 'none'"

echo "# forms: CSRF, refusals, escaping"
code_is "POST without CSRF token refused" 403 hcurl -o /dev/null -w '%{http_code}' -b $J \
	--data-urlencode 'index=3' --data-urlencode 'c_ProxyName=nocsrf' $H/table/ProxySet/new
code_is "POST with a wrong CSRF token refused" 403 hcurl -o /dev/null -w '%{http_code}' -b $J \
	--data-urlencode "csrf=$(printf '%064d' 0)" --data-urlencode 'c_ProxyName=x' \
	$H/table/ProxySet/new
expect_fail "nothing was created without the token" sh -c "'$BIN/sbc-ini' --socket '$SOCK' export ProxySet | grep -q nocsrf"
code_is "out-of-range value refused" 422 hcurl -o "$T_DIR/r1.html" -w '%{http_code}' -b $J \
	--data-urlencode "csrf=$CSRF" --data-urlencode index=1 --data-urlencode 'c_ProxyName=ps1' \
	--data-urlencode 'c_ProxyKeepAliveTime=99999999' $H/table/ProxySet/new
contains "refusal names table, row, column and reason" "$T_DIR/r1.html" \
	'ProxySet row 1 column ProxyKeepAliveTime: [^<]*out of range'
contains "refused field is marked" "$T_DIR/r1.html" 'class="bad"><td><label for="c_ProxyKeepAliveTime"'
XSS="<script>alert('x')</script>"
code_is "row created with markup in its name" 200 hcurl -o /dev/null -w '%{http_code}' -b $J \
	--data-urlencode "csrf=$CSRF" --data-urlencode index=1 --data-urlencode "c_ProxyName=$XSS" \
	$H/table/ProxySet/new
hcurl -b $J $H/table/ProxySet >"$T_DIR/list.html"
code_is "double quote in a value refused" 422 hcurl -o "$T_DIR/r3.html" -w '%{http_code}' -b $J \
	--data-urlencode "csrf=$CSRF" --data-urlencode index=2 --data-urlencode 'c_ProxyName=a"b' \
	$H/table/ProxySet/new
contains "quote refusal names the column" "$T_DIR/r3.html" 'ProxySet row 2 column ProxyName: quotes'

contains "markup is escaped in the table" "$T_DIR/list.html" '&lt;script&gt;alert\(&#39;x&#39;\)&lt;/script&gt;'
expect_fail "no raw <script> in the page" grep -q '<script>' "$T_DIR/list.html"
hcurl -b $J $H/table/ProxySet/1 >"$T_DIR/row.html"
contains "enum fields are selects with names" "$T_DIR/row.html" '<option value="1">round-robin \(1\)'
contains "fields carry the schema's help text" "$T_DIR/row.html" 'class="help">Seconds between keep-alive probes'
code_is "row deleted" 303 hcurl -o /dev/null -w '%{http_code}' -b $J --data-urlencode "csrf=$CSRF" \
	$H/table/ProxySet/1/delete
code_is "row 0 of TLSContexts cannot be deleted" 422 hcurl -o "$T_DIR/r2.html" -w '%{http_code}' \
	-b $J --data-urlencode "csrf=$CSRF" $H/table/TLSContexts/0/delete
code_is "globals saved by section" 200 hcurl -o "$T_DIR/g.html" -w '%{http_code}' -b $J \
	--data-urlencode "csrf=$CSRF" --data-urlencode 'section=SYSTEM Params' \
	--data-urlencode 'c_TLSExpiryCheckStart=30' $H/globals
check "global changed in sbcd" sh -c "'$BIN/sbc-ini' --socket '$SOCK' export | grep -q 'TLSExpiryCheckStart = 30'"

echo "# paths and uploads"
code_is "path traversal in the URL" 404 hcurl --path-as-is -o /dev/null -w '%{http_code}' -b $J \
	"$H/table/../../../etc/passwd"
code_is "encoded traversal in the URL" 404 hcurl -o /dev/null -w '%{http_code}' -b $J \
	"$H/tls/0/..%2f..%2fetc%2fpasswd"
code_is "dot segment" 404 hcurl --path-as-is -o /dev/null -w '%{http_code}' -b $J "$H/files/%2e%2e/ini"
code_is "trusted root with a traversal file name" 200 hcurl -o "$T_DIR/u1.html" -w '%{http_code}' \
	-b $J -F "csrf=$CSRF" -F "file=@$PKI/extra-ca.crt;filename=../../../tmp/x<b>.pem" $H/tls/0/roots
contains "file name shown escaped" "$T_DIR/u1.html" '\.\./\.\./\.\./tmp/x&lt;b&gt;\.pem: added 1'
check "no file written by the uploaded name" sh -c "! ls /tmp/x*.pem '$T_DIR'/x* 2>/dev/null | grep -q ."
check "trusted roots file holds the new CA" grep -q BEGIN "$FLASH/tls/0/trusted-roots.pem"
contains "roots list shows subject" "$T_DIR/u1.html" 'CN=Extra CA,O=SBC test'
code_is "not a certificate refused" 422 hcurl -o "$T_DIR/u2.html" -w '%{http_code}' -b $J \
	-F "csrf=$CSRF" -F "file=@$PKI/notacert.pem" $H/tls/0/roots
contains "refusal says why" "$T_DIR/u2.html" 'notacert.pem: .*trusted roots: certificate 1 cannot be decoded'
printf -- '--XX\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n%s\r\n--XX\r\nContent-Disposition: form-data; name="file"; filename="a.pem"\r\n\r\nno end' "$CSRF" >"$T_DIR/bad.mp"
code_is "malformed multipart refused" 400 hcurl -o "$T_DIR/u3.html" -w '%{http_code}' -b $J \
	-H 'Content-Type: multipart/form-data; boundary=XX' --data-binary @"$T_DIR/bad.mp" $H/tls/0/roots
code_is "multipart without boundary refused" 400 hcurl -o /dev/null -w '%{http_code}' -b $J \
	-H 'Content-Type: multipart/form-data' --data-binary 'x' $H/tls/0/roots
head -c 3000000 /dev/zero | tr '\0' 'A' >"$T_DIR/big.pem"
got=$(hcurl -o /dev/null -w '%{http_code}' -b $J -F "csrf=$CSRF" -F "file=@$T_DIR/big.pem" $H/tls/0/roots)
case "$got" in 413 | 000) ok "oversized upload refused ($got)" ;; *) fail "oversized upload: HTTP $got" ;; esac
code_is "server alive after the oversized upload" 200 hcurl -o /dev/null -w '%{http_code}' -b $J $H/status
hcurl -b $J -o "$T_DIR/dl.ini" $H/files/ini
contains "INI download" "$T_DIR/dl.ini" '^\[WEB Params\]'
printf '[ ProxySet ]\nFORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ProxyKeepAliveTime;\nProxySet 2 = "p2", 1;\n[ \\ProxySet ]\n' >"$T_DIR/bad.ini"
code_is "INI upload with a bad value refused" 422 hcurl -o "$T_DIR/u4.html" -w '%{http_code}' -b $J \
	-F "csrf=$CSRF" -F mode=incremental -F "file=@$T_DIR/bad.ini;filename=my conf.ini" $H/files/ini
contains "INI refusal names file and line" "$T_DIR/u4.html" 'myconf.ini:3: ProxySet row 2 column ProxyKeepAliveTime'
check "the refusal page leaves the #code lines out" sh -c "! grep -q '#code' '$T_DIR/u4.html'"
printf '[SYSTEM Params]\nTLSExpiryCheckPeriod = 9\n' >"$T_DIR/good.ini"
code_is "INI incremental upload" 200 hcurl -o /dev/null -w '%{http_code}' -b $J -F "csrf=$CSRF" \
	-F mode=incremental -F "file=@$T_DIR/good.ini" $H/files/ini
check "upload applied" sh -c "'$BIN/sbc-ini' --socket '$SOCK' export | grep -q 'TLSExpiryCheckPeriod = 9'"
printf '[SYSTEM Params]\nNoSuchVendorParameter = 1\nTLSExpiryCheckPeriod = 8\n' >"$T_DIR/warn.ini"
code_is "INI upload that loads with warnings answers 200" 200 hcurl -o "$T_DIR/u5.html" -w '%{http_code}' \
	-b $J -F "csrf=$CSRF" -F mode=incremental -F "file=@$T_DIR/warn.ini" $H/files/ini
contains "its warnings are shown" "$T_DIR/u5.html" 'id="warnings".*NoSuchVendorParameter'
check "the upload was applied" sh -c "'$BIN/sbc-ini' --socket '$SOCK' export | grep -q 'TLSExpiryCheckPeriod = 8'"
check "no raw #-line in the reply page" sh -c "! grep -q '>#[a-z]' '$T_DIR/u5.html'"
hcurl -b $J -o "$T_DIR/b1.html" $H/status
contains "banner: unsaved changes, with Save to flash" "$T_DIR/b1.html" 'id="unsaved".*id="banner-save">Save to flash<'
code_is "Save to flash" 200 hcurl -o /dev/null -w '%{http_code}' -b $J --data-urlencode "csrf=$CSRF" $H/actions/save
hcurl -b $J -o "$T_DIR/b2.html" $H/status
expect_fail "banner: nothing unsaved after the save" grep -q 'id="unsaved"' "$T_DIR/b2.html"
code_is "reset without its confirmation refused" 400 hcurl -o /dev/null -w '%{http_code}' -b $J \
	--data-urlencode "csrf=$CSRF" $H/actions/reset
hcurl -b $J -o "$T_DIR/rc.html" $H/actions/reset
contains "the Device reset page asks for a confirmation" "$T_DIR/rc.html" 'name="confirm" value="yes".*id="reset-confirm">Reset now<'
hcurl -b $J -o "$T_DIR/g.html" $H/globals
contains "global sections: Apply, not Save" "$T_DIR/g.html" 'id="apply-WEB">Apply<'
expect_fail "no 'Save [' button" grep -q 'Save \[' "$T_DIR/g.html"
hcurl -b $J -o "$T_DIR/tc.html" $H/table/TLSContexts
got=$(grep -o 'id="\(cert-info\|change-certs\|trusted-roots\)"' "$T_DIR/tc.html" | tr '\n' ' ')
if [ "$got" = 'id="cert-info" id="change-certs" id="trusted-roots" ' ]; then
	ok "TLS Contexts: certificate, change, trusted roots links in the vendor's order"
else
	fail "TLS Contexts links: '$got'"
fi
contains "TLS Contexts rows link to their trusted roots" "$T_DIR/tc.html" 'href="/tls/0/roots"'

echo "# JSON API"
code_is "API without credentials" 401 hcurl -o /dev/null -w '%{http_code}' $H/api/v1/status
code_is "API with a wrong password" 401 hcurl -o /dev/null -w '%{http_code}' -u Admin:x $H/api/v1/status
code_is "API status (Basic)" 200 hcurl -o "$T_DIR/api1.json" -w '%{http_code}' -u Admin:Admin $H/api/v1/status
contains "status JSON" "$T_DIR/api1.json" '"version":"[0-9.]+".*"web":\{'
code_is "API INI download" 200 hcurl -o "$T_DIR/api.ini" -w '%{http_code}' -u Admin:Admin $H/api/v1/files/ini
cat >"$T_DIR/users.ini" <<X
[ WebUsers ]
FORMAT WebUsers_Index = WebUsers_Username, WebUsers_Password, WebUsers_UserLevel, WebUsers_BlockTime;
WebUsers 1 = "viewer", "View-1", 50, 60;
WebUsers 2 = "locky", "Lock-1", 100, 600;
[ \\WebUsers ]
X
code_is "API incremental INI (users)" 200 hcurl -o "$T_DIR/api2.json" -w '%{http_code}' -u Admin:Admin \
	-X PUT --data-binary @"$T_DIR/users.ini" $H/api/v1/files/ini/incremental
code_is "API refuses a bad INI with errors" 422 hcurl -o "$T_DIR/api3.json" -w '%{http_code}' \
	-u Admin:Admin -X PUT --data-binary @"$T_DIR/bad.ini" $H/api/v1/files/ini/incremental
contains "API errors name line and column" "$T_DIR/api3.json" '"errors":\["api.ini:3: ProxySet row 2 column ProxyKeepAliveTime'
contains "API errors carry their code" "$T_DIR/api3.json" '"code":"range"'
check "API errors leave the #code lines out" sh -c "! grep -q '#code' '$T_DIR/api3.json'"
cat >"$T_DIR/refused.ini" <<'X'
[ TLSContexts ]
FORMAT TLSContexts_Index = TLSContexts_Name, TLSContexts_ClientCipherString;
TLSContexts 5 = "apictx", "NO-SUCH-CIPHER";
[ \TLSContexts ]
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_TLSContextName;
ProxySet 5 = "apiset", "apictx";
[ \ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 5 = "5", 0, "127.0.0.1:5999", 2;
[ \ProxyIp ]
X
code_is "API: a change the SIP engine cannot apply now is a conflict" 409 hcurl -o "$T_DIR/api4.json" \
	-w '%{http_code}' -u Admin:Admin -X PUT --data-binary @"$T_DIR/refused.ini" $H/api/v1/files/ini/incremental
contains "with code refused" "$T_DIR/api4.json" '"code":"refused"'
code_is "API with session but no X-CSRF-Token" 403 hcurl -o /dev/null -w '%{http_code}' -b $J \
	-X PUT --data-binary @"$T_DIR/good.ini" $H/api/v1/files/ini/incremental
code_is "API with session and X-CSRF-Token" 200 hcurl -o /dev/null -w '%{http_code}' -b $J \
	-H "X-CSRF-Token: $CSRF" -X PUT --data-binary @"$T_DIR/good.ini" $H/api/v1/files/ini/incremental
code_is "API cross-origin refused" 403 hcurl -o /dev/null -w '%{http_code}' -u Admin:Admin \
	-H 'Origin: https://evil.example' -X POST $H/api/v1/actions/saveConfiguration
code_is "API trusted root import" 200 hcurl -o /dev/null -w '%{http_code}' -u Admin:Admin -X PUT \
	--data-binary @"$PKI/admin.crt" $H/api/v1/files/tls/0/trustedRoot/incremental
code_is "API trusted root import: not a certificate" 422 hcurl -o /dev/null -w '%{http_code}' \
	-u Admin:Admin -X PUT --data-binary @"$PKI/notacert.pem" $H/api/v1/files/tls/0/trustedRoot/incremental
code_is "API save" 200 hcurl -o /dev/null -w '%{http_code}' -u Admin:Admin -X POST \
	$H/api/v1/actions/saveConfiguration

echo "# privileges and lockout"
code_is "monitor logs in" 303 web_login "$T_DIR/jv" viewer View-1
VCSRF=$(get_csrf "$T_DIR/jv")
hcurl -b "$T_DIR/jv" $H/table/ProxySet >"$T_DIR/v.html"
expect_fail "monitor sees no edit forms" grep -q 'New row' "$T_DIR/v.html"
code_is "monitor POST refused" 403 hcurl -o /dev/null -w '%{http_code}' -b "$T_DIR/jv" \
	--data-urlencode "csrf=$VCSRF" --data-urlencode index=4 --data-urlencode c_ProxyName=v \
	$H/table/ProxySet/new
code_is "monitor API change refused" 403 hcurl -o /dev/null -w '%{http_code}' -u viewer:View-1 \
	-X POST $H/api/v1/actions/saveConfiguration
for i in 1 2 3; do web_login "$T_DIR/jl" locky wrong >/dev/null; done
code_is "locked out after 3 failures (right password)" 401 web_login "$T_DIR/jl" locky Lock-1
hcurl -b "$T_DIR/jl" -c "$T_DIR/jl" $H/login >/dev/null
code_is "lockout applies to the API too" 401 hcurl -o /dev/null -w '%{http_code}' -u locky:Lock-1 $H/api/v1/status
contains "failed logins are logged with the peer" "$WEB_LOG" "login failed for user 'locky' from 127.0.0.1"
code_is "logout" 303 hcurl -o /dev/null -w '%{http_code}' -b $J --data-urlencode "csrf=$CSRF" $H/logout
code_is "session gone after logout" 303 hcurl -o /dev/null -w '%{http_code}' -b $J $H/status

echo "# reset rule: HTTPSRequireClientCertificate"
printf '[WEB Params]\nHTTPSRequireClientCertificate = 1\n' >"$T_DIR/req.ini"
check "requirement set in the running configuration" ini import --incremental "$T_DIR/req.ini"
code_is "not yet in effect (no reset)" 200 hcurl -o /dev/null -w '%{http_code}' $H/login
check "sbc-web killed, sbcd restarts it (before any reset)" web_restart
code_is "restart alone does not apply it (active value kept)" 200 hcurl -o /dev/null -w '%{http_code}' $H/login
contains "sbc-web says the change waits for a reset" "$WEB_LOG" 'HTTPSRequireClientCertificate changed to 1 waits for a reset'
check "save and reset sbcd (sbcd restarts sbc-web)" sbcd_reset
C="--cert $PKI/client.crt --key $PKI/client.key"
code_is "valid client certificate" 200 hcurl $C -o /dev/null -w '%{http_code}' $H/login
refused "no client certificate (TLS 1.3)"
refused "no client certificate (TLS 1.2)" --tls-max 1.2
refused "unknown CA" --cert "$PKI/rogue.crt" --key "$PKI/rogue.key"
refused "expired certificate" --cert "$PKI/expired.crt" --key "$PKI/expired.key"
code_is "wrong EKU accepted while RequireStrictCert is 0 (vendor)" 200 hcurl \
	--cert "$PKI/wrongeku.crt" --key "$PKI/wrongeku.key" -o /dev/null -w '%{http_code}' $H/login
refused "unknown CA (TLS 1.2)" --cert "$PKI/rogue.crt" --key "$PKI/rogue.key" --tls-max 1.2
code_is "HTTP (HTTPSOnly 0) still serves" 200 curl -s -o /dev/null -w '%{http_code}' $P/login
contains "refusal logged: no certificate, with peer" "$WEB_LOG" 'refused client 127\.0\.0\.1:[0-9]+: no client certificate'
contains "refusal logged: expired" "$WEB_LOG" 'refused client 127\.0\.0\.1:[0-9]+: certificate .*operator.*: certificate has expired'
contains "refusal logged: unknown CA" "$WEB_LOG" 'refused client 127\.0\.0\.1:[0-9]+: certificate .*: unable to get local issuer certificate'
hcurl $C -u Admin:Admin $H/api/v1/status >"$T_DIR/api4.json"
contains "refusals counted (no certificate)" "$T_DIR/api4.json" '"refusedNoCertificate":[2-9]'
contains "refusals counted (certificate)" "$T_DIR/api4.json" '"refusedCertificate":[3-9]'
A="--cert $PKI/admin.crt --key $PKI/admin.key"
code_is "own certificate among the trusted roots: no password" 200 hcurl $A -o "$T_DIR/cl.html" -w '%{http_code}' $H/status
contains "logged in as the certificate's CN" "$T_DIR/cl.html" 'Admin, master \(client certificate\)'
code_is "CA-issued certificate alone still needs a password" 303 hcurl $C -o /dev/null -w '%{http_code}' $H/status
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_RequireStrictCert;\nTLSContexts 0 = 1;\n[ \\TLSContexts ]\n' >"$T_DIR/strict.ini"
check "RequireStrictCert on" ini import --incremental "$T_DIR/strict.ini"
check "sbc-web restarted by sbcd after a kill (it reads context 0 at start)" web_restart
refused "wrong EKU refused with RequireStrictCert" --cert "$PKI/wrongeku.crt" --key "$PKI/wrongeku.key"
code_is "valid client with RequireStrictCert" 200 hcurl $C -o /dev/null -w '%{http_code}' $H/login

echo "# HTTPS only"
printf '[WEB Params]\nHTTPSOnly = 1\nHTTPSRequireClientCertificate = 0\n' >"$T_DIR/only.ini"
check "HTTPSOnly on, requirement off" ini import --incremental "$T_DIR/only.ini"
check "save and reset sbcd (sbcd restarts sbc-web)" sbcd_reset
code_is "plain HTTP redirects (301)" 301 curl -s -o /dev/null -w '%{http_code}' "$P/table/ProxySet?x=1"
got=$(curl -s -o /dev/null -w '%{redirect_url}' "$P/table/ProxySet?x=1")
if [ "$got" = "https://127.0.0.1:$HTTPS_PORT/table/ProxySet?x=1" ]; then ok "redirect keeps path and query"; else fail "redirect to '$got'"; fi
got=$(curl -s -o /dev/null -w '%{redirect_url}' -H 'Host: evil"<x>' "$P/")
if [ "$got" = "https://127.0.0.1:$HTTPS_PORT/" ]; then ok "bad Host header not reflected"; else fail "redirect to '$got'"; fi
code_is "HTTPS without client certificate again" 200 hcurl -o /dev/null -w '%{http_code}' $H/login
hcurl -D "$T_DIR/h4" -o /dev/null $H/login
contains "HSTS with HTTPS only" "$T_DIR/h4" 'Strict-Transport-Security: max-age'
check "sbc-web still running" kill -0 "$WEB_PID"
contains "sbcd supervises sbc-web" "$WEB_LOG" 'started sbc-web \(pid'

t_end

#!/bin/bash
# CRLs from CRL distribution points through a real sbcd: a python3 http.server started here serves
# the root's CRL (DER) at the URL the phone certificates name; a good phone is accepted, a phone
# revoked in a replaced CRL is refused on its next handshake and its established connection is
# closed when the CRL is refreshed (80% of its window); with the server down and the nextUpdate
# passed, alarm crlExpired; the CRLStatus rows. Then outgoing TLS: the proxy server certificate's
# distribution point is learned and fetched too, and the proxy connection is closed once its
# server's root is deleted from the context.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
t_begin tls_crl
D=$T_DIR
P=$D/pki
HP=$(free_port)
URL="http://127.0.0.1:$HP/root.crl"
pki_make "$P" >/dev/null 2>&1 || { fail "test PKI"; t_end; exit 1; }
printf '[ cdp ]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = clientAuth\ncrlDistributionPoints = URI:%s\n' "$URL" >>"$P/ca.cnf"
for n in phone1 phone2 phone3; do
	( cd "$P" && openssl ecparam -name prime256v1 -genkey -noout -out "$n.key" ) &&
		pki_sign "$P" "$n" "$n.example.com" cdp ca -days 365 || { fail "PKI: $n"; t_end; exit 1; }
done
# gencrl SECONDS: the root's CRL (what index.txt revokes), DER, put in place atomically
gencrl() {
	( cd "$P" && openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -gencrl \
		-crlsec "$1" -out crl-now.pem 2>/dev/null ) &&
		openssl crl -in "$P/crl-now.pem" -outform DER -out "$D/www/root.crl.new" &&
		mv "$D/www/root.crl.new" "$D/www/root.crl"
}
mkdir -p "$D/www"
check "phone certificates carry the distribution point" \
	sh -c "openssl x509 -in '$P/phone1.crt' -noout -ext crlDistributionPoints | grep -q '$URL'"

# --- sbcd: mutual TLS on interface 0 ---------------------------------------------------------
printf '[SIP Params]\nTLSHandshakeTimeout = 10\nSIPSRequireClientCertificate = 1\nVerifyServerCertificate = 1\n' >"$D/boot.ini"
check "sbcd starts" t_sbcd "$D" "$D/boot.ini"
TLSPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
check "import the server key" ini tls import-key 0 -f "$P/server.key"
check "import the server certificate" ini tls import-cert 0 -f "$P/server-chain.crt"
check "import the trusted roots" ini tls import-roots 0 -f "$P/cas.pem"

# counter NAME [TABLE [ROW]]: a column of a status table row (TLSStatus 0 by default)
counter() {
	local tbl=${2:-TLSStatus} row=${3:-0}
	ini status "$tbl" >"$D/status" 2>&1 || return 1
	python3 -c '
import csv, sys
tbl, row, col = sys.argv[1:4]
cols = None
for line in open(sys.argv[4]):
    line = line.strip()
    if line.startswith("FORMAT " + tbl + "_Index"):
        cols = [c.strip().split("_", 1)[-1] for c in line.split("=", 1)[1].rstrip(";").split(",")]
    elif line.startswith(tbl + " " + row + " =") and cols:
        vals = next(csv.reader([line.split("=", 1)[1].strip().rstrip(";")], skipinitialspace=True))
        print(vals[cols.index(col)])
' "$tbl" "$row" "$1" "$D/status"
}

N=0
# sip_try NAME CERT: one TLS 1.3 connection sending an OPTIONS; GOT200 1/0, ALERT or -.
sip_try() {
	local name=$1 cert=$2
	N=$((N + 1))
	{
		printf 'OPTIONS sip:sbc@127.0.0.1:%s;transport=tls SIP/2.0\r\n' "$TLSPORT"
		printf 'Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-case%s\r\nMax-Forwards: 70\r\n' "$N"
		printf 'From: <sip:tester@127.0.0.1>;tag=t%s\r\nTo: <sip:sbc@127.0.0.1>\r\n' "$N"
		printf 'Call-ID: crl%s-%s@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' "$N" "$$"
		sleep 1
	} | timeout 12 openssl s_client -connect "127.0.0.1:$TLSPORT" -CAfile "$P/ca.crt" \
		-cert "$P/$cert.crt" -key "$P/$cert.key" >"$D/c-$name.out" 2>&1
	GOT200=0
	grep -q 'SIP/2.0 200 OK' "$D/c-$name.out" && GOT200=1
	ALERT=$(grep -o 'SSL alert number [0-9]*' "$D/c-$name.out" | head -1 | grep -o '[0-9]*$')
	ALERT=${ALERT:--}
}

# outcome NAME CERT WANT200 COUNTER: the answer and the TLSStatus counter that moved by one
outcome() {
	local name=$1 cert=$2 want=$3 col=$4 before after
	before=$(counter "$col")
	sip_try "$name" "$cert"
	after=$(counter "$col")
	if [ "$GOT200" = "$want" ] && [ "$after" = $((before + 1)) ]; then
		ok "$name: 200=$GOT200 alert=$ALERT, $col $after"
	else
		fail "$name: 200=$GOT200 (want $want) alert=$ALERT $col $before -> $after"
		sed 's/^/       | /' "$D/c-$name.out" | tail -6
	fi
}

# hold.py: one connection, OPTIONS answered 200, prints "up", then "closed" when the SBC ends
# it or "open" after S seconds
cat >"$D/hold.py" <<'X'
import socket, ssl, sys
port, ca, crt, key, secs = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5])
ctx = ssl.create_default_context(cafile=ca); ctx.check_hostname = False
ctx.load_cert_chain(crt, key)
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
s.sendall(("OPTIONS sip:sbc@127.0.0.1:%d;transport=tls SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-h\r\n"
           "Max-Forwards: 70\r\nFrom: <sip:h@127.0.0.1>;tag=h\r\nTo: <sip:sbc@127.0.0.1>\r\n"
           "Call-ID: hold-%s@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (port, crt)).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    buf += s.recv(4096)
print("up" if buf.startswith(b"SIP/2.0 200") else "bad", flush=True)
s.settimeout(secs)
try:
    while s.recv(4096):
        pass
    print("closed", flush=True)
except socket.timeout:
    print("open", flush=True)
except (ssl.SSLError, OSError):
    print("closed", flush=True)
X

# --- the distribution point --------------------------------------------------------------------
check "a first CRL to serve" gencrl 30
python3 -m http.server "$HP" --bind 127.0.0.1 --directory "$D/www" >"$D/http.log" 2>&1 &
HTTP_PID=$!
t_track $HTTP_PID
check "the HTTP server serves it" wait_for "curl -sf -o /dev/null '$URL'" 50

outcome "distribution points off: phone1 accepted" phone1 1 HandshakesAccepted
crl_rows() { ini status CRLStatus 2>&1 | grep -c '^CRLStatus [0-9]'; }
check "CRLStatus is empty" test "$(crl_rows)" = 0
printf '[TLSContexts]\nFORMAT TLSContexts_Index = TLSContexts_CrlDistributionPointEnable;\nTLSContexts 0 = 1;\n[\\TLSContexts]\n' >"$D/cdp.ini"
check "the first CRL (nothing of ours revoked, nextUpdate in 45 s)" gencrl 45
check "CrlDistributionPointEnable 1 on context 0" ini import --incremental "$D/cdp.ini"
outcome "phone1 (good, first seen: its URL is learned)" phone1 1 HandshakesAccepted
check "the CRL is fetched from the URL" wait_for '[ "$(counter State CRLStatus 0)" = 1 ]' 50
check "CRLStatus: source is the URL" test "$(counter Source CRLStatus 0)" = "$URL"
check "CRLStatus: issuer is the root" test "$(counter Issuer CRLStatus 0)" = "CN=Test-Root-CA"
check "CRLStatus: thisUpdate and nextUpdate shown" \
	sh -c "[ -n \"\$1\" ] && [ -n \"\$2\" ]" _ "$(counter ThisUpdate CRLStatus 0)" "$(counter NextUpdate CRLStatus 0)"
LF="$(counter LastFetch CRLStatus 0)/$(counter RevokedCount CRLStatus 0)"
check "CRLStatus: last fetch ok, the CRL revokes 1 (pki's 'revoked'): $LF" test "$LF" = "ok: 1 revoked/1"
contains "the fetch is logged" "$D/sbcd.log" "CRL of 'CN=Test-Root-CA' from $URL \(TLS context 0\): 1 revoked"
outcome "phone2 (good)" phone2 1 HandshakesAccepted
outcome "the pki's revoked certificate (no distribution point of its own): its issuer's CRL applies" revoked 0 RejectedRevoked

python3 "$D/hold.py" "$TLSPORT" "$P/ca.crt" "$P/phone2.crt" "$P/phone2.key" 60 >"$D/hold-p2.out" 2>&1 &
H1=$!; t_track $H1
python3 "$D/hold.py" "$TLSPORT" "$P/ca.crt" "$P/phone1.crt" "$P/phone1.key" 60 >"$D/hold-p1.out" 2>&1 &
H2=$!; t_track $H2
check "established connections of phone1 and phone2" \
	wait_for "grep -q up '$D/hold-p2.out' && grep -q up '$D/hold-p1.out'" 50
closed0=$(counter ClosedTrustChange)
( cd "$P" && openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -revoke phone2.crt 2>/dev/null )
check "phone2 revoked: a new CRL replaces the first (nextUpdate in 30 s)" gencrl 30
check "the refresh (at 80% of the first CRL's window) closes phone2's established connection" \
	wait_for "grep -q closed '$D/hold-p2.out'" 450
check "CRLStatus: the new CRL revokes 2" test "$(counter RevokedCount CRLStatus 0)" = 2
check "TLSStatus ClosedTrustChange counted" test "$(counter ClosedTrustChange)" = $((closed0 + 1))
contains "logged with the reason" "$D/sbcd.log" \
	"connection closed: the peer certificate no longer verifies after a trust change \(certificate revoked\).*CN=phone2.example.com"
contains "the recheck says why" "$D/sbcd.log" "new CRL from a distribution point \(TLS context 0\): [0-9]+ established connections? kept, 1 closed"
outcome "phone2 refused on its next handshake" phone2 0 RejectedRevoked
check "with the certificate_revoked alert" test "$ALERT" = 44
outcome "phone1 still accepted" phone1 1 HandshakesAccepted
check "phone1's connection stays" wait_for "! grep -q closed '$D/hold-p1.out'" 1

# --- the distribution point goes down: the nextUpdate passes ---------------------------------
kill "$HTTP_PID"
wait "$HTTP_PID" 2>/dev/null
alarm() { ini status Alarms 2>&1 | grep crlExpired; }
check "alarm crlExpired once the nextUpdate passes" wait_for alarm 400
alarm >"$D/alarm.out"
check "the alarm names the context, the issuer and the URL" \
	grep -q "CRL of 'CN=Test-Root-CA' for TLS context 0 from $URL passed its nextUpdate" "$D/alarm.out"
check "CRLStatus: state expired (2)" test "$(counter State CRLStatus 0)" = 2
# the next attempt comes at most 30 s after the last one (the retry interval after a failure)
check "CRLStatus: the failed fetch is shown" wait_for 'LF=$(counter LastFetch CRLStatus 0); [ "${LF#failed: }" != "$LF" ]' 400
outcome "an expired fetched CRL still revokes phone2" phone2 0 RejectedRevoked
kill "$H1" "$H2" 2>/dev/null
check "turning distribution points off clears the alarm" sh -c \
	"printf '[TLSContexts]\nFORMAT TLSContexts_Index = TLSContexts_CrlDistributionPointEnable;\nTLSContexts 0 = 0;\n[\\\\TLSContexts]\n' >'$D/nocdp.ini' && '$BIN/sbc-ini' --socket '$SOCK' import --incremental '$D/nocdp.ini'"
check "alarm cleared" wait_for "! ini status Alarms 2>&1 | grep -q crlExpired" 50
check "CRLStatus empty again" wait_for '[ "$(crl_rows)" = 0 ]' 50
outcome "off: phone2 accepted again (no CRL of the context revokes it)" phone2 1 HandshakesAccepted
check "an imported CRL is listed as such" ini tls import-crl 0 -f "$P/crl.pem"
check "CRLStatus: source imported" test "$(counter Source CRLStatus 0)" = imported
check "delete the imported CRL" ini tls delete-crl 0

# --- outgoing TLS: a proxy connection closed when its server's root is deleted ---------------
( cd "$P" && openssl ecparam -name prime256v1 -genkey -noout -out proxy-ca.key &&
	openssl req -x509 -new -key proxy-ca.key -subj /CN=Proxy-Root-CA -days 3650 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		-out proxy-ca.crt 2>/dev/null &&
	openssl ecparam -name prime256v1 -genkey -noout -out proxysrv.key ) || fail "PKI: proxy CA"
# the proxy server's certificate names the proxy CA's CRL, served on another port
HP2=$(free_port)
URL2="http://127.0.0.1:$HP2/proxy.crl"
printf '[ srvcdp ]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost,IP:127.0.0.1\ncrlDistributionPoints = URI:%s\n' "$URL2" >>"$P/ca.cnf"
pki_sign "$P" proxysrv localhost srvcdp proxy-ca -days 365 || fail "PKI: proxy server"
mkdir -p "$P/pca/newcerts" "$D/www2" && : >"$P/pca/index.txt" && echo 1000 >"$P/pca/crlnumber" &&
	cp "$P/ca.cnf" "$P/pca/ca.cnf" &&
	( cd "$P/pca" && openssl ca -batch -config ca.cnf -cert ../proxy-ca.crt -keyfile ../proxy-ca.key \
		-gencrl -crldays 1 -out "$D/www2/proxy.crl" 2>/dev/null ) || fail "PKI: the proxy CA's CRL"
python3 -m http.server "$HP2" --bind 127.0.0.1 --directory "$D/www2" >"$D/http2.log" 2>&1 &
t_track $!
check "distribution points on again" ini import --incremental "$D/cdp.ini"
cat >"$D/sipserver.py" <<'X'
import socket, ssl, sys, threading
port, crt, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(crt, key)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(16)
def serve(c):
    try:
        c = ctx.wrap_socket(c, server_side=True); buf = b""
        print("conn up", flush=True)
        while True:
            d = c.recv(65536)
            if not d: break
            buf += d
            while b"\r\n\r\n" in buf:
                head, _, buf = buf.partition(b"\r\n\r\n")
                keep = [l for l in head.split(b"\r\n")[1:] if l.split(b":")[0].lower() in
                        (b"via", b"from", b"to", b"call-id", b"cseq")]
                c.sendall(b"SIP/2.0 200 OK\r\n" + b"\r\n".join(keep) + b"\r\nContent-Length: 0\r\n\r\n")
    except Exception as e:
        print("conn error:", e, flush=True)
    print("conn closed by the SBC", flush=True)
print("ready", flush=True)
while True:
    c, _ = s.accept(); threading.Thread(target=serve, args=(c,), daemon=True).start()
X
SP=$(free_port)
python3 "$D/sipserver.py" "$SP" "$P/proxysrv.crt" "$P/proxysrv.key" >"$D/srv.log" 2>&1 &
t_track $!
check "the TLS SIP server listens" wait_for "grep -q ready '$D/srv.log'" 100
check "its root is trusted by context 0" ini tls import-roots 0 -f "$P/proxy-ca.crt"
cat >"$D/proxies.ini" <<X
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime;
ProxySet 1 = "upstream", 1, 5;
[ \ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 0 = "1", 0, "127.0.0.1:$SP", 2;
[ \ProxyIp ]
X
check "a TLS proxy set with keep-alive" ini import --incremental "$D/proxies.ini"
check "the server is up by keep-alive over TLS" wait_for '[ "$(counter State ProxyStatus 0)" = 1 ]' 100
check "its verified subject is shown" test "$(counter TLSPeerSubject ProxyStatus 0)" = CN=localhost
check "one connection is up at the server" grep -q "conn up" "$D/srv.log"
# outgoing: the server certificate's distribution point is learned and its CRL fetched too
crl_row() { ini status CRLStatus 2>&1 | grep -F "\"$URL2\""; }
check "CRLStatus: the proxy CA's CRL fetched from the server certificate's URL" \
	wait_for 'crl_row | grep -q "\"CN=Proxy-Root-CA\", .*, 1, 0, \"ok: 0 revoked"' 300
ini tls roots 0 >"$D/roots.out" 2>&1
ROOTIDX=$(python3 -c '
import re, sys
for line in open(sys.argv[1]):
    if "Proxy-Root-CA" in line:
        m = re.match(r"\s*(\d+)", line)
        if m: print(m.group(1)); break
' "$D/roots.out")
closed0=$(counter ClosedTrustChange)
check "delete the proxy's root (index ${ROOTIDX:-?})" ini tls delete-root 0 "$ROOTIDX"
check "the SBC closes the established outgoing connection" wait_for "grep -q 'conn closed by the SBC' '$D/srv.log'" 50
contains "logged with the reason" "$D/sbcd.log" \
	"TLS server 127.0.0.1:$SP \('CN=localhost'\) on interface '[^']*': TLS: connection closed: the server certificate no longer verifies after a trust change"
check "counted in ClosedTrustChange" test "$(counter ClosedTrustChange)" = $((closed0 + 1))
check "the proxy goes down (no new connection verifies)" wait_for '[ "$(counter State ProxyStatus 0)" != 1 ]' 150
t_end

#!/bin/bash
# SIP identity through a real sbcd (issue 15): a certificate registers over mutual TLS
# (openssl s_client); a plain UDP peer cannot add a binding to that AOR nor remove its bindings
# (403, bindings unchanged); a valid certificate of another identity is refused, and with
# TLSIdentityBinding aor-match a certificate must name the AOR; digest registration (sipp
# [authentication]) over UDP and TCP and a digest call (407) to a registered sipp UAS; a wrong
# password, a replayed nonce count and a stale nonce; MaxNumOfRegUsers full; BlockUnRegUsers.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
source "$(dirname "$0")/../sip/lib-sip.sh"
t_begin sip_identity
D=$T_DIR
PKI=$D/pki
pki_make "$PKI" >"$D/pki.log" 2>&1 || { fail "test PKI"; t_end; exit 1; }
# alice's certificate names her AOR (URI SAN); client-rsa is a valid client of another identity
printf '[ alice ]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = clientAuth\nsubjectAltName = URI:sip:alice@127.0.0.1\n' >>"$PKI/ca.cnf"
(cd "$PKI" && openssl ecparam -name prime256v1 -genkey -noout -out alice.key) &&
	pki_sign "$PKI" alice alice alice inter -days 365 >>"$D/pki.log" 2>&1 &&
	cat "$PKI/alice.crt" "$PKI/inter.crt" >"$PKI/alice-chain.crt" || { fail "alice's certificate"; t_end; exit 1; }

printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n' >"$D/boot.ini"
if rt_sbcd "$D" "$D/boot.ini"; then ok "sbcd starts"; else fail "sbcd starts"; t_end; exit 1; fi
TLS_P=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
check "the test CAs are the roots of context 'default'" \
	"$BIN/sbc-ini" --socket "$SOCK" tls import-roots default -f "$PKI/cas.pem"

# st TABLE ROW COLUMN: a column of a status table row ("" when the row is absent)
st() {
	"$BIN/sbc-ini" --socket "$SOCK" status "$1" | python3 -c '
import sys, csv
t, row, col = sys.argv[1], sys.argv[2], sys.argv[3]
cols = None
for line in sys.stdin:
    line = line.strip()
    if line.startswith("FORMAT"):
        cols = [c.strip().split("_", 1)[-1] for c in line.split("=", 1)[1].rstrip(";").split(",")]
    elif line.startswith(t + " " + row + " ="):
        vals = next(csv.reader([line.split("=", 1)[1].rstrip(";")], skipinitialspace=True))
        print(vals[cols.index(col)].strip())' "$1" "$2" "$3"
}
nregs() { "$BIN/sbc-ini" --socket "$SOCK" status Registrations | grep -c '^Registrations [0-9]'; }
ids() { st SIPIdentityStatus 0 "$1"; }
# dig ARGS: tests/sip/digreg.py to interface 0 (UDP/TCP port SBC_PORT); output in DIG
dig() {
	local pid
	python3 "$SIPDIR/digreg.py" --to 127.0.0.1:"$SBC_PORT" "$@" >"$D/dig.out" 2>&1 &
	pid=$!
	t_track "$pid"
	wait "$pid"
	DIG=$(cat "$D/dig.out")
	{ echo "# digreg $*"; echo "$DIG"; } >>"$D/dig.log"
}
# tls_reg NAME CERT USER [CONTACT-EXTRA]: a REGISTER over mutual TLS with CERT, connection kept
# open 60 s in the background (its output in $D/tls-NAME.out); waits for the final response
tls_reg() {
	local name=$1 cert=$2 user=$3 contact=${4:-"<sip:$3@127.0.0.1:5999;transport=tls>"} pid
	{
		printf 'REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5999;branch=z9hG4bK-%s\r\n' "$name"
		printf 'Max-Forwards: 70\r\nFrom: <sip:%s@127.0.0.1>;tag=%s\r\nTo: <sip:%s@127.0.0.1>\r\n' "$user" "$name" "$user"
		printf 'Call-ID: %s@sip-identity\r\nCSeq: 1 REGISTER\r\nContact: %s\r\n' "$name" "$contact"
		[ "$contact" = "*" ] && printf 'Expires: 0\r\n'
		printf 'Content-Length: 0\r\n\r\n'
		sleep 60
	} | timeout 70 openssl s_client -connect 127.0.0.1:"$TLS_P" -CAfile "$PKI/ca.crt" \
		-cert "$PKI/$cert" -key "$PKI/${cert%%-chain.crt}.key" -ign_eof >"$D/tls-$name.out" 2>&1 &
	pid=$!
	t_track "$pid"
	wait_for "grep -q '^SIP/2.0 [2-6]' '$D/tls-$name.out'" 100
}
tls_status() { grep -o 'SIP/2.0 [0-9]*' "$D/tls-$1.out" | head -1 | cut -d' ' -f2; }

# --- 1. certificate-bound registration and the hijack ---
tls_reg alice alice-chain.crt alice
check "alice registers over mutual TLS: 200" test "$(tls_status alice)" = 200
check "Registrations shows her certificate subject" wait_for '[ "$(st Registrations 0 CertificateSubject)" = "CN=alice" ]' 20
check "and how she authenticated" test "$(st Registrations 0 Authentication)" = certificate
dig --user alice --contact "sip:mallory@127.0.0.1:6666"
check "a UDP peer adding a binding to alice: 403" grep -q '^status 403 reason SIP;cause=403;text=".*bound to certificate' "$D/dig.out"
dig --user alice --wildcard
check "a UDP peer removing all of alice's bindings (Contact: *, Expires: 0): 403" grep -q '^status 403' "$D/dig.out"
dig --transport tcp --user alice --wildcard
check "the same over TCP: 403" grep -q '^status 403' "$D/dig.out"
check "alice's binding is unchanged (one, over TLS)" test "$(nregs)/$(st Registrations 0 Transport)" = 1/tls
check "IdentityMismatches counts the three" test "$(ids IdentityMismatches)" = 3
contains "sbcd logged the refusal with peer and AOR" "$D/sbcd.log" "REGISTER from 127.0.0.1:[0-9]* for sip:alice@127.0.0.1 on interface .* refused 403"
tls_reg other client-rsa-chain.crt alice '*'
check "another valid certificate removing alice's bindings: 403" test "$(tls_status other)" = 403
check "alice still registered" test "$(nregs)" = 1

# --- 2. TLSIdentityBinding aor-match: the certificate must name the AOR ---
check "TLSIdentityBinding aor-match set live" sbc_import '[ SIPInterface ]' \
	'FORMAT SIPInterface_Index = SIPInterface_TLSIdentityBinding;' 'SIPInterface 0 = 2;' '[ \SIPInterface ]'
tls_reg carol client-rsa-chain.crt carol
check "a valid certificate for another AOR (carol): 403" test "$(tls_status carol)" = 403
contains "with a Reason" "$D/tls-carol.out" "^Reason: SIP;cause=403;text=\"certificate 'CN=client-rsa.example.com' does not match"
tls_reg alice2 alice-chain.crt alice "<sip:alice@127.0.0.1:5998;transport=tls>"
check "alice's certificate for her AOR: 200" test "$(tls_status alice2)" = 200
check "Registrations shows the check" wait_for '"$BIN/sbc-ini" --socket "$SOCK" status Registrations | grep -q "aor-match: URI sip:alice@127.0.0.1 = AOR"' 20

# --- 3. digest (SHA-256 and MD5) with sipp and a client of ours ---
check "credentials and AuthenticationMode digest" sbc_import '[ SIPInterface ]' \
	'FORMAT SIPInterface_Index = SIPInterface_TLSIdentityBinding, SIPInterface_AuthenticationMode, SIPInterface_DigestAlgorithms;' \
	'SIPInterface 0 = 0, 2, 1;' '[ \SIPInterface ]' '[ SIPCredentials ]' \
	'FORMAT SIPCredentials_Index = SIPCredentials_Username, SIPCredentials_Password;' \
	'SIPCredentials 0 = "dave", "dave-secret";' 'SIPCredentials 1 = "erin", "erin-secret";' \
	'[ \SIPCredentials ]'
"$BIN/sbc-ini" --socket "$SOCK" export >"$D/export.ini" 2>&1
check "the password is never exported (neither clear nor hash)" \
	bash -c "! grep -q -e dave-secret -e '\\\$ha1\\\$' '$D/export.ini'"
check "the flash keeps HA1s, not the password" bash -c "sleep 0; ! grep -rq dave-secret '$D/flash'"
dig --user dave
check "REGISTER without credentials: 401" grep -q '^status 401' "$D/dig.out"
sipp_reg() {
	local t=$1 user=$2 pass=$3 pid
	sipp -sf "$SIPDIR/reg_auth.xml" -i 127.0.0.1 -p "$(free_udp)" -t "$t" -m 1 -nostdin \
		-key user "$user" -au "$user" -ap "$pass" -timeout 15 -timeout_error \
		-trace_msg -message_file "$D/reg-$user-$t.msg" 127.0.0.1:"$SBC_PORT" \
		>"$D/reg-$user-$t.out" 2>&1 &
	pid=$!
	t_track "$pid"
	wait "$pid"
}
# DigestAlgorithms md5-sha-256: sipp 3.6.1 reads only the first challenge and knows only MD5
check "sipp digest REGISTER over UDP: 200" sipp_reg u1 dave dave-secret
check "sipp digest REGISTER over TCP: 200" sipp_reg t1 erin erin-secret
check "Registrations shows digest" "$BIN/sbc-ini" --socket "$SOCK" status Registrations | grep -q 'digest-'
expect_fail "sipp with a wrong password fails" sipp_reg u1 dave wrong
contains "the wrong password got 403" "$D/reg-dave-u1.msg" "SIP/2.0 403"
check "AuthFailures counts it" test "$(ids AuthFailures)" -ge 1
dig --user dave --password dave-secret --replay
check "our client: 200 then the replayed nonce count 401" test "$(echo "$DIG" | tr '\n' ' ')" = "status 401 status 200 status 401 "
check "ReplayedNonces counts it" test "$(ids ReplayedNonces)" = 1
dig --user dave --password dave-secret --alg MD5
check "MD5: 200" test "$(echo "$DIG" | tail -1)" = "status 200"
check "nonce lifetime 1 s" sbc_import '[SIP Params]' 'SIPDigestNonceLifetime = 1'
dig --user dave --password dave-secret --stale 2
check "an expired nonce: 401 stale=true" test "$(echo "$DIG" | tail -1)" = "status 401 stale"
check "StaleNonces counts it" test "$(ids StaleNonces)" = 1
sbc_import '[SIP Params]' 'SIPDigestNonceLifetime = 300' >/dev/null

# a digest call: erin's phone is a sipp UAS registered (with digest) at its own address
UAS_P=$(free_udp)
check "erin's UAS is up" uas_start erin u1 "$UAS_P"
dig --user erin --password erin-secret --contact "sip:erin@127.0.0.1:$UAS_P"
check "erin registered at her UAS" test "$(echo "$DIG" | tail -1)" = "status 200"
sipp_call() {
	local t=$1 pid
	sipp -sf "$SIPDIR/uac_auth.xml" -i 127.0.0.1 -p "$(free_udp)" -t "$t" -m 1 -nostdin \
		-key user dave -au dave -ap dave-secret -s erin -timeout 20 -timeout_error \
		-trace_msg -message_file "$D/call-$t.msg" 127.0.0.1:"$SBC_PORT" >"$D/call-$t.out" 2>&1 &
	pid=$!
	t_track "$pid"
	wait "$pid"
}
check "sipp digest call over UDP completes (407, then 200)" sipp_call u1
contains "the INVITE was challenged 407" "$D/call-u1.msg" "SIP/2.0 407"
check "sipp digest call over TCP completes" sipp_call t1
check "erin's UAS got both INVITEs" test "$(uas_invites erin)" = 2

# --- 4. MaxNumOfRegUsers and BlockUnRegUsers ---
n=$(ids RegisteredUsers)
check "MaxNumOfRegUsers = the users registered now ($n), AuthenticationMode none" sbc_import \
	'[ SIPInterface ]' 'FORMAT SIPInterface_Index = SIPInterface_AuthenticationMode, SIPInterface_MaxNumOfRegUsers;' \
	"SIPInterface 0 = 0, $n;" '[ \SIPInterface ]'
dig --user frank
check "a new user when full: 503 with a Reason" grep -q '^status 503 reason .*MaxNumOfRegUsers' "$D/dig.out"
dig --user dave
check "a registered user still refreshes" test "$(echo "$DIG" | tail -1)" = "status 200"
check "RegistrationLimitRefused counts it" test "$(ids RegistrationLimitRefused)" = 1
check "BlockUnRegUsers enable" sbc_import '[ SIPInterface ]' \
	'FORMAT SIPInterface_Index = SIPInterface_BlockUnRegUsers;' 'SIPInterface 0 = 1;' '[ \SIPInterface ]'
sipreq --method MESSAGE --from-user mallory --user erin --timeout 5
check "MESSAGE from an unregistered user: 403" test "$(final_of "$REQ_OUT")" = 403
check "with a Reason" grep -q 'user not registered' <<<"$REQ_OUT"
sipreq --method MESSAGE --from-user dave --user erin --timeout 5
check "MESSAGE from a registered user goes through" test "$(final_of "$REQ_OUT")" = 200
check "UnregisteredRefused counts it" test "$(ids UnregisteredRefused)" = 1

check "sbcd is still running" kill -0 "$SBCD_PID"
t_end

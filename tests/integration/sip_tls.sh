#!/bin/bash
# SIP over TLS with mutual authentication through a real sbcd: openssl s_client peers
# (certificate matrix, alerts, TLSStatus counters), the reset-required global switch, the
# per-interface override, live material (trusted roots, CRL, device certificate) without a
# reset, stalled handshakes, and a registered call between two sipp users behind socat.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
t_begin sip_tls
D=$T_DIR
P=$D/pki
pki_make "$P" >/dev/null 2>&1 || { fail "test PKI"; t_end; exit 1; }
# an ECDSA client through the intermediate, and a CRL of the intermediate (with a CRL loaded,
# every CA of a chain needs one)
( cd "$P" && openssl ecparam -name prime256v1 -genkey -noout -out client-ec2.key ) &&
	pki_sign "$P" client-ec2 client-ec2.example.com client inter -days 365 &&
	cat "$P/client-ec2.crt" "$P/inter.crt" >"$P/client-ec2-chain.crt" &&
	( cd "$P" && openssl ca -batch -config ca.cnf -cert inter.crt -keyfile inter.key -gencrl \
		-out inter-crl.pem 2>/dev/null ) &&
	cat "$P/crl.pem" "$P/inter-crl.pem" >"$P/crls.pem" || { fail "extra PKI"; t_end; exit 1; }

printf '[SIP Params]\nTLSHandshakeTimeout = 2\n' >"$D/boot.ini"
check "sbcd starts" t_sbcd "$D" "$D/boot.ini"
TLSPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
tls() { ini tls "$@"; }

# counter NAME: the TLSStatus column of SIP interface 0
counter() {
	ini status TLSStatus >"$D/status" 2>&1 || return 1
	awk -v col="$1" '
		/^FORMAT TLSStatus_Index/ { sub(/^FORMAT TLSStatus_Index = /, ""); sub(/;.*/, "")
			n = split($0, h, /, */); for (i = 1; i <= n; i++) { sub(/^TLSStatus_/, "", h[i]); if (h[i] == col) k = i } }
		/^TLSStatus 0 = / { sub(/^TLSStatus 0 = /, ""); sub(/;.*/, ""); split($0, v, /, */); print v[k] }' "$D/status"
}

N=0
# sip_try NAME CERT|- [s_client options]: one TLS connection sending an OPTIONS.
# Output in $D/c-NAME.out; sets GOT200 (1/0) and ALERT (the alert number the client received, or -).
sip_try() {
	local name=$1 cert=$2; shift 2
	local args=(-connect "127.0.0.1:$TLSPORT" -CAfile "$P/ca.crt" -verify_return_error -ign_eof)
	N=$((N + 1))
	case $cert in
	-) ;;
	*) args+=(-cert "$P/$cert.crt" -key "$P/$cert.key")
	   [ -e "$P/$cert-chain.crt" ] && args=(-connect "127.0.0.1:$TLSPORT" -CAfile "$P/ca.crt" \
		-verify_return_error -ign_eof -cert "$P/$cert-chain.crt" -key "$P/$cert.key") ;;
	esac
	{
		printf 'OPTIONS sip:sbc@127.0.0.1:%s;transport=tls SIP/2.0\r\n' "$TLSPORT"
		printf 'Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-case%s\r\nMax-Forwards: 70\r\n' "$N"
		printf 'From: <sip:tester@127.0.0.1>;tag=t%s\r\nTo: <sip:sbc@127.0.0.1>\r\n' "$N"
		printf 'Call-ID: case%s-%s@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' "$N" "$$"
		sleep 1
	} | timeout 5 openssl s_client "${args[@]}" "$@" >"$D/c-$name.out" 2>&1
	GOT200=0
	grep -q 'SIP/2.0 200 OK' "$D/c-$name.out" && GOT200=1
	ALERT=$(grep -o 'SSL alert number [0-9]*' "$D/c-$name.out" | head -1 | grep -o '[0-9]*$')
	ALERT=${ALERT:--}
}

# accepted NAME CERT [opts]: 200 OK and HandshakesAccepted moved by one
accepted() {
	local name=$1 before after
	before=$(counter HandshakesAccepted)
	sip_try "$@"
	after=$(counter HandshakesAccepted)
	if [ "$GOT200" = 1 ] && [ "$after" = $((before + 1)) ]; then ok "$name: 200 OK, HandshakesAccepted $after"
	else fail "$name: 200=$GOT200 alert=$ALERT HandshakesAccepted $before -> $after"; sed 's/^/       | /' "$D/c-$name.out" | tail -8; fi
}

# refused NAME CERT COUNTER ALERT [opts]: no SIP reply, the alert, that counter moved by one
refused() {
	local name=$1 cert=$2 col=$3 want=$4 before after acc0 acc1; shift 4
	before=$(counter "$col"); acc0=$(counter HandshakesAccepted)
	sip_try "$name" "$cert" "$@"
	after=$(counter "$col"); acc1=$(counter HandshakesAccepted)
	if [ "$GOT200" = 0 ] && [ "$ALERT" = "$want" ] && [ "$after" = $((before + 1)) ] && [ "$acc0" = "$acc1" ]; then
		ok "$name: refused with alert $ALERT, $col $after"
	else
		fail "$name: 200=$GOT200 alert=$ALERT (want $want) $col $before -> $after accepted $acc0 -> $acc1"
		sed 's/^/       | /' "$D/c-$name.out" | tail -8
	fi
}

# reset_sbcd: save, reset, wait for the new engine to listen
reset_sbcd() {
	ini save >/dev/null && ini reset >/dev/null || return 1
	sleep 0.5
	wait_for "$BIN/sbc-ini --socket $SOCK info" 100 &&
		wait_for "timeout 2 openssl s_client -connect 127.0.0.1:$TLSPORT </dev/null" 50
}

# --- device certificate, key and roots of context 0, live ---------------------------------
check "import the server key into context 0" tls import-key 0 -f "$P/server.key"
check "import the server certificate with its chain" tls import-cert 0 -f "$P/server-chain.crt"
check "import the trusted roots (root + intermediate)" tls import-roots 0 -f "$P/cas.pem"
contains "the engine took the new material without a reset" "$D/sbcd.log" \
	"interface 'SIPInterface_0' TLS port $TLSPORT: new material of TLS context 0 in force"
sip_try server-cert - -verify_hostname localhost
if [ "$GOT200" = 1 ] && grep -q 'Verification: OK' "$D/c-server-cert.out"; then
	ok "the new device certificate is presented (verified against the test CA) and OPTIONS gets 200"
else fail "new device certificate not in use"; tail -5 "$D/c-server-cert.out"; fi
# a key without its certificate: the verbs stage it (awaiting its certificate, doc/TLS.md); the
# engine never sees it, keeps the material in force, and the handshake still works
tls import-key 0 -f "$P/client.key" >"$D/staged.out" 2>&1
contains "a key that does not match the certificate is staged, not given to the engine" \
	"$D/staged.out" "^staged: the key does not match"
sip_try server-cert2 - -verify_hostname localhost
if [ "$GOT200" = 1 ] && grep -q 'Verification: OK' "$D/c-server-cert2.out"; then
	ok "the previous device certificate and key stay in force"
else fail "handshake after a mismatched key"; tail -5 "$D/c-server-cert2.out"; fi
check "the right key back" tls import-key 0 -f "$P/server.key"

# --- mutual authentication is reset-required --------------------------------------------
check "mutual authentication off at boot" test "$(counter MutualAuthentication)" = 0
accepted "no client certificate while mutual authentication is off" -
printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n' >"$D/mutual.ini"
check "SIPSRequireClientCertificate=1 by an incremental import" ini import --incremental "$D/mutual.ini"
ini pending >"$D/pending" 2>&1
contains "it is pending" "$D/pending" "SIPSRequireClientCertificate"
accepted "not in force before the reset: a client without a certificate still gets 200" -
check "TLSStatus still says mutual authentication off" test "$(counter MutualAuthentication)" = 0
check "save and reset" reset_sbcd
check "after the reset mutual authentication is in force" test "$(counter MutualAuthentication)" = 1
ini pending >"$D/pending2" 2>&1
if grep -q SIPSRequireClientCertificate "$D/pending2"; then fail "still pending after the reset"; else ok "nothing pending after the reset"; fi

# --- certificate matrix, mutual authentication on ---------------------------------------
accepted "ECDSA client through the intermediate" client-ec2
accepted "ECDSA client of the root" client
accepted "RSA client through the intermediate" client-rsa
accepted "ECDSA client over TLS 1.2" client -tls1_2
refused "no client certificate, TLS 1.3" - RejectedNoCertificate 116
refused "no client certificate, TLS 1.2" - RejectedNoCertificate 40 -tls1_2
refused "client of an unknown CA" rogue RejectedUnknownCA 48
refused "self-signed CA certificate as client" rogue-ca RejectedUnknownCA 48
refused "expired client certificate" expired RejectedExpired 45
refused "not yet valid client certificate" future RejectedExpired 42
refused "serverAuth-only EKU" serveronly RejectedBadPurpose 43
accepted "revoked client before a CRL is imported" revoked

# --- live trusted roots --------------------------------------------------------------------
refused "client of a CA not yet trusted" rogue RejectedUnknownCA 48
check "import that CA as a trusted root" tls import-roots 0 -f "$P/rogue-ca.crt"
accepted "the next handshake of that client succeeds, no reset" rogue
pos=$(tls roots 0 | awk -F'\t' '/subject=CN=Rogue-CA/ { print $1 }')
check "delete that root again" tls delete-root 0 "$pos"
refused "and the next handshake is refused again" rogue RejectedUnknownCA 48

# --- live CRL -----------------------------------------------------------------------------
# a connection established before the CRL import, kept open through a FIFO
mkfifo "$D/persist.in"
timeout 30 openssl s_client -connect "127.0.0.1:$TLSPORT" -cert "$P/client.crt" -key "$P/client.key" \
	-CAfile "$P/ca.crt" -quiet <"$D/persist.in" >"$D/persist.out" 2>&1 &
PERSIST=$!
t_track "$PERSIST"
exec 8>"$D/persist.in"
wait_for "test \$(counter ActiveConnections) -ge 1" 50
check "import the CRLs of the root and the intermediate" tls import-crl 0 -f "$P/crls.pem"
refused "revoked client certificate after the CRL import" revoked RejectedRevoked 44
accepted "ECDSA client of the root still accepted with the CRL" client
accepted "RSA client through the intermediate still accepted with the CRL" client-rsa
contains "the log reports the kept connection" "$D/sbcd.log" \
	"new material of TLS context 0 in force for new handshakes, [1-9][0-9]* established connection"
printf 'OPTIONS sip:sbc@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-persist\r\nMax-Forwards: 70\r\nFrom: <sip:p@127.0.0.1>;tag=p\r\nTo: <sip:sbc@127.0.0.1>\r\nCall-ID: persist@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' >&8
wait_for "grep -q '^SIP/2.0 200' '$D/persist.out'" 50
contains "the connection established before the material changes still carries SIP (200 OK)" \
	"$D/persist.out" "^SIP/2.0 200"
exec 8>&-

# --- stalled handshakes -----------------------------------------------------------------
before=$(counter RejectedTimeout)
start=$(date +%s.%N)
python3 - "$TLSPORT" >"$D/stall.out" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(8)
t = time.time()
try:
    d = s.recv(100)
    print("closed after %.1f s (%d bytes)" % (time.time() - t, len(d)))
except socket.timeout:
    print("still open after 8 s")
PY
contains "a client that never sends a ClientHello is closed after TLSHandshakeTimeout (2 s)" \
	"$D/stall.out" "closed after [23]\.[0-9] s"
check "RejectedTimeout moved" test "$(counter RejectedTimeout)" = $((before + 1))
contains "the timeout is logged with the peer" "$D/sbcd.log" "TLS rejected \(timeout: handshake not done in 2000 ms\).*peer 127\.0\.0\.1:"

# --- interface override --------------------------------------------------------------------
printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_TLSMutualAuthentication;\nSIPInterface 0 = 0;\n[\\SIPInterface]\n' >"$D/if0.ini"
check "interface 0 sets mutual authentication off (global on)" ini import --incremental "$D/if0.ini"
check "save and reset" reset_sbcd
check "TLSStatus: mutual authentication off" test "$(counter MutualAuthentication)" = 0
accepted "override 0 beats the global 1: no certificate gets 200" -

{
	printf '[SIP Params]\nSIPSRequireClientCertificate = 0\nPeerHostNameVerificationMode = 2\n'
	printf "TLSRemoteSubjectName = 'client.example.com'\n"
	printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_TLSMutualAuthentication;\nSIPInterface 0 = 1;\n[\\SIPInterface]\n'
} >"$D/if1.ini"
check "interface 0 sets mutual authentication on (global off), subject required" ini import --incremental "$D/if1.ini"
check "save and reset" reset_sbcd
check "TLSStatus: mutual authentication on" test "$(counter MutualAuthentication)" = 1
refused "override 1 beats the global 0: no certificate refused" - RejectedNoCertificate 116
accepted "the client with the required subject" client
refused "a valid client with another subject (TLSRemoteSubjectName, mode 2)" client-rsa RejectedSubjectMismatch 42

printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_TLSMutualAuthentication;\nSIPInterface 0 = -1;\n[\\SIPInterface]\n' >"$D/ifm1.ini"
check "interface 0 back to -1 (global off)" ini import --incremental "$D/ifm1.ini"
check "save and reset" reset_sbcd
check "TLSStatus: -1 follows the global 0" test "$(counter MutualAuthentication)" = 0
accepted "-1 with the global off: no certificate gets 200" -
grep -E "TLS (accepted|rejected)" "$D/sbcd.log" | tail -1 >"$D/lastlog"
contains "accepted connections are logged with peer, version and cipher" "$D/lastlog" \
	"TLS accepted: interface 'SIPInterface_0' \(0\) peer 127\.0\.0\.1:[0-9]+ version TLSv1\.3 cipher TLS_"

# --- a registered call between two sipp users, each behind socat (TCP -> mutual TLS) ----------
# sipp speaks TCP to socat, which carries each sipp connection over its own mutual-TLS
# connection; the scenarios write TLS in Via (NTA checks Via against the real transport).
printf '[SIP Params]\nSIPSRequireClientCertificate = 1\nPeerHostNameVerificationMode = 0\n' >"$D/mutual.ini"
check "mutual authentication on again, no subject check" ini import --incremental "$D/mutual.ini"
check "save and reset" reset_sbcd
if ! command -v sipp >/dev/null || ! command -v socat >/dev/null; then
	fail "sipp and socat are needed (packages sip-tester, socat)"
	t_end; exit
fi
# bob: a sipp UAS (server mode) on TCP; his carrier is socat with bob's certificate that
# first writes bob's REGISTER into the TLS connection and reads its reply, then relays the
# connection to sipp, so that
# sbcd's INVITE comes over the connection bob registered over (sipp in client mode would
# drop a request of a Call-ID it did not make).
cat >"$D/bob.xml" <<'X'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="bob answers">
  <recv request="INVITE"/>
  <send><![CDATA[
SIP/2.0 180 Ringing
[last_Via:]
[last_From:]
[last_To:];tag=bob[pid]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:bob@[local_ip]:[local_port];transport=tls>
Content-Length: 0

]]></send>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:];tag=bob[pid]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:bob@[local_ip]:[local_port];transport=tls>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=bob 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [local_ip]
t=0 0
m=audio 6002 RTP/AVP 0
]]></send>
  <recv request="ACK"/>
  <recv request="BYE"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

]]></send>
</scenario>
X
# alice: a sipp UAC on TCP behind `socat TCP-LISTEN ... OPENSSL:` with alice's certificate
cat >"$D/alice.xml" <<'X'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="alice registers and calls bob">
  <send><![CDATA[
REGISTER sip:127.0.0.1 SIP/2.0
Via: SIP/2.0/TLS [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:alice@127.0.0.1>;tag=[pid]r[call_number]
To: <sip:alice@127.0.0.1>
Call-ID: [call_id]
CSeq: 1 REGISTER
Contact: <sip:alice@[local_ip]:[local_port];transport=tls>
Expires: 300
Content-Length: 0

]]></send>
  <recv response="200"/>
  <send><![CDATA[
INVITE sip:bob@127.0.0.1 SIP/2.0
Via: SIP/2.0/TLS [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:alice@127.0.0.1>;tag=[pid]c[call_number]
To: <sip:bob@127.0.0.1>
Call-ID: [call_id]
CSeq: 2 INVITE
Contact: <sip:alice@[local_ip]:[local_port];transport=tls>
Content-Type: application/sdp
Content-Length: [len]

v=0
o=alice 1 1 IN IP4 [local_ip]
s=-
c=IN IP4 [local_ip]
t=0 0
m=audio 6000 RTP/AVP 0
]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/TLS [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:alice@127.0.0.1>;tag=[pid]c[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 2 ACK
Content-Length: 0

]]></send>
  <pause milliseconds="300"/>
  <send><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/TLS [local_ip]:[local_port];branch=[branch]
Max-Forwards: 70
From: <sip:alice@127.0.0.1>;tag=[pid]c[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 3 BYE
Content-Length: 0

]]></send>
  <recv response="200"/>
</scenario>
X
BOBPORT=$(free_port)
ALICEPORT=$(free_port)
(cd "$D" && exec timeout 40 sipp -sf bob.xml -t t1 -m 1 -i 127.0.0.1 -p "$BOBPORT" \
	-trace_msg -message_file "$D/bob.msg" </dev/null >"$D/bob.out" 2>&1) &
BOB=$!
t_track $BOB
wait_for "ss -ltn | grep -q '127.0.0.1:$BOBPORT '" 50
cat >"$D/bob-carrier.sh" <<X
#!/bin/sh
printf 'REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:$BOBPORT;branch=z9hG4bK-bobreg\r\n'
printf 'Max-Forwards: 70\r\nFrom: <sip:bob@127.0.0.1>;tag=bobreg\r\nTo: <sip:bob@127.0.0.1>\r\n'
printf 'Call-ID: bobreg@127.0.0.1\r\nCSeq: 1 REGISTER\r\nContact: <sip:bob@127.0.0.1:$BOBPORT;transport=tls>\r\n'
printf 'Expires: 300\r\nContent-Length: 0\r\n\r\n'
# the reply to the REGISTER stays here (sipp's UAS would take it for an unexpected message)
cr=\$(printf '\r')
while IFS= read -r line; do
	printf '%s\n' "\$line" >>"$D/bob-register.reply"
	[ "\$line" = "\$cr" ] || [ -z "\$line" ] && break
done
exec socat - TCP:127.0.0.1:$BOBPORT
X
chmod +x "$D/bob-carrier.sh"
acc0=$(counter HandshakesAccepted)
timeout 40 socat "OPENSSL:127.0.0.1:$TLSPORT,cert=$P/client-rsa-chain.crt,key=$P/client-rsa.key,cafile=$P/ca.crt" \
	"EXEC:$D/bob-carrier.sh" 2>"$D/socat-bob.log" &
t_track $!
timeout 40 socat "TCP-LISTEN:$ALICEPORT,bind=127.0.0.1,reuseaddr,fork" \
	"OPENSSL:127.0.0.1:$TLSPORT,cert=$P/client.crt,key=$P/client.key,cafile=$P/ca.crt" \
	2>"$D/socat-alice.log" &
t_track $!
wait_for "ss -ltn | grep -q '127.0.0.1:$ALICEPORT '" 50
wait_for "\"$BIN/sbc-ini\" --socket $SOCK status Registrations | grep -q 'sip:bob@'" 50
contains "bob's REGISTER got 200 OK" "$D/bob-register.reply" "^SIP/2.0 200 OK"
ini status Registrations >"$D/regs"
contains "bob registered through sbcd over mutual TLS, with his certificate subject" "$D/regs" \
	'"sip:bob@127.0.0.1", .*"tls", "127.0.0.1:[0-9]+", "CN=client-rsa.example.com"'
(cd "$D" && exec timeout 30 sipp -sf alice.xml -t t1 -m 1 -i 127.0.0.1 -p "$(free_port)" \
	-trace_msg -message_file "$D/alice.msg" 127.0.0.1:"$ALICEPORT" </dev/null >"$D/alice.out" 2>&1)
arc=$?
wait $BOB
brc=$?
check "alice registered and her call to bob completed (sipp UAC exit 0)" test "$arc" = 0
check "bob answered and the call ended with BYE (sipp UAS exit 0)" test "$brc" = 0
check "both users came over mutual TLS (two more handshakes accepted)" \
	test "$(counter HandshakesAccepted)" -ge $((acc0 + 2))
cid_a=$(awk '/^INVITE /{f=1} f && /^Call-ID:/{print $2; exit}' "$D/alice.msg" | tr -d '\r')
cid_b=$(awk '/^INVITE /{f=1} f && /^Call-ID:/{print $2; exit}' "$D/bob.msg" | tr -d '\r')
if [ -n "$cid_a" ] && [ -n "$cid_b" ] && [ "$cid_a" != "$cid_b" ]; then
	ok "topology hiding: bob saw Call-ID $cid_b, not alice's $cid_a"
else fail "Call-IDs: alice '$cid_a' bob '$cid_b'"; fi
if awk '/^INVITE /{f=1} f && /^Via:/ && /branch=z9hG4bK-[0-9]+-1-/{bad=1} /^\r?$/{f=0} END{exit !bad}' "$D/bob.msg"; then
	fail "alice's Via reached bob"
else ok "alice's Via did not reach bob"; fi
t_end

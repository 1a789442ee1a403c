#!/bin/bash
# Two real phones through the SBC's media anchoring (issue 20): baresip "alice" (plain RTP, SIP
# over UDP) calls baresip "bob", registered over SIP/TLS with mutual authentication (client
# certificate) and media encryption mandatory (mediaenc=srtp-mand), each with audio from a file.
# bob's IP group profile says secured: rtpengine gives bob SRTP (SDES) and alice RTP. Asserted:
# the SDP each phone receives names only rtpengine's address; packets flow through rtpengine's
# ports both ways (its ng counters, and a tcpdump capture on loopback with no packet between the
# phones); the TLS leg carries SRTP (none of its payloads decodes to either phone's tone, each has
# the 10-byte auth tag) while the plain leg carries the tones in clear; BYE frees the session. The
# same with bob (TLS, SRTP) as the caller. Then, toward the TLS phone: a call whose INVITE has no
# SDP (late offer: bob offers SRTP in his 200, the caller gets RTP), a re-INVITE putting bob on
# hold, and a CANCEL while bob's second line rings.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
source "$(dirname "$0")/../sip/lib-sip.sh"
source "$(dirname "$0")/../sip/lib-media.sh"
t_begin media_tls_phone
D=$T_DIR
for c in rtpengine baresip tcpdump; do
	command -v $c >/dev/null || { fail "$c is installed (packaging/install-deps)"; t_end; exit 1; }
done
pki_make "$D/pki" >/dev/null 2>&1 || { fail "test PKI"; t_end; exit 1; }
P=$D/pki

media_rtpengine_start
if wait_for "ng ping | grep -q pong" 100; then ok "private rtpengine answers ng ping"; else
	fail "private rtpengine answers ng ping"; tail -5 "$D/rtpengine.log"; t_end; exit 1; fi
# mutual TLS on the SIP interfaces from boot (reset-required), no subject pattern
printf "[SIP Params]\nMediaEngineAddress = '127.0.0.1:%s'\nSIPSRequireClientCertificate = 1\nPeerHostNameVerificationMode = 0\n" "$NG" >"$D/boot.ini"
if rt_sbcd "$D" "$D/boot.ini"; then ok "sbcd starts"; else fail "sbcd starts"; t_end; exit 1; fi
# free_pair: a port P with P and P + 1 free for UDP and TCP (baresip listens for TLS on P + 1)
free_pair() {
	python3 -c '
import socket
while True:
    socks = []
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); socks.append(u)
        p = u.getsockname()[1]
        for q, kind in ((p, socket.SOCK_STREAM), (p + 1, socket.SOCK_DGRAM), (p + 1, socket.SOCK_STREAM)):
            s = socket.socket(socket.AF_INET, kind); socks.append(s); s.bind(("127.0.0.1", q))
        print(p); break
    except OSError:
        pass
    finally:
        for s in socks: s.close()'
}
# the phones' ports, picked once sbcd listens
APORT=$(free_pair); BPORT=$(free_pair); ACTL=$(free_port); BCTL=$(free_port)
TLSPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
check "TLS context 0: the test CA's server certificate, key and trusted roots" \
	sh -c "'$BIN/sbc-ini' --socket '$SOCK' tls import-key 0 -f '$P/server.key' &&
		'$BIN/sbc-ini' --socket '$SOCK' tls import-cert 0 -f '$P/server-chain.crt' &&
		'$BIN/sbc-ini' --socket '$SOCK' tls import-roots 0 -f '$P/cas.pem'"
check "media realm, IP profiles and routing (alice's group plain, bob's secured)" sbc_import \
	'[ CpMediaRealm ]' \
	'FORMAT CpMediaRealm_Index = CpMediaRealm_MediaRealmName, CpMediaRealm_IPv4IF, CpMediaRealm_PortRangeStart, CpMediaRealm_MediaSessionLeg, CpMediaRealm_IsDefault;' \
	"CpMediaRealm 0 = \"lo\", \"O+M+C\", $PMIN, 50, 1;" '[ \CpMediaRealm ]' \
	'[ IpProfile ]' 'FORMAT IpProfile_Index = IpProfile_ProfileName, IpProfile_SBCMediaSecurityBehaviour, IpProfile_SBCMediaAnchoring;' \
	'IpProfile 0 = "plain", 2, 1;' 'IpProfile 1 = "srtp", 1, 1;' '[ \IpProfile ]' \
	'[ ProxySet ]' 'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ClassificationInput;' \
	'ProxySet 1 = "alice", 1;' '[ \ProxySet ]' \
	'[ ProxyIp ]' 'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;' \
	"ProxyIp 1 = \"1\", 0, \"127.0.0.1:$APORT\", 0;" '[ \ProxyIp ]' \
	'[ IPGroup ]' 'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName, IPGroup_ClassifyByProxySet, IPGroup_IPProfileName;' \
	'IPGroup 0 = 0, "phones", "", 0, "plain";' 'IPGroup 1 = 1, "tls-phones", "", 0, "srtp";' \
	'IPGroup 2 = 0, "alice", "alice", 0, "plain";' '[ \IPGroup ]' \
	'[ Classification ]' 'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_ActionType, Classification_SrcIPGroupName;' \
	'Classification 0 = "local", "127.0.0.1", 1, "phones";' '[ \Classification ]' \
	'[ IP2IPRouting ]' 'FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestUsernamePrefix, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName;' \
	'IP2IPRouting 0 = "to-bob", "phones", "bob", 0, "tls-phones";' \
	'IP2IPRouting 1 = "to-carol", "phones", "carol", 0, "tls-phones";' \
	'IP2IPRouting 2 = "to-alice", "tls-phones", "alice", 0, "alice";' '[ \IP2IPRouting ]'

# tone FILE HZ: 20 s of a sine at HZ, 8 kHz mono 16 bit (the phones' audio, aufile)
tone() {
	python3 -c 'import math,struct,sys,wave
w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
f = float(sys.argv[2])
w.writeframes(b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * f * i / 8000))) for i in range(160000)))' "$1" "$2"
}
tone "$D/a.wav" 440
tone "$D/b.wav" 1020
ARTP=$((PMAX + 1000)); BRTP=$((PMAX + 1200))
# phone NAME SIP-PORT CTL-PORT RTP-PORT WAV EXTRA-CONFIG: a baresip config directory $D/NAME
phone() {
	mkdir -p "$D/$1"
	cat >"$D/$1/config" <<X
poll_method poll
sip_listen 127.0.0.1:$2
audio_player aubridge,$1
audio_source aufile,$5
audio_alert aubridge,$1
rtp_ports $4-$(($4 + 99))
ctrl_tcp_listen 127.0.0.1:$3
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module aubridge.so
module srtp.so
module account.so
module menu.so
module ctrl_tcp.so
$6
X
}
phone alice "$APORT" "$ACTL" "$ARTP" "$D/a.wav" ""
phone bob "$BPORT" "$BCTL" "$BRTP" "$D/b.wav" "sip_certificate $P/bob.pem
sip_cafile $P/ca.crt"
cat "$P/client.crt" "$P/client.key" >"$P/bob.pem"
chmod 600 "$P/bob.pem"
echo "<sip:alice@127.0.0.1:$APORT>;regint=0;answermode=auto;audio_codecs=PCMU" >"$D/alice/accounts"
for u in bob carol; do
	am=auto; [ $u = carol ] && am=manual
	echo "<sip:$u@127.0.0.1;transport=tls>;outbound=\"sip:127.0.0.1:$TLSPORT;transport=tls\";regint=300;answermode=$am;audio_codecs=PCMU;mediaenc=srtp-mand"
done >"$D/bob/accounts"

# ctl PORT COMMAND [PARAMS]: one command to a baresip over ctrl_tcp (JSON in a netstring)
ctl() {
	python3 - "$@" <<'PY'
import json, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
m = json.dumps({"command": sys.argv[2], "params": " ".join(sys.argv[3:]), "token": "t"}).encode()
s.sendall(b"%d:%s," % (len(m), m))
try:
    print(s.recv(4096).decode("latin1"))
except socket.timeout:
    pass
PY
}

baresip -s -f "$D/bob" >"$D/bob.log" 2>&1 &
BOB=$!
t_track "$BOB"
if wait_for "ini status Registrations | grep -q 'sip:bob@'" 100 && wait_for "ini status Registrations | grep -q 'sip:carol@'" 50; then
	ok "bob (baresip) registered over TLS with his client certificate"
else fail "bob did not register"; tail -20 "$D/bob.log"; t_end; exit 1; fi
ini status Registrations >"$D/regs"
contains "the registration came over mutual TLS, with the certificate's subject" "$D/regs" \
	'"sip:bob@127.0.0.1", .*"tls", "127.0.0.1:[0-9]+", "CN=client.example.com"'

baresip -s -f "$D/alice" >"$D/alice.log" 2>&1 &
ALICE=$!
t_track "$ALICE"
wait_for "ss -Hltn 'sport = :$ACTL' | grep -q ." 100
tcpdump -i lo -n -U -w "$D/media.pcap" "udp and (portrange $PMIN-$PMAX or portrange $ARTP-$((ARTP + 99)) or portrange $BRTP-$((BRTP + 99)))" >"$D/tcpdump.log" 2>&1 &
TCPD=$!
t_track "$TCPD"
wait_for "grep -q 'listening on' $D/tcpdump.log" 50
# trace_msg FILE REGEX [N]: the Nth (default 1st) SIP message in baresip's trace (-s) whose start
# line matches REGEX, CRs removed
trace_msg() {
	awk -v re="$2" -v want="${3:-1}" '
		!f && $0 ~ re { n++; if (n == want) f = 1 }
		f && /\[;m/ { exit }
		f { sub(/\r$/, ""); print }' "$1"
}
# trace_after FILE LINE REGEX METHOD: the first message after line LINE of baresip's trace whose
# start line matches REGEX and whose CSeq names METHOD
trace_after() {
	tail -n +"$(($2 + 1))" "$1" | awk -v re="$3" -v m="$4" '
		!f && $0 ~ re { f = 1; msg = "" }
		f && /\[;m/ { if (msg ~ ("\nCSeq: [0-9]+ " m "\n")) { printf "%s", msg; exit } f = 0; next }
		f { sub(/\r$/, ""); msg = msg $0 "\n" }'
}
sdp_port() { grep -o 'm=audio [0-9]*' <<<"$1" | head -1 | awk '{print $2}'; }

# --- alice calls bob: plain RTP on her leg, SRTP on bob's TLS leg ---
ctl "$ACTL" dial "sip:bob@127.0.0.1:$SBC_PORT" >"$D/dial.out"
if wait_for "grep -q 'Call established' $D/alice.log" 150; then ok "alice's call to bob is established"; else
	fail "alice's call to bob not established"; tail -20 "$D/alice.log"; tail -20 "$D/bob.log"; fi
sleep 3
ini status Calls >/dev/null # the packets of the next look come from this look's query
sleep 0.3
ini status Calls >"$D/calls"
CID=$(grep -m1 '^Call-ID: ' "$D/alice.log" | awk '{print $2}' | tr -d '\r')
ng query "$CID" >"$D/query"
ctl "$ACTL" hangup >/dev/null
wait_for "grep -q 'terminated' $D/alice.log" 50
sleep 0.5
kill "$TCPD"; wait "$TCPD" 2>/dev/null

a_inv=$(trace_msg "$D/alice.log" '^INVITE sip:bob@')
a_200=$(trace_msg "$D/alice.log" '^SIP/2.0 200')
b_inv=$(trace_msg "$D/bob.log" '^INVITE sip:bob')
b_200=$(trace_msg "$D/bob.log" '^SIP/2.0 200 Answering')
pa=$(sdp_port "$a_200"); pb=$(sdp_port "$b_inv")
if grep -q '^c=IN IP4 127.0.0.1' <<<"$a_200" && in_range "$pa" && grep -q "^m=audio $pa RTP/AVP " <<<"$a_200" &&
	! grep -q '^a=crypto' <<<"$a_200"; then
	ok "alice got rtpengine's address and port $pa, RTP/AVP, no crypto"
else fail "alice's 200 SDP: port '$pa'"; echo "$a_200" | sed 's/^/       | /' | tail -20; fi
if grep -q '^c=IN IP4 127.0.0.1' <<<"$b_inv" && in_range "$pb" && grep -q "^m=audio $pb RTP/SAVP " <<<"$b_inv"; then
	ok "bob got rtpengine's address and port $pb over TLS, RTP/SAVP"
else fail "bob's INVITE SDP: port '$pb'"; echo "$b_inv" | sed 's/^/       | /' | tail -20; fi
if [ "$(grep -c '^a=crypto:' <<<"$b_inv")" = 1 ] && grep -q '^a=crypto:[0-9]* AES_CM_128_HMAC_SHA1_80 inline:' <<<"$b_inv" &&
	! grep -q '^a=fingerprint' <<<"$b_inv"; then
	ok "with one SDES crypto line AES_CM_128_HMAC_SHA1_80 and no DTLS"
else fail "bob's crypto lines"; grep '^a=' <<<"$b_inv"; fi
own_a=$(sdp_port "$a_inv"); own_b=$(sdp_port "$b_200")
if [ -n "$own_a" ] && [ -n "$own_b" ] && ! grep -q "$own_a\|$own_b" <<<"$a_200$b_inv"; then
	ok "neither phone's SDP names the other's media port ($own_a, $own_b)"
else fail "a phone's own port reached the other: alice $own_a bob $own_b"; fi
if python3 "$TOP/tests/sip/media_pcap.py" "$D/media.pcap" "$ARTP-$((ARTP + 99))" "$BRTP-$((BRTP + 99))" \
	"$PMIN-$PMAX" 440 1020 >"$D/flows" 2>"$D/flows.err"; then
	ok "loopback capture read"
else fail "capture: $(tail -2 "$D/flows.err")"; fi
sed 's/^/       | /' "$D/flows"
flow() { awk -v k="$1" -v c="$2" '$1 == k {print $c}' "$D/flows"; }
if [ "$(flow a-to-engine 2)" -ge 100 ] && [ "$(flow engine-to-b 2)" -ge 100 ] &&
	[ "$(flow b-to-engine 2)" -ge 100 ] && [ "$(flow engine-to-a 2)" -ge 100 ]; then
	ok "the capture shows RTP through rtpengine's ports both ways ($(flow a-to-engine 2) alice->engine, $(flow engine-to-b 2) engine->bob, $(flow b-to-engine 2) bob->engine, $(flow engine-to-a 2) engine->alice)"
else fail "capture flows: $(tr '\n' ' ' <"$D/flows")"; fi
check "no packet between the phones directly" test "$(flow direct 2)" = 0
if [ "$(flow a-to-engine 3)" -ge $(($(flow a-to-engine 2) * 9 / 10)) ] && [ "$(flow engine-to-a 3)" -ge $(($(flow engine-to-a 2) * 9 / 10)) ]; then
	ok "the plain leg carries both phones' audio in clear (PCMU: their 440 and 1020 Hz tones)"
else fail "plain leg: $(flow a-to-engine 3) of $(flow a-to-engine 2) and $(flow engine-to-a 3) of $(flow engine-to-a 2) in clear"; fi
if [ "$(flow engine-to-b 3)" = 0 ] && [ "$(flow b-to-engine 3)" = 0 ] && [ "$(flow b-lengths 2)" = 170 ]; then
	ok "the TLS leg carries SRTP: no payload decodes to either tone, each has 160 bytes + a 10-byte auth tag"
else fail "TLS leg: clear $(flow engine-to-b 3) / $(flow b-to-engine 3), payload lengths $(flow b-lengths 2)"; fi
if python3 - "$D/query" <<'PY'
import ast, sys
d = ast.literal_eval(open(sys.argv[1]).read())
proto = {t: [m["protocol"] for m in v["medias"]] for t, v in d["tags"].items()}
assert proto == {"sbc-a": ["RTP/AVP"], "sbc-b": ["RTP/SAVP"]}, proto
assert d["totals"]["RTP"]["packets"] > 200, d["totals"]
PY
then ok "rtpengine (ng query): alice's side RTP/AVP, bob's RTP/SAVP, packets counted"
else fail "ng query of the call"; head -c 400 "$D/query"; fi
if grep -qE '"udp", "tls", "phones", "tls-phones", .*"127\.0\.0\.1:[0-9]+", "127\.0\.0\.1:[0-9]+", 0, 1, [1-9][0-9]*;' "$D/calls"; then
	ok "Calls: udp to tls, both media addresses, SRTP no/yes, packets relayed"
else fail "Calls row"; cat "$D/calls"; fi
if wait_for "! ng_knows '$CID'" 30; then ok "BYE freed the session in rtpengine"; else fail "rtpengine still holds the call after BYE"; fi

# --- bob (TLS, SRTP) calls alice: the secured phone as the caller ---
la=$(wc -l <"$D/alice.log"); lb=$(wc -l <"$D/bob.log")
tcpdump -i lo -n -U -w "$D/media2.pcap" "udp and (portrange $PMIN-$PMAX or portrange $ARTP-$((ARTP + 99)) or portrange $BRTP-$((BRTP + 99)))" >"$D/tcpdump2.log" 2>&1 &
TCPD=$!
t_track "$TCPD"
wait_for "grep -q 'listening on' $D/tcpdump2.log" 50
ctl "$BCTL" dial "sip:alice@127.0.0.1" >"$D/dial2.out"
if wait_for "tail -n +$((lb + 1)) $D/bob.log | grep -q 'Call established'" 150; then ok "bob's call to alice (over TLS) is established"; else
	fail "bob's call to alice not established"; tail -20 "$D/bob.log"; fi
# on a loaded machine a phone's audio may start seconds after the call: capture 3 s of it
wait_for "tail -n +$((la + 1)) $D/alice.log | grep -q \"incoming rtp for 'audio' established\"" 100
wait_for "tail -n +$((lb + 1)) $D/bob.log | grep -q \"incoming rtp for 'audio' established\"" 100
sleep 3
b_inv2=$(trace_after "$D/bob.log" "$lb" '^INVITE sip:alice' INVITE)
CID3=$(grep -m1 '^Call-ID: ' <<<"$b_inv2" | awk '{print $2}')
ng query "$CID3" >"$D/query2"
ctl "$BCTL" hangup >/dev/null
wait_for "tail -n +$((lb + 1)) $D/bob.log | grep -q 'terminated'" 50
sleep 0.5
kill "$TCPD"; wait "$TCPD" 2>/dev/null
a_inv2=$(trace_after "$D/alice.log" "$la" '^INVITE sip:alice' INVITE)
b_2002=$(trace_after "$D/bob.log" "$lb" '^SIP/2.0 200' INVITE)
pa=$(sdp_port "$a_inv2"); pb=$(sdp_port "$b_2002")
if grep -q '^c=IN IP4 127.0.0.1' <<<"$a_inv2" && in_range "$pa" && grep -q "^m=audio $pa RTP/AVP " <<<"$a_inv2" && ! grep -q '^a=crypto' <<<"$a_inv2"; then
	ok "alice is offered RTP/AVP on rtpengine's port $pa, no crypto"
else fail "alice's INVITE SDP: port '$pa'"; echo "$a_inv2" | sed 's/^/       | /' | tail -20; fi
if grep -q '^c=IN IP4 127.0.0.1' <<<"$b_2002" && in_range "$pb" && grep -q "^m=audio $pb RTP/SAVP " <<<"$b_2002" &&
	grep -q '^a=crypto:[0-9]* AES_CM_128_HMAC_SHA1_80 inline:' <<<"$b_2002"; then
	ok "bob's answer over TLS: RTP/SAVP on rtpengine's port $pb with his suite"
else fail "bob's 200 SDP: port '$pb'"; echo "$b_2002" | sed 's/^/       | /' | tail -20; fi
python3 "$TOP/tests/sip/media_pcap.py" "$D/media2.pcap" "$ARTP-$((ARTP + 99))" "$BRTP-$((BRTP + 99))" \
	"$PMIN-$PMAX" 440 1020 >"$D/flows" 2>"$D/flows.err"
sed 's/^/       | /' "$D/flows"
if [ "$(flow a-to-engine 2)" -ge 100 ] && [ "$(flow engine-to-b 2)" -ge 100 ] && [ "$(flow b-to-engine 2)" -ge 100 ] &&
	[ "$(flow engine-to-a 2)" -ge 100 ] && [ "$(flow direct 2)" = 0 ] &&
	[ "$(flow a-to-engine 3)" -ge $(($(flow a-to-engine 2) * 9 / 10)) ] && [ "$(flow engine-to-a 3)" -ge $(($(flow engine-to-a 2) * 9 / 10)) ] &&
	[ "$(flow engine-to-b 3)" = 0 ] && [ "$(flow b-to-engine 3)" = 0 ] && [ "$(flow b-lengths 2)" = 170 ]; then
	ok "capture: through rtpengine both ways, the tones in clear on alice's leg, SRTP on bob's"
else fail "capture of bob's call: $(tr '\n' ' ' <"$D/flows")"; fi
if python3 - "$D/query2" <<'PY'
import ast, sys
d = ast.literal_eval(open(sys.argv[1]).read())
proto = {t: [m["protocol"] for m in v["medias"]] for t, v in d["tags"].items()}
assert proto == {"sbc-a": ["RTP/SAVP"], "sbc-b": ["RTP/AVP"]}, proto
PY
then ok "rtpengine (ng query): the caller bob's side RTP/SAVP, alice's RTP/AVP"
else fail "ng query of bob's call"; head -c 400 "$D/query2"; fi
if wait_for "! ng_knows '$CID3'" 30; then ok "BYE freed the session"; else fail "rtpengine still holds bob's call"; fi

# ext MODE USER NAME: tests/sip/media_call.py as the caller (plain, UDP) toward bob's baresip
ext() {
	timeout 40 python3 "$TOP/tests/sip/media_call.py" --sbc 127.0.0.1:"$SBC_PORT" --uas-port 1 \
		--user "$2" --mode "$1" --rtp 60 --linger 1 >"$D/$3.out" 2>&1
}

# --- late offer: bob offers SRTP in his 200, the caller gets RTP and answers in the ACK ---
n0=$(grep -c '^ACK ' "$D/bob.log")
check "late-offer call to bob completes" ext ext-late bob late
contains "the caller gets bob's offer as RTP/AVP on rtpengine's address" "$D/late.out" "^uac-sdp .*c=IN IP4 127.0.0.1.*m=audio [0-9]+ RTP/AVP"
b_ack=$(trace_msg "$D/bob.log" '^ACK sip:' $((n0 + 1)))
p=$(sdp_port "$b_ack")
if in_range "$p" && grep -q "^m=audio $p RTP/SAVP" <<<"$b_ack" && grep -q '^a=crypto:[0-9]* AES_CM_128_HMAC_SHA1_80' <<<"$b_ack"; then
	ok "bob gets the answer in the ACK over TLS: RTP/SAVP on rtpengine's port $p with a crypto line"
else fail "bob's ACK SDP"; echo "$b_ack" | sed 's/^/       | /' | tail -15; fi
n=$(awk '/^rtp-uac/{print $2}' "$D/late.out")
if [ "${n:-0}" -ge 20 ]; then ok "late offer: bob's SRTP reaches the caller as RTP ($n packets)"; else fail "late offer: caller got ${n:-0} packets"; fi

# --- re-INVITE: the caller puts bob on hold ---
n0=$(grep -c '^INVITE sip:bob' "$D/bob.log")
check "call to bob with a hold re-INVITE completes" ext ext-hold bob hold
b_re=$(trace_msg "$D/bob.log" '^INVITE sip:bob' $((n0 + 2)))
p=$(sdp_port "$b_re")
if grep -q '^a=sendonly' <<<"$b_re" && in_range "$p" && grep -q "^m=audio $p RTP/SAVP" <<<"$b_re" && grep -q '^a=crypto:' <<<"$b_re"; then
	ok "bob's re-INVITE: a=sendonly, SRTP on rtpengine's port $p"
else fail "bob's re-INVITE SDP"; echo "$b_re" | sed 's/^/       | /' | tail -15; fi
contains "the caller gets bob's recvonly answer, RTP/AVP from rtpengine" "$D/hold.out" "^hold-answer 200 .*RTP/AVP.*a=recvonly"

# --- CANCEL while carol (bob's manual-answer line) rings ---
check "call to carol cancelled while ringing" ext ext-cancel carol cancel
contains "the caller's CANCEL ended it with 487" "$D/cancel.out" "^result cancelled 487"
CID2=$(awk '/^call-id/{print $2}' "$D/cancel.out")
if wait_for "! ng_knows '$CID2'" 30; then ok "CANCEL freed the session in rtpengine"; else fail "after CANCEL rtpengine holds the call"; fi
check "sbcd still runs" kill -0 "$SBCD_PID"
kill -9 "$BOB" "$ALICE" # baresip waits to unregister on SIGTERM
wait "$BOB" "$ALICE" 2>/dev/null
t_end

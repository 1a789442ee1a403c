#!/bin/bash
# Media anchoring through a private rtpengine (userspace, ng protocol on loopback): two phones
# (tests/sip/media_call.py) call through sbcd; the SDP each phone gets names only rtpengine's
# ports, RTP flows through rtpengine both ways (its ng query counters, the Calls table), a callee
# whose IpProfile says "secured" gets RTP/SAVP with an AES_CM_128_HMAC_SHA1_80 crypto line and
# SRTP on the wire (the payload it receives is not the clear payload sent), BYE and CANCEL free
# the session in rtpengine (ng list), late offer and re-INVITE hold are anchored too, and a media
# engine that stops answering raises alarm mediaEngineDown. rtpengine restarted under a live call:
# alarm mediaSessionLost and a log name it, its re-INVITE anchors it again; sbcd's ng client
# restarted under a live call: the call goes on. MediaEngineStart: sbcd runs, restarts and ends
# its own rtpengine. Real phones (baresip over mutual TLS with SRTP): media_tls_phone.sh.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../sip/lib-sip.sh"
source "$(dirname "$0")/../sip/lib-media.sh"
t_begin media_rtpengine
D=$T_DIR
command -v rtpengine >/dev/null || { fail "rtpengine is installed (packaging/install-deps)"; t_end; exit 1; }

media_rtpengine_start
if wait_for "ng ping | grep -q pong" 100; then ok "private rtpengine answers ng ping"; else
	fail "private rtpengine answers ng ping"; cat "$D/rtpengine.log" | tail -5; t_end; exit 1; fi

cat >"$D/boot.ini" <<EOF
[SIP Params]
MediaEngineAddress = '127.0.0.1:$NG'
EOF
if rt_sbcd "$D" "$D/boot.ini"; then ok "sbcd starts"; else fail "sbcd starts"; t_end; exit 1; fi
UAS_P=$(free_udp)
SUAS_P=$(free_udp)
check "media realm, IP profiles and routing configured" sbc_import \
	'[ CpMediaRealm ]' \
	'FORMAT CpMediaRealm_Index = CpMediaRealm_MediaRealmName, CpMediaRealm_IPv4IF, CpMediaRealm_PortRangeStart, CpMediaRealm_MediaSessionLeg, CpMediaRealm_IsDefault;' \
	"CpMediaRealm 0 = \"lo\", \"O+M+C\", $PMIN, 50, 1;" \
	'[ \CpMediaRealm ]' \
	'[ IpProfile ]' \
	'FORMAT IpProfile_Index = IpProfile_ProfileName, IpProfile_SBCMediaSecurityBehaviour, IpProfile_SBCMediaAnchoring;' \
	'IpProfile 0 = "plain", 2, 1;' \
	'IpProfile 1 = "srtp", 1, 1;' \
	'[ \IpProfile ]' \
	'[ ProxySet ]' \
	'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ClassificationInput;' \
	'ProxySet 1 = "plain", 1;' \
	'ProxySet 2 = "secure", 1;' \
	'[ \ProxySet ]' \
	'[ ProxyIp ]' \
	'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;' \
	"ProxyIp 1 = \"1\", 0, \"127.0.0.1:$UAS_P\", 0;" \
	"ProxyIp 2 = \"2\", 0, \"127.0.0.1:$SUAS_P\", 0;" \
	'[ \ProxyIp ]' \
	'[ IPGroup ]' \
	'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName, IPGroup_ClassifyByProxySet, IPGroup_IPProfileName;' \
	'IPGroup 0 = 0, "phones", "", 0, "plain";' \
	'IPGroup 1 = 0, "plain", "plain", 0, "plain";' \
	'IPGroup 2 = 0, "secure", "secure", 0, "srtp";' \
	'[ \IPGroup ]' \
	'[ Classification ]' \
	'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_ActionType, Classification_SrcIPGroupName;' \
	'Classification 0 = "local", "127.0.0.1", 1, "phones";' \
	'[ \Classification ]' \
	'[ IP2IPRouting ]' \
	'FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestUsernamePrefix, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName;' \
	'IP2IPRouting 0 = "to-plain", "phones", "plain", 0, "plain";' \
	'IP2IPRouting 1 = "to-secure", "phones", "secure", 0, "secure";' \
	'[ \IP2IPRouting ]'

# call MODE USER UAS-PORT NAME: media_call.py, its output in $D/NAME.out
call() {
	timeout 30 python3 "$TOP/tests/sip/media_call.py" --sbc 127.0.0.1:"$SBC_PORT" \
		--uas-port "$3" --user "$2" --mode "$1" >"$D/$4.out" 2>&1
}
# sdp_ports NAME KIND: the m=audio ports of that SDP line of the output
sdp_ports() { grep "^$2 " "$D/$1.out" | grep -o 'm=audio [0-9]*' | awk '{print $2}'; }
# engine_knows NAME: rtpengine holds the call of that run (ng query of its Call-ID answers ok)
engine_knows() { ng query "$(awk '/^call-id/{print $2}' "$D/$1.out")" | grep -q "'result': 'ok'"; }

# --- a plain call: early offer, RTP both ways, BYE ---
check "plain call completes" call basic plain "$UAS_P" basic
contains "the callee got the SBC's SDP (c=127.0.0.1, RTP/AVP)" "$D/basic.out" "^uas-sdp .*c=IN IP4 127.0.0.1.*RTP/AVP"
P1=$(sdp_ports basic uas-sdp); P2=$(sdp_ports basic uac-sdp)
if in_range "$P1" && in_range "$P2"; then ok "both phones got rtpengine's ports ($P1, $P2), never each other's"; else
	fail "SDP ports $P1 / $P2 not in rtpengine's range $PMIN-$PMAX"; cat "$D/basic.out"; fi
n_uac=$(awk '/^rtp-uac/{print $2}' "$D/basic.out"); n_uas=$(awk '/^rtp-uas/{print $2}' "$D/basic.out")
if [ "${n_uac:-0}" -ge 40 ] && [ "${n_uas:-0}" -ge 40 ]; then ok "RTP through rtpengine both ways ($n_uac and $n_uas of 50)"; else
	fail "RTP through rtpengine: caller got ${n_uac:-0}, callee ${n_uas:-0} of 50"; fi
sent=$(awk '/^sent-payload/{print $2}' "$D/basic.out")
if grep -q "^rtp-uas [0-9]* $sent" "$D/basic.out"; then ok "plain leg carries the payload in clear (RTP)"; else fail "plain leg payload"; fi
if wait_for '! engine_knows basic' 30; then ok "BYE freed the session in rtpengine (ng query: unknown call)"; else
	fail "rtpengine still holds the call after BYE"; fi

# --- SRTP toward the callee whose profile says secured ---
check "call to the secured group completes" call basic secure "$SUAS_P" srtp
contains "the secured callee is offered RTP/SAVP" "$D/srtp.out" "^uas-sdp .*m=audio [0-9]+ RTP/SAVP"
contains "with an AES_CM_128_HMAC_SHA1_80 crypto line (SDES)" "$D/srtp.out" "^uas-sdp .*a=crypto:[0-9]+ AES_CM_128_HMAC_SHA1_80 inline:"
contains "the caller (plain profile) gets RTP/AVP" "$D/srtp.out" "^uac-sdp .*RTP/AVP"
if [ "$(grep "^uas-sdp" "$D/srtp.out" | grep -o 'a=crypto:' | wc -l)" = 1 ] && ! grep -q "^uas-sdp .*fingerprint" "$D/srtp.out"; then
	ok "that suite alone, and no DTLS"
else fail "the secured callee got other crypto suites or DTLS"; fi
if grep -q "^uac-sdp .*crypto" "$D/srtp.out"; then fail "the plain caller got a crypto line"; else ok "the plain caller gets no crypto line"; fi
sent=$(awk '/^sent-payload/{print $2}' "$D/srtp.out")
got=$(awk '/^rtp-uas/{print $3}' "$D/srtp.out")
n=$(awk '/^rtp-uas/{print $2}' "$D/srtp.out")
if [ "${n:-0}" -ge 40 ] && [ -n "$got" ] && [ "${got:0:320}" != "$sent" ] && [ ${#got} -eq $((${#sent} + 20)) ]; then
	ok "the secured leg carries SRTP ($n packets, payload encrypted, 10-byte auth tag)"
else fail "secured leg: ${n:-0} packets, payload ${got:0:32} (${#got} hex) vs clear ${sent:0:32} (${#sent} hex)"; fi

# --- late offer: the offer in the 200, the answer in the ACK ---
check "late-offer call completes" call late plain "$UAS_P" late
contains "the caller got the callee's offer with rtpengine's address" "$D/late.out" "^uac-sdp .*c=IN IP4 127.0.0.1"
P3=$(sdp_ports late uac-sdp); P4=$(sdp_ports late uas-sdp)
if in_range "$P3" && in_range "$P4"; then ok "late offer anchored both ways (ports $P3, $P4)"; else fail "late offer ports $P3 / $P4"; cat "$D/late.out"; fi
n_uac=$(awk '/^rtp-uac/{print $2}' "$D/late.out"); n_uas=$(awk '/^rtp-uas/{print $2}' "$D/late.out")
if [ "${n_uac:-0}" -ge 40 ] && [ "${n_uas:-0}" -ge 40 ]; then ok "late offer: RTP both ways"; else fail "late offer RTP: ${n_uac:-0} / ${n_uas:-0}"; fi

# --- re-INVITE hold ---
check "call with a re-INVITE (hold) completes" call hold plain "$UAS_P" hold
contains "the held callee gets a=sendonly with rtpengine's address" "$D/hold.out" "^hold-sdp .*c=IN IP4 127.0.0.1.*a=sendonly"
P5=$(sdp_ports hold hold-sdp)
if in_range "$P5"; then ok "re-INVITE SDP anchored (port $P5)"; else fail "re-INVITE port $P5"; fi
contains "the caller gets the recvonly answer" "$D/hold.out" "^hold-answer .*a=recvonly"

# --- CANCEL ---
check "cancelled call" call cancel plain "$UAS_P" cancel
contains "the callee's INVITE was anchored before the CANCEL" "$D/cancel.out" "^uas-sdp .*c=IN IP4 127.0.0.1"
if wait_for '! engine_knows cancel' 30; then ok "CANCEL freed the session in rtpengine"; else fail "after CANCEL rtpengine holds the call"; fi

# --- Calls status while a call is up, engine counters ---
python3 "$TOP/tests/sip/media_call.py" --sbc 127.0.0.1:"$SBC_PORT" --uas-port "$UAS_P" --user plain \
	--mode hold --linger 8 >"$D/long.out" 2>&1 &
LPID=$!
t_track "$LPID"
wait_for "grep -q '^rtp-done' $D/long.out" 100
"$BIN/sbc-ini" --socket "$SOCK" status Calls >/dev/null 2>&1 # asks rtpengine for the next look
sleep 0.5
"$BIN/sbc-ini" --socket "$SOCK" status Calls >"$D/calls" 2>&1
if engine_knows long; then ok "rtpengine holds the call while it is up (ng query)"; else fail "ng query of a live call"; fi
pk=$(ng query "$(awk '/^call-id/{print $2}' "$D/long.out")" | python3 -c 'import ast,sys; d=ast.literal_eval(sys.stdin.read()); print(d.get("totals",{}).get("RTP",{}).get("packets",0))')
if [ "${pk:-0}" -gt 20 ]; then ok "rtpengine counts the call's packets (ng query: $pk)"; else fail "ng query packets: $pk"; fi
if grep -qE '127\.0\.0\.1:[0-9]+", "127\.0\.0\.1:[0-9]+", 0, 0, [1-9][0-9]*' "$D/calls"; then
	ok "Calls shows media addresses, SRTP no and packets relayed"
else fail "Calls row"; cat "$D/calls"; fi
wait "$LPID"
if wait_for '! engine_knows long' 30; then ok "and frees it after the BYE"; else fail "long call still in rtpengine"; fi

# --- the engine stops answering: alarm; back: cleared ---
# stopped (state T; stopped again if anything continued it), so its ng requests time out
for _ in 1 2 3; do
	kill -STOP "$RTPE_PID"
	wait_for "grep -q '^State:.*T' /proc/$RTPE_PID/status" 20 && break
done
if wait_for "$BIN/sbc-ini --socket $SOCK status Alarms | grep -q mediaEngineDown" 150; then
	ok "alarm mediaEngineDown when rtpengine does not answer"
else fail "no mediaEngineDown alarm ($(grep '^State' /proc/"$RTPE_PID"/status))"; fi
kill -CONT "$RTPE_PID"
if wait_for "! $BIN/sbc-ini --socket $SOCK status Alarms | grep -q mediaEngineDown" 150; then
	ok "alarm cleared when rtpengine answers again"
else fail "mediaEngineDown not cleared"; fi

if grep -q "rtpengine at .* restarted" "$D/sbcd.log"; then fail "a paused rtpengine was taken for a restarted one"; else
	ok "a paused rtpengine is not taken for a restarted one (its uptime goes on)"; fi
check "sbcd still runs" kill -0 "$SBCD_PID"

# --- rtpengine restarted under a live call: the lost session is reported; a re-INVITE anchors
# the call again (the hold re-INVITE comes after --linger) ---
python3 "$TOP/tests/sip/media_call.py" --sbc 127.0.0.1:"$SBC_PORT" --uas-port "$UAS_P" --user plain \
	--mode hold --linger 14 >"$D/lost.out" 2>&1 &
LPID=$!
t_track "$LPID"
wait_for "grep -q '^rtp-done' $D/lost.out" 100
CIDL=$(awk '/^call-id/{print $2}' "$D/lost.out")
kill -9 "$RTPE_PID"
{ wait "$RTPE_PID"; } 2>/dev/null
media_rtpengine_start
wait_for "ng ping | grep -q pong" 100
# no status look meanwhile: each one queries the calls, which would find the loss first
if wait_for "grep -q 'media: rtpengine at 127.0.0.1:$NG restarted' $D/sbcd.log" 150; then
	ok "sbcd sees rtpengine's restart (its uptime) and logs it"
else fail "no restart of rtpengine in sbcd's log"; tail -5 "$D/sbcd.log"; fi
if wait_for "grep -q 'media: call $CIDL: rtpengine restarted and lost its media session' $D/sbcd.log" 30; then
	ok "and logs the call whose session was lost"
else fail "no log of the lost call $CIDL"; fi
"$BIN/sbc-ini" --socket "$SOCK" status Alarms >"$D/alarms-lost"
contains "alarm mediaSessionLost counts the call" "$D/alarms-lost" "mediaSessionLost.*1 anchored call\(s\) lost their media session"
wait "$LPID"
contains "the call goes on and ends normally" "$D/lost.out" "^result ok"
P7=$(sdp_ports lost hold-sdp)
if in_range "$P7"; then ok "its re-INVITE is anchored by the new rtpengine (port $P7)"; else fail "re-INVITE after the restart: port '$P7'"; fi
if wait_for "! $BIN/sbc-ini --socket $SOCK status Alarms | grep -q mediaSessionLost" 50; then
	ok "mediaSessionLost cleared once no call is without its session"
else fail "mediaSessionLost not cleared"; fi
if wait_for '! engine_knows lost' 30; then ok "BYE freed the re-anchored session"; else fail "re-anchored session left in rtpengine"; fi

# --- sbcd's ng client restarted under a live call (MediaEngineAddress cleared and set again):
# rtpengine keeps relaying, and the call's re-INVITE and BYE go through the new client ---
python3 "$TOP/tests/sip/media_call.py" --sbc 127.0.0.1:"$SBC_PORT" --uas-port "$UAS_P" --user plain \
	--mode hold --linger 6 >"$D/ctl.out" 2>&1 &
LPID=$!
t_track "$LPID"
wait_for "grep -q '^rtp-done' $D/ctl.out" 100
n_start=$(grep -c "media engine (rtpengine ng) at 127.0.0.1:$NG" "$D/sbcd.log")
check "MediaEngineAddress cleared under the call" sbc_import '[SIP Params]' "MediaEngineAddress = ''"
if wait_for "grep -q 'ng client to 127.0.0.1:$NG stopped' $D/sbcd.log" 50; then ok "sbcd's ng client stopped"; else fail "ng client not stopped"; fi
check "MediaEngineAddress set again" sbc_import '[SIP Params]' "MediaEngineAddress = '127.0.0.1:$NG'"
if wait_for "[ \$(grep -c 'media engine (rtpengine ng) at 127.0.0.1:$NG' $D/sbcd.log) -gt $n_start ]" 50; then
	ok "sbcd's ng client started again"; else fail "ng client not started again"; fi
if engine_knows ctl; then ok "rtpengine still holds the call"; else fail "the call's session is gone"; fi
wait "$LPID"
contains "the call goes on and ends normally" "$D/ctl.out" "^result ok"
P8=$(sdp_ports ctl hold-sdp)
if in_range "$P8"; then ok "its re-INVITE goes through the new ng client (port $P8)"; else fail "re-INVITE after the ng restart: port '$P8'"; cat "$D/ctl.out"; fi
if wait_for '! engine_knows ctl' 30; then ok "its BYE freed the session through the new ng client"; else fail "session left after the ng restart"; fi

# --- IpProfile alone changed live: anchoring off, then on again ---
check "anchoring turned off in the plain profile alone" sbc_import '[ IpProfile ]' \
	'FORMAT IpProfile_Index = IpProfile_ProfileName, IpProfile_SBCMediaSecurityBehaviour, IpProfile_SBCMediaAnchoring;' \
	'IpProfile 0 = "plain", 2, 0;' '[ \IpProfile ]'
check "unanchored call completes" call basic plain "$UAS_P" direct
P6=$(sdp_ports direct uas-sdp)
# the caller's port is an ephemeral one, which may fall inside rtpengine's range: compare
OWN=$(sed -n 's/^uac-rtp-port \([0-9]*\)$/\1/p' "$D/direct.out")
if [ -n "$P6" ] && [ "$P6" = "$OWN" ]; then ok "its SDP is relayed unchanged (the caller's own port $P6)"; else fail "unanchored call SDP port '$P6' (the caller's: '$OWN')"; fi
check "anchoring on again" sbc_import '[ IpProfile ]' \
	'FORMAT IpProfile_Index = IpProfile_ProfileName, IpProfile_SBCMediaSecurityBehaviour, IpProfile_SBCMediaAnchoring;' \
	'IpProfile 0 = "plain", 2, 1;' '[ \IpProfile ]'

# --- MediaEngineStart: sbcd starts and supervises its own rtpengine ---
D2=$D/own
mkdir -p "$D2"
NG=$(free_udp)
PMIN=$((30000 + (RANDOM % 300) * 100))
cat >"$D2/boot.ini" <<EOF2
[SIP Params]
MediaEngineAddress = '127.0.0.1:$NG'
MediaEngineStart = 1
[ CpMediaRealm ]
FORMAT CpMediaRealm_Index = CpMediaRealm_MediaRealmName, CpMediaRealm_IPv4IF, CpMediaRealm_PortRangeStart, CpMediaRealm_MediaSessionLeg, CpMediaRealm_IsDefault;
CpMediaRealm 0 = "lo", "O+M+C", $PMIN, 20, 1;
[ \CpMediaRealm ]
EOF2
if rt_sbcd "$D2" "$D2/boot.ini"; then ok "second sbcd (MediaEngineStart = 1) starts"; else fail "second sbcd starts"; fi
child() { pgrep -P "$SBCD_PID" -x rtpengine; }
if wait_for "child && ng ping | grep -q pong" 100; then ok "it runs its own rtpengine, answering on MediaEngineAddress"; else
	fail "no rtpengine child of sbcd answers"; tail -5 "$D2/sbcd.log"; fi
R1=$(child); [ -n "$R1" ] && t_track "$R1"
if tr '\0' ' ' </proc/"$R1"/cmdline | grep -q -- "--listen-ng=127.0.0.1:$NG --port-min=$PMIN --port-max=$((PMIN + 39))"; then
	ok "with the default realm's port range ($PMIN-$((PMIN + 39)))"
else fail "rtpengine arguments: $(tr '\0' ' ' </proc/"$R1"/cmdline)"; fi
kill "$R1"
if wait_for '[ -n "$(child)" ] && [ "$(child)" != "$R1" ] && ng ping | grep -q pong' 150; then
	ok "a killed rtpengine is started again"
else fail "rtpengine not restarted"; fi
R2=$(child); [ -n "$R2" ] && t_track "$R2"
kill "$SBCD_PID"
if wait_for "! kill -0 $R2" 50; then ok "the private rtpengine ends with sbcd"; else fail "rtpengine outlived sbcd"; fi
t_end

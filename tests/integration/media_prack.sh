#!/bin/bash
# PRACK (RFC 3262) through the B2BUA with media anchoring: a sipp caller that requires 100rel,
# a sipp callee that answers with a reliable 183 (RSeq, SDP). The callee is asked for 100rel,
# the caller gets a reliable 183 of the SBC (its own RSeq) whose SDP names only rtpengine's
# address, the caller's PRACK reaches the callee as a PRACK of its 183 (RAck of its RSeq), and
# the 200 of the PRACK comes back. Early offer (the 183 answers the INVITE's offer) and late
# offer (the 183 offers, the PRACK answers: both SDPs through rtpengine). BYE frees rtpengine's
# session.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../sip/lib-sip.sh"
source "$(dirname "$0")/../sip/lib-media.sh"
t_begin media_prack
D=$T_DIR
command -v rtpengine >/dev/null || { fail "rtpengine is installed (packaging/install-deps)"; t_end; exit 1; }
command -v sipp >/dev/null || { fail "sipp is installed (sip-tester)"; t_end; exit 1; }

media_rtpengine_start
if wait_for "ng ping | grep -q pong" 100; then ok "private rtpengine answers ng ping"; else
	fail "private rtpengine answers ng ping"; tail -5 "$D/rtpengine.log"; t_end; exit 1; fi
printf "[SIP Params]\nMediaEngineAddress = '127.0.0.1:%s'\n" "$NG" >"$D/boot.ini"
if rt_sbcd "$D" "$D/boot.ini"; then ok "sbcd starts"; else fail "sbcd starts"; t_end; exit 1; fi
UAS_P=$(free_udp)
check "media realm, IP profile and routing to the callee configured" sbc_import \
	'[ CpMediaRealm ]' \
	'FORMAT CpMediaRealm_Index = CpMediaRealm_MediaRealmName, CpMediaRealm_IPv4IF, CpMediaRealm_PortRangeStart, CpMediaRealm_MediaSessionLeg, CpMediaRealm_IsDefault;' \
	"CpMediaRealm 0 = \"lo\", \"O+M+C\", $PMIN, 50, 1;" '[ \CpMediaRealm ]' \
	'[ IpProfile ]' 'FORMAT IpProfile_Index = IpProfile_ProfileName, IpProfile_SBCMediaSecurityBehaviour, IpProfile_SBCMediaAnchoring;' \
	'IpProfile 0 = "plain", 2, 1;' '[ \IpProfile ]' \
	'[ ProxySet ]' 'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ClassificationInput;' \
	'ProxySet 1 = "callee", 1;' '[ \ProxySet ]' \
	'[ ProxyIp ]' 'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;' \
	"ProxyIp 1 = \"1\", 0, \"127.0.0.1:$UAS_P\", 0;" '[ \ProxyIp ]' \
	'[ IPGroup ]' 'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName, IPGroup_ClassifyByProxySet, IPGroup_IPProfileName;' \
	'IPGroup 0 = 0, "phones", "", 0, "plain";' 'IPGroup 1 = 0, "callee", "callee", 0, "plain";' '[ \IPGroup ]' \
	'[ Classification ]' 'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_ActionType, Classification_SrcIPGroupName;' \
	'Classification 0 = "local", "127.0.0.1", 1, "phones";' '[ \Classification ]' \
	'[ IP2IPRouting ]' 'FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName;' \
	'IP2IPRouting 0 = "out", "phones", 0, "callee";' '[ \IP2IPRouting ]'

# sdp_body NAME PORT: Content-Type, Content-Length and an SDP of NAME with audio on PORT
sdp_body() {
	printf 'Content-Type: application/sdp\nContent-Length: [len]\n\nv=0\no=%s 1 1 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio %s RTP/AVP 0\na=rtpmap:0 PCMU/8000\n' "$1" "$2"
}
NOBODY=$'Content-Length: 0\n'
# scenarios MODE: $D/uac-MODE.xml and $D/uas-MODE.xml; MODE early (the INVITE offers, the 183
# answers) or late (the 183 offers, the PRACK answers)
scenarios() {
	local inv=$NOBODY r183 prack=$NOBODY p200=$NOBODY
	if [ "$1" = early ]; then inv=$(sdp_body caller 6000); r183=$(sdp_body callee 6002)
	else r183=$(sdp_body callee 6002); prack=$(sdp_body caller 6000); fi
	cat >"$D/uac-$1.xml" <<X
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="caller requiring 100rel ($1 offer)">
  <send retrans="500"><![CDATA[
INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]c[call_number]
To: <sip:[service]@[remote_ip]:[remote_port]>
Call-ID: [call_id]
CSeq: 1 INVITE
Contact: <sip:caller@[local_ip]:[local_port]>
Max-Forwards: 70
Require: 100rel
Supported: 100rel
$inv
]]></send>
  <recv response="100" optional="true"/>
  <recv response="183" rrs="true">
    <action><ereg regexp="RSeq: *([0-9]+)" search_in="msg" check_it="true" assign_to="junk,rseq"/></action>
  </recv>
  <send retrans="500"><![CDATA[
PRACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]c[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 2 PRACK
RAck: [\$rseq] 1 INVITE
Max-Forwards: 70
$prack
]]></send>
  <recv response="200" crlf="true"/>
  <recv response="200" rrs="true"/>
  <send><![CDATA[
ACK [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]c[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 1 ACK
Max-Forwards: 70
Content-Length: 0

]]></send>
  <pause milliseconds="2000"/>
  <send retrans="500"><![CDATA[
BYE [next_url] SIP/2.0
Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
From: <sip:caller@[local_ip]:[local_port]>;tag=[pid]c[call_number]
[last_To:]
Call-ID: [call_id]
CSeq: 3 BYE
Max-Forwards: 70
Content-Length: 0

]]></send>
  <recv response="200"/>
  <Reference variables="junk"/>
</scenario>
X
	cat >"$D/uas-$1.xml" <<X
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="callee answering with a reliable 183 ($1 offer)">
  <recv request="INVITE">
    <action>
      <ereg regexp="Via: [^\r\n]*" search_in="msg" check_it="true" assign_to="via"/>
      <ereg regexp="CSeq: [0-9]+ INVITE" search_in="msg" check_it="true" assign_to="cseq"/>
    </action>
  </recv>
  <send retrans="500"><![CDATA[
SIP/2.0 183 Session Progress
[last_Via:]
[last_From:]
[last_To:];tag=[pid]u[call_number]
[last_Call-ID:]
[last_CSeq:]
Contact: <sip:callee@[local_ip]:[local_port]>
Require: 100rel
RSeq: 4711
$r183
]]></send>
  <recv request="PRACK" crlf="true"/>
  <send><![CDATA[
SIP/2.0 200 OK
[last_Via:]
[last_From:]
[last_To:]
[last_Call-ID:]
[last_CSeq:]
$p200
]]></send>
  <pause milliseconds="200"/>
  <send retrans="500"><![CDATA[
SIP/2.0 200 OK
[\$via]
[last_From:]
[last_To:]
[last_Call-ID:]
[\$cseq]
Contact: <sip:callee@[local_ip]:[local_port]>
Content-Length: 0

]]></send>
  <recv request="ACK" crlf="true"/>
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
}

# run MODE: one call; sets UAC_RC, UAS_RC; messages in $D/{uac,uas}-MODE.msg
run() {
	local pid
	scenarios "$1"
	(cd "$D" && exec timeout 40 sipp -sf "uas-$1.xml" -i 127.0.0.1 -p "$UAS_P" -m 1 -nostdin \
		-trace_msg -message_file "$D/uas-$1.msg" -trace_err -error_file "$D/uas-$1.err" \
		>"$D/uas-$1.out" 2>&1) &
	pid=$!
	t_track "$pid"
	wait_for "ss -Hlun 'sport = :$UAS_P' | grep -q ." 50
	(cd "$D" && exec timeout 40 sipp -sf "uac-$1.xml" -i 127.0.0.1 -p "$(free_udp)" -m 1 -nostdin \
		-s callee -cid_str "prack-$1-$$-%u@%s" -trace_msg -message_file "$D/uac-$1.msg" -trace_err -error_file "$D/uac-$1.err" \
		127.0.0.1:"$SBC_PORT" >"$D/uac-$1.out" 2>&1) &
	UAC_PID=$!
	t_track "$UAC_PID"
	# while the call is up: rtpengine holds it (the caller's Call-ID, as -cid_str makes it)
	CID="prack-$1-$$-1@127.0.0.1"
	if wait_for "ng_knows '$CID'" 100; then HELD=1; else HELD=0; fi
	wait "$UAC_PID"; UAC_RC=$?
	wait "$pid"; UAS_RC=$?
}
# msg_of FILE START: the first message of FILE whose start line begins with START, one line
# per header (CR removed)
msg_of() { awk -v s="$2" 'index($0, s) == 1 {f = 1} f && /^-----/ {exit} f {sub(/\r$/, ""); print}' "$1"; }
# sdp_port TEXT: its m=audio port
sdp_port() { grep -o 'm=audio [0-9]*' <<<"$1" | awk '{print $2}'; }

for mode in early late; do
	run "$mode"
	check "$mode offer: the caller's sipp completes INVITE, reliable 183, PRACK, 200, ACK, BYE" test "$UAC_RC" = 0
	check "$mode offer: the callee's sipp completes its side" test "$UAS_RC" = 0
	inv=$(msg_of "$D/uas-$mode.msg" "INVITE ")
	if grep -q '^Require: 100rel' <<<"$inv"; then ok "$mode offer: the callee is asked for 100rel (Require)"; else
		fail "$mode offer: the callee's INVITE has no Require: 100rel"; echo "$inv" | head -20; fi
	r183=$(msg_of "$D/uac-$mode.msg" "SIP/2.0 183")
	if grep -q '^RSeq: [0-9]' <<<"$r183" && grep -qi '^Require: .*100rel' <<<"$r183"; then
		ok "$mode offer: the caller's 183 is reliable (RSeq, Require: 100rel)"
	else fail "$mode offer: the caller's 183 is not reliable"; echo "$r183" | head -20; fi
	p=$(sdp_port "$r183")
	if grep -q '^c=IN IP4 127.0.0.1' <<<"$r183" && in_range "$p"; then
		ok "$mode offer: its SDP names rtpengine's port $p, not the callee's 6002"
	else fail "$mode offer: 183 SDP port '$p' not rtpengine's ($PMIN-$PMAX)"; echo "$r183"; fi
	prack=$(msg_of "$D/uas-$mode.msg" "PRACK ")
	if grep -q '^RAck: 4711 [0-9]* INVITE' <<<"$prack"; then ok "$mode offer: the callee got a PRACK of its 183 (RAck 4711)"; else
		fail "$mode offer: no PRACK with RAck 4711 at the callee"; echo "$prack" | head -20; fi
	if grep -q "^SIP/2.0 200" "$D/uac-$mode.msg" && [ "$(grep -c '^SIP/2.0 200' "$D/uac-$mode.msg")" -ge 3 ]; then
		ok "$mode offer: the PRACK's 200 came back to the caller"; else fail "$mode offer: 200 of the PRACK"; fi
	if [ "$mode" = late ]; then
		p=$(sdp_port "$prack")
		if in_range "$p"; then ok "late offer: the PRACK's answer reached the callee through rtpengine (port $p, not 6000)"; else
			fail "late offer: PRACK SDP port '$p'"; echo "$prack"; fi
	else
		p=$(sdp_port "$inv")
		if in_range "$p"; then ok "early offer: the INVITE's offer reached the callee through rtpengine (port $p)"; else
			fail "early offer: INVITE SDP port '$p'"; fi
	fi
	check "$mode offer: rtpengine held the call while it was up (ng query)" test "$HELD" = 1
	if wait_for "! ng_knows '$CID'" 30; then ok "$mode offer: BYE freed the session in rtpengine"; else fail "$mode offer: session left in rtpengine"; fi
done
check "sbcd still runs" kill -0 "$SBCD_PID"
t_end

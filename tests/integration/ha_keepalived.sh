#!/bin/bash
# HA 1+1 with keepalived (issue 22, doc/HA.md): two boxes in network namespaces joined by veth
# pairs through a bridge in a third namespace (the phone's), a VRRP virtual address, one
# keepalived (-n, its own config and pid files) and one sbcd per box. Checks: only the active
# listens for SIP; a configuration saved on the active appears on the standby, which refuses
# local changes naming the active; kill -9 of the active sbcd moves the address and the
# standby answers mutual-TLS OPTIONS on it; the old active comes back as standby and does not
# overwrite the newer configuration (it receives it instead). A call set up on a over mutual TLS
# (tests/sip/tls_call.py to a sipp UAS) is recreated on b: its re-INVITE and BYE reach the UAS.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
t_begin ha_keepalived
D=$T_DIR
command -v keepalived >/dev/null || { fail "keepalived not installed (packaging/install-deps)"; t_end; exit 1; }
source "$TOP/tests/ha_env.sh"

check "sbcd a starts" start_sbcd a
start_ka a
check "a becomes active (keepalived MASTER through the FIFO)" wait_for '[ "$(role a)" = active ]' 100
check "sbcd b starts" start_sbcd b
start_ka b
check "b becomes standby" wait_for '[ "$(role b)" = standby ]' 100
check "the virtual address is on a" has_vip a
check "a listens for SIP over TLS" wait_for 'listens a' 50
expect_fail "b does not listen for SIP" listens b
check "b listens on its sync channel" ip netns exec $NSB ss -Hltn "sport = :7011"

N=0
# options: one mutual-TLS OPTIONS from the phone's namespace to the virtual address
options() {
	N=$((N + 1))
	{
		printf 'OPTIONS sip:sbc@%s:5061;transport=tls SIP/2.0\r\n' "$VIP"
		printf 'Via: SIP/2.0/TLS 10.222.0.3:5061;branch=z9hG4bK-ha%s\r\nMax-Forwards: 70\r\n' "$N"
		printf 'From: <sip:phone@10.222.0.3>;tag=t%s\r\nTo: <sip:sbc@%s>\r\n' "$N" "$VIP"
		printf 'Call-ID: ha%s-%s@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' "$N" "$$"
		sleep 1
	} | timeout 5 ip netns exec $NSP openssl s_client -connect "$VIP:5061" -cert "$P/client.crt" \
		-key "$P/client.key" -CAfile "$P/ca.crt" -verify_return_error -ign_eof >"$D/opt.out" 2>&1
	grep -q 'SIP/2.0 200 OK' "$D/opt.out"
}
check "the phone's mutual-TLS OPTIONS to the virtual address is answered (by a)" options
expect_fail "a phone without a certificate is refused" bash -c "echo | timeout 5 ip netns exec $NSP openssl s_client -connect $VIP:5061 -CAfile $P/ca.crt -ign_eof 2>&1 | grep -q 'SIP/2.0'"

# configuration: saved on a, installed on b as a save of its own
printf '[SIP Params]\nTLSHandshakeTimeout = 7\n' >"$D/c1.ini"
# calls from the phones (10.222.0.3) to user bob go to the UAS at 10.222.0.4:5070 (UDP)
cat >>"$D/c1.ini" <<'X'
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ClassificationInput, ProxySet_TLSContextName, ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime;
ProxySet 1 = "uas", 1, "", 0, 60;
[ \ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 1 = "1", 0, "10.222.0.4:5070", 0;
[ \ProxyIp ]
[ IPGroup ]
FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName, IPGroup_ClassifyByProxySet;
IPGroup 0 = 0, "phones", "", 0;
IPGroup 1 = 0, "uas", "uas", 1;
[ \IPGroup ]
[ Classification ]
FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_ActionType, Classification_SrcIPGroupName;
Classification 0 = "phones", "10.222.0.3", 1, "phones";
[ \Classification ]
[ IP2IPRouting ]
FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestUsernamePrefix, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName;
IP2IPRouting 0 = "to-bob", "phones", "bob", 0, "uas";
[ \IP2IPRouting ]
X
check "a takes a change" "$BIN/sbc-ini" --socket "$D/a/sbcd.sock" import --incremental "$D/c1.ini"
check "a saves it" "$BIN/sbc-ini" --socket "$D/a/sbcd.sock" save
check "b has it on its flash" wait_for "grep -q 'TLSHandshakeTimeout = 7' $D/b/flash/board.ini" 100
check "b runs it" wait_for "$BIN/sbc-ini --socket $D/b/sbcd.sock export | grep -q 'TLSHandshakeTimeout = 7'" 50
check "b keeps its own HA peer address" grep -q "HAPeerAddress = '10.222.0.1'" "$D/b/flash/board.ini"
check "b keeps its own sync certificate" cmp -s "$P/client-rsa-chain.crt" "$D/b/flash/tls/1/certificate.pem"
check "b has a's SIP material" cmp -s "$P/server-chain.crt" "$D/b/flash/tls/0/certificate.pem"
check "generations agree" wait_for '[ "$(gen a)" = 1 ] && [ "$(gen b)" = 1 ]' 50
printf '[SIP Params]\nTLSHandshakeTimeout = 9\n' >"$D/c2.ini"
"$BIN/sbc-ini" --socket "$D/b/sbcd.sock" import --incremental "$D/c2.ini" >"$D/refused.out" 2>&1
check "b refuses a local change" [ $? -ne 0 ]
check "b's refusal names the active peer" grep -q "active box (peer 10.222.0.1)" "$D/refused.out"
check "HAStatus on b shows standby and generation 1" \
	bash -c "$BIN/sbc-ini --socket $D/b/sbcd.sock status HAStatus | grep -q '^HAStatus 0 = 3, 1, \"10.222.0.1:7011\", 1,'"

# a phone registers over mutual TLS and keeps its connection (as phones do)
register() { # NAME: REGISTER of alice over a new connection, held 40 s
	{
		printf 'REGISTER sip:%s;transport=tls SIP/2.0\r\n' "$VIP"
		printf 'Via: SIP/2.0/TLS 10.222.0.3:5061;branch=z9hG4bK-reg%s\r\nMax-Forwards: 70\r\n' "$1"
		printf 'From: <sip:alice@%s>;tag=r%s\r\nTo: <sip:alice@%s>\r\n' "$VIP" "$1" "$VIP"
		printf 'Call-ID: reg%s-%s@test\r\nCSeq: 1 REGISTER\r\n' "$1" "$$"
		printf 'Contact: <sip:alice@10.222.0.3:5061;transport=tls>\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n'
		sleep 40
	} | ip netns exec $NSP openssl s_client -connect "$VIP:5061" -cert "$P/client.crt" \
		-key "$P/client.key" -CAfile "$P/ca.crt" -ign_eof >"$D/reg-$1.out" 2>&1 &
	t_track $!
}
registered() { # BOX: alice's binding in the Registrations status, with the certificate subject
	"$BIN/sbc-ini" --socket "$D/$1/sbcd.sock" status Registrations 2>/dev/null |
		grep '^Registrations ' | grep 'sip:alice@' | grep -q 'CN=client.example.com'
}
register 1
check "the phone is registered on a (200 OK)" wait_for "grep -q 'SIP/2.0 200 OK' $D/reg-1.out" 100
check "a holds the binding with the certificate subject" registered a
check "the registration is replicated to b" \
	wait_for "$BIN/sbc-ini --socket $D/b/sbcd.sock ha | grep -q '^registrations 1'" 50
expect_fail "b (standby) has no SIP engine, so no live binding yet" registered b

# a call from the phone (mutual TLS) to bob (a UAS over UDP), set up on a before failover
ip -n $NSP addr add 10.222.0.4/24 dev br0
ip netns exec $NSP sipp -sf "$TOP/tests/sip/uas_reinvite.xml" -i 10.222.0.4 -p 5070 -t u1 -nostdin \
	-key contact "sip:bob@10.222.0.4:5070" -key name bob -trace_msg -message_file "$D/uas.msg" \
	>>"$D/uas.out" 2>&1 &
t_track $!
tls_call() { # MODE: tests/sip/tls_call.py from the phone's namespace to the virtual address
	ip netns exec $NSP python3 "$TOP/tests/sip/tls_call.py" "$1" "$D/call.json" --to "$VIP:5061" \
		--cert "$P/client.crt" --key "$P/client.key" --ca "$P/ca.crt" >"$D/call-$1.out" 2>&1
}
check "the UAS listens" wait_for "ip netns exec $NSP ss -Hlun 'sport = :5070' | grep -q ." 50
check "the phone's call to bob is answered 200 by a (and ACKed)" tls_call invite
check "the established call is replicated to b" \
	wait_for "$BIN/sbc-ini --socket $D/b/sbcd.sock ha | grep -q '^calls 1'" 50

# failover: kill -9 the active sbcd
kill -9 "$SBCD_a"
t0=$(date +%s%N)
check "b becomes active" wait_for '[ "$(role b)" = active ]' 100
check "the virtual address moved to b" wait_for 'has_vip b' 50
check "b's alarm haRoleChange names its new role (notification sbcHARoleChange)" \
	bash -c "$BIN/sbc-ini --socket $D/b/sbcd.sock status Alarms | grep 'haRoleChange' | grep -q '\"HA active\"'"
expect_fail "b's previous role's alarm row is gone" \
	bash -c "$BIN/sbc-ini --socket $D/b/sbcd.sock status Alarms | grep 'haRoleChange' | grep -q '\"HA standby\"'"
check "b answers mutual-TLS OPTIONS on the virtual address" wait_for options 10
t1=$(date +%s%N)
echo "  failover (kill -9 to first OPTIONS answered by b): $(((t1 - t0) / 1000000)) ms"
check "the phone's binding is on b after failover, with its certificate subject" registered b
register 2
check "the phone registers again over a new connection to b" wait_for "grep -q 'SIP/2.0 200 OK' $D/reg-2.out" 100
CALLID=$(sed -n 's/.*"callid": "\([^"]*\)".*/\1/p' "$D/call.json")
check "b shows the call set up on a in its Calls table (the phone's Call-ID)" \
	bash -c "[ -n '$CALLID' ] && '$BIN/sbc-ini' --socket '$D/b/sbcd.sock' status Calls | grep '^Calls ' | grep -qF '$CALLID'"
check "the phone's re-INVITE of that call (new connection to b) is answered 200" tls_call reinvite
check "the re-INVITE reached bob (his second INVITE)" wait_for "[ \$(grep -c '^INVITE sip:bob@10.222.0.4:5070' $D/uas.msg) = 2 ]" 30
check "the phone's BYE of that call (new connection to b) is answered 200" tls_call bye
check "the BYE reached bob" wait_for "grep -q '^BYE sip:bob@10.222.0.4:5070' $D/uas.msg" 30
check "the ended call leaves the replicated state" \
	wait_for "$BIN/sbc-ini --socket $D/b/sbcd.sock ha | grep -q '^calls 0'" 50
check "a's keepalived is in FAULT (no VIP on a)" bash -c "! ip -n $NSA addr show dev eth0 | grep -q '$VIP/'"

# b saves a newer configuration while a is away
printf '[SIP Params]\nTLSHandshakeTimeout = 11\n' >"$D/c3.ini"
check "b (now active) takes a change" "$BIN/sbc-ini" --socket "$D/b/sbcd.sock" import --incremental "$D/c3.ini"
check "b saves it (generation 2)" "$BIN/sbc-ini" --socket "$D/b/sbcd.sock" save
check "b's generation is 2" wait_for '[ "$(gen b)" = 2 ]' 20

# the old active returns: standby, receives generation 2, never sends its generation 1
check "sbcd a starts again" start_sbcd a
check "a comes back as standby" wait_for '[ "$(role a)" = standby ]' 100
check "b stays active" [ "$(role b)" = active ]
check "a receives b's newer configuration" wait_for "grep -q 'TLSHandshakeTimeout = 11' $D/a/flash/board.ini" 100
check "b keeps its newer configuration" grep -q 'TLSHandshakeTimeout = 11' "$D/b/flash/board.ini"
check "a's generation is 2" wait_for '[ "$(gen a)" = 2 ]' 50
check "a (standby again) receives b's registrations" \
	wait_for "$BIN/sbc-ini --socket $D/a/sbcd.sock ha | grep -q '^registrations 1'" 50
check "a keeps its own HA peer address" grep -q "HAPeerAddress = '10.222.0.2'" "$D/a/flash/board.ini"
expect_fail "a does not listen for SIP" listens a
check "the virtual address stays on b" has_vip b
check "OPTIONS still answered by b" options
t_end

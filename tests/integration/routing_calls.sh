#!/bin/bash
# Calls through a real sbcd to real SIP servers reached through proxy sets, IP groups and
# IP-to-IP routing: sipp UAC -> sbcd -> sipp UAS over UDP, over TCP, and over TLS (a socat TLS
# front end with the test PKI's server certificate before a TCP sipp), with the proxy set's TLS
# context trusting the test CA; topology hiding (a new Call-ID, no caller address towards the
# callee); a TLS proxy the context does not trust fails the call at once with 503 and a Reason.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
source "$(dirname "$0")/../sip/lib-sip.sh"
t_begin routing_calls
D=$T_DIR
PKI=$D/pki
pki_make "$PKI" >"$D/pki.log" 2>&1 || { fail "test PKI"; t_end; exit 1; }

# the proxies' TLS context "proxy" (its roots imported below), "noroots" trusts nothing;
# the server certificate must verify and match the proxy address (127.0.0.1 is in its SAN).
# "noroots" is added live, with the routing below: its key and certificate are made when
# outgoing TLS first uses it.
cat >"$D/boot.ini" <<'EOF'
[SIP Params]
VerifyServerCertificate = 1
PeerHostNameVerificationMode = 1
[ TLSContexts ]
FORMAT TLSContexts_Index = TLSContexts_Name;
TLSContexts 1 = "proxy";
[ \TLSContexts ]
EOF
if rt_sbcd "$D" "$D/boot.ini"; then ok "sbcd starts"; else fail "sbcd starts"; t_end; exit 1; fi
check "the test CA is imported as the roots of context 'proxy'" \
	"$BIN/sbc-ini" --socket "$SOCK" tls import-roots proxy -f "$PKI/cas.pem"

UDP_P=$(free_udp)
TCP_P=$(free_udp)
TLSB_P=$(free_udp) # the TCP sipp behind the TLS front end
TLS_P=$(free_udp)
DEAD_P=$(free_udp)
check "UAS over UDP is up" uas_start udp u1 "$UDP_P"
check "UAS over TCP is up" uas_start tcp t1 "$TCP_P"
check "UAS behind TLS is up" uas_start tls t1 "$TLSB_P" "sip:127.0.0.1:$TLS_P;transport=tls"
check "TLS front end is up" tls_front "$TLS_P" "$TLSB_P"
UNTRUSTED_P=$(free_udp)
check "second TLS front end (for the untrusting context) is up" tls_front "$UNTRUSTED_P" "$TLSB_P"

# one proxy set per transport (ClassificationInput 1: 127.0.0.1 alone does not make the caller
# one of the servers); the caller is classified by address to the group "uac"; the Request-URI
# user's prefix picks the server
check "routing configured" sbc_import \
	'[ TLSContexts ]' \
	'FORMAT TLSContexts_Index = TLSContexts_Name;' \
	'TLSContexts 2 = "noroots";' \
	'[ \TLSContexts ]' \
	'[ ProxySet ]' \
	'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ClassificationInput, ProxySet_TLSContextName, ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime;' \
	'ProxySet 1 = "udp-uas", 1, "", 0, 60;' \
	'ProxySet 2 = "tcp-uas", 1, "", 0, 60;' \
	'ProxySet 3 = "tls-uas", 1, "proxy", 1, 5;' \
	'ProxySet 4 = "tls-untrusted", 1, "noroots", 0, 60;' \
	'[ \ProxySet ]' \
	'[ ProxyIp ]' \
	'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;' \
	"ProxyIp 1 = \"1\", 0, \"127.0.0.1:$UDP_P\", 0;" \
	"ProxyIp 2 = \"2\", 0, \"127.0.0.1:$TCP_P\", 1;" \
	"ProxyIp 3 = \"3\", 0, \"127.0.0.1:$TLS_P\", 2;" \
	"ProxyIp 4 = \"4\", 0, \"127.0.0.1:$UNTRUSTED_P\", 2;" \
	'[ \ProxyIp ]' \
	'[ IPGroup ]' \
	'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName, IPGroup_ClassifyByProxySet;' \
	'IPGroup 0 = 0, "uac", "", 0;' \
	'IPGroup 1 = 0, "udp-uas", "udp-uas", 1;' \
	'IPGroup 2 = 0, "tcp-uas", "tcp-uas", 1;' \
	'IPGroup 3 = 0, "tls-uas", "tls-uas", 1;' \
	'IPGroup 4 = 0, "tls-untrusted", "tls-untrusted", 1;' \
	'[ \IPGroup ]' \
	'[ Classification ]' \
	'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_ActionType, Classification_SrcIPGroupName;' \
	'Classification 0 = "local-callers", "127.0.0.1", 1, "uac";' \
	'[ \Classification ]' \
	'[ IP2IPRouting ]' \
	'FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestUsernamePrefix, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName;' \
	'IP2IPRouting 0 = "to-udp", "uac", "udp", 0, "udp-uas";' \
	'IP2IPRouting 1 = "to-tcp", "uac", "tcp", 0, "tcp-uas";' \
	'IP2IPRouting 2 = "to-tls", "uac", "tls", 0, "tls-uas";' \
	'IP2IPRouting 3 = "to-untrusted", "uac", "untrusted", 0, "tls-untrusted";' \
	'[ \IP2IPRouting ]'
contains "sbcd took the routing configuration" "$D/sbcd.log" "routing configuration: 4 proxy sets, 5 IP groups, 1 classification rules, 4 routing rules"

# callid FILE: the first Call-ID header of a sipp message log
callid() { sed -n 's/^Call-ID: *//p' "$1" | head -1 | tr -d '\r'; }

# hidden NAME: the UAS of NAME saw the call with its own Call-ID and none of the caller's addresses
hidden() {
	local a b
	a=$(callid "$D/uac-$1.msg") b=$(callid "$D/uas-$2.msg")
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ] || { echo "Call-IDs: uac '$a' uas '$b'"; return 1; }
	# From and To carry the addresses of record, relayed as they are; every other header
	# (Via, Contact, Call-ID, Record-Route...) must be the SBC's own
	if grep -v -E '^(From|To|f|t):' "$D/uas-$2.msg" | grep -F -e "$a" -e "127.0.0.1:$UAC_PORT"; then
		echo "the UAS saw the caller's Call-ID or address"
		return 1
	fi
}

# --- UDP -> UDP ---
check "call UDP -> UDP completes (sipp exit status 0)" uac_call udp u1 udp100
check "sipp counts 1 successful call" test "$(uac_stat udp 'Successful call')" = 1
check "and no failed call" test "$(uac_stat udp 'Failed call')" = 0
check "the UDP server got the INVITE (and only it)" test "$(uas_invites udp)/$(uas_invites tcp)/$(uas_invites tls)" = 1/0/0
contains "over UDP, from the SBC's interface" "$D/uas-udp.msg" "^Via: SIP/2.0/UDP 127.0.0.1:$SBC_PORT;"
contains "Request-URI towards the proxy: user at the proxy address" "$D/uas-udp.msg" "^INVITE sip:udp100@127.0.0.1:$UDP_P SIP/2.0"
contains "the UAS got the BYE" "$D/uas-udp.msg" "^BYE sip:"
UAC_PORT=$(sed -n 's/^Contact: .*@127.0.0.1:\([0-9]*\).*/\1/p' "$D/uac-udp.msg" | head -1)
check "topology hiding: new Call-ID, no caller address at the UAS (UDP)" hidden udp udp
contains "sbcd logged the route" "$D/sbcd.log" "INVITE from sipp .*IP group 'uac'.* via 127.0.0.1:$UDP_P \(rule 'to-udp'\)"

# --- TCP -> TCP ---
check "call TCP -> TCP completes" uac_call tcp t1 tcp200
check "sipp counts 1 successful call (TCP)" test "$(uac_stat tcp 'Successful call')/$(uac_stat tcp 'Failed call')" = 1/0
check "the TCP server got the INVITE" test "$(uas_invites udp)/$(uas_invites tcp)/$(uas_invites tls)" = 1/1/0
contains "over TCP" "$D/uas-tcp.msg" "^Via: SIP/2.0/TCP 127.0.0.1:"
UAC_PORT=$(sed -n 's/^Contact: .*@127.0.0.1:\([0-9]*\).*/\1/p' "$D/uac-tcp.msg" | head -1)
check "topology hiding (TCP)" hidden tcp tcp

# --- UDP -> TLS (context 'proxy' verifies the server) ---
check "the TLS proxy is up by keep-alive over TLS" wait_for '[ "$(pstatus 3 State)" = 1 ]' 100
check "ProxyStatus shows the verified server's subject" wait_for 'pstatus 3 TLSPeerSubject | grep -q CN=localhost' 30
check "call UDP -> TLS completes" uac_call tls u1 tls300
check "sipp counts 1 successful call (TLS)" test "$(uac_stat tls 'Successful call')/$(uac_stat tls 'Failed call')" = 1/0
check "the TLS server got the INVITE" test "$(uas_invites udp)/$(uas_invites tcp)/$(uas_invites tls)" = 1/1/1
contains "over TLS" "$D/uas-tls.msg" "^Via: SIP/2.0/TLS 127.0.0.1:"
contains "the BYE came over TLS too" "$D/uas-tls.msg" "^BYE sip:127.0.0.1:$TLS_P;transport=tls"
UAC_PORT=$(sed -n 's/^Contact: .*@127.0.0.1:\([0-9]*\).*/\1/p' "$D/uac-tls.msg" | head -1)
check "topology hiding (TLS)" hidden tls tls

# --- TLS to a proxy the context does not trust: 503 at once, with the reason ---
t0=$(date +%s%N)
sipreq --user untrusted1 --timeout 10
out=$REQ_OUT
ms=$((($(date +%s%N) - t0) / 1000000))
echo "$out" >"$D/untrusted.out"
check "untrusted TLS proxy: the caller gets 503" test "$(final_of "$out")" = 503
contains "with a Reason naming the verification failure" "$D/untrusted.out" 'reason SIP;cause=503;text="TLS: certificate verify failed'
check "within 2.5 s (not at Timer F), took ${ms} ms" test "$ms" -lt 2500
check "the server behind got no INVITE from it" test "$(uas_invites tls)" = 1
check "ProxyStatus counts the failure" wait_for '[ "$(pstatus 4 RequestsFailed)" -ge 1 ]' 20

check "the sipp UASes saw no unexpected message" uas_clean udp tcp tls
check "sbcd is still running" kill -0 "$SBCD_PID"
t_end

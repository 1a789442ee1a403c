#!/bin/bash
# Proxy keep-alive, redundancy and load balancing through a real sbcd with two real SIP servers
# (sipp, tests/sip/uas.xml, answering OPTIONS) on 127.0.0.1: both come up by OPTIONS; homing uses
# the first; when it stops, ProxyStatus shows it down and calls go to the second; when it is back,
# calls return to it. Parking stays on the second. Round-robin alternates. Hot swap (no keep-alive)
# moves a call on from an address that does not answer.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../sip/lib-sip.sh"
t_begin routing_keepalive
D=$T_DIR

if rt_sbcd "$D"; then ok "sbcd starts"; else fail "sbcd starts"; t_end; exit 1; fi
P1=$(free_udp)
P2=$(free_udp)
DEAD_P=$(free_udp) # nothing listens there
check "server K1 is up" uas_start K1 u1 "$P1"
check "server K2 is up" uas_start K2 u1 "$P2"

# set MODE BALANCING KEEPALIVE HOTSWAP: proxy set 1 "ka" (K1 then K2; ProxyKeepAliveTime 5, the
# least the schema allows), and the rest of the routing
set_ka() {
	sbc_import '[ ProxySet ]' \
		'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ClassificationInput, ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime, ProxySet_ProxyRedundancyMode, ProxySet_ProxyLoadBalancingMethod, ProxySet_IsProxyHotSwap;' \
		"ProxySet 1 = \"ka\", 1, $3, 5, $1, $2, $4;" \
		'[ \ProxySet ]'
}
check "homing proxy set with keep-alive (OPTIONS every 5 s)" set_ka 1 0 1 0
check "addresses, groups, classification, routing" sbc_import \
	'[ ProxyIp ]' \
	'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;' \
	"ProxyIp 0 = \"1\", 0, \"127.0.0.1:$P1\", 0;" \
	"ProxyIp 1 = \"1\", 1, \"127.0.0.1:$P2\", 0;" \
	'[ \ProxyIp ]' \
	'[ IPGroup ]' \
	'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName, IPGroup_ClassifyByProxySet;' \
	'IPGroup 0 = 0, "callers", "", 0;' \
	'IPGroup 1 = 0, "ka", "ka", 1;' \
	'[ \IPGroup ]' \
	'[ Classification ]' \
	'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_SrcIPGroupName;' \
	'Classification 0 = "local", "127.0.0.1", "callers";' \
	'[ \Classification ]' \
	'[ IP2IPRouting ]' \
	'FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName;' \
	'IP2IPRouting 0 = "out", "callers", 0, "ka";' \
	'[ \IP2IPRouting ]'

# calls N: N INVITEs through the SBC, one after the other; r gets who answered each, space
# separated ("-" when nobody did)
calls() {
	local i by
	r=""
	for i in $(seq "$1"); do
		sipreq --user 555 --timeout 8
		by=$(sed -n 's/^answered-by //p' <<<"$REQ_OUT")
		r="$r ${by:--}"
	done
	r=${r# }
}
state() { pstatus "$1" State; }
now() { date +%s%N | cut -c1-13; }

check "K1 comes up by keep-alive" wait_for '[ "$(state 0)" = 1 ]' 80
check "K2 comes up by keep-alive" wait_for '[ "$(state 1)" = 1 ]' 80
check "K1 answered OPTIONS" test "$(grep -c '^OPTIONS ' "$D/uas-K1.msg")" -ge 1
check "K2 answered OPTIONS" test "$(grep -c '^OPTIONS ' "$D/uas-K2.msg")" -ge 1
check "ProxyStatus counts keep-alives sent" test "$(pstatus 0 KeepAlivesSent)" -ge 1
calls 3
check "homing: calls go to the first address (got '$r')" test "$r" = "K1 K1 K1"
check "ProxyStatus: K1 active, K2 not" test "$(pstatus 0 Active)/$(pstatus 1 Active)" = 1/0
check "a sipp call completes through the set" uac_call homing u1 555
check "sipp: 1 successful call" test "$(uac_stat homing 'Successful call')/$(uac_stat homing 'Failed call')" = 1/0
check "K1 took it" test "$(uas_invites K1)/$(uas_invites K2)" = 4/0

# K1 stops: the next keep-alive (within 5 s, answered within 3 s) marks it down
check "K1 stops" uas_stop K1
t0=$(now)
check "ProxyStatus shows K1 down" wait_for '[ "$(state 0)" = 2 ]' 150
ms=$(($(now) - t0))
check "within keep-alive time + answer timeout (took $ms ms)" test "$ms" -lt 9500
check "K2 still up" test "$(state 1)" = 1
check "LastError says why" test -n "$(pstatus 0 LastError)"
check "KeepAliveFailures counted" test "$(pstatus 0 KeepAliveFailures)" -ge 1
contains "sbcd logged it" "$D/sbcd.log" "proxy set 'ka' address 127.0.0.1:$P1 is down"
calls 3
check "calls go to K2 (got '$r')" test "$r" = "K2 K2 K2"
check "ProxyStatus: K2 active" test "$(pstatus 0 Active)/$(pstatus 1 Active)" = 0/1
check "a sipp call completes while K1 is down" uac_call failover u1 555
check "sipp: 1 successful call" test "$(uac_stat failover 'Successful call')" = 1

# K1 is back on the same port: keep-alive brings it up, homing returns to it
check "K1 starts again" uas_start K1b u1 "$P1"
t0=$(now)
check "ProxyStatus shows K1 up again" wait_for '[ "$(state 0)" = 1 ]' 150
ms=$(($(now) - t0))
check "within the keep-alive time (took $ms ms)" test "$ms" -lt 7000
contains "sbcd logged it" "$D/sbcd.log" "proxy set 'ka' address 127.0.0.1:$P1 is up"
calls 2
check "homing: calls return to K1 (got '$r')" test "$r" = "K1b K1b"

# parking (redundancy mode 0): after a failover calls stay on K2 when K1 is back
check "parking" set_ka 0 0 1 0
check "the change kept the address states" test "$(state 0)/$(state 1)" = 1/1
calls 1
check "parking starts where homing was: K1 (got '$r')" test "$r" = K1b
check "K1 stops" uas_stop K1b
check "K1 is down" wait_for '[ "$(state 0)" = 2 ]' 150
calls 1
check "calls move to K2 (got '$r')" test "$r" = K2
check "K1 starts again" uas_start K1c u1 "$P1"
check "K1 is up" wait_for '[ "$(state 0)" = 1 ]' 150
calls 2
check "parking: calls stay on K2 (got '$r')" test "$r" = "K2 K2"

# round-robin over the two addresses
check "round-robin" set_ka 0 1 1 0
calls 4
check "calls alternate (got '$r')" test "$r" = "K1c K2 K1c K2" -o "$r" = "K2 K1c K2 K1c"
check "ProxyStatus: no single active address under load balancing" test "$(pstatus 0 Active)/$(pstatus 1 Active)" = 0/0
check "round-robin skips an address that is down" uas_stop K2
check "K2 is down" wait_for '[ "$(state 1)" = 2 ]' 150
calls 3
check "all calls to K1 (got '$r')" test "$r" = "K1c K1c K1c"

# hot swap without keep-alive: the first address does not answer, the call moves on
# (keep-alive off first: K2's "down" then becomes "unknown", not "up" by a probe in between)
check "hot swap, no keep-alive, homing" set_ka 1 0 0 1
check "K2 starts again" uas_start K2b u1 "$P2"
check "K1 is now an address where nothing listens" sbc_import '[ ProxyIp ]' \
	'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;' \
	"ProxyIp 0 = \"1\", 0, \"127.0.0.1:$DEAD_P\", 0;" '[ \ProxyIp ]'
check "without keep-alive the states are unknown" test "$(state 0)/$(state 1)" = 0/0
t0=$(now)
calls 1
ms=$(($(now) - t0))
check "the call reaches K2 (got '$r')" test "$r" = K2b
check "hot swap took $ms ms (< 8 s)" test "$ms" -lt 8000
check "ProxyStatus counts the failed request on the dead address" test "$(pstatus 0 RequestsFailed)" -ge 1
check "the sipp UASes saw no unexpected message" uas_clean K1 K2 K1b K1c K2b
check "sbcd is still running" kill -0 "$SBCD_PID"
t_end

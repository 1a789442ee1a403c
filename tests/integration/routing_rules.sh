#!/bin/bash
# IP-to-IP routing and classification rules through a real sbcd, with two real SIP servers
# (sipp, tests/sip/uas.xml) and callers on 127.0.0.1 (tests/sip/sipreq.py, sipp): the first
# matching rule wins (index order, applied live), no matching rule gives 404, a matched
# destination that is down gives 503 and no later rule is tried, the RequestType filter, and
# classification deny / no match answered with the interface's ClassificationFailureResponseType.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../sip/lib-sip.sh"
t_begin routing_rules
D=$T_DIR

if rt_sbcd "$D"; then ok "sbcd starts"; else fail "sbcd starts"; t_end; exit 1; fi
A_P=$(free_udp)
B_P=$(free_udp)
DEAD_P=$(free_udp) # nothing listens there
check "server A is up" uas_start A u1 "$A_P"
check "server B is up" uas_start B u1 "$B_P"

# routes ROW...: replaces the IP2IPRouting table (rows as 'name, src group, user prefix,
# request type, dest group') and waits for sbcd to log the new rule count
routes() {
	local f=$D/routes.ini n=$#
	{
		printf '[ IP2IPRouting ]\nFORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestUsernamePrefix, IP2IPRouting_RequestType, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName;\n'
		local i=0 r
		for r in "$@"; do
			IFS='|' read -r name grp pfx rt dst <<<"$r"
			printf 'IP2IPRouting %d = "%s", "%s", "%s", %d, 0, "%s";\n' "$i" "$name" "$grp" "$pfx" "$rt" "$dst"
			i=$((i + 1))
		done
		printf '[ \\IP2IPRouting ]\n'
	} >"$f"
	# a whole table in an incremental file: delete the old rows first
	"$BIN/sbc-ini" --socket "$SOCK" export IP2IPRouting | sed -n 's/^IP2IPRouting \([0-9]*\) =.*/!DELETE IP2IPRouting \1/p' >"$D/del.ini"
	if [ -s "$D/del.ini" ]; then
		"$BIN/sbc-ini" --socket "$SOCK" import --incremental "$D/del.ini" || return 1
	fi
	"$BIN/sbc-ini" --socket "$SOCK" import --incremental "$f" &&
		[ "$("$BIN/sbc-ini" --socket "$SOCK" export IP2IPRouting | grep -c '^IP2IPRouting [0-9]')" = "$n" ]
}

# call USER [sipreq options]: one request, prints sipreq's output; sets CODE and BY (who answered)
call() {
	local u=$1
	shift
	sipreq --user "$u" --timeout 8 "$@"
	OUT=$REQ_OUT
	CODE=$(final_of "$OUT")
	BY=$(sed -n 's/^answered-by //p' <<<"$OUT")
	echo "$OUT" >>"$D/calls.log"
}

check "proxy sets, IP groups and classification configured" sbc_import \
	'[ ProxySet ]' \
	'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ClassificationInput, ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime;' \
	'ProxySet 1 = "a", 1, 0, 60;' \
	'ProxySet 2 = "b", 1, 0, 60;' \
	'ProxySet 3 = "dead", 1, 1, 5;' \
	'[ \ProxySet ]' \
	'[ ProxyIp ]' \
	'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;' \
	"ProxyIp 1 = \"1\", 0, \"127.0.0.1:$A_P\", 0;" \
	"ProxyIp 2 = \"2\", 0, \"127.0.0.1:$B_P\", 0;" \
	"ProxyIp 3 = \"3\", 0, \"127.0.0.1:$DEAD_P\", 0;" \
	'[ \ProxyIp ]' \
	'[ IPGroup ]' \
	'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName, IPGroup_ClassifyByProxySet;' \
	'IPGroup 0 = 0, "callers", "", 0;' \
	'IPGroup 1 = 0, "a", "a", 1;' \
	'IPGroup 2 = 0, "b", "b", 1;' \
	'IPGroup 3 = 0, "dead", "dead", 1;' \
	'[ \IPGroup ]' \
	'[ Classification ]' \
	'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_SrcUsernamePrefix, Classification_ActionType, Classification_SrcIPGroupName;' \
	'Classification 0 = "blocked", "", "666", 0, "";' \
	'Classification 1 = "local", "127.0.0.1", "*", 1, "callers";' \
	'[ \Classification ]'

# --- first matching rule wins ---
check "rules: 1* -> A, 10* -> B, 2* -> B" routes "one-a|callers|1|0|a" "ten-b|callers|10|0|b" "two-b|callers|2|0|b"
call 1000
check "1000 matches rules 0 and 1: rule 0 wins, A answers (got $CODE/$BY)" test "$CODE/$BY" = 200/A
check "the call was ended with BYE 200" grep -q '^bye 200' <<<"$OUT"
call 2000
check "2000 matches rule 2 only: B answers (got $CODE/$BY)" test "$CODE/$BY" = 200/B
check "A got one INVITE, B one" test "$(uas_invites A)/$(uas_invites B)" = 1/1
contains "sbcd names the winning rule" "$D/sbcd.log" "INVITE from caller .* to sip:1000@127.0.0.1:$A_P via 127.0.0.1:$A_P \(rule 'one-a'\)"
check "rules reordered live: 10* -> B first, then 1* -> A" routes "ten-b|callers|10|0|b" "one-a|callers|1|0|a" "two-b|callers|2|0|b"
call 1000
check "now 1000 goes to B (got $CODE/$BY)" test "$CODE/$BY" = 200/B
call 1100
check "and 1100 still to A (got $CODE/$BY)" test "$CODE/$BY" = 200/A
check "a real sipp call takes rule 0 too" uac_call sipp u1 1099
check "sipp: 1 successful call, B answered it" test "$(uac_stat sipp 'Successful call')/$(uas_invites A)/$(uas_invites B)" = 1/2/3

# --- no rule matches: 404 ---
call 3000
check "3000 matches no rule: 404 (got $CODE)" test "$CODE" = 404
contains "sbcd says why" "$D/sbcd.log" "INVITE from 127.0.0.1:[0-9]+ \(caller\) to 3000 refused 404: no routing rule matches \(source IP group 'callers'\)"
check "no server saw it" test "$(uas_invites A)/$(uas_invites B)" = 2/3

# --- the first match wins even when its destination is down: 503, no later rule tried ---
check "the 'dead' proxy is marked down by keep-alive" wait_for '[ "$(pstatus 3 State)" = 2 ]' 120
check "rules: 5* -> dead, 5* -> B" routes "five-dead|callers|5|0|dead" "five-b|callers|5|0|b"
call 5000
check "5000 gets 503 (got $CODE)" test "$CODE" = 503
contains "with a Reason" "$D/calls.log" "reason SIP;cause=503;text=\"no proxy of IP group 'dead' is available\""
check "and B was not tried" test "$(uas_invites B)" = 3

# --- RequestType ---
check "rules: 7* INVITE -> A, 7* all -> B, 8* INVITE -> A" routes "inv-a|callers|7|1|a" "all-b|callers|7|0|b" "inv8-a|callers|8|1|a"
call 7000
check "INVITE 7000 takes the INVITE rule: A (got $CODE/$BY)" test "$CODE/$BY" = 200/A
call 7000 --method MESSAGE
check "MESSAGE 7000 skips it: delivered to B (got $CODE)" test "$CODE" = 200
check "B got the MESSAGE, A none" test "$(grep -c '^MESSAGE ' "$D/uas-B.msg")/$(grep -c '^MESSAGE ' "$D/uas-A.msg")" = 1/0
call 8000 --method MESSAGE
check "MESSAGE 8000: only an INVITE rule matches the user: 404 (got $CODE)" test "$CODE" = 404
call 8000
check "INVITE 8000: A (got $CODE/$BY)" test "$CODE/$BY" = 200/A
call 8000 --method OPTIONS
check "OPTIONS is answered by the SBC itself whatever the rules (got $CODE)" test "$CODE" = 200
check "no server saw an OPTIONS" test "$(cat "$D/uas-A.msg" "$D/uas-B.msg" | grep -c '^OPTIONS ')" = 0

# --- classification ---
# iface N RESP: SIP interface 0 with ClassificationFailureResponseType RESP (its ports unchanged)
iface() {
	local row
	row=$("$BIN/sbc-ini" --socket "$SOCK" export SIPInterface | grep '^SIPInterface 0 =')
	sbc_import '[ SIPInterface ]' \
		'FORMAT SIPInterface_Index = SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort, SIPInterface_ClassificationFailureResponseType;' \
		"SIPInterface 0 = $(cut -d, -f4-6 <<<"${row#*=}" | tr -d ' '), $1;" '[ \SIPInterface ]'
}
check "interface 0 answers classification failures with 403" iface 403
check "its ports did not change" test "$(sed -n 's/^SIPInterface 0 = \([0-9]*\),.*/\1/p' "$D/init.ini")" = \
	"$("$BIN/sbc-ini" --socket "$SOCK" export SIPInterface | sed -n 's/^SIPInterface 0 = [^,]*, [^,]*, [^,]*, \([0-9]*\),.*/\1/p')"
check "and nothing waits for a reset" test -z "$("$BIN/sbc-ini" --socket "$SOCK" pending | grep -i SIPInterface)"
call 7000 --from-user 666
check "From user 666 is denied by classification rule 0: 403 (got $CODE)" test "$CODE" = 403
contains "sbcd names the rule" "$D/sbcd.log" "refused 403: denied by classification rule 0 'blocked'"
call 7000 --from-user 6660 --transport tcp
check "over TCP as well (got $CODE)" test "$CODE" = 403
check "no server saw the denied calls" test "$(uas_invites A)/$(uas_invites B)" = 4/3
check "ClassificationFailureResponseType 488" iface 488
call 7000 --from-user 666
check "the deny now answers 488 (got $CODE)" test "$CODE" = 488
check "ClassificationFailureResponseType 0 (the vendor's 'no response')" iface 0
call 7000 --from-user 666
check "0 behaves as 500, as documented (got $CODE)" test "$CODE" = 500
contains "with a Reason naming the rule" "$D/calls.log" "reason SIP;cause=500;text=\"denied by classification rule 0 'blocked'\""
check "back to 403" iface 403
check "the allow rule no longer matches our address" sbc_import '[ Classification ]' \
	'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_SrcUsernamePrefix, Classification_ActionType, Classification_SrcIPGroupName;' \
	'Classification 1 = "local", "127.0.0.9", "*", 1, "callers";' '[ \Classification ]'
call 7000
check "no classification rule matches: 403 (got $CODE)" test "$CODE" = 403
contains "sbcd says why" "$D/sbcd.log" "refused 403: no classification rule matches source 127.0.0.1:[0-9]+"
check "a prefix pattern matches again" sbc_import '[ Classification ]' \
	'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_SrcIPGroupName;' \
	'Classification 1 = "local", "127.0.*", "callers";' '[ \Classification ]'
call 7000
check "classified by 127.0.*: A answers (got $CODE/$BY)" test "$CODE/$BY" = 200/A
check "the sipp UASes saw no unexpected message" uas_clean A B
check "sbcd is still running" kill -0 "$SBCD_PID"
t_end

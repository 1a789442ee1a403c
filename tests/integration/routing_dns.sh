#!/bin/bash
# SIP trunks by name (doc/ROUTING.md "DNS"): a real DNS server (dnsmasq, on a free loopback port,
# records below, TTL 2 s) serves NAPTR, SRV (two targets, different priorities and weights), A and
# AAAA records; a real sbcd asks it through PrimaryDNSServerIPAddress + DNSServerPort. Calls over
# UDP, TCP and TLS reach the right target (the TLS peer sees SNI = the name, its certificate names
# *.secure.test); stopping the primary target fails over to the secondary within the keep-alive
# bound; a zone change moves traffic after the TTL; a name that no longer resolves raises the
# dnsResolutionFailed alarm and keeps its targets (stale), and clears it when it resolves again; a
# TLS peer whose certificate names another host is refused with the exact Reason; the event loop
# answers OPTIONS within 10 ms while the DNS server answers after 3 s.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
source "$(dirname "$0")/../sip/lib-sip.sh"
t_begin routing_dns
D=$T_DIR
PKI=$D/pki
command -v dnsmasq >/dev/null || { fail "dnsmasq is installed (packaging/install-deps)"; t_end; exit 1; }
pki_make "$PKI" >"$D/pki.log" 2>&1 || { fail "test PKI"; t_end; exit 1; }
# server certificates naming hosts: *.secure.test (wildcard, the good peer), other.example (bad)
cat >>"$PKI/ca.cnf" <<'X'
[ wild ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.secure.test
[ other ]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example
X
for n in wild other; do
	openssl ecparam -name prime256v1 -genkey -noout -out "$PKI/$n.key"
	pki_sign "$PKI" "$n" "$n-peer" "$n" inter -days 30 >>"$D/pki.log" 2>&1
	cat "$PKI/$n.crt" "$PKI/inter.crt" >"$PKI/$n-chain.crt"
done

P1=$(free_udp)   # K1: trunk.test SRV priority 10
P2=$(free_udp)   # K2: trunk.test SRV priority 20
P3=$(free_udp)   # K3: replaces K1 in the changed zone
PT=$(free_udp)   # KT: TCP, tcp.test SRV
TLSB=$(free_udp) # KS: TCP sipp behind the TLS front
TLS_P=$(free_udp)
BAD_P=$(free_udp)
DNS_P=$(free_udp)
SLOW_P=$(free_udp)

# dns_start ZONE: dnsmasq on 127.0.0.1:DNS_P with the records of zone ZONE (1 the first, 2 the
# changed one, 0 without trunk.test); every query logged to $D/dns.log
dns_start() {
	local z=$1
	{
		echo "port=$DNS_P"
		echo "listen-address=127.0.0.1"
		echo "bind-interfaces"
		echo "no-resolv"
		echo "no-hosts"
		echo "local=/test/"
		echo "local-ttl=2"
		echo "log-queries"
		echo "log-facility=$D/dns.log"
		echo "pid-file="
		if [ "$z" != 0 ]; then
			echo "naptr-record=trunk.test,10,50,s,SIP+D2U,,_sip._udp.trunk.test"
			if [ "$z" = 1 ]; then
				echo "srv-host=_sip._udp.trunk.test,a.trunk.test,$P1,10,60"
			else
				echo "srv-host=_sip._udp.trunk.test,c.trunk.test,$P3,10,60"
			fi
			echo "srv-host=_sip._udp.trunk.test,b.trunk.test,$P2,20,40"
		fi
		echo "host-record=a.trunk.test,127.0.0.1"
		echo "host-record=b.trunk.test,127.0.0.1"
		echo "host-record=c.trunk.test,127.0.0.1"
		echo "srv-host=_sip._tcp.tcp.test,a.trunk.test,$PT,10,10"
		echo "naptr-record=sip.secure.test,10,50,s,SIPS+D2T,,_sips._tcp.sip.secure.test"
		echo "srv-host=_sips._tcp.sip.secure.test,peer.secure.test,$TLS_P,10,10"
		echo "host-record=peer.secure.test,127.0.0.1"
		echo "host-record=bad.secure.test,127.0.0.1"
		echo "host-record=dest.test,127.0.0.1"
		echo "host-record=slow.test,127.0.0.1"
		echo "host-record=dual.test,127.0.0.1,::1"
	} >"$D/dnsmasq-$z.conf"
	dnsmasq -k --conf-file="$D/dnsmasq-$z.conf" 2>>"$D/dnsmasq.err" &
	DNS_PID=$!
	t_track "$DNS_PID"
	wait_for "ss -Hlun 'sport = :$DNS_P' | grep -q ." 50
}
dns_stop() {
	kill "$DNS_PID" 2>/dev/null
	wait_for "! kill -0 $DNS_PID" 50
}

# dstatus NAME [TARGET] COLUMN: a column of the DNSStatus row of NAME (and TARGET "ip:port")
dstatus() {
	local name=$1 target=$2 col=$3
	[ $# = 2 ] && col=$2 target=""
	"$BIN/sbc-ini" --socket "$SOCK" status DNSStatus | python3 -c '
import sys, csv
name, target, col = sys.argv[1], sys.argv[2], sys.argv[3]
cols = None
for line in sys.stdin:
    line = line.strip()
    if line.startswith("FORMAT"):
        cols = [c.strip().split("_", 1)[-1] for c in line.split("=", 1)[1].rstrip(";").split(",")]
    elif line.startswith("DNSStatus ") and "=" in line:
        v = [x.strip() for x in next(csv.reader([line.split("=", 1)[1].rstrip(";")], skipinitialspace=True))]
        if v[cols.index("Name")] == name and (not target or v[cols.index("Target")] == target):
            print(v[cols.index(col)])
            break' "$name" "$target" "$col"
}
alarmed() { "$BIN/sbc-ini" --socket "$SOCK" status Alarms | grep -q "dnsResolutionFailed.*$1"; }
answered() { sed -n 's/^answered-by //p' <<<"$REQ_OUT"; }

check "DNS server (dnsmasq) is up" dns_start 1
check "K1 is up" uas_start K1 u1 "$P1"
check "K2 is up" uas_start K2 u1 "$P2"
check "KT (TCP) is up" uas_start KT t1 "$PT"
check "KS (behind TLS) is up" uas_start KS t1 "$TLSB" "sip:127.0.0.1:$TLS_P;transport=tls"
python3 "$SIPDIR/tls_sni_front.py" "$TLS_P" "$TLSB" "$PKI/wild-chain.crt" "$PKI/wild.key" "$D/sni.log" 2>>"$D/front.err" &
t_track $!
python3 "$SIPDIR/tls_sni_front.py" "$BAD_P" "$TLSB" "$PKI/other-chain.crt" "$PKI/other.key" "$D/sni-bad.log" 2>>"$D/front.err" &
t_track $!
check "TLS fronts are up" wait_for "ss -Hltn 'sport = :$TLS_P' | grep -q . && ss -Hltn 'sport = :$BAD_P' | grep -q ." 50

cat >"$D/boot.ini" <<EOF
[SIP Params]
VerifyServerCertificate = 1
PeerHostNameVerificationMode = 1
DNSServerPort = $DNS_P
DNSGracePeriod = 30
[ TLSContexts ]
FORMAT TLSContexts_Index = TLSContexts_Name;
TLSContexts 1 = "proxy";
[ \TLSContexts ]
EOF
if rt_sbcd "$D" "$D/boot.ini"; then ok "sbcd starts"; else fail "sbcd starts"; t_end; exit 1; fi
check "the test CA is imported as the roots of context 'proxy'" \
	"$BIN/sbc-ini" --socket "$SOCK" tls import-roots proxy -f "$PKI/cas.pem"
check "DNS server from the InterfaceTable" sbc_import \
	'[ InterfaceTable ]' \
	'FORMAT InterfaceTable_Index = InterfaceTable_ApplicationTypes, InterfaceTable_InterfaceMode, InterfaceTable_IPAddress, InterfaceTable_PrefixLength, InterfaceTable_InterfaceName, InterfaceTable_PrimaryDNSServerIPAddress;' \
	'InterfaceTable 0 = 6, 10, 127.0.0.1, 8, "O+M+C", 127.0.0.1;' \
	'[ \InterfaceTable ]'
check "proxy sets by name, groups, routing" sbc_import \
	'[ ProxySet ]' \
	'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ClassificationInput, ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime, ProxySet_ProxyRedundancyMode, ProxySet_TLSContextName, ProxySet_DNSResolveMethod;' \
	'ProxySet 1 = "trunk", 1, 1, 5, 1, "", -1;' \
	'ProxySet 2 = "tcp", 1, 1, 5, 1, "", -1;' \
	'ProxySet 3 = "tls", 1, 1, 5, 1, "proxy", -1;' \
	'ProxySet 4 = "bad", 1, 0, 60, 1, "proxy", 0;' \
	'ProxySet 5 = "dual", 1, 0, 60, 1, "", 0;' \
	'[ \ProxySet ]' \
	'[ ProxyIp ]' \
	'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;' \
	'ProxyIp 0 = "1", 0, "trunk.test", -1;' \
	'ProxyIp 1 = "2", 0, "tcp.test", 1;' \
	'ProxyIp 2 = "3", 0, "sip.secure.test", -1;' \
	"ProxyIp 3 = \"4\", 0, \"bad.secure.test:$BAD_P\", 2;" \
	'ProxyIp 4 = "5", 0, "dual.test:5999", 0;' \
	'[ \ProxyIp ]' \
	'[ IPGroup ]' \
	'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName, IPGroup_ClassifyByProxySet;' \
	'IPGroup 0 = 0, "callers", "", 0;' \
	'IPGroup 1 = 0, "trunk", "trunk", 0;' \
	'IPGroup 2 = 0, "tcp", "tcp", 0;' \
	'IPGroup 3 = 0, "tls", "tls", 0;' \
	'IPGroup 4 = 0, "bad", "bad", 0;' \
	'[ \IPGroup ]' \
	'[ Classification ]' \
	'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_SrcIPGroupName;' \
	'Classification 0 = "local", "127.0.0.1", "callers";' \
	'[ \Classification ]' \
	'[ IP2IPRouting ]' \
	'FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestUsernamePrefix, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName, IP2IPRouting_DestAddress, IP2IPRouting_DestPort, IP2IPRouting_DestTransportType;' \
	'IP2IPRouting 0 = "udp", "callers", "udp", 0, "trunk", "", 0, -1;' \
	'IP2IPRouting 1 = "tcp", "callers", "tcp", 0, "tcp", "", 0, -1;' \
	'IP2IPRouting 2 = "tls", "callers", "tls", 0, "tls", "", 0, -1;' \
	'IP2IPRouting 3 = "bad", "callers", "bad", 0, "bad", "", 0, -1;' \
	"IP2IPRouting 4 = \"dst\", \"callers\", \"dst\", 1, \"\", \"dest.test\", $P2, 0;" \
	'IP2IPRouting 5 = "ruri", "callers", "ruri", 2, "", "", 0, -1;' \
	'[ \IP2IPRouting ]'

# --- resolution: NAPTR -> SRV -> A, shown in DNSStatus ---
check "trunk.test resolves to K1 and K2 (DNSStatus)" \
	wait_for "[ \"\$(dstatus trunk.test 127.0.0.1:$P2 State)\" = 1 ]" 100
check "K1 target: source NAPTR, SRV priority 10 weight 60" \
	test "$(dstatus trunk.test "127.0.0.1:$P1" Source)/$(dstatus trunk.test "127.0.0.1:$P1" Priority)/$(dstatus trunk.test "127.0.0.1:$P1" Weight)" = NAPTR/10/60
check "K2 target: SRV priority 20 weight 40, udp" \
	test "$(dstatus trunk.test "127.0.0.1:$P2" Priority)/$(dstatus trunk.test "127.0.0.1:$P2" Weight)/$(dstatus trunk.test "127.0.0.1:$P2" TransportType)" = 20/40/udp
ttl=$(dstatus trunk.test "127.0.0.1:$P1" TTLLeft)
check "TTL left is within the zone's 2 s (got '$ttl')" test "${ttl:-9}" -le 2
check "tcp.test: SRV over TCP" wait_for "[ \"\$(dstatus tcp.test 127.0.0.1:$PT Source)/\$(dstatus tcp.test 127.0.0.1:$PT TransportType)\" = SRV/tcp ]" 50
check "sip.secure.test: NAPTR SIPS+D2T -> TLS" wait_for "[ \"\$(dstatus sip.secure.test 127.0.0.1:$TLS_P TransportType)\" = tls ]" 50
check "dual.test (A record method): A and AAAA targets" \
	wait_for "[ \"\$(dstatus dual.test 127.0.0.1:5999 Source)/\$(dstatus dual.test '[::1]:5999' Source)\" = A/AAAA ]" 50
check "the DestAddress name is resolved ahead of the first call" wait_for "[ \"\$(dstatus dest.test State)\" = 1 ]" 50
check "ProxyStatus row 0 shows the name" test "$(pstatus 0 IpAddress)" = trunk.test

# --- calls over UDP, TCP, TLS ---
check "K1 comes up by keep-alive" wait_for "[ \"\$(dstatus trunk.test 127.0.0.1:$P1 ProxyState)\" = 1 ]" 100
check "K2 comes up by keep-alive" wait_for "[ \"\$(dstatus trunk.test 127.0.0.1:$P2 ProxyState)\" = 1 ]" 100
check "DNSStatus names the proxy set" test "$(dstatus trunk.test "127.0.0.1:$P1" ProxySetName)" = trunk
sipreq --user udp1 --timeout 8
check "UDP call to trunk.test reaches K1, the SRV priority 10 target (got '$(answered)')" test "$(answered)" = K1
check "sipp UDP call completes through the name" uac_call udp u1 udp2
check "KT comes up by keep-alive (TCP)" wait_for "[ \"\$(dstatus tcp.test 127.0.0.1:$PT ProxyState)\" = 1 ]" 100
sipreq --user tcp1 --timeout 8
check "TCP call to tcp.test reaches KT (got '$(answered)')" test "$(answered)" = KT
contains "KT got it over TCP" "$D/uas-KT.msg" "^Via: SIP/2.0/TCP 127.0.0.1:"
check "the TLS peer comes up by keep-alive (certificate *.secure.test)" \
	wait_for "[ \"\$(dstatus sip.secure.test 127.0.0.1:$TLS_P ProxyState)\" = 1 ]" 100
sipreq --user tls1 --timeout 8
check "TLS call to sip.secure.test reaches KS (got '$(answered)')" test "$(answered)" = KS
check "the TLS peer got SNI sip.secure.test" grep -qx "sip.secure.test" "$D/sni.log"
check "and never another name" test "$(sort -u "$D/sni.log")" = sip.secure.test
sipreq --user bad1 --timeout 8
check "TLS peer naming another host: 503 (got '$(final_of "$REQ_OUT")')" test "$(final_of "$REQ_OUT")" = 503
check "with the exact Reason" grep -qxF 'reason SIP;cause=503;text="TLS: certificate verify failed (hostname mismatch)"' "$D/sipreq.out"
sipreq --user dst1 --timeout 8
check "DestAddress dest.test reaches K2 (got '$(answered)')" test "$(answered)" = K2
sipreq --user ruri1 --ruri "sip:ruri1@slow.test:$P2" --timeout 8
check "Request-URI host slow.test (first use: the call waits for DNS) reaches K2 (got '$(answered)')" test "$(answered)" = K2
check "DNSStatus lists the Request-URI name" test "$(dstatus slow.test State)" = 1

# --- failover: K1 stops ---
check "K1 stops" uas_stop K1
t0=$(date +%s%N)
check "K1 is marked down" wait_for "[ \"\$(dstatus trunk.test 127.0.0.1:$P1 ProxyState)\" = 2 ]" 150
ms=$((($(date +%s%N) - t0) / 1000000))
check "within keep-alive time + answer timeout (took $ms ms)" test "$ms" -lt 9500
sipreq --user udp3 --timeout 8
check "calls fail over to K2 (got '$(answered)')" test "$(answered)" = K2

# --- the zone changes: K3 replaces K1 ---
check "K3 is up" uas_start K3 u1 "$P3"
dns_stop
check "DNS server restarted with the changed zone" dns_start 2
t0=$(date +%s%N)
check "trunk.test moves to K3 after the TTL" wait_for "[ -n \"\$(dstatus trunk.test 127.0.0.1:$P3 Target)\" ]" 100
ms=$((($(date +%s%N) - t0) / 1000000))
check "within TTL + refresh (took $ms ms)" test "$ms" -lt 6000
check "the old target is gone" test -z "$(dstatus trunk.test "127.0.0.1:$P1" Target)"
check "K3 comes up by keep-alive" wait_for "[ \"\$(dstatus trunk.test 127.0.0.1:$P3 ProxyState)\" = 1 ]" 100
sipreq --user udp4 --timeout 8
check "traffic moved to K3 (got '$(answered)')" test "$(answered)" = K3

# --- the name stops resolving: alarm, last good targets kept; back: alarm cleared ---
dns_stop
check "DNS server restarted without trunk.test" dns_start 0
check "dnsResolutionFailed alarm for trunk.test" wait_for "alarmed trunk.test" 100
check "DNSStatus: stale, targets kept" test "$(dstatus trunk.test "127.0.0.1:$P3" State)" = 2
sipreq --user udp5 --timeout 8
check "calls still reach the last good target (got '$(answered)')" test "$(answered)" = K3
dns_stop
check "DNS server restarted with trunk.test" dns_start 2
check "the alarm clears" wait_for "! alarmed trunk.test" 100
check "DNSStatus: resolved" test "$(dstatus trunk.test "127.0.0.1:$P3" State)" = 1

# --- a slow DNS server (answers after 3 s): the loop keeps answering OPTIONS ---
python3 "$SIPDIR/dns_delay.py" "$SLOW_P" "$DNS_P" 3 "$D/slow.count" 2>>"$D/slow.err" &
t_track $!
check "slow DNS relay is up" wait_for "ss -Hlun 'sport = :$SLOW_P' | grep -q ." 50
check "sbcd asks the slow relay" sbc_import '[SIP Params]' "DNSServerPort = $SLOW_P"
# a Request-URI name never seen: its call waits for the slow answer while OPTIONS are measured
python3 "$SIPDIR/sipreq.py" --to 127.0.0.1:"$SBC_PORT" --user ruri2 --ruri "sip:ruri2@dual.test:$P2" \
	--timeout 12 >"$D/slowcall.out" 2>&1 &
SLOWCALL=$!
t_track $SLOWCALL
sleep 0.3
python3 "$SIPDIR/options_rtt.py" "$SBC_PORT" 20 0.1 >"$D/rtt.out" 2>&1
check "the DNS query is still unanswered while OPTIONS are sent" test ! -s "$D/slowcall.out"
p90=$(sed -n 's/^p90 //p' "$D/rtt.out")
check "OPTIONS answered within 10 ms (p90 ${p90:-?} ms; $(tr '\n' ' ' <"$D/rtt.out"))" \
	python3 -c "import sys; sys.exit(0 if float('${p90:-99}') < 10 else 1)"
check "no OPTIONS lost" test "$(grep -c lost "$D/rtt.out")" = 0
wait $SLOWCALL
check "the waiting call completes once DNS answers ($(head -1 "$D/slowcall.out"))" grep -q "^answered-by K2" "$D/slowcall.out"
check "the slow relay got queries" test -s "$D/slow.count"

t_end

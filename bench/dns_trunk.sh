#!/bin/bash
# Benchmark: calls per second to a trunk given by name (SRV, two targets: priority 10 the load
# generator's UAS, priority 20 a spare) versus the same trunk by literal address, in the same sbcd
# run, with the same generator (bench/calls_tls.c: registered TLS user -> sbcd -> TLS proxy set).
# A private dnsmasq (TTL 60 s, --log-queries) counts the queries: once the name is cached, calls
# must cause none. Prints a Markdown section for doc/PERFORMANCE.md. CALLS, WINDOW, ROUNDS tune it.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
t_begin bench-dns
D=$T_DIR
CALLS=${CALLS:-5000} WINDOW=${WINDOW:-50} ROUNDS=${ROUNDS:-3}
GEN=$BIN/bench-calls_tls
pki_make "$D/pki" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
CERT=$D/pki/server-chain.crt KEY=$D/pki/server.key
UAS=$(free_port) SPARE=$(free_port) DNS_P=$(free_port)

cat >"$D/dnsmasq.conf" <<X
port=$DNS_P
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
local=/test/
local-ttl=60
log-queries
log-facility=$D/dns.log
pid-file=
srv-host=_sips._tcp.trunk.test,a.trunk.test,$UAS,10,60
srv-host=_sips._tcp.trunk.test,b.trunk.test,$SPARE,20,40
host-record=a.trunk.test,127.0.0.1
host-record=b.trunk.test,127.0.0.1
X
dnsmasq -k --conf-file="$D/dnsmasq.conf" 2>"$D/dnsmasq.err" &
t_track $!
wait_for "ss -Hlun 'sport = :$DNS_P' | grep -q ." 50

cat >"$D/route.ini" <<X
[SIP Params]
DNSServerPort = $DNS_P
[ InterfaceTable ]
FORMAT InterfaceTable_Index = InterfaceTable_ApplicationTypes, InterfaceTable_InterfaceMode, InterfaceTable_IPAddress, InterfaceTable_PrefixLength, InterfaceTable_InterfaceName, InterfaceTable_PrimaryDNSServerIPAddress;
InterfaceTable 0 = 6, 10, 127.0.0.1, 8, "O+M+C", 127.0.0.1;
[ \InterfaceTable ]
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName;
ProxySet 0 = "uas";
[ \ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 0 = "0", "127.0.0.1:$UAS", 2;
[ \ProxyIp ]
[ IPGroup ]
FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName;
IPGroup 0 = 0, "uas", "uas";
IPGroup 1 = 1, "users", "";
[ \IPGroup ]
[ IP2IPRouting ]
FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName;
IP2IPRouting 0 = "out", "users", 0, "uas";
[ \IP2IPRouting ]
X
t_sbcd "$D" "$D/route.ini" >/dev/null || { echo "sbcd did not start"; exit 1; }
SBC_TLS=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
val() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" "$1"; }
queries() { grep -c 'query\[' "$D/dns.log" 2>/dev/null || echo 0; }
proxy() {
	printf '[ ProxyIp ]\nFORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_IpAddress, ProxyIp_TransportType;\nProxyIp 0 = "0", "%s", 2;\n[ \\ProxyIp ]\n' "$1" >"$D/p.ini"
	"$BIN/sbc-ini" --socket "$SOCK" import --incremental "$D/p.ini" >/dev/null
}
run() { # run NAME: one round of CALLS calls; cps into NAME.cps
	timeout 300 "$GEN" --target "$SBC_TLS" --uas-port "$UAS" --cert "$CERT" --key "$KEY" \
		--register 1 --calls "$CALLS" --window "$WINDOW" --pids "$SBCD_PID" --timeout 240 \
		>"$D/$1.out" 2>&1
	val "$D/$1.out" cps >>"$D/$2.cps"
	val "$D/$1.out" cpu_ms_per_call >>"$D/$2.cpu"
	[ -n "$(val "$D/$1.out" cps)" ] || { echo "round $1 failed: $(tail -3 "$D/$1.out")"; grep -E "refused|DNS|proxy set" "$D/sbcd.log" | tail -15; } >&2
}
# rounds alternate literal / name so that machine load hits both alike
for r in $(seq "$ROUNDS"); do
	proxy "127.0.0.1:$UAS"
	run lit$r lit
	proxy "trunk.test"
	wait_for "$BIN/sbc-ini --socket $SOCK status DNSStatus | grep -q '127.0.0.1:$UAS'" 100
	wait_for "$BIN/sbc-ini --socket $SOCK status ProxyStatus | grep -q '\"trunk.test\", \"127.0.0.1\"'" 100
	q0=$(queries)
	run name$r name
	echo "$(($(queries) - q0))" >>"$D/q.during"
done
kill "$SBCD_PID"
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
L=$(med "$D/lit.cps") N=$(med "$D/name.cps")
LC=$(med "$D/lit.cpu") NC=$(med "$D/name.cpu")
QD=$(paste -sd+ "$D/q.during" | bc)
QT=$(queries)
cat <<X
## Trunk by name: asynchronous DNS (issue 16)

INVITE-200-ACK-BYE-200 over persistent TLS on both legs, $CALLS calls per round, $WINDOW in flight,
generator bench/calls_tls.c, run by \`bench/dns_trunk.sh\` on $(date -u +%F) ($(nproc) cores). One
sbcd; rounds alternate the proxy address between a literal (\`127.0.0.1:PORT\`) and a name
(\`trunk.test\`, TransportType TLS: SRV \`_sips._tcp.trunk.test\`, two targets, priorities 10/20)
served by a private dnsmasq (TTL 60 s) that logs every query. Median of $ROUNDS rounds.

| proxy address | calls/s (median) | rounds (calls/s) | sbcd CPU ms per call (median) | DNS queries during the calls |
|---|---|---|---|---|
| literal | $L | $(paste -sd' ' "$D/lit.cps") | $LC | - |
| name (SRV, 2 targets) | $N | $(paste -sd' ' "$D/name.cps") | $NC | $QD |
| ratio name / literal | $(echo "scale=3; $N / $L" | bc) | | $(echo "scale=3; $NC / $LC" | bc) | |

The server logged $QT queries in all: those of the resolutions made when the name was configured
(each round configures it anew), none while calls ran. Absolute rates depend on the load other
work puts on the machine (other builds and tests shared its 2 cores: single rounds swing by a
factor of 3); sbcd's CPU time per call is the steadier figure to compare.

X
t_end >/dev/null

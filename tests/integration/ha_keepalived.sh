#!/bin/bash
# HA 1+1 with keepalived (issue 22, doc/HA.md): two boxes in network namespaces joined by veth
# pairs through a bridge in a third namespace (the phone's), a VRRP virtual address, one
# keepalived (-n, its own config and pid files) and one sbcd per box. Checks: only the active
# listens for SIP; a configuration saved on the active appears on the standby, which refuses
# local changes naming the active; kill -9 of the active sbcd moves the address and the
# standby answers mutual-TLS OPTIONS on it; the old active comes back as standby and does not
# overwrite the newer configuration (it receives it instead).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
t_begin ha_keepalived
D=$T_DIR
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v keepalived >/dev/null || { fail "keepalived not installed (packaging/install-deps)"; t_end; exit 1; }
NS=sbcha$$
NSA=${NS}a NSB=${NS}b NSP=${NS}p
VIP=10.222.0.100
cleanup_ns() { for n in $NSA $NSB $NSP; do ip netns del "$n" 2>/dev/null; done; }
trap 't_cleanup; cleanup_ns' EXIT
P=$D/pki
pki_make "$P" >/dev/null 2>&1 || { fail "test PKI"; t_end; exit 1; }
cat "$P/client-rsa.crt" "$P/inter.crt" >"$P/client-rsa-chain.crt"

# the network: bridge in the phone's namespace, one veth to each box
ip netns add $NSA && ip netns add $NSB && ip netns add $NSP || { fail "netns"; t_end; exit 1; }
ip -n $NSP link add br0 type bridge && ip -n $NSP link set br0 up &&
	ip -n $NSP addr add 10.222.0.3/24 dev br0 && ip -n $NSP link set lo up || fail "bridge"
for b in a b; do
	n=${NS}$b
	ip link add "ha$$$b" netns "$n" type veth peer name "p$b" netns $NSP &&
		ip -n "$n" link set "ha$$$b" name eth0 && ip -n "$n" link set eth0 up &&
		ip -n "$n" link set lo up && ip -n $NSP link set "p$b" master br0 &&
		ip -n $NSP link set "p$b" up || fail "veth $b"
	ip netns exec "$n" sysctl -qw net.ipv4.ip_nonlocal_bind=1
done
ip -n $NSA addr add 10.222.0.1/24 dev eth0
ip -n $NSB addr add 10.222.0.2/24 dev eth0

# box flash: SIP interface on the virtual address (context 0, mutual TLS), HA over context 1
box() { # box NAME OWNADDR PEERADDR HACERT
	local d=$D/$1
	mkdir -p "$d/flash/tls/0" "$d/flash/tls/1"
	cat >"$d/init.ini" <<X
[SIP Params]
SIPSRequireClientCertificate = 1
[WEB Params]
HTTPPort = 0
HTTPSPort = 0
[SYSTEM Params]
HAEnable = 1
HAPeerAddress = $3
HALocalAddress = $2
HASyncPort = 7011
HASyncTLSContext = 1
[ TLSContexts ]
FORMAT TLSContexts_Index = TLSContexts_Name;
TLSContexts 1 = "ha";
[ \\TLSContexts ]
[ InterfaceTable ]
FORMAT InterfaceTable_Index = InterfaceTable_ApplicationTypes, InterfaceTable_IPAddress, InterfaceTable_PrefixLength, InterfaceTable_InterfaceName;
InterfaceTable 1 = 5, "$VIP", 24, "vip";
[ \\InterfaceTable ]
[ SIPInterface ]
FORMAT SIPInterface_Index = SIPInterface_InterfaceName, SIPInterface_NetworkInterface, SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort, SIPInterface_TLSContext;
SIPInterface 0 = "sip", "vip", 5060, 5060, 5061, "default";
[ \\SIPInterface ]
X
	"$BIN/sbc-ini" build --incremental "$d/init.ini" -o "$d/flash/board.ini" >"$d/build.out" 2>&1 || return 1
	cp "$P/server-chain.crt" "$d/flash/tls/0/certificate.pem"
	cp "$P/server.key" "$d/flash/tls/0/private-key.pem"
	cp "$P/cas.pem" "$d/flash/tls/0/trusted-roots.pem"
	cp "$P/$4-chain.crt" "$d/flash/tls/1/certificate.pem" 2>/dev/null || cp "$P/$4.crt" "$d/flash/tls/1/certificate.pem"
	cp "$P/$4.key" "$d/flash/tls/1/private-key.pem"
	cp "$P/cas.pem" "$d/flash/tls/1/trusted-roots.pem"
	chmod 600 "$d"/flash/tls/*/private-key.pem
	cat >"$d/keepalived.conf" <<X
global_defs {
	router_id sbc-$1
	notify_fifo $d/sbcd-run/ha.fifo
	script_user root
}
vrrp_script sbc_health {
	script "$ROOT/packaging/ha/sbc-ha-check $d/sbcd-run"
	interval 1
	fall 1
	rise 1
}
vrrp_instance SBC {
	state BACKUP
	nopreempt
	interface eth0
	virtual_router_id 51
	priority $5
	advert_int 1
	virtual_ipaddress {
		$VIP/24
	}
	track_script {
		sbc_health
	}
}
X
}
check "box a flash" box a 10.222.0.1 10.222.0.2 server 100
check "box b flash" box b 10.222.0.2 10.222.0.1 client-rsa 90

start_sbcd() { # NAME
	local d=$D/$1
	ip netns exec ${NS}$1 "$BIN/sbcd" -f --flash "$d/flash" --socket "$d/sbcd.sock" \
		--pidfile "$d/sbcd.pid" >>"$d/sbcd.log" 2>&1 &
	eval "SBCD_$1=$!"
	t_track $!
	wait_for "$BIN/sbc-ini --socket $d/sbcd.sock info" 100
}
start_ka() { # NAME
	local d=$D/$1
	ip netns exec ${NS}$1 keepalived -n -l -P -f "$d/keepalived.conf" -p "$d/ka.pid" \
		-r "$d/vrrp.pid" -c "$d/check.pid" >>"$d/keepalived.log" 2>&1 &
	eval "KA_$1=$!"
	t_track $!
}
ha() { "$BIN/sbc-ini" --socket "$D/$1/sbcd.sock" ha; }
role() { ha "$1" 2>/dev/null | awk '$1 == "role" { print $2 }'; }
gen() { ha "$1" 2>/dev/null | awk '$1 == "generation" { print $2 }'; }
has_vip() { ip -n ${NS}$1 addr show dev eth0 | grep -q "$VIP/"; }
listens() { ip netns exec ${NS}$1 ss -Hltn "sport = :5061" | grep -q .; }

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

# failover: kill -9 the active sbcd
kill -9 "$SBCD_a"
t0=$(date +%s%N)
check "b becomes active" wait_for '[ "$(role b)" = active ]' 100
check "the virtual address moved to b" wait_for 'has_vip b' 50
check "b answers mutual-TLS OPTIONS on the virtual address" wait_for options 10
t1=$(date +%s%N)
echo "  failover (kill -9 to first OPTIONS answered by b): $(((t1 - t0) / 1000000)) ms"
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
check "a keeps its own HA peer address" grep -q "HAPeerAddress = '10.222.0.2'" "$D/a/flash/board.ini"
expect_fail "a does not listen for SIP" listens a
check "the virtual address stays on b" has_vip b
check "OPTIONS still answered by b" options
t_end

# HA pair in network namespaces (tests/integration/ha_keepalived.sh, bench/ha_failover.sh):
# source after tests/lib.sh and tests/pki.sh, with t_begin done. Makes a PKI, namespaces
# ${NS}a, ${NS}b (the boxes, eth0 10.222.0.1 and .2) and ${NS}p (the phone, 10.222.0.3 on the
# bridge joining them), each box's flash (SIP interface on the virtual address $VIP, TLS 5061
# with mutual authentication, context 0; HA over context 1, port 7011) and keepalived.conf
# (advert_int 1, both BACKUP with nopreempt, a priority 100, b 90). The namespaces are deleted
# at exit. Functions: start_sbcd/start_ka NAME, role/gen NAME, has_vip/listens NAME.
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
	script "$TOP/packaging/ha/sbc-ha-check $d/sbcd-run"
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


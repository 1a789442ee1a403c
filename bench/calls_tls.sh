#!/bin/bash
# Benchmark: calls through the SBC (INVITE-200-ACK-BYE over persistent TLS on both legs: a
# registered TLS user -> sbcd B2BUA -> a TLS proxy set) and, in the same run, through Kamailio
# (Debian) as a stateful TLS proxy (tm + rr, record-routing) for the same flow, same load
# generator (bench/calls_tls.c). Prints a Markdown section for doc/PERFORMANCE.md.
# Needs: kamailio kamailio-tls-modules. CALLS, WINDOW, HOLD tune the load.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
t_begin bench-calls
D=$T_DIR
CALLS=${CALLS:-20000} WINDOW=${WINDOW:-50} HOLD=${HOLD:-5000}
GEN=$BIN/bench-calls_tls
pki_make "$D/pki" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
CERT=$D/pki/server-chain.crt KEY=$D/pki/server.key

# --- sbcd: users on interface 0, proxy set "uas" over TLS ---
UAS1=$(free_port)
cat >"$D/route.ini" <<X
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName;
ProxySet 0 = "uas";
[ \ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 0 = "0", "127.0.0.1:$UAS1", 2;
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
timeout 300 "$GEN" --target "$SBC_TLS" --uas-port "$UAS1" --cert "$CERT" --key "$KEY" \
	--register 1 --calls "$CALLS" --window "$WINDOW" --hold "$HOLD" --pids "$SBCD_PID" \
	--timeout 240 >"$D/sbc.out" 2>&1
SBC_RSS=$(awk '/VmHWM/ {print $2}' "/proc/$SBCD_PID/status")
kill "$SBCD_PID"

# --- Kamailio: stateful TLS proxy, record-routing, everything to the UAS ---
UAS2=$(free_port) KPORT=$(free_port)
MP=$(dirname "$(find /usr/lib -name tm.so -path '*kamailio*' | head -1)")
cat >"$D/tls.cfg" <<X
[server:default]
method = TLSv1.2+
certificate = $CERT
private_key = $KEY
verify_certificate = no
require_certificate = no
[client:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
X
cat >"$D/kamailio.cfg" <<X
#!KAMAILIO
debug=-1
log_stderror=yes
children=1
tcp_children=1
enable_tls=yes
auto_aliases=no
listen=tls:127.0.0.1:$KPORT
mpath="$MP/"
loadmodule "tls.so"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "rr.so"
loadmodule "maxfwd.so"
loadmodule "siputils.so"
loadmodule "pv.so"
loadmodule "textops.so"
modparam("tls", "config", "$D/tls.cfg")
request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (is_method("REGISTER")) { sl_send_reply("200", "OK"); exit; }
	if (has_totag()) {
		if (loose_route()) { t_relay(); exit; }
		if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
		sl_send_reply("404", "Not here"); exit;
	}
	if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
	record_route();
	\$du = "sip:127.0.0.1:$UAS2;transport=tls";
	t_relay();
}
X
kamailio -f "$D/kamailio.cfg" -DD -E -m 1024 -M 32 -P "$D/kam.pid" -Y "$D" >"$D/kam.log" 2>&1 &
KPID=$!
t_track "$KPID"
for _ in $(seq 50); do ss -ltn | grep -q "127.0.0.1:$KPORT " && break; sleep 0.1; done
sleep 1
KPIDS="$KPID $(pgrep -P "$KPID" | tr "\n" " ")"
timeout 300 "$GEN" --target "$KPORT" --uas-port "$UAS2" --cert "$CERT" --key "$KEY" \
	--calls "$CALLS" --window "$WINDOW" --hold "$HOLD" --pids "$KPIDS" --ruri-host 127.0.0.1 \
	--timeout 240 >"$D/kam.out" 2>&1
KAM_RSS=0
for p in $KPIDS; do r=$(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null); KAM_RSS=$((KAM_RSS + ${r:-0})); done
kill "$KPID" 2>/dev/null
grep -q "^calls=" "$D/kam.out" || tail -5 "$D/kam.log" >&2

val() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" "$1"; }
echo "sbcd:     $(cat "$D/sbc.out")"
echo "kamailio: $(cat "$D/kam.out")"
S_CPS=$(val "$D/sbc.out" cps) K_CPS=$(val "$D/kam.out" cps)
S_CPU=$(val "$D/sbc.out" cpu_ms_per_call) K_CPU=$(val "$D/kam.out" cpu_ms_per_call)
cat <<X

## Calls through the SBC and through Kamailio (issue: proxy sets and IP-to-IP routing)

INVITE-200-ACK-BYE-200 over persistent TLS on both legs, $CALLS calls, $WINDOW in flight,
generator bench/calls_tls.c (one process, caller and callee) on the same machine, run by
\`bench/calls_tls.sh\` on $(date +%F) ($(nproc) cores). sbcd: a registered TLS user routed by
IP2IPRouting to a TLS proxy set (B2BUA, two dialogs per call). Kamailio $(kamailio -v 2>/dev/null | sed -n 's/^version: kamailio \([0-9.]*\).*/\1/p'):
stateful proxy (tm, record-route), 1 TCP worker (Debian's 5.6 is unstable with more under TLS
load, doc/TESTING.md), the same flow.

| | calls/s | CPU ms per call | calls held at once | peak RSS |
|---|---|---|---|---|
| sbcd (B2BUA) | $S_CPS | $S_CPU | $(val "$D/sbc.out" held) of $HOLD | $((SBC_RSS / 1024)) MiB |
| Kamailio (stateful proxy) | $K_CPS | $K_CPU | $(val "$D/kam.out" held) of $HOLD | $((KAM_RSS / 1024)) MiB (all processes) |
| ratio sbcd / Kamailio | $(python3 -c "print(f'{$S_CPS/$K_CPS:.2f}')" 2>/dev/null) | $(python3 -c "print(f'{$S_CPU/$K_CPU:.2f}')" 2>/dev/null) | | |
X
t_end >/dev/null

# Servers for the TLS benchmarks (bench/idle_tls.sh, bench/register_tls.sh), sourced after
# tests/lib.sh with D (work directory) and P (tests/pki.sh PKI) set: sbcd and Kamailio with
# mutual TLS on the same certificates, and PSS summed over processes.

# sum of Pss (kB) over the listed processes
pss() { local s=0 p v; for p in $1; do v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null); s=$((s + ${v:-0})); done; echo "$s"; }

# --- sbcd, mutual TLS on SIP interface 0, room for every connection, no idle timeout ---
sbcd_start() { # DIR
	mkdir -p "$1"
	printf '[SIP Params]\nSIPSRequireClientCertificate = 1\n' >"$1/boot.ini"
	printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_MaxTLSConnections, SIPInterface_TCPIdleTimeout;\nSIPInterface 0 = 100000, 0;\n[\\SIPInterface]\n' >>"$1/boot.ini"
	t_sbcd "$1" "$1/boot.ini" >/dev/null || { echo "sbcd did not start"; exit 1; }
	SPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$1/init.ini")
	"$BIN/sbc-ini" --socket "$SOCK" tls import-roots 0 -f "$P/cas.pem" >/dev/null
	"$BIN/sbc-ini" --socket "$SOCK" tls import-key 0 -f "$P/server.key" >/dev/null
	"$BIN/sbc-ini" --socket "$SOCK" tls import-cert 0 -f "$P/server-chain.crt" >/dev/null
}

# --- Kamailio: mutual TLS, one TLS worker; OPTIONS answered 200 statelessly, and with
# KAM_REGISTRAR=1 REGISTER saved in usrloc (memory only) by the registrar module ---
MP=$(dirname "$(find /usr/lib -name sl.so -path '*kamailio*' | head -1)")
kam_start() {
local regmods= regroute=
if [ "${KAM_REGISTRAR:-0}" = 1 ]; then
	regmods='loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "hash_size", 14)'
	regroute='if (is_method("REGISTER")) { if (!save("location")) sl_reply_error(); exit; }'
fi
KPORT=$(free_port)
cat >"$D/tls.cfg" <<X
[server:default]
method = TLSv1.2+
certificate = $P/server-chain.crt
private_key = $P/server.key
ca_list = $P/cas.pem
verify_certificate = yes
require_certificate = yes
verify_depth = 5
X
cat >"$D/kamailio.cfg" <<X
#!KAMAILIO
debug=-1
log_stderror=yes
children=1
tcp_children=1
enable_tls=yes
auto_aliases=no
tcp_max_connections=20000
tls_max_connections=20000
tcp_connection_lifetime=3600
listen=tls:127.0.0.1:$KPORT
mpath="$MP/"
loadmodule "tls.so"
loadmodule "sl.so"
loadmodule "textops.so"
$regmods
modparam("tls", "config", "$D/tls.cfg")
modparam("tls", "connection_timeout", 3600)
request_route {
	force_rport();
	if (is_method("OPTIONS")) { sl_send_reply("200", "OK"); exit; }
	$regroute
	sl_send_reply("404", "Not here");
}
X
kamailio -f "$D/kamailio.cfg" -DD -E -m 4096 -M 32 -P "$D/kam.pid" -Y "$D" >"$D/kam.log" 2>&1 &
KPID=$!
t_track "$KPID"
for _ in $(seq 50); do ss -ltn | grep -q "127.0.0.1:$KPORT " && break; sleep 0.1; done
sleep 1
KPIDS="$KPID $(pgrep -P "$KPID" | tr '\n' ' ')"
}
stop() { # PID: ends it and waits
	kill "$1" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
}

#!/bin/bash
# Shared set-up of the SNMP tests: source it after tests/lib.sh and t_begin.
# Run alone, it checks that the SNMP test environment can be built here.
#
#   snmp_mibs            base MIBs from the npm package net-snmp (cached under build/) + SBC-MIB
#   snmp_sbcd_start      sbcd on a private flash with SIP ports of its own, web and agent off
#   snmp_master_start    a private snmpd master (random UDP port, AgentX socket in T_DIR)
#   snmp_trapd_start     snmptrapd logging to $T_DIR/traps.log
#   snmp_agent_start     sbc-snmp-agent between them
#   sw / sw_ro / sv2     net-snmp tool wrappers: SNMPv3 admin (authPriv), read-only user, v2c
[ -n "${TOP:-}" ] || . "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../lib.sh"
NET_SNMP_NPM_VERSION=3.29.2
SNMP_CACHE=$TOP/build/npm-cache/net-snmp-$NET_SNMP_NPM_VERSION
SNMP_MIBDIR=$TOP/build/snmp-mibs
ADMIN_AUTH="-v3 -l authPriv -u sbcadmin -a SHA -A adminauth123 -x AES -X adminpriv123"
MON_AUTH="-v3 -l authPriv -u sbcmonitor -a SHA -A monitorauth123 -x AES -X monitorpriv123"

# base MIBs without their .mib ending, beside SBC-MIB, in one directory
snmp_mibs() {
	if [ ! -f "$SNMP_CACHE/node_modules/net-snmp/lib/mibs/SNMPv2-SMI.mib" ]; then
		mkdir -p "$SNMP_CACHE" &&
			(cd "$SNMP_CACHE" && timeout 300 npm install --no-audit --no-fund --silent \
				"net-snmp@$NET_SNMP_NPM_VERSION" >/dev/null 2>&1) || return 1
	fi
	mkdir -p "$SNMP_MIBDIR" || return 1
	local f
	for f in "$SNMP_CACHE"/node_modules/net-snmp/lib/mibs/*.mib; do
		cp "$f" "$SNMP_MIBDIR/$(basename "$f" .mib)"
	done
	cp "$TOP/mib/SBC-MIB.txt" "$SNMP_MIBDIR/SBC-MIB"
}

snmp_udp_port() {
	python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

# sbcd with SIP ports nobody else uses; HTTP(S) and the supervised agent off
snmp_sbcd_start() {
	local p1 p2
	p1=$(free_port)
	p2=$(free_port)
	mkdir -p "$T_DIR/flash"
	if [ ! -f "$T_DIR/flash/board.ini" ]; then
		cat >"$T_DIR/flash/board.ini" <<EOF
[WEB Params]
HTTPSPort = 0
HTTPPort = 0
[SNMP Params]
AgentXSocket = ''
[ TLSContexts ]
FORMAT TLSContexts_Index = TLSContexts_Name;
TLSContexts 0 = "default";
[ \\TLSContexts ]
[ InterfaceTable ]
FORMAT InterfaceTable_Index = InterfaceTable_ApplicationTypes, InterfaceTable_IPAddress, InterfaceTable_PrefixLength, InterfaceTable_InterfaceName;
InterfaceTable 0 = 6, "127.0.0.1", 8, "O+M+C";
[ \\InterfaceTable ]
[ SIPInterface ]
FORMAT SIPInterface_Index = SIPInterface_InterfaceName, SIPInterface_NetworkInterface, SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort;
SIPInterface 0 = "SIPInterface_0", "O+M+C", $p1, $p1, $p2;
[ \\SIPInterface ]
[ WebUsers ]
FORMAT WebUsers_Index = WebUsers_Username, WebUsers_Password, WebUsers_UserLevel;
WebUsers 0 = "Admin", "Admin", 220;
[ \\WebUsers ]
EOF
		chmod 600 "$T_DIR/flash/board.ini"
	fi
	"$BIN/sbcd" -f --flash "$T_DIR/flash" --socket "$T_DIR/sbcd.sock" \
		--pidfile "$T_DIR/sbcd.pid" --rundir "$T_DIR/run" ${SBCD_EXTRA:-} >>"$T_DIR/sbcd.log" 2>&1 &
	SBCD_PID=$!
	t_track "$SBCD_PID"
	wait_for "$BIN/sbc-ini --socket $T_DIR/sbcd.sock info" 100
}

snmp_sbcd_stop() {
	kill "$SBCD_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$SBCD_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$SBCD_PID" 2>/dev/null
	wait "$SBCD_PID" 2>/dev/null
}

snmp_master_start() {
	[ -n "${SNMP_PORT:-}" ] || SNMP_PORT=$(snmp_udp_port)
	[ -n "${TRAP_PORT:-}" ] || TRAP_PORT=$(snmp_udp_port)
	mkdir -p "$T_DIR/persist"
	cat >"$T_DIR/snmpd.conf" <<EOF
agentAddress udp:127.0.0.1:$SNMP_PORT
master agentx
agentXSocket unix:$T_DIR/agentx.sock
agentXPerms 0600 0700
agentXTimeout 5
agentXRetries 1
createUser sbcadmin SHA "adminauth123" AES "adminpriv123"
createUser sbcmonitor SHA "monitorauth123" AES "monitorpriv123"
rwuser sbcadmin authPriv
rouser sbcmonitor authPriv
rocommunity public 127.0.0.1
trap2sink 127.0.0.1:$TRAP_PORT public
${SNMPD_EXTRA:-}
EOF
	SNMP_PERSISTENT_DIR=$T_DIR/persist MIBS= snmpd -f -C -c "$T_DIR/snmpd.conf" -m "" \
		-Lf "$T_DIR/snmpd.log" -p "$T_DIR/snmpd.pid" -I -smux >/dev/null 2>&1 &
	SNMPD_PID=$!
	t_track "$SNMPD_PID"
	wait_for "[ -S $T_DIR/agentx.sock ]" 100
}

snmp_master_stop() {
	kill "$SNMPD_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$SNMPD_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$SNMPD_PID" 2>/dev/null
	wait "$SNMPD_PID" 2>/dev/null
	rm -f "$T_DIR/agentx.sock"
}

snmp_trapd_start() {
	[ -n "${TRAP_PORT:-}" ] || TRAP_PORT=$(snmp_udp_port)
	mkdir -p "$T_DIR/trapd-persist"
	printf 'disableAuthorization yes\n' >"$T_DIR/snmptrapd.conf"
	SNMP_PERSISTENT_DIR=$T_DIR/trapd-persist snmptrapd -f -C -c "$T_DIR/snmptrapd.conf" \
		-M "$SNMP_MIBDIR" -m SNMPv2-MIB:SBC-MIB -Lf "$T_DIR/traps.log" \
		"udp:127.0.0.1:$TRAP_PORT" >/dev/null 2>&1 &
	TRAPD_PID=$!
	t_track "$TRAPD_PID"
	sleep 0.5
}

snmp_agent_start() {
	SNMP_PERSISTENT_DIR=$T_DIR/agent-persist "$BIN/sbc-snmp-agent" --agentx "unix:$T_DIR/agentx.sock" --socket "$T_DIR/sbcd.sock" \
		--poll 1 --rate "${AGENT_RATE:-2}" --ping 1 ${AGENT_EXTRA:-} >>"$T_DIR/agent.log" 2>&1 &
	AGENT_PID=$!
	t_track "$AGENT_PID"
	wait_for "sw snmpget sbcDeviceVersion.0 | grep -q STRING" 100
}

# net-snmp tools, bounded in time: sw TOOL ARGS... (admin), sw_ro (monitor), sv2 (v2c public)
sw() {
	local tool=$1; shift
	MIBS= SNMP_PERSISTENT_DIR=$T_DIR/client-persist "$tool" $ADMIN_AUTH -t 5 -r 1 ${SW_OPTS:-} \
		-M "$SNMP_MIBDIR" -m SBC-MIB "udp:127.0.0.1:$SNMP_PORT" "$@"
}
sw_ro() {
	local tool=$1; shift
	MIBS= SNMP_PERSISTENT_DIR=$T_DIR/client-persist "$tool" $MON_AUTH -t 5 -r 1 \
		-M "$SNMP_MIBDIR" -m SBC-MIB "udp:127.0.0.1:$SNMP_PORT" "$@"
}
sv2() {
	local tool=$1; shift
	MIBS= SNMP_PERSISTENT_DIR=$T_DIR/client-persist "$tool" -v2c -c public -t 5 -r 1 \
		-M "$SNMP_MIBDIR" -m SBC-MIB "udp:127.0.0.1:$SNMP_PORT" "$@"
}

sbcini() { "$BIN/sbc-ini" --socket "$T_DIR/sbcd.sock" "$@"; }

# run alone: is everything the SNMP tests need here?
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	t_begin snmp_env
	for p in snmpd snmptrapd snmpget snmpset snmpbulkwalk snmptable smilint npm; do
		check "$p is installed" command -v "$p"
	done
	check "base MIBs from npm net-snmp@$NET_SNMP_NPM_VERSION" snmp_mibs
	check "SNMPv2-SMI is in $SNMP_MIBDIR" test -f "$SNMP_MIBDIR/SNMPv2-SMI"
	t_end
fi

#!/bin/bash
# SNMPv3 from the schema: sbcd writes the snmpd master's include file from SNMPUsers,
# SNMPTrapDestinations and [SNMP Params] and has the master reload it (SIGHUP), without a restart
# of sbcd. v3 users with SHA-256/AES work as their group says, wrong keys fail, notifications go
# out as v3 traps (and as v2c ones only while v1/v2c is on), changed and deleted users take
# effect at once and after a restart of the master.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/snmp_env.sh"
t_begin snmpv3

INC=$T_DIR/snmpd.d/sbc-snmpv3.conf
mkdir -p "$T_DIR/snmpd.d" "$T_DIR/persist"
SNMP_PORT=$(snmp_udp_port)
TRAP3_PORT=$(snmp_udp_port)
TRAP2_PORT=$(snmp_udp_port)
[ "$TRAP2_PORT" = "$TRAP3_PORT" ] && TRAP2_PORT=$(snmp_udp_port)

# a master with nothing of its own: every user, community and sink comes from sbcd's file
master_start() {
	cat >"$T_DIR/snmpd.conf" <<MASTER
agentAddress udp:127.0.0.1:$SNMP_PORT
master agentx
agentXSocket unix:$T_DIR/agentx.sock
agentXPerms 0600 0700
agentXTimeout 5
agentXRetries 1
includeDir $T_DIR/snmpd.d
MASTER
	SNMP_PERSISTENT_DIR=$T_DIR/persist MIBS= snmpd -f -C -c "$T_DIR/snmpd.conf" -m "" \
		-Lf "$T_DIR/snmpd.log" -p "$T_DIR/snmpd.pid" -I -smux >/dev/null 2>&1 &
	SNMPD_PID=$!
	t_track "$SNMPD_PID"
	wait_for "[ -S $T_DIR/agentx.sock ] && [ -s $T_DIR/snmpd.pid ]" 100
}

# v3 USER AUTHKEY PRIVKEY TOOL ARGS...: SHA-256 and AES-128, authPriv
v3() {
	local u=$1 a=$2 p=$3 tool=$4
	shift 4
	MIBS= SNMP_PERSISTENT_DIR=$T_DIR/client-persist "$tool" -v3 -l authPriv -u "$u" \
		-a SHA-256 -A "$a" -x AES -X "$p" -t 2 -r 0 -M "$SNMP_MIBDIR" -m SBC-MIB \
		"udp:127.0.0.1:$SNMP_PORT" "$@"
}
adm() { v3 nmsadmin adminauth-256 adminpriv-256 "$@"; }
mon() { v3 nmsmon monauth-256 monpriv-256 "$@"; }
# the read-only user after its change: SHA-512 and AES-256
mon2() {
	MIBS= SNMP_PERSISTENT_DIR=$T_DIR/client-persist snmpget -v3 -l authPriv -u nmsmon \
		-a SHA-512 -A monauth-512 -x AES-256 -X monpriv-256b -t 2 -r 0 \
		"udp:127.0.0.1:$SNMP_PORT" .1.3.6.1.2.1.1.3.0
}
v2() {
	local c=$1 tool=$2
	shift 2
	MIBS= "$tool" -v2c -c "$c" -t 2 -r 0 -M "$SNMP_MIBDIR" -m SBC-MIB \
		"udp:127.0.0.1:$SNMP_PORT" "$@"
}
load() { sbcini import --incremental - >"$T_DIR/load.out" 2>&1; }
ntraps() { grep -c "snmpTrapOID.0 = OID: SBC-MIB::$2" "$T_DIR/$1.log" 2>/dev/null; }
wait_trap() { wait_for "[ \$(ntraps $1 $2) -ge $3 ]" "${4:-100}"; }
exported() { sbcini export | grep -qE "$1"; }

check "base MIBs" snmp_mibs
SBCD_EXTRA="--snmpd-include $INC --snmpd-pidfile $T_DIR/snmpd.pid"
check "sbcd starts (--snmpd-include, --snmpd-pidfile)" snmp_sbcd_start
SBCD0=$SBCD_PID
check "snmpd master starts" master_start

# the users, the master file and two trap destinations (v3 and v2c)
check "SNMP users, communities and destinations are configured" load <<CONF
SNMPReadOnlyCommunityString = 'ro-comm-1'
SNMPv1v2cEnable = 1
[ SNMPUsers ]
FORMAT SNMPUsers_Index = SNMPUsers_Username, SNMPUsers_AuthProtocol, SNMPUsers_PrivProtocol, SNMPUsers_AuthKey, SNMPUsers_PrivKey, SNMPUsers_Group;
SNMPUsers 0 = "nmsadmin", 4, 3, "adminauth-256", "adminpriv-256", 1;
SNMPUsers 1 = "nmsmon", 4, 3, "monauth-256", "monpriv-256", 0;
SNMPUsers 2 = "nmstrap", 4, 3, "trapauth-256", "trappriv-256", 2;
[ \SNMPUsers ]
[ SNMPTrapDestinations ]
FORMAT SNMPTrapDestinations_Index = SNMPTrapDestinations_Address, SNMPTrapDestinations_Port, SNMPTrapDestinations_Version, SNMPTrapDestinations_Type, SNMPTrapDestinations_User, SNMPTrapDestinations_Community;
SNMPTrapDestinations 0 = "127.0.0.1", $TRAP3_PORT, 3, 0, "nmstrap", "";
SNMPTrapDestinations 1 = "127.0.0.1", $TRAP2_PORT, 2, 0, "", "trap-comm-2";
[ \SNMPTrapDestinations ]
CONF
check "the include file is written, mode 0640" test "$(stat -c %a "$INC" 2>/dev/null)" = 640
contains "it creates the users with SHA-256 and AES" "$INC" \
	'^createUser nmsadmin SHA-256 "adminauth-256" AES "adminpriv-256"$'
contains "read-write access by group" "$INC" '^rwuser -s usm nmsadmin priv$'
contains "read-only access by group" "$INC" '^rouser -s usm nmsmon priv$'
expect_fail "the trap-only user has no access line" grep -E '^r[ow]user.* nmstrap ' "$INC"
contains "a v3 trap sink" "$INC" \
	"^trapsess -v 3 -u nmstrap -l authPriv -a SHA-256 -A \"trapauth-256\" -x AES -X \"trappriv-256\" udp:127.0.0.1:$TRAP3_PORT\$"
expect_fail "keys and communities are in no export" exported 'adminauth|adminpriv|ro-comm-1|trap-comm-2'

# the subagent, and the master serving the configured users
SNMP_PERSISTENT_DIR=$T_DIR/agent-persist "$BIN/sbc-snmp-agent" --agentx "unix:$T_DIR/agentx.sock" \
	--socket "$T_DIR/sbcd.sock" --poll 1 --ping 1 >>"$T_DIR/agent.log" 2>&1 &
AGENT_PID=$!
t_track "$AGENT_PID"
check "snmpget -v3 SHA-256/AES as the read-write user" \
	wait_for "adm snmpget sbcDeviceVersion.0 | grep -q STRING" 100
adm snmpwalk sbcDevice >"$T_DIR/walk.out" 2>&1
contains "snmpwalk -v3 of the device group" "$T_DIR/walk.out" 'sbcDeviceVersion.0 = STRING'
check "snmpset -v3 as the read-write user" adm snmpset sbcTLSExpiryCheckStart.0 i 45
check "the set reached sbcd" exported 'TLSExpiryCheckStart = 45'
check "snmpget as the read-only user" mon snmpget sbcTLSExpiryCheckStart.0
expect_fail "snmpset as the read-only user fails" mon snmpset sbcTLSExpiryCheckStart.0 i 46
expect_fail "a wrong authentication key fails" \
	v3 nmsadmin adminauth-bad adminpriv-256 snmpget sbcDeviceVersion.0
expect_fail "a wrong privacy key fails" \
	v3 nmsadmin adminauth-256 adminpriv-bad snmpget sbcDeviceVersion.0
expect_fail "SHA-1 instead of SHA-256 fails" \
	env MIBS= snmpget -v3 -l authPriv -u nmsadmin -a SHA -A adminauth-256 -x AES \
	-X adminpriv-256 -t 2 -r 0 "udp:127.0.0.1:$SNMP_PORT" .1.3.6.1.2.1.1.3.0
expect_fail "the trap-only user reads nothing" \
	v3 nmstrap trapauth-256 trappriv-256 snmpget sbcDeviceVersion.0
check "v2c with the read-only community" v2 ro-comm-1 snmpget sbcDeviceVersion.0
expect_fail "v2c SET with the read-only community fails" \
	v2 ro-comm-1 snmpset sbcTLSExpiryCheckStart.0 i 47

# notifications: snmptrapd with the sender's engine ID for v3 traps, another one for v2c
ENGINE=$(adm snmpget -Ov -Ox .1.3.6.1.6.3.10.2.1.1.0 2>/dev/null | sed 's/^Hex-STRING: //' | tr -d ' \n')
check "the master's engine ID is known ($ENGINE)" test -n "$ENGINE"
mkdir -p "$T_DIR/trapd3" "$T_DIR/trapd2"
cat >"$T_DIR/trapd3.conf" <<TRAPD
createUser -e 0x$ENGINE nmstrap SHA-256 "trapauth-256" AES "trappriv-256"
authUser log nmstrap priv
TRAPD
printf 'disableAuthorization yes\n' >"$T_DIR/trapd2.conf"
for k in 3 2; do
	port=$TRAP3_PORT
	[ $k = 2 ] && port=$TRAP2_PORT
	SNMP_PERSISTENT_DIR=$T_DIR/trapd$k snmptrapd -f -C -c "$T_DIR/trapd$k.conf" \
		-M "$SNMP_MIBDIR" -m SNMPv2-MIB:SBC-MIB -Lf "$T_DIR/trap$k.log" \
		"udp:127.0.0.1:$port" >/dev/null 2>&1 &
	t_track $!
done
sleep 1
check "a save" sbcini save
check "a v3 trap of the save reaches snmptrapd as nmstrap" wait_trap trap3 sbcConfigurationSaved 1
check "a v2c trap of the save while v1/v2c is on" wait_trap trap2 sbcConfigurationSaved 1

. "$(dirname "$0")/../pki.sh"
pki_make "$T_DIR/pki" >/dev/null 2>&1
check "a key for context 0" sbcini tls import-key 0 -f "$T_DIR/pki/expired.key"
pki_sign "$T_DIR/pki" expired soon.example.com client ca -days 5
check "a certificate that expires in 5 days" sbcini tls import-cert 0 -f "$T_DIR/pki/expired.crt"
check "the expiry alarm arrives as a v3 trap" wait_trap trap3 sbcCertificateExpiryAlarm 1 80

# v1/v2c off: communities and v2c sinks go, v3 stays
check "v1/v2c turned off" load <<<"SNMPv1v2cEnable = 0"
check "v2c is refused" wait_for "! v2 ro-comm-1 snmpget sbcDeviceVersion.0" 50
check "v3 still works" adm snmpget sbcDeviceVersion.0
n2=$(ntraps trap2 sbcConfigurationSaved)
check "another save" sbcini save
check "its v3 trap arrives" wait_trap trap3 sbcConfigurationSaved 2
sleep 2
check "no v2c trap while v1/v2c is off" test "$(ntraps trap2 sbcConfigurationSaved)" = "$n2"

# a changed and a deleted user take effect without restarting sbcd
check "the read-only user's keys and protocols are changed" load <<'CONF'
[ SNMPUsers ]
FORMAT SNMPUsers_Index = SNMPUsers_Username, SNMPUsers_AuthProtocol, SNMPUsers_PrivProtocol, SNMPUsers_AuthKey, SNMPUsers_PrivKey, SNMPUsers_Group;
SNMPUsers 1 = "nmsmon", 6, 5, "monauth-512", "monpriv-256b", 0;
[ \SNMPUsers ]
CONF
check "the new keys (SHA-512, AES-256) work" wait_for mon2 30
expect_fail "the old keys fail" mon snmpget sbcTLSExpiryCheckStart.0
check "the read-write user is deleted" load <<<'!DELETE SNMPUsers 0'
check "the deleted user's keys fail" wait_for "! adm snmpget sbcDeviceVersion.0" 30
contains "it stays as a tombstone in the file" "$INC" '^# deleted user: nmsadmin$'
expect_fail "with keys of its own" grep -q 'adminauth-256' "$INC"
check "sbcd is the same process" test "$(cat "$T_DIR/sbcd.pid")" = "$SBCD0"

# the master restarts: what it took into persistent storage does not bring the user back
kill "$SNMPD_PID"
for _ in $(seq 50); do kill -0 "$SNMPD_PID" 2>/dev/null || break; sleep 0.1; done
rm -f "$T_DIR/agentx.sock" "$T_DIR/snmpd.pid"
check "the master restarts" master_start
check "the changed user works after the restart" wait_for mon2 30
expect_fail "the deleted user still fails after the restart" adm snmpget .1.3.6.1.2.1.1.3.0
expect_fail "the read-only user's old keys still fail" mon snmpget .1.3.6.1.2.1.1.3.0

# a user created without a key (as SNMP createAndGo does with defaults) is off, not keyless
check "a user without AuthKey is accepted" load <<'CONF'
[ SNMPUsers ]
FORMAT SNMPUsers_Index = SNMPUsers_Username;
SNMPUsers 3 = "nmsoff";
[ \SNMPUsers ]
CONF
contains "and left out of snmpd" "$INC" '^# SNMPUsers 3: no AuthKey, off$'
expect_fail "no createUser for it" grep -q '^createUser nmsoff' "$INC"

# refusals name what is wrong; a refused change writes nothing
cp "$INC" "$T_DIR/inc.before"
expect_fail "3DES is refused" load <<'CONF'
[ SNMPUsers ]
FORMAT SNMPUsers_Index = SNMPUsers_Username, SNMPUsers_PrivProtocol;
SNMPUsers 1 = "nmsmon", 2;
[ \SNMPUsers ]
CONF
contains "naming the column" "$T_DIR/load.out" 'SNMPUsers row 1 column PrivProtocol: 3DES'
expect_fail "a short key is refused" load <<'CONF'
[ SNMPUsers ]
FORMAT SNMPUsers_Index = SNMPUsers_Username, SNMPUsers_AuthKey;
SNMPUsers 1 = "nmsmon", "short";
[ \SNMPUsers ]
CONF
contains "naming the column" "$T_DIR/load.out" 'SNMPUsers row 1 column AuthKey: .*8 characters'
check "the include file is unchanged" cmp "$INC" "$T_DIR/inc.before"
# a file sbcd did not write is never replaced: the change is refused, naming it
printf 'createUser someone SHA "not-sbcds-1" AES\n' >"$INC"
expect_fail "a change is refused while the include file is not sbcd's" \
	load <<<"SNMPv1v2cEnable = 1"
contains "naming the file" "$T_DIR/load.out" "snmpd-include.*$INC.*not written by sbcd"
contains "which is left alone" "$INC" '^createUser someone SHA "not-sbcds-1" AES$'
expect_fail "sbcd refuses an include path not ending in .conf" \
	"$BIN/sbcd" -n --flash "$T_DIR/flash" --snmpd-include "$T_DIR/snmpd.d/x"
t_end

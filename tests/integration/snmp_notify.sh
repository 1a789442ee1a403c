#!/bin/bash
# Notifications of sbc-snmp-agent reach the master's trap sink (snmptrapd on loopback), and the
# agent survives restarts of the master and of sbcd.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/snmp_env.sh"
t_begin snmp_notify

ntraps() { grep -c "snmpTrapOID.0 = OID: SBC-MIB::$1" "$T_DIR/traps.log" 2>/dev/null; }
wait_trap() { wait_for "[ \$(ntraps $1) -ge $2 ]" "${3:-100}"; }

check "base MIBs" snmp_mibs
mkdir -p "$T_DIR/flash"
snmp_sbcd_start >/dev/null && sbcini import --incremental - <<<"SIPSRequireClientCertificate = 1" >/dev/null &&
	sbcini save >/dev/null && snmp_sbcd_stop
check "sbcd starts (client certificates required)" snmp_sbcd_start
check "snmptrapd starts" snmp_trapd_start
check "snmpd master starts" snmp_master_start
AGENT_RATE=3
check "sbc-snmp-agent registers" snmp_agent_start

check "sbcDeviceStarted received" wait_trap sbcDeviceStarted 1
contains "it carries the version and a sequence number" "$T_DIR/traps.log" \
	'sbcDeviceStarted.*sbcDeviceVersion.0 = STRING: .*sbcNotifSequence.0 = '

check "save by SNMP" sw snmpset sbcDeviceSaveConfiguration.0 i 1
check "sbcConfigurationSaved received" wait_trap sbcConfigurationSaved 1
check "save by sbc-ini" sbcini save
check "sbcConfigurationSaved received for a save by another view" wait_trap sbcConfigurationSaved 2
contains "it carries the save counter" "$T_DIR/traps.log" 'sbcConfigurationSaved.*sbcDeviceSaves.0 = Gauge32: 2'

# TLS clients refused by the SIP engine
TLS_PORT=$(sbcini status TLSStatus 2>/dev/null | awk -F', ' '/^TLSStatus 0 = / { print $2 }')
check "SIP interface 0 has a TLS port" test -n "$TLS_PORT" -a "$TLS_PORT" != 0
for _ in 1 2 3; do
	timeout 5 openssl s_client -connect "127.0.0.1:$TLS_PORT" -quiet </dev/null >/dev/null 2>&1
done
check "sbcTLSClientRejected received" wait_trap sbcTLSClientRejected 1 80
sleep 4
n=$(ntraps sbcTLSClientRejected)
sum=$(grep -oE 'sbcTLSClientRejected.*sbcNotifCount.0 = Gauge32: [0-9]+' "$T_DIR/traps.log" |
	awk '{ s += $NF } END { print s + 0 }')
check "rate-limited: $n notifications summarise $sum refusals" test "$n" -le 2 -a "$sum" -ge 3
contains "the source names the SIP interface" "$T_DIR/traps.log" \
	'sbcTLSClientRejected.*sbcNotifSource.0 = STRING: TLSStatus 0'

# certificate expiry: the alarm ladder becomes notifications, and the clear too
. "$(dirname "$0")/../pki.sh"
pki_make "$T_DIR/pki" >/dev/null 2>&1
check "a key for context 0" sbcini tls import-key 0 -f "$T_DIR/pki/expired.key"
pki_sign "$T_DIR/pki" expired soon.example.com client ca -days 5
check "a certificate that expires in 5 days" sbcini tls import-cert 0 -f "$T_DIR/pki/expired.crt"
check "sbcCertificateExpiryAlarm received" wait_trap sbcCertificateExpiryAlarm 1 80
contains "it is major and names the context" "$T_DIR/traps.log" \
	'sbcCertificateExpiryAlarm.*TLSContext#0.*will expire in 5 days.*major'
pki_sign "$T_DIR/pki" expired soon.example.com client ca -days 365
check "a new certificate" sbcini tls import-cert 0 -f "$T_DIR/pki/expired.crt"
check "the clear is notified" wait_trap sbcCertificateExpiryAlarm 2 80
contains "as cleared" "$T_DIR/traps.log" 'sbcCertificateExpiryAlarm.*TLSContext#0.*cleared'

# the master restarts: the agent comes back by itself, and what happened meanwhile is sent
snmp_master_stop
check "master is down" sh -c "! kill -0 $SNMPD_PID 2>/dev/null"
check "a save while the master is away" sbcini save
check "snmpd master restarts" snmp_master_start
check "the agent re-registers" wait_for "sw snmpget sbcDeviceVersion.0 | grep -q STRING" 100
check "the notification raised meanwhile arrives" wait_trap sbcConfigurationSaved 3
check "reads work after the master restart" sh -c "$(declare -f sw); SNMP_MIBDIR=$SNMP_MIBDIR T_DIR=$T_DIR ADMIN_AUTH='$ADMIN_AUTH' SNMP_PORT=$SNMP_PORT sw snmpget sbcTLSContextsName.0 | grep -q default"
check "sets work after the master restart" sw snmpset sbcTLSExpiryCheckStart.0 i 45

# sbcd restarts: a new sbcDeviceStarted, and the agent follows
snmp_sbcd_stop
check "sbcd restarts" snmp_sbcd_start
check "sbcDeviceStarted received again" wait_trap sbcDeviceStarted 2
check "reads work after the sbcd restart" wait_for "sw snmpget sbcTLSContextsName.0 | grep -q default" 50
check "sets work after the sbcd restart" sw snmpset sbcTLSExpiryCheckStart.0 i 46
check "the agent is still the same process" kill -0 "$AGENT_PID"
t_end

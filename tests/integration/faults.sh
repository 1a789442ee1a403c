#!/bin/bash
# Degrade, don't die (issue 13): each fault leaves one SIP interface down with an alarm naming
# the object, the cause and the remedy, while sbcd, the control socket, the CLI and the web
# answer, the other interface serves mutual-TLS OPTIONS and the configuration is the saved one;
# the repair clears the alarm and brings the interface up. Real sbcd, openssl s_client peers,
# a python3 process holding a port.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
source "$(dirname "$0")/snmp_env.sh"
t_begin faults
D=$T_DIR
P=$D/pki
F=$D/flash/tls
pki_make "$P" >/dev/null 2>&1 || { fail "test PKI"; t_end; exit 1; }

U0=$(free_port); T0=$(free_port); U1=$(free_port); T1=$(free_port); W=$(free_port)
# a private snmpd master; sbcd supervises sbc-snmp-agent towards it (AgentXSocket)
check "SNMP base MIBs" snmp_mibs
snmp_master_start
cat >"$D/boot.ini" <<X
[SNMP Params]
AgentXSocket = 'unix:$T_DIR/agentx.sock'
[SIP Params]
SIPSRequireClientCertificate = 1
[WEB Params]
HTTPPort = $W
[ TLSContexts ]
FORMAT TLSContexts_Index = TLSContexts_Name;
TLSContexts 1 = "a";
[ \\TLSContexts ]
[ InterfaceTable ]
FORMAT InterfaceTable_Index = InterfaceTable_ApplicationTypes, InterfaceTable_IPAddress, InterfaceTable_PrefixLength, InterfaceTable_InterfaceName;
InterfaceTable 1 = 5, "192.0.2.1", 24, "offhost";
[ \\InterfaceTable ]
[ SIPInterface ]
FORMAT SIPInterface_Index = SIPInterface_InterfaceName, SIPInterface_NetworkInterface, SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort, SIPInterface_TLSContext;
SIPInterface 0 = "A", "O+M+C", $U0, $U0, $T0, "a";
SIPInterface 1 = "B", "O+M+C", $U1, $U1, $T1, "default";
[ \\SIPInterface ]
X
mkdir -p "$D/flash"
"$BIN/sbc-ini" build --incremental "$D/boot.ini" -o "$D/flash/board.ini" >/dev/null ||
	{ fail "build the flash"; t_end; exit 1; }
check "sbcd starts" t_sbcd "$D"
ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
for c in 0 1; do
	ini tls import-key "$c" -f "$P/server.key" >/dev/null &&
		ini tls import-cert "$c" -f "$P/server-chain.crt" >/dev/null &&
		ini tls import-roots "$c" -f "$P/cas.pem" >/dev/null || fail "material of context $c"
done
check "save" ini save
ini export -o "$D/saved.ini"
cp -a "$F" "$D/good-tls"

# options PORT [s_client options]: one mutual-TLS OPTIONS; 0 when answered 200
options() {
	local port=$1; shift
	{
		printf 'OPTIONS sip:sbc@127.0.0.1:%s;transport=tls SIP/2.0\r\n' "$port"
		printf 'Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-f%s\r\nMax-Forwards: 70\r\n' "$RANDOM"
		printf 'From: <sip:t@127.0.0.1>;tag=f1\r\nTo: <sip:sbc@127.0.0.1>\r\n'
		printf 'Call-ID: f%s@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' "$RANDOM"
		sleep 1
	} | timeout 5 openssl s_client -connect "127.0.0.1:$port" -CAfile "$P/ca.crt" \
		-cert "$P/client.crt" -key "$P/client.key" -verify_return_error -ign_eof "$@" \
		>"$D/opt.out" 2>&1
	grep -q 'SIP/2.0 200 OK' "$D/opt.out"
}
alarms() { ini status Alarms 2>&1 | grep sipInterfaceDown; }
state0() { ini status TLSStatus 2>&1 | grep '^TLSStatus 0 = '; }
cli_alarms() { printf 'show status alarm\nexit\n' | timeout 10 "$BIN/sbc-cli" --socket "$SOCK" 2>&1; }
# SNMP answers through snmpd, the supervised subagent and sbcd (the device version scalar)
snmp_up() { sv2 snmpget sbcDeviceVersion.0 2>/dev/null | grep -q 'STRING'; }
web_up() { curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$W/" | grep -q '^[23]'; }
check "before any fault: SNMP answers" wait_for snmp_up 100
check "before any fault: interface A serves mutual-TLS OPTIONS" options "$T0"
check "before any fault: interface B serves mutual-TLS OPTIONS" options "$T1"

reset_sbcd() { ini reset >/dev/null 2>&1; sleep 1; wait_for "$BIN/sbc-ini --socket $SOCK info" 100; }

# degraded NAME CAUSE: everything answers within 10 s; the alarm names interface A and cause
degraded() {
	local name=$1 cause=$2 t0=$SECONDS
	if wait_for "$BIN/sbc-ini --socket $SOCK info" 100 && [ $((SECONDS - t0)) -le 10 ]; then
		ok "$name: sbcd and its control socket answer within 10 s"
	else
		fail "$name: sbcd does not answer"; tail -5 "$D/sbcd.log" | sed 's/^/       | /'; return
	fi
	alarms >"$D/alarm"
	contains "$name: alarm sipInterfaceDown on SIPInterface#0 names the cause" "$D/alarm" \
		"\"SIPInterface#0\", \"SIP interface 'A' \(row 0\):.*$cause"
	contains "$name: the alarm says what to do" "$D/alarm" "(import|free the port)"
	state0 >"$D/state"
	contains "$name: TLSStatus shows interface A down or partly down, with the reason" "$D/state" \
		", [23], \".*$cause"
	cli_alarms >"$D/cli.out"
	contains "$name: the CLI answers and shows the alarm" "$D/cli.out" "sipInterfaceDown"
	wait_for web_up 50
	check "$name: the web answers" web_up
	wait_for snmp_up 100
	check "$name: SNMP answers (snmpd, sbc-snmp-agent, sbcd)" snmp_up
	check "$name: interface B serves mutual-TLS OPTIONS" options "$T1"
	ini export -o "$D/now.ini"
	check "$name: sbc-ini export equals the last save" cmp "$D/saved.ini" "$D/now.ini"
}

# repaired NAME: alarm cleared, interface A up and serving
repaired() {
	local name=$1
	wait_for "! $BIN/sbc-ini --socket $SOCK status Alarms | grep -q sipInterfaceDown" 50
	if alarms >/dev/null; then fail "$name: alarm cleared"; alarms | sed 's/^/       | /'; else ok "$name: alarm cleared"; fi
	contains "$name: TLSStatus shows interface A up" <(state0) ', 1, ""'
	check "$name: interface A serves mutual-TLS OPTIONS again" options "$T0"
}

# --- 1. a key that does not match the certificate of the context interface A uses ---------
cp "$P/client.key" "$F/1/private-key.pem" && chmod 600 "$F/1/private-key.pem"
reset_sbcd
degraded "non-matching key" "does not match"
cp -a "$D/flash" "$D/flash-check"
"$BIN/sbcd" -n --flash "$D/flash-check" >"$D/n.out" 2>&1
check "sbcd -n --flash exits non-zero" test $? -ne 0
contains "sbcd -n names the interface and the cause" "$D/n.out" \
	"down: SIPInterface row 0 \('A'\) TLS port $T0: TLS context 'a': .*does not match"
"$BIN/sbc-ini" check --flash "$D/flash-check" >"$D/c.out" 2>&1
check "sbc-ini check --flash exits non-zero" test $? -ne 0
contains "sbc-ini check --flash names it too" "$D/c.out" "TLS context 'a': .*does not match"
check "import the right key" ini tls import-key 1 -f "$P/server.key"
repaired "non-matching key, good key imported (no reset)"
# imports change the running material only: the save puts the good key on flash
check "save the repaired material" ini save
check "the flash has the good key now" bash -c "cmp <(openssl x509 -noout -pubkey -in '$F/1/certificate.pem') <(openssl pkey -pubout -in '$F/1/private-key.pem')"

# --- 2. garbage in the trusted roots -----------------------------------------------------
head -c 600 /dev/urandom | base64 >"$F/1/trusted-roots.pem"
reset_sbcd
degraded "garbage trusted roots" "trusted-roots.pem"
cp "$D/good-tls/1/trusted-roots.pem" "$F/1/trusted-roots.pem"
reset_sbcd
repaired "garbage trusted roots, good roots and reset"

# --- 3. a reset while the (new) TLS port of interface A is taken by another process ------
hold() {
	python3 -c 'import socket,sys,time
s=socket.socket()
for i in range(50):
    try:
        s.bind(("127.0.0.1",int(sys.argv[1]))); break
    except OSError: time.sleep(0.1)
s.listen(1); time.sleep(120)' "$1" &
	HOLDER=$!
	t_track "$HOLDER"
	wait_for "ss -ltn | grep -q 127.0.0.1:$1\\b" 20
}
T0=$(free_port)
hold "$T0"
printf '[ SIPInterface ]\nFORMAT SIPInterface_Index = SIPInterface_TLSPort;\nSIPInterface 0 = %s;\n[ \\SIPInterface ]\n' "$T0" >"$D/port.ini"
check "move interface A's TLS port to the taken one, save" sh -c "'$BIN/sbc-ini' --socket '$SOCK' import --incremental '$D/port.ini' && '$BIN/sbc-ini' --socket '$SOCK' save"
ini export -o "$D/saved.ini"
reset_sbcd
degraded "TLS port taken at reset" "Address already in use"
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
reset_sbcd
repaired "TLS port freed, reset"

# --- 4. the port taken at a fresh start --------------------------------------------------
kill "$SBCD_PID"; wait_for "! kill -0 $SBCD_PID" 50
hold "$T0"
"$BIN/sbcd" -n --flash "$D/flash" >"$D/n4.out" 2>&1
check "sbcd -n exits non-zero while the port is taken" test $? -ne 0
contains "sbcd -n names the listener and the cause" "$D/n4.out" \
	"down: SIPInterface row 0 \('A'\) TLS port $T0: cannot bind 127.0.0.1:$T0/tcp: Address already in use"
rm -f "$D/sbcd.sock"
t_sbcd "$D"
degraded "TLS port taken at a fresh start" "Address already in use"
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
reset_sbcd
repaired "TLS port freed, reset"

# --- 5. an address that is not on the host -----------------------------------------------
printf '[ SIPInterface ]\nFORMAT SIPInterface_Index = SIPInterface_NetworkInterface;\nSIPInterface 0 = "offhost";\n[ \\SIPInterface ]\n' >"$D/off.ini"
check "interface A on 192.0.2.1, save" sh -c "'$BIN/sbc-ini' --socket '$SOCK' import --incremental '$D/off.ini' && '$BIN/sbc-ini' --socket '$SOCK' save"
ini export -o "$D/saved.ini"
reset_sbcd
degraded "address not on the host" "Cannot assign requested address"
sed -i 's/"offhost"/"O+M+C"/' "$D/off.ini"
check "interface A back on 127.0.0.1, save" sh -c "'$BIN/sbc-ini' --socket '$SOCK' import --incremental '$D/off.ini' && '$BIN/sbc-ini' --socket '$SOCK' save"
reset_sbcd
repaired "address back on the host, reset"

# --- 6. the web port taken at start: sbc-web is retried with back-off, with an alarm ---------------
kill "$SBCD_PID"; wait_for "! kill -0 $SBCD_PID" 50
hold "$W"
rm -f "$D/sbcd.sock"
t_sbcd "$D"
pa() { ini status Alarms 2>&1 | grep '"processDown", 4, "process sbc-web"'; }
check "web port taken: alarm processDown on sbc-web" wait_for pa 100
contains "web port taken: the alarm says what to do" <(pa) "HTTPSPort / HTTPPort"
check "web port taken: the control socket answers" ini info
contains "web port taken: the CLI answers" <(cli_alarms) "processDown"
check "web port taken: interface A serves mutual-TLS OPTIONS" options "$T0"
n1=$(grep -c 'started sbc-web' "$D/sbcd.log"); sleep 3; n2=$(grep -c 'started sbc-web' "$D/sbcd.log")
check "web port taken: no tight restart loop (at most 2 starts in 3 s)" test $((n2 - n1)) -le 2
kill "$HOLDER"; wait "$HOLDER" 2>/dev/null
check "web port freed: the web answers" wait_for web_up 200
check "web port freed: the alarm clears once sbc-web runs" wait_for "! pa" 200

# --- the web's Reset button answers with a page that reloads itself when the web is back -
J=$D/jar
tok=$(curl -s -m 5 -b "$J" -c "$J" "http://127.0.0.1:$W/login" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//')
code=$(curl -s -m 5 -b "$J" -c "$J" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$tok" \
	--data-urlencode username=Admin --data-urlencode password=Admin "http://127.0.0.1:$W/login")
check "web login ($code)" test "$code" = 303
tok=$(curl -s -m 5 -b "$J" "http://127.0.0.1:$W/files" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//')
was=$(curl -s -m 5 "http://127.0.0.1:$W/alive")
curl -s -m 10 -b "$J" --data-urlencode "csrf=$tok" --data-urlencode confirm=yes \
	-o "$D/reset.html" -w '%{http_code}' "http://127.0.0.1:$W/actions/reset" >"$D/reset.code"
check "Reset now (confirmed) answers 200" test "$(cat "$D/reset.code")" = 200
contains "with a page that says the device is restarting" "$D/reset.html" "The device is restarting"
contains "naming the web instance it came from" "$D/reset.html" "data-was=\"$was\""
contains "and a script that reloads it" "$D/reset.html" '<script src="/reset.js"'
newweb() { n=$(curl -s -m 2 "http://127.0.0.1:$W/alive") && [ -n "$n" ] && [ "$n" != "$was" ]; }
check "a new sbc-web answers /alive after the reset" wait_for newweb 200
contains "/reset.js polls /alive and reloads" <(curl -s -m 5 "http://127.0.0.1:$W/reset.js") "fetch\('/alive'.*location.replace"
wait_for "$BIN/sbc-ini --socket $SOCK info" 100

# --- 7. pending truth: TLS context changes apply to SIP at once, deletions wait for reset --
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_TLSVersion;\nTLSContexts 0 = 8;\n[ \\TLSContexts ]\n' >"$D/v13.ini"
check "TLS context 0 (interface B) set to TLS 1.3 only" ini import --incremental "$D/v13.ini"
check "interface B: a TLS 1.3 client is served at once" options "$T1" -tls1_3
if options "$T1" -tls1_2; then fail "interface B still accepts TLS 1.2"; else ok "interface B refuses TLS 1.2 at once, no reset"; fi
contains "the engine says so" "$D/sbcd.log" "interface 'B' TLS port $T1: new material of TLS context 0 in force"
check "nothing pending for it" test -z "$(ini pending)"
printf '!DELETE SIPInterface 1\n' >"$D/del.ini"
check "delete SIP interface B" ini import --incremental "$D/del.ini"
check "its port still listens until the reset" options "$T1" -tls1_3
contains "sbc-ini pending lists the deleted interface" <(ini pending) "pending reset: SIPInterface row 1 deleted"
contains "CLI show pending lists it too" <(printf 'show pending\nexit\n' | timeout 10 "$BIN/sbc-cli" --socket "$SOCK" 2>&1) "^sip-interface 1 +\(row\) +\(in force\) +\(deleted\)"
t_end

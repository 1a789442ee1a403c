#!/bin/bash
# Privilege separation (issue 19, doc/OPERATIONS.md "Users"): each program runs as its own
# system user, as the systemd units run them: sbcd (alone reads the flash and keys), sbc-web,
# the SSH key helper and the SSH CLI account, each a member of the control socket's group.
# The test makes its own users (sbct-*, removed at the end when it made them), so that it
# never touches the names a package would use. Checks: who runs as whom; sbc-web cannot open
# the flash (EACCES) and serves HTTPS with the key it got from sbcd (TLS WEBCRED); the
# control socket's levels by peer uid (front ends: monitor; WEBCRED for the web alone; GRANT
# for the key helper alone; AS for none of them); a context-0 change reaches new handshakes
# without restarting sbc-web while a logged-in session stays valid; over sshd, a key logs in
# to the CLI account with the user's rights (one-time grant), the account itself gets monitor
# only, and cannot read keys. SBCD_CHILD_USERS=yes: a root sbcd runs its children as their users.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/web/common.sh"
t_begin privsep
D=$T_DIR
skip() { echo "  SKIP $*"; t_end; exit 0; }

[ "$(id -u)" = 0 ] || skip "needs root (system users, setpriv)"
for t in setpriv useradd groupadd curl openssl /usr/bin/python3; do
	command -v "$t" >/dev/null || skip "$t is not installed"
done

U_D=sbct-d U_WEB=sbct-web U_SNMP=sbct-snmp U_KEYS=sbct-keys U_CLI=sbct-cli G_CTL=sbct-ctl
MADE_USERS="" MADE_GROUP=""
ps_cleanup() {
	local u
	t_cleanup
	for u in $MADE_USERS; do userdel "$u" 2>/dev/null; groupdel "$u" 2>/dev/null; done
	[ -n "$MADE_GROUP" ] && groupdel "$G_CTL" 2>/dev/null
}
trap ps_cleanup EXIT

getent group "$G_CTL" >/dev/null || { groupadd --system "$G_CTL" && MADE_GROUP=1; }
for u in $U_D $U_WEB $U_SNMP $U_KEYS $U_CLI; do
	if ! getent passwd "$u" >/dev/null; then
		sh=/usr/sbin/nologin
		[ "$u" = "$U_CLI" ] && sh=/bin/sh # sshd runs ForceCommand through the login shell
		useradd --system --user-group --no-create-home --home-dir /nonexistent --shell "$sh" "$u" ||
			{ fail "useradd $u"; t_end; exit 1; }
		MADE_USERS="$MADE_USERS $u"
	fi
	usermod -a -G "$G_CTL" "$u"
done
usermod -p '*' "$U_CLI" # no password, but not locked: sshd (UsePAM no) refuses locked accounts
ok "test users and group $G_CTL"
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --init-groups "$@"; }

# --- the layout of the package, in the test's directory ---------------------------------------
chmod 0711 "$D"
PKI=$D/pki
"$TOP/tests/web/pki.sh" "$PKI" >/dev/null || { fail "test PKI"; t_end; exit 1; }
FLASH=$D/flash RUN=$D/run SOCK=$D/run/sbcd.sock
install -d -m 0700 -o "$U_D" -g "$U_D" "$FLASH" "$FLASH/tls" "$FLASH/tls/0"
install -d -m 0750 -o "$U_D" -g "$G_CTL" "$RUN"
install -m 0644 -o "$U_D" -g "$U_D" "$PKI/server.crt" "$FLASH/tls/0/certificate.pem"
install -m 0600 -o "$U_D" -g "$U_D" "$PKI/server.key" "$FLASH/tls/0/private-key.pem"
install -m 0644 -o "$U_D" -g "$U_D" "$PKI/ca.crt" "$FLASH/tls/0/trusted-roots.pem"
cat "$PKI/admin.crt" >>"$FLASH/tls/0/trusted-roots.pem" # Admin's own certificate: no password
ssh-keygen -q -t ed25519 -N '' -C op@test -f "$D/opkey"
HTTP_PORT=$(free_port)
HTTPS_PORT=$(free_port)
while [ "$HTTPS_PORT" = "$HTTP_PORT" ]; do HTTPS_PORT=$(free_port); done
cat >"$D/board.ini" <<X
[WEB Params]
HTTPSPort = $HTTPS_PORT
HTTPPort = $HTTP_PORT
WebAddress = '127.0.0.1'

[ SIPInterface ]
FORMAT SIPInterface_Index = SIPInterface_InterfaceName, SIPInterface_NetworkInterface, SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort;
SIPInterface 0 = "SIPInterface_0", "O+M+C", 0, 0, 0;
[ \SIPInterface ]
[ WebUsers ]
FORMAT WebUsers_Index = WebUsers_Username, WebUsers_Password, WebUsers_UserLevel, WebUsers_SSHPublicKey;
WebUsers 0 = "Admin", "Admin", 220, "";
WebUsers 3 = "mon", "MonPass1", 50, "";
WebUsers 6 = "keyop", "KeyPass1", 220, "$(cat "$D/opkey.pub")";
[ \WebUsers ]
X
install -m 0600 -o "$U_D" -g "$U_D" "$D/board.ini" "$FLASH/board.ini"

# one control request per line of argv on one connection: ctl.py SOCK 'VERB' ['VERB' ...];
# a request's body follows its verb line after '\n'. Prints each reply; exit 1 on any ERR.
cat >"$D/ctl.py" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
rc = 0
def recv(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            sys.exit(3)
        b += c
    return b
for req in sys.argv[2:]:
    data = req.encode().replace(b"\\n", b"\n")
    s.sendall(struct.pack("!I", len(data)) + data)
    rep = recv(struct.unpack("!I", recv(4))[0])
    sys.stdout.write(rep.decode(errors="replace") + "\n--\n")
    rc |= not rep.startswith(b"OK\n")
sys.exit(rc)
PY
chmod 0644 "$D/ctl.py"
ctl() { local u=$1; shift; as "$u" /usr/bin/python3 "$D/ctl.py" "$SOCK" "$@"; }

# --- sbcd as its user, front ends as theirs (what the systemd units do) -------------------------
ENVS="SBCD_SUPERVISE=no SBCD_WEB_USER=$U_WEB SBCD_KEYS_USER=$U_KEYS SBCD_SNMP_USER=$U_SNMP SBCD_CTL_GROUP=$G_CTL"
env $ENVS setpriv --reuid="$U_D" --regid="$U_D" --init-groups \
	"$BIN/sbcd" -f --flash "$FLASH" --socket "$SOCK" --pidfile "$RUN/sbcd.pid" >"$D/sbcd.log" 2>&1 &
SBCD_PID=$!
t_track $SBCD_PID
wait_for "'$BIN/sbc-ini' --socket '$SOCK' info" 100 || { fail "sbcd starts"; tail "$D/sbcd.log"; t_end; exit 1; }
ok "sbcd starts as $U_D"
WEB_LOG=$D/web.log
setpriv --reuid="$U_WEB" --regid="$U_WEB" --init-groups "$BIN/sbc-web" --socket "$SOCK" >"$WEB_LOG" 2>&1 &
WEB_PID=$!
t_track $WEB_PID
wait_for "grep -q 'sbc-web info: ready' '$WEB_LOG' && (echo >/dev/tcp/127.0.0.1/$HTTPS_PORT)" 150 ||
	{ fail "sbc-web starts"; sed 's/^/       | /' "$WEB_LOG" | tail; }

owner() { stat -c %U "/proc/$1"; }
check "sbcd runs as $U_D" test "$(owner $SBCD_PID)" = "$U_D"
check "sbc-web runs as $U_WEB" test "$(owner $WEB_PID)" = "$U_WEB"
check "the control socket belongs to group $G_CTL" test "$(stat -c %G "$SOCK")" = "$G_CTL"
check "sbcd logs the front-end users it found" grep -q "user $U_WEB (uid [0-9]*) is the sbc-web front end" "$D/sbcd.log"

echo "# sbc-web reads no flash"
expect_fail "sbc-web takes no --flash option" "$BIN/sbc-web" --flash "$FLASH" --socket "$SOCK"
as "$U_WEB" cat "$FLASH/tls/0/private-key.pem" >/dev/null 2>"$D/eacces"
contains "the web's user cannot open the flash key (EACCES)" "$D/eacces" "Permission denied"
as "$U_WEB" cat "$FLASH/board.ini" >/dev/null 2>"$D/eacces"
contains "nor board.ini (EACCES)" "$D/eacces" "Permission denied"
as "$U_WEB" sh -c "cat $RUN/sbcd-run/running/tls/0/private-key.pem" >/dev/null 2>"$D/eacces"
contains "nor sbcd's running material (EACCES)" "$D/eacces" "Permission denied"
# what the running sbc-web has open: sockets, pipes and libraries, nothing of the flash
check "the running sbc-web holds no flash file" sh -c "! ls -l /proc/$WEB_PID/fd | grep -q '$FLASH'"

echo "# HTTPS with the key from sbcd"
fp() { openssl x509 -noout -fingerprint -sha256 | cut -d= -f2; }
served() { openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername localhost </dev/null 2>/dev/null | fp; }
want=$(fp <"$PKI/server.crt")
check "HTTPS serves the flash's certificate ($want)" test "$(served)" = "$want"
code_is "HTTPS login page" 200 hcurl -o /dev/null -w '%{http_code}' "https://127.0.0.1:$HTTPS_PORT/login"
contains "sbc-web built its context from sbcd's material" "$WEB_LOG" "https: server, versions"

echo "# levels on the control socket by peer uid"
ctl "$U_WEB" INFO >"$D/o" 2>&1
contains "the web's user is monitor (50)" "$D/o" "^level 50$"
ctl "$U_SNMP" INFO >"$D/o" 2>&1
contains "the SNMP agent's user is admin (100): SETs, never users or keys" "$D/o" "^level 100$"
ctl "$U_CLI" INFO >"$D/o" 2>&1
contains "the CLI account is monitor (50) without LOGIN" "$D/o" "^level 50$"
check "WEBCRED for the web's user" ctl "$U_WEB" "TLS WEBCRED 0"
contains "  with the key" "$D/last.out" "^key [0-9]+$"
stamp=$(sed -n 's/^stamp //p' "$D/last.out")
check "WEBCRED with the same stamp: unchanged" ctl "$U_WEB" "TLS WEBCRED 0 $stamp"
contains "  (one line)" "$D/last.out" "^unchanged$"
for u in $U_CLI $U_SNMP $U_KEYS; do
	expect_fail "WEBCRED refused to $u" ctl "$u" "TLS WEBCRED 0"
done
expect_fail "WEBCRED of another context refused to the web" ctl "$U_WEB" "TLS WEBCRED 1"
expect_fail "AS refused to the web without a certificate" ctl "$U_WEB" "AS Admin"
# a client-certificate login: the web sends the certificate, sbcd checks it is a trusted
# root of context 0 whose CN is the user
check "AS for the web with the user's trusted certificate" ctl "$U_WEB" "AS Admin TICKET
$(cat "$PKI/admin.crt")"
contains "  with a session ticket" "$D/last.out" "^ticket [0-9a-f]{64}$"
expect_fail "AS refused to the web with a certificate of another CN" ctl "$U_WEB" "AS Admin
$(cat "$PKI/client.crt")"
expect_fail "AS refused to the web with a CA-issued (not itself trusted) certificate" ctl "$U_WEB" \
	"AS operator
$(cat "$PKI/client.crt")"
expect_fail "AS refused to the CLI account" ctl "$U_CLI" "AS Admin"
expect_fail "AS refused to the key helper" ctl "$U_KEYS" "AS Admin"
expect_fail "GRANT refused to the web" ctl "$U_WEB" "GRANT Admin"
expect_fail "GRANT refused to the CLI account" ctl "$U_CLI" "GRANT Admin"
check "GRANT for the key helper" ctl "$U_KEYS" "GRANT Admin"
g=$(sed -n 's/^grant //p' "$D/last.out")
check "a grant gives its user's level to any peer" ctl "$U_CLI" "RESUME $g" INFO
contains "  level 220, user Admin" "$D/last.out" "^user Admin$"
expect_fail "a grant is good once" ctl "$U_CLI" "RESUME $g"
check "LOGIN ... TICKET: the web gets a session ticket" ctl "$U_WEB" "LOGIN mon FROM 192.0.2.1 TICKET\nMonPass1"
t=$(sed -n 's/^ticket //p' "$D/last.out")
check "RESUME of the ticket on a new connection" ctl "$U_WEB" "RESUME $t" INFO
contains "  as that user" "$D/last.out" "^user mon$"
expect_fail "a ticket is the web's alone" ctl "$U_CLI" "RESUME $t"
expect_fail "the web's user cannot LOAD at its own level" ctl "$U_WEB" \
	"LOAD incremental\n[ SYSTEM Params ]\nSyslogServerIP = '192.0.2.9'"

echo "# a context-0 change reaches new handshakes; sbc-web and its sessions stay"
J=$D/jar
code_is "login as Admin" 303 web_login "$J" Admin Admin
code_is "the session works" 200 hcurl -b "$J" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$HTTPS_PORT/status"
/usr/bin/python3 "$D/ctl.py" "$SOCK" "TLS GENERATE 0 ec-p256 0 30\nCN=reloaded.example" >"$D/gen" 2>&1
subject() { openssl s_client -connect "127.0.0.1:$HTTPS_PORT" </dev/null 2>/dev/null | openssl x509 -noout -subject; }
if wait_for "subject | grep -q reloaded.example" 80; then
	ok "a new handshake sees the new certificate ($(subject))"
else
	fail "the new certificate is not served: $(subject)"
	sed 's/^/       | /' "$D/gen" "$WEB_LOG" | tail -20
fi
check "sbc-web was not restarted (same pid)" kill -0 $WEB_PID
contains "sbc-web says it took the change" "$WEB_LOG" "TLS context 0 changed: new handshakes use it"
code_is "the logged-in session is still valid" 200 hcurl -k -b "$J" -o /dev/null -w '%{http_code}' \
	"https://127.0.0.1:$HTTPS_PORT/status"
# a policy change of the row (no material) is taken the same way
"$BIN/sbc-ini" --socket "$SOCK" import --incremental /dev/stdin >/dev/null <<'X'
[ TLSContexts ]
FORMAT TLSContexts_Index = TLSContexts_TLSVersion;
TLSContexts 0 = 8;
[ \TLSContexts ]
X
if wait_for "openssl s_client -tls1_2 -connect 127.0.0.1:$HTTPS_PORT </dev/null >/dev/null 2>&1; [ \$? -ne 0 ]" 80; then
	ok "TLSVersion 1.3 only on context 0: TLS 1.2 refused by the running sbc-web"
else
	fail "TLS 1.2 still accepted after TLSVersion = 1.3 only"
fi
check "  still the same sbc-web" kill -0 $WEB_PID
code_is "  and the session still valid" 200 hcurl -k -b "$J" -o /dev/null -w '%{http_code}' \
	"https://127.0.0.1:$HTTPS_PORT/status"

echo "# SSH CLI: a dedicated account with the logged-in user's rights"
as "$U_CLI" cat "$FLASH/tls/0/private-key.pem" >/dev/null 2>"$D/eacces"
contains "the CLI account cannot read the keys (EACCES)" "$D/eacces" "Permission denied"
expect_fail "sbc-cli as the CLI account cannot act for a user (AS)" as "$U_CLI" "$BIN/sbc-cli" \
	--socket "$SOCK" --user keyop -c 'show version'
check "with the password (LOGIN) it can" sh -c "printf 'keyop\nKeyPass1\nshow version\n' | \
	setpriv --reuid=$U_CLI --regid=$U_CLI --init-groups '$BIN/sbc-cli' --socket '$SOCK' --login"
contains "  at the user's level" "$D/last.out" "level 220"
check "the key helper prints the offered key with a grant" as "$U_KEYS" "$BIN/sbc-cli" --socket "$SOCK" \
	--authorized-keys "$U_CLI" $(cut -d' ' -f1,2 "$D/opkey.pub")
contains "  (SBC_GRANT)" "$D/last.out" '^restrict,pty,environment="SBC_USER=keyop",environment="SBC_GRANT=[0-9a-f]{64}",command='
safe_path=1
p=$BIN/sbc-cli
while [ "$p" != / ]; do
	[ "$(stat -c %u "$p")" = 0 ] && [ $((0$(stat -c %a "$p") & 022)) -eq 0 ] || safe_path=0
	p=$(dirname "$p")
done
if [ $safe_path = 0 ] || [ ! -x /usr/sbin/sshd ]; then
	echo "  (no sshd, or $BIN is not root-owned: the sshd part is skipped)"
else
	PORT=$(free_port)
	mkdir -p /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey"
	cat >"$D/sshd_config" <<CONF
ListenAddress 127.0.0.1
HostKey $D/hostkey
PidFile $D/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile none
PermitUserEnvironment SBC_USER,SBC_GRANT
AllowUsers $U_CLI
Match User $U_CLI
	AuthorizedKeysCommand $BIN/sbc-cli --socket $SOCK --authorized-keys %u %t %k
	AuthorizedKeysCommandUser $U_KEYS
	ForceCommand $BIN/sbc-cli --socket $SOCK
	AllowTcpForwarding no
	X11Forwarding no
CONF
	/usr/sbin/sshd -t -f "$D/sshd_config" -p "$PORT" >"$D/sshd-t.log" 2>&1 ||
		{ fail "sshd config"; cat "$D/sshd-t.log"; }
	/usr/sbin/sshd -D -e -f "$D/sshd_config" -p "$PORT" >"$D/sshd.log" 2>&1 &
	t_track $!
	wait_for "ssh-keyscan -p $PORT 127.0.0.1" 50 || fail "sshd did not start"
	SSH="ssh -p $PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR"
	SSH="$SSH -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=10"
	check "a key logs in to the CLI account as its SBC user" timeout 30 $SSH -i "$D/opkey" \
		"$U_CLI@127.0.0.1" 'show version'
	contains "  with that user's level (220), by its one-time grant" "$D/last.out" "^level 220$"
	contains "  as keyop" "$D/last.out" "^user keyop$"
	check "  a change at that level goes through" timeout 30 $SSH -i "$D/opkey" "$U_CLI@127.0.0.1" \
		'configure voip; sip-interface 0; tls-mutual-auth enable; activate; end'
	check "  and reached sbcd" sh -c "'$BIN/sbc-ini' --socket '$SOCK' export SIPInterface | grep -q '\"O+M+C\", 2,'"
fi

echo "# a reset: sbc-web (not supervised) restarts itself to read the reset-required settings"
"$BIN/sbc-ini" --socket "$SOCK" reset >/dev/null
if wait_for "! kill -0 $WEB_PID" 100; then
	wait $WEB_PID
	rc=$?
	check "sbc-web left on the reset with status 0 (its unit starts it again)" test "$rc" = 0
	contains "  and said why" "$WEB_LOG" "sbcd was reset: sbc-web stops"
else
	fail "sbc-web did not notice the reset"
	kill $WEB_PID
fi
wait_for "'$BIN/sbc-ini' --socket '$SOCK' info" 100 || fail "sbcd back after the reset"

echo "# make run as root with SBCD_CHILD_USERS=yes: children as their users"
"$BIN/sbc-ini" --socket "$SOCK" save >/dev/null
kill $SBCD_PID
wait_for "! kill -0 $SBCD_PID" 100
chown -R root:root "$FLASH"
chown root:"$G_CTL" "$RUN"
env $ENVS SBCD_SUPERVISE=yes SBCD_CHILD_USERS=yes "$BIN/sbcd" -f --flash "$FLASH" --socket "$SOCK" \
	--pidfile "$RUN/sbcd.pid" >"$D/sbcd2.log" 2>&1 &
SBCD_PID=$!
t_track $SBCD_PID
wait_for "grep -q 'sbc-web info: ready' '$D/sbcd2.log'" 150 || fail "supervised sbc-web starts"
WEB_PID=$("$BIN/sbc-ini" --socket "$SOCK" info | sed -n 's/^child sbc-web pid \([0-9]*\).*/\1/p')
[ -n "$WEB_PID" ] && t_track "$WEB_PID"
check "root sbcd's sbc-web runs as $U_WEB" test "$(owner "${WEB_PID:-0}")" = "$U_WEB"
want=$(openssl x509 -noout -fingerprint -sha256 -in "$FLASH/tls/0/certificate.pem" | cut -d= -f2)
check "  and serves context 0's certificate" test "$(served)" = "$want"
t_end

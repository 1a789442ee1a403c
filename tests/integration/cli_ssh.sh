#!/bin/bash
# sbc-cli behind a real sshd on 127.0.0.1 (random high port, own host key): key
# authentication where the key comes from WebUsers SSHPublicKey (AuthorizedKeysCommand
# `sbc-cli --authorized-keys`, or the file it prints when sshd would refuse the command's
# path), ForceCommand sbc-cli, an interactive session over a pty driven by expect, a
# command given on the ssh command line, and an unknown key refused.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/cli/lib-cli.sh"
t_begin cli_ssh

D=$T_DIR
CLI=$BIN/sbc-cli
PORT=$(free_port)
ME=$(id -un)
mkdir -p /run/sshd 2>/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey"
ssh-keygen -q -t ed25519 -N '' -C op@test -f "$D/opkey"
ssh-keygen -q -t ed25519 -N '' -C rogue@test -f "$D/roguekey"
cat >"$D/users.ini" <<INI
[ WebUsers ]
FORMAT WebUsers_Index = WebUsers_Username, WebUsers_Password, WebUsers_UserLevel, WebUsers_SSHPublicKey;
WebUsers 6 = "keyop", "KeyPass1", 220, "$(cat "$D/opkey.pub")";
[ \WebUsers ]
INI
cli_sbcd_start "$D" "$D/users.ini" || { fail "sbcd"; t_end; exit 1; }

check "--authorized-keys prints the key with its user" "$CLI" --socket "$D/sbcd.sock" \
	--authorized-keys "$ME"
contains "authorized_keys line names the SBC user" "$D/last.out" \
	'^restrict,pty,environment="SBC_USER=keyop",command=".*sbc-cli --user keyop --socket .*" ssh-ed25519 '

# sshd runs an AuthorizedKeysCommand only from root-owned paths nobody else may write
safe_path=1
p=$CLI
while [ "$p" != / ]; do
	[ "$(stat -c %u "$p")" = 0 ] && [ $(( 0$(stat -c %a "$p") & 022 )) -eq 0 ] || safe_path=0
	p=$(dirname "$p")
done
[ "$(id -u)" = 0 ] || safe_path=0
if [ $safe_path = 1 ]; then
	KEYS="AuthorizedKeysFile none
AuthorizedKeysCommand $CLI --socket $D/sbcd.sock --authorized-keys %u
AuthorizedKeysCommandUser $ME"
else
	"$CLI" --socket "$D/sbcd.sock" --authorized-keys "$ME" >"$D/authorized_keys"
	KEYS="AuthorizedKeysFile $D/authorized_keys"
fi
echo "  (keys from $([ $safe_path = 1 ] && echo AuthorizedKeysCommand || echo a file))"
cat >"$D/sshd_config" <<CONF
ListenAddress 127.0.0.1
HostKey $D/hostkey
PidFile $D/sshd.pid
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
$KEYS
PermitUserEnvironment SBC_USER
ForceCommand $CLI --socket $D/sbcd.sock
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
cat >"$D/session.exp" <<EXP
set timeout 15
spawn $SSH -tt -i $D/opkey $ME@127.0.0.1
expect {
	"SBC> " {}
	timeout { puts "\nNO-PROMPT"; exit 1 }
}
send "show running-config system | include keyop\r"
expect "username keyop"
expect "SBC> "
send "enable\r"
expect "Password: "
send "KeyPass1\r"
expect {
	"SBC# " {}
	timeout { puts "\nNO-ENABLE"; exit 1 }
}
send "configure voip\r"
expect "SBC(config-voip)# "
send "sip-interface 0\r"
expect "SBC(sip-interface-0)# "
send "tls-mutual-auth en\t"
expect "enable "
send "\r"
expect "SBC(sip-interface-0)# "
send "activate\r"
expect "SBC(sip-interface-0)# "
send "end\r"
expect "SBC# "
send "show running-config voip | include mutual\r"
expect "tls-mutual-auth enable"
expect "SBC# "
send "exit\r"
expect eof
puts "\nSESSION-DONE"
EXP
timeout 60 expect "$D/session.exp" >"$D/session.log" 2>&1
contains "interactive session: key login, enable, configure, activate, show" \
	"$D/session.log" 'SESSION-DONE'
check "the change reached sbcd" sh -c "'$BIN/sbc-ini' --socket '$D/sbcd.sock' export SIPInterface |
	grep -q '\"SIPInterface_0\", \"O+M+C\", 2, 0, 0, 0, \"DefaultSRD\", \"\", \"default\", 1,'"
check "ssh with a command runs it as a script" timeout 30 $SSH -i "$D/opkey" "$ME@127.0.0.1" \
	'show running-config voip | include mutual'
contains "ssh command output" "$D/last.out" 'tls-mutual-auth enable'
expect_fail "a failing ssh command exits non-zero" timeout 30 $SSH -i "$D/opkey" \
	"$ME@127.0.0.1" 'configure nowhere'
expect_fail "a key that is in no WebUsers row is refused" timeout 30 $SSH -i "$D/roguekey" \
	"$ME@127.0.0.1" 'show version'
t_end

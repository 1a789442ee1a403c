#!/bin/bash
# Interactive sbc-cli on a local pty (expect): Username/Password prompts checked by sbcd,
# three failed logins end the session and lock the user out (sbcd's lockout), `?` help and
# TAB completion from the schema, enable, and the idle timeout closing a silent session.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/cli/lib-cli.sh"
t_begin cli_pty

D=$T_DIR
CLI="$BIN/sbc-cli --socket $D/sbcd.sock"
cli_sbcd_start "$D" || { fail "sbcd"; t_end; exit 1; }

cat >"$D/login.exp" <<EXP
set timeout 10
spawn $CLI
foreach pw {bad1 bad2 bad3} {
	expect "Username: "; send "admin1\r"
	expect "Password: "; send "\$pw\r"
}
expect {
	"too many failed logins" { expect eof; puts "\nENDED" }
	timeout { puts "\nNOT-ENDED"; exit 1 }
}
spawn $CLI
expect "Username: "; send "admin1\r"
expect "Password: "; send "AdmPass1\r"
expect {
	"locked out" { puts "\nLOCKED" }
	timeout { puts "\nNOT-LOCKED"; exit 1 }
}
EXP
timeout 60 expect "$D/login.exp" >"$D/login.log" 2>&1
contains "three failed logins end the session" "$D/login.log" '^ENDED'
contains "the user is then locked out by sbcd" "$D/login.log" '^LOCKED'

cat >"$D/session.exp" <<EXP
set timeout 10
spawn $CLI --idle-timeout 3
expect "Username: "; send "sec\r"
expect "Password: "; send "SecPass1\r"
expect "SBC> "; send "enable\r"
expect "Password: "; send "SecPass1\r"
expect "SBC# "; send "configure net\t"
expect "network "; send "\r"
expect "SBC(config-network)# "; send "tls 0\r"
expect "SBC(tls-0)# "; send "tls-version ?"
expect "tls-1-2-1-3"
expect "SBC(tls-0)# tls-version "; send "tls-1-2-\t"
expect "1-3 "; send "\r"
expect "SBC(tls-0)# "; send "activate\r"
expect "SBC(tls-0)# "; send "end\r"
expect "SBC# "
set timeout 10
expect {
	"session closed after 3 seconds" { puts "\nIDLE-CLOSED" }
	timeout { puts "\nNOT-CLOSED"; exit 1 }
}
expect eof
EXP
timeout 60 expect "$D/session.exp" >"$D/session.log" 2>&1
contains "? shows the enum names of the column" "$D/session.log" 'tls-1-0-1-1-1-2-1-3'
contains "idle timeout closes the session" "$D/session.log" '^IDLE-CLOSED'
check "TAB-completed value reached sbcd" sh -c "'$BIN/sbc-ini' --socket '$D/sbcd.sock' export TLSContexts |
	grep -q '^TLSContexts 0 = \"default\", 12,'"
t_end

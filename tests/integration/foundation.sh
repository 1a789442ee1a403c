#!/bin/bash
# Foundation: sbc-ini offline checks, sbcd import/export/save/reset, atomic flash.
source "$(dirname "$0")/../lib.sh"
t_begin foundation
D=$T_DIR
INI="$BIN/sbc-ini"

# --- offline check
cat >"$D/good.ini" <<'X'
[SIP Params]
SIPSRequireClientCertificate = 1
[ TLSContexts ]
FORMAT TLSContexts_Index = TLSContexts_Name, TLSContexts_TLSVersion;
TLSContexts 1 = "sip-ctx", 12;
[ \TLSContexts ]
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_TLSContextName;
ProxySet 0 = "ITSP", "sip-ctx";
[ \ProxySet ]
X
{ printf '[ ProxyIp ]\nFORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;\n'
  for i in $(seq 0 9); do printf 'ProxyIp %d = "0", %d, "127.0.0.%d:5061", 2;\n' "$i" "$i" $((i + 10)); done
  printf '[ \\ProxyIp ]\n'; } >>"$D/good.ini"
check "sbc-ini check accepts a valid file" "$INI" check --incremental "$D/good.ini"
printf '[SIP Params]\nTLSReHandshakeInterval = 2000\n' >"$D/bad.ini"
expect_fail "sbc-ini check refuses an out-of-range value" "$INI" check "$D/bad.ini"
contains "the error names file, line and parameter" "$T_DIR/last.out" "bad.ini:2: TLSReHandshakeInterval: 2000 is out of range 0..1500"

# --- a running sbcd
check "sbcd starts on an empty flash" t_sbcd "$D"
check "info answers" "$INI" --socket "$SOCK" info
check "export works" "$INI" --socket "$SOCK" export -o "$D/factory.ini"
contains "factory has TLS context 0 'default'" "$D/factory.ini" '^TLSContexts 0 = "default"'
contains "factory has the Admin user, without its password" "$D/factory.ini" '^WebUsers 0 = "Admin"'
if grep -q '\$y\$' "$D/factory.ini"; then fail "export leaks a password hash"; else ok "export leaks no password hash"; fi

check "incremental import applies" "$INI" --socket "$SOCK" import --incremental "$D/good.ini"
"$INI" --socket "$SOCK" export -o "$D/after.ini"
contains "imported context is there" "$D/after.ini" '^TLSContexts 1 = "sip-ctx", 12,'
contains "imported proxy addresses are there" "$D/after.ini" '^ProxyIp 9 = "0", 9, "127.0.0.19:5061", 2'
contains "reset-required global is pending" <("$INI" --socket "$SOCK" pending) "pending reset: SIPSRequireClientCertificate = 1"

# a refused import names the line and changes nothing
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name;\nTLSContexts 2 = "x";\nTLSContexts 3 = "x";\n[ \\TLSContexts ]\n' >"$D/dup.ini"
expect_fail "an import with a duplicate name is refused" "$INI" --socket "$SOCK" import --incremental "$D/dup.ini"
contains "refusal names table, row, column" "$T_DIR/last.out" "TLSContexts row 3 column Name: 'x' is already used by row 2"
contains "refusal says nothing changed" "$T_DIR/last.out" "nothing was changed"
"$INI" --socket "$SOCK" export -o "$D/after2.ini"
check "running configuration unchanged after the refusal" cmp "$D/after.ini" "$D/after2.ini"
printf '!DELETE TLSContexts 1\n' >"$D/del.ini"
expect_fail "a referenced context cannot be deleted" "$INI" --socket "$SOCK" import --incremental "$D/del.ini"
contains "refusal names the referring row" "$T_DIR/last.out" "ProxySet row 0 column TLSContextName: no TLSContexts row named 'sip-ctx'"

# export, import (replace), export is byte-identical
check "replace import of the export" "$INI" --socket "$SOCK" import "$D/after.ini"
"$INI" --socket "$SOCK" export -o "$D/after3.ini"
check "export/import/export is byte-identical" cmp "$D/after.ini" "$D/after3.ini"

# --- save: atomic, 0600, survives kill -9 in the middle of a save loop
check "save to flash" "$INI" --socket "$SOCK" save
check "board.ini is mode 0600" test "$(stat -c %a "$D/flash/board.ini")" = 600
contains "flash keeps the password hash" "$D/flash/board.ini" '^WebUsers 0 = "Admin", "hash:\$y\$'
( for _ in $(seq 200); do "$INI" --socket "$SOCK" save >/dev/null 2>&1 || break; done ) &
LOOP=$!
sleep 0.3
kill -9 "$SBCD_PID"
wait "$LOOP" 2>/dev/null
check "flash is valid after kill -9 during saves" "$BIN/sbcd" -n --flash "$D/flash"
rm -f "$D/sbcd.sock"
check "sbcd restarts on the saved flash" t_sbcd "$D"
check "boot removed stale temporary files" test -z "$(ls "$D/flash" | grep '\.tmp\.')"
"$INI" --socket "$SOCK" export -o "$D/restarted.ini"
check "restarted configuration equals the saved one" cmp "$D/after.ini" "$D/restarted.ini"
check "nothing pending after a restart" test -z "$("$INI" --socket "$SOCK" pending)"

# --- reset brings the saved configuration back
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name;\nTLSContexts 7 = "unsaved";\n[ \\TLSContexts ]\n' >"$D/unsaved.ini"
check "unsaved change applied" "$INI" --socket "$SOCK" import --incremental "$D/unsaved.ini"
check "reset" "$INI" --socket "$SOCK" reset
check "sbcd answers again after reset" wait_for "$INI --socket $SOCK info" 100
check "same process (re-executed in place)" kill -0 "$SBCD_PID"
"$INI" --socket "$SOCK" export -o "$D/afterreset.ini"
check "reset restored the saved configuration" cmp "$D/after.ini" "$D/afterreset.ini"

# --- privilege comes from the peer's credentials: another user is monitor (50)
chmod 711 "$D"
chmod 666 "$SOCK"
check "a non-root peer may read" runuser -u nobody -- "$INI" --socket "$SOCK" info
contains "as monitor" "$T_DIR/last.out" "^level 50"
expect_fail "but not change the configuration" runuser -u nobody -- "$INI" --socket "$SOCK" import --incremental - <"$D/unsaved.ini"
contains "sbcd says why" "$T_DIR/last.out" "permission denied: level 50 may not change the configuration"
expect_fail "nor save" runuser -u nobody -- "$INI" --socket "$SOCK" save
chmod 660 "$SOCK"
expect_fail "with the socket's mode 0660 others cannot connect at all" runuser -u nobody -- "$INI" --socket "$SOCK" info

# --- sbcd -n on a broken flash
mkdir -p "$D/broken"
printf '[SIP Params]\nSIPSRequireClientCertificate = 7\n' >"$D/broken/board.ini"
chmod 600 "$D/broken/board.ini"
expect_fail "sbcd -n refuses a broken flash" "$BIN/sbcd" -n --flash "$D/broken"
contains "sbcd -n names file and line" "$T_DIR/last.out" "broken/board.ini:2: SIPSRequireClientCertificate: 7 is not 0 or 1"

# --- clean shutdown on SIGTERM
kill -TERM "$SBCD_PID"
check "sbcd exits on SIGTERM" wait_for "! kill -0 $SBCD_PID" 100
check "pid file removed" test ! -e "$D/sbcd.pid"
check "socket removed" test ! -e "$D/sbcd.sock"
t_end

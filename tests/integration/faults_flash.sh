#!/bin/bash
# Nothing saved is lost (issue 13): TLS material changes only with a save (whole imports, row
# deletions, staged keys), a reset brings back exactly the last save, the previous save is the
# last known good (rollback, generations, restore), and a whole import keeps the users.
# Every case asserts the flash byte for byte (sha256 of every file under it).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
t_begin faults_flash
D=$T_DIR
P=$D/pki
pki_make "$P" >/dev/null 2>&1 || { fail "test PKI"; t_end; exit 1; }

cat >"$D/boot.ini" <<'X'
[ TLSContexts ]
FORMAT TLSContexts_Index = TLSContexts_Name;
TLSContexts 1 = "sip";
TLSContexts 2 = "spare";
[ \TLSContexts ]
[ WebUsers ]
FORMAT WebUsers_Index = WebUsers_Username, WebUsers_Password, WebUsers_UserLevel;
WebUsers 0 = "Admin", "Secret12", 220;
WebUsers 1 = "admin1", "AdmPass1", 100;
[ \WebUsers ]
X
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name;\nTLSContexts 3 = "third";\n[ \\TLSContexts ]\n' >"$D/third.ini"
check "sbcd starts" t_sbcd "$D" "$D/boot.ini"
TLSPORT=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini")
F=$D/flash
R=$D/sbcd-run/running/tls
ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@"; }
tls() { ini tls "$@"; }
# snap: sha256 of every file on flash (generations included), sorted
snap() { (cd "$F" && find . -type f -exec sha256sum {} + | sort); }
same_flash() { snap >"$D/snap.now" && cmp "$D/snap.$1" "$D/snap.now"; }
reset_sbcd() {
	ini reset >/dev/null || return 1
	sleep 0.5
	wait_for "$BIN/sbc-ini --socket $SOCK info" 100 &&
		wait_for "timeout 2 openssl s_client -connect 127.0.0.1:$TLSPORT </dev/null" 50
}
# mutual_ok: a client with a certificate of the saved roots gets 200 OK to an OPTIONS
mutual_ok() {
	{
		printf 'OPTIONS sip:sbc@127.0.0.1:%s;transport=tls SIP/2.0\r\n' "$TLSPORT"
		printf 'Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-%s\r\nMax-Forwards: 70\r\n' "$RANDOM"
		printf 'From: <sip:t@127.0.0.1>;tag=t1\r\nTo: <sip:sbc@127.0.0.1>\r\n'
		printf 'Call-ID: %s@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' "$RANDOM"
		sleep 1
	} | timeout 5 openssl s_client -connect "127.0.0.1:$TLSPORT" -CAfile "$P/ca.crt" \
		-cert "$P/client.crt" -key "$P/client.key" -ign_eof >"$D/mutual.out" 2>&1
	grep -q 'SIP/2.0 200 OK' "$D/mutual.out"
}
# cli_login USER PASSWORD: a CLI script session that logs in with the password
cli_login() { printf '%s\n%s\nshow version\n' "$1" "$2" | "$BIN/sbc-cli" --socket "$SOCK" --login; }

# --- a saved configuration: context 1 with key, certificate and roots, mutual TLS on SIP 0 --
check "key of context 1 (before its certificate)" tls import-key 1 -f "$P/server.key"
check "its certificate" tls import-cert 1 -f "$P/server-chain.crt"
check "trusted roots of context 1" tls import-roots 1 -f "$P/ca.crt"
check "material for context 2" tls generate 2
printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_TLSContext, SIPInterface_TLSMutualAuthentication;\nSIPInterface 0 = "sip", 1;\n[\\SIPInterface]\n' >"$D/mutual.ini"
check "SIP interface 0: context 1, mutual TLS" ini import --incremental "$D/mutual.ini"
check "save" ini save
check "reset" reset_sbcd
check "mutual-TLS client accepted" mutual_ok
ini export -o "$D/saved.ini"
snap >"$D/snap.saved"
check "the saved flash holds context 1's roots" cmp "$F/tls/1/trusted-roots.pem" "$P/ca.crt"

# --- a whole import that does not name context 1 changes no flash file ----------------------
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name;\nTLSContexts 0 = "default";\n[ \\TLSContexts ]\n' >"$D/whole.ini"
ini import "$D/whole.ini" >"$D/whole.out" 2>&1
check "whole import without context 1 accepted" test $? -eq 0
check "context 1 is gone from the running configuration" test -z "$(ini export TLSContexts | grep '^TLSContexts 1 ')"
check "flash byte for byte unchanged after the whole import" same_flash saved
check "reset without save" reset_sbcd
ini export -o "$D/reset1.ini"
check "export equals the last save" cmp "$D/saved.ini" "$D/reset1.ini"
check "running material equals the saved material" diff -r "$F/tls" "$R"
check "mutual-TLS client with the saved roots still accepted" mutual_ok
check "flash still unchanged" same_flash saved

# --- deleting a TLSContexts row: level 200, and the flash keeps the material until a save ----
printf '!DELETE TLSContexts 2\n' >"$D/del.ini"
ini --user admin1 import --incremental "$D/del.ini" >"$D/del100.out" 2>&1
check "a level-100 user cannot delete a TLS context" test $? -ne 0
contains "sbcd says which level it needs" "$D/del100.out" "needs level 200"
check "context 2 is still there" test -n "$(ini export TLSContexts | grep '^TLSContexts 2 ')"
check "a level-100 user may still change a context" ini --user admin1 import --incremental "$D/third.ini"
check "level 220 deletes context 2" ini import --incremental "$D/del.ini"
check "its running material is gone" test ! -e "$R/2"
check "flash byte for byte unchanged after the deletion" same_flash saved
check "reset without save" reset_sbcd
check "context 2 is back" test -n "$(ini export TLSContexts | grep '^TLSContexts 2 ')"
check "with its saved material" cmp "$F/tls/2/certificate.pem" "$R/2/certificate.pem"

# --- import-key of a key that does not match: staged, never on flash nor in the engine -------
tls import-key 1 -f "$P/rogue.key" >"$D/stage.out" 2>&1
check "a non-matching key is not installed" test $? -eq 0
contains "the reply says it is staged" "$D/stage.out" "staged"
check "the running key is unchanged" cmp "$R/1/private-key.pem" "$F/tls/1/private-key.pem"
tls show 1 >"$D/show0" 2>&1
contains "show says a key is staged" "$D/show0" "^staged-key present, awaiting its certificate"
contains "and describes the pair in force" "$D/show0" "^private-key present, matches"
check "flash unchanged after the staged key" same_flash saved
check "mutual-TLS client still accepted" mutual_ok
# rollover order: key first, then save and reset before its certificate comes
check "save with a key staged" ini save
check "reset with a key staged" reset_sbcd
check "sbcd is not bricked: mutual-TLS client accepted" mutual_ok
tls show 1 >"$D/show1" 2>&1
contains "context 1 keeps its matching pair" "$D/show1" "^private-key present, matches"
check "the key staged before the reset is gone" tls import-cert 1 -f "$P/server-chain.crt"
check "stage the new key again" tls import-key 1 -f "$P/rogue.key"
expect_fail "a certificate of neither key is refused" tls import-cert 1 -f "$P/client.crt"
tls import-cert 1 -f "$P/rogue.crt" >"$D/pair.out" 2>&1
check "its certificate completes the staged pair" test $? -eq 0
contains "the reply says so" "$D/pair.out" "installed with the key staged"
tls show 1 >"$D/show2" 2>&1
contains "context 1 runs the new pair" "$D/show2" "^subject CN=rogue.example.com"
contains "key and certificate match" "$D/show2" "^private-key present, matches"
check "flash unchanged until save" same_flash saved
check "put the served pair back (key staged)" tls import-key 1 -f "$P/server.key"
check "and its certificate" tls import-cert 1 -f "$P/server-chain.crt"

# --- whole import without WebUsers keeps the users and passwords -----------------------------
check "Admin logs in with its password" cli_login Admin Secret12
ini import "$D/whole.ini" >"$D/users.out" 2>&1
contains "the reply says the users are kept" "$D/users.out" "no WebUsers table: the current users and passwords are kept"
check "Admin still logs in with its password" cli_login Admin Secret12
expect_fail "the factory password does not" cli_login Admin Admin
check "admin1 is still there" test -n "$(ini export WebUsers | grep '"admin1"')"

# --- generations: each save keeps the previous; a bad board.ini boots it ---------------------
check "reset (back to the save)" reset_sbcd
check "a change" ini import --incremental "$D/third.ini"
check "saved" ini save
ini export -o "$D/saved2.ini"
ini generations >"$D/gens" 2>&1
contains "generations lists the current save" "$D/gens" "^0	current	saved .*	valid"
contains "and the previous one" "$D/gens" "^[0-9]+	previous	saved .*	valid"
PREV=$(awk '$2 == "previous" { print $1 }' "$D/gens")
check "the previous generation holds the previous board.ini and material" \
	diff -r "$F/tls/1" "$F/generations/$PREV/tls/1"
printf '[SIP Params]\nSIPSRequireClientCertificate = 7\n' >"$F/board.ini"
chmod 600 "$F/board.ini"
check "reset on a corrupt board.ini" reset_sbcd
check "sbcd runs" kill -0 "$SBCD_PID"
ini status Alarms >"$D/alarms" 2>&1
contains "critical alarm: configuration rolled back, naming the error" "$D/alarms" \
	'"configurationRolledBack", 5, "Flash", "configuration rolled back to generation [0-9]+: .*board.ini:2: SIPSRequireClientCertificate: 7 is not 0 or 1"'
ini export -o "$D/rolled.ini"
check "the previous generation runs" cmp "$D/saved.ini" "$D/rolled.ini"
check "with its material" diff -r "$F/generations/$PREV/tls" "$R"
check "mutual-TLS client accepted" mutual_ok
ini generations >"$D/gens2" 2>&1
contains "generations marks the current save invalid" "$D/gens2" "^0	current	saved .*	INVALID: .*board.ini:2"

# --- restore: a generation becomes the save again, at the next reset --------------------------
check "save the rolled-back configuration" ini save
ini generations >"$D/gens3" 2>&1
BAD=$(awk '$2 == "previous" { print $1 }' "$D/gens3")
contains "the corrupt board.ini is kept as a generation" "$D/gens3" "^$BAD	previous	saved .*	INVALID"
expect_fail "an invalid generation cannot be restored" ini restore "$BAD"
check "a change" ini import --incremental "$D/third.ini"
check "saved" ini save
ini generations >"$D/gens4" 2>&1
GOOD=$(awk '$2 == "previous" { print $1 }' "$D/gens4")
check "restore of generation $GOOD (the save before the change)" ini restore "$GOOD"
contains "it takes effect at the next reset" "$T_DIR/last.out" "next reset"
ini export -o "$D/notyet.ini"
check "the running configuration is unchanged" cmp "$D/saved2.ini" "$D/notyet.ini"
expect_fail "restore of a generation that does not exist" ini restore 999
expect_fail "a level-100 user may not restore" ini --user admin1 restore "$GOOD"
check "reset" reset_sbcd
ini export -o "$D/restored.ini"
check "the restored generation runs" cmp "$D/saved.ini" "$D/restored.ini"
ini status Alarms >"$D/alarms2" 2>&1
check "no rollback alarm" test -z "$(grep configurationRolledBack "$D/alarms2")"
ini generations >"$D/gens5" 2>&1
check "at most 1 + $((5)) generations are kept" test "$(wc -l <"$D/gens5")" -le 6

# --- kill -9 during saves of board.ini and material: the flash is one save or the other -------
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_TLSVersion;\nTLSContexts 1 = 4;\n[ \\TLSContexts ]\n' >"$D/va.ini"
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_TLSVersion;\nTLSContexts 1 = 12;\n[ \\TLSContexts ]\n' >"$D/vb.ini"
# variant A: TLS 1.2 only and one root; B: 1.2 + 1.3 and two roots (never saved half-way)
flip() {
	for _ in $(seq 100); do
		ini import --incremental "$D/vb.ini" && tls import-roots 1 -f "$P/cas.pem" && ini save &&
			ini import --incremental "$D/va.ini" && tls delete-root 1 1 && ini save || break
	done >/dev/null 2>&1
}
for pause in 0.3 0.7 1.1; do
	flip &
	LOOP=$!
	sleep "$pause"
	kill -9 "$SBCD_PID"
	wait "$LOOP" 2>/dev/null
	check "flash valid after kill -9 during saves ($pause s)" "$BIN/sbcd" -n --flash "$F"
	rm -f "$SOCK"
	check "sbcd restarts on it" t_sbcd "$D"
	v=$(ini export TLSContexts | sed -n 's/^TLSContexts 1 = "sip", \([0-9]*\),.*/\1/p')
	n=$(tls roots 1 | wc -l)
	check "board.ini and material are from one save (TLSVersion $v, $n roots)" \
		test "$v:$n" = "4:1" -o "$v:$n" = "12:2"
	check "no save left half-way" test -z "$(ls -A "$F" | grep -v '^board.ini$' | grep -v '^tls$' | grep -v '^generations$')"
done

# --- an empty flash still boots the factory configuration; a board.ini alone still boots ----
kill "$SBCD_PID"
wait_for "! kill -0 $SBCD_PID" 50
mkdir -p "$D/fresh/flash"
cp "$D/init.ini" "$D/fresh/init.ini"
"$BIN/sbc-ini" build --incremental "$D/init.ini" -o "$D/fresh/flash/board.ini"
check "a flash holding only board.ini boots" t_sbcd "$D/fresh"
check "and saves" "$BIN/sbc-ini" --socket "$SOCK" save
check "sbcd -n validates it" "$BIN/sbcd" -n --flash "$D/fresh/flash"
t_end

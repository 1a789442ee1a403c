#!/bin/bash
# TLS contexts through sbcd: default material, imports, refusals, status tables, expiry alarms.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../pki.sh"
t_begin tls_contexts
D=$T_DIR
P=$D/pki
pki_make "$P" || { fail "test PKI"; t_end; exit 1; }
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name;\nTLSContexts 1 = "sip";\nTLSContexts 2 = "expiry";\n[ \\TLSContexts ]\n' >"$D/ctx.ini"
check "sbcd starts" t_sbcd "$D" "$D/ctx.ini"
tls() { "$BIN/sbc-ini" --socket "$SOCK" tls "$@"; }
F=$D/flash/tls
R=$D/sbcd-run/running/tls # the running material: imports change it, a save copies it to $F

check "context 0 got a key and a self-signed certificate at boot" test -s "$F/0/certificate.pem" -a -s "$F/0/private-key.pem"
check "the key is mode 0600" test "$(stat -c %a "$F/0/private-key.pem")" = 600
tls show 0 >"$D/show0" 2>&1
contains "show names the certificate" "$D/show0" "^subject CN=.*O=SBC"
contains "show reports the key matches" "$D/show0" "^private-key present, matches"
if grep -q "PRIVATE KEY" "$D/show0" "$D/sbcd.log"; then fail "a private key was shown"; else ok "no private key in show output or log"; fi
check "a context no SIP interface uses has no material yet" test ! -e "$F/1/private-key.pem"

# import a key and its certificate chain into context 1
check "import key" tls import-key sip -f "$P/server.key"
check "import certificate with its chain" tls import-cert sip -f "$P/server-chain.crt"
tls show 1 >"$D/show1"
contains "context 1 shows the imported certificate" "$D/show1" "^subject CN=localhost"
fp=$(sha256sum "$R/1/certificate.pem")
expect_fail "a certificate of another key is refused" tls import-cert 1 -f "$P/client.crt"
contains "the refusal says why" "$T_DIR/last.out" "nothing was changed"
check "certificate unchanged after the refusal" test "$fp" = "$(sha256sum "$R/1/certificate.pem")"
expect_fail "a certificate where a key was expected is refused" tls import-key 1 -f "$P/client.crt"
head -c 300 "$P/server.crt" >"$D/trunc.pem"
expect_fail "a truncated certificate is refused" tls import-cert 1 -f "$D/trunc.pem"
head -c 5000000 /dev/urandom >"$D/big.bin"
expect_fail "a 5 MB file is refused" tls import-roots 1 -f "$D/big.bin"

# trusted roots: bundle, duplicates, garbage, listing, CRL, delete
tls import-roots 1 -f "$P/cas.pem" >"$D/roots1" 2>&1
contains "a bundle of two CAs is imported" "$D/roots1" "added 2, skipped 0"
tls import-roots 1 -f "$P/ca.crt" >"$D/roots2" 2>&1
contains "a duplicate is skipped" "$D/roots2" "added 0, skipped 1"
expect_fail "garbage is refused" tls import-roots 1 -f "$D/show1"
: >"$D/empty.pem"
expect_fail "an empty bundle is refused" tls import-roots 1 -f "$D/empty.pem"
"$BIN/sbc-ini" --socket "$SOCK" status TrustedRoots >"$D/tr"
contains "status table lists root 0 of context 1" "$D/tr" '^TrustedRoots 1000 = 1, 0, "CN=Test-Root-CA"'
contains "status table lists root 1 of context 1" "$D/tr" '^TrustedRoots 1001 = 1, 1, "CN=Test-Intermediate-CA"'
check "import a CRL of a trusted CA" tls import-crl 1 -f "$P/crl.pem"
expect_fail "a CRL of an untrusted issuer is refused" tls import-crl 1 -f "$P/rogue-crl.pem"
check "delete a trusted root" tls delete-root 1 1
tls roots 1 >"$D/roots3"
check "one root left" test "$(wc -l <"$D/roots3")" -eq 1

# expiry alarms: minor, major, critical, cleared
alarm() { "$BIN/sbc-ini" --socket "$SOCK" status Alarms | grep 'TLSContext#2'; }
check "key for the expiry context" tls import-key 2 -f "$P/expired.key"
pki_sign "$P" expired expiry.example.com client ca -days 30
check "certificate valid 30 days" tls import-cert 2 -f "$P/expired.crt"
contains "minor alarm 30 days before expiry" <(alarm) '"certificateExpiry", 3, "TLSContext#2", "certificate of TLS context 2 will expire in 30 days"'
pki_sign "$P" expired expiry.example.com client ca -days 5
check "certificate valid 5 days" tls import-cert 2 -f "$P/expired.crt"
contains "major alarm a week before expiry" <(alarm) '"certificateExpiry", 4, "TLSContext#2", "certificate of TLS context 2 will expire in 5 days"'
pki_sign "$P" expired expiry.example.com client ca -startdate 20200101000000Z -enddate 20200201000000Z
tls import-cert 2 -f "$P/expired.crt" >"$D/imp-exp" 2>&1
check "an expired certificate is accepted" test $? -eq 0
contains "with a warning" "$D/imp-exp" "expired"
contains "critical alarm once expired" <(alarm) '"certificateExpiry", 5, "TLSContext#2", "certificate of TLS context 2 has expired [0-9]+ days ago"'
contains "the alarm went to the log" "$D/sbcd.log" "alarm certificateExpiry \(critical\) on TLSContext#2"
pki_sign "$P" expired expiry.example.com client ca -days 365
check "a new certificate" tls import-cert 2 -f "$P/expired.crt"
check "clears the alarm" test -z "$(alarm)"
"$BIN/sbc-ini" --socket "$SOCK" status TLSCertificates >"$D/tc"
contains "TLSCertificates shows the days left" "$D/tc" '^TLSCertificates 2 = "expiry", "CN=expiry.example.com", "CN=Test-Root-CA", "[0-9A-F]+", "[^"]*", "[^"]*", "EC P-256", 36[45], 1,'

# deleting a context removes its material
printf '!DELETE TLSContexts 2\n' >"$D/del.ini"
check "delete context 2" "$BIN/sbc-ini" --socket "$SOCK" import --incremental "$D/del.ini"
check "its material is gone" test ! -e "$R/2"

# a key that others can read: sbcd -n refuses the flash; boot goes on with the context down
check "save (material reaches the flash)" "$BIN/sbc-ini" --socket "$SOCK" save
kill "$SBCD_PID"
wait_for "! kill -0 $SBCD_PID"
chmod 644 "$F/1/private-key.pem"
expect_fail "sbcd -n refuses a readable key" "$BIN/sbcd" -n --flash "$D/flash"
contains "naming the context and the file" "$T_DIR/last.out" "TLS context 1: .*private-key.pem"
rm -f "$D/sbcd.sock"
"$BIN/sbcd" -f --flash "$D/flash" --socket "$D/s2.sock" >"$D/boot2.log" 2>&1 &
p=$!
t_track $p
check "sbcd starts with a readable key (degrade, don't die)" wait_for "'$BIN/sbc-ini' --socket '$D/s2.sock' info" 100
contains "and says why" "$D/boot2.log" "readable by others"
kill "$p"
t_end

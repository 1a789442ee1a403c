#!/bin/bash
# TLS context material through sbc-cli (sbcd's TLS verbs): show the device certificate,
# import trusted roots from a file and as pasted PEM, delete one, generate a key and
# self-signed certificate, a CSR, the status table, and refusals (bad PEM, level 100).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/cli/lib-cli.sh"
t_begin cli_tls

D=$T_DIR
CLI=$BIN/sbc-cli
cli_sbcd_start "$D" || { fail "sbcd"; t_end; exit 1; }
for n in 1 2; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$D/ca$n.key" \
		-out "$D/ca$n.pem" -subj "/CN=Test CA $n" -days 3650 -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=keyCertSign 2>/dev/null
done
cli() { timeout 30 "$CLI" --socket "$D/sbcd.sock" "$@"; }

check "show tls certificate 0" cli -c 'show tls certificate default'
contains "certificate subject and key state" "$D/last.out" '^private-key +present, matches'
check "import trusted roots from a file" cli -c "tls import trusted-roots 0 file $D/ca1.pem"
contains "import reports what was added" "$D/last.out" 'added 1, skipped 0'
{ echo "tls import trusted-roots 0"; cat "$D/ca2.pem"; echo; echo "show tls trusted-roots 0"; } \
	>"$D/paste.cli"
check "import trusted roots as pasted PEM" cli --echo <"$D/paste.cli"
contains "both roots listed" "$D/last.out" '^  subject +CN=Test CA 2'
contains "positions listed" "$D/last.out" '^position 1'
expect_fail "a script's delete without force asks [confirm] and is refused" \
	cli -c 'tls delete trusted-root 0 0'
contains "the refusal names the form for scripts" "$D/last.out" "use 'tls delete trusted-root CTX N force'"
expect_fail "a position that is not a whole number is refused" \
	cli -c 'tls delete trusted-root 0 0abc force'
contains "the refusal names the argument" "$D/last.out" "^% position '0abc': give a whole number"
check "delete a trusted root" cli -c 'tls delete trusted-root 0 0 force; show tls trusted-roots 0'
if grep -q 'CN=Test CA 1' "$D/last.out"; then fail "root 0 still listed"; else ok "root 0 gone"; fi
check "generate a key and self-signed certificate" \
	cli -c 'tls generate 0 key-type ec-p256 subject "CN=sbc.test" noconfirm; show tls certificate 0'
contains "new certificate shown" "$D/last.out" '^subject +CN=sbc.test'
check "CSR" cli -c 'tls csr 0 subject "CN=sbc.test"'
contains "CSR is PEM" "$D/last.out" 'BEGIN CERTIFICATE REQUEST'
check "status table of the certificates" cli -c 'show status tls-certificate'
contains "status table row" "$D/last.out" '^0 +default +CN=sbc.test'
printf 'not a certificate\n' >"$D/bad.pem"
expect_fail "a bad PEM is refused" cli -c "tls import certificate 0 file $D/bad.pem"
contains "refusal names the context" "$D/last.out" '^% TLS context 0'
expect_fail "level 100 may not import material" cli --user admin1 -c 'enable'
expect_fail "an unknown context is refused" cli -c 'show tls certificate nosuch'
contains "unknown context named" "$D/last.out" "no context 'nosuch'"
t_end

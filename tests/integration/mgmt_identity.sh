#!/bin/bash
# Management identities (issue 15, deliver 4) through the control socket and the web front end
# (JSON API, sessions): user levels and the last master, passwords always hashed (stored hashes
# only as "hash:" in sbcd's own flash or a master's whole import), LOGIN on the whole password,
# lockout per source, certificate sessions bound to their certificate, board.ini mode at boot,
# and the TLS 1.2 defaults (deliver 5).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/web/common.sh"
t_begin mgmt_identity
command -v curl >/dev/null || { echo "mgmt_identity: 0 passed, 1 failed (curl missing)"; exit 1; }
if web_setup; then ok "sbcd and sbc-web start"; else fail "sbcd and sbc-web start"; t_end; exit 1; fi
D=$T_DIR
H=https://127.0.0.1:$HTTPS_PORT
P=http://127.0.0.1:$HTTP_PORT
chmod 711 "$D" # the unprivileged client reaches the socket through it
export SOCK

# c.py [REQUEST-with-\n-escapes]...: one connection, one frame per argument; prints each reply
# with its newlines as ' | ' on one line
cat >"$D/c.py" <<'PY'
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(os.environ["SOCK"])
def rx(n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            sys.exit(2)
        b += d
    return b
for a in sys.argv[1:]:
    req = a.encode().decode("unicode_escape").encode("latin-1")
    s.sendall(struct.pack(">I", len(req)) + req)
    rep = rx(struct.unpack(">I", rx(4))[0])
    print(rep.decode(errors="replace").rstrip("\n").replace("\n", " | "))
PY
c() { python3 -W ignore "$D/c.py" "$@"; }
cn() { setpriv --reuid=65534 --regid=0 --clear-groups /usr/bin/python3 -W ignore "$D/c.py" "$@"; }
# load TEXT: incremental LOAD as root (master); prints the reply
users_ini() { printf '[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_Username, WebUsers_Password, WebUsers_UserLevel;\n%s[ \\WebUsers ]\n' "$1"; }
has() { grep -qE -- "$2" <<<"$1" && ok "$3" || { fail "$3: no /$2/ in: $1"; }; }
hasnt() { grep -qE -- "$2" <<<"$1" && fail "$3: /$2/ in: $1" || ok "$3"; }

echo "# users: levels and the last master"
r=$(c "LOAD incremental\n$(users_ini 'WebUsers 1 = "sec", "SecPass12", 200;\nWebUsers 2 = "op", "OpPass12", 100;\nWebUsers 3 = "mon", "MonPass12", 50;\n')")
has "$r" '^OK' "root creates users of levels 200, 100, 50"
raise="[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_UserLevel;\nWebUsers 1 = 220;\n[ \\\\WebUsers ]\n"
r=$(c "LOGIN sec\nSecPass12" "LOAD incremental\n$raise")
has "$r" 'ERR .*level 220 is above yours.*#code permission WebUsers' "a level-200 user cannot raise itself to 220 (control socket)"
r=$(c "LOGIN sec\nSecPass12" "LOAD incremental\n$(users_ini 'WebUsers 5 = "evil", "EvilPass12", 220;\n')")
has "$r" 'ERR .*#code permission' "a level-200 user cannot create a master (control socket)"
r=$(c "LOGIN sec\nSecPass12" "LOAD incremental\n[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_Password;\nWebUsers 0 = \"Owned1234\";\n[ \\\\WebUsers ]\n")
has "$r" 'ERR .*user Admin has level 220, above yours.*#code permission' "a level-200 user cannot change a master's password"
r=$(c "LOGIN sec\nSecPass12" "LOAD incremental\n[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_UserLevel;\nWebUsers 2 = 200;\n[ \\\\WebUsers ]\n")
has "$r" '^OK' "a level-200 user may raise another up to its own level"
r=$(c "LOAD incremental\n[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_UserLevel;\nWebUsers 0 = 200;\n[ \\\\WebUsers ]\n")
has "$r" 'ERR .*last master.*#code permission' "the last master cannot be demoted"
r=$(c "LOAD replace\n$(users_ini 'WebUsers 1 = "sec", "SecPass12", 200;\n')")
has "$r" 'ERR .*last master' "the last master cannot be deleted (whole import without it)"
code_is "web API: level-200 user cannot raise itself" 403 curl -s -o "$D/w1.json" -w '%{http_code}' \
	-u sec:SecPass12 -X PUT --data-binary "$(printf "$raise")" $P/api/v1/files/ini/incremental
contains "web API refusal is coded permission" "$D/w1.json" 'permission'
r=$(c "EXPORT WebUsers")
has "$r" 'WebUsers 1 = "sec", 1, 0, 2, 15, 60, 200|WebUsers 1 = .*200' "sec is still level 200"

echo "# passwords: always hashed; stored hashes only as hash: from flash or a master's import"
H6=$(openssl passwd -6 -salt abcdefgh Secret123)
r=$(c "LOAD incremental\n$(users_ini "WebUsers 2 = \"op\", \"$H6\", 100;\n")")
has "$r" '^OK' "a password that looks like a hash is accepted as a password"
r=$(c "LOGIN op\nSecret123")
has "$r" '^ERR' "the hash-looking value is not taken as a hash (its pre-image does not log in)"
r=$(c "LOGIN op\n$H6")
has "$r" '^OK' "the value itself is the password"
code_is "web API: hash-looking value through the API is hashed too" 200 curl -s -o /dev/null -w '%{http_code}' \
	-u Admin:Admin -X PUT --data-binary "$(users_ini "WebUsers 3 = \"mon\", \"$H6\", 50;\n" | sed 's/\\n/\n/g')" $P/api/v1/files/ini/incremental
code_is "web API: the pre-image does not log in" 401 curl -s -o /dev/null -w '%{http_code}' -u "mon:Secret123" $P/api/v1/status
r=$(c "LOGIN sec\nSecPass12" "LOAD incremental\n$(users_ini "WebUsers 2 = \"op\", \"hash:$H6\", 100;\n")")
has "$r" 'ERR .*hash:.*only' "hash: import refused to a level-200 user"
r=$(c "LOAD incremental\n$(users_ini "WebUsers 2 = \"op\", \"hash:$H6\", 100;\n")")
has "$r" 'ERR .*hash:' "hash: import refused in an incremental load, even to a master"
ini save >/dev/null
check "flash board.ini holds marked hashes" grep -q '"hash:\$y\$' "$FLASH/board.ini"
r=$(c "LOAD replace\n$(sed 's/\\/\\\\/g' "$FLASH/board.ini")")
has "$r" '^OK' "a master's whole import of sbcd's own save takes its hashes"
r=$(c "LOGIN op\n$H6")
has "$r" '^OK' "the imported hash still logs op in"
check "sbc-ini build reads a flash board.ini back (hashes)" "$BIN/sbc-ini" build "$FLASH/board.ini" -o "$D/rt.ini"
check "and writes the same hashes" grep -q "$(grep -o '"hash:[^"]*"' "$FLASH/board.ini" | head -1)" "$D/rt.ini"

echo "# LOGIN compares the whole password"
r=$(c "LOAD incremental\n$(users_ini 'WebUsers 2 = "op", "Abcdef12", 100;\n')")
has "$r" '^OK' "op's password set"
r=$(c "LOGIN op\nAbcdef12\nxyz")
has "$r" '^ERR' "a body 'Abcdef12\\\\nxyz' does not log in as password Abcdef12"
r=$(c "LOGIN op\nAbcdef12")
has "$r" '^OK' "the exact password logs in"
code_is "web API: a password with a trailing newline is refused" 401 curl -s -o /dev/null -w '%{http_code}' \
	-H "Authorization: Basic $(printf 'op:Abcdef12\nx' | base64 -w0)" $P/api/v1/status

echo "# lockout per source"
for i in 1 2 3; do cn "LOGIN Admin\nwrong$i" >/dev/null; done
r=$(cn "LOGIN Admin\nAdmin")
has "$r" 'locked out' "three failures from an unprivileged local client lock that client out"
r=$(cn "LOGIN Admin FROM 10.9.9.9\nAdmin")
has "$r" 'locked out' "an unprivileged client cannot name another source to get around it"
r=$(c "LOGIN Admin\nAdmin")
has "$r" '^OK' "root (another source) still logs Admin in"
for i in 1 2 3; do c "LOGIN Admin FROM 192.0.2.7\nwrong$i" >/dev/null; done
r=$(c "LOGIN Admin FROM 192.0.2.7\nAdmin")
has "$r" 'locked out' "a trusted front end's source 192.0.2.7 is locked out"
r=$(c "LOGIN Admin FROM 192.0.2.8\nAdmin")
has "$r" '^OK' "source 192.0.2.8 is not"
for i in 1 2 3; do curl -s -o /dev/null -u op:bad$i $P/api/v1/status; done
code_is "web: 127.0.0.1 locked out after three failures" 401 curl -s -o /dev/null -w '%{http_code}' -u op:Abcdef12 $P/api/v1/status
r=$(c "LOGIN op\nAbcdef12")
has "$r" '^OK' "the web client's failures do not lock op out of the control socket"
contains "sbcd logs the source" "$D/sbcd.log" 'locked out from from 127\.0\.0\.1|locked out from 127\.0\.0\.1'

echo "# TLS defaults: TLS 1.2 minimum, AEAD with forward secrecy"
code_is "HTTPS: TLS 1.1 refused" 000 hcurl --tlsv1.1 --tls-max 1.1 --ciphers 'DEFAULT@SECLEVEL=0' -o /dev/null -w '%{http_code}' $H/login
code_is "HTTPS: a CBC suite refused" 000 hcurl --tls-max 1.2 --ciphers ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA:AES128-SHA -o /dev/null -w '%{http_code}' $H/login
code_is "HTTPS: ECDHE-GCM accepted" 200 hcurl --tls-max 1.2 --ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256 -o /dev/null -w '%{http_code}' $H/login

echo "# board.ini readable by others is refused at boot"
mkdir -p "$D/open"
"$BIN/sbc-ini" build "$FLASH/board.ini" -o "$D/open/board.ini" >/dev/null
chmod 644 "$D/open/board.ini"
expect_fail "sbcd -n refuses a board.ini others can read" "$BIN/sbcd" -n --flash "$D/open"
contains "it says why" "$D/last.out" 'mode 0644 lets group or others read the password hashes'
chmod 600 "$D/open/board.ini"
# (a copy of the running flash: its listeners are the running sbcd's, so only the file counts)
"$BIN/sbcd" -n --flash "$D/open" >"$D/n600.out" 2>&1
contains "sbcd -n takes it at 0600" "$D/n600.out" "configuration is valid"
check "and no longer names the mode" bash -c "! grep -q 'lets group or others read' '$D/n600.out'"
echo "# certificate web sessions are bound to their certificate"
A="--cert $PKI/admin.crt --key $PKI/admin.key"
code_is "Admin's own certificate among the trusted roots" 200 curl -s -o /dev/null -w '%{http_code}' -u Admin:Admin -X PUT \
	--data-binary @"$PKI/admin.crt" $P/api/v1/files/tls/0/trustedRoot/incremental
printf '[WEB Params]\nHTTPSRequireClientCertificate = 1\n' >"$D/req.ini"
check "client certificates requested" ini import --incremental "$D/req.ini"
check "save and reset sbcd" sbcd_reset
rm -f "$D/jar"
code_is "certificate login (Admin's own certificate)" 200 hcurl $A -c "$D/jar" -o /dev/null -w '%{http_code}' $H/status
code_is "its cookie with the same certificate" 200 hcurl $A -b "$D/jar" -o /dev/null -w '%{http_code}' $H/status
code_is "its cookie with another certificate is refused" 303 hcurl --cert "$PKI/client.crt" --key "$PKI/client.key" -b "$D/jar" -o /dev/null -w '%{http_code}' $H/status
contains "refusal logged" "$D/sbcd.log" 'presented without the certificate it was opened with'

t_end

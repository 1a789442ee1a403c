#!/bin/bash
# sbc-cli words sbcd's replies for people: a scripted control server (python, the framing of
# doc/CONTROL.md) answers with the lines for programs sbcd gives - "#code pending" after a
# pending-reset note, "#access COLUMN RUNNING NEW" for a change to how the operator reaches the
# device, "#code" after errors, "#pending" in PENDING - and the CLI must show the #access block,
# errors in its own keywords, show pending as a table, and never a raw "#" line.
. "$(dirname "$0")/../lib.sh"
t_begin cli_replies

D=$T_DIR
cat >"$D/fake.py" <<'PY'
import os, socket, struct, sys
path = sys.argv[1]
replies = {
    "INFO": "OK\nversion 0\nlevel 220\n",
    "LOAD": ("OK\nwarning: pending reset: HTTPPort = 8080 (active 80)\n"
             "#code pending Globals 0 HTTPPort\n"
             "warning: pending reset: HTTPSOnly = 1 (active 0)\n"
             "#code pending Globals 0 HTTPSOnly\n"
             "#access HTTPPort 80 8080\n#access HTTPSOnly 0 1\n"),
    "PENDING": ("OK\nwarning: pending reset: HTTPPort = 8080 (active 80)\n"
                "warning: pending reset: SIPInterface row 1 column TLSPort = 5071 (active 5061)\n"
                "#pending Globals - HTTPPort 80 8080\n"
                "#pending SIPInterface 1 TLSPort 5061 5071\n"
                "#pending TLSContexts 2 Name - my%20ctx\n"
                "#pending SIPInterface 3 - row deleted\n"),
}
bad = ("ERR\ncli:4: HTTPSPort: port 8080 is used by SIPInterface row 0\n"
       "#code check Globals 0 HTTPSPort\nnothing was changed\n")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(8)
def recv(c, n):
    b = b""
    while len(b) < n:
        k = c.recv(n - len(b))
        if not k:
            raise EOFError
        b += k
    return b
while True:
    c, _ = s.accept()
    try:
        while True:
            n = struct.unpack(">I", recv(c, 4))[0]
            req = recv(c, n).decode(errors="replace")
            verb = req.split("\n", 1)[0].split(" ")[0]
            body = req.split("\n", 1)[1] if "\n" in req else ""
            r = bad if verb == "LOAD" and "HTTPSPort" in body else replies.get(verb, "ERR\nunknown verb\n")
            c.sendall(struct.pack(">I", len(r)) + r.encode())
    except EOFError:
        c.close()
PY
python3 "$D/fake.py" "$D/ctl.sock" &
t_track $!
wait_for "test -S '$D/ctl.sock'" 50 || { fail "fake control server"; t_end; exit 1; }
cli() { timeout 20 "$BIN/sbc-cli" --socket "$D/ctl.sock" "$@"; }

check "a change to the web port" cli -c 'configure system; web; http-port 8080'
cp "$D/last.out" "$D/access.out"
contains "pending notes summed up in one line" "$D/access.out" '^2 changes wait for a reset \(show pending\)$'
contains "the #access lines stand out as a WARNING block" "$D/access.out" \
	'^% WARNING: after the next reset the management interface moves:$'
contains "each in the CLI's words, with its values" "$D/access.out" '^%   web http-port: 80 -> 8080$'
contains "enum values as the CLI names them" "$D/access.out" '^%   web https-only: disable -> enable$'
if grep -q '^#' "$D/access.out"; then fail "a raw # line is shown"; else ok "no raw # line"; fi

expect_fail "a refused change" cli -c 'configure system; web; https-port 8080'
cp "$D/last.out" "$D/refused.out"
contains "the error names the group and keyword" "$D/refused.out" \
	'^% web https-port: port 8080 is used by sip-interface row 0$'
if grep -qE '^#|cli:4' "$D/refused.out"; then fail "raw # line or cli:N shown"; else ok "no raw # line, no cli:N"; fi

check "show pending" cli -c 'show pending'
cp "$D/last.out" "$D/pending.out"
contains "a table with a header" "$D/pending.out" '^object +setting +running +after reset$'
contains "a global by its group and keyword" "$D/pending.out" '^web +http-port +80 +8080$'
contains "a row by its keyword and index" "$D/pending.out" '^sip-interface 1 +tls-port +5061 +5071$'
contains "a new row, percent-decoded value" "$D/pending.out" '^tls 2 +name +\(new row\) +my ctx$'
contains "a deleted row" "$D/pending.out" '^sip-interface 3 +\(row\) +\(in force\) +\(deleted\)$'
contains "the count" "$D/pending.out" '^4 changes take effect at the next reset'
if grep -q 'warning: pending reset' "$D/pending.out"; then fail "raw pending notes shown"; else ok "no raw pending notes"; fi
t_end

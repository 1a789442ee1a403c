#!/bin/bash
# Round trip over every column of every table through the CLI: set a non-default value of
# each writable column (tests/cli/sample.c walks the schema) with sbc-cli on sbcd A; the same
# values as an INI file on sbcd C must give the same export; `show running-config` of A pasted
# into a fresh sbcd B through sbc-cli must rebuild the same configuration (sbc-ini export).
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/cli/lib-cli.sh"
t_begin cli_roundtrip

CLI=$BIN/sbc-cli
INI=$BIN/sbc-ini
A=$T_DIR/a B=$T_DIR/b C=$T_DIR/c

check "sample helper builds" cc -std=gnu11 -Wall -I"$TOP" -o "$T_DIR/sample" \
	"$TOP/tests/cli/sample.c" "$TOP/build/lib/libini.a" "$TOP/build/lib/libconf.a" \
	-lcrypt -lssl -lcrypto
"$T_DIR/sample" cli >"$T_DIR/sample.cli"
"$T_DIR/sample" ini >"$T_DIR/sample.ini"
ncols=$(awk 'NF >= 2 && $1 != "configure" && prev !~ /^configure / { n++ } { prev = $0 }
	END { print n + 0 }' "$T_DIR/sample.cli")
echo "  ($ncols columns)"
[ "$ncols" -gt 50 ] && ok "sample sets $ncols columns" || fail "sample sets only $ncols columns"

for d in "$A" "$B" "$C"; do cli_sbcd_start "$d" || fail "sbcd in $d"; done

if timeout 60 "$CLI" --socket "$A/sbcd.sock" --echo <"$T_DIR/sample.cli" >"$T_DIR/set.out" 2>&1; then
	ok "CLI sets every column on A"
else
	fail "CLI sets every column on A"
	grep -v 'pending reset' "$T_DIR/set.out" | tail -15 | sed 's/^/       | /'
fi
check "INI import of the same values on C" "$INI" --socket "$C/sbcd.sock" import \
	--incremental "$T_DIR/sample.ini"
"$INI" --socket "$A/sbcd.sock" export -o "$T_DIR/a.ini"
"$INI" --socket "$C/sbcd.sock" export -o "$T_DIR/c.ini"
check "CLI and INI set the same values (export A = export C)" diff -u "$T_DIR/c.ini" "$T_DIR/a.ini"

check "show running-config on A" timeout 30 "$CLI" --socket "$A/sbcd.sock" \
	-c 'show running-config'
cp "$T_DIR/last.out" "$T_DIR/a.run"
contains "running-config masks secrets" "$T_DIR/a.run" '! password \(secret, not shown\)'
if grep -q 'Secret5' "$T_DIR/a.run"; then fail "a secret is shown"; else ok "no secret shown"; fi

check "paste running-config into fresh B" timeout 60 "$CLI" --socket "$B/sbcd.sock" \
	<"$T_DIR/a.run"
"$INI" --socket "$B/sbcd.sock" export -o "$T_DIR/b.ini"
check "B rebuilt the configuration of A (export A = export B)" diff -u "$T_DIR/a.ini" "$T_DIR/b.ini"
timeout 30 "$CLI" --socket "$B/sbcd.sock" -c 'show running-config' >"$T_DIR/b.run" 2>&1
check "running-config of B = running-config of A" diff -u "$T_DIR/a.run" "$T_DIR/b.run"

# `no <kw>` on every column that may be empty leaves what setting only the names and
# mandatory columns on a fresh sbcd D gives
"$T_DIR/sample" unset >"$T_DIR/unset.cli"
"$T_DIR/sample" min >"$T_DIR/min.cli"
D=$T_DIR/d
cli_sbcd_start "$D" || fail "sbcd in $D"
check "no <kw> on every column of A" timeout 60 "$CLI" --socket "$A/sbcd.sock" <"$T_DIR/unset.cli"
check "names and mandatory columns on D" timeout 60 "$CLI" --socket "$D/sbcd.sock" \
	<"$T_DIR/min.cli"
# the test boards turn the web off (lib-cli.sh); as defaults they only wait for a reset
check "web ports of D back to their defaults" timeout 30 "$CLI" --socket "$D/sbcd.sock" \
	-c 'configure system; web; no http-port; no https-port'
"$INI" --socket "$A/sbcd.sock" export -o "$T_DIR/a2.ini"
"$INI" --socket "$D/sbcd.sock" export -o "$T_DIR/d.ini"
check "no <kw> restored every default (export A = export D)" diff -u "$T_DIR/d.ini" "$T_DIR/a2.ini"
t_end

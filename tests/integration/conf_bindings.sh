#!/bin/bash
# sbcd reads the schema through typed bindings (conf/cols.h): no column or table is
# looked up by its name in sbc/. Names belong to the edges (INI, CLI, SNMP, web).
. "$(dirname "$0")/../lib.sh"
t_begin conf_bindings
cd "$TOP" || exit 2

# one extended regular expression per kind of look-up by name
PATTERNS=(
	'conf_column_find[[:space:]]*\('                     # any column look-up by name
	'conf_global_(int|str)[[:space:]]*\('                # globals by name (use conf_globals_*)
	'\<col[a-z_]*[[:space:]]*\([^()]*"[A-Za-z0-9]+"'     # helpers such as col(ts, "TLSPort")
	'conf_table_find[[:space:]]*\([[:space:]]*"'         # a table by a literal name
)

# no_lookups DIR...: exits 1 and prints each line that still looks a name up
no_lookups() {
	local found=0 p
	for p in "${PATTERNS[@]}"; do
		if grep -rnE --include='*.c' --include='*.h' -- "$p" "$@"; then found=1; fi
	done
	[ "$found" -eq 0 ]
}

# the patterns catch what the engine used to do (so the check below can fail)
mkdir -p "$T_DIR/bad"
i=0
for line in 'r->v[conf_column_find(t, "Expires")].i = 1;' \
	'int c = conf_column_find(ti, users[u][1]);' \
	'hs = conf_global_int(active, "TLSHandshakeTimeout");' \
	'x = conf_row_int(r, col(ts, "MaxTLSConnections"));' \
	'sv(ti, p, "IpAddress", a->addr, sizeof(a->addr)); y = colx(t, "Name");' \
	'const struct conf_table *t = conf_table_find("TLSStatus");'; do
	i=$((i + 1))
	echo "$line" >"$T_DIR/bad/case$i.c"
	expect_fail "look-up pattern catches: $line" no_lookups "$T_DIR/bad/case$i.c"
done
# and they leave binding code alone
echo 'r->v[SIPIF_TLS_PORT].i = conf_globals_int(st, GLOBALS_HTTPS_PORT); t = conf_table_find(name);' \
	>"$T_DIR/good.c"
check "binding code passes" no_lookups "$T_DIR/good.c"

check "no column or table looked up by name in sbc/" no_lookups sbc
t_end

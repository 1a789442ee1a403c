#!/bin/bash
# Benchmark: import and export of a configuration with 10,000 ProxyIp rows and 100 TLS
# contexts through sbc-ini and a running sbcd. Prints a Markdown section; with --write it
# replaces the "INI import/export" section of doc/PERFORMANCE.md.
# Targets (issue 2): import < 1 s, export < 0.5 s, sbcd peak memory < 64 MiB.
source "$(dirname "$0")/../tests/lib.sh"
t_begin bench-ini
D=$T_DIR
RUNS=${RUNS:-5}

source "$(dirname "$0")/bigconf.sh"
bigconf_gen >"$D/big.ini"
t_sbcd "$D" >/dev/null || { echo "sbcd did not start"; exit 1; }
size=$(stat -c %s "$D/big.ini")

ms() { python3 -c "import sys; print(f'{float(sys.argv[1])*1000:.1f}')" "$1"; }
# seconds taken by a command, to the microsecond; its output goes to $D/cmd.out
secs() {
	local a b
	a=$(date +%s%N)
	"$@" >"$D/cmd.out" || return 1
	b=$(date +%s%N)
	python3 -c "print(($b - $a) / 1e9)" >"$D/t"
}
best_imp=999 best_exp=999 best_chk=999 best_cat=999
for _ in $(seq "$RUNS"); do
	secs "$BIN/sbc-ini" --socket "$SOCK" import "$D/big.ini" || exit 1
	t=$(cat "$D/t"); best_imp=$(python3 -c "print(min($best_imp,$t))")
	secs "$BIN/sbc-ini" --socket "$SOCK" export -o "$D/out.ini" || exit 1
	t=$(cat "$D/t"); best_exp=$(python3 -c "print(min($best_exp,$t))")
	/usr/bin/time -f "%M" -o "$D/tc" "$BIN/sbc-ini" check "$D/big.ini" >/dev/null || exit 1
	secs "$BIN/sbc-ini" check "$D/big.ini" || exit 1
	t=$(cat "$D/t"); best_chk=$(python3 -c "print(min($best_chk,$t))")
	secs cp "$D/big.ini" "$D/copy.ini"
	t=$(cat "$D/t"); best_cat=$(python3 -c "print(min($best_cat,$t))")
done
rows=$(grep -c '^ProxyIp [0-9]' "$D/out.ini")
hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SBCD_PID/status")
chk_kb=$(cat "$D/tc")
cat >"$D/section.md" <<X
## INI import/export (issue 2)

Configuration: 100 TLS contexts, 1,000 proxy sets, 10,000 ProxyIp rows ($((size / 1024)) KiB).
Best of $RUNS runs, measured $(date -u +%Y-%m-%d) on this 2-core machine (\`bench/ini_import.sh\`).

| operation | time | target |
|---|---|---|
| \`sbc-ini import\` (whole file) into a running sbcd, validated and applied | $(ms "$best_imp") ms | < 1000 ms |
| \`sbc-ini export\` ($rows ProxyIp rows back) | $(ms "$best_exp") ms | < 500 ms |
| \`sbc-ini check\` offline (parse + validate) | $(ms "$best_chk") ms | |
| \`cp\` of the same file (process start and I/O floor, same run) | $(ms "$best_cat") ms | |

The offline check includes building the factory configuration, whose Admin password is hashed
with yescrypt on purpose (tens of milliseconds). Peak resident memory: sbcd $((hwm / 1024)) MiB after $RUNS imports and exports (target < 64 MiB);
\`sbc-ini check\` $((chk_kb / 1024)) MiB.
X
cat "$D/section.md"
if [ "${1:-}" = --write ]; then
	python3 - "$TOP/doc/PERFORMANCE.md" "$D/section.md" <<'PY'
import re, sys, os
path, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(path).read() if os.path.exists(path) else "# Performance\n\nResults of the benchmarks in bench/, each section written by its script.\n\n"
pat = re.compile(r"## INI import/export.*?(?=\n## |\Z)", re.S)
doc = pat.sub(sec.strip() + "\n", doc) if pat.search(doc) else doc.rstrip() + "\n\n" + sec
open(path, "w").write(doc)
PY
fi
[ "$rows" -eq 10000 ] && ok "export has every row" || fail "export has $rows rows"
t_end

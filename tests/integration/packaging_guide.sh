#!/bin/bash
# Runs the operator's guide: every ```sh test block of doc/OPERATIONS.md, in order, each as one
# `bash -e` script in one working directory, against an sbcd started here on an empty flash
# (the factory configuration). The test re-executes itself in a network namespace of its own,
# so the guide's commands use the factory ports (SIP 5061, HTTPS 443) exactly as written.
source "$(dirname "$0")/../lib.sh"
GUIDE=$TOP/doc/OPERATIONS.md

if [ -z "${SBC_GUIDE_NETNS:-}" ]; then
	if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
		exec unshare -n env SBC_GUIDE_NETNS=1 bash "$0" "$@"
	fi
	t_begin packaging_guide
	echo "  SKIP the guide's commands need the factory ports: root and unshare -n (util-linux)"
	t_end
	exit 0
fi
t_begin packaging_guide
D=$T_DIR
ip link set lo up
for t in openssl curl; do
	command -v $t >/dev/null || { fail "$t is not installed (packaging/install-deps)"; t_end; exit 1; }
done

# the blocks, one file each, in order; the block's first line names it
awk -v dir="$D" '
	/^```sh test[[:space:]]*$/ { n++; f = sprintf("%s/block%02d.sh", dir, n); inb = 1; next }
	inb && /^```[[:space:]]*$/ { inb = 0; close(f); next }
	# bash -e ignores a failure inverted by `!`: make such a line end the block
	inb && /^! / { print $0 " || exit 1" > f; next }
	inb { print > f }' "$GUIDE"
nblocks=$(ls "$D"/block*.sh 2>/dev/null | wc -l)
check "the guide has blocks to run ($nblocks)" test "$nblocks" -ge 10

# sbcd on the factory configuration; the tools find it through SBC_SOCKET, programs in build/bin
mkdir -p "$D/flash" "$D/work"
export SBC_SOCKET=$D/sbcd.sock PATH=$BIN:$PATH
"$BIN/sbcd" -f --flash "$D/flash" --socket "$SBC_SOCKET" >"$D/sbcd.log" 2>&1 &
t_track $!
wait_for "sbc-ini info" 100
check "sbcd started on the factory configuration" sbc-ini info

for b in "$D"/block*.sh; do
	name="$(basename "$b" .sh): $(head -n1 "$b" | cut -c1-70)"
	(cd "$D/work" && timeout 60 bash -e "$b") >"${b%.sh}.out" 2>&1
	if [ $? -eq 0 ]; then ok "$name"; else
		fail "$name"
		sed 's/^/       | /' "${b%.sh}.out" | tail -15
	fi
done
check "sbcd is still running after the guide" kill -0 "${T_PIDS##* }"
t_end

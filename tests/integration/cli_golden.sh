#!/bin/bash
# Golden transcripts of sbc-cli: every tests/cli/NAME.in runs against its own fresh sbcd and
# its output must equal tests/cli/NAME.out. An .in file is a list of sessions:
#   #session: ARGS      starts one `sbc-cli --socket S ARGS` fed the lines up to the next
#                       #session (lines starting with "# " are comments of the file)
# The transcript shows "#session: ARGS", the session's output and "#exit: STATUS".
# @DIR@ stands for the test's directory, @TOP@ for the source tree (in ARGS, input and output).
# UPDATE_GOLDEN=1 rewrites the .out files from the actual output.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/cli/lib-cli.sh"
t_begin cli_golden

run_transcript() {
	local in=$1 d=$2 out=$3 n=0 args
	rm -rf "$d/sessions"
	mkdir -p "$d/sessions"
	# split into sessions: sessions/N.args and sessions/N.in
	awk -v dir="$d/sessions" -v D="$d" -v T="$TOP" '
		/^# / { next }
		/^#session:/ { n++; a = substr($0, 10); sub(/^ /, "", a); gsub(/@DIR@/, D, a); gsub(/@TOP@/, T, a);
			print a > (dir "/" n ".args"); printf "" > (dir "/" n ".in"); next }
		n { line = $0; gsub(/@DIR@/, D, line); gsub(/@TOP@/, T, line); print line >> (dir "/" n ".in") }
	' "$in"
	: >"$out"
	while [ -e "$d/sessions/$((n + 1)).args" ]; do
		n=$((n + 1))
		args=$(cat "$d/sessions/$n.args")
		wait_for "'$BIN/sbc-ini' --socket '$d/sbcd.sock' info" 100
		echo "#session: $args" >>"$out"
		eval "set -- $args"
		timeout 30 "$BIN/sbc-cli" --socket "$d/sbcd.sock" "$@" <"$d/sessions/$n.in" >>"$out" 2>&1
		echo "#exit: $?" >>"$out"
	done
	sed -i -e "s|$d|@DIR@|g" -e "s|$TOP|@TOP@|g" "$out"
}

for in in "$TOP"/tests/cli/*.in; do
	name=$(basename "$in" .in)
	d=$T_DIR/$name
	mkdir -p "$d"
	if ! cli_sbcd_start "$d"; then
		fail "$name: sbcd did not start"
		continue
	fi
	run_transcript "$in" "$d" "$d/got.out"
	cli_sbcd_stop "$d"
	if [ -n "${UPDATE_GOLDEN:-}" ]; then
		cp "$d/got.out" "$TOP/tests/cli/$name.out"
	fi
	if diff -u "$TOP/tests/cli/$name.out" "$d/got.out" >"$d/diff" 2>&1; then
		ok "transcript $name"
	else
		fail "transcript $name"
		sed 's/^/       | /' "$d/diff" | head -40
	fi
done
t_end

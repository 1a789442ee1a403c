#!/bin/bash
# Fuzzing smoke run (issue 14): builds every libFuzzer harness (`make fuzz`: tests/fuzz/fuzz_*.c,
# ASan + UBSan, into build/fuzz/) and runs each for FUZZ_SECS seconds (default 10) on its seed
# corpus tests/fuzz/corpus/NAME/, with tests/fuzz/fuzz_NAME.dict when there is one (new inputs
# go to a temporary directory, never into the tree).
# One pass per harness that ends without a crash, leak, timeout or sanitizer report. A crashing
# input is kept in the artifacts directory (printed); doc/FUZZING.md tells how to reproduce it.
source "$(dirname "$0")/../lib.sh"
t_begin fuzz_smoke
FUZZ_SECS=${FUZZ_SECS:-10}

if ! make -C "$TOP" -j2 fuzz >"$T_DIR/make.log" 2>&1; then
	fail "make fuzz"
	tail -20 "$T_DIR/make.log" | sed 's/^/       | /'
	t_end
	exit 1
fi

n=0
for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	short=${name#fuzz_}
	bin=$TOP/build/fuzz/$name
	n=$((n + 1))
	if [ ! -x "$bin" ]; then
		fail "$name: not built ($bin)"
		continue
	fi
	work=$T_DIR/$short
	mkdir -p "$work/corpus" "$work/artifacts"
	seeds=()
	[ -d "$TOP/tests/fuzz/corpus/$short" ] && seeds=("$TOP/tests/fuzz/corpus/$short")
	[ -f "$TOP/tests/fuzz/$name.dict" ] && seeds=(-dict="$TOP/tests/fuzz/$name.dict" "${seeds[@]}")
	# the first directory receives new inputs; the seeds are only read
	timeout $((FUZZ_SECS + 120)) "$bin" -max_total_time="$FUZZ_SECS" -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
		"$work/corpus" "${seeds[@]}" >"$work/log" 2>&1 &
	pid=$!
	t_track "$pid"
	wait "$pid"
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
	if [ "$rc" -eq 0 ] && [ -z "$(ls -A "$work/artifacts")" ] && ! grep -q 'runtime error' "$work/log" && [ "${runs:-0}" -gt 0 ]; then
		ok "$name: ${runs} inputs in ${FUZZ_SECS} s, no crash"
	else
		fail "$name: exit $rc, artifacts: $(ls "$work/artifacts" | tr '\n' ' ')"
		grep -E '^==.*ERROR|SUMMARY:|runtime error|^fuzz_[a-z_]*:' "$work/log" | head -6 | sed 's/^/       | /'
	fi
done
[ "$n" -gt 0 ] || fail "no harness in tests/fuzz/"
t_end

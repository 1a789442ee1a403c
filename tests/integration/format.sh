#!/bin/bash
# Every C file in the tree follows .clang-format (`make format` applies it).
cd "$(dirname "$0")/../.." || exit 2
pass=0
fail=0
for f in $(git ls-files '*.c' '*.h'); do
	if clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		pass=$((pass + 1))
	else
		echo "FAIL: $f differs from .clang-format (run: make format)"
		fail=$((fail + 1))
	fi
done
echo "format: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

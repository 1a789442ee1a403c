# Shell helpers for integration tests. Source it, call t_begin, then `check`
# or `ok`/`fail` for each case, and t_end last. Prints "NAME: P passed, F failed".
# Every process a test starts is recorded with t_track PID and killed by PID at exit.
T_PASS=0
T_FAIL=0
T_PIDS=""
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=$TOP/build/bin

t_begin() {
	T_NAME=$1
	T_DIR=$(mktemp -d "/tmp/sbc-$T_NAME-XXXXXX")
	trap t_cleanup EXIT
}

t_track() { T_PIDS="$T_PIDS $1"; }

t_cleanup() {
	local p
	for p in $T_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $T_PIDS; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	if [ "$T_FAIL" -eq 0 ] && [ -z "${KEEP_TMP:-}" ]; then
		rm -rf "$T_DIR"
	else
		echo "  (artifacts kept in $T_DIR)"
	fi
}

ok() { T_PASS=$((T_PASS + 1)); echo "  ok   $*"; }
fail() { T_FAIL=$((T_FAIL + 1)); echo "  FAIL $*"; }

# check "description" command...: passes when the command exits 0
check() {
	local d=$1; shift
	if "$@" >"$T_DIR/last.out" 2>&1; then ok "$d"; else fail "$d"; sed 's/^/       | /' "$T_DIR/last.out" | head -20; fi
}

# expect_fail "description" command...: passes when the command exits non-zero
expect_fail() {
	local d=$1; shift
	if "$@" >"$T_DIR/last.out" 2>&1; then fail "$d (unexpectedly succeeded)"; sed 's/^/       | /' "$T_DIR/last.out" | head -20; else ok "$d"; fi
}

# contains "description" file pattern (grep -E)
contains() {
	if grep -qE -- "$3" "$2"; then ok "$1"; else fail "$1: no /$3/ in $2"; sed 's/^/       | /' "$2" | head -20; fi
}

# wait_for "command" [tries]: poll every 0.1 s
wait_for() {
	local n=${2:-100}
	for _ in $(seq "$n"); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
	return 1
}

# free_port: a free TCP port on loopback, chosen by the kernel
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

t_end() {
	echo "$T_NAME: $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
}

# t_sbcd DIR [INI]: prepare DIR/flash (factory defaults + INI, incremental, with
# the SIP interface 0 ports moved to free ports, the web server off) and start sbcd on it in the
# foreground. Sets SOCK and SBCD_PID; the log is DIR/sbcd.log.
t_sbcd() {
	local dir=$1 extra=${2:-}
	mkdir -p "$dir/flash"
	if [ ! -e "$dir/flash/board.ini" ]; then
		local p q
		p=$(free_port)
		q=$(free_port)
		[ "$q" = "$p" ] && q=$(free_port)
		{
			printf '[SIPInterface]\nFORMAT SIPInterface_Index = SIPInterface_UDPPort, '
			printf 'SIPInterface_TCPPort, SIPInterface_TLSPort;\n'
			printf 'SIPInterface 0 = %s, %s, %s;\n[\\SIPInterface]\n' "$p" "$p" "$q"
			# no web server unless the test asks for one
			printf '[WEB Params]\nHTTPPort = 0\nHTTPSPort = 0\n'
			[ -n "$extra" ] && cat "$extra"
		} >"$dir/init.ini"
		"$BIN/sbc-ini" build --incremental "$dir/init.ini" -o "$dir/flash/board.ini" || return 1
	fi
	SOCK=$dir/sbcd.sock
	"$BIN/sbcd" -f --flash "$dir/flash" --socket "$SOCK" --pidfile "$dir/sbcd.pid" \
		>>"$dir/sbcd.log" 2>&1 &
	SBCD_PID=$!
	t_track "$SBCD_PID"
	wait_for "$BIN/sbc-ini --socket $SOCK info" 100
}

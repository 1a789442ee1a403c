# Helpers of the CLI tests (source after tests/lib.sh and t_begin).
# cli_sbcd_start DIR [INI...]: a private sbcd on DIR/sbcd.sock whose flash starts from
#   a board.ini with the test users (and no SIP listeners, so parallel tests never
#   clash on ports), plus the tables of any INI files given.
# cli_sbcd_stop DIR: stops it by PID.
unset SBC_USER SBC_SOCKET SSH_ORIGINAL_COMMAND

CLI_BOARD='[ SIPInterface ]
FORMAT SIPInterface_Index = SIPInterface_InterfaceName, SIPInterface_NetworkInterface, SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort;
SIPInterface 0 = "SIPInterface_0", "O+M+C", 0, 0, 0;
[ \SIPInterface ]
[ WebUsers ]
FORMAT WebUsers_Index = WebUsers_Username, WebUsers_Password, WebUsers_UserLevel, WebUsers_SSHPublicKey;
WebUsers 0 = "Admin", "Admin", 220, "";
WebUsers 1 = "sec", "SecPass1", 200, "";
WebUsers 2 = "admin1", "AdmPass1", 100, "";
WebUsers 3 = "mon", "MonPass1", 50, "";
[ \WebUsers ]'

cli_sbcd_start() {
	local d=$1 f pid
	shift
	mkdir -p "$d/flash"
	if [ ! -e "$d/flash/board.ini" ]; then
		{
			echo "$CLI_BOARD"
			# no web server: it would take ports 80 and 443 from other tests
			printf '[WEB Params]\nHTTPPort = 0\nHTTPSPort = 0\n'
			for f in "$@"; do cat "$f"; done
		} >"$d/flash/board.ini"
		chmod 600 "$d/flash/board.ini" # sbcd refuses a board.ini others can read
	fi
	"${SBCD:-$BIN/sbcd}" -f --flash "$d/flash" --socket "$d/sbcd.sock" --pidfile "$d/pid" \
		>>"$d/sbcd.log" 2>&1 &
	pid=$!
	t_track "$pid"
	echo "$pid" >"$d/sbcd.pid"
	wait_for "'$BIN/sbc-ini' --socket '$d/sbcd.sock' info" 100 || {
		echo "  sbcd in $d did not start:"
		sed 's/^/       | /' "$d/sbcd.log" | tail -20
		return 1
	}
}

cli_sbcd_stop() {
	local pid
	pid=$(cat "$1/sbcd.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2>/dev/null
	rm -f "$1/sbcd.pid"
	return 0
}

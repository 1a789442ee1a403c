# Helpers of the web integration tests (source after tests/lib.sh and t_begin).
# web_setup: test PKI, a flash with TLS context 0 material and free ports, sbcd, sbc-web.
# Sets SIP_PORT and SIPS_PORT too.
WEB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

web_setup() {
	PKI=$T_DIR/pki
	FLASH=$T_DIR/flash
	SOCK=$T_DIR/sbcd.sock
	"$WEB_DIR/pki.sh" "$PKI" >/dev/null || return 1
	mkdir -p "$FLASH/tls/0"
	cp "$PKI/server.crt" "$FLASH/tls/0/certificate.pem"
	cp "$PKI/server.key" "$FLASH/tls/0/private-key.pem"
	chmod 600 "$FLASH/tls/0/private-key.pem"
	cp "$PKI/ca.crt" "$FLASH/tls/0/trusted-roots.pem"
	HTTP_PORT=$(free_port)
	HTTPS_PORT=$(free_port)
	while [ "$HTTPS_PORT" = "$HTTP_PORT" ]; do HTTPS_PORT=$(free_port); done
	# a test may choose the SIP ports (WEB_SIP_PORT, WEB_SIPS_PORT) and add INI text
	# (WEB_BOARD_EXTRA) to the flash it boots from
	local sip=${WEB_SIP_PORT:-$(free_port)} sips=${WEB_SIPS_PORT:-$(free_port)}
	SIP_PORT=$sip SIPS_PORT=$sips
	# the flash starts with our ports, so parallel tests do not clash on 5060/5061 or 80/443
	cat >"$FLASH/board.ini" <<X
[WEB Params]
HTTPSPort = $HTTPS_PORT
HTTPPort = $HTTP_PORT
WebAddress = '127.0.0.1'

[ SIPInterface ]
FORMAT SIPInterface_Index = SIPInterface_InterfaceName, SIPInterface_NetworkInterface, SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort;
SIPInterface 0 = "SIPInterface_0", "O+M+C", $sip, $sip, $sips;
[ \SIPInterface ]
${WEB_BOARD_EXTRA:-}
X
	chmod 600 "$FLASH/board.ini" # sbcd refuses a board.ini others can read
	"$BIN/sbcd" -f --flash "$FLASH" --socket "$SOCK" --pidfile "$T_DIR/sbcd.pid" \
		>"$T_DIR/sbcd.log" 2>&1 &
	SBCD_PID=$!
	t_track "$SBCD_PID"
	WEB_LOG=$T_DIR/sbcd.log # sbcd starts sbc-web, which inherits its stderr
	wait_for "'$BIN/sbc-ini' --socket '$SOCK' info" 100 || return 1
	web_wait 0
}

# web_pid: sbc-web's pid as sbcd reports it (INFO), or nothing
web_pid() { "$BIN/sbc-ini" --socket "$SOCK" info 2>/dev/null | sed -n 's/^child sbc-web pid \([0-9]*\).*/\1/p'; }

# web_wait N: sbc-web said "ready" after line N of the log and accepts HTTPS connections
web_wait() {
	wait_for "tail -n +$(($1 + 1)) '$WEB_LOG' | grep -q 'sbc-web info: ready' && (echo >/dev/tcp/127.0.0.1/$HTTPS_PORT)" 150 || return 1
	WEB_PID=$(web_pid)
	[ -n "$WEB_PID" ] && t_track "$WEB_PID"
}

log_lines() { wc -l <"$WEB_LOG"; }

# Kills sbc-web (by its pid); sbcd restarts it within a second or two.
web_restart() {
	local n
	n=$(log_lines)
	kill "$WEB_PID" 2>/dev/null
	web_wait "$n"
}

ini() { "$BIN/sbc-ini" --socket "$SOCK" "$@"; }

# sbcd reset: save, reset; sbcd re-executes and starts a new sbc-web
sbcd_reset() {
	local n
	n=$(log_lines)
	ini save >/dev/null && ini reset >/dev/null || return 1
	web_wait "$n"
}

# curl against the HTTPS port with the test CA; extra args first
U=""
hcurl() { curl -s --max-time 10 --cacert "$PKI/ca.crt" "$@"; }

# web_login JAR USER PASS [curl args...]: logs in through the form, prints the HTTP code
web_login() {
	local jar=$1 user=$2 pass=$3 tok
	shift 3
	rm -f "$jar"
	tok=$(hcurl "$@" -b "$jar" -c "$jar" "https://127.0.0.1:$HTTPS_PORT/login" |
		grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//')
	hcurl "$@" -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' \
		--data-urlencode "csrf=$tok" --data-urlencode "username=$user" \
		--data-urlencode "password=$pass" "https://127.0.0.1:$HTTPS_PORT/login"
}

# get_csrf JAR [curl args]: the CSRF token of the session in JAR
get_csrf() {
	local jar=$1
	shift
	hcurl "$@" -b "$jar" "https://127.0.0.1:$HTTPS_PORT/status" |
		grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 | sed 's/.*value="//;s/"//'
}

# code_is "desc" EXPECTED command...: the command prints an HTTP code
code_is() {
	local d=$1 want=$2 got
	shift 2
	got=$("$@" 2>/dev/null)
	if [ "$got" = "$want" ]; then ok "$d ($got)"; else fail "$d: got '$got', want $want"; fi
}

# refused "desc" curl-args...: TLS handshake refused: curl exit 35, 55 or 56 and no HTTP status
refused() {
	local d=$1 code rc
	shift
	code=$(hcurl -o /dev/null -w '%{http_code}' "$@" "https://127.0.0.1:$HTTPS_PORT/login")
	rc=$?
	case "$rc:$code" in
	35:000 | 55:000 | 56:000) ok "$d (curl exit $rc)" ;;
	*) fail "$d: curl exit $rc, HTTP $code (want refusal)" ;;
	esac
}

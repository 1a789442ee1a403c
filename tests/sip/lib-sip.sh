# Helpers of the routing integration tests (tests/integration/routing_*.sh): real SIP peers
# (sipp, socat, tests/sip/sipreq.py) on 127.0.0.1 around a real sbcd. Source after tests/lib.sh,
# call after t_begin. Every process started here is recorded with t_track (killed by PID at exit).
SIPDIR=$TOP/tests/sip

# rt_sbcd DIR [INI]: t_sbcd, tried up to 3 times with new ports (the TLS port t_sbcd picks next to
# a free port may be taken). Sets SOCK, SBCD_PID and SBC_PORT (interface 0's UDP and TCP port).
rt_sbcd() {
	local dir=$1 ini=${2:-} try
	for try in 1 2 3; do
		if t_sbcd "$dir" "$ini"; then
			SBC_PORT=$(sed -n 's/^SIPInterface 0 = \([0-9]*\),.*/\1/p' "$dir/init.ini")
			[ -n "$SBC_PORT" ] && return 0
		fi
		kill "$SBCD_PID" 2>/dev/null
		wait_for "! kill -0 $SBCD_PID" 50
		mv "$dir/sbcd.log" "$dir/sbcd.log.failed$try" 2>/dev/null
		rm -rf "$dir/flash" "$dir/init.ini"
	done
	return 1
}

# sbc_import TEXT...: an incremental INI import into the running sbcd (routing tables apply live)
sbc_import() {
	local f=$T_DIR/import.$RANDOM.ini
	printf '%s\n' "$@" >"$f"
	"$BIN/sbc-ini" --socket "$SOCK" import --incremental "$f"
}

# free_udp: a port free for both UDP and TCP on 127.0.0.1
free_udp() {
	python3 -c '
import socket
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
    p = u.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass'
}

# uas_start NAME u1|t1 PORT [CONTACT]: tests/sip/uas.xml as sipp on 127.0.0.1:PORT (UDP or TCP),
# its messages in $T_DIR/uas-NAME.msg. CONTACT defaults to its own address. Sets UAS_PID_NAME.
uas_start() {
	local name=$1 t=$2 port=$3 contact=${4:-} tr=udp pid
	[ "$t" = t1 ] && tr=tcp
	[ -n "$contact" ] || contact="sip:127.0.0.1:$port;transport=$tr"
	sipp -sf "$SIPDIR/uas.xml" -i 127.0.0.1 -p "$port" -t "$t" -nostdin \
		-key contact "$contact" -key name "$name" \
		-trace_msg -message_file "$T_DIR/uas-$name.msg" -trace_err -error_file "$T_DIR/uas-$name.err" \
		>>"$T_DIR/uas-$name.out" 2>&1 &
	pid=$!
	t_track "$pid"
	eval "UAS_PID_$name=$pid"
	if [ "$t" = t1 ]; then
		wait_for "ss -Hltn 'sport = :$port' | grep -q ." 50
	else
		wait_for "ss -Hlun 'sport = :$port' | grep -q ." 50
	fi
}

# uas_stop NAME: stops that sipp (by its PID) and waits for it to go
uas_stop() {
	local pid
	eval "pid=\$UAS_PID_$1"
	kill "$pid" 2>/dev/null
	wait_for "! kill -0 $pid" 50
}

# uas_invites NAME: how many INVITEs that UAS received
uas_invites() { grep -c '^INVITE ' "$T_DIR/uas-$1.msg" 2>/dev/null || true; }

# uas_clean NAME...: none of those UASes logged an unexpected message or an aborted call
# (sipp's error log also gets watchdog warnings when the machine is busy: those do not count)
uas_clean() {
	local n
	for n in "$@"; do
		if grep -iE 'unexpected|abort|discard|failed' "$T_DIR/uas-$n.err" 2>/dev/null; then
			echo "in uas-$n.err"
			return 1
		fi
	done
}

# tls_front PORT TO_PORT: a TLS server on 127.0.0.1:PORT (server certificate of $PKI) relaying
# every connection to the TCP port TO_PORT. Sets FRONT_PID.
tls_front() {
	socat OPENSSL-LISTEN:"$1",bind=127.0.0.1,reuseaddr,fork,cert="$PKI/server-chain.crt",key="$PKI/server.key",cafile="$PKI/cas.pem",verify=0 \
		TCP:127.0.0.1:"$2" 2>>"$T_DIR/socat-$1.log" &
	FRONT_PID=$!
	t_track "$FRONT_PID"
	wait_for "ss -Hltn 'sport = :$1' | grep -q ." 50
}

# uac_call NAME u1|t1 USER: one call with sipp's built-in UAC (INVITE, ACK, BYE) to the SBC;
# returns sipp's exit status (0: the call succeeded). Messages in $T_DIR/uac-NAME.msg, the final
# statistics screen in $T_DIR/uac-NAME.screen.
uac_call() {
	local name=$1 t=$2 user=$3 port pid
	port=$(free_udp)
	sipp -sn uac -i 127.0.0.1 -p "$port" -t "$t" -s "$user" -m 1 -nostdin \
		-timeout 20 -timeout_error -recv_timeout 10000 \
		-trace_msg -message_file "$T_DIR/uac-$name.msg" \
		-trace_screen -screen_file "$T_DIR/uac-$name.screen" \
		127.0.0.1:"$SBC_PORT" >"$T_DIR/uac-$name.out" 2>&1 &
	pid=$!
	t_track "$pid"
	wait "$pid"
}

# uac_stat NAME "Successful call"|"Failed call": the cumulative counter of the final screen
uac_stat() {
	awk -F'|' -v k="$2" 'index($1, k) { gsub(/ /, "", $3); v = $3 } END { print v }' \
		"$T_DIR/uac-$1.screen" 2>/dev/null
}

# sipreq ARGS...: tests/sip/sipreq.py to the SBC (tracked, bounded by its --timeout); its output
# ("final CODE ...", see the script) in REQ_OUT, appended to $T_DIR/sipreq.log. Do not call it in
# a subshell ($(...)): the process would not be tracked.
sipreq() {
	local pid rc
	python3 "$SIPDIR/sipreq.py" --to 127.0.0.1:"$SBC_PORT" "$@" >"$T_DIR/sipreq.out" 2>&1 &
	pid=$!
	t_track "$pid"
	wait "$pid"
	rc=$?
	REQ_OUT=$(cat "$T_DIR/sipreq.out")
	{ echo "# sipreq $*"; echo "$REQ_OUT"; } >>"$T_DIR/sipreq.log"
	return $rc
}

# final_of OUTPUT: the final status code in sipreq's output
final_of() { sed -n 's/^final \([0-9]*\).*/\1/p' <<<"$1"; }

# pstatus ROW COLUMN: a column of the ProxyStatus row (State: 0 unknown, 1 up, 2 down)
pstatus() {
	"$BIN/sbc-ini" --socket "$SOCK" status ProxyStatus | python3 -c '
import sys, csv
row, col = sys.argv[1], sys.argv[2]
cols = None
for line in sys.stdin:
    line = line.strip()
    if line.startswith("FORMAT"):
        cols = [c.strip().split("_", 1)[-1] for c in line.split("=", 1)[1].rstrip(";").split(",")]
    elif line.startswith("ProxyStatus " + row + " ="):
        vals = next(csv.reader([line.split("=", 1)[1].rstrip(";")], skipinitialspace=True))
        print(vals[cols.index(col)].strip())' "$1" "$2"
}

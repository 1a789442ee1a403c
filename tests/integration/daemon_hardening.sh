#!/bin/bash
# Daemon hardening (issue 14, findings 4-8, 10): systemd readiness and watchdog over
# NOTIFY_SOCKET, harmless SIGHUP, one sbcd per flash and socket, the name after a reset,
# children that die with sbcd, idle and capped SIP/TCP connections, the descriptor limit,
# journald priorities and rate-limited TLS refusals.
source "$(dirname "$0")/../lib.sh"
t_begin daemon_hardening
D=$T_DIR
INI="$BIN/sbc-ini"

# A stand-in for systemd's notify socket: every datagram is one line of $D/notify.log; on
# READY=1 it connects to the control socket at once and notes whether that worked.
cat >"$D/notify.py" <<'X'
import os, socket, sys, time
path, ctl, out = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + path[1:] if path.startswith("@") else path)  # "@name": abstract namespace
with open(out, "a", buffering=1) as f:
    while True:
        msg = s.recv(4096).decode().replace("\n", " ")
        extra = ""
        if "READY=1" in msg:
            c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                c.connect(ctl); extra = " ctl=up"
            except OSError as e:
                extra = " ctl=down(%s)" % e
            c.close()
        f.write("%.3f %s%s\n" % (time.time(), msg, extra))
X
python3 "$D/notify.py" "$D/notify.sock" "$D/sbcd.sock" "$D/notify.log" &
t_track $!
wait_for "test -S $D/notify.sock" 50

# --- readiness and watchdog (Type=notify, WatchdogSec=)
WEB=$(free_port)
printf '[WEB Params]\nHTTPPort = %s\nWebAddress = 127.0.0.1\n' "$WEB" >"$D/web.ini"
NOTIFY_SOCKET=$D/notify.sock WATCHDOG_USEC=400000 t_sbcd "$D" "$D/web.ini"
check "sbcd starts" "$INI" --socket "$SOCK" info
check "READY=1 arrives" wait_for "grep -q READY=1 $D/notify.log" 50
contains "READY=1 comes once the control socket answers" "$D/notify.log" "READY=1.* ctl=up"
sleep 1.5
n=$(grep -c "WATCHDOG=1" "$D/notify.log")
if [ "$n" -ge 5 ]; then ok "WATCHDOG=1 keeps coming ($n in ~1.5 s at 200 ms)"; else fail "WATCHDOG=1: only $n pings"; fi
kill -STOP "$SBCD_PID"; sleep 0.3; a=$(grep -c "WATCHDOG=1" "$D/notify.log"); sleep 0.6
b=$(grep -c "WATCHDOG=1" "$D/notify.log"); kill -CONT "$SBCD_PID"
if [ "$a" = "$b" ]; then ok "a stalled sbcd sends no WATCHDOG=1"; else fail "pings while stopped ($a -> $b)"; fi
check "pings resume" wait_for "[ \$(grep -c WATCHDOG=1 $D/notify.log) -gt $b ]" 20
check "sbc-web is started" wait_for "$INI --socket $SOCK info | grep -Eq 'child sbc-web pid [1-9]'" 50
WEBPID=$("$INI" --socket "$SOCK" info | sed -n 's/.*child sbc-web pid \([0-9]*\).*/\1/p')
if [ -n "$WEBPID" ] && ! tr '\0' '\n' <"/proc/$WEBPID/environ" 2>/dev/null | grep -q NOTIFY_SOCKET; then
	ok "children do not inherit NOTIFY_SOCKET"
else fail "sbc-web ($WEBPID) has NOTIFY_SOCKET"; fi

# --- SIGHUP: reopen the log, nothing else
kill -HUP "$SBCD_PID"
sleep 0.5
check "sbcd survives SIGHUP" kill -0 "$SBCD_PID"
check "and answers after SIGHUP" "$INI" --socket "$SOCK" info
contains "SIGHUP is logged as a log reopen" "$D/sbcd.log" "SIGHUP: log reopened"

# --- one sbcd per flash directory and per control socket
cp "$D/sbcd.pid" "$D/pid.before"
expect_fail "a second sbcd on the same flash and socket exits non-zero" \
	timeout 10 "$BIN/sbcd" -f --flash "$D/flash" --socket "$SOCK" --pidfile "$D/sbcd.pid"
contains "its message names the running sbcd's pid" "$T_DIR/last.out" "in use by another sbcd \(pid $SBCD_PID\)"
expect_fail "a second sbcd on the same flash, another socket, exits non-zero" \
	timeout 10 "$BIN/sbcd" -f --flash "$D/flash" --socket "$D/other.sock"
contains "it names the flash" "$T_DIR/last.out" "flash $D/flash is in use by another sbcd \(pid $SBCD_PID\)"
mkdir -p "$D/flash2"
expect_fail "a second sbcd on another flash, the same socket, exits non-zero" \
	timeout 10 "$BIN/sbcd" -f --flash "$D/flash2" --socket "$SOCK"
contains "it names the socket" "$T_DIR/last.out" "control socket $SOCK is in use by another sbcd \(pid $SBCD_PID\)"
check "the first sbcd's socket is still there and answers" "$INI" --socket "$SOCK" info
check "its pid file is untouched" cmp "$D/pid.before" "$D/sbcd.pid"
check "the refused sbcd wrote nothing in the other flash" test -z "$(ls -A "$D/flash2")"
check "the first sbcd still runs" kill -0 "$SBCD_PID"

# --- after a reset the process is still called sbcd
check "reset" "$INI" --socket "$SOCK" reset
check "sbcd answers after the reset" wait_for "$INI --socket $SOCK info" 100
check "same pid after the reset" kill -0 "$SBCD_PID"
check "its name is sbcd (comm)" grep -qx sbcd "/proc/$SBCD_PID/comm"
check "ps -C sbcd finds it" sh -c "ps -C sbcd -o pid= | grep -qw $SBCD_PID"
check "READY=1 again after the reset" wait_for "[ \$(grep -c READY=1 $D/notify.log) -ge 2 ]" 50
check "the lock is held again after the reset" sh -c "! timeout 10 $BIN/sbcd -f --flash $D/flash --socket $SOCK"

# --- children die with sbcd, even when it is killed; a new sbcd gets their ports
check "sbc-web runs again after the reset" wait_for "$INI --socket $SOCK info | grep -Eq 'child sbc-web pid [1-9]'" 50
WEBPID=$("$INI" --socket "$SOCK" info | sed -n 's/.*child sbc-web pid \([0-9]*\).*/\1/p')
check "sbc-web listens" wait_for "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $WEB), 1)'" 50
kill -9 "$SBCD_PID"
check "sbc-web dies with a killed sbcd" wait_for "! kill -0 $WEBPID 2>/dev/null" 50
t_sbcd "$D"
check "a new sbcd starts on the same flash and socket" "$INI" --socket "$SOCK" info
check "its sbc-web listens on the same port" wait_for "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $WEB), 1)'" 50
sleep 1
if "$INI" --socket "$SOCK" info | grep -q 'child sbc-web pid [1-9][0-9]* restarts 0'; then
	ok "its sbc-web did not have to restart (port was free)"
else fail "sbc-web restarted: $("$INI" --socket "$SOCK" info | grep child)"; fi

# --- plain SIP/TCP: per-interface cap (newest refused) and idle timeout
kill "$SBCD_PID"
wait_for "! kill -0 $SBCD_PID" 50
D2=$D/tcp
mkdir -p "$D2/flash"
TP=$(free_port)
TLSP=$(free_port)
cat >"$D2/tcp.ini" <<X
[SIPInterface]
FORMAT SIPInterface_Index = SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort, SIPInterface_MaxTCPConnections;
SIPInterface 0 = $TP, $TP, $TLSP, 3;
[\SIPInterface]
[SIP Params]
TCPIdleTimeout = 6
[WEB Params]
HTTPPort = 0
HTTPSPort = 0
X
check "MaxTCPConnections and TCPIdleTimeout are accepted" "$INI" build --incremental "$D2/tcp.ini" -o "$D2/flash/board.ini"
# stderr is "the journal": JOURNAL_STREAM names its device and inode, as systemd sets it
touch "$D2/sbcd.log"
# and systemd's notify socket is an abstract one this time
ABS="@sbc-notify-$$-$RANDOM"
python3 "$D/notify.py" "$ABS" "$D2/sbcd.sock" "$D2/notify.log" &
t_track $!
sleep 0.5
NOTIFY_SOCKET=$ABS JOURNAL_STREAM=$(stat -c %d:%i "$D2/sbcd.log") t_sbcd "$D2"
check "sbcd starts with the TCP limits" "$INI" --socket "$SOCK" info
check "READY=1 reaches an abstract NOTIFY_SOCKET" wait_for "grep -q 'READY=1.* ctl=up' $D2/notify.log" 50
cat >"$D/tcp.py" <<'X'
import socket, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
def closed(s):
    s.setblocking(False)
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
def options(s, n):
    m = ("OPTIONS sip:sbc@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK%d\r\n"
         "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:sbc@127.0.0.1>\r\nCall-ID: c%d\r\nCSeq: %d OPTIONS\r\n"
         "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % (n, n, n))
    s.setblocking(True); s.settimeout(2); s.sendall(m.encode())
    return b"SIP/2.0 200" in s.recv(4096)
if mode == "cap":
    socks = []
    for i in range(5):
        socks.append(socket.create_connection(("127.0.0.1", port), 2)); time.sleep(0.05)
    time.sleep(2.2)
    print("closed:" + "".join("x" if closed(s) else "o" for s in socks))
    print("answers:", options(socks[0], 1))
elif mode == "idle":
    busy = socket.create_connection(("127.0.0.1", port), 2)
    idle = socket.create_connection(("127.0.0.1", port), 2)
    ok = True
    for i in range(9):
        time.sleep(1); ok = options(busy, 10 + i) and ok
    print("busy kept:", ok and not closed(busy))
    print("idle closed:", closed(idle))
elif mode == "registered":
    s = socket.create_connection(("127.0.0.1", port), 2)
    lp = s.getsockname()[1]
    m = ("REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:%d;branch=z9hG4bKreg1\r\n"
         "From: <sip:idler@127.0.0.1>;tag=1\r\nTo: <sip:idler@127.0.0.1>\r\nCall-ID: reg1\r\n"
         "CSeq: 1 REGISTER\r\nContact: <sip:idler@127.0.0.1:%d;transport=tcp>\r\nExpires: 3600\r\n"
         "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % (lp, lp))
    s.settimeout(2); s.sendall(m.encode())
    print("registered:", b"SIP/2.0 200" in s.recv(4096))
    time.sleep(9)
    print("registered kept:", not closed(s))
X
python3 "$D/tcp.py" "$TP" cap >"$D/cap.out" 2>&1
contains "over MaxTCPConnections the two newest connections are closed" "$D/cap.out" "^closed:oooxx$"
contains "the older connections still answer OPTIONS" "$D/cap.out" "^answers: True$"
contains "the closure is logged with the peer and the cap" "$D2/sbcd.log" "tcp connection from 127.0.0.1:[0-9]+ on interface .* closed: more than 3 TCP connections"
python3 "$D/tcp.py" "$TP" idle >"$D/idle.out" 2>&1
contains "a connection that carries SIP is kept" "$D/idle.out" "^busy kept: True$"
contains "an idle connection is closed after TCPIdleTimeout" "$D/idle.out" "^idle closed: True$"
contains "the idle closure is logged" "$D2/sbcd.log" "closed: idle for 6 s"
python3 "$D/tcp.py" "$TP" registered >"$D/registered.out" 2>&1
contains "a phone registers over TCP" "$D/registered.out" "^registered: True$"
contains "its idle connection outlives TCPIdleTimeout while the binding lives" "$D/registered.out" "^registered kept: True$"
"$INI" --socket "$SOCK" status TLSStatus >"$D/tlsstatus.ini"
contains "TLSStatus counts the TCP closures (2 over the cap, 1 idle)" "$D/tlsstatus.ini" "^TLSStatus 0 = .*, [0-9]+, 3, [0-9], \"[^\"]*\"(, [0-9]+)*;$"

# --- journald priorities: "<N>" prefixes on stderr when it is the journal
contains "info lines carry <6> for the journal" "$D2/sbcd.log" "^<6>sbcd .* ready"
contains "connection closures are warnings (<4>)" "$D2/sbcd.log" "^<4>sip: tcp connection from"
if grep -qv '^<[0-7]>' "$D2/sbcd.log"; then fail "a journal line without priority: $(grep -v '^<[0-7]>' "$D2/sbcd.log" | head -1)"; else ok "every journal line has a priority"; fi

# --- TLS refusals: a few lines per peer, then one "suppressed N" summary
python3 - "$TLSP" <<'X'
import socket, sys, time
for i in range(20):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n"); s.settimeout(2)
    try:
        s.recv(100)
    except OSError:
        pass
    s.close()
X
check "refusals reach the log" wait_for "grep -q 'TLS rejected' $D2/sbcd.log" 30
sleep 0.5
n=$(grep -c 'TLS rejected' "$D2/sbcd.log")
if [ "$n" -ge 1 ] && [ "$n" -le 5 ]; then ok "20 refusals from one peer make $n lines"; else fail "20 refusals from one peer make $n lines"; fi
check "a 'suppressed N' summary follows" wait_for "grep -Eq 'peer 127.0.0.1: 1[5-9] similar lines suppressed' $D2/sbcd.log" 150
check "sbcd still counts all 20" sh -c "$INI --socket $SOCK status TLSStatus | grep -q RejectedProtocol"

# --- descriptor limit: the soft limit is raised to the hard one
soft=$(awk '/Max open files/ {print $4}' "/proc/$SBCD_PID/limits")
hard=$(awk '/Max open files/ {print $5}' "/proc/$SBCD_PID/limits")
want=$hard; [ "$hard" = unlimited ] || [ "$hard" -gt 1048576 ] && want=1048576
if [ "$soft" = "$want" ]; then ok "soft RLIMIT_NOFILE raised to $soft (hard $hard)"; else fail "soft RLIMIT_NOFILE $soft, hard $hard"; fi

# --- descriptor reserve: SIP connections never take the control socket's descriptors
prlimit --pid "$SBCD_PID" --nofile=256:256
# to the TLS port: MaxTLSConnections (1024) is not what stops them
python3 - "$TLSP" "$SOCK" "$INI" >"$D/fd.out" 2>&1 <<'X'
import socket, subprocess, sys, time
port, sock, ini = int(sys.argv[1]), sys.argv[2], sys.argv[3]
conns = []
for i in range(300):
    try:
        conns.append(socket.create_connection(("127.0.0.1", port), 1))
    except OSError:
        pass
time.sleep(3.5)
def alive(s):
    s.setblocking(False)
    try:
        return s.recv(1) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
print("connected:", len(conns))
print("open:", sum(alive(s) for s in conns))
r = subprocess.run([ini, "--socket", sock, "info"], capture_output=True, timeout=10)
print("info:", r.returncode)
r = subprocess.run([ini, "--socket", sock, "save"], capture_output=True, timeout=10)
print("save:", r.returncode)
X
open=$(sed -n 's/^open: //p' "$D/fd.out")
if [ -n "$open" ] && [ "$open" -ge 50 ] && [ "$open" -le 192 ]; then ok "at most 256 - 64 SIP connections stay open ($open)"; else fail "SIP connections open: $open (limit 192)"; sed 's/^/       | /' "$D/fd.out"; fi
contains "the control socket answers while SIP connections are at the limit" "$D/fd.out" "^info: 0$"
contains "a flash save works while SIP connections are at the limit" "$D/fd.out" "^save: 0$"
t_end

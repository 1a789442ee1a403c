#!/bin/bash
# A large configuration import runs off the SIP event loop (issue 14, scenario c): UDP OPTIONS
# are answered within a few ms while a 10,000-row LOAD is parsed, validated and built on a
# control worker; a LOAD overtaken by another client's commit is refused (#code refused,
# "retry", nothing changed) and succeeds when retried (doc/CONTROL.md).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/../../bench/bigconf.sh"
t_begin import_offloop
D=$T_DIR
INI="$BIN/sbc-ini"
check "sbcd starts" t_sbcd "$D"
SIP_PORT=$(sed -n 's/^SIPInterface 0 = \([0-9]*\),.*/\1/p' "$D/init.ini")
bigconf_gen >"$D/big.ini"
# the same rows, one address changed: an import that changes 1 row but parses 11,100
sed 's/"127.1.0.1:5061"/"127.1.0.1:5062"/' "$D/big.ini" >"$D/big2.ini"
export SOCK SIP_PORT BIG="$D/big.ini" BIG2="$D/big2.ini"
BOUND_MS=${BOUND_MS:-45} # the target of issue 14 is 50; before, the whole import (~130 ms) ran on the loop
export BOUND_MS

cat >"$D/h.py" <<'PY'
import os, select, socket, struct, sys, time

SOCK = os.environ["SOCK"]
PORT = int(os.environ["SIP_PORT"])

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    return s

def frame(b):
    return struct.pack(">I", len(b)) + b

def recv_exact(s, n, timeout=60):
    s.settimeout(timeout)
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            return None
        buf += d
    return buf

def reply(s, timeout=60):
    h = recv_exact(s, 4, timeout)
    return None if h is None else recv_exact(s, struct.unpack(">I", h)[0], timeout)

def load_req(path):
    return b"LOAD incremental big.ini\n" + open(path, "rb").read()

def options(u, i):
    """One UDP OPTIONS; seconds until its answer, or None after 2 s."""
    callid = "imp-%d-%d@127.0.0.1" % (os.getpid(), i)
    msg = ("OPTIONS sip:ping@127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-imp-%d-%d;rport\r\n"
           "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=imp%d\r\n"
           "To: <sip:ping@127.0.0.1>\r\nCall-ID: %s\r\nCSeq: %d OPTIONS\r\n"
           "Content-Length: 0\r\n\r\n") % (PORT, u.getsockname()[1], os.getpid(), i, i,
                                         callid, i + 1)
    t0 = time.monotonic()
    u.sendto(msg.encode(), ("127.0.0.1", PORT))
    while True:
        left = 2 - (time.monotonic() - t0)
        if left <= 0:
            return None
        r, _, _ = select.select([u], [], [], left)
        if not r:
            return None
        if callid.encode() in u.recv(65535):
            return time.monotonic() - t0

def offloop(path):
    """OPTIONS every 2 ms while the import runs; every answer within BOUND_MS."""
    bound = float(os.environ["BOUND_MS"]) / 1000
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    for i in range(20):  # warm up
        if options(u, i) is None:
            print("OPTIONS unanswered before the import")
            return False
    req = load_req(path)
    c = conn()
    c.sendall(frame(req))
    t0, worst, n, i = time.monotonic(), 0.0, 0, 100
    rep = None
    while time.monotonic() - t0 < 60:
        rtt = options(u, i)
        i += 1
        if rtt is None:
            print("an OPTIONS went unanswered during the import")
            return False
        worst, n = max(worst, rtt), n + 1
        r, _, _ = select.select([c], [], [], 0)
        if r:
            rep = reply(c)
            break
        time.sleep(0.002)
    took = time.monotonic() - t0
    print("import took %.0f ms; %d OPTIONS answered during it, worst %.1f ms (bound %.0f ms)"
          % (took * 1000, n, worst * 1000, bound * 1000))
    if not rep or not rep.startswith(b"OK\n"):
        print("import reply: %r" % (rep[:300] if rep else rep))
        return False
    return n >= 5 and worst < bound

def refused(r):
    return (r.startswith(b"ERR\n") and b"#code refused" in r and b"retry" in r
            and b"nothing was changed" in r)

def conflict():
    """A big LOAD and a small one on two connections, both in progress at once: the one that
    finishes second was prepared on a base the first changed, so it is refused; its retry
    applies. (Mostly the small one overtakes the big one; either order is correct.)"""
    # a global the big import (1,000 proxy sets, 10,000 addresses) does not touch
    small = b"LOAD incremental small.ini\n[SYSTEM Params]\nTLSExpiryCheckPeriod = 9\n"
    big = load_req(os.environ["BIG2"])
    a, b = conn(), conn()
    a.sendall(frame(big))
    time.sleep(0.005)
    b.sendall(frame(small))
    rb, ra = reply(b), reply(a)
    print("small: %r" % rb[:200])
    print("big:   %r" % ra[:200])
    exp = call(b, b"EXPORT\n")
    if ra.startswith(b"OK\n") and refused(rb):
        if b"TLSExpiryCheckPeriod = 9" in exp or b"127.1.0.1:5062" not in exp:
            print("the configuration is not the big import's alone")
            return False
        rb = call(b, small)
        print("small retried: %r" % rb[:80])
    elif rb.startswith(b"OK\n") and refused(ra):
        if b"TLSExpiryCheckPeriod = 9" not in exp or b"127.1.0.1:5062" in exp:
            print("the configuration is not the small import's alone")
            return False
        ra = call(a, big)
        print("big retried: %r" % ra[:80])
    else:
        print("not exactly one refused")
        return False
    exp = call(b, b"EXPORT\n")
    return (ra.startswith(b"OK\n") and rb.startswith(b"OK\n") and b"127.1.0.1:5062" in exp
            and b"TLSExpiryCheckPeriod = 9" in exp)

def pipelined():
    """A big LOAD and an EXPORT written at once on one connection: the LOAD's frame stays in
    sbcd's input while its job reads it on a worker; then the EXPORT is read and answered
    after it, and sees the import (and a third request, a bad verb, still gets its reply)."""
    big = load_req(os.environ["BIG"]).replace(b":5061", b":5063")
    c = conn()
    c.sendall(frame(big) + frame(b"EXPORT\n") + frame(b"NOSUCHVERB\n"))
    r1, r2, r3 = reply(c), reply(c), reply(c)
    print("load: %r" % (r1[:80] if r1 else r1))
    print("export: %d bytes, %d rows on port 5063" % (len(r2 or b""), (r2 or b"").count(b":5063\"")))
    print("third: %r" % (r3[:80] if r3 else r3))
    return (r1 is not None and r1.startswith(b"OK\n") and r2 is not None and r2.startswith(b"OK\n")
            and r2.count(b":5063\"") == 10000 and r3 is not None and r3.startswith(b"ERR\n"))

def call(s, req):
    s.sendall(frame(req))
    return reply(s)

sys.exit(0 if globals()[sys.argv[1]](*sys.argv[2:]) else 1)
PY
check "the helper parses" python3 -m py_compile "$D/h.py"
check "OPTIONS answered within ${BOUND_MS} ms during a 10,000-row import" python3 "$D/h.py" offloop "$BIG"
sed 's/^/       | /' "$T_DIR/last.out"
check "the imported rows are running" sh -c "'$INI' --socket '$SOCK' export | grep -c '^ProxyIp ' | grep -qx 10000"
check "an import overtaken by another commit is refused (#code refused), the retry applies" \
	python3 "$D/h.py" conflict
sed 's/^/       | /' "$T_DIR/last.out"
check "a LOAD pipelined with an EXPORT and a third request: each answered, in order" \
	python3 "$D/h.py" pipelined
sed 's/^/       | /' "$T_DIR/last.out"
check "the log shows the time on the worker and on the loop" grep -q "ms on a worker, .* ms on the loop: .* to take the base" "$D/sbcd.log"
grep "ms on the loop" "$D/sbcd.log" | sed 's/^/       | /'
check "sbcd still running" kill -0 "$SBCD_PID"
t_end

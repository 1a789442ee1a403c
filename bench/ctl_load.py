#!/usr/bin/env python3
"""Control-socket load for bench/control_load.sh (frames: 4-byte big-endian length + request).

  ctl_load.py login SOCK CONNS PER USER PASSFILE [TIMEOUT]  CONNS connections each send PER
      LOGIN requests at once, pipelined (the password, read from PASSFILE, is the body), then
      every reply is read. Prints "logins=N ok=K seconds=S".
  ctl_load.py noread SOCK N SECONDS                  N connections pipeline EXPORT requests
      for SECONDS and never read a reply, then close. Prints "clients=N frames=F".
Every loop is bounded in time; the process exits by itself. With CTL_LOAD_GO=FIFO in the
environment the load starts (connected, interpreter loaded) and waits for a line on FIFO before
sending anything: bench/control_load.sh starts Python before the measured window, so its
start-up CPU does not count as the load's.
"""
import os, select, socket, struct, sys, time


def frame(text):
    b = text.encode()
    return struct.pack(">I", len(b)) + b


def connect(path, timeout):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def recv_frame(s, deadline):
    data = b""
    need = 4
    hdr = None
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = s.recv(min(1 << 20, need - len(data)))
        except (socket.timeout, OSError):
            return None
        if not chunk:
            return None
        data += chunk
        if len(data) == need:
            if hdr is None:
                hdr = struct.unpack(">I", data)[0]
                data, need = b"", hdr
                if need == 0:
                    return b""
            else:
                return data
    return None


def wait_go():
    go = os.environ.get("CTL_LOAD_GO")
    if go:
        with open(go) as f:
            f.readline()


def login(path, nconn, per, user, passfile, timeout=120.0):
    pw = open(passfile).read().strip()
    conns = [connect(path, timeout) for _ in range(nconn)]
    wait_go()
    t0 = time.monotonic()
    deadline = t0 + timeout
    for s in conns:
        s.sendall(frame("LOGIN %s\n%s" % (user, pw)) * per)
    ok = 0
    for s in conns:
        for _ in range(per):
            r = recv_frame(s, deadline)
            if r is None:
                break
            ok += r.startswith(b"OK")
        s.close()
    print("logins=%d ok=%d seconds=%.2f" % (nconn * per, ok, time.monotonic() - t0))
    return 0 if ok == nconn * per else 1


def noread(path, n, seconds):
    conns = [connect(path, 5) for _ in range(n)]
    for s in conns:
        s.setblocking(False)
    wait_go()
    req = frame("EXPORT\n")
    pend = {s: req for s in conns}
    frames = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        _, w, _ = select.select([], conns, [], min(0.1, max(0, end - time.monotonic())))
        for s in w:
            try:
                k = s.send(pend[s])
            except (BlockingIOError, InterruptedError):
                continue
            except OSError:
                conns.remove(s)  # dropped by sbcd: that is allowed
                continue
            rest = pend[s][k:]
            if not rest:
                frames += 1
            pend[s] = rest or req
        if not conns:
            break
    for s in conns:
        s.close()
    print("clients=%d frames=%d" % (n, frames))
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) >= 6 and a[0] == "login":
        sys.exit(login(a[1], int(a[2]), int(a[3]), a[4], a[5], float(a[6]) if len(a) > 6 else 120.0))
    if len(a) == 4 and a[0] == "noread":
        sys.exit(noread(a[1], int(a[2]), float(a[3])))
    sys.stderr.write(__doc__)
    sys.exit(2)

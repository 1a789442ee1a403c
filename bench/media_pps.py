#!/usr/bin/env python3
"""rtpengine relay load without SIP: CALLS calls set up over ng (offer/answer, RTP/AVP both
sides), then RTP at PPS packets a second per direction per call for SECONDS, from one socket per
call side; prints "sent N received N cpu S" where cpu is rtpengine's CPU seconds over the run
(utime+stime of PID from /proc). usage: media_pps.py NGPORT PID CALLS PPS SECONDS"""
import os
import random
import re
import select
import socket
import sys
import time


def enc(v):
    if isinstance(v, dict):
        return b"d" + b"".join(enc(k) + enc(x) for k, x in sorted(v.items())) + b"e"
    if isinstance(v, list):
        return b"l" + b"".join(enc(x) for x in v) + b"e"
    v = v.encode() if isinstance(v, str) else v
    return b"%d:%s" % (len(v), v)


def ng(port, req):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(b"b%x " % random.getrandbits(40) + enc(req), ("127.0.0.1", port))
    return s.recv(65535).decode("latin1")


def cpu(pid):
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")


def main():
    port, pid, calls, pps, secs = (int(x) for x in sys.argv[1:6])
    legs = []
    for i in range(calls):
        a, b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM), socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        a.bind(("127.0.0.1", 0)), b.bind(("127.0.0.1", 0))
        sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio %d RTP/AVP 0\r\n"
        cid = "bench-%d-%x" % (i, random.getrandbits(32))
        r1 = ng(port, {"command": "offer", "call-id": cid, "from-tag": "a", "sdp": sdp % a.getsockname()[1]})
        r2 = ng(port, {"command": "answer", "call-id": cid, "from-tag": "a", "to-tag": "b", "sdp": sdp % b.getsockname()[1]})
        pa = int(re.search(r"m=audio (\d+)", r2).group(1))  # where a sends (a's view of the SBC)
        pb = int(re.search(r"m=audio (\d+)", r1).group(1))  # where b sends
        legs.append((a, pa, b, pb))
    payload = bytes(160)
    sent = got = 0
    c0, t0 = cpu(pid), time.monotonic()
    socks = [s for l in legs for s in (l[0], l[2])]
    for tick in range(pps * secs):
        hdr = bytes([0x80, 0]) + (tick & 0xffff).to_bytes(2, "big") + (tick * 160).to_bytes(4, "big")
        for i, (a, pa, b, pb) in enumerate(legs):
            a.sendto(hdr + (2 * i).to_bytes(4, "big") + payload, ("127.0.0.1", pa))
            b.sendto(hdr + (2 * i + 1).to_bytes(4, "big") + payload, ("127.0.0.1", pb))
            sent += 2
        end = t0 + (tick + 1) / pps
        while True:
            left = end - time.monotonic()
            r, _, _ = select.select(socks, [], [], max(0, left))
            for s in r:
                while True:
                    try:
                        s.recv(2048, socket.MSG_DONTWAIT)
                        got += 1
                    except BlockingIOError:
                        break
            if left <= 0:
                break
    time.sleep(0.2)
    for s in socks:
        while True:
            try:
                s.recv(2048, socket.MSG_DONTWAIT)
                got += 1
            except BlockingIOError:
                break
    print("sent %d received %d cpu %.2f seconds %.1f" % (sent, got, cpu(pid) - c0, time.monotonic() - t0))


if __name__ == "__main__":
    main()

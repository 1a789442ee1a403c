#!/usr/bin/env python3
"""Round-trip times of OPTIONS to the SBC over UDP (standard library only).

Sends N OPTIONS to 127.0.0.1:PORT one after the other, GAP seconds apart, and prints each
round trip in milliseconds (or "lost" after 2 s), then "p90 MS" and "max MS".

usage: options_rtt.py PORT N GAP
"""
import random
import socket
import sys
import time

port, n, gap = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
s.settimeout(2)
me = s.getsockname()[1]
rtts = []
for i in range(n):
    cid = "%x@rtt" % random.getrandbits(48)
    branch = "z9hG4bK%x" % random.getrandbits(48)
    req = (
        "OPTIONS sip:sbc@127.0.0.1:%d SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:rtt@127.0.0.1>;tag=%d\r\nTo: <sip:sbc@127.0.0.1>\r\n"
        "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        % (port, me, branch, i, cid)
    ).encode()
    t0 = time.monotonic()
    s.sendto(req, ("127.0.0.1", port))
    rtt = None
    while True:
        try:
            d, _ = s.recvfrom(65535)
        except socket.timeout:
            break
        if cid.encode() in d and d.startswith(b"SIP/2.0 2"):
            rtt = (time.monotonic() - t0) * 1000
            break
    print("%.2f" % rtt if rtt is not None else "lost")
    rtts.append(rtt if rtt is not None else 2000.0)
    time.sleep(gap)
rtts.sort()
print("p90 %.2f" % rtts[max(0, int(len(rtts) * 0.9) - 1)])
print("max %.2f" % rtts[-1])

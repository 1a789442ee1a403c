#!/usr/bin/env python3
"""HA failover probe (bench/ha_failover.sh): a new mutual-TLS connection every INTERVAL seconds,
one OPTIONS on it, answered or not within TIMEOUT. Prints one line per attempt:
"<unix time of the attempt, s> ok|fail" until the file STOP exists or DURATION passed.
usage: ha_probe.py HOST PORT CERT KEY CA STOPFILE [DURATION] [INTERVAL] [TIMEOUT]"""
import os
import socket
import ssl
import sys
import time

host, port, cert, key, ca, stop = sys.argv[1:7]
duration = float(sys.argv[7]) if len(sys.argv) > 7 else 60
interval = float(sys.argv[8]) if len(sys.argv) > 8 else 0.05
timeout = float(sys.argv[9]) if len(sys.argv) > 9 else 0.5
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
ctx.load_cert_chain(cert, key)
end = time.time() + duration
n = 0
while time.time() < end and not os.path.exists(stop):
    n += 1
    t = time.time()
    ok = False
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as s:
            s.settimeout(timeout)
            with ctx.wrap_socket(s) as c:
                c.sendall((f"OPTIONS sip:sbc@{host}:{port};transport=tls SIP/2.0\r\n"
                           f"Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-p{n}-{os.getpid()}\r\n"
                           f"Max-Forwards: 70\r\nFrom: <sip:probe@invalid>;tag=p{n}\r\n"
                           f"To: <sip:sbc@{host}>\r\nCall-ID: probe{n}-{os.getpid()}@bench\r\n"
                           "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode())
                buf = b""
                while b"\r\n\r\n" not in buf:
                    d = c.recv(4096)
                    if not d:
                        break
                    buf += d
                ok = buf.startswith(b"SIP/2.0 200")
    except (OSError, ssl.SSLError):
        pass
    print(f"{t:.3f} {'ok' if ok else 'fail'}", flush=True)
    left = interval - (time.time() - t)
    if left > 0:
        time.sleep(left)

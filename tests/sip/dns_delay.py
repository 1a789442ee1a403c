#!/usr/bin/env python3
"""A UDP DNS relay that answers late (the DNS routing test's slow server).

Relays each query from 127.0.0.1:PORT to 127.0.0.1:UPSTREAM and its answer back DELAY seconds
later; counts the queries in COUNT_FILE (one line per query).

usage: dns_delay.py PORT UPSTREAM DELAY COUNT_FILE
"""
import socket
import sys
import threading
import time

port, up, delay, count_file = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", port))


def relay(q, src):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(5)
    try:
        u.sendto(q, ("127.0.0.1", up))
        a, _ = u.recvfrom(65535)
    except OSError:
        return
    finally:
        u.close()
    time.sleep(delay)
    s.sendto(a, src)


while True:
    q, src = s.recvfrom(65535)
    with open(count_file, "a") as f:
        f.write("q\n")
    threading.Thread(target=relay, args=(q, src), daemon=True).start()

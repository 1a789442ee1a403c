#!/usr/bin/env python3
"""A TLS front end for the DNS routing test (standard library only).

Listens on 127.0.0.1:PORT with CERT/KEY, writes the SNI host name each client sent (or "-")
to SNI_FILE, one line per handshake, and relays every connection to the TCP port TO.

usage: tls_sni_front.py PORT TO CERT KEY SNI_FILE
"""
import socket
import ssl
import sys
import threading

port, to, cert, key, sni_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)


def on_sni(sock, name, c):
    with open(sni_file, "a") as f:
        f.write((name or "-") + "\n")


ctx.sni_callback = on_sni


def pump(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d:
                break
            b.sendall(d)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(raw):
    try:
        tls = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        raw.close()
        return
    back = socket.create_connection(("127.0.0.1", to))
    threading.Thread(target=pump, args=(tls, back), daemon=True).start()
    pump(back, tls)


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", port))
ls.listen(16)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()

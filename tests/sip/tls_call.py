#!/usr/bin/env python3
"""A call from a TLS phone that outlives its connection (tests/integration/ha_keepalived.sh).

    tls_call.py invite STATE --to ADDR:PORT --cert C --key K --ca CA --user U --from-user F
        INVITE (no SDP) over a new mutual-TLS connection, ACK of the 2xx; the dialog
        (Call-ID, tags, the SBC's Contact) goes to the file STATE. Prints "final CODE".
    tls_call.py reinvite STATE ...
        re-INVITE (no SDP) of that dialog over another new connection, ACK of its 2xx.
        Prints "reinvite CODE".
    tls_call.py bye STATE --to ADDR:PORT --cert C --key K --ca CA
        BYE of that dialog over another new connection. Prints "bye CODE".

Exit status 0 when the final response is 2xx, 1 otherwise, 2 when none came in --timeout s.
"""
import argparse
import json
import random
import re
import socket
import ssl
import sys
import time


def connect(a):
    host, port = a.to.rsplit(":", 1)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_cert_chain(a.cert, a.key)
    ctx.load_verify_locations(a.ca)
    ctx.check_hostname = False
    s = ctx.wrap_socket(socket.create_connection((host, int(port)), timeout=a.timeout))
    return s


def header(msg, name):
    m = re.search(r"^" + name + r":\s*(.*?)\r$", msg, re.M | re.I)
    return m.group(1) if m else ""


def final(s, timeout):
    """The first final response on s (text), or None."""
    buf, end = "", time.time() + timeout
    while time.time() < end:
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        buf += d.decode("utf-8", "replace")
        while "\r\n\r\n" in buf:
            head, _, rest = buf.partition("\r\n\r\n")
            n = int(header(head + "\r", "Content-Length") or header(head + "\r", "l") or 0)
            if len(rest) < n:
                break
            buf = rest[n:]
            m = re.match(r"SIP/2.0 (\d+)", head)
            if m and int(m.group(1)) >= 200:
                return head + "\r\n"
    return None


def request(method, ruri, a, st, cseq, local):
    return (
        f"{method} {ruri} SIP/2.0\r\n"
        f"Via: SIP/2.0/TLS {local};branch=z9hG4bK{random.getrandbits(40):x}\r\n"
        "Max-Forwards: 70\r\n"
        f"From: <sip:{st['from_user']}@{st['host']}>;tag={st['ftag']}\r\n"
        f"To: <sip:{st['user']}@{st['host']}>" + (f";tag={st['ttag']}" if st.get("ttag") else "") + "\r\n"
        f"Call-ID: {st['callid']}\r\nCSeq: {cseq} {method}\r\n"
        f"Contact: <sip:{st['from_user']}@{local};transport=tls>\r\n"
        "Content-Length: 0\r\n\r\n"
    )


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["invite", "reinvite", "bye"])
    p.add_argument("state")
    for o in ("--to", "--cert", "--key", "--ca"):
        p.add_argument(o, required=True)
    p.add_argument("--user", default="bob")
    p.add_argument("--from-user", default="alice")
    p.add_argument("--timeout", type=float, default=10)
    a = p.parse_args()
    s = connect(a)
    local = "%s:%d" % s.getsockname()[:2]
    if a.mode == "invite":
        host = a.to.rsplit(":", 1)[0]
        st = {"user": a.user, "from_user": a.from_user, "host": host,
              "ftag": "%x" % random.getrandbits(32),
              "callid": "%x@tls-call" % random.getrandbits(48)}
        s.sendall(request("INVITE", f"sip:{a.user}@{a.to};transport=tls", a, st, 1, local).encode())
        r = final(s, a.timeout)
        if r is None:
            print("final none")
            return 2
        code = int(r.split()[1])
        print("final", code)
        if code >= 300:
            return 1
        st["ttag"] = re.search(r";tag=([^;>\s]+)", header(r, "To") or header(r, "t")).group(1)
        m = re.search(r"<([^>]+)>", header(r, "Contact") or header(r, "m"))
        st["target"] = m.group(1) if m else f"sip:{a.to};transport=tls"
        s.sendall(request("ACK", st["target"], a, st, 1, local).encode())
        time.sleep(0.5)
        with open(a.state, "w") as f:
            json.dump(st, f)
        return 0
    with open(a.state) as f:
        st = json.load(f)
    st["cseq"] = st.get("cseq", 1) + 1
    with open(a.state, "w") as f:
        json.dump(st, f)
    if a.mode == "reinvite":
        s.sendall(request("INVITE", st["target"], a, st, st["cseq"], local).encode())
        r = final(s, a.timeout)
        if r is None:
            print("reinvite none")
            return 2
        print("reinvite", r.split()[1])
        if not r.split()[1].startswith("2"):
            return 1
        s.sendall(request("ACK", st["target"], a, st, st["cseq"], local).encode())
        time.sleep(0.5)
        return 0
    s.sendall(request("BYE", st["target"], a, st, st["cseq"], local).encode())
    r = final(s, a.timeout)
    if r is None:
        print("bye none")
        return 2
    print("bye", r.split()[1])
    return 0 if r.split()[1].startswith("2") else 1


if __name__ == "__main__":
    sys.exit(main())

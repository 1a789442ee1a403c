#!/usr/bin/env python3
"""REGISTER (or another request) to the SBC with SIP digest, for tests/integration/sip_identity.sh.

Sends the request; on a 401/407 challenge answers it with the password (the challenge of
--alg, SHA-256 or MD5), then, as asked, replays the same nonce count (--replay) or waits
--stale seconds first. Prints one line per response: "status CODE [stale] [reason TEXT]".
Standard library only; UDP or TCP; exit 0 when every request got a response.

usage: digreg.py --to 127.0.0.1:PORT --user U [--password P] [--transport udp|tcp]
                 [--contact URI | --wildcard] [--method REGISTER] [--to-user U]
                 [--alg SHA-256|MD5] [--replay] [--stale S] [--realm R]
"""
import argparse
import hashlib
import random
import re
import socket
import sys
import time


def H(alg, s):
    return (hashlib.sha256 if alg == "SHA-256" else hashlib.md5)(s.encode()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--to-user")
    ap.add_argument("--password")
    ap.add_argument("--transport", default="udp")
    ap.add_argument("--contact")
    ap.add_argument("--wildcard", action="store_true")
    ap.add_argument("--method", default="REGISTER")
    ap.add_argument("--alg", default="SHA-256")
    ap.add_argument("--replay", action="store_true")
    ap.add_argument("--stale", type=float, default=0)
    a = ap.parse_args()
    host, port = a.to.rsplit(":", 1)
    dest = (host, int(port))
    if a.transport == "tcp":
        s = socket.create_connection(dest, timeout=5)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.settimeout(5)
    lip, lport = s.getsockname()
    callid = "%x@digreg" % random.getrandbits(64)
    ftag = "%x" % random.getrandbits(32)
    touser = a.to_user or a.user
    ruri = "sip:%s:%s" % (host, port) if a.method == "REGISTER" else \
        "sip:%s@%s:%s" % (touser, host, port)
    contact = "*" if a.wildcard else "<%s>" % (a.contact or "sip:%s@%s:%d;transport=%s" %
                                               (a.user, lip, lport, a.transport))
    buf = [b""]

    def send(cseq, extra=""):
        br = "z9hG4bK%x" % random.getrandbits(48)
        exp = "Expires: 0\r\n" if a.wildcard else ""
        msg = ("%s %s SIP/2.0\r\nVia: SIP/2.0/%s %s:%d;branch=%s;rport\r\nMax-Forwards: 70\r\n"
               "From: <sip:%s@%s>;tag=%s\r\nTo: <sip:%s@%s>\r\nCall-ID: %s\r\nCSeq: %d %s\r\n"
               "Contact: %s\r\n%s%sContent-Length: 0\r\n\r\n" %
               (a.method, ruri, a.transport.upper(), lip, lport, br, a.user, host, ftag, touser,
                host, callid, cseq, a.method, contact, exp, extra))
        if a.transport == "tcp":
            s.sendall(msg.encode())
        else:
            s.sendto(msg.encode(), dest)
        return br

    def recv():
        while True:
            if a.transport == "tcp":
                while b"\r\n\r\n" not in buf[0]:
                    d = s.recv(65535)
                    if not d:
                        return None
                    buf[0] += d
                head, rest = buf[0].split(b"\r\n\r\n", 1)
                m = re.search(rb"(?im)^(content-length|l):\s*(\d+)", head)
                n = int(m.group(2)) if m else 0
                buf[0] = rest[n:]
                text = head.decode()
            else:
                text = s.recv(65535).decode().split("\r\n\r\n")[0]
            code = int(text.split()[1])
            if code >= 200:
                return text

    def report(text):
        code = text.split()[1]
        reason = re.search(r"(?im)^Reason:\s*(.*)$", text)
        print("status %s%s%s" % (code, " stale" if "stale=true" in text else "",
                                 " reason " + reason.group(1) if reason else ""))
        sys.stdout.flush()

    cseq = 1
    send(cseq)
    r = recv()
    if r is None:
        return 2
    report(r)
    code = int(r.split()[1])
    if code not in (401, 407) or a.password is None:
        return 0
    hname = "WWW-Authenticate" if code == 401 else "Proxy-Authenticate"
    aname = "Authorization" if code == 401 else "Proxy-Authorization"
    ch = [l for l in r.split("\r\n") if l.lower().startswith(hname.lower() + ":") and
          "algorithm=" + a.alg in l][0]
    realm = re.search(r'realm="([^"]*)"', ch).group(1)
    nonce = re.search(r'nonce="([^"]*)"', ch).group(1)
    if a.stale:
        time.sleep(a.stale)
    nc = "00000001"
    ha1 = H(a.alg, "%s:%s:%s" % (a.user, realm, a.password))
    ha2 = H(a.alg, "%s:%s" % (a.method, ruri))
    resp = H(a.alg, "%s:%s:%s:%s:auth:%s" % (ha1, nonce, nc, "0a4f113b", ha2))
    auth = ('%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", '
            'algorithm=%s, qop=auth, nc=%s, cnonce="0a4f113b"\r\n' %
            (aname, a.user, realm, nonce, ruri, resp, a.alg, nc))
    for i in range(2 if a.replay else 1):
        cseq += 1
        send(cseq, auth)
        r = recv()
        if r is None:
            return 2
        report(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())

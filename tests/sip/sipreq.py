#!/usr/bin/env python3
"""A tiny SIP user agent client for the routing tests (standard library only).

Sends one request outside a dialog to the SBC and prints what came back:

    final CODE PHRASE          the final response
    reason VALUE               each Reason header of it
    answered-by NAME           the s= line of a 2xx SDP (tests/sip/uas.xml puts its name there)
    bye CODE                   INVITE answered 2xx: the status of our BYE

A 2xx to INVITE is ACKed and the call ended with BYE at once; a non-2xx final
response to INVITE is ACKed as RFC 3261 17.1.1.3 says. Exit status 0 when a
final response came, 2 when none came within --timeout seconds.

usage: sipreq.py --to 127.0.0.1:PORT [--transport udp|tcp] [--method INVITE]
                 [--user RURI-USER] [--from-user USER] [--timeout S]
"""
import argparse
import random
import re
import socket
import sys
import time


def parse(data):
    """One message from data: (start line, headers list, body, rest) or None."""
    sep = data.find(b"\r\n\r\n")
    if sep < 0:
        return None
    head = data[:sep].decode("utf-8", "replace").split("\r\n")
    hdrs = []
    for line in head[1:]:
        if line[:1] in (" ", "\t") and hdrs:
            hdrs[-1] = (hdrs[-1][0], hdrs[-1][1] + " " + line.strip())
        elif ":" in line:
            k, v = line.split(":", 1)
            hdrs.append((k.strip().lower(), v.strip()))
    clen = 0
    for k, v in hdrs:
        if k in ("content-length", "l"):
            clen = int(v)
    if len(data) < sep + 4 + clen:
        return None
    return head[0], hdrs, data[sep + 4:sep + 4 + clen], data[sep + 4 + clen:]


def hget(hdrs, *names):
    return [v for k, v in hdrs if k in names]


class Conn:
    def __init__(self, transport, dest, timeout):
        self.transport, self.dest = transport, dest
        if transport == "tcp":
            self.s = socket.create_connection(dest, timeout=timeout)
        else:
            self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.s.bind(("127.0.0.1", 0))
        self.local = self.s.getsockname()
        self.buf = b""

    def send(self, text):
        data = text.encode()
        if self.transport == "tcp":
            self.s.sendall(data)
        else:
            self.s.sendto(data, self.dest)

    def recv(self, deadline):
        """The next message, or None at the deadline."""
        while True:
            if self.transport == "tcp":
                m = parse(self.buf)
                if m:
                    self.buf = m[3]
                    return m
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.s.settimeout(min(left, 0.5))
            try:
                data = self.s.recv(65535)
            except socket.timeout:
                return "tick"
            if self.transport == "tcp":
                if not data:
                    return None
                self.buf += data
            else:
                m = parse(data)
                if m:
                    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--to", required=True)
    ap.add_argument("--transport", default="udp", choices=("udp", "tcp"))
    ap.add_argument("--method", default="INVITE")
    ap.add_argument("--user", default="service")
    ap.add_argument("--from-user", default="caller")
    ap.add_argument("--timeout", type=float, default=10)
    ap.add_argument("--ruri", help="Request-URI (default sip:USER@the --to address)")
    a = ap.parse_args()

    host, port = a.to.rsplit(":", 1)
    dest = (host, int(port))
    c = Conn(a.transport, dest, a.timeout)
    lip, lport = c.local
    tr = a.transport.upper()
    callid = "%x@sipreq" % random.getrandbits(64)
    ftag = "%x" % random.getrandbits(32)
    branch = "z9hG4bK%x" % random.getrandbits(48)
    ruri = a.ruri or "sip:%s@%s:%s" % (a.user, host, port)
    via = "SIP/2.0/%s %s:%d;branch=%s;rport" % (tr, lip, lport, branch)
    frm = "<sip:%s@%s:%d>;tag=%s" % (a.from_user, lip, lport, ftag)
    to = "<%s>" % ruri
    contact = "<sip:%s@%s:%d;transport=%s>" % (a.from_user, lip, lport, a.transport)

    def request(method, uri, via_, to_, cseq, body="", extra=""):
        ct = "Content-Type: application/sdp\r\n" if body else ""
        return ("%s %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\n"
                "Call-ID: %s\r\nCSeq: %d %s\r\nContact: %s\r\n%s%s"
                "Content-Length: %d\r\n\r\n%s" % (method, uri, via_, frm, to_, callid, cseq,
                                                  method, contact, extra, ct,
                                                  len(body.encode()), body))

    sdp = ""
    if a.method == "INVITE":
        sdp = ("v=0\r\no=caller 1 1 IN IP4 %s\r\ns=caller\r\nc=IN IP4 %s\r\nt=0 0\r\n"
               "m=audio 4000 RTP/AVP 0\r\n" % (lip, lip))
    body = sdp if a.method == "INVITE" else ""
    extra = ""
    if a.method == "MESSAGE":
        extra, body = "Content-Type: text/plain\r\n", "hello"
        req = ("%s %s SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\n"
               "Call-ID: %s\r\nCSeq: 1 MESSAGE\r\n%sContent-Length: %d\r\n\r\n%s" %
               ("MESSAGE", ruri, via, frm, to, callid, extra, len(body), body))
    else:
        req = request(a.method, ruri, via, to, 1, body)
    c.send(req)
    deadline = time.monotonic() + a.timeout
    provisional = False
    next_rtx, rtx = time.monotonic() + 0.5, 0.5
    final = None
    while final is None:
        m = c.recv(deadline)
        if m is None:
            print("no final response within %gs" % a.timeout)
            return 2
        if m == "tick":
            if a.transport == "udp" and not provisional and time.monotonic() >= next_rtx:
                c.send(req)
                rtx = min(rtx * 2, 4)
                next_rtx = time.monotonic() + rtx
            continue
        start, hdrs, mbody, _ = m
        st = re.match(r"SIP/2.0 (\d+) ?(.*)", start)
        if not st:
            continue  # a request (the SBC does not send us any here)
        code = int(st.group(1))
        if code < 200:
            provisional = True
            continue
        final = (code, st.group(2), hdrs, mbody)
    code, phrase, hdrs, mbody = final
    print("final %d %s" % (code, phrase))
    for r in hget(hdrs, "reason"):
        print("reason %s" % r)
    to_tag = hget(hdrs, "to", "t")[0]
    if a.method != "INVITE":
        return 0
    if code >= 300:
        # ACK of a non-2xx: same branch and Request-URI, the response's To
        c.send(request("ACK", ruri, via, to_tag, 1))
        return 0
    mname = re.search(rb"^s=(.*?)\r?$", mbody, re.M)
    if mname:
        print("answered-by %s" % mname.group(1).decode())
    # 2xx: ACK and BYE to the remote target (the SBC's Contact), a new branch each
    rc = hget(hdrs, "contact", "m")
    target = re.search(r"<([^>]+)>", rc[0]).group(1) if rc else ruri
    for method, cseq in (("ACK", 1), ("BYE", 2)):
        v = "SIP/2.0/%s %s:%d;branch=z9hG4bK%x;rport" % (tr, lip, lport, random.getrandbits(48))
        c.send(request(method, target, v, to_tag, cseq))
    deadline = time.monotonic() + a.timeout
    while True:
        m = c.recv(deadline)
        if m is None:
            print("bye no response")
            return 0
        if m == "tick":
            continue
        st = re.match(r"SIP/2.0 (\d+)", m[0])
        cs = hget(m[1], "cseq")
        if st and cs and "BYE" in cs[0] and int(st.group(1)) >= 200:
            print("bye %s" % st.group(1))
            return 0


if __name__ == "__main__":
    sys.exit(main())

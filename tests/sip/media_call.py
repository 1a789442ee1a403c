#!/usr/bin/env python3
"""Two SIP phones (UDP, standard library only) calling each other through the SBC, with RTP.

The caller (UAC) sends to the SBC at --sbc; the SBC routes the Request-URI user to the callee
(UAS) listening on 127.0.0.1:--uas-port. Modes:

    basic    INVITE with SDP, 200 with SDP, ACK; RTP both ways; BYE
    late     INVITE without SDP, the offer in the 200, the answer in the ACK; RTP; BYE
    hold     basic, then a re-INVITE from the caller with a=sendonly (hold); BYE
    cancel   the callee rings (180) and the caller CANCELs
    ext      the callee is a real phone on --uas-port (baresip, auto-answer): basic as the caller
    ext-late      ext with an INVITE without SDP: the phone offers in its 200, we answer in the ACK
    ext-hold      ext, then a re-INVITE with a=sendonly (hold)
    ext-cancel    the phone rings (180, manual answer) and we CANCEL

Prints one line per fact, for the test to grep:

    uas-sdp <repr>        the SDP the callee got (INVITE, or the ACK in late mode)
    uac-sdp <repr>        the SDP the caller got in the 200
    hold-sdp <repr>       the SDP of the re-INVITE the callee got
    rtp-uac N HEX         RTP packets the caller got back, and the first one's payload
    rtp-uas N HEX         the same at the callee
    sent-payload HEX      the payload every RTP packet carried
    call-id ID            the caller's Call-ID (the SBC's rtpengine call)
    result ok|cancelled   how the call ended; exit status 0 when the flow completed
"""
import argparse
import base64
import functools
import os
import random
import re
import select
import socket
import sys
import time

T0 = time.monotonic()
print = functools.partial(print, flush=True)  # the test reads the lines while we run


def rnd(bits=32):
    return "%x" % random.getrandbits(bits)


def parse(data):
    sep = data.find(b"\r\n\r\n")
    if sep < 0:
        return None
    head = data[:sep].decode("utf-8", "replace").split("\r\n")
    hdrs = []
    for line in head[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            hdrs.append((k.strip().lower(), v.strip()))
    return {"start": head[0], "hdrs": hdrs, "body": data[sep + 4:].decode("utf-8", "replace")}


def h(m, name):
    short = {"via": "v", "from": "f", "to": "t", "call-id": "i", "contact": "m", "cseq": "cseq"}
    for k, v in m["hdrs"]:
        if k == name or k == short.get(name):
            return v
    return ""


def hall(m, name):
    return [v for k, v in m["hdrs"] if k == name or (name == "via" and k == "v")]


def status(m):
    s = m["start"].split(" ")
    return int(s[1]) if s[0].startswith("SIP/") else 0


def method(m):
    return "" if m["start"].startswith("SIP/") else m["start"].split(" ")[0]


def sdp(port, extra="", offer=""):
    """Our SDP; as the answer to an RTP/SAVP offer, RTP/SAVP with a crypto line of our own
    (SDES: each side sends with the key it declares; we never send, only count)."""
    proto = "RTP/AVP"
    m = re.search(r"^a=crypto:(\d+) (\S+) ", offer, re.M)
    if m:
        proto = "RTP/SAVP"
        key = base64.b64encode(os.urandom(30)).decode()
        extra += "a=crypto:%s %s inline:%s\r\n" % (m.group(1), m.group(2), key)
    return ("v=0\r\no=- %s 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
            "m=audio %d %s 0\r\na=rtpmap:0 PCMU/8000\r\n%s" % (rnd(16), port, proto, extra))


def media_of(body):
    c = re.search(r"^c=IN IP4 (\S+)", body, re.M)
    m = re.search(r"^m=audio (\d+)", body, re.M)
    return (c.group(1), int(m.group(1))) if c and m else None


class Phone:
    def __init__(self, port=0):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", port))
        self.port = self.s.getsockname()[1]
        self.rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.rtp.bind(("127.0.0.1", 0))
        self.rtp_port = self.rtp.getsockname()[1]
        self.rtp_got, self.rtp_first = 0, b""

    def send(self, text, dest):
        self.s.sendto(text.encode(), dest)

    def wait(self, pred, timeout=8.0):
        """The next message pred accepts (others are dropped), with its source."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r, _, _ = select.select([self.s], [], [], max(0, end - time.monotonic()))
            if not r:
                break
            data, src = self.s.recvfrom(65535)
            m = parse(data)
            if m and pred(m):
                return m, src
        raise SystemExit("timeout waiting at port %d (%.1fs)" % (self.port, time.monotonic() - T0))


def response(req, code, phrase, totag="", body="", contact=""):
    to = h(req, "to")
    if totag and ";tag=" not in to:
        to += ";tag=" + totag
    lines = ["SIP/2.0 %d %s" % (code, phrase)]
    lines += ["Via: " + v for v in hall(req, "via")]
    lines += ["From: " + h(req, "from"), "To: " + to, "Call-ID: " + h(req, "call-id"),
              "CSeq: " + h(req, "cseq")]
    if contact:
        lines.append("Contact: " + contact)
    if body:
        lines.append("Content-Type: application/sdp")
    lines.append("Content-Length: %d" % len(body.encode()))
    return "\r\n".join(lines) + "\r\n\r\n" + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sbc", required=True)
    ap.add_argument("--uas-port", type=int, required=True)
    ap.add_argument("--user", default="media")
    ap.add_argument("--mode", default="basic", choices=("basic", "late", "hold", "cancel", "ext",
                                                       "ext-late", "ext-hold", "ext-cancel"))
    ap.add_argument("--rtp", type=int, default=50)
    ap.add_argument("--linger", type=float, default=0, help="seconds up before hold and BYE")
    a = ap.parse_args()
    host, port = a.sbc.rsplit(":", 1)
    sbc = (host, int(port))
    uac, uas = Phone(), Phone(0 if a.mode == "ext" else a.uas_port)
    callid, ftag, uas_tag = rnd(64) + "@media_call", rnd(), rnd()
    ruri = "sip:%s@%s:%s" % (a.user, host, port)
    frm = "<sip:caller@127.0.0.1:%d>;tag=%s" % (uac.port, ftag)
    uac_contact = "<sip:caller@127.0.0.1:%d>" % uac.port
    uas_contact = "<sip:callee@127.0.0.1:%d>" % uas.port

    def request(meth, uri, cseq, to, body=""):
        lines = ["%s %s SIP/2.0" % (meth, uri),
                 "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s;rport" % (uac.port, rnd(48)),
                 "Max-Forwards: 70", "From: " + frm, "To: " + to, "Call-ID: " + callid,
                 "CSeq: %d %s" % (cseq, meth), "Contact: " + uac_contact]
        if body:
            lines.append("Content-Type: application/sdp")
        lines.append("Content-Length: %d" % len(body.encode()))
        return "\r\n".join(lines) + "\r\n\r\n" + body

    print("call-id %s" % callid)
    print("uac-rtp-port %d" % uac.rtp_port)  # the caller's own port, as it offers it
    offer = "" if a.mode in ("late", "ext-late") else sdp(uac.rtp_port)
    invite = request("INVITE", ruri, 1, "<%s>" % ruri, offer)
    uac.send(invite, sbc)
    if a.mode.startswith("ext"):
        return ext_call(a, uac, sbc, request, ruri, invite)
    inv, inv_src = uas.wait(lambda m: method(m) == "INVITE")
    if a.mode != "late":
        print("uas-sdp %r" % inv["body"])
    if a.mode == "cancel":
        uas.send(response(inv, 180, "Ringing", uas_tag, contact=uas_contact), inv_src)
        uac.wait(lambda m: status(m) == 180)
        cancel = invite.replace("INVITE " + ruri, "CANCEL " + ruri, 1)
        cancel = re.sub(r"CSeq: 1 INVITE", "CSeq: 1 CANCEL", cancel)
        cancel = re.sub(r"Content-Type: application/sdp\r\n", "", cancel)
        cancel = cancel.split("Content-Length:")[0] + "Content-Length: 0\r\n\r\n"
        uac.send(cancel, sbc)
        c, c_src = uas.wait(lambda m: method(m) == "CANCEL")
        uas.send(response(c, 200, "OK", uas_tag), c_src)
        uas.send(response(inv, 487, "Request Terminated", uas_tag), inv_src)
        r, _ = uac.wait(lambda m: status(m) == 487)
        uac.send(request("ACK", ruri, 1, h(r, "to")), sbc)
        uas.wait(lambda m: method(m) == "ACK")
        print("result cancelled")
        return 0
    answer = sdp(uas.rtp_port, offer=inv["body"])
    uas.send(response(inv, 200, "OK", uas_tag, answer, uas_contact), inv_src)
    ok, _ = uac.wait(lambda m: status(m) == 200)
    print("uac-sdp %r" % ok["body"])
    to = h(ok, "to")
    target = re.search(r"<([^>]+)>", h(ok, "contact")).group(1)
    uac.send(request("ACK", target, 1, to, sdp(uac.rtp_port) if a.mode == "late" else ""), sbc)
    ack, _ = uas.wait(lambda m: method(m) == "ACK")
    if a.mode == "late":
        print("uas-sdp %r" % ack["body"])
        uas_remote = media_of(ack["body"])
    else:
        uas_remote = media_of(inv["body"])
    uac_remote = media_of(ok["body"])
    # RTP both ways, 20 ms apart
    payload = os.urandom(160)
    print("sent-payload %s" % payload.hex())
    seq = random.randint(0, 1000)
    for i in range(a.rtp):
        for ph, dest, ssrc in ((uac, uac_remote, 0x1111), (uas, uas_remote, 0x2222)):
            hdr = bytes([0x80, 0]) + ((seq + i) & 0xffff).to_bytes(2, "big") + \
                (i * 160).to_bytes(4, "big") + ssrc.to_bytes(4, "big")
            if dest:
                ph.rtp.sendto(hdr + payload, dest)
        end = time.monotonic() + 0.02
        while time.monotonic() < end:
            r, _, _ = select.select([uac.rtp, uas.rtp], [], [], max(0, end - time.monotonic()))
            for sk in r:
                data = sk.recv(2048)
                ph = uac if sk is uac.rtp else uas
                if not ph.rtp_got:
                    ph.rtp_first = data[12:]
                ph.rtp_got += 1
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        r, _, _ = select.select([uac.rtp, uas.rtp], [], [], 0.05)
        for sk in r:
            data = sk.recv(2048)
            ph = uac if sk is uac.rtp else uas
            if not ph.rtp_got:
                ph.rtp_first = data[12:]
            ph.rtp_got += 1
    print("rtp-uac %d %s" % (uac.rtp_got, uac.rtp_first.hex()))
    print("rtp-uas %d %s" % (uas.rtp_got, uas.rtp_first.hex()))
    print("rtp-done")
    time.sleep(a.linger)
    cseq = 2
    if a.mode == "hold":
        uac.send(request("INVITE", target, cseq, to, sdp(uac.rtp_port, "a=sendonly\r\n")), sbc)
        re_inv, src = uas.wait(lambda m: method(m) == "INVITE")
        print("hold-sdp %r" % re_inv["body"])
        uas.send(response(re_inv, 200, "OK", "", sdp(uas.rtp_port, "a=recvonly\r\n"),
                          uas_contact), src)
        ok2, _ = uac.wait(lambda m: status(m) == 200 and "INVITE" in h(m, "cseq"))
        print("hold-answer %r" % ok2["body"])
        uac.send(request("ACK", target, cseq, to), sbc)
        uas.wait(lambda m: method(m) == "ACK")
        cseq += 1
    uac.send(request("BYE", target, cseq, to), sbc)
    bye, src = uas.wait(lambda m: method(m) == "BYE")
    uas.send(response(bye, 200, "OK"), src)
    uac.wait(lambda m: status(m) == 200 and "BYE" in h(m, "cseq"))
    print("result ok")
    return 0


def ext_call(a, uac, sbc, request, ruri, invite):
    """The caller's side only: the callee is a real phone that answers by itself."""
    if a.mode == "ext-cancel":
        uac.wait(lambda m: status(m) == 180, 15)
        print("ringing")
        cancel = invite.replace("INVITE " + ruri, "CANCEL " + ruri, 1)
        cancel = re.sub(r"CSeq: 1 INVITE", "CSeq: 1 CANCEL", cancel)
        cancel = re.sub(r"Content-Type: application/sdp\r\n", "", cancel)
        cancel = cancel.split("Content-Length:")[0] + "Content-Length: 0\r\n\r\n"
        uac.send(cancel, sbc)
        r, _ = uac.wait(lambda m: status(m) >= 300 and "INVITE" in h(m, "cseq"), 10)
        uac.send(request("ACK", ruri, 1, h(r, "to")), sbc)
        print("result cancelled %d" % status(r))
        return 0 if status(r) == 487 else 1
    ok, _ = uac.wait(lambda m: status(m) >= 200 and "INVITE" in h(m, "cseq"), 15)
    if status(ok) != 200:
        print("result refused %d" % status(ok))
        return 1
    print("uac-sdp %r" % ok["body"])
    to = h(ok, "to")
    target = re.search(r"<([^>]+)>", h(ok, "contact")).group(1)
    # late offer: the phone's offer is in the 200, our answer goes in the ACK
    uac.send(request("ACK", target, 1, to,
                     sdp(uac.rtp_port, offer=ok["body"]) if a.mode == "ext-late" else ""), sbc)
    dest = media_of(ok["body"])
    payload = os.urandom(160)
    print("sent-payload %s" % payload.hex())
    for i in range(a.rtp):
        hdr = bytes([0x80, 0]) + i.to_bytes(2, "big") + (i * 160).to_bytes(4, "big") + \
            (0x3333).to_bytes(4, "big")
        uac.rtp.sendto(hdr + payload, dest)
        end = time.monotonic() + 0.02
        while time.monotonic() < end:
            r, _, _ = select.select([uac.rtp], [], [], max(0, end - time.monotonic()))
            if r:
                uac.rtp.recv(2048)
                uac.rtp_got += 1
    print("rtp-uac %d" % uac.rtp_got)
    print("rtp-done")
    time.sleep(a.linger)
    cseq = 2
    if a.mode == "ext-hold":
        uac.send(request("INVITE", target, cseq, to, sdp(uac.rtp_port, "a=sendonly\r\n")), sbc)
        ok2, _ = uac.wait(lambda m: status(m) >= 200 and "INVITE" in h(m, "cseq"), 10)
        print("hold-answer %d %r" % (status(ok2), ok2["body"]))
        uac.send(request("ACK", target, cseq, to), sbc)
        cseq += 1
    uac.send(request("BYE", target, cseq, to), sbc)
    uac.wait(lambda m: status(m) == 200 and "BYE" in h(m, "cseq"))
    print("result ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())

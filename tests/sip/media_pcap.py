#!/usr/bin/env python3
"""Reads a tcpdump capture of loopback (pcap, link type Ethernet or Linux cooked) and checks
where RTP flowed and whether its payload was in clear.

usage: media_pcap.py PCAP A_PORTS B_PORTS ENGINE_PORTS A_HZ B_HZ

A is the plain phone, B the secured one (SRTP); *_PORTS are "lo-hi" ranges of UDP ports; A_HZ
and B_HZ the frequencies of the sine tones the phones send (PCMU, 8 kHz). A payload is A's (or
B's) audio in clear when, decoded as PCMU, its first 20 ms cross zero as often as that tone does
(2 x HZ x 0.02, +-3); encrypted payloads decode to noise (about 80 crossings). Prints:

    a-to-engine N CLEAR     packets A -> rtpengine, how many carry A's tone in clear (PCMU)
    engine-to-a N CLEAR     rtpengine -> A, how many carry B's tone in clear
    b-to-engine N CLEAR     B -> rtpengine, how many carry B's audio in clear (0 for SRTP)
    engine-to-b N CLEAR     rtpengine -> B, how many carry A's audio in clear (0 for SRTP)
    direct N                packets between A and B not through rtpengine
    b-lengths L,...         payload lengths (after the 12-byte RTP header) of packets to B
"""
import audioop
import struct
import sys


def rng(s):
    lo, hi = s.split("-")
    return int(lo), int(hi)


def inr(p, r):
    return r[0] <= p <= r[1]


def tone_of(payload, hz):
    """1 when payload, PCMU, is 20 ms of a sine of hz (its zero crossings)."""
    if len(payload) < 160:
        return 0
    pcm = audioop.ulaw2lin(payload[:160], 2)
    x = struct.unpack("<160h", pcm)
    crossings = sum(1 for i in range(1, 160) if (x[i - 1] < 0) != (x[i] < 0))
    return int(abs(crossings - 2 * hz * 0.02) <= 3)


def packets(path):
    data = open(path, "rb").read()
    magic, = struct.unpack("<I", data[:4])
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    link, = struct.unpack(end + "I", data[20:24])
    off = 24
    hl = {1: 14, 113: 16, 0: 4}.get(link, 14)
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = frame[hl:]
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        udp = ip[ihl:]
        if len(udp) < 8:
            continue
        sport, dport = struct.unpack(">HH", udp[:4])
        yield sport, dport, udp[8:]


def main():
    pcap, a, b, e = sys.argv[1], rng(sys.argv[2]), rng(sys.argv[3]), rng(sys.argv[4])
    ua, ub = float(sys.argv[5]), float(sys.argv[6])
    flows = {k: [0, 0] for k in ("a-to-engine", "engine-to-a", "b-to-engine", "engine-to-b")}
    direct, blens = 0, set()
    for sport, dport, pl in packets(pcap):
        if len(pl) < 12 or pl[0] >> 6 != 2 or (pl[1] & 0x7f) >= 72:
            continue  # not RTP (RTCP has payload types 72-76 in this octet)
        body = pl[12:]
        key = None
        if inr(sport, a) and inr(dport, e):
            key, audio = "a-to-engine", ua
        elif inr(sport, e) and inr(dport, a):
            key, audio = "engine-to-a", ub
        elif inr(sport, b) and inr(dport, e):
            key, audio = "b-to-engine", ub
        elif inr(sport, e) and inr(dport, b):
            key, audio = "engine-to-b", ua
            blens.add(len(body))
        elif (inr(sport, a) and inr(dport, b)) or (inr(sport, b) and inr(dport, a)):
            direct += 1
        if key:
            flows[key][0] += 1
            flows[key][1] += tone_of(body, audio)
    for k, (n, clear) in flows.items():
        print("%s %d %d" % (k, n, clear))
    print("direct %d" % direct)
    print("b-lengths %s" % ",".join(str(x) for x in sorted(blens)))


if __name__ == "__main__":
    main()

# Helpers of the media tests (tests/integration/media_*.sh): a private rtpengine (userspace, ng
# on loopback, its own port range) and an ng client. Source after tests/lib.sh and
# tests/sip/lib-sip.sh, call after t_begin. Processes started here are tracked (t_track).

# media_rtpengine_start: rtpengine on 127.0.0.1, ng port NG (picked once), RTP ports
# PMIN..PMAX (100 ports, picked once); log in $T_DIR/rtpengine.log. Sets RTPE_PID.
media_rtpengine_start() {
	[ -n "${NG:-}" ] || NG=$(free_udp)
	[ -n "${PMIN:-}" ] || PMIN=$((30000 + (RANDOM % 300) * 100))
	PMAX=$((PMIN + 99))
	rtpengine --config-file=none --foreground --log-stderr --table=-1 --interface=127.0.0.1 \
		--listen-ng=127.0.0.1:"$NG" --port-min="$PMIN" --port-max="$PMAX" \
		--log-level=6 --delete-delay=0 >>"$T_DIR/rtpengine.log" 2>&1 &
	RTPE_PID=$!
	t_track "$RTPE_PID"
}

# ng COMMAND [CALL-ID]: one ng request to rtpengine on $NG, its reply dictionary as Python repr
ng() {
	python3 - "$NG" "$@" <<'PY'
import random, socket, sys
def enc(v):
    if isinstance(v, dict):
        return b"d" + b"".join(enc(k) + enc(x) for k, x in sorted(v.items())) + b"e"
    if isinstance(v, int):
        return b"i%de" % v
    v = v.encode() if isinstance(v, str) else v
    return b"%d:%s" % (len(v), v)
def dec(b, i=0):
    c = b[i:i+1]
    if c == b"i":
        j = b.index(b"e", i); return int(b[i+1:j]), j + 1
    if c in (b"l", b"d"):
        i += 1; out = []
        while b[i:i+1] != b"e":
            v, i = dec(b, i); out.append(v)
        return (dict(zip(out[::2], out[1::2])) if c == b"d" else out), i + 1
    j = b.index(b":", i); n = int(b[i:j]); return b[j+1:j+1+n].decode("latin1"), j + 1 + n
req = {"command": sys.argv[2]}
if len(sys.argv) > 3:
    req["call-id"] = sys.argv[3]
cookie = b"t%d" % random.getrandbits(32)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(cookie + b" " + enc(req), ("127.0.0.1", int(sys.argv[1])))
data = s.recv(65535)
print(repr(dec(data.split(b" ", 1)[1])[0]))
PY
}

# ng_knows CALL-ID: rtpengine holds that call (ng query answers ok)
ng_knows() { ng query "$1" | grep -q "'result': 'ok'"; }

# ng_packets CALL-ID: RTP packets rtpengine counted for the call (totals, both ways)
ng_packets() {
	ng query "$1" | python3 -c 'import ast,sys; d=ast.literal_eval(sys.stdin.read()); print(d.get("totals",{}).get("RTP",{}).get("packets",0))'
}

# in_range PORT: PORT is one of rtpengine's (PMIN..PMAX)
in_range() { [ -n "$1" ] && [ "$1" -ge "$PMIN" ] && [ "$1" -le "$PMAX" ]; }

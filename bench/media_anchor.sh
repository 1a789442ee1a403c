#!/bin/bash
# Benchmark: media anchoring through rtpengine (issue 20). In one run:
#  (a) calls per second through sbcd with SDP (sipp's built-in UAC -> sbcd -> tests/sip/uas.xml),
#      anchored (IpProfile SBCMediaAnchoring 1) and not (0), the same load; CPU seconds per call
#      of sbcd and of rtpengine;
#  (b) rtpengine's relay: CALLS calls x PPS packets a second each way (bench/media_pps.py), packets
#      relayed per rtpengine CPU-second.
# Prints a Markdown section for doc/PERFORMANCE.md. N, RATE, CALLS, PPS, SECS tune the load.
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/sip/lib-sip.sh"
t_begin bench-media
D=$T_DIR
N=${N:-2000} RATE=${RATE:-200} CALLS=${CALLS:-100} PPS=${PPS:-50} SECS=${SECS:-20}
NG=$(free_udp)
PMIN=$((30000 + (RANDOM % 200) * 100))
rtpengine --config-file=none --foreground --log-stderr --table=-1 --interface=127.0.0.1 \
	--listen-ng=127.0.0.1:"$NG" --port-min="$PMIN" --port-max=$((PMIN + 2999)) --log-level=4 \
	--delete-delay=0 >>"$D/rtpengine.log" 2>&1 &
RTPE=$!
t_track "$RTPE"
printf '[SIP Params]\nMediaEngineAddress = 127.0.0.1:%s\n' "$NG" >"$D/boot.ini"
rt_sbcd "$D" "$D/boot.ini" || { echo "sbcd did not start"; exit 1; }
UAS_P=$(free_udp)
uas_start uas u1 "$UAS_P" >/dev/null
cpu() { awk '{print $14 + $15}' /proc/"$1"/stat; }
profile() {
	sbc_import '[ IpProfile ]' \
		'FORMAT IpProfile_Index = IpProfile_ProfileName, IpProfile_SBCMediaAnchoring;' \
		"IpProfile 0 = \"p\", $1;" '[ \IpProfile ]' >/dev/null
}
sbc_import '[ IpProfile ]' 'FORMAT IpProfile_Index = IpProfile_ProfileName, IpProfile_SBCMediaAnchoring;' \
	'IpProfile 0 = "p", 1;' '[ \IpProfile ]' \
	'[ ProxySet ]' 'FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_ClassificationInput;' \
	'ProxySet 1 = "uas", 1;' '[ \ProxySet ]' \
	'[ ProxyIp ]' 'FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;' \
	"ProxyIp 1 = \"1\", 0, \"127.0.0.1:$UAS_P\", 0;" '[ \ProxyIp ]' \
	'[ IPGroup ]' 'FORMAT IPGroup_Index = IPGroup_Type, IPGroup_Name, IPGroup_ProxySetName, IPGroup_ClassifyByProxySet, IPGroup_IPProfileName;' \
	'IPGroup 0 = 0, "phones", "", 0, "p";' 'IPGroup 1 = 0, "uas", "uas", 0, "p";' '[ \IPGroup ]' \
	'[ Classification ]' 'FORMAT Classification_Index = Classification_ClassificationName, Classification_SrcAddress, Classification_ActionType, Classification_SrcIPGroupName;' \
	'Classification 0 = "local", "127.0.0.1", 1, "phones";' '[ \Classification ]' \
	'[ IP2IPRouting ]' 'FORMAT IP2IPRouting_Index = IP2IPRouting_RouteName, IP2IPRouting_SrcIPGroupName, IP2IPRouting_DestType, IP2IPRouting_DestIPGroupName;' \
	'IP2IPRouting 0 = "out", "phones", 0, "uas";' '[ \IP2IPRouting ]' >/dev/null || { echo "routing import failed"; exit 1; }
# run NAME: N calls at RATE; prints "ok failed seconds sbcd_cpu rtpengine_cpu"
run() {
	local s0 r0 t0 t1 port
	port=$(free_udp)
	s0=$(cpu "$SBCD_PID"); r0=$(cpu "$RTPE"); t0=$(date +%s.%N)
	sipp -sn uac -i 127.0.0.1 -p "$port" -s bench -r "$RATE" -m "$N" -l 500 -nostdin \
		-timeout 300 -trace_screen -screen_file "$D/uac-$1.screen" 127.0.0.1:"$SBC_PORT" >"$D/$1.out" 2>&1
	t1=$(date +%s.%N)
	awk -v a="$(uac_stat "$1" "Successful call")" -v b="$(uac_stat "$1" "Failed call")" \
		-v t="$(echo "$t1 - $t0" | bc)" -v s="$(($(cpu "$SBCD_PID") - s0))" -v r="$(($(cpu "$RTPE") - r0))" \
		-v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%d %d %.2f %.2f %.2f\n", a, b, t, s / hz, r / hz }'
}
profile 0; read -r a_ok a_fail a_t a_s a_r <<<"$(run plain)"
profile 1; read -r b_ok b_fail b_t b_s b_r <<<"$(run anchored)"
pps=$(python3 "$TOP/bench/media_pps.py" "$NG" "$RTPE" "$CALLS" "$PPS" "$SECS")
read -r _ p_sent _ p_got _ p_cpu _ p_secs <<<"$pps"
cat <<MD
## Media anchoring through rtpengine (issue 20)

\`bench/media_anchor.sh\` ($(date -u +%Y-%m-%d), $(nproc) cores shared with other work, rtpengine
$(rtpengine --version 2>&1 | awk '/Version/{print $2}') userspace, sipp built-in UAC with SDP -> sbcd -> sipp UAS, UDP, $N calls
at $RATE calls/s offered, no hold time):

| | calls ok / failed | seconds | calls/s | sbcd CPU ms/call | rtpengine CPU ms/call |
|---|---|---|---|---|---|
| not anchored | $a_ok / $a_fail | $a_t | $(echo "scale=1; $a_ok / $a_t" | bc) | $(echo "scale=3; 1000 * $a_s / ($a_ok + ($a_ok == 0))" | bc) | $(echo "scale=3; 1000 * $a_r / ($a_ok + ($a_ok == 0))" | bc) |
| anchored | $b_ok / $b_fail | $b_t | $(echo "scale=1; $b_ok / $b_t" | bc) | $(echo "scale=3; 1000 * $b_s / ($b_ok + ($b_ok == 0))" | bc) | $(echo "scale=3; 1000 * $b_r / ($b_ok + ($b_ok == 0))" | bc) |

Relay: $CALLS calls x $PPS packets/s each way for ${SECS} s (bench/media_pps.py, set up over ng):
$p_sent packets sent, $p_got relayed back to the phones in ${p_secs} s, rtpengine used ${p_cpu} CPU
seconds: **$(echo "scale=0; $p_got / ($p_cpu + ($p_cpu == 0))" | bc) packets relayed per rtpengine CPU-second**.
MD
t_end >/dev/null

#!/bin/bash
# Benchmark: SIP identity (issue 15), in one run on one machine.
# (1) REGISTER with digest per server CPU-second: sbcd (AuthenticationMode digest,
#     DigestAlgorithms md5-sha-256: sipp answers only MD5 and only the first challenge) against
#     Kamailio 5.6 (Debian: auth_db on db_text, auth_check + www_challenge with qop=auth and nonce
#     counts, registrar save("location") with usrloc in memory), the same USERS users and
#     passwords, the same generator: sipp over UDP with an injection file of users, -au/-ap and
#     bench/register_digest.xml (REGISTER, 401, REGISTER with [authentication], 200), at each
#     rate of RATES for SECS seconds, servers taking turns. Registered once first (warm-up), so the
#     measured REGISTERs are refreshes with a new Call-ID, as phones send them.
# (2) The certificate-identity check on persistent mutual-TLS OPTIONS: sbcd alone, PCONNS
#     connections from bench-tlsload --register (each connection REGISTERs its own AOR with a
#     certificate naming the host, then keeps WINDOW OPTIONS outstanding), TLSIdentityBinding
#     none against subject, alternating, ROUNDS times. Target: within 5%.
# Server CPU is utime+stime from /proc/PID/stat (sbcd; Kamailio's main process and every child)
# over the measured interval. Prints a Markdown section; with --write adds or replaces the
# "SIP identity" section of doc/PERFORMANCE.md. Installs Debian's kamailio when missing (root).
source "$(dirname "$0")/../tests/lib.sh"
source "$(dirname "$0")/../tests/pki.sh"
source "$(dirname "$0")/../tests/sip/lib-sip.sh"
t_begin bench-register-digest
D=$T_DIR
USERS=${USERS:-1000}
RATES=${RATES:-"500 1000 2000"}
SECS=${SECS:-10}
KCHILDREN=${KCHILDREN:-2}
PSECS=${PSECS:-10}
PWARM=${PWARM:-2}
PCONNS=${PCONNS:-50}
WINDOW=${WINDOW:-4}
ROUNDS=${ROUNDS:-3}
XML=$TOP/bench/register_digest.xml
GEN=$BIN/bench-tlsload
HZ=$(getconf CLK_TCK)
MODS=/usr/lib/x86_64-linux-gnu/kamailio/modules

[ -x "$GEN" ] && [ -x "$BIN/sbcd" ] || { echo "build first: make"; exit 1; }
command -v sipp >/dev/null || { echo "sipp is not installed"; exit 1; }
if ! command -v kamailio >/dev/null || [ ! -e "$MODS/auth_db.so" ] || [ ! -e "$MODS/db_text.so" ]; then
	[ "$(id -u)" = 0 ] || { echo "kamailio is not installed (apt-get install kamailio)"; exit 1; }
	echo "installing kamailio (Debian) for this benchmark" >&2
	DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -q kamailio >"$D/apt.log" 2>&1 ||
		{ tail -5 "$D/apt.log"; echo "kamailio install failed"; exit 1; }
fi

# cpu_ticks PID...: utime+stime of the processes (all their threads), clock ticks
cpu_ticks() {
	local t=0 p v
	for p in "$@"; do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
		t=$((t + ${v:-0}))
	done
	echo "$t"
}
calc() { python3 -c "import sys; print(eval(sys.argv[1]))" "$1"; }

# --- users: the sipp injection file, sbcd's SIPCredentials, Kamailio's db_text subscriber ---
mkdir -p "$D/kdb"
cp /usr/share/kamailio/dbtext/kamailio/version "$D/kdb/version"
python3 - "$D" "$USERS" <<'PY'
import hashlib, sys
d, n = sys.argv[1], int(sys.argv[2])
md5 = lambda s: hashlib.md5(s.encode()).hexdigest()
with open(f"{d}/users.csv", "w") as u, open(f"{d}/creds.ini", "w") as c, \
        open(f"{d}/kdb/subscriber", "w") as k:
    u.write("SEQUENTIAL\n")
    c.write("[ SIPCredentials ]\nFORMAT SIPCredentials_Index = SIPCredentials_Username, "
            "SIPCredentials_Password;\n")
    k.write("id(int,auto) username(string) domain(string) password(string) ha1(string) "
            "ha1b(string) \n")
    for i in range(n):
        user, pw = f"user{i}", f"pw-{i}-{md5(str(i))[:8]}"
        u.write(f"{user};{pw}\n")
        c.write(f'SIPCredentials {i} = "{user}", "{pw}";\n')
        # realm "sbc" for both servers (sbcd's AuthenticationRealm default)
        k.write(f"{i + 1}:{user}:sbc:x:{md5(f'{user}:sbc:{pw}')}:x\n")
    c.write("[ \\SIPCredentials ]\n")
PY
chmod 600 "$D/creds.ini" "$D/kdb/subscriber"

# --- PKI for part 2: a PBX certificate whose URI SAN names the host (sip:127.0.0.1) ---
P=$D/pki
pki_make "$P" >/dev/null 2>&1 || { echo "PKI failed"; exit 1; }
printf '[ pbx ]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = clientAuth\nsubjectAltName = URI:sip:127.0.0.1\n' >>"$P/ca.cnf"
(cd "$P" && openssl ecparam -name prime256v1 -genkey -noout -out pbx.key) &&
	pki_sign "$P" pbx pbx.example.com pbx inter -days 365 >/dev/null 2>&1 &&
	cat "$P/pbx.crt" "$P/inter.crt" >"$P/pbx-chain.crt" || { echo "PBX certificate failed"; exit 1; }

# --- sbcd: digest on interface 0 (UDP for part 1), mutual TLS required (part 2) ---
cat >"$D/boot.ini" <<X
[SIP Params]
SIPSRequireClientCertificate = 1
[SIPInterface]
FORMAT SIPInterface_Index = SIPInterface_MaxTLSConnections, SIPInterface_AuthenticationMode, SIPInterface_DigestAlgorithms;
SIPInterface 0 = 100000, 2, 1;
[\\SIPInterface]
X
rt_sbcd "$D" "$D/boot.ini" || { echo "sbcd did not start"; exit 1; }
# the ports t_sbcd chose: the first "SIPInterface 0" line of init.ini (boot.ini's comes after)
SBC_PORT=$(sed -n 's/^SIPInterface 0 = \([0-9]*\), [0-9]*, [0-9]*;/\1/p' "$D/init.ini" | head -1)
SBC_TLS=$(sed -n 's/^SIPInterface 0 = [0-9]*, [0-9]*, \([0-9]*\);/\1/p' "$D/init.ini" | head -1)
"$BIN/sbc-ini" --socket "$SOCK" import --incremental "$D/creds.ini" >"$D/creds.out" 2>&1 ||
	{ cat "$D/creds.out"; echo "SIPCredentials import failed"; exit 1; }
"$BIN/sbc-ini" --socket "$SOCK" tls import-roots 0 -f "$P/cas.pem" >/dev/null ||
	{ echo "trusted roots import failed"; exit 1; }

# --- Kamailio: registrar with digest from db_text, UDP only ---
KPORT=$(free_udp)
cat >"$D/kamailio.cfg" <<X
#!KAMAILIO
debug=-1
log_stderror=yes
children=$KCHILDREN
auto_aliases=no
disable_tcp=yes
listen=udp:127.0.0.1:$KPORT
mpath="$MODS/"
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "db_text.so"
loadmodule "auth.so"
loadmodule "auth_db.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
modparam("auth_db", "db_url", "text://$D/kdb")
modparam("auth_db", "calculate_ha1", 0)
modparam("auth_db", "password_column", "ha1")
modparam("auth_db", "use_domain", 0)
modparam("auth", "qop", "auth")
modparam("auth", "nonce_count", 1)
modparam("usrloc", "db_mode", 0)
request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (!is_method("REGISTER")) { sl_send_reply("405", "Method Not Allowed"); exit; }
	if (!auth_check("sbc", "subscriber", "1")) { www_challenge("sbc", "1"); exit; }
	consume_credentials();
	if (!save("location")) sl_reply_error();
	exit;
}
X
kamailio -f "$D/kamailio.cfg" -DD -E -m 256 -M 32 -Y "$D" >"$D/kam.log" 2>&1 &
KPID=$!
t_track "$KPID"
wait_for "ss -Hlun 'sport = :$KPORT' | grep -q ." 50 || { tail -5 "$D/kam.log"; echo "kamailio did not start"; exit 1; }
sleep 1
KPIDS="$KPID $(pgrep -P "$KPID" | tr '\n' ' ')"

# reg_run PORT RATE COUNT "PIDS": one sipp run; prints "ok failed seconds cpu_seconds"
reg_run() {
	local port=$1 rate=$2 n=$3 pids=$4 lp c0 c1 t0 t1 pid out=$D/sipp.$RANDOM.out
	lp=$(free_udp)
	c0=$(cpu_ticks $pids)
	t0=$(date +%s.%N)
	sipp -sf "$XML" -inf "$D/users.csv" -au '[field0]' -ap '[field1]' -i 127.0.0.1 -p "$lp" \
		-t u1 -r "$rate" -m "$n" -l "$((rate > 100 ? rate : 100))" -nostdin \
		-timeout "$((n / rate + 30))" -max_retrans 3 127.0.0.1:"$port" >"$out" 2>&1 &
	pid=$!
	t_track "$pid"
	wait "$pid"
	t1=$(date +%s.%N)
	c1=$(cpu_ticks $pids)
	local okc fc
	okc=$(sed -n 's/.*Successful call *| *[0-9]* *| *\([0-9]*\).*/\1/p' "$out" | tail -1)
	fc=$(sed -n 's/.*Failed call *| *[0-9]* *| *\([0-9]*\).*/\1/p' "$out" | tail -1)
	echo "${okc:-0} ${fc:-0} $(calc "round($t1 - $t0, 2)") $(calc "round(($c1 - $c0) / $HZ, 2)")"
}

# warm-up: every user registered once on both servers
for s in sbc kam; do
	port=$SBC_PORT; pids=$SBCD_PID
	[ $s = kam ] && port=$KPORT pids=$KPIDS
	read -r ok fl _ _ <<<"$(reg_run "$port" 500 "$USERS" "$pids")"
	echo "warm-up $s: $ok registered, $fl failed" >&2
	[ "$ok" -gt 0 ] || { echo "no registration succeeded on $s"; ls "$D"; exit 1; }
done
SBC_USERS=$("$BIN/sbc-ini" --socket "$SOCK" status SIPIdentityStatus | sed -n "s/^SIPIdentityStatus 0 = [^,]*, *\([0-9]*\),.*/\1/p")

declare -A R
for rate in $RATES; do
	n=$((rate * SECS))
	R[sbc,$rate]=$(reg_run "$SBC_PORT" "$rate" "$n" "$SBCD_PID")
	echo "sbcd     $rate/s: ok failed s cpu_s = ${R[sbc,$rate]}" >&2
	R[kam,$rate]=$(reg_run "$KPORT" "$rate" "$n" "$KPIDS")
	echo "kamailio $rate/s: ok failed s cpu_s = ${R[kam,$rate]}" >&2
done
KAM_RSS=0
for p in $KPIDS; do r=$(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null); KAM_RSS=$((KAM_RSS + ${r:-0})); done
kill "$KPID" 2>/dev/null
wait_for "! kill -0 $KPID" 50

# --- part 2: the identity check on persistent mutual-TLS OPTIONS ---
sbc_import '[ SIPInterface ]' 'FORMAT SIPInterface_Index = SIPInterface_AuthenticationMode;' \
	'SIPInterface 0 = 0;' '[ \SIPInterface ]' >/dev/null || { echo "AuthenticationMode none failed"; exit 1; }
binding() { # none|subject
	local v=0
	[ "$1" = subject ] && v=1
	sbc_import '[ SIPInterface ]' 'FORMAT SIPInterface_Index = SIPInterface_TLSIdentityBinding;' \
		"SIPInterface 0 = $v;" '[ \SIPInterface ]' >/dev/null
}
val() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" <<<"$1"; }
declare -A O
for r in $(seq "$ROUNDS"); do
	for b in none subject; do
		binding "$b" || { echo "TLSIdentityBinding $b failed"; exit 1; }
		O[$b,$r]=$(timeout $((PSECS + PWARM + 30)) "$GEN" --port "$SBC_TLS" --pids "$SBCD_PID" \
			--cert "$P/pbx-chain.crt" --key "$P/pbx.key" --mode persist --register "r$r$b-" \
			--conns "$PCONNS" --window "$WINDOW" --seconds "$PSECS" --warmup "$PWARM" --tls13)
		echo "sbcd OPTIONS, binding $b, round $r: ${O[$b,$r]}" >&2
	done
done
# control: the subject rule is in force (a certificate that does not name the AOR is refused)
mism() { "$BIN/sbc-ini" --socket "$SOCK" status SIPIdentityStatus | sed -n 's/^SIPIdentityStatus 0 = \(.*\);/\1/p' | awk -F', *' '{print $8}'; }
m0=$(mism)
timeout 30 "$GEN" --port "$SBC_TLS" --cert "$P/client.crt" --key "$P/client.key" --mode persist \
	--register ctl- --conns 2 --window 1 --seconds 1 --warmup 0 --tls13 >/dev/null 2>&1
CONTROL=$(($(mism) - m0))
echo "control: a certificate not naming the AOR refused $CONTROL times under subject" >&2
IDS=$("$BIN/sbc-ini" --socket "$SOCK" status SIPIdentityStatus | grep '^SIPIdentityStatus 0')
SBC_RSS=$(awk '/VmHWM/ {print $2}' "/proc/$SBCD_PID/status")
kill "$SBCD_PID"

# --- report ---
KVER=$(kamailio -v 2>/dev/null | sed -n 's/^version: kamailio \([0-9.]*\).*/\1/p')
COMMIT=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null)
OUT=$D/section.md
cat >"$OUT" <<X
## SIP identity: digest REGISTER and the certificate-identity check (issue 15)

Run by \`bench/register_digest.sh\` on $(date -u +%Y-%m-%d) at commit $COMMIT, one run, same
$(nproc)-core machine (shared with other work: compare the columns of one row, not runs).
Server CPU is utime+stime (/proc/PID/stat) over each measured interval.

**Digest REGISTER.** $USERS users with the same passwords on both servers; generator sipp
$(sipp -v 2>&1 | sed -n 's/.*SIPp \(v[0-9.]*\).*/\1/p') over UDP with an injection file of the users, \`-au '[field0]' -ap '[field1]'\` and
\`bench/register_digest.xml\`: REGISTER, 401 (MD5, qop=auth), REGISTER with
\`[authentication]\`, 200 = one registration. Every user registered once before (warm-up), so the
measured ones are refreshes with a new Call-ID. sbcd: \`AuthenticationMode\` digest,
\`DigestAlgorithms\` md5-sha-256 (two challenges, MD5 first: sipp reads only the first),
credentials in \`SIPCredentials\` (HA1s), nonce table with nonce-count replay check. Kamailio
$KVER: \`auth_db\` on \`db_text\`, \`auth_check\` + \`www_challenge\` (qop=auth, \`nonce_count\` on),
\`save("location")\`, \`usrloc\` in memory, children=$KCHILDREN (all processes counted). Each rate
offered for $SECS s to each server in turn; registrations/s is over sipp's whole run.

| offered /s | sbcd reg/s | sbcd CPU s | sbcd reg per CPU-s | Kamailio reg/s | Kamailio CPU s | Kamailio reg per CPU-s | ratio per CPU-s | failed sbcd/Kam. |
|---|---|---|---|---|---|---|---|---|
X
for rate in $RATES; do
	read -r so sf ss sc <<<"${R[sbc,$rate]}"
	read -r ko kf ks kc <<<"${R[kam,$rate]}"
	spc=$(calc "round($so / $sc) if $sc > 0 else 0") kpc=$(calc "round($ko / $kc) if $kc > 0 else 0")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s/%s |\n' "$rate" \
		"$(calc "round($so / $ss)")" "$sc" "$spc" "$(calc "round($ko / $ks)")" "$kc" "$kpc" \
		"$(calc "f'{$spc / $kpc:.2f}' if $kpc else '-'")" "$sf" "$kf" >>"$OUT"
done
{
	echo
	echo "Users registered on sbcd after the warm-up: ${SBC_USERS:-?} (SIPIdentityStatus.RegisteredUsers)."
	echo
	cat <<X
**Certificate-identity check on persistent OPTIONS.** sbcd alone; \`bench-tlsload --mode persist
--register\`: $PCONNS mutual TLS 1.3 connections with one ECDSA client certificate whose URI SAN is
\`sip:127.0.0.1\` (a PBX); each connection first REGISTERs its own AOR (\`sip:rNx-I-PID@127.0.0.1\`,
the binding locked to the certificate), then keeps $WINDOW OPTIONS outstanding; ${PSECS} s measured
after ${PWARM} s. \`TLSIdentityBinding\` none against subject (the certificate must name the AOR:
here its URI SAN matches the AOR host), switched live, alternating, $ROUNDS rounds.

| round | none: OPTIONS/s | none: per CPU-s | subject: OPTIONS/s | subject: per CPU-s | subject / none per CPU-s | errors none/subject |
|---|---|---|---|---|---|---|
X
	sn=0 ss=0 ratios=""
	for r in $(seq "$ROUNDS"); do
		a=${O[none,$r]} b=${O[subject,$r]}
		pa=$(val "$a" per_cpu_s) pb=$(val "$b" per_cpu_s)
		sn=$(calc "$sn + ${pa:-0}") ss=$(calc "$ss + ${pb:-0}")
		ratios="$ratios${ratios:+,}$(calc "${pb:-0} / $pa if ${pa:-0} else 0")"
		printf '| %s | %s | %s | %s | %s | %s | %s/%s |\n' "$r" "$(val "$a" rate)" "$pa" \
			"$(val "$b" rate)" "$pb" "$(calc "f'{${pb:-0} / $pa:.3f}' if ${pa:-0} else '-'")" \
			"$(val "$a" errors)" "$(val "$b" errors)"
	done
	echo "| mean | | $(calc "round($sn / $ROUNDS)") | | $(calc "round($ss / $ROUNDS)") | $(calc "f'{$ss / $sn:.3f}' if $sn else '-'") (target >= 0.95) | |"
	echo "| median of the rounds' ratios | | | | | $(calc "f'{sorted([$ratios])[len([$ratios]) // 2]:.3f}'") | |"
	echo
	echo "SIPIdentityStatus of interface 0 at the end: \`${IDS#*= }\`"
	echo "(RegisteredUsers, Authenticated, Challenges, AuthFailures, StaleNonces, ReplayedNonces,"
	echo "IdentityMismatches, UnauthenticatedRefused, UnregisteredRefused, RegistrationLimitRefused)."
	echo "Control: under subject, REGISTERs with a certificate that does not name the AOR"
	echo "(CN=client.example.com, no SAN) were refused $CONTROL times (IdentityMismatches)."
	echo "Peak RSS: sbcd $((SBC_RSS / 1024)) MiB; Kamailio $((KAM_RSS / 1024)) MiB (all processes)."
	echo
	cat <<X
Commands: \`make -j2 all && bash bench/register_digest.sh --write\` (as root: installs Debian's
\`kamailio\` if missing); knobs USERS=$USERS RATES="$RATES" SECS=$SECS KCHILDREN=$KCHILDREN
PCONNS=$PCONNS WINDOW=$WINDOW PSECS=$PSECS PWARM=$PWARM ROUNDS=$ROUNDS.
X
} >>"$OUT"
cat "$OUT"
if [ "${1:-}" = --write ]; then
	F=$TOP/doc/PERFORMANCE.md
	python3 - "$F" "$OUT" <<'PY'
import sys
f, sec = sys.argv[1], open(sys.argv[2]).read()
doc = open(f).read()
head = "## SIP identity: digest REGISTER and the certificate-identity check (issue 15)"
i = doc.find(head)
if i < 0:
    doc = doc.rstrip("\n") + "\n\n" + sec
else:
    j = doc.find("\n## ", i + len(head))
    rest = doc[j:] if j >= 0 else ""
    # keep notes written under the tables by hand: they start with "### Notes"
    k = doc.find("### Notes", i)
    notes = doc[k:j if j >= 0 else len(doc)] if k >= 0 and (j < 0 or k < j) else ""
    doc = doc[:i] + sec + ("\n" + notes if notes else "") + rest
open(f, "w").write(doc)
PY
fi
T_FAIL=0; [ -n "${KEEP_TMP:-}" ] && echo "artifacts in $D"
t_cleanup >/dev/null
trap - EXIT

#!/bin/bash
# sbc-cli on a real terminal (a private tmux server): golden screens of the keys an IOS user
# types. Each scenario is one interactive session in a fresh 100x50 pane; keys are sent as a
# terminal sends them (escape sequences as raw bytes), and the screen tmux renders is compared
# with tests/cli/term/NAME.screen (UPDATE_GOLDEN=1 rewrites them after a reviewed change).
# Scenarios: `?` never runs a command (reload now ?, write ?, show version ?, history ?: sbcd
# keeps running, no save, flash unchanged); Home/End/Delete of xterm, screen/PuTTY and rxvt;
# TAB; conf t, sh run, enum prefixes, row show with arguments; Ctrl-Z warns at once; do;
# the --More-- pager (terminal length); filters with regular expressions; [confirm] on
# reload; errors and show pending in the CLI's words.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/cli/lib-cli.sh"
t_begin cli_term

D=$T_DIR
GOLD=$TOP/tests/cli/term
TM="tmux -S $D/tmux.sock -f /dev/null"
cli_sbcd_start "$D" || { fail "sbcd"; t_end; exit 1; }
SBCD_PID=$(cat "$D/sbcd.pid")
ini() { "$BIN/sbc-ini" --socket "$D/sbcd.sock" "$@"; }

screen() { $TM capture-pane -p -t t -S -300 | sed -e 's/[[:space:]]*$//' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'; }
# last_is REGEX: wait (10 s at most) until the last non-blank line of the screen matches
last_is() {
	for _ in $(seq 100); do
		screen | sed -n '$p' | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	fail "the screen did not reach /$1/ within 10 s; it ends with:"
	screen | tail -5 | sed 's/^/       | /'
	return 1
}
keys() { $TM send-keys -t t "$@"; }
hex() { $TM send-keys -t t -H "$@"; } # raw bytes, e.g. hex 1b 5b 31 7e (ESC [ 1 ~)
line() { keys -l "$1"; keys Enter; last_is "${2:-^SBC[^ ]*# ?$}"; }

# start a session: --user Admin, enable (its password is not echoed)
session() {
	$TM kill-session -t t 2>/dev/null
	$TM new-session -d -s t -x 100 -y 50 \
		"$BIN/sbc-cli --socket $D/sbcd.sock --user Admin; echo '[sbc-cli exited]'; sleep 600"
	[ -z "$TMUX_PID" ] && TMUX_PID=$($TM display-message -p '#{pid}') && t_track "$TMUX_PID"
	last_is '^SBC>$' && keys -l enable && keys Enter && last_is '^Password:' &&
		keys -l Admin && keys Enter && last_is '^SBC#$'
}

snap() {
	local name=$1 got=$D/$1.screen
	screen | sed -e "s|$D|@DIR@|g" >"$got"
	[ -n "${UPDATE_GOLDEN:-}" ] && cp "$got" "$GOLD/$name.screen"
	if diff -u "$GOLD/$name.screen" "$got" >"$D/$name.diff" 2>&1; then
		ok "screen $name"
	else
		fail "screen $name"
		sed 's/^/       | /' "$D/$name.diff" | head -40
	fi
}

# --- ? shows help and never runs: write ?, reload now ?, show version ?, history ? ---
# The witness: a change in the running configuration only (a reset would drop it); the flash
# file's checksum (a save would change it).
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name;\nTLSContexts 3 = "witness";\n[ \\TLSContexts ]\n' >"$D/witness.ini"
check "a change that is not saved (the witness)" ini import --incremental "$D/witness.ini"
sum_before=$(md5sum <"$D/flash/board.ini")
flash_same() { [ "$(md5sum <"$D/flash/board.ini")" = "$sum_before" ]; }
witness_runs() { ini export TLSContexts | grep -q witness; }
session
keys -l "reload now "
keys -l "?"
last_is "^SBC# reload now$"
check "reload now ?: the unsaved change still runs (no reset)" witness_runs
check "reload now ?: sbcd still runs (the same process)" kill -0 "$SBCD_PID"
keys C-u
keys -l "write "
keys -l "?"
last_is "^SBC# write$"
check "write ?: flash unchanged (no save)" flash_same
keys C-u
for cmd in "show version " "history " "wri"; do
	keys -l "$cmd"
	keys -l "?"
	last_is "^SBC# ${cmd% }"
	keys C-u
done
keys -l "reload now"
keys Left Left Left Left
keys -l "?"
last_is '^SBC# reload now$'
keys C-e C-u
last_is '^SBC#$'
snap help
if witness_runs && flash_same; then ok "at the end: no reset, no save"; else fail "a ? reset or saved"; fi
check "sbcd counts no save" sh -c "'$BIN/sbc-ini' --socket '$D/sbcd.sock' info | grep -qx 'saves 0'"

# --- Home/End/Delete: xterm (ESC [ H/F, ESC O H/F), screen and PuTTY (ESC [ 1~/4~), rxvt (7~/8~) ---
session
keys -l "how version | include ^level"
hex 1b 5b 48       # xterm Home
keys -l s
hex 1b 5b 46       # xterm End
keys -l "|user"    # the pattern is ^level|user
keys Enter
last_is '^SBC#$'
keys -l "xshow version | include ^level"
hex 1b 5b 31 7e    # screen/PuTTY Home
hex 1b 5b 33 7e    # Delete (removes the x)
hex 1b 5b 34 7e    # screen/PuTTY End
keys -l " 220\$"
keys Enter
last_is '^SBC#$'
keys -l "how version | include ^use"
hex 1b 5b 37 7e    # rxvt Home
keys -l s
hex 1b 5b 38 7e    # rxvt End
keys -l r
keys Enter
last_is '^SBC#$'
keys -l "xshow version | include ^level"
hex 1b 4f 48       # xterm application-mode Home
hex 1b 5b 33 7e
hex 1b 4f 46       # xterm application-mode End
keys Enter
last_is '^SBC#$'
# TAB completes a unique prefix; a second TAB lists the choices
keys -l "sh"
keys Tab
keys -l "ru"
keys Tab
keys -l "| inc ^ tls"
keys Enter
last_is '^SBC#$'
keys -l "show st"
keys Tab
last_is '^SBC# show status$'
keys Tab Tab
last_is '^SBC# show status'
keys C-u
snap keys

# --- conf t, sh run, enum prefixes, row show with arguments, Ctrl-Z warns at once, do ---
session
line "conf t" '^SBC\(config\)#$'
line "tls 0" '^SBC\(tls-0\)#$'
line "tls-version tls-1-2-1" '^SBC\(tls-0\)#$'
line "show tls-vers name" '^SBC\(tls-0\)#$'
keys C-z
last_is '^SBC#$'
line "configure network" '^SBC\(config-network\)#$'
line "tls 0" '^SBC\(tls-0\)#$'
line "show tls-version" '^SBC\(tls-0\)#$'
line "tls-version tls-1-2-1-3" '^SBC\(tls-0\)#$'
line "activate" '^SBC\(tls-0\)#$'
line "end"
line "sh run | inc tls-version"
line "configure voip" '^SBC\(config-voip\)#$'
line "sip-interface 0" '^SBC\(sip-interface-0\)#$'
line "tls-context-name x" '^SBC\(sip-interface-0\)#$'
line "activate" '^SBC\(sip-interface-0\)#$'
line "tls-mutual-auth e" '^SBC\(sip-interface-0\)#$'
line "end"
line "conf t" '^SBC\(config\)#$'
line "web" '^SBC\(web\)#$'
line "http-port 8080" '^SBC\(web\)#$'
line "do show pending" '^SBC\(web\)#$'
line "do show status TLSStatus | count" '^SBC\(web\)#$'
line "end"
snap conf
check "the prefix tls-1-2-1 reached sbcd as tls-1-2-1-3 (12)" sh -c "'$BIN/sbc-ini' --socket '$D/sbcd.sock' export TLSContexts |
	grep -q '^TLSContexts 0 = \"default\", 12,'"

# --- the pager: terminal length, --More--, space, Enter, q ---
session
line "terminal length 8"
keys -l "show running-config"
keys Enter
last_is -- '--More--'
keys Space
last_is -- '--More--'
keys Enter
last_is -- '--More--'
keys q
last_is '^SBC#$'
line "terminal length 0"
line "show running-config | count"
line "show terminal"
snap pager

# --- filters: a regular expression holding |, exclude, begin, count ---
session
line "show running-config | include ^ (tls|user) [0-9]"
line "show running-config | exclude ^ |^exit"
line "show running-config | begin ^configure voip"
line "show running-config | include name (default|Admin)"
snap filters

# --- reload asks [confirm]: n cancels, Enter resets ---
session
keys -l "reload now"
keys Enter
last_is 'confirm\]$'
keys -l n
last_is '^SBC#$'
check "n cancels: sbcd still runs" kill -0 "$SBCD_PID"
up1=$(ini info | awk '/^uptime/ {print $2}')
sleep 1.5
keys -l "reload now"
keys Enter
last_is 'confirm\]$'
keys Enter
last_is '^\[sbc-cli exited\]$'
snap confirm
wait_for "'$BIN/sbc-ini' --socket '$D/sbcd.sock' info" 100
up2=$(ini info | awk '/^uptime/ {print $2}')
if [ -n "$up1" ] && [ -n "$up2" ] && [ "$up2" -lt "$up1" ]; then
	ok "Enter at [confirm] reset sbcd (uptime $up1 s, then $up2 s)"
else
	fail "sbcd was not reset (uptime $up1 s, then ${up2:-none} s)"
fi

$TM kill-server 2>/dev/null
t_end

#!/bin/bash
# The Debian package end to end: `make deb`, lintian, then an install into a fresh Debian 12
# root made by debootstrap from this machine's Debian mirror (or, when debootstrap cannot reach
# it, on this machine itself, restored afterwards): files, user, permissions, the unit
# (systemd-analyze verify), sbcd on the shipped flash run as the service runs it, reinstall and
# a version bump keeping the flash, then remove and purge (the policy in doc/OPERATIONS.md).
source "$(dirname "$0")/../lib.sh"
t_begin packaging_install
D=$T_DIR
R=""            # the root installed into; empty: this machine
MODE=""
SBCD=""
HAD_USER=1

skip() { echo "  SKIP $*"; t_end; exit 0; }

# --- tools ------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || skip "installing a package needs root"
missing=""
for t in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian debootstrap:debootstrap \
	unshare:util-linux setpriv:util-linux nsenter:util-linux ip:iproute2 curl:curl; do
	command -v "${t%%:*}" >/dev/null || missing="$missing ${t#*:}"
done
if [ -n "$missing" ] && command -v apt-get >/dev/null; then
	# packaging/install-deps should bring these; a machine that lacks them may still reach apt
	echo "  (installing$missing)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing \
		>"$D/apt.log" 2>&1
fi
for t in dpkg-buildpackage dh lintian unshare setpriv nsenter ip curl; do
	command -v "$t" >/dev/null || skip "$t is not installed and apt-get could not install it"
done
unshare -n true 2>/dev/null || skip "no network namespaces here (unshare -n)"

# --- clean-up: sbcd, then the root's mounts, before anything is removed ------------------------
pk_cleanup() {
	if [ -n "$SBCD" ]; then
		kill "$SBCD" 2>/dev/null
		wait_for "! kill -0 $SBCD" 50 || kill -9 "$SBCD" 2>/dev/null
	fi
	if [ "$MODE" = chroot ]; then
		# /proc, and whatever an interrupted debootstrap left mounted, deepest first
		findmnt -rn -o TARGET | grep -F "$R/" | sort -r | while read -r m; do umount -l "$m"; done
		# --one-file-system: never into a mount that failed to go away
		[ -n "${KEEP_TMP:-}" ] || rm -rf --one-file-system "$R"
	elif [ "$MODE" = host ]; then
		dpkg -P sbc >/dev/null 2>&1
		[ "$HAD_USER" = 1 ] || for u in sbc sbc-web sbc-snmp sbc-keys sbc-cli; do
			userdel "$u" 2>/dev/null; groupdel "$u" 2>/dev/null
		done
		[ "$HAD_USER" = 1 ] || groupdel sbc-ctl 2>/dev/null
		rm -rf /var/lib/sbc /run/sbc
	fi
}
trap 'pk_cleanup; t_cleanup' EXIT

# run in the installed root
inroot() { if [ -n "$R" ]; then chroot "$R" "$@"; else "$@"; fi; }

# --- build the package while a Debian root is made -------------------------------------------
mirror=$(grep -hsoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
	/etc/apt/sources.list.d/*.sources | head -n1 | tr -d ' ')
security=$(grep -hsoE 'https?://[^ ]+/debian-security/?( |$)' /etc/apt/sources.list \
	/etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources | head -n1 | tr -d ' ')
(cd "$TOP" && make deb) >"$D/deb.log" 2>&1 &
mk=$!
t_track $mk
ds=""
# SBC_PKG_TEST_HOST=1 tries the fallback: install on this machine
if command -v debootstrap >/dev/null && [ -n "$mirror" ] && [ -z "${SBC_PKG_TEST_HOST:-}" ]; then
	debootstrap --variant=minbase bookworm "$D/root" "$mirror" >"$D/debootstrap.log" 2>&1 &
	ds=$!
	t_track $ds
fi
wait $mk
mrc=$?
DEB=$(ls "$TOP"/build/deb/sbc_*.deb 2>/dev/null | head -n1)
if [ $mrc -ne 0 ] || [ -z "$DEB" ]; then
	fail "make deb"
	tail -30 "$D/deb.log" | sed 's/^/       | /'
	[ -n "$ds" ] && { kill $ds; wait $ds; } 2>/dev/null
	[ -d "$D/root" ] && MODE=chroot R=$D/root
	t_end
	exit 1
fi
ok "make deb built $(basename "$DEB")"
VER=$(dpkg-deb -f "$DEB" Version)

lintian --fail-on error "$DEB" >"$D/lintian.log" 2>&1
check "lintian reports no errors" test $? -eq 0
grep -E '^[EW]: ' "$D/lintian.log" | sed 's/^/       | /'
# every warning is one doc/LINTIAN.md justifies
for tag in $(sed -nE 's/^W: [^ ]+: ([a-z0-9-]+).*/\1/p' "$D/lintian.log" | sort -u); do
	contains "lintian warning $tag is justified in doc/LINTIAN.md" "$TOP/doc/LINTIAN.md" "$tag"
done

# --- the root --------------------------------------------------------------------------------
if [ -n "$ds" ] && wait $ds; then
	MODE=chroot R=$D/root
	ok "debootstrap made a Debian 12 root from $mirror"
	mount -t proc proc "$R/proc"
	{
		echo "deb $mirror bookworm bookworm-updates main"
		[ -n "$security" ] && echo "deb $security bookworm-security main"
	} >"$R/etc/apt/sources.list"
	# an appliance runs systemd (tmpfiles, the unit) and has man: installed before the package,
	# which does not depend on them
	inroot env DEBIAN_FRONTEND=noninteractive sh -c 'apt-get update -q &&
		apt-get install -y -q --no-install-recommends systemd man-db' >"$D/root-apt.log" 2>&1 ||
		{ fail "systemd and man-db in the root"; tail -20 "$D/root-apt.log"; t_end; exit 1; }
	cp "$DEB" "$R/tmp/"
	DEBIN=/tmp/$(basename "$DEB")
else
	echo "  (debootstrap could not make a root: installing on this machine, then purging)"
	[ -n "$ds" ] && tail -5 "$D/debootstrap.log" | sed 's/^/       | /'
	if dpkg-query -W -f '${Status}' sbc 2>/dev/null | grep -q "ok installed" || [ -e /var/lib/sbc ]; then
		skip "sbc is installed on this machine: not touching it"
	fi
	HAD_USER=0
	getent passwd sbc >/dev/null && HAD_USER=1
	MODE=host
	DEBIN=$DEB
fi

# --- install ---------------------------------------------------------------------------------
inroot env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$DEBIN" \
	>"$D/install.log" 2>&1
check "apt-get installs the package with its dependencies" test $? -eq 0
inroot dpkg-query -W -f '${Status}\n' sbc >"$D/status" 2>&1
contains "dpkg says installed" "$D/status" "install ok installed"

for f in /usr/lib/sbc/sbcd /usr/bin/sbc-ini /usr/bin/sbc-cli /usr/lib/sbc/sbc-web /usr/lib/sbc/sbc-snmp-agent; do
	check "$f is installed, executable" test -x "$R$f" -a -f "$R$f"
done
check "/usr/sbin/sbcd points to /usr/lib/sbc/sbcd" test "$(readlink -f "$R/usr/sbin/sbcd")" = "$(readlink -f "$R/usr/lib/sbc/sbcd")"
for f in /lib/systemd/system/sbcd.service /lib/systemd/system/sbc-web.service \
	/lib/systemd/system/sbc-snmp-agent.service /usr/lib/tmpfiles.d/sbc.conf; do
	check "$f is installed" test -f "$R$f"
done
for m in sbcd.8 sbc-ini.1 sbc-cli.1 sbc-web.8 sbc-snmp-agent.8 sbc.ini.5; do
	check "man page $m" test -f "$R/usr/share/man/man${m##*.}/$m.gz"
done
for s in sshd snmpd; do
	if ls "$TOP"/packaging/$s/*.conf >/dev/null 2>&1; then
		check "the $s snippet is shipped inert in /usr/share/sbc/$s" test -n "$(ls "$R/usr/share/sbc/$s/"*.conf)"
	fi
done
for u in sbcd sbc-web sbc-snmp-agent; do
	check "the unit $u.service verifies (systemd-analyze verify)" inroot systemd-analyze verify \
		/lib/systemd/system/$u.service
done
for u in sbc-web sbc-snmp-agent; do
	contains "$u.service has its own user" "$R/lib/systemd/system/$u.service" "^User=${u%-agent}$"
	contains "$u.service is bound to sbcd.service" "$R/lib/systemd/system/$u.service" "^BindsTo=sbcd.service$"
	contains "$u.service has sbcd's hardening" "$R/lib/systemd/system/$u.service" "^SystemCallFilter=~@privileged @resources$"
done
contains "sbcd.service leaves supervision to the units" "$R/lib/systemd/system/sbcd.service" "^Environment=SBCD_SUPERVISE=no$"
# sshd and snmpd are the operator's to change: the package ships no file under /etc
inroot dpkg -L sbc >"$D/files"
check "the package ships nothing under /etc" sh -c "! grep -q '^/etc' '$D/files'"

# user, group, directories
pw=$(inroot getent passwd sbc)
check "system user sbc" test -n "$pw"
IFS=: read -r _ _ uid gid _ home shell <<<"$pw"
check "sbc is a system uid ($uid)" test "${uid:-1000}" -lt 1000
check "sbc has no login shell ($shell)" test "$shell" = /usr/sbin/nologin
check "sbc's home is /var/lib/sbc" test "$home" = /var/lib/sbc
check "group sbc" test "$(inroot getent group sbc | cut -d: -f3)" = "$gid"
# one user per program (doc/OPERATIONS.md "Users"), all in the control socket's group
ctlg=$(inroot getent group sbc-ctl)
check "group sbc-ctl" test -n "$ctlg"
ctlgid=$(echo "$ctlg" | cut -d: -f3)
for u in sbc sbc-web sbc-snmp sbc-keys sbc-cli; do
	check "system user $u in group sbc-ctl" sh -c "echo '$ctlg' | cut -d: -f4 | tr , '\n' | grep -qx $u"
done
check "sbc-web has no login shell" test "$(inroot getent passwd sbc-web | cut -d: -f7)" = /usr/sbin/nologin
check "the SSH CLI account sbc-cli has a shell (for ForceCommand)" \
	test "$(inroot getent passwd sbc-cli | cut -d: -f7)" = /bin/sh
webuid=$(inroot getent passwd sbc-web | cut -d: -f3)
webgid=$(inroot getent passwd sbc-web | cut -d: -f4)
# names as the root sees them: map uid/gid numbers rather than this machine's names
mode() { stat -c '%a %u %g' "$R$1" | awk -v u="$uid" -v g="$gid" -v c="$ctlgid" '{ print $1, ($2 == u ? "sbc" : $2), ($3 == g ? "sbc" : $3 == c ? "sbc-ctl" : $3) }'; }
check "/var/lib/sbc/flash is 0700 sbc:sbc" test "$(mode /var/lib/sbc/flash)" = "700 sbc sbc"
check "/run/sbc (tmpfiles.d) is 0750 sbc:sbc-ctl" test "$(mode /run/sbc)" = "750 sbc sbc-ctl"
check "sbcd -n validates the shipped flash" inroot runuser -u sbc -- /usr/sbin/sbcd -n

# --- sbcd as sbcd.service runs it: user sbc, only CAP_NET_BIND_SERVICE, umask 077 ------------
# in a network namespace of its own: the factory ports (SIP 5060/5061, web 80/443) are free there
unshare -n sh -c 'ip link set lo up && umask 077 && exec "$@"' sh ${R:+chroot "$R"} \
	env SBCD_SUPERVISE=no setpriv --reuid="$uid" --regid="$gid" --init-groups --no-new-privs \
	--inh-caps=-all,+net_bind_service --ambient-caps=-all,+net_bind_service \
	--bounding-set=-all,+net_bind_service /usr/sbin/sbcd --foreground >"$D/sbcd.log" 2>&1 &
SBCD=$!
t_track $SBCD
wait_for "inroot sbc-ini info" 150
check "sbcd answers on /run/sbc/sbcd.sock" inroot sbc-ini info
check "the socket is 0660 sbc:sbc-ctl" test "$(mode /run/sbc/sbcd.sock)" = "660 sbc sbc-ctl"
# sbc-web as sbc-web.service runs it, in sbcd's network namespace
nsenter --net=/proc/$SBCD/ns/net ${R:+chroot "$R"} setpriv --reuid="$webuid" --regid="$webgid" \
	--init-groups --no-new-privs --inh-caps=-all,+net_bind_service \
	--ambient-caps=-all,+net_bind_service --bounding-set=-all,+net_bind_service \
	/usr/lib/sbc/sbc-web --socket /run/sbc/sbcd.sock >"$D/web.log" 2>&1 &
WEBP=$!
t_track $WEBP
check "sbc-web's user cannot open the flash" sh -c "! inroot setpriv --reuid=$webuid --regid=$webgid \
	--init-groups cat /var/lib/sbc/flash/tls/0/private-key.pem"
check "nor can the SSH CLI account" sh -c "! inroot runuser -u sbc-cli -- cat /var/lib/sbc/flash/tls/0/private-key.pem"
check "TLS context 0 key is 0600 sbc" test "$(mode /var/lib/sbc/flash/tls/0/private-key.pem)" = "600 sbc sbc"
wait_for "nsenter --net=/proc/$SBCD/ns/net curl -sk -o /dev/null https://127.0.0.1/" 100
check "sbc-web as sbc-web serves HTTPS on 443 with the key from sbcd" \
	nsenter --net=/proc/$SBCD/ns/net curl -sk -o /dev/null https://127.0.0.1/
expect_fail "a user outside group sbc-ctl cannot reach the socket" \
	inroot setpriv --reuid=65534 --regid=65534 --clear-groups sbc-ini info
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name;\nTLSContexts 3 = "kept";\n[ \\TLSContexts ]\n' \
	>"$R/tmp/kept.ini"
check "a change is imported" inroot sbc-ini import --incremental /tmp/kept.ini
check "and saved" inroot sbc-ini save
check "board.ini is 0600 sbc" test "$(mode /var/lib/sbc/flash/board.ini)" = "600 sbc sbc"
kill "$WEBP" "$SBCD"
check "sbcd stops on SIGTERM" wait_for "! kill -0 $SBCD" 100
SBCD=""
HAD_USER=1

# --- reinstall and upgrade keep the flash ----------------------------------------------------
sum() { (cd "$R/var/lib/sbc/flash" && find . -type f -exec sha256sum {} + | sort; stat -c '%a %u %g %n' . tls/0/*); }
sum >"$D/flash.before"
check "reinstalling the same package" inroot dpkg -i "$DEBIN"
sum >"$D/flash.after1"
check "keeps the flash" cmp "$D/flash.before" "$D/flash.after1"
dpkg-deb -R "$DEB" "$D/bump"
sed -i "s/^Version: .*/Version: $VER+bump1/" "$D/bump/DEBIAN/control"
dpkg-deb --root-owner-group -b "$D/bump" "$D/sbc_bump.deb" >/dev/null
[ -n "$R" ] && cp "$D/sbc_bump.deb" "$R/tmp/"
if [ -n "$R" ]; then BUMPIN=/tmp/sbc_bump.deb; else BUMPIN=$D/sbc_bump.deb; fi
check "upgrading to $VER+bump1" inroot dpkg -i "$BUMPIN"
check "dpkg has the new version" test "$(inroot dpkg-query -W -f '${Version}' sbc)" = "$VER+bump1"
sum >"$D/flash.after2"
check "the upgrade keeps the flash" cmp "$D/flash.before" "$D/flash.after2"
check "and the user" test "$(inroot getent passwd sbc)" = "$pw"
grep -q '"kept"' "$R/var/lib/sbc/flash/board.ini"
check "the saved change is still on flash" test $? -eq 0
check "sbcd -n still validates it" inroot runuser -u sbc -- /usr/sbin/sbcd -n

# --- remove keeps the configuration, purge forgets it; the user stays -------------------------
check "dpkg -r sbc" inroot dpkg -r sbc
check "remove takes the programs" test ! -e "$R/usr/lib/sbc/sbcd" -a ! -e "$R/usr/sbin/sbcd"
check "remove keeps the flash" test -s "$R/var/lib/sbc/flash/board.ini" -a -s "$R/var/lib/sbc/flash/tls/0/private-key.pem"
check "dpkg -P sbc" inroot dpkg -P sbc
check "purge removes /var/lib/sbc" test ! -e "$R/var/lib/sbc"
check "purge removes /run/sbc" test ! -e "$R/run/sbc"
inroot dpkg-query -W -f '${Status}\n' sbc >"$D/status" 2>&1
check "purge leaves nothing of the package to dpkg" sh -c "! grep -qE 'installed|config-files' '$D/status'"
check "purge keeps the system user sbc (policy)" test "$(inroot getent passwd sbc)" = "$pw"
[ "$MODE" = chroot ] && check "no sbcd.service enablement left" test -z "$(find "$R/etc/systemd" -name 'sbcd.service' 2>/dev/null)"
t_end

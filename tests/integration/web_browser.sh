#!/bin/bash
# sbc-web in headless Chromium (playwright-core): login, trusted root import through the
# Import button, INI download, refusals shown. Screenshots stay in $T_DIR/artifacts.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/web/common.sh"
t_begin web_browser
KEEP_TMP=${KEEP_TMP:-}
NODE_DIR=$TOP/build/web-node
if ! command -v chromium >/dev/null && [ "$(id -u)" = 0 ]; then
	timeout 600 apt-get install -y -q chromium >"$T_DIR/apt.log" 2>&1
fi
if ! command -v chromium >/dev/null || ! command -v node >/dev/null; then
	fail "chromium and node are needed (Debian packages chromium, nodejs)"
	t_end
	exit 1
fi
if [ ! -d "$NODE_DIR/node_modules/playwright-core" ]; then
	mkdir -p "$NODE_DIR"
	# playwright-core never downloads browsers; we use Debian's chromium
	timeout 300 npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent \
		playwright-core@1 >"$T_DIR/npm.log" 2>&1
fi
[ -d "$NODE_DIR/node_modules/playwright-core" ] || { fail "npm install playwright-core"; t_end; exit 1; }
if web_setup; then ok "sbcd and sbc-web start"; else fail "sbcd and sbc-web start"; t_end; exit 1; fi
ART=$T_DIR/artifacts
mkdir -p "$ART"
WEB_URL=https://127.0.0.1:$HTTPS_PORT WEB_USER=Admin WEB_PASS=Admin PKI=$PKI ART=$ART \
	CHROMIUM=$(command -v chromium) NODE_PATH=$NODE_DIR/node_modules \
	timeout 180 node "$TOP/tests/web/browser.js" >"$T_DIR/browser.out" 2>&1
rc=$?
while read -r word rest; do
	case "$word" in ok) ok "$rest" ;; FAIL) fail "$rest" ;; esac
done <"$T_DIR/browser.out"
[ $rc -eq 0 ] || { fail "browser script exit $rc"; sed 's/^/       | /' "$T_DIR/browser.out" | tail -20; }
for f in status trusted-roots refusal-certificate refusal-form files reset after-reset; do
	check "screenshot $f.png" test -s "$ART/$f.png"
done
check "imported roots are on the flash" grep -c BEGIN "$FLASH/tls/0/trusted-roots.pem"
contains "import logged by sbcd" "$WEB_LOG" 'TLS context 0: IMPORT-ROOTS by Admin'
echo "  screenshots: $ART"
t_end

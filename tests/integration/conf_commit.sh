#!/bin/bash
# Commits in phases: a consumer (here the SIP engine) that cannot apply a change
# refuses it in prepare; sbc-ini import gets the error with its code, and the
# running configuration is as it was. Every refusal carries its code and location
# ("#code" lines, doc/CONTROL.md); cross-row errors name the file and line of the row.
source "$(dirname "$0")/../lib.sh"
t_begin conf_commit
D=$T_DIR
INI="$BIN/sbc-ini"

ctx() { # ctx FILE CIPHERS: TLS context 1 with that client cipher list
	printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name, TLSContexts_ClientCipherString;\nTLSContexts 1 = "peer", "%s";\n[ \\TLSContexts ]\n' "$2" >"$1"
}

check "sbcd starts" t_sbcd "$D"
# a context no proxy reaches over TLS is loaded on first use only: any text is taken now
ctx "$D/unused.ini" "Sample-1"
check "an unused context takes a cipher list OpenSSL would refuse" \
	"$INI" --socket "$SOCK" import --incremental "$D/unused.ini"
ctx "$D/good.ini" "HIGH:!aNULL"
cat >>"$D/good.ini" <<'X'
[ ProxySet ]
FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_TLSContextName;
ProxySet 0 = "itsp", "peer";
[ \ProxySet ]
[ ProxyIp ]
FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType;
ProxyIp 0 = "0", 0, "127.0.0.1:5999", 2;
[ \ProxyIp ]
X
check "a proxy set over TLS with a cipher list OpenSSL knows is applied" \
	"$INI" --socket "$SOCK" import --incremental "$D/good.ini"
"$INI" --socket "$SOCK" export -o "$D/before.ini"
contains "it is running" "$D/before.ini" '^TLSContexts 1 = "peer", .*"HIGH:!aNULL"'

ctx "$D/bad.ini" "NO-SUCH-CIPHER"
check "the file itself is valid (sbc-ini check)" "$INI" check --incremental "$D/bad.ini"
expect_fail "a cipher list OpenSSL refuses, for a context in use, is refused by the SIP engine" \
	"$INI" --socket "$SOCK" import --incremental "$D/bad.ini"
contains "the refusal names the context and the engine" "$T_DIR/last.out" \
	"TLSContexts row 1 \('peer'\): the SIP engine cannot apply it now"
contains "the refusal carries its code and location" "$T_DIR/last.out" '^#code refused TLSContexts 1 -$'
contains "nothing was changed" "$T_DIR/last.out" "nothing was changed"
"$INI" --socket "$SOCK" export -o "$D/after.ini"
check "running configuration unchanged" cmp "$D/before.ini" "$D/after.ini"
n=$(grep -c "routing configuration" "$D/sbcd.log")
check "the engine applied the two good changes only ($n)" test "$n" -eq 2

# --- every refusal carries a code, table, row and column; rows are named by file and line
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name;\nTLSContexts 2 = "x";\nTLSContexts 3 = "x";\n[ \\TLSContexts ]\n' >"$D/dup.ini"
expect_fail "an import with a duplicate name is refused" "$INI" --socket "$SOCK" import --incremental "$D/dup.ini"
contains "the cross-row error names file and line of the row" "$T_DIR/last.out" \
	"^dup.ini:4: TLSContexts row 3 column Name: 'x' is already used by row 2$"
contains "with its code, table, row, column and line" "$T_DIR/last.out" '^#code unique TLSContexts 3 Name 4$'
printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name, TLSContexts_VerifyDepth;\nTLSContexts 4 = "y", 99;\n[ \\TLSContexts ]\n' >"$D/range.ini"
expect_fail "an out-of-range value is refused" "$INI" --socket "$SOCK" import --incremental "$D/range.ini"
contains "coded as range" "$T_DIR/last.out" '^#code range TLSContexts 4 VerifyDepth$'
chmod 711 "$D"
chmod 666 "$SOCK"
expect_fail "a monitor may not change the configuration" \
	runuser -u nobody -- "$INI" --socket "$SOCK" import --incremental "$D/good.ini"
contains "coded as permission" "$T_DIR/last.out" '^#code permission - - -$'
chmod 660 "$SOCK"
"$INI" --socket "$SOCK" export -o "$D/after2.ini"
check "running configuration unchanged by all of them" cmp "$D/before.ini" "$D/after2.ini"
check "sbcd still answers" "$INI" --socket "$SOCK" info
t_end

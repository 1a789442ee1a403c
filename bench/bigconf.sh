# bigconf_gen: prints a configuration with 100 TLS contexts, 1,000 proxy sets and 10,000
# ProxyIp rows, for the benchmarks (bench/ini_import.sh, bench/snmp_walk.sh). The optional
# argument is the proxies' port (default 5061): a second import with another port changes
# every ProxyIp row.
bigconf_gen() {
	local port=${1:-5061}
	printf '[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name, TLSContexts_TLSVersion, TLSContexts_ServerCipherString;\n'
	printf 'TLSContexts 0 = "default", 12, "HIGH:!aNULL";\n'
	for i in $(seq 1 99); do printf 'TLSContexts %d = "ctx%d", 12, "HIGH:!aNULL";\n' "$i" "$i"; done
	printf '[ \\TLSContexts ]\n[ ProxySet ]\nFORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_TLSContextName, ProxySet_EnableProxyKeepAlive;\n'
	for i in $(seq 0 999); do printf 'ProxySet %d = "set%d", "ctx%d", 0;\n' "$i" "$i" $((i % 99 + 1)); done
	printf '[ \\ProxySet ]\n[ ProxyIp ]\nFORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, ProxyIp_IpAddress, ProxyIp_TransportType, ProxyIp_Priority, ProxyIp_Weight;\n'
	for i in $(seq 0 9999); do
		printf 'ProxyIp %d = "%d", %d, "127.1.%d.%d:%d", 2, %d, 10;\n' "$i" $((i / 10)) $((i % 10)) $((i / 250)) $((i % 250 + 1)) "$port" $((i % 10))
	done
	printf '[ \\ProxyIp ]\n'
}

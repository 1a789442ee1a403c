/* The registry of typed bindings (conf/cols.h), walked by the binding test. */
#include "conf/cols.h"

#define BIND(id, name, type) {id, #id, name, CONF_T_##type},

static const struct conf_col_binding b_globals[] = {CONF_COLS_GLOBALS(BIND)};
static const struct conf_col_binding b_tlscontexts[] = {CONF_COLS_TLSCTX(BIND)};
static const struct conf_col_binding b_interfaces[] = {CONF_COLS_NETIF(BIND)};
static const struct conf_col_binding b_sipinterface[] = {CONF_COLS_SIPIF(BIND)};
static const struct conf_col_binding b_proxyset[] = {CONF_COLS_PROXYSET(BIND)};
static const struct conf_col_binding b_proxyip[] = {CONF_COLS_PROXYIP(BIND)};
static const struct conf_col_binding b_ipgroup[] = {CONF_COLS_IPGROUP(BIND)};
static const struct conf_col_binding b_classification[] = {CONF_COLS_CLASSIF(BIND)};
static const struct conf_col_binding b_ip2iprouting[] = {CONF_COLS_ROUTE(BIND)};
static const struct conf_col_binding b_webusers[] = {CONF_COLS_WEBUSER(BIND)};
static const struct conf_col_binding b_tlsstatus[] = {CONF_COLS_TLSSTATUS(BIND)};
static const struct conf_col_binding b_registrations[] = {CONF_COLS_REGISTRATION(BIND)};
static const struct conf_col_binding b_tlscertificates[] = {CONF_COLS_TLSCERT(BIND)};
static const struct conf_col_binding b_trustedroots[] = {CONF_COLS_TROOT(BIND)};
static const struct conf_col_binding b_alarms[] = {CONF_COLS_ALARMS(BIND)};
static const struct conf_col_binding b_proxystatus[] = {CONF_COLS_PROXYSTATUS(BIND)};
static const struct conf_col_binding b_calls[] = {CONF_COLS_CALLS(BIND)};
static const struct conf_col_binding b_sipcredentials[] = {CONF_COLS_SIPCRED(BIND)};
static const struct conf_col_binding b_sipidstatus[] = {CONF_COLS_SIPIDSTATUS(BIND)};
static const struct conf_col_binding b_dnsstatus[] = {CONF_COLS_DNSSTATUS(BIND)};
static const struct conf_col_binding b_perfintervals[] = {CONF_COLS_PERF(BIND)};
static const struct conf_col_binding b_ocspstatus[] = {CONF_COLS_OCSPSTATUS(BIND)};
static const struct conf_col_binding b_crlstatus[] = {CONF_COLS_CRLSTATUS(BIND)};
static const struct conf_col_binding b_mediarealm[] = {CONF_COLS_MREALM(BIND)};
static const struct conf_col_binding b_ipprofile[] = {CONF_COLS_IPPROF(BIND)};
static const struct conf_col_binding b_snmpusers[] = {CONF_COLS_SNMPUSER(BIND)};
static const struct conf_col_binding b_snmptrapdest[] = {CONF_COLS_SNMPTRAP(BIND)};
static const struct conf_col_binding b_hastatus[] = {CONF_COLS_HASTATUS(BIND)};

#define TABLE(f, p, name)                                                                          \
	{                                                                                          \
		&conf_tbl_##f, name, b_##f, p##_NCOLS                                              \
	}

const struct conf_table_binding conf_bindings[] = {
    TABLE(globals, GLOBALS, "Globals"),
    TABLE(tlscontexts, TLSCTX, "TLSContexts"),
    TABLE(interfaces, NETIF, "InterfaceTable"),
    TABLE(sipinterface, SIPIF, "SIPInterface"),
    TABLE(proxyset, PROXYSET, "ProxySet"),
    TABLE(proxyip, PROXYIP, "ProxyIp"),
    TABLE(ipgroup, IPGROUP, "IPGroup"),
    TABLE(classification, CLASSIF, "Classification"),
    TABLE(ip2iprouting, ROUTE, "IP2IPRouting"),
    TABLE(webusers, WEBUSER, "WebUsers"),
    TABLE(tlsstatus, TLSSTATUS, "TLSStatus"),
    TABLE(registrations, REGISTRATION, "Registrations"),
    TABLE(tlscertificates, TLSCERT, "TLSCertificates"),
    TABLE(trustedroots, TROOT, "TrustedRoots"),
    TABLE(alarms, ALARMS, "Alarms"),
    TABLE(proxystatus, PROXYSTATUS, "ProxyStatus"),
    TABLE(calls, CALLS, "Calls"),
    TABLE(sipcredentials, SIPCRED, "SIPCredentials"),
    TABLE(sipidstatus, SIPIDSTATUS, "SIPIdentityStatus"),
    TABLE(dnsstatus, DNSSTATUS, "DNSStatus"),
    TABLE(perfintervals, PERF, "PerformanceIntervals"),
    TABLE(ocspstatus, OCSPSTATUS, "OCSPStatus"),
    TABLE(crlstatus, CRLSTATUS, "CRLStatus"),
    TABLE(mediarealm, MREALM, "CpMediaRealm"),
    TABLE(ipprofile, IPPROF, "IpProfile"),
    TABLE(snmpusers, SNMPUSER, "SNMPUsers"),
    TABLE(snmptrapdest, SNMPTRAP, "SNMPTrapDestinations"),
    TABLE(hastatus, HASTATUS, "HAStatus"),
};

const unsigned conf_nbindings = sizeof(conf_bindings) / sizeof(conf_bindings[0]);

/* The schema: every table, in dependency order (referenced tables first). */
#include "conf/conf.h"

extern const struct conf_table conf_tbl_globals, conf_tbl_tlscontexts, conf_tbl_interfaces,
    conf_tbl_sipinterface, conf_tbl_proxyset, conf_tbl_proxyip, conf_tbl_webusers,
    conf_tbl_tlscertificates, conf_tbl_trustedroots, conf_tbl_alarms, conf_tbl_ipgroup,
    conf_tbl_classification, conf_tbl_ip2iprouting;
extern const struct conf_table conf_tbl_tlsstatus, conf_tbl_registrations;
extern const struct conf_table conf_tbl_proxystatus, conf_tbl_calls;
extern const struct conf_table conf_tbl_sipcredentials, conf_tbl_sipidstatus;
extern const struct conf_table conf_tbl_dnsstatus;
extern const struct conf_table conf_tbl_perfintervals;
extern const struct conf_table conf_tbl_ocspstatus;
extern const struct conf_table conf_tbl_mediarealm, conf_tbl_ipprofile;
extern const struct conf_table conf_tbl_snmpusers, conf_tbl_snmptrapdest;
extern const struct conf_table conf_tbl_crlstatus;
extern const struct conf_table conf_tbl_hastatus;

const struct conf_table *const conf_tables[] = {
    &conf_tbl_globals,         &conf_tbl_tlscontexts,    &conf_tbl_interfaces,
    &conf_tbl_mediarealm,      &conf_tbl_ipprofile, /* referenced by SIPInterface, IPGroup */
    &conf_tbl_sipinterface,    &conf_tbl_proxyset,       &conf_tbl_proxyip,
    &conf_tbl_ipgroup,         &conf_tbl_classification, &conf_tbl_ip2iprouting,
    &conf_tbl_webusers,        &conf_tbl_tlsstatus,      &conf_tbl_registrations,
    &conf_tbl_tlscertificates, &conf_tbl_trustedroots,   &conf_tbl_alarms,
    &conf_tbl_proxystatus,     &conf_tbl_calls,          &conf_tbl_sipcredentials,
    &conf_tbl_sipidstatus,     &conf_tbl_dnsstatus,      &conf_tbl_perfintervals,
    &conf_tbl_ocspstatus,      &conf_tbl_snmpusers,      &conf_tbl_snmptrapdest,
    &conf_tbl_crlstatus,       &conf_tbl_hastatus,
};

const unsigned conf_ntables = sizeof(conf_tables) / sizeof(conf_tables[0]);

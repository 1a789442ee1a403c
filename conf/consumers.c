/*
 * Who applies what: each consumer of the configuration and the tables (and
 * columns) it makes live at commit. Columns flagged CONF_F_RESET are applied
 * at the next reset whatever is listed here.
 */
#include "conf/cols.h"
#include "conf/txn.h"

#define USES(a) a, sizeof(a) / sizeof(a[0])

static const int tls_globals[] = {GLOBALS_TLS_EXPIRY_CHECK_START, GLOBALS_TLS_EXPIRY_CHECK_PERIOD,
				  GLOBALS_TLS_PKEY_SIZE, -1};
static const struct conf_use tls_uses[] = {
    {&conf_tbl_tlscontexts, NULL},
    {&conf_tbl_globals, tls_globals},
};

static const struct conf_use web_uses[] = {
    {&conf_tbl_tlscontexts, NULL},
};

static const int sip_globals[] = {
    GLOBALS_VERIFY_SERVER_CERTIFICATE, GLOBALS_PEER_HOST_NAME_VERIFICATION_MODE,
    GLOBALS_TLS_REMOTE_SUBJECT_NAME,   GLOBALS_TLS_HANDSHAKE_TIMEOUT,
    GLOBALS_SIP_DIGEST_NONCE_LIFETIME, GLOBALS_DNS_SERVER_PORT,
    GLOBALS_DNS_GRACE_PERIOD,          GLOBALS_PERFORMANCE_MONITORING,
    GLOBALS_MEDIA_ENGINE_ADDRESS,      -1};
static const struct conf_use sip_uses[] = {
    {&conf_tbl_sipinterface, NULL},   {&conf_tbl_tlscontexts, NULL},
    {&conf_tbl_proxyset, NULL},       {&conf_tbl_proxyip, NULL},
    {&conf_tbl_ipgroup, NULL},        {&conf_tbl_classification, NULL},
    {&conf_tbl_ip2iprouting, NULL},   {&conf_tbl_globals, sip_globals},
    {&conf_tbl_sipcredentials, NULL}, {&conf_tbl_interfaces, NULL},
    {&conf_tbl_ipprofile, NULL},      {&conf_tbl_mediarealm, NULL},
};

static const int snmp_globals[] = {GLOBALS_SNMP_READ_ONLY_COMMUNITY_STRING,
				   GLOBALS_SNMP_READ_WRITE_COMMUNITY_STRING,
				   GLOBALS_SNMP_V1V2C_ENABLE, -1};
static const struct conf_use snmp_uses[] = {
    {&conf_tbl_snmpusers, NULL},
    {&conf_tbl_snmptrapdest, NULL},
    {&conf_tbl_globals, snmp_globals},
};

const struct conf_consumer conf_consumers[CONF_CONSUMER_N] = {
    [CONF_CONSUMER_TLS] = {"TLS material", USES(tls_uses)},
    [CONF_CONSUMER_WEB] = {"the web server", USES(web_uses)},
    [CONF_CONSUMER_SIP] = {"the SIP engine", USES(sip_uses)},
    [CONF_CONSUMER_SNMP] = {"the snmpd master", USES(snmp_uses)},
};

/*
 * conf snmpv3: the values of the SNMP tables (SNMPUsers, SNMPTrapDestinations),
 * as the vendor numbers them in its INI files.
 */
#ifndef CONF_SNMPV3_H
#define CONF_SNMPV3_H

enum conf_snmp_auth {
	CONF_SNMP_AUTH_NONE,
	CONF_SNMP_AUTH_MD5,
	CONF_SNMP_AUTH_SHA1,
	CONF_SNMP_AUTH_SHA224,
	CONF_SNMP_AUTH_SHA256,
	CONF_SNMP_AUTH_SHA384,
	CONF_SNMP_AUTH_SHA512,
};
enum conf_snmp_priv {
	CONF_SNMP_PRIV_NONE,
	CONF_SNMP_PRIV_DES,
	CONF_SNMP_PRIV_3DES,
	CONF_SNMP_PRIV_AES128,
	CONF_SNMP_PRIV_AES192,
	CONF_SNMP_PRIV_AES256,
};
enum conf_snmp_group { CONF_SNMP_GROUP_RO, CONF_SNMP_GROUP_RW, CONF_SNMP_GROUP_TRAP };
enum conf_snmp_version { CONF_SNMP_V2C = 2, CONF_SNMP_V3 = 3 };
enum conf_snmp_notify { CONF_SNMP_TRAP, CONF_SNMP_INFORM };

/* 1 when s can be written between double quotes in snmpd.conf (no control character, '"', '\'). */
int conf_snmp_text_ok(const char *s);

#endif

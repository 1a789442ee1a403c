/*
 * SNMPUsers: the SNMPv3 (USM) users of the snmpd master, in the vendor's
 * shape. sbcd writes them into the master's include file (sbc/snmpd_conf.c).
 * Keys are kept as given (pass phrases), write-only like passwords: saved
 * to flash (mode 0600) and to that file (0600) only, never shown or exported.
 */
#include <stdio.h>
#include <string.h>

#include "conf/cols.h"
#include "conf/snmpv3.h"
#include "conf/store.h"

static const struct conf_enum auth[] = {
    {CONF_SNMP_AUTH_NONE, "none"},      {CONF_SNMP_AUTH_MD5, "md5"},
    {CONF_SNMP_AUTH_SHA1, "sha-1"},     {CONF_SNMP_AUTH_SHA224, "sha-224"},
    {CONF_SNMP_AUTH_SHA256, "sha-256"}, {CONF_SNMP_AUTH_SHA384, "sha-384"},
    {CONF_SNMP_AUTH_SHA512, "sha-512"}, {0, NULL}};
static const struct conf_enum priv[] = {{CONF_SNMP_PRIV_NONE, "none"},
					{CONF_SNMP_PRIV_DES, "des"},
					{CONF_SNMP_PRIV_3DES, "3des"},
					{CONF_SNMP_PRIV_AES128, "aes-128"},
					{CONF_SNMP_PRIV_AES192, "aes-192"},
					{CONF_SNMP_PRIV_AES256, "aes-256"},
					{0, NULL}};
static const struct conf_enum group[] = {{CONF_SNMP_GROUP_RO, "read-only"},
					 {CONF_SNMP_GROUP_RW, "read-write"},
					 {CONF_SNMP_GROUP_TRAP, "trap"},
					 {0, NULL}};

static const struct conf_column cols[] = {
    [SNMPUSER_USERNAME] = {"Username", "username", 1, CONF_T_STRING, 0, 32, NULL, NULL, "",
			   "SNMPv3 user name (letters, digits, '.', '_', '-', '@')",
			   CONF_F_NAME | CONF_F_MANDATORY | CONF_F_UNIQUE},
    [SNMPUSER_AUTH_PROTOCOL] = {"AuthProtocol", "auth-protocol", 2, CONF_T_ENUM, 0, 0, auth, NULL,
				"4",
				"Authentication: 0 none, 1 MD5, 2 SHA-1, 3 SHA-224, 4 SHA-256, "
				"5 SHA-384, 6 SHA-512",
				0},
    [SNMPUSER_PRIV_PROTOCOL] = {"PrivProtocol", "priv-protocol", 3, CONF_T_ENUM, 0, 0, priv, NULL,
				"3",
				"Privacy: 0 none, 1 DES, 2 3DES (refused: Net-SNMP has none), "
				"3 AES-128, 4 AES-192, 5 AES-256",
				0},
    [SNMPUSER_AUTH_KEY] = {"AuthKey", "auth-key", 4, CONF_T_SECRET, 0, 64, NULL, NULL, "",
			   "Authentication pass phrase, 8 characters at least; empty: the user is "
			   "off (never shown)",
			   CONF_F_SECRET},
    [SNMPUSER_PRIV_KEY] = {"PrivKey", "priv-key", 5, CONF_T_SECRET, 0, 64, NULL, NULL, "",
			   "Privacy pass phrase, 8 characters at least; empty: the AuthKey "
			   "(never shown)",
			   CONF_F_SECRET},
    [SNMPUSER_GROUP] = {"Group", "group", 6, CONF_T_ENUM, 0, 0, group, NULL, "0",
			"Access: 0 read-only, 1 read-write, 2 trap (notifications only)", 0},
};
_Static_assert(CONF_NCOLS(cols) == SNMPUSER_NCOLS, "conf/cols.h lists every column of snmpusers");

int conf_snmp_text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

static int name_ok(const char *s)
{
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@",
			    *s))
			return 0;
	return 1;
}

static int key_check(const struct conf_row *r, int col, const char *what, char *err, size_t errlen)
{
	const char *k = r->v[col].s;

	if (strlen(k) < 8) {
		snprintf(err, errlen,
			 "SNMPUsers row %u column %s: the %s pass phrase needs 8 characters at "
			 "least",
			 r->index, cols[col].name, what);
		return -1;
	}
	if (!conf_snmp_text_ok(k)) {
		snprintf(err, errlen,
			 "SNMPUsers row %u column %s: control characters, '\"' and '\\' are not "
			 "allowed",
			 r->index, cols[col].name);
		return -1;
	}
	return 0;
}

/* What snmpd can take: a name it parses, keys long enough, no privacy without authentication. */
static int check_users(const struct conf_store *st, char *err, size_t errlen)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_snmpusers);

	for (unsigned j = 0; j < rs->n; j++) {
		const struct conf_row *r = rs->row[j];
		long long a = r->v[SNMPUSER_AUTH_PROTOCOL].i, p = r->v[SNMPUSER_PRIV_PROTOCOL].i;
		if (!name_ok(r->v[SNMPUSER_USERNAME].s)) {
			snprintf(err, errlen,
				 "SNMPUsers row %u column Username: '%s' has characters other than "
				 "letters, digits, '.', '_', '-' and '@'",
				 r->index, r->v[SNMPUSER_USERNAME].s);
			return -1;
		}
		if (p == CONF_SNMP_PRIV_3DES) {
			snprintf(err, errlen,
				 "SNMPUsers row %u column PrivProtocol: 3DES is not supported by "
				 "the Net-SNMP master; use AES-128, AES-192 or AES-256",
				 r->index);
			return -1;
		}
		if (a == CONF_SNMP_AUTH_NONE && p != CONF_SNMP_PRIV_NONE) {
			snprintf(err, errlen,
				 "SNMPUsers row %u column PrivProtocol: privacy needs an "
				 "AuthProtocol (SNMPv3 has no privacy without authentication)",
				 r->index);
			return -1;
		}
		/* no AuthKey yet: the user is off (not given to snmpd) */
		if (a != CONF_SNMP_AUTH_NONE && *r->v[SNMPUSER_AUTH_KEY].s &&
		    key_check(r, SNMPUSER_AUTH_KEY, "authentication", err, errlen) < 0)
			return -1;
		if (p != CONF_SNMP_PRIV_NONE && *r->v[SNMPUSER_PRIV_KEY].s &&
		    key_check(r, SNMPUSER_PRIV_KEY, "privacy", err, errlen) < 0)
			return -1;
	}
	return 0;
}

const struct conf_table conf_tbl_snmpusers = {
    .name = "SNMPUsers",
    .cli = "snmp-user",
    .tree = "system",
    .mib = 20,
    .max_rows = 10,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "SNMPv3 users of the snmpd master (USM), their keys and access",
    .check = check_users,
};

/* sbc/snmpd_conf.c: the snmpd master's include file from the SNMP tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/store.h"
#include "ini/ini.h"
#include "sbc/snmpd_conf.h"
#include "tests/unit/unit.h"

static const char users[] =
    "[SNMP Params]\n"
    "SNMPReadOnlyCommunityString = 'ro-1'\n"
    "[ SNMPUsers ]\n"
    "FORMAT SNMPUsers_Index = SNMPUsers_Username, SNMPUsers_AuthProtocol, "
    "SNMPUsers_PrivProtocol, SNMPUsers_AuthKey, SNMPUsers_PrivKey, SNMPUsers_Group;\n"
    "SNMPUsers 0 = \"adm\", 4, 3, \"adm-auth-1\", \"adm-priv-1\", 1;\n"
    "SNMPUsers 1 = \"mon\", 6, 5, \"mon-auth-1\", \"\", 0;\n"
    "SNMPUsers 2 = \"trp\", 2, 0, \"trp-auth-1\", \"\", 2;\n"
    "SNMPUsers 3 = \"off\", 4, 3, \"\", \"\", 0;\n"
    "[ \\SNMPUsers ]\n"
    "[ SNMPTrapDestinations ]\n"
    "FORMAT SNMPTrapDestinations_Index = SNMPTrapDestinations_Address, "
    "SNMPTrapDestinations_Port, SNMPTrapDestinations_Version, SNMPTrapDestinations_Type, "
    "SNMPTrapDestinations_User, SNMPTrapDestinations_Community;\n"
    "SNMPTrapDestinations 0 = \"::1\", 1162, 3, 1, \"trp\", \"\";\n"
    "SNMPTrapDestinations 1 = \"nms.example.net\", 162, 2, 0, \"\", \"tc-1\";\n"
    "[ \\SNMPTrapDestinations ]\n";

static struct conf_store *build(const struct conf_store *base, const char *text)
{
	struct conf_diag d;
	struct conf_store *st;

	conf_diag_init(&d);
	st = ini_build(base, text, strlen(text), "t.ini", INI_INCREMENTAL, INI_L_DELETE, &d);
	for (unsigned i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msg[i]);
	conf_diag_free(&d);
	return st;
}

static void test_render(void)
{
	struct conf_store *base = ini_factory(), *st = build(base, users);
	char *t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	t = snmpd_conf_render(st, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT(!strncmp(t, SNMPD_CONF_HEADER, strlen(SNMPD_CONF_HEADER)));
	CU_ASSERT_PTR_NOT_NULL(strstr(t,
				      "createUser adm SHA-256 \"adm-auth-1\" AES \"adm-priv-1\"\n"
				      "rwuser -s usm adm priv\n"));
	/* an empty PrivKey is the AuthKey */
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "createUser mon SHA-512 \"mon-auth-1\" AES-256 "
					 "\"mon-auth-1\"\nrouser -s usm mon priv\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "createUser trp SHA \"trp-auth-1\"\n#"));
	CU_ASSERT_PTR_NULL(strstr(t, "user -s usm trp"));
	CU_ASSERT_PTR_NULL(strstr(t, "createUser off"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "rocommunity \"ro-1\" default\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(t, "trapsess -v 3 -u trp -l authNoPriv -a SHA -A \"trp-auth-1\" -Ci "
		      "udp6:[::1]:1162\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "trapsess -v 2c -c \"tc-1\" udp:nms.example.net:162\n"));
	free(t);

	/* destinations without their user or community are off, not refused */
	struct conf_store *inc =
	    build(st, "[ SNMPTrapDestinations ]\n"
		      "FORMAT SNMPTrapDestinations_Index = "
		      "SNMPTrapDestinations_Address, SNMPTrapDestinations_Version;\n"
		      "SNMPTrapDestinations 2 = \"h3\", 3;\n"
		      "SNMPTrapDestinations 3 = \"h2\", 2;\n"
		      "[ \\SNMPTrapDestinations ]\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(inc);
	t = snmpd_conf_render(inc, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "# SNMPTrapDestinations 2: no User"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "# SNMPTrapDestinations 3: v2c without Community, off"));
	CU_ASSERT_PTR_NULL(strstr(t, "udp:h"));
	free(t);
	conf_store_free(inc);

	/* v1/v2c off: no community, no v2c sink; v3 stays */
	struct conf_store *off = build(st, "SNMPv1v2cEnable = 0\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(off);
	t = snmpd_conf_render(off, NULL);
	CU_ASSERT_PTR_NULL(strstr(t, "community"));
	CU_ASSERT_PTR_NULL(strstr(t, "-v 2c"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "trapsess -v 3 -u trp"));
	free(t);
	conf_store_free(off);
	conf_store_free(st);
	conf_store_free(base);
}

/* A deleted user becomes a tombstone with fresh random keys, kept as is by later renders. */
static void test_tombstones(void)
{
	struct conf_store *base = ini_factory(), *st = build(base, users), *del;
	char *t0, *t1, *t2, *p, line[200];

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	t0 = snmpd_conf_render(st, NULL);
	del = build(st, "!DELETE SNMPUsers 0\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(del);
	t1 = snmpd_conf_render(del, t0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t1);
	p = strstr(t1, "# deleted user: adm\ncreateUser adm SHA-256 \"");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NULL(strstr(t1, "adm-auth-1"));
	CU_ASSERT_PTR_NULL(strstr(t1, "user -s usm adm"));
	sscanf(strchr(p, '\n') + 1, "%199[^\n]", line);
	CU_ASSERT_EQUAL(strlen(line), strlen("createUser adm SHA-256 \"\" AES \"\"") + 64);
	/* rendering again from that file is stable: no rewrite, no reload */
	t2 = snmpd_conf_render(del, t1);
	CU_ASSERT_STRING_EQUAL(t1, t2);
	free(t2);
	/* a user whose key is removed is off, and tombstoned too */
	struct conf_store *off = build(del, "[ SNMPUsers ]\nFORMAT SNMPUsers_Index = "
					    "SNMPUsers_AuthKey;\nSNMPUsers 1 = \"\";\n"
					    "[ \\SNMPUsers ]\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(off);
	t2 = snmpd_conf_render(off, t1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t2, "# deleted user: mon\ncreateUser mon SHA-256"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t2, "# deleted user: adm\n"));
	CU_ASSERT_PTR_NULL(strstr(t2, "mon-auth-1"));
	/* the name in use again: the tombstone goes */
	free(t1);
	t1 = snmpd_conf_render(st, t2);
	CU_ASSERT_PTR_NULL(strstr(t1, "# deleted user"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t1, "createUser adm SHA-256 \"adm-auth-1\""));
	free(t0);
	free(t1);
	free(t2);
	conf_store_free(off);
	conf_store_free(del);
	conf_store_free(st);
	conf_store_free(base);
}

static void refused(const struct conf_store *base, const char *text, const char *why)
{
	struct conf_diag d;
	struct conf_store *st;
	char *all;

	conf_diag_init(&d);
	st = ini_build(base, text, strlen(text), "t.ini", INI_INCREMENTAL, 0, &d);
	CU_ASSERT_PTR_NULL(st);
	all = conf_diag_join(&d);
	if (!strstr(all, why))
		fprintf(stderr, "expected '%s' in: %s\n", why, all);
	CU_ASSERT_PTR_NOT_NULL(strstr(all, why));
	free(all);
	conf_store_free(st);
	conf_diag_free(&d);
}

static void test_refusals(void)
{
	struct conf_store *base = ini_factory(), *st = build(base, users);
	const char *u = "[ SNMPUsers ]\nFORMAT SNMPUsers_Index = SNMPUsers_Username, %s;\n"
			"SNMPUsers 4 = \"x\", %s;\n[ \\SNMPUsers ]\n";
	char buf[512];

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	snprintf(buf, sizeof(buf), u, "SNMPUsers_PrivProtocol", "2");
	refused(st, buf, "SNMPUsers row 4 column PrivProtocol: 3DES");
	snprintf(buf, sizeof(buf), u, "SNMPUsers_AuthKey", "\"short\"");
	refused(st, buf, "SNMPUsers row 4 column AuthKey: the authentication pass phrase needs 8");
	snprintf(buf, sizeof(buf), u, "SNMPUsers_AuthKey", "\"has\\\\backslash\"");
	refused(st, buf, "SNMPUsers row 4 column AuthKey: control characters");
	snprintf(buf, sizeof(buf), u, "SNMPUsers_AuthProtocol", "0");
	refused(st, buf, "SNMPUsers row 4 column PrivProtocol: privacy needs an AuthProtocol");
	refused(st,
		"[ SNMPUsers ]\nFORMAT SNMPUsers_Index = SNMPUsers_Username;\n"
		"SNMPUsers 4 = \"a b\";\n[ \\SNMPUsers ]\n",
		"SNMPUsers row 4 column Username");
	refused(st,
		"[ SNMPTrapDestinations ]\nFORMAT SNMPTrapDestinations_Index = "
		"SNMPTrapDestinations_Address;\n"
		"SNMPTrapDestinations 3 = \"h;x\";\n[ \\SNMPTrapDestinations ]\n",
		"SNMPTrapDestinations row 3 column Address: not a host name");
	refused(st, "SNMPReadWriteCommunityString = 'a\\b'\n",
		"Globals column SNMPReadWriteCommunityString: control characters");
	conf_store_free(st);
	conf_store_free(base);
}

/* The file goes where the deployment says, and is never written over when not sbcd's. */
static void test_paths(void)
{
	char err[512], path[300];
	struct conf_store *base = ini_factory(), *st = build(base, users);
	struct conf_diag d;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(snmpd_conf_init("relative.conf", NULL, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(snmpd_conf_init("/etc/shadow", NULL, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(snmpd_conf_init("/x.conf", "pid", err, sizeof(err)), -1);
	snprintf(path, sizeof(path), "%s/sbc-snmpv3.conf", unit_tmpdir());
	unlink(path);
	CU_ASSERT_EQUAL_FATAL(snmpd_conf_init(path, NULL, err, sizeof(err)), 0);
	conf_diag_init(&d);
	CU_ASSERT_EQUAL(snmpd_conf_prepare(st, &d), 0);
	snmpd_conf_apply(st);
	struct stat sb;
	CU_ASSERT_EQUAL_FATAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 0777, 0640);
	/* someone else's file: the commit is refused, the file left alone */
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("rocommunity theirs\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(snmpd_conf_prepare(st, &d), -1);
	CU_ASSERT(d.nerr == 1 && strstr(d.msg[0], "not written by sbcd"));
	CU_ASSERT_EQUAL(stat(path, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_size, (off_t)strlen("rocommunity theirs\n"));
	conf_diag_free(&d);
	snmpd_conf_init(NULL, NULL, err, sizeof(err));
	unlink(path);
	conf_store_free(st);
	conf_store_free(base);
}

UNIT_SUITE(snmpd_conf, {"render users, communities, sinks", test_render},
	   {"deleted users become tombstones", test_tombstones},
	   {"refusals name table, row and column", test_refusals},
	   {"include path and foreign files", test_paths});

/* A whole import without a WebUsers table keeps the users (doc/INI.md). */
#include <stdlib.h>
#include <string.h>

#include "ini/ini.h"
#include "tests/unit/unit.h"

static const char users[] = "[ WebUsers ]\n"
			    "FORMAT WebUsers_Index = WebUsers_Username, WebUsers_Password, "
			    "WebUsers_UserLevel;\n"
			    "WebUsers 0 = \"Admin\", \"Secret12\", 220;\n"
			    "WebUsers 1 = \"op\", \"OpPass12\", 100;\n"
			    "[ \\WebUsers ]\n";
static const char admin_only[] = "[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_Username;\n"
				 "WebUsers 0 = \"Admin\";\n[ \\WebUsers ]\n";
static const char vendor[] = "[SIP Params]\nSIPSRequireClientCertificate = 1\n";

static void test_users_kept(void)
{
	const struct conf_table *t = conf_table_find("WebUsers");
	struct conf_store *f = ini_factory(), *base, *cand;
	struct conf_diag d;
	char *msgs;

	conf_diag_init(&d);
	base = ini_build(f, users, strlen(users), "users.ini", INI_INCREMENTAL, 0, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(base);
	cand = ini_build(base, vendor, strlen(vendor), "vendor.ini", INI_REPLACE, 0, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cand);
	CU_ASSERT(conf_store_table_equal(base, cand, t));
	CU_ASSERT_EQUAL(conf_global_int(cand, "SIPSRequireClientCertificate"), 1);
	msgs = conf_diag_join(&d);
	CU_ASSERT(msgs && strstr(msgs, "warning: vendor.ini: no WebUsers table: the "
				       "current users and passwords are kept"));
	free(msgs);
	conf_store_free(cand);
	/* a file with a WebUsers table replaces the users */
	cand = ini_build(base, admin_only, strlen(admin_only), "u.ini", INI_REPLACE, 0, &d);
	CU_ASSERT(cand && conf_store_rows(cand, t)->n == 1);
	conf_store_free(cand);
	/* offline (no base): the factory user */
	cand = ini_build(NULL, vendor, strlen(vendor), "vendor.ini", INI_REPLACE, 0, &d);
	CU_ASSERT(cand && conf_store_table_equal(f, cand, t));
	conf_store_free(cand);
	conf_store_free(base);
	conf_store_free(f);
	conf_diag_free(&d);
}

UNIT_SUITE(ini_users, {"a whole import without WebUsers keeps the users", test_users_kept});

/* Management identities (issue 15): user-level rules, hashed passwords, whole-password LOGIN,
 * lockout per (user, source). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/cols.h"
#include "ini/ini.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_users.h"
#include "sbc/ctl_work.h"
#include "sbc/sbcd.h"
#include "tests/unit/unit.h"

static const char users[] = "[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_Username, "
			    "WebUsers_Password, WebUsers_UserLevel;\n"
			    "WebUsers 1 = \"usec\", \"SecPass12\", 200;\n"
			    "WebUsers 2 = \"uwhole\", \"Abcdef12\", 100;\n"
			    "WebUsers 3 = \"usrc\", \"SrcPass12\", 100;\n[ \\WebUsers ]\n";

static struct conf_store *with(const struct conf_store *base, const char *doc)
{
	struct conf_diag d;
	struct conf_store *st;

	conf_diag_init(&d);
	st = ini_build(base, doc, strlen(doc), "t", INI_INCREMENTAL, INI_L_DELETE, &d);
	conf_diag_free(&d);
	return st;
}

static int reply_has(struct sbcd *s, struct ctl_session *cs, const char *req, const char *want)
{
	size_t rlen;
	char *out = ctl_verbs_handle(s, cs, req, strlen(req), &rlen);
	int ok;

	if (!out && cs->job)
		out = ctl_job_run_here(s, cs, &rlen);
	ok = out && strstr(out, want) != NULL;
	if (!ok)
		fprintf(stderr, "%s -> %s\n", req, out ? out : "(null)");
	free(out);
	return ok;
}

static void test_levels_and_last_master(void)
{
	struct conf_store *f = ini_factory(), *run = with(f, users), *c;
	char err[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(run);
	/* raising oneself above one's level */
	c = with(run, "[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_UserLevel;\n"
		      "WebUsers 1 = 220;\n[ \\WebUsers ]\n");
	CU_ASSERT_EQUAL(ctl_users_check(run, c, 200, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "level 220 is above yours (200)") != NULL);
	CU_ASSERT_EQUAL(ctl_users_check(run, c, 220, err, sizeof(err)), 0);
	conf_store_free(c);
	/* changing a master's password from level 200 */
	c = with(run, "[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_Password;\n"
		      "WebUsers 0 = \"Owned1234\";\n[ \\WebUsers ]\n");
	CU_ASSERT_EQUAL(ctl_users_check(run, c, 200, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "user Admin has level 220") != NULL);
	conf_store_free(c);
	/* a level-200 user may set another up to 200 */
	c = with(run, "[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_UserLevel;\n"
		      "WebUsers 2 = 200;\n[ \\WebUsers ]\n");
	CU_ASSERT_EQUAL(ctl_users_check(run, c, 200, err, sizeof(err)), 0);
	conf_store_free(c);
	/* the last master: demoted or deleted, even by a master */
	c = with(run, "[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_UserLevel;\n"
		      "WebUsers 0 = 200;\n[ \\WebUsers ]\n");
	CU_ASSERT_EQUAL(ctl_users_check(run, c, 220, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "last master") != NULL);
	conf_store_free(c);
	c = with(run, "!DELETE WebUsers 0\n");
	CU_ASSERT_PTR_NOT_NULL(c);
	CU_ASSERT(c && ctl_users_check(run, c, 220, err, sizeof(err)) == -1);
	conf_store_free(c);
	conf_store_free(run);
	conf_store_free(f);
}

static void test_password_always_hashed(void)
{
	const struct conf_column *col = &conf_tbl_webusers.cols[WEBUSER_PASSWORD];
	const char *h =
	    "$6$abcdefgh$0123456789abcdefghijABCDEFGHIJ0123456789abcdefghijABCDEFGHIJ01234"
	    "56789abcdefg";
	char err[200], marked[256];
	union conf_val v;

	/* a value that merely looks like a hash is a password */
	CU_ASSERT_EQUAL_FATAL(conf_value_parse(col, h, &v, err, sizeof(err)), 0);
	CU_ASSERT(strncmp(v.s, "$y$", 3) == 0 && strcmp(v.s, h) != 0);
	conf_value_free(col, &v);
	/* the marker: refused unless a hash import is in force */
	snprintf(marked, sizeof(marked), "hash:%s", h);
	CU_ASSERT_EQUAL(conf_value_parse(col, marked, &v, err, sizeof(err)), -1);
	CU_ASSERT(strstr(err, "hash:") != NULL);
	int was = conf_hash_import(1);
	CU_ASSERT_EQUAL_FATAL(conf_value_parse(col, marked, &v, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(v.s, h);
	conf_value_free(col, &v);
	CU_ASSERT_EQUAL(conf_value_parse(col, "hash:plain", &v, err, sizeof(err)), -1);
	conf_hash_import(was);
}

static void test_whole_password_and_sources(void)
{
	struct sbcd s = {0};
	struct conf_store *f = ini_factory();
	struct ctl_session local = {.level = 50, .peer_level = 50, .uid = 1000};
	struct ctl_session root = {.level = 220, .peer_level = 220, .uid = 0};

	s.running = with(f, users);
	conf_store_free(f);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.running);
	s.active = conf_store_clone(s.running);
	/* the whole body is the password */
	CU_ASSERT(reply_has(&s, &root, "LOGIN uwhole\nAbcdef12\nxyz", "login incorrect"));
	CU_ASSERT(reply_has(&s, &root, "LOGIN uwhole\nAbcdef12", "OK\nlevel 100"));
	/* an unprivileged client locks out itself only; its FROM is not believed */
	for (int i = 0; i < 3; i++)
		CU_ASSERT(reply_has(&s, &local, "LOGIN usrc\nwrong", "login incorrect"));
	CU_ASSERT(reply_has(&s, &local, "LOGIN usrc\nSrcPass12", "is locked out for"));
	CU_ASSERT(
	    reply_has(&s, &local, "LOGIN usrc FROM 10.1.1.1\nSrcPass12", "is locked out for"));
	CU_ASSERT(reply_has(&s, &root, "LOGIN usrc\nSrcPass12", "OK\nlevel 100"));
	/* a trusted front end's sources are counted apart */
	for (int i = 0; i < 3; i++)
		CU_ASSERT(
		    reply_has(&s, &root, "LOGIN usrc FROM 192.0.2.1\nwrong", "login incorrect"));
	CU_ASSERT(
	    reply_has(&s, &root, "LOGIN usrc FROM 192.0.2.1\nSrcPass12", "is locked out for"));
	CU_ASSERT(reply_has(&s, &root, "LOGIN usrc FROM 192.0.2.2\nSrcPass12", "OK\nlevel 100"));
	conf_store_free(s.running);
	conf_store_free(s.active);
}

UNIT_SUITE(ctl_users, {"user levels and the last master", test_levels_and_last_master},
	   {"passwords always hashed; hash: only on import", test_password_always_hashed},
	   {"whole password; lockout per source", test_whole_password_and_sources});

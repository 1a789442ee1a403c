/* sbcd's LOGIN verb: passwords, lockout that made-up names cannot reset, locked accounts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini/ini.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_work.h"
#include "sbc/sbcd.h"
#include "tests/unit/unit.h"

static char *call(struct sbcd *s, struct ctl_session *cs, const char *req)
{
	char *copy = strdup(req);
	size_t rlen;
	char *out = ctl_verbs_handle(s, cs, copy, strlen(copy), &rlen);

	if (!out && cs->job) /* the password check runs as a job, here on this thread */
		out = ctl_job_run_here(s, cs, &rlen);
	free(copy);
	return out;
}

static int ok_reply(struct sbcd *s, struct ctl_session *cs, const char *req, const char *want)
{
	char *out = call(s, cs, req);
	int ok = out && strstr(out, want) != NULL;

	if (!ok)
		fprintf(stderr, "%s -> %s\n", req, out ? out : "(null)");
	free(out);
	return ok;
}

static void test_login_and_lockout(void)
{
	struct sbcd s = {0};
	struct ctl_session cs = {.level = 220, .peer_level = 220};
	char req[64];

	s.running = ini_factory();
	s.active = conf_store_clone(s.running);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.running);
	CU_ASSERT(ok_reply(&s, &cs, "LOGIN Admin\nAdmin", "OK\nlevel 220"));
	CU_ASSERT(ok_reply(&s, &cs, "LOGIN Admin\nwrong", "login incorrect"));
	/* a failed login leaves the connection with nothing, even for a root peer */
	CU_ASSERT_EQUAL(cs.level, 0);
	CU_ASSERT(ok_reply(&s, &cs, "EXPORT", "permission denied: log in first"));
	CU_ASSERT(ok_reply(&s, &cs, "LOGIN Admin\nwrong", "login incorrect"));
	/* logins as made-up names in between must not reset Admin's count */
	for (int i = 0; i < 40; i++) {
		snprintf(req, sizeof(req), "LOGIN nobody%d\nx", i);
		CU_ASSERT(ok_reply(&s, &cs, req, "login incorrect"));
	}
	CU_ASSERT(ok_reply(&s, &cs, "LOGIN Admin\nwrong", "login incorrect"));
	CU_ASSERT(ok_reply(&s, &cs, "LOGIN Admin\nAdmin", "is locked out for"));
	CU_ASSERT_EQUAL(cs.level, 0);
	conf_store_free(s.running);
	conf_store_free(s.active);
}

static void test_locked_status(void)
{
	struct sbcd s = {0};
	struct ctl_session cs = {.level = 220, .peer_level = 220};
	const char *doc = "[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_Username, "
			  "WebUsers_Password, WebUsers_Status, WebUsers_UserLevel;\n"
			  "WebUsers 1 = \"ops\", \"Secret1\", 2, 100;\n[ \\WebUsers ]\n";
	struct conf_store *base = ini_factory();
	struct conf_diag d;

	conf_diag_init(&d);
	s.running = ini_build(base, doc, strlen(doc), "t", INI_INCREMENTAL, 0, &d);
	conf_store_free(base);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.running);
	s.active = conf_store_clone(s.running);
	CU_ASSERT(ok_reply(&s, &cs, "LOGIN ops\nSecret1", "is locked (WebUsers Status)"));
	CU_ASSERT(ok_reply(&s, &cs, "AS ops", "is locked (WebUsers Status)"));
	CU_ASSERT_EQUAL(cs.level, 0);
	conf_diag_free(&d);
	conf_store_free(s.running);
	conf_store_free(s.active);
}

UNIT_SUITE(ctl_login, {"login, lockout not reset by made-up names", test_login_and_lockout},
	   {"locked accounts refused", test_locked_status});

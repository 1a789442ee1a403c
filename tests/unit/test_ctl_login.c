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

/*
 * LOGINs run as jobs and may overlap (issue 14, finding 9). The lockout is
 * decided when each one completes, on the loop thread, exactly as if they had
 * run one after another in completion order: the fourth attempt that completes
 * after three failures is refused as locked out, even with the right password.
 */
static void test_overlapping_logins(void)
{
	struct sbcd s = {0};
	struct ctl_session cs[5];
	const char *pw[5] = {"wrong", "wrong", "wrong", "Secret2", "wrong"};
	const char *doc = "[ WebUsers ]\nFORMAT WebUsers_Index = WebUsers_Username, "
			  "WebUsers_Password, WebUsers_UserLevel;\n"
			  "WebUsers 1 = \"ops2\", \"Secret2\", 100;\n[ \\WebUsers ]\n";
	struct conf_store *base = ini_factory();
	struct conf_diag d;
	char req[64], *out;
	size_t rlen;

	conf_diag_init(&d);
	s.running = ini_build(base, doc, strlen(doc), "t", INI_INCREMENTAL, 0, &d);
	conf_diag_free(&d);
	conf_store_free(base);
	s.active = conf_store_clone(s.running);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.running);
	for (int i = 0; i < 5; i++) {
		cs[i] = (struct ctl_session){.level = 220, .peer_level = 220};
		snprintf(req, sizeof(req), "LOGIN ops2\n%s", pw[i]);
		out = ctl_verbs_handle(&s, &cs[i], req, strlen(req), &rlen);
		/* deferred: no reply yet, the connection already has no rights */
		CU_ASSERT_PTR_NULL(out);
		CU_ASSERT_PTR_NOT_NULL(cs[i].job);
		CU_ASSERT_EQUAL(cs[i].level, 0);
		free(out);
	}
	for (int i = 0; i < 5; i++) {
		out = ctl_job_run_here(&s, &cs[i], &rlen);
		CU_ASSERT_PTR_NOT_NULL_FATAL(out);
		CU_ASSERT(strstr(out, i < 3 ? "login incorrect" : "is locked out for") != NULL);
		CU_ASSERT_EQUAL(cs[i].level, 0);
		free(out);
	}
	/* a new attempt is refused at once, with no job */
	out = ctl_verbs_handle(&s, &cs[0], "LOGIN ops2\nSecret2", 19, &rlen);
	CU_ASSERT(out && strstr(out, "is locked out for") != NULL);
	CU_ASSERT_PTR_NULL(cs[0].job);
	free(out);
	conf_store_free(s.running);
	conf_store_free(s.active);
}

UNIT_SUITE(ctl_login, {"login, lockout not reset by made-up names", test_login_and_lockout},
	   {"locked accounts refused", test_locked_status},
	   {"overlapping logins: lockout in completion order", test_overlapping_logins});

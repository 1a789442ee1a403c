/* sbcd's LOAD verb as a job: parsed on a worker, refused when another commit came meanwhile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini/ini.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_work.h"
#include "sbc/sbcd.h"
#include "tests/unit/unit.h"

#define SET(i, name)                                                                               \
	"LOAD incremental t.ini\n[ ProxySet ]\nFORMAT ProxySet_Index = ProxySet_ProxyName;\n"      \
	"ProxySet " #i " = \"" name "\";\n[ \\ProxySet ]\n"

static char *start(struct sbcd *s, struct ctl_session *cs, const char *req)
{
	size_t rlen;

	return ctl_verbs_handle(s, cs, req, strlen(req), &rlen);
}

static char *run(struct sbcd *s, struct ctl_session *cs)
{
	size_t rlen;

	return ctl_job_run_here(s, cs, &rlen);
}

static int has_set(struct sbcd *s, unsigned idx)
{
	return conf_store_get(s->running, &conf_tbl_proxyset, idx) != NULL;
}

static void test_load_is_a_job(void)
{
	struct sbcd s = {0};
	struct ctl_session cs = {.level = 220, .peer_level = 220};
	struct conf_store *before;
	char *out;

	s.running = ini_factory();
	s.active = conf_store_clone(s.running);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.running);
	before = s.running;
	/* deferred: no reply, nothing changed until the job's finish runs */
	out = start(&s, &cs, SET(7, "seven"));
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cs.job);
	CU_ASSERT_PTR_EQUAL(s.running, before);
	CU_ASSERT_FALSE(has_set(&s, 7));
	out = run(&s, &cs);
	CU_ASSERT(out && strncmp(out, "OK\n", 3) == 0);
	CU_ASSERT_TRUE(has_set(&s, 7));
	CU_ASSERT_EQUAL(s.changes, 1);
	free(out);
	/* permission is checked before dispatch: no job */
	cs.level = 50;
	out = start(&s, &cs, SET(8, "eight"));
	CU_ASSERT(out && strstr(out, "#code permission") != NULL);
	CU_ASSERT_PTR_NULL(cs.job);
	free(out);
	/* a refused document: coded error, nothing changed */
	cs.level = 220;
	out = start(&s, &cs, SET(9, "seven"));
	CU_ASSERT_PTR_NULL(out);
	out = run(&s, &cs);
	CU_ASSERT(out && strncmp(out, "ERR\n", 4) == 0 && strstr(out, "#code unique") &&
		  strstr(out, "nothing was changed"));
	CU_ASSERT_FALSE(has_set(&s, 9));
	CU_ASSERT_EQUAL(s.changes, 1);
	free(out);
	/* level 100 may not change users: decided when the job finishes, nothing changed */
	cs.level = 100;
	out = start(&s, &cs,
		    "LOAD incremental u.ini\n[ WebUsers ]\nFORMAT WebUsers_Index = "
		    "WebUsers_Username, WebUsers_Password, WebUsers_UserLevel;\n"
		    "WebUsers 5 = \"ops9\", \"Secret9x\", 100;\n[ \\WebUsers ]\n");
	CU_ASSERT_PTR_NULL(out);
	out = run(&s, &cs);
	CU_ASSERT(out && strstr(out, "#code permission WebUsers") &&
		  strstr(out, "nothing was changed"));
	CU_ASSERT_EQUAL(s.changes, 1);
	free(out);
	/* a whole (replace) import takes the same path: the rows not in it go */
	cs.level = 220;
	out = start(&s, &cs, "LOAD replace r.ini\n[ SIP Params ]\n");
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cs.job);
	out = run(&s, &cs);
	CU_ASSERT(out && strncmp(out, "OK\n", 3) == 0);
	CU_ASSERT_FALSE(has_set(&s, 7));
	CU_ASSERT_EQUAL(s.changes, 2);
	free(out);
	conf_store_free(s.running);
	conf_store_free(s.active);
}

static void test_load_conflict(void)
{
	struct sbcd s = {0};
	struct ctl_session a = {.level = 220, .peer_level = 220}, b = a;
	char *out;

	s.running = ini_factory();
	s.active = conf_store_clone(s.running);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.running);
	/* a's job is prepared from the running store as it was... */
	CU_ASSERT_PTR_NULL(start(&s, &a, SET(3, "from-a")));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a.job);
	/* ...then b commits first */
	CU_ASSERT_PTR_NULL(start(&s, &b, SET(4, "from-b")));
	out = run(&s, &b);
	CU_ASSERT(out && strncmp(out, "OK\n", 3) == 0);
	free(out);
	/* a would silently undo nothing, but it was built on an older base: refused, retry */
	out = run(&s, &a);
	CU_ASSERT(out && strncmp(out, "ERR\n", 4) == 0);
	CU_ASSERT(out && strstr(out, "changed by another request") && strstr(out, "retry") &&
		  strstr(out, "#code refused") && strstr(out, "nothing was changed"));
	free(out);
	CU_ASSERT_TRUE(has_set(&s, 4));
	CU_ASSERT_FALSE(has_set(&s, 3));
	CU_ASSERT_EQUAL(s.changes, 1);
	/* the retry succeeds */
	CU_ASSERT_PTR_NULL(start(&s, &a, SET(3, "from-a")));
	out = run(&s, &a);
	CU_ASSERT(out && strncmp(out, "OK\n", 3) == 0);
	free(out);
	CU_ASSERT_TRUE(has_set(&s, 3) && has_set(&s, 4));
	conf_store_free(s.running);
	conf_store_free(s.active);
}

/* EXPORT writes on a worker from its own reference: a commit meanwhile neither changes nor frees
 * what it writes. */
static void test_export_is_a_job(void)
{
	struct sbcd s = {0};
	struct ctl_session a = {.level = 220, .peer_level = 220}, b = a;
	char *out;

	s.running = ini_factory();
	s.active = conf_store_clone(s.running);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s.running);
	CU_ASSERT_PTR_NULL(start(&s, &b, SET(5, "before")));
	free(run(&s, &b));
	CU_ASSERT_PTR_NULL(start(&s, &a, "EXPORT ProxySet"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(a.job);
	/* another request replaces the running store while the export waits for its worker */
	CU_ASSERT_PTR_NULL(start(&s, &b, SET(6, "after")));
	out = run(&s, &b);
	CU_ASSERT(out && strncmp(out, "OK\n", 3) == 0);
	free(out);
	CU_ASSERT_TRUE(has_set(&s, 6));
	out = run(&s, &a);
	CU_ASSERT(out && strncmp(out, "OK\n", 3) == 0);
	CU_ASSERT(out && strstr(out, "\"before\"") && !strstr(out, "\"after\""));
	free(out);
	/* an unknown table is refused at once, no job */
	out = start(&s, &a, "EXPORT NoSuchTable");
	CU_ASSERT(out && strncmp(out, "ERR\n", 4) == 0 && strstr(out, "NoSuchTable"));
	CU_ASSERT_PTR_NULL(a.job);
	free(out);
	conf_store_free(s.running);
	conf_store_free(s.active);
}

/* Control work leaves the SIP loop a core: cores - 1 short-lane threads, within 1 .. 3. */
static void test_short_lane_threads(void)
{
	CU_ASSERT_EQUAL(ctl_work_short_threads(1), 1);
	CU_ASSERT_EQUAL(ctl_work_short_threads(2), 1);
	CU_ASSERT_EQUAL(ctl_work_short_threads(3), 2);
	CU_ASSERT_EQUAL(ctl_work_short_threads(4), 3);
	CU_ASSERT_EQUAL(ctl_work_short_threads(64), 3);
}

UNIT_SUITE(ctl_load, {"LOAD runs as a job; permission and refusal as before", test_load_is_a_job},
	   {"LOAD refused when another commit came during its job", test_load_conflict},
	   {"EXPORT runs as a job on its own reference to the running store", test_export_is_a_job},
	   {"short-lane workers: one core fewer than sbcd may use (1 .. 3)",
	    test_short_lane_threads});

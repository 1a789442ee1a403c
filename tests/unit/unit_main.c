/* CUnit runner for every suite registered with UNIT_SUITE. */
#include <assert.h>
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/unit.h"

struct unit_suite {
	const char *name;
	const struct unit_case *cases;
	unsigned n;
};

static struct unit_suite suites[64];
static unsigned nsuites;
static char tmpdir[256];

void unit_register(const char *suite, const struct unit_case *cases, unsigned n)
{
	/* a suite left out would pass unnoticed: grow the table instead */
	assert(nsuites < sizeof(suites) / sizeof(suites[0]));
	suites[nsuites++] = (struct unit_suite){suite, cases, n};
}

const char *unit_tmpdir(void)
{
	if (!tmpdir[0]) {
		snprintf(tmpdir, sizeof(tmpdir), "/tmp/sbc-unit-XXXXXX");
		if (!mkdtemp(tmpdir))
			abort();
	}
	return tmpdir;
}

static void cleanup(void)
{
	char cmd[300];

	if (tmpdir[0] && !getenv("UNIT_KEEP_TMP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "unit: could not remove %s\n", tmpdir);
	}
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	unsigned run, failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (unsigned i = 0; i < nsuites; i++) {
		if (only && strcmp(only, suites[i].name) != 0)
			continue;
		CU_pSuite s = CU_add_suite(suites[i].name, NULL, NULL);
		for (unsigned j = 0; j < suites[i].n; j++)
			CU_add_test(s, suites[i].cases[j].name, suites[i].cases[j].fn);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	cleanup();
	printf("unit: %u passed, %u failed\n", run - failed, failed);
	return failed ? 1 : 0;
}

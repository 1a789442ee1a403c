/*
 * Unit-test registration. Each test file lists its cases with UNIT_SUITE;
 * the runner (unit_main.c) builds one CUnit registry from every file linked in.
 *
 *   static void test_x(void) { CU_ASSERT(...); }
 *   UNIT_SUITE(conf_schema, { "x", test_x }, { "y", test_y });
 */
#ifndef UNIT_H
#define UNIT_H
#include <CUnit/CUnit.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
};

void unit_register(const char *suite, const struct unit_case *cases, unsigned n);

/* A scratch directory for the running test binary, created on first use. */
const char *unit_tmpdir(void);

#define UNIT_SUITE(sname, ...)                                                                     \
	static const struct unit_case unit_cases_##sname[] = {__VA_ARGS__};                        \
	__attribute__((constructor)) static void unit_reg_##sname(void)                            \
	{                                                                                          \
		unit_register(#sname, unit_cases_##sname,                                          \
			      sizeof(unit_cases_##sname) / sizeof(unit_cases_##sname[0]));         \
	}
#endif

/* Issue 17 items 3 and 5: strict numbers, validation gaps, the #access/#code pending lines. */
#include <string.h>

#include "conf/num.h"
#include "unit.h"

static void test_num_strict(void)
{
	static const char *const bad[] = {"",   "abc", "0abc",  "7 ",
					  " 7", "+7",  "0x10",  "1e3",
					  "-1", "--1", "65536", "99999999999999999999999"};
	char err[160];
	long long v = 42;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		CU_ASSERT_EQUAL(conf_num_parse("--port", bad[i], 0, 65535, &v, err, sizeof(err)),
				-1);
		CU_ASSERT_EQUAL(v, 42); /* nothing written on refusal */
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "--port: "));
	}
	CU_ASSERT_EQUAL(conf_num_parse("--port", NULL, 0, 65535, &v, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(conf_num_parse("--port", "0", 0, 65535, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(conf_num_parse("--port", "65535", 0, 65535, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 65535);
	CU_ASSERT_EQUAL(conf_num_parse("offset", "-5", -10, 10, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, -5);
	conf_num_parse("root index", "abc", 0, 10, &v, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(err, "root index: 'abc' is not a whole number in 0..10");
	conf_num_parse("days", "0", 1, 36500, &v, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(err, "days: '0' is out of range 1..36500");
}

static void test_num_uint_double(void)
{
	char err[160];
	unsigned u = 9;
	double d = 9;

	CU_ASSERT_EQUAL(conf_num_uint("n", "4294967295", 0, 4294967295u, &u, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(u, 4294967295u);
	CU_ASSERT_EQUAL(conf_num_uint("n", "4294967296", 0, 4294967295u, &u, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(conf_num_double("--seconds", "0.5", 0, 10, &d, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(d, 0.5, 1e-9);
	CU_ASSERT_EQUAL(conf_num_double("--seconds", "2", 0, 10, &d, err, sizeof(err)), 0);
	static const char *const bad[] = {"",      ".",     "1e3", "nan", "inf",
					  "0x1p3", "1.2.3", "2s",  "-1",  "11"};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(conf_num_double("--seconds", bad[i], 0, 10, &d, err, sizeof(err)),
				-1);
}

UNIT_SUITE(newcomer, {"strict whole numbers", test_num_strict},
	   {"strict unsigned and fractions", test_num_uint_double});

/* Certificate expiry alarms: every boundary of the severity ladder and the message text. */
#include <string.h>

#include "tests/unit/unit.h"
#include "tls/expiry.h"

#define NOW ((time_t)1700000000)
#define D   86400L

static const struct {
	long left; /* not_after - now, seconds */
	int start;
	enum tls_alarm want;
	const char *msg;
} cases[] = {
    {100 * D, 60, TLS_ALARM_NONE, "certificate of TLS context 3 will expire in 100 days"},
    {60 * D + 1, 60, TLS_ALARM_NONE, "certificate of TLS context 3 will expire in 61 days"},
    {60 * D, 60, TLS_ALARM_MINOR, "certificate of TLS context 3 will expire in 60 days"},
    {9 * D, 60, TLS_ALARM_MINOR, "certificate of TLS context 3 will expire in 9 days"},
    {8 * D + 1, 60, TLS_ALARM_MINOR, "certificate of TLS context 3 will expire in 9 days"},
    {8 * D, 60, TLS_ALARM_MAJOR, "certificate of TLS context 3 will expire in 8 days"},
    {D + 1, 60, TLS_ALARM_MAJOR, "certificate of TLS context 3 will expire in 2 days"},
    {D, 60, TLS_ALARM_MAJOR, "certificate of TLS context 3 will expire in 1 day"},
    {1, 60, TLS_ALARM_MAJOR, "certificate of TLS context 3 will expire in 1 day"},
    {0, 60, TLS_ALARM_CRITICAL, "certificate of TLS context 3 has expired today"},
    {-1, 60, TLS_ALARM_CRITICAL, "certificate of TLS context 3 has expired today"},
    {-D, 60, TLS_ALARM_CRITICAL, "certificate of TLS context 3 has expired 1 day ago"},
    {-3 * D - 5, 60, TLS_ALARM_CRITICAL, "certificate of TLS context 3 has expired 3 days ago"},
    /* TLSExpiryCheckStart 0: no MINOR window, MAJOR and CRITICAL remain. */
    {30 * D, 0, TLS_ALARM_NONE, NULL},
    {8 * D, 0, TLS_ALARM_MAJOR, NULL},
    {-D, 0, TLS_ALARM_CRITICAL, NULL},
    /* A start shorter than the MAJOR window does not shrink it. */
    {9 * D, 5, TLS_ALARM_NONE, NULL},
    {7 * D, 5, TLS_ALARM_MAJOR, NULL},
    {3650L * D, 3650, TLS_ALARM_MINOR, NULL},
};

static void test_ladder(void)
{
	char buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_t na = NOW + cases[i].left;
		enum tls_alarm got = tls_expiry_severity(na, NOW, cases[i].start);
		if (got != cases[i].want)
			fprintf(stderr, "\ncase %zu: left %ld start %d: got %s want %s\n", i,
				cases[i].left, cases[i].start, tls_alarm_name(got),
				tls_alarm_name(cases[i].want));
		CU_ASSERT_EQUAL(got, cases[i].want);
		if (cases[i].msg) {
			tls_expiry_message(3, na, NOW, buf, sizeof(buf));
			CU_ASSERT_STRING_EQUAL(buf, cases[i].msg);
		}
	}
}

static void test_days(void)
{
	CU_ASSERT_EQUAL(tls_expiry_days(NOW + 1, NOW), 1);
	CU_ASSERT_EQUAL(tls_expiry_days(NOW + D, NOW), 1);
	CU_ASSERT_EQUAL(tls_expiry_days(NOW + D + 1, NOW), 2);
	CU_ASSERT_EQUAL(tls_expiry_days(NOW, NOW), 0);
	CU_ASSERT_EQUAL(tls_expiry_days(NOW - D + 1, NOW), 0);
	CU_ASSERT_EQUAL(tls_expiry_days(NOW - D, NOW), -1);
	/* Far future and far past do not overflow. */
	CU_ASSERT(tls_expiry_days((time_t)4102444800LL, NOW) > 9000);
	CU_ASSERT(tls_expiry_days(0, NOW) < -19000);
}

static void test_names_and_truncation(void)
{
	char small[16];

	CU_ASSERT_STRING_EQUAL(tls_alarm_name(TLS_ALARM_NONE), "none");
	CU_ASSERT_STRING_EQUAL(tls_alarm_name(TLS_ALARM_MINOR), "minor");
	CU_ASSERT_STRING_EQUAL(tls_alarm_name(TLS_ALARM_MAJOR), "major");
	CU_ASSERT_STRING_EQUAL(tls_alarm_name(TLS_ALARM_CRITICAL), "critical");
	CU_ASSERT_STRING_EQUAL(tls_alarm_name((enum tls_alarm)42), "?");
	CU_ASSERT_PTR_EQUAL(tls_expiry_message(0, NOW, NOW, small, sizeof(small)), small);
	CU_ASSERT_EQUAL(strlen(small), sizeof(small) - 1);
}

UNIT_SUITE(tls_expiry, {"severity ladder and messages", test_ladder},
	   {"days counted up and down", test_days},
	   {"alarm names, truncated message", test_names_and_truncation});

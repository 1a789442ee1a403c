/* Schema invariants over every table. */
#include <string.h>
#include <strings.h>

#include "conf/store.h"
#include "tests/unit/unit.h"

static void test_placeholder(void)
{
	CU_ASSERT(conf_ntables > 0);
}

UNIT_SUITE(conf_schema, {"tables exist", test_placeholder});

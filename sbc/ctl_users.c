/* The rules on management users a LOAD must keep (ctl_users.h). */
#include <stdio.h>

#include "conf/cols.h"
#include "control/ctl.h"
#include "sbc/ctl_users.h"

static unsigned masters(const struct conf_store *st)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_webusers);
	unsigned n = 0;

	for (unsigned i = 0; i < rs->n; i++)
		n += conf_row_int(rs->row[i], WEBUSER_USER_LEVEL) >= CTL_LEVEL_MASTER;
	return n;
}

int ctl_users_check(const struct conf_store *running, const struct conf_store *cand, unsigned level,
		    char *err, size_t errlen)
{
	const struct conf_table *t = &conf_tbl_webusers;
	const struct conf_rows *old = conf_store_rows(running, t);
	const struct conf_rows *neu = conf_store_rows(cand, t);

	/* a row above the requester's level may be neither changed nor deleted */
	for (unsigned i = 0; i < old->n; i++) {
		const struct conf_row *r = old->row[i];
		long long lv = conf_row_int(r, WEBUSER_USER_LEVEL);

		if (lv > level && !conf_store_row_equal(running, cand, t, r->index)) {
			snprintf(
			    err, errlen,
			    "WebUsers row %u: permission denied: user %s has level %lld, above "
			    "yours (%u)",
			    r->index, conf_row_str(r, WEBUSER_USERNAME), lv, level);
			return -1;
		}
	}
	/* an added or changed row may not be given a level above the requester's */
	for (unsigned i = 0; i < neu->n; i++) {
		const struct conf_row *r = neu->row[i];
		long long lv = conf_row_int(r, WEBUSER_USER_LEVEL);

		if (lv > level && !conf_store_row_equal(running, cand, t, r->index)) {
			snprintf(
			    err, errlen,
			    "WebUsers row %u: permission denied: level %lld is above yours (%u)",
			    r->index, lv, level);
			return -1;
		}
	}
	if (masters(running) && !masters(cand)) {
		snprintf(err, errlen,
			 "WebUsers: permission denied: the last master (220) user may not be "
			 "deleted or demoted");
		return -1;
	}
	return 0;
}

/*
 * Who may change which management user (doc/CONTROL.md "Users"): the rules a
 * LOAD of WebUsers rows must keep, whatever view sent it.
 */
#ifndef SBC_CTL_USERS_H
#define SBC_CTL_USERS_H

#include <stddef.h>

#include "conf/store.h"

/*
 * 0 when changing WebUsers from running to cand is allowed to a requester of
 * privilege level: every added or changed row has a UserLevel at most level,
 * no row above level is changed or deleted, and at least one master (220) user
 * stays when running has one. Else -1 with the first refusal in err
 * ("WebUsers row N: ...").
 */
int ctl_users_check(const struct conf_store *running, const struct conf_store *cand, unsigned level,
		    char *err, size_t errlen);

#endif

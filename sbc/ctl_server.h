/*
 * ctl_server: sbcd's end of the control socket, on the su_root event loop.
 * Each connection's privilege comes from its peer credentials (SO_PEERCRED):
 * root or sbcd's own user is master (220); anyone else who can open the
 * socket (mode 0660) starts as monitor (50). LOGIN / AS change it (ctl_verbs.c).
 */
#ifndef SBC_CTL_SERVER_H
#define SBC_CTL_SERVER_H

#include <stddef.h>

struct sbcd;
struct ctl_server;
struct ctl_job;

/* One connection, as the verb handlers see it. */
struct ctl_session {
	int fd;
	unsigned level;      /* current privilege */
	unsigned peer_level; /* privilege of the peer's credentials */
	unsigned uid, pid;
	char user[48];       /* WebUsers user after LOGIN/AS, else "" */
	struct ctl_job *job; /* set by a verb that defers its work (ctl_work.h) */
};

struct ctl_server *ctl_server_start(struct sbcd *s, const char *path, char *err, size_t errlen);
void ctl_server_stop(struct ctl_server *c);

/*
 * Handles one request frame of len bytes (read by its length only: it need not
 * be NUL-terminated) and produces the reply frame (malloc'd, "OK\n..." or
 * "ERR\n..."). Returns NULL with cs->job set when the request's work runs on a
 * worker thread (ctl_work.h; the reply comes from the job's finish); NULL
 * without a job when out of memory. Implemented in ctl_verbs.c.
 */
char *ctl_verbs_handle(struct sbcd *s, struct ctl_session *cs, const char *req, size_t len,
		       size_t *rlen);

#endif

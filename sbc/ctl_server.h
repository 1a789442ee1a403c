/*
 * ctl_server: sbcd's end of the control socket, on the su_root event loop.
 * Each connection's privilege comes from its peer credentials (SO_PEERCRED):
 * root or sbcd's own user is master (220); anyone else who can open the
 * socket (mode 0660) starts as monitor (50). LOGIN / AS change it (ctl_verbs.c).
 *
 * Front ends run as their own system users (doc/OPERATIONS.md "Users"); sbcd
 * looks them up by name when it starts and gives their uids a role, never a
 * level above the one below:
 *   sbc-web   (CTL_ROLE_WEB)  monitor; may fetch TLS context 0's material for
 *             HTTPS (TLS WEBCRED) and name the HTTP client in LOGIN ... FROM
 *   sbc-keys  (CTL_ROLE_KEYS) monitor; may issue SSH key grants (GRANT)
 *   sbc-snmp  (CTL_ROLE_SNMP) admin (100): SNMP SETs; snmpd checks the SNMP user
 * The names can be changed with SBCD_WEB_USER, SBCD_KEYS_USER, SBCD_SNMP_USER in
 * sbcd's environment. A master peer (root, sbcd's own uid: `make run` as one
 * user) holds every role. The socket's group becomes sbc-ctl (SBCD_CTL_GROUP)
 * when that group exists (the front-end users are its members).
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
	unsigned roles;      /* CTL_ROLE_* of the peer's uid */
	int want_ticket;     /* this LOGIN / AS asked for a session ticket (TICKET) */
	char user[48];       /* WebUsers user after LOGIN/AS, else "" */
	struct ctl_job *job; /* set by a verb that defers its work (ctl_work.h) */
};

#define CTL_ROLE_WEB  1u
#define CTL_ROLE_KEYS 2u
#define CTL_ROLE_SNMP 4u

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

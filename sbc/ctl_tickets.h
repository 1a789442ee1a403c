/*
 * Tickets: how a front end that is not master keeps a user's rights without
 * holding the password or any right of its own (doc/CONTROL.md "Tickets").
 *
 * - A session ticket is issued by a successful LOGIN (or a web client-certificate
 *   AS) to a front end with the web role; the front end keeps it in its session
 *   and binds later connections with RESUME <ticket>. It is bound to the issuing
 *   peer's uid and ends after CTL_TICKET_IDLE seconds unused.
 * - A grant is issued by the SSH key helper (GRANT user, role keys) for one SSH
 *   session: any peer may redeem it once, within CTL_GRANT_TTL seconds.
 * Redeeming gives only the user's name: the caller looks the user up again, so a
 * deleted, locked or demoted user gets what the store says now.
 * Tokens are 32 random bytes in hex (64 characters). The tables hold
 * CTL_TICKETS tickets and CTL_GRANTS grants; when one is full, the entry used
 * longest ago gives its place.
 */
#ifndef SBC_CTL_TICKETS_H
#define SBC_CTL_TICKETS_H

#include <stddef.h>

#define CTL_TICKETS     512
#define CTL_TICKET_IDLE (24 * 3600)
#define CTL_GRANT_TTL   60
#define CTL_GRANTS      64

/* A new token for user (once: a grant) into out[65]; 0, or -1 without randomness. */
int ctl_ticket_issue(const char *user, unsigned uid, int once, char out[65]);

/*
 * The user of token for a peer of uid into user[ulen]; 0, or -1 when the token
 * is unknown, expired, or a session ticket of another uid. A grant is consumed.
 */
int ctl_ticket_redeem(const char *token, unsigned uid, char *user, size_t ulen);

/* Ends a session ticket of uid (a logout): 0, or -1 when it is no ticket of uid's. */
int ctl_ticket_end(const char *token, unsigned uid);

#endif

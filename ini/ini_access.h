/*
 * ini_access: the block a front end shows when a change moves the web
 * interface at the next reset. Input: a LOAD or CHECK reply with its
 * "#access COLUMN RUNNING NEW" lines (doc/CONTROL.md) and the globals after the
 * change (the running store, which the reset will apply). Output, e.g.:
 *   *** Web access changes at the next reset ***
 *     HTTPPort: 18080 -> 80
 *     HTTPSPort: 18443 -> 443
 *   After reset the web interface will be reached at http://<device>:80/ and
 *   https://<device>:443/
 */
#ifndef INI_ACCESS_H
#define INI_ACCESS_H

struct conf_store;

/* NULL when the reply has no #access line (or out of memory); else the block (malloc'd). next may
 * be NULL: the block then lists the changes only. */
char *ini_access_block(const char *reply, const struct conf_store *next);

#endif

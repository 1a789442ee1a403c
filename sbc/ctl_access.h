/*
 * ctl_access: what a LOAD or CHECK does to the way the operator reaches the
 * device. The web interface's globals (HTTPPort, HTTPSPort, HTTPSOnly,
 * HTTPSRequireClientCertificate, WebAddress) take effect at the next reset, so
 * a whole vendor import can move the web back to 80/443 quietly, one pending
 * note among many. Every view must show that change on its own: after each
 * "#code pending Globals 0 COLUMN" line of such a column, the reply carries
 *   #access COLUMN RUNNING NEW
 * (RUNNING the value in effect now, NEW the value after the reset, "-" for an
 * empty text). doc/CONTROL.md describes the lines.
 */
#ifndef SBC_CTL_ACCESS_H
#define SBC_CTL_ACCESS_H

struct conf_store;
struct conf_diag;

/* 1 when column c of the globals decides how the web interface is reached. */
int ctl_access_column(int c);

/*
 * coded: reply text with '#code' lines, conf_diag_join_coded(d). Returns a copy
 * (malloc'd) with one "#access" line after each '#code pending' line of an
 * access column (the column taken from d's pending notes, in order); next is
 * the store after the request, active the one in effect. NULL when out of memory.
 */
char *ctl_access_annotate(const char *coded, const struct conf_diag *d,
			  const struct conf_store *next, const struct conf_store *active);

#endif

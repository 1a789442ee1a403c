/*
 * ctl_tls: the TLS verbs of the control protocol (doc/CONTROL.md): material
 * of TLS contexts (generate, CSR, import certificate / key / trusted roots /
 * CRL, list, delete, show). Private keys never leave sbcd.
 */
#ifndef SBC_CTL_TLS_H
#define SBC_CTL_TLS_H

#include <stddef.h>

struct sbcd;
struct ctl_session;

char *ctl_tls_handle(struct sbcd *s, struct ctl_session *cs, int argc, char **argv,
		     const char *body, size_t blen, size_t *rlen);

#endif

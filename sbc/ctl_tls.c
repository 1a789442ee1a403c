/* TLS verbs: filled in with the TLS material module. */
#include <stdio.h>
#include <string.h>

#include "sbc/ctl_tls.h"

char *ctl_tls_handle(struct sbcd *s, struct ctl_session *cs, int argc, char **argv,
		     const char *body, size_t blen, size_t *rlen)
{
	static const char msg[] = "ERR\nTLS requests are not available yet\n";
	char *out = strdup(msg);

	*rlen = out ? sizeof(msg) - 1 : 0;
	return out;
}

/* The web-access block: where the operator will find the web interface after the reset. */
#include "ini/ini_access.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/cols.h"
#include "conf/store.h"

static void where(FILE *f, const struct conf_store *next)
{
	const char *addr = conf_globals_str(next, GLOBALS_WEB_ADDRESS);
	long long http = conf_globals_int(next, GLOBALS_HTTP_PORT);
	long long https = conf_globals_int(next, GLOBALS_HTTPS_PORT);
	int only = (int)conf_globals_int(next, GLOBALS_HTTPS_ONLY);
	int cert = (int)conf_globals_int(next, GLOBALS_HTTPS_REQUIRE_CLIENT_CERTIFICATE);
	char host[80];

	if (!addr || !addr[0])
		snprintf(host, sizeof(host), "<any address of the device>");
	else
		snprintf(host, sizeof(host), strchr(addr, ':') ? "[%s]" : "%s", addr);
	if (only || !http)
		http = 0;
	if (!http && !https) {
		fprintf(f, "After reset the web interface will be off (no HTTP or HTTPS port)\n");
		return;
	}
	fprintf(f, "After reset the web interface will be reached at ");
	if (http)
		fprintf(f, "http://%s:%lld/%s", host, http, https ? " and " : "");
	if (https)
		fprintf(f, "https://%s:%lld/", host, https);
	fprintf(f, "\n");
	if (https && cert)
		fprintf(f, "  HTTPS will demand a client certificate trusted by TLS context 0\n");
}

char *ini_access_block(const char *reply, const struct conf_store *next)
{
	char *out = NULL, col[64], run[256], nv[256];
	size_t len = 0;
	unsigned n = 0;
	FILE *f;

	if (!reply || !strstr(reply, "#access ") || !(f = open_memstream(&out, &len)))
		return NULL;
	fprintf(f, "*** Web access changes at the next reset ***\n");
	for (const char *l = reply; *l;) {
		size_t k = strcspn(l, "\n");
		if (!strncmp(l, "#access ", 8) &&
		    sscanf(l + 8, "%63s %255s %255s", col, run, nv) == 3) {
			fprintf(f, "  %s: %s -> %s\n", col, run, nv);
			n++;
		}
		l += k + (l[k] != 0);
	}
	if (next)
		where(f, next);
	if (fclose(f) != 0 || !n) {
		free(out);
		return NULL;
	}
	return out;
}

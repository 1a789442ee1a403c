/* TLSVersion bit sets as OpenSSL protocol bounds and holes. */
#include <stdio.h>
#include <string.h>

#include "tls/err.h"
#include "tls/policy.h"
#include "tls/version.h"

static const struct {
	unsigned bit;
	int version;
	uint64_t no; /* SSL_OP_NO_* */
	const char *name;
} vers[] = {
    {1, TLS1_VERSION, SSL_OP_NO_TLSv1, "TLS1.0"},
    {2, TLS1_1_VERSION, SSL_OP_NO_TLSv1_1, "TLS1.1"},
    {4, TLS1_2_VERSION, SSL_OP_NO_TLSv1_2, "TLS1.2"},
    {8, TLS1_3_VERSION, SSL_OP_NO_TLSv1_3, "TLS1.3"},
};

#define NVERS (sizeof(vers) / sizeof(vers[0]))

int tls_versions_apply(SSL_CTX *ctx, unsigned bits, char *err, size_t errlen)
{
	int lo = -1, hi = -1;
	uint64_t holes = 0;

	if (bits > 15)
		return tls_errf(err, errlen, "%s %u: unknown version bits",
				TLS_POLICY_COL(versions), bits);
	for (size_t i = 0; i < NVERS; i++) {
		SSL_CTX_clear_options(ctx, vers[i].no);
		if (bits & vers[i].bit) {
			if (lo < 0)
				lo = (int)i;
			hi = (int)i;
		}
	}
	if (lo < 0)
		lo = 2; /* 0 ("any") starts at TLS 1.2: 1.0 and 1.1 only when the context says so */
	for (int i = lo + 1; lo >= 0 && i < hi; i++)
		if (!(bits & vers[i].bit))
			holes |= vers[i].no;
	if (!SSL_CTX_set_min_proto_version(ctx, lo < 0 ? 0 : vers[lo].version) ||
	    !SSL_CTX_set_max_proto_version(ctx, hi < 0 ? 0 : vers[hi].version))
		return tls_errf_ssl(err, errlen, "%s %u", TLS_POLICY_COL(versions), bits);
	SSL_CTX_set_options(ctx, holes);
	return 0;
}

const char *tls_versions_text(unsigned bits, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	if (!bits) {
		snprintf(buf, len, "any");
		return buf;
	}
	for (size_t i = 0; i < NVERS; i++)
		if ((bits & vers[i].bit) && used < len) {
			int n =
			    snprintf(buf + used, len - used, "%s%s", used ? " " : "", vers[i].name);
			used += n > 0 ? (size_t)n : 0;
		}
	return buf;
}

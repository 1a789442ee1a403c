/* Certificate name matching shared by the SIP identity checks. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

#include "tls/names.h"

int tls_name_match(const char *pat, const char *name)
{
	const char *dot;

	if (!pat[0] || !name[0])
		return 0;
	if (strcasecmp(pat, name) == 0)
		return 1;
	if (pat[0] == '*' && pat[1] == '.') {
		dot = strchr(name, '.');
		return dot && dot != name && strcasecmp(dot, pat + 1) == 0;
	}
	if (name[0] == '*' && name[1] == '.') {
		dot = strchr(pat, '.');
		return dot && dot != pat && strcasecmp(dot, name + 1) == 0;
	}
	return 0;
}

int tls_cert_names(X509 *cert, int (*fn)(void *arg, const char *kind, const char *name), void *arg)
{
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	char buf[512];
	int hit = 0;

	for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans) && !hit; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
		const ASN1_STRING *s;
		if (g->type != GEN_DNS && g->type != GEN_URI)
			continue;
		s = g->d.ia5;
		/* an embedded NUL would let a name pose as a shorter one */
		if (memchr(ASN1_STRING_get0_data(s), 0, (size_t)ASN1_STRING_length(s)))
			continue;
		snprintf(buf, sizeof(buf), "%.*s", ASN1_STRING_length(s),
			 (const char *)ASN1_STRING_get0_data(s));
		hit = fn(arg, g->type == GEN_DNS ? "DNS" : "URI", buf);
	}
	GENERAL_NAMES_free(sans);
	if (!hit && X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf,
					      sizeof(buf)) > 0)
		hit = fn(arg, "CN", buf);
	return hit;
}

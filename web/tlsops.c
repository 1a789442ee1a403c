/*
 * TLS context material for the pages and the API. sbc-web reads no file of the
 * flash: the certificate chain and trusted roots come from sbcd (TLS PEM, the
 * public part of a context), the key's state from TLS SHOW. Every change is a
 * TLS verb (sbc/ctl_tls.c): sbcd alone writes the flash, checks the level (200
 * for material, 100 for a CSR) and logs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "tls/certinfo.h"
#include "tls/material.h"
#include "tls/parse.h"
#include "tls/tls.h"
#include "web/web.h"

/* The certificates of item name ("cert", "roots") of context ctx, as sbcd has them now. */
static STACK_OF(X509) *pem_item(struct web_req *r, unsigned ctx, const char *name, char *err,
				size_t errlen)
{
	static const char *const names[] = {"cert", "roots"};
	const char *ptr[2];
	size_t len[2];
	char line[64], *reply = NULL;
	size_t rlen = 0;
	STACK_OF(X509) *sk = NULL;
	int i = strcmp(name, "cert") ? 1 : 0;

	snprintf(line, sizeof(line), "TLS PEM %u", ctx);
	if (web_req_call(r, line, NULL, 0, &reply, &rlen) != 0 ||
	    web_cred_parse(reply, rlen, names, 2, ptr, len) < 0) {
		snprintf(err, errlen, "%s", reply ? reply : "sbcd is not reachable");
	} else if (!len[i]) {
		sk = i ? sk_X509_new_null() : NULL;
		if (!i)
			snprintf(err, errlen, "TLS context %u has no certificate", ctx);
	} else {
		sk = tls_parse_certs(ptr[i], len[i], name, err, errlen);
	}
	free(reply);
	ERR_clear_error();
	return sk;
}

int web_tlsops_cert_info(struct web_req *r, unsigned ctx, struct tls_cert_info *info,
			 int *key_matches, char *err, size_t errlen)
{
	STACK_OF(X509) *sk = pem_item(r, ctx, "cert", err, errlen);
	char line[64], *reply = NULL;

	*key_matches = 0;
	if (!sk)
		return -1;
	tls_cert_info_fill(sk_X509_value(sk, 0), 0, info);
	sk_X509_pop_free(sk, X509_free);
	snprintf(line, sizeof(line), "TLS SHOW %u", ctx);
	if (web_req_call(r, line, NULL, 0, &reply, NULL) == 0)
		*key_matches = strstr(reply, "\nprivate-key present, matches") != NULL;
	free(reply);
	return 0;
}

int web_tlsops_list_roots(struct web_req *r, unsigned ctx, struct tls_cert_info **out, unsigned *n,
			  char *err, size_t errlen)
{
	STACK_OF(X509) *sk = pem_item(r, ctx, "roots", err, errlen);
	int num;

	*out = NULL;
	*n = 0;
	if (!sk)
		return -1;
	num = sk_X509_num(sk);
	if (num > 0 && !(*out = calloc((size_t)num, sizeof(**out)))) {
		sk_X509_pop_free(sk, X509_free);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (int i = 0; i < num; i++)
		tls_cert_info_fill(sk_X509_value(sk, i), (unsigned)i, &(*out)[i]);
	*n = (unsigned)num;
	sk_X509_pop_free(sk, X509_free);
	return 0;
}

/* The verb's reply: 0 accepted, -1 refused; *msg holds sbcd's text (malloc'd). */
static int verb(struct web_req *r, const char *line, const char *body, size_t blen, char **msg)
{
	char *reply = NULL;
	int rc = web_req_call(r, line, body, blen, &reply, NULL);

	*msg = reply ? reply : strdup(rc < 0 ? "sbcd is not reachable" : "refused");
	return rc == 0 ? 0 : -1;
}

/* Accepted replies may be empty: say what was done. */
static int done(int rc, char **msg, const char *what)
{
	if (rc == 0 && *msg && !(*msg)[0]) {
		free(*msg);
		*msg = strdup(what);
	}
	return rc;
}

int web_tlsops_import_roots(struct web_req *r, unsigned ctx, const char *pem, size_t len,
			    char **msg)
{
	char line[64];

	snprintf(line, sizeof(line), "TLS IMPORT-ROOTS %u", ctx);
	return done(verb(r, line, pem, len, msg), msg, "trusted roots imported");
}

int web_tlsops_delete_root(struct web_req *r, unsigned ctx, unsigned index, char **msg)
{
	char line[64];

	snprintf(line, sizeof(line), "TLS DELETE-ROOT %u %u", ctx, index);
	return done(verb(r, line, NULL, 0, msg), msg, "trusted root deleted");
}

int web_tlsops_import_cert(struct web_req *r, unsigned ctx, const char *buf, size_t len, char **msg)
{
	char line[64];

	snprintf(line, sizeof(line), "TLS IMPORT-CERT %u", ctx);
	return done(verb(r, line, buf, len, msg), msg, "certificate imported");
}

int web_tlsops_import_key(struct web_req *r, unsigned ctx, const char *buf, size_t len,
			  const char *pass, char **msg)
{
	char line[64], *body = NULL;
	int n, rc;

	if (!pass || !pass[0]) {
		snprintf(line, sizeof(line), "TLS IMPORT-KEY %u", ctx);
		return done(verb(r, line, buf, len, msg), msg, "private key imported");
	}
	if (strpbrk(pass, "\r\n")) {
		*msg = strdup("the passphrase must be one line");
		return -1;
	}
	/* the passphrase is the body's first line, never part of the verb line */
	snprintf(line, sizeof(line), "TLS IMPORT-KEY %u PASSPHRASE", ctx);
	if ((n = asprintf(&body, "%s\n%.*s", pass, (int)len, buf)) < 0)
		return -1;
	rc = verb(r, line, body, (size_t)n, msg);
	explicit_bzero(body, (size_t)n);
	free(body);
	return done(rc, msg, "private key imported");
}

int web_tlsops_generate(struct web_req *r, unsigned ctx, const char *subject, int days,
			const char *keytype, char **msg)
{
	static const struct {
		const char *name, *alg;
		int bits;
	} types[] = {{"rsa-2048", "rsa", 2048},
		     {"rsa-3072", "rsa", 3072},
		     {"rsa-4096", "rsa", 4096},
		     {"ec-p256", "ec-p256", 0},
		     {"ec-p384", "ec-p384", 0}};
	char line[96];

	for (size_t i = 0; keytype && i < sizeof(types) / sizeof(types[0]); i++) {
		if (strcmp(keytype, types[i].name))
			continue;
		if (strpbrk(subject, "\r\n")) {
			*msg = strdup("the subject must be one line");
			return -1;
		}
		snprintf(line, sizeof(line), "TLS GENERATE %u %s %d %d", ctx, types[i].alg,
			 types[i].bits, days);
		return done(verb(r, line, subject, strlen(subject), msg), msg,
			    "new key and self-signed certificate made");
	}
	*msg = strdup("unknown key type");
	return -1;
}

int web_tlsops_csr(struct web_req *r, unsigned ctx, const char *subject, char **pem, char **msg)
{
	char line[64];

	*pem = NULL;
	if (strpbrk(subject, "\r\n")) {
		*msg = strdup("the subject must be one line");
		return -1;
	}
	snprintf(line, sizeof(line), "TLS CSR %u", ctx);
	if (verb(r, line, subject, strlen(subject), msg) < 0)
		return -1;
	*pem = *msg;
	*msg = NULL;
	return 0;
}

/*
 * struct tls_policy from the TLSContexts schema: one map from field to
 * column binding (conf/cols.h), used for defaults, rows and messages, so no
 * column is found by name and the put() type check guards a retyped column.
 */
#include <stdio.h>
#include <string.h>

#include "conf/cols.h"
#include "conf/store.h"
#include "tls/policy.h"

enum kind { K_UINT, K_INT, K_STR };

#define STR(f) offsetof(struct tls_policy, f), K_STR, sizeof(((struct tls_policy *)0)->f)

static const struct field {
	int col; /* TLSCTX_* binding */
	size_t off;
	enum kind kind;
	size_t size; /* K_STR: buffer size */
} fields[] = {
    {TLSCTX_TLS_VERSION, offsetof(struct tls_policy, versions), K_UINT, 0},
    {TLSCTX_SERVER_CIPHER_STRING, STR(ciphers_server)},
    {TLSCTX_CLIENT_CIPHER_STRING, STR(ciphers_client)},
    {TLSCTX_SERVER_CIPHER_TLS13_STRING, STR(suites_server)},
    {TLSCTX_CLIENT_CIPHER_TLS13_STRING, STR(suites_client)},
    {TLSCTX_KEY_EXCHANGE_GROUPS, STR(groups)},
    {TLSCTX_VERIFY_DEPTH, offsetof(struct tls_policy, verify_depth), K_INT, 0},
    {TLSCTX_REQUIRE_STRICT_CERT, offsetof(struct tls_policy, require_strict), K_INT, 0},
    {TLSCTX_DH_KEY_SIZE, offsetof(struct tls_policy, dh_bits), K_INT, 0},
    {TLSCTX_OCSP_ENABLE, offsetof(struct tls_policy, ocsp_enable), K_INT, 0},
    {TLSCTX_OCSP_SERVER_PRIMARY, STR(ocsp_primary)},
    {TLSCTX_OCSP_SERVER_SECONDARY, STR(ocsp_secondary)},
    {TLSCTX_OCSP_SERVER_PORT, offsetof(struct tls_policy, ocsp_port), K_UINT, 0},
    {TLSCTX_OCSP_DEFAULT_RESPONSE, offsetof(struct tls_policy, ocsp_default_allow), K_INT, 0},
    {TLSCTX_OCSP_AIA_ENABLE, offsetof(struct tls_policy, ocsp_aia), K_INT, 0},
    {TLSCTX_OCSP_STAPLING, offsetof(struct tls_policy, ocsp_stapling), K_INT, 0},
    {TLSCTX_CRL_DISTRIBUTION_POINT_ENABLE, offsetof(struct tls_policy, crl_dp), K_INT, 0},
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

const char *tls_policy_col(size_t off)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].off == off)
			return conf_tbl_tlscontexts.cols[fields[i].col].name;
	return "?";
}

static void put(struct tls_policy *p, const struct field *f, const struct conf_column *c,
		const union conf_val *v)
{
	char *dst = (char *)p + f->off;

	/* A column whose type no longer fits the field keeps the field's value. */
	if ((f->kind == K_STR) != conf_type_is_text(c->type))
		return;
	switch (f->kind) {
	case K_UINT:
		*(unsigned *)(void *)dst = (unsigned)v->i;
		break;
	case K_INT:
		*(int *)(void *)dst = (int)v->i;
		break;
	case K_STR:
		snprintf(dst, f->size, "%s", v->s ? v->s : "");
		break;
	}
}

static const struct conf_table *table(void)
{
	return &conf_tbl_tlscontexts;
}

void tls_policy_default(struct tls_policy *p)
{
	const struct conf_table *t = table();

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; t && i < NFIELDS; i++) {
		int c = fields[i].col;
		union conf_val v;

		if (conf_value_default(&t->cols[c], &v) < 0)
			continue;
		put(p, &fields[i], &t->cols[c], &v);
		conf_value_free(&t->cols[c], &v);
	}
}

void tls_policy_from_row(const struct conf_row *r, struct tls_policy *p)
{
	const struct conf_table *t = table();

	tls_policy_default(p);
	for (size_t i = 0; t && r && i < NFIELDS; i++) {
		int c = fields[i].col;

		put(p, &fields[i], &t->cols[c], &r->v[c]);
	}
}

/*
 * struct tls_policy from the TLSContexts schema: one map from field to
 * column, used for defaults, rows and messages, so no column is found by
 * position and none is spelled twice.
 */
#include <stdio.h>
#include <string.h>

#include "conf/store.h"
#include "tls/policy.h"

enum kind { K_UINT, K_INT, K_STR };

#define STR(f) offsetof(struct tls_policy, f), K_STR, sizeof(((struct tls_policy *)0)->f)

static const struct field {
	const char *col;
	size_t off;
	enum kind kind;
	size_t size; /* K_STR: buffer size */
} fields[] = {
    {"TLSVersion", offsetof(struct tls_policy, versions), K_UINT, 0},
    {"ServerCipherString", STR(ciphers_server)},
    {"ClientCipherString", STR(ciphers_client)},
    {"ServerCipherTLS13String", STR(suites_server)},
    {"ClientCipherTLS13String", STR(suites_client)},
    {"KeyExchangeGroups", STR(groups)},
    {"VerifyDepth", offsetof(struct tls_policy, verify_depth), K_INT, 0},
    {"RequireStrictCert", offsetof(struct tls_policy, require_strict), K_INT, 0},
    {"DHKeySize", offsetof(struct tls_policy, dh_bits), K_INT, 0},
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

const char *tls_policy_col(size_t off)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (fields[i].off == off)
			return fields[i].col;
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
	return conf_table_find("TLSContexts");
}

void tls_policy_default(struct tls_policy *p)
{
	const struct conf_table *t = table();

	memset(p, 0, sizeof(*p));
	for (size_t i = 0; t && i < NFIELDS; i++) {
		int c = conf_column_find(t, fields[i].col);
		union conf_val v;

		if (c < 0 || conf_value_default(&t->cols[c], &v) < 0)
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
		int c = conf_column_find(t, fields[i].col);

		if (c >= 0)
			put(p, &fields[i], &t->cols[c], &r->v[c]);
	}
}

/*
 * sip_auth: digest credentials, nonces and response checks.
 *
 * Why a fixed nonce table indexed by the nonce itself: lookups are O(1) on
 * the SIP thread whatever the load, memory is bounded, and an attacker who
 * asks for challenges in a flood only makes nonces expire early (stale=true),
 * never grows the daemon.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip_header.h>

#include "conf/sipcred.h"
#include "conf/store.h"
#include "sbc/sip/sip_auth.h"
#include "sbc/sip/sip_internal.h"

#define NONCE_SLOTS 16384 /* a power of two */
#define NONCE_HEX   32    /* random part */

struct nonce {
	char value[4 + NONCE_HEX + 1]; /* slot (4 hex) + random */
	time_t created;                /* CLOCK_MONOTONIC seconds */
	unsigned iface;                /* SIPInterface index it was issued on */
	unsigned long last_nc;         /* highest nonce count accepted, 0 for none */
	int used_without_qop;
};

struct cred {
	char user[65], realm[65];
	char stored[CONF_SIPCRED_LEN + 1];
	unsigned pos; /* row order: of two rows for one user and realm, the first counts */
};

struct sip_auth {
	struct nonce *slots;
	unsigned next;
	unsigned lifetime;
	struct cred *creds;
	unsigned ncreds;
};

static time_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct sip_auth *sip_auth_create(void)
{
	struct sip_auth *a = calloc(1, sizeof(*a));

	if (a && !(a->slots = calloc(NONCE_SLOTS, sizeof(*a->slots)))) {
		free(a);
		return NULL;
	}
	if (a)
		a->lifetime = 300;
	return a;
}

static void creds_free(struct cred *c, unsigned n)
{
	if (c)
		explicit_bzero(c, n * sizeof(*c));
	free(c);
}

void sip_auth_destroy(struct sip_auth *a)
{
	if (!a)
		return;
	creds_free(a->creds, a->ncreds);
	free(a->slots);
	free(a);
}

/* creds sorted by (user, realm): cred_find is a binary search on every digest REGISTER */
static int cred_cmp(const void *x, const void *y)
{
	const struct cred *p = x, *q = y;
	int c = strcmp(p->user, q->user);

	return c ? c : strcmp(p->realm, q->realm);
}

static int cred_order(const void *x, const void *y)
{
	const struct cred *p = x, *q = y;
	int c = cred_cmp(x, y);

	return c ? c : (p->pos > q->pos) - (p->pos < q->pos);
}

int sip_auth_config(struct sip_auth *a, const struct conf_store *st)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_sipcredentials);
	struct cred *c = NULL;
	unsigned n = 0;
	long long life = conf_globals_int(st, GLOBALS_SIP_DIGEST_NONCE_LIFETIME);

	if (rs && rs->n && !(c = calloc(rs->n, sizeof(*c))))
		return -1;
	for (unsigned i = 0; rs && i < rs->n; i++) {
		const struct conf_row *r = rs->row[i];
		if (!conf_sipcred_matches(r->v[SIPCRED_PASSWORD].s, r->v[SIPCRED_USERNAME].s,
					  r->v[SIPCRED_REALM].s))
			continue; /* no password: the user cannot authenticate */
		snprintf(c[n].user, sizeof(c[n].user), "%s", r->v[SIPCRED_USERNAME].s);
		snprintf(c[n].realm, sizeof(c[n].realm), "%s", r->v[SIPCRED_REALM].s);
		snprintf(c[n].stored, sizeof(c[n].stored), "%s", r->v[SIPCRED_PASSWORD].s);
		c[n].pos = n;
		n++;
	}
	if (n > 1)
		qsort(c, n, sizeof(*c), cred_order);
	creds_free(a->creds, a->ncreds);
	a->creds = c;
	a->ncreds = n;
	a->lifetime = life > 0 ? (unsigned)life : 300;
	return 0;
}

static const struct cred *cred_find(const struct sip_auth *a, const char *user, const char *realm)
{
	struct cred key;

	if (!a->ncreds ||
	    snprintf(key.user, sizeof(key.user), "%s", user) >= (int)sizeof(key.user) ||
	    snprintf(key.realm, sizeof(key.realm), "%s", realm) >= (int)sizeof(key.realm))
		return NULL;
	const struct cred *c = bsearch(&key, a->creds, a->ncreds, sizeof(*a->creds), cred_cmp);

	while (c && c > a->creds && cred_cmp(c - 1, &key) == 0)
		c--;
	return c;
}

int sip_auth_challenge(struct sip_auth *a, const struct sip_iface *ifc, int stale, char *c1,
		       char *c2, size_t len)
{
	unsigned slot = a->next++ & (NONCE_SLOTS - 1);
	struct nonce *n = &a->slots[slot];
	unsigned char rnd[NONCE_HEX / 2];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	snprintf(n->value, 5, "%04x", slot);
	for (unsigned i = 0; i < sizeof(rnd); i++)
		snprintf(n->value + 4 + 2 * i, 3, "%02x", rnd[i]);
	n->created = mono_now();
	n->iface = ifc->index;
	n->last_nc = 0;
	n->used_without_qop = 0;
	/* RFC 8760: the preferred algorithm first (DigestAlgorithms) */
	static const char *const order[4][2] = {
	    {"SHA-256", "MD5"}, {"MD5", "SHA-256"}, {"SHA-256", NULL}, {"MD5", NULL}};
	const char *const *o = order[ifc->idp.algs >= 0 && ifc->idp.algs < 4 ? ifc->idp.algs : 0];
	char *out[2] = {c1, c2};
	for (int i = 0; i < 2; i++) {
		out[i][0] = 0;
		if (o[i])
			snprintf(out[i], len,
				 "Digest realm=\"%s\", nonce=\"%s\", qop=\"auth\", algorithm=%s%s",
				 ifc->idp.realm, n->value, o[i], stale ? ", stale=true" : "");
	}
	return 0;
}

/* The value of parameter name (unquoted) into out; 0, or -1 when absent or too long. */
static int param(msg_param_t const *params, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name), k = 0;
	const char *v = NULL;

	for (unsigned i = 0; params && params[i]; i++)
		if (strncasecmp(params[i], name, nl) == 0 && params[i][nl] == '=') {
			v = params[i] + nl + 1;
			break;
		}
	if (!v)
		return -1;
	if (*v == '"') {
		for (v++; *v && *v != '"'; v++) {
			if (*v == '\\' && v[1])
				v++;
			if (k + 1 >= len)
				return -1;
			out[k++] = *v;
		}
	} else {
		for (; *v; v++) {
			if (k + 1 >= len)
				return -1;
			out[k++] = *v;
		}
	}
	out[k] = 0;
	return 0;
}

struct resp {
	char user[65], realm[65], nonce[64], uri[512], response[80], alg[16], qop[16], nc[16],
	    cnonce[128];
};

static int resp_parse(msg_auth_t const *au, struct resp *r)
{
	memset(r, 0, sizeof(*r));
	if (!au->au_scheme || strcasecmp(au->au_scheme, "Digest") ||
	    param(au->au_params, "username", r->user, sizeof(r->user)) < 0 ||
	    param(au->au_params, "realm", r->realm, sizeof(r->realm)) < 0 ||
	    param(au->au_params, "nonce", r->nonce, sizeof(r->nonce)) < 0 ||
	    param(au->au_params, "uri", r->uri, sizeof(r->uri)) < 0 ||
	    param(au->au_params, "response", r->response, sizeof(r->response)) < 0)
		return -1;
	if (param(au->au_params, "algorithm", r->alg, sizeof(r->alg)) < 0)
		snprintf(r->alg, sizeof(r->alg), "MD5");
	if (param(au->au_params, "qop", r->qop, sizeof(r->qop)) == 0 &&
	    (param(au->au_params, "nc", r->nc, sizeof(r->nc)) < 0 ||
	     param(au->au_params, "cnonce", r->cnonce, sizeof(r->cnonce)) < 0))
		return -1;
	return 0;
}

/* H(data) in hex of the response's algorithm. */
static int h(enum conf_digest_alg alg, const char *data, char *out, size_t len)
{
	return conf_digest_hex(alg, data, strlen(data), out, len);
}

enum sip_auth_res sip_auth_check(struct sip_auth *a, const struct sip_iface *ifc, sip_t const *sip,
				 int proxy, char *user, size_t ulen, const char **alg, char *why,
				 size_t wlen)
{
	msg_auth_t const *au = proxy ? sip->sip_proxy_authorization : sip->sip_authorization;
	enum conf_digest_alg da;
	const struct cred *c;
	struct resp r;
	struct nonce *n = NULL;
	char ha1[65], ha2[65], want[65], buf[1024], lower[80];
	unsigned long nc = 0;
	unsigned slot;
	int ok;

	for (; au; au = au->au_next) {
		char realm[65];
		if (param(au->au_params, "realm", realm, sizeof(realm)) == 0 &&
		    strcmp(realm, ifc->idp.realm) == 0)
			break;
	}
	if (!au)
		return SIP_AUTH_NONE;
	if (resp_parse(au, &r) < 0) {
		snprintf(why, wlen, "malformed digest credentials");
		return SIP_AUTH_BAD;
	}
	snprintf(user, ulen, "%s", r.user);
	if (strcasecmp(r.alg, "SHA-256") == 0)
		da = CONF_DIGEST_SHA256, *alg = "SHA-256";
	else if (strcasecmp(r.alg, "MD5") == 0)
		da = CONF_DIGEST_MD5, *alg = "MD5";
	else {
		snprintf(why, wlen, "unsupported digest algorithm '%s'", r.alg);
		return SIP_AUTH_BAD;
	}
	if ((ifc->idp.algs == 2 && da == CONF_DIGEST_MD5) ||
	    (ifc->idp.algs == 3 && da == CONF_DIGEST_SHA256)) {
		snprintf(why, wlen, "digest algorithm %s not offered (DigestAlgorithms)", r.alg);
		return SIP_AUTH_BAD;
	}
	if (r.qop[0] && strcasecmp(r.qop, "auth")) {
		snprintf(why, wlen, "unsupported qop '%s'", r.qop);
		return SIP_AUTH_BAD;
	}
	if (!(c = cred_find(a, r.user, r.realm)) ||
	    conf_sipcred_ha1(c->stored, da, ha1, sizeof(ha1)) < 0) {
		snprintf(why, wlen, "unknown digest user '%s'", r.user);
		return SIP_AUTH_BAD;
	}
	snprintf(buf, sizeof(buf), "%s:%s", sip->sip_request->rq_method_name, r.uri);
	if (h(da, buf, ha2, sizeof(ha2)) < 0)
		return SIP_AUTH_BAD;
	if (r.qop[0])
		snprintf(buf, sizeof(buf), "%s:%s:%s:%s:%s:%s", ha1, r.nonce, r.nc, r.cnonce, r.qop,
			 ha2);
	else
		snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, r.nonce, ha2);
	ok = h(da, buf, want, sizeof(want)) == 0;
	explicit_bzero(ha1, sizeof(ha1));
	explicit_bzero(buf, sizeof(buf));
	snprintf(lower, sizeof(lower), "%s", r.response);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'F')
			*p = (char)(*p - 'A' + 'a');
	if (!ok || strlen(lower) != strlen(want) || CRYPTO_memcmp(lower, want, strlen(want)) != 0) {
		snprintf(why, wlen, "wrong digest response for user '%s'", r.user);
		return SIP_AUTH_BAD;
	}
	/* the password is right: now the nonce */
	if (strlen(r.nonce) == 4 + NONCE_HEX && sscanf(r.nonce, "%4x", &slot) == 1 &&
	    slot < NONCE_SLOTS && strcmp(a->slots[slot].value, r.nonce) == 0)
		n = &a->slots[slot];
	if (!n || n->iface != ifc->index || mono_now() - n->created >= (time_t)a->lifetime) {
		snprintf(why, wlen, "expired or unknown nonce");
		return SIP_AUTH_STALE;
	}
	if (r.qop[0]) {
		char *end;
		nc = strtoul(r.nc, &end, 16);
		if (*end || !r.nc[0] || nc <= n->last_nc) {
			snprintf(why, wlen, "nonce count %s replayed (last %lx)", r.nc, n->last_nc);
			return SIP_AUTH_REPLAY;
		}
		n->last_nc = nc;
	} else if (n->used_without_qop++) {
		snprintf(why, wlen, "nonce without qop used twice");
		return SIP_AUTH_REPLAY;
	}
	return SIP_AUTH_OK;
}

/*
 * The SIP engine as a consumer of phased commits (conf/txn.h): prepare builds
 * the new routing copy and checks that each TLS context outgoing TLS uses,
 * when new to that use or changed, makes a client SSL_CTX; apply swaps the
 * copy in; abort drops it. Contexts no proxy reaches over TLS are loaded on
 * first use only, so they are not checked now.
 *
 * Building the routing copy (sip_rt_cfg_build) reads the candidate only and
 * touches no engine state, so a LOAD runs it on a control worker and hands the
 * copy to sip_engine_config_prepare_built on the loop (conf_txn_precompute).
 */
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/txn.h"
#include "sbc/ctl_work.h"
#include "sbc/sip/sip_dns.h"
#include "sbc/sip/sip_engine.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_perf.h"
#include "tls/tls.h"

/* The routing copy and the TLS checks made on a worker (sip_engine_config_build). */
struct sip_cfg_built {
	struct sip_rt_cfg *c;
	unsigned n;             /* c->nctxs */
	unsigned char *checked; /* per c->ctxs[i]: ctx_loads ran */
	char **why;             /* per c->ctxs[i]: its refusal, NULL when it loads */
};

static int prepare_from(struct sip_engine *e, const struct conf_store *running,
			const struct conf_store *cand, struct sip_rt_cfg *c,
			const struct sip_cfg_built *b, struct conf_diag *d);

/* Whether the client SSL_CTX of x loads (reads flash only: safe on a worker); why if not. */
static int ctx_loads(const struct sip_engine *e, const struct sip_rt_ctx *x, char *why, size_t len)
{
	char ctxdir[512];
	SSL_CTX *ctx;

	snprintf(ctxdir, sizeof(ctxdir), "%s/tls/%u", e->flashdir, x->index);
	ctx = tls_ctx_build(&x->pol, TLS_ROLE_CLIENT, ctxdir, TLS_F_VERIFY_PEER | TLS_F_NO_CERT,
			    why, len);
	if (!ctx)
		return -1;
	SSL_CTX_free(ctx);
	return 0;
}

/*
 * The policy of a changed context must load now: outgoing TLS uses it on the next connection.
 * b, when not NULL, holds the results of the same check made on a worker (sip_engine_config_build).
 */
static int check_ctx(struct sip_engine *e, const struct sip_rt_ctx *x,
		     const struct sip_cfg_built *b, unsigned i, struct conf_diag *d)
{
	char why[512];
	int bad;

	if (b && b->checked && b->checked[i]) {
		bad = b->why[i] != NULL;
		if (bad)
			snprintf(why, sizeof(why), "%s", b->why[i]);
	} else
		bad = ctx_loads(e, x, why, sizeof(why)) < 0;
	if (bad) {
		conf_diag_add_at(
		    d, 1, CONF_C_REFUSED, &conf_tbl_tlscontexts, (int)x->index, -1,
		    "TLSContexts row %u ('%s'): the SIP engine cannot apply it now: %s", x->index,
		    x->name, why);
		return -1;
	}
	return 0;
}

/*
 * 1 when outgoing TLS of c uses context idx: a proxy set with a TLS address, by its own
 * context, else its SIP interface's, else context 0 (as sip_route.c picks it).
 */
static int ctx_in_use(const struct sip_rt_cfg *c, unsigned idx)
{
	for (unsigned i = 0; c && i < c->nsets; i++) {
		const struct sip_rt_set *s = &c->sets[i];
		const struct sip_rt_sifc *f = sip_rt_cfg_sifc(c, s->sifc);
		int ctx = s->ctx >= 0 ? s->ctx : f && f->ctx >= 0 ? f->ctx : 0;
		unsigned tls = 0;

		for (unsigned j = 0; j < s->nips; j++)
			tls += s->ips[j].transport == SIP_PROTO_TLS;
		if (tls && ctx == (int)idx)
			return 1;
	}
	return 0;
}

struct sip_cfg_built *sip_engine_config_build(const struct sip_engine *e,
					      const struct conf_store *cand)
{
	struct sip_cfg_built *b = calloc(1, sizeof(*b));
	char why[512];

	if (!b || !(b->c = sip_rt_cfg_build(cand)))
		return free(b), NULL;
	b->c->proxy_pre = sip_proxy_prebuild(b->c); /* NULL: laid out on the loop then */
	b->n = b->c->nctxs;
	b->checked = calloc(b->c->nctxs ? b->c->nctxs : 1, 1);
	b->why = calloc(b->c->nctxs ? b->c->nctxs : 1, sizeof(*b->why));
	if (!b->checked || !b->why) { /* prepare checks on the loop then */
		free(b->checked), free(b->why);
		b->checked = NULL, b->why = NULL;
		return b;
	}
	for (unsigned i = 0; i < b->c->nctxs; i++) {
		if (!ctx_in_use(b->c, b->c->ctxs[i].index))
			continue;
		if (ctx_loads(e, &b->c->ctxs[i], why, sizeof(why)) < 0 &&
		    !(b->why[i] = strdup(why)))
			continue; /* unchecked: prepare checks it */
		b->checked[i] = 1;
	}
	return b;
}

void sip_cfg_built_free(struct sip_cfg_built *b)
{
	if (!b)
		return;
	for (unsigned i = 0; b->why && i < b->n; i++)
		free(b->why[i]);
	free(b->why);
	free(b->checked);
	sip_rt_cfg_free(b->c);
	free(b);
}

int sip_engine_config_prepare(struct sip_engine *e, const struct conf_store *running,
			      const struct conf_store *cand, struct conf_diag *d)
{
	return prepare_from(e, running, cand, sip_rt_cfg_build(cand), NULL, d);
}

int sip_engine_config_prepare_built(struct sip_engine *e, const struct conf_store *running,
				    const struct conf_store *cand, struct sip_cfg_built *b,
				    struct conf_diag *d)
{
	struct sip_rt_cfg *c = b->c;
	int rc;

	b->c = NULL; /* prepare_from takes c */
	rc = prepare_from(e, running, cand, c, b, d);
	sip_cfg_built_free(b);
	return rc;
}

/* The engine-dependent part of prepare; c was built from cand (maybe on a worker). */
static int prepare_from(struct sip_engine *e, const struct conf_store *running,
			const struct conf_store *cand, struct sip_rt_cfg *c,
			const struct sip_cfg_built *b, struct conf_diag *d)
{
	if (!c) {
		conf_diag_add_at(d, 1, CONF_C_RESOURCE, NULL, -1, -1,
				 "the SIP engine cannot build its routing configuration: out of "
				 "memory");
		return -1;
	}
	for (unsigned i = 0; i < c->nctxs; i++) {
		unsigned idx = c->ctxs[i].index;
		/* a context outgoing TLS uses from now on, new to that use or changed */
		if (!ctx_in_use(c, idx) ||
		    (running && ctx_in_use(e->rt, idx) &&
		     conf_store_row_equal(running, cand, &conf_tbl_tlscontexts, idx)))
			continue;
		if (check_ctx(e, &c->ctxs[i], b, i, d) < 0) {
			sip_rt_cfg_free(c);
			return -1;
		}
	}
	sip_rt_cfg_free(e->staged);
	e->staged = c;
	return 0;
}

void sip_engine_config_abort(struct sip_engine *e)
{
	sip_rt_cfg_free(e->staged);
	e->staged = NULL;
}

static void rt_cfg_free_cb(void *c)
{
	sip_rt_cfg_free(c);
}

/* Puts routing copy c in force with the policy of running (TLS contexts, identity, digest). */
static void install(struct sip_engine *e, struct sip_rt_cfg *c, const struct conf_store *running)
{
	/* TLS context changes reach the listeners' new handshakes at once, as HTTPS does */
	sip_tls_policy_changed(e, running);
	/* ... and reach outgoing TLS (client transports) for new handshakes too */
	for (unsigned i = 0; i < c->nctxs; i++) {
		const struct sip_rt_ctx *was = sip_rt_cfg_ctx(e->rt, (int)c->ctxs[i].index);
		if (was && memcmp(&was->pol, &c->ctxs[i].pol, sizeof(was->pol)) != 0)
			sip_ctls_reconfigure(e, (int)c->ctxs[i].index, &c->ctxs[i].pol);
	}
	/* SIPSRequireClientCertificate is reset-required: the client side keeps the active one */
	c->require_cert = e->rt->require_cert;
	/* pure data, referenced by nothing once replaced: freed off the loop (10,000 rows) */
	ctl_work_later(rt_cfg_free_cb, e->rt);
	e->rt = c;
	sip_dns_engine_config(e); /* members of named proxy addresses, from the DNS cache */
	sip_proxy_config(e->proxy, c);
	sip_perf_enable(e->perf, (int)conf_globals_int(running, GLOBALS_PERFORMANCE_MONITORING));
	if (sip_identity_config(e, running) < 0)
		log_warnx(
		    "sip: digest credentials keep their previous configuration: out of memory");
	sip_engine_event(e, LOG_INFO,
			 "sip: routing configuration: %u proxy sets, %u IP groups, %u "
			 "classification rules, %u routing rules",
			 c->nsets, c->ngroups, c->nclasses, c->nroutes);
}

void sip_engine_config_apply(struct sip_engine *e, const struct conf_store *running)
{
	struct sip_rt_cfg *c = e->staged;

	if (!c)
		return;
	e->staged = NULL;
	install(e, c, running);
}

void sip_engine_config_changed(struct sip_engine *e, const struct conf_store *running)
{
	struct sip_rt_cfg *c = running ? sip_rt_cfg_build(running) : NULL;

	if (!e || !c) {
		if (e)
			log_warnx("sip: routing keeps its previous configuration: out of memory");
		return;
	}
	install(e, c, running);
}

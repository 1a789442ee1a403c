/*
 * sip_identity: the authentication and identity policy of SIP interfaces
 * (contract in sip_identity.h). Decisions are made here; digest arithmetic is
 * sip_auth.c, bindings are sip_registrar.c.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>

#include "conf/store.h"
#include "sbc/sip/sip_auth.h"
#include "sbc/sip/sip_internal.h"
#include "tls/names.h"

int sip_identity_config(struct sip_engine *e, const struct conf_store *st)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_sipinterface);

	for (unsigned i = 0; i < e->nifs; i++) {
		struct sip_iface *ifc = &e->ifs[i];
		const struct conf_row *r = NULL;
		for (unsigned j = 0; rs && j < rs->n && !r; j++)
			if (rs->row[j]->index == ifc->index)
				r = rs->row[j];
		if (!r)
			continue; /* deleted since boot: keeps its policy until the reset */
		ifc->idp.binding = (int)conf_row_int(r, SIPIF_TLS_IDENTITY_BINDING);
		ifc->idp.mode = (int)conf_row_int(r, SIPIF_AUTHENTICATION_MODE);
		ifc->idp.unauth_reg =
		    conf_row_int(r, SIPIF_ENABLE_UN_AUTHENTICATED_REGISTRATIONS) != 0;
		ifc->idp.block_unreg = conf_row_int(r, SIPIF_BLOCK_UN_REG_USERS) == 1;
		ifc->idp.max_reg = conf_row_int(r, SIPIF_MAX_NUM_OF_REG_USERS);
		ifc->idp.algs = (int)conf_row_int(r, SIPIF_DIGEST_ALGORITHMS);
		snprintf(ifc->idp.realm, sizeof(ifc->idp.realm), "%s",
			 conf_row_str(r, SIPIF_AUTHENTICATION_REALM));
	}
	if (!e->auth && !(e->auth = sip_auth_create()))
		return -1;
	return sip_auth_config(e->auth, st);
}

void sip_identity_status(struct sip_engine *e, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_sipidstatus;
	char ebuf[128];

	conf_store_clear(st, t);
	for (unsigned i = 0; i < e->nifs; i++) {
		struct sip_iface *ifc = &e->ifs[i];
		struct sip_id_counters *c = &ifc->idc;
		struct conf_row *r = conf_store_ensure(st, t, ifc->index, NULL);
		if (!r)
			continue;
		conf_row_set_text(t, r, SIPIDSTATUS_INTERFACE_NAME, ifc->name, ebuf, sizeof(ebuf));
		r->v[SIPIDSTATUS_REGISTERED_USERS].i = sip_registrar_users(e->reg, ifc);
		r->v[SIPIDSTATUS_CALL_ATTEMPTS].i = (long long)ifc->call_attempts;
		r->v[SIPIDSTATUS_AUTHENTICATED].i = (long long)c->authenticated;
		r->v[SIPIDSTATUS_CHALLENGES].i = (long long)c->challenges;
		r->v[SIPIDSTATUS_AUTH_FAILURES].i = (long long)c->failures;
		r->v[SIPIDSTATUS_STALE_NONCES].i = (long long)c->stale;
		r->v[SIPIDSTATUS_REPLAYED_NONCES].i = (long long)c->replayed;
		r->v[SIPIDSTATUS_IDENTITY_MISMATCHES].i = (long long)c->mismatch;
		r->v[SIPIDSTATUS_UNAUTHENTICATED_REFUSED].i = (long long)c->unauth;
		r->v[SIPIDSTATUS_UNREGISTERED_REFUSED].i = (long long)c->unreg;
		r->v[SIPIDSTATUS_REGISTRATION_LIMIT_REFUSED].i = (long long)c->limit;
	}
}

void sip_identity_refuse(struct sip_engine *e, struct sip_iface *ifc, nta_incoming_t *irq,
			 int status, const char *phrase, const char *why, const char *aor,
			 unsigned long long *counter)
{
	char reason[400], peer[80];
	msg_t *msg = nta_incoming_getrequest(irq);
	sip_t const *sip = msg ? sip_object(msg) : NULL;

	sip_irq_peer(irq, peer, sizeof(peer));
	if (counter)
		(*counter)++;
	sip_engine_event(e, LOG_WARNING, "sip: %s from %s for %s on interface '%s' refused %d: %s",
			 sip && sip->sip_request ? sip->sip_request->rq_method_name : "request",
			 peer, aor, ifc->name, status, why);
	msg_destroy(msg);
	snprintf(reason, sizeof(reason), "SIP;cause=%d;text=\"%s\"", status, why);
	nta_incoming_treply(irq, status, phrase, SIPTAG_REASON_STR(reason), TAG_END());
	nta_incoming_destroy(irq);
}

static void challenge(struct sip_engine *e, struct sip_iface *ifc, nta_incoming_t *irq, int reg,
		      int stale)
{
	char c1[300], c2[300];

	c2[0] = 0;
	if (sip_auth_challenge(e->auth, ifc, stale, c1, c2, sizeof(c1)) < 0) {
		nta_incoming_treply(irq, SIP_500_INTERNAL_SERVER_ERROR, TAG_END());
	} else {
		ifc->idc.challenges++;
		if (reg)
			nta_incoming_treply(
			    irq, SIP_401_UNAUTHORIZED, SIPTAG_WWW_AUTHENTICATE_STR(c1),
			    TAG_IF(c2[0], SIPTAG_WWW_AUTHENTICATE_STR(c2)), TAG_END());
		else
			nta_incoming_treply(
			    irq, SIP_407_PROXY_AUTH_REQUIRED, SIPTAG_PROXY_AUTHENTICATE_STR(c1),
			    TAG_IF(c2[0], SIPTAG_PROXY_AUTHENTICATE_STR(c2)), TAG_END());
	}
	nta_incoming_destroy(irq);
}

/* --- certificate against AOR --- */

struct aor_match {
	const char *user, *host;
	int mode;
	char *how;
	size_t howlen;
};

static int match_name(void *arg, const char *kind, const char *name)
{
	struct aor_match *m = arg;
	const char *s = name, *at;
	char u[256], hp[256];

	if (strcmp(kind, "URI") == 0) {
		if (strncasecmp(s, "sip:", 4) == 0)
			s += 4;
		else if (strncasecmp(s, "sips:", 5) == 0)
			s += 5;
		else
			return 0;
		snprintf(hp, sizeof(hp), "%s", (at = strchr(s, '@')) ? at + 1 : s);
		hp[strcspn(hp, ";?>")] = 0;
		if (at) {
			snprintf(u, sizeof(u), "%.*s", (int)(at - s), s);
			if (strcmp(u, m->user) == 0 && tls_name_match(hp, m->host)) {
				snprintf(m->how, m->howlen, "%s: URI %s = AOR",
					 m->mode == SIP_IDB_AOR ? "aor-match" : "subject", name);
				return 1;
			}
		} else if (m->mode == SIP_IDB_SUBJECT && tls_name_match(hp, m->host)) {
			snprintf(m->how, m->howlen, "subject: URI %s = AOR host", name);
			return 1;
		}
		return 0;
	}
	if (m->mode != SIP_IDB_SUBJECT)
		return 0;
	if (tls_name_match(name, m->host)) {
		snprintf(m->how, m->howlen, "subject: %s %s = AOR host", kind, name);
		return 1;
	}
	if (tls_name_match(name, m->user)) {
		snprintf(m->how, m->howlen, "subject: %s %s = AOR user", kind, name);
		return 1;
	}
	return 0;
}

static int cert_fits_aor(X509 *cert, int mode, const char *user, const char *host, char *how,
			 size_t howlen)
{
	struct aor_match m = {user, host, mode, how, howlen};

	return tls_cert_names(cert, match_name, &m);
}

/* --- the common authentication step --- */

struct authn {
	X509 *cert;
	const char *subject, *issuer;
	char duser[128];
	const char *alg; /* digest algorithm when digest passed, else NULL */
};

/* 0: authenticated as the mode asks (a filled); 1: replied. */
static int authenticate(struct sip_engine *e, struct sip_iface *ifc, int p, nta_incoming_t *irq,
			sip_t const *sip, int reg, const char *user, const char *aor,
			struct authn *a)
{
	int mode = ifc->idp.mode, digest;
	char peer[80], why[300], msg[400];
	enum sip_auth_res ar;

	memset(a, 0, sizeof(*a));
	sip_irq_peer(irq, peer, sizeof(peer));
	if (p == SIP_PROTO_TLS)
		a->cert = sip_tls_peer_cert(ifc, peer, &a->subject, &a->issuer);
	if (reg && mode == SIP_AM_NONE && !ifc->idp.unauth_reg)
		mode = SIP_AM_EITHER; /* EnableUnAuthenticatedRegistrations disable */
	if ((mode == SIP_AM_CERT || mode == SIP_AM_BOTH) && !a->cert) {
		sip_identity_refuse(e, ifc, irq, 403, "Forbidden", "client certificate required",
				    aor, &ifc->idc.unauth);
		return 1;
	}
	digest =
	    mode == SIP_AM_DIGEST || mode == SIP_AM_BOTH || (mode == SIP_AM_EITHER && !a->cert);
	if (!digest)
		return 0;
	why[0] = 0;
	ar = sip_auth_check(e->auth, ifc, sip, !reg, a->duser, sizeof(a->duser), &a->alg, why,
			    sizeof(why));
	switch (ar) {
	case SIP_AUTH_NONE:
		challenge(e, ifc, irq, reg, 0);
		return 1;
	case SIP_AUTH_STALE:
		ifc->idc.stale++;
		challenge(e, ifc, irq, reg, 1);
		return 1;
	case SIP_AUTH_REPLAY:
		ifc->idc.replayed++;
		sip_engine_event(e, LOG_WARNING,
				 "sip: %s from %s for %s on interface '%s': %s; challenged again",
				 sip->sip_request->rq_method_name, peer, aor, ifc->name, why);
		challenge(e, ifc, irq, reg, 0);
		return 1;
	case SIP_AUTH_BAD:
		snprintf(msg, sizeof(msg), "digest authentication failed: %s", why);
		sip_identity_refuse(e, ifc, irq, 403, "Forbidden", msg, aor, &ifc->idc.failures);
		return 1;
	case SIP_AUTH_OK:
		break;
	}
	if (strcmp(a->duser, user)) {
		snprintf(msg, sizeof(msg), "digest user '%s' is not the user of %s", a->duser, aor);
		sip_identity_refuse(e, ifc, irq, 403, "Forbidden", msg, aor, &ifc->idc.failures);
		return 1;
	}
	ifc->idc.authenticated++;
	return 0;
}

/* The AOR has a certificate-bound binding: the request must present that certificate. */
static int bound_ok(struct sip_engine *e, const struct authn *a, const char *user,
		    const struct sip_binding **bound)
{
	const struct sip_binding *b = sip_registrar_bound(e->reg, user);

	*bound = b;
	return !b || (a->cert && strcmp(b->subject, a->subject) == 0 &&
		      strcmp(b->issuer, a->issuer) == 0);
}

int sip_identity_register(struct sip_engine *e, struct sip_iface *ifc, int p, nta_incoming_t *irq,
			  sip_t const *sip, const char *user, const char *aor,
			  struct sip_id_result *res)
{
	const char *host = sip->sip_to->a_url->url_host ? sip->sip_to->a_url->url_host : "";
	const struct sip_binding *b;
	struct authn a;
	char msg[700];

	memset(res, 0, sizeof(*res));
	if (authenticate(e, ifc, p, irq, sip, 1, user, aor, &a))
		return 1;
	if (a.cert && ifc->idp.binding != SIP_IDB_NONE &&
	    !cert_fits_aor(a.cert, ifc->idp.binding, user, host, res->check, sizeof(res->check))) {
		snprintf(msg, sizeof(msg), "certificate '%s' does not match %s (%s)", a.subject,
			 aor, ifc->idp.binding == SIP_IDB_AOR ? "aor-match" : "subject");
		sip_identity_refuse(e, ifc, irq, 403, "Forbidden", msg, aor, &ifc->idc.mismatch);
		return 1;
	}
	if (!bound_ok(e, &a, user, &b)) {
		snprintf(msg, sizeof(msg),
			 "%s is bound to certificate '%s', request presents %s%s%s", aor,
			 b->subject, a.cert ? "'" : "", a.cert ? a.subject : "none",
			 a.cert ? "'" : "");
		sip_identity_refuse(e, ifc, irq, 403, "Forbidden", msg, aor, &ifc->idc.mismatch);
		return 1;
	}
	if (a.cert) {
		snprintf(res->subject, sizeof(res->subject), "%s", a.subject);
		snprintf(res->issuer, sizeof(res->issuer), "%s", a.issuer);
		if (!res->check[0])
			snprintf(res->check, sizeof(res->check), "certificate bound (no AOR rule)");
	} else if (a.alg) {
		snprintf(res->check, sizeof(res->check), "digest user %s", a.duser);
	} else {
		snprintf(res->check, sizeof(res->check), "none");
	}
	snprintf(res->auth, sizeof(res->auth), "%s%s%s", a.cert ? "certificate" : "",
		 a.cert && a.alg ? "+" : "",
		 !a.alg                      ? (a.cert ? "" : "none")
		 : strcmp(a.alg, "MD5") == 0 ? "digest-md5"
					     : "digest-sha-256");
	return 0;
}

int sip_identity_request(struct sip_engine *e, struct sip_iface *ifc, int p, nta_incoming_t *irq,
			 sip_t const *sip)
{
	url_t const *from = sip->sip_from->a_url;
	const char *user = from->url_user ? from->url_user : "";
	const struct sip_binding *b;
	struct authn a;
	char aor[300], msg[700];

	snprintf(aor, sizeof(aor), "sip:%s@%s", user, from->url_host ? from->url_host : "");
	if (authenticate(e, ifc, p, irq, sip, 0, user, aor, &a))
		return 1;
	if (!ifc->idp.block_unreg)
		return 0;
	if (!user[0] || !sip_registrar_lookup(e->reg, user)) {
		sip_identity_refuse(e, ifc, irq, 403, "Forbidden", "user not registered", aor,
				    &ifc->idc.unreg);
		return 1;
	}
	if (!bound_ok(e, &a, user, &b)) {
		snprintf(msg, sizeof(msg),
			 "%s is bound to certificate '%s', request presents %s%s%s", aor,
			 b->subject, a.cert ? "'" : "", a.cert ? a.subject : "none",
			 a.cert ? "'" : "");
		sip_identity_refuse(e, ifc, irq, 403, "Forbidden", msg, aor, &ifc->idc.mismatch);
		return 1;
	}
	return 0;
}

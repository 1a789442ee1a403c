/*
 * sip_tls_reload: new TLS material or a tightened verification policy reaching a running SIP
 * TLS listener: proven on a scratch SSL_CTX, applied to sofia's SSL_CTX, sessions forgotten, and
 * established connections whose peer chain no longer verifies closed.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "conf/store.h"
#include "sbc/sip/sip_hs.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_tls_conn.h"
#include "tls/tls.h"

static void sessions_forget(SSL_CTX *ctx)
{
	unsigned char keys[80];

	SSL_CTX_flush_sessions(ctx, LONG_MAX);
	if (RAND_bytes(keys, sizeof(keys)) == 1)
		SSL_CTX_set_tlsext_ticket_keys(ctx, keys, sizeof(keys));
	OPENSSL_cleanse(keys, sizeof(keys));
}

/* Material changes are rare and matter: logged whole, never rate-limited. */
static void reload_event(struct sip_engine *e, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void reload_event(struct sip_engine *e, int prio, const char *fmt, ...)
{
	char line[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (e->event_fn)
		e->event_fn(e->event_arg, prio, line);
	log_msg(prio, "%s", line);
}

/*
 * After a trust change (roots, CRL, verification policy): each established connection's peer
 * chain is verified again against the context as it is now; those that fail are closed
 * (sofia sees end of stream; registrations over them expire with the connection), counted and
 * logged. The OCSP cache still answers for OCSP: a revoked answer closes only new handshakes.
 * Returns how many were closed.
 */
static unsigned conns_recheck(struct sip_iface *ifc)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ifc->ssl_ctx);
	unsigned closed = 0;

	if (!ifc->mutual || !st)
		return 0;
	for (struct sip_conn *c = ifc->conns; c; c = c->next) {
		X509 *leaf = c->ssl ? SSL_get0_peer_certificate(c->ssl) : NULL;
		X509_STORE_CTX *x;
		char what[400];
		int ok, err;
		if (c->state != C_UP || c->gone || !leaf || !sip_tls_conn_alive(c))
			continue;
		if (!(x = X509_STORE_CTX_new()) ||
		    !X509_STORE_CTX_init(x, st, leaf, SSL_get_peer_cert_chain(c->ssl))) {
			X509_STORE_CTX_free(x);
			continue;
		}
		X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(x),
				       SSL_CTX_get0_param(ifc->ssl_ctx));
		ok = X509_verify_cert(x) == 1;
		err = ok ? 0 : X509_STORE_CTX_get_error(x);
		X509_STORE_CTX_free(x);
		ERR_clear_error();
		if (ok && !sip_tls_eku_allows_client(leaf))
			ok = 0, err = X509_V_ERR_INVALID_PURPOSE;
		if (ok && ifc->subject[0] && !sip_tls_subject_match(leaf, ifc->subject))
			ok = 0, err = X509_V_ERR_HOSTNAME_MISMATCH;
		if (ok)
			continue;
		c->state = C_REJECTED;
		ifc->closed_trust++;
		closed++;
		snprintf(what, sizeof(what),
			 "connection closed: the peer certificate no longer verifies after a trust "
			 "change (%s)",
			 X509_verify_cert_error_string(err));
		sip_tls_conn_log(c, LOG_WARNING, what, 1);
		sip_tls_conn_kill(c);
	}
	return closed;
}

static unsigned conns_up(const struct sip_iface *ifc)
{
	unsigned n = 0;

	for (const struct sip_conn *c = ifc->conns; c; c = c->next)
		n += c->state == C_UP && !c->gone;
	return n;
}

/*
 * New material for the listener of one interface: proven on a scratch SSL_CTX first, so
 * that material that does not load (a key without its certificate, say) changes nothing.
 */
static int iface_reload(struct sip_iface *ifc, unsigned idx)
{
	struct ctx_bind *b = SSL_CTX_get_ex_data(ifc->ssl_ctx, sip_tls_bind_idx);
	SSL_CTX *scratch;
	char err[512] = "";
	unsigned n, closed;
	int rc;

	if (!b)
		return -1;
	scratch = SSL_CTX_new(TLS_server_method());
	rc = scratch ? tls_ctx_configure(scratch, &b->pol, TLS_ROLE_SERVER, b->ctxdir,
					 ifc->mutual ? TLS_F_VERIFY_PEER : 0, err, sizeof(err))
		     : -1;
	SSL_CTX_free(scratch);
	ERR_clear_error();
	if (rc < 0) {
		reload_event(ifc->eng, LOG_WARNING,
			     "sip: interface '%s' TLS port %u: new material of TLS context %u "
			     "not taken (%s); the previous material stays in force",
			     ifc->name, ifc->port[SIP_PROTO_TLS], idx,
			     err[0] ? err : "out of memory");
		return -1;
	}
	sip_hs_policy_lock(); /* handshake workers read the context */
	rc = sip_tls_policy_apply(ifc, ifc->ssl_ctx, &b->pol, b->ctxdir, err, sizeof(err));
	if (rc == 0)
		sessions_forget(ifc->ssl_ctx);
	sip_hs_policy_unlock();
	if (rc < 0) {
		/* it loaded a moment ago: only memory or a concurrent change of the files */
		reload_event(ifc->eng, LOG_ERR,
			     "sip: interface '%s' TLS port %u: applying TLS context %u failed "
			     "(%s); new handshakes may fail until the next change or reset",
			     ifc->name, ifc->port[SIP_PROTO_TLS], idx, err);
		ERR_clear_error();
		return -1;
	}
	sip_staple_start(ifc);
	closed = conns_recheck(ifc);
	n = conns_up(ifc);
	reload_event(ifc->eng, LOG_NOTICE,
		     "sip: interface '%s' TLS port %u: new material of TLS context %u in force "
		     "for new handshakes, %u established connection%s kept, %u closed; %s",
		     ifc->name, ifc->port[SIP_PROTO_TLS], idx, n, n == 1 ? "" : "s", closed,
		     tls_ctx_policy_text(ifc->ssl_ctx));
	return 0;
}

void sip_engine_tls_changed(struct sip_engine *e, unsigned ctx_index)
{
	if (!e || e->closing)
		return;
	sip_iface_tls_retry(e, ctx_index);
	for (unsigned i = 0; i < e->nifs; i++)
		if (e->ifs[i].ssl_ctx && e->ifs[i].ctx_index == (int)ctx_index)
			iface_reload(&e->ifs[i], ctx_index);
	sip_ctls_reconfigure(e, (int)ctx_index, NULL); /* outgoing TLS: new material */
}

void sip_tls_trust_recheck(struct sip_engine *e, int ctx, const char *why)
{
	for (unsigned i = 0; e && !e->closing && i < e->nifs; i++) {
		struct sip_iface *ifc = &e->ifs[i];
		unsigned n, closed;
		if (!ifc->ssl_ctx || ifc->ctx_index != ctx)
			continue;
		sessions_forget(ifc->ssl_ctx); /* a resumed session is not verified again */
		closed = conns_recheck(ifc);
		n = conns_up(ifc);
		reload_event(e, closed ? LOG_WARNING : LOG_INFO,
			     "sip: interface '%s' TLS port %u: %s (TLS context %d): %u established "
			     "connection%s kept, %u closed",
			     ifc->name, ifc->port[SIP_PROTO_TLS], why, ctx, n, n == 1 ? "" : "s",
			     closed);
	}
	if (e && !e->closing)
		sip_ctls_recheck(e, ctx);
}

void sip_tls_policy_changed(struct sip_engine *e, const struct conf_store *running)
{
	const struct conf_table *tc = &conf_tbl_tlscontexts;

	for (unsigned i = 0; e && !e->closing && i < e->nifs; i++) {
		struct sip_iface *ifc = &e->ifs[i];
		struct ctx_bind *b =
		    ifc->ssl_ctx ? SSL_CTX_get_ex_data(ifc->ssl_ctx, sip_tls_bind_idx) : NULL;
		const struct conf_row *r =
		    ifc->ctx_index >= 0 ? conf_store_get(running, tc, (unsigned)ifc->ctx_index)
					: NULL;
		struct tls_policy now, old;
		if (!b || !r)
			continue;
		tls_policy_from_row(r, &now);
		if (!memcmp(&now, &b->pol, sizeof(now)))
			continue;
		old = b->pol;
		b->pol = now;
		if (iface_reload(ifc, (unsigned)ifc->ctx_index) < 0)
			b->pol = old;
	}
}

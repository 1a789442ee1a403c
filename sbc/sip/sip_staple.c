/* OCSP stapling of a TLS listener's own certificate (sip_internal.h, sip_staple_*). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include "conf/store.h"
#include "sbc/sip/sip_hs.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_ocsp.h"
#include "tls/certinfo.h"
#include "tls/names.h"
#include "tls/tls.h"

struct sip_staple {
	unsigned char *der; /* the answer in force, NULL for none */
	size_t len;
	time_t next;          /* its nextUpdate */
	X509 *cert, *pending; /* the certificate it is for; the one being fetched */
	su_timer_t *timer;
	int busy;
};

int sip_staple_status_cb(SSL *s, void *arg)
{
	struct sip_iface *ifc = arg;
	struct sip_staple *st = ifc ? ifc->staple : NULL;
	unsigned char *copy;

	if (!st || !st->der || st->next <= time(NULL) ||
	    st->cert != SSL_CTX_get0_certificate(SSL_get_SSL_CTX(s)) ||
	    !(copy = OPENSSL_memdup(st->der, st->len)))
		return SSL_TLSEXT_ERR_NOACK;
	SSL_set_tlsext_status_ocsp_resp(s, copy, (long)st->len);
	return SSL_TLSEXT_ERR_OK;
}

static void staple_timer_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	sip_staple_start((struct sip_iface *)arg);
}

static void staple_again(struct sip_iface *ifc, long secs)
{
	su_timer_set_interval(ifc->staple->timer, staple_timer_cb, (su_timer_arg_t *)ifc,
			      (su_duration_t)(secs * 1000));
}

static void staple_done(void *arg, const unsigned char *der, size_t len, time_t next,
			const char *err)
{
	struct sip_iface *ifc = arg;
	struct sip_staple *st = ifc->staple;
	time_t now = time(NULL);
	unsigned char *copy;

	st->busy = 0;
	if (ifc->eng->closing)
		return;
	if (!der || !(copy = malloc(len))) {
		log_warnx(
		    "sip: interface '%s' TLS port %u: no OCSP staple (%s); asking again in 60 s",
		    ifc->name, ifc->port[SIP_PROTO_TLS], err);
		staple_again(ifc, 60);
		return;
	}
	memcpy(copy, der, len);
	sip_hs_policy_lock(); /* handshake workers staple it */
	free(st->der);
	st->der = copy, st->len = len, st->next = next;
	X509_free(st->cert);
	st->cert = st->pending;
	st->pending = NULL;
	sip_hs_policy_unlock();
	log_info("sip: interface '%s' TLS port %u: OCSP staple (%s) in force, nextUpdate in %ld s",
		 ifc->name, ifc->port[SIP_PROTO_TLS], err, (long)(next - now));
	if (st->cert != SSL_CTX_get0_certificate(ifc->ssl_ctx))
		sip_staple_start(ifc); /* the material changed meanwhile */
	else
		staple_again(ifc, next - now > 120 ? (next - now) / 2 : 60);
}

/* The issuer of the device certificate: in the chain loaded with it. */
static X509 *own_issuer(SSL_CTX *ctx, X509 *leaf)
{
	STACK_OF(X509) *chain = NULL;

	SSL_CTX_get0_chain_certs(ctx, &chain);
	for (int i = 0; i < sk_X509_num(chain); i++)
		if (X509_check_issued(sk_X509_value(chain, i), leaf) == X509_V_OK)
			return sk_X509_value(chain, i);
	return NULL;
}

void sip_staple_start(struct sip_iface *ifc)
{
	const struct tls_policy *pol = sip_tls_iface_policy(ifc);
	struct sip_staple *st = ifc->staple;
	X509 *leaf, *issuer;

	if (!pol || ifc->eng->closing)
		return;
	if (!pol->ocsp_stapling) {
		if (st) { /* turned off: no staple from now on */
			free(st->der);
			st->der = NULL;
			su_timer_reset(st->timer);
		}
		return;
	}
	if (!st && !(st = ifc->staple = calloc(1, sizeof(*st))))
		return;
	if (!st->timer && !(st->timer = su_timer_create(su_root_task(ifc->eng->root), 0)))
		return;
	if (st->busy)
		return;
	leaf = SSL_CTX_get0_certificate(ifc->ssl_ctx);
	issuer = leaf ? own_issuer(ifc->ssl_ctx, leaf) : NULL;
	if (!issuer) {
		log_warnx(
		    "sip: interface '%s' TLS port %u: no OCSP staple: the device certificate's "
		    "issuer is not in its chain (certificate.pem)",
		    ifc->name, ifc->port[SIP_PROTO_TLS]);
		return;
	}
	X509_up_ref(leaf);
	X509_free(st->pending);
	st->pending = leaf;
	if (sip_ocsp_fetch_staple(ifc->eng, ifc->ctx_index, pol, leaf, issuer, staple_done, ifc) ==
	    0)
		st->busy = 1;
	else {
		log_warnx("sip: interface '%s' TLS port %u: no OCSP staple: the certificate has no "
			  "usable AIA OCSP URL and OcspServerPrimary is empty",
			  ifc->name, ifc->port[SIP_PROTO_TLS]);
		staple_again(ifc, 300);
	}
}

void sip_staple_stop(struct sip_iface *ifc)
{
	if (ifc->staple) {
		su_timer_destroy(ifc->staple->timer);
		ifc->staple->timer = NULL;
	}
}

void sip_staple_free(struct sip_iface *ifc)
{
	struct sip_staple *st = ifc->staple;

	if (!st)
		return;
	free(st->der);
	X509_free(st->cert);
	X509_free(st->pending);
	free(st);
	ifc->staple = NULL;
}

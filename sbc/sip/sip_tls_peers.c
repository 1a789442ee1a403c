/*
 * sip_tls_peers: an interface's TLS connections by peer address ("host:port", "[v6]:port"),
 * for the look-ups made on every request (who is this request's certificate): one hash probe
 * instead of a walk of every connection, which at 15,000 connections took the SIP thread's
 * whole core at 2,000 REGISTERs per second. Runs on the SIP thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "sbc/sip/sip_tls_conn.h"

/* Doubles the buckets (from 256); on no memory the chains just grow longer. */
static void index_grow(struct sip_conn_index *x)
{
	unsigned nb = x->nb ? x->nb * 2 : 256;
	struct sip_conn **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (unsigned i = 0; i < x->nb; i++)
		while (x->b[i]) {
			struct sip_conn *c = x->b[i];
			unsigned h = sip_str_hash(c->peer) & (nb - 1);
			x->b[i] = c->peer_next;
			c->peer_next = b[h];
			b[h] = c;
		}
	free(x->b);
	x->b = b;
	x->nb = nb;
}

void sip_conn_index_add(struct sip_conn_index *x, struct sip_conn *c)
{
	unsigned h;

	if (c->indexed || !c->peer[0])
		return;
	if (x->n >= x->nb)
		index_grow(x);
	if (!x->nb)
		return; /* no memory for the first buckets: sip_conn_index_find will not see c */
	h = sip_str_hash(c->peer) & (x->nb - 1);
	c->peer_next = x->b[h]; /* the newest first, as the interface's list */
	x->b[h] = c;
	c->indexed = 1;
	x->n++;
}

void sip_conn_index_del(struct sip_conn_index *x, struct sip_conn *c)
{
	struct sip_conn **pp;

	if (!c->indexed)
		return;
	for (pp = &x->b[sip_str_hash(c->peer) & (x->nb - 1)]; *pp; pp = &(*pp)->peer_next)
		if (*pp == c) {
			*pp = c->peer_next;
			break;
		}
	c->indexed = 0;
	x->n--;
}

void sip_conn_index_free(struct sip_conn_index *x)
{
	free(x->b);
	memset(x, 0, sizeof(*x));
}

/* The newest established, open connection from peer; with_ssl: one that still has its SSL. */
static struct sip_conn *find_up(const struct sip_iface *ifc, const char *peer, int with_ssl)
{
	const struct sip_conn_index *x = &ifc->by_peer;

	if (!x->nb)
		return NULL;
	for (struct sip_conn *c = x->b[sip_str_hash(peer) & (x->nb - 1)]; c; c = c->peer_next)
		if (c->state == C_UP && !c->gone && (!with_ssl || c->ssl) &&
		    strcmp(c->peer, peer) == 0)
			return c;
	return NULL;
}

const char *sip_tls_peer_subject(struct sip_iface *ifc, const char *peer)
{
	struct sip_conn *c = find_up(ifc, peer, 0);

	return c ? (c->subject ? c->subject : "") : NULL;
}

X509 *sip_tls_peer_cert(struct sip_iface *ifc, const char *peer, const char **subject,
			const char **issuer)
{
	struct sip_conn *c = find_up(ifc, peer, 1);
	X509 *x = c ? SSL_get0_peer_certificate(c->ssl) : NULL;

	/* only a verified chain is an identity */
	if (!x || !c->subject || !c->subject[0] || SSL_get_verify_result(c->ssl) != X509_V_OK)
		return NULL;
	*subject = c->subject;
	*issuer = c->issuer;
	return x;
}

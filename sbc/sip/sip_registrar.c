/*
 * sip_registrar: the SBC as registrar for users that register through it.
 *
 * Bindings live in memory only (a reset forgets them, as the users re-register
 * anyway). Each binding keeps a reference to the transport it arrived on, so a
 * request to the user goes back over the very TCP/TLS connection it opened:
 * TLS clients usually cannot accept connections, and their certificate was
 * checked on that connection. The routing key is the user part of the
 * address of record; the SBC serves one domain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/url.h>

#include "conf/store.h"
#include "sbc/sip/sip_ha.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_reg_store.h"

#define REG_DEFAULT_EXPIRES 3600
#define REG_MAX_EXPIRES     86400
#define REG_MAX_BINDINGS    100000

struct sip_registrar {
	struct sip_engine *e;
	struct sip_reg_store *s; /* the bindings and their indexes (sip_reg_store.h) */
};

static void reg_binding_remove(struct sip_registrar *r, struct sip_binding *b, const char *why);

static time_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* A binding over a connection that is gone cannot be reached any more. */
static int binding_alive(const struct sip_binding *b, void *arg)
{
	/* no tp: replicated by HA (sip_ha.c), live until its user registers again or it expires */
	return b->proto == SIP_PROTO_UDP || !b->tp || !tport_is_closed(b->tp);
}

static void binding_drop(struct sip_binding *b, void *arg)
{
	tport_unref(b->tp);
}

/* sofia reports the connection closed (or failed): its bindings end now, without a scan. */
static void conn_closed(tp_stack_t *stack, tp_client_t *client, tport_t *tp, msg_t *msg, int error)
{
	struct sip_registrar *r = (struct sip_registrar *)client;
	struct sip_reg_conn *c = sip_reg_conn_of(r->s, tp);

	if (!c)
		return;
	while (c->nbind > 1)
		reg_binding_remove(r, c->binds, "connection closed");
	reg_binding_remove(r, c->binds, "connection closed"); /* frees c */
}

static int conn_new(struct sip_reg_conn *c, void *arg)
{
	int id = tport_is_secondary(c->tp)
		     ? tport_pend(c->tp, NULL, conn_closed, (tp_client_t *)arg)
		     : -1;

	/* without a notification the binding still ends: lookups test the connection, and it
	   expires */
	c->pendd = id > 0 ? id : 0;
	tport_ref(c->tp); /* its own: the bindings' references go before the record */
	return 0;
}

static void conn_drop(struct sip_reg_conn *c, void *arg)
{
	if (c->pendd > 0)
		tport_release(c->tp, c->pendd, NULL, NULL, (tp_client_t *)arg, 0);
	c->pendd = 0;
	tport_unref(c->tp);
}

struct sip_registrar *sip_registrar_create(struct sip_engine *e)
{
	struct sip_registrar *r = calloc(1, sizeof(*r));
	struct sip_reg_hooks h = {binding_drop, conn_new, conn_drop, binding_alive, r};

	if (r && !(r->s = sip_reg_store_new(&h))) {
		free(r);
		return NULL;
	}
	if (r)
		r->e = e;
	return r;
}

void sip_registrar_destroy(struct sip_registrar *r)
{
	if (!r)
		return;
	sip_reg_store_free(r->s);
	free(r);
}

/*
 * The three places a binding is made, refreshed and ended: whatever must follow
 * every change of the bindings (logging, replication) goes here.
 */
static struct sip_binding *reg_binding_add(struct sip_registrar *r, const struct sip_reg_new *nb)
{
	struct sip_binding *b;

	if (sip_reg_count(r->s) >= REG_MAX_BINDINGS || !(b = sip_reg_add(r->s, nb)))
		return NULL;
	tport_ref(b->tp);
	sip_ha_binding(r->e, b, 1);
	return b;
}

static struct sip_binding *reg_binding_refresh(struct sip_registrar *r, struct sip_binding *b,
					       const struct sip_reg_new *nb)
{
	struct sip_binding *nw;

	/* a new binding (other connection or text) holds nb->tp before the old one drops its
	   reference; refreshed in place, b keeps the one it has */
	tport_ref(nb->tp);
	nw = sip_reg_refresh(r->s, b, nb);
	if (!nw || nw == b)
		tport_unref(nb->tp);
	if (nw)
		sip_ha_binding(r->e, nw, 1);
	return nw;
}

static void reg_binding_remove(struct sip_registrar *r, struct sip_binding *b, const char *why)
{
	sip_engine_event(r->e, LOG_INFO, "sip: registration of %s at %s (%s) ended: %s", b->aor,
			 b->contact, b->peer, why);
	sip_ha_binding(r->e, b, 0);
	sip_reg_remove(r->s, b);
}

void sip_registrar_expire(struct sip_registrar *r)
{
	time_t now = mono_now();
	struct sip_binding *b;

	if (!r)
		return;
	while ((b = sip_reg_due(r->s, now)))
		reg_binding_remove(r, b, "expired");
	sip_reg_reclaim(r->s); /* bindings removed while a status copy was out */
}

struct sip_binding *sip_registrar_lookup(struct sip_registrar *r, const char *user)
{
	return sip_reg_freshest(r->s, user, mono_now(), 0);
}

/* Contact * or a contact at Expires 0 (contact NULL: every binding of user). */
static void remove_where(struct sip_registrar *r, const char *user, const char *contact)
{
	struct sip_binding *b, *next;

	for (b = sip_reg_user_first(r->s, user); b; b = next) {
		next = sip_reg_user_next(b);
		if (!contact || strcmp(b->contact, contact) == 0)
			reg_binding_remove(r, b, "unregistered");
	}
}

static int reply(nta_incoming_t *irq, int status, const char *phrase)
{
	nta_incoming_treply(irq, status, phrase, TAG_END());
	nta_incoming_destroy(irq);
	return 0;
}

/* Adds or refreshes one binding. */
static int bind_contact(struct sip_registrar *r, const char *user, const char *aor,
			const char *contact, unsigned long expires, struct sip_iface *ifc,
			enum sip_proto p, const char *peer, tport_t *tp,
			const struct sip_id_result *id)
{
	struct sip_reg_new nb = {user,     aor,       contact, peer, id->subject, id->issuer,
				 id->auth, id->check, ifc,     p,    tp,          0};
	struct sip_binding *b = sip_reg_find(r->s, user, contact);
	int refresh = b != NULL;

	nb.expires = mono_now() + (time_t)expires;
	b = b ? reg_binding_refresh(r, b, &nb) : reg_binding_add(r, &nb);
	if (!b)
		return -1;
	sip_engine_event(r->e, refresh ? LOG_DEBUG : LOG_INFO,
			 "sip: %s %s at %s on interface '%s' %s peer %s subject '%s' "
			 "authentication %s (%s) expires %lu",
			 refresh ? "refreshed" : "registered", aor, contact, ifc->name,
			 sip_proto_name(p), peer, b->subject, b->auth, b->check, expires);
	return 0;
}

int sip_registrar_apply(struct sip_registrar *r, struct sip_reg_new *nb, unsigned long left)
{
	struct sip_binding *b;

	nb->tp = NULL; /* no connection: the phone reconnects to the new active box */
	nb->expires = mono_now() + (time_t)left;
	if ((b = sip_reg_find(r->s, nb->user, nb->contact)))
		return sip_reg_refresh(r->s, b, nb) ? 0 : -1;
	if (sip_reg_count(r->s) >= REG_MAX_BINDINGS || !sip_reg_add(r->s, nb))
		return -1;
	return 0;
}

struct sip_binding *sip_registrar_bound(struct sip_registrar *r, const char *user)
{
	/* asked on every REGISTER: without certificate bindings, no look-up at all */
	return sip_reg_freshest(r->s, user, mono_now(), 1);
}

unsigned sip_registrar_users(struct sip_registrar *r, const struct sip_iface *ifc)
{
	sip_registrar_expire(r); /* what is due goes first: the count is of live users */
	return sip_reg_users(r->s, ifc);
}

/* The REGISTER would make user a new registered user of ifc (MaxNumOfRegUsers). */
static int adds_user(struct sip_registrar *r, const struct sip_iface *ifc, const char *user,
		     sip_t const *sip, unsigned long dflt)
{
	int adds = 0;

	for (sip_contact_t const *m = sip->sip_contact; m; m = m->m_next)
		if (m->m_url->url_type != url_any &&
		    (m->m_expires ? strtoul(m->m_expires, NULL, 10) : dflt) > 0)
			adds = 1;
	return adds && !sip_reg_user_on(r->s, user, ifc);
}

/* 200 listing every binding of the user with the seconds left. */
static int reply_bindings(struct sip_registrar *r, nta_incoming_t *irq, const char *user)
{
	char list[4096] = "";
	size_t used = 0;
	time_t now = mono_now();

	for (struct sip_binding *b = sip_reg_user_first(r->s, user); b; b = sip_reg_user_next(b)) {
		if (b->expires <= now || !binding_alive(b, NULL))
			continue;
		int k = snprintf(list + used, sizeof(list) - used, "%s<%s>;expires=%ld",
				 used ? ", " : "", b->contact, (long)(b->expires - now));
		if (k < 0 || (size_t)k >= sizeof(list) - used)
			break;
		used += (size_t)k;
	}
	nta_incoming_treply(irq, SIP_200_OK, TAG_IF(used, SIPTAG_CONTACT_STR(list)), TAG_END());
	nta_incoming_destroy(irq);
	return 0;
}

int sip_registrar_request(struct sip_registrar *r, struct sip_iface *ifc, enum sip_proto p,
			  nta_incoming_t *irq, sip_t const *sip)
{
	url_t const *to = sip->sip_to->a_url;
	unsigned long dflt = sip->sip_expires ? sip->sip_expires->ex_delta : REG_DEFAULT_EXPIRES;
	char user[128], aor[256], contact[512], peer[64];
	struct sip_id_result id;
	tport_t *tp;
	int failed = 0;

	if (!to->url_user || !to->url_user[0] || strlen(to->url_user) >= sizeof(user))
		return reply(irq, 400, "Bad Address of Record");
	snprintf(user, sizeof(user), "%s", to->url_user);
	snprintf(aor, sizeof(aor), "sip:%s@%s", to->url_user, to->url_host ? to->url_host : "");
	/* who may touch this AOR: before any binding changes (sip_identity.h) */
	if (sip_identity_register(r->e, ifc, p, irq, sip, user, aor, &id))
		return 0;
	sip_registrar_expire(r); /* due bindings go before they are counted or refreshed */
	if (ifc->idp.max_reg >= 0 && adds_user(r, ifc, user, sip, dflt) &&
	    sip_reg_users(r->s, ifc) >= (unsigned long long)ifc->idp.max_reg) {
		char why[160];
		snprintf(why, sizeof(why), "MaxNumOfRegUsers %lld reached on interface '%s'",
			 ifc->idp.max_reg, ifc->name);
		sip_identity_refuse(r->e, ifc, irq, 503, "Service Unavailable", why, aor,
				    &ifc->idc.limit);
		return 0;
	}
	if (sip->sip_contact && sip->sip_contact->m_url->url_type == url_any) {
		/* Contact: * removes every binding, and only with Expires: 0 (RFC 3261 10.3) */
		if (!sip->sip_expires || sip->sip_expires->ex_delta != 0 ||
		    sip->sip_contact->m_next)
			return reply(irq, 400, "Invalid Wildcard Contact");
		remove_where(r, user, NULL);
		sip_engine_event(r->e, LOG_INFO, "sip: unregistered every contact of %s", aor);
		return reply_bindings(r, irq, user);
	}
	sip_irq_peer(irq, peer, sizeof(peer));
	tp = nta_incoming_transport(r->e->agent, irq, NULL);
	for (sip_contact_t const *m = sip->sip_contact; m; m = m->m_next) {
		unsigned long exp = m->m_expires ? strtoul(m->m_expires, NULL, 10) : dflt;
		if (m->m_url->url_type == url_any || !url_e(contact, sizeof(contact), m->m_url)) {
			failed = 400;
			break;
		}
		if (exp > REG_MAX_EXPIRES)
			exp = REG_MAX_EXPIRES;
		if (exp == 0) {
			remove_where(r, user, contact);
			sip_engine_event(r->e, LOG_INFO, "sip: unregistered %s at %s", aor,
					 contact);
		} else if (bind_contact(r, user, aor, contact, exp, ifc, p, peer, tp, &id) < 0) {
			failed = 503;
			break;
		}
	}
	tport_unref(tp);
	if (failed == 400)
		return reply(irq, 400, "Bad Contact");
	if (failed)
		return reply(irq, 503, "Too Many Registrations");
	return reply_bindings(r, irq, user);
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1e3 + (b->tv_nsec - a->tv_nsec) / 1e6;
}

struct sip_reg_snap *sip_registrar_snapshot(struct sip_registrar *r)
{
	struct timespec t0, t1, c0, c1;
	struct sip_reg_snap *sn;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	sn = sip_reg_snap_take(r->s, mono_now());
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* what a walk of a big table costs the loop (doc/SIP.md, bench/register_scale.sh): wall
	   time, and the CPU time of the copy itself (wall minus time the thread waited for a CPU)
	 */
	if (sn && sn->n >= 10000)
		sip_engine_event(r->e, LOG_DEBUG,
				 "sip: Registrations copy of %u bindings held the loop %.3f ms "
				 "(%.3f ms CPU)",
				 sn->n, ms_between(&t0, &t1), ms_between(&c0, &c1));
	return sn;
}

void sip_registrar_status(struct sip_registrar *r, struct conf_store *st)
{
	struct sip_reg_snap *sn = sip_registrar_snapshot(r);

	if (sn)
		sip_reg_snap_fill(sn, st);
}

int sip_registrar_holds(struct sip_registrar *r, const struct sip_iface *ifc, enum sip_proto p,
			const char *peer)
{
	struct sip_reg_conn *c = r ? sip_reg_conn_find(r->s, ifc, p, peer) : NULL;
	time_t now = mono_now();

	for (const struct sip_binding *b = c ? c->binds : NULL; b; b = b->cnext)
		if (b->expires > now)
			return 1;
	return 0;
}

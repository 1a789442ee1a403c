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

#define REG_DEFAULT_EXPIRES 3600
#define REG_MAX_EXPIRES     86400
#define REG_MAX_BINDINGS    100000

struct sip_registrar {
	struct sip_engine *e;
	struct sip_binding *list; /* newest first */
	unsigned n;
	unsigned nbound; /* of them with a certificate subject: none, no scan per REGISTER */
};

/* Follows r->n: +1 when b enters the list, -1 when it leaves. */
static void count_bound(struct sip_registrar *r, const struct sip_binding *b, int delta)
{
	if (b->subject[0])
		r->nbound += (unsigned)delta;
}

static time_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

struct sip_registrar *sip_registrar_create(struct sip_engine *e)
{
	struct sip_registrar *r = calloc(1, sizeof(*r));

	if (r)
		r->e = e;
	return r;
}

static void binding_free(struct sip_binding *b)
{
	tport_unref(b->tp);
	free(b);
}

void sip_registrar_destroy(struct sip_registrar *r)
{
	if (!r)
		return;
	while (r->list) {
		struct sip_binding *b = r->list;
		r->list = b->next;
		binding_free(b);
	}
	free(r);
}

/* A binding over a connection that is gone cannot be reached any more. */
static int binding_live(const struct sip_binding *b, time_t now)
{
	if (b->expires <= now)
		return 0;
	/* no tp: replicated by HA (sip_ha.c), live until its user registers again or it expires */
	return b->proto == SIP_PROTO_UDP || !b->tp || !tport_is_closed(b->tp);
}

void sip_registrar_expire(struct sip_registrar *r)
{
	time_t now = mono_now();

	if (!r)
		return;
	for (struct sip_binding **pb = &r->list; *pb;) {
		struct sip_binding *b = *pb;
		if (binding_live(b, now)) {
			pb = &b->next;
			continue;
		}
		sip_engine_event(r->e, LOG_INFO, "sip: registration of %s at %s (%s) ended: %s",
				 b->aor, b->contact, b->peer,
				 b->expires <= now ? "expired" : "connection closed");
		*pb = b->next;
		r->n--;
		count_bound(r, b, -1);
		sip_ha_binding(r->e, b, 0);
		binding_free(b);
	}
}

struct sip_binding *sip_registrar_lookup(struct sip_registrar *r, const char *user)
{
	time_t now = mono_now();

	for (struct sip_binding *b = r->list; b; b = b->next)
		if (strcmp(b->user, user) == 0 && binding_live(b, now))
			return b;
	return NULL;
}

static void remove_where(struct sip_registrar *r, const char *user, const char *contact)
{
	for (struct sip_binding **pb = &r->list; *pb;) {
		struct sip_binding *b = *pb;
		if (strcmp(b->user, user) == 0 && (!contact || strcmp(b->contact, contact) == 0)) {
			*pb = b->next;
			r->n--;
			count_bound(r, b, -1);
			sip_ha_binding(r->e, b, 0);
			binding_free(b);
		} else {
			pb = &b->next;
		}
	}
}

static int reply(nta_incoming_t *irq, int status, const char *phrase)
{
	nta_incoming_treply(irq, status, phrase, TAG_END());
	nta_incoming_destroy(irq);
	return 0;
}

/* Adds or refreshes one binding; the newest moves to the front. */
static int bind_contact(struct sip_registrar *r, const char *user, const char *aor,
			const char *contact, unsigned long expires, struct sip_iface *ifc,
			enum sip_proto p, const char *peer, tport_t *tp,
			const struct sip_id_result *id)
{
	struct sip_binding *b = NULL;

	for (struct sip_binding **pb = &r->list; *pb; pb = &(*pb)->next)
		if (strcmp((*pb)->user, user) == 0 && strcmp((*pb)->contact, contact) == 0) {
			b = *pb;
			*pb = b->next;
			r->n--;
			count_bound(r, b, -1);
			tport_unref(b->tp);
			break;
		}
	if (!b) {
		if (r->n >= REG_MAX_BINDINGS || !(b = calloc(1, sizeof(*b))))
			return -1;
		snprintf(b->user, sizeof(b->user), "%s", user);
		snprintf(b->aor, sizeof(b->aor), "%s", aor);
		snprintf(b->contact, sizeof(b->contact), "%s", contact);
	}
	b->ifc = ifc;
	b->proto = p;
	snprintf(b->peer, sizeof(b->peer), "%s", peer);
	snprintf(b->subject, sizeof(b->subject), "%s", id->subject);
	snprintf(b->issuer, sizeof(b->issuer), "%s", id->issuer);
	snprintf(b->auth, sizeof(b->auth), "%s", id->auth);
	snprintf(b->check, sizeof(b->check), "%s", id->check);
	b->tp = tport_ref(tp);
	b->expires = mono_now() + (time_t)expires;
	b->next = r->list;
	r->list = b;
	r->n++;
	count_bound(r, b, 1);
	sip_ha_binding(r->e, b, 1);
	sip_engine_event(r->e, LOG_INFO,
			 "sip: registered %s at %s on interface '%s' %s peer %s subject '%s' "
			 "authentication %s (%s) expires %lu",
			 aor, contact, ifc->name, sip_proto_name(p), peer, b->subject, b->auth,
			 b->check, expires);
	return 0;
}

int sip_registrar_apply(struct sip_registrar *r, const struct sip_binding *src, unsigned long left)
{
	struct sip_binding *b;

	if (r->n >= REG_MAX_BINDINGS || !(b = calloc(1, sizeof(*b))))
		return -1;
	*b = *src;
	b->tp = NULL;
	b->expires = mono_now() + (time_t)left;
	b->next = r->list;
	r->list = b;
	r->n++;
	count_bound(r, b, 1);
	return 0;
}

struct sip_binding *sip_registrar_bound(struct sip_registrar *r, const char *user)
{
	time_t now;

	if (!r->nbound)
		return NULL; /* asked on every REGISTER: no certificate bindings, no scan */
	now = mono_now();
	for (struct sip_binding *b = r->list; b; b = b->next)
		if (b->subject[0] && strcmp(b->user, user) == 0 && binding_live(b, now))
			return b;
	return NULL;
}

static int by_user(const void *a, const void *b)
{
	return strcmp((*(struct sip_binding *const *)a)->user,
		      (*(struct sip_binding *const *)b)->user);
}

unsigned sip_registrar_users(struct sip_registrar *r, const struct sip_iface *ifc)
{
	time_t now = mono_now();
	struct sip_binding **v;
	unsigned n = 0, users = 0;

	if (!r->n || !(v = malloc(r->n * sizeof(*v))))
		return 0;
	for (struct sip_binding *b = r->list; b && n < r->n; b = b->next)
		if ((!ifc || b->ifc == ifc) && binding_live(b, now))
			v[n++] = b;
	/* sorted by user, each user counts once: O(n log n) for any number of contacts */
	qsort(v, n, sizeof(*v), by_user);
	for (unsigned i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i]->user, v[i - 1]->user))
			users++;
	free(v);
	return users;
}

/* At least max users live on ifc; cheap when there are fewer live bindings than max. */
static int users_at_least(struct sip_registrar *r, const struct sip_iface *ifc,
			  unsigned long long max)
{
	time_t now = mono_now();
	unsigned long long n = 0;

	for (struct sip_binding *b = r->list; b && n < max; b = b->next)
		if (b->ifc == ifc && binding_live(b, now))
			n++;
	return n >= max && sip_registrar_users(r, ifc) >= max;
}

/* The REGISTER would make user a new registered user of ifc (MaxNumOfRegUsers). */
static int adds_user(struct sip_registrar *r, const struct sip_iface *ifc, const char *user,
		     sip_t const *sip, unsigned long dflt)
{
	time_t now = mono_now();
	int adds = 0;

	for (sip_contact_t const *m = sip->sip_contact; m; m = m->m_next)
		if (m->m_url->url_type != url_any &&
		    (m->m_expires ? strtoul(m->m_expires, NULL, 10) : dflt) > 0)
			adds = 1;
	for (struct sip_binding *b = r->list; adds && b; b = b->next)
		if (b->ifc == ifc && strcmp(b->user, user) == 0 && binding_live(b, now))
			return 0;
	return adds;
}

/* 200 listing every binding of the user with the seconds left. */
static int reply_bindings(struct sip_registrar *r, nta_incoming_t *irq, const char *user)
{
	char list[4096] = "";
	size_t used = 0;
	time_t now = mono_now();

	for (struct sip_binding *b = r->list; b; b = b->next) {
		if (strcmp(b->user, user) || !binding_live(b, now))
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
	if (ifc->idp.max_reg >= 0 && adds_user(r, ifc, user, sip, dflt) &&
	    users_at_least(r, ifc, (unsigned long long)ifc->idp.max_reg)) {
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

void sip_registrar_status(struct sip_registrar *r, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_registrations;
	struct conf_rows *rs = conf_store_rows(st, t);
	time_t now = mono_now();
	unsigned idx = 0;
	char ebuf[128];

	if (!rs)
		return;
	conf_store_clear(st, t);
	for (struct sip_binding *b = r->list; b && idx < t->max_rows; b = b->next) {
		struct conf_row *row;
		if (!binding_live(b, now) || !(row = conf_store_ensure(st, t, idx++, NULL)))
			continue;
		const struct {
			int col;
			const char *v;
		} text[] = {
		    {REGISTRATION_AOR, b->aor},
		    {REGISTRATION_CONTACT, b->contact},
		    {REGISTRATION_INTERFACE_NAME, b->ifc->name},
		    {REGISTRATION_TRANSPORT, sip_proto_name(b->proto)},
		    {REGISTRATION_PEER_ADDRESS, b->peer},
		    {REGISTRATION_CERTIFICATE_SUBJECT, b->subject},
		    {REGISTRATION_AUTHENTICATION, b->auth},
		    {REGISTRATION_IDENTITY_CHECK, b->check},
		};
		for (unsigned k = 0; k < sizeof(text) / sizeof(text[0]); k++)
			conf_row_set_text(t, row, text[k].col, text[k].v, ebuf, sizeof(ebuf));
		row->v[REGISTRATION_EXPIRES].i = (long long)(b->expires - now);
	}
}

int sip_registrar_holds(struct sip_registrar *r, const struct sip_iface *ifc, enum sip_proto p,
			const char *peer)
{
	time_t now = mono_now();

	for (const struct sip_binding *b = r ? r->list : NULL; b; b = b->next)
		if (b->ifc == ifc && b->proto == p && b->expires > now && !strcmp(b->peer, peer))
			return 1;
	return 0;
}

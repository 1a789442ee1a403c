/*
 * sip_reg_store: hash chains, an expiry heap and per-interface user counts
 * kept in step as bindings come and go (sip_reg_store.h). Nothing here scans
 * all bindings except the walk a caller makes with sip_reg_at.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbc/sip/sip_reg_store.h"

#define TAB_MIN 64u

/* An intrusive chained hash table: entries carry their next link and hash at fixed offsets. */
struct tab {
	void **b;
	unsigned mask, n;
	size_t next_off, hash_off;
};

struct ifc_users {
	const struct sip_iface *ifc;
	unsigned users;
};

/*
 * Copies of the table not yet released (bindings removed meanwhile wait in the graveyard),
 * and the buffer of the last copy, kept for the next one: a fresh 2 MB buffer costs the loop
 * its page faults, a reused one only the memcpy. When the heap grows, a short thread makes a
 * spare of its capacity (want) and touches it; the thread that releases a smaller copy does
 * the same, so the loop never faults a copy buffer in. snaps also counts those threads.
 */
struct sip_reg_shared {
	atomic_uint snaps;
	atomic_uint want;
	pthread_mutex_t mu; /* spare, spare_cap */
	struct sip_reg_ent *spare;
	unsigned spare_cap;
};

struct sip_reg_store {
	struct sip_reg_hooks h;
	struct tab users;         /* bindings by user */
	struct tab tps;           /* connection records by tport */
	struct tab peers;         /* connection records by peer */
	struct sip_reg_ent *heap; /* expiry keys beside the bindings: no pointer chasing */
	unsigned n, cap;
	struct sip_reg_shared *sh;
	struct sip_binding *grave; /* removed while a copy was out, linked by unext */
	unsigned nconn, ncert, nusers;
	struct ifc_users *ifu;
	unsigned nifu;
	unsigned long long seq;
	size_t bytes; /* of bindings and connection records */
};

#define NEXT(t, e) (*(void **)((char *)(e) + (t)->next_off))
#define HASH(t, e) (*(unsigned *)((char *)(e) + (t)->hash_off))

unsigned sip_str_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static unsigned ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (unsigned)x;
}

static int tab_init(struct tab *t, size_t next_off, size_t hash_off)
{
	t->b = calloc(TAB_MIN, sizeof(*t->b));
	t->mask = TAB_MIN - 1;
	t->n = 0;
	t->next_off = next_off;
	t->hash_off = hash_off;
	return t->b ? 0 : -1;
}

/* Doubles the buckets; on no memory the chains just grow longer. */
static void tab_grow(struct tab *t)
{
	unsigned nb = (t->mask + 1) * 2;
	void **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (unsigned i = 0; i <= t->mask; i++)
		for (void *e = t->b[i], *next; e; e = next) {
			next = NEXT(t, e);
			void **head = &b[HASH(t, e) & (nb - 1)];
			NEXT(t, e) = *head;
			*head = e;
		}
	free(t->b);
	t->b = b;
	t->mask = nb - 1;
}

static void tab_insert(struct tab *t, void *e)
{
	void **head;

	if (t->n >= t->mask + 1)
		tab_grow(t);
	head = &t->b[HASH(t, e) & t->mask];
	NEXT(t, e) = *head;
	*head = e;
	t->n++;
}

static void tab_remove(struct tab *t, void *e)
{
	for (void **pe = &t->b[HASH(t, e) & t->mask]; *pe; pe = &NEXT(t, *pe))
		if (*pe == e) {
			*pe = NEXT(t, e);
			t->n--;
			return;
		}
}

static void *tab_chain(const struct tab *t, unsigned hash)
{
	return t->b[hash & t->mask];
}

/* --- the expiry heap --- */

static void heap_set(struct sip_reg_store *s, unsigned i, struct sip_reg_ent e)
{
	s->heap[i] = e;
	e.b->heap = i;
}

static void heap_up(struct sip_reg_store *s, unsigned i)
{
	struct sip_reg_ent e = s->heap[i];

	while (i > 0) {
		unsigned p = (i - 1) / 2;
		if (!(e.expires < s->heap[p].expires))
			break;
		heap_set(s, i, s->heap[p]);
		i = p;
	}
	heap_set(s, i, e);
}

static void heap_down(struct sip_reg_store *s, unsigned i)
{
	struct sip_reg_ent e = s->heap[i];

	for (;;) {
		unsigned c = 2 * i + 1;
		if (c >= s->n)
			break;
		if (c + 1 < s->n && s->heap[c + 1].expires < s->heap[c].expires)
			c++;
		if (!(s->heap[c].expires < e.expires))
			break;
		heap_set(s, i, s->heap[c]);
		i = c;
	}
	heap_set(s, i, e);
}

/* The entry at i changed its key: up or down to its place. */
static void heap_fix(struct sip_reg_store *s, unsigned i)
{
	struct sip_binding *b = s->heap[i].b;

	heap_up(s, i);
	heap_down(s, b->heap);
}

/* --- users per interface --- */

static unsigned *ifc_count(struct sip_reg_store *s, const struct sip_iface *ifc, int add)
{
	struct ifc_users *v;

	for (unsigned i = 0; i < s->nifu; i++)
		if (s->ifu[i].ifc == ifc)
			return &s->ifu[i].users;
	if (!add || !(v = realloc(s->ifu, (s->nifu + 1) * sizeof(*v))))
		return NULL;
	s->ifu = v;
	s->ifu[s->nifu] = (struct ifc_users){ifc, 0};
	return &s->ifu[s->nifu++].users;
}

/* Other bindings of b's user: on b's interface (*same_ifc) and anywhere (return). */
static int user_others(const struct sip_reg_store *s, const struct sip_binding *b, int *same_ifc)
{
	int any = 0;

	*same_ifc = 0;
	for (const struct sip_binding *o = sip_reg_user_first(s, b->user); o;
	     o = sip_reg_user_next(o))
		if (o != b) {
			any = 1;
			if (o->ifc == b->ifc)
				*same_ifc = 1;
		}
	return any;
}

/* b joined (delta 1) or is about to leave (-1) the user chain. */
static void count_user(struct sip_reg_store *s, const struct sip_binding *b, int delta)
{
	int same_ifc, any = user_others(s, b, &same_ifc);
	unsigned *c = ifc_count(s, b->ifc, 1);

	if (!any)
		s->nusers += (unsigned)delta;
	if (!same_ifc && c)
		*c += (unsigned)delta;
	if (b->subject[0])
		s->ncert += (unsigned)delta;
}

/* --- store --- */

/*
 * n entries with every page written: memset(0) after malloc may become a calloc, which leaves
 * fresh mmap pages untouched, so each page gets a volatile store.
 */
static struct sip_reg_ent *touched_alloc(unsigned n)
{
	size_t len = (size_t)n * sizeof(struct sip_reg_ent);
	volatile char *p = malloc(len);

	for (size_t o = 0; p && o < len; o += 4096)
		p[o] = 1;
	return (struct sip_reg_ent *)p;
}

/* Parks ent (cap entries) as the spare when it is bigger than the one there; frees the other. */
static void spare_offer(struct sip_reg_shared *sh, struct sip_reg_ent *ent, unsigned cap)
{
	pthread_mutex_lock(&sh->mu);
	if (ent && (!sh->spare || sh->spare_cap < cap)) {
		struct sip_reg_ent *old = sh->spare;
		sh->spare = ent, sh->spare_cap = cap;
		ent = old;
	}
	pthread_mutex_unlock(&sh->mu);
	free(ent);
}

static void *prefault_main(void *arg)
{
	struct sip_reg_shared *sh = arg;
	unsigned want = atomic_load(&sh->want);
	struct sip_reg_ent *ent = touched_alloc(want); /* the page faults, here */

	spare_offer(sh, ent, want);
	atomic_fetch_sub(&sh->snaps, 1); /* last: sh may be freed after */
	return NULL;
}

/*
 * The heap grew: a spare of its new capacity is made and touched on a short detached thread,
 * so that even the first copy at this size finds its pages ready instead of faulting 3 MB in
 * on the loop. The thread counts as a copy out, so sh outlives it. Small heaps are not worth
 * a thread.
 */
static void spare_prefault(struct sip_reg_shared *sh)
{
	pthread_attr_t at;
	pthread_t t;

	if (atomic_load(&sh->want) < 4096)
		return;
	atomic_fetch_add(&sh->snaps, 1);
	if (pthread_attr_init(&at) != 0) {
		atomic_fetch_sub(&sh->snaps, 1);
		return;
	}
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, prefault_main, sh) != 0)
		atomic_fetch_sub(&sh->snaps, 1);
	pthread_attr_destroy(&at);
}

struct sip_reg_store *sip_reg_store_new(const struct sip_reg_hooks *hooks)
{
	struct sip_reg_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (hooks)
		s->h = *hooks;
	if (!(s->sh = calloc(1, sizeof(*s->sh)))) {
		free(s);
		return NULL;
	}
	pthread_mutex_init(&s->sh->mu, NULL);
	if (tab_init(&s->users, offsetof(struct sip_binding, unext),
		     offsetof(struct sip_binding, hash)) < 0 ||
	    tab_init(&s->tps, offsetof(struct sip_reg_conn, tnext),
		     offsetof(struct sip_reg_conn, thash)) < 0 ||
	    tab_init(&s->peers, offsetof(struct sip_reg_conn, pnext),
		     offsetof(struct sip_reg_conn, phash)) < 0) {
		sip_reg_store_free(s);
		return NULL;
	}
	return s;
}

void sip_reg_store_free(struct sip_reg_store *s)
{
	if (!s)
		return;
	while (s->n)
		sip_reg_remove(s, s->heap[s->n - 1].b);
	/* a copy still out (a worker writing the table) reads the graveyard: left to it */
	if (!sip_reg_reclaim(s)) {
		free(s->sh->spare);
		pthread_mutex_destroy(&s->sh->mu);
		free(s->sh);
	}
	free(s->heap);
	free(s->users.b);
	free(s->tps.b);
	free(s->peers.b);
	free(s->ifu);
	free(s);
}

unsigned sip_reg_count(const struct sip_reg_store *s)
{
	return s->n;
}

struct sip_binding *sip_reg_at(const struct sip_reg_store *s, unsigned i)
{
	return i < s->n ? s->heap[i].b : NULL;
}

struct sip_binding *sip_reg_user_first(const struct sip_reg_store *s, const char *user)
{
	unsigned h = sip_str_hash(user);

	for (struct sip_binding *b = tab_chain(&s->users, h); b; b = b->unext)
		if (b->hash == h && strcmp(b->user, user) == 0)
			return b;
	return NULL;
}

struct sip_binding *sip_reg_user_next(const struct sip_binding *b)
{
	for (struct sip_binding *o = b->unext; o; o = o->unext)
		if (o->hash == b->hash && strcmp(o->user, b->user) == 0)
			return o;
	return NULL;
}

struct sip_binding *sip_reg_find(const struct sip_reg_store *s, const char *user,
				 const char *contact)
{
	for (struct sip_binding *b = sip_reg_user_first(s, user); b; b = sip_reg_user_next(b))
		if (strcmp(b->contact, contact) == 0)
			return b;
	return NULL;
}

static int usable(const struct sip_reg_store *s, const struct sip_binding *b, time_t now)
{
	return b->expires > now && (!s->h.alive || s->h.alive(b, s->h.arg));
}

struct sip_binding *sip_reg_freshest(const struct sip_reg_store *s, const char *user, time_t now,
				     int cert)
{
	struct sip_binding *best = NULL;

	if (cert && !s->ncert)
		return NULL;
	for (struct sip_binding *b = sip_reg_user_first(s, user); b; b = sip_reg_user_next(b))
		if ((!cert || b->subject[0]) && (!best || b->seq > best->seq) && usable(s, b, now))
			best = b;
	return best;
}

unsigned sip_reg_users(const struct sip_reg_store *s, const struct sip_iface *ifc)
{
	if (!ifc)
		return s->nusers;
	for (unsigned i = 0; i < s->nifu; i++)
		if (s->ifu[i].ifc == ifc)
			return s->ifu[i].users;
	return 0;
}

int sip_reg_user_on(const struct sip_reg_store *s, const char *user, const struct sip_iface *ifc)
{
	for (struct sip_binding *b = sip_reg_user_first(s, user); b; b = sip_reg_user_next(b))
		if (b->ifc == ifc)
			return 1;
	return 0;
}

unsigned sip_reg_cert_count(const struct sip_reg_store *s)
{
	return s->ncert;
}

struct sip_reg_conn *sip_reg_conn_of(const struct sip_reg_store *s, const tport_t *tp)
{
	unsigned h = ptr_hash(tp);

	for (struct sip_reg_conn *c = tab_chain(&s->tps, h); c; c = c->tnext)
		if (c->tp == tp)
			return c;
	return NULL;
}

struct sip_reg_conn *sip_reg_conn_find(const struct sip_reg_store *s, const struct sip_iface *ifc,
				       enum sip_proto proto, const char *peer)
{
	unsigned h = sip_str_hash(peer);

	for (struct sip_reg_conn *c = tab_chain(&s->peers, h); c; c = c->pnext)
		if (c->phash == h && c->ifc == ifc && c->proto == proto &&
		    strcmp(c->peer, peer) == 0)
			return c;
	return NULL;
}

static struct sip_reg_conn *conn_get(struct sip_reg_store *s, const struct sip_reg_new *nb)
{
	struct sip_reg_conn *c = sip_reg_conn_of(s, nb->tp);
	size_t len = strlen(nb->peer) + 1;

	if (c)
		return c;
	if (!(c = calloc(1, sizeof(*c) + len)))
		return NULL;
	c->tp = nb->tp;
	c->ifc = nb->ifc;
	c->proto = nb->proto;
	memcpy(c->peer, nb->peer, len);
	c->thash = ptr_hash(nb->tp);
	c->phash = sip_str_hash(nb->peer);
	if (s->h.conn_new && s->h.conn_new(c, s->h.arg) < 0) {
		free(c);
		return NULL;
	}
	tab_insert(&s->tps, c);
	tab_insert(&s->peers, c);
	s->nconn++;
	s->bytes += sizeof(*c) + len;
	return c;
}

static void conn_put(struct sip_reg_store *s, struct sip_reg_conn *c)
{
	if (c->nbind)
		return;
	if (s->h.conn_drop)
		s->h.conn_drop(c, s->h.arg);
	tab_remove(&s->tps, c);
	tab_remove(&s->peers, c);
	s->nconn--;
	s->bytes -= sizeof(*c) + strlen(c->peer) + 1;
	free(c);
}

static void conn_unlink(struct sip_reg_conn *c, struct sip_binding *b)
{
	for (struct sip_binding **pb = &c->binds; *pb; pb = &(*pb)->cnext)
		if (*pb == b) {
			*pb = b->cnext;
			c->nbind--;
			return;
		}
}

static size_t new_size(const struct sip_reg_new *nb)
{
	const char *v[] = {nb->user,    nb->aor,    nb->contact, nb->peer,
			   nb->subject, nb->issuer, nb->auth,    nb->check};
	size_t n = sizeof(struct sip_binding);

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		n += strlen(v[i] ? v[i] : "") + 1;
	return n;
}

/* A binding made of nb, not linked anywhere. */
static struct sip_binding *binding_make(const struct sip_reg_new *nb)
{
	const char *v[] = {nb->user,    nb->aor,    nb->contact, nb->peer,
			   nb->subject, nb->issuer, nb->auth,    nb->check};
	struct sip_binding *b = malloc(new_size(nb));
	const char **dst[8];
	char *p;

	if (!b)
		return NULL;
	memset(b, 0, sizeof(*b));
	dst[0] = &b->user, dst[1] = &b->aor, dst[2] = &b->contact, dst[3] = &b->peer;
	dst[4] = &b->subject, dst[5] = &b->issuer, dst[6] = &b->auth, dst[7] = &b->check;
	p = b->text;
	for (unsigned i = 0; i < 8; i++) {
		size_t len = strlen(v[i] ? v[i] : "") + 1;
		memcpy(p, v[i] ? v[i] : "", len);
		*dst[i] = p;
		p += len;
	}
	b->ifc = nb->ifc;
	b->proto = nb->proto;
	b->tp = nb->tp;
	b->expires = nb->expires;
	b->hash = sip_str_hash(b->user);
	return b;
}

static size_t binding_size(const struct sip_binding *b)
{
	return (size_t)(b->check + strlen(b->check) + 1 - (const char *)b);
}

/* Links b (made by binding_make) into the tables; -1 when its connection record fails. */
static int binding_link(struct sip_reg_store *s, struct sip_binding *b,
			const struct sip_reg_new *nb)
{
	if (nb->proto != SIP_PROTO_UDP && nb->tp) {
		if (!(b->conn = conn_get(s, nb)))
			return -1;
		b->cnext = b->conn->binds;
		b->conn->binds = b;
		b->conn->nbind++;
	}
	if (s->n == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 256;
		struct sip_reg_ent *h = realloc(s->heap, cap * sizeof(*h));
		if (!h) {
			if (b->conn) {
				conn_unlink(b->conn, b);
				conn_put(s, b->conn);
			}
			return -1;
		}
		s->heap = h, s->cap = cap;
		atomic_store(&s->sh->want, cap);
		spare_prefault(s->sh);
	}
	tab_insert(&s->users, b);
	count_user(s, b, 1);
	b->seq = ++s->seq;
	heap_set(s, s->n++, (struct sip_reg_ent){b->expires, b->seq, b});
	heap_up(s, b->heap);
	s->bytes += binding_size(b);
	return 0;
}

/* Takes b out of every table without freeing it. */
static void binding_unlink(struct sip_reg_store *s, struct sip_binding *b)
{
	unsigned i = b->heap;

	count_user(s, b, -1);
	tab_remove(&s->users, b);
	if (--s->n != i) {
		heap_set(s, i, s->heap[s->n]);
		heap_fix(s, i);
	}
	s->bytes -= binding_size(b);
}

struct sip_binding *sip_reg_add(struct sip_reg_store *s, const struct sip_reg_new *nb)
{
	struct sip_binding *b = binding_make(nb);

	if (b && binding_link(s, b, nb) < 0) {
		free(b);
		b = NULL;
	}
	return b;
}

void sip_reg_remove(struct sip_reg_store *s, struct sip_binding *b)
{
	struct sip_reg_conn *c = b->conn;

	binding_unlink(s, b);
	if (s->h.drop)
		s->h.drop(b, s->h.arg);
	if (c) {
		conn_unlink(c, b);
		conn_put(s, c);
	}
	if (atomic_load(&s->sh->snaps)) {
		b->unext = s->grave;
		s->grave = b;
	} else {
		free(b);
	}
}

unsigned sip_reg_reclaim(struct sip_reg_store *s)
{
	unsigned out = atomic_load(&s->sh->snaps);

	while (!out && s->grave) {
		struct sip_binding *b = s->grave;
		s->grave = b->unext;
		free(b);
	}
	return out;
}

unsigned sip_reg_remove_conn(struct sip_reg_store *s, struct sip_reg_conn *c)
{
	unsigned n = c->nbind;

	/* the last removal frees c */
	while (c->nbind > 1)
		sip_reg_remove(s, c->binds);
	if (n)
		sip_reg_remove(s, c->binds);
	return n;
}

static int same_text(const char *a, const char *b)
{
	return strcmp(a, b ? b : "") == 0;
}

struct sip_binding *sip_reg_refresh(struct sip_reg_store *s, struct sip_binding *b,
				    const struct sip_reg_new *nb)
{
	struct sip_binding *nw;

	if (b->tp == nb->tp && b->ifc == nb->ifc && b->proto == nb->proto &&
	    same_text(b->aor, nb->aor) && same_text(b->peer, nb->peer) &&
	    same_text(b->subject, nb->subject) && same_text(b->issuer, nb->issuer) &&
	    same_text(b->auth, nb->auth) && same_text(b->check, nb->check)) {
		b->expires = nb->expires;
		b->seq = ++s->seq;
		s->heap[b->heap].expires = b->expires;
		s->heap[b->heap].seq = b->seq;
		heap_fix(s, b->heap);
		return b;
	}
	if (!(nw = binding_make(nb)))
		return NULL;
	/* the new one is linked before the old one goes: a connection record they share stays */
	if (binding_link(s, nw, nb) < 0) {
		free(nw);
		return NULL;
	}
	sip_reg_remove(s, b);
	return nw;
}

struct sip_binding *sip_reg_due(const struct sip_reg_store *s, time_t now)
{
	return s->n && s->heap[0].expires <= now ? s->heap[0].b : NULL;
}

size_t sip_reg_bytes(const struct sip_reg_store *s)
{
	return sizeof(*s) + s->bytes + s->cap * sizeof(*s->heap) +
	       (s->users.mask + 1 + s->tps.mask + 1 + s->peers.mask + 1) * sizeof(void *) +
	       s->nifu * sizeof(*s->ifu);
}

struct sip_reg_snap *sip_reg_snap_take(struct sip_reg_store *s, time_t now)
{
	struct sip_reg_snap *sn = calloc(1, sizeof(*sn));
	unsigned need = s->n ? s->n : 1;

	sip_reg_reclaim(s);
	if (!sn)
		return NULL;
	pthread_mutex_lock(&s->sh->mu);
	if (s->sh->spare && s->sh->spare_cap >= need) {
		sn->ent = s->sh->spare, sn->cap = s->sh->spare_cap;
		s->sh->spare = NULL;
	}
	pthread_mutex_unlock(&s->sh->mu);
	if (!sn->ent && (sn->ent = malloc((s->cap > need ? s->cap : need) * sizeof(*sn->ent))))
		sn->cap = s->cap > need ? s->cap : need;
	if (!sn->ent || !(sn->ifn = calloc(s->nifu ? s->nifu : 1, sizeof(*sn->ifn)))) {
		free(sn->ent);
		free(sn);
		return NULL;
	}
	memcpy(sn->ent, s->heap, s->n * sizeof(*sn->ent));
	sn->n = s->n;
	for (unsigned i = 0; i < s->nifu; i++) {
		sn->ifn[i].ifc = s->ifu[i].ifc;
		snprintf(sn->ifn[i].name, sizeof(sn->ifn[i].name), "%s", s->ifu[i].ifc->name);
	}
	sn->nifn = s->nifu;
	sn->now = now;
	sn->sh = s->sh;
	atomic_fetch_add(&s->sh->snaps, 1);
	return sn;
}

void sip_reg_snap_release(struct sip_reg_snap *sn)
{
	struct sip_reg_shared *sh = sn->sh;
	unsigned want = atomic_load(&sh->want);
	struct sip_reg_ent *ent = sn->ent;
	unsigned cap = sn->cap;

	sn->ent = NULL, sn->cap = 0;
	if (ent && cap < want) { /* the heap grew: a bigger spare, its pages touched here */
		free(ent);
		ent = touched_alloc(want);
		cap = ent ? want : 0;
	}
	spare_offer(sh, ent, cap);
	/* last: once no copy is out, the loop may free sh with the store */
	atomic_fetch_sub(&sh->snaps, 1);
}

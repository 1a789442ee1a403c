/*
 * Replicated SIP state (registrations): every box keeps the table of records
 * (sbc/sip/sip_ha.h) as the active last sent it. The active adds its changes
 * to a batch sent every 200 ms; after a failed send (the peer away) or on
 * becoming active it sends the whole table instead, which replaces the peer's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "sbc/ha_int.h"
#include "sbc/sbcd.h"
#include "sbc/sip/sip_ha.h"

#define NBUCKET 4096

struct hrec {
	struct hrec *next;
	char *key, *rec;
};

struct ha_state {
	struct hrec *b[NBUCKET];
	unsigned n;
	unsigned ncalls; /* of n, the established calls ("D" records) */
	char *batch;
	size_t blen, bcap;
};

static unsigned hash(const char *k)
{
	unsigned h = 2166136261u;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h % NBUCKET;
}

/* Sets (rec) or removes (NULL) key in the table. */
static void table_set(struct ha_state *t, const char *key, const char *rec)
{
	struct hrec **pp = &t->b[hash(key)], *r;

	for (; *pp && strcmp((*pp)->key, key); pp = &(*pp)->next)
		;
	if ((r = *pp) && !rec) {
		*pp = r->next;
		free(r->key);
		free(r->rec);
		free(r);
		t->n--;
		t->ncalls -= key[0] == 'D';
		return;
	}
	if (!rec)
		return;
	if (!r) {
		if (!(r = calloc(1, sizeof(*r))) || !(r->key = strdup(key))) {
			free(r);
			return;
		}
		r->next = t->b[hash(key)];
		t->b[hash(key)] = r;
		t->n++;
		t->ncalls += key[0] == 'D';
	}
	free(r->rec);
	r->rec = strdup(rec);
}

static void table_clear(struct ha_state *t)
{
	for (unsigned i = 0; i < NBUCKET; i++)
		while (t->b[i]) {
			struct hrec *r = t->b[i];
			t->b[i] = r->next;
			free(r->key);
			free(r->rec);
			free(r);
		}
	t->n = 0;
	t->ncalls = 0;
}

static void batch_add(struct ha_state *t, char op, const char *line)
{
	size_t need = strlen(line) + 2;

	if (t->blen + need > t->bcap) {
		size_t cap = t->bcap ? t->bcap * 2 : 65536;
		char *nb;
		while (cap < t->blen + need)
			cap *= 2;
		if (!(nb = realloc(t->batch, cap)))
			return;
		t->batch = nb;
		t->bcap = cap;
	}
	t->batch[t->blen++] = op;
	memcpy(t->batch + t->blen, line, need - 2);
	t->blen += need - 2;
	t->batch[t->blen++] = '\n';
}

/* The engine's sink: runs on the loop thread at every binding change of the active. */
static void sink(void *arg, const char *key, const char *rec)
{
	struct ha *h = arg;

	table_set(h->st, key, rec);
	if (h->role == HA_ACTIVE && h->peer_host[0] && !h->state_full)
		batch_add(h->st, rec ? '+' : '-', rec ? rec : key);
}

int ha_state_init(struct ha *h)
{
	if (!(h->st = calloc(1, sizeof(*h->st))))
		return -1;
	sip_ha_set_sink(sink, h);
	return 0;
}

void ha_state_free(struct ha *h)
{
	sip_ha_set_sink(NULL, NULL);
	if (!h->st)
		return;
	table_clear(h->st);
	free(h->st->batch);
	free(h->st);
	h->st = NULL;
}

unsigned ha_state_count(const struct ha *h)
{
	return h->st ? h->st->n - h->st->ncalls : 0;
}

unsigned ha_state_calls(const struct ha *h)
{
	return h->st ? h->st->ncalls : 0;
}

/* The whole table as "+record" lines (malloc'd). */
static char *table_text(struct ha_state *t, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	if (!f)
		return NULL;
	for (unsigned i = 0; i < NBUCKET; i++)
		for (struct hrec *r = t->b[i]; r; r = r->next)
			fprintf(f, "+%s\n", r->rec);
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

void ha_state_flush(struct ha *h)
{
	struct ha_state *t = h->st;
	char *data;
	size_t len;
	time_t now = time(NULL);

	if (!t || h->role != HA_ACTIVE || !h->peer_host[0] || h->state_inflight)
		return;
	if (h->state_full) {
		if (now < h->state_retry)
			return;
		if (!(data = table_text(t, &len)))
			return;
		t->blen = 0;
	} else {
		if (!t->blen)
			return;
		if (!(data = malloc(t->blen)))
			return;
		memcpy(data, t->batch, t->blen);
		len = t->blen;
		t->blen = 0;
	}
	if (ha_sync_push(h, "STATE", data, len, (unsigned long long)h->state_full) == 0)
		h->state_inflight = 1;
}

void ha_state_pushed(struct ha *h, int ok)
{
	h->state_inflight = 0;
	if (ok) {
		h->state_full = 0;
		return;
	}
	/* the peer missed this batch: it gets the whole table when it answers again */
	h->state_full = 1;
	h->state_retry = time(NULL) + 2;
	if (h->st)
		h->st->blen = 0;
}

void ha_state_received(struct ha *h, int full, char *data, size_t len)
{
	struct ha_state *t = h->st;
	char *save = NULL;
	unsigned n = 0;

	if (!t)
		return;
	if (full)
		table_clear(t);
	data[len] = 0;
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save), n++) {
		if (l[0] == '+') {
			/* the key: the first three fields */
			char key[1024];
			const char *p = l + 1;
			int tabs = 0;
			size_t k = 0;
			while (p[k] && k < sizeof(key) - 1 && (p[k] != '\t' || ++tabs < 3))
				k++;
			memcpy(key, p, k);
			key[k] = 0;
			table_set(t, key, p);
		} else if (l[0] == '-') {
			table_set(t, l + 1, NULL);
		}
	}
	h->state_received = time(NULL);
	if (full)
		log_info("HA: SIP state from the peer: %u registration%s, %u call%s",
			 t->n - t->ncalls, t->n - t->ncalls == 1 ? "" : "s", t->ncalls,
			 t->ncalls == 1 ? "" : "s");
}

void ha_state_apply(struct ha *h)
{
	char *data;
	size_t len;

	if (!h->st || !h->s->sip || !h->st->n)
		return;
	if ((data = table_text(h->st, &len))) {
		/* table_text writes "+record": the engine reads records */
		for (size_t i = 0; i < len; i++)
			if (data[i] == '+' && (i == 0 || data[i - 1] == '\n'))
				data[i] = '\n';
		sip_ha_apply(h->s->sip, data, len);
		free(data);
	}
	h->state_full = 1; /* the peer's table may be older than ours */
	h->state_retry = 0;
}

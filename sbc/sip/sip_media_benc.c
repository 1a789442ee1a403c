/* sip_media_benc: bencode for the ng protocol (see the header). */
#include <stdio.h>
#include <string.h>

#include "sbc/sip/sip_media_benc.h"

#define BENC_MAX_DEPTH 32

void sip_benc_init(struct sip_benc_buf *b, char *mem, size_t cap)
{
	b->p = mem, b->len = 0, b->cap = cap, b->err = 0;
	if (cap)
		mem[0] = 0;
}

void sip_benc_raw(struct sip_benc_buf *b, const char *s, size_t n)
{
	if (b->err || b->len + n + 1 > b->cap) {
		b->err = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

void sip_benc_strn(struct sip_benc_buf *b, const char *s, size_t n)
{
	char hdr[24];

	sip_benc_raw(b, hdr, (size_t)snprintf(hdr, sizeof(hdr), "%zu:", n));
	sip_benc_raw(b, s, n);
}

void sip_benc_str(struct sip_benc_buf *b, const char *s)
{
	sip_benc_strn(b, s, strlen(s));
}

void sip_benc_int(struct sip_benc_buf *b, long long v)
{
	char t[32];

	sip_benc_raw(b, t, (size_t)snprintf(t, sizeof(t), "i%llde", v));
}

void sip_benc_dict(struct sip_benc_buf *b)
{
	sip_benc_raw(b, "d", 1);
}

void sip_benc_list(struct sip_benc_buf *b)
{
	sip_benc_raw(b, "l", 1);
}

void sip_benc_end(struct sip_benc_buf *b)
{
	sip_benc_raw(b, "e", 1);
}

void sip_benc_kv(struct sip_benc_buf *b, const char *key, const char *val)
{
	sip_benc_str(b, key);
	sip_benc_str(b, val);
}

struct rd {
	const char *p;
	size_t n, at;
	struct sip_benc *nodes;
	unsigned max, used;
	char *err;
	size_t errlen;
};

static struct sip_benc *fail(struct rd *r, const char *why)
{
	if (r->err[0] == 0)
		snprintf(r->err, r->errlen, "bencode: %s at byte %zu", why, r->at);
	return NULL;
}

/* Digits up to stop; -1 on a non-digit, an empty or a too long number. */
static int num(struct rd *r, char stop, int sign, long long *out)
{
	int neg = 0, digits = 0;
	unsigned long long v = 0;

	if (sign && r->at < r->n && r->p[r->at] == '-')
		neg = 1, r->at++;
	while (r->at < r->n && r->p[r->at] != stop) {
		char c = r->p[r->at];
		if (c < '0' || c > '9' || digits >= 18)
			return -1;
		v = v * 10 + (unsigned)(c - '0');
		digits++, r->at++;
	}
	if (!digits || r->at >= r->n)
		return -1;
	/* one spelling per number (bencode): no leading zero, no "-0" */
	if ((digits > 1 && r->p[r->at - (size_t)digits] == '0') || (neg && v == 0))
		return -1;
	r->at++; /* stop */
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

static struct sip_benc *value(struct rd *r, int depth)
{
	struct sip_benc *v, **tail;
	long long len;
	char c;

	if (r->at >= r->n)
		return fail(r, "truncated");
	if (r->used >= r->max)
		return fail(r, "too many values");
	if (depth > BENC_MAX_DEPTH)
		return fail(r, "nested too deep");
	v = &r->nodes[r->used++];
	memset(v, 0, sizeof(*v));
	c = r->p[r->at];
	if (c == 'i') {
		r->at++;
		v->type = SIP_BENC_INT;
		if (num(r, 'e', 1, &v->i) < 0)
			return fail(r, "bad integer");
		return v;
	}
	if (c >= '0' && c <= '9') {
		v->type = SIP_BENC_STR;
		if (num(r, ':', 0, &len) < 0)
			return fail(r, "bad string length");
		if ((unsigned long long)len > r->n - r->at)
			return fail(r, "truncated string");
		v->s = r->p + r->at, v->len = (size_t)len;
		r->at += (size_t)len;
		return v;
	}
	if (c != 'l' && c != 'd')
		return fail(r, "unexpected byte");
	v->type = c == 'l' ? SIP_BENC_LIST : SIP_BENC_DICT;
	r->at++;
	tail = &v->kid;
	while (r->at < r->n && r->p[r->at] != 'e') {
		struct sip_benc *k = value(r, depth + 1);
		if (!k)
			return NULL;
		if (v->type == SIP_BENC_DICT && v->len % 2 == 0 && k->type != SIP_BENC_STR)
			return fail(r, "dictionary key not a string");
		*tail = k, tail = &k->next, v->len++;
	}
	if (r->at >= r->n)
		return fail(r, "truncated");
	if (v->type == SIP_BENC_DICT && v->len % 2)
		return fail(r, "dictionary key without a value");
	r->at++;
	return v;
}

int sip_benc_parse(const char *p, size_t n, struct sip_benc *nodes, unsigned max, char *err,
		   size_t errlen)
{
	struct rd r = {p, n, 0, nodes, max, 0, err, errlen};

	err[0] = 0;
	if (!value(&r, 0))
		return -1;
	if (r.at != n) {
		fail(&r, "trailing bytes");
		return -1;
	}
	return 0;
}

const struct sip_benc *sip_benc_get(const struct sip_benc *d, const char *key)
{
	if (!d || d->type != SIP_BENC_DICT)
		return NULL;
	for (const struct sip_benc *k = d->kid; k && k->next; k = k->next->next)
		if (sip_benc_is(k, key))
			return k->next;
	return NULL;
}

int sip_benc_is(const struct sip_benc *v, const char *s)
{
	return v && v->type == SIP_BENC_STR && strlen(s) == v->len && memcmp(v->s, s, v->len) == 0;
}

const char *sip_benc_cstr(const struct sip_benc *v, char *buf, size_t len)
{
	size_t n = v && v->type == SIP_BENC_STR ? v->len : 0;

	if (!len)
		return buf;
	if (n >= len)
		n = len - 1;
	if (n)
		memcpy(buf, v->s, n);
	buf[n] = 0;
	return buf;
}

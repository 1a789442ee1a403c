/*
 * sip_media_benc: the bencode codec of rtpengine's ng control protocol.
 *
 * Writer: appends to a caller's fixed buffer; any overflow sets err and every later
 * call does nothing, so a message is built without checks and checked once at the end.
 * Reader: parses a whole message into a caller's node array, without copying: string
 * nodes point into the input, which must outlive the nodes.
 */
#ifndef SBC_SIP_MEDIA_BENC_H
#define SBC_SIP_MEDIA_BENC_H

#include <stddef.h>

struct sip_benc_buf {
	char *p;
	size_t len, cap;
	int err; /* 1 after an overflow */
};

void sip_benc_init(struct sip_benc_buf *b, char *mem, size_t cap);
void sip_benc_raw(struct sip_benc_buf *b, const char *s, size_t n); /* no framing */
void sip_benc_strn(struct sip_benc_buf *b, const char *s, size_t n);
void sip_benc_str(struct sip_benc_buf *b, const char *s);
void sip_benc_int(struct sip_benc_buf *b, long long v);
void sip_benc_dict(struct sip_benc_buf *b); /* begin; close with sip_benc_end */
void sip_benc_list(struct sip_benc_buf *b);
void sip_benc_end(struct sip_benc_buf *b);
/* key then string value, in a dictionary */
void sip_benc_kv(struct sip_benc_buf *b, const char *key, const char *val);

enum sip_benc_type { SIP_BENC_INT, SIP_BENC_STR, SIP_BENC_LIST, SIP_BENC_DICT };

struct sip_benc {
	enum sip_benc_type type;
	long long i;           /* INT */
	const char *s;         /* STR: not NUL-terminated */
	size_t len;            /* STR: bytes; LIST, DICT: items (a dict counts keys and values) */
	struct sip_benc *kid;  /* LIST, DICT: first item (a dict alternates key, value) */
	struct sip_benc *next; /* next item of the parent */
};

/*
 * Parses exactly one value filling all of p[0..n): the root is nodes[0]. 0, or -1 with
 * err naming the offset and the fault (truncated, bad integer, too deep, too many nodes,
 * trailing bytes, a dictionary key that is not a string).
 */
int sip_benc_parse(const char *p, size_t n, struct sip_benc *nodes, unsigned max, char *err,
		   size_t errlen);
/* Value of key in dict d, or NULL (also when d is not a dictionary). */
const struct sip_benc *sip_benc_get(const struct sip_benc *d, const char *key);
/* 1 when v is a string equal to s. */
int sip_benc_is(const struct sip_benc *v, const char *s);
/* Copies string v into buf (NUL-terminated, truncated); "" when v is not a string. */
const char *sip_benc_cstr(const struct sip_benc *v, char *buf, size_t len);

#endif

/*
 * libFuzzer harness for the bencode reader of the rtpengine ng client (issue 20): the input
 * is a reply datagram's dictionary as rtpengine (or anything on its address) could send it.
 * The input is copied into a block of exactly its length, so any read past it is an ASan
 * report. Properties: a parse that succeeds describes only bytes of the input, every string
 * node lies inside it, dictionaries have an even item count and string keys, and the writer
 * re-encodes the tree to the very input (one spelling per number; the reader keeps the
 * dictionary key order as it is).
 * Run: ./fuzz_benc -max_total_time=30 tests/fuzz/corpus/benc
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sbc/sip/sip_media_benc.h"
#include "tests/fuzz/fuzz_assert.h"

#define NODES 512

static void check(const struct sip_benc *v, const char *in, size_t n, struct sip_benc_buf *out)
{
	unsigned items = 0;

	switch (v->type) {
	case SIP_BENC_INT:
		sip_benc_int(out, v->i);
		return;
	case SIP_BENC_STR:
		fuzz_assert(v->s >= in && v->s + v->len <= in + n, "string node outside the input");
		sip_benc_strn(out, v->s, v->len);
		return;
	case SIP_BENC_LIST:
	case SIP_BENC_DICT:
		sip_benc_raw(out, v->type == SIP_BENC_LIST ? "l" : "d", 1);
		for (const struct sip_benc *k = v->kid; k; k = k->next, items++) {
			if (v->type == SIP_BENC_DICT && items % 2 == 0)
				fuzz_assert(k->type == SIP_BENC_STR, "dictionary key not a string");
			check(k, in, n, out);
		}
		fuzz_assert(items == v->len, "item count %u, len %zu", items, v->len);
		fuzz_assert(v->type != SIP_BENC_DICT || items % 2 == 0, "odd dictionary");
		sip_benc_end(out);
		return;
	}
	fuzz_assert(0, "node of unknown type %d", (int)v->type);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_benc nodes[NODES];
	static char again[1 << 17];
	struct sip_benc_buf out;
	char err[160], *in = malloc(size ? size : 1);

	if (!in)
		return 0;
	memcpy(in, data, size);
	if (sip_benc_parse(in, size, nodes, NODES, err, sizeof(err)) == 0) {
		sip_benc_init(&out, again, sizeof(again));
		check(&nodes[0], in, size, &out);
		/* the reader refuses non-canonical numbers ("i-0e", "i007e", "03:abc") */
		if (!out.err && size < sizeof(again))
			fuzz_assert(out.len == size && memcmp(again, in, size) == 0,
				    "re-encoding differs from the input");
	} else {
		fuzz_assert(err[0], "a refusal without a reason");
	}
	free(in);
	return 0;
}

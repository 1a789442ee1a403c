/* sip_media_benc: the ng protocol's bencode writer and reader. */
#include <stdio.h>
#include <string.h>

#include "sbc/sip/sip_media_benc.h"
#include "tests/unit/unit.h"

static void write_offer(void)
{
	char mem[256];
	struct sip_benc_buf b;

	sip_benc_init(&b, mem, sizeof(mem));
	sip_benc_dict(&b);
	sip_benc_kv(&b, "command", "offer");
	sip_benc_str(&b, "flags");
	sip_benc_list(&b);
	sip_benc_str(&b, "trust-address");
	sip_benc_end(&b);
	sip_benc_str(&b, "n");
	sip_benc_int(&b, -42);
	sip_benc_kv(&b, "sdp", "");
	sip_benc_end(&b);
	CU_ASSERT_FALSE(b.err);
	CU_ASSERT_STRING_EQUAL(mem, "d7:command5:offer5:flagsl13:trust-addresse1:ni-42e3:sdp0:e");
	CU_ASSERT_EQUAL(b.len, strlen(mem));
}

static void write_overflow(void)
{
	char mem[8];
	struct sip_benc_buf b;

	sip_benc_init(&b, mem, sizeof(mem));
	sip_benc_str(&b, "abc"); /* 5 bytes + NUL */
	CU_ASSERT_FALSE(b.err);
	sip_benc_str(&b, "abc");
	CU_ASSERT_TRUE(b.err);
	size_t len = b.len;
	sip_benc_int(&b, 1); /* nothing after an overflow */
	CU_ASSERT_EQUAL(b.len, len);
	CU_ASSERT_TRUE(len < sizeof(mem));
	CU_ASSERT_EQUAL(strncmp(mem, "3:abc", 5), 0);
}

static void read_reply(void)
{
	static const char msg[] =
	    "d6:result2:ok3:sdp12:v=0\r\no=- 1\r\n6:totalsd3:RTPd7:packetsi1234eee"
	    "4:listl1:ai-7eee";
	struct sip_benc n[32];
	char err[120], buf[64];
	const struct sip_benc *v;

	int rc = sip_benc_parse(msg, strlen(msg), n, 32, err, sizeof(err));
	if (rc)
		fprintf(stderr, "%s\n", err);
	CU_ASSERT_EQUAL_FATAL(rc, 0);
	CU_ASSERT_EQUAL(n[0].type, SIP_BENC_DICT);
	CU_ASSERT_TRUE(sip_benc_is(sip_benc_get(&n[0], "result"), "ok"));
	v = sip_benc_get(&n[0], "sdp");
	CU_ASSERT_STRING_EQUAL(sip_benc_cstr(v, buf, sizeof(buf)), "v=0\r\no=- 1\r\n");
	v = sip_benc_get(sip_benc_get(sip_benc_get(&n[0], "totals"), "RTP"), "packets");
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_EQUAL(v->type, SIP_BENC_INT);
	CU_ASSERT_EQUAL(v->i, 1234);
	v = sip_benc_get(&n[0], "list");
	CU_ASSERT_EQUAL_FATAL(v->type, SIP_BENC_LIST);
	CU_ASSERT_EQUAL(v->len, 2);
	CU_ASSERT_TRUE(sip_benc_is(v->kid, "a"));
	CU_ASSERT_EQUAL(v->kid->next->i, -7);
	CU_ASSERT_PTR_NULL(sip_benc_get(&n[0], "missing"));
	CU_ASSERT_PTR_NULL(sip_benc_get(v, "a")); /* not a dictionary */
	/* truncation into a small buffer */
	CU_ASSERT_STRING_EQUAL(sip_benc_cstr(sip_benc_get(&n[0], "result"), buf, 2), "o");
}

static void read_rejects(void)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
	    {"", "truncated"},
	    {"d3:abc", "truncated"},
	    {"i12", "bad integer"},
	    {"ie", "bad integer"},
	    {"i1x2e", "bad integer"},
	    {"5:abc", "truncated string"},
	    {"di1e1:ae", "dictionary key not a string"},
	    {"d1:ae", "dictionary key without a value"},
	    {"1:a1:b", "trailing bytes"},
	    {"x", "unexpected byte"},
	    {"i99999999999999999999e", "bad integer"},
	    {"i007e", "bad integer"},
	    {"i-0e", "bad integer"},
	    {"03:abc", "bad string length"},
	    {"llllllllllllllllllllllllllllllllllllllllee", "nested too deep"},
	};
	struct sip_benc n[64];
	char err[120];

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = sip_benc_parse(bad[i].in, strlen(bad[i].in), n, 64, err, sizeof(err));
		CU_ASSERT_EQUAL(rc, -1);
		if (rc != -1 || !strstr(err, bad[i].why))
			fprintf(stderr, "case '%s': rc %d err '%s' (want '%s')\n", bad[i].in, rc,
				err, bad[i].why);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, bad[i].why));
	}
	/* the node budget is enforced */
	CU_ASSERT_EQUAL(sip_benc_parse("li1ei2ei3ee", 11, n, 3, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "too many values"));
	CU_ASSERT_EQUAL(sip_benc_parse("li1ei2ei3ee", 11, n, 4, err, sizeof(err)), 0);
}

/* Whatever the writer writes, the reader reads back the same. */
static void round_trip(void)
{
	char mem[512], sdp[300], buf[300];
	struct sip_benc_buf b;
	struct sip_benc n[16];
	char err[120];

	for (unsigned i = 0; i < sizeof(sdp) - 1; i++)
		sdp[i] = (char)(1 + (i * 37) % 255); /* every byte but NUL, 'e', ':' included */
	sdp[sizeof(sdp) - 1] = 0;
	sip_benc_init(&b, mem, sizeof(mem));
	sip_benc_dict(&b);
	sip_benc_kv(&b, "sdp", sdp);
	sip_benc_str(&b, "i");
	sip_benc_int(&b, 9007199254740993LL);
	sip_benc_end(&b);
	CU_ASSERT_FALSE_FATAL(b.err);
	CU_ASSERT_EQUAL_FATAL(sip_benc_parse(mem, b.len, n, 16, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(sip_benc_cstr(sip_benc_get(&n[0], "sdp"), buf, sizeof(buf)), sdp);
	CU_ASSERT_EQUAL(sip_benc_get(&n[0], "i")->i, 9007199254740993LL);
}

UNIT_SUITE(sip_media_benc, {"write_offer", write_offer}, {"write_overflow", write_overflow},
	   {"read_reply", read_reply}, {"read_rejects", read_rejects}, {"round_trip", round_trip});

/* sip_ha_dlg: established calls as HA replication records ("D"), and back. */
#include <stdio.h>
#include <string.h>

#include "sbc/sip/sip_ha.h"
#include "tests/unit/unit.h"

static void fill(struct sip_ha_call *hc)
{
	memset(hc, 0, sizeof(*hc));
	hc->leg[0] = (struct sip_ha_leg){"cid-a@10.0.0.2",
					 "sip:bob@sbc.example",
					 "ltag0",
					 "sip:alice@sbc.example",
					 "rtag0",
					 0,
					 101,
					 "sips:alice@10.0.0.2:5061;transport=tls",
					 "",
					 1,
					 3,
					 "10.0.0.2:40000"};
	hc->leg[1] = (struct sip_ha_leg){"cid-b@sbc",
					 "sip:alice@sbc.example",
					 "ltag1",
					 "sip:bob@sbc.example",
					 "rtag1",
					 2,
					 0,
					 "sip:bob@10.0.1.5:5060",
					 "<sip:p1.example;lr>,<sip:p2.example;lr>",
					 2,
					 0,
					 "10.0.1.5:5060"};
	hc->media_callid = "cid-a@10.0.0.2";
	hc->start = 1700000000;
	hc->connected = 1700000003;
}

static void round_trip(void)
{
	struct sip_ha_call hc, back;
	char key[512], rec[4096];

	fill(&hc);
	CU_ASSERT_EQUAL(sip_ha_dialog_format(&hc, key, sizeof(key), rec, sizeof(rec)), 0);
	CU_ASSERT_STRING_EQUAL(key, "D\tcid-a@10.0.0.2\tltag0");
	CU_ASSERT_EQUAL(strncmp(rec, key, strlen(key)), 0);
	CU_ASSERT_EQUAL(sip_ha_dialog_parse(rec, &back), 0);
	for (int i = 0; i < 2; i++) {
		CU_ASSERT_STRING_EQUAL(back.leg[i].callid, hc.leg[i].callid);
		CU_ASSERT_STRING_EQUAL(back.leg[i].local_uri, hc.leg[i].local_uri);
		CU_ASSERT_STRING_EQUAL(back.leg[i].local_tag, hc.leg[i].local_tag);
		CU_ASSERT_STRING_EQUAL(back.leg[i].remote_uri, hc.leg[i].remote_uri);
		CU_ASSERT_STRING_EQUAL(back.leg[i].remote_tag, hc.leg[i].remote_tag);
		CU_ASSERT_EQUAL(back.leg[i].local_cseq, hc.leg[i].local_cseq);
		CU_ASSERT_EQUAL(back.leg[i].remote_cseq, hc.leg[i].remote_cseq);
		CU_ASSERT_STRING_EQUAL(back.leg[i].target, hc.leg[i].target);
		CU_ASSERT_STRING_EQUAL(back.leg[i].route, hc.leg[i].route);
		CU_ASSERT_EQUAL(back.leg[i].ifc, hc.leg[i].ifc);
		CU_ASSERT_EQUAL(back.leg[i].proto, hc.leg[i].proto);
		CU_ASSERT_STRING_EQUAL(back.leg[i].peer, hc.leg[i].peer);
	}
	CU_ASSERT_STRING_EQUAL(back.media_callid, "cid-a@10.0.0.2");
	CU_ASSERT_EQUAL(back.start, 1700000000);
	CU_ASSERT_EQUAL(back.connected, 1700000003);
}

/* A tab or line end inside a field would shift every later field or split the record. */
static void separators_cleaned(void)
{
	struct sip_ha_call hc, back;
	char key[512], rec[4096];

	fill(&hc);
	hc.leg[1].peer = "evil\tpeer\nD\tx";
	CU_ASSERT_EQUAL(sip_ha_dialog_format(&hc, key, sizeof(key), rec, sizeof(rec)), 0);
	CU_ASSERT_PTR_NULL(strchr(rec, '\n'));
	CU_ASSERT_EQUAL(sip_ha_dialog_parse(rec, &back), 0);
	CU_ASSERT_STRING_EQUAL(back.leg[1].peer, "evil peer D x");
	CU_ASSERT_EQUAL(back.connected, 1700000003);
}

static void malformed_refused(void)
{
	struct sip_ha_call hc, back;
	char key[512], rec[4096], small[64], line[] = "D\ta\tb\tc";

	CU_ASSERT_EQUAL(sip_ha_dialog_parse(line, &back), -1);
	fill(&hc);
	hc.leg[0].remote_tag = ""; /* no dialog without both tags */
	CU_ASSERT_EQUAL(sip_ha_dialog_format(&hc, key, sizeof(key), rec, sizeof(rec)), 0);
	CU_ASSERT_EQUAL(sip_ha_dialog_parse(rec, &back), -1);
	fill(&hc);
	CU_ASSERT_EQUAL(sip_ha_dialog_format(&hc, key, sizeof(key), small, sizeof(small)), -1);
}

static char got_key[512], got_rec[4096];
static int got, got_null;

static void sink(void *arg, const char *key, const char *rec)
{
	got++;
	snprintf(got_key, sizeof(got_key), "%s", key);
	got_null = !rec;
	snprintf(got_rec, sizeof(got_rec), "%s", rec ? rec : "");
}

/* Established: the whole record under the call's key; ended: the same key, no record. */
static void sink_up_down(void)
{
	struct sip_ha_call hc;

	fill(&hc);
	sip_ha_set_sink(sink, NULL);
	sip_ha_dialog(&hc, 1);
	CU_ASSERT_EQUAL(got, 1);
	CU_ASSERT_STRING_EQUAL(got_key, "D\tcid-a@10.0.0.2\tltag0");
	CU_ASSERT_FALSE(got_null);
	CU_ASSERT_PTR_NOT_NULL(strstr(got_rec, "\tsips:alice@10.0.0.2:5061;transport=tls\t"));
	sip_ha_dialog(&hc, 0);
	CU_ASSERT_EQUAL(got, 2);
	CU_ASSERT_STRING_EQUAL(got_key, "D\tcid-a@10.0.0.2\tltag0");
	CU_ASSERT_TRUE(got_null);
	sip_ha_set_sink(NULL, NULL);
	sip_ha_dialog(&hc, 1);
	CU_ASSERT_EQUAL(got, 2);
}

UNIT_SUITE(sip_ha_dlg, {"round_trip", round_trip}, {"separators_cleaned", separators_cleaned},
	   {"malformed_refused", malformed_refused}, {"sink_up_down", sink_up_down});

/* Established calls as replication records, and back (sbc/sip/sip_ha.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbc/sip/sip_ha.h"

/* Copies v into out without tab or line end (they separate fields and records). */
static const char *clean(char *out, size_t len, const char *v)
{
	snprintf(out, len, "%s", v ? v : "");
	for (char *c = out; *c; c++)
		if (*c == '\t' || *c == '\n' || *c == '\r')
			*c = ' ';
	return out;
}

/* Appends "\t<v>" at *at; -1 when it does not fit. */
static int put(char *rec, size_t rlen, size_t *at, const char *v)
{
	char tmp[1024];
	int n = snprintf(rec + *at, rlen - *at, "\t%s", clean(tmp, sizeof(tmp), v));

	if (n < 0 || (size_t)n >= rlen - *at)
		return -1;
	*at += (size_t)n;
	return 0;
}

static int put_num(char *rec, size_t rlen, size_t *at, long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%lld", v);
	return put(rec, rlen, at, tmp);
}

int sip_ha_dialog_format(const struct sip_ha_call *hc, char *key, size_t klen, char *rec,
			 size_t rlen)
{
	char a[512], b[256];
	size_t at;
	int n, bad = 0;

	n = snprintf(key, klen, "D\t%s\t%s", clean(a, sizeof(a), hc->leg[0].callid),
		     clean(b, sizeof(b), hc->leg[0].local_tag));
	if (n < 0 || (size_t)n >= klen || (size_t)n >= rlen)
		return -1;
	memcpy(rec, key, (size_t)n + 1); /* the key leads: the sync channel keys by 3 fields */
	at = (size_t)n;
	for (int i = 0; i < 2; i++) {
		const struct sip_ha_leg *l = &hc->leg[i];

		bad |= put(rec, rlen, &at, l->callid) | put(rec, rlen, &at, l->local_uri) |
		       put(rec, rlen, &at, l->local_tag) | put(rec, rlen, &at, l->remote_uri) |
		       put(rec, rlen, &at, l->remote_tag) |
		       put_num(rec, rlen, &at, (long long)l->local_cseq) |
		       put_num(rec, rlen, &at, (long long)l->remote_cseq) |
		       put(rec, rlen, &at, l->target) | put(rec, rlen, &at, l->route) |
		       put_num(rec, rlen, &at, l->ifc) | put_num(rec, rlen, &at, l->proto) |
		       put(rec, rlen, &at, l->peer);
	}
	bad |= put(rec, rlen, &at, hc->media_callid) | put_num(rec, rlen, &at, hc->start) |
	       put_num(rec, rlen, &at, hc->connected);
	return bad ? -1 : 0;
}

void sip_ha_dialog(const struct sip_ha_call *hc, int up)
{
	char key[800], rec[8192];

	if (sip_ha_dialog_format(hc, key, sizeof(key), rec, sizeof(rec)) < 0)
		return; /* too long to replicate: the call is kept on this box only */
	sip_ha_put(key, up ? rec : NULL);
}

int sip_ha_dialog_parse(char *line, struct sip_ha_call *hc)
{
	char *f[SIP_HA_CALL_FIELDS + 1];
	int n = 0;

	f[n++] = line;
	for (char *c = line; *c && n <= SIP_HA_CALL_FIELDS; c++)
		if (*c == '\t') {
			*c = 0;
			f[n++] = c + 1;
		}
	if (n != SIP_HA_CALL_FIELDS || strcmp(f[0], "D"))
		return -1;
	memset(hc, 0, sizeof(*hc));
	for (int i = 0; i < 2; i++) {
		char **g = f + 3 + i * SIP_HA_LEG_FIELDS;
		struct sip_ha_leg *l = &hc->leg[i];

		l->callid = g[0];
		l->local_uri = g[1];
		l->local_tag = g[2];
		l->remote_uri = g[3];
		l->remote_tag = g[4];
		l->local_cseq = strtoul(g[5], NULL, 10);
		l->remote_cseq = strtoul(g[6], NULL, 10);
		l->target = g[7];
		l->route = g[8];
		l->ifc = (unsigned)strtoul(g[9], NULL, 10);
		l->proto = atoi(g[10]);
		l->peer = g[11];
		if (!l->callid[0] || !l->local_tag[0] || !l->remote_tag[0])
			return -1;
	}
	hc->media_callid = f[3 + 2 * SIP_HA_LEG_FIELDS];
	hc->start = strtoll(f[4 + 2 * SIP_HA_LEG_FIELDS], NULL, 10);
	hc->connected = strtoll(f[5 + 2 * SIP_HA_LEG_FIELDS], NULL, 10);
	return 0;
}

/* Registrations as replication records, and back (sbc/sip/sip_ha.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sbc/sip/sip_ha.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_reg_store.h"

static sip_ha_sink_fn *sink;
static void *sink_arg;

void sip_ha_set_sink(sip_ha_sink_fn *fn, void *arg)
{
	sink = fn;
	sink_arg = arg;
}

void sip_ha_put(const char *key, const char *record)
{
	if (sink)
		sink(sink_arg, key, record);
}

/* Fields hold no tab or line end (they separate fields and records). */
static void field(char *out, size_t len, const char *v)
{
	snprintf(out, len, "%s", v ? v : "");
	for (char *c = out; *c; c++)
		if (*c == '\t' || *c == '\n' || *c == '\r')
			*c = ' ';
}

static time_t mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void sip_ha_binding(struct sip_engine *e, const struct sip_binding *b, int up)
{
	char user[128], contact[512], aor[256], peer[64], subj[512], iss[512], auth[64], check[256],
	    key[700], rec[3200];

	(void)e;
	if (!sink)
		return;
	field(user, sizeof(user), b->user);
	field(contact, sizeof(contact), b->contact);
	snprintf(key, sizeof(key), "B\t%s\t%s", user, contact);
	if (!up) {
		sink(sink_arg, key, NULL);
		return;
	}
	field(aor, sizeof(aor), b->aor);
	field(peer, sizeof(peer), b->peer);
	field(subj, sizeof(subj), b->subject);
	field(iss, sizeof(iss), b->issuer);
	field(auth, sizeof(auth), b->auth);
	field(check, sizeof(check), b->check);
	snprintf(rec, sizeof(rec), "%s\t%s\t%u\t%d\t%s\t%s\t%s\t%s\t%s\t%lld", key, aor,
		 b->ifc ? b->ifc->index : 0, (int)b->proto, peer, subj, iss, auth, check,
		 (long long)(time(NULL) + (b->expires - mono_now())));
	sink(sink_arg, key, rec);
}

static struct sip_iface *iface_by_index(struct sip_engine *e, unsigned idx)
{
	for (unsigned i = 0; i < e->nifs; i++)
		if (e->ifs[i].index == idx)
			return &e->ifs[i];
	return NULL;
}

/* Splits line at tabs in place, empty fields kept; returns the field count. */
static int split(char *line, char **f, int max)
{
	int n = 0;

	f[n++] = line;
	for (char *c = line; *c && n < max; c++)
		if (*c == '\t') {
			*c = 0;
			f[n++] = c + 1;
		}
	return n;
}

/* One B record into the registrar; 0 applied, -1 skipped (malformed, expired, no interface). */
static int apply_binding(struct sip_engine *e, char *line, time_t now)
{
	char *f[13];
	struct sip_reg_new nb;
	long long exp;
	int proto;

	if (split(line, f, 13) != 12 || strcmp(f[0], "B"))
		return -1;
	exp = strtoll(f[11], NULL, 10);
	proto = atoi(f[5]);
	memset(&nb, 0, sizeof(nb));
	if (exp <= now || proto < 0 || proto >= SIP_PROTO_N ||
	    !(nb.ifc = iface_by_index(e, (unsigned)strtoul(f[4], NULL, 10))))
		return -1;
	nb.user = f[1];
	nb.contact = f[2];
	nb.aor = f[3];
	nb.proto = (enum sip_proto)proto;
	nb.peer = f[6];
	nb.subject = f[7];
	nb.issuer = f[8];
	nb.auth = f[9];
	nb.check = f[10];
	return sip_registrar_apply(e->reg, &nb, (unsigned long)(exp - now));
}

unsigned sip_ha_apply(struct sip_engine *e, const char *records, size_t len)
{
	char *copy = malloc(len + 1), *save = NULL;
	time_t now = time(NULL);
	unsigned n = 0, calls = 0;
	struct sip_ha_call hc;

	if (!copy || !e || !e->reg) {
		free(copy);
		return 0;
	}
	memcpy(copy, records, len);
	copy[len] = 0;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		if (l[0] == 'B' && apply_binding(e, l, now) == 0)
			n++;
		else if (l[0] == 'D' && sip_ha_dialog_parse(l, &hc) == 0 && e->b2b &&
			 sip_b2bua_restore(e->b2b, &hc) == 0)
			calls++;
	free(copy);
	if (calls)
		sip_engine_event(
		    e, LOG_INFO,
		    "sip: %u established call%s replicated from the HA peer recreated; "
		    "their in-dialog requests (BYE, re-INVITE) are routed",
		    calls, calls == 1 ? "" : "s");
	if (n)
		sip_engine_event(e, LOG_INFO,
				 "sip: %u registration%s replicated from the HA peer applied; each "
				 "waits for its user to register again over a new connection",
				 n, n == 1 ? "" : "s");
	return n;
}

/*
 * sip_reg_status: the Registrations status table without stalling SIP.
 *
 * Making 100,000 rows of a conf store (a row and eight strings each) takes
 * hundreds of milliseconds; even copying each binding's text reads 100,000
 * scattered allocations (tens of milliseconds). The loop only copies the
 * expiry heap (sip_reg_snap_take: 24 bytes per binding, one array); the rows
 * are made here from that copy on the caller's thread (a control worker),
 * newest binding first (row 0 is the last registration or refresh).
 */
#include <stdlib.h>
#include <string.h>

#include "conf/store.h"
#include "sbc/sip/sip_reg_store.h"

/* Newest (last registered or refreshed) first, as the table always showed them. */
static int newest_first(const void *a, const void *b)
{
	unsigned long long x = ((const struct sip_reg_ent *)a)->seq;
	unsigned long long y = ((const struct sip_reg_ent *)b)->seq;

	return x < y ? 1 : x > y ? -1 : 0;
}

static const char *ifc_name(const struct sip_reg_snap *sn, const struct sip_iface *ifc)
{
	for (unsigned i = 0; i < sn->nifn; i++)
		if (sn->ifn[i].ifc == ifc)
			return sn->ifn[i].name;
	return "";
}

void sip_reg_snap_fill(struct sip_reg_snap *sn, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_registrations;
	unsigned n = 0;
	char ebuf[128];

	if (!sn)
		return;
	if (!conf_store_rows(st, t))
		goto out;
	conf_store_clear(st, t);
	for (unsigned i = 0; i < sn->n; i++) /* the live ones, in place */
		if (sn->ent[i].expires > sn->now)
			sn->ent[n++] = sn->ent[i];
	qsort(sn->ent, n, sizeof(*sn->ent), newest_first);
	for (unsigned i = 0; i < n && i < t->max_rows; i++) {
		const struct sip_binding *b = sn->ent[i].b;
		struct conf_row *row = conf_store_ensure(st, t, i, NULL);
		const struct {
			int col;
			const char *v;
		} text[] = {
		    {REGISTRATION_AOR, b->aor},
		    {REGISTRATION_CONTACT, b->contact},
		    {REGISTRATION_INTERFACE_NAME, ifc_name(sn, b->ifc)},
		    {REGISTRATION_TRANSPORT, sip_proto_name(b->proto)},
		    {REGISTRATION_PEER_ADDRESS, b->peer},
		    {REGISTRATION_CERTIFICATE_SUBJECT, b->subject},
		    {REGISTRATION_AUTHENTICATION, b->auth},
		    {REGISTRATION_IDENTITY_CHECK, b->check},
		};
		if (!row)
			break;
		for (unsigned k = 0; k < sizeof(text) / sizeof(text[0]); k++)
			conf_row_set_text(t, row, text[k].col, text[k].v, ebuf, sizeof(ebuf));
		row->v[REGISTRATION_EXPIRES].i = (long long)(sn->ent[i].expires - sn->now);
	}
out:
	sip_reg_snap_free(sn);
}

unsigned sip_reg_snap_count(const struct sip_reg_snap *sn)
{
	unsigned n = 0;

	for (unsigned i = 0; sn && i < sn->n; i++)
		n += sn->ent[i].expires > sn->now;
	return n;
}

void sip_reg_snap_free(struct sip_reg_snap *sn)
{
	if (!sn)
		return;
	sip_reg_snap_release(sn); /* keeps sn->ent for the next copy */
	free(sn->ifn);
	free(sn);
}

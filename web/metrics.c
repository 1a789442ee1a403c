/*
 * GET /metrics: the device's counters and gauges in the Prometheus text
 * exposition format (version 0.0.4, what `promtool check metrics` checks),
 * for a user of monitor level or above (HTTP Basic or a session). Every value
 * comes from sbcd's status tables, so it matches what the CLI, SNMP and the
 * Status page show: TLSStatus, SIPIdentityStatus, Calls, Alarms and
 * TLSCertificates; plus the web server's own HTTPS counters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "conf/store.h"
#include "web/web.h"

/* A label value: backslash, double quote and newline escaped (the format's rule). */
static void label(struct evbuffer *b, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			evbuffer_add_printf(b, "\\%c", *v);
		else if (*v == '\n')
			evbuffer_add(b, "\\n", 2);
		else
			evbuffer_add(b, v, 1);
	}
}

static void head(struct evbuffer *b, const char *name, const char *type, const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{interface="x"} value */
static void by_iface(struct evbuffer *b, const char *name, const char *iface, long long v)
{
	evbuffer_add_printf(b, "%s{interface=\"", name);
	label(b, iface);
	evbuffer_add_printf(b, "\"} %lld\n", v);
}

static const struct conf_rows *rows(struct conf_store *st, const struct conf_table *t)
{
	return st ? conf_store_rows(st, t) : NULL;
}

static void tls_metrics(struct evbuffer *b, struct conf_store *st)
{
	static const struct {
		int col;
		const char *reason;
	} rej[] = {
	    {TLSSTATUS_REJECTED_NO_CERTIFICATE, "no_certificate"},
	    {TLSSTATUS_REJECTED_UNKNOWN_CA, "unknown_ca"},
	    {TLSSTATUS_REJECTED_EXPIRED, "expired"},
	    {TLSSTATUS_REJECTED_REVOKED, "revoked"},
	    {TLSSTATUS_REJECTED_BAD_PURPOSE, "bad_purpose"},
	    {TLSSTATUS_REJECTED_SUBJECT_MISMATCH, "subject_mismatch"},
	    {TLSSTATUS_REJECTED_PROTOCOL, "protocol"},
	    {TLSSTATUS_REJECTED_TIMEOUT, "timeout"},
	    {TLSSTATUS_REJECTED_CONNECTION_LIMIT, "connection_limit"},
	    {TLSSTATUS_REJECTED_REVOKED_OCSP, "revoked_ocsp"},
	    {TLSSTATUS_REJECTED_OCSP_UNAVAILABLE, "ocsp_unavailable"},
	};
	const struct conf_rows *rs = rows(st, &conf_tbl_tlsstatus);
	unsigned n = rs ? rs->n : 0;

	head(b, "sbc_tls_handshakes_accepted_total", "counter",
	     "TLS handshakes accepted on a SIP interface (TLSStatus HandshakesAccepted)");
	for (unsigned i = 0; i < n; i++)
		by_iface(b, "sbc_tls_handshakes_accepted_total",
			 rs->row[i]->v[TLSSTATUS_INTERFACE_NAME].s,
			 rs->row[i]->v[TLSSTATUS_HANDSHAKES_ACCEPTED].i);
	head(b, "sbc_tls_handshakes_refused_total", "counter",
	     "TLS handshakes refused on a SIP interface, by reason (TLSStatus Rejected*)");
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = 0; k < sizeof(rej) / sizeof(rej[0]); k++) {
			evbuffer_add_printf(b, "sbc_tls_handshakes_refused_total{interface=\"");
			label(b, rs->row[i]->v[TLSSTATUS_INTERFACE_NAME].s);
			evbuffer_add_printf(b, "\",reason=\"%s\"} %lld\n", rej[k].reason,
					    rs->row[i]->v[rej[k].col].i);
		}
	head(b, "sbc_tls_connections", "gauge", "TLS connections open on a SIP interface");
	for (unsigned i = 0; i < n; i++)
		by_iface(b, "sbc_tls_connections", rs->row[i]->v[TLSSTATUS_INTERFACE_NAME].s,
			 rs->row[i]->v[TLSSTATUS_ACTIVE_CONNECTIONS].i);
	head(b, "sbc_tcp_connections", "gauge", "Plain TCP connections open on a SIP interface");
	for (unsigned i = 0; i < n; i++)
		by_iface(b, "sbc_tcp_connections", rs->row[i]->v[TLSSTATUS_INTERFACE_NAME].s,
			 rs->row[i]->v[TLSSTATUS_TCP_ACTIVE_CONNECTIONS].i);
	head(b, "sbc_interface_up", "gauge",
	     "1 when every configured port of the SIP interface listens (TLSStatus State up)");
	for (unsigned i = 0; i < n; i++)
		by_iface(b, "sbc_interface_up", rs->row[i]->v[TLSSTATUS_INTERFACE_NAME].s,
			 rs->row[i]->v[TLSSTATUS_STATE].i == 1);
}

static void sip_metrics(struct evbuffer *b, struct conf_store *ids, struct conf_store *calls)
{
	const struct conf_rows *rs = rows(ids, &conf_tbl_sipidstatus);
	const struct conf_rows *cs = rows(calls, &conf_tbl_calls);
	unsigned n = rs ? rs->n : 0;

	head(b, "sbc_registered_users", "gauge", "Users with a live registration on the interface");
	for (unsigned i = 0; i < n; i++)
		by_iface(b, "sbc_registered_users", rs->row[i]->v[SIPIDSTATUS_INTERFACE_NAME].s,
			 rs->row[i]->v[SIPIDSTATUS_REGISTERED_USERS].i);
	head(b, "sbc_call_attempts_total", "counter",
	     "Initial INVITEs received on the interface (SIPIdentityStatus CallAttempts)");
	for (unsigned i = 0; i < n; i++)
		by_iface(b, "sbc_call_attempts_total", rs->row[i]->v[SIPIDSTATUS_INTERFACE_NAME].s,
			 rs->row[i]->v[SIPIDSTATUS_CALL_ATTEMPTS].i);
	head(b, "sbc_calls", "gauge", "Calls in progress whose caller came in on the interface");
	for (unsigned i = 0; i < n; i++) {
		const char *name = rs->row[i]->v[SIPIDSTATUS_INTERFACE_NAME].s;
		long long k = 0;
		for (unsigned j = 0; cs && j < cs->n; j++)
			k += !strcmp(cs->row[j]->v[CALLS_CALLER_INTERFACE].s, name);
		by_iface(b, "sbc_calls", name, k);
	}
}

static void alarm_metrics(struct evbuffer *b, struct conf_store *al, struct conf_store *certs)
{
	const struct conf_table *t = &conf_tbl_alarms;
	const struct conf_rows *rs = rows(al, t);
	const struct conf_rows *cs = rows(certs, &conf_tbl_tlscertificates);

	head(b, "sbc_alarms", "gauge", "Active alarms");
	evbuffer_add_printf(b, "sbc_alarms %u\n", rs ? rs->n : 0);
	head(b, "sbc_alarm_active", "gauge",
	     "1 for each active alarm, by name, source and severity");
	for (unsigned i = 0; rs && i < rs->n; i++) {
		const char *sev =
		    conf_enum_name(&t->cols[ALARMS_SEVERITY], rs->row[i]->v[ALARMS_SEVERITY].i);
		evbuffer_add_printf(b, "sbc_alarm_active{name=\"");
		label(b, rs->row[i]->v[ALARMS_NAME].s);
		evbuffer_add_printf(b, "\",source=\"");
		label(b, rs->row[i]->v[ALARMS_SOURCE].s);
		evbuffer_add_printf(b, "\",severity=\"");
		label(b, sev ? sev : "?");
		evbuffer_add_printf(b, "\"} 1\n");
	}
	head(b, "sbc_certificate_validity_remaining_seconds", "gauge",
	     "Time until a device certificate of a TLS context expires, in whole days "
	     "(TLSCertificates DaysLeft x 86400)");
	for (unsigned i = 0; cs && i < cs->n; i++) {
		evbuffer_add_printf(b, "sbc_certificate_validity_remaining_seconds{context=\"");
		label(b, cs->row[i]->v[TLSCERT_CONTEXT_NAME].s);
		evbuffer_add_printf(b, "\",serial=\"");
		label(b, cs->row[i]->v[TLSCERT_SERIAL_NUMBER].s);
		evbuffer_add_printf(b, "\"} %lld\n", cs->row[i]->v[TLSCERT_DAYS_LEFT].i * 86400);
	}
}

static void web_metrics(struct evbuffer *b, const struct web_counters *c)
{
	head(b, "sbc_web_https_handshakes_total", "counter",
	     "HTTPS handshakes the web interface completed");
	evbuffer_add_printf(b, "sbc_web_https_handshakes_total %lu\n", c->tls_ok);
	head(b, "sbc_web_https_refused_total", "counter",
	     "HTTPS handshakes the web interface refused, by reason");
	evbuffer_add_printf(b,
			    "sbc_web_https_refused_total{reason=\"no_certificate\"} %lu\n"
			    "sbc_web_https_refused_total{reason=\"certificate_not_verified\"} %lu\n"
			    "sbc_web_https_refused_total{reason=\"other\"} %lu\n",
			    c->refused_nocert, c->refused_verify, c->refused_other);
	head(b, "sbc_web_logins_failed_total", "counter", "Failed web and API logins");
	evbuffer_add_printf(b, "sbc_web_logins_failed_total %lu\n", c->logins_failed);
}

void web_page_metrics(struct web_req *r)
{
	const struct conf_table *want[] = {&conf_tbl_tlsstatus, &conf_tbl_sipidstatus,
					   &conf_tbl_calls, &conf_tbl_alarms,
					   &conf_tbl_tlscertificates};
	struct conf_store *st[5] = {0};
	char err[256];
	int up = 1;

	for (unsigned i = 0; i < 5; i++)
		if (!(st[i] = web_sbc_store(r, 1, want[i], err, sizeof(err)))) {
			web_log(LOG_WARNING, "metrics: %s", err);
			up = 0;
			break;
		}
	head(r->out, "sbc_up", "gauge", "1 when sbcd answered the status requests of this scrape");
	evbuffer_add_printf(r->out, "sbc_up %d\n", up);
	if (up) {
		tls_metrics(r->out, st[0]);
		sip_metrics(r->out, st[1], st[2]);
		alarm_metrics(r->out, st[3], st[4]);
	}
	web_metrics(r->out, &r->w->cnt);
	for (unsigned i = 0; i < 5; i++)
		conf_store_free(st[i]);
	web_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", NULL);
}

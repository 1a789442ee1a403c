/*
 * Notifications. sbcd pushes nothing to front ends, so the agent polls:
 *  - INFO: a new start time means sbcd (re)started -> sbcDeviceStarted;
 *    a larger "saves" counter -> sbcConfigurationSaved;
 *  - STATUS, when the schema has the tables the rules below name:
 *    counters of refused TLS clients -> sbcTLSClientRejected (rate-limited
 *    per row), and rows of an alarm table -> alarm notifications with the
 *    vendor's severity ladder, cleared when the row goes away.
 * Notifications raised while the master is away wait in a small queue.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ini/ini.h"
#include "snmp-agent/agent.h"

extern netsnmp_session *main_session; /* the AgentX session, NULL while disconnected */

/* Status tables with counters of refused TLS clients: every column starting with prefix. */
static const struct counter_rule {
	const char *table, *prefix, *name_col;
} counter_rules[] = {{"TLSStatus", "Rejected", "InterfaceName"}};

/*
 * The alarm table convention (doc/SNMP.md): a status table "Alarms" whose rows
 * are the active alarms, with columns Name, Source, Severity and Text (sbc/alarms.c).
 */
static const struct alarm_type {
	const char *type;
	enum agent_notif raise, clear;
} alarm_types[] = {
    {"CertificateExpiry", AGENT_N_CERT_EXPIRY, AGENT_N_CERT_EXPIRY},
    {"ProxyAddressDown", AGENT_N_PROXY_DOWN, AGENT_N_PROXY_UP},
    {"HARoleChange", AGENT_N_HA_ROLE, 0}, /* one row per role: a new one each change */
};
#define ALARM_TABLE "Alarms"

#define QUEUE_MAX  64
#define TEXT_MAX   256
#define MAX_ALARMS 256
#define MAX_ROWS   256

struct note {
	enum agent_notif n;
	char source[TEXT_MAX], text[TEXT_MAX];
	int severity;
	unsigned long count, saves;
	char version[64];
};

struct alarm {
	char type[48], source[TEXT_MAX];
	int severity;
};

static struct note queue[QUEUE_MAX];
static unsigned nqueue;
static unsigned long sequence;
static unsigned rate_s = 60;
static time_t last_start;
static unsigned long last_saves;
static struct agent_model info;
static struct alarm alarms[MAX_ALARMS];
static unsigned nalarms;
static struct {
	unsigned long long seen, unsent;
	time_t sent;
	int valid;
} counters[MAX_ROWS];

static void add_var(netsnmp_variable_list **vars, const unsigned *sub, size_t n, u_char type,
		    const void *val, size_t len)
{
	oid name[AGENT_OID_MAX];
	size_t l = agent_oid_under(name, sub, n);

	snmp_varlist_add_variable(vars, name, l, type, val, len);
}

static void add_text(netsnmp_variable_list **vars, unsigned obj, const char *s)
{
	unsigned sub[] = {AGENT_B_NOBJ, obj, 0};

	add_var(vars, sub, 3, ASN_OCTET_STR, s, strlen(s));
}

static void add_num(netsnmp_variable_list **vars, unsigned obj, u_char type, long v)
{
	unsigned sub[] = {AGENT_B_NOBJ, obj, 0};

	add_var(vars, sub, 3, type, &v, sizeof(v));
}

static void send_now(const struct note *x)
{
	static const oid trap_oid[] = {1, 3, 6, 1, 6, 3, 1, 1, 4, 1, 0};
	netsnmp_variable_list *vars = NULL;
	oid id[AGENT_OID_MAX];
	unsigned sub[] = {AGENT_B_NOTIFS, x->n};
	size_t l = agent_oid_under(id, sub, 2);
	long seq = (long)(++sequence & 0xffffffffu);

	snmp_varlist_add_variable(&vars, trap_oid, sizeof(trap_oid) / sizeof(trap_oid[0]),
				  ASN_OBJECT_ID, id, l * sizeof(oid));
	if (x->n == AGENT_N_STARTED) {
		unsigned dsub[] = {AGENT_B_DEVICE, AGENT_DEV_VERSION, 0};
		add_var(&vars, dsub, 3, ASN_OCTET_STR, x->version, strlen(x->version));
	} else if (x->n == AGENT_N_SAVED) {
		unsigned dsub[] = {AGENT_B_DEVICE, AGENT_DEV_SAVES, 0};
		long saves = (long)x->saves;
		add_var(&vars, dsub, 3, ASN_UNSIGNED, &saves, sizeof(saves));
	}
	add_text(&vars, AGENT_NO_SOURCE, x->source);
	add_text(&vars, AGENT_NO_TEXT, x->text);
	if (x->n == AGENT_N_TLS_REJECTED)
		add_num(&vars, AGENT_NO_COUNT, ASN_UNSIGNED, (long)x->count);
	else if (x->n != AGENT_N_STARTED && x->n != AGENT_N_SAVED)
		add_num(&vars, AGENT_NO_SEVERITY, ASN_INTEGER, x->severity);
	add_num(&vars, AGENT_NO_SEQUENCE, ASN_UNSIGNED, seq);
	send_v2trap(vars);
	snmp_free_varbind(vars);
	snmp_log(LOG_INFO, "notification %d sent: %s: %s\n", x->n, x->source, x->text);
}

static void flush(void)
{
	if (!main_session)
		return;
	for (unsigned i = 0; i < nqueue; i++)
		send_now(&queue[i]);
	nqueue = 0;
}

void agent_notify_send(enum agent_notif n, const char *source, const char *text, int severity,
		       unsigned long count)
{
	struct note x = {.n = n, .severity = severity, .count = count, .saves = info.saves};

	snprintf(x.source, sizeof(x.source), "%s", source);
	snprintf(x.text, sizeof(x.text), "%s", text);
	snprintf(x.version, sizeof(x.version), "%s", info.version);
	if (main_session && !nqueue) {
		send_now(&x);
		return;
	}
	if (nqueue == QUEUE_MAX) {
		memmove(queue, queue + 1, (QUEUE_MAX - 1) * sizeof(queue[0]));
		nqueue--;
	}
	queue[nqueue++] = x;
	flush();
}

static void poll_info(void)
{
	struct agent_model now = {0};
	char *reply = NULL, text[TEXT_MAX];
	size_t rlen;
	time_t start;

	if (agent_ctl_call("INFO", NULL, 0, &reply, &rlen) != 0) {
		free(reply);
		return;
	}
	agent_info_parse(reply, &now);
	free(reply);
	start = time(NULL) - now.uptime;
	info.saves = now.saves;
	snprintf(info.version, sizeof(info.version), "%s", now.version);
	/* first sight counts as a start when sbcd is young: it starts us at boot */
	if ((last_start && labs((long)(start - last_start)) > 2) ||
	    (!last_start && now.uptime <= 300)) {
		snprintf(text, sizeof(text), "sbcd %s started", now.version);
		agent_notify_send(AGENT_N_STARTED, "sbcd", text, 0, 0);
		last_saves = 0;
		memset(counters, 0, sizeof(counters));
	} else if (now.saves > last_saves && last_start) {
		snprintf(text, sizeof(text), "configuration saved to flash (%lu since start)",
			 now.saves);
		agent_notify_send(AGENT_N_SAVED, "flash", text, 0, 0);
	}
	if (!last_start || labs((long)(start - last_start)) > 2)
		last_start = start;
	last_saves = now.saves;
}

static unsigned long long row_counter(const struct conf_table *t, const struct conf_row *r,
				      const char *prefix)
{
	unsigned long long sum = 0;
	size_t pl = strlen(prefix);

	for (unsigned c = 0; c < t->ncols; c++)
		if (!strncasecmp(t->cols[c].name, prefix, pl) &&
		    !conf_type_is_text(t->cols[c].type))
			sum += (unsigned long long)r->v[c].i;
	return sum;
}

static void poll_counters(const struct conf_store *st)
{
	time_t now = time(NULL);

	for (unsigned k = 0; k < sizeof(counter_rules) / sizeof(counter_rules[0]); k++) {
		const struct counter_rule *cr = &counter_rules[k];
		const struct conf_table *t = conf_table_find(cr->table);
		const struct conf_rows *rs;
		int nc;
		if (!t)
			continue;
		rs = conf_store_rows(st, t);
		nc = conf_column_find(t, cr->name_col);
		for (unsigned j = 0; j < rs->n && rs->row[j]->index < MAX_ROWS; j++) {
			unsigned i = rs->row[j]->index;
			unsigned long long v = row_counter(t, rs->row[j], cr->prefix);
			char src[TEXT_MAX], text[TEXT_MAX];
			if (counters[i].valid && v > counters[i].seen)
				counters[i].unsent += v - counters[i].seen;
			counters[i].seen = v;
			counters[i].valid = 1;
			if (!counters[i].unsent || now - counters[i].sent < (time_t)rate_s)
				continue;
			snprintf(src, sizeof(src), "%s %u%s%s", t->name, i, nc >= 0 ? " " : "",
				 nc >= 0 ? rs->row[j]->v[nc].s : "");
			snprintf(text, sizeof(text), "%llu TLS client%s refused",
				 counters[i].unsent, counters[i].unsent == 1 ? "" : "s");
			agent_notify_send(AGENT_N_TLS_REJECTED, src, text, 0,
					  (unsigned long)counters[i].unsent);
			counters[i].unsent = 0;
			counters[i].sent = now;
		}
	}
}

static int severity_of(const struct conf_column *c, const union conf_val *v)
{
	static const char *const names[] = {"",      "cleared", "indeterminate", "warning",
					    "minor", "major",   "critical"};
	char buf[64];
	const char *s = conf_value_format(c, v, buf, sizeof(buf));

	if (c->type == CONF_T_ENUM && conf_enum_name(c, v->i))
		s = conf_enum_name(c, v->i);
	for (int i = 1; i <= AGENT_SEV_CRITICAL; i++)
		if (!strcasecmp(s, names[i]))
			return i;
	return atoi(s) >= AGENT_SEV_CLEARED && atoi(s) <= AGENT_SEV_CRITICAL
		   ? atoi(s)
		   : AGENT_SEV_INDETERMINATE;
}

static const struct alarm_type *alarm_type_find(const char *type)
{
	for (unsigned i = 0; i < sizeof(alarm_types) / sizeof(alarm_types[0]); i++)
		if (!strcasecmp(alarm_types[i].type, type))
			return &alarm_types[i];
	return NULL;
}

static void poll_alarms(const struct conf_store *st)
{
	const struct conf_table *t = conf_table_find(ALARM_TABLE);
	struct alarm now[MAX_ALARMS];
	unsigned n = 0;
	int ct, cs, cv, cx;

	if (!t || (ct = conf_column_find(t, "Name")) < 0 ||
	    (cs = conf_column_find(t, "Source")) < 0 || (cv = conf_column_find(t, "Severity")) < 0)
		return;
	cx = conf_column_find(t, "Text");
	const struct conf_rows *rs = conf_store_rows(st, t);
	for (unsigned j = 0; j < rs->n && n < MAX_ALARMS; j++) {
		const struct conf_row *r = rs->row[j];
		const struct alarm_type *at = alarm_type_find(r->v[ct].s);
		struct alarm *a = &now[n++];
		int known = 0;
		snprintf(a->type, sizeof(a->type), "%s", r->v[ct].s);
		snprintf(a->source, sizeof(a->source), "%s", r->v[cs].s);
		a->severity = severity_of(&t->cols[cv], &r->v[cv]);
		for (unsigned i = 0; i < nalarms; i++)
			if (!strcmp(alarms[i].type, a->type) &&
			    !strcmp(alarms[i].source, a->source))
				known = alarms[i].severity == a->severity;
		if (!known && at && a->severity != AGENT_SEV_CLEARED)
			agent_notify_send(at->raise, a->source, cx >= 0 ? r->v[cx].s : a->type,
					  a->severity, 0);
	}
	for (unsigned i = 0; i < nalarms; i++) {
		const struct alarm_type *at = alarm_type_find(alarms[i].type);
		int still = 0;
		for (unsigned k = 0; k < n; k++)
			still |= !strcmp(alarms[i].type, now[k].type) &&
				 !strcmp(alarms[i].source, now[k].source) &&
				 now[k].severity != AGENT_SEV_CLEARED;
		if (!still && at && at->clear)
			agent_notify_send(at->clear, alarms[i].source, "cleared", AGENT_SEV_CLEARED,
					  0);
	}
	memcpy(alarms, now, n * sizeof(now[0]));
	nalarms = n;
}

static void poll_status(void)
{
	struct conf_store *st;
	struct conf_diag d;
	char *reply = NULL;
	size_t rlen;
	int any = 0;

	for (unsigned i = 0; i < conf_ntables; i++)
		any |= (conf_tables[i]->flags & CONF_TF_STATUS) != 0;
	if (!any || agent_ctl_call("STATUS", NULL, 0, &reply, &rlen) != 0) {
		free(reply);
		return;
	}
	st = conf_store_new();
	conf_diag_init(&d);
	if (st && ini_load(st, reply, rlen, "STATUS", INI_INCREMENTAL, INI_L_STATUS, &d) == 0) {
		poll_counters(st);
		poll_alarms(st);
	}
	conf_diag_free(&d);
	conf_store_free(st);
	free(reply);
}

static void poll_cb(unsigned int reg, void *arg)
{
	flush();
	poll_info();
	if (last_start)
		poll_status();
}

static unsigned poll_alarm;

void agent_notify_start(unsigned poll_s, unsigned rate)
{
	rate_s = rate;
	poll_alarm = snmp_alarm_register(poll_s ? poll_s : 1, SA_REPEAT, poll_cb, NULL);
	poll_cb(0, NULL);
}

void agent_notify_stop(void)
{
	if (poll_alarm)
		snmp_alarm_unregister(poll_alarm);
	poll_alarm = 0;
	nqueue = 0;
	last_start = 0;
	last_saves = 0;
	nalarms = 0;
	memset(counters, 0, sizeof(counters));
}

/*
 * The control connection and the cached model: sbcd's running configuration
 * (EXPORT), status tables (STATUS) and counters (INFO), fetched at most once
 * per TTL so that a walk costs a few requests to sbcd, not one per object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "control/ctl.h"
#include "ini/ini.h"
#include "snmp-agent/agent.h"

static char sock_path[256];
static struct ctl_client *ctl;
static time_t hung_until;
static struct agent_model model;
static struct timespec fetched;
static int have_model;
static unsigned ttl_ms = 1000;
static struct agent_pending *pending;

#define CTL_TIMEOUT_S      2   /* longest wait for one reply of sbcd */
#define CTL_HUNG_BACKOFF_S 3   /* then requests fail at once for this long */
#define PENDING_MAX_AGE    300 /* seconds a createAndWait row waits (RFC 2579 suggests 5 min) */

void agent_ctl_init(const char *path)
{
	if (ctl && strcmp(sock_path, path) != 0) {
		ctl_close(ctl);
		ctl = NULL;
		have_model = 0;
	}
	snprintf(sock_path, sizeof(sock_path), "%s", path);
}

int agent_ctl_call(const char *verb, const char *body, size_t blen, char **reply, size_t *rlen)
{
	char err[256];
	int rc = -1;

	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < hung_until) {
		*reply = strdup("sbcd does not answer");
		*rlen = *reply ? strlen(*reply) : 0;
		return -1;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		struct timespec t0, t1;
		if (!ctl) {
			struct timeval tv = {CTL_TIMEOUT_S, 0};
			ctl = ctl_open(sock_path, err, sizeof(err));
			if (!ctl) {
				*reply = strdup(err);
				*rlen = *reply ? strlen(*reply) : 0;
				return -1;
			}
			/* a hung sbcd must not hang the master's requests */
			setsockopt(ctl_fd(ctl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			setsockopt(ctl_fd(ctl), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rc = ctl_call(ctl, verb, body, blen, reply, rlen);
		if (rc >= 0)
			return rc;
		/* broken (sbcd restarted) or timed out: a late reply must not be read later */
		ctl_close(ctl);
		ctl = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (t1.tv_sec - t0.tv_sec >= 1) {
			/* hung: fail fast for a while rather than block every request */
			hung_until = t1.tv_sec + CTL_HUNG_BACKOFF_S;
			break;
		}
		if (attempt > 0)
			break;
		free(*reply); /* a quick failure is a stale connection: retry once */
	}
	return rc;
}

void agent_model_set_ttl(unsigned ms)
{
	ttl_ms = ms;
}

void agent_model_invalidate(void)
{
	have_model = 0;
}

void agent_model_free(void)
{
	while (pending)
		agent_pending_drop(pending);
	if (model.st)
		conf_store_free(model.st);
	free(model.vars);
	memset(&model, 0, sizeof(model));
	have_model = 0;
	if (ctl)
		ctl_close(ctl);
	ctl = NULL;
	hung_until = 0;
}

void agent_info_parse(const char *text, struct agent_model *m)
{
	const char *p = text;

	while (p && *p) {
		char key[32];
		int off = 0;
		if (sscanf(p, "%31s %n", key, &off) == 1) {
			const char *v = p + off;
			if (!strcmp(key, "version"))
				snprintf(m->version, sizeof(m->version), "%.*s",
					 (int)strcspn(v, "\n"), v);
			else if (!strcmp(key, "uptime"))
				m->uptime = strtol(v, NULL, 10);
			else if (!strcmp(key, "changes"))
				m->changes = strtoul(v, NULL, 10);
			else if (!strcmp(key, "saves"))
				m->saves = strtoul(v, NULL, 10);
			else if (!strcmp(key, "pending"))
				m->pending = strtoul(v, NULL, 10);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

/* --- pending rows (createAndWait) --- */

struct agent_pending *agent_pending_find(const struct conf_table *t, unsigned index)
{
	for (struct agent_pending *p = pending; p; p = p->next)
		if (p->t == t && p->index == index)
			return p;
	return NULL;
}

struct agent_pending *agent_pending_add(const struct conf_table *t, unsigned index)
{
	struct agent_pending *p = calloc(1, sizeof(*p));

	if (!p || !(p->val = calloc(t->ncols, sizeof(char *)))) {
		free(p);
		return NULL;
	}
	p->t = t;
	p->index = index;
	p->created = time(NULL);
	p->next = pending;
	pending = p;
	have_model = 0;
	return p;
}

void agent_pending_drop(struct agent_pending *p)
{
	for (struct agent_pending **pp = &pending; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	for (unsigned i = 0; i < p->t->ncols; i++)
		free(p->val[i]);
	free(p->val);
	free(p);
	have_model = 0;
}

const char *agent_pending_text(const struct agent_pending *p, int col)
{
	const struct conf_column *c = &p->t->cols[col];

	return p->val[col] ? p->val[col] : c->def ? c->def : "";
}

int agent_pending_status(const struct agent_pending *p)
{
	for (unsigned i = 0; i < p->t->ncols; i++)
		if ((p->t->cols[i].flags & CONF_F_MANDATORY) && !*agent_pending_text(p, (int)i))
			return 3; /* notReady */
	return 2;                 /* notInService */
}

static void pending_expire(void)
{
	time_t now = time(NULL);
	struct agent_pending *p = pending, *next;

	for (; p; p = next) {
		next = p->next;
		if (now - p->created > PENDING_MAX_AGE) {
			snmp_log(LOG_INFO, "%s row %u: createAndWait row expired\n", p->t->name,
				 p->index);
			agent_pending_drop(p);
		}
	}
}

/* --- the instance index --- */

static int var_cmp(const void *a, const void *b)
{
	const struct agent_var *x = a, *y = b;

	return snmp_oid_compare(x->name, x->len, y->name, y->len);
}

static int vars_add(struct agent_model *m, size_t *cap, const struct agent_var *v)
{
	if (m->nvars == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		struct agent_var *nv = realloc(m->vars, nc * sizeof(*nv));
		if (!nv)
			return -1;
		m->vars = nv;
		*cap = nc;
	}
	m->vars[m->nvars++] = *v;
	return 0;
}

static void table_vars(struct agent_model *m, size_t *cap, const struct conf_table *t)
{
	const struct conf_rows *rs = conf_store_rows(m->st, t);
	struct agent_var v = {.t = t};

	for (unsigned c = 0; c <= t->ncols; c++) {
		int rowstatus = c == t->ncols;
		if (rowstatus && !agent_table_creatable(t))
			break;
		v.kind = rowstatus ? AGENT_V_ROWSTATUS : AGENT_V_COL;
		v.col = rowstatus ? -1 : (int)c;
		for (unsigned j = 0; j < rs->n; j++) {
			v.row = rs->row[j];
			v.pend = NULL;
			v.len = agent_oid_column(v.name, t,
						 rowstatus ? AGENT_COL_ROWSTATUS : t->cols[c].mib,
						 rs->row[j]->index);
			vars_add(m, cap, &v);
		}
		for (struct agent_pending *p = pending; p; p = p->next) {
			if (p->t != t || conf_store_get(m->st, t, p->index))
				continue;
			v.row = NULL;
			v.pend = p;
			v.len = agent_oid_column(
			    v.name, t, rowstatus ? AGENT_COL_ROWSTATUS : t->cols[c].mib, p->index);
			vars_add(m, cap, &v);
		}
	}
}

static void build_vars(struct agent_model *m)
{
	static const unsigned devs[] = {AGENT_DEV_VERSION, AGENT_DEV_UPTIME,  AGENT_DEV_CHANGES,
					AGENT_DEV_SAVES,   AGENT_DEV_PENDING, AGENT_DEV_SAVE,
					AGENT_DEV_RESET};
	size_t cap = 0;
	struct agent_var v;

	m->nvars = 0;
	if (!m->st)
		return;
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		if (!(t->flags & CONF_TF_GLOBALS)) {
			table_vars(m, &cap, t);
			continue;
		}
		memset(&v, 0, sizeof(v));
		v.kind = AGENT_V_COL;
		v.t = t;
		v.row = conf_store_get(m->st, t, 0);
		if (!v.row)
			continue;
		for (unsigned c = 0; c < t->ncols; c++) {
			v.col = (int)c;
			v.len = agent_oid_global(v.name, t->cols[c].mib);
			vars_add(m, &cap, &v);
		}
	}
	memset(&v, 0, sizeof(v));
	v.kind = AGENT_V_DEV;
	for (unsigned i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		v.dev = devs[i];
		v.len = agent_oid_dev(v.name, devs[i]);
		vars_add(m, &cap, &v);
	}
	qsort(m->vars, m->nvars, sizeof(*m->vars), var_cmp);
}

/* EXPORT then STATUS, loaded into one fresh store. */
static struct conf_store *fetch_store(void)
{
	struct conf_store *st = conf_store_new();
	struct conf_diag d;
	char *reply = NULL;
	size_t rlen;
	int ok = st != NULL;

	conf_diag_init(&d);
	if (ok && agent_ctl_call("EXPORT", NULL, 0, &reply, &rlen) != 0)
		ok = 0;
	if (ok && ini_load(st, reply, rlen, "EXPORT", INI_REPLACE, INI_L_STATUS, &d) < 0)
		ok = 0;
	free(reply);
	reply = NULL;
	if (ok && agent_ctl_call("STATUS", NULL, 0, &reply, &rlen) != 0)
		ok = 0;
	if (ok && ini_load(st, reply, rlen, "STATUS", INI_INCREMENTAL, INI_L_STATUS, &d) < 0)
		ok = 0;
	if (!ok) {
		char *msg = conf_diag_join(&d);
		snmp_log(LOG_WARNING, "cannot read sbcd's configuration: %s\n",
			 msg && *msg ? msg
			 : reply     ? reply
				     : "no reply");
		free(msg);
		conf_store_free(st);
		st = NULL;
	}
	free(reply);
	conf_diag_free(&d);
	return st;
}

static long ms_since(const struct timespec *a)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - a->tv_sec) * 1000 + (now.tv_nsec - a->tv_nsec) / 1000000;
}

const struct agent_model *agent_model_get(int force)
{
	char *reply = NULL;
	size_t rlen;

	if (have_model && !force && ms_since(&fetched) < (long)ttl_ms)
		return &model;
	pending_expire();
	if (model.st)
		conf_store_free(model.st);
	model.st = fetch_store();
	if (model.st && agent_ctl_call("INFO", NULL, 0, &reply, &rlen) == 0)
		agent_info_parse(reply, &model);
	free(reply);
	build_vars(&model);
	clock_gettime(CLOCK_MONOTONIC, &fetched);
	have_model = 1;
	return &model;
}

const struct agent_var *agent_model_next(const struct agent_model *m, const oid *name, size_t len,
					 int inclusive)
{
	size_t lo = 0, hi = m->nvars;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = snmp_oid_compare(m->vars[mid].name, m->vars[mid].len, name, len);
		if (c < 0 || (c == 0 && !inclusive))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nvars ? &m->vars[lo] : NULL;
}

const struct agent_var *agent_model_find(const struct agent_model *m, const oid *name, size_t len)
{
	const struct agent_var *v = agent_model_next(m, name, len, 1);

	return v && snmp_oid_compare(v->name, v->len, name, len) == 0 ? v : NULL;
}

/* LOAD, CHECK, EXPORT and STATUS as control-worker jobs (ctl_jobs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf/txn.h"
#include "control/ctl.h"
#include "ini/ini.h"
#include "log/log.h"
#include "sbc/ctl_jobs.h"
#include "sbc/ctl_reply.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_users.h"
#include "sbc/ctl_work.h"
#include "sbc/sbcd.h"
#include "sbc/sip/sip_engine.h"

/* 1 when a TLS context of running is absent from cand. */
static int tls_context_deleted(const struct conf_store *running, const struct conf_store *cand)
{
	const struct conf_table *t = &conf_tbl_tlscontexts;
	const struct conf_rows *rs = conf_store_rows(running, t);

	for (unsigned j = 0; j < rs->n; j++)
		if (!conf_store_get(cand, t, rs->row[j]->index))
			return 1;
	return 0;
}

/* The WebUsers rules (sbc/ctl_users.h) on a LOAD's candidate; NULL when it keeps them. */
static char *users_refused(struct sbcd *s, struct ctl_session *cs, const struct conf_store *cand,
			   size_t *rlen)
{
	char err[256];

	if (ctl_users_check(s->running, cand, cs->level, err, sizeof(err)) == 0)
		return NULL;
	log_warnx("control: %s (by %s, pid %u)", err, cs->user[0] ? cs->user : "uid", cs->pid);
	return ctl_reply_text(0, rlen, "%s\n#code permission WebUsers - -\nnothing was changed\n",
			      err);
}

/*
 * LOAD and CHECK run their CPU work on a control worker (ctl_work.h): on the
 * loop only a reference to the running store is taken, with its generation
 * (s->changes); the worker parses the document into the candidate, validates
 * it and builds what consumers can build from it alone (conf_txn_precompute:
 * the SIP routing copy). Back on the loop, when another commit came meanwhile
 * the request is refused (#code refused, "retry"); else prepare, apply, reply.
 * The previous running store is freed on a thread of its own.
 */
struct load_job {
	struct ctl_job j;
	struct conf_store *base; /* the running store at dispatch (a reference); worker drops it */
	unsigned long gen;       /* s->changes at dispatch */
	const char *src;         /* the request's body, in the server's frame (ctl_work.h) */
	char *body;              /* its copy with a NUL, made on the worker */
	size_t blen;
	char fname[256];
	enum ini_mode m;
	int apply;
	struct conf_store *cand;
	struct conf_diag d;
	struct conf_txn_pre pre;
	int users_changed, ctx_deleted;
	int hash_import; /* stored hashes allowed: a master's whole import (conf.h) */
	double t_work;   /* ms on the worker */
	double t_clone;  /* ms on the loop to take the base */
};

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void load_work(struct ctl_job *j)
{
	struct load_job *lj = (struct load_job *)j;
	double t0 = mono_ms();

	int was;

	if (!(lj->body = malloc(lj->blen + 1))) {
		conf_diag_add_at(&lj->d, 1, CONF_C_REFUSED, NULL, -1, -1, "out of memory");
		conf_store_free(lj->base);
		lj->base = NULL;
		return;
	}
	memcpy(lj->body, lj->src, lj->blen);
	lj->body[lj->blen] = '\0';
	was = conf_hash_import(lj->hash_import); /* thread-local: this worker only */
	lj->cand = ini_build(lj->base, lj->body, lj->blen, lj->fname, lj->m, INI_L_DELETE, &lj->d);
	conf_hash_import(was);
	if (lj->cand) {
		lj->users_changed = !conf_store_table_equal(lj->base, lj->cand, &conf_tbl_webusers);
		lj->ctx_deleted = tls_context_deleted(lj->base, lj->cand);
		if (lj->apply &&
		    conf_txn_precompute(&lj->pre, lj->cand, CONF_TXN_VALIDATED, &lj->d) < 0)
			lj->cand = (conf_store_free(lj->cand), NULL);
	}
	conf_store_free(lj->base);
	lj->base = NULL;
	explicit_bzero(lj->body, lj->blen); /* it may hold keys and password hashes */
	free(lj->body);
	lj->body = NULL;
	lj->t_work = mono_ms() - t0;
}

static void store_free_cb(void *st)
{
	conf_store_free(st);
}

/* Frees a store off the loop (a 10,000-row store takes milliseconds). */
static void free_store_later(struct conf_store *st)
{
	if (st)
		ctl_work_later(store_free_cb, st);
}

static char *load_finish(struct sbcd *s, struct ctl_session *cs, struct ctl_job *j, size_t *rlen)
{
	struct load_job *lj = (struct load_job *)j;
	struct conf_store *cand = lj->cand, *old = NULL;
	double t0 = mono_ms();
	char *out;

	lj->cand = NULL;
	if (!cand)
		return ctl_reply_diag(0, &lj->d, "nothing was changed\n", rlen);
	if (lj->apply && cs->level < CTL_LEVEL_SECADMIN && lj->users_changed) {
		conf_txn_pre_drop(&lj->pre);
		conf_store_free(cand);
		return ctl_reply_text(
		    0, rlen,
		    "WebUsers: permission denied: changing users needs "
		    "level 200\n#code permission WebUsers - -\nnothing was changed\n");
	}
	if (lj->apply && cs->level < CTL_LEVEL_SECADMIN && lj->ctx_deleted) {
		conf_txn_pre_drop(&lj->pre);
		conf_store_free(cand);
		return ctl_reply_text(
		    0, rlen,
		    "TLSContexts: permission denied: deleting a TLS context (and its "
		    "material) needs level 200\nnothing was changed\n");
	}
	if (!lj->apply) {
		/* what would wait for a reset, and how the web would be reached after it */
		out = ctl_reply_pending(s, &lj->d, cand, rlen);
		conf_store_free(cand);
		return out;
	}
	if (s->changes != lj->gen) {
		/* another commit came while this one was prepared: it was built on an older base */
		conf_txn_pre_drop(&lj->pre);
		conf_store_free(cand);
		conf_diag_add_at(&lj->d, 1, CONF_C_REFUSED, NULL, -1, -1,
				 "the running configuration was changed by another request while "
				 "this one was prepared: retry");
		return ctl_reply_diag(0, &lj->d, "nothing was changed\n", rlen);
	}
	/* the user rules compare with the running store: the base, as the generation says */
	if ((out = users_refused(s, cs, cand, rlen)) != NULL) {
		conf_txn_pre_drop(&lj->pre);
		conf_store_free(cand);
		return out;
	}
	if (sbcd_commit_pre(s, cand, &lj->pre, &old, &lj->d) < 0)
		return ctl_reply_diag(0, &lj->d, "nothing was changed\n", rlen);
	double t_commit = mono_ms() - t0;
	free_store_later(old);
	out = ctl_reply_pending(s, &lj->d, s->running, rlen);
	log_info("control: configuration changed by %s (pid %u, %zu bytes, %s; %.1f ms on a "
		 "worker, %.1f ms on the loop: %.1f to take the base, %.1f to prepare and apply)",
		 cs->user[0] ? cs->user : "uid", cs->pid, lj->blen,
		 lj->m == INI_REPLACE ? "replace" : "incremental", lj->t_work,
		 lj->t_clone + mono_ms() - t0, lj->t_clone, t_commit);
	return out;
}

static void load_free(struct ctl_job *j)
{
	struct load_job *lj = (struct load_job *)j;

	conf_txn_pre_drop(&lj->pre);
	conf_store_free(lj->cand);
	conf_store_free(lj->base);
	free(lj->body);
	conf_diag_free(&lj->d);
	free(lj);
}

char *ctl_verb_load(struct sbcd *s, struct ctl_session *cs, int apply, const char *mode,
		    const char *fname, const char *body, size_t blen, size_t *rlen)
{
	enum ini_mode m;
	struct load_job *lj;

	if (!mode || strcasecmp(mode, "incremental") == 0)
		m = INI_INCREMENTAL;
	else if (strcasecmp(mode, "replace") == 0)
		m = INI_REPLACE;
	else
		return ctl_reply_text(0, rlen, "mode must be 'incremental' or 'replace'\n");
	if (apply && cs->level < CTL_LEVEL_ADMIN)
		return ctl_reply_text(0, rlen,
				      "permission denied: level %u may not change the "
				      "configuration\n#code permission - - -\n",
				      cs->level);
	double t0 = mono_ms();

	if (!(lj = calloc(1, sizeof(*lj))) || !(lj->base = conf_store_ref(s->running))) {
		free(lj);
		return ctl_reply_text(0, rlen, "out of memory\nnothing was changed\n");
	}
	lj->src = body; /* the server keeps the frame until the job is done (ctl_work.h) */
	lj->t_clone = mono_ms() - t0;
	lj->blen = blen;
	snprintf(lj->fname, sizeof(lj->fname), "%s", fname ? fname : "request");
	lj->m = m;
	lj->apply = apply;
	/* stored hashes (conf.h CONF_HASH_PREFIX): only in a master's whole (replace) import */
	lj->hash_import = m == INI_REPLACE && cs->level >= CTL_LEVEL_MASTER;
	lj->gen = s->changes;
	conf_diag_init(&lj->d);
	lj->j.work = load_work;
	lj->j.finish = load_finish;
	lj->j.free = load_free;
	cs->job = &lj->j;
	return NULL;
}

/*
 * EXPORT and STATUS write the INI text on a control worker: a 10,000-row export
 * takes about 10 ms, and eight clients asking at once would hold the loop for the
 * sum. The worker holds its own reference to the running store (never changed in
 * place: a commit replaces it) or owns the status store built on the loop.
 */
struct export_job {
	struct ctl_job j;
	struct conf_store *st;
	const struct conf_table *t; /* one table, or NULL for all */
	int status;
	struct sip_reg_snap *regs; /* Registrations rows still to make, on the worker */
	char *text; /* the reply frame ("OK\n" and the INI text), made on the worker */
	size_t len;
};

static void export_work(struct ctl_job *j)
{
	struct export_job *xj = (struct export_job *)j;
	size_t len = 0;
	char *text;

	if (!xj->t || xj->t == &conf_tbl_registrations)
		sip_reg_snap_fill(xj->regs, xj->st);
	else
		sip_reg_snap_free(xj->regs);
	xj->regs = NULL;
	text = xj->t ? ini_write_table(xj->st, xj->t, 0, &len)
		     : ini_write(xj->st, xj->status ? INI_W_STATUS : 0, &len);

	conf_store_free(xj->st);
	xj->st = NULL;
	/* the whole reply frame is made here: the loop only hands it over (a 10,000-row
	   export is half a megabyte, whose copy the loop would pay in page faults) */
	if (text)
		xj->text = ctl_reply_data(text, len, &xj->len);
	free(text);
}

static char *export_finish(struct sbcd *s, struct ctl_session *cs, struct ctl_job *j, size_t *rlen)
{
	struct export_job *xj = (struct export_job *)j;

	char *out = xj->text;

	if (!out)
		return ctl_reply_text(0, rlen, "out of memory\n");
	xj->text = NULL;
	*rlen = xj->len;
	return out;
}

static void export_free(struct ctl_job *j)
{
	struct export_job *xj = (struct export_job *)j;

	conf_store_free(xj->st);
	sip_reg_snap_free(xj->regs);
	free(xj->text);
	free(xj);
}

char *ctl_verb_export(struct sbcd *s, struct ctl_session *cs, const char *table, int status,
		      size_t *rlen)
{
	const struct conf_table *t = table ? conf_table_find(table) : NULL;
	struct export_job *xj;

	if (table && (!t || !!(t->flags & CONF_TF_STATUS) != status))
		return ctl_reply_text(0, rlen, "no %s table %s\n",
				      status ? "status" : "configuration", table);
	if (!(xj = calloc(1, sizeof(*xj))) ||
	    !(xj->st = status ? sbcd_status_split(s, &xj->regs) : conf_store_ref(s->running))) {
		free(xj);
		return ctl_reply_text(0, rlen, "out of memory\n");
	}
	xj->t = t;
	xj->status = status;
	xj->j.work = export_work;
	xj->j.finish = export_finish;
	xj->j.free = export_free;
	cs->job = &xj->j;
	return NULL;
}

/* The control protocol's verbs (doc/CONTROL.md). Each checks privilege first. */
#include <crypt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "conf/num.h"
#include "conf/txn.h"
#include "control/ctl.h"
#include "ini/ini.h"
#include "sbc/ctl_access.h"
#include "sbc/ctl_jobs.h"
#include "sbc/ctl_reply.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_tickets.h"
#include "sbc/ctl_tls.h"
#include "sbc/ctl_users.h"
#include "sbc/ctl_work.h"
#include "sbc/flash.h"
#include "sbc/ha.h"
#include "sbc/sip/sip_perf.h"
#include "log/log.h"
#include "sbc/sbcd.h"
#include "sbc/supervise.h"
#include "sbc/tlsmgr.h"
#include "sbc/version.h"
#include "tls/parse.h"
#include "tls/tls.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>

/*
 * --- login state: failed attempts per (user, source), lockout for the user's
 * BlockTime. The source is "uid N" for a local client, or the address a
 * trusted front end (peer level master) names with LOGIN user FROM addr: an
 * attacker's failures lock out the attacker's source, not the user everywhere.
 */
struct lockout {
	char user[48];
	char source[64];
	unsigned fails;
	time_t until, used;
};
static struct lockout lockouts[256];

/*
 * Only users that exist are tracked. When the table is full the entry used
 * longest ago that is not locked out gives its place (else the one whose
 * lockout ends first): many sources cannot make a locked source's count vanish
 * early while unlocked entries remain.
 */
/* 1 when slot a gives its place before slot b: empty, then unlocked used longest ago, then locked
 * ending first. */
static int lockout_before(const struct lockout *a, const struct lockout *b, time_t now)
{
	int ka = !a->user[0] ? 0 : a->until <= now ? 1 : 2;
	int kb = !b->user[0] ? 0 : b->until <= now ? 1 : 2;

	if (ka != kb)
		return ka < kb;
	return ka == 1 ? a->used < b->used : ka == 2 && a->until < b->until;
}

static struct lockout *lockout_get(const char *user, const char *source)
{
	struct lockout *victim = &lockouts[0];
	time_t now = time(NULL);

	for (unsigned i = 0; i < sizeof(lockouts) / sizeof(lockouts[0]); i++) {
		struct lockout *l = &lockouts[i];
		if (l->user[0] && strcasecmp(l->user, user) == 0 &&
		    strcmp(l->source, source) == 0) {
			l->used = now;
			return l;
		}
		if (lockout_before(l, victim, now))
			victim = l;
	}
	memset(victim, 0, sizeof(*victim));
	snprintf(victim->user, sizeof(victim->user), "%s", user);
	snprintf(victim->source, sizeof(victim->source), "%s", source);
	victim->used = now;
	return victim;
}

/* The lockout source of a LOGIN: the front end's FROM only when the peer is trusted. */
static void login_source(const struct ctl_session *cs, const char *from, char *buf, size_t len)
{
	if (from && (cs->peer_level >= CTL_LEVEL_MASTER || (cs->roles & CTL_ROLE_WEB)))
		snprintf(buf, len, "from %s", from);
	else
		snprintf(buf, len, "uid %u", cs->uid);
}

/* WebUsers Status 2 and 3: the account is locked (failed access, inactivity). */
static int user_locked(const struct conf_row *r)
{
	long long st = r->v[WEBUSER_STATUS].i;

	return st == 2 || st == 3;
}

static const struct conf_row *user_row(struct sbcd *s, const char *user, int *col_pw,
				       int *col_level, int *col_block)
{
	const struct conf_table *t = &conf_tbl_webusers;

	*col_pw = WEBUSER_PASSWORD;
	*col_level = WEBUSER_USER_LEVEL;
	*col_block = WEBUSER_BLOCK_TIME;
	return conf_store_find_name(s->running, t, user);
}

/* A LOGIN's password check, run on a worker: copies only, no pointer into the store. */
struct login_job {
	struct ctl_job j;
	char user[48];
	char source[64];
	char *hash; /* the stored hash the check ran against */
	char pass[257];
	int ok;
};

static void login_work(struct ctl_job *j)
{
	struct login_job *lj = (struct login_job *)j;
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *h;

	if (!cd)
		return;
	h = crypt_r(lj->pass, lj->hash, cd);
	lj->ok = h && strcmp(h, lj->hash) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	explicit_bzero(lj->pass, sizeof(lj->pass));
}

static void login_free(struct ctl_job *j)
{
	struct login_job *lj = (struct login_job *)j;

	if (lj->hash)
		explicit_bzero(lj->hash, strlen(lj->hash));
	free(lj->hash);
	explicit_bzero(lj, sizeof(*lj));
	free(lj);
}

/*
 * "level N", and for the web front end a session ticket it binds later
 * connections with (RESUME), so that it never needs a right of its own.
 */
static char *reply_level(struct ctl_session *cs, size_t *rlen)
{
	char t[65];

	if (cs->want_ticket && (cs->roles & CTL_ROLE_WEB) &&
	    ctl_ticket_issue(cs->user, cs->uid, 0, t) == 0) {
		char *out = ctl_reply_text(1, rlen, "level %u\nticket %s\n", cs->level, t);
		OPENSSL_cleanse(t, sizeof(t));
		return out;
	}
	return ctl_reply_text(1, rlen, "level %u\n", cs->level);
}

/* The outcome of a password check, on the loop thread: lockout counts and the connection's level.
 */
static char *login_result(struct sbcd *s, struct ctl_session *cs, const char *user,
			  const char *source, const struct conf_row *r, int ok, size_t *rlen)
{
	int cpw, clevel, cblock;
	struct lockout *lo = r ? lockout_get(r->v[WEBUSER_USERNAME].s, source) : NULL;
	time_t now = time(NULL);

	user_row(s, user, &cpw, &clevel, &cblock);
	if (!ok) {
		if (lo && ++lo->fails >= 3) {
			lo->until = now + r->v[cblock].i;
			lo->fails = 0;
			log_warnx("control: user %s locked out from %s for %lld s after 3 failed "
				  "logins",
				  user, source, r->v[cblock].i);
		}
		log_warnx("control: failed login for user '%s' (%s, pid %u)", user, source,
			  cs->pid);
		return ctl_reply_text(0, rlen, "login incorrect\n");
	}
	if (lo)
		lo->fails = 0;
	cs->level = (unsigned)r->v[clevel].i;
	snprintf(cs->user, sizeof(cs->user), "%s", r->v[WEBUSER_USERNAME].s);
	log_info("control: user %s logged in (level %u, pid %u)", cs->user, cs->level, cs->pid);
	return reply_level(cs, rlen);
}

/* Refusals that come before any password check: lockout, locked account. NULL when none. */
static char *login_refused(struct sbcd *s, struct ctl_session *cs, const char *user,
			   const char *source, const struct conf_row *r, size_t *rlen)
{
	struct lockout *lo = r ? lockout_get(r->v[WEBUSER_USERNAME].s, source) : NULL;
	time_t now = time(NULL);

	if (lo && lo->until > now)
		return ctl_reply_text(0, rlen,
				      "user %s is locked out for %ld more seconds (from %s)\n",
				      user, (long)(lo->until - now), source);
	if (r && user_locked(r)) {
		log_warnx("control: login refused for locked user '%s' (pid %u)", user, cs->pid);
		return ctl_reply_text(0, rlen, "user %s is locked (WebUsers Status)\n", user);
	}
	return NULL;
}

/*
 * On the loop thread once the hash is computed. The store may have changed
 * meanwhile, and other logins may have completed: the refusals are checked
 * again, so the outcome is the one the attempts would have in completion order.
 */
static char *login_finish(struct sbcd *s, struct ctl_session *cs, struct ctl_job *j, size_t *rlen)
{
	struct login_job *lj = (struct login_job *)j;
	int cpw, clevel, cblock;
	const struct conf_row *r = user_row(s, lj->user, &cpw, &clevel, &cblock);
	char *out = login_refused(s, cs, lj->user, lj->source, r, rlen);

	if (out)
		return out;
	if (r && strcmp(r->v[cpw].s, lj->hash) != 0) {
		log_warnx("control: password of user '%s' changed during a login (pid %u)",
			  lj->user, cs->pid);
		return ctl_reply_text(0, rlen, "the password changed meanwhile: log in again\n");
	}
	return login_result(s, cs, lj->user, lj->source, r, lj->ok, rlen);
}

static char *verb_login(struct sbcd *s, struct ctl_session *cs, const char *user, const char *from,
			const char *pass, size_t *rlen)
{
	int cpw, clevel, cblock;
	const struct conf_row *r = user_row(s, user, &cpw, &clevel, &cblock);
	struct login_job *lj;
	char source[64], *out;

	/* a login attempt first drops what the connection could do: a failure leaves nothing */
	cs->level = 0;
	cs->user[0] = 0;
	login_source(cs, from, source, sizeof(source));
	if ((out = login_refused(s, cs, user, source, r, rlen)) != NULL)
		return out;
	/* pass is NULL when the body cannot be a password (too long, a control character) */
	if (!r || !r->v[cpw].s[0] || !pass)
		return login_result(s, cs, user, source, r, 0, rlen);
	/* hashing (yescrypt) takes tens of milliseconds: a worker does it, off the SIP loop */
	lj = calloc(1, sizeof(*lj));
	if (!lj || !(lj->hash = strdup(r->v[cpw].s))) {
		free(lj);
		return NULL;
	}
	lj->j.work = login_work;
	lj->j.finish = login_finish;
	lj->j.free = login_free;
	snprintf(lj->user, sizeof(lj->user), "%s", user);
	snprintf(lj->source, sizeof(lj->source), "%s", source);
	snprintf(lj->pass, sizeof(lj->pass), "%s", pass);
	cs->job = &lj->j;
	return NULL;
}

/* The connection acts for user r (AS, RESUME): its level is the user's as the store says now. */
static char *act_as(struct ctl_session *cs, const char *user, const struct conf_row *r,
		    size_t *rlen)
{
	if (!r)
		return ctl_reply_text(0, rlen, "no user %s\n", user);
	if (user_locked(r))
		return ctl_reply_text(0, rlen, "user %s is locked (WebUsers Status)\n", user);
	cs->level = (unsigned)r->v[WEBUSER_USER_LEVEL].i;
	snprintf(cs->user, sizeof(cs->user), "%s", r->v[WEBUSER_USERNAME].s);
	return reply_level(cs, rlen);
}

/*
 * 1 when pem (the web's client certificate) is one of TLS context 0's trusted
 * roots with common name user: how sbc-web logs a user in by certificate
 * (doc/WEB.md). The web alone verified the handshake; sbcd checks that the
 * certificate is one the operator trusts for that user.
 */
static int web_cert_trusted(struct sbcd *s, const char *user, const char *pem, size_t len)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], err[256], cn[256];
	STACK_OF(X509) *roots = NULL, *peer = NULL;
	int ok = 0;

	tlsmgr_ctxdir(s, 0, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, TLS_FILE_ROOTS);
	if (!len || len > TLS_MAX_INPUT ||
	    !(peer = tls_parse_certs(pem, len, "client certificate", err, sizeof(err))) ||
	    !(roots = tls_load_certs(path, 1, err, sizeof(err))))
		goto out;
	for (int i = 0; !ok && i < sk_X509_num(roots); i++) {
		X509 *x = sk_X509_value(roots, i);
		ok = X509_cmp(x, sk_X509_value(peer, 0)) == 0 &&
		     X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
					       sizeof(cn)) > 0 &&
		     !strcmp(cn, user);
	}
out:
	sk_X509_pop_free(roots, X509_free);
	sk_X509_pop_free(peer, X509_free);
	return ok;
}

/*
 * AS: a master front end acting for a user it authenticated itself; or the web
 * front end with the user's client certificate as the body.
 */
static char *verb_as(struct sbcd *s, struct ctl_session *cs, const char *user, const char *body,
		     size_t blen, size_t *rlen)
{
	const struct conf_row *r = conf_store_find_name(s->running, &conf_tbl_webusers, user);

	cs->level = 0;
	cs->user[0] = 0;
	if (cs->peer_level >= CTL_LEVEL_MASTER)
		return act_as(cs, user, r, rlen);
	if ((cs->roles & CTL_ROLE_WEB) && web_cert_trusted(s, user, body, blen))
		return act_as(cs, user, r, rlen);
	log_warnx("control: AS %s refused to uid %u pid %u", user, cs->uid, cs->pid);
	return ctl_reply_text(0, rlen,
			      "AS needs root or sbcd's user (or the web front end with a client "
			      "certificate trusted by TLS context 0)\n");
}

/* RESUME ticket: a session ticket of this peer's uid, or an SSH grant (ctl_tickets.h). */
static char *verb_resume(struct sbcd *s, struct ctl_session *cs, const char *token, size_t *rlen)
{
	char user[48];

	cs->level = 0;
	cs->user[0] = 0;
	if (ctl_ticket_redeem(token, cs->uid, user, sizeof(user)) < 0) {
		log_warnx("control: unknown or expired ticket from uid %u pid %u", cs->uid,
			  cs->pid);
		return ctl_reply_text(0, rlen, "unknown or expired ticket\n");
	}
	return act_as(cs, user, conf_store_find_name(s->running, &conf_tbl_webusers, user), rlen);
}

/* GRANT user: the SSH key helper vouches for one session of user (sshd verified the key). */
static char *verb_grant(struct sbcd *s, struct ctl_session *cs, const char *user, size_t *rlen)
{
	const struct conf_row *r = conf_store_find_name(s->running, &conf_tbl_webusers, user);
	char t[65];
	char *out;

	if (!(cs->roles & CTL_ROLE_KEYS))
		return ctl_reply_text(0, rlen,
				      "GRANT needs the SSH key helper's user (sbc-keys)\n");
	if (!r || user_locked(r))
		return ctl_reply_text(0, rlen, "no user %s, or it is locked\n", user);
	if (ctl_ticket_issue(r->v[WEBUSER_USERNAME].s, cs->uid, 1, t) < 0)
		return ctl_reply_text(0, rlen, "no randomness for a grant\n");
	out = ctl_reply_text(1, rlen, "grant %s\n", t);
	OPENSSL_cleanse(t, sizeof(t));
	return out;
}

static char *verb_info(struct sbcd *s, struct ctl_session *cs, size_t *rlen)
{
	unsigned pending = conf_store_pending(s->running, s->active, NULL);
	char kids[512];

	supervise_describe(kids, sizeof(kids));
	return ctl_reply_text(1, rlen,
			      "version %s\nuptime %ld\nflash %s\nlevel %u\nuser %s\nchanges %lu\n"
			      "saves %lu\nunsaved %lu\npending %u\n%s",
			      SBC_VERSION, (long)(time(NULL) - s->started), s->flashdir, cs->level,
			      cs->user[0] ? cs->user : "-", s->changes, s->saves,
			      s->edits - s->edits_saved, pending, kids);
}

/* Saved generations on flash: id, role, when, whether it validates. */
/*
 * PERF [fine|coarse [N]]: the performance history (sip_perf.h), the last N samples.
 * PERF sample: a sample now (level 100), for a test or an operator who will not wait 10 s.
 */
static char *verb_perf(struct sbcd *s, struct ctl_session *cs, const char *which, const char *last,
		       size_t *rlen)
{
	struct ctl_reply r;
	unsigned long n = 0;
	char *end;

	if (which && !strcmp(which, "sample")) {
		if (cs->level < CTL_LEVEL_ADMIN)
			return ctl_reply_text(0, rlen,
					      "permission denied\n#code permission - - -\n");
		sip_engine_perf_sample(s->sip);
		return ctl_reply_text(1, rlen, "sampled\n");
	}
	if (last && (!*last || (n = strtoul(last, &end, 10), *end) || n > 100000))
		return ctl_reply_text(0, rlen,
				      "PERF: sample count '%s' is not a number 0..100000\n", last);
	if (which && strcmp(which, "fine") && strcmp(which, "coarse"))
		return ctl_reply_text(0, rlen, "PERF: '%s': say fine (10 s) or coarse (15 min)\n",
				      which);
	ctl_reply_begin(&r, 1);
	if (r.f && sip_engine_perf_write(s->sip, which, (unsigned)n, r.f) < 0)
		fputs("# no SIP engine\n", r.f);
	return ctl_reply_end(&r, rlen);
}

static char *verb_generations(struct sbcd *s, size_t *rlen)
{
	struct flash_gen *g;
	struct ctl_reply r;
	unsigned n;
	char err[512], when[40];

	if (flash_gen_list(s->flashdir, &g, &n, err, sizeof(err)) < 0)
		return ctl_reply_text(0, rlen, "%s\n", err);
	ctl_reply_begin(&r, 1);
	for (unsigned i = 0; r.f && i < n; i++) {
		struct tm tm;
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&g[i].saved, &tm));
		fprintf(r.f, "%u\t%s\tsaved %s\t%s%s\n", g[i].id,
			!g[i].id ? "current"
			: i == 1 ? "previous"
				 : "older",
			when, g[i].valid ? "valid" : "INVALID: ", g[i].valid ? "" : g[i].error);
	}
	free(g);
	return ctl_reply_end(&r, rlen);
}

/* A saved generation becomes the current save: it boots at the next reset. */
static char *verb_restore(struct sbcd *s, struct ctl_session *cs, const char *arg, size_t *rlen)
{
	char err[1024];
	unsigned id;
	int bad = conf_num_uint("generation", arg, 0, 1000, &id, err, sizeof(err));

	/* it brings back users and TLS material: the level that changes those */
	if (cs->level < CTL_LEVEL_SECADMIN)
		return ctl_reply_text(0, rlen,
				      "permission denied: level %u may not restore a generation "
				      "(users and TLS material need level 200)\n",
				      cs->level);
	if (bad < 0 || flash_gen_restore(s->flashdir, id, err, sizeof(err)) < 0)
		return ctl_reply_text(0, rlen, "restore failed: %s\nnothing was changed\n", err);
	log_info("flash generation %u restored by %s: it boots at the next reset", id,
		 cs->user[0] ? cs->user : "uid");
	return ctl_reply_text(1, rlen,
			      "generation %u is the saved configuration again; it takes effect at "
			      "the next reset (the running configuration is unchanged)\n",
			      id);
}

/* A value of a "#pending" line: one token, percent-encoded ("" when empty, "-" absent). */
static void pending_token(FILE *f, const struct conf_column *c, const union conf_val *v)
{
	char buf[4200];
	const char *t;

	if (!v) {
		fputs("-", f);
		return;
	}
	t = (c->flags & CONF_F_SECRET) ? "********" : conf_value_format(c, v, buf, sizeof(buf));
	if (!*t) {
		fputs("\"\"", f);
		return;
	}
	if (!strcmp(t, "-")) {
		fputs("%2D", f);
		return;
	}
	for (; *t; t++)
		if ((unsigned char)*t <= ' ' || *t == '%' || *t == '"' || *t == 0x7f)
			fprintf(f, "%%%02X", (unsigned char)*t);
		else
			fputc(*t, f);
}

/*
 * The machine lines of PENDING (doc/CONTROL.md), one per setting waiting for a
 * reset: "#pending TABLE ROW COLUMN RUNNING NEW", RUNNING what the engine runs
 * with now, NEW what it takes at reset; ROW "-" for a global, RUNNING "-" in a
 * row that does not run yet; a deleted row is "#pending TABLE ROW - row deleted".
 */
static void pending_lines(FILE *f, const struct conf_store *running,
			  const struct conf_store *active)
{
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		const struct conf_rows *rs = conf_store_rows(running, t), *as;
		int glob = (t->flags & CONF_TF_GLOBALS) != 0, has_reset = 0;

		for (unsigned j = 0; j < rs->n; j++) {
			const struct conf_row *r = rs->row[j];
			const struct conf_row *o = conf_store_get(active, t, r->index);
			for (unsigned c = 0; c < t->ncols; c++) {
				const struct conf_column *col = &t->cols[c];
				if (!(col->flags & CONF_F_RESET))
					continue;
				if ((o && conf_value_equal(col, &r->v[c], &o->v[c])) ||
				    (!o && glob))
					continue;
				if (glob)
					fprintf(f, "#pending %s - %s ", t->name, col->name);
				else
					fprintf(f, "#pending %s %u %s ", t->name, r->index,
						col->name);
				pending_token(f, col, o ? &o->v[c] : NULL);
				fputc(' ', f);
				pending_token(f, col, &r->v[c]);
				fputc('\n', f);
			}
		}
		for (unsigned c = 0; c < t->ncols; c++)
			has_reset |= (t->cols[c].flags & CONF_F_RESET) != 0;
		if (glob || !has_reset)
			continue;
		as = conf_store_rows(active, t);
		for (unsigned j = 0; j < as->n; j++)
			if (!conf_store_get(running, t, as->row[j]->index))
				fprintf(f, "#pending %s %u - row deleted\n", t->name,
					as->row[j]->index);
	}
}

char *ctl_verbs_handle(struct sbcd *s, struct ctl_session *cs, const char *req, size_t len,
		       size_t *rlen)
{
	char line[CTL_MAX_LINE], err[128], *argv[8] = {0}, *save = NULL;
	const char *body;
	size_t blen;
	int argc = 0;

	cs->job = NULL;
	/* the frame is read by its length: the verb line is a bounded copy, the body (ptr, len) */
	if (ctl_request_split(req, len, line, sizeof(line), &body, &blen, err, sizeof(err)) < 0)
		return ctl_reply_text(0, rlen, "%s\n", err);
	for (char *tok = strtok_r(line, " \t\r", &save); tok && argc < 8;
	     tok = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = tok;
	if (!argc)
		return ctl_reply_text(0, rlen, "empty request\n");

	if (!strcasecmp(argv[0], "HELLO") || !strcasecmp(argv[0], "INFO"))
		return verb_info(s, cs, rlen);
	/* a trailing TICKET asks for a session ticket (web front end: ctl_tickets.h) */
	cs->want_ticket = argc > 2 &&
			  (!strcasecmp(argv[0], "LOGIN") || !strcasecmp(argv[0], "AS")) &&
			  !strcasecmp(argv[argc - 1], "TICKET");
	if (cs->want_ticket)
		argv[--argc] = NULL;
	if (!strcasecmp(argv[0], "LOGIN") &&
	    (argc == 2 || (argc == 4 && !strcasecmp(argv[2], "FROM")))) {
		/*
		 * The password is the whole body, so it never appears in a verb
		 * line; a body no password can be (longer than 256, a control
		 * character: conf refuses those in passwords) fails like a wrong one.
		 */
		char pass[257];
		int valid = blen < sizeof(pass);
		for (size_t i = 0; valid && i < blen; i++)
			valid = (unsigned char)body[i] >= 0x20;
		memcpy(pass, body, valid ? blen : 0);
		pass[valid ? blen : 0] = 0;
		char *out = verb_login(s, cs, argv[1], argc == 4 ? argv[3] : NULL,
				       valid ? pass : NULL, rlen);
		explicit_bzero(pass, sizeof(pass));
		return out;
	}
	if (!strcasecmp(argv[0], "AS") && argc == 2)
		return verb_as(s, cs, argv[1], body, blen, rlen);
	if (!strcasecmp(argv[0], "RESUME") && argc == 2)
		return verb_resume(s, cs, argv[1], rlen);
	if (!strcasecmp(argv[0], "GRANT") && argc == 2)
		return verb_grant(s, cs, argv[1], rlen);
	if (!strcasecmp(argv[0], "LOGOUT") && argc == 2)
		return ctl_ticket_end(argv[1], cs->uid) == 0
			   ? ctl_reply_text(1, rlen, "ticket ended\n")
			   : ctl_reply_text(0, rlen, "no such ticket\n");
	if (cs->level < CTL_LEVEL_MONITOR)
		return ctl_reply_text(0, rlen,
				      "permission denied: log in first\n#code permission - - -\n");
	if ((!strcasecmp(argv[0], "LOAD") || !strcasecmp(argv[0], "SAVE") ||
	     !strcasecmp(argv[0], "RESTORE") || !strcasecmp(argv[0], "TLS")) &&
	    ha_refusal(s, argv[0], argv[1]))
		return ctl_reply_text(0, rlen, "%s\n", ha_refusal(s, argv[0], argv[1]));
	if (!strcasecmp(argv[0], "HA"))
		return ha_verb(s, cs, argc, argv, rlen);
	if (!strcasecmp(argv[0], "EXPORT"))
		return ctl_verb_export(s, cs, argv[1], 0, rlen);
	if (!strcasecmp(argv[0], "STATUS"))
		return ctl_verb_export(s, cs, argv[1], 1, rlen);
	if (!strcasecmp(argv[0], "LOAD") || !strcasecmp(argv[0], "CHECK"))
		return ctl_verb_load(s, cs, !strcasecmp(argv[0], "LOAD"), argv[1], argv[2], body,
				     blen, rlen);
	if (!strcasecmp(argv[0], "PENDING")) {
		struct conf_diag d;
		conf_diag_init(&d);
		conf_store_pending(s->running, s->active, &d);
		char *msgs = conf_diag_join_coded(&d), *mach = NULL;
		size_t mlen = 0;
		FILE *f = open_memstream(&mach, &mlen);
		if (f) {
			pending_lines(f, s->running, s->active);
			fclose(f);
		}
		char *out = ctl_reply_text(1, rlen, "%s%s", msgs ? msgs : "", mach ? mach : "");
		free(msgs);
		free(mach);
		conf_diag_free(&d);
		return out;
	}
	if (!strcasecmp(argv[0], "SAVE")) {
		char err[512];
		if (cs->level < CTL_LEVEL_ADMIN)
			return ctl_reply_text(0, rlen,
					      "permission denied\n#code permission - - -\n");
		if (flash_save(s->flashdir, s->running, tlsmgr_root(s), err, sizeof(err)) < 0) {
			log_errx("save to flash failed: %s", err);
			return ctl_reply_text(0, rlen, "save failed: %s\n", err);
		}
		s->saves++;
		s->edits_saved = s->edits;
		log_info("configuration saved to flash by %s", cs->user[0] ? cs->user : "uid");
		ha_saved(s); /* the HA active sends it to the standby */
		return ctl_reply_text(1, rlen, "saved to %s/board.ini\n", s->flashdir);
	}
	if (!strcasecmp(argv[0], "PERF"))
		return verb_perf(s, cs, argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL, rlen);
	if (!strcasecmp(argv[0], "GENERATIONS"))
		return verb_generations(s, rlen);
	if (!strcasecmp(argv[0], "RESTORE") && argc == 2)
		return verb_restore(s, cs, argv[1], rlen);
	if (!strcasecmp(argv[0], "RESET")) {
		if (cs->level < CTL_LEVEL_ADMIN)
			return ctl_reply_text(0, rlen,
					      "permission denied\n#code permission - - -\n");
		log_info("reset requested by %s (pid %u)", cs->user[0] ? cs->user : "uid", cs->pid);
		s->reset_requested = 1;
		return ctl_reply_text(1, rlen,
				      "resetting: the configuration saved on flash will be "
				      "loaded\n");
	}
	if (!strcasecmp(argv[0], "TLS"))
		return ctl_tls_handle(s, cs, argc, argv, body, blen, rlen);
	return ctl_reply_text(0, rlen, "unknown request '%s'\n", argv[0]);
}

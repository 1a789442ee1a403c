/* The control protocol's verbs (doc/CONTROL.md). Each checks privilege first. */
#include <crypt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "control/ctl.h"
#include "ini/ini.h"
#include "sbc/ctl_server.h"
#include "sbc/ctl_tls.h"
#include "sbc/flash.h"
#include "sbc/log.h"
#include "sbc/sbcd.h"
#include "sbc/supervise.h"
#include "sbc/tlsmgr.h"
#include "sbc/version.h"

/* A reply under construction. */
struct reply {
	char *buf;
	size_t len;
	FILE *f;
};

static void reply_begin(struct reply *r, int ok)
{
	r->buf = NULL;
	r->f = open_memstream(&r->buf, &r->len);
	if (r->f)
		fputs(ok ? "OK\n" : "ERR\n", r->f);
}

static char *reply_end(struct reply *r, size_t *rlen)
{
	if (!r->f)
		return NULL;
	fclose(r->f);
	*rlen = r->len;
	return r->buf;
}

static char *reply_text(int ok, size_t *rlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static char *reply_text(int ok, size_t *rlen, const char *fmt, ...)
{
	struct reply r;
	va_list ap;

	reply_begin(&r, ok);
	if (r.f) {
		va_start(ap, fmt);
		vfprintf(r.f, fmt, ap);
		va_end(ap);
	}
	return reply_end(&r, rlen);
}

static char *reply_data(const char *data, size_t len, size_t *rlen)
{
	char *out = malloc(len + 3);

	if (!out)
		return NULL;
	memcpy(out, "OK\n", 3);
	memcpy(out + 3, data, len);
	*rlen = len + 3;
	return out;
}

static char *reply_diag(int ok, const struct conf_diag *d, const char *tail, size_t *rlen)
{
	char *msgs = conf_diag_join(d);
	char *out = reply_text(ok, rlen, "%s%s", msgs ? msgs : "", tail ? tail : "");

	free(msgs);
	return out;
}

/* --- login state: failed attempts per user, lockout for the user's BlockTime --- */
struct lockout {
	char user[48];
	unsigned fails;
	time_t until;
};
static struct lockout lockouts[32];

/* Only users that exist are tracked (at most 20 rows): no name can push another's count out. */
static struct lockout *lockout_get(const char *user)
{
	struct lockout *free_slot = NULL;

	for (unsigned i = 0; i < sizeof(lockouts) / sizeof(lockouts[0]); i++) {
		if (strcasecmp(lockouts[i].user, user) == 0)
			return &lockouts[i];
		if (!lockouts[i].user[0] && !free_slot)
			free_slot = &lockouts[i];
	}
	if (!free_slot)
		return NULL;
	memset(free_slot, 0, sizeof(*free_slot));
	snprintf(free_slot->user, sizeof(free_slot->user), "%s", user);
	return free_slot;
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

static char *verb_login(struct sbcd *s, struct ctl_session *cs, const char *user, const char *pass,
			size_t *rlen)
{
	int cpw, clevel, cblock;
	const struct conf_row *r = user_row(s, user, &cpw, &clevel, &cblock);
	struct lockout *lo = r ? lockout_get(r->v[WEBUSER_USERNAME].s) : NULL;
	time_t now = time(NULL);
	struct crypt_data *cd;
	int ok = 0;

	/* a login attempt first drops what the connection could do: a failure leaves nothing */
	cs->level = 0;
	cs->user[0] = 0;
	if (lo && lo->until > now)
		return reply_text(0, rlen, "user %s is locked out for %ld more seconds\n", user,
				  (long)(lo->until - now));
	if (r && user_locked(r)) {
		log_warnx("control: login refused for locked user '%s' (pid %u)", user, cs->pid);
		return reply_text(0, rlen, "user %s is locked (WebUsers Status)\n", user);
	}
	if (r && r->v[cpw].s[0] && (cd = calloc(1, sizeof(*cd)))) {
		const char *h = crypt_r(pass, r->v[cpw].s, cd);
		ok = h && strcmp(h, r->v[cpw].s) == 0;
		explicit_bzero(cd, sizeof(*cd));
		free(cd);
	}
	if (!ok) {
		if (lo && ++lo->fails >= 3) {
			lo->until = now + r->v[cblock].i;
			lo->fails = 0;
			log_warnx("control: user %s locked out for %lld s after 3 failed logins",
				  user, r->v[cblock].i);
		}
		log_warnx("control: failed login for user '%s' (pid %u)", user, cs->pid);
		return reply_text(0, rlen, "login incorrect\n");
	}
	if (lo)
		lo->fails = 0;
	cs->level = (unsigned)r->v[clevel].i;
	snprintf(cs->user, sizeof(cs->user), "%s", r->v[WEBUSER_USERNAME].s);
	log_info("control: user %s logged in (level %u, pid %u)", cs->user, cs->level, cs->pid);
	return reply_text(1, rlen, "level %u\n", cs->level);
}

/* A trusted front end (peer level master) acting for a user it authenticated itself. */
static char *verb_as(struct sbcd *s, struct ctl_session *cs, const char *user, size_t *rlen)
{
	int cpw, clevel, cblock;
	const struct conf_row *r = user_row(s, user, &cpw, &clevel, &cblock);

	if (cs->peer_level < CTL_LEVEL_MASTER)
		return reply_text(0, rlen, "AS needs a front end running as root or sbcd's user\n");
	cs->level = 0;
	cs->user[0] = 0;
	if (!r)
		return reply_text(0, rlen, "no user %s\n", user);
	if (user_locked(r))
		return reply_text(0, rlen, "user %s is locked (WebUsers Status)\n", user);
	cs->level = (unsigned)r->v[clevel].i;
	snprintf(cs->user, sizeof(cs->user), "%s", r->v[WEBUSER_USERNAME].s);
	return reply_text(1, rlen, "level %u\n", cs->level);
}

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

static char *verb_load(struct sbcd *s, struct ctl_session *cs, int apply, const char *mode,
		       const char *fname, const char *body, size_t blen, size_t *rlen)
{
	enum ini_mode m;
	struct conf_diag d;
	struct conf_store *cand;
	char *out;

	if (!mode || strcasecmp(mode, "incremental") == 0)
		m = INI_INCREMENTAL;
	else if (strcasecmp(mode, "replace") == 0)
		m = INI_REPLACE;
	else
		return reply_text(0, rlen, "mode must be 'incremental' or 'replace'\n");
	if (apply && cs->level < CTL_LEVEL_ADMIN)
		return reply_text(0, rlen,
				  "permission denied: level %u may not change the "
				  "configuration\n",
				  cs->level);
	conf_diag_init(&d);
	cand = ini_build(s->running, body, blen, fname ? fname : "request", m, INI_L_DELETE, &d);
	if (!cand) {
		out = reply_diag(0, &d, "nothing was changed\n", rlen);
		conf_diag_free(&d);
		return out;
	}
	if (apply && cs->level < CTL_LEVEL_SECADMIN &&
	    !conf_store_table_equal(s->running, cand, &conf_tbl_webusers)) {
		conf_store_free(cand);
		conf_diag_free(&d);
		return reply_text(0, rlen,
				  "WebUsers: permission denied: changing users needs "
				  "level 200\nnothing was changed\n");
	}
	if (apply && cs->level < CTL_LEVEL_SECADMIN && tls_context_deleted(s->running, cand)) {
		conf_store_free(cand);
		conf_diag_free(&d);
		return reply_text(0, rlen,
				  "TLSContexts: permission denied: deleting a TLS context (and its "
				  "material) needs level 200\nnothing was changed\n");
	}
	if (!apply) {
		conf_store_free(cand);
		out = reply_diag(1, &d, NULL, rlen);
		conf_diag_free(&d);
		return out;
	}
	sbcd_commit(s, cand);
	conf_store_pending(s->running, s->active, &d);
	out = reply_diag(1, &d, NULL, rlen);
	conf_diag_free(&d);
	log_info("control: configuration changed by %s (pid %u, %zu bytes, %s)",
		 cs->user[0] ? cs->user : "uid", cs->pid, blen,
		 m == INI_REPLACE ? "replace" : "incremental");
	return out;
}

static char *verb_export(struct sbcd *s, const char *table, int status, size_t *rlen)
{
	struct conf_store *st = status ? sbcd_status(s) : s->running;
	const struct conf_table *t = table ? conf_table_find(table) : NULL;
	size_t len;
	char *text, *out;

	if (!st)
		return reply_text(0, rlen, "out of memory\n");
	if (table && (!t || !!(t->flags & CONF_TF_STATUS) != status)) {
		if (status)
			conf_store_free(st);
		return reply_text(0, rlen, "no %s table %s\n", status ? "status" : "configuration",
				  table);
	}
	text = t ? ini_write_table(st, t, 0, &len) : ini_write(st, status ? INI_W_STATUS : 0, &len);
	if (status)
		conf_store_free(st);
	if (!text)
		return reply_text(0, rlen, "out of memory\n");
	out = reply_data(text, len, rlen);
	free(text);
	return out;
}

static char *verb_info(struct sbcd *s, struct ctl_session *cs, size_t *rlen)
{
	unsigned pending = conf_store_pending(s->running, s->active, NULL);
	char kids[512];

	supervise_describe(kids, sizeof(kids));
	return reply_text(1, rlen,
			  "version %s\nuptime %ld\nflash %s\nlevel %u\nuser %s\nchanges %lu\n"
			  "saves %lu\npending %u\n%s",
			  SBC_VERSION, (long)(time(NULL) - s->started), s->flashdir, cs->level,
			  cs->user[0] ? cs->user : "-", s->changes, s->saves, pending, kids);
}

/* Saved generations on flash: id, role, when, whether it validates. */
static char *verb_generations(struct sbcd *s, size_t *rlen)
{
	struct flash_gen *g;
	struct reply r;
	unsigned n;
	char err[512], when[40];

	if (flash_gen_list(s->flashdir, &g, &n, err, sizeof(err)) < 0)
		return reply_text(0, rlen, "%s\n", err);
	reply_begin(&r, 1);
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
	return reply_end(&r, rlen);
}

/* A saved generation becomes the current save: it boots at the next reset. */
static char *verb_restore(struct sbcd *s, struct ctl_session *cs, const char *arg, size_t *rlen)
{
	char err[1024], *end;
	unsigned long id = strtoul(arg, &end, 10);

	/* it brings back users and TLS material: the level that changes those */
	if (cs->level < CTL_LEVEL_SECADMIN)
		return reply_text(0, rlen,
				  "permission denied: level %u may not restore a generation "
				  "(users and TLS material need level 200)\n",
				  cs->level);
	if (!*arg || *end || flash_gen_restore(s->flashdir, (unsigned)id, err, sizeof(err)) < 0)
		return reply_text(0, rlen, "restore failed: %s\nnothing was changed\n",
				  *arg && !*end ? err : "the generation must be a number");
	log_info("flash generation %lu restored by %s: it boots at the next reset", id,
		 cs->user[0] ? cs->user : "uid");
	return reply_text(1, rlen,
			  "generation %lu is the saved configuration again; it takes effect at "
			  "the next reset (the running configuration is unchanged)\n",
			  id);
}

char *ctl_verbs_handle(struct sbcd *s, struct ctl_session *cs, char *req, size_t len, size_t *rlen)
{
	char *line, *body, *argv[8] = {0}, *save = NULL;
	size_t blen;
	int argc = 0;

	ctl_request_split(req, len, &line, &body, &blen);
	for (char *tok = strtok_r(line, " \t", &save); tok && argc < 8;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (!argc)
		return reply_text(0, rlen, "empty request\n");

	if (!strcasecmp(argv[0], "HELLO") || !strcasecmp(argv[0], "INFO"))
		return verb_info(s, cs, rlen);
	if (!strcasecmp(argv[0], "LOGIN") && argc == 2) {
		/* the password is the body, so it never appears in a verb line */
		char pass[257];
		snprintf(pass, sizeof(pass), "%.*s", (int)(blen < 256 ? blen : 256), body);
		pass[strcspn(pass, "\n")] = 0;
		char *out = verb_login(s, cs, argv[1], pass, rlen);
		explicit_bzero(pass, sizeof(pass));
		return out;
	}
	if (!strcasecmp(argv[0], "AS") && argc == 2)
		return verb_as(s, cs, argv[1], rlen);
	if (cs->level < CTL_LEVEL_MONITOR)
		return reply_text(0, rlen, "permission denied: log in first\n");
	if (!strcasecmp(argv[0], "EXPORT"))
		return verb_export(s, argv[1], 0, rlen);
	if (!strcasecmp(argv[0], "STATUS"))
		return verb_export(s, argv[1], 1, rlen);
	if (!strcasecmp(argv[0], "LOAD") || !strcasecmp(argv[0], "CHECK"))
		return verb_load(s, cs, !strcasecmp(argv[0], "LOAD"), argv[1], argv[2], body, blen,
				 rlen);
	if (!strcasecmp(argv[0], "PENDING")) {
		struct conf_diag d;
		conf_diag_init(&d);
		conf_store_pending(s->running, s->active, &d);
		char *out = reply_diag(1, &d, NULL, rlen);
		conf_diag_free(&d);
		return out;
	}
	if (!strcasecmp(argv[0], "SAVE")) {
		char err[512];
		if (cs->level < CTL_LEVEL_ADMIN)
			return reply_text(0, rlen, "permission denied\n");
		if (flash_save(s->flashdir, s->running, tlsmgr_root(s), err, sizeof(err)) < 0) {
			log_errx("save to flash failed: %s", err);
			return reply_text(0, rlen, "save failed: %s\n", err);
		}
		s->saves++;
		log_info("configuration saved to flash by %s", cs->user[0] ? cs->user : "uid");
		return reply_text(1, rlen, "saved to %s/board.ini\n", s->flashdir);
	}
	if (!strcasecmp(argv[0], "GENERATIONS"))
		return verb_generations(s, rlen);
	if (!strcasecmp(argv[0], "RESTORE") && argc == 2)
		return verb_restore(s, cs, argv[1], rlen);
	if (!strcasecmp(argv[0], "RESET")) {
		if (cs->level < CTL_LEVEL_ADMIN)
			return reply_text(0, rlen, "permission denied\n");
		log_info("reset requested by %s (pid %u)", cs->user[0] ? cs->user : "uid", cs->pid);
		s->reset_requested = 1;
		return reply_text(1, rlen,
				  "resetting: the configuration saved on flash will be "
				  "loaded\n");
	}
	if (!strcasecmp(argv[0], "TLS"))
		return ctl_tls_handle(s, cs, argc, argv, body, blen, rlen);
	return reply_text(0, rlen, "unknown request '%s'\n", argv[0]);
}

/*
 * sbc-web: the HTTP/HTTPS management interface (doc/WEB.md).
 *
 * One process, one libevent loop. Every page is rendered from the schema
 * (conf_tables); every change is an incremental INI document sent to sbcd
 * over the control socket (LOAD), so sbcd validates, applies and refuses.
 * sbc-web keeps only sessions and counters; it reads TLS context material
 * from the flash but never writes it (TLS verbs do, web/tlsops.c).
 *
 * Contracts shared by the web/ files live here; each file says why, not what.
 */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include <limits.h>
#include <stddef.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <openssl/ssl.h>

#include "conf/store.h"
#include "log/log.h"
#include "tls/tls.h"

struct ctl_client;

/* Largest request body accepted (INI uploads, certificate bundles); larger gets 413. */
#define WEB_MAX_BODY     (2u * 1024 * 1024)
#define WEB_MAX_HEADERS  (16u * 1024)
#define WEB_MAX_SESSIONS 64
#define WEB_TIMEOUT_S    30

/* The WEB Params sbc-web runs with (the active values, read once at start). */
struct web_config {
	int https_only;
	int require_cert;
	char ciphers[1025];
	unsigned https_port, http_port;
	char address[64];
};

struct web_counters {
	unsigned long tls_ok;          /* completed HTTPS handshakes */
	unsigned long refused_nocert;  /* client certificate demanded, none sent */
	unsigned long refused_verify;  /* client certificate failed verification */
	unsigned long refused_other;   /* other handshake failures we alerted */
	unsigned long aborted_by_peer; /* the client gave up (alert received) */
	unsigned long logins_ok, logins_failed, cert_logins;
	unsigned long csrf_refused, redirects;
};

struct web {
	struct event_base *base;
	struct evhttp *http, *https;
	char sock[PATH_MAX];
	struct web_config cfg;
	struct web_counters cnt;
	time_t started;
	unsigned char secret[32]; /* HMAC key of pre-login CSRF tokens */
};

/* ---- logging: the shared module log/log.h (log_open in web_main.c: stderr with a time
 * stamp, or with journald priorities; syslog with --syslog) ---- */
#define web_log log_msg

/* ---- tlsserv.c: the HTTPS SSL_CTX (TLS context 0) and handshake accounting ---- */
/*
 * Builds the server SSL_CTX from TLS context 0 (row and material from sbcd:
 * EXPORT TLSContexts, TLS WEBCRED 0; never a file) with HTTPSCipherString and,
 * when cfg.require_cert, the client certificate demanded. -1 with the reason in
 * err. web_tls_watch (once w->base exists) asks sbcd every second and swaps in
 * a new SSL_CTX when context 0 changed; -1 when the timer cannot be set.
 */
int web_tls_init(struct web *w, char *err, size_t errlen);
int web_tls_watch(struct web *w);
/* The SSL for a new HTTPS connection, on the newest SSL_CTX. */
SSL *web_tls_new_ssl(struct web *w);
/*
 * The items "<name> <len>\n<bytes>" of a TLS WEBCRED or TLS PEM reply: ptr[i]
 * and len[i] for names[i] (NULL, 0 when absent). -1 when the reply is cut short.
 */
int web_cred_parse(const char *reply, size_t rlen, const char *const *names, unsigned n,
		   const char **ptr, size_t *len);
/*
 * 1 when the verified peer certificate of ssl is itself one of the trusted
 * roots of context 0 (exact match), with its subject CN in cn.
 */
int web_tls_peer_is_trusted_leaf(struct web *w, SSL *ssl, char *cn, size_t cnlen);
void web_tls_free(struct web *w);

/* ---- ocsp.c: OCSP of HTTPS clients and stapling (TLS context 0's OCSP columns) ---- */
/*
 * From the verify callback, at depth 0 once the chain verified: with pol's OcspEnable, a cached
 * refusal returns 0 (error set: the handshake fails); otherwise 1, and when no answer is cached a
 * query starts (shared by every connection with the same certificate) and ssl waits for it.
 */
int web_ocsp_verify(struct web *w, const struct tls_policy *pol, SSL *ssl, X509_STORE_CTX *xs);
/*
 * Before serving an HTTPS request: 1 when its connection's OCSP check is not decided yet (the
 * request is held and served or refused from the loop once the answer comes) or refused it (403,
 * connection closed); 0 to serve it now.
 */
int web_ocsp_hold(struct web *w, struct evhttp_request *req);
/*
 * ctx's own certificate is stapled (status_request) with an answer fetched from its AIA URL, else
 * pol's servers, refreshed at half its remaining life (60 s after a failure) when pol has
 * OcspStapling; the issuer is found in ctx's chain or roots. Again for each new ctx.
 */
void web_ocsp_staple_start(struct web *w, SSL_CTX *ctx, const struct tls_policy *pol,
			   STACK_OF(X509) *roots);
void web_ocsp_free(struct web *w);

/* ---- listen.c ---- */
int web_listen(struct web *w, char *err, size_t errlen);

/* ---- session.c ---- */
struct web_session {
	char id[65];   /* 256 random bits, hex */
	char csrf[65]; /* 256 random bits, hex: hidden field of every POST form */
	char user[48];
	unsigned level;
	time_t created, last;
	unsigned timeout; /* seconds of inactivity allowed, 0 for none */
	int https;
	int by_cert;
	unsigned char cert_fp[32]; /* by_cert: SHA-256 of the certificate it was opened with */
	char ticket[65]; /* sbcd's session ticket: RESUME binds each request's connection */
};
/* A new session, evicting the user's oldest beyond limit. NULL when the table is full. */
struct web_session *web_session_new(const char *user, unsigned level, unsigned timeout_min,
				    unsigned limit, int https, int by_cert);
/* The live session with this id (expired ones are ended), touching it. */
struct web_session *web_session_find(const char *id);
/*
 * A certificate-login session is bound to its certificate: web_session_bind
 * records the SHA-256 of ssl's peer certificate (-1 when none);
 * web_session_cert_ok is 1 when s is no certificate session, or ssl presents
 * that same certificate, else 0 (another certificate, none, or plain HTTP).
 */
int web_session_bind(struct web_session *s, SSL *ssl);
int web_session_cert_ok(const struct web_session *s, SSL *ssl);
void web_session_end(struct web_session *s);
/* Random bytes as lowercase hex (2 * n + 1 bytes in out); -1 when no randomness. */
int web_random_hex(char *out, size_t n);

/* ---- form.c: request bodies ---- */
struct web_field {
	char *name;
	char *filename; /* multipart file parts only, else NULL */
	char *value;    /* NUL-terminated; len excludes the NUL */
	size_t len;
};
struct web_form {
	struct web_field *f;
	unsigned n;
};
/*
 * Parses a body by Content-Type: application/x-www-form-urlencoded or
 * multipart/form-data. -1 with the reason in err (malformed, too many fields).
 */
int web_form_parse(struct web_form *fm, const char *ctype, const char *body, size_t len, char *err,
		   size_t errlen);
int web_form_query(struct web_form *fm, const char *query, char *err, size_t errlen);
void web_form_free(struct web_form *fm);
/* The first field named name (or NULL); value only. */
const struct web_field *web_form_field(const struct web_form *fm, const char *name);
const char *web_form_get(const struct web_form *fm, const char *name);

/* ---- request context (route.c) ---- */
struct web_req {
	int cacheable; /* a static asset (style.css, *.js): the browser may keep it 10 minutes */
	struct web *w;
	struct evhttp_request *req;
	int https;
	char peer[80];
	char addr[64];   /* the peer's address alone: sbcd counts failed logins per source */
	char path[1024]; /* percent-decoded path, no query */
	char *seg[8];    /* path segments (into segbuf) */
	unsigned nseg;
	char segbuf[1024];
	struct web_session *sess;
	struct web_form form;   /* POST/PUT body or GET query */
	struct ctl_client *ctl; /* opened on first use, as the session's user */
	struct evbuffer *out;
	char basic_user[48]; /* API: authenticated by HTTP Basic */
	unsigned basic_level;
};

/* Opens the control connection acting for the session (or Basic) user; NULL on failure. */
struct ctl_client *web_req_ctl(struct web_req *r, char *err, size_t errlen);
/* ctl_call over web_req_ctl: 0 OK, 1 ERR (reply holds errors), -1 connection failed. */
int web_req_call(struct web_req *r, const char *verb, const char *body, size_t blen, char **reply,
		 size_t *rlen);
/* The user level of the request: session, Basic, or 0. */
unsigned web_req_level(const struct web_req *r);
void web_send(struct web_req *r, int code, const char *ctype, const char *extra_header);
void web_redirect(struct web_req *r, const char *location);
/* Plain error page (HTML), escaped message. */
void web_error(struct web_req *r, int code, const char *msg);

/* HTTP Basic credentials (the header's value after "Basic "): LOGIN over the request's own
 * control connection; sets basic_user and basic_level. -1 when refused (api.c). */
int web_basic_auth(struct web_req *r, const char *h);
/* GET /metrics: Prometheus text format (metrics.c). */
void web_page_metrics(struct web_req *r);
/* The dashboard (home page) and its chart fragment, refreshed by dash.js (page_dash.c). */
void web_page_dashboard(struct web_req *r);
void web_page_dash_charts(struct web_req *r);
extern const char web_dash_js[];

/* ---- sbc.c: talking to sbcd ---- */
/* One-shot call on a fresh connection (no user): used at start-up. */
int web_sbc_call(const char *sock, const char *verb, char **reply, size_t *rlen);
/* EXPORT (status 0) or STATUS (1) of one table or all (NULL), as a store; NULL with err. */
struct conf_store *web_sbc_store(struct web_req *r, int status, const struct conf_table *t,
				 char *err, size_t errlen);
/* The "pending reset: ..." lines of PENDING, malloc'd (may be ""). */
char *web_sbc_pending(struct web_req *r);
/* INFO as text (malloc'd) or NULL. */
char *web_sbc_info(struct web_req *r);
/* Value of "key value" in INFO text, into buf; "" when absent. */
const char *web_info_get(const char *info, const char *key, char *buf, size_t len);

/* ---- html.c ---- */
/*
 * Appends to b with printf-like conversions where %s is HTML-escaped, %-s is
 * raw (trusted, literal markup only), and %d %u %ld %lu %lld %zu %c %% are
 * numbers and characters (no widths or precisions). printf-checked.
 */
void web_hp(struct evbuffer *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void web_esc(struct evbuffer *b, const char *s, size_t len);
void web_page_begin(struct web_req *r, const char *title);
void web_page_end(struct web_req *r);
/* A hidden CSRF field for the session's forms. */
void web_csrf_field(struct web_req *r);
/* Shows reply lines of a refused request as a list (each escaped). */
void web_show_errors(struct web_req *r, const char *title, const char *reply);
void web_show_notice(struct web_req *r, const char *cls, const char *text);
/* A notice of several lines (each escaped), one list item per line. */
void web_show_lines(struct web_req *r, const char *cls, const char *text);
extern const char web_css[];
/* The script of the Reset page (page_files.c): polls /alive, reloads when a new sbc-web answers. */
extern const char web_reset_js[];

/* ---- notes.c: machine lines of sbcd replies, the banner of every page ---- */
/* 1 for a line meant for programs ('#code', '#access', '#pending', any '#...'): never shown. */
int web_machine_line(const char *l);
/*
 * The banner under every page title: changes not saved to flash (INFO `unsaved`) with a
 * Save to flash button, settings waiting for a reset (PENDING: a table from its
 * `#pending` lines, else its human lines) with a link to the Reset page; the settings that
 * change how the web is reached stand out. Nothing when there is neither.
 */
void web_banner(struct web_req *r);
/* The same from given INFO and PENDING replies (either may be NULL). */
void web_banner_render(struct web_req *r, const char *info, const char *pend);
/*
 * The next `#access COLUMN RUNNING NEW` line from *pos on (moved past it): 1 with its values,
 * percent-decoded ("" for an empty one), in tok; 0 when there is none left.
 */
int web_access_next(const char **pos, char tok[3][256]);
/* The `#access COLUMN RUNNING NEW` lines of reply as a block that stands out; their count. */
unsigned web_reply_access(struct web_req *r, const char *reply);
/* An accepted change: the ok notice, then reply's #access block and its other lines as warnings. */
void web_show_reply(struct web_req *r, const char *ok, const char *reply);

/* ---- page_table.c: schema-driven rendering shared by the pages ---- */
/* The display form of a value: enum label with its number, secrets hidden. */
const char *web_value_text(const struct conf_column *c, const union conf_val *v, char *buf,
			   size_t len);
/* Every row of t in st as an HTML table; with links, edit links and delete buttons. */
void web_render_rows(struct web_req *r, const struct conf_store *st, const struct conf_table *t,
		     int links);

/* ---- pages ---- */
void web_page_status(struct web_req *r);
void web_page_table(struct web_req *r);   /* /table/<Name>[/<index>[/delete]] */
void web_page_globals(struct web_req *r); /* /globals */
void web_page_tls(struct web_req *r);     /* /tls/<id>[/...] */
void web_page_files(struct web_req *r);   /* /files, /files/ini, /actions/... */
void web_api(struct web_req *r);          /* /api/v1/... */
void web_page_login(struct web_req *r, const char *msg);
void web_do_login(struct web_req *r);
void web_do_logout(struct web_req *r);

/* Pre-login CSRF token bound to the pre-session cookie (HMAC of it). */
void web_login_token(const struct web *w, const char *pre, char *out, size_t len);

/* ---- tlsops.c: TLS context material (read and changed through sbcd: TLS PEM, SHOW and the change
 * verbs) ---- */
struct tls_cert_info;
int web_tlsops_cert_info(struct web_req *r, unsigned ctx, struct tls_cert_info *info,
			 int *key_matches, char *err, size_t errlen);
int web_tlsops_list_roots(struct web_req *r, unsigned ctx, struct tls_cert_info **out, unsigned *n,
			  char *err, size_t errlen);
/* Imports one PEM bundle; *msg (malloc'd) says what happened or why not. 0 OK, -1 refused. */
int web_tlsops_import_roots(struct web_req *r, unsigned ctx, const char *pem, size_t len,
			    char **msg);
int web_tlsops_delete_root(struct web_req *r, unsigned ctx, unsigned index, char **msg);
int web_tlsops_import_cert(struct web_req *r, unsigned ctx, const char *buf, size_t len,
			   char **msg);
int web_tlsops_import_key(struct web_req *r, unsigned ctx, const char *buf, size_t len,
			  const char *pass, char **msg);
int web_tlsops_generate(struct web_req *r, unsigned ctx, const char *subject, int days,
			const char *keytype, char **msg);
/* CSR PEM (malloc'd into *pem) or -1 with *msg. */
int web_tlsops_csr(struct web_req *r, unsigned ctx, const char *subject, char **pem, char **msg);

#endif

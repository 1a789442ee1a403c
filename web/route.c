/*
 * Every request passes here: path checks, security headers, body parsing,
 * authentication (session cookie, client certificate, HTTP Basic for the
 * API), CSRF check of every POST, read-only users kept read-only, then the
 * page. Path segments are matched strictly ([A-Za-z0-9_.-], no dot segments),
 * so no request names a file: nothing is served from disk.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <syslog.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "control/ctl.h"
#include "web/web.h"

void web_route(struct evhttp_request *req, struct web *w, int https);

unsigned web_req_level(const struct web_req *r)
{
	return r->sess ? r->sess->level : r->basic_level;
}

static void sec_headers(struct web_req *r)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

	evhttp_add_header(
	    h, "Content-Security-Policy",
	    "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; "
	    "connect-src 'self'; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "X-Frame-Options", "DENY");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	/* pages never; the static assets for 10 minutes, so that the Restarting page finds its
	   script and style in the cache while the web server is down */
	evhttp_add_header(h, "Cache-Control", r->cacheable ? "max-age=600" : "no-store");
	if (r->https && r->w->cfg.https_only)
		evhttp_add_header(h, "Strict-Transport-Security", "max-age=31536000");
}

void web_send(struct web_req *r, int code, const char *ctype, const char *extra_header)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

	sec_headers(r);
	if (ctype)
		evhttp_add_header(h, "Content-Type", ctype);
	if (extra_header) {
		const char *colon = strchr(extra_header, ':');
		char name[64];
		if (colon && (size_t)(colon - extra_header) < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)(colon - extra_header),
				 extra_header);
			evhttp_add_header(h, name, colon + 1 + (colon[1] == ' '));
		}
	}
	evhttp_send_reply(r->req, code, NULL, r->out);
}

void web_redirect(struct web_req *r, const char *location)
{
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Location", location);
	evbuffer_drain(r->out, evbuffer_get_length(r->out));
	web_send(r, 303, "text/plain; charset=utf-8", NULL);
}

void web_error(struct web_req *r, int code, const char *msg)
{
	evbuffer_drain(r->out, evbuffer_get_length(r->out));
	web_page_begin(r, code == 403 ? "Forbidden" : code == 404 ? "Not found" : "Error");
	web_hp(r->out, "<div class=\"note err\" id=\"refusal\">%s</div>", msg);
	web_page_end(r);
	web_send(r, code, "text/html; charset=utf-8", NULL);
}

static int seg_ok(const char *s)
{
	if (!s[0] || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return 0;
	return 1;
}

static int split_path(struct web_req *r, const char *raw)
{
	size_t n;
	char *dec = evhttp_uridecode(raw ? raw : "/", 0, &n);

	if (!dec || n != strlen(dec) || n >= sizeof(r->path) || dec[0] != '/') {
		free(dec);
		return -1;
	}
	memcpy(r->path, dec, n + 1);
	memcpy(r->segbuf, dec, n + 1);
	free(dec);
	for (char *save = NULL, *t = strtok_r(r->segbuf, "/", &save); t;
	     t = strtok_r(NULL, "/", &save)) {
		if (r->nseg == sizeof(r->seg) / sizeof(r->seg[0]) || !seg_ok(t))
			return -1;
		r->seg[r->nseg++] = t;
	}
	return 0;
}

static const char *cookie(struct web_req *r, const char *name, char *buf, size_t len)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Cookie");
	size_t nl = strlen(name);

	for (const char *p = h; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t n = strcspn(p, ";");
		if (n > nl && !strncmp(p, name, nl) && p[nl] == '=') {
			snprintf(buf, len, "%.*s", (int)(n - nl - 1), p + nl + 1);
			return buf;
		}
		p += n;
	}
	return NULL;
}

static void set_cookie(struct web_req *r, const char *name, const char *value, int remove)
{
	char c[256];

	snprintf(c, sizeof(c), "%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", name, value,
		 r->https ? "; Secure" : "", remove ? "; Max-Age=0" : "");
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Set-Cookie", c);
}

void web_login_token(const struct web *w, const char *pre, char *out, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	out[0] = 0;
	if (!HMAC(EVP_sha256(), w->secret, sizeof(w->secret), (const unsigned char *)pre,
		  strlen(pre), md, &mdlen))
		return;
	for (unsigned i = 0; i < mdlen && 2 * i + 2 < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* WebUsers.SessionTimeout and SessionLimit of user, read over the request's connection. */
static void user_limits(struct web_req *r, const char *user, unsigned *timeout, unsigned *limit)
{
	const struct conf_table *t = &conf_tbl_webusers;
	char err[256];
	struct conf_store *st;
	const struct conf_row *row;
	int ct, cl;

	*timeout = 15, *limit = 2;
	if (!t || !(st = web_sbc_store(r, 0, t, err, sizeof(err))))
		return;
	row = conf_store_find_name(st, t, user);
	ct = WEBUSER_SESSION_TIMEOUT;
	cl = WEBUSER_SESSION_LIMIT;
	if (row && ct >= 0)
		*timeout = (unsigned)conf_row_int(row, ct);
	if (row && cl >= 0)
		*limit = (unsigned)conf_row_int(row, cl);
	conf_store_free(st);
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 40)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* reply (of LOGIN/AS ... TICKET) holds "ticket <hex>": the session keeps it (sbc-web has no
 * right of its own to act for the user later). */
static struct web_session *open_session(struct web_req *r, const char *user, unsigned level,
					int by_cert, const char *reply)
{
	const char *t = reply ? strstr(reply, "ticket ") : NULL;
	unsigned timeout, limit;
	struct web_session *s;

	if (!t || strcspn(t + 7, "\n") != 64) {
		web_log(LOG_ERR, "sbcd gave no session ticket for user %s", user);
		return NULL;
	}
	user_limits(r, user, &timeout, &limit);
	s = web_session_new(user, level, timeout, limit, r->https, by_cert);
	if (s) {
		memcpy(s->ticket, t + 7, 64);
		s->ticket[64] = 0;
		set_cookie(r, "sbcsid", s->id, 0);
	}
	return s;
}

/* The TLS connection of a request; NULL over plain HTTP. */
static SSL *req_ssl(struct web_req *r)
{
	struct bufferevent *bev =
	    evhttp_connection_get_bufferevent(evhttp_request_get_connection(r->req));

	return r->https && bev ? bufferevent_openssl_get_ssl(bev) : NULL;
}

/* The vendor's rule: a client whose own certificate is a trusted root needs no password. */
static void cert_login(struct web_req *r)
{
	struct bufferevent *bev =
	    evhttp_connection_get_bufferevent(evhttp_request_get_connection(r->req));
	SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
	char cn[128], verb[200], err[256], *reply = NULL, *pem = NULL;
	unsigned level;
	long plen;
	BIO *b;

	if (!ssl || !web_tls_peer_is_trusted_leaf(r->w, ssl, cn, sizeof(cn)))
		return;
	if (!name_ok(cn)) {
		web_log(LOG_WARNING, "https: client %s: trusted certificate CN is no user name",
			r->peer);
		return;
	}
	if (!(r->ctl = ctl_open(r->w->sock, err, sizeof(err))))
		return;
	/* sbcd checks the certificate itself (a trusted root of context 0 named cn) */
	snprintf(verb, sizeof(verb), "AS %s TICKET", cn);
	if (!(b = BIO_new(BIO_s_mem())) || !PEM_write_bio_X509(b, SSL_get0_peer_certificate(ssl)) ||
	    (plen = BIO_get_mem_data(b, &pem)) <= 0 ||
	    ctl_call(r->ctl, verb, pem, (size_t)plen, &reply, NULL) != 0) {
		BIO_free(b);
		web_log(LOG_WARNING,
			"https: client %s: certificate CN '%s' is no WebUsers user: "
			"password login needed",
			r->peer, cn);
		ctl_close(r->ctl);
		r->ctl = NULL;
		free(reply);
		return;
	}
	BIO_free(b);
	level = (unsigned)strtoul(reply + (strncmp(reply, "level ", 6) ? 0 : 6), NULL, 10);
	r->sess = open_session(r, cn, level, 1, reply);
	OPENSSL_cleanse(reply, strlen(reply));
	free(reply);
	if (r->sess && web_session_bind(r->sess, ssl) < 0) {
		web_session_end(r->sess);
		r->sess = NULL;
	}
	if (r->sess) {
		r->w->cnt.cert_logins++;
		web_log(LOG_NOTICE, "user %s logged in by client certificate from %s", cn, r->peer);
	}
}

void web_do_login(struct web_req *r)
{
	const char *user = web_form_get(&r->form, "username");
	const char *pass = web_form_get(&r->form, "password");
	const char *tok = web_form_get(&r->form, "csrf");
	char pre[80], want[80], err[256], verb[160], *reply = NULL;
	unsigned level;
	int rc;

	if (!cookie(r, "sbcpre", pre, sizeof(pre)) || !tok ||
	    (web_login_token(r->w, pre, want, sizeof(want)), strlen(want) != strlen(tok)) ||
	    CRYPTO_memcmp(want, tok, strlen(want)) != 0) {
		r->w->cnt.csrf_refused++;
		web_page_login(r,
			       "The login form expired (CSRF token missing or wrong): try again.");
		return;
	}
	if (!user || !pass || !name_ok(user)) {
		web_page_login(r, "Enter a user name and a password.");
		return;
	}
	if (!(r->ctl = ctl_open(r->w->sock, err, sizeof(err)))) {
		web_page_login(r, err);
		return;
	}
	snprintf(verb, sizeof(verb), "LOGIN %s FROM %s TICKET", user, r->addr);
	rc = ctl_call(r->ctl, verb, pass, strlen(pass), &reply, NULL);
	if (rc != 0) {
		r->w->cnt.logins_failed++;
		web_log(LOG_WARNING, "login failed for user '%s' from %s: %s", user, r->peer,
			reply ? strtok(reply, "\n") : "no reply");
		ctl_close(r->ctl);
		r->ctl = NULL;
		web_page_login(r, rc < 0 ? "sbcd is not reachable" : reply);
		free(reply);
		return;
	}
	level = (unsigned)strtoul(reply + (strncmp(reply, "level ", 6) ? 0 : 6), NULL, 10);
	struct web_session *sess = open_session(r, user, level, 0, reply);
	OPENSSL_cleanse(reply, strlen(reply));
	free(reply);
	if (!sess) {
		web_page_login(r, "Too many sessions: try again later.");
		return;
	}
	r->w->cnt.logins_ok++;
	web_log(LOG_NOTICE, "user %s logged in from %s (level %u)", user, r->peer, level);
	set_cookie(r, "sbcpre", "", 1);
	web_redirect(r, "/dashboard");
}

void web_page_login(struct web_req *r, const char *msg)
{
	char pre[80], tok[80];

	if (!cookie(r, "sbcpre", pre, sizeof(pre)) || strlen(pre) != 64) {
		if (web_random_hex(pre, 32) < 0) {
			web_error(r, 500, "no randomness");
			return;
		}
		set_cookie(r, "sbcpre", pre, 0);
	}
	web_login_token(r->w, pre, tok, sizeof(tok));
	evbuffer_drain(r->out, evbuffer_get_length(r->out));
	web_page_begin(r, "Log in");
	web_hp(r->out, "<form class=\"login\" method=\"post\" action=\"/login\"><h1>SBC web "
		       "interface</h1>");
	if (msg)
		web_hp(r->out, "<div class=\"note err\" id=\"refusal\">%s</div>", msg);
	web_hp(r->out,
	       "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	       "<label for=\"u\">User name</label><input type=\"text\" id=\"u\" "
	       "name=\"username\" autocomplete=\"username\" autofocus required>"
	       "<label for=\"p\">Password</label><input type=\"password\" id=\"p\" "
	       "name=\"password\" autocomplete=\"current-password\" required>"
	       "<p><button type=\"submit\">Log in</button></p>%-s</form>",
	       tok,
	       r->https ? ""
			: "<p class=\"note warn\">This connection is not "
			  "encrypted.</p>");
	web_page_end(r);
	web_send(r, msg ? 401 : 200, "text/html; charset=utf-8", NULL);
}

void web_do_logout(struct web_req *r)
{
	char verb[96], *reply = NULL;

	web_log(LOG_NOTICE, "user %s logged out (%s)", r->sess->user, r->peer);
	/* sbcd forgets the session's ticket too */
	snprintf(verb, sizeof(verb), "LOGOUT %s", r->sess->ticket);
	web_req_call(r, verb, NULL, 0, &reply, NULL);
	free(reply);
	web_session_end(r->sess);
	r->sess = NULL;
	set_cookie(r, "sbcsid", "", 1);
	web_redirect(r, "/login");
}

static int read_body(struct web_req *r, char **body, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);

	*len = evbuffer_get_length(in);
	*body = malloc(*len + 1);
	if (!*body)
		return -1;
	evbuffer_remove(in, *body, *len);
	(*body)[*len] = 0;
	return 0;
}

static void dispatch(struct web_req *r, enum evhttp_cmd_type cmd)
{
	const char *s0 = r->nseg ? r->seg[0] : "";
	int post = cmd == EVHTTP_REQ_POST;

	if (post) {
		const char *tok = web_form_get(&r->form, "csrf");
		if (!tok || strlen(tok) != 64 || CRYPTO_memcmp(tok, r->sess->csrf, 64) != 0) {
			r->w->cnt.csrf_refused++;
			web_log(LOG_WARNING, "POST %s from %s (user %s) refused: CSRF token %s",
				r->path, r->peer, r->sess->user, tok ? "wrong" : "missing");
			web_error(r, 403,
				  "Refused: the form's CSRF token is missing or wrong. "
				  "Reload the page and try again.");
			return;
		}
		if (!strcmp(s0, "logout")) {
			web_do_logout(r);
			return;
		}
		if (r->sess->level < CTL_LEVEL_ADMIN) {
			web_error(r, 403, "Refused: a monitor user may not change anything.");
			return;
		}
	} else if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		web_error(r, 405, "Method not allowed");
		return;
	}
	if (!r->nseg)
		web_redirect(r, "/dashboard");
	else if (!strcmp(s0, "dashboard") && r->nseg == 1)
		web_page_dashboard(r);
	else if (!strcmp(s0, "dashboard") && r->nseg == 2 && !strcmp(r->seg[1], "charts"))
		web_page_dash_charts(r);
	else if (!strcmp(s0, "status") && r->nseg == 1)
		web_page_status(r);
	else if (!strcmp(s0, "globals") && r->nseg <= 2)
		web_page_globals(r);
	else if (!strcmp(s0, "table"))
		web_page_table(r);
	else if (!strcmp(s0, "tls"))
		web_page_tls(r);
	else if (!strcmp(s0, "files") || !strcmp(s0, "actions"))
		web_page_files(r);
	else if (!strcmp(s0, "login") && !post)
		web_redirect(r, "/dashboard");
	else
		web_error(r, 404, "No such page");
}

/* /metrics: HTTP Basic (a scraper) or a session, monitor level or above; GET only. */
static void metrics(struct web_req *r, enum evhttp_cmd_type cmd)
{
	const char *auth =
	    evhttp_find_header(evhttp_request_get_input_headers(r->req), "Authorization");

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
		web_error(r, 405, "Method not allowed");
		return;
	}
	if (auth && !strncasecmp(auth, "Basic ", 6)) {
		r->sess = NULL; /* explicit credentials win over a cookie */
		if (web_basic_auth(r, auth + 6) < 0)
			r->basic_level = 0;
	}
	if (web_req_level(r) < CTL_LEVEL_MONITOR) {
		web_log(LOG_NOTICE, "metrics: request from %s refused: %s", r->peer,
			auth ? "login failed" : "no credentials");
		evbuffer_add_printf(r->out,
				    "authentication required (HTTP Basic, monitor level)\n");
		web_send(r, 401, "text/plain; charset=utf-8",
			 "WWW-Authenticate: Basic realm=\"SBC\"");
		return;
	}
	web_page_metrics(r);
}

void web_route(struct evhttp_request *req, struct web *w, int https)
{
	struct web_req r = {.w = w, .req = req, .https = https};
	struct evhttp_connection *conn = evhttp_request_get_connection(req);
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
	const char *ctype =
	    evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type");
	char *addr = NULL, sid[80], err[256], *body = NULL;
	ev_uint16_t port = 0;
	size_t blen = 0;

	if (!(r.out = evbuffer_new())) {
		evhttp_send_error(req, 500, NULL);
		return;
	}
	evhttp_connection_get_peer(conn, &addr, &port);
	snprintf(r.peer, sizeof(r.peer), "%s:%u", addr ? addr : "?", port);
	snprintf(r.addr, sizeof(r.addr), "%s",
		 addr && *addr && !strpbrk(addr, " \t\r\n") ? addr : "?");
	if (!uri || split_path(&r, evhttp_uri_get_path(uri)) < 0) {
		web_error(&r, 404, "No such page");
		goto out;
	}
	if (r.nseg == 1 && !strcmp(r.seg[0], "style.css") && cmd == EVHTTP_REQ_GET) {
		r.cacheable = 1;
		evbuffer_add(r.out, web_css, strlen(web_css));
		web_send(&r, 200, "text/css; charset=utf-8", NULL);
		goto out;
	}
	if (r.nseg == 1 && !strcmp(r.seg[0], "reset.js") && cmd == EVHTTP_REQ_GET) {
		r.cacheable = 1;
		evbuffer_add(r.out, web_reset_js, strlen(web_reset_js));
		web_send(&r, 200, "text/javascript; charset=utf-8", NULL);
		goto out;
	}
	if (r.nseg == 1 && !strcmp(r.seg[0], "dash.js") && cmd == EVHTTP_REQ_GET) {
		r.cacheable = 1;
		evbuffer_add(r.out, web_dash_js, strlen(web_dash_js));
		web_send(&r, 200, "text/javascript; charset=utf-8", NULL);
		goto out;
	}
	if (r.nseg == 1 && !strcmp(r.seg[0], "alive") && cmd == EVHTTP_REQ_GET) {
		/* which sbc-web answers: the Reset page reloads once a new one does */
		web_hp(r.out, "%d-%lld\n", (int)getpid(), (long long)w->started);
		web_send(&r, 200, "text/plain; charset=utf-8", NULL);
		goto out;
	}
	if (read_body(&r, &body, &blen) < 0 ||
	    web_form_query(&r.form, evhttp_uri_get_query(uri), err, sizeof(err)) < 0 ||
	    web_form_parse(&r.form, ctype, body, blen, err, sizeof(err)) < 0) {
		web_log(LOG_NOTICE, "%s %s from %s: bad request: %s",
			cmd == EVHTTP_REQ_POST ? "POST" : "request", r.path, r.peer, err);
		if (r.nseg && !strcmp(r.seg[0], "api")) {
			web_hp(r.out, "{\"status\":\"failure\",\"description\":\"");
			evbuffer_add(r.out, err, strlen(err)); /* our own text, no quotes */
			web_hp(r.out, "\"}\n");
			web_send(&r, 400, "application/json", NULL);
		} else {
			web_error(&r, 400, err);
		}
		goto out;
	}
	if (cookie(&r, "sbcsid", sid, sizeof(sid)) && (r.sess = web_session_find(sid)) &&
	    r.sess->https != https)
		r.sess = NULL; /* a session lives on the scheme it was made on */
	if (r.sess && !web_session_cert_ok(r.sess, req_ssl(&r))) {
		web_log(LOG_WARNING,
			"https: client %s: session of %s presented without the certificate it "
			"was opened with: refused",
			r.peer, r.sess->user);
		r.sess = NULL;
	}
	if (r.nseg && !strcmp(r.seg[0], "api")) {
		/* the API keeps the raw body: its handlers read INI and PEM documents */
		evbuffer_add(evhttp_request_get_input_buffer(req), body, blen);
		web_api(&r);
		goto out;
	}
	if (r.nseg == 1 && !strcmp(r.seg[0], "metrics")) {
		metrics(&r, cmd);
		goto out;
	}
	if (r.nseg == 1 && !strcmp(r.seg[0], "login")) {
		if (cmd == EVHTTP_REQ_POST)
			web_do_login(&r);
		else if (r.sess)
			web_redirect(&r, "/dashboard");
		else
			web_page_login(&r, NULL);
		goto out;
	}
	if (!r.sess && https)
		cert_login(&r);
	if (!r.sess) {
		if (cmd == EVHTTP_REQ_POST)
			web_error(&r, 403, "Not logged in (session expired?)");
		else
			web_redirect(&r, "/login");
		goto out;
	}
	dispatch(&r, cmd);
out:
	if (r.ctl)
		ctl_close(r.ctl);
	web_form_free(&r.form);
	free(body);
	evbuffer_free(r.out);
}

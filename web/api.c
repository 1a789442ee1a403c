/*
 * The JSON API, on the vendor's REST paths (doc/WEB.md). Authentication is
 * HTTP Basic (checked by sbcd's LOGIN, so lockout applies) or the session
 * cookie with the X-CSRF-Token header on changes. A 401 carries no
 * WWW-Authenticate challenge: browsers then never cache Basic credentials,
 * which would let other sites' forms reach the API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "control/ctl.h"
#include "web/web.h"

static void json_str(struct evbuffer *b, const char *s, size_t len)
{
	evbuffer_add(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			evbuffer_add_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&')
			evbuffer_add_printf(b, "\\u%04x", c);
		else
			evbuffer_add(b, &s[i], 1);
	}
	evbuffer_add(b, "\"", 1);
}

/* {"status":..., "description":..., "errors":[lines of reply]} */
static void reply_json(struct web_req *r, int code, const char *desc, const char *reply)
{
	evbuffer_drain(r->out, evbuffer_get_length(r->out));
	evbuffer_add_printf(
	    r->out, "{\"status\":\"%s\",\"description\":", code < 300 ? "success" : "failure");
	json_str(r->out, desc, strlen(desc));
	evbuffer_add_printf(r->out, ",\"%s\":[", code < 300 ? "messages" : "errors");
	int first = 1;
	for (const char *l = reply; l && *l;) {
		size_t n = strcspn(l, "\n");
		if (n && !web_machine_line(l)) { /* '#code', '#access': for programs */
			if (!first)
				evbuffer_add(r->out, ",", 1);
			json_str(r->out, l, n);
			first = 0;
		}
		l += n + (l[n] != 0);
	}
	evbuffer_add(r->out, "]", 1);
	/* what changes how the device is reached after the reset: {setting, now, afterReset} */
	char tok[3][256];
	first = 1;
	for (const char *l = reply; code < 300 && web_access_next(&l, tok); first = 0) {
		evbuffer_add_printf(r->out, "%s{\"setting\":", first ? ",\"access\":[" : ",");
		json_str(r->out, tok[0], strlen(tok[0]));
		evbuffer_add_printf(r->out, ",\"now\":");
		json_str(r->out, tok[1], strlen(tok[1]));
		evbuffer_add_printf(r->out, ",\"afterReset\":");
		json_str(r->out, tok[2], strlen(tok[2]));
		evbuffer_add(r->out, "}", 1);
	}
	if (!first)
		evbuffer_add(r->out, "]", 1);
	if (code >= 300 && conf_diag_reply_code(reply) != CONF_C_NONE)
		evbuffer_add_printf(r->out, ",\"code\":\"%s\"",
				    conf_code_name(conf_diag_reply_code(reply)));
	evbuffer_add(r->out, "}\n", 2);
	web_send(r, code, "application/json", NULL);
}

/* The HTTP status of a refusal, from the code sbcd gave its first problem. */
static int refusal_status(int rc, const char *reply)
{
	if (rc < 0)
		return 502;
	switch (conf_diag_reply_code(reply)) {
	case CONF_C_PERMISSION:
		return 403;
	case CONF_C_REFUSED:
		return 409; /* valid, but a consumer cannot apply it now */
	case CONF_C_RESOURCE:
		return 503;
	default:
		return 422;
	}
}

int web_basic_auth(struct web_req *r, const char *h)
{
	unsigned char dec[256];
	char verb[160], err[256], *reply = NULL, *colon;
	size_t n = strlen(h);
	int len, rc;

	while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
		n--;
	if (n == 0 || n > 340 || n % 4)
		return -1;
	len = EVP_DecodeBlock(dec, (const unsigned char *)h, (int)n);
	if (len < 0)
		return -1;
	len -= (h[n - 1] == '=') + (h[n - 2] == '=');
	dec[len] = 0;
	if ((int)strlen((char *)dec) != len || !(colon = strchr((char *)dec, ':')))
		return -1;
	*colon = 0;
	if (!dec[0] || strlen((char *)dec) > 40 || strpbrk((char *)dec, " \t\r\n"))
		return -1;
	if (!(r->ctl = ctl_open(r->w->sock, err, sizeof(err))))
		return -1;
	snprintf(verb, sizeof(verb), "LOGIN %s FROM %s", (char *)dec, r->addr);
	rc = ctl_call(r->ctl, verb, colon + 1, strlen(colon + 1), &reply, NULL);
	OPENSSL_cleanse(dec, sizeof(dec));
	if (rc != 0) {
		r->w->cnt.logins_failed++;
		web_log(LOG_WARNING, "api: login failed for user '%.*s' from %s: %s",
			(int)strcspn(verb + 6, " "), verb + 6, r->peer,
			reply ? strtok(reply, "\n") : "sbcd unreachable");
		ctl_close(r->ctl);
		r->ctl = NULL;
		free(reply);
		return -1;
	}
	snprintf(r->basic_user, sizeof(r->basic_user), "%.*s", (int)strcspn(verb + 6, " "),
		 verb + 6);
	r->basic_level = (unsigned)strtoul(reply + (strncmp(reply, "level ", 6) ? 0 : 6), NULL, 10);
	free(reply);
	return 0;
}

/* Origin, when a browser sends it, must be this server. */
static int same_origin(struct web_req *r)
{
	struct evkeyvalq *in = evhttp_request_get_input_headers(r->req);
	const char *o = evhttp_find_header(in, "Origin"), *host = evhttp_find_header(in, "Host");
	char want[400];

	if (!o)
		return 1;
	snprintf(want, sizeof(want), "%s://%s", r->https ? "https" : "http", host ? host : "");
	return !strcasecmp(o, want);
}

static void body_of(struct web_req *r, const char **body, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);

	for (unsigned i = 0; i < r->form.n; i++)
		if (r->form.f[i].filename) {
			*body = r->form.f[i].value;
			*len = r->form.f[i].len;
			return;
		}
	*len = evbuffer_get_length(in);
	*body = (const char *)evbuffer_pullup(in, -1);
	if (!*body)
		*body = "";
}

static void status(struct web_req *r)
{
	static const char *const keys[] = {"version", "uptime", "changes", "saves", "unsaved"};
	const struct web_counters *c = &r->w->cnt;
	char *info = web_sbc_info(r), *pend = web_sbc_pending(r), val[256];

	evbuffer_add(r->out, "{", 1);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		web_info_get(info, keys[i], val, sizeof(val));
		evbuffer_add_printf(r->out, "\"%s\":", keys[i]);
		json_str(r->out, val, strlen(val));
		evbuffer_add(r->out, ",", 1);
	}
	evbuffer_add(r->out, "\"pendingReset\":[", 16);
	int first = 1;
	for (const char *l = pend; l && *l;) {
		size_t n = strcspn(l, "\n");
		if (n && !web_machine_line(l)) {
			evbuffer_add_printf(r->out, "%s", first ? "" : ",");
			json_str(r->out, l, n);
			first = 0;
		}
		l += n + (l[n] != 0);
	}
	evbuffer_add_printf(
	    r->out,
	    "],\"web\":{\"httpsOnly\":%d,\"httpsRequireClientCertificate\":%d,"
	    "\"httpsPort\":%u,\"httpPort\":%u,\"tlsHandshakes\":%lu,"
	    "\"refusedNoCertificate\":%lu,\"refusedCertificate\":%lu,"
	    "\"refusedOther\":%lu,\"abortedByClient\":%lu,\"logins\":%lu,"
	    "\"certificateLogins\":%lu,\"failedLogins\":%lu,\"csrfRefused\":%lu}}\n",
	    r->w->cfg.https_only, r->w->cfg.require_cert, r->w->cfg.https_port, r->w->cfg.http_port,
	    c->tls_ok, c->refused_nocert, c->refused_verify, c->refused_other, c->aborted_by_peer,
	    c->logins_ok, c->cert_logins, c->logins_failed, c->csrf_refused);
	free(info);
	free(pend);
	web_send(r, 200, "application/json", NULL);
}

static void call(struct web_req *r, const char *verb, const char *body, size_t len,
		 const char *what)
{
	char *reply = NULL;
	int rc = web_req_call(r, verb, body, len, &reply, NULL);

	if (rc == 0)
		reply_json(r, 200, what, reply);
	else
		reply_json(r, refusal_status(rc, reply),
			   rc < 0 ? "sbcd is not reachable" : "refused: nothing was changed",
			   reply);
	free(reply);
}

void web_api(struct web_req *r)
{
	enum evhttp_cmd_type cmd = evhttp_request_get_command(r->req);
	const char *auth =
	    evhttp_find_header(evhttp_request_get_input_headers(r->req), "Authorization");
	const char *p = r->path, *body;
	size_t len;

	if (auth && !strncasecmp(auth, "Basic ", 6)) {
		r->sess = NULL; /* explicit credentials win over a cookie */
		if (web_basic_auth(r, auth + 6) < 0) {
			reply_json(r, 401, "authentication failed", NULL);
			return;
		}
	} else if (!r->sess) {
		reply_json(r, 401, "authentication required (HTTP Basic or session)", NULL);
		return;
	} else if (cmd != EVHTTP_REQ_GET) {
		const char *tok =
		    evhttp_find_header(evhttp_request_get_input_headers(r->req), "X-CSRF-Token");
		if (!tok || strlen(tok) != 64 || CRYPTO_memcmp(tok, r->sess->csrf, 64) != 0) {
			r->w->cnt.csrf_refused++;
			reply_json(r, 403, "X-CSRF-Token header missing or wrong", NULL);
			return;
		}
	}
	if (!same_origin(r)) {
		reply_json(r, 403, "cross-origin request refused", NULL);
		return;
	}
	if (cmd != EVHTTP_REQ_GET && web_req_level(r) < CTL_LEVEL_ADMIN) {
		reply_json(r, 403, "permission denied: monitor users are read-only", NULL);
		return;
	}
	body_of(r, &body, &len);
	if (!strcmp(p, "/api/v1/status") && cmd == EVHTTP_REQ_GET) {
		status(r);
	} else if (!strcmp(p, "/api/v1/files/ini") && cmd == EVHTTP_REQ_GET) {
		char *reply = NULL;
		size_t rlen = 0;
		if (web_req_call(r, "EXPORT", NULL, 0, &reply, &rlen) == 0) {
			evbuffer_add(r->out, reply, rlen);
			web_send(r, 200, "text/plain; charset=utf-8",
				 "Content-Disposition: attachment; filename=\"board.ini\"");
		} else {
			reply_json(r, 502, "export failed", reply);
		}
		free(reply);
	} else if (!strcmp(p, "/api/v1/files/ini") && cmd == EVHTTP_REQ_PUT) {
		call(r, "LOAD replace api.ini", body, len, "configuration replaced");
	} else if (!strcmp(p, "/api/v1/files/ini/incremental") && cmd == EVHTTP_REQ_PUT) {
		call(r, "LOAD incremental api.ini", body, len, "configuration updated");
	} else if (!strcmp(p, "/api/v1/actions/saveConfiguration") && cmd == EVHTTP_REQ_POST) {
		call(r, "SAVE", NULL, 0, "saved to flash");
	} else if (!strcmp(p, "/api/v1/actions/reset") && cmd == EVHTTP_REQ_POST) {
		call(r, "RESET", NULL, 0, "resetting");
	} else if (r->nseg == 7 && !strcmp(r->seg[2], "files") && !strcmp(r->seg[3], "tls") &&
		   !strcmp(r->seg[5], "trustedRoot") && !strcmp(r->seg[6], "incremental") &&
		   cmd == EVHTTP_REQ_PUT) {
		char *end, *msg = NULL;
		unsigned long ctx = strtoul(r->seg[4], &end, 10);
		if (*end || r->seg[4][0] == '-' || ctx > 99) {
			reply_json(r, 404, "no such TLS context", NULL);
			return;
		}
		int rc = web_tlsops_import_roots(r, (unsigned)ctx, body, len, &msg);
		reply_json(r, rc == 0 ? 200 : refusal_status(0, msg),
			   rc == 0 ? "trusted roots imported" : "refused: nothing was changed",
			   msg);
		free(msg);
	} else {
		reply_json(r, 404, "no such resource or method", NULL);
	}
}

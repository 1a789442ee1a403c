/*
 * Listeners: plain HTTP and HTTPS, each an evhttp of its own so the HTTPS one
 * can hand evhttp OpenSSL bufferevents. With HTTPSOnly the HTTP listener only
 * redirects (301) to the same path over HTTPS.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "web/web.h"

void web_route(struct evhttp_request *req, struct web *w, int https);

static void on_https(struct evhttp_request *req, void *arg)
{
	if (!web_ocsp_hold(arg, req)) /* OCSP of the client certificate still asked: held */
		web_route(req, arg, 1);
}

/* Host header without the port, when it is a plain host name or address literal. */
static void redirect_host(struct evhttp_request *req, const struct web *w, char *out, size_t len)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Host");
	size_t n = 0;

	if (h && h[0] == '[') {
		const char *e = strchr(h, ']');
		n = e ? (size_t)(e - h) + 1 : 0;
	} else if (h) {
		n = strcspn(h, ":");
	}
	for (size_t i = 0; h && i < n; i++)
		if (!isalnum((unsigned char)h[i]) && !strchr(".-[]:", h[i]))
			n = 0;
	if (!h || n == 0 || n >= len) {
		if (strchr(w->cfg.address, ':'))
			snprintf(out, len, "[%s]", w->cfg.address);
		else
			snprintf(out, len, "%s", w->cfg.address);
		return;
	}
	memcpy(out, h, n);
	out[n] = 0;
}

static void on_http(struct evhttp_request *req, void *arg)
{
	struct web *w = arg;
	char host[300], loc[2400];
	const char *uri = evhttp_request_get_uri(req);
	struct evbuffer *b;

	if (!w->cfg.https_only) {
		web_route(req, w, 0);
		return;
	}
	redirect_host(req, w, host, sizeof(host));
	if (!uri || uri[0] != '/' || strlen(uri) > 2000 || strpbrk(uri, "\r\n"))
		uri = "/";
	if (w->cfg.https_port == 443)
		snprintf(loc, sizeof(loc), "https://%s%s", host, uri);
	else
		snprintf(loc, sizeof(loc), "https://%s:%u%s", host, w->cfg.https_port, uri);
	w->cnt.redirects++;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Location", loc);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
			  "text/plain; charset=utf-8");
	b = evbuffer_new();
	if (b)
		evbuffer_add_printf(b, "HTTPS only: %s\n", loc);
	evhttp_send_reply(req, 301, "Moved Permanently", b);
	if (b)
		evbuffer_free(b);
}

static struct bufferevent *https_bev(struct event_base *base, void *arg)
{
	struct web *w = arg;
	SSL *ssl = web_tls_new_ssl(w);
	struct bufferevent *bev;

	if (!ssl) {
		web_log(LOG_ERR, "https: no TLS context: connection dropped");
		return NULL;
	}
	bev = bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
					     BEV_OPT_CLOSE_ON_FREE);
	if (!bev) {
		SSL_free(ssl);
		return NULL;
	}
	/* browsers and curl often close without close_notify; that is no error here */
	bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
	return bev;
}

static struct evhttp *make(struct web *w, unsigned port, int https, char *err, size_t errlen)
{
	struct evhttp *h = evhttp_new(w->base);

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	evhttp_set_timeout(h, WEB_TIMEOUT_S);
	evhttp_set_max_body_size(h, WEB_MAX_BODY);
	evhttp_set_max_headers_size(h, WEB_MAX_HEADERS);
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
					  EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_default_content_type(h, "text/html; charset=utf-8");
	if (https) {
		evhttp_set_bevcb(h, https_bev, w);
		evhttp_set_gencb(h, on_https, w);
	} else {
		evhttp_set_gencb(h, on_http, w);
	}
	if (!evhttp_bind_socket_with_handle(h, w->cfg.address, (ev_uint16_t)port)) {
		snprintf(err, errlen, "cannot listen on %s port %u (%s)", w->cfg.address, port,
			 https ? "HTTPS" : "HTTP");
		evhttp_free(h);
		return NULL;
	}
	web_log(LOG_INFO, "%s listening on %s port %u%s", https ? "https" : "http", w->cfg.address,
		port, !https && w->cfg.https_only ? " (redirects to HTTPS)" : "");
	return h;
}

int web_listen(struct web *w, char *err, size_t errlen)
{
	if (w->cfg.https_port && !(w->https = make(w, w->cfg.https_port, 1, err, errlen)))
		return -1;
	if (w->cfg.http_port && !(w->http = make(w, w->cfg.http_port, 0, err, errlen)))
		return -1;
	if (!w->http && !w->https) {
		snprintf(err, errlen, "HTTPPort and HTTPSPort are both 0: nothing to serve");
		return -1;
	}
	return 0;
}

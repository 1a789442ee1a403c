/*
 * sbc-web: start-up. Reads the WEB Params and TLS context 0 from sbcd once
 * (reset-required settings: the active values, i.e. running values corrected
 * by PENDING), builds the HTTPS context, listens, and serves until SIGTERM.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/rand.h>

#include "conf/num.h"
#include "control/ctl.h"
#include "ini/ini.h"
#include "web/web.h"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: sbc-web [--socket PATH] [--http-port N] [--https-port N]\n"
	    "               [--address ADDR] [--syslog]\n"
	    "  --socket PATH     sbcd's control socket (default $SBC_SOCKET or " CTL_DEFAULT_SOCKET
	    ")\n"
	    "  --http-port N     override HTTPPort (tests; 0 turns HTTP off)\n"
	    "  --https-port N    override HTTPSPort (tests; 0 turns HTTPS off)\n"
	    "  --address ADDR    override WebAddress\n"
	    "  --syslog          log to syslog as well as stderr\n");
}

/* "pending reset: Name = running (active X)": put X back for the WEB Params. */
static void apply_active(struct conf_store *st, const char *pending)
{
	const struct conf_table *g = conf_globals();
	struct conf_row *row = conf_store_get(st, g, 0);
	char name[128], err[128];

	for (const char *l = pending; row && l && *l;) {
		size_t n = strcspn(l, "\n");
		char *full = strndup(l, n), *line, *eq, *act, *end;
		l += n + (l[n] != 0);
		/* PENDING lines read "warning: pending reset: ..." */
		line = full ? strstr(full, "pending reset: ") : NULL;
		if (!line || !(eq = strstr(line, " = ")) || !(act = strstr(eq, " (active ")) ||
		    !(end = strrchr(act, ')'))) {
			free(full);
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(eq - line - 15), line + 15);
		*end = 0;
		int c = conf_column_find(g, name);
		if (c >= 0 && g->cols[c].section && !strcmp(g->cols[c].section, "WEB Params") &&
		    conf_row_set_text(g, row, c, act + 9, err, sizeof(err)) == 0)
			web_log(LOG_NOTICE, "%s changed to %.*s waits for a reset: using %s", name,
				(int)(act - eq - 3), eq + 3, act + 9);
		free(full);
	}
}

static struct conf_store *fetch(const char *sock, char *err, size_t errlen)
{
	struct conf_store *st = conf_store_new();
	char *reply = NULL, *pend = NULL;
	size_t rlen = 0, plen = 0;
	struct conf_diag d;
	int rc = -1;

	conf_diag_init(&d);
	/* sbcd may still be starting: try for ten seconds */
	for (int i = 0; i < 100; i++) {
		free(reply);
		if ((rc = web_sbc_call(sock, "EXPORT", &reply, &rlen)) >= 0)
			break;
		usleep(100000);
	}
	if (rc != 0 || !st || ini_load(st, reply, rlen, "EXPORT", INI_INCREMENTAL, 0, &d) < 0 ||
	    web_sbc_call(sock, "PENDING", &pend, &plen) != 0) {
		char *m = conf_diag_join(&d);
		snprintf(err, errlen, "cannot read the configuration from sbcd (%s): %s%s", sock,
			 reply ? reply : "", m ? m : "");
		free(m);
		conf_store_free(st);
		st = NULL;
	} else {
		apply_active(st, pend);
	}
	conf_diag_free(&d);
	free(reply);
	free(pend);
	return st;
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
	struct web *w = arg;

	struct timeval flush = {0, 300000};

	web_log(LOG_INFO, "signal %d: stopping", (int)fd);
	/* replies already queued (the Reset page, sent just before sbcd stops us) go out first */
	event_base_loopexit(w->base, &flush);
}

static int config_from(struct web *w, const struct conf_store *st)
{
	w->cfg.https_only = (int)conf_globals_int(st, GLOBALS_HTTPS_ONLY);
	w->cfg.require_cert = (int)conf_globals_int(st, GLOBALS_HTTPS_REQUIRE_CLIENT_CERTIFICATE);
	snprintf(w->cfg.ciphers, sizeof(w->cfg.ciphers), "%s",
		 conf_globals_str(st, GLOBALS_HTTPS_CIPHER_STRING));
	w->cfg.https_port = (unsigned)conf_globals_int(st, GLOBALS_HTTPS_PORT);
	w->cfg.http_port = (unsigned)conf_globals_int(st, GLOBALS_HTTP_PORT);
	snprintf(w->cfg.address, sizeof(w->cfg.address), "%s",
		 conf_globals_str(st, GLOBALS_WEB_ADDRESS));
	if (!w->cfg.address[0])
		snprintf(w->cfg.address, sizeof(w->cfg.address), "0.0.0.0");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"socket", required_argument, NULL, 'S'},
					     {"http-port", required_argument, NULL, 'H'},
					     {"https-port", required_argument, NULL, 'T'},
					     {"address", required_argument, NULL, 'A'},
					     {"syslog", no_argument, NULL, 'L'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	static struct web w;
	const char *sock = NULL, *addr = NULL;
	long long http_port = -1, https_port = -1;
	struct event *sigs[2];
	struct conf_store *st;
	char err[1024];
	unsigned logf = LOG_F_STDERR | LOG_F_STAMP;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			sock = optarg;
			break;
		case 'H':
			if (conf_num_parse("--http-port", optarg, 0, 65535, &http_port, err,
					   sizeof(err)) < 0)
				goto bad_number;
			break;
		case 'T':
			if (conf_num_parse("--https-port", optarg, 0, 65535, &https_port, err,
					   sizeof(err)) < 0)
				goto bad_number;
			break;
		case 'A':
			addr = optarg;
			break;
		case 'L':
			logf |= LOG_F_SYSLOG;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (0) {
	bad_number:
		fprintf(stderr, "sbc-web: %s\n", err);
		return 2;
	}
	log_open("sbc-web", logf, LOG_DAEMON >> 3);
	signal(SIGPIPE, SIG_IGN);
	snprintf(w.sock, sizeof(w.sock), "%s", ctl_socket_path(sock));
	w.started = time(NULL);
	if (RAND_bytes(w.secret, sizeof(w.secret)) != 1) {
		web_log(LOG_ERR, "no randomness");
		return 1;
	}
	if (!(st = fetch(w.sock, err, sizeof(err)))) {
		web_log(LOG_ERR, "%s", err);
		return 1;
	}
	config_from(&w, st);
	if (http_port >= 0)
		w.cfg.http_port = (unsigned)http_port;
	if (https_port >= 0)
		w.cfg.https_port = (unsigned)https_port;
	if (addr)
		snprintf(w.cfg.address, sizeof(w.cfg.address), "%s", addr);
	web_log(LOG_INFO,
		"settings: HTTPSOnly %d, HTTPSRequireClientCertificate %d, HTTPSPort %u, "
		"HTTPPort %u, WebAddress %s, HTTPSCipherString %s",
		w.cfg.https_only, w.cfg.require_cert, w.cfg.https_port, w.cfg.http_port,
		w.cfg.address, w.cfg.ciphers);
	if (w.cfg.https_port) {
		/* certificate, key and roots from sbcd (TLS WEBCRED): the web reads no flash */
		if (web_tls_init(&w, err, sizeof(err)) < 0) {
			/* never fall back to plain HTTP: that could bypass HTTPSOnly */
			web_log(LOG_ERR, "https: TLS context 0 unusable: %s", err);
			conf_store_free(st);
			return 1;
		}
	}
	conf_store_free(st);
	if (!(w.base = event_base_new()) || web_listen(&w, err, sizeof(err)) < 0) {
		web_log(LOG_ERR, "%s", w.base ? err : "cannot create the event loop");
		goto out;
	}
	if (web_tls_watch(&w) < 0) {
		web_log(LOG_ERR, "https: cannot watch TLS context 0 for changes");
		goto out;
	}
	sigs[0] = evsignal_new(w.base, SIGTERM, on_signal, &w);
	sigs[1] = evsignal_new(w.base, SIGINT, on_signal, &w);
	for (int i = 0; i < 2; i++)
		if (sigs[i])
			event_add(sigs[i], NULL);
	web_log(LOG_INFO, "ready (sbcd %s)", w.sock);
	event_base_dispatch(w.base);
	for (int i = 0; i < 2; i++)
		if (sigs[i])
			event_free(sigs[i]);
	rc = 0;
out:
	if (w.http)
		evhttp_free(w.http);
	if (w.https)
		evhttp_free(w.https);
	if (w.base)
		event_base_free(w.base);
	web_tls_free(&w);
	return rc;
}

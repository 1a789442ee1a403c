/* The status page: sbcd's INFO, the web server's own settings and counters, status tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

void web_page_status(struct web_req *r)
{
	static const char *const keys[] = {"version", "uptime",  "flash",  "changes",
					   "saves",   "unsaved", "pending"};
	const struct web_counters *c = &r->w->cnt;
	const struct web_config *cfg = &r->w->cfg;
	char *info = web_sbc_info(r), val[512], err[256];
	struct conf_store *st;

	web_page_begin(r, "Status");
	web_hp(r->out, "<h2>Device</h2><table class=\"kv\">");
	if (!info)
		web_hp(r->out, "<tr><td colspan=\"2\">sbcd does not answer</td></tr>");
	for (unsigned i = 0; info && i < sizeof(keys) / sizeof(keys[0]); i++) {
		web_info_get(info, keys[i], val, sizeof(val));
		if (!strcmp(keys[i], "uptime")) {
			long s = strtol(val, NULL, 10);
			snprintf(val, sizeof(val), "%ldd %02ld:%02ld:%02ld", s / 86400,
				 s / 3600 % 24, s / 60 % 60, s % 60);
		}
		web_hp(r->out, "<tr><th>%s</th><td id=\"info-%s\">%s</td></tr>", keys[i], keys[i],
		       val);
	}
	web_hp(r->out,
	       "</table><h2>Web interface (settings in effect since its start)</h2>"
	       "<table class=\"kv\">"
	       "<tr><th>HTTPSOnly</th><td>%d</td></tr>"
	       "<tr><th>HTTPSRequireClientCertificate</th><td>%d</td></tr>"
	       "<tr><th>HTTPSPort / HTTPPort</th><td>%u / %u</td></tr>"
	       "<tr><th>WebAddress</th><td>%s</td></tr>"
	       "<tr><th>HTTPSCipherString</th><td>%s</td></tr>"
	       "<tr><th>This connection</th><td>%-s from %s</td></tr></table>",
	       cfg->https_only, cfg->require_cert, cfg->https_port, cfg->http_port, cfg->address,
	       cfg->ciphers, r->https ? "HTTPS" : "HTTP", r->peer);
	web_hp(r->out,
	       "<h2>Web counters</h2><table class=\"kv\">"
	       "<tr><th>HTTPS handshakes completed</th><td>%lu</td></tr>"
	       "<tr><th>Refused: no client certificate</th><td id=\"cnt-nocert\">%lu</td></tr>"
	       "<tr><th>Refused: client certificate not verified</th><td id=\"cnt-verify\">"
	       "%lu</td></tr>"
	       "<tr><th>Refused: other handshake failures</th><td>%lu</td></tr>"
	       "<tr><th>Handshakes ended by the client</th><td>%lu</td></tr>"
	       "<tr><th>Logins (password / certificate / failed)</th><td>%lu / %lu / %lu"
	       "</td></tr><tr><th>CSRF refusals</th><td>%lu</td></tr>"
	       "<tr><th>HTTP to HTTPS redirects</th><td>%lu</td></tr></table>",
	       c->tls_ok, c->refused_nocert, c->refused_verify, c->refused_other,
	       c->aborted_by_peer, c->logins_ok, c->cert_logins, c->logins_failed, c->csrf_refused,
	       c->redirects);
	free(info);
	if ((st = web_sbc_store(r, 1, NULL, err, sizeof(err)))) {
		for (unsigned i = 0; i < conf_ntables; i++) {
			const struct conf_table *t = conf_tables[i];
			if (!(t->flags & CONF_TF_STATUS))
				continue;
			web_hp(r->out, "<h2>%s</h2><p class=\"help\">%s</p>", t->name, t->help);
			web_render_rows(r, st, t, 0);
		}
		conf_store_free(st);
	} else {
		web_show_notice(r, "warn", err);
	}
	web_page_end(r);
	web_send(r, 200, "text/html; charset=utf-8", NULL);
}

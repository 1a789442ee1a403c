/*
 * HTML output. web_hp escapes every %s argument, so markup can only come from
 * format strings (and %-s, used for our own literal fragments): nothing an
 * operator or a peer wrote reaches the page unescaped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/web.h"

void web_esc(struct evbuffer *b, const char *s, size_t len)
{
	size_t start = 0;

	for (size_t i = 0; i < len; i++) {
		const char *rep = NULL;
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		case 0:
			rep = "\xef\xbf\xbd";
			break;
		}
		if (rep) {
			evbuffer_add(b, s + start, i - start);
			evbuffer_add(b, rep, strlen(rep));
			start = i + 1;
		}
	}
	evbuffer_add(b, s + start, len - start);
}

void web_hp(struct evbuffer *b, const char *fmt, ...)
{
	va_list ap;
	const char *p = fmt, *s;

	va_start(ap, fmt);
	while (*p) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			evbuffer_add(b, p, strlen(p));
			break;
		}
		evbuffer_add(b, p, (size_t)(pct - p));
		p = pct + 1;
		switch (*p) {
		case 's':
			s = va_arg(ap, const char *);
			if (s)
				web_esc(b, s, strlen(s));
			break;
		case '-': /* %-s: raw */
			if (p[1] != 's') {
				evbuffer_add(b, "%", 1);
				continue;
			}
			p++;
			s = va_arg(ap, const char *);
			if (s)
				evbuffer_add(b, s, strlen(s));
			break;
		case 'd':
			evbuffer_add_printf(b, "%d", va_arg(ap, int));
			break;
		case 'u':
			evbuffer_add_printf(b, "%u", va_arg(ap, unsigned));
			break;
		case 'c':
			evbuffer_add_printf(b, "%c", va_arg(ap, int));
			break;
		case 'z':
			p++; /* %zu */
			evbuffer_add_printf(b, "%zu", va_arg(ap, size_t));
			break;
		case 'l':
			if (p[1] == 'l') {
				p += 2; /* %lld */
				evbuffer_add_printf(b, "%lld", va_arg(ap, long long));
			} else if (p[1] == 'u') {
				p++;
				evbuffer_add_printf(b, "%lu", va_arg(ap, unsigned long));
			} else {
				p++;
				evbuffer_add_printf(b, "%ld", va_arg(ap, long));
			}
			break;
		case '%':
			evbuffer_add(b, "%", 1);
			break;
		default:
			evbuffer_add(b, "%", 1);
			continue;
		}
		p++;
	}
	va_end(ap);
}

const char web_css[] =
    "*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,sans-serif;"
    "color:#1d2330;background:#f3f5f8;display:flex;min-height:100vh}"
    "nav{width:220px;background:#1f3047;color:#dfe6ef;padding:14px 0;flex:none}"
    "nav .brand{font-weight:700;font-size:16px;padding:0 16px 10px;color:#fff}"
    "nav a{display:block;color:#c9d4e3;text-decoration:none;padding:5px 16px}"
    "nav a:hover,nav a.on{background:#2d4564;color:#fff}"
    "nav .grp{font-size:11px;text-transform:uppercase;color:#8ea2bd;padding:12px 16px 3px}"
    "nav form{padding:10px 16px}main{flex:1;padding:18px 28px;max-width:1200px}"
    "h1{font-size:20px;margin:0 0 12px}h2{font-size:16px;margin:22px 0 8px}"
    ".who{float:right;color:#56637a;font-size:13px}"
    "table{border-collapse:collapse;background:#fff;width:100%;margin:6px 0 14px}"
    "th,td{border:1px solid #d8dee8;padding:5px 8px;text-align:left;vertical-align:top}"
    "th{background:#e8edf4;font-weight:600}tr:nth-child(even) td{background:#fafbfd}"
    "td.help{color:#5b667a;font-size:12px}code,pre{font-family:ui-monospace,monospace}"
    "pre{background:#fff;border:1px solid #d8dee8;padding:8px;overflow:auto}"
    "input[type=text],input[type=password],input[type=number],select,textarea{"
    "font:inherit;padding:4px 6px;border:1px solid #b7c2d3;border-radius:3px;width:100%}"
    "button,.btn{font:inherit;padding:5px 14px;border:1px solid #27527f;"
    "background:#2f6aa6;color:#fff;border-radius:3px;cursor:pointer;text-decoration:none;"
    "display:inline-block}button.danger{background:#b3382c;border-color:#8c2a20}"
    "button.plain{background:#fff;color:#27527f}"
    ".note{padding:8px 12px;border-radius:3px;margin:8px 0;border:1px solid}"
    ".err{background:#fdecea;border-color:#e6a39b;color:#7d1f15}"
    ".ok{background:#e9f6ec;border-color:#9fd3ab;color:#1d5a2b}"
    ".warn{background:#fff6e0;border-color:#e8c972;color:#6a4d00}"
    ".badge{font-size:11px;padding:1px 6px;border-radius:8px;background:#e1e7f0;"
    "color:#3a4a63;margin-left:4px}.badge.reset{background:#fde7c8;color:#7a4800}"
    ".bad td{background:#fdecea!important}.inline{display:inline}"
    "fieldset{border:1px solid #d8dee8;background:#fff;margin:10px 0;padding:8px 12px}"
    "legend{font-weight:600}.login{margin:60px auto;max-width:360px;background:#fff;"
    "padding:20px 24px;border:1px solid #d8dee8}.login label{display:block;margin:10px 0 3px}"
    ".scroll{overflow-x:auto}.w22{width:22%}.w34{width:34%}input.narrow{width:8em}"
    "input.mid{max-width:420px}input.short{max-width:220px}button.plain,a.btn.plain{background:#"
    "fff;color:#27527f}"
    "ul.plain{margin:0;padding-left:0;list-style:none}td code{word-break:break-all;font-size:11px}"
    ".actions{margin:10px 0;display:flex;gap:8px;flex-wrap:wrap;align-items:center}"
    /* dashboard charts (page_dash.c) */
    ".charts{display:flex;flex-wrap:wrap;gap:10px}.chart{margin:0;background:#fff;"
    "border:1px solid #d8dee8;padding:6px}.chart figcaption{font-weight:600;font-size:13px}"
    ".legend{margin:4px 0 8px}.legend .key{margin-right:14px;font-size:13px}"
    ".note.actions{margin:8px 0}.access{background:#fde2c4;border:2px solid #c8641a;color:#5a2a00}"
    ".access table{margin:6px 0}tr.acc td{background:#fde2c4!important}"
    ".banner details summary{cursor:pointer}.banner table{margin:6px 0}"
    "tr.sel td{background:#dde9f7!important}table.rows td.act{white-space:nowrap;max-width:none;"
    "overflow:visible}a.pick{text-decoration:none;white-space:nowrap}"
    ".below{margin:4px 0 14px;display:flex;gap:8px;flex-wrap:wrap}"
    "table.rows td{max-width:220px;overflow:hidden;text-overflow:ellipsis}"
    "table.rows th{overflow-wrap:anywhere;font-size:12px}main{min-width:0}\n";

void web_csrf_field(struct web_req *r)
{
	if (r->sess)
		web_hp(r->out, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">", r->sess->csrf);
}

static void nav(struct web_req *r)
{
	const char *cur = r->nseg ? r->seg[0] : "status";
	const char *tab = r->nseg > 1 ? r->seg[1] : "";

	web_hp(r->out,
	       "<nav><div class=\"brand\">SBC</div><a href=\"/dashboard\"%-s>Dashboard</a>"
	       "<a href=\"/status\"%-s>Status</a>",
	       !strcmp(cur, "dashboard") ? " class=\"on\"" : "",
	       !strcmp(cur, "status") ? " class=\"on\"" : "");
	web_hp(r->out,
	       "<div class=\"grp\">Configuration</div><a href=\"/globals\"%-s>"
	       "Global parameters</a>",
	       !strcmp(cur, "globals") && !tab[0] ? " class=\"on\"" : "");
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		if (t->flags & (CONF_TF_GLOBALS | CONF_TF_STATUS))
			continue;
		web_hp(r->out, "<a href=\"/table/%s\"%-s>%s</a>", t->name,
		       !strcmp(cur, "table") && !strcmp(tab, t->name) ? " class=\"on\"" : "",
		       t->name);
	}
	web_hp(r->out,
	       "<div class=\"grp\">Security</div><a href=\"/table/TLSContexts\" "
	       "id=\"nav-tls-contexts\">TLS Contexts</a><a href=\"/tls/0\"%-s>Certificates</a>"
	       "<a href=\"/globals/WEB\" id=\"nav-web-security\"%-s>Web Security Settings</a>",
	       !strcmp(cur, "tls") ? " class=\"on\"" : "",
	       !strcmp(cur, "globals") && !strcmp(tab, "WEB") ? " class=\"on\"" : "");
	web_hp(r->out,
	       "<div class=\"grp\">Maintenance</div><a href=\"/files\"%-s>"
	       "Configuration file</a><a href=\"/actions/reset\" id=\"nav-reset\"%-s>Device reset"
	       "</a>",
	       !strcmp(cur, "files") ? " class=\"on\"" : "",
	       !strcmp(cur, "actions") ? " class=\"on\"" : "");
	web_hp(r->out, "<form method=\"post\" action=\"/logout\">");
	web_csrf_field(r);
	web_hp(r->out, "<button class=\"plain\" type=\"submit\">Log out</button></form></nav>");
}

static const char *level_name(unsigned level)
{
	return level >= 220   ? "master"
	       : level >= 200 ? "security admin"
	       : level >= 100 ? "admin"
			      : "monitor (read-only)";
}

void web_page_begin(struct web_req *r, const char *title)
{
	web_hp(r->out,
	       "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	       "<meta name=\"viewport\" content=\"width=device-width\">"
	       "<title>%s - SBC</title><link rel=\"stylesheet\" href=\"/style.css\">"
	       "</head><body>",
	       title);
	if (!r->sess) {
		web_hp(r->out, "<main>");
		return;
	}
	nav(r);
	web_hp(r->out, "<main><div class=\"who\">%s, %s%-s</div><h1>%s</h1>", r->sess->user,
	       level_name(r->sess->level), r->sess->by_cert ? " (client certificate)" : "", title);
	web_banner(r);
}

void web_page_end(struct web_req *r)
{
	web_hp(r->out, "</main></body></html>\n");
}

void web_show_notice(struct web_req *r, const char *cls, const char *text)
{
	web_hp(r->out, "<div class=\"note %s\">%s</div>", cls, text);
}

static void lines(struct web_req *r, const char *text);

void web_show_lines(struct web_req *r, const char *cls, const char *text)
{
	web_hp(r->out, "<div class=\"note %s\"><ul class=\"plain\">", cls);
	lines(r, text);
	web_hp(r->out, "</ul></div>");
}

void web_show_errors(struct web_req *r, const char *title, const char *reply)
{
	web_hp(r->out, "<div class=\"note err\" id=\"refusal\"><strong>%s</strong><ul>", title);
	lines(r, reply);
	web_hp(r->out, "</ul></div>");
}

static void lines(struct web_req *r, const char *reply)
{
	for (const char *l = reply; l && *l;) {
		size_t n = strcspn(l, "\n");
		if (n && !web_machine_line(l)) { /* '#code', '#access'... are for programs */
			web_hp(r->out, "<li>");
			web_esc(r->out, l, n);
			web_hp(r->out, "</li>");
		}
		l += n;
		if (*l)
			l++;
	}
}

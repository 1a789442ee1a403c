/*
 * The dashboard, the web's home page: device health first (active alarms by
 * severity, each SIP interface and web listener up or down with its reason,
 * device certificates by days left), then charts of the last hour from sbcd's
 * performance history (PERF fine: 10-second samples, sip_perf.h).
 *
 * The charts are SVG drawn here, with presentation attributes only (the CSP
 * allows no inline style or script), so the page needs nothing from outside
 * the device. /dash.js reloads the chart fragment (/dashboard/charts) every
 * 10 s without reloading the page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "conf/store.h"
#include "web/web.h"

#define DASH_MAX_IFS   8   /* interfaces drawn (the first ones by index) */
#define DASH_MAX_PTS   360 /* one hour of 10-second samples */
#define DASH_WINDOW_S  3600
#define DASH_REFRESH_S 10

const char web_dash_js[] =
    "(function(){var c=document.getElementById('charts');if(!c)return;"
    "var s=parseInt(c.getAttribute('data-refresh'),10)||10;"
    "setInterval(function(){fetch('/dashboard/charts',{credentials:'same-origin'})"
    ".then(function(r){return r.ok?r.text():null}).then(function(t){if(t!==null){"
    "c.innerHTML=t;c.setAttribute('data-loaded',String(Date.now()))}})"
    ".catch(function(){})},s*1000)})();\n";

/* ---- health ---- */

static int alarm_bad(long long sev)
{
	return sev >= 4; /* major or critical on the vendor's ladder */
}

static void health_alarms(struct web_req *r)
{
	const struct conf_table *t = &conf_tbl_alarms;
	char err[256];
	struct conf_store *st = web_sbc_store(r, 1, t, err, sizeof(err));
	const struct conf_rows *rs = st ? conf_store_rows(st, t) : NULL;

	web_hp(r->out, "<h2>Alarms</h2>");
	if (!st) {
		web_show_notice(r, "err", err);
		return;
	}
	if (!rs || !rs->n) {
		web_hp(r->out, "<div class=\"note ok\" id=\"no-alarms\">No active alarms.</div>");
		conf_store_free(st);
		return;
	}
	web_hp(r->out, "<table id=\"alarms\"><tr><th>Severity</th><th>Alarm</th><th>Source</th>"
		       "<th>Text</th><th>Raised (UTC)</th></tr>");
	/* the worst first */
	for (long long sev = 5; sev >= 0; sev--)
		for (unsigned i = 0; i < rs->n; i++) {
			const struct conf_row *a = rs->row[i];
			const char *name;
			if (a->v[ALARMS_SEVERITY].i != sev)
				continue;
			name = conf_enum_name(&t->cols[ALARMS_SEVERITY], sev);
			web_hp(
			    r->out,
			    "<tr%-s><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
			    alarm_bad(sev) ? " class=\"bad\"" : "", name ? name : "?",
			    a->v[ALARMS_NAME].s, a->v[ALARMS_SOURCE].s, a->v[ALARMS_TEXT].s,
			    a->v[ALARMS_RAISED_AT].s);
		}
	web_hp(r->out, "</table>");
	conf_store_free(st);
}

static void health_interfaces(struct web_req *r)
{
	const struct conf_table *t = &conf_tbl_tlsstatus;
	const struct web_config *cfg = &r->w->cfg;
	char err[256];
	struct conf_store *st = web_sbc_store(r, 1, t, err, sizeof(err));
	const struct conf_rows *rs = st ? conf_store_rows(st, t) : NULL;

	web_hp(r->out, "<h2>Interfaces</h2><table id=\"interfaces\"><tr><th>Interface</th>"
		       "<th>State</th><th>TLS port</th><th>Mutual TLS</th><th>TLS connections</th>"
		       "<th>Reason</th></tr>");
	if (!st)
		web_hp(r->out, "<tr class=\"bad\"><td colspan=\"6\">%s</td></tr>", err);
	for (unsigned i = 0; rs && i < rs->n; i++) {
		const struct conf_row *f = rs->row[i];
		const char *state =
		    conf_enum_name(&t->cols[TLSSTATUS_STATE], f->v[TLSSTATUS_STATE].i);
		web_hp(r->out,
		       "<tr%-s><td>SIP %s</td><td>%s</td><td>%lld</td><td>%-s</td><td>%lld</td>"
		       "<td>%s</td></tr>",
		       f->v[TLSSTATUS_STATE].i == 2 || f->v[TLSSTATUS_STATE].i == 3
			   ? " class=\"bad\""
			   : "",
		       f->v[TLSSTATUS_INTERFACE_NAME].s, state ? state : "?",
		       f->v[TLSSTATUS_TLS_PORT].i,
		       f->v[TLSSTATUS_MUTUAL_AUTHENTICATION].i ? "yes" : "no",
		       f->v[TLSSTATUS_ACTIVE_CONNECTIONS].i, f->v[TLSSTATUS_STATE_REASON].s);
	}
	/* the web listeners, as this sbc-web runs them */
	web_hp(r->out,
	       "<tr%-s><td>Web HTTPS</td><td>%-s</td><td>%u</td><td>%-s</td><td>-</td><td>%-s</td>"
	       "</tr>",
	       cfg->https_port && !r->w->https ? " class=\"bad\"" : "",
	       !cfg->https_port ? "off"
	       : r->w->https    ? "up"
				: "down",
	       cfg->https_port, cfg->require_cert ? "yes" : "no",
	       cfg->https_port && !r->w->https ? "not listening: see the sbc-web log" : "");
	web_hp(r->out,
	       "<tr%-s><td>Web HTTP</td><td>%-s</td><td>%u</td><td>-</td><td>-</td><td>%-s</td>"
	       "</tr></table>",
	       cfg->http_port && !r->w->http ? " class=\"bad\"" : "",
	       !cfg->http_port ? "off"
	       : r->w->http    ? "up"
			       : "down",
	       cfg->http_port, cfg->https_only ? "redirects to HTTPS (HTTPSOnly)" : "");
	conf_store_free(st);
}

static int by_days(const void *a, const void *b)
{
	long long x = (*(const struct conf_row *const *)a)->v[TLSCERT_DAYS_LEFT].i;
	long long y = (*(const struct conf_row *const *)b)->v[TLSCERT_DAYS_LEFT].i;

	return x < y ? -1 : x > y;
}

static void health_certificates(struct web_req *r)
{
	const struct conf_table *t = &conf_tbl_tlscertificates;
	char err[256];
	struct conf_store *st = web_sbc_store(r, 1, t, err, sizeof(err));
	const struct conf_rows *rs = st ? conf_store_rows(st, t) : NULL;
	const struct conf_row **v;

	web_hp(r->out, "<h2>Certificates by expiry</h2>");
	if (!rs || !rs->n || !(v = malloc(rs->n * sizeof(*v)))) {
		web_hp(r->out, "<p class=\"help\">%s</p>", st ? "No device certificates." : err);
		conf_store_free(st);
		return;
	}
	memcpy(v, rs->row, rs->n * sizeof(*v));
	qsort(v, rs->n, sizeof(*v), by_days);
	web_hp(r->out, "<table id=\"certificates\"><tr><th>Days left</th><th>TLS context</th>"
		       "<th>Subject</th><th>Not after</th><th>Status</th></tr>");
	for (unsigned i = 0; i < rs->n; i++) {
		const char *status =
		    conf_enum_name(&t->cols[TLSCERT_STATUS], v[i]->v[TLSCERT_STATUS].i);
		web_hp(
		    r->out, "<tr%-s><td>%lld</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
		    v[i]->v[TLSCERT_DAYS_LEFT].i < 30 ? " class=\"bad\"" : "",
		    v[i]->v[TLSCERT_DAYS_LEFT].i, v[i]->v[TLSCERT_CONTEXT_NAME].s,
		    v[i]->v[TLSCERT_SUBJECT].s, v[i]->v[TLSCERT_NOT_AFTER].s, status ? status : "");
	}
	web_hp(r->out, "</table>");
	free(v);
	conf_store_free(st);
}

/* ---- charts ---- */

enum { M_ACC, M_REF, M_TLS, M_REGS, M_ATT, M_CALLS, M_N };

static const struct {
	const char *title;
	int rate; /* per second over the sample, else the gauge */
} metric[M_N] = {
    {"TLS handshakes accepted /s", 1}, {"TLS handshakes refused /s", 1}, {"TLS connections", 0},
    {"Registered users", 0},           {"Call attempts /s", 1},          {"Calls", 0},
};

static const char *const colour[DASH_MAX_IFS] = {"#2f6aa6", "#c0392b", "#27864a", "#8e44ad",
						 "#d68910", "#16a085", "#5d6d7e", "#a04000"};

struct series {
	unsigned index;
	char name[48];
	unsigned n;
	time_t t[DASH_MAX_PTS];
	double v[M_N][DASH_MAX_PTS];
};

/* Reads PERF fine lines into one series per interface; returns the count. */
static unsigned parse_perf(char *text, struct series *s, unsigned max)
{
	unsigned ns = 0;

	for (char *save, *line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned idx, secs, tmax, tavg, rmax, ravg, cmax, cavg;
		unsigned long long acc, rc, ro, att;
		long long start;
		int off = 0;
		struct series *x = NULL;
		if (line[0] == '#' ||
		    sscanf(line, "%u %lld %u %llu %llu %llu %llu %u %u %u %u %u %u %n", &idx,
			   &start, &secs, &acc, &rc, &ro, &att, &tmax, &tavg, &rmax, &ravg, &cmax,
			   &cavg, &off) != 13 ||
		    !secs)
			continue;
		for (unsigned i = 0; i < ns; i++)
			if (s[i].index == idx)
				x = &s[i];
		if (!x) {
			if (ns == max)
				continue;
			x = &s[ns++];
			x->index = idx;
			x->n = 0;
			snprintf(x->name, sizeof(x->name), "%s", line + off);
		}
		if (x->n == DASH_MAX_PTS)
			continue;
		x->t[x->n] = (time_t)(start + secs);
		x->v[M_ACC][x->n] = (double)acc / secs;
		x->v[M_REF][x->n] = (double)(rc + ro) / secs;
		x->v[M_TLS][x->n] = tmax;
		x->v[M_REGS][x->n] = rmax;
		x->v[M_ATT][x->n] = (double)att / secs;
		x->v[M_CALLS][x->n] = cmax;
		x->n++;
	}
	return ns;
}

/* One chart: a line per interface over the last hour; the scale is the largest value. */
static void chart(struct web_req *r, int m, const struct series *s, unsigned ns, time_t now)
{
	const double x0 = 44, x1 = 372, y0 = 12, y1 = 124;
	double top = 0;
	unsigned points = 0;

	for (unsigned i = 0; i < ns; i++)
		for (unsigned k = 0; k < s[i].n; k++)
			if (s[i].v[m][k] > top)
				top = s[i].v[m][k];
	top = top < 1 ? 1 : top * 1.1;
	web_hp(r->out,
	       "<figure class=\"chart\" id=\"chart-%d\"><figcaption>%s</figcaption>"
	       "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"380\" height=\"150\" "
	       "viewBox=\"0 0 380 150\" role=\"img\" aria-label=\"%s\">",
	       m, metric[m].title, metric[m].title);
	evbuffer_add_printf(
	    r->out,
	    "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\" "
	    "stroke=\"#d8dee8\"/>"
	    "<text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"end\" fill=\"#56637a\">"
	    "%.3g</text><text x=\"%.0f\" y=\"%.0f\" font-size=\"10\" text-anchor=\"end\" "
	    "fill=\"#56637a\">0</text>"
	    "<text x=\"%.0f\" y=\"140\" font-size=\"10\" fill=\"#56637a\">-60 min</text>"
	    "<text x=\"%.0f\" y=\"140\" font-size=\"10\" text-anchor=\"end\" fill=\"#56637a\">"
	    "now</text>",
	    x0, y0, x1 - x0, y1 - y0, x0 - 4, y0 + 8, top / 1.1 < 1 ? 1 : top / 1.1, x0 - 4, y1, x0,
	    x1);
	for (unsigned i = 0; i < ns; i++) {
		unsigned in = 0;
		evbuffer_add_printf(
		    r->out,
		    "<polyline class=\"series\" data-interface=\"%u\" fill=\"none\" "
		    "stroke=\"%s\" stroke-width=\"1.5\" points=\"",
		    s[i].index, colour[i % DASH_MAX_IFS]);
		for (unsigned k = 0; k < s[i].n; k++) {
			double age = (double)(now - s[i].t[k]);
			if (age < 0)
				age = 0;
			if (age > DASH_WINDOW_S)
				continue;
			evbuffer_add_printf(r->out, "%s%.1f,%.1f", in ? " " : "",
					    x1 - (x1 - x0) * age / DASH_WINDOW_S,
					    y1 - (y1 - y0) * s[i].v[m][k] / top);
			in++;
		}
		evbuffer_add_printf(r->out, "\"/>");
		points += in;
	}
	web_hp(r->out, "</svg>");
	if (!points)
		web_hp(r->out, "<p class=\"help\">No samples yet (one every %d s).</p>",
		       DASH_REFRESH_S);
	web_hp(r->out, "</figure>");
}

static void charts(struct web_req *r)
{
	struct series *s = calloc(DASH_MAX_IFS, sizeof(*s));
	char *reply = NULL;
	size_t rlen = 0;
	unsigned ns = 0;
	time_t now = time(NULL);

	if (!s || web_req_call(r, "PERF fine 360", NULL, 0, &reply, &rlen) != 0) {
		web_hp(r->out, "<div class=\"note err\">No performance history: %s</div>",
		       reply ? reply : "sbcd does not answer");
		free(reply);
		free(s);
		return;
	}
	if (strstr(reply, " stopped\n"))
		web_hp(r->out, "<div class=\"note warn\">Sampling is stopped "
			       "(PerformanceMonitoring = 0).</div>");
	ns = parse_perf(reply, s, DASH_MAX_IFS);
	web_hp(r->out, "<div class=\"legend\">");
	for (unsigned i = 0; i < ns; i++)
		web_hp(r->out,
		       "<span class=\"key\"><svg width=\"14\" height=\"4\"><rect width=\"14\" "
		       "height=\"4\" fill=\"%-s\"/></svg> %s</span>",
		       colour[i % DASH_MAX_IFS], s[i].name);
	web_hp(r->out, "</div><div class=\"charts\">");
	for (int m = 0; m < M_N; m++)
		chart(r, m, s, ns, now);
	web_hp(r->out, "</div>");
	free(reply);
	free(s);
}

void web_page_dash_charts(struct web_req *r)
{
	charts(r);
	web_send(r, 200, "text/html; charset=utf-8", NULL);
}

void web_page_dashboard(struct web_req *r)
{
	web_page_begin(r, "Dashboard");
	health_alarms(r);
	health_interfaces(r);
	health_certificates(r);
	web_hp(r->out,
	       "<h2>Last hour</h2><p class=\"help\">Per SIP interface, one sample every %d s; "
	       "refreshed without reloading the page. History: <code>sbc-ini perf</code>; "
	       "15-minute intervals: the PerformanceIntervals status table.</p>"
	       "<div id=\"charts\" data-refresh=\"%d\">",
	       DASH_REFRESH_S, DASH_REFRESH_S);
	charts(r);
	web_hp(r->out, "</div><script src=\"/dash.js\"></script>");
	web_page_end(r);
	web_send(r, 200, "text/html; charset=utf-8", NULL);
}

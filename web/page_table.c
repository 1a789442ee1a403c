/*
 * Configuration tables and global parameters, rendered from the schema: one
 * code path for every table (conf_tables), fields typed by the column
 * descriptors. A form becomes an incremental INI document (ini_edit) that sbcd
 * loads or refuses; a refusal is shown with its table, row, column and reason
 * and the offending fields are marked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control/ctl.h"
#include "ini/ini_edit.h"
#include "web/web.h"

const char *web_value_text(const struct conf_column *c, const union conf_val *v, char *buf,
			   size_t len)
{
	char num[64];
	const char *label;

	if (c->type == CONF_T_SECRET || (c->flags & CONF_F_SECRET)) {
		snprintf(buf, len, "(hidden)");
		return buf;
	}
	conf_value_format(c, v, num, sizeof(num));
	if (c->type == CONF_T_BOOL)
		snprintf(buf, len, "%s", v->i ? "enable" : "disable");
	else if (c->type == CONF_T_ENUM && (label = conf_enum_name(c, v->i)))
		snprintf(buf, len, "%s (%s)", label, num);
	else
		conf_value_format(c, v, buf, len);
	return buf;
}

static const struct conf_table *table_arg(struct web_req *r)
{
	const struct conf_table *t = r->nseg >= 2 ? conf_table_find(r->seg[1]) : NULL;

	if (t && (t->flags & (CONF_TF_GLOBALS | CONF_TF_STATUS)))
		return NULL;
	return t;
}

/* Pages a row of a table leads to besides its own (the vendor's links below the table). */
struct row_link {
	const struct conf_table *t;
	const char *label; /* the vendor's words, below the table */
	const char *brief; /* in the row */
	const char *path;  /* printf format of the path, %u the row index */
	const char *id;
};
static const struct row_link row_links[] = {
    {&conf_tbl_tlscontexts, "Certificate Information", "Certificate", "/tls/%u", "cert-info"},
    {&conf_tbl_tlscontexts, "Change Certificates", NULL, "/tls/%u/change", "change-certs"},
    {&conf_tbl_tlscontexts, "Trusted Root Certificates", "Trusted roots", "/tls/%u/roots",
     "trusted-roots"},
};

#define LIST_MAX_COLS 5 /* a list shows this many columns; the row's page shows them all */

/* 1 when column c of t is shown in a list of rows (all of them for status tables). */
static int listed(const struct conf_table *t, unsigned c, int links, unsigned *shown)
{
	const struct conf_column *col = &t->cols[c];

	if (col->flags & CONF_F_SECRET)
		return 0;
	if (!links)
		return 1;
	if (*shown >= LIST_MAX_COLS ||
	    (col->type == CONF_T_STRING && col->max > 64 && !(col->flags & CONF_F_NAME)))
		return 0;
	(*shown)++;
	return 1;
}

static void link_path(const struct row_link *l, unsigned index, char *buf, size_t len)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(buf, len, l->path, index);
#pragma GCC diagnostic pop
}

static void row_actions(struct web_req *r, const struct conf_table *t, unsigned index, int admin)
{
	char href[128];

	web_hp(r->out,
	       "<td class=\"act\"><a class=\"btn\" id=\"edit-%u\" href=\"/table/%s/%u\">%s</a>",
	       index, t->name, index, admin ? "Edit" : "View");
	for (unsigned k = 0; k < sizeof(row_links) / sizeof(row_links[0]); k++) {
		if (row_links[k].t != t || !row_links[k].brief)
			continue;
		link_path(&row_links[k], index, href, sizeof(href));
		web_hp(r->out, " <a class=\"btn plain\" href=\"%s\" title=\"%s\">%s</a>", href,
		       row_links[k].label, row_links[k].brief);
	}
	if (admin && !(index == 0 && (t->flags & CONF_TF_FIXED0))) {
		web_hp(r->out,
		       " <form class=\"inline\" method=\"post\" action=\"/table/%s/%u/delete\">",
		       t->name, index);
		web_csrf_field(r);
		web_hp(r->out, "<button class=\"danger\" type=\"submit\">Delete</button></form>");
	}
	web_hp(r->out, "</td>");
}

void web_render_rows(struct web_req *r, const struct conf_store *st, const struct conf_table *t,
		     int links)
{
	const struct conf_rows *rows = conf_store_rows(st, t);
	int admin = web_req_level(r) >= CTL_LEVEL_ADMIN;
	const char *selarg = links ? web_form_get(&r->form, "sel") : NULL;
	char buf[1100], href[128];
	unsigned shown = 0, hidden = 0, sel = rows && rows->n ? rows->row[0]->index : 0;

	if (!rows || !rows->n) {
		web_hp(r->out, "<p>No rows.</p>");
		return;
	}
	for (unsigned i = 0; selarg && i < rows->n; i++)
		if (!strcmp(selarg, (snprintf(buf, sizeof(buf), "%u", rows->row[i]->index), buf)))
			sel = rows->row[i]->index;
	web_hp(r->out,
	       "<div class=\"scroll\"><table class=\"rows\" id=\"rows\"><tr><th>Index</th>");
	for (unsigned c = 0; c < t->ncols; c++) {
		if (listed(t, c, links, &shown))
			web_hp(r->out, "<th title=\"%s\">%s</th>", t->cols[c].help,
			       t->cols[c].name);
		else if (!(t->cols[c].flags & CONF_F_SECRET))
			hidden++;
	}
	web_hp(r->out, "%-s</tr>", links ? "<th>Actions</th>" : "");
	for (unsigned i = 0; i < rows->n; i++) {
		const struct conf_row *row = rows->row[i];
		if (links)
			web_hp(r->out,
			       "<tr%-s><td><a class=\"pick\" href=\"/table/%s?sel=%u\" "
			       "id=\"select-%u\" title=\"select this row\">%-s %u</a></td>",
			       row->index == sel ? " class=\"sel\"" : "", t->name, row->index,
			       row->index, row->index == sel ? "&#9673;" : "&#9675;", row->index);
		else
			web_hp(r->out, "<tr><td>%u</td>", row->index);
		shown = 0;
		for (unsigned c = 0; c < t->ncols; c++)
			if (listed(t, c, links, &shown)) {
				web_value_text(&t->cols[c], &row->v[c], buf, sizeof(buf));
				web_hp(r->out, "<td title=\"%s\">%s</td>", buf, buf);
			}
		if (links)
			row_actions(r, t, row->index, admin);
		web_hp(r->out, "</tr>");
	}
	web_hp(r->out, "</table></div>");
	if (!links)
		return;
	if (hidden)
		web_hp(r->out, "<p class=\"help\">%u more column%-s on each row's page (Edit).</p>",
		       hidden, hidden == 1 ? "" : "s");
	/* the vendor's way: select a row, then a link below the table */
	for (unsigned k = 0, n = 0; k < sizeof(row_links) / sizeof(row_links[0]); k++) {
		if (row_links[k].t != t)
			continue;
		if (!n++)
			web_hp(r->out, "<div class=\"below\" id=\"row-links\"><span>Row %u:</span>",
			       sel);
		link_path(&row_links[k], sel, href, sizeof(href));
		web_hp(r->out, "<a class=\"btn plain\" id=\"%s\" href=\"%s\">%s</a>",
		       row_links[k].id, href, row_links[k].label);
		if (k + 1 == sizeof(row_links) / sizeof(row_links[0]) || row_links[k + 1].t != t)
			web_hp(r->out, "</div>");
	}
}

/* "column Name:" appears in an error line of the reply. */
static int column_refused(const char *reply, const char *name)
{
	char key[160];

	if (!reply)
		return 0;
	snprintf(key, sizeof(key), "column %s:", name);
	return strstr(reply, key) != NULL;
}

/* The value a field shows: what the refused form sent, else the stored value. */
static const char *field_value(struct web_req *r, const struct conf_column *c,
			       const union conf_val *v, int refilled, char *buf, size_t len)
{
	char name[160];
	const char *sent;

	snprintf(name, sizeof(name), "c_%s", c->name);
	if (refilled && (sent = web_form_get(&r->form, name)))
		return sent;
	if (c->type == CONF_T_SECRET)
		return "";
	return conf_value_format(c, v, buf, len);
}

static void ref_options(struct web_req *r, const struct conf_store *st, const struct conf_column *c,
			const char *cur)
{
	const struct conf_table *rt = c->ref ? conf_table_find(c->ref) : NULL;
	const struct conf_rows *rows = rt ? conf_store_rows(st, rt) : NULL;
	int nc = rt ? conf_table_name_col(rt) : -1, found = 0;
	char idx[32];

	web_hp(r->out, "<option value=\"\"%-s>(none)</option>", cur[0] ? "" : " selected");
	for (unsigned i = 0; rows && i < rows->n; i++) {
		const struct conf_row *row = rows->row[i];
		const char *val = (c->flags & CONF_F_BYINDEX) || nc < 0
				      ? (snprintf(idx, sizeof(idx), "%u", row->index), idx)
				      : conf_row_str(row, nc);
		int sel = !strcasecmp(val, cur);
		found |= sel;
		web_hp(r->out, "<option value=\"%s\"%-s>%s</option>", val, sel ? " selected" : "",
		       nc >= 0 ? conf_row_str(row, nc) : val);
	}
	if (cur[0] && !found)
		web_hp(r->out, "<option value=\"%s\" selected>%s (missing)</option>", cur, cur);
}

/* One form field typed by the column descriptor. */
static void field(struct web_req *r, const struct conf_store *st, const struct conf_column *c,
		  const union conf_val *v, int refilled, int ro)
{
	char buf[1100];
	const char *cur = field_value(r, c, v, refilled, buf, sizeof(buf));
	const char *dis = ro ? " disabled" : "";

	if (c->type == CONF_T_ENUM || c->type == CONF_T_BOOL) {
		web_hp(r->out, "<select id=\"c_%s\" name=\"c_%s\"%-s>", c->name, c->name, dis);
		if (c->type == CONF_T_BOOL) {
			web_hp(r->out,
			       "<option value=\"0\"%-s>disable (0)</option><option value=\"1\""
			       "%-s>enable (1)</option>",
			       strcmp(cur, "1") ? " selected" : "",
			       strcmp(cur, "1") ? "" : " selected");
		}
		for (const struct conf_enum *e = c->enums; e && e->name; e++) {
			char num[32];
			snprintf(num, sizeof(num), "%d", e->value);
			web_hp(r->out, "<option value=\"%s\"%-s>%s (%d)</option>", num,
			       strcmp(num, cur) ? "" : " selected", e->name, e->value);
		}
		web_hp(r->out, "</select>");
	} else if (c->type == CONF_T_REF) {
		web_hp(r->out, "<select id=\"c_%s\" name=\"c_%s\"%-s>", c->name, c->name, dis);
		ref_options(r, st, c, cur);
		web_hp(r->out, "</select>");
	} else if (c->type == CONF_T_INT || c->type == CONF_T_PORT) {
		long long lo = c->type == CONF_T_PORT ? 0 : c->min;
		long long hi = c->type == CONF_T_PORT ? 65535 : c->max;
		web_hp(r->out,
		       "<input type=\"number\" id=\"c_%s\" name=\"c_%s\" value=\"%s\" "
		       "min=\"%lld\" max=\"%lld\"%-s>",
		       c->name, c->name, cur, lo, hi, dis);
	} else if (c->type == CONF_T_SECRET) {
		web_hp(r->out,
		       "<input type=\"password\" id=\"c_%s\" name=\"c_%s\" value=\"\" "
		       "autocomplete=\"new-password\" placeholder=\"unchanged\"%-s>",
		       c->name, c->name, dis);
	} else {
		web_hp(r->out, "<input type=\"text\" id=\"c_%s\" name=\"c_%s\" value=\"%s\"%-s>",
		       c->name, c->name, cur, dis);
	}
}

static void badges(struct web_req *r, const struct conf_column *c)
{
	if (c->flags & CONF_F_RESET)
		web_hp(r->out, "<span class=\"badge reset\">reset required</span>");
	if (c->flags & CONF_F_MANDATORY)
		web_hp(r->out, "<span class=\"badge\">mandatory</span>");
	if (c->flags & CONF_F_RO)
		web_hp(r->out, "<span class=\"badge\">read-only</span>");
}

/* Rows of fields for the columns of t (cols filter by section for globals). */
static void fields(struct web_req *r, const struct conf_store *st, const struct conf_table *t,
		   const struct conf_row *row, const char *section, const char *reply,
		   const char *pending)
{
	int ro = web_req_level(r) < CTL_LEVEL_ADMIN;

	web_hp(r->out, "<table class=\"form\"><tr><th class=\"w22\">Parameter</th>"
		       "<th class=\"w34\">Value</th><th>Description</th></tr>");
	for (unsigned c = 0; c < t->ncols; c++) {
		const struct conf_column *col = &t->cols[c];
		char key[160];
		const char *p;
		if (section && (!col->section || strcmp(col->section, section)))
			continue;
		web_hp(r->out, "<tr%-s><td><label for=\"c_%s\">%s</label>",
		       column_refused(reply, col->name) ? " class=\"bad\"" : "", col->name,
		       col->name);
		badges(r, col);
		web_hp(r->out, "</td><td>");
		field(r, st, col, &row->v[c], reply != NULL, ro || (col->flags & CONF_F_RO));
		snprintf(key, sizeof(key), "pending reset: %s = ", col->name);
		if (pending && (p = strstr(pending, key))) {
			const char *a = strstr(p, "(active ");
			size_t n = a ? strcspn(a + 8, "\n") : 0;
			if (a && n && a[8 + n - 1] == ')')
				n--;
			web_hp(r->out, "<div class=\"badge reset\">pending: in effect until the "
				       "reset: ");
			if (a)
				web_esc(r->out, a + 8, n);
			web_hp(r->out, "</div>");
		}
		web_hp(r->out, "</td><td class=\"help\">%s<br><code>%s</code> (%s)</td></tr>",
		       col->help, col->cli, conf_type_name(col->type));
	}
	web_hp(r->out, "</table>");
}

/* The form fields of t as an incremental document; -1 with the reason in err. */
static char *form_to_ini(struct web_req *r, const struct conf_table *t, unsigned index,
			 const char *section, size_t *len, char *err, size_t errlen)
{
	struct ini_edit *e = ini_edit_new();
	char *doc = NULL;

	if (!e)
		return NULL;
	if (!(t->flags & CONF_TF_GLOBALS))
		ini_edit_touch(e, t, index);
	for (unsigned c = 0; c < t->ncols; c++) {
		const struct conf_column *col = &t->cols[c];
		char name[160];
		const char *v;
		if ((col->flags & CONF_F_RO) ||
		    (section && (!col->section || strcmp(col->section, section))))
			continue;
		snprintf(name, sizeof(name), "c_%s", col->name);
		if (!(v = web_form_get(&r->form, name)) || (col->type == CONF_T_SECRET && !v[0]))
			continue;
		if (ini_edit_set(e, t, index, (int)c, v) < 0) {
			snprintf(err, errlen,
				 "%s row %u column %s: quotes and control characters "
				 "are not allowed",
				 t->name, index, col->name);
			goto out;
		}
	}
	doc = ini_edit_text(e, len);
out:
	ini_edit_free(e);
	return doc;
}

/* Sends doc as LOAD incremental; 0 accepted (*reply: pending notes), 1 refused, -1 lost. */
static int load(struct web_req *r, const char *doc, size_t len, char **reply)
{
	return web_req_call(r, "LOAD incremental web-form", doc, len, reply, NULL);
}

static unsigned next_free(const struct conf_store *st, const struct conf_table *t)
{
	unsigned i = 0;

	while (i < t->max_rows && conf_store_get(st, t, i))
		i++;
	return i;
}

static void row_page(struct web_req *r, const struct conf_table *t, struct conf_store *st,
		     unsigned index, int is_new, const char *reply, const char *ok,
		     const char *notes)
{
	struct conf_row *row = conf_store_get(st, t, index);
	struct conf_store *tmp = NULL;
	char title[160];

	if (!row) {
		/* a new row shows the defaults */
		tmp = conf_store_new();
		row = tmp ? conf_store_ensure(tmp, t, index, NULL) : NULL;
		if (!row) {
			conf_store_free(tmp);
			web_error(r, 500, "out of memory");
			return;
		}
	}
	snprintf(title, sizeof(title), is_new ? "%s: new row" : "%s row %u", t->name, index);
	web_page_begin(r, title);
	web_hp(r->out, "<p class=\"help\">%s. <a href=\"/table/%s\">Back to the table</a></p>",
	       t->help, t->name);
	if (reply)
		web_show_errors(r, "Refused: nothing was changed", reply);
	if (ok)
		web_show_reply(r, ok, notes);
	web_hp(r->out, "<form method=\"post\" action=\"/table/%s/%-s\">", t->name,
	       is_new ? "new" : "");
	if (!is_new)
		evbuffer_add_printf(r->out, "<input type=\"hidden\" name=\"index\" value=\"%u\">",
				    index);
	else
		web_hp(r->out,
		       "<p><label for=\"index\">Index</label> <input type=\"number\" "
		       "id=\"index\" name=\"index\" min=\"0\" max=\"%u\" value=\"%u\" "
		       "class=\"narrow\"></p>",
		       t->max_rows - 1, index);
	web_csrf_field(r);
	fields(r, st, t, row, NULL, reply, NULL);
	if (web_req_level(r) >= CTL_LEVEL_ADMIN)
		web_hp(r->out,
		       "<div class=\"actions\"><button type=\"submit\" id=\"apply\">%s</button>"
		       "<span class=\"help\">changes the running configuration; Save to flash "
		       "keeps it after a reset</span></div>",
		       is_new ? "Apply (create the row)" : "Apply");
	web_hp(r->out, "</form>");
	web_page_end(r);
	web_send(r, reply ? 422 : 200, "text/html; charset=utf-8", NULL);
	conf_store_free(tmp);
}

static int parse_index(const char *s, const struct conf_table *t, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v >= t->max_rows)
		return -1;
	*out = (unsigned)v;
	return 0;
}

void web_page_table(struct web_req *r)
{
	const struct conf_table *t = table_arg(r);
	int post = evhttp_request_get_command(r->req) == EVHTTP_REQ_POST;
	char err[512], *reply = NULL, *doc;
	struct conf_store *st;
	unsigned index = 0;
	size_t len;
	int is_new;

	if (!t || r->nseg > 4 || (r->nseg == 4 && strcmp(r->seg[3], "delete"))) {
		web_error(r, 404, "No such table");
		return;
	}
	if (!(st = web_sbc_store(r, 0, NULL, err, sizeof(err)))) {
		web_error(r, 502, err);
		return;
	}
	is_new = r->nseg >= 3 && !strcmp(r->seg[2], "new");
	if (r->nseg >= 3 && !is_new && parse_index(r->seg[2], t, &index) < 0) {
		web_error(r, 404, "No such row");
		goto out;
	}
	if (r->nseg == 2) {
		if (post) {
			web_error(r, 405, "Method not allowed");
			goto out;
		}
		web_page_begin(r, t->name);
		web_hp(r->out, "<p class=\"help\">%s (up to %u rows).</p>", t->help, t->max_rows);
		if (web_req_level(r) >= CTL_LEVEL_ADMIN)
			web_hp(r->out,
			       "<div class=\"actions\"><a class=\"btn\" href=\"/table/%s/new\">"
			       "New row</a></div>",
			       t->name);
		web_render_rows(r, st, t, 1);
		web_page_end(r);
		web_send(r, 200, "text/html; charset=utf-8", NULL);
	} else if (r->nseg == 4) { /* POST .../delete */
		struct ini_edit *e = ini_edit_new();
		if (!post || !e) {
			ini_edit_free(e);
			web_error(r, 405, "Delete needs a POST");
			goto out;
		}
		ini_edit_delete(e, t, index);
		doc = ini_edit_text(e, &len);
		ini_edit_free(e);
		int rc = doc ? load(r, doc, len, &reply) : -1;
		free(doc);
		if (rc != 0) {
			web_page_begin(r, t->name);
			web_show_errors(r, "Refused: the row was not deleted", reply);
			web_render_rows(r, st, t, 1);
			web_page_end(r);
			web_send(r, 422, "text/html; charset=utf-8", NULL);
		} else {
			char loc[128];
			snprintf(loc, sizeof(loc), "/table/%s", t->name);
			web_redirect(r, loc);
		}
	} else if (!post) {
		if (is_new)
			index = next_free(st, t);
		else if (!conf_store_get(st, t, index)) {
			web_error(r, 404, "No such row");
			goto out;
		}
		if (is_new && index >= t->max_rows) {
			web_error(r, 409, "The table is full");
			goto out;
		}
		row_page(r, t, st, index, is_new, NULL, NULL, NULL);
	} else {
		if (is_new && parse_index(web_form_get(&r->form, "index"), t, &index) < 0) {
			snprintf(err, sizeof(err), "%s: the index must be 0 .. %u", t->name,
				 t->max_rows - 1);
			row_page(r, t, st, 0, 1, err, NULL, NULL);
			goto out;
		}
		if (is_new && conf_store_get(st, t, index)) {
			snprintf(err, sizeof(err), "%s row %u exists already", t->name, index);
			row_page(r, t, st, index, 1, err, NULL, NULL);
			goto out;
		}
		err[0] = 0;
		doc = form_to_ini(r, t, index, NULL, &len, err, sizeof(err));
		int rc = doc ? load(r, doc, len, &reply) : 1;
		free(doc);
		if (rc != 0) {
			row_page(r, t, st, index, is_new, reply ? reply : err, NULL, NULL);
		} else {
			struct conf_store *now = web_sbc_store(r, 0, NULL, err, sizeof(err));
			char ok[256];
			snprintf(ok, sizeof(ok),
				 "%s row %u applied to the running configuration "
				 "(Save to flash keeps it after a reset).",
				 t->name, index);
			row_page(r, t, now ? now : st, index, 0, NULL, ok, reply);
			conf_store_free(now);
		}
	}
out:
	free(reply);
	conf_store_free(st);
}

/* The first word of a section name ("WEB" of "WEB Params"): the page /globals/<word>. */
static int section_is(const char *section, const char *word)
{
	size_t n = strcspn(section, " ");

	return strlen(word) == n && !strncasecmp(section, word, n);
}

void web_page_globals(struct web_req *r)
{
	const struct conf_table *g = conf_globals();
	int post = evhttp_request_get_command(r->req) == EVHTTP_REQ_POST;
	const char *section = post ? web_form_get(&r->form, "section") : NULL;
	const char *only = r->nseg == 2 ? r->seg[1] : NULL;
	char err[512], *reply = NULL, *pending, *doc, ok[200] = "", title[64];
	struct conf_store *st;
	const struct conf_row *row;
	int refused = 0, found = 0;
	size_t len;

	for (unsigned c = 0; only && c < g->ncols; c++)
		found |= g->cols[c].section && section_is(g->cols[c].section, only);
	if (only && !found) {
		web_error(r, 404, "No such section of global parameters");
		return;
	}
	if (post) {
		int known = 0;
		for (unsigned c = 0; section && c < g->ncols; c++)
			known |= g->cols[c].section && !strcmp(g->cols[c].section, section);
		if (!known) {
			web_error(r, 400, "Unknown section");
			return;
		}
		err[0] = 0;
		doc = form_to_ini(r, g, 0, section, &len, err, sizeof(err));
		int rc = doc ? load(r, doc, len, &reply) : 1;
		free(doc);
		if (rc != 0) {
			refused = 1;
			if (!reply)
				reply = strdup(err);
		} else {
			snprintf(
			    ok, sizeof(ok),
			    "[%s] applied to the running configuration (Save to flash keeps it "
			    "after a reset).",
			    section);
		}
	}
	if (!(st = web_sbc_store(r, 0, g, err, sizeof(err))) || !(row = conf_store_get(st, g, 0))) {
		web_error(r, 502, err);
		conf_store_free(st);
		free(reply);
		return;
	}
	pending = web_sbc_pending(r);
	if (only && section_is("WEB", only))
		snprintf(title, sizeof(title), "Web Security Settings");
	else if (only)
		snprintf(title, sizeof(title), "Global parameters: %s", only);
	else
		snprintf(title, sizeof(title), "Global parameters");
	web_page_begin(r, title);
	if (refused)
		web_show_errors(r, "Refused: nothing was changed", reply);
	if (ok[0])
		web_show_reply(r, ok, reply);
	/* sections in schema order, each once */
	for (unsigned c = 0; c < g->ncols; c++) {
		const char *sec = g->cols[c].section;
		char id[32];
		int seen = 0;
		for (unsigned k = 0; sec && k < c; k++)
			seen |= g->cols[k].section && !strcmp(g->cols[k].section, sec);
		if (!sec || seen || (only && !section_is(sec, only)))
			continue;
		snprintf(id, sizeof(id), "%.*s", (int)strcspn(sec, " "), sec);
		web_hp(r->out,
		       "<form method=\"post\" action=\"%s\"><fieldset><legend>[%s]"
		       "</legend><input type=\"hidden\" name=\"section\" value=\"%s\">",
		       r->path, sec, sec);
		web_csrf_field(r);
		fields(r, st, g, row, sec,
		       refused && section && !strcmp(section, sec) ? reply : NULL, pending);
		if (web_req_level(r) >= CTL_LEVEL_ADMIN)
			web_hp(
			    r->out,
			    "<div class=\"actions\"><button type=\"submit\" id=\"apply-%s\">Apply"
			    "</button><span class=\"help\">changes the running configuration of "
			    "[%s]; Save to flash keeps it after a reset</span></div>",
			    id, sec);
		web_hp(r->out, "</fieldset></form>");
	}
	web_page_end(r);
	web_send(r, refused ? 422 : 200, "text/html; charset=utf-8", NULL);
	free(pending);
	free(reply);
	conf_store_free(st);
}

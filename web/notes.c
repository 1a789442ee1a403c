/*
 * What the operator must not miss: the banner of every page (changes not yet
 * saved to flash, settings waiting for a reset) and, in the reply to an
 * accepted change, its warnings and the changes that alter how the device is
 * reached (#access). sbcd's machine lines (#code, #access, #pending) are read
 * here and never shown raw; every one of them is optional, so a reply without
 * them still renders (from its human lines).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control/ctl.h"
#include "web/web.h"

int web_machine_line(const char *l)
{
	return l && l[0] == '#';
}

/* A token of a machine line, percent-decoded ("" and "-" kept as they are). */
static void token(const char *s, size_t n, char *out, size_t len)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < len; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = {s[i + 1], s[i + 2], 0};
			out[k++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = 0;
	if (!strcmp(out, "\"\""))
		out[0] = 0;
}

/*
 * Splits the n-byte line l (after its '#word ') into want tokens; the last
 * takes the rest of the line. 0, or -1 when there are fewer.
 */
static int split(const char *l, size_t n, unsigned want, char tok[][256])
{
	const char *p = l, *end = l + n;

	for (unsigned i = 0; i < want; i++) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			return -1;
		size_t k = i + 1 == want ? (size_t)(end - p) : strcspn(p, " ");
		if (p + k > end)
			k = (size_t)(end - p);
		while (i + 1 == want && k && p[k - 1] == ' ')
			k--;
		token(p, k, tok[i], 256);
		p += k;
	}
	return 0;
}

static const char *shown(const char *v)
{
	return v[0] ? v : "(empty)";
}

/* 1 when the column of a pending setting changes how the operator reaches the web. */
static int access_column(const char *table, const char *col)
{
	const struct conf_table *g = conf_globals();
	int c;

	if (strcmp(table, "-") && strcasecmp(table, g->name))
		return 0;
	c = conf_column_find(g, col);
	return c >= 0 && g->cols[c].section && !strncmp(g->cols[c].section, "WEB", 3);
}

int web_access_next(const char **pos, char tok[3][256])
{
	for (const char *l = *pos; l && *l;) {
		size_t len = strcspn(l, "\n");
		const char *next = l + len + (l[len] != 0);
		if (len > 8 && !strncmp(l, "#access ", 8) && split(l + 8, len - 8, 3, tok) == 0) {
			*pos = next;
			return 1;
		}
		l = next;
	}
	return 0;
}

unsigned web_reply_access(struct web_req *r, const char *reply)
{
	char tok[3][256];
	unsigned n = 0;

	for (const char *l = reply; web_access_next(&l, tok);) {
		if (!n++)
			web_hp(r->out,
			       "<div class=\"note access\" id=\"access\"><strong>After the "
			       "next reset the web interface is reached differently:</strong>"
			       "<table class=\"kv\"><tr><th>Setting</th><th>In effect now</th>"
			       "<th>After the reset</th></tr>");
		web_hp(r->out, "<tr><td>%s</td><td>%s</td><td><strong>%s</strong></td></tr>",
		       tok[0], shown(tok[1]), shown(tok[2]));
	}
	if (n)
		web_hp(r->out,
		       "</table><p>Check that you will still reach the device (address, "
		       "ports, HTTPS only, client certificate) before you save and reset.</p>"
		       "</div>");
	return n;
}

/* A reply line that only repeats what the banner lists (a setting waiting for a reset). */
static int pending_note(const char *l, size_t len)
{
	return memmem(l, len, "pending reset: ", 15) != NULL;
}

void web_show_reply(struct web_req *r, const char *ok, const char *reply)
{
	unsigned warnings = 0, pending = 0;

	web_show_notice(r, "ok", ok);
	web_reply_access(r, reply);
	for (const char *l = reply; l && *l;) {
		size_t len = strcspn(l, "\n");
		if (len && !web_machine_line(l) && pending_note(l, len)) {
			pending++;
		} else if (len && !web_machine_line(l)) {
			if (!warnings++)
				web_hp(r->out, "<div class=\"note warn\" id=\"warnings\"><ul "
					       "class=\"plain\">");
			web_hp(r->out, "<li>");
			web_esc(r->out, l, len);
			web_hp(r->out, "</li>");
		}
		l += len + (l[len] != 0);
	}
	if (warnings)
		web_hp(r->out, "</ul></div>");
	if (pending)
		web_hp(r->out,
		       "<p class=\"help\" id=\"reply-pending\">%u of these settings take effect at "
		       "the next reset: the banner above lists every setting waiting for it.</p>",
		       pending);
}

/* "unsaved N" of INFO; without it (an older sbcd): changes since boot when nothing was saved. */
static unsigned long unsaved(const char *info)
{
	char v[32], s[32];

	if (web_info_get(info, "unsaved", v, sizeof(v))[0])
		return strtoul(v, NULL, 10);
	web_info_get(info, "saves", s, sizeof(s));
	web_info_get(info, "changes", v, sizeof(v));
	return strtoul(s, NULL, 10) == 0 ? strtoul(v, NULL, 10) : 0;
}

/* The PENDING reply as a table (from #pending lines) or a list (its human lines). */
static unsigned pending_list(struct web_req *r, const char *pend, unsigned *access)
{
	char tok[5][256];
	unsigned n = 0, machine = 0;

	for (const char *l = pend; l && *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0))
		machine += !strncmp(l, "#pending ", 9);
	if (machine) {
		web_hp(r->out,
		       "<table class=\"kv\" id=\"pending-table\"><tr><th>Object</th>"
		       "<th>Setting</th><th>In effect now</th><th>After the reset</th></tr>");
		for (const char *l = pend; l && *l;) {
			size_t len = strcspn(l, "\n");
			if (len > 9 && !strncmp(l, "#pending ", 9) &&
			    split(l + 9, len - 9, 5, tok) == 0) {
				int acc = access_column(tok[0], tok[2]);
				*access += acc;
				n++;
				if (!strcmp(tok[0], "-") ||
				    !strcasecmp(tok[0], conf_globals()->name))
					web_hp(r->out, "<tr%-s><td>global</td>",
					       acc ? " class=\"acc\"" : "");
				else
					web_hp(r->out, "<tr%-s><td>%s row %s</td>",
					       acc ? " class=\"acc\"" : "", tok[0], tok[1]);
				web_hp(r->out,
				       "<td>%s%-s</td><td>%s</td><td><strong>%s</strong></td></tr>",
				       tok[2],
				       acc ? " <span class=\"badge reset\">how you reach the "
					     "web</span>"
					   : "",
				       shown(tok[3]), shown(tok[4]));
			}
			l += len + (l[len] != 0);
		}
		web_hp(r->out, "</table>");
		return n;
	}
	web_hp(r->out, "<ul id=\"pending-list\">");
	for (const char *l = pend; l && *l;) {
		size_t len = strcspn(l, "\n");
		const char *t = l;
		if (len && !web_machine_line(l)) {
			int setting = 0;
			if (len > 9 && !strncmp(t, "warning: ", 9))
				t += 9, len -= 9;
			if (len > 15 && !strncmp(t, "pending reset: ", 15))
				t += 15, len -= 15, setting = 1;
			if (web_machine_line(t)) { /* a machine line behind a prefix */
				l = t + len;
				l += *l != 0;
				continue;
			}
			web_hp(r->out, "<li>");
			web_esc(r->out, t, len);
			web_hp(r->out, "</li>");
			n++;
			/* a global one reads "pending reset: Name = value (active old)" */
			if (setting) {
				char name[64];
				size_t nl = strcspn(t, " \n");
				snprintf(name, sizeof(name), "%.*s", (int)(nl < len ? nl : len), t);
				*access += access_column("-", name);
			}
		}
		l = t + len;
		l += *l != 0;
	}
	web_hp(r->out, "</ul>");
	return n;
}

void web_banner(struct web_req *r)
{
	char *info = web_sbc_info(r), *pend = web_sbc_pending(r);

	web_banner_render(r, info, pend);
	free(info);
	free(pend);
}

void web_banner_render(struct web_req *r, const char *info, const char *pend)
{
	unsigned long dirty = info ? unsaved(info) : 0;
	int admin = web_req_level(r) >= CTL_LEVEL_ADMIN;
	unsigned lines = 0, access = 0;

	for (const char *l = pend; l && *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0))
		lines += strcspn(l, "\n") && (!web_machine_line(l) || !strncmp(l, "#pending ", 9));
	if (!dirty && !lines)
		goto out;
	web_hp(r->out, "<div class=\"banner\" id=\"banner\">");
	if (dirty) {
		web_hp(r->out,
		       "<div class=\"note warn actions\" id=\"unsaved\"><span><strong>Not saved to "
		       "flash:</strong> %lu change%-s to the running configuration since the last "
		       "save (a reset would lose %-s).</span>",
		       dirty, dirty == 1 ? "" : "s", dirty == 1 ? "it" : "them");
		if (admin) {
			web_hp(r->out,
			       "<form class=\"inline\" method=\"post\" action=\"/actions/save\">");
			web_csrf_field(r);
			web_hp(r->out,
			       "<button type=\"submit\" id=\"banner-save\">Save to flash</button>"
			       "</form>");
		}
		web_hp(r->out, "</div>");
	}
	if (lines) {
		struct evbuffer *list = evbuffer_new(), *page = r->out;
		unsigned n;
		if (!list)
			goto close;
		r->out = list;
		n = pending_list(r, pend, &access);
		r->out = page;
		web_hp(
		    r->out,
		    "<div class=\"note warn%-s\" id=\"pending\"><details%-s><summary><strong>"
		    "Waiting for a reset:</strong> %u setting%-s take%-s effect at the next reset"
		    "%-s.</summary>",
		    access ? " access" : "", access ? " open" : "", n, n == 1 ? "" : "s",
		    n == 1 ? "s" : "",
		    access ? ", among them how you reach the web interface" : "");
		evbuffer_add_buffer(r->out, list);
		evbuffer_free(list);
		web_hp(r->out, "</details><div class=\"actions\">%-s",
		       dirty ? "Save to flash, then " : "");
		if (admin && strcmp(r->path, "/actions/reset")) /* not on the Reset page */
			web_hp(r->out,
			       "<a class=\"btn\" id=\"banner-reset\" href=\"/actions/reset\">"
			       "Reset...</a>");
		else if (!admin)
			web_hp(r->out, "an administrator resets the device.");
		web_hp(r->out, "</div></div>");
	}
close:
	web_hp(r->out, "</div>");
out:
	return;
}

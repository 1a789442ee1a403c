/* The configuration file (download, upload whole or incremental), save to flash, reset. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/ctl.h"
#include "web/web.h"

/* A name for the LOAD verb line (it names the file in error messages): no path, no spaces. */
static void upload_name(const char *in, char *out, size_t len)
{
	const char *base = in ? strrchr(in, '/') : NULL;
	size_t k = 0;

	base = base ? base + 1 : in;
	if (base && strrchr(base, '\\'))
		base = strrchr(base, '\\') + 1;
	for (; base && *base && k + 1 < len; base++)
		if (isalnum((unsigned char)*base) || strchr("_.-", *base))
			out[k++] = *base;
	out[k] = 0;
	if (!k || out[0] == '.')
		snprintf(out, len, "upload.ini");
}

static void files_page(struct web_req *r, const char *ok, const char *title, const char *errs)
{
	int admin = web_req_level(r) >= CTL_LEVEL_ADMIN;

	web_page_begin(r, "Configuration file");
	if (errs)
		web_show_errors(r, title, errs);
	if (ok)
		web_show_notice(r, "ok", ok);
	web_hp(r->out, "<h2>Download</h2><p><a class=\"btn\" id=\"download-ini\" "
		       "href=\"/files/ini\" download=\"board.ini\">Download the INI file</a> "
		       "(running configuration; secrets are left out)</p>");
	if (!admin) {
		web_page_end(r);
		web_send(r, errs ? 422 : 200, "text/html; charset=utf-8", NULL);
		return;
	}
	web_hp(r->out, "<h2>Upload</h2><form method=\"post\" action=\"/files/ini\" "
		       "enctype=\"multipart/form-data\">");
	web_csrf_field(r);
	web_hp(r->out,
	       "<div class=\"actions\"><input type=\"file\" name=\"file\" id=\"ini-file\" "
	       "accept=\".ini,.txt\"><label><input type=\"radio\" name=\"mode\" "
	       "value=\"incremental\" checked> incremental (only what the file names "
	       "changes)</label><label><input type=\"radio\" name=\"mode\" value=\"replace\">"
	       " whole (replaces the configuration)</label><button type=\"submit\" "
	       "id=\"ini-upload\">Upload</button></div></form>");
	web_hp(r->out, "<h2>Save and reset</h2><div class=\"actions\"><form method=\"post\" "
		       "action=\"/actions/save\">");
	web_csrf_field(r);
	web_hp(r->out, "<button type=\"submit\" id=\"save\">Save to flash</button></form>"
		       "<form method=\"post\" action=\"/actions/reset\">");
	web_csrf_field(r);
	web_hp(r->out, "<button class=\"danger\" type=\"submit\" id=\"reset\">Reset (load the "
		       "configuration saved on flash)</button></form></div><p class=\"help\">"
		       "Settings marked <span class=\"badge reset\">reset required</span> take "
		       "effect after Save then Reset.</p>");
	web_page_end(r);
	web_send(r, errs ? 422 : 200, "text/html; charset=utf-8", NULL);
}

static void download(struct web_req *r)
{
	char *reply = NULL;
	size_t len = 0;

	if (web_req_call(r, "EXPORT", NULL, 0, &reply, &len) != 0) {
		web_error(r, 502, reply ? reply : "sbcd does not answer");
		free(reply);
		return;
	}
	evbuffer_add(r->out, reply, len);
	free(reply);
	web_send(r, 200, "text/plain; charset=utf-8",
		 "Content-Disposition: attachment; filename=\"board.ini\"");
}

static void upload(struct web_req *r)
{
	const struct web_field *f = web_form_field(&r->form, "file");
	const char *mode = web_form_get(&r->form, "mode");
	char name[64], verb[128], *reply = NULL;
	int rc;

	if (!f || !f->filename || !f->len) {
		files_page(r, NULL, "Refused", "choose an INI file to upload");
		return;
	}
	if (!mode || (strcmp(mode, "incremental") && strcmp(mode, "replace"))) {
		files_page(r, NULL, "Refused", "mode must be incremental or replace");
		return;
	}
	upload_name(f->filename, name, sizeof(name));
	snprintf(verb, sizeof(verb), "LOAD %s %s", mode, name);
	rc = web_req_call(r, verb, f->value, f->len, &reply, NULL);
	if (rc == 0) {
		char ok[160];
		snprintf(ok, sizeof(ok), "%s loaded (%s); save to flash to keep it.", name, mode);
		files_page(r, ok, NULL, reply && reply[0] ? reply : NULL);
	} else {
		files_page(r, NULL, "Refused: nothing was changed", reply ? reply : "refused");
	}
	free(reply);
}

const char web_reset_js[] =
    "(function(){var m=document.getElementById('restart'),was=m.getAttribute('data-was'),"
    "s=document.getElementById('state'),t0=Date.now();"
    "function poll(){fetch('/alive',{cache:'no-store'}).then(function(r){return r.text();})"
    ".then(function(x){if(x.trim()!==was){s.textContent='The web is back: reloading.';"
    "location.replace('/');}else{later();}}).catch(later);}"
    "function later(){s.textContent='Waiting for the device ('+Math.round((Date.now()-t0)/1000)"
    "+' s)...';setTimeout(poll,1000);}setTimeout(poll,1000);})();\n";

/*
 * After RESET sbcd stops (and with it this process) and starts again: the page is
 * self-contained (no call to sbcd, which is going away) and its script reloads when a new
 * sbc-web answers.
 */
static void reset_page(struct web_req *r)
{
	web_hp(r->out,
	       "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
	       "<meta name=\"viewport\" content=\"width=device-width\">"
	       "<noscript><meta http-equiv=\"refresh\" content=\"15;url=/\"></noscript>"
	       "<title>Restarting - SBC</title><link rel=\"stylesheet\" href=\"/style.css\">"
	       "<script src=\"/reset.js\" defer></script></head><body>"
	       "<main id=\"restart\" data-was=\"%d-%lld\"><h1>The device is restarting</h1>"
	       "<p>The configuration saved on flash is being loaded. This page reloads itself "
	       "when the web is back (you may have to log in again).</p>"
	       "<p id=\"state\">Waiting for the device...</p></main></body></html>",
	       (int)getpid(), (long long)r->w->started);
	web_send(r, 200, "text/html; charset=utf-8", NULL);
}

void web_page_files(struct web_req *r)
{
	int post = evhttp_request_get_command(r->req) == EVHTTP_REQ_POST;
	const char *s0 = r->seg[0], *s1 = r->nseg > 1 ? r->seg[1] : NULL;
	char *reply = NULL;

	if (!strcmp(s0, "files") && r->nseg == 1 && !post) {
		files_page(r, NULL, NULL, NULL);
	} else if (!strcmp(s0, "files") && r->nseg == 2 && !strcmp(s1, "ini")) {
		if (post)
			upload(r);
		else
			download(r);
	} else if (!strcmp(s0, "actions") && r->nseg == 2 && post &&
		   (!strcmp(s1, "save") || !strcmp(s1, "reset"))) {
		int reset = !strcmp(s1, "reset");
		int rc = web_req_call(r, reset ? "RESET" : "SAVE", NULL, 0, &reply, NULL);
		if (rc == 0 && reset)
			reset_page(r);
		else if (rc == 0)
			files_page(r, "Saved to flash.", NULL, NULL);
		else
			files_page(r, NULL, "Refused", reply ? reply : "sbcd does not answer");
	} else {
		web_error(r, 404, "No such page");
	}
	free(reply);
}

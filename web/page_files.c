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

/*
 * ok: what was done; notes: the reply of an accepted load (its warnings and #access
 * block are shown, the answer stays 200); errs: a refusal (422) under title.
 */
static void files_page(struct web_req *r, const char *ok, const char *notes, const char *title,
		       const char *errs)
{
	int admin = web_req_level(r) >= CTL_LEVEL_ADMIN;

	web_page_begin(r, "Configuration file");
	if (errs)
		web_show_errors(r, title, errs);
	if (ok)
		web_show_reply(r, ok, notes);
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
	       "id=\"ini-upload\">Upload and apply</button></div></form>");
	web_hp(r->out, "<h2>Save and reset</h2><div class=\"actions\"><form method=\"post\" "
		       "action=\"/actions/save\">");
	web_csrf_field(r);
	web_hp(r->out, "<button type=\"submit\" id=\"save\">Save to flash</button></form>"
		       "<a class=\"btn danger\" id=\"reset\" href=\"/actions/reset\">Reset...</a>"
		       "</div><p class=\"help\">Apply changes the running configuration; Save to "
		       "flash keeps it after a reset. Settings marked <span class=\"badge reset\">"
		       "reset required</span> take effect after Save to flash, then Reset.</p>");
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
		files_page(r, NULL, NULL, "Refused", "choose an INI file to upload");
		return;
	}
	if (!mode || (strcmp(mode, "incremental") && strcmp(mode, "replace"))) {
		files_page(r, NULL, NULL, "Refused", "mode must be incremental or replace");
		return;
	}
	upload_name(f->filename, name, sizeof(name));
	snprintf(verb, sizeof(verb), "LOAD %s %s", mode, name);
	rc = web_req_call(r, verb, f->value, f->len, &reply, NULL);
	if (rc == 0) {
		char ok[160];
		snprintf(ok, sizeof(ok),
			 "%s loaded (%s) into the running configuration; Save to flash keeps it "
			 "after a reset.",
			 name, mode);
		files_page(r, ok, reply, NULL, NULL); /* warnings, if any, with a 200 */
	} else {
		files_page(r, NULL, NULL, "Refused: nothing was changed",
			   reply ? reply : "refused");
	}
	free(reply);
}

const char web_reset_js[] =
    "(function(){var m=document.getElementById('restart');if(!m)return;"
    "var was=m.getAttribute('data-was'),s=document.getElementById('state'),t0=Date.now();"
    /* each poll gives up after 3 s: a request caught by the old server as it stopped may
       otherwise hang and no poll would follow it */
    "function poll(){var c=new AbortController(),k=setTimeout(function(){c.abort();},3000);"
    "fetch('/alive',{cache:'no-store',signal:c.signal}).then(function(r){clearTimeout(k);"
    "return r.ok?r.text():'';})"
    /* only a new sbc-web's own answer ("pid-start") counts: an error page of a proxy between
       the browser and a device that is still down must not trigger the reload */
    ".then(function(x){x=x.trim();if(/^[0-9]+-[0-9]+$/.test(x)&&x!==was){"
    "s.textContent='The web is back: reloading.';"
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

/* The vendor's Device Reset page: what a reset does here and now, then a confirmation. */
static void reset_confirm(struct web_req *r)
{
	char *info = web_sbc_info(r), v[32];
	unsigned long unsaved =
	    info ? strtoul(web_info_get(info, "unsaved", v, sizeof(v)), NULL, 10) : 0;

	free(info);
	web_page_begin(r, "Device reset");
	/* loads (and caches) the Restarting page's script now: once the reset starts, this web
	   server is gone before the browser could fetch it (it does nothing here) */
	web_hp(r->out, "<script src=\"/reset.js\" defer></script>");
	web_hp(r->out,
	       "<p>A reset restarts sbcd with the configuration saved on flash: changes not saved "
	       "to flash are lost, settings waiting for a reset take effect (see above), calls in "
	       "progress end, and you may have to log in again.</p>"
	       "<form method=\"post\" action=\"/actions/reset\" id=\"reset-form\">");
	web_csrf_field(r);
	web_hp(r->out,
	       "<input type=\"hidden\" name=\"confirm\" value=\"yes\"><p><label><input "
	       "type=\"checkbox\" name=\"save\" value=\"1\" id=\"reset-save\"%-s> Save to flash "
	       "first (%lu change%-s not saved)</label></p><div class=\"actions\">"
	       "<button class=\"danger\" type=\"submit\" id=\"reset-confirm\">Reset now</button>"
	       "<a class=\"btn plain\" href=\"/files\" id=\"reset-cancel\">Cancel</a></div></form>",
	       unsaved ? " checked" : "", unsaved, unsaved == 1 ? "" : "s");
	web_page_end(r);
	web_send(r, 200, "text/html; charset=utf-8", NULL);
}

void web_page_files(struct web_req *r)
{
	int post = evhttp_request_get_command(r->req) == EVHTTP_REQ_POST;
	const char *s0 = r->seg[0], *s1 = r->nseg > 1 ? r->seg[1] : NULL;
	char *reply = NULL;

	if (!strcmp(s0, "files") && r->nseg == 1 && !post) {
		files_page(r, NULL, NULL, NULL, NULL);
	} else if (!strcmp(s0, "files") && r->nseg == 2 && !strcmp(s1, "ini")) {
		if (post)
			upload(r);
		else
			download(r);
	} else if (!strcmp(s0, "actions") && r->nseg == 2 && !post && !strcmp(s1, "reset")) {
		if (web_req_level(r) < CTL_LEVEL_ADMIN)
			web_error(r, 403, "Only an administrator may reset the device.");
		else
			reset_confirm(r);
	} else if (!strcmp(s0, "actions") && r->nseg == 2 && post && !strcmp(s1, "reset")) {
		const char *confirm = web_form_get(&r->form, "confirm");
		const char *save = web_form_get(&r->form, "save");
		int rc = 0;
		if (!confirm || strcmp(confirm, "yes")) {
			web_error(r, 400, "Reset needs its confirmation (the Device reset page).");
			goto out;
		}
		if (save && !strcmp(save, "1"))
			rc = web_req_call(r, "SAVE", NULL, 0, &reply, NULL);
		if (rc == 0) {
			free(reply);
			reply = NULL;
			rc = web_req_call(r, "RESET", NULL, 0, &reply, NULL);
		}
		if (rc == 0)
			reset_page(r);
		else
			files_page(r, NULL, NULL, "Refused: the device was not reset",
				   reply ? reply : "sbcd does not answer");
	} else if (!strcmp(s0, "actions") && r->nseg == 2 && post && !strcmp(s1, "save")) {
		int rc = web_req_call(r, "SAVE", NULL, 0, &reply, NULL);
		if (rc == 0)
			files_page(r, "Saved to flash.", NULL, NULL, NULL);
		else
			files_page(r, NULL, NULL, "Refused",
				   reply ? reply : "sbcd does not answer");
	} else {
		web_error(r, 404, "No such page");
	}
out:
	free(reply);
}

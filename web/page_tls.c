/*
 * TLS context pages: the device certificate (show, generate self-signed, CSR,
 * import certificate and key) and the trusted root certificates (list, import
 * one or several PEM files, delete). Private keys are never shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "control/ctl.h"
#include "tls/material.h"
#include "tls/tls.h"
#include "web/web.h"

static const char *when(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm);
	return buf;
}

static void cert_table(struct web_req *r, const struct tls_cert_info *ci, int key_matches)
{
	char a[64], b[64];
	time_t now = time(NULL);

	web_hp(
	    r->out,
	    "<table class=\"kv\"><tr><th>Subject</th><td>%s</td></tr>"
	    "<tr><th>Issuer</th><td>%s</td></tr><tr><th>Serial</th><td>%s</td></tr>"
	    "<tr><th>Valid</th><td>%s to %s%-s</td></tr><tr><th>Key</th><td>%s%-s</td></tr>"
	    "<tr><th>Subject alternative names</th><td>%s</td></tr>"
	    "<tr><th>SHA-256</th><td><code>%s</code></td></tr></table>",
	    ci->subject, ci->issuer, ci->serial, when(ci->not_before, a, sizeof(a)),
	    when(ci->not_after, b, sizeof(b)),
	    ci->not_after < now ? " <span class=\"badge reset\">expired</span>" : "", ci->key_type,
	    key_matches ? "" : " <span class=\"badge reset\">the private key does not match</span>",
	    ci->san, ci->sha256);
}

static void roots_table(struct web_req *r, unsigned ctx)
{
	struct tls_cert_info *roots = NULL;
	unsigned n = 0;
	char err[512], a[64];
	time_t now = time(NULL);
	int admin = web_req_level(r) >= CTL_LEVEL_ADMIN;

	if (web_tlsops_list_roots(r, ctx, &roots, &n, err, sizeof(err)) < 0) {
		web_show_notice(r, "err", err);
		return;
	}
	if (!n)
		web_hp(r->out, "<p id=\"roots-empty\">No trusted root certificates.</p>");
	else
		web_hp(r->out,
		       "<table id=\"roots\"><tr><th>#</th><th>Subject</th><th>Issuer</th>"
		       "<th>Expires</th><th>SHA-256</th>%-s</tr>",
		       admin ? "<th></th>" : "");
	for (unsigned i = 0; i < n; i++) {
		web_hp(r->out,
		       "<tr><td>%u</td><td>%s</td><td>%s</td><td>%s%-s</td>"
		       "<td><code>%s</code></td>",
		       i, roots[i].subject, roots[i].issuer, when(roots[i].not_after, a, sizeof(a)),
		       roots[i].not_after < now ? " <span class=\"badge reset\">expired</span>"
						: "",
		       roots[i].sha256);
		if (admin) {
			web_hp(r->out,
			       "<td><form class=\"inline\" method=\"post\" "
			       "action=\"/tls/%u/roots/%u/delete\">",
			       ctx, i);
			web_csrf_field(r);
			web_hp(r->out, "<button class=\"danger\" type=\"submit\">Delete</button>"
				       "</form></td>");
		}
		web_hp(r->out, "</tr>");
	}
	if (n)
		web_hp(r->out, "</table>");
	free(roots);
}

enum tls_page { TLS_INFO, TLS_CHANGE, TLS_ROOTS };

/* The vendor's three pages of a context, in the order of its steps. */
static const struct {
	const char *label, *sub, *id;
} tls_pages[] = {
    [TLS_INFO] = {"Certificate Information", "", "tab-info"},
    [TLS_CHANGE] = {"Change Certificates", "/change", "tab-change"},
    [TLS_ROOTS] = {"Trusted Root Certificates", "/roots", "tab-roots"},
};

static void roots_form(struct web_req *r, unsigned ctx)
{
	web_hp(r->out,
	       "<h2>Import trusted root certificates</h2><form method=\"post\" "
	       "action=\"/tls/%u/roots\" enctype=\"multipart/form-data\" class=\"actions\">",
	       ctx);
	web_csrf_field(r);
	web_hp(r->out,
	       "<input type=\"file\" id=\"roots-file\" name=\"file\" multiple "
	       "accept=\".pem,.crt,.cer\"><button type=\"submit\" id=\"roots-import\">Import"
	       "</button><span class=\"help\">one or several PEM files, each may hold several "
	       "CA certificates; takes effect for new connections at once</span></form>");
}

/* Change Certificates, in the vendor's order: CSR, device certificate, key, self-signed. */
static void change_forms(struct web_req *r, unsigned ctx)
{
	web_hp(r->out,
	       "<h2>Certificate signing request</h2><form method=\"post\" "
	       "action=\"/tls/%u/csr\" class=\"actions\">",
	       ctx);
	web_csrf_field(r);
	web_hp(r->out, "<input type=\"text\" name=\"subject\" id=\"csr-subject\" class=\"mid\" "
		       "placeholder=\"subject, e.g. CN=sbc.example.com,O=Example (empty: the "
		       "certificate's)\"><button type=\"submit\" id=\"csr-create\">Create CSR "
		       "(download)</button><span class=\"help\">signed with the context's current "
		       "private key; have a CA sign it, then load the certificate below</span>"
		       "</form>");
	web_hp(r->out,
	       "<h2>Load the device certificate</h2><form method=\"post\" "
	       "action=\"/tls/%u/certificate\" enctype=\"multipart/form-data\" "
	       "class=\"actions\">",
	       ctx);
	web_csrf_field(r);
	web_hp(r->out,
	       "<input type=\"file\" name=\"file\" id=\"cert-file\" accept=\".pem,.crt,.cer,.der\">"
	       "<button type=\"submit\" id=\"cert-load\">Load device certificate</button>"
	       "<span class=\"help\">it must match the private key; its chain may follow it"
	       "</span></form>"
	       "<h2>Load a private key</h2><form method=\"post\" action=\"/tls/%u/key\" "
	       "enctype=\"multipart/form-data\" class=\"actions\">",
	       ctx);
	web_csrf_field(r);
	web_hp(r->out,
	       "<input type=\"file\" name=\"file\" id=\"key-file\" accept=\".pem,.key,.der\">"
	       "<input type=\"password\" name=\"passphrase\" class=\"short\" "
	       "placeholder=\"passphrase (if encrypted)\" autocomplete=\"off\">"
	       "<button type=\"submit\" id=\"key-load\">Load private key</button></form>");
	web_hp(r->out,
	       "<h2>Generate a new private key and self-signed certificate"
	       "</h2><form method=\"post\" action=\"/tls/%u/generate\">",
	       ctx);
	web_csrf_field(r);
	web_hp(r->out, "<table class=\"form\"><tr><th>Subject</th><td><input type=\"text\" "
		       "name=\"subject\" placeholder=\"CN=sbc.example.com,O=Example\" required>"
		       "</td></tr><tr><th>Days valid</th><td><input type=\"number\" name=\"days\" "
		       "value=\"365\" min=\"1\" max=\"36500\"></td></tr><tr><th>Key</th><td>"
		       "<select name=\"keytype\"><option>rsa-2048</option><option>rsa-3072</option>"
		       "<option>rsa-4096</option><option>ec-p256</option><option>ec-p384</option>"
		       "</select></td></tr></table><div class=\"actions\"><button class=\"danger\" "
		       "type=\"submit\" id=\"generate\">Generate (replaces key and certificate)"
		       "</button></div></form>");
}

static void page(struct web_req *r, const struct conf_store *st, unsigned ctx, enum tls_page which,
		 const char *ok, const char *refusal)
{
	const struct conf_table *tc = &conf_tbl_tlscontexts;
	const struct conf_rows *rows = conf_store_rows(st, tc);
	const struct conf_row *row = conf_store_get(st, tc, ctx);
	int nc = conf_table_name_col(tc), admin = web_req_level(r) >= CTL_LEVEL_ADMIN;
	struct tls_cert_info ci;
	int km = 0;
	char err[512], title[160];

	snprintf(title, sizeof(title), "TLS context %u (%s): %s", ctx,
		 row && nc >= 0 ? conf_row_str(row, nc) : "", tls_pages[which].label);
	web_page_begin(r, title);
	web_hp(r->out, "<div class=\"actions\" id=\"tls-tabs\"><a class=\"btn plain\" "
		       "href=\"/table/TLSContexts\" id=\"back-contexts\">TLS Contexts table</a>");
	for (unsigned k = 0; k < sizeof(tls_pages) / sizeof(tls_pages[0]); k++)
		web_hp(r->out, "<a class=\"btn%-s\" id=\"%s\" href=\"/tls/%u%s\">%s</a>",
		       k == which ? "" : " plain", tls_pages[k].id, ctx, tls_pages[k].sub,
		       tls_pages[k].label);
	web_hp(r->out, "</div><div class=\"actions\">Context:");
	for (unsigned i = 0; rows && i < rows->n; i++)
		web_hp(r->out, " <a class=\"btn%-s\" href=\"/tls/%u%s\">%u %s</a>",
		       rows->row[i]->index == ctx ? "" : " plain", rows->row[i]->index,
		       tls_pages[which].sub, rows->row[i]->index,
		       nc >= 0 ? conf_row_str(rows->row[i], nc) : "");
	web_hp(r->out, "</div>");
	if (refusal)
		web_show_errors(r, "Refused", refusal);
	if (ok)
		web_show_lines(r, "ok", ok);
	if (which != TLS_ROOTS) {
		web_hp(r->out, "<h2>Device certificate</h2>");
		if (web_tlsops_cert_info(r, ctx, &ci, &km, err, sizeof(err)) < 0)
			web_show_notice(r, "warn", err);
		else
			cert_table(r, &ci, km);
	}
	if (which == TLS_CHANGE && admin)
		change_forms(r, ctx);
	if (which == TLS_ROOTS) {
		web_hp(r->out, "<h2>Trusted root certificates</h2>");
		roots_table(r, ctx);
		if (admin)
			roots_form(r, ctx);
	}
	web_page_end(r);
	web_send(r, refusal ? 422 : 200, "text/html; charset=utf-8", NULL);
}

/* Every file part named "file": one import each, so a refusal names its file. */
static int import_roots(struct web_req *r, unsigned ctx, char **out)
{
	char *all = NULL, *msg = NULL;
	size_t alen = 0;
	FILE *f = open_memstream(&all, &alen);
	int files = 0, bad = 0;

	if (!f)
		return -1;
	for (unsigned i = 0; i < r->form.n; i++) {
		const struct web_field *fd = &r->form.f[i];
		if (strcmp(fd->name, "file") || !fd->filename || (!fd->filename[0] && !fd->len))
			continue;
		files++;
		int rc = web_tlsops_import_roots(r, ctx, fd->value, fd->len, &msg);
		/* one line per file: the reply's lines joined */
		for (char *p = msg; p && *p; p++)
			if (*p == '\n')
				*p = p[1] ? ';' : 0;
		fprintf(f, "%s: %s\n", fd->filename[0] ? fd->filename : "upload", msg ? msg : "");
		bad += rc != 0;
		free(msg);
		msg = NULL;
	}
	if (!files)
		fprintf(f, "choose one or more PEM files to import\n");
	fclose(f);
	*out = all;
	return files && !bad ? 0 : -1;
}

void web_page_tls(struct web_req *r)
{
	const struct conf_table *tc = &conf_tbl_tlscontexts;
	int post = evhttp_request_get_command(r->req) == EVHTTP_REQ_POST;
	const char *op = r->nseg >= 3 ? r->seg[2] : NULL;
	char err[512], *msg = NULL, *end, *pem = NULL;
	struct conf_store *st;
	unsigned long ctx;
	int rc = 0;

	if (r->nseg < 2) {
		web_redirect(r, "/tls/0");
		return;
	}
	ctx = strtoul(r->seg[1], &end, 10);
	if (!tc || *end || r->seg[1][0] == '-' || ctx >= tc->max_rows) {
		web_error(r, 404, "No such TLS context");
		return;
	}
	if (!(st = web_sbc_store(r, 0, tc, err, sizeof(err)))) {
		web_error(r, 502, err);
		return;
	}
	if (!conf_store_get(st, tc, (unsigned)ctx)) {
		web_error(r, 404, "No such TLS context");
		goto out;
	}
	if (!post &&
	    (r->nseg == 2 || (r->nseg == 3 && (!strcmp(op, "change") || !strcmp(op, "roots"))))) {
		page(r, st, (unsigned)ctx,
		     r->nseg == 2            ? TLS_INFO
		     : !strcmp(op, "change") ? TLS_CHANGE
					     : TLS_ROOTS,
		     NULL, NULL);
		goto out;
	}
	if (!post) {
		web_error(r, 405, "Method not allowed");
		goto out;
	}
	if (op && !strcmp(op, "roots") && r->nseg == 3) {
		rc = import_roots(r, (unsigned)ctx, &msg);
	} else if (op && !strcmp(op, "roots") && r->nseg == 5 && !strcmp(r->seg[4], "delete")) {
		unsigned long idx = strtoul(r->seg[3], &end, 10);
		if (*end || r->seg[3][0] == '-' || idx > 1000)
			rc = -1, msg = strdup("bad index");
		else
			rc = web_tlsops_delete_root(r, (unsigned)ctx, (unsigned)idx, &msg);
	} else if (op && r->nseg == 3 && (!strcmp(op, "certificate") || !strcmp(op, "key"))) {
		const struct web_field *fd = web_form_field(&r->form, "file");
		if (!fd || !fd->len)
			rc = -1, msg = strdup("choose a file to import");
		else if (!strcmp(op, "key"))
			rc = web_tlsops_import_key(r, (unsigned)ctx, fd->value, fd->len,
						   web_form_get(&r->form, "passphrase"), &msg);
		else
			rc = web_tlsops_import_cert(r, (unsigned)ctx, fd->value, fd->len, &msg);
	} else if (op && !strcmp(op, "generate") && r->nseg == 3) {
		const char *subj = web_form_get(&r->form, "subject");
		const char *days = web_form_get(&r->form, "days");
		long d = days ? strtol(days, &end, 10) : 0;
		if (!subj || !subj[0] || !days || *end || d < 1 || d > 36500)
			rc = -1, msg = strdup("give a subject and 1 .. 36500 days");
		else
			rc = web_tlsops_generate(r, (unsigned)ctx, subj, (int)d,
						 web_form_get(&r->form, "keytype"), &msg);
	} else if (op && !strcmp(op, "csr") && r->nseg == 3) {
		const char *subj = web_form_get(&r->form, "subject");
		rc = web_tlsops_csr(r, (unsigned)ctx, subj ? subj : "", &pem, &msg);
		if (rc == 0) {
			evbuffer_add(r->out, pem, strlen(pem));
			web_send(r, 200, "application/pkcs10",
				 "Content-Disposition: attachment; filename=\"request.csr\"");
			goto out;
		}
	} else {
		web_error(r, 404, "No such operation");
		goto out;
	}
	page(r, st, (unsigned)ctx, !strcmp(op, "roots") ? TLS_ROOTS : TLS_CHANGE,
	     rc == 0 ? (msg && msg[0] ? msg : "done") : NULL,
	     rc == 0 ? NULL : (msg ? msg : "refused"));
out:
	free(pem);
	free(msg);
	conf_store_free(st);
}

/*
 * Talking to sbcd. A request opens one control connection on first use and
 * binds it to its user (RESUME with the session's ticket, LOGIN for HTTP
 * Basic) before any other verb; a connection whose RESUME or LOGIN failed is
 * closed at once. sbc-web's own level is monitor (user sbc-web).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "control/ctl.h"
#include "ini/ini.h"
#include "web/web.h"

int web_sbc_call(const char *sock, const char *verb, char **reply, size_t *rlen)
{
	char err[256];
	struct ctl_client *c = ctl_open(sock, err, sizeof(err));
	int rc;

	if (!c) {
		*reply = strdup(err);
		*rlen = *reply ? strlen(*reply) : 0;
		return -1;
	}
	rc = ctl_call(c, verb, NULL, 0, reply, rlen);
	ctl_close(c);
	return rc;
}

struct ctl_client *web_req_ctl(struct web_req *r, char *err, size_t errlen)
{
	char verb[96], *reply = NULL;
	size_t rlen;
	int rc;

	if (r->ctl)
		return r->ctl;
	if (!r->sess) {
		snprintf(err, errlen, "not logged in");
		return NULL;
	}
	if (!(r->ctl = ctl_open(r->w->sock, err, errlen)))
		return NULL;
	snprintf(verb, sizeof(verb), "RESUME %s", r->sess->ticket);
	rc = ctl_call(r->ctl, verb, NULL, 0, &reply, &rlen);
	if (rc != 0) {
		snprintf(err, errlen, "%s", reply ? reply : "sbcd refused the user");
		ctl_close(r->ctl);
		r->ctl = NULL;
		free(reply);
		return NULL;
	}
	/* the user's level may have changed since login: follow sbcd */
	if (reply && strncmp(reply, "level ", 6) == 0)
		r->sess->level = (unsigned)strtoul(reply + 6, NULL, 10);
	free(reply);
	return r->ctl;
}

int web_req_call(struct web_req *r, const char *verb, const char *body, size_t blen, char **reply,
		 size_t *rlen)
{
	char err[512];
	struct ctl_client *c = web_req_ctl(r, err, sizeof(err));
	size_t dummy;

	if (!rlen)
		rlen = &dummy;
	if (!c) {
		*reply = strdup(err);
		*rlen = *reply ? strlen(*reply) : 0;
		return -1;
	}
	int rc = ctl_call(c, verb, body, blen, reply, rlen);
	if (rc < 0) {
		ctl_close(r->ctl);
		r->ctl = NULL;
	}
	return rc;
}

struct conf_store *web_sbc_store(struct web_req *r, int status, const struct conf_table *t,
				 char *err, size_t errlen)
{
	char verb[128], *reply = NULL;
	size_t rlen = 0;
	struct conf_store *st;
	struct conf_diag d;

	snprintf(verb, sizeof(verb), "%s%s%s", status ? "STATUS" : "EXPORT", t ? " " : "",
		 t ? t->name : "");
	if (web_req_call(r, verb, NULL, 0, &reply, &rlen) != 0) {
		snprintf(err, errlen, "%s: %s", verb, reply ? reply : "no reply");
		free(reply);
		return NULL;
	}
	st = conf_store_new();
	conf_diag_init(&d);
	d.max = 4;
	if (!st || ini_load(st, reply, rlen, "export", INI_INCREMENTAL, status ? INI_L_STATUS : 0,
			    &d) < 0) {
		char *m = conf_diag_join(&d);
		snprintf(err, errlen, "cannot read sbcd's %s: %s", verb, m ? m : "");
		free(m);
		conf_store_free(st);
		st = NULL;
	}
	conf_diag_free(&d);
	free(reply);
	return st;
}

char *web_sbc_pending(struct web_req *r)
{
	char *reply = NULL;

	if (web_req_call(r, "PENDING", NULL, 0, &reply, NULL) != 0) {
		free(reply);
		return strdup("");
	}
	return reply;
}

char *web_sbc_info(struct web_req *r)
{
	char *reply = NULL;

	if (web_req_call(r, "INFO", NULL, 0, &reply, NULL) != 0) {
		free(reply);
		return NULL;
	}
	return reply;
}

const char *web_info_get(const char *info, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);

	buf[0] = 0;
	for (const char *l = info; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, klen) == 0 && l[klen] == ' ') {
			size_t n = strcspn(l + klen + 1, "\n");
			snprintf(buf, len, "%.*s", (int)n, l + klen + 1);
			break;
		}
	}
	return buf;
}

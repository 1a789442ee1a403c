/* Reply frames of the control verbs (ctl_reply.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/store.h"
#include "sbc/ctl_access.h"
#include "sbc/ctl_reply.h"
#include "sbc/sbcd.h"

void ctl_reply_begin(struct ctl_reply *r, int ok)
{
	r->buf = NULL;
	r->f = open_memstream(&r->buf, &r->len);
	if (r->f)
		fputs(ok ? "OK\n" : "ERR\n", r->f);
}

char *ctl_reply_end(struct ctl_reply *r, size_t *rlen)
{
	if (!r->f)
		return NULL;
	fclose(r->f);
	*rlen = r->len;
	return r->buf;
}

char *ctl_reply_text(int ok, size_t *rlen, const char *fmt, ...)
{
	struct ctl_reply r;
	va_list ap;

	ctl_reply_begin(&r, ok);
	if (r.f) {
		va_start(ap, fmt);
		vfprintf(r.f, fmt, ap);
		va_end(ap);
	}
	return ctl_reply_end(&r, rlen);
}

char *ctl_reply_data(const char *data, size_t len, size_t *rlen)
{
	char *out = malloc(len + 3);

	if (!out)
		return NULL;
	memcpy(out, "OK\n", 3);
	memcpy(out + 3, data, len);
	*rlen = len + 3;
	return out;
}

char *ctl_reply_diag(int ok, const struct conf_diag *d, const char *tail, size_t *rlen)
{
	char *msgs = conf_diag_join_coded(d);
	char *out = ctl_reply_text(ok, rlen, "%s%s", msgs ? msgs : "", tail ? tail : "");

	free(msgs);
	return out;
}

/* An accepted LOAD or CHECK: its notes, with the pending ones of next against what runs. */
char *ctl_reply_pending(struct sbcd *s, struct conf_diag *d, const struct conf_store *next,
			size_t *rlen)
{
	char *msgs, *ann, *out;

	conf_store_pending_coded(next, s->active, d);
	msgs = conf_diag_join_coded(d);
	ann = ctl_access_annotate(msgs ? msgs : "", d, next, s->active);
	out = ctl_reply_text(1, rlen, "%s", ann ? ann : msgs ? msgs : "");
	free(ann);
	free(msgs);
	return out;
}

/*
 * ctl_reply: the reply frames of control verbs ("OK\n" or "ERR\n" and a body,
 * doc/CONTROL.md). Each returns a malloc'd frame and its length in *rlen, or
 * NULL when out of memory.
 */
#ifndef SBC_CTL_REPLY_H
#define SBC_CTL_REPLY_H

#include <stdio.h>

struct sbcd;
struct conf_diag;
struct conf_store;

/* A reply written with stdio: ctl_reply_begin, fprintf to r.f, ctl_reply_end. */
struct ctl_reply {
	char *buf;
	size_t len;
	FILE *f;
};
void ctl_reply_begin(struct ctl_reply *r, int ok);
char *ctl_reply_end(struct ctl_reply *r, size_t *rlen);

char *ctl_reply_text(int ok, size_t *rlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "OK\n" and len bytes of data (any bytes). */
char *ctl_reply_data(const char *data, size_t len, size_t *rlen);
/* The messages of d with their #code lines, then tail. */
char *ctl_reply_diag(int ok, const struct conf_diag *d, const char *tail, size_t *rlen);
/* An accepted LOAD or CHECK: d's notes, with the pending ones of next against what runs
 * (#code pending and #access lines). */
char *ctl_reply_pending(struct sbcd *s, struct conf_diag *d, const struct conf_store *next,
			size_t *rlen);

#endif

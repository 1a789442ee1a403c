/*
 * ctl_jobs: the control verbs whose work runs on a control worker (ctl_work.h):
 * LOAD and CHECK (parse, validate and build on the worker; prepare and apply
 * on the loop, refused when another commit came meanwhile) and EXPORT and
 * STATUS (the INI text and the reply frame made on the worker from a shared
 * reference to the store). Each sets cs->job and returns NULL, or returns a
 * refusal at once.
 */
#ifndef SBC_CTL_JOBS_H
#define SBC_CTL_JOBS_H

#include <stddef.h>

struct sbcd;
struct ctl_session;

char *ctl_verb_load(struct sbcd *s, struct ctl_session *cs, int apply, const char *mode,
		    const char *fname, const char *body, size_t blen, size_t *rlen);
char *ctl_verb_export(struct sbcd *s, struct ctl_session *cs, const char *table, int status,
		      size_t *rlen);

#endif

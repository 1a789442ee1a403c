/*
 * Strict option values for the bench programs: a bad number ends the program
 * with exit status 2 and a message naming the option (conf/num.h rules).
 */
#ifndef BENCH_ARGS_H
#define BENCH_ARGS_H

#include <stdio.h>
#include <stdlib.h>

#include "conf/num.h"

static inline unsigned bench_arg_uint(const char *prog, const char *what, const char *text,
				      unsigned min, unsigned max)
{
	char err[200];
	unsigned v;

	if (conf_num_uint(what, text, min, max, &v, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		exit(2);
	}
	return v;
}

static inline double bench_arg_double(const char *prog, const char *what, const char *text,
				      double min, double max)
{
	char err[200];
	double v;

	if (conf_num_double(what, text, min, max, &v, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		exit(2);
	}
	return v;
}

#endif

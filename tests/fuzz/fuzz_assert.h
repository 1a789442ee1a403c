/*
 * fuzz_assert: a property every input must keep. A violation prints why and aborts, which
 * libFuzzer reports as a crash with the input saved; unlike assert(3) it is never compiled out.
 */
#ifndef TESTS_FUZZ_ASSERT_H
#define TESTS_FUZZ_ASSERT_H

#include <stdio.h>
#include <stdlib.h>

#define fuzz_assert(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#endif

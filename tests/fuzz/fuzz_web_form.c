/*
 * libFuzzer harness for sbc-web's request-body parsers (web/form.c): urlencoded forms,
 * multipart/form-data and query strings. They work on buffers; no libevent involved.
 *
 * Input: a Content-Type line, '\n', then the body (arbitrary bytes). The first line is
 * also parsed as a query string (web_form_query, a C string as evhttp hands it over).
 * The body is copied into a buffer of exactly its length, so ASan sees any read past it.
 * Every field the parser returns must be whole: a name, a NUL-terminated value of the
 * length it states, and findable by name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_assert.h"
#include "web/web.h"

static void check_fields(const struct web_form *fm)
{
	for (unsigned i = 0; i < fm->n; i++) {
		const struct web_field *f = &fm->f[i];
		fuzz_assert(f->name && f->value && f->value[f->len] == 0 &&
				web_form_field(fm, f->name),
			    "fuzz_web_form: field %u is not whole", i);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t clen = nl ? (size_t)(nl - data) : size;
	size_t blen = nl ? size - clen - 1 : 0;
	char *ctype, *body, err[256];
	struct web_form fm = {0};

	if (clen > 4096)
		return 0;
	ctype = malloc(clen + 1);
	body = malloc(blen ? blen : 1);
	if (!ctype || !body) {
		free(ctype), free(body);
		return 0;
	}
	memcpy(ctype, data, clen);
	ctype[clen] = 0;
	if (blen)
		memcpy(body, nl + 1, blen);

	err[0] = 0;
	if (web_form_query(&fm, ctype, err, sizeof(err)) == 0)
		check_fields(&fm);
	web_form_free(&fm);

	err[0] = 0;
	if (web_form_parse(&fm, ctype, body, blen, err, sizeof(err)) == 0)
		check_fields(&fm);
	else {
		fuzz_assert(err[0], "fuzz_web_form: refused without a reason");
	}
	web_form_free(&fm);
	free(ctype);
	free(body);
	return 0;
}

/*
 * libFuzzer harness for the reply rendering of sbc-web (web/notes.c): an accepted change's
 * reply (human lines, `#code`, `#access COLUMN RUNNING NEW`, `#pending ...`) becomes HTML.
 *
 * Properties: no machine line reaches the page (no list item starts with '#': machine lines
 * are dropped, human ones listed escaped); nothing the reply says becomes markup (the output
 * holds no "<script" and no "<img"); a well-formed `#access A B C` line (three tokens) gives
 * the #access block.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "tests/fuzz/fuzz_assert.h"
#include "web/web.h"

/* 1 when text holds a line "#access X Y Z" with exactly three space-free tokens. */
static int has_access_line(const char *text)
{
	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
		size_t n = strcspn(l, "\n"), tokens = 0;
		if (n < 8 || strncmp(l, "#access ", 8))
			continue;
		for (size_t i = 8; i < n; i++)
			if (l[i] != ' ' && (i == 8 || l[i - 1] == ' '))
				tokens++;
		if (tokens == 3)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct web_req r = {0};
	char *reply = malloc(size + 1), *out;
	size_t len;

	if (!reply || !(r.out = evbuffer_new())) {
		free(reply);
		return 0;
	}
	memcpy(reply, data, size);
	reply[size] = 0; /* sbcd's replies reach the pages as C strings */
	web_show_reply(&r, "applied", reply);
	len = evbuffer_get_length(r.out);
	out = malloc(len + 1);
	if (out) {
		evbuffer_remove(r.out, out, len);
		out[len] = 0;
		fuzz_assert(!strstr(out, "<li>#"), "fuzz_web_notes: a machine line is shown raw");
		fuzz_assert(!strstr(out, "<script") && !strstr(out, "<img"),
			    "fuzz_web_notes: markup from the reply");
		if (has_access_line(reply))
			fuzz_assert(strstr(out, "id=\"access\""),
				    "fuzz_web_notes: an #access line without the #access block");
	}
	free(out);
	free(reply);
	evbuffer_free(r.out);
	return 0;
}

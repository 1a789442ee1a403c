/*
 * libFuzzer harness for the reply rendering of sbc-web (web/notes.c): an accepted change's
 * reply (human lines, `#code`, `#access COLUMN RUNNING NEW`, `#pending ...`) becomes HTML.
 *
 * Properties: no machine line reaches the page (no list item starts with '#': machine lines
 * are dropped, human ones listed escaped); nothing the reply says becomes markup (the output
 * holds no "<script" and no "<img"); a well-formed `#access A B C` line (three tokens) gives
 * the #access block. The same input as a PENDING reply gives the banner: no list item starts
 * with '#', and a well-formed `#pending T R C A B` line (five tokens) gives the pending table.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "tests/fuzz/fuzz_assert.h"
#include "web/web.h"

/* 1 when text holds a line "<word> X Y Z..." with exactly want space-free tokens. */
static int has_line(const char *text, const char *word, size_t want)
{
	size_t wl = strlen(word);

	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
		size_t n = strcspn(l, "\n"), tokens = 0;
		if (n < wl || strncmp(l, word, wl))
			continue;
		for (size_t i = wl; i < n; i++)
			if (l[i] != ' ' && (i == wl || l[i - 1] == ' '))
				tokens++;
		if (tokens == want)
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
		if (has_line(reply, "#access ", 3))
			fuzz_assert(strstr(out, "id=\"access\""),
				    "fuzz_web_notes: an #access line without the #access block");
	}
	free(out);
	web_banner_render(&r, "unsaved 1\n", reply);
	len = evbuffer_get_length(r.out);
	out = malloc(len + 1);
	if (out) {
		evbuffer_remove(r.out, out, len);
		out[len] = 0;
		fuzz_assert(!strstr(out, "<li>#"), "fuzz_web_notes: banner shows a machine line");
		fuzz_assert(!strstr(out, "<script") && !strstr(out, "<img"),
			    "fuzz_web_notes: markup from the PENDING reply");
		fuzz_assert(strstr(out, "id=\"unsaved\""), "fuzz_web_notes: unsaved 1 not shown");
		if (has_line(reply, "#pending ", 5))
			fuzz_assert(strstr(out, "id=\"pending-table\""),
				    "fuzz_web_notes: a #pending line without the pending table");
	}
	free(out);
	free(reply);
	evbuffer_free(r.out);
	return 0;
}

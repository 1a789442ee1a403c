/*
 * libFuzzer harness for the INI reader (ini/ini_read.c), through the ini/ API.
 *
 * Input: one flag byte, then the document (arbitrary bytes, not NUL-terminated).
 * The flag byte picks the mode (bit 0: replace, else incremental) and the ini_load flags
 * (bit 1: INI_L_DELETE, bit 2: INI_L_STATUS). Each input is:
 *  1. loaded whole into a copy of the factory store (ini_load, the raw reader);
 *  2. loaded incrementally in two pieces (cut at a line end chosen from the input), the
 *     way a front end sends successive LOAD incremental documents;
 *  3. built (ini_build: reader + validation); when accepted, written back (ini_write with
 *     secrets) and the written document must build again to an equal store: the writer
 *     and the reader agree (a difference aborts, which libFuzzer reports as a crash).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_assert.h"
#include "ini/ini.h"

static struct conf_store *factory;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	factory = ini_factory(); /* hashes the factory password once, not per input */
	fuzz_assert(factory, "fuzz_ini: ini_factory failed");
	return 0;
}

static void load_once(const char *text, size_t len, enum ini_mode mode, unsigned flags)
{
	struct conf_store *st = conf_store_clone(factory);
	struct conf_diag d;

	conf_diag_init(&d);
	ini_load(st, text, len, "fuzz.ini", mode, flags, &d);
	free(conf_diag_join(&d));
	conf_diag_free(&d);
	conf_store_free(st);
}

/* Two incremental loads into the same store: text[0..cut) then text[cut..len). */
static void load_split(const char *text, size_t len, unsigned flags)
{
	struct conf_store *st = conf_store_clone(factory);
	const char *nl = memchr(text, '\n', len / 2 + 1 <= len ? len / 2 + 1 : len);
	size_t cut = nl ? (size_t)(nl - text) + 1 : len / 2;
	struct conf_diag d;

	conf_diag_init(&d);
	ini_load(st, text, cut, "part1.ini", INI_INCREMENTAL, flags, &d);
	ini_load(st, text + cut, len - cut, "part2.ini", INI_INCREMENTAL, flags, &d);
	conf_diag_free(&d);
	conf_store_free(st);
}

static void round_trip(const char *text, size_t len, enum ini_mode mode, unsigned flags)
{
	struct conf_store *st, *again;
	struct conf_diag d;
	size_t wlen;
	char *w;

	conf_diag_init(&d);
	st = ini_build(factory, text, len, "fuzz.ini", mode, flags & ~INI_L_STATUS, &d);
	conf_diag_free(&d);
	if (!st)
		return;
	w = ini_write(st, INI_W_SECRETS, &wlen);
	fuzz_assert(w, "fuzz_ini: ini_write failed on an accepted store");
	conf_diag_init(&d);
	int was = conf_hash_import(1); /* written hashes read back as sbcd reads its flash */
	again = ini_build(factory, w, wlen, "written.ini", INI_REPLACE, 0, &d);
	conf_hash_import(was);
	int same = again && conf_store_equal(st, again);
	if (!same) {
		char *why = conf_diag_join(&d);
		fprintf(stderr, "fuzz_ini: written document %s:\n%s\n--- written ---\n%.*s\n",
			again ? "reads back different" : "refused", why ? why : "", (int)wlen, w);
	}
	fuzz_assert(same, "fuzz_ini: what the writer wrote does not read back as the same store");
	conf_diag_free(&d);
	conf_store_free(again);
	conf_store_free(st);
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum ini_mode mode;
	unsigned flags = 0;
	const char *text;
	size_t len;

	if (size < 1 || size > INI_MAX_LINE * 4)
		return 0;
	mode = (data[0] & 1) ? INI_REPLACE : INI_INCREMENTAL;
	if (data[0] & 2)
		flags |= INI_L_DELETE;
	if (data[0] & 4)
		flags |= INI_L_STATUS;
	/* a copy of exactly len bytes: ASan sees any read past the document */
	len = size - 1;
	text = malloc(len ? len : 1);
	if (!text)
		return 0;
	memcpy((char *)text, data + 1, len);
	load_once(text, len, mode, flags);
	load_split(text, len, flags);
	round_trip(text, len, mode, flags);
	free((char *)text);
	return 0;
}

/* INI reader and writer: round trips over every column, the format's corners, bad input. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini/ini.h"
#include "ini/ini_edit.h"
#include "tests/unit/unit.h"

static struct conf_store *build(const struct conf_store *base, const char *text, enum ini_mode m,
				struct conf_diag *d)
{
	return ini_build(base, text, strlen(text), "t.ini", m, INI_L_DELETE, d);
}

/* A store with a non-default value in every column of every configuration table (rows 0, 1). */
static struct conf_store *sample_store(void)
{
	struct conf_store *st = ini_factory();
	char buf[256], err[256];

	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		if (t->flags & CONF_TF_STATUS)
			continue;
		for (unsigned row = 0; row < (t->max_rows > 1 ? 2u : 1u); row++) {
			struct conf_row *r = conf_store_ensure(st, t, row, NULL);
			for (unsigned c = 0; c < t->ncols; c++) {
				conf_value_sample(t, (int)c, row, buf, sizeof(buf));
				if (conf_row_set_text(t, r, (int)c, buf, err, sizeof(err)) < 0)
					fprintf(stderr, "%s.%s = %s: %s\n", t->name,
						t->cols[c].name, buf, err);
			}
		}
	}
	return st;
}

static void test_factory_valid(void)
{
	struct conf_store *st = ini_factory();
	struct conf_diag d;

	conf_diag_init(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(conf_store_validate(st, &d), 0);
	CU_ASSERT_PTR_NOT_NULL(conf_store_get(st, conf_table_find("TLSContexts"), 0));
	CU_ASSERT_STRING_EQUAL(conf_store_get(st, conf_table_find("TLSContexts"), 0)->v[0].s,
			       "default");
	conf_diag_free(&d);
	conf_store_free(st);
}

static void test_round_trip_every_column(void)
{
	struct conf_store *st = sample_store(), *back;
	struct conf_diag d;
	char *a, *b;
	size_t la, lb;

	conf_diag_init(&d);
	CU_ASSERT_EQUAL(conf_store_validate(st, &d), 0);
	for (unsigned i = 0; i < d.n; i++)
		fprintf(stderr, "%s\n", d.msg[i]);
	/* with secrets, as flash holds it: the whole store comes back */
	a = ini_write(st, INI_W_SECRETS, &la);
	int was = conf_hash_import(1); /* as sbcd reads its flash */
	back = build(NULL, a, INI_REPLACE, &d);
	conf_hash_import(was);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	CU_ASSERT(conf_store_equal(st, back));
	b = ini_write(back, INI_W_SECRETS, &lb);
	CU_ASSERT_EQUAL(la, lb);
	CU_ASSERT(strcmp(a, b) == 0);
	free(a);
	free(b);
	conf_store_free(back);
	/* without secrets (an export): export, import, export is byte-identical */
	a = ini_write(st, 0, &la);
	CU_ASSERT_PTR_NULL(strstr(a, "$y$")); /* no password hash in the export */
	CU_ASSERT_PTR_NOT_NULL(strstr(a, "WebUsers_Password is a secret"));
	back = build(st, a, INI_REPLACE, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	b = ini_write(back, 0, &lb);
	CU_ASSERT(strcmp(a, b) == 0);
	/* secrets of rows the file replaces are kept from the running store */
	CU_ASSERT(conf_store_equal(st, back));
	free(a);
	free(b);
	conf_store_free(back);
	conf_store_free(st);
	conf_diag_free(&d);
}

static void test_format_corners(void)
{
	struct conf_store *base = ini_factory(), *st;
	struct conf_diag d;
	const struct conf_table *t = conf_table_find("TLSContexts");
	const char *doc = "; comment\r\n"
			  "[SIP Params]\r\n"
			  "sipsrequireclientcertificate = 1\r\n"
			  "TLSRemoteSubjectName='sbc.example.com'\r\n"
			  "[ tlscontexts ]\r\n"
			  "FORMAT Index = ServerCipherString, Name, TLSVersion;\r\n"
			  "TLSContexts 1 = \"HIGH\", \"ctx, one\", 12;\r\n"
			  "tlscontexts 2 = $$, \"two\", ;\r\n"
			  "[\\TLSContexts]\r\n";
	struct conf_row *r;

	conf_diag_init(&d);
	st = build(base, doc, INI_INCREMENTAL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(conf_global_int(st, "SIPSRequireClientCertificate"), 1);
	CU_ASSERT_STRING_EQUAL(conf_global_str(st, "TLSRemoteSubjectName"), "sbc.example.com");
	r = conf_store_get(st, t, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(r->v[conf_column_find(t, "Name")].s, "ctx, one");
	CU_ASSERT_STRING_EQUAL(r->v[conf_column_find(t, "ServerCipherString")].s, "HIGH");
	CU_ASSERT_EQUAL(r->v[conf_column_find(t, "TLSVersion")].i, 12);
	r = conf_store_get(st, t, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_STRING_EQUAL(r->v[conf_column_find(t, "ServerCipherString")].s, "DEFAULT");
	CU_ASSERT_EQUAL(r->v[conf_column_find(t, "TLSVersion")].i, 0);
	/* incremental: a FORMAT without a column keeps the row's other values */
	struct conf_store *st2 = build(st,
				       "[TLSContexts]\nFORMAT TLSContexts_Index = "
				       "TLSContexts_TLSVersion;\nTLSContexts 1 = 8;\n"
				       "[ \\TLSContexts ]\n",
				       INI_INCREMENTAL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st2);
	r = conf_store_get(st2, t, 1);
	CU_ASSERT_STRING_EQUAL(r->v[conf_column_find(t, "ServerCipherString")].s, "HIGH");
	CU_ASSERT_EQUAL(r->v[conf_column_find(t, "TLSVersion")].i, 8);
	/* replace: the table is replaced, row 0 falls back to factory, globals to defaults */
	struct conf_store *st3 = build(st2,
				       "[ TLSContexts ]\nFORMAT TLSContexts_Index = "
				       "TLSContexts_Name;\nTLSContexts 5 = \"five\";\n"
				       "[ \\TLSContexts ]\n",
				       INI_REPLACE, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st3);
	CU_ASSERT_EQUAL(conf_store_rows(st3, t)->n, 2);
	CU_ASSERT_PTR_NOT_NULL(conf_store_get(st3, t, 0));
	CU_ASSERT_PTR_NULL(conf_store_get(st3, t, 1));
	CU_ASSERT_EQUAL(conf_global_int(st3, "SIPSRequireClientCertificate"), 0);
	/* unknown parameter: a warning with the line, the rest applies */
	conf_diag_free(&d);
	conf_diag_init(&d);
	struct conf_store *st4 =
	    build(base, "[SIP Params]\nNoSuchParam = 3\nTLSReHandshakeInterval = 5\n",
		  INI_INCREMENTAL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st4);
	CU_ASSERT_EQUAL(d.nwarn, 1);
	CU_ASSERT(d.n && strstr(d.msg[0], "t.ini:2") && strstr(d.msg[0], "NoSuchParam"));
	CU_ASSERT_EQUAL(conf_global_int(st4, "TLSReHandshakeInterval"), 5);
	conf_store_free(st4);
	conf_store_free(st3);
	conf_store_free(st2);
	conf_store_free(st);
	conf_store_free(base);
	conf_diag_free(&d);
}

static void test_delete_and_edit(void)
{
	struct conf_store *base = ini_factory(), *st, *st2;
	struct conf_diag d;
	const struct conf_table *t = conf_table_find("TLSContexts");
	struct ini_edit *e = ini_edit_new();
	char *doc;

	conf_diag_init(&d);
	ini_edit_set(e, t, 3, conf_column_find(t, "Name"), "three");
	ini_edit_set(e, t, 3, conf_column_find(t, "TLSVersion"), "tls-1-2");
	ini_edit_set(e, conf_globals(), 0, conf_column_find(conf_globals(), "TLSRemoteSubjectName"),
		     "x.example");
	CU_ASSERT_EQUAL(ini_edit_set(e, t, 3, 0, "bad\"quote"), -1);
	doc = ini_edit_text(e, NULL);
	st = build(base, doc, INI_INCREMENTAL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st);
	CU_ASSERT_EQUAL(conf_store_get(st, t, 3)->v[conf_column_find(t, "TLSVersion")].i, 4);
	CU_ASSERT_STRING_EQUAL(conf_global_str(st, "TLSRemoteSubjectName"), "x.example");
	free(doc);
	ini_edit_free(e);
	e = ini_edit_new();
	ini_edit_delete(e, t, 3);
	doc = ini_edit_text(e, NULL);
	st2 = build(st, doc, INI_INCREMENTAL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(st2);
	CU_ASSERT_PTR_NULL(conf_store_get(st2, t, 3));
	free(doc);
	/* row 0 of TLSContexts cannot be deleted; a referenced row cannot go either */
	CU_ASSERT_PTR_NULL(build(st, "!DELETE TLSContexts 0\n", INI_INCREMENTAL, &d));
	CU_ASSERT_PTR_NULL(build(st, "!DELETE InterfaceTable 0\n", INI_INCREMENTAL, &d));
	CU_ASSERT(d.n && strstr(d.msg[d.n - 1], "SIPInterface row 0 column NetworkInterface"));
	ini_edit_free(e);
	conf_store_free(st2);
	conf_store_free(st);
	conf_store_free(base);
	conf_diag_free(&d);
}

/* Each tests/data/ini-bad/NAME.ini starts with "; expect: <text of the first error>". */
static void test_bad_corpus(void)
{
	DIR *dir = opendir("tests/data/ini-bad");
	struct dirent *de;
	struct conf_store *base = ini_factory();
	unsigned files = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	while ((de = readdir(dir))) {
		char path[512], expect[512] = "", *text;
		struct conf_diag d;
		struct conf_store *before = conf_store_clone(base), *st;
		FILE *f;
		long len;
		if (!strstr(de->d_name, ".ini"))
			continue;
		snprintf(path, sizeof(path), "tests/data/ini-bad/%s", de->d_name);
		f = fopen(path, "rb");
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = malloc((size_t)len + 1);
		CU_ASSERT_EQUAL(fread(text, 1, (size_t)len, f), (size_t)len);
		text[len] = 0;
		fclose(f);
		sscanf(text, "; expect: %511[^\n]", expect);
		conf_diag_init(&d);
		st = ini_build(base, text, (size_t)len, de->d_name,
			       strstr(de->d_name, "incr") ? INI_INCREMENTAL : INI_REPLACE,
			       INI_L_DELETE, &d);
		CU_ASSERT_PTR_NULL(st);
		CU_ASSERT(d.nerr > 0);
		int found = 0;
		for (unsigned i = 0; i < d.n; i++)
			if (strstr(d.msg[i], expect))
				found = 1;
		if (!found || !expect[0]) {
			fprintf(stderr, "%s: expected '%s', got:\n", de->d_name, expect);
			for (unsigned i = 0; i < d.n; i++)
				fprintf(stderr, "  %s\n", d.msg[i]);
		}
		CU_ASSERT(found && expect[0]);
		/* and nothing changed */
		CU_ASSERT(conf_store_equal(base, before));
		conf_store_free(st);
		conf_store_free(before);
		conf_diag_free(&d);
		free(text);
		files++;
	}
	closedir(dir);
	CU_ASSERT(files >= 10);
	conf_store_free(base);
}

static void test_generated_garbage(void)
{
	struct conf_store *base = ini_factory();
	struct conf_diag d;
	size_t n = 10u << 20;
	char *big = malloc(n + 64);

	/* a 10 MB line */
	memset(big, 'A', n);
	memcpy(big, "HTTPSCipherString = '", 21);
	strcpy(big + n, "'\n");
	conf_diag_init(&d);
	CU_ASSERT_PTR_NULL(ini_build(base, big, strlen(big), "big.ini", INI_INCREMENTAL, 0, &d));
	CU_ASSERT(d.n && strstr(d.msg[0], "big.ini:1: line longer than"));
	conf_diag_free(&d);
	/* binary garbage */
	for (size_t i = 0; i < 4096; i++)
		big[i] = (char)((i * 7919u + 13u) & 0xff);
	conf_diag_init(&d);
	CU_ASSERT_PTR_NULL(ini_build(base, big, 4096, "bin.ini", INI_INCREMENTAL, 0, &d));
	CU_ASSERT(d.n && strstr(d.msg[0], "bin.ini:1: binary data"));
	conf_diag_free(&d);
	free(big);
	conf_store_free(base);
}

static void test_pending(void)
{
	struct conf_store *a = ini_factory(), *b;
	struct conf_diag d;

	conf_diag_init(&d);
	b = build(a,
		  "HTTPSOnly = 1\nTLSReHandshakeInterval = 3\n[SIPInterface]\nFORMAT "
		  "SIPInterface_Index = SIPInterface_TLSPort;\nSIPInterface 0 = 5071;\n"
		  "[\\SIPInterface]\n",
		  INI_INCREMENTAL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	conf_diag_free(&d);
	conf_diag_init(&d);
	CU_ASSERT_EQUAL(conf_store_pending(b, a, &d), 2);
	CU_ASSERT(d.n == 2 && strstr(d.msg[0], "HTTPSOnly = 1 (active 0)"));
	CU_ASSERT(d.n == 2 && strstr(d.msg[1], "SIPInterface row 0 column TLSPort = 5071"));
	conf_diag_free(&d);
	conf_store_free(b);
	/* a deleted SIP interface still listens until the reset: that is pending too */
	conf_diag_init(&d);
	b = build(a, "!DELETE SIPInterface 0\n", INI_INCREMENTAL, &d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	conf_diag_free(&d);
	conf_diag_init(&d);
	CU_ASSERT_EQUAL(conf_store_pending(b, a, &d), 1);
	CU_ASSERT(d.n == 1 && strstr(d.msg[0], "pending reset: SIPInterface row 0 deleted"));
	conf_diag_free(&d);
	conf_store_free(a);
	conf_store_free(b);
}

UNIT_SUITE(ini, {"factory configuration valid", test_factory_valid},
	   {"round trip over every column", test_round_trip_every_column},
	   {"format corners", test_format_corners}, {"delete and edit", test_delete_and_edit},
	   {"bad file corpus", test_bad_corpus}, {"10 MB line and garbage", test_generated_garbage},
	   {"pending reset report", test_pending});

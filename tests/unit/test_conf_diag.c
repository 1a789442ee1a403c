/*
 * Structured diagnostics: every problem the validator and the INI reader find
 * carries a code, the table, row and column; cross-row problems of a document
 * name the line of the row; the '#code' lines read back to the same location.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini/ini.h"
#include "tests/unit/unit.h"

static struct conf_store *build(const char *text, struct conf_diag *d)
{
	struct conf_store *base = ini_factory(), *st;

	conf_diag_init(d);
	st = ini_build(base, text, strlen(text), "t.ini", INI_INCREMENTAL, INI_L_DELETE, d);
	conf_store_free(base);
	return st;
}

/* The first stored problem, which the test expects to be the only error. */
static const struct conf_diag_at *only_error(const struct conf_diag *d)
{
	CU_ASSERT_EQUAL(d->nerr, 1);
	if (d->nerr != 1)
		for (unsigned i = 0; i < d->n; i++)
			fprintf(stderr, "diag: %s\n", d->msg[i]);
	CU_ASSERT_FATAL(d->n >= 1);
	return &d->at[0];
}

#define TLS_HDR "[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name;\n"

static void test_unique_names_row_and_line(void)
{
	struct conf_diag d;
	const struct conf_diag_at *a;
	char *text;

	CU_ASSERT_PTR_NULL(build(TLS_HDR "TLSContexts 2 = \"x\";\nTLSContexts 3 = \"x\";\n"
					 "[ \\TLSContexts ]\n",
				 &d));
	a = only_error(&d);
	CU_ASSERT_EQUAL(a->code, CONF_C_UNIQUE);
	CU_ASSERT_PTR_EQUAL(a->table, &conf_tbl_tlscontexts);
	CU_ASSERT_EQUAL(a->row, 3);
	CU_ASSERT_EQUAL(a->col, TLSCTX_NAME);
	CU_ASSERT_EQUAL(a->line, 4);
	CU_ASSERT_STRING_EQUAL(
	    d.msg[0], "t.ini:4: TLSContexts row 3 column Name: 'x' is already used by row 2");
	text = conf_diag_join_coded(&d);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\n#code unique TLSContexts 3 Name 4\n"));
	free(text);
	conf_diag_free(&d);
}

static void test_reference_and_mandatory(void)
{
	struct conf_diag d;
	const struct conf_diag_at *a;

	CU_ASSERT_PTR_NULL(build("[ SIPInterface ]\nFORMAT SIPInterface_Index = "
				 "SIPInterface_InterfaceName, SIPInterface_TLSContext;\n"
				 "SIPInterface 0 = \"s\", \"nope\";\n[ \\SIPInterface ]\n",
				 &d));
	a = only_error(&d);
	CU_ASSERT_EQUAL(a->code, CONF_C_REFERENCE);
	CU_ASSERT_PTR_EQUAL(a->table, &conf_tbl_sipinterface);
	CU_ASSERT_EQUAL(a->row, 0);
	CU_ASSERT_EQUAL(a->col, SIPIF_TLS_CONTEXT);
	CU_ASSERT_EQUAL(a->line, 3);
	conf_diag_free(&d);

	CU_ASSERT_PTR_NULL(build(TLS_HDR "TLSContexts 5 = \"\";\n[ \\TLSContexts ]\n", &d));
	a = only_error(&d);
	CU_ASSERT_EQUAL(a->code, CONF_C_MANDATORY);
	CU_ASSERT_EQUAL(a->row, 5);
	CU_ASSERT_EQUAL(a->col, TLSCTX_NAME);
	conf_diag_free(&d);
}

/* A table's check hook speaks text; its row and column are read back from it. */
static void test_check_hook_located(void)
{
	struct conf_diag d;
	const struct conf_diag_at *a;

	CU_ASSERT_PTR_NULL(
	    build("[ SIPInterface ]\nFORMAT SIPInterface_Index = "
		  "SIPInterface_InterfaceName, SIPInterface_NetworkInterface, "
		  "SIPInterface_UDPPort, SIPInterface_TCPPort, SIPInterface_TLSPort;\n"
		  "SIPInterface 1 = \"b\", \"O+M+C\", 0, 5090, 5090;\n"
		  "[ \\SIPInterface ]\n",
		  &d));
	a = only_error(&d);
	CU_ASSERT_EQUAL(a->code, CONF_C_CHECK);
	CU_ASSERT_PTR_EQUAL(a->table, &conf_tbl_sipinterface);
	CU_ASSERT_EQUAL(a->row, 1);
	CU_ASSERT_EQUAL(a->col, SIPIF_TLS_PORT);
	CU_ASSERT_EQUAL(a->line, 3);
	conf_diag_free(&d);
}

static void test_reader_codes(void)
{
	struct conf_diag d;
	const struct conf_diag_at *a;

	CU_ASSERT_PTR_NULL(build("[ TLSContexts ]\nFORMAT TLSContexts_Index = TLSContexts_Name, "
				 "TLSContexts_VerifyDepth;\nTLSContexts 4 = \"c\", 99;\n"
				 "[ \\TLSContexts ]\n",
				 &d));
	a = only_error(&d);
	CU_ASSERT_EQUAL(a->code, CONF_C_RANGE);
	CU_ASSERT_EQUAL(a->row, 4);
	CU_ASSERT_EQUAL(a->col, TLSCTX_VERIFY_DEPTH);
	CU_ASSERT_EQUAL(a->line, 0); /* the text names the line of the reader's own problem */
	conf_diag_free(&d);

	CU_ASSERT_PTR_NULL(build("[SIP Params]\nTLSReHandshakeInterval = 2000\n", &d));
	a = only_error(&d);
	CU_ASSERT_EQUAL(a->code, CONF_C_RANGE);
	CU_ASSERT_PTR_EQUAL(a->table, &conf_tbl_globals);
	CU_ASSERT_EQUAL(a->col, GLOBALS_TLS_RE_HANDSHAKE_INTERVAL);
	conf_diag_free(&d);

	CU_ASSERT_PTR_NULL(build("!DELETE NoSuchTable 1\n", &d));
	CU_ASSERT_EQUAL(only_error(&d)->code, CONF_C_UNKNOWN);
	conf_diag_free(&d);

	CU_ASSERT_PTR_NULL(build("!DELETE TLSContexts 0\n", &d));
	CU_ASSERT_EQUAL(only_error(&d)->code, CONF_C_CHECK);
	conf_diag_free(&d);

	CU_ASSERT_PTR_NULL(build("[ TLSStatus ]\n[ \\TLSStatus ]\n", &d));
	CU_ASSERT_EQUAL(only_error(&d)->code, CONF_C_READONLY);
	conf_diag_free(&d);

	CU_ASSERT_PTR_NULL(build("[ TLSContexts\n", &d));
	CU_ASSERT(d.nerr >= 1 && d.at[0].code == CONF_C_SYNTAX);
	conf_diag_free(&d);
}

/* What sbcd writes, a client reads back: code, table, row, column and line. */
static void test_code_lines_read_back(void)
{
	struct conf_diag d;
	struct conf_diag_at at;
	char *text;

	conf_diag_init(&d);
	conf_diag_add(&d, 0, "a note without a code");
	conf_diag_add_at(&d, 1, CONF_C_REFUSED, &conf_tbl_proxyset, 7, PROXYSET_TLS_CONTEXT_NAME,
			 "ProxySet row 7: cannot apply it now");
	text = conf_diag_join_coded(&d);
	CU_ASSERT_STRING_EQUAL(text, "warning: a note without a code\n"
				     "ProxySet row 7: cannot apply it now\n"
				     "#code refused ProxySet 7 TLSContextName\n");
	CU_ASSERT_EQUAL(conf_diag_reply_at(text, &at), 0);
	CU_ASSERT_EQUAL(at.code, CONF_C_REFUSED);
	CU_ASSERT_PTR_EQUAL(at.table, &conf_tbl_proxyset);
	CU_ASSERT_EQUAL(at.row, 7);
	CU_ASSERT_EQUAL(at.col, PROXYSET_TLS_CONTEXT_NAME);
	CU_ASSERT_EQUAL(at.line, 0);
	free(text);
	/* the text without codes is what it always was */
	text = conf_diag_join(&d);
	CU_ASSERT_STRING_EQUAL(text, "warning: a note without a code\n"
				     "ProxySet row 7: cannot apply it now\n");
	CU_ASSERT_EQUAL(conf_diag_reply_at(text, &at), -1);
	CU_ASSERT_EQUAL(conf_diag_reply_code(text), CONF_C_NONE);
	free(text);
	CU_ASSERT_EQUAL(conf_diag_reply_code("ERR\nx\n#code permission - - -\n"),
			CONF_C_PERMISSION);
	for (int c = 0; c < CONF_C_N; c++)
		CU_ASSERT_EQUAL(conf_code_from_name(conf_code_name((enum conf_code)c)), c);
	conf_diag_free(&d);
}

UNIT_SUITE(conf_diag,
	   {"unique: row, column and the line of the row", test_unique_names_row_and_line},
	   {"reference and mandatory located", test_reference_and_mandatory},
	   {"a check hook's problem located", test_check_hook_located},
	   {"the INI reader's problems coded", test_reader_codes},
	   {"'#code' lines read back", test_code_lines_read_back});

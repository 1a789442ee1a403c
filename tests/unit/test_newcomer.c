/* Issue 17 items 3 and 5: strict numbers, validation gaps, the #access/#code pending lines. */
#include <string.h>

#include <stdio.h>
#include <stdlib.h>

#include "conf/hostport.h"
#include "conf/num.h"
#include "conf/store.h"
#include "ini/ini.h"
#include "ini/ini_access.h"
#include "ini/ini_ignored.h"
#include "sbc/ctl_access.h"
#include "unit.h"

/* Builds text on the factory defaults; the joined messages in *msgs (malloc'd). */
static int build(const char *text, size_t len, char **msgs)
{
	struct conf_diag d;
	struct conf_store *base = ini_factory(), *st;

	conf_diag_init(&d);
	st = ini_build(base, text, len, "t.ini", INI_INCREMENTAL, 0, &d);
	*msgs = conf_diag_join(&d);
	conf_diag_free(&d);
	conf_store_free(base);
	conf_store_free(st);
	return st ? 0 : -1;
}

static int proxy(const char *addr, char **msgs)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "[ ProxySet ]\nFORMAT ProxySet_Index = ProxySet_ProxyName;\nProxySet 1 = p1;\n"
		 "[ \\ProxySet ]\n[ ProxyIp ]\nFORMAT ProxyIp_Index = ProxyIp_ProxySetId, "
		 "ProxyIp_ProxyIpIndex, ProxyIp_IpAddress;\nProxyIp 0 = 1, 0, \"%s\";\n"
		 "[ \\ProxyIp ]\n",
		 addr);
	return build(text, strlen(text), msgs);
}

static void test_num_strict(void)
{
	static const char *const bad[] = {"",   "abc", "0abc",  "7 ",
					  " 7", "+7",  "0x10",  "1e3",
					  "-1", "--1", "65536", "99999999999999999999999"};
	char err[160];
	long long v = 42;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		CU_ASSERT_EQUAL(conf_num_parse("--port", bad[i], 0, 65535, &v, err, sizeof(err)),
				-1);
		CU_ASSERT_EQUAL(v, 42); /* nothing written on refusal */
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "--port: "));
	}
	CU_ASSERT_EQUAL(conf_num_parse("--port", NULL, 0, 65535, &v, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(conf_num_parse("--port", "0", 0, 65535, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(conf_num_parse("--port", "65535", 0, 65535, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, 65535);
	CU_ASSERT_EQUAL(conf_num_parse("offset", "-5", -10, 10, &v, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(v, -5);
	conf_num_parse("root index", "abc", 0, 10, &v, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(err, "root index: 'abc' is not a whole number in 0..10");
	conf_num_parse("days", "0", 1, 36500, &v, err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(err, "days: '0' is out of range 1..36500");
}

static void test_num_uint_double(void)
{
	char err[160];
	unsigned u = 9;
	double d = 9;

	CU_ASSERT_EQUAL(conf_num_uint("n", "4294967295", 0, 4294967295u, &u, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(u, 4294967295u);
	CU_ASSERT_EQUAL(conf_num_uint("n", "4294967296", 0, 4294967295u, &u, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(conf_num_double("--seconds", "0.5", 0, 10, &d, err, sizeof(err)), 0);
	CU_ASSERT_DOUBLE_EQUAL(d, 0.5, 1e-9);
	CU_ASSERT_EQUAL(conf_num_double("--seconds", "2", 0, 10, &d, err, sizeof(err)), 0);
	static const char *const bad[] = {"",      ".",     "1e3", "nan", "inf",
					  "0x1p3", "1.2.3", "2s",  "-1",  "11"};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(conf_num_double("--seconds", bad[i], 0, 10, &d, err, sizeof(err)),
				-1);
}

static void test_hostport(void)
{
	static const char *const good[] = {"127.0.0.1",   "127.0.0.1:5061", "proxy.example.com:1",
					   "[::1]",       "[::1]:5060",     "::1",
					   "2001:db8::5", "h:65535"};
	static const char *const bad[] = {"127.0.0.1:99999999999",
					  "[::1]:5060:5",
					  "1.2.3.4:5060:5",
					  "h:0",
					  "h:65536",
					  "h:",
					  ":5060",
					  "[::1",
					  "[::1]x",
					  "[nothost]:5",
					  "a b",
					  "h:50x",
					  ""};
	char host[256], err[400];
	unsigned port;
	char *msgs;

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT_EQUAL(
		    conf_hostport_parse(good[i], host, sizeof(host), &port, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(
	    conf_hostport_parse("[::1]:5062", host, sizeof(host), &port, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(host, "::1");
	CU_ASSERT_EQUAL(port, 5062);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(
		    conf_hostport_parse(bad[i], host, sizeof(host), &port, err, sizeof(err)), -1);

	/* through validation: refused with table, row and column */
	CU_ASSERT_EQUAL(proxy("127.0.0.1:99999999999", &msgs), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "ProxyIp row 0 column IpAddress"));
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "out of range 1..65535"));
	free(msgs);
	CU_ASSERT_EQUAL(proxy("[::1]:5060:5", &msgs), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "ProxyIp row 0 column IpAddress"));
	free(msgs);
	CU_ASSERT_EQUAL(proxy("[::1]:5060", &msgs), 0);
	free(msgs);
}

static void test_utf8(void)
{
	char err[200], *msgs;
	static const char *const bad[] = {
	    "\xff", "a\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"};

	CU_ASSERT_EQUAL(conf_utf8_check("plain", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(
	    conf_utf8_check("M\xc3\xbcller \xe2\x82\xac \xf0\x9f\x93\x9e", err, sizeof(err)), 0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(conf_utf8_check(bad[i], err, sizeof(err)), -1);
	conf_utf8_check("ab\xff", err, sizeof(err));
	CU_ASSERT_STRING_EQUAL(err, "not valid UTF-8 (byte 0xff at offset 2)");

	static const char t[] = "TLSRemoteSubjectName = 'bad\xfftext'\n";
	CU_ASSERT_EQUAL(build(t, strlen(t), &msgs), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "t.ini:1: TLSRemoteSubjectName: not valid UTF-8"));
	free(msgs);
	static const char ok[] = "TLSRemoteSubjectName = 'M\xc3\xbcller'\n";
	CU_ASSERT_EQUAL(build(ok, strlen(ok), &msgs), 0);
	free(msgs);
}

static void test_bom_and_quotes(void)
{
	static const char bom[] = "\xef\xbb\xbfTLSRemoteSubjectName = 'x'\n";
	static const char *const unterminated[] = {
	    "TLSRemoteSubjectName = 'abc\n", "TLSRemoteSubjectName = \"abc\n",
	    "TLSRemoteSubjectName = '\n", "TLSRemoteSubjectName = abc\nHTTPSPort = \"443\n"};
	char *msgs;

	CU_ASSERT_EQUAL(build(bom, strlen(bom), &msgs), 0);
	free(msgs);
	/* only at the top: elsewhere its bytes are part of a (then unknown) name */
	static const char bom2[] = "HTTPSPort = 443\n\xef\xbb\xbfTLSRemoteSubjectName = 'x'\n";
	CU_ASSERT_EQUAL(build(bom2, strlen(bom2), &msgs), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "t.ini:2: unknown parameter"));
	free(msgs);
	for (unsigned i = 0; i < sizeof(unterminated) / sizeof(unterminated[0]); i++) {
		CU_ASSERT_EQUAL(build(unterminated[i], strlen(unterminated[i]), &msgs), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "unterminated quote"));
		CU_ASSERT_PTR_NOT_NULL(strstr(msgs, i == 3 ? "t.ini:2: " : "t.ini:1: "));
		free(msgs);
	}
}

static void test_ignored_summary(void)
{
	static const char doc[] =
	    "\xef\xbb\xbf[SYSTEM Params]\nSyslogServerIP = 1.2.3.4\n"
	    "HTTPSPort = 443\nEnableSyslog = 1\n[SIP Params]\nGWDEBUGLEVEL = 5\n"
	    "[ SBCAdmissionControl ]\nFORMAT SBCAdmissionControl_Index = "
	    "SBCAdmissionControl_Name;\n"
	    "SBCAdmissionControl 0 = \"a\";\n; comment\nSBCAdmissionControl 1 = \"b\";\n"
	    "[ \\SBCAdmissionControl ]\n[ ProxySet ]\nFORMAT ProxySet_Index = "
	    "ProxySet_ProxyName, ProxySet_Gizmo, Widget;\nProxySet 0 = \"x\", 1, 2;\n"
	    "[ \\ProxySet ]\n";
	char *sum = ini_ignored_summary(doc, strlen(doc));

	CU_ASSERT_PTR_NOT_NULL_FATAL(sum);
	CU_ASSERT_STRING_EQUAL(sum,
			       "Ignored by this SBC: 1 table (2 rows), 3 parameters, 2 columns\n"
			       "  [SYSTEM Params]: 2 parameters: SyslogServerIP, EnableSyslog\n"
			       "  [SIP Params]: 1 parameter: GWDEBUGLEVEL\n"
			       "  table SBCAdmissionControl: 2 rows\n"
			       "  table ProxySet: 2 columns: Gizmo, Widget\n");
	free(sum);
	static const char clean[] = "[WEB Params]\nHTTPSPort = 443\n";
	CU_ASSERT_PTR_NULL(ini_ignored_summary(clean, strlen(clean)));
}

static void test_access_block(void)
{
	static const char reply[] =
	    "warning: pending reset: HTTPSPort = 443 (active 8443)\n"
	    "#code pending Globals 0 HTTPSPort\n#access HTTPSPort 8443 443\n"
	    "warning: pending reset: HTTPSOnly = 1 (active 0)\n"
	    "#code pending Globals 0 HTTPSOnly\n#access HTTPSOnly 0 1\n";
	static const char doc[] = "[WEB Params]\nHTTPSPort = 443\nHTTPSOnly = 1\n"
				  "WebAddress = '10.0.0.1'\nHTTPSRequireClientCertificate = 1\n";
	struct conf_diag d;
	struct conf_store *next;
	char *b;

	CU_ASSERT_PTR_NULL(ini_access_block("warning: pending reset: X = 1 (active 0)\n", NULL));
	conf_diag_init(&d);
	next = ini_build(NULL, doc, strlen(doc), "t.ini", INI_REPLACE, 0, &d);
	conf_diag_free(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	b = ini_access_block(reply, next);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(
	    b, "*** Web access changes at the next reset ***\n"
	       "  HTTPSPort: 8443 -> 443\n  HTTPSOnly: 0 -> 1\n"
	       "After reset the web interface will be reached at "
	       "https://10.0.0.1:443/\n"
	       "  HTTPS will demand a client certificate trusted by TLS context 0\n");
	free(b);
	conf_store_free(next);
}

static void test_access_lines(void)
{
	static const char next_doc[] = "[WEB Params]\nHTTPPort = 80\nWebAddress = ''\n"
				       "[SIP Params]\nSIPSRequireClientCertificate = 1\n";
	static const char act_doc[] = "[WEB Params]\nHTTPPort = 8080\nWebAddress = '127.0.0.1'\n";
	const struct conf_table *g = conf_globals();
	struct conf_diag d, notes;
	struct conf_store *next, *act;
	char *out, *coded;

	conf_diag_init(&d);
	next = ini_build(NULL, next_doc, strlen(next_doc), "n.ini", INI_REPLACE, 0, &d);
	act = ini_build(NULL, act_doc, strlen(act_doc), "a.ini", INI_REPLACE, 0, &d);
	conf_diag_free(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(next);
	CU_ASSERT_PTR_NOT_NULL_FATAL(act);
	conf_diag_init(&notes);
	conf_diag_add_at(&notes, 0, CONF_C_PENDING, g, 0, GLOBALS_SIPS_REQUIRE_CLIENT_CERTIFICATE,
			 "pending reset: SIPSRequireClientCertificate = 1 (active 0)");
	conf_diag_add_at(&notes, 0, CONF_C_PENDING, g, 0, GLOBALS_HTTP_PORT,
			 "pending reset: HTTPPort = 80 (active 8080)");
	conf_diag_add_at(&notes, 0, CONF_C_PENDING, g, 0, GLOBALS_WEB_ADDRESS,
			 "pending reset: WebAddress =  (active 127.0.0.1)");
	coded = conf_diag_join_coded(&notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(coded);
	out = ctl_access_annotate(coded, &notes, next, act);
	free(coded);
	conf_diag_free(&notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_STRING_EQUAL(out, "warning: pending reset: SIPSRequireClientCertificate = 1 "
				    "(active 0)\n"
				    "#code pending Globals 0 SIPSRequireClientCertificate\n"
				    "warning: pending reset: HTTPPort = 80 (active 8080)\n"
				    "#code pending Globals 0 HTTPPort\n#access HTTPPort 8080 80\n"
				    "warning: pending reset: WebAddress =  (active 127.0.0.1)\n"
				    "#code pending Globals 0 WebAddress\n"
				    "#access WebAddress 127.0.0.1 -\n");
	free(out);
	conf_store_free(next);
	conf_store_free(act);
}

UNIT_SUITE(newcomer, {"strict whole numbers", test_num_strict},
	   {"strict unsigned and fractions", test_num_uint_double},
	   {"host[:port] values", test_hostport}, {"UTF-8 text", test_utf8},
	   {"BOM and unterminated quotes", test_bom_and_quotes},
	   {"ignored vendor features summary", test_ignored_summary},
	   {"web-access block", test_access_block}, {"#access lines", test_access_lines});

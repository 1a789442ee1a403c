/*
 * Privilege separation pieces that need no running sbcd: session tickets and
 * SSH grants (sbc/ctl_tickets.c), and the HTTPS SSL_CTX built from material in
 * memory (tls_ctx_build_mem: sbc-web reads no file of the flash).
 */
#include <stdlib.h>
#include <string.h>

#include "sbc/ctl_tickets.h"
#include "tests/unit/tls_pki.h"
#include "tests/unit/unit.h"
#include "tls/tls.h"

static void test_ticket_bound_to_uid(void)
{
	char t[65], user[48];

	CU_ASSERT_EQUAL_FATAL(ctl_ticket_issue("Admin", 1001, 0, t), 0);
	CU_ASSERT_EQUAL(strlen(t), 64);
	CU_ASSERT_EQUAL(strspn(t, "0123456789abcdef"), 64);
	/* another uid (a local user who read the ticket somewhere) gets nothing */
	CU_ASSERT_EQUAL(ctl_ticket_redeem(t, 1002, user, sizeof(user)), -1);
	CU_ASSERT_EQUAL(ctl_ticket_redeem(t, 1001, user, sizeof(user)), 0);
	CU_ASSERT_STRING_EQUAL(user, "Admin");
	/* a session ticket serves every request of its session */
	CU_ASSERT_EQUAL(ctl_ticket_redeem(t, 1001, user, sizeof(user)), 0);
	/* a logout ends it, for its uid only */
	CU_ASSERT_EQUAL(ctl_ticket_end(t, 1002), -1);
	CU_ASSERT_EQUAL(ctl_ticket_end(t, 1001), 0);
	CU_ASSERT_EQUAL(ctl_ticket_redeem(t, 1001, user, sizeof(user)), -1);
	CU_ASSERT_EQUAL(ctl_ticket_end(t, 1001), -1);
	CU_ASSERT_EQUAL_FATAL(ctl_ticket_issue("Admin", 1001, 0, t), 0);
	t[0] = t[0] == 'a' ? 'b' : 'a';
	CU_ASSERT_EQUAL(ctl_ticket_redeem(t, 1001, user, sizeof(user)), -1);
	CU_ASSERT_EQUAL(ctl_ticket_redeem("short", 1001, user, sizeof(user)), -1);
	CU_ASSERT_EQUAL(ctl_ticket_redeem(NULL, 1001, user, sizeof(user)), -1);
}

static void test_grant_once_any_uid(void)
{
	char g[65], user[48];

	CU_ASSERT_EQUAL_FATAL(ctl_ticket_issue("keyop", 990, 1, g), 0);
	/* the SSH session runs as another uid than the key helper that asked */
	CU_ASSERT_EQUAL(ctl_ticket_redeem(g, 991, user, sizeof(user)), 0);
	CU_ASSERT_STRING_EQUAL(user, "keyop");
	CU_ASSERT_EQUAL(ctl_ticket_redeem(g, 991, user, sizeof(user)), -1);
}

static void test_grants_do_not_evict_tickets(void)
{
	char t[65], g[65], user[48];

	CU_ASSERT_EQUAL_FATAL(ctl_ticket_issue("mon", 1001, 0, t), 0);
	/* a flood of key queries (anyone may offer a known public key to sshd) */
	for (unsigned i = 0; i < 4 * CTL_TICKETS; i++)
		CU_ASSERT_EQUAL_FATAL(ctl_ticket_issue("Admin", 990, 1, g), 0);
	CU_ASSERT_EQUAL(ctl_ticket_redeem(t, 1001, user, sizeof(user)), 0);
	CU_ASSERT_STRING_EQUAL(user, "mon");
	/* the newest grant is still there; the table keeps CTL_GRANTS */
	CU_ASSERT_EQUAL(ctl_ticket_redeem(g, 1, user, sizeof(user)), 0);
}

static void test_ctx_from_memory(void)
{
	size_t clen, klen, rlen, olen;
	char *cert = tls_pki_cert_pem(TLS_PKI_SERVER_EC, 1, &clen);
	char *key = tls_pki_key_pem(TLS_PKI_SERVER_EC, NULL, &klen);
	char *roots = tls_pki_cert_pem(TLS_PKI_ROOT, 0, &rlen);
	char *other = tls_pki_key_pem(TLS_PKI_CLIENT_EC, NULL, &olen);
	struct tls_policy p;
	struct tls_mem m = {.cert = cert,
			    .cert_len = clen,
			    .key = key,
			    .key_len = klen,
			    .roots = roots,
			    .roots_len = rlen};
	char err[512];
	SSL_CTX *ctx;

	CU_ASSERT_FATAL(cert && key && roots && other);
	tls_policy_default(&p);
	ctx = tls_ctx_build_mem(&p, TLS_ROLE_SERVER, &m, TLS_F_VERIFY_PEER, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT(!X509_cmp(SSL_CTX_get0_certificate(ctx), tls_pki_cert(TLS_PKI_SERVER_EC)));
	CU_ASSERT_PTR_NOT_NULL(strstr(tls_ctx_policy_text(ctx),
				      "client certificate required and verified against 1 "
				      "trusted root"));
	CU_ASSERT_EQUAL(SSL_CTX_get_verify_mode(ctx),
			SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
	SSL_CTX_free(ctx);

	/* no roots is no error: every client is refused when one is demanded */
	m.roots_len = 0;
	ctx = tls_ctx_build_mem(&p, TLS_ROLE_SERVER, &m, 0, err, sizeof(err));
	CU_ASSERT_PTR_NOT_NULL(ctx);
	SSL_CTX_free(ctx);

	/* the key of another certificate, a missing key, garbage roots: refused, named */
	m.key = other, m.key_len = olen;
	CU_ASSERT_PTR_NULL(tls_ctx_build_mem(&p, TLS_ROLE_SERVER, &m, 0, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "certificate.pem does not match private-key.pem"));
	m.key = NULL, m.key_len = 0;
	CU_ASSERT_PTR_NULL(tls_ctx_build_mem(&p, TLS_ROLE_SERVER, &m, 0, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "private-key.pem"));
	m.key = key, m.key_len = klen;
	m.roots = "-----BEGIN CERTIFICATE-----\nAAAA\n", m.roots_len = 33;
	CU_ASSERT_PTR_NULL(tls_ctx_build_mem(&p, TLS_ROLE_SERVER, &m, 0, err, sizeof(err)));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "trusted-roots.pem"));
	free(cert);
	free(key);
	free(roots);
	free(other);
}

UNIT_SUITE(privsep, {"a session ticket is its uid's alone", test_ticket_bound_to_uid},
	   {"a grant is good once, for any uid", test_grant_once_any_uid},
	   {"grants never push session tickets out", test_grants_do_not_evict_tickets},
	   {"HTTPS SSL_CTX from material in memory", test_ctx_from_memory});

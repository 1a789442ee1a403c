/*
 * Helpers of the tls test suites: scratch directories, directory snapshots
 * (to prove a refused operation changed nothing), and an in-process TLS
 * handshake over a memory BIO pair.
 */
#ifndef TEST_TLS_UTIL_H
#define TEST_TLS_UTIL_H

#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <openssl/ssl.h>

#include "tests/unit/unit.h"

/* A new empty directory <unit_tmpdir>/<name>-<n>; returns buf. */
const char *tls_test_dir(const char *name, char *buf, size_t len);

/* Content of a file (malloc'd, NUL-terminated) or NULL. */
char *tls_test_slurp(const char *path, size_t *len);
int tls_test_write(const char *path, const void *buf, size_t len, mode_t mode);

/* Every regular file of a directory: name, mode and bytes. */
struct tls_snap {
	unsigned n;
	struct {
		char name[256];
		mode_t mode;
		char *data;
		size_t len;
	} f[32];
};
void tls_snap_take(const char *dir, struct tls_snap *s);
int tls_snap_equal(const struct tls_snap *a, const struct tls_snap *b);
void tls_snap_free(struct tls_snap *s);

struct tls_hs_side {
	int done, failed;
	int alert_sent, alert_recv; /* last fatal alert (TLS AlertDescription), or -1 */
	long verify;                /* SSL_get_verify_result */
};

struct tls_hs {
	int ok;      /* handshake done and application data went both ways */
	int version; /* negotiated (TLS1_2_VERSION, ...) when ok */
	char cipher[64];
	char peer_cn[128]; /* CN of the client certificate the server saw */
	struct tls_hs_side server, client;
};

/*
 * Runs call, which must return -1 with want in err (a char array in scope) and
 * leave every file of dir as it was. TLS_TEST_SHOW=1 prints each reason.
 */
#define TLS_REFUSED(dir, call, want)                                                               \
	do {                                                                                       \
		struct tls_snap before_, after_;                                                   \
		tls_snap_take(dir, &before_);                                                      \
		err[0] = 0;                                                                        \
		CU_ASSERT_EQUAL(call, -1);                                                         \
		tls_test_reason(__FILE__, __LINE__, err, want);                                    \
		CU_ASSERT_PTR_NOT_NULL(strstr(err, want));                                         \
		tls_snap_take(dir, &after_);                                                       \
		CU_ASSERT(tls_snap_equal(&before_, &after_));                                      \
		tls_snap_free(&before_);                                                           \
		tls_snap_free(&after_);                                                            \
	} while (0)

/* Reports a reason that lacks want (or every reason under TLS_TEST_SHOW). */
void tls_test_reason(const char *file, int line, const char *err, const char *want);

/* Runs one handshake between new SSLs of sctx and cctx; host, when set, is
 * sent as SNI and checked against the server certificate. Returns r->ok. */
int tls_test_handshake(SSL_CTX *sctx, SSL_CTX *cctx, const char *host, struct tls_hs *r);

#endif

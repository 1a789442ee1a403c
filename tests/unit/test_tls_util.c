/* Scratch directories, snapshots and a bounded in-memory handshake for the tls suites. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include "tests/unit/test_tls_util.h"
#include "tests/unit/unit.h"

const char *tls_test_dir(const char *name, char *buf, size_t len)
{
	static unsigned seq;

	snprintf(buf, len, "%s/%s-%u", unit_tmpdir(), name, ++seq);
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		CU_FAIL("mkdir");
	return buf;
}

char *tls_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
}

int tls_test_write(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int ok;

	if (fd < 0)
		return -1;
	ok = write(fd, buf, len) == (ssize_t)len && fchmod(fd, mode) == 0;
	return (close(fd) == 0 && ok) ? 0 : -1;
}

void tls_test_reason(const char *file, int line, const char *err, const char *want)
{
	if (!strstr(err, want))
		fprintf(stderr, "\n%s:%d: want \"%s\" in \"%s\"\n", file, line, want, err);
	else if (getenv("TLS_TEST_SHOW"))
		fprintf(stderr, "\n  refused: %s", err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(a, b); /* name is the first member */
}

void tls_snap_take(const char *dir, struct tls_snap *s)
{
	char path[4096];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);

	memset(s, 0, sizeof(*s));
	while (d && (e = readdir(d)) && s->n < 32) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		snprintf(s->f[s->n].name, sizeof(s->f[s->n].name), "%s", e->d_name);
		s->f[s->n].mode = st.st_mode & 07777;
		s->f[s->n].data = tls_test_slurp(path, &s->f[s->n].len);
		s->n++;
	}
	/* a snapshot that missed files could call two different directories equal */
	assert(!d || !readdir(d));
	if (d)
		closedir(d);
	qsort(s->f, s->n, sizeof(s->f[0]), by_name);
}

int tls_snap_equal(const struct tls_snap *a, const struct tls_snap *b)
{
	if (a->n != b->n)
		return 0;
	for (unsigned i = 0; i < a->n; i++)
		if (strcmp(a->f[i].name, b->f[i].name) || a->f[i].mode != b->f[i].mode ||
		    a->f[i].len != b->f[i].len ||
		    (a->f[i].len && memcmp(a->f[i].data, b->f[i].data, a->f[i].len)))
			return 0;
	return 1;
}

void tls_snap_free(struct tls_snap *s)
{
	for (unsigned i = 0; i < s->n; i++)
		free(s->f[i].data);
	s->n = 0;
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	struct tls_hs_side *side = SSL_get_app_data(ssl);

	/* ret: level << 8 | description; only fatal alerts (level 2) matter here. */
	if (!(where & SSL_CB_ALERT) || (ret >> 8) != 2)
		return;
	if (where & SSL_CB_READ)
		side->alert_recv = ret & 0xff;
	else
		side->alert_sent = ret & 0xff;
}

static void step(SSL *ssl, struct tls_hs_side *side)
{
	int rc, e;

	if (side->done || side->failed)
		return;
	rc = SSL_do_handshake(ssl);
	if (rc == 1) {
		side->done = 1;
		return;
	}
	e = SSL_get_error(ssl, rc);
	if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
		side->failed = 1;
}

/* Reads n bytes equal to want; 1 got, 0 not yet, -1 failed. */
static int read_exact(SSL *ssl, const char *want, size_t n)
{
	char buf[64];
	int r = SSL_read(ssl, buf, sizeof(buf));
	int e;

	if (r > 0)
		return ((size_t)r == n && !memcmp(buf, want, n)) ? 1 : -1;
	e = SSL_get_error(ssl, r);
	return (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) ? 0 : -1;
}

/* Both sides finished: ping from the client, pong from the server. */
static int exchange(SSL *s, SSL *c, struct tls_hs *r)
{
	int wrote = 0, sgot = 0, replied = 0, cgot = 0;

	for (int i = 0; i < 50 && cgot == 0; i++) {
		if (!wrote)
			wrote = SSL_write(c, "ping", 4) == 4;
		if (sgot == 0 && (sgot = read_exact(s, "ping", 4)) < 0)
			r->server.failed = 1;
		if (sgot > 0 && !replied)
			replied = SSL_write(s, "pong", 4) == 4;
		if ((cgot = read_exact(c, "pong", 4)) < 0)
			r->client.failed = 1;
		if (r->server.failed || r->client.failed)
			break;
	}
	return cgot > 0;
}

int tls_test_handshake(SSL_CTX *sctx, SSL_CTX *cctx, const char *host, struct tls_hs *r)
{
	SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
	BIO *bs = NULL, *bc = NULL;
	X509 *peer;

	memset(r, 0, sizeof(*r));
	r->server.alert_sent = r->server.alert_recv = -1;
	r->client.alert_sent = r->client.alert_recv = -1;
	if (!s || !c || !BIO_new_bio_pair(&bs, 0, &bc, 0)) {
		CU_FAIL("SSL_new / BIO pair");
		goto out;
	}
	SSL_set_bio(s, bs, bs);
	SSL_set_bio(c, bc, bc);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	if (host) {
		SSL_set_tlsext_host_name(c, host);
		SSL_set1_host(c, host);
	}
	SSL_set_app_data(s, &r->server);
	SSL_set_app_data(c, &r->client);
	SSL_set_info_callback(s, info_cb);
	SSL_set_info_callback(c, info_cb);
	/* Bounded: a side that waits for bytes that never come just stops the loop. */
	for (int i = 0; i < 64; i++) {
		step(c, &r->client);
		step(s, &r->server);
		if ((r->client.done || r->client.failed) && (r->server.done || r->server.failed))
			break;
	}
	if (r->client.done && r->server.done && !r->client.failed && !r->server.failed) {
		r->ok = exchange(s, c, r);
	} else {
		/* Let the side that thinks it is done read the other's alert. */
		for (int i = 0; i < 4; i++) {
			if (r->client.done && !r->client.failed && read_exact(c, "", 0) < 0)
				r->client.failed = 1;
			if (r->server.done && !r->server.failed && read_exact(s, "", 0) < 0)
				r->server.failed = 1;
		}
	}
	r->server.verify = SSL_get_verify_result(s);
	r->client.verify = SSL_get_verify_result(c);
	if (r->ok) {
		r->version = SSL_version(c);
		snprintf(r->cipher, sizeof(r->cipher), "%s", SSL_get_cipher_name(c));
		if ((peer = SSL_get0_peer_certificate(s)))
			X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName,
						  r->peer_cn, sizeof(r->peer_cn));
	}
out:
	SSL_free(s);
	SSL_free(c);
	ERR_clear_error();
	return r->ok;
}

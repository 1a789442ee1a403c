/* Sessions: a fixed table, random ids, idle timeout per user (WebUsers.SessionTimeout). */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "web/web.h"

static struct web_session sessions[WEB_MAX_SESSIONS];

int web_random_hex(char *out, size_t n)
{
	unsigned char buf[64];

	if (n > sizeof(buf) || RAND_bytes(buf, (int)n) != 1)
		return -1;
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", buf[i]);
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

static int expired(const struct web_session *s, time_t now)
{
	return s->timeout && now - s->last > (time_t)s->timeout;
}

void web_session_end(struct web_session *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

struct web_session *web_session_new(const char *user, unsigned level, unsigned timeout_min,
				    unsigned limit, int https, int by_cert)
{
	time_t now = time(NULL);
	struct web_session *slot = NULL, *oldest = NULL;
	unsigned mine = 0;

	for (unsigned i = 0; i < WEB_MAX_SESSIONS; i++) {
		struct web_session *s = &sessions[i];
		if (s->id[0] && expired(s, now))
			web_session_end(s);
		if (!s->id[0]) {
			if (!slot)
				slot = s;
			continue;
		}
		if (strcasecmp(s->user, user) == 0) {
			mine++;
			if (!oldest || s->last < oldest->last)
				oldest = s;
		}
	}
	/* the vendor refuses a login past SessionLimit; we end the idlest session instead */
	if (limit && mine >= limit && oldest) {
		web_log(LOG_NOTICE, "session limit %u of user %s reached: oldest session ended",
			limit, user);
		web_session_end(oldest);
		if (!slot)
			slot = oldest;
	}
	if (!slot)
		return NULL;
	memset(slot, 0, sizeof(*slot));
	if (web_random_hex(slot->id, 32) < 0 || web_random_hex(slot->csrf, 32) < 0) {
		web_session_end(slot);
		return NULL;
	}
	snprintf(slot->user, sizeof(slot->user), "%s", user);
	slot->level = level;
	slot->created = slot->last = now;
	slot->timeout = timeout_min * 60;
	slot->https = https;
	slot->by_cert = by_cert;
	return slot;
}

struct web_session *web_session_find(const char *id)
{
	time_t now = time(NULL);

	if (!id || strlen(id) != 64)
		return NULL;
	for (unsigned i = 0; i < WEB_MAX_SESSIONS; i++) {
		struct web_session *s = &sessions[i];
		if (!s->id[0] || CRYPTO_memcmp(s->id, id, 64) != 0)
			continue;
		if (expired(s, now)) {
			web_session_end(s);
			return NULL;
		}
		s->last = now;
		return s;
	}
	return NULL;
}

/* SHA-256 of ssl's peer certificate; -1 when there is none. */
static int peer_fp(SSL *ssl, unsigned char fp[32])
{
	X509 *x = ssl ? SSL_get0_peer_certificate(ssl) : NULL;
	unsigned len = 0;

	return x && X509_digest(x, EVP_sha256(), fp, &len) == 1 && len == 32 ? 0 : -1;
}

int web_session_bind(struct web_session *s, SSL *ssl)
{
	return peer_fp(ssl, s->cert_fp);
}

int web_session_cert_ok(const struct web_session *s, SSL *ssl)
{
	unsigned char fp[32];

	if (!s->by_cert)
		return 1;
	return peer_fp(ssl, fp) == 0 && CRYPTO_memcmp(fp, s->cert_fp, sizeof(fp)) == 0;
}

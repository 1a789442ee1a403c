/* Session tickets and SSH grants (ctl_tickets.h); the loop thread alone uses the table. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "sbc/ctl_tickets.h"

struct ticket {
	char token[65];
	char user[48];
	unsigned uid;
	int once;
	time_t used; /* monotonic: issue or last redeem */
};

/* grants apart: pre-authentication key queries (anyone may offer a known public key) cannot
 * push web session tickets out */
static struct ticket tickets[CTL_TICKETS], grants[CTL_GRANTS];

static time_t mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static int expired(const struct ticket *t, time_t now)
{
	return now - t->used > (t->once ? CTL_GRANT_TTL : CTL_TICKET_IDLE);
}

int ctl_ticket_issue(const char *user, unsigned uid, int once, char out[65])
{
	unsigned char rnd[32];
	struct ticket *slot = NULL, *tab = once ? grants : tickets;
	unsigned n = once ? CTL_GRANTS : CTL_TICKETS;
	time_t now = mono();

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		struct ticket *t = &tab[i];
		if (t->token[0] && expired(t, now))
			OPENSSL_cleanse(t, sizeof(*t));
		if (!t->token[0]) {
			slot = t;
			break;
		}
		if (!slot || t->used < slot->used)
			slot = t;
	}
	OPENSSL_cleanse(slot, sizeof(*slot));
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(slot->token + 2 * i, 3, "%02x", rnd[i]);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	snprintf(slot->user, sizeof(slot->user), "%s", user);
	slot->uid = uid;
	slot->once = once;
	slot->used = now;
	memcpy(out, slot->token, 65);
	return 0;
}

int ctl_ticket_redeem(const char *token, unsigned uid, char *user, size_t ulen)
{
	time_t now = mono();

	if (!token || strlen(token) != 64)
		return -1;
	for (unsigned i = 0; i < CTL_TICKETS + CTL_GRANTS; i++) {
		struct ticket *t = i < CTL_TICKETS ? &tickets[i] : &grants[i - CTL_TICKETS];
		if (!t->token[0] || CRYPTO_memcmp(t->token, token, 64) != 0)
			continue;
		if (expired(t, now) || (!t->once && t->uid != uid)) {
			if (expired(t, now))
				OPENSSL_cleanse(t, sizeof(*t));
			return -1;
		}
		snprintf(user, ulen, "%s", t->user);
		if (t->once)
			OPENSSL_cleanse(t, sizeof(*t));
		else
			t->used = now;
		return 0;
	}
	return -1;
}

int ctl_ticket_end(const char *token, unsigned uid)
{
	if (!token || strlen(token) != 64)
		return -1;
	for (unsigned i = 0; i < CTL_TICKETS; i++) {
		struct ticket *t = &tickets[i];
		if (t->token[0] && t->uid == uid && CRYPTO_memcmp(t->token, token, 64) == 0) {
			OPENSSL_cleanse(t, sizeof(*t));
			return 0;
		}
	}
	return -1;
}

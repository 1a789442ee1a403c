/* SIPCredentials: users the SBC authenticates with SIP digest (passwords kept as HA1s). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "conf/cols.h"
#include "conf/sipcred.h"
#include "conf/store.h"

static const struct conf_column cols[] = {
    [SIPCRED_USERNAME] = {"Username", "username", 1, CONF_T_STRING, 0, 64, NULL, NULL, "",
			  "Digest user name (the user part of the user's AOR)",
			  CONF_F_NAME | CONF_F_MANDATORY},
    [SIPCRED_REALM] = {"Realm", "realm", 2, CONF_T_STRING, 0, 64, NULL, NULL, "sbc",
		       "Digest realm: the AuthenticationRealm of the SIP interfaces it serves", 0},
    [SIPCRED_PASSWORD] = {"Password", "password", 3, CONF_T_SECRET, 0, 256, NULL, NULL, "",
			  "Password (stored as MD5 and SHA-256 HA1s; never shown)", CONF_F_SECRET},
};
_Static_assert(CONF_NCOLS(cols) == SIPCRED_NCOLS, "conf/cols.h lists every column of sipcred");

int conf_digest_hex(enum conf_digest_alg alg, const void *data, size_t len, char *out,
		    size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	if (!EVP_Digest(data, len, md, &n, alg == CONF_DIGEST_MD5 ? EVP_md5() : EVP_sha256(),
			NULL) ||
	    outlen < 2 * n + 1)
		return -1;
	for (unsigned i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int tag_of(const char *user, const char *realm, char tag[17])
{
	char buf[160], hex[65];
	int k = snprintf(buf, sizeof(buf), "%s:%s", user, realm);

	if (k < 0 || (size_t)k >= sizeof(buf) ||
	    conf_digest_hex(CONF_DIGEST_SHA256, buf, (size_t)k, hex, sizeof(hex)) < 0)
		return -1;
	memcpy(tag, hex, 16);
	tag[16] = 0;
	return 0;
}

int conf_sipcred_hash(const char *user, const char *realm, const char *plain, char *out,
		      size_t outlen)
{
	char a1[512], md5[33], sha[65], tag[17];
	int k = snprintf(a1, sizeof(a1), "%s:%s:%s", user, realm, plain), rc = -1;

	if (k > 0 && (size_t)k < sizeof(a1) && tag_of(user, realm, tag) == 0 &&
	    conf_digest_hex(CONF_DIGEST_MD5, a1, (size_t)k, md5, sizeof(md5)) == 0 &&
	    conf_digest_hex(CONF_DIGEST_SHA256, a1, (size_t)k, sha, sizeof(sha)) == 0 &&
	    outlen > CONF_SIPCRED_LEN)
		rc = snprintf(out, outlen, CONF_SIPCRED_PREFIX "%s$%s$%s", tag, md5, sha) ==
			     CONF_SIPCRED_LEN
			 ? 0
			 : -1;
	explicit_bzero(a1, sizeof(a1));
	return rc;
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int conf_sipcred_is_hash(const char *s)
{
	return s && strlen(s) == CONF_SIPCRED_LEN && strncmp(s, CONF_SIPCRED_PREFIX, 5) == 0 &&
	       all_hex(s + 5, 16) && s[21] == '$' && all_hex(s + 22, 32) && s[54] == '$' &&
	       all_hex(s + 55, 64);
}

int conf_sipcred_matches(const char *stored, const char *user, const char *realm)
{
	char tag[17];

	return conf_sipcred_is_hash(stored) && tag_of(user, realm, tag) == 0 &&
	       CRYPTO_memcmp(stored + 5, tag, 16) == 0;
}

int conf_sipcred_ha1(const char *stored, enum conf_digest_alg alg, char *out, size_t outlen)
{
	size_t off = alg == CONF_DIGEST_MD5 ? 22 : 55, n = alg == CONF_DIGEST_MD5 ? 32 : 64;

	if (!conf_sipcred_is_hash(stored) || outlen <= n)
		return -1;
	memcpy(out, stored + off, n);
	out[n] = 0;
	return 0;
}

/* A plain password becomes its HA1s at once: the plain text never stays in a store. */
static int on_set(const struct conf_table *t, struct conf_row *r, int col, char *err, size_t errlen)
{
	char *pw = r->v[SIPCRED_PASSWORD].s, out[CONF_SIPCRED_LEN + 1];

	if (col != SIPCRED_PASSWORD || !pw || !pw[0] || conf_sipcred_is_hash(pw))
		return 0;
	if (conf_sipcred_hash(r->v[SIPCRED_USERNAME].s, r->v[SIPCRED_REALM].s, pw, out,
			      sizeof(out)) < 0 ||
	    !(r->v[SIPCRED_PASSWORD].s = strdup(out))) {
		r->v[SIPCRED_PASSWORD].s = pw;
		explicit_bzero(pw, strlen(pw));
		pw[0] = 0;
		snprintf(err, errlen, "cannot hash the password");
		return -1;
	}
	explicit_bzero(pw, strlen(pw));
	free(pw);
	return 0;
}

static int check_hashes(const struct conf_store *st, char *err, size_t errlen)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_sipcredentials);

	for (unsigned i = 0; rs && i < rs->n; i++) {
		const struct conf_row *r = rs->row[i];
		const char *pw = r->v[SIPCRED_PASSWORD].s;
		if (pw[0] &&
		    !conf_sipcred_matches(pw, r->v[SIPCRED_USERNAME].s, r->v[SIPCRED_REALM].s)) {
			snprintf(err, errlen,
				 "SIPCredentials row %u column Password: hashed for another "
				 "Username or Realm; set the password again",
				 r->index);
			return -1;
		}
	}
	return 0;
}

const struct conf_table conf_tbl_sipcredentials = {
    .name = "SIPCredentials",
    .cli = "sip-credential",
    .tree = "voip",
    .mib = 15,
    .max_rows = 10000,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Users authenticated by SIP digest (RFC 3261, RFC 8760) as registrar and for calls",
    .check = check_hashes,
    .on_set = on_set,
};

/*
 * SIPCredentials passwords: the digest HA1s (RFC 3261, RFC 8760) the SIP
 * engine checks responses with, never the password itself.
 *
 * A plain password written to the Password column of a row (any view: INI,
 * CLI, SNMP, web) is replaced at once by
 *   "$ha1$" TAG "$" HEX(MD5(user:realm:pass)) "$" HEX(SHA-256(user:realm:pass))
 * where TAG is the first 16 hex digits of SHA-256(user ":" realm): the row's
 * Username and Realm when the password was set. A row whose Username or Realm
 * changed later no longer matches its TAG and is refused by validation (set
 * the password again). A value that already has this form is kept as is (flash
 * holds it so). Hex digits are lower case.
 */
#ifndef CONF_SIPCRED_H
#define CONF_SIPCRED_H

#include <stddef.h>

enum conf_digest_alg { CONF_DIGEST_MD5, CONF_DIGEST_SHA256 };

#define CONF_SIPCRED_PREFIX "$ha1$"
#define CONF_SIPCRED_LEN    (5 + 16 + 1 + 32 + 1 + 64)

/* The stored form for user, realm and plain into out (at least CONF_SIPCRED_LEN + 1). 0 or -1. */
int conf_sipcred_hash(const char *user, const char *realm, const char *plain, char *out,
		      size_t outlen);
/* 1 when stored has the stored form (whatever its tag). */
int conf_sipcred_is_hash(const char *stored);
/* 1 when stored was made for user and realm. */
int conf_sipcred_matches(const char *stored, const char *user, const char *realm);
/* The HA1 of alg in stored, as lower-case hex into out; 0, or -1 when stored is not a hash. */
int conf_sipcred_ha1(const char *stored, enum conf_digest_alg alg, char *out, size_t outlen);
/* Lower-case hex of the digest of alg over data, into out (65 bytes suffice). 0 or -1. */
int conf_digest_hex(enum conf_digest_alg alg, const void *data, size_t len, char *out,
		    size_t outlen);

#endif

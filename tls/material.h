/*
 * tls material: the certificate, key, trusted roots and CRLs of one TLS
 * context, kept in a directory (layout and file names in tls/tls.h).
 *
 * Contract of every operation:
 * - returns 0, or -1 with a reason in err that names the input or file;
 * - a refused operation changes nothing on disk; an accepted one replaces
 *   files atomically (temp file, fsync, rename, fsync of the directory), and
 *   when it changes two files (generate) both change or neither does;
 * - the private key file is written mode 0600, unencrypted PKCS#8 PEM; key
 *   bytes are wiped from memory after use and no function returns them;
 * - inputs (buffers and files) above TLS_MAX_INPUT (1 MiB) are refused with
 *   "file too large";
 * - warnings (operation accepted, but the operator should know) go to warn,
 *   which is set to "" when there is none; warn may be NULL.
 * One writer per directory is assumed (sbcd); readers may run at any time,
 * and always see whole files.
 */
#ifndef TLS_MATERIAL_H
#define TLS_MATERIAL_H

#include <stddef.h>
#include <time.h>

enum tls_key_type {
	TLS_KEY_RSA,     /* bits: 2048 .. 8192 (0 means 2048) */
	TLS_KEY_EC_P256, /* bits ignored */
	TLS_KEY_EC_P384, /* bits ignored */
};

/* Public facts about one certificate. */
struct tls_cert_info {
	unsigned index;    /* position in its file, from 0 */
	char subject[256]; /* RFC 2253 form, e.g. "CN=sbc.example.com,O=Example" */
	char issuer[256];
	char serial[80]; /* hexadecimal, upper case */
	time_t not_before;
	time_t not_after;
	char sha256[96];   /* SHA-256 fingerprint, "AB:CD:..." (openssl x509 -fingerprint) */
	int is_ca;         /* basicConstraints CA:TRUE (or a v1 self-signed root) */
	char key_type[32]; /* "RSA 2048", "EC P-256", ... */
	char san[256];     /* subjectAltName, "DNS:a, IP:1.2.3.4", or "" */
};

/*
 * New private key and a self-signed certificate for it, valid `days` days
 * (1 .. 36500) from now. subject is "CN=host,O=Org" (RFC 4514 order, most
 * specific first; "\," escapes a comma) or OpenSSL's "/O=Org/CN=host"; it
 * must hold a CN, which also becomes the subjectAltName (DNS, or IP for an
 * address). EKU serverAuth and clientAuth. Replaces the key and certificate.
 */
int tls_material_generate(const char *ctxdir, enum tls_key_type type, int bits, const char *subject,
			  int days, char *err, size_t errlen);

/*
 * The same in two steps, so that the costly part can run on a worker thread:
 * generate_new only computes (key, self-signed certificate; no file, no shared
 * state; NULL with the reason in err), generate_store writes them into ctxdir.
 */
struct tls_generated;
struct tls_generated *tls_material_generate_new(enum tls_key_type type, int bits,
						const char *subject, int days, char *err,
						size_t errlen);
int tls_material_generate_store(const char *ctxdir, const struct tls_generated *g, char *err,
				size_t errlen);
void tls_generated_free(struct tls_generated *g);

/*
 * A certificate signing request (PEM, malloc'd into *pem_out) for the stored
 * key. subject as for generate; NULL or "" takes the stored certificate's.
 * Requests subjectAltName from the CN and EKU serverAuth, clientAuth.
 */
int tls_material_csr(const char *ctxdir, const char *subject, char **pem_out, char *err,
		     size_t errlen);

/*
 * Device certificate (PEM or DER; PEM may carry the chain after it). Refused
 * when it does not match the stored key (or there is none). Accepted with a
 * warning when expired or not yet valid, or when the chain is out of order.
 */
int tls_material_import_cert(const char *ctxdir, const void *buf, size_t len, char *warn,
			     size_t warnlen, char *err, size_t errlen);

/*
 * Private key (PEM, encrypted when passphrase is given; or unencrypted DER).
 * Stored unencrypted. Accepted with the warning "certificate does not match
 * the new key" when a stored certificate belongs to another key, and with a
 * warning when the key is weaker than OpenSSL's default security level.
 */
int tls_material_import_key(const char *ctxdir, const void *buf, size_t len, const char *passphrase,
			    char *warn, size_t warnlen, char *err, size_t errlen);

/*
 * Adds CA certificates (PEM bundle, or one DER certificate) to the trusted
 * roots. Certificates already present (same SHA-256 fingerprint), in the file
 * or earlier in the bundle, are skipped and counted. Anything that is not a
 * certificate refuses the whole import; so does an empty bundle.
 */
int tls_material_import_roots(const char *ctxdir, const void *buf, size_t len, unsigned *added,
			      unsigned *skipped, char *err, size_t errlen);

/* The trusted roots, in file order: *out is malloc'd (free()), *n entries; none is 0, NULL. */
int tls_material_list_roots(const char *ctxdir, struct tls_cert_info **out, unsigned *n, char *err,
			    size_t errlen);

/* Removes the trusted root at index (as listed); later roots move down by one. */
int tls_material_delete_root(const char *ctxdir, unsigned index, char *err, size_t errlen);

/*
 * A CRL (PEM or DER; several in PEM allowed). Each must be issued and signed
 * by one of the trusted roots. A stored CRL of the same issuer is replaced,
 * those of other issuers kept. Warns when a CRL is past its nextUpdate, as
 * OpenSSL then fails every verification that needs it.
 */
int tls_material_import_crl(const char *ctxdir, const void *buf, size_t len, char *warn,
			    size_t warnlen, char *err, size_t errlen);

/* Removes every CRL (revocation checking stops). */
int tls_material_delete_crl(const char *ctxdir, char *err, size_t errlen);

/*
 * The device certificate (first of certificate.pem). *key_matches is 1 when
 * the stored key matches it, 0 when it does not or there is no key.
 */
int tls_material_cert_info(const char *ctxdir, struct tls_cert_info *info, int *key_matches,
			   char *err, size_t errlen);

/* Refuses (-1) a key file that group or others may access; 0 when it is private. */
int tls_material_check_key_perms(const char *ctxdir, char *err, size_t errlen);

#endif

/*
 * tls names: matching certificate names, as for TLSRemoteSubjectName.
 *
 * tls_name_match compares one name with one pattern, case-insensitively; a
 * leading "*." on either side stands for exactly one label ("*.example.com"
 * matches "a.example.com", not "example.com" nor "a.b.example.com").
 * tls_cert_names walks a certificate's subjectAltName DNS and URI entries,
 * then its subject CN, calling fn(arg, kind, name) with kind "DNS", "URI" or
 * "CN"; it stops at the first non-zero return and returns it (0 when none).
 */
#ifndef TLS_NAMES_H
#define TLS_NAMES_H

#include <openssl/x509.h>

int tls_name_match(const char *pattern, const char *name);
int tls_cert_names(X509 *cert, int (*fn)(void *arg, const char *kind, const char *name), void *arg);

#endif

/* tls: public facts of a certificate (struct tls_cert_info), its fingerprint, names as text
 * (also used by the SIP engine for its log lines and status tables). */
#ifndef TLS_CERTINFO_H
#define TLS_CERTINFO_H

#include <openssl/x509.h>

#include "tls/material.h"

/* Fills every field of info from x; index is the caller's position. */
void tls_cert_info_fill(X509 *x, unsigned index, struct tls_cert_info *info);
/* SHA-256 of the DER certificate; 0 or -1. */
int tls_cert_sha256(X509 *x, unsigned char md[32]);
/* An ASN1_TIME as time_t (0 when unreadable). */
time_t tls_asn1_time(const ASN1_TIME *t);
/*
 * A name in RFC 4514 form (RFC 2253 rules: the last RDN first, "CN=a,O=b" for
 * /O=b/CN=a), UTF-8 kept as is. The one name format of every view: sbcd's logs
 * and status tables, sbc-web's logs and pages, the CLI, SNMP.
 */
void tls_name_text(const X509_NAME *n, char *buf, size_t len);

#endif

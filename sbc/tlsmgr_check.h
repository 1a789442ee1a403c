/*
 * tlsmgr_check: "would this start?" for the objects boot starts, in one place
 * used by boot (sbcd_boot), the SIP engine (before it gives sofia-sip a TLS
 * listener) and the offline check (sbcd -n, sbc-ini check --flash).
 *
 *  tlsmgr_check_material  loads a TLS context's material exactly as a SIP
 *                         interface's server side will (tls_ctx_build:
 *                         certificate, key matching it, key file private,
 *                         trusted roots and CRL parsing); 0, or -1 with the
 *                         cause in err.
 *  tlsmgr_check_bind      binds addr:port (UDP or TCP) and releases it at once;
 *                         0, or -1 with the cause (errno text) in err.
 *  tlsmgr_check_plan      what boot would do with the configuration st and
 *                         the material under flashdir: one line on out per
 *                         object (SIP interface listener, TLS context, web
 *                         listener) that would be down, naming the object,
 *                         cause and remedy, plus warnings (expired
 *                         certificates, material boot would generate).
 *                         Returns the number of objects that would be down.
 *                         binds 0 skips the listener binds (the caller found
 *                         an sbcd running on this flash: its ports are its own).
 */
#ifndef SBC_TLSMGR_CHECK_H
#define SBC_TLSMGR_CHECK_H

#include <stddef.h>
#include <stdio.h>

struct conf_row;
struct conf_store;

int tlsmgr_check_material(const char *ctxdir, const struct conf_row *ctxrow, int verify_peer,
			  char *err, size_t errlen);
int tlsmgr_check_bind(const char *addr, unsigned port, int stream, char *err, size_t errlen);
int tlsmgr_check_plan(const char *flashdir, const struct conf_store *st, int binds, FILE *out);

/* Remedy texts shared by the alarms and the check, so both tell the operator the same. */
#define TLSMGR_REMEDY_MATERIAL                                                                     \
	"import a matching key and certificate or valid trusted roots / CRL for the context "      \
	"(the listener comes up at once)"
#define TLSMGR_REMEDY_BIND                                                                         \
	"free the port or change the SIPInterface port or its network interface address, "         \
	"then reset"

#endif

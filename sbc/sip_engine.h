/*
 * sip_engine: the SIP side of sbcd on sofia-sip NTA.
 *
 * Created at boot (and again at reset) from the *active* configuration: one
 * listener set per SIPInterface row (UDP, TCP, TLS ports at the address of its
 * InterfaceTable row), TLS policy of the row's TLS context bound to the
 * SSL_CTX that sofia-sip creates (see ARCHITECTURE.md, "TLS").
 * Changes to SIP interfaces are reset-required, so the engine never
 * reconfigures listeners live.
 */
#ifndef SBC_SIP_ENGINE_H
#define SBC_SIP_ENGINE_H

#include <stddef.h>
#include <sofia-sip/su_wait.h>

struct conf_store;
struct sip_engine;

/*
 * Starts listening on every SIP interface of `active`. TLS material of
 * context N is read from <flashdir>/tls/<N>/; rundir is a private directory
 * for files sofia-sip needs (agent.pem, cafile.pem per context).
 * Returns NULL with the reason in err (naming the interface) on failure.
 */
struct sip_engine *sip_engine_create(su_root_t *root, const struct conf_store *active,
				     const char *flashdir, const char *rundir, char *err,
				     size_t errlen);
void sip_engine_destroy(struct sip_engine *e);

/* Replaces the rows of the engine's read-only status tables in st with live values. */
void sip_engine_status(struct sip_engine *e, struct conf_store *st);

#endif

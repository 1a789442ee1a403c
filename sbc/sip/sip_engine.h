/*
 * sip_engine: the SIP side of sbcd on sofia-sip NTA.
 *
 * Created at boot (and again at reset) from the *active* configuration: one
 * listener set per SIPInterface row (UDP, TCP, TLS ports at the address of its
 * InterfaceTable row), TLS policy of the row's TLS context bound to the
 * SSL_CTX that sofia-sip creates (see ARCHITECTURE.md, "TLS").
 * Changes to SIP interfaces are reset-required, so the engine never
 * reconfigures listeners live.
 *
 * TLS on a SIP interface: mutual authentication is the row's
 * TLSMutualAuthentication when 0 or 1, else the global
 * SIPSRequireClientCertificate. When on, a client without a valid certificate
 * (chain to the context's trusted roots, in its validity period, not revoked
 * by crl.pem, EKU allowing clientAuth when it has an EKU, and matching
 * TLSRemoteSubjectName when PeerHostNameVerificationMode is 2) fails the
 * handshake before any SIP byte is read. A handshake not done within
 * TLSHandshakeTimeout seconds is closed; connections beyond the row's
 * MaxTLSConnections are closed at once. Every accepted or refused connection
 * is counted (status table TLSStatus) and logged, rate-limited.
 *
 * SIP: OPTIONS is answered (200 with Allow, Accept, Supported); REGISTER
 * makes the engine registrar for the user (bindings in memory, status table
 * Registrations); INVITE and MESSAGE to a registered user are relayed as a
 * back-to-back user agent over the connection that user registered over, with
 * a new Call-ID and the SBC's own Via and Contact on each side.
 *
 * Routing (doc/ROUTING.md): a request outside a dialog is classified to a source
 * IP group and routed by the first matching IP2IPRouting rule to an IP group
 * (its proxy set), an address, its Request-URI, or a registered user; proxy
 * sets are probed with OPTIONS and reached over TLS with the proxy set's TLS
 * context. With no routing configured at all, calls go between registered
 * users as above. Status tables ProxyStatus and Calls show the live state.
 *
 * Everything runs on `root`; no function here may be called from another thread.
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
 * Degrade, don't die: a port that cannot listen (in use, address not on the
 * host) or a TLS port whose context's material does not load
 * (tlsmgr_check_material) is down with its reason (TLSStatus State and
 * StateReason) and alarm sipInterfaceDown on source "SIPInterface#<row>"
 * (naming the port, cause and remedy); every other port starts. `active` must
 * outlive the engine. Returns NULL with the reason in err only when the engine
 * itself cannot be made (out of memory, OpenSSL set-up).
 */
struct sip_engine *sip_engine_create(su_root_t *root, const struct conf_store *active,
				     const char *flashdir, const char *rundir, char *err,
				     size_t errlen);
void sip_engine_destroy(struct sip_engine *e);

/*
 * Replaces the rows of the engine's read-only status tables in st with live
 * values: TLSStatus (one row per SIP interface, same index), Registrations
 * (one row per binding, numbered from 0), ProxyStatus (one row per ProxyIp
 * row, same index) and Calls (one row per call, numbered from 0). Rows of
 * other tables are untouched.
 */
void sip_engine_status(struct sip_engine *e, struct conf_store *st);
/* TLS handshakes a worker thread holds now (SIPTLSHandshakeThreads); their counts and logs
 * appear when they come back to the SIP thread. */
unsigned sip_engine_hs_pending(const struct sip_engine *e);

/*
 * The same, except that the Registrations rows (100,000 of them take tens of
 * milliseconds to make) are only copied on the loop, compactly: the copy is
 * returned, and sip_reg_snap_fill writes its rows into st later on any thread
 * (a control worker) and frees it. NULL when there is nothing to defer (the
 * table was then filled here). sip_reg_snap_free frees an unused copy.
 */
struct sip_reg_snap;
struct sip_reg_snap *sip_engine_status_split(struct sip_engine *e, struct conf_store *st);
void sip_reg_snap_fill(struct sip_reg_snap *sn, struct conf_store *st);
void sip_reg_snap_free(struct sip_reg_snap *sn);

/*
 * The material (trusted roots, CRL, device certificate or key) of TLS context
 * ctx_index changed on flash: every SIP interface using that context takes it
 * for its new handshakes, without a reset; established connections stay up.
 * Sessions and tickets issued before are forgotten, so nobody resumes past a
 * new CRL or a removed root. Material that does not load (a key without its
 * certificate, say) changes nothing and is logged; the old material stays in
 * force. The context's row (versions, ciphers) follows the running
 * configuration (sip_engine_config_changed). A TLS port that is down
 * for this context (unusable material, or its port was taken) tries again:
 * with good material it comes up and its alarm clears.
 */
void sip_engine_tls_changed(struct sip_engine *e, unsigned ctx_index);

/*
 * The running configuration changed: build and apply at once (sbcd commits
 * in phases with sip_engine_config_prepare/apply below, which do the same). The
 * engine copies what routing needs (ProxySet, ProxyIp, IPGroup,
 * Classification, IP2IPRouting, the client TLS globals, interface and context
 * names) and keeps no pointer into `running`, which the caller frees on the
 * next commit. Proxy address state carries over by (set name, address); calls
 * in progress keep the route they were given; new requests use the new rules.
 * TLSContexts rows (versions, ciphers, groups, depth) apply to the TLS
 * listeners' new handshakes at once, as HTTPS does (a row that does not load
 * leaves the previous policy, logged). Reset-required settings (listeners,
 * SIPSRequireClientCertificate) are not applied. On failure (out of memory) the previous routing
 * stays.
 */
void sip_engine_config_changed(struct sip_engine *e, const struct conf_store *running);

/*
 * The same in the phases of a commit (conf/txn.h). prepare builds the new
 * routing copy from cand and checks that every TLS context outgoing TLS to a
 * proxy set uses (new to that use, or its row changed) makes a client SSL_CTX
 * (versions, ciphers, groups, trusted roots on flash); it changes nothing that
 * runs and returns -1 with a CONF_C_REFUSED (or CONF_C_RESOURCE) error in d
 * when it cannot. apply puts the prepared copy in force (cannot fail); abort
 * drops it. running may be NULL (every context in use is then checked).
 */
struct conf_diag;
int sip_engine_config_prepare(struct sip_engine *e, const struct conf_store *running,
			      const struct conf_store *cand, struct conf_diag *d);
void sip_engine_config_apply(struct sip_engine *e, const struct conf_store *running);
void sip_engine_config_abort(struct sip_engine *e);
/*
 * prepare in two parts, for a commit prepared off the event loop: build makes
 * the routing copy from cand and tries the client SSL_CTX of every context
 * outgoing TLS uses in it (reads cand and the TLS files on flash only: safe on
 * a worker; NULL when out of memory); prepare_built then does the rest of
 * prepare with them and frees b. sip_cfg_built_free frees an unused b.
 */
struct sip_cfg_built;
struct sip_cfg_built *sip_engine_config_build(const struct sip_engine *e,
					      const struct conf_store *cand);
int sip_engine_config_prepare_built(struct sip_engine *e, const struct conf_store *running,
				    const struct conf_store *cand, struct sip_cfg_built *b,
				    struct conf_diag *d);
void sip_cfg_built_free(struct sip_cfg_built *b);

/*
 * Optional observer of connection events: called with each line the engine
 * logs about TLS connections and registrations, before rate limiting (the
 * log itself is rate-limited). For sbcd's diagnostics and for tests.
 */
typedef void sip_event_fn(void *arg, int prio, const char *line);
void sip_engine_set_event_hook(struct sip_engine *e, sip_event_fn *fn, void *arg);

/*
 * Optional: called before a TLS context's material is first used for outgoing TLS, so that
 * a context added after boot gets its key and certificate then (sbcd: tlsmgr_ensure).
 * Returns 0, or -1 with the reason in err.
 */
typedef int sip_material_fn(void *arg, unsigned ctx_index, char *err, size_t errlen);
void sip_engine_set_material_hook(struct sip_engine *e, sip_material_fn *fn, void *arg);

#endif

/*
 * sip_engine: sofia-sip NTA set up from the active configuration, request
 * dispatch and the TLSStatus table. TLS policy binding lives in sip_tls.c,
 * the registrar in sip_registrar.c, calls in sip_b2bua.c.
 *
 * One NTA agent serves every SIP interface: each enabled port is one sofia
 * primary transport, and a request is attributed to its interface through the
 * primary it arrived on. The agent is created without a default contact so
 * that it listens only where the configuration says.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/tport_tag.h>

#include "conf/store.h"
#include "sbc/sip/sip_auth.h"
#include "sbc/alarms.h"
#include "sbc/sip/sip_dns.h"
#include "sbc/sip/sip_hs.h"
#include "sbc/sip/sip_internal.h"
#include "sbc/sip/sip_perf.h"
#include "sbc/sip/sip_crl.h"
#include "sbc/sip/sip_ocsp.h"
#include "sbc/tlsmgr_check.h"
#include "tls/tls.h"

/* sofia-sip's own debug logs (exported, not declared in its headers). Quiet unless the
 * operator asks for them through TPORT_DEBUG / NTA_DEBUG: our log says what matters. */
extern su_log_t tport_log[], nta_log[];

#define SIP_ALLOW   "INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, UPDATE, INFO, MESSAGE"
#define SIP_TICK_MS 1000

static const char *const proto_names[SIP_PROTO_N] = {"udp", "tcp", "tls"};

const char *sip_proto_name(enum sip_proto p)
{
	return p < SIP_PROTO_N ? proto_names[p] : "?";
}

void sip_engine_set_material_hook(struct sip_engine *e, sip_material_fn *fn, void *arg)
{
	e->material_fn = fn;
	e->material_arg = arg;
}

void sip_engine_set_event_hook(struct sip_engine *e, sip_event_fn *fn, void *arg)
{
	e->event_fn = fn;
	e->event_arg = arg;
}

void sip_engine_event(struct sip_engine *e, int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (e->event_fn)
		e->event_fn(e->event_arg, prio, line);
	log_ratelimited(&e->loglim, prio, "%s", line);
}

struct sip_iface *sip_iface_of_tport(struct sip_engine *e, tport_t *tp, enum sip_proto *proto)
{
	tport_t *pri = tp ? tport_parent(tp) : NULL;

	for (unsigned i = 0; pri && i < e->nifs; i++)
		for (int p = 0; p < SIP_PROTO_N; p++)
			if (e->ifs[i].pri[p] == pri) {
				if (proto)
					*proto = p;
				return &e->ifs[i];
			}
	/* a client TLS transport towards proxies (sip_proxy_tls.c) */
	if (pri && sip_ctls_iface_of(e, pri)) {
		if (proto)
			*proto = SIP_PROTO_TLS;
		return sip_ctls_iface_of(e, pri);
	}
	return NULL;
}

static const char *host_of(const char *addr, char *buf, size_t len)
{
	snprintf(buf, len, strchr(addr, ':') ? "[%s]" : "%s", addr);
	return buf;
}

const char *sip_iface_contact(const struct sip_iface *ifc, enum sip_proto p, char *buf, size_t len)
{
	char h[80];

	snprintf(buf, len, "<sip:sbc@%s:%u;transport=%s>", host_of(ifc->addr, h, sizeof(h)),
		 ifc->port[p], proto_names[p]);
	return buf;
}

void sip_irq_peer(nta_incoming_t *irq, char *buf, size_t len)
{
	msg_t *msg = nta_incoming_getrequest(irq);
	su_addrinfo_t *ai = msg ? msg_addrinfo(msg) : NULL;
	char host[64];

	buf[0] = 0;
	if (ai && ai->ai_addr) {
		su_sockaddr_t *su = (su_sockaddr_t *)ai->ai_addr;
		su_inet_ntop(su->su_family, SU_ADDR(su), host, sizeof(host));
		snprintf(buf, len, su->su_family == AF_INET6 ? "[%s]:%u" : "%s:%u", host,
			 ntohs(su->su_port));
	}
	msg_destroy(msg);
}

/* --- request dispatch --- */

static int reply_options(nta_incoming_t *irq)
{
	nta_incoming_treply(irq, SIP_200_OK, SIPTAG_ALLOW_STR(SIP_ALLOW),
			    SIPTAG_ACCEPT_STR("application/sdp"), SIPTAG_SUPPORTED_STR(""),
			    TAG_END());
	nta_incoming_destroy(irq);
	return 0;
}

/* Every request outside a dialog lands here (the default leg). */
static int deflt_cb(nta_leg_magic_t *m, nta_leg_t *leg, nta_incoming_t *irq, sip_t const *sip)
{
	struct sip_engine *e = (struct sip_engine *)m;
	enum sip_proto p = SIP_PROTO_UDP;
	tport_t *tp = nta_incoming_transport(e->agent, irq, NULL);
	struct sip_iface *ifc = sip_iface_of_tport(e, tp, &p);

	tport_unref(tp);
	if (!sip || !sip->sip_request || !sip->sip_from || !sip->sip_to || !sip->sip_call_id ||
	    !sip->sip_cseq || sip->sip_error)
		return 400;
	if (!ifc)
		return 500;
	switch (sip->sip_request->rq_method) {
	case sip_method_options:
		return reply_options(irq);
	case sip_method_register:
		return sip_registrar_request(e->reg, ifc, p, irq, sip);
	case sip_method_invite:
		ifc->call_attempts++;
		return sip_b2bua_request(e->b2b, ifc, p, irq, sip);
	case sip_method_message:
		return sip_b2bua_request(e->b2b, ifc, p, irq, sip);
	case sip_method_ack:
		nta_incoming_destroy(irq);
		return 0;
	case sip_method_bye:
	case sip_method_update:
	case sip_method_info:
	case sip_method_prack:
	case sip_method_cancel:
		return 481;
	default:
		nta_incoming_treply(irq, SIP_405_METHOD_NOT_ALLOWED, SIPTAG_ALLOW_STR(SIP_ALLOW),
				    TAG_END());
		nta_incoming_destroy(irq);
		return 0;
	}
}

/* Stray responses and anything the default leg does not take. */
static int agent_cb(nta_agent_magic_t *m, nta_agent_t *a, msg_t *msg, sip_t *sip)
{
	nta_msg_discard(a, msg);
	return 0;
}

static void tick_cb(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	struct sip_engine *e = (struct sip_engine *)arg;

	sip_tls_sweep_some(e);
	sip_registrar_expire(e->reg);
	sip_proxy_tick(e->proxy);
	sip_dns_tick(e->dns);
	sip_perf_tick(e, e->perf);
	sip_ctls_sweep(e);
	sip_tcp_sweep(e);
	sip_tls_log_flush(e);
	sip_b2bua_tick(e->b2b);
	sip_crl_tick(e);
}

/* --- set-up --- */

/* Copies the concatenation of files into path (mode 0600); missing optional files are skipped. */
static int write_concat(const char *path, const char *const *src, unsigned n, char *err,
			size_t errlen)
{
	char buf[8192];
	int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	unsigned copied = 0;
	int bad = 0;

	if (out < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < n && !bad; i++) {
		int in = open(src[i], O_RDONLY);
		ssize_t k;
		if (in < 0)
			continue;
		while ((k = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)k) != k) {
				bad = 1; /* a full run directory: never leave half a key behind */
				break;
			}
		if (k < 0)
			bad = 1;
		close(in);
		copied++;
	}
	explicit_bzero(buf, sizeof(buf));
	if (close(out) < 0 || !copied || bad) {
		unlink(path);
		if (!copied)
			return 1;
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	return 0;
}

/* agent.pem (certificate chain + key) and cafile.pem (trusted roots) where sofia reads them. */
static int write_sofia_dir(const char *flashdir, const char *rundir, unsigned ctx, char *ctxdir,
			   size_t ctxlen, char *sofdir, size_t soflen, char *err, size_t errlen)
{
	char a[4096], b[4096], path[4096];
	const char *src[2] = {a, b};

	snprintf(ctxdir, ctxlen, "%s/tls/%u", flashdir, ctx);
	snprintf(path, sizeof(path), "%s/tls", rundir);
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		goto fail;
	snprintf(sofdir, soflen, "%s/tls/%u", rundir, ctx);
	if (mkdir(sofdir, 0700) < 0 && errno != EEXIST)
		goto fail;
	snprintf(a, sizeof(a), "%s/%s", ctxdir, TLS_FILE_CERT);
	snprintf(b, sizeof(b), "%s/%s", ctxdir, TLS_FILE_KEY);
	snprintf(path, sizeof(path), "%s/agent.pem", sofdir);
	if (write_concat(path, src, 2, err, errlen) < 0)
		return -1;
	snprintf(a, sizeof(a), "%s/%s", ctxdir, TLS_FILE_ROOTS);
	snprintf(path, sizeof(path), "%s/cafile.pem", sofdir);
	return write_concat(path, src, 1, err, errlen) < 0 ? -1 : 0;
fail:
	snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
	return -1;
}

int sip_engine_sofia_dir(struct sip_engine *e, unsigned ctx, char *ctxdir, size_t ctxlen,
			 char *sofdir, size_t soflen, char *err, size_t errlen)
{
	return write_sofia_dir(e->flashdir, e->rundir, ctx, ctxdir, ctxlen, sofdir, soflen, err,
			       errlen);
}

/* The primary sofia just made for (proto, port): the one no interface owns yet. */
static tport_t *find_primary(struct sip_engine *e, enum sip_proto p, unsigned port)
{
	char want[16];

	snprintf(want, sizeof(want), "%u", port);
	for (tport_t *tp = tport_primaries(nta_agent_tports(e->agent)); tp; tp = tport_next(tp)) {
		const tp_name_t *n = tport_name(tp);
		if (!n || strcasecmp(n->tpn_proto, proto_names[p]) || strcmp(n->tpn_port, want))
			continue;
		if (!sip_iface_of_tport(e, tp, NULL))
			return tp;
	}
	return NULL;
}

/* Whatever sofia made of a listener we could not bind our policy to refuses every handshake. */
static void tls_seal(SSL_CTX *ctx)
{
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
}

/*
 * At run time a listener is added with tport_tbind, not nta_agent_add_tport: the latter
 * rebuilds every primary's Via and frees the old ones, which the connections already open
 * still point to (see sip_proxy_tls.c). We give the new primary its Via ourselves.
 */
static int tls_listen_live(struct sip_engine *e, struct sip_iface *ifc, const char *sofdir,
			   const char *ident, char *why, size_t whylen)
{
	char port[8], via_s[160];
	char const *transports[] = {"tls", NULL};
	tp_name_t tpn = {.tpn_proto = "tls", .tpn_canon = ifc->addr, .tpn_host = ifc->addr};
	sip_via_t *via;

	snprintf(port, sizeof(port), "%u", ifc->port[SIP_PROTO_TLS]);
	tpn.tpn_port = port;
	if (tport_tbind(nta_agent_tports(e->agent), &tpn, transports, TPTAG_SERVER(1),
			TPTAG_CERTIFICATE(sofdir), TPTAG_TLS_VERSION(0),
			TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_NONE), TPTAG_IDENT(ident),
			TAG_END()) < 0) {
		snprintf(why, whylen, "cannot listen on %s:%s/tls: %s", ifc->addr, port,
			 strerror(errno));
		return -1;
	}
	snprintf(via_s, sizeof(via_s),
		 strchr(ifc->addr, ':') ? "SIP/2.0/TLS [%s]:%s" : "SIP/2.0/TLS %s:%s", ifc->addr,
		 port);
	for (tport_t *tp = tport_primaries(nta_agent_tports(e->agent)); tp; tp = tport_next(tp))
		if (tport_ident(tp) && !strcmp(tport_ident(tp), ident) &&
		    (via = sip_via_make(e->home, via_s)))
			tport_set_magic(tp, (tp_magic_t *)via);
	return 0;
}

/*
 * The TLS listener of ifc. Its context's material is loaded first the way the policy binding
 * will (tlsmgr_check_material), so unusable material leaves the port down (ifc->why) instead
 * of handing sofia-sip files it fails on. live: at run time (see tls_listen_live).
 */
static int add_tls(struct sip_engine *e, struct sip_iface *ifc, const struct conf_store *st,
		   const char *ctxname, int live)
{
	const struct conf_table *tc = &conf_tbl_tlscontexts;
	struct conf_row *cr = conf_store_find_name(st, tc, ctxname);
	char ctxdir[4096], sofdir[4096], url[256], h[80], why[512], ident[32];
	SSL_CTX *got[4];
	unsigned n;
	int rc;

	if (!cr) {
		snprintf(ifc->why[SIP_PROTO_TLS], sizeof(ifc->why[0]),
			 "TLS port %u: TLS context '%s' not found; fix the SIPInterface row, then "
			 "reset",
			 ifc->port[SIP_PROTO_TLS], ctxname);
		return -1;
	}
	ifc->ctx_index = (int)cr->index;
	if (write_sofia_dir(e->flashdir, e->rundir, cr->index, ctxdir, sizeof(ctxdir), sofdir,
			    sizeof(sofdir), why, sizeof(why)) < 0)
		goto fail;
	if (tlsmgr_check_material(ctxdir, cr, ifc->mutual, why, sizeof(why)) < 0) {
		snprintf(ifc->why[SIP_PROTO_TLS], sizeof(ifc->why[0]),
			 "TLS port %u: TLS context '%s': %s; %s", ifc->port[SIP_PROTO_TLS], ctxname,
			 why, TLSMGR_REMEDY_MATERIAL);
		return -1;
	}
	snprintf(url, sizeof(url), "sips:%s:%u;transport=tls", host_of(ifc->addr, h, sizeof(h)),
		 ifc->port[SIP_PROTO_TLS]);
	/* every primary has an ident: sofia's lookup by ident (client transports,
	 * sip_proxy_tls.c) compares it without a NULL check */
	snprintf(ident, sizeof(ident), "sbc-%u-tls", ifc->index);
	sip_tls_capture_begin();
	if (live)
		rc = tls_listen_live(e, ifc, sofdir, ident, why, sizeof(why));
	else
		rc = nta_agent_add_tport(
		    e->agent, (url_string_t *)url, TPTAG_CERTIFICATE(sofdir), TPTAG_TLS_VERSION(0),
		    TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_NONE), TPTAG_IDENT(ident), TAG_END());
	n = sip_tls_capture_end(got, 4);
	if (rc < 0) {
		if (!live)
			snprintf(why, sizeof(why), "cannot listen on %s: %s", url, strerror(errno));
		snprintf(ifc->why[SIP_PROTO_TLS], sizeof(ifc->why[0]), "TLS port %u: %s; %s",
			 ifc->port[SIP_PROTO_TLS], why, TLSMGR_REMEDY_BIND);
		return -1;
	}
	ifc->pri[SIP_PROTO_TLS] = find_primary(e, SIP_PROTO_TLS, ifc->port[SIP_PROTO_TLS]);
	if (n != 1) {
		snprintf(why, sizeof(why),
			 "sofia-sip created %u SSL_CTX for %s, expected exactly one: cannot bind "
			 "the TLS policy",
			 n, url);
		for (unsigned k = 0; k < n && k < 4; k++)
			tls_seal(got[k]);
		goto fail;
	}
	if (sip_tls_bind(ifc, got[0], cr, ctxdir, why, sizeof(why)) < 0) {
		tls_seal(got[0]);
		goto fail;
	}
	return 0;
fail:
	/* a primary sofia made stays (it cannot remove one), sealed: attribute nothing to it */
	ifc->pri[SIP_PROTO_TLS] = NULL;
	snprintf(ifc->why[SIP_PROTO_TLS], sizeof(ifc->why[0]), "TLS port %u: TLS context '%s': %s",
		 ifc->port[SIP_PROTO_TLS], ctxname, why);
	return -1;
}

/* Raises, updates or clears the interface's alarm from ifc->why. */
static void iface_alarm(const struct sip_iface *ifc)
{
	char src[48], text[1400];
	size_t n;
	int down = 0, on = 0;

	snprintf(src, sizeof(src), "SIPInterface#%u", ifc->index);
	n = (size_t)snprintf(text, sizeof(text), "SIP interface '%s' (row %u):", ifc->name,
			     ifc->index);
	for (int p = 0; p < SIP_PROTO_N; p++) {
		on += ifc->port[p] != 0;
		if (!ifc->why[p][0] || n >= sizeof(text))
			continue;
		down++;
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s %s", down > 1 ? ";" : "",
				      ifc->why[p]);
	}
	if (!down) {
		alarm_set("sipInterfaceDown", src, ALARM_CLEARED, "");
		return;
	}
	alarm_set("sipInterfaceDown", src, down >= on ? ALARM_MAJOR : ALARM_MINOR, text);
}

static void add_iface(struct sip_engine *e, struct sip_iface *ifc, const struct conf_store *st,
		      const struct conf_row *r)
{
	const struct conf_table *ti = &conf_tbl_interfaces;
	const char *netif = conf_row_str(r, SIPIF_NETWORK_INTERFACE);
	struct conf_row *ir = conf_store_find_name(st, ti, netif);
	static const int portcol[SIP_PROTO_N] = {SIPIF_UDP_PORT, SIPIF_TCP_PORT, SIPIF_TLS_PORT};
	long long mutual = conf_row_int(r, SIPIF_TLS_MUTUAL_AUTHENTICATION);
	char url[256], h[80], ident[32];

	ifc->eng = e;
	ifc->index = r->index;
	ifc->ctx_index = -1;
	snprintf(ifc->name, sizeof(ifc->name), "%s", conf_row_str(r, SIPIF_INTERFACE_NAME));
	ifc->max_tls = (unsigned)conf_row_int(r, SIPIF_MAX_TLS_CONNECTIONS);
	ifc->max_tcp = (unsigned)conf_row_int(r, SIPIF_MAX_TCP_CONNECTIONS);
	ifc->mutual = mutual == 0 || mutual == 1
			  ? (int)mutual
			  : conf_globals_int(st, GLOBALS_SIPS_REQUIRE_CLIENT_CERTIFICATE) != 0;
	if (conf_globals_int(st, GLOBALS_PEER_HOST_NAME_VERIFICATION_MODE) == 2)
		snprintf(ifc->subject, sizeof(ifc->subject), "%s",
			 conf_globals_str(st, GLOBALS_TLS_REMOTE_SUBJECT_NAME));
	for (int p = 0; p < SIP_PROTO_N; p++)
		ifc->port[p] = (unsigned)conf_row_int(r, portcol[p]);
	if (!ir) {
		for (int p = 0; p < SIP_PROTO_N; p++)
			if (ifc->port[p])
				snprintf(ifc->why[p], sizeof(ifc->why[p]),
					 "%s port %u: network interface '%s' not found; fix the "
					 "SIPInterface row, then reset",
					 proto_names[p], ifc->port[p], netif);
		iface_alarm(ifc);
		return;
	}
	snprintf(ifc->addr, sizeof(ifc->addr), "%s", conf_row_str(ir, NETIF_IP_ADDRESS));
	for (int p = SIP_PROTO_UDP; p <= SIP_PROTO_TCP; p++) {
		if (!ifc->port[p])
			continue;
		snprintf(url, sizeof(url), "sip:%s:%u;transport=%s",
			 host_of(ifc->addr, h, sizeof(h)), ifc->port[p], proto_names[p]);
		snprintf(ident, sizeof(ident), "sbc-%u-%s", ifc->index, proto_names[p]);
		if (nta_agent_add_tport(e->agent, (url_string_t *)url, TPTAG_IDENT(ident),
					TAG_END()) < 0) {
			snprintf(ifc->why[p], sizeof(ifc->why[p]),
				 "%s port %u: cannot listen on %s: %s; %s", proto_names[p],
				 ifc->port[p], url, strerror(errno), TLSMGR_REMEDY_BIND);
			continue;
		}
		ifc->pri[p] = find_primary(e, p, ifc->port[p]);
	}
	if (ifc->port[SIP_PROTO_TLS])
		add_tls(e, ifc, st, conf_row_str(r, SIPIF_TLS_CONTEXT), 0);
	iface_alarm(ifc);
}

void sip_iface_tls_retry(struct sip_engine *e, unsigned ctx_index)
{
	for (unsigned i = 0; i < e->nifs; i++) {
		struct sip_iface *ifc = &e->ifs[i];
		const struct conf_table *ts = &conf_tbl_sipinterface;
		const struct conf_row *r = conf_store_get(e->active, ts, ifc->index);
		if (ifc->ctx_index != (int)ctx_index || !ifc->port[SIP_PROTO_TLS] ||
		    ifc->pri[SIP_PROTO_TLS] || !r)
			continue;
		ifc->why[SIP_PROTO_TLS][0] = 0;
		if (add_tls(e, ifc, e->active, conf_row_str(r, SIPIF_TLS_CONTEXT), 1) == 0)
			sip_engine_event(
			    e, LOG_NOTICE,
			    "sip: interface '%s' TLS port %u is up with the new material "
			    "of TLS context %u",
			    ifc->name, ifc->port[SIP_PROTO_TLS], ctx_index);
		iface_alarm(ifc);
	}
}

/* TLS handshakes on worker threads (sip_hs.h); without them they run here, as before. */
static void hs_start(struct sip_engine *e, const struct conf_store *active)
{
	unsigned n =
	    sip_hs_threads_for(conf_globals_int(active, GLOBALS_SIP_TLS_HANDSHAKE_THREADS));
	char err[256];

	if (!n) {
		log_info("sip: TLS handshakes on the SIP thread (SIPTLSHandshakeThreads 0)");
		return;
	}
	if (!(e->hs = sip_hs_start(e, n, err, sizeof(err))))
		log_warnx("sip: %s; TLS handshakes stay on the SIP thread", err);
	else
		log_info("sip: TLS handshakes on %u worker thread%s", n, n == 1 ? "" : "s");
}

struct sip_engine *sip_engine_create(su_root_t *root, const struct conf_store *active,
				     const char *flashdir, const char *rundir, char *err,
				     size_t errlen)
{
	const struct conf_table *ts = &conf_tbl_sipinterface;
	const struct conf_rows *rs = ts ? conf_store_rows(active, ts) : NULL;
	struct sip_engine *e;
	long long hs;

	if (!rs || sip_tls_global_init() < 0 || sip_ctls_global_init() < 0) {
		snprintf(err, errlen, "SIP engine: schema or OpenSSL set-up failed");
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e || !(e->home = su_home_new(sizeof(*e->home)))) {
		free(e);
		snprintf(err, errlen, "SIP engine: out of memory");
		return NULL;
	}
	su_log_soft_set_level(tport_log, 0);
	su_log_soft_set_level(nta_log, 0);
	e->root = root;
	snprintf(e->flashdir, sizeof(e->flashdir), "%s", flashdir);
	snprintf(e->rundir, sizeof(e->rundir), "%s", rundir);
	e->loglim = (struct log_limit){.per_sec = 20, .burst = 40};
	hs = conf_globals_int(active, GLOBALS_TLS_HANDSHAKE_TIMEOUT);
	e->hs_timeout_ms = (unsigned)(hs > 0 ? hs : 10) * 1000;
	e->tcp_idle_ms = (unsigned)conf_globals_int(active, GLOBALS_TCP_IDLE_TIMEOUT) * 1000;
	e->ifs = calloc(rs->n ? rs->n : 1, sizeof(*e->ifs));
	e->agent = nta_agent_create(root, (url_string_t *)-1, agent_cb, NULL, NTATAG_UA(1),
				    NTATAG_SERVER_RPORT(1), NTATAG_TCP_RPORT(1), TAG_END());
	if (!e->ifs || !e->agent) {
		snprintf(err, errlen, "SIP engine: cannot create the SIP agent");
		goto fail;
	}
	e->active = active;
	/* an interface that cannot start is down with its reason and an alarm; the rest run */
	for (unsigned i = 0; i < rs->n; i++) {
		add_iface(e, &e->ifs[i], active, rs->row[i]);
		e->nifs = i + 1;
	}
	e->reg = sip_registrar_create(e);
	e->b2b = sip_b2bua_create(e);
	e->rt = sip_rt_cfg_build(active);
	if (sip_identity_config(e, active) < 0)
		e->rt = (sip_rt_cfg_free(e->rt), NULL); /* out of memory: fails below */
	e->proxy = sip_proxy_create(e);
	if ((e->perf = sip_perf_create())) {
		sip_perf_enable(e->perf,
				(int)conf_globals_int(active, GLOBALS_PERFORMANCE_MONITORING));
		sip_perf_sample_now(e, e->perf); /* the base: the first sample counts from here */
	}
	hs_start(e, active);
	e->deflt = nta_leg_tcreate(e->agent, deflt_cb, (nta_leg_magic_t *)e, NTATAG_NO_DIALOG(1),
				   TAG_END());
	e->tick = su_timer_create(su_root_task(root), SIP_TICK_MS);
	if (sip_dns_engine_start(e) == 0)
		sip_dns_engine_config(e);
	if (e->rt && e->proxy)
		sip_proxy_config(e->proxy, e->rt);
	if (!e->dns || !e->reg || !e->b2b || !e->perf || !e->deflt || !e->tick || !e->rt ||
	    !e->proxy || su_timer_run(e->tick, tick_cb, (su_timer_arg_t *)e) < 0) {
		snprintf(err, errlen, "SIP engine: out of memory");
		goto fail;
	}
	return e;
fail:
	sip_engine_destroy(e);
	return NULL;
}

void sip_engine_destroy(struct sip_engine *e)
{
	if (!e)
		return;
	e->closing = 1;
	sip_hs_stop(e->hs); /* before anything frees what a worker may be using */
	e->hs = NULL;
	su_timer_destroy(e->tick);
	sip_b2bua_destroy(e->b2b);
	sip_dns_destroy(e->dns);
	e->dns = NULL;
	sip_perf_destroy(e->perf);
	e->perf = NULL;
	sip_proxy_destroy(e->proxy);
	sip_registrar_destroy(e->reg);
	sip_auth_destroy(e->auth);
	if (e->deflt)
		nta_leg_destroy(e->deflt);
	sip_tls_unbind(e);
	sip_ctls_unbind(e);
	if (e->agent)
		nta_agent_destroy(e->agent);
	sip_tls_release(e);
	sip_tcp_release(e);
	sip_ctls_release(e);
	sip_ocsp_release(e);
	sip_crl_release(e);
	sip_rt_cfg_free(e->rt);
	sip_rt_cfg_free(e->staged);
	free(e->ifs);
	su_home_unref(e->home);
	free(e);
}

unsigned sip_engine_hs_pending(const struct sip_engine *e)
{
	return e ? sip_hs_owned(e->hs) : 0;
}

/* --- status --- */

/* State and StateReason of one interface's TLSStatus row. */
static void iface_state(const struct sip_iface *ifc, const struct conf_table *t, struct conf_row *r)
{
	char why[1400], ebuf[128];
	size_t n = 0;
	int on = 0, down = 0;

	why[0] = 0;
	for (int p = 0; p < SIP_PROTO_N; p++) {
		on += ifc->port[p] != 0;
		if (!ifc->why[p][0] || n >= sizeof(why))
			continue;
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%s%s", down ? "; " : "",
				      ifc->why[p]);
		down++;
	}
	for (char *c = why; *c; c++) /* status strings hold no double quote or control byte */
		if (*c == '"' || (unsigned char)*c < 0x20)
			*c = *c == '"' ? '\'' : ' ';
	r->v[TLSSTATUS_STATE].i = !on ? 4 : !down ? 1 : down >= on ? 2 : 3;
	conf_row_set_text(t, r, TLSSTATUS_STATE_REASON, why, ebuf, sizeof(ebuf));
}

void sip_engine_status(struct sip_engine *e, struct conf_store *st)
{
	sip_reg_snap_fill(sip_engine_status_split(e, st), st);
}

struct sip_reg_snap *sip_engine_status_split(struct sip_engine *e, struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_tlsstatus;
	struct sip_reg_snap *regs;
	static const int rejcol[SIP_REJ_N] = {
	    TLSSTATUS_REJECTED_NO_CERTIFICATE,   TLSSTATUS_REJECTED_UNKNOWN_CA,
	    TLSSTATUS_REJECTED_EXPIRED,          TLSSTATUS_REJECTED_REVOKED,
	    TLSSTATUS_REJECTED_BAD_PURPOSE,      TLSSTATUS_REJECTED_SUBJECT_MISMATCH,
	    TLSSTATUS_REJECTED_PROTOCOL,         TLSSTATUS_REJECTED_TIMEOUT,
	    TLSSTATUS_REJECTED_CONNECTION_LIMIT, TLSSTATUS_REJECTED_REVOKED_OCSP,
	    TLSSTATUS_REJECTED_OCSP_UNAVAILABLE,
	};
	char ebuf[128];

	sip_tls_sweep(e);
	sip_registrar_expire(e->reg);
	if (t) {
		conf_store_clear(st, t);
		for (unsigned i = 0; i < e->nifs; i++) {
			struct sip_iface *ifc = &e->ifs[i];
			struct conf_row *r = conf_store_ensure(st, t, ifc->index, NULL);
			if (!r)
				continue;
			conf_row_set_text(t, r, TLSSTATUS_INTERFACE_NAME, ifc->name, ebuf,
					  sizeof(ebuf));
			r->v[TLSSTATUS_TLS_PORT].i = ifc->port[SIP_PROTO_TLS];
			r->v[TLSSTATUS_MUTUAL_AUTHENTICATION].i = ifc->mutual;
			r->v[TLSSTATUS_HANDSHAKES_ACCEPTED].i = (long long)ifc->accepted;
			for (int k = 0; k < SIP_REJ_N; k++)
				r->v[rejcol[k]].i = (long long)ifc->rejected[k];
			r->v[TLSSTATUS_ACTIVE_CONNECTIONS].i = ifc->active;
			r->v[TLSSTATUS_TCP_ACTIVE_CONNECTIONS].i = ifc->tcp_active;
			r->v[TLSSTATUS_TCP_CONNECTIONS_CLOSED].i = (long long)ifc->tcp_closed;
			r->v[TLSSTATUS_CLOSED_TRUST_CHANGE].i = (long long)ifc->closed_trust;
			iface_state(ifc, t, r);
		}
	}
	/* the Registrations rows are made from this copy off the loop (sip_reg_status.c) */
	regs = sip_registrar_snapshot(e->reg);
	sip_identity_status(e, st);
	sip_proxy_status(e->proxy, st);
	sip_dns_engine_status(e, st);
	sip_b2bua_status(e->b2b, st);
	sip_perf_status(e->perf, st);
	sip_ocsp_status(e, st);
	sip_crl_status(e, st);
	return regs;
}

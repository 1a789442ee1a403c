/* Would it start? TLS material, listener ports, and the whole boot plan (sbcd -n). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "conf/cols.h"
#include "conf/store.h"
#include "sbc/tlsmgr_check.h"
#include "tls/material.h"
#include "tls/tls.h"

int tlsmgr_check_material(const char *ctxdir, const struct conf_row *ctxrow, int verify_peer,
			  char *err, size_t errlen)
{
	struct tls_policy pol;
	SSL_CTX *ctx;

	tls_policy_from_row(ctxrow, &pol);
	ctx = tls_ctx_build(&pol, TLS_ROLE_SERVER, ctxdir, verify_peer ? TLS_F_VERIFY_PEER : 0, err,
			    errlen);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return ctx ? 0 : -1;
}

int tlsmgr_check_bind(const char *addr, unsigned port, int stream, char *err, size_t errlen)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, one = 1, rc, e = 0;

	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)port);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)port);
		len = sizeof(*a6);
	} else {
		snprintf(err, errlen, "'%s' is not an IP address", addr);
		return -1;
	}
	fd = socket(ss.ss_family, (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* as sofia-sip and libevent do: a port in TIME_WAIT is usable */
	if (stream)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = bind(fd, (struct sockaddr *)&ss, len);
	e = errno;
	if (rc < 0)
		snprintf(err, errlen, "cannot bind %s%s%s:%u/%s: %s",
			 ss.ss_family == AF_INET6 ? "[" : "", addr,
			 ss.ss_family == AF_INET6 ? "]" : "", port, stream ? "tcp" : "udp",
			 strerror(e));
	close(fd);
	errno = e;
	return rc < 0 ? -1 : 0;
}

static int has(const char *dir, const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

/*
 * One TLS context as boot will find it: 1 usable, 0 usable after boot generates its
 * material (none yet), -1 down (why in err).
 */
static int context_state(const char *flashdir, const struct conf_row *cr, int verify_peer,
			 char *err, size_t errlen)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/tls/%u", flashdir, cr->index);
	if (!has(dir, TLS_FILE_CERT) && !has(dir, TLS_FILE_KEY))
		return 0;
	return tlsmgr_check_material(dir, cr, verify_peer, err, errlen) < 0 ? -1 : 1;
}

static void expiry_warning(const char *flashdir, const struct conf_row *cr, FILE *out)
{
	struct tls_cert_info info;
	char dir[PATH_MAX], err[256];
	time_t now = time(NULL);
	int match;

	snprintf(dir, sizeof(dir), "%s/tls/%u", flashdir, cr->index);
	if (tls_material_cert_info(dir, &info, &match, err, sizeof(err)) < 0)
		return;
	if (now >= info.not_after)
		fprintf(out,
			"warning: TLSContexts row %u ('%s'): the device certificate has expired: "
			"peers will refuse it; import a new certificate\n",
			cr->index, cr->v[TLSCTX_NAME].s);
	else if (now < info.not_before)
		fprintf(out,
			"warning: TLSContexts row %u ('%s'): the device certificate is not yet "
			"valid\n",
			cr->index, cr->v[TLSCTX_NAME].s);
}

static int proxy_uses(const struct conf_store *st, const char *ctxname)
{
	const struct conf_table *tp = &conf_tbl_proxyset;
	const struct conf_rows *rs = conf_store_rows(st, tp);
	int c = PROXYSET_TLS_CONTEXT_NAME;

	for (unsigned i = 0; c >= 0 && i < rs->n; i++)
		if (!strcasecmp(conf_row_str(rs->row[i], c), ctxname))
			return 1;
	return 0;
}

static int plan_iface(const char *flashdir, const struct conf_store *st, const struct conf_row *r,
		      int binds, FILE *out)
{
	const struct conf_table *ti = &conf_tbl_interfaces;
	const struct conf_table *tc = &conf_tbl_tlscontexts;
	static const int portcol[3] = {SIPIF_UDP_PORT, SIPIF_TCP_PORT, SIPIF_TLS_PORT};
	static const char *const pname[3] = {"UDP", "TCP", "TLS"};
	const char *name = conf_row_str(r, SIPIF_INTERFACE_NAME);
	const char *netif = conf_row_str(r, SIPIF_NETWORK_INTERFACE);
	const struct conf_row *ir = conf_store_find_name(st, ti, netif);
	char err[1024];
	int down = 0;

	if (!ir) {
		fprintf(out,
			"down: SIPInterface row %u ('%s'): network interface '%s' not found; "
			"fix the SIPInterface row\n",
			r->index, name, netif);
		return 1;
	}
	for (int p = 0; p < 3; p++) {
		unsigned port = (unsigned)conf_row_int(r, portcol[p]);
		if (!port)
			continue;
		err[0] = 0;
		if (binds &&
		    tlsmgr_check_bind(conf_row_str(ir, NETIF_IP_ADDRESS), port, p != 0, err,
				      sizeof(err)) < 0 &&
		    errno == EACCES) {
			fprintf(out,
				"warning: SIPInterface row %u ('%s') %s port %u: %s here (sbcd "
				"needs CAP_NET_BIND_SERVICE for it)\n",
				r->index, name, pname[p], port, err);
		} else if (*err) {
			fprintf(out, "down: SIPInterface row %u ('%s') %s port %u: %s; %s\n",
				r->index, name, pname[p], port, err, TLSMGR_REMEDY_BIND);
			down = 1;
		}
		if (p == 2) {
			const char *cn = conf_row_str(r, SIPIF_TLS_CONTEXT);
			const struct conf_row *cr = conf_store_find_name(st, tc, cn);
			long long m = conf_row_int(r, SIPIF_TLS_MUTUAL_AUTHENTICATION);
			int mutual = m == 0 || m == 1
					 ? (int)m
					 : conf_globals_int(
					       st, GLOBALS_SIPS_REQUIRE_CLIENT_CERTIFICATE) != 0;
			if (!cr) {
				fprintf(out,
					"down: SIPInterface row %u ('%s') TLS port %u: TLS "
					"context '%s' not found\n",
					r->index, name, port, cn);
				down = 1;
			} else if (context_state(flashdir, cr, mutual, err, sizeof(err)) < 0) {
				fprintf(out,
					"down: SIPInterface row %u ('%s') TLS port %u: TLS "
					"context '%s': %s; %s\n",
					r->index, name, port, cn, err, TLSMGR_REMEDY_MATERIAL);
				down = 1;
			}
		}
	}
	return down;
}

int tlsmgr_check_plan(const char *flashdir, const struct conf_store *st, int binds, FILE *out)
{
	const struct conf_table *ts = &conf_tbl_sipinterface;
	const struct conf_table *tc = &conf_tbl_tlscontexts;
	const struct conf_rows *rs = conf_store_rows(st, ts);
	const struct conf_rows *cs = conf_store_rows(st, tc);
	const char *waddr = conf_globals_str(st, GLOBALS_WEB_ADDRESS);
	unsigned wport[2] = {(unsigned)conf_globals_int(st, GLOBALS_HTTPS_PORT),
			     (unsigned)conf_globals_int(st, GLOBALS_HTTP_PORT)};
	char err[1024];
	int down = 0;

	for (unsigned i = 0; i < rs->n; i++)
		down += plan_iface(flashdir, st, rs->row[i], binds, out);
	for (unsigned j = 0; j < cs->n; j++) {
		const struct conf_row *cr = cs->row[j];
		int k = context_state(flashdir, cr, 0, err, sizeof(err));
		if (k == 0)
			fprintf(out,
				"note: TLSContexts row %u ('%s'): no material yet; boot makes a "
				"self-signed certificate when the context is used\n",
				cr->index, cr->v[TLSCTX_NAME].s);
		else if (k < 0 && cr->index == 0 && wport[0])
			fprintf(out, "down: HTTPS management (TLS context 0 '%s'): %s; %s\n",
				cr->v[TLSCTX_NAME].s, err, TLSMGR_REMEDY_MATERIAL);
		else if (k < 0 && proxy_uses(st, cr->v[TLSCTX_NAME].s))
			fprintf(out,
				"down: TLSContexts row %u ('%s') for outgoing TLS to proxy sets: "
				"%s; %s\n",
				cr->index, cr->v[TLSCTX_NAME].s, err, TLSMGR_REMEDY_MATERIAL);
		else if (k < 0)
			fprintf(out,
				"warning: TLSContexts row %u ('%s') unusable (not used now): %s\n",
				cr->index, cr->v[TLSCTX_NAME].s, err);
		down +=
		    k < 0 && ((cr->index == 0 && wport[0]) || proxy_uses(st, cr->v[TLSCTX_NAME].s));
		if (k > 0)
			expiry_warning(flashdir, cr, out);
	}
	for (int w = 0; w < 2; w++) {
		if (!binds || !wport[w] ||
		    tlsmgr_check_bind(waddr && *waddr ? waddr : "0.0.0.0", wport[w], 1, err,
				      sizeof(err)) == 0)
			continue;
		if (errno == EACCES) {
			fprintf(out,
				"warning: web %s port %u: %s here (sbc-web needs "
				"CAP_NET_BIND_SERVICE for it)\n",
				w ? "HTTP" : "HTTPS", wport[w], err);
			continue;
		}
		fprintf(out, "down: web %s port %u: %s; free the port or change %s, then reset\n",
			w ? "HTTP" : "HTTPS", wport[w], err, w ? "HTTPPort" : "HTTPSPort");
		down++;
	}
	return down;
}

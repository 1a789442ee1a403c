/*
 * Helpers of the sip test suites: a configuration with SIP interfaces and TLS
 * contexts on the test PKI (tests/unit/tls_pki.h), an engine on its own
 * su_root, and small SIP clients over TLS (OpenSSL) and UDP.
 *
 * Everything is single-threaded: clients are non-blocking and every wait
 * turns the engine's loop (su_root_step), so one thread plays both sides.
 * Every wait is bounded by a timeout in milliseconds.
 */
#ifndef TEST_SIP_UTIL_H
#define TEST_SIP_UTIL_H

#include <stddef.h>
#include <openssl/ssl.h>
#include <sofia-sip/su_wait.h>

#include "conf/store.h"
#include "tests/unit/tls_pki.h"

struct sip_engine;

struct sip_test {
	su_root_t *root;
	struct conf_store *st;
	struct sip_engine *e;
	char flash[256], run[256];
	char events[256][600]; /* lines of the engine's event hook, oldest first */
	unsigned nevents;
};

/* A store with InterfaceTable row 0 ("lo", 127.0.0.1) and the test flash/run dirs. */
int sip_test_init(struct sip_test *t);
void sip_test_set(struct sip_test *t, const char *table, unsigned row, const char *col,
		  const char *value);
/* TLSContexts row idx with its material: device certificate dev, roots[] ending in -1. */
void sip_test_ctx(struct sip_test *t, unsigned idx, const char *name, enum tls_pki_id dev,
		  const int *roots, unsigned crl_mask);
/* SIPInterface row idx on "lo" with free ports (0 for ports[i] == 0 in want); returns
 * the TLS port. want: bit 0 UDP, 1 TCP, 2 TLS. */
unsigned sip_test_iface(struct sip_test *t, unsigned idx, const char *name, const char *ctx,
			int mutual, unsigned want, unsigned ports[3]);
/* Creates the engine; NULL with the reason in err. */
struct sip_engine *sip_test_start(struct sip_test *t, char *err, size_t errlen);
void sip_test_done(struct sip_test *t);
void sip_test_pump(struct sip_test *t, unsigned ms);
/* A TLSStatus / Registrations column of a row, from a fresh status snapshot; -1 if absent. */
long long sip_test_status(struct sip_test *t, const char *table, unsigned row, const char *col);
const char *sip_test_status_str(struct sip_test *t, const char *table, unsigned row,
				const char *col, char *buf, size_t len);
/* 1 when an event line contains every one of the (up to 3) strings. */
int sip_test_event(struct sip_test *t, const char *a, const char *b, const char *c);

struct sip_client {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	unsigned local_port;
	int alert_recv;     /* last fatal alert the server sent, -1 for none */
	int cert_requested; /* the server asked for a certificate */
	char buf[65536];
	size_t len;
};

/*
 * Connects to 127.0.0.1:port and runs the handshake with the client
 * certificate `cert` (chain included; -1 for none), between TLS versions
 * minv..maxv (0 for the library's bounds). Returns 1 when the client side of
 * the handshake completed, 0 otherwise (see alert_recv).
 */
int sip_client_tls(struct sip_test *t, struct sip_client *c, unsigned port, int cert, int minv,
		   int maxv, unsigned timeout_ms);
/* A plain TCP connection that sends nothing (a stalled TLS client). -1 on error. */
int sip_client_tcp(unsigned port);
int sip_client_send(struct sip_test *t, struct sip_client *c, const char *msg);
/* Next whole SIP message into out: its length, 0 when the server closed, -1 on timeout. */
int sip_client_recv(struct sip_test *t, struct sip_client *c, char *out, size_t len,
		    unsigned timeout_ms);
void sip_client_close(struct sip_client *c);

/* A request line and the usual headers; extra is inserted before Content-Length. */
void sip_msg_request(char *out, size_t len, const char *method, const char *ruri,
		     const char *transport, unsigned lport, const char *from_user,
		     const char *to_user, const char *callid, unsigned cseq, const char *extra,
		     const char *body);
/* A response to req copying Via, From, To (adding totag if set), Call-ID and CSeq. */
void sip_msg_response(char *out, size_t len, const char *req, int status, const char *totag,
		      const char *extra, const char *body);
int sip_msg_status(const char *msg);
/* Value of the first header `name` into buf ("" when absent); returns buf. */
const char *sip_msg_header(const char *msg, const char *name, char *buf, size_t len);
/* OPTIONS over an established client; the status, or -1. */
int sip_client_options(struct sip_test *t, struct sip_client *c);

#endif

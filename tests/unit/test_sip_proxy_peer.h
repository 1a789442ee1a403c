/*
 * A SIP peer over TLS for the routing tests: a proxy or UAS that the engine
 * connects to (server side, OpenSSL, on 127.0.0.1), which can also open its
 * own connection to the engine as a TLS client. Single-threaded like
 * test_sip_util.h: every wait turns the engine's loop and is bounded.
 *
 * OPTIONS requests (keep-alives) are answered 200 by the peer itself and
 * counted, unless options_status is set to another code (0: not answered).
 */
#ifndef TEST_SIP_PROXY_PEER_H
#define TEST_SIP_PROXY_PEER_H

#include "tests/unit/test_sip_util.h"

#define SIP_PEER_CONNS 8

struct sip_peer {
	int lfd; /* listening socket, -1 when stopped */
	unsigned port;
	SSL_CTX *ctx;
	int stall; /* accept TCP but never answer the handshake */
	struct sip_client conn[SIP_PEER_CONNS];
	int up[SIP_PEER_CONNS]; /* 0 free, 1 handshaking, 2 established */
	unsigned handshakes;    /* completed */
	unsigned options;       /* OPTIONS answered */
	int options_status;
	char client_subject[512]; /* certificate the engine presented, last handshake */
};

/* Listens on port (0: a free one) with certificate cert (chain included); asks for a
 * client certificate verified against the test ROOT. 0 or -1. */
int sip_peer_start(struct sip_peer *p, enum tls_pki_id cert, unsigned port);
/* Closes the listener and every connection (the port can be reused by a restart). */
void sip_peer_stop(struct sip_peer *p);
/* Accepts, handshakes and reads whatever is ready. */
void sip_peer_poll(struct sip_test *t, struct sip_peer *p);
/* Next whole SIP message (OPTIONS excepted) from any connection: its length (and the
 * connection in *which), -1 on timeout. */
int sip_peer_recv(struct sip_test *t, struct sip_peer *p, char *out, size_t len,
		  unsigned timeout_ms, int *which);
int sip_peer_send(struct sip_test *t, struct sip_peer *p, int which, const char *msg);
/* Next request whose method is `method` (responses and other requests are skipped). */
int sip_peer_expect(struct sip_test *t, struct sip_peer *p, const char *method, char *out,
		    size_t len, int *which);

#endif

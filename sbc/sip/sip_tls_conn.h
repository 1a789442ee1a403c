/*
 * sip_tls_conn: the connection record shared by the SIP TLS listener files (sip_tls.c owns the
 * records and the OpenSSL callbacks; sip_tls_reload.c re-verifies them after a trust change).
 * Private to sbc/sip/sip_tls*.c and sip_hs.c; everything here runs on the SIP thread, except
 * a handshake a worker owns (sip_hs.h).
 */
#ifndef SBC_SIP_TLS_CONN_H
#define SBC_SIP_TLS_CONN_H

#include <sys/types.h>

#include <openssl/ssl.h>

#include "sbc/sip/sip_internal.h"
#include "tls/tls.h"

enum conn_state { C_NEW, C_HANDSHAKE, C_UP, C_REJECTED };

struct sip_conn {
	struct sip_conn *next, **pprev;
	struct sip_iface *ifc;
	SSL *ssl;
	su_timer_t *timer;
	enum conn_state state;
	int bound, over_cap, timed_out;
	int gone;  /* the socket is closed: no longer counted, awaiting sofia's tls_free */
	BIO *sbio; /* sofia's socket BIO, watched for its free; NULL when not adopted */
	int fd;
	dev_t dev;
	ino_t ino;
	int verr; /* first certificate verification error, 0 for none */
	/* OCSP (sip_ocsp.h): the handshake is held while ocsp_pending */
	struct sip_ocsp_wait *ocsp_wait;
	int ocsp_checked, ocsp_pending;
	int ocsp_rej;      /* refusal the OCSP verdict asks for, -1 for none */
	int su_idx;        /* sofia's su_root registration of the socket, 0 unknown */
	su_timer_t *park;  /* stops sofia watching the socket while the handshake is held */
	BIO *mine;         /* our socket BIO, NULL when not adopted */
	char *ocsp_detail; /* why OCSP refused it (malloc), NULL: kept small while idle */
	char peer[64];
	struct sip_conn *peer_next; /* its chain in the interface's by_peer index */
	int indexed;                /* in by_peer (once peer is known) */
	/* the peer certificate's names (malloc, exact length: an idle connection stays small),
	   NULL until a certificate is seen; set once, by whichever thread owns the handshake */
	char *subject;
	char *issuer;
	/* handshake worker (sip_hs.h): while hs_owned only that worker touches ssl and the
	 * worker's fields; the SIP thread sets and clears hs_owned */
	int hs_owned;
	int hs_fd;          /* the worker's duplicate of fd, -1 when none */
	int hs_idx;         /* sofia's su_root registration of fd */
	int hs_up;          /* worker: the handshake completed */
	int hs_rej;         /* worker: refusal + 1, 0 for none */
	char *hs_detail;    /* why it failed (malloc, sip_conn_detail), NULL for none */
	int hs_timeout;     /* SIP thread: the handshake timer fired while owned */
	int hs_sofia_freed; /* SIP thread: sofia freed its BIO while owned */
	struct sip_conn *hs_next, *hs_prev; /* the worker's lists */
};

/* What sip_engine_tls_changed needs to bind the policy again: kept with the SSL_CTX. */
struct ctx_bind {
	struct tls_policy pol; /* of the TLSContexts row in the active configuration */
	char ctxdir[4096];
};

/* ex_data index of the struct ctx_bind kept with each bound SSL_CTX. */
extern int sip_tls_bind_idx;

/* 1 while the record's socket is still the socket it was accepted on. */
int sip_tls_conn_alive(const struct sip_conn *c);
/* Sets c->hs_detail (printf-style; the old text is freed). */
void sip_conn_detail(struct sip_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Logs one line about the connection (refusal=1: rate-limited per peer, counted). */
void sip_tls_conn_log(struct sip_conn *c, int prio, const char *what, int refusal);
/* Ends a connection we refuse: sofia sees end of stream and closes it. */
void sip_tls_conn_kill(struct sip_conn *c);
/* A handshake worker gave c back (sip_hs.h): records its outcome as the SIP thread would
 * have, then lets sofia go on with the connection. */
void sip_tls_hs_done(struct sip_conn *c);
/* Applies policy p with material from ctxdir to ctx (versions, ciphers, callbacks);
 * -1 with err set when it cannot. */
int sip_tls_policy_apply(struct sip_iface *ifc, SSL_CTX *ctx, const struct tls_policy *p,
			 const char *ctxdir, char *err, size_t errlen);

/* The interface's index of its connections by peer (sip_tls_peers.c): a connection is added
   once its peer address is known and removed before it is freed. */
void sip_conn_index_add(struct sip_conn_index *x, struct sip_conn *c);
void sip_conn_index_del(struct sip_conn_index *x, struct sip_conn *c);
void sip_conn_index_free(struct sip_conn_index *x);

#endif

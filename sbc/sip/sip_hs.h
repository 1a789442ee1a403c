/*
 * sip_hs: a pool of threads that run the TLS handshakes of the SIP listeners, so that the
 * asymmetric crypto of new connections uses every core while the SIP thread keeps
 * registrations, dialogs and everything else (doc/SIP.md "Handshakes on every core").
 *
 * Hand-over: sip_tls.c offers a just-accepted connection (sip_hs_take) before sofia-sip's
 * first SSL_accept; the pool stops sofia watching the socket and a worker drives the
 * handshake on readiness (its own epoll, many sockets per thread). When it is done, failed
 * or the socket shut (timeout), the connection comes back on the SIP thread through an
 * eventfd registered with the su_root: sip_tls_hs_done (sip_tls_conn.h) records the outcome
 * and lets sofia watch the socket again; sofia's next SSL_accept returns at once.
 *
 * While a worker owns a connection (c->hs_owned) only that worker touches its SSL and its
 * hs_* fields; the OpenSSL callbacks it runs defer counts and logs to the completion.
 * Everything else here runs on the SIP thread.
 */
#ifndef SBC_SIP_HS_H
#define SBC_SIP_HS_H

#include <stddef.h>

struct sip_engine;
struct sip_conn;
struct sip_hs;

/* Worker threads for the SIPTLSHandshakeThreads value v: -1 one per online core (at least 1,
 * at most 64), 0 none, else v. */
unsigned sip_hs_threads_for(long long v);

/* Starts n workers (named sbcd-hs0, sbcd-hs1, ...) on e's su_root; NULL with err set when
 * it cannot (the caller then keeps handshakes on the SIP thread). */
struct sip_hs *sip_hs_start(struct sip_engine *e, unsigned n, char *err, size_t errlen);

/* Stops and joins the workers; connections they still hold come back unfinished
 * (sip_tls_hs_done with the engine closing). NULL is a no-op. */
void sip_hs_stop(struct sip_hs *p);

/* Offers c (adopted, socket known, handshake not started) to a worker: 1 when taken (c is
 * then owned until sip_tls_hs_done), 0 when it stays on the SIP thread (sofia's socket
 * registration unknown, out of descriptors). */
int sip_hs_take(struct sip_hs *p, struct sip_conn *c);

/* Lets sofia watch c's socket again (after sip_tls_hs_done recorded the outcome). */
void sip_hs_rewatch(struct sip_hs *p, struct sip_conn *c);

/* sofia freed c's socket BIO while a worker held c: its socket number is no longer ours. */
void sip_hs_forget_fd(struct sip_conn *c);

/* Held (shared) by a worker across each handshake step, taken exclusively by the SIP thread
 * around changes of what the OpenSSL callbacks read: the SSL_CTX's material and trust
 * (sip_tls_reload.c) and the OCSP staple (sip_staple.c). */
void sip_hs_policy_lock(void);
void sip_hs_policy_unlock(void);

/* 1 when fd is a worker's duplicate of a handshaking socket (the connection is counted, idled
 * and capped by its own descriptor, never by this one). Any thread. */
int sip_hs_is_dup(int fd);

/* Connections the workers hold now. */
unsigned sip_hs_owned(const struct sip_hs *p);

/* Handshakes each worker has finished, for tests and logs: fills up to max, returns n. */
unsigned sip_hs_counts(const struct sip_hs *p, unsigned long long *out, unsigned max);

#endif

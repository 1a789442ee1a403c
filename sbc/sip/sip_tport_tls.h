/*
 * sip_tport_tls: cheaper idle TLS connections inside Debian's sofia-sip 1.12.11 tport, and
 * RFC 5626 CRLF keep-alives answered on them.
 *
 * Contract. sbcd defines tls_init_secondary, tls_read and tls_free, the names libsofia-sip-ua
 * exports and calls through its PLT (tport_type_tls.c), and exports them (Makefile:
 * -Wl,--dynamic-list=sbc/sip/sip_tport_tls.syms), so the library calls ours; ours call the
 * originals (dlsym RTLD_NEXT) and change only this:
 *  - a connection has no read buffer of its own: sofia copies the bytes out right after
 *    tls_read() (tport_tls_recv), so each thread lends one 16 KiB buffer to the connection
 *    it reads; bytes still unclaimed when another connection reads move to a copy of their own.
 *  - a server connection that receives "\r\n\r\n" between messages answers "\r\n" (the
 *    pong) and the keep-alive never reaches sofia (no message buffer is made for it).
 * Fail safe: each new connection is checked against the layout of Debian's struct tls_s
 * mirrored here (context, SSL, BIO, buffer fields as tls_init_secondary leaves them); a
 * connection that does not match keeps sofia's behaviour, and the mismatch is logged once.
 * Everything runs on the thread that runs sofia's tport (the SIP thread).
 */
#ifndef SBC_SIP_TPORT_TLS_H
#define SBC_SIP_TPORT_TLS_H

struct sip_tport_tls_stats {
	unsigned long long shared; /* connections that read into the shared buffer */
	unsigned long long own;    /* connections left with sofia's own buffer */
	unsigned long long spills; /* unclaimed bytes copied out of the shared buffer */
	unsigned long long pongs;  /* CRLF keep-alives answered */
	int interposed;            /* 1 when sofia calls our tls_* (checked at start) */
};

/* Checks at start that sofia calls our functions; logs what it finds. 0, or -1 when sofia's
 * own functions are in use (connections then cost what sofia makes them cost). */
int sip_tport_tls_check(void);

/* Counters since start. */
void sip_tport_tls_stats(struct sip_tport_tls_stats *out);

#endif

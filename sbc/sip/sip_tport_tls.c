/*
 * sip_tport_tls: see sip_tport_tls.h for the contract.
 *
 * Why interpose sofia's tls_* functions: Debian's sofia-sip 1.12.11 tls_init_secondary()
 * su_alloc()s a 16 KiB read buffer per connection and keeps it for the connection's life,
 * although tport_tls_recv() copies the bytes out right after tls_read(); and sofia's TLS
 * transport has no CRLF keep-alive handling (its TCP one has, tport_type_tcp.c, but that
 * answers with a plain send(), which over TLS would corrupt the stream). The library calls
 * these functions through its PLT, so a definition in the executable wins; the originals are
 * reached with dlsym(RTLD_NEXT). We never patch or copy sofia; we only mirror the layout of
 * its private struct tls_s (below) and check it on every connection before relying on it.
 *
 * Why a flag per connection for "between messages": a whitespace-only read is a keep-alive
 * only where a message may start. A read that parses as whole SIP messages (start line,
 * headers, Content-Length bytes of body) leaves the connection between messages; any other
 * read leaves it inside one, and no whitespace is touched until a read ends at a boundary.
 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sofia-sip/su_config.h>
#include <sofia-sip/sofia_features.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_strlst.h>

#include "log/log.h"
#include "sbc/sip/sip_tport_tls.h"

/*
 * struct tls_s of Debian's sofia-sip 1.12.11+20110422.1+1e14eea~dfsg-6 (Debian 12),
 * libsofia-sip-ua/tport/tport_tls.c. Only read and written after the per-connection check.
 */
struct sofia_tls {
	su_home_t home[1];
	SSL_CTX *ctx;
	SSL *con;
	BIO *bio_con;
	unsigned int type : 1, accept : 1, verify_incoming : 1, verify_outgoing : 1,
	    verify_subj_in : 1, verify_subj_out : 1, verify_date : 1, x509_verified : 1;
	int read_events;
	void *read_buffer;
	size_t read_buffer_len;
	int write_events;
	void *write_buffer;
	size_t write_buffer_len;
	su_strlst_t *subjects;
};
typedef struct sofia_tls tls_t;

enum { READ_SIZE = 16384 }; /* tls_buffer_size of tport_tls.c: what its SSL_read asks for */

/* per-connection flags, kept as the value of our ex_data slot on the SSL */
enum { F_SHARED = 1, F_SPILLED = 2, F_MID = 4 };

struct tbuf {
	tls_t *owner; /* the connection whose bytes are in buf, NULL for none */
	char buf[READ_SIZE];
};

static tls_t *(*orig_init_secondary)(tls_t *, int, int);
static ssize_t (*orig_read)(tls_t *);
static void (*orig_free)(tls_t *);
static int flag_idx = -1;
static pthread_key_t buf_key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static __thread struct tbuf *tb;
static __thread SSL *last_ssl; /* the SSL this thread created last (ex_data "new" callback) */
static struct sip_tport_tls_stats st;
static int mismatch_logged;
static int version_ok;  /* built against the sofia-sip whose tls_t is mirrored above */
static int layout_seen; /* a connection matched the mirrored layout: its fields may be read */

static void ssl_new_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
	last_ssl = parent;
}

static void init_once(void)
{
	orig_init_secondary =
	    (tls_t * (*)(tls_t *, int, int)) dlsym(RTLD_NEXT, "tls_init_secondary");
	orig_read = (ssize_t(*)(tls_t *))dlsym(RTLD_NEXT, "tls_read");
	orig_free = (void (*)(tls_t *))dlsym(RTLD_NEXT, "tls_free");
	flag_idx = CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL, 0, "sbc tport tls flags",
					   ssl_new_cb, NULL, NULL);
	pthread_key_create(&buf_key, free);
	version_ok = strncmp(SOFIA_SIP_VERSION, "1.12.11", 7) == 0;
}

static unsigned flags_of(const tls_t *t)
{
	return (unsigned)(uintptr_t)SSL_get_ex_data(t->con, flag_idx);
}

static void flags_set(tls_t *t, unsigned f)
{
	SSL_set_ex_data(t->con, flag_idx, (void *)(uintptr_t)f);
}

static struct tbuf *thread_buf(void)
{
	if (!tb && (tb = calloc(1, sizeof(*tb))))
		pthread_setspecific(buf_key, tb);
	return tb;
}

/*
 * 1 when t is what tls_init_secondary(master, sock, accept) of 1.12.11 leaves. The first test
 * compares pointers only: the SSL the call just created must sit where the mirror says; the
 * others dereference nothing until that holds.
 */
static int layout_ok(const tls_t *master, const tls_t *t, int sock, int accept)
{
	int fd = -1;

	return last_ssl && t->con == last_ssl && t->ctx && t->ctx == master->ctx &&
	       SSL_get_SSL_CTX(t->con) == t->ctx && t->bio_con &&
	       SSL_get_rbio(t->con) == t->bio_con && BIO_get_fd(t->bio_con, &fd) >= 0 &&
	       fd == sock && t->accept == (accept ? 1u : 0u) && t->read_buffer &&
	       t->read_buffer_len == 0 && t->read_events == 0 && !t->write_buffer &&
	       t->write_buffer_len == 0 && t->write_events == 0;
}

tls_t *tls_init_secondary(tls_t *master, int sock, int accept)
{
	tls_t *t;

	pthread_once(&once, init_once);
	if (!orig_init_secondary)
		return NULL;
	last_ssl = NULL;
	t = orig_init_secondary(master, sock, accept);
	if (!t || !orig_read || flag_idx < 0 || !version_ok)
		return t;
	if (!layout_ok(master, t, sock, accept) ||
	    !SSL_set_ex_data(t->con, flag_idx, (void *)(uintptr_t)F_SHARED)) {
		st.own++;
		if (!mismatch_logged++)
			log_warnx(
			    "sip: TLS connections keep sofia-sip's own 16 KiB read buffer: its "
			    "tls_t is not laid out as in Debian's 1.12.11 (sip_tport_tls.c)");
		return t;
	}
	su_free(t->home, t->read_buffer);
	t->read_buffer = NULL;
	layout_seen = 1;
	st.shared++;
	return t;
}

/* Moves the bytes the buffer's owner has not claimed into a copy of its own. */
static int spill(struct tbuf *b)
{
	tls_t *o = b->owner;
	void *copy;

	b->owner = NULL;
	if (!o || !o->read_buffer_len || o->read_buffer != b->buf)
		return 0;
	if (!(copy = su_alloc(o->home, o->read_buffer_len)))
		return -1;
	memcpy(copy, b->buf, o->read_buffer_len);
	o->read_buffer = copy;
	flags_set(o, flags_of(o) | F_SPILLED);
	st.spills++;
	return 0;
}

/* Content-Length (or "l") of the header block h[0..n), 0 when absent, -1 when unreadable. */
static long content_length(const char *h, size_t n)
{
	const char *p = h, *end = h + n;

	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2), *q = p;
		size_t len = eol ? (size_t)(eol - p) : (size_t)(end - p);
		if ((len >= 14 && strncasecmp(p, "content-length", 14) == 0 && (q = p + 14)) ||
		    (len >= 1 && (*p == 'l' || *p == 'L') && (q = p + 1))) {
			while (q < p + len && (*q == ' ' || *q == '\t'))
				q++;
			if (q < p + len && *q == ':') {
				long v = 0;
				for (q++; q < p + len && (*q == ' ' || *q == '\t'); q++)
					;
				if (q == p + len || *q < '0' || *q > '9')
					return -1;
				for (; q < p + len && *q >= '0' && *q <= '9' && v < 100000000; q++)
					v = v * 10 + (*q - '0');
				return v;
			}
		}
		p = eol ? eol + 2 : end;
	}
	return 0;
}

/* 1 when p[0..n) is whole SIP messages (CRLFs between them allowed): it ends between two. */
static int whole_messages(const char *p, size_t n)
{
	size_t i = 0;

	for (;;) {
		const char *s, *eol, *hend;
		size_t ll, hl;
		long cl;
		while (i < n && (p[i] == '\r' || p[i] == '\n'))
			i++;
		if (i == n)
			return 1;
		s = p + i;
		eol = memmem(s, n - i, "\r\n", 2);
		hend = memmem(s, n - i, "\r\n\r\n", 4);
		if (!eol || !hend)
			return 0;
		ll = (size_t)(eol - s);
		if (!(ll >= 8 && memcmp(s, "SIP/2.0 ", 8) == 0) &&
		    !(ll >= 8 && memcmp(eol - 8, " SIP/2.0", 8) == 0))
			return 0; /* not a start line: a body or a header block cut in two */
		hl = (size_t)(hend - s) + 4;
		cl = content_length(eol + 2, hl - ll - 2);
		if (cl < 0 || (size_t)cl > n - i - hl)
			return 0;
		i += hl + (size_t)cl;
	}
}

/* "\r\n" back to a keep-alive, if nothing of sofia's is half written and the socket takes it. */
static void pong(tls_t *t)
{
	struct pollfd pf = {.fd = SSL_get_fd(t->con), .events = POLLOUT};

	if (t->write_buffer || t->write_events || pf.fd < 0 || poll(&pf, 1, 0) != 1 ||
	    !(pf.revents & POLLOUT))
		return;
	if (SSL_write(t->con, "\r\n", 2) == 2)
		st.pongs++;
	else
		ERR_clear_error();
}

/*
 * Keep-alives at a message boundary are answered and dropped: returns the bytes left for
 * sofia (moved to the front of the buffer), 0 when nothing is left.
 */
static size_t keepalive(tls_t *t, unsigned *f, char *buf, size_t n)
{
	size_t ws = 0;

	if (*f & F_MID || !SSL_is_server(t->con))
		goto track;
	while (ws < n && (buf[ws] == '\r' || buf[ws] == '\n'))
		ws++;
	if (ws >= 4 && memcmp(buf, "\r\n\r\n", 4) == 0)
		pong(t);
	if (ws) {
		memmove(buf, buf + ws, n - ws);
		n -= ws;
	}
track:
	if (n)
		*f = whole_messages(buf, n) ? *f & ~F_MID : *f | F_MID;
	return n;
}

ssize_t tls_read(tls_t *t)
{
	struct tbuf *b;
	unsigned f;
	ssize_t n;

	pthread_once(&once, init_once);
	if (!orig_read)
		return -1;
	/* until one connection matched the layout, no field of any is ours to read */
	if (!layout_seen || !t || !t->con || !((f = flags_of(t)) & F_SHARED) || t->read_buffer_len)
		return orig_read(t); /* sofia's own buffer, or bytes not yet claimed */
	if (!(b = thread_buf())) {
		errno = ENOMEM;
		return -1;
	}
	if (f & F_SPILLED) {
		su_free(t->home, t->read_buffer);
		t->read_buffer = NULL;
		f &= ~F_SPILLED;
	}
	if (b->owner != t && spill(b) < 0) {
		errno = ENOMEM;
		return -1;
	}
	b->owner = t;
	t->read_buffer = b->buf;
	for (;;) {
		n = orig_read(t);
		if (n <= 0)
			break;
		n = (ssize_t)keepalive(t, &f, b->buf, (size_t)n);
		t->read_buffer_len = (size_t)n;
		if (n)
			break;
	}
	flags_set(t, f);
	return n;
}

void tls_free(tls_t *t)
{
	pthread_once(&once, init_once);
	if (tb && t && tb->owner == t)
		tb->owner = NULL;
	if (orig_free)
		orig_free(t);
}

int sip_tport_tls_check(void)
{
	void *mine = dlsym(RTLD_DEFAULT, "tls_read");

	pthread_once(&once, init_once);
	st.interposed = mine == (void *)tls_read && orig_read && orig_init_secondary && orig_free;
	if (!version_ok || !st.interposed) {
		log_warnx(
		    "sip: sofia-sip's TLS transport runs unchanged (version %s, our tls_read "
		    "%s): each TLS connection keeps a 16 KiB read buffer and CRLF keep-alives "
		    "are not answered",
		    SOFIA_SIP_VERSION, mine == (void *)tls_read ? "found" : "not exported");
		st.interposed = 0;
		return -1;
	}
	log_info("sip: TLS connections share one read buffer per thread; CRLF keep-alives are "
		 "answered (sofia-sip %s)",
		 SOFIA_SIP_VERSION);
	return 0;
}

void sip_tport_tls_stats(struct sip_tport_tls_stats *out)
{
	*out = st;
}

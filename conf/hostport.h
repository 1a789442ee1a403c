/*
 * conf_hostport: the one reader of "host[:port]" values (ProxyIp IpAddress),
 * used by validation and by the SIP engine alike, so that what validates is
 * what the engine can use.
 *   host            a name or IPv4 literal, no port
 *   host:port       one colon; port a whole number in 1..65535
 *   [v6]            an IPv6 literal in brackets
 *   [v6]:port
 *   v6              a bare IPv6 literal (two or more colons), no port
 * Anything else is refused: empty host, spaces, a port out of range or with
 * trailing text ("127.0.0.1:99999999999", "[::1]:5060:5"), extra colons that
 * do not make an IPv6 literal ("1.2.3.4:5060:5").
 */
#ifndef CONF_HOSTPORT_H
#define CONF_HOSTPORT_H

#include <stddef.h>

/* 0 with host (without brackets) and *port (0: none given) set, or -1 with err saying why. */
int conf_hostport_parse(const char *in, char *host, size_t hlen, unsigned *port, char *err,
			size_t errlen);

#endif

/* host[:port] values: strict, so a typo is refused by validation and not at call time. */
#include "conf/hostport.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "conf/num.h"

int conf_hostport_parse(const char *in, char *host, size_t hlen, unsigned *port, char *err,
			size_t errlen)
{
	const char *colon = NULL, *hend;
	unsigned char buf[16];
	char num[160];
	size_t n;

	*port = 0;
	if (!in[0] || strpbrk(in, " \t")) {
		snprintf(err, errlen, "'%.80s' is not host[:port]: %s", in,
			 in[0] ? "it contains a space" : "it is empty");
		return -1;
	}
	if (in[0] == '[') {
		const char *rb = strchr(in, ']');
		if (!rb) {
			snprintf(err, errlen, "'%.80s' is not host[:port]: no ']'", in);
			return -1;
		}
		if (rb[1] && rb[1] != ':') {
			snprintf(err, errlen, "'%.80s' is not host[:port]: text after ']'", in);
			return -1;
		}
		colon = rb[1] ? rb + 1 : NULL;
		n = (size_t)(rb - in - 1);
		if (n >= hlen || n >= 64) {
			snprintf(err, errlen, "'%.80s': host too long", in);
			return -1;
		}
		memcpy(host, in + 1, n);
		host[n] = 0;
		if (inet_pton(AF_INET6, host, buf) != 1) {
			snprintf(err, errlen,
				 "'%.80s' is not host[:port]: '%s' is not an IPv6 address", in,
				 host);
			return -1;
		}
	} else {
		colon = strchr(in, ':');
		if (colon && strchr(colon + 1, ':')) {
			/* more colons: only a bare IPv6 literal may have them */
			if (strlen(in) >= hlen || inet_pton(AF_INET6, in, buf) != 1) {
				snprintf(
				    err, errlen,
				    "'%.80s' is not host[:port]: extra colons (an IPv6 address "
				    "with a port is written [addr]:port)",
				    in);
				return -1;
			}
			snprintf(host, hlen, "%s", in);
			return 0;
		}
		hend = colon ? colon : in + strlen(in);
		n = (size_t)(hend - in);
		if (!n || n >= hlen) {
			snprintf(err, errlen, "'%.80s' is not host[:port]: %s", in,
				 n ? "host too long" : "no host");
			return -1;
		}
		memcpy(host, in, n);
		host[n] = 0;
	}
	if (colon && conf_num_uint("port", colon + 1, 1, 65535, port, num, sizeof(num)) < 0) {
		snprintf(err, errlen, "'%.80s' is not host[:port]: %s", in, num);
		return -1;
	}
	return 0;
}

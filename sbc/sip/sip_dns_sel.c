/*
 * sip_dns_sel: the pure rules of RFC 3263 / RFC 2782 used by sip_dns.c, kept
 * apart so that unit tests drive them without a resolver.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sbc/sip/sip_dns.h"

int sip_dns_is_literal(const char *host)
{
	unsigned char buf[16];
	char tmp[64];
	size_t n = strlen(host);

	if (!strcasecmp(host, "localhost"))
		return 1;
	if (host[0] == '[' && n > 2 && n < sizeof(tmp) && host[n - 1] == ']') {
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = 0;
		return inet_pton(AF_INET6, tmp, buf) == 1;
	}
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int sip_dns_method_for(int configured, int has_port, int has_transport)
{
	if (configured >= SIP_DNS_A && configured <= SIP_DNS_NAPTR)
		return configured;
	if (has_port)
		return SIP_DNS_A;
	return has_transport ? SIP_DNS_SRV : SIP_DNS_NAPTR;
}

int sip_dns_naptr_transport(const char *services)
{
	if (!strcasecmp(services, "SIP+D2U"))
		return 0;
	if (!strcasecmp(services, "SIP+D2T"))
		return 1;
	if (!strcasecmp(services, "SIPS+D2T"))
		return 2;
	return -1;
}

static int naptr_cmp(const void *a, const void *b)
{
	const struct sip_dns_naptr *x = a, *y = b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return (x->pref > y->pref) - (x->pref < y->pref);
}

unsigned sip_dns_naptr_select(struct sip_dns_naptr *r, unsigned n, int transport, int sips)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		int t = sip_dns_naptr_transport(r[i].services);
		if (strcasecmp(r[i].flags, "s") || t < 0 || (sips && t != 2) ||
		    (transport >= 0 && t != transport) || !r[i].replace[0])
			continue;
		if (k != i)
			r[k] = r[i];
		k++;
	}
	qsort(r, k, sizeof(*r), naptr_cmp);
	return k;
}

static int srv_prio_cmp(const void *a, const void *b)
{
	const struct sip_dns_srv *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	/* weight 0 first, as RFC 2782 places them before the draw */
	return (x->weight > y->weight) - (x->weight < y->weight);
}

void sip_dns_srv_order(struct sip_dns_srv *r, unsigned n, unsigned (*rnd)(unsigned max))
{
	qsort(r, n, sizeof(*r), srv_prio_cmp);
	for (unsigned lo = 0; lo < n;) {
		unsigned hi = lo;
		while (hi < n && r[hi].priority == r[lo].priority)
			hi++;
		/* [lo, hi) share a priority: draw one by weight for each position in turn */
		for (unsigned pos = lo; pos + 1 < hi; pos++) {
			unsigned long sum = 0, pick;
			unsigned j;
			for (j = pos; j < hi; j++)
				sum += r[j].weight;
			if (!sum)
				break; /* all the rest weigh 0: keep their order */
			pick = rnd((unsigned)sum);
			for (j = pos; j < hi; j++) {
				if (pick < r[j].weight)
					break;
				pick -= r[j].weight;
			}
			if (j >= hi)
				j = hi - 1;
			if (j != pos) {
				struct sip_dns_srv t = r[j];
				memmove(&r[pos + 1], &r[pos], (j - pos) * sizeof(*r));
				r[pos] = t;
			}
		}
		lo = hi;
	}
}

const char *sip_dns_srv_prefix(int transport)
{
	return transport == 2 ? "_sips._tcp." : transport == 1 ? "_sip._tcp." : "_sip._udp.";
}

/* ProxyIp: the addresses of a proxy set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/cols.h"
#include "conf/hostport.h"
#include "conf/store.h"

static const struct conf_enum transports[] = {
    {-1, "not-configured"}, {0, "udp"}, {1, "tcp"}, {2, "tls"}, {0, NULL}};

static const struct conf_column cols[] = {
    [PROXYIP_PROXY_SET_ID] = {"ProxySetId", "proxy-set-id", 1, CONF_T_REF, 0, 0, NULL, "ProxySet",
			      "", "Index of the proxy set this address belongs to",
			      CONF_F_BYINDEX | CONF_F_MANDATORY},
    [PROXYIP_PROXY_IP_INDEX] = {"ProxyIpIndex", "proxy-ip-index", 2, CONF_T_INT, 0, 9, NULL, NULL,
				"0", "Position of the address within its proxy set", 0},
    [PROXYIP_IP_ADDRESS] = {"IpAddress", "proxy-address", 3, CONF_T_STRING, 0, 128, NULL, NULL, "",
			    "Proxy address: host or IP, optionally with :port", CONF_F_MANDATORY},
    [PROXYIP_TRANSPORT_TYPE] = {"TransportType", "transport-type", 4, CONF_T_ENUM, 0, 0, transports,
				NULL, "-1",
				"Transport to the proxy (-1: the SIP interface's default)", 0},
    [PROXYIP_PRIORITY] = {"Priority", "priority", 5, CONF_T_INT, 0, 65535, NULL, NULL, "0",
			  "Priority for load balancing (lower first)", 0},
    [PROXYIP_WEIGHT] = {"Weight", "weight", 6, CONF_T_INT, 0, 65535, NULL, NULL, "0",
			"Weight for random-weight load balancing", 0},
};
_Static_assert(CONF_NCOLS(cols) == PROXYIP_NCOLS, "conf/cols.h lists every column of proxyip");

const struct conf_table conf_tbl_proxyip;

struct pair {
	long set, idx;
	unsigned row;
};

static int pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->set != y->set)
		return x->set < y->set ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

/* (ProxySetId, ProxyIpIndex) is unique; the address needs a host. */
static int check_pairs(const struct conf_store *st, char *err, size_t errlen)
{
	const struct conf_rows *rs = conf_store_rows(st, &conf_tbl_proxyip);
	struct pair *p;
	int rc = 0;

	if (!rs->n)
		return 0;
	p = malloc(rs->n * sizeof(*p));
	if (!p) {
		snprintf(err, errlen, "ProxyIp: out of memory");
		return -1;
	}
	for (unsigned j = 0; j < rs->n; j++)
		p[j] =
		    (struct pair){strtol(rs->row[j]->v[PROXYIP_PROXY_SET_ID].s, NULL, 10),
				  (long)rs->row[j]->v[PROXYIP_PROXY_IP_INDEX].i, rs->row[j]->index};
	qsort(p, rs->n, sizeof(*p), pair_cmp);
	for (unsigned j = 1; j < rs->n; j++)
		if (p[j].set == p[j - 1].set && p[j].idx == p[j - 1].idx) {
			snprintf(err, errlen,
				 "ProxyIp row %u column ProxyIpIndex: proxy set %ld already has "
				 "address %ld (row %u)",
				 p[j].row, p[j].set, p[j].idx, p[j - 1].row);
			rc = -1;
			break;
		}
	free(p);
	for (unsigned j = 0; !rc && j < rs->n; j++) {
		const char *a = rs->row[j]->v[PROXYIP_IP_ADDRESS].s;
		char host[256], why[400];
		unsigned port;
		if (conf_hostport_parse(a, host, sizeof(host), &port, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "ProxyIp row %u column IpAddress: %s",
				 rs->row[j]->index, why);
			rc = -1;
		}
	}
	return rc;
}

const struct conf_table conf_tbl_proxyip = {
    .name = "ProxyIp",
    .cli = "proxy-ip",
    .tree = "voip",
    .mib = 6,
    .max_rows = 10000,
    .cols = cols,
    .ncols = CONF_NCOLS(cols),
    .help = "Addresses of the proxy sets",
    .check = check_pairs,
};

/* OIDs of the MIB: from the schema's table and column numbers (agent_layout.h). */
#include <string.h>

#include "snmp-agent/agent.h"

const oid agent_root[] = {AGENT_ARC};
const size_t agent_root_len = sizeof(agent_root) / sizeof(agent_root[0]);

static const struct conf_table *table_by_mib(unsigned branch, unsigned num)
{
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		int status = (t->flags & CONF_TF_STATUS) != 0;
		if (t->mib == num && status == (branch == AGENT_B_STATUS))
			return t;
	}
	return NULL;
}

static int col_by_mib(const struct conf_table *t, unsigned num)
{
	for (unsigned i = 0; i < t->ncols; i++)
		if (t->cols[i].mib == num)
			return (int)i;
	return -1;
}

static int is_dev(unsigned n)
{
	return (n >= AGENT_DEV_VERSION && n <= AGENT_DEV_PENDING) || n == AGENT_DEV_SAVE ||
	       n == AGENT_DEV_RESET;
}

void agent_oid_parse(const oid *name, size_t len, struct agent_ref *r)
{
	const oid *s = name + agent_root_len;
	size_t n = len - agent_root_len;
	const struct conf_table *t;

	memset(r, 0, sizeof(*r));
	if (len <= agent_root_len || memcmp(name, agent_root, agent_root_len * sizeof(oid)))
		return;
	if (s[0] == AGENT_B_DEVICE && n >= 2 && is_dev((unsigned)s[1])) {
		r->kind = AGENT_R_DEV;
		r->dev = (unsigned)s[1];
		r->instance = n == 3 && s[2] == 0;
		return;
	}
	if ((s[0] != AGENT_B_CONFIG && s[0] != AGENT_B_STATUS) || n < 3)
		return;
	t = table_by_mib((unsigned)s[0], (unsigned)s[1]);
	if (!t)
		return;
	r->t = t;
	if (t->flags & CONF_TF_GLOBALS) {
		r->col = col_by_mib(t, (unsigned)s[2]);
		if (r->col < 0)
			return;
		r->kind = AGENT_R_GLOBAL;
		r->instance = n == 4 && s[3] == 0;
		return;
	}
	if (s[2] != 1 || n < 4)
		return;
	if (s[3] == AGENT_COL_ROWSTATUS && agent_table_creatable(t))
		r->kind = AGENT_R_ROWSTATUS;
	else if (s[3] == AGENT_COL_INDEX)
		r->kind = AGENT_R_INDEX;
	else if ((r->col = col_by_mib(t, (unsigned)s[3])) >= 0)
		r->kind = AGENT_R_COLUMN;
	else
		return;
	if (n == 5 && s[4] < t->max_rows) {
		r->index = (unsigned)s[4];
		r->instance = 1;
	}
}

size_t agent_oid_under(oid *out, const unsigned *sub, size_t n)
{
	memcpy(out, agent_root, agent_root_len * sizeof(oid));
	for (size_t i = 0; i < n; i++)
		out[agent_root_len + i] = sub[i];
	return agent_root_len + n;
}

size_t agent_oid_column(oid *out, const struct conf_table *t, unsigned colnum, unsigned index)
{
	unsigned sub[] = {(t->flags & CONF_TF_STATUS) ? AGENT_B_STATUS : AGENT_B_CONFIG, t->mib, 1,
			  colnum, index};

	return agent_oid_under(out, sub, 5);
}

size_t agent_oid_global(oid *out, unsigned colnum)
{
	unsigned sub[] = {AGENT_B_CONFIG, conf_globals()->mib, colnum, 0};

	return agent_oid_under(out, sub, 4);
}

size_t agent_oid_dev(oid *out, unsigned dev)
{
	unsigned sub[] = {AGENT_B_DEVICE, dev, 0};

	return agent_oid_under(out, sub, 3);
}

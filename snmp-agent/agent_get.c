/*
 * The one handler of the whole subtree: GET and GETNEXT from the model's
 * sorted instance list (GETBULK arrives as GETNEXTs), SETs to agent_set.c.
 * One registration means the varbinds of a PDU reach us together, which is
 * what makes a SET PDU one transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "snmp-agent/agent.h"

static void set_text(netsnmp_variable_list *vb, const char *s)
{
	snmp_set_var_typed_value(vb, ASN_OCTET_STR, (const u_char *)s, strlen(s));
}

static void set_int(netsnmp_variable_list *vb, u_char type, long v)
{
	snmp_set_var_typed_value(vb, type, (const u_char *)&v, sizeof(v));
}

static void set_column(netsnmp_variable_list *vb, const struct agent_var *v)
{
	const struct conf_column *c = &v->t->cols[v->col];
	char buf[4096];
	const char *text;

	if (v->row)
		text = conf_value_format(c, &v->row->v[v->col], buf, sizeof(buf));
	else
		text = agent_pending_text(v->pend, v->col);
	if (c->flags & CONF_F_SECRET)
		text = ""; /* write-only */
	switch (agent_col_syntax(c)) {
	case AGENT_SYN_TEXT:
		set_text(vb, text);
		break;
	case AGENT_SYN_UINT32:
		set_int(vb, ASN_UNSIGNED, (long)strtoull(text, NULL, 10));
		break;
	case AGENT_SYN_COUNT64: {
		unsigned long long n = strtoull(text, NULL, 10);
		struct counter64 c64 = {.high = (u_long)(n >> 32),
					.low = (u_long)(n & 0xffffffffu)};
		snmp_set_var_typed_value(vb, ASN_COUNTER64, (const u_char *)&c64, sizeof(c64));
		break;
	}
	default:
		set_int(vb, ASN_INTEGER, strtol(text, NULL, 10));
	}
}

static void set_dev(netsnmp_variable_list *vb, const struct agent_model *m, unsigned dev)
{
	switch (dev) {
	case AGENT_DEV_VERSION:
		set_text(vb, m->version);
		break;
	case AGENT_DEV_UPTIME:
		set_int(vb, ASN_TIMETICKS, m->uptime * 100);
		break;
	case AGENT_DEV_CHANGES:
		set_int(vb, ASN_UNSIGNED, (long)m->changes);
		break;
	case AGENT_DEV_SAVES:
		set_int(vb, ASN_UNSIGNED, (long)m->saves);
		break;
	case AGENT_DEV_PENDING:
		set_int(vb, ASN_UNSIGNED, (long)m->pending);
		break;
	default: /* the actions read as idle(0) */
		set_int(vb, ASN_INTEGER, 0);
	}
}

static void set_value(netsnmp_variable_list *vb, const struct agent_model *m,
		      const struct agent_var *v)
{
	switch (v->kind) {
	case AGENT_V_COL:
		set_column(vb, v);
		break;
	case AGENT_V_ROWSTATUS:
		set_int(vb, ASN_INTEGER, v->row ? 1 : agent_pending_status(v->pend));
		break;
	case AGENT_V_DEV:
		set_dev(vb, m, v->dev);
	}
}

int agent_get_handle(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	const struct agent_model *m = agent_model_get(0);

	for (netsnmp_request_info *r = requests; r; r = r->next) {
		netsnmp_variable_list *vb = r->requestvb;
		const struct agent_var *v;
		struct agent_ref ref;

		if (r->processed)
			continue;
		if (reqinfo->mode == MODE_GET) {
			v = agent_model_find(m, vb->name, vb->name_length);
			if (v) {
				set_value(vb, m, v);
				continue;
			}
			agent_oid_parse(vb->name, vb->name_length, &ref);
			snmp_set_var_typed_value(vb,
						 ref.kind == AGENT_R_NONE ||
							 ref.kind == AGENT_R_INDEX
						     ? SNMP_NOSUCHOBJECT
						     : SNMP_NOSUCHINSTANCE,
						 NULL, 0);
			continue;
		}
		/* GETNEXT: leaving the varbind alone sends the request on past our subtree */
		v = agent_model_next(m, vb->name, vb->name_length, r->inclusive);
		if (!v)
			continue;
		snmp_set_var_objid(vb, v->name, v->len);
		set_value(vb, m, v);
	}
	return SNMP_ERR_NOERROR;
}

static int handler(netsnmp_mib_handler *h, netsnmp_handler_registration *reg,
		   netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	switch (reqinfo->mode) {
	case MODE_GET:
	case MODE_GETNEXT:
		return agent_get_handle(reqinfo, requests);
	default:
		return agent_set_handle(reqinfo, requests);
	}
}

static netsnmp_handler_registration *registered;

int agent_handler_register(void)
{
	netsnmp_handler_registration *reg = netsnmp_create_handler_registration(
	    "sbc", handler, agent_root, agent_root_len, HANDLER_CAN_RWRITE);

	if (!reg || netsnmp_register_handler(reg) != MIB_REGISTERED_OK)
		return -1;
	registered = reg;
	return 0;
}

void agent_handler_unregister(void)
{
	if (registered)
		netsnmp_unregister_handler(registered);
	registered = NULL;
}

/*
 * SET: one PDU is one transaction of the running configuration.
 *
 * Net-SNMP's subagent maps the AgentX phases onto its modes: TestSet runs
 * RESERVE1 then RESERVE2, CommitSet runs ACTION, CleanupSet COMMIT (or FREE),
 * UndoSet UNDO. So:
 *   RESERVE1  each varbind alone: object, type, length, value (wrongType,
 *             wrongLength, wrongValue, notWritable, noCreation);
 *   RESERVE2  the rows against sbcd's current state (RowStatus transitions:
 *             inconsistentValue, inconsistentName), one incremental INI
 *             document built with ini_edit and validated with CHECK
 *             (inconsistentValue naming the culprit; resourceUnavailable when
 *             sbcd cannot be reached);
 *   ACTION    LOAD of the same document, then save / reset actions
 *             (commitFailed when refused: the master then undoes the others);
 *   COMMIT, FREE, UNDO  forget the transaction. A committed LOAD is not
 *             undone (an UndoSet after it is logged).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini/ini_edit.h"
#include "snmp-agent/agent.h"

struct item {
	struct agent_ref ref;
	long ival;  /* RowStatus, device actions */
	char *text; /* column values, text form */
};

enum group_op { G_NOOP, G_LOAD, G_PEND_CREATE, G_PEND_UPDATE, G_PEND_DROP };

struct group {
	const struct conf_table *t;
	unsigned index;
	int rs;    /* item holding the RowStatus, or -1 */
	int first; /* first item of the row */
	enum group_op op;
	struct agent_pending *p;
};

static struct txn {
	struct item *it;
	unsigned n;
	struct group *g;
	unsigned ng;
	char *doc;
	size_t doclen;
	int save, reset; /* items, or -1 */
	int loaded;
} tx;

static void tx_free(void)
{
	for (unsigned i = 0; i < tx.n; i++)
		free(tx.it[i].text);
	free(tx.it);
	free(tx.g);
	free(tx.doc);
	memset(&tx, 0, sizeof(tx));
	tx.save = tx.reset = -1;
}

static netsnmp_request_info *req_at(netsnmp_request_info *requests, unsigned i)
{
	for (; requests && i; i--)
		requests = requests->next;
	return requests;
}

static int fail(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *r, int err)
{
	netsnmp_set_request_error(reqinfo, r, err);
	return err;
}

/* Type, length and value of one column value; fills *text. */
static int check_value(const struct conf_column *c, const netsnmp_variable_list *vb, char **text)
{
	char buf[32], err[200];
	union conf_val v;

	if (agent_col_syntax(c) == AGENT_SYN_TEXT) {
		if (vb->type != ASN_OCTET_STR)
			return SNMP_ERR_WRONGTYPE;
		if (vb->val_len > agent_text_max(c))
			return SNMP_ERR_WRONGLENGTH;
		for (size_t i = 0; i < vb->val_len; i++)
			if (vb->val.string[i] < 0x20 || vb->val.string[i] == '"' ||
			    vb->val.string[i] == 0x7f)
				return SNMP_ERR_WRONGVALUE;
		*text = strndup((const char *)vb->val.string, vb->val_len);
	} else {
		if (vb->type != ASN_INTEGER)
			return SNMP_ERR_WRONGTYPE;
		snprintf(buf, sizeof(buf), "%ld", *vb->val.integer);
		*text = strdup(buf);
	}
	if (!*text)
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	if (conf_value_parse(c, *text, &v, err, sizeof(err)) < 0)
		return SNMP_ERR_WRONGVALUE;
	conf_value_free(c, &v);
	return SNMP_ERR_NOERROR;
}

static int reserve1_one(struct item *it, const netsnmp_variable_list *vb)
{
	struct agent_ref *ref = &it->ref;

	agent_oid_parse(vb->name, vb->name_length, ref);
	switch (ref->kind) {
	case AGENT_R_NONE:
		return SNMP_ERR_NOCREATION;
	case AGENT_R_INDEX:
		return SNMP_ERR_NOTWRITABLE;
	case AGENT_R_DEV:
		if (ref->dev != AGENT_DEV_SAVE && ref->dev != AGENT_DEV_RESET)
			return SNMP_ERR_NOTWRITABLE;
		if (!ref->instance)
			return SNMP_ERR_NOCREATION;
		if (vb->type != ASN_INTEGER)
			return SNMP_ERR_WRONGTYPE;
		it->ival = *vb->val.integer;
		if (it->ival < 0 || it->ival > (ref->dev == AGENT_DEV_SAVE ? 1 : 2))
			return SNMP_ERR_WRONGVALUE;
		return SNMP_ERR_NOERROR;
	case AGENT_R_ROWSTATUS:
		if (!ref->instance)
			return SNMP_ERR_NOCREATION;
		if (vb->type != ASN_INTEGER)
			return SNMP_ERR_WRONGTYPE;
		it->ival = *vb->val.integer;
		if (it->ival < RS_ACTIVE || it->ival > RS_DESTROY || it->ival == RS_NOTREADY)
			return SNMP_ERR_WRONGVALUE;
		return SNMP_ERR_NOERROR;
	case AGENT_R_GLOBAL:
	case AGENT_R_COLUMN:
		if (!agent_col_writable(ref->t, &ref->t->cols[ref->col]))
			return SNMP_ERR_NOTWRITABLE;
		if (!ref->instance)
			return SNMP_ERR_NOCREATION;
		return check_value(&ref->t->cols[ref->col], vb, &it->text);
	}
	return SNMP_ERR_GENERR;
}

static int reserve1(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	unsigned n = 0;

	tx_free();
	for (netsnmp_request_info *r = requests; r; r = r->next)
		n++;
	tx.it = calloc(n ? n : 1, sizeof(*tx.it));
	tx.g = calloc(n ? n : 1, sizeof(*tx.g));
	if (!tx.it || !tx.g)
		return fail(reqinfo, requests, SNMP_ERR_RESOURCEUNAVAILABLE);
	tx.n = n;
	n = 0;
	for (netsnmp_request_info *r = requests; r; r = r->next, n++) {
		int err = reserve1_one(&tx.it[n], r->requestvb);
		if (err)
			return fail(reqinfo, r, err);
	}
	return SNMP_ERR_NOERROR;
}

/* Groups the varbinds by row, in order of first appearance. */
static void group_rows(void)
{
	for (unsigned i = 0; i < tx.n; i++) {
		struct agent_ref *ref = &tx.it[i].ref;
		struct group *g = NULL;
		if (ref->kind != AGENT_R_COLUMN && ref->kind != AGENT_R_ROWSTATUS)
			continue;
		for (unsigned k = 0; k < tx.ng && !g; k++)
			if (tx.g[k].t == ref->t && tx.g[k].index == ref->index)
				g = &tx.g[k];
		if (!g) {
			g = &tx.g[tx.ng++];
			*g = (struct group){ref->t, ref->index, -1, (int)i, G_NOOP, NULL};
		}
		if (ref->kind == AGENT_R_ROWSTATUS)
			g->rs = (int)i;
	}
}

/* Decides what a row's varbinds do (RFC 2579 RowStatus); returns an error status or 0. */
static int plan_row(struct group *g, const struct agent_model *m, int *culprit)
{
	int exists = conf_store_get(m->st, g->t, g->index) != NULL;
	long rs = g->rs >= 0 ? tx.it[g->rs].ival : 0;

	g->p = agent_pending_find(g->t, g->index);
	*culprit = g->rs >= 0 ? g->rs : g->first;
	switch (rs) {
	case RS_DESTROY:
		g->op = exists ? G_LOAD : g->p ? G_PEND_DROP : G_NOOP;
		return 0;
	case RS_CREATEANDGO:
	case RS_CREATEANDWAIT:
		if (exists || g->p)
			return SNMP_ERR_INCONSISTENTVALUE;
		g->op = rs == RS_CREATEANDGO ? G_LOAD : G_PEND_CREATE;
		return 0;
	case RS_ACTIVE:
		if (!exists && !g->p)
			return SNMP_ERR_INCONSISTENTVALUE;
		g->op = G_LOAD;
		return 0;
	case RS_NOTINSERVICE:
		if (exists)
			return SNMP_ERR_WRONGVALUE; /* rows of a running configuration are live */
		if (!g->p)
			return SNMP_ERR_INCONSISTENTVALUE;
		g->op = G_PEND_UPDATE;
		return 0;
	default:
		if (exists) {
			g->op = G_LOAD;
			return 0;
		}
		if (g->p) {
			g->op = G_PEND_UPDATE;
			return 0;
		}
		return agent_table_creatable(g->t) ? SNMP_ERR_INCONSISTENTNAME
						   : SNMP_ERR_NOCREATION;
	}
}

static int edit_row(struct ini_edit *e, const struct group *g, int exists)
{
	int rc = 0;

	if (g->rs >= 0 && tx.it[g->rs].ival == RS_DESTROY)
		return ini_edit_delete(e, g->t, g->index);
	if (!exists)
		rc |= ini_edit_touch(e, g->t, g->index);
	for (unsigned c = 0; g->p && c < g->t->ncols; c++)
		if (g->p->val[c])
			rc |= ini_edit_set(e, g->t, g->index, (int)c, g->p->val[c]);
	for (unsigned i = 0; i < tx.n; i++) {
		const struct agent_ref *ref = &tx.it[i].ref;
		if (ref->kind == AGENT_R_COLUMN && ref->t == g->t && ref->index == g->index)
			rc |= ini_edit_set(e, g->t, g->index, ref->col, tx.it[i].text);
	}
	return rc;
}

/* The varbind a refusal from sbcd is about: "<Table> row <N> column <C>" in its reply. */
static unsigned blame(const char *reply)
{
	char pat[256];
	struct conf_diag_at at;

	/* the varbind of the table, row and column sbcd's first problem names */
	if (conf_diag_reply_at(reply, &at) == 0 && at.table)
		for (unsigned i = 0; i < tx.n; i++) {
			const struct agent_ref *ref = &tx.it[i].ref;
			if (ref->t == at.table && (at.col < 0 || ref->col == at.col) &&
			    (ref->kind == AGENT_R_GLOBAL || (int)ref->index == at.row))
				return i;
		}

	for (unsigned i = 0; i < tx.n; i++) {
		const struct agent_ref *ref = &tx.it[i].ref;
		if (ref->kind == AGENT_R_COLUMN) {
			snprintf(pat, sizeof(pat), "%s row %u column %s", ref->t->name, ref->index,
				 ref->t->cols[ref->col].name);
			if (strstr(reply, pat))
				return i;
		} else if (ref->kind == AGENT_R_GLOBAL &&
			   strstr(reply, ref->t->cols[ref->col].name))
			return i;
	}
	for (unsigned i = 0; i < tx.n; i++) {
		const struct agent_ref *ref = &tx.it[i].ref;
		if (ref->kind == AGENT_R_COLUMN || ref->kind == AGENT_R_ROWSTATUS) {
			snprintf(pat, sizeof(pat), "%s row %u", ref->t->name, ref->index);
			if (strstr(reply, pat))
				return i;
		}
	}
	return 0;
}

/* RFC 3416 error status of a change sbcd refused before the commit (CHECK). */
static int refusal_status(const char *reply)
{
	switch (conf_diag_reply_code(reply)) {
	case CONF_C_SYNTAX:
	case CONF_C_RANGE:
		return SNMP_ERR_WRONGVALUE;
	case CONF_C_READONLY:
		return SNMP_ERR_NOTWRITABLE;
	case CONF_C_UNKNOWN:
		return SNMP_ERR_NOCREATION;
	case CONF_C_PERMISSION:
		return SNMP_ERR_AUTHORIZATIONERROR;
	case CONF_C_RESOURCE:
	case CONF_C_REFUSED:
		return SNMP_ERR_RESOURCEUNAVAILABLE;
	default: /* mandatory, unique, reference, check: the values disagree with each other */
		return SNMP_ERR_INCONSISTENTVALUE;
	}
}

static int reserve2(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	const struct agent_model *m = agent_model_get(1);
	struct ini_edit *e;
	char *reply = NULL;
	size_t rlen;
	int err = 0, culprit = 0, rc;

	if (!m->st)
		return fail(reqinfo, requests, SNMP_ERR_RESOURCEUNAVAILABLE);
	e = ini_edit_new();
	if (!e)
		return fail(reqinfo, requests, SNMP_ERR_RESOURCEUNAVAILABLE);
	group_rows();
	for (unsigned k = 0; k < tx.ng && !err; k++) {
		err = plan_row(&tx.g[k], m, &culprit);
		if (!err && tx.g[k].op == G_LOAD &&
		    edit_row(e, &tx.g[k], conf_store_get(m->st, tx.g[k].t, tx.g[k].index) != NULL))
			err = SNMP_ERR_WRONGVALUE, culprit = tx.g[k].first;
	}
	for (unsigned i = 0; i < tx.n && !err; i++) {
		const struct agent_ref *ref = &tx.it[i].ref;
		if (ref->kind == AGENT_R_GLOBAL &&
		    ini_edit_set(e, ref->t, 0, ref->col, tx.it[i].text) < 0)
			err = SNMP_ERR_WRONGVALUE, culprit = (int)i;
		else if (ref->kind == AGENT_R_DEV && ref->dev == AGENT_DEV_SAVE && tx.it[i].ival)
			tx.save = (int)i;
		else if (ref->kind == AGENT_R_DEV && ref->dev == AGENT_DEV_RESET && tx.it[i].ival)
			tx.reset = (int)i;
	}
	if (!err && ini_edit_count(e)) {
		tx.doc = ini_edit_text(e, &tx.doclen);
		if (!tx.doc)
			err = SNMP_ERR_RESOURCEUNAVAILABLE;
	}
	ini_edit_free(e);
	if (!err && tx.doc) {
		rc = agent_ctl_call("CHECK incremental snmp", tx.doc, tx.doclen, &reply, &rlen);
		if (rc != 0) {
			snmp_log(LOG_WARNING, "SET refused: %s", reply ? reply : "no reply\n");
			err = rc < 0 ? SNMP_ERR_RESOURCEUNAVAILABLE
				     : refusal_status(reply ? reply : "");
			culprit = rc < 0 ? 0 : (int)blame(reply ? reply : "");
		}
		free(reply);
	}
	if (err)
		return fail(reqinfo, req_at(requests, (unsigned)culprit), err);
	return SNMP_ERR_NOERROR;
}

static void apply_pending(void)
{
	for (unsigned k = 0; k < tx.ng; k++) {
		struct group *g = &tx.g[k];
		struct agent_pending *p = g->p;
		if (g->op == G_PEND_DROP || (g->op == G_LOAD && p)) {
			agent_pending_drop(p);
			continue;
		}
		if (g->op == G_PEND_CREATE)
			p = agent_pending_add(g->t, g->index);
		if (!p || (g->op != G_PEND_CREATE && g->op != G_PEND_UPDATE))
			continue;
		for (unsigned i = 0; i < tx.n; i++) {
			const struct agent_ref *ref = &tx.it[i].ref;
			if (ref->kind != AGENT_R_COLUMN || ref->t != g->t || ref->index != g->index)
				continue;
			free(p->val[ref->col]);
			p->val[ref->col] = strdup(tx.it[i].text);
		}
	}
}

static int action(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	char *reply = NULL;
	size_t rlen;
	int rc;

	agent_model_invalidate();
	if (tx.doc) {
		rc = agent_ctl_call("LOAD incremental snmp", tx.doc, tx.doclen, &reply, &rlen);
		if (rc != 0) {
			unsigned culprit = rc < 0 || !reply ? 0 : blame(reply);
			snmp_log(LOG_ERR, "SET not committed: %s", reply ? reply : "no reply\n");
			free(reply);
			return fail(reqinfo, req_at(requests, culprit), SNMP_ERR_COMMITFAILED);
		}
		free(reply);
		tx.loaded = 1;
	}
	apply_pending();
	if (tx.save >= 0 || (tx.reset >= 0 && tx.it[tx.reset].ival == 2)) {
		rc = agent_ctl_call("SAVE", NULL, 0, &reply, &rlen);
		if (rc != 0) {
			snmp_log(LOG_ERR, "save to flash failed: %s", reply ? reply : "no reply\n");
			free(reply);
			return fail(reqinfo,
				    req_at(requests, (unsigned)(tx.save >= 0 ? tx.save : tx.reset)),
				    SNMP_ERR_COMMITFAILED);
		}
		free(reply);
	}
	if (tx.reset >= 0) {
		rc = agent_ctl_call("RESET", NULL, 0, &reply, &rlen);
		free(reply);
		if (rc != 0)
			return fail(reqinfo, req_at(requests, (unsigned)tx.reset),
				    SNMP_ERR_COMMITFAILED);
	}
	return SNMP_ERR_NOERROR;
}

int agent_set_handle(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	int rc = SNMP_ERR_NOERROR;

	switch (reqinfo->mode) {
	case MODE_SET_RESERVE1:
		rc = reserve1(reqinfo, requests);
		break;
	case MODE_SET_RESERVE2:
		rc = reserve2(reqinfo, requests);
		break;
	case MODE_SET_ACTION:
		rc = action(reqinfo, requests);
		break;
	case MODE_SET_UNDO:
		if (tx.loaded)
			snmp_log(LOG_WARNING, "SET undo requested after the change was committed: "
					      "the change stays\n");
		agent_model_invalidate();
		tx_free();
		break;
	default: /* COMMIT, FREE */
		agent_model_invalidate();
		tx_free();
	}
	return rc;
}

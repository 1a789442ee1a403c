/* The phased commit (conf/txn.h): validate, prepare, apply or abort. */
#include <stdlib.h>
#include <string.h>

#include "conf/txn.h"

static struct conf_consumer_hooks hooks[CONF_CONSUMER_N];
static int registered[CONF_CONSUMER_N];

void conf_consumer_set(enum conf_consumer_id id, const struct conf_consumer_hooks *h)
{
	if ((unsigned)id >= CONF_CONSUMER_N)
		return;
	registered[id] = h != NULL;
	hooks[id] = h ? *h : (struct conf_consumer_hooks){0};
}

static int col_listed(const struct conf_use *u, unsigned col)
{
	if (!u->cols)
		return 1;
	for (const int *c = u->cols; *c >= 0; c++)
		if ((unsigned)*c == col)
			return 1;
	return 0;
}

static int rows_concern(const struct conf_use *u, const struct conf_row *x,
			const struct conf_row *y)
{
	const struct conf_table *t = u->table;

	for (unsigned c = 0; c < t->ncols; c++)
		if (!(t->cols[c].flags & CONF_F_RESET) && col_listed(u, c) &&
		    !conf_value_equal(&t->cols[c], &x->v[c], &y->v[c]))
			return 1;
	return 0;
}

static int use_concerned(const struct conf_use *u, const struct conf_store *a,
			 const struct conf_store *b)
{
	const struct conf_rows *ra = conf_store_rows(a, u->table),
			       *rb = conf_store_rows(b, u->table);
	unsigned i = 0, j = 0;

	/* both row lists are sorted by index: one merge walk */
	while (i < ra->n && j < rb->n) {
		if (ra->row[i]->index != rb->row[j]->index)
			return 1; /* a row added or deleted */
		if (rows_concern(u, ra->row[i], rb->row[j]))
			return 1;
		i++, j++;
	}
	return i < ra->n || j < rb->n;
}

int conf_consumer_concerned(enum conf_consumer_id id, const struct conf_store *a,
			    const struct conf_store *b)
{
	const struct conf_consumer *c = &conf_consumers[id];

	for (unsigned k = 0; k < c->nuses; k++)
		if (use_concerned(&c->uses[k], a, b))
			return 1;
	return 0;
}

int conf_txn_precompute(struct conf_txn_pre *p, const struct conf_store *cand, unsigned flags,
			struct conf_diag *d)
{
	memset(p, 0, sizeof(*p));
	if (!(flags & CONF_TXN_VALIDATED) && conf_store_validate(cand, d) < 0)
		return -1;
	p->validated = 1;
	for (unsigned id = 0; id < CONF_CONSUMER_N; id++)
		if (registered[id] && hooks[id].build && hooks[id].prepare_built)
			p->built[id] = hooks[id].build(hooks[id].arg, cand);
	return 0;
}

void conf_txn_pre_drop(struct conf_txn_pre *p)
{
	for (unsigned id = 0; p && id < CONF_CONSUMER_N; id++) {
		if (p->built[id] && hooks[id].drop)
			hooks[id].drop(hooks[id].arg, p->built[id]);
		p->built[id] = NULL;
	}
}

int conf_txn_commit_pre(struct conf_store **running, struct conf_store *cand,
			struct conf_txn_pre *p, struct conf_store **oldp, struct conf_diag *d)
{
	int prepared[CONF_CONSUMER_N] = {0};
	struct conf_store *old = *running;

	if (!(p && p->validated) && conf_store_validate(cand, d) < 0)
		goto refuse;
	for (unsigned id = 0; id < CONF_CONSUMER_N; id++) {
		void *built = p ? p->built[id] : NULL;
		int rc;

		if (!registered[id] || (old && !conf_consumer_concerned(id, old, cand)))
			continue;
		if (built && hooks[id].prepare_built) {
			p->built[id] = NULL; /* prepare_built owns it */
			rc = hooks[id].prepare_built(hooks[id].arg, old, cand, built, d);
		} else
			rc = hooks[id].prepare ? hooks[id].prepare(hooks[id].arg, old, cand, d) : 0;
		if (rc < 0) {
			if (!d->nerr)
				conf_diag_add_at(d, 1, CONF_C_REFUSED, NULL, -1, -1,
						 "%s cannot apply this change now",
						 conf_consumers[id].name);
			for (unsigned k = 0; k < id; k++)
				if (prepared[k] && hooks[k].abort)
					hooks[k].abort(hooks[k].arg);
			goto refuse;
		}
		prepared[id] = 1;
	}
	conf_txn_pre_drop(p);
	*running = cand;
	for (unsigned id = 0; id < CONF_CONSUMER_N; id++)
		if (prepared[id] && hooks[id].apply)
			hooks[id].apply(hooks[id].arg, old, cand);
	if (oldp)
		*oldp = old;
	else
		conf_store_free(old);
	return 0;
refuse:
	conf_txn_pre_drop(p);
	conf_store_free(cand);
	return -1;
}

int conf_txn_commit(struct conf_store **running, struct conf_store *cand, struct conf_diag *d)
{
	return conf_txn_commit_pre(running, cand, NULL, NULL, d);
}

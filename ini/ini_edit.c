/* Incremental INI documents from a list of edits, grouped by row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini/ini_edit.h"

struct edit {
	const struct conf_table *t;
	unsigned index;
	int col; /* -1: touch only, -2: delete */
	char *text;
};

struct ini_edit {
	struct edit *e;
	unsigned n, cap;
};

struct ini_edit *ini_edit_new(void)
{
	return calloc(1, sizeof(struct ini_edit));
}

void ini_edit_free(struct ini_edit *e)
{
	if (!e)
		return;
	for (unsigned i = 0; i < e->n; i++)
		free(e->e[i].text);
	free(e->e);
	free(e);
}

static int add(struct ini_edit *e, const struct conf_table *t, unsigned index, int col,
	       const char *text)
{
	if (text)
		for (const char *p = text; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == '"')
				return -1;
	/* a later set of the same column replaces the earlier one */
	for (unsigned i = 0; col >= 0 && i < e->n; i++)
		if (e->e[i].t == t && e->e[i].index == index && e->e[i].col == col) {
			char *dup = strdup(text);
			if (!dup)
				return -1;
			free(e->e[i].text);
			e->e[i].text = dup;
			return 0;
		}
	if (e->n == e->cap) {
		unsigned cap = e->cap ? e->cap * 2 : 16;
		struct edit *ne = realloc(e->e, cap * sizeof(*ne));
		if (!ne)
			return -1;
		e->e = ne, e->cap = cap;
	}
	e->e[e->n] = (struct edit){t, index, col, text ? strdup(text) : NULL};
	if (text && !e->e[e->n].text)
		return -1;
	e->n++;
	return 0;
}

int ini_edit_set(struct ini_edit *e, const struct conf_table *t, unsigned index, int col,
		 const char *text)
{
	if (col < 0 || (unsigned)col >= t->ncols || !text)
		return -1;
	return add(e, t, index, col, text);
}

int ini_edit_touch(struct ini_edit *e, const struct conf_table *t, unsigned index)
{
	return add(e, t, index, -1, NULL);
}

int ini_edit_delete(struct ini_edit *e, const struct conf_table *t, unsigned index)
{
	return add(e, t, index, -2, NULL);
}

unsigned ini_edit_count(const struct ini_edit *e)
{
	return e->n;
}

char *ini_edit_text(const struct ini_edit *e, size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);
	unsigned char *done = calloc(e->n ? e->n : 1, 1);

	if (!f || !done) {
		if (f)
			fclose(f);
		free(buf);
		free(done);
		return NULL;
	}
	for (unsigned i = 0; i < e->n; i++) {
		const struct edit *x = &e->e[i];
		if (done[i])
			continue;
		if (x->col == -2) {
			fprintf(f, "!DELETE %s %u\n", x->t->name, x->index);
			done[i] = 1;
			continue;
		}
		if (x->t->flags & CONF_TF_GLOBALS) {
			const struct conf_column *c = &x->t->cols[x->col];
			fprintf(f, conf_type_is_text(c->type) ? "%s = '%s'\n" : "%s = %s\n",
				c->name, x->text);
			done[i] = 1;
			continue;
		}
		/* one section per row: FORMAT lists the columns this row sets */
		int sep = 0;
		fprintf(f, "[ %s ]\nFORMAT %s_Index =", x->t->name, x->t->name);
		for (unsigned j = i; j < e->n; j++)
			if (!done[j] && e->e[j].t == x->t && e->e[j].index == x->index &&
			    e->e[j].col >= 0) {
				fprintf(f, "%s %s_%s", sep ? "," : "", x->t->name,
					x->t->cols[e->e[j].col].name);
				sep = 1;
			}
		fprintf(f, ";\n%s %u =", x->t->name, x->index);
		sep = 0;
		for (unsigned j = i; j < e->n; j++)
			if (!done[j] && e->e[j].t == x->t && e->e[j].index == x->index &&
			    e->e[j].col != -2) {
				if (e->e[j].col >= 0) {
					const struct conf_column *c = &x->t->cols[e->e[j].col];
					fprintf(f,
						conf_type_is_text(c->type) ? "%s \"%s\"" : "%s %s",
						sep ? "," : "", e->e[j].text);
					sep = 1;
				}
				done[j] = 1;
			}
		fprintf(f, ";\n[ \\%s ]\n", x->t->name);
	}
	free(done);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = sz;
	return buf;
}

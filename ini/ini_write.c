/* The INI writer: a conf store -> vendor format text, deterministic byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini/ini.h"

static int col_written(const struct conf_column *c, unsigned flags)
{
	if ((c->flags & CONF_F_RO) && !(flags & INI_W_STATUS))
		return 0;
	if ((c->flags & CONF_F_SECRET) && !(flags & INI_W_SECRETS))
		return 0;
	return 1;
}

/* A stored hash is written as CONF_HASH_PREFIX + hash: read back as a hash, not a password. */
static void hash_mark(char *buf, size_t len)
{
	size_t n = strlen(buf), p = strlen(CONF_HASH_PREFIX);

	if (n + p < len) {
		memmove(buf + p, buf, n + 1);
		memcpy(buf, CONF_HASH_PREFIX, p);
	}
}

static void write_globals(FILE *f, const struct conf_store *st, unsigned flags)
{
	const struct conf_table *g = conf_globals();
	const struct conf_row *r = conf_store_get(st, g, 0);
	char buf[2048];

	if (!r)
		return;
	/* one [Section] per distinct section, in order of first appearance */
	for (unsigned i = 0; i < g->ncols; i++) {
		int first = 1;
		for (unsigned k = 0; k < i; k++)
			if (strcmp(g->cols[k].section, g->cols[i].section) == 0)
				first = 0;
		if (!first)
			continue;
		fprintf(f, "[%s]\n\n", g->cols[i].section);
		for (unsigned j = i; j < g->ncols; j++) {
			const struct conf_column *c = &g->cols[j];
			if (strcmp(c->section, g->cols[i].section) || !col_written(c, flags))
				continue;
			conf_value_format(c, &r->v[j], buf, sizeof(buf));
			if (conf_type_is_text(c->type))
				fprintf(f, "%s = '%s'\n", c->name, buf);
			else
				fprintf(f, "%s = %s\n", c->name, buf);
		}
		fputc('\n', f);
	}
}

static void write_table(FILE *f, const struct conf_store *st, const struct conf_table *t,
			unsigned flags)
{
	const struct conf_rows *rs = conf_store_rows(st, t);
	char buf[2048];
	int sep = 0;

	fprintf(f, "[ %s ]\n\n", t->name);
	for (unsigned c = 0; c < t->ncols; c++)
		if ((t->cols[c].flags & CONF_F_SECRET) && !col_written(&t->cols[c], flags))
			fprintf(f, "; %s_%s is a secret and is not exported\n", t->name,
				t->cols[c].name);
	fprintf(f, "FORMAT %s_Index = ", t->name);
	for (unsigned c = 0; c < t->ncols; c++) {
		if (!col_written(&t->cols[c], flags))
			continue;
		fprintf(f, "%s%s_%s", sep ? ", " : "", t->name, t->cols[c].name);
		sep = 1;
	}
	fputs(";\n", f);
	for (unsigned j = 0; j < rs->n; j++) {
		const struct conf_row *r = rs->row[j];
		sep = 0;
		fprintf(f, "%s %u = ", t->name, r->index);
		for (unsigned c = 0; c < t->ncols; c++) {
			const struct conf_column *col = &t->cols[c];
			if (!col_written(col, flags))
				continue;
			conf_value_format(col, &r->v[c], buf, sizeof(buf));
			if ((col->flags & CONF_F_HASHED) && buf[0])
				hash_mark(buf, sizeof(buf));
			fprintf(f, conf_type_is_text(col->type) ? "%s\"%s\"" : "%s%s",
				sep ? ", " : "", buf);
			sep = 1;
		}
		fputs(";\n", f);
	}
	fprintf(f, "\n[ \\%s ]\n\n", t->name);
}

/* Closing the stream is what makes *buf and *sz final. */
static char *finish(FILE *f, char **buf, size_t *sz, size_t *len)
{
	if (fclose(f) != 0) {
		free(*buf);
		return NULL;
	}
	if (len)
		*len = *sz;
	return *buf;
}

char *ini_write(const struct conf_store *st, unsigned flags, size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);

	if (!f)
		return NULL;
	if (!(flags & (INI_W_NOHEAD | INI_W_STATUS)))
		fputs(";**************\n;** Ini File **\n;**************\n\n", f);
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		int status = (t->flags & CONF_TF_STATUS) != 0;
		if (status != ((flags & INI_W_STATUS) != 0))
			continue;
		if (t->flags & CONF_TF_GLOBALS)
			write_globals(f, st, flags);
		else
			write_table(f, st, t, flags);
	}
	return finish(f, &buf, &sz, len);
}

char *ini_write_table(const struct conf_store *st, const struct conf_table *t, unsigned flags,
		      size_t *len)
{
	char *buf = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&buf, &sz);

	if (!f)
		return NULL;
	if (t->flags & CONF_TF_GLOBALS)
		write_globals(f, st, flags);
	else
		write_table(f, st, t, flags | ((t->flags & CONF_TF_STATUS) ? INI_W_STATUS : 0));
	return finish(f, &buf, &sz, len);
}

/* The summary of ignored vendor tables and parameters: counted from the document itself. */
#include "ini/ini_ignored.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"

#define MAX_GROUPS 256

struct group {
	char kind;   /* 't': unknown table, 'p': parameters of a section, 'c': columns of a table */
	char *name;  /* table or section name */
	unsigned n;  /* rows, parameters or columns */
	char *names; /* ", "-joined parameter or column names (p, c) */
};

struct sum {
	struct group g[MAX_GROUPS];
	unsigned ng;
};

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

/* The group (kind, name), created at the end when new; NULL when full. */
static struct group *group(struct sum *s, char kind, const char *name)
{
	for (unsigned i = 0; i < s->ng; i++)
		if (s->g[i].kind == kind && !strcasecmp(s->g[i].name, name))
			return &s->g[i];
	if (s->ng == MAX_GROUPS)
		return NULL;
	s->g[s->ng] = (struct group){kind, strdup(name), 0, NULL};
	return s->g[s->ng].name ? &s->g[s->ng++] : NULL;
}

static void add_name(struct group *g, const char *name)
{
	char *n;

	if (!g)
		return;
	g->n++;
	if (asprintf(&n, "%s%s%s", g->names ? g->names : "", g->names ? ", " : "", name) >= 0) {
		free(g->names);
		g->names = n;
	}
}

/* FORMAT columns of known table t that it does not have. */
static void format_columns(struct sum *s, const struct conf_table *t, char *list)
{
	size_t tn = strlen(t->name);
	char *save = NULL;

	for (char *f = strtok_r(list, ",;=", &save); f; f = strtok_r(NULL, ",;=", &save)) {
		char *name = trim(f);
		if (!strncasecmp(name, t->name, tn) && name[tn] == '_')
			name += tn + 1;
		if (*name && strcasecmp(name, "Index") && conf_column_find(t, name) < 0)
			add_name(group(s, 'c', t->name), name);
	}
}

static void scan_line(struct sum *s, char *l, const struct conf_table **table, struct group **skip,
		      char *section, size_t seclen)
{
	const struct conf_table *g = conf_globals(), *t;
	char *eq;

	l = trim(l);
	if (!*l || *l == ';')
		return;
	if (*l == '[') {
		char *e = strrchr(l, ']'), *name;
		int closing;
		if (!e)
			return;
		*e = 0;
		name = trim(l + 1);
		closing = *name == '\\';
		if (closing) {
			*table = NULL, *skip = NULL;
			return;
		}
		t = conf_table_find(name);
		if (t && t != g) {
			*table = t;
		} else if (!t && !strchr(name, ' ') && !strcasestr(name, "params")) {
			*skip = group(s, 't', name);
		} else {
			snprintf(section, seclen, "%s", name);
		}
		return;
	}
	if (*skip) {
		if (strncasecmp(l, "FORMAT", 6) != 0)
			(*skip)->n++;
		return;
	}
	if (*table) {
		if (!strncasecmp(l, "FORMAT", 6) && (l[6] == ' ' || l[6] == '\t'))
			format_columns(s, *table, l + 7);
		return;
	}
	if (*l == '!' || !(eq = strchr(l, '=')))
		return;
	*eq = 0;
	l = trim(l);
	if (conf_column_find(g, l) < 0 && !conf_table_find(l))
		add_name(group(s, 'p', section[0] ? section : "no section"), l);
}

char *ini_ignored_summary(const char *text, size_t len)
{
	struct sum *s = calloc(1, sizeof(*s));
	const struct conf_table *table = NULL;
	struct group *skip = NULL;
	char section[128] = "", *line = NULL, *out = NULL;
	unsigned nt = 0, nrows = 0, np = 0, nc = 0;
	size_t olen = 0, pos = 0;
	FILE *f;

	if (!s)
		return NULL;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		if ((line = strndup(text + pos, n)) != NULL)
			scan_line(s, line, &table, &skip, section, sizeof(section));
		free(line);
		pos += n + 1;
	}
	for (unsigned i = 0; i < s->ng; i++) {
		if (s->g[i].kind == 't')
			nt++, nrows += s->g[i].n;
		else if (s->g[i].kind == 'p')
			np += s->g[i].n;
		else
			nc += s->g[i].n;
	}
	if (s->ng && (f = open_memstream(&out, &olen)) != NULL) {
		fprintf(f,
			"Ignored by this SBC: %u table%s (%u row%s), %u parameter%s, %u "
			"column%s\n",
			nt, nt == 1 ? "" : "s", nrows, nrows == 1 ? "" : "s", np,
			np == 1 ? "" : "s", nc, nc == 1 ? "" : "s");
		for (unsigned i = 0; i < s->ng; i++) {
			const struct group *g = &s->g[i];
			if (g->kind == 't')
				fprintf(f, "  table %s: %u row%s\n", g->name, g->n,
					g->n == 1 ? "" : "s");
			else
				fprintf(f, "  %s%s%s: %u %s%s: %s\n",
					g->kind == 'p' ? "[" : "table ", g->name,
					g->kind == 'p' ? "]" : "", g->n,
					g->kind == 'p' ? "parameter" : "column",
					g->n == 1 ? "" : "s", g->names ? g->names : "");
		}
		if (fclose(f) != 0) {
			free(out);
			out = NULL;
		}
	}
	for (unsigned i = 0; i < s->ng; i++) {
		free(s->g[i].name);
		free(s->g[i].names);
	}
	free(s);
	return out;
}

/* The CLI's view of the schema: trees, global groups, keywords and value texts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

static const char *trees[CLI_MAX_TREES];
static unsigned ntrees;
static const char *groups[CLI_MAX_GROUPS]; /* the column's group string: "<tree> <kw>" */
static unsigned ngroups;
static int scanned;

static int tree_add(const char *name, size_t len)
{
	for (unsigned i = 0; i < ntrees; i++)
		if (strlen(trees[i]) == len && !strncasecmp(trees[i], name, len))
			return (int)i;
	if (ntrees == CLI_MAX_TREES)
		return -1;
	trees[ntrees] = strndup(name, len);
	return trees[ntrees] ? (int)ntrees++ : -1;
}

/* Trees in the order their first table appears (referenced tables come first), then groups. */
static void scan(void)
{
	const struct conf_table *g = conf_globals();

	if (scanned)
		return;
	scanned = 1;
	for (unsigned i = 0; i < conf_ntables; i++)
		if (cli_table_is_config(conf_tables[i]) && conf_tables[i]->tree)
			tree_add(conf_tables[i]->tree, strlen(conf_tables[i]->tree));
	for (unsigned c = 0; g && c < g->ncols; c++) {
		const char *grp = g->cols[c].group;
		unsigned j;

		if (!grp || !strchr(grp, ' ') || !cli_column_is_config(&g->cols[c]))
			continue;
		tree_add(grp, (size_t)(strchr(grp, ' ') - grp));
		for (j = 0; j < ngroups; j++)
			if (!strcasecmp(groups[j], grp))
				break;
		if (j == ngroups && ngroups < CLI_MAX_GROUPS)
			groups[ngroups++] = grp;
	}
}

unsigned cli_ntrees(void)
{
	scan();
	return ntrees;
}

const char *cli_tree_name(unsigned i)
{
	scan();
	return i < ntrees ? trees[i] : NULL;
}

int cli_tree_find(const char *name)
{
	scan();
	for (unsigned i = 0; name && i < ntrees; i++)
		if (!strcasecmp(trees[i], name))
			return (int)i;
	return -1;
}

unsigned cli_ngroups(void)
{
	scan();
	return ngroups;
}

const char *cli_group_kw(unsigned g)
{
	scan();
	return g < ngroups ? strchr(groups[g], ' ') + 1 : NULL;
}

int cli_group_tree(unsigned g)
{
	scan();
	if (g >= ngroups)
		return -1;
	for (unsigned i = 0; i < ntrees; i++)
		if (!strncasecmp(trees[i], groups[g], strlen(trees[i])) &&
		    groups[g][strlen(trees[i])] == ' ')
			return (int)i;
	return -1;
}

int cli_group_of(const struct conf_column *c)
{
	scan();
	for (unsigned g = 0; c->group && g < ngroups; g++)
		if (!strcasecmp(groups[g], c->group))
			return (int)g;
	return -1;
}

int cli_table_is_config(const struct conf_table *t)
{
	return !(t->flags & (CONF_TF_GLOBALS | CONF_TF_STATUS)) && t->cli;
}

int cli_column_is_config(const struct conf_column *c)
{
	return !(c->flags & CONF_F_RO) && c->cli;
}

const struct conf_table *cli_mode_table(int mode)
{
	if (mode >= CLI_MODE_ROW && mode < CLI_MODE_ROW + (int)conf_ntables)
		return conf_tables[mode - CLI_MODE_ROW];
	if (mode >= CLI_MODE_GROUP && mode < CLI_MODE_GROUP + (int)cli_ngroups())
		return conf_globals();
	return NULL;
}

int cli_mode_column(int mode, const char *kw, const struct conf_table **tp)
{
	const struct conf_table *t = cli_mode_table(mode);

	if (tp)
		*tp = t;
	if (!t)
		return -1;
	for (unsigned c = 0; c < t->ncols; c++) {
		if (!t->cols[c].cli || strcasecmp(t->cols[c].cli, kw))
			continue;
		if ((t->flags & CONF_TF_GLOBALS) &&
		    cli_group_of(&t->cols[c]) != mode - CLI_MODE_GROUP)
			continue;
		return (int)c;
	}
	return -1;
}

char *cli_value_help(const struct conf_column *c)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return NULL;
	fprintf(f, "%s", c->help ? c->help : c->name);
	switch (c->type) {
	case CONF_T_BOOL:
		fprintf(f, " (enable|disable");
		break;
	case CONF_T_INT:
		fprintf(f, " (%lld-%lld", c->min, c->max);
		break;
	case CONF_T_PORT:
		fprintf(f, " (0-65535");
		break;
	case CONF_T_ENUM:
		fprintf(f, " (one of the names below");
		break;
	case CONF_T_IPADDR:
		fprintf(f, " (IPv4 or IPv6 address");
		break;
	case CONF_T_REF:
		fprintf(f, " (%s of a %s row", (c->flags & CONF_F_BYINDEX) ? "index" : "name",
			c->ref);
		break;
	case CONF_T_STRING:
	case CONF_T_SECRET:
		fprintf(f, " (text, up to %lld characters", c->max);
		break;
	}
	if (c->def && *c->def && !(c->flags & CONF_F_SECRET))
		fprintf(f, ", default %s", c->def);
	fprintf(f, ")%s", (c->flags & CONF_F_RESET) ? ", takes effect at reset" : "");
	fclose(f);
	return out;
}

const char *cli_quote(const char *text, char *buf, size_t len)
{
	int plain = *text && *text != '!';

	for (const char *p = text; *p && plain; p++)
		if (*p == ' ' || *p == '\t' || *p == '"' || *p == '\'' || *p == '|' || *p == '\\' ||
		    *p == '#' || *p == '?')
			plain = 0;
	if (plain)
		snprintf(buf, len, "%s", text);
	else if (strchr(text, '"'))
		snprintf(buf, len, "'%s'", text);
	else
		snprintf(buf, len, "\"%s\"", text);
	return buf;
}

const char *cli_value_text(const struct conf_column *c, const union conf_val *v, char *buf,
			   size_t len)
{
	const char *name;

	if (conf_type_is_text(c->type))
		return cli_quote(v->s, buf, len);
	name = (c->type == CONF_T_ENUM || c->type == CONF_T_BOOL) ? conf_enum_name(c, v->i) : NULL;
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%lld", v->i);
	return buf;
}

int cli_parse_long(const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	if (!text || !*text || *text == ' ' || *text == '+')
		return -1;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

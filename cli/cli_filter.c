/*
 * Output filters `| include RE`, `| exclude RE` and `| begin RE` (POSIX
 * extended regular expressions, as on Cisco). They replace libcli's own, which
 * treat an abbreviated filter name (`| inc x`) as an empty regex and print
 * nothing. libcli's parser splits words at every unquoted `|`, so
 * cli_exec_line quotes the rest of the line as the pattern first.
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

enum match_kind { MATCH_INCLUDE, MATCH_EXCLUDE, MATCH_BEGIN };

struct match {
	regex_t re;
	enum match_kind kind;
	int begun; /* begin: a line matched, the rest is printed */
};

static int match_filter(struct cli_def *cli, const char *line, void *data)
{
	struct match *m = data;
	int hit;

	if (!line) { /* teardown */
		regfree(&m->re);
		free(m);
		return CLI_OK;
	}
	if (m->begun)
		return CLI_OK;
	hit = regexec(&m->re, line, 0, NULL, 0) == 0;
	if (m->kind == MATCH_BEGIN)
		m->begun = hit;
	return hit != (m->kind == MATCH_EXCLUDE) ? CLI_OK : CLI_ERROR;
}

static int match_init(struct cli_def *cli, int argc, char **argv, struct cli_filter *filt)
{
	const char *pattern = cli_get_optarg_value(cli, "pattern", NULL);
	const struct cli_command *cmd = cli->pipeline->current_stage->command;
	struct match *m = calloc(1, sizeof(*m));

	if (!m || !pattern)
		return CLI_ERROR;
	if (regcomp(&m->re, pattern, REG_EXTENDED | REG_NOSUB) != 0) {
		cli_error(cli, "%% invalid pattern '%s'", pattern);
		free(m);
		return CLI_ERROR;
	}
	m->kind = !strcmp(cmd->command, "exclude") ? MATCH_EXCLUDE
		  : !strcmp(cmd->command, "begin") ? MATCH_BEGIN
						   : MATCH_INCLUDE;
	filt->filter = match_filter;
	filt->data = m;
	return CLI_OK;
}

/* `| count`: libcli's writes its total past the print callback (and the pager). */
static int count_filter(struct cli_def *cli, const char *line, void *data)
{
	unsigned *n = data;

	if (!line) {
		cli_error(cli, "%u", *n);
		free(n);
		return CLI_OK;
	}
	line += strspn(line, " \t");
	if (*line)
		(*n)++;
	return CLI_ERROR;
}

static int count_init(struct cli_def *cli, int argc, char **argv, struct cli_filter *filt)
{
	if (argc > 1) {
		cli_error(cli, "%% count takes no pattern");
		return CLI_ERROR;
	}
	if (!(filt->data = calloc(1, sizeof(unsigned))))
		return CLI_ERROR;
	filt->filter = count_filter;
	return CLI_OK;
}

void cli_filters_register(struct cli_def *cli)
{
	cli_unregister_filter(cli, "count");
	cli_register_filter(cli, "count", count_init, count_filter, PRIVILEGE_UNPRIVILEGED,
			    MODE_ANY, "Count the lines that are not blank");
	static const char *const names[][2] = {
	    {"include", "Only lines that match (extended regular expression)"},
	    {"exclude", "Leave out lines that match (extended regular expression)"},
	    {"begin", "From the first line that matches on (extended regular expression)"}};

	for (unsigned i = 0; i < 3; i++) {
		struct cli_command *c;

		cli_unregister_filter(cli, names[i][0]);
		c = cli_register_filter(cli, names[i][0], match_init, match_filter,
					PRIVILEGE_UNPRIVILEGED, MODE_ANY, names[i][1]);
		if (c)
			cli_register_optarg(c, "pattern",
					    CLI_CMD_ARGUMENT | CLI_CMD_REMAINDER_OF_LINE,
					    PRIVILEGE_UNPRIVILEGED, MODE_ANY,
					    "Pattern: the rest of the line", NULL, NULL, NULL);
	}
}

/* The filter a word names (a unique prefix of include, exclude, begin); NULL for others. */
static const char *pattern_filter(const char *w, size_t n)
{
	static const char *const names[] = {"include", "exclude", "begin",
					    "grep",    "egrep",   "count"};
	const char *hit = NULL;

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (n <= strlen(names[i]) && !strncasecmp(w, names[i], n)) {
			if (hit)
				return NULL; /* ambiguous: libcli says so */
			hit = names[i];
		}
	return hit && (!strcmp(hit, "include") || !strcmp(hit, "exclude") || !strcmp(hit, "begin"))
		   ? hit
		   : NULL;
}

int cli_exec_line(struct cli_sess *s, const char *line)
{
	char q = 0, *buf;
	const char *p;
	size_t n;
	int rc;

	for (p = line; *p; p++) {
		if (q && *p == q)
			q = 0;
		else if (!q && (*p == '"' || *p == '\''))
			q = *p;
		else if (!q && *p == '|')
			break;
	}
	if (*p == '|') {
		const char *w = p + 1, *pat;
		const char *name;

		while (*w == ' ' || *w == '\t')
			w++;
		n = strcspn(w, " \t");
		name = pattern_filter(w, n);
		pat = w + n;
		while (*pat == ' ' || *pat == '\t')
			pat++;
		if (name && *pat) {
			/* the pattern in double quotes; libcli drops one backslash of each pair */
			size_t len = strlen(pat);
			while (len && (pat[len - 1] == ' ' || pat[len - 1] == '\t'))
				len--;
			if (len >= 2 && (pat[0] == '"' || pat[0] == '\'') &&
			    pat[len - 1] == pat[0] && !memchr(pat + 1, pat[0], len - 2))
				return cli_run_command(s->cli, line); /* already one quoted word */
			buf = malloc((size_t)(p - line) + strlen(name) + 2 * len + 8);
			if (!buf)
				return CLI_ERROR;
			n = (size_t)sprintf(buf, "%.*s| %s \"", (int)(p - line), line, name);
			for (size_t i = 0; i < len; i++) {
				if (pat[i] == '\\' || pat[i] == '"')
					buf[n++] = '\\';
				buf[n++] = pat[i];
			}
			buf[n++] = '"';
			buf[n] = 0;
			rc = cli_run_command(s->cli, buf);
			free(buf);
			return rc;
		}
	}
	return cli_run_command(s->cli, line);
}

/*
 * Output filters `| include RE` and `| exclude RE` (POSIX extended regular
 * expressions, as on Cisco). They replace libcli's own, which treat an
 * abbreviated filter name (`| inc x`) as an empty regex and print nothing.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

struct match {
	regex_t re;
	int invert;
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
	hit = regexec(&m->re, line, 0, NULL, 0) == 0;
	return hit != m->invert ? CLI_OK : CLI_ERROR;
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
	m->invert = !strcmp(cmd->command, "exclude");
	filt->filter = match_filter;
	filt->data = m;
	return CLI_OK;
}

void cli_filters_register(struct cli_def *cli)
{
	static const char *const names[][2] = {
	    {"include", "Only lines that match (extended regular expression)"},
	    {"exclude", "Leave out lines that match (extended regular expression)"}};

	for (unsigned i = 0; i < 2; i++) {
		struct cli_command *c;

		cli_unregister_filter(cli, names[i][0]);
		c = cli_register_filter(cli, names[i][0], match_init, match_filter,
					PRIVILEGE_UNPRIVILEGED, MODE_ANY, names[i][1]);
		if (c)
			cli_register_optarg(
			    c, "pattern", CLI_CMD_ARGUMENT | CLI_CMD_REMAINDER_OF_LINE,
			    PRIVILEGE_UNPRIVILEGED, MODE_ANY,
			    "Pattern (quote it when it holds | or blanks)", NULL, NULL, NULL);
	}
}

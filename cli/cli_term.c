/*
 * The interactive terminal: sbc-cli's own line editor in place of libcli's
 * cli_loop(). libcli 1.10.7's loop runs a command whose `?` finds no
 * arguments (`reload now ?`, `write ?`), reads Home/End/Delete as `~`, skips
 * our `end` on Ctrl-Z and has no pager; its parser, command tree, completion
 * engine and filters are kept (cli_get_completions, cli_run_command).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"

/* Exported by libcli 1.10 (the engine of `?` and TAB), not declared in its header. */
void cli_get_completions(struct cli_def *cli, const char *command, char lastchar,
			 struct cli_comphelp *comphelp);

#undef CTRL
#define CTRL(c)     ((c) - '@')
#define KEY_UP      0x101
#define KEY_DOWN    0x102
#define KEY_RIGHT   0x103
#define KEY_LEFT    0x104
#define KEY_HOME    0x105
#define KEY_END     0x106
#define KEY_DELETE  0x107
#define KEY_OTHER   0x108 /* an escape sequence we do not use */
#define KEY_EOF     (-1)
#define KEY_CLOSED  (-2) /* idle timeout, or the session is ending */
#define MAX_HISTORY 256

static char *history[MAX_HISTORY];
static unsigned nhistory;

static void out(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(1, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void outs(const char *p)
{
	out(p, strlen(p));
}

/* One byte, waiting at most ms milliseconds (-1: for ever, with the idle and quit checks). */
static int byte_in(struct cli_sess *s, int ms)
{
	unsigned char c;

	for (;;) {
		fd_set fds;
		struct timeval tv = {.tv_sec = ms < 0 ? 1 : ms / 1000,
				     .tv_usec = ms < 0 ? 0 : (ms % 1000) * 1000};
		int r;

		FD_ZERO(&fds);
		FD_SET(0, &fds);
		r = select(1, &fds, NULL, NULL, &tv);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return KEY_EOF;
		if (r == 0) {
			if (ms >= 0)
				return KEY_CLOSED;
			if (s->quit)
				return KEY_CLOSED;
			if (s->idle_limit && time(NULL) - s->last_input >= s->idle_limit) {
				char msg[96];
				/* straight to the terminal: not through the pager */
				snprintf(
				    msg, sizeof(msg),
				    "\r\n%% session closed after %ld seconds without input\r\n",
				    s->idle_limit);
				outs(msg);
				s->quit = 1;
				return KEY_CLOSED;
			}
			continue;
		}
		r = (int)read(0, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return KEY_EOF;
		s->last_input = time(NULL);
		return c;
	}
}

/*
 * A key: bytes, or one of KEY_* for the escape sequences of xterm (ESC [ H,
 * ESC O H), screen and PuTTY (ESC [ 1 ~, ESC [ 4 ~), rxvt (ESC [ 7 ~, ESC [ 8 ~).
 */
static int key_in(struct cli_sess *s)
{
	int c = byte_in(s, -1), c2, num = 0;

	if (c != 27)
		return c;
	if ((c2 = byte_in(s, 300)) < 0)
		return KEY_OTHER;
	if (c2 != '[' && c2 != 'O')
		return KEY_OTHER;
	for (;;) {
		int k = byte_in(s, 300);
		if (k < 0)
			return KEY_OTHER;
		if (k >= '0' && k <= '9') {
			num = num * 10 + (k - '0');
			continue;
		}
		if (k == ';')
			continue; /* modifiers: ESC [ 1 ; 5 H is Ctrl-Home */
		switch (k) {
		case 'A':
			return KEY_UP;
		case 'B':
			return KEY_DOWN;
		case 'C':
			return KEY_RIGHT;
		case 'D':
			return KEY_LEFT;
		case 'H':
			return KEY_HOME;
		case 'F':
			return KEY_END;
		case '~':
			if (num == 1 || num == 7)
				return KEY_HOME;
			if (num == 4 || num == 8)
				return KEY_END;
			if (num == 3)
				return KEY_DELETE;
			return KEY_OTHER;
		default:
			return KEY_OTHER;
		}
	}
}

/* --- the pager (libcli's print callback) --- */

static unsigned term_cols(void)
{
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

unsigned cli_term_rows(void)
{
	struct winsize ws;

	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 1)
		return ws.ws_row;
	return 24;
}

/* 0: stop the output (q), 1: a page more, 2: one line more. */
static int more(struct cli_sess *s)
{
	int k;

	outs(" --More-- ");
	k = key_in(s);
	outs("\r          \r");
	if (k == ' ')
		return 1;
	if (k == '\r' || k == '\n' || k == KEY_DOWN)
		return 2;
	return 0;
}

static void term_print(struct cli_def *cli, const char *line)
{
	struct cli_sess *s = cli_sess(cli);
	unsigned cols = term_cols(), len = (unsigned)strlen(line);

	if (s->more_quit)
		return;
	if (s->term_len > 0 && s->more_lines + 1 >= s->term_len) {
		int m = more(s);
		if (!m) {
			s->more_quit = 1;
			return;
		}
		s->more_lines = m == 1 ? 0 : s->term_len - 2;
	}
	outs(line);
	outs("\r\n");
	s->more_lines += len ? (len + cols - 1) / cols : 1;
}

void cli_term_output_start(struct cli_sess *s)
{
	s->more_lines = 0;
	s->more_quit = 0;
}

/* --- prompts --- */

int cli_term_read(struct cli_sess *s, const char *prompt, int echo, char *buf, size_t len)
{
	size_t n = 0;

	outs(prompt);
	for (;;) {
		int k = key_in(s);
		if (k == KEY_EOF || k == KEY_CLOSED || k == CTRL('C')) {
			explicit_bzero(buf, len);
			outs("\r\n");
			return -1;
		}
		if (k == '\r' || k == '\n')
			break;
		if ((k == CTRL('H') || k == 0x7f) && n) {
			n--;
			if (echo)
				outs("\b \b");
			continue;
		}
		if (k == CTRL('U')) {
			while (echo && n--)
				outs("\b \b");
			n = 0;
			continue;
		}
		if (k < 0x20 || k > 0xff || k == 0x7f || n + 1 >= len)
			continue;
		buf[n++] = (char)k;
		if (echo)
			out(buf + n - 1, 1);
	}
	buf[n] = 0;
	outs("\r\n");
	return 0;
}

int cli_confirm(struct cli_def *cli, const char *question, const char *force_cmd)
{
	struct cli_sess *s = cli_sess(cli);
	int k;

	if (!s->interactive) {
		cli_error(cli,
			  "%% this command asks [confirm], which a script cannot answer: use '%s'",
			  force_cmd);
		return 0;
	}
	outs(question);
	outs(" [confirm]");
	k = key_in(s);
	outs("\r\n");
	if (k == '\r' || k == '\n' || k == 'y' || k == 'Y')
		return 1;
	cli_error(cli, "%% cancelled");
	return 0;
}

/* --- the line editor --- */

struct line {
	char b[CLI_MAX_LINE_LENGTH];
	int len, cur;
	char prompt[160];
};

static void redraw(struct line *l)
{
	outs("\r");
	outs(l->prompt);
	out(l->b, (size_t)l->len);
	outs("\x1b[K");
	for (int i = l->len; i > l->cur; i--)
		outs("\b");
}

static void set_text(struct line *l, const char *text)
{
	snprintf(l->b, sizeof(l->b), "%s", text);
	l->len = l->cur = (int)strlen(l->b);
	redraw(l);
}

static void history_add(const char *line)
{
	if (nhistory && !strcmp(history[nhistory - 1], line))
		return;
	if (nhistory == MAX_HISTORY) {
		free(history[0]);
		memmove(history, history + 1, (MAX_HISTORY - 1) * sizeof(*history));
		nhistory--;
	}
	if ((history[nhistory] = strdup(line)))
		nhistory++;
}

/* 1 when the cursor is inside a quoted word (a '?' there is text). */
static int in_quote(const struct line *l)
{
	char q = 0;

	for (int i = 0; i < l->cur; i++)
		if (q && l->b[i] == q)
			q = 0;
		else if (!q && (l->b[i] == '"' || l->b[i] == '\''))
			q = l->b[i];
	return q != 0;
}

/*
 * 1 when text (up to its last blank) names a command that runs as it is: libcli
 * lists a command's sub-commands without <cr> even when it has a callback
 * (`show running-config ?`).
 */
static int runs_as_is(struct cli_def *cli, const char *text)
{
	struct cli_command *c = cli->commands, *hit = NULL;
	char *copy = strdup(text), *save = NULL;
	size_t n = strlen(text);

	if (!copy || !n || text[n - 1] != ' ' || strpbrk(text, "|\"'")) {
		free(copy);
		return 0;
	}
	for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		for (hit = NULL; c; c = c->next)
			if (c->command_type == CLI_REGULAR_COMMAND &&
			    cli->privilege >= c->privilege &&
			    (c->mode == cli->mode || c->mode == MODE_ANY) &&
			    !strncasecmp(c->command, w, strlen(w)) &&
			    (strlen(w) >= c->unique_len || !strcasecmp(c->command, w))) {
				hit = c;
				break;
			}
		if (!hit)
			break;
		c = hit->children;
	}
	free(copy);
	return hit && hit->callback;
}

/* `?`: the words that may follow, with help, or <cr>; nothing runs. */
void cli_context_help(struct cli_sess *s, const char *text)
{
	struct cli_comphelp ch = {0};
	int show_cr = 1;

	cli_get_completions(s->cli, text, '?', &ch);
	if (ch.num_entries == 0)
		cli_error(s->cli, "%% Unrecognized command");
	for (int i = 0; i < ch.num_entries; i++) {
		if (strlen(ch.entries[i]) < 3 || ch.entries[i][2] != '[')
			show_cr = 0;
		cli_error(s->cli, "%s", ch.entries[i]);
	}
	if (ch.num_entries > 0 && !show_cr)
		show_cr = runs_as_is(s->cli, text);
	if (show_cr && ch.num_entries)
		cli_error(s->cli, "  <cr>");
	cli_free_comphelp(&ch);
}

static void help(struct cli_sess *s, struct line *l)
{
	char save = l->b[l->cur];

	if (l->cur == l->len)
		outs("?");
	else
		out(l->b + l->cur, (size_t)(l->len - l->cur)); /* the line stays whole on screen */
	outs("\r\n");
	cli_term_output_start(s);
	l->b[l->cur] = 0;
	cli_context_help(s, l->b);
	l->b[l->cur] = save;
	redraw(l);
}

/* TAB: libcli's completion rules (one match completes, several complete their common part). */
static void complete(struct cli_sess *s, struct line *l, int *tabbed)
{
	struct cli_comphelp ch = {0};
	int start = l->len;

	if (l->cur != l->len) {
		outs("\a");
		return;
	}
	cli_get_completions(s->cli, l->b, CTRL('I'), &ch);
	while (start > 0 && l->b[start - 1] != ' ' && l->b[start - 1] != '|')
		start--;
	if (ch.num_entries <= 0) {
		outs("\a");
	} else if (*tabbed) {
		outs("\r\n");
		cli_term_output_start(s);
		for (int i = 0; i < ch.num_entries; i++)
			cli_error(s->cli, "  %s", ch.entries[i]);
		redraw(l);
		*tabbed = 0;
	} else if (ch.num_entries == 1 && ch.entries[0][0] != '[' && ch.entries[0][0] != '<') {
		snprintf(l->b + start, sizeof(l->b) - (size_t)start, "%s ", ch.entries[0]);
		l->len = l->cur = (int)strlen(l->b);
		redraw(l);
	} else {
		const char *first = ch.entries[0] + (ch.entries[0][0] == '[');
		size_t k = ch.entries[0][0] == '<' ? 0 : strlen(first);

		for (int i = 1; i < ch.num_entries && k; i++) {
			const char *w = ch.entries[i] + (ch.entries[i][0] == '[');
			size_t j = 0;
			if (ch.entries[i][0] == '<')
				k = 0;
			while (j < k && w[j] &&
			       tolower((unsigned char)w[j]) == tolower((unsigned char)first[j]))
				j++;
			k = j;
		}
		if (k > (size_t)(l->len - start) && ch.entries[ch.num_entries - 1][0] != '[') {
			snprintf(l->b + start, sizeof(l->b) - (size_t)start, "%.*s", (int)k, first);
			l->len = l->cur = (int)strlen(l->b);
			redraw(l);
		} else {
			outs("\a");
		}
		*tabbed = 1;
	}
	cli_free_comphelp(&ch);
}

static void insert(struct line *l, int c)
{
	if (l->len + 1 >= (int)sizeof(l->b)) {
		outs("\a");
		return;
	}
	memmove(l->b + l->cur + 1, l->b + l->cur, (size_t)(l->len - l->cur + 1));
	l->b[l->cur++] = (char)c;
	l->len++;
	if (l->cur == l->len) {
		char ch = (char)c;
		out(&ch, 1);
	} else {
		redraw(l);
	}
}

static void delete_at(struct line *l, int at, int n)
{
	if (at < 0 || n <= 0 || at + n > l->len)
		return;
	memmove(l->b + at, l->b + at + n, (size_t)(l->len - at - n + 1));
	l->len -= n;
	if (l->cur > at)
		l->cur = l->cur - n < at ? at : l->cur - n;
	redraw(l);
}

/* Reads one command line into l; -1 when the session ends. */
static int read_line(struct cli_sess *s, struct line *l)
{
	unsigned hpos = nhistory;
	int tabbed = 0;

	l->len = l->cur = 0;
	l->b[0] = 0;
	cli_prompt(s->cli, l->prompt, sizeof(l->prompt));
	outs(l->prompt);
	for (;;) {
		int k = key_in(s), was_tab = tabbed;

		tabbed = 0;
		switch (k) {
		case KEY_EOF:
		case KEY_CLOSED:
			return -1;
		case '\r':
		case '\n':
			outs("\r\n");
			return 0;
		case CTRL('I'):
			tabbed = was_tab;
			complete(s, l, &tabbed);
			break;
		case '?':
			if (in_quote(l))
				insert(l, k);
			else
				help(s, l);
			break;
		case CTRL('A'):
		case KEY_HOME:
			l->cur = 0;
			redraw(l);
			break;
		case CTRL('E'):
		case KEY_END:
			l->cur = l->len;
			redraw(l);
			break;
		case CTRL('B'):
		case KEY_LEFT:
			if (l->cur > 0) {
				l->cur--;
				outs("\b");
			}
			break;
		case CTRL('F'):
		case KEY_RIGHT:
			if (l->cur < l->len)
				out(l->b + l->cur++, 1);
			break;
		case CTRL('H'):
		case 0x7f:
			if (l->cur > 0)
				delete_at(l, l->cur - 1, 1);
			else
				outs("\a");
			break;
		case CTRL('D'):
			if (!l->len) {
				outs("\r\n");
				return -1;
			}
			/* the character under the cursor */
			__attribute__((fallthrough));
		case KEY_DELETE:
			delete_at(l, l->cur, l->cur < l->len ? 1 : 0);
			break;
		case CTRL('K'):
			l->len = l->cur;
			l->b[l->len] = 0;
			redraw(l);
			break;
		case CTRL('U'):
			delete_at(l, 0, l->cur);
			break;
		case CTRL('W'): {
			int at = l->cur;
			while (at && l->b[at - 1] == ' ')
				at--;
			while (at && l->b[at - 1] != ' ')
				at--;
			delete_at(l, at, l->cur - at);
			break;
		}
		case CTRL('L'):
			outs("\r\n");
			redraw(l);
			break;
		case CTRL('P'):
		case KEY_UP:
			if (hpos > 0)
				set_text(l, history[--hpos]);
			break;
		case CTRL('N'):
		case KEY_DOWN:
			if (hpos < nhistory)
				hpos++;
			set_text(l, hpos < nhistory ? history[hpos] : "");
			break;
		case CTRL('C'):
			outs("^C\r\n");
			l->len = l->cur = 0;
			l->b[0] = 0;
			outs(l->prompt);
			break;
		case CTRL('Z'):
			/* as `end`: leave configuration, warning about edits not activated */
			outs("^Z\r\n");
			if (s->cli->mode != MODE_EXEC) {
				cli_term_output_start(s);
				cli_cmd_end(s->cli, "end", NULL, 0);
			}
			l->len = l->cur = 0;
			l->b[0] = 0;
			cli_prompt(s->cli, l->prompt, sizeof(l->prompt));
			outs(l->prompt);
			break;
		default:
			if (k >= 0x20 && k < 0x100 && k != 0x7f)
				insert(l, k);
			break;
		}
	}
}

static int login(struct cli_sess *s, int (*auth)(const char *, const char *))
{
	char user[128], pass[300];

	while (!s->quit) {
		int rc;

		outs("\r\n");
		if (cli_term_read(s, "Username: ", 1, user, sizeof(user)) < 0)
			return -1;
		if (!*user)
			continue;
		if (cli_term_read(s, "Password: ", 0, pass, sizeof(pass)) < 0)
			return -1;
		rc = auth(user, pass);
		explicit_bzero(pass, sizeof(pass));
		if (rc == CLI_OK)
			return 0;
	}
	return -1;
}

int cli_term_run(struct cli_sess *s, int (*auth)(const char *, const char *))
{
	struct line *l = calloc(1, sizeof(*l));

	if (!l)
		return -1;
	s->last_input = time(NULL);
	cli_print_callback(s->cli, term_print);
	if (auth && login(s, auth) < 0) {
		free(l);
		return 0;
	}
	outs("\r\n");
	while (!s->quit && read_line(s, l) == 0) {
		char *p = l->b;
		int rc;

		while (*p == ' ')
			p++;
		if (!*p)
			continue;
		history_add(p);
		cli_term_output_start(s);
		rc = cli_exec_line(s, p);
		if (rc == CLI_QUIT)
			break;
	}
	cli_print_callback(s->cli, NULL);
	for (unsigned i = 0; i < nhistory; i++)
		free(history[i]);
	nhistory = 0;
	free(l);
	return 0;
}

int cli_cmd_history(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	for (unsigned i = 0; i < nhistory; i++)
		cli_print(cli, "%3u  %s", i + 1, history[i]);
	return CLI_OK;
}

int cli_cmd_terminal_length(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);
	const char *arg = cli_get_optarg_value(cli, "lines", NULL);
	long v;

	if (!arg || argc || cli_parse_long(arg, 0, 512, &v) < 0 || v == 1) {
		cli_error(cli, "%% terminal length: give the lines per page, 2-512 (0: no pager)");
		return CLI_ERROR;
	}
	s->term_len = (unsigned)v;
	return CLI_OK;
}

int cli_cmd_show_terminal(struct cli_def *cli, const char *cmd, char *argv[], int argc)
{
	struct cli_sess *s = cli_sess(cli);

	cli_print(cli, "Length: %u lines%s", s->term_len, s->term_len ? "" : " (no pager)");
	return CLI_OK;
}

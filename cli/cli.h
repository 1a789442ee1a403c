/*
 * sbc-cli internals: one process per CLI session, a client of sbcd's control
 * protocol, its command tree built from the schema (conf_tables) on libcli.
 *
 * Modes (libcli config modes):
 *   MODE_EXEC                      basic `SBC>` / privileged `SBC#`
 *   CLI_MODE_TREE + i              `configure <tree>`       SBC(config-<tree>)#
 *   CLI_MODE_ROW + table position  `<table-kw> <index>`     SBC(<table-kw>-<index>)#
 *   CLI_MODE_GROUP + i             `<group-kw>` (globals)   SBC(<group-kw>)#
 *
 * Privilege: libcli's PRIVILEGE_UNPRIVILEGED is basic mode; `enable` (user
 * level >= CTL_LEVEL_SECADMIN and the password, re-checked by sbcd with
 * LOGIN) gives PRIVILEGE_PRIVILEGED. sbcd enforces levels on every request;
 * the CLI only hides what a level cannot do.
 */
#ifndef CLI_CLI_H
#define CLI_CLI_H

#include <stddef.h>

#include <libcli.h>

#include "conf/store.h"

struct ctl_client;
struct ini_edit;

#define CLI_HOSTNAME    "SBC"
#define CLI_MODE_TREE   10
#define CLI_MODE_CONFIG 9    /* `configure terminal`: every tree at once */
#define CLI_TREE_ALL    (-2) /* s->tree in CLI_MODE_CONFIG and the rows entered from it */
#define CLI_MODE_ROW    100
#define CLI_MODE_GROUP  300
#define CLI_MAX_TREES   8
#define CLI_MAX_GROUPS  32

/* The row being edited in a row mode: edits wait for `activate`. */
struct cli_rowedit {
	const struct conf_table *t;
	unsigned index;
	int is_new;         /* the row does not exist in sbcd yet */
	struct ini_edit *e; /* pending sets; NULL when none */
	unsigned n;         /* pending sets */
};

struct cli_sess {
	struct cli_def *cli;
	struct ctl_client *ctl;
	const char *sock;
	char user[48];   /* "" until logged in */
	unsigned level;  /* the user's level as sbcd reported it */
	int interactive; /* cli_loop on a terminal */
	int echo;        /* script mode: print prompt and command before each line */
	int login_fails;
	int quit;         /* end the session at the next chance */
	int tree;         /* tree of the current config mode, -1 in exec mode, CLI_TREE_ALL */
	int via_terminal; /* the tree mode was entered from `configure terminal` */
	struct cli_rowedit row;
	/* script mode: the source of the next line (enable password) */
	int (*next_line)(struct cli_sess *s, char *buf, size_t len);
	void *script;
	long idle_override; /* seconds (--idle-timeout), -1 when not given */
	/* the terminal (cli_term.c): idle limit, pager */
	long idle_limit;     /* seconds without input that end the session, 0: none */
	long last_input;     /* time of the last key */
	unsigned term_len;   /* lines per page (`terminal length`), 0: no pager */
	unsigned more_lines; /* lines printed since the output began or the last page */
	int more_quit;       /* `q` at --More--: the rest of this output is dropped */
};

/* The session of a libcli handle (its context). */
struct cli_sess *cli_sess(struct cli_def *cli);

/* --- schema views (cli_schema.c) --- */
unsigned cli_ntrees(void);
const char *cli_tree_name(unsigned i);
int cli_tree_find(const char *name); /* -1 when unknown */
unsigned cli_ngroups(void);
const char *cli_group_kw(unsigned g);          /* keyword of the group's sub-mode */
int cli_group_tree(unsigned g);                /* tree index of the group */
int cli_group_of(const struct conf_column *c); /* group index of a global column, -1 */
/* Tables edited as rows in a tree: not globals, not status. */
int cli_table_is_config(const struct conf_table *t);
int cli_column_is_config(const struct conf_column *c);
/* The table and column a keyword names in the current mode; -1 when none. */
const struct conf_table *cli_mode_table(int mode);
int cli_mode_column(int mode, const char *kw, const struct conf_table **t);
/* Help line for a column's value: help text, range or choices, default. malloc'd. */
char *cli_value_help(const struct conf_column *c);
/* A value as the CLI prints it (enum names, quoted when needed) into buf. */
const char *cli_value_text(const struct conf_column *c, const union conf_val *v, char *buf,
			   size_t len);
/* Quotes text for the CLI's parser when it is empty or holds blanks or specials. */
const char *cli_quote(const char *text, char *buf, size_t len);

/* --- control connection (cli_ctl.c) --- */
/*
 * One request; 0 OK, 1 refused, -1 connection lost. On refusal and failure
 * the reply lines are printed as "% line" errors; on success the reply is
 * left in *reply (malloc'd) when reply is not NULL, else dropped.
 */
int cli_ctl(struct cli_sess *s, const char *verb, const char *body, size_t blen, char **reply);
/* A configuration (EXPORT) or status (STATUS) store; NULL with an error printed. */
struct conf_store *cli_fetch(struct cli_sess *s, int status);
/* LOGIN (password) or AS (pass NULL); 0 and s->user/level set, or -1 with reason in err. */
int cli_login(struct cli_sess *s, const char *user, const char *pass, char *err, size_t errlen);
/* The user's SessionTimeout in seconds (0: never), or the --idle-timeout override. */
long cli_user_idle(struct cli_sess *s);

/* --- command tree (cli_tree.c) --- */
int cli_tree_build(struct cli_def *cli);
/* Replaces libcli's include / exclude filters (cli_filter.c). */
void cli_filters_register(struct cli_def *cli);
/* Prompt text as libcli shows it (hostname, mode string, prompt character). */
void cli_prompt(struct cli_def *cli, char *buf, size_t len);

/* --- configuration commands (cli_edit.c) --- */
int cli_cmd_configure(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_row(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_row_delete(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_group(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_set(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_unset(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_activate(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_exit(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_end(struct cli_def *cli, const char *cmd, char *argv[], int argc);
/* Drops the pending row edits, warning when some were not applied. */
void cli_row_discard(struct cli_sess *s, int warn);

/* --- show commands (cli_show.c, cli_runcfg.c) --- */
int cli_cmd_show_running(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_show_status(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_show_pending(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_show_version(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_show_row(struct cli_def *cli, const char *cmd, char *argv[], int argc);
/* The running configuration in CLI shape (tree -1: all trees); malloc'd text. */
char *cli_runcfg(const struct conf_store *st, const struct conf_store *factory, int tree);

/* --- operations (cli_ops.c) --- */
int cli_cmd_write(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_reload(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_copy_from(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_copy_to(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_enable(struct cli_def *cli, const char *cmd, char *argv[], int argc);
/* enable's password check: LOGIN again, level >= CTL_LEVEL_SECADMIN; 1 when allowed. */
int cli_enable_check(struct cli_sess *s, const char *pass);
/* Registers the TLS commands when sbcd answers TLS verbs (cli_tls.c). */
void cli_tls_register(struct cli_def *cli, struct cli_command *show, struct cli_command *parent,
		      int mode);

/* --- the terminal (cli_term.c) --- */
/*
 * The interactive session on fds 0/1 (raw mode) in place of libcli's
 * cli_loop: login with auth (when not NULL), then lines until exit, EOF, the
 * idle limit or s->quit. `?` shows help and never runs a command.
 */
int cli_term_run(struct cli_sess *s, int (*auth)(const char *user, const char *pass));
/* A prompted line (echo 0: a password); 0, or -1 at EOF, Ctrl-C or idle end. */
int cli_term_read(struct cli_sess *s, const char *prompt, int echo, char *buf, size_t len);
/*
 * The help of `?` after text (the words that may follow, with help; <cr> when
 * text runs as it is), printed; nothing runs. Scripts: a line ending in '?'.
 */
void cli_context_help(struct cli_sess *s, const char *text);
/* Output of a new command begins: the pager counts from here. */
void cli_term_output_start(struct cli_sess *s);
/* The terminal's height (24 when unknown). */
unsigned cli_term_rows(void);
/*
 * "QUESTION [confirm]": 1 when the user answers Enter or y. A script cannot
 * answer: 0, with an error naming force_cmd, the form that needs no answer.
 */
int cli_confirm(struct cli_def *cli, const char *question, const char *force_cmd);
/* The lines typed in this session (the line editor keeps them, not libcli). */
int cli_cmd_history(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_terminal_length(struct cli_def *cli, const char *cmd, char *argv[], int argc);
int cli_cmd_show_terminal(struct cli_def *cli, const char *cmd, char *argv[], int argc);
/*
 * Runs one command line (interactive or script): a `| include|exclude|begin RE`
 * takes the rest of the line as its pattern, `|` and blanks included
 * (cli_filter.c). Returns libcli's code.
 */
int cli_exec_line(struct cli_sess *s, const char *line);
/* Strict number: the whole text, within min..max; 0, or -1. */
int cli_parse_long(const char *text, long min, long max, long *out);

/* --- SSH (cli_keys.c) --- */
/*
 * Prints authorized_keys lines for the WebUsers with an SSHPublicKey; exit status.
 * With type and b64 (the key sshd was offered), only that key, with a one-time grant.
 */
int cli_authorized_keys(const char *sock, const char *unix_user, const char *prog, const char *type,
			const char *b64);

/* 1 for a line for programs ("#code ...", "#pending ...", "#access ..."): never shown raw. */
int cli_is_machine_line(const char *line);
/* A "#pending"/"#access" value token as text (percent-decoded), in place. */
void cli_token_text(char *t);
/* An INI value of TABLE's column COL in the CLI's form (enum names), in place. */
void cli_form(const char *table, const char *col, char *val, size_t len);
/* The "#access" lines of a reply as a WARNING block (nothing when there are none). */
void cli_print_access(struct cli_def *cli, const char *text);
/*
 * A LOAD reply: notes in the CLI's words, the pending-reset lines counted in
 * one line (show pending lists them), then the "#access" block.
 */
void cli_print_load_reply(struct cli_def *cli, const char *reply);
/* Prints text through libcli line by line (filters apply); machine lines left out. */
void cli_print_text(struct cli_def *cli, const char *text);
/*
 * A reply line in the CLI's words (malloc'd), using the "#code" line that
 * follows it (next, or NULL): "sip-interface 0 tls-context-name: no tls row
 * named 'x'" for "cli:3: SIPInterface row 0 column TLSContext: no TLSContexts
 * row named 'x'".
 */
char *cli_reword(const char *msg, const char *next);
/* Prints sbcd's error lines as "% line", in the CLI's words; '#' lines never. */
void cli_print_errors(struct cli_def *cli, const char *text);

#endif

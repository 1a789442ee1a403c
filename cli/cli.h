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

#define CLI_HOSTNAME   "SBC"
#define CLI_MODE_TREE  10
#define CLI_MODE_ROW   100
#define CLI_MODE_GROUP 300
#define CLI_MAX_TREES  8
#define CLI_MAX_GROUPS 32

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
	int quit; /* end the session at the next chance */
	int tree; /* tree of the current config mode, -1 in exec mode */
	struct cli_rowedit row;
	/* script mode: the source of the next line (enable password) */
	int (*next_line)(struct cli_sess *s, char *buf, size_t len);
	void *script;
	long idle_override; /* seconds (--idle-timeout), -1 when not given */
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

/* --- SSH (cli_keys.c) --- */
/*
 * Prints authorized_keys lines for the WebUsers with an SSHPublicKey; exit status.
 * With type and b64 (the key sshd was offered), only that key, with a one-time grant.
 */
int cli_authorized_keys(const char *sock, const char *unix_user, const char *prog, const char *type,
			const char *b64);

/* Prints text through libcli line by line (filters apply). */
void cli_print_text(struct cli_def *cli, const char *text);
/* Prints sbcd's error lines as "% line". */
void cli_print_errors(struct cli_def *cli, const char *text);

#endif

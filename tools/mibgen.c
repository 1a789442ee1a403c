/*
 * mibgen: writes SBC-MIB from the schema (conf/) and the layout shared
 * with the subagent (snmp-agent/agent_layout.h).
 *
 *   sbc-mibgen mib       the module text (mib/SBC-MIB.txt is this output; `make mib`)
 *   sbc-mibgen samples   one line per writable object, for round-trip tests:
 *     T <table> <mib> <creatable> <referenced>
 *     C <table> <column> <mib> <i|s> <mandatory> <name> <secret> <sample value of row 1>
 *     G <column> <mib> <i|s> <sample value>
 *     S <column> <mib> <i|s> <sample value>   (a secret global: written, never read back)
 *
 * Built as build/bin/sbc-mibgen, a build tool (not installed, not part of the
 * agent). tests/integration/snmp_mib.sh fails when the committed MIB differs
 * from this output.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "snmp-agent/agent_layout.h"

#define MIB_REVISION "202506010000Z"
#define MAX_NAMES    4096

static const unsigned arc[] = {AGENT_ARC_BELOW_ENTERPRISES};
static char *names[MAX_NAMES];
static unsigned nnames;
static int failed;

/* imports actually used, so smilint has nothing to say about unused ones */
static int use_u32, use_c64, use_rowstatus, use_sbctext;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "snmp_mibgen: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	failed = 1;
}

/* Registers a descriptor: SMIv2 wants them unique and at most 64 characters. */
static const char *name_add(const char *n)
{
	if (strlen(n) > 64)
		die("descriptor %s is longer than 64 characters", n);
	for (unsigned i = 0; i < nnames; i++)
		if (!strcmp(names[i], n))
			die("descriptor %s is defined twice", n);
	if (nnames < MAX_NAMES)
		names[nnames++] = strdup(n);
	return n;
}

/* Letters and digits only: "Interface_Table" -> "InterfaceTable". */
static void alnum(char *dst, size_t len, const char *src)
{
	size_t k = 0;

	for (; *src && k + 1 < len; src++)
		if (isalnum((unsigned char)*src))
			dst[k++] = *src;
	dst[k] = 0;
}

/* The base of a table's descriptors: its name without a trailing "Table". */
static void table_base(char *dst, size_t len, const struct conf_table *t)
{
	char n[128];
	size_t l;

	alnum(n, sizeof(n), t->name);
	l = strlen(n);
	if (l > 5 && !strcmp(n + l - 5, "Table"))
		n[l - 5] = 0;
	snprintf(dst, len, "%s", n);
}

static void col_name(char *dst, size_t len, const struct conf_table *t, const struct conf_column *c)
{
	char tb[100], cn[100];

	alnum(cn, sizeof(cn), c->name);
	if (t->flags & CONF_TF_GLOBALS)
		snprintf(dst, len, "sbc%.99s", cn);
	else {
		table_base(tb, sizeof(tb), t);
		if (snprintf(dst, len, "sbc%.99s%.99s", tb, cn) >= (int)len)
			die("descriptor for %s is too long", c->name);
	}
}

/* An enumeration label: "tls-1-2" -> "tls12", "not-configured" -> "notConfigured". */
static void enum_label(char *dst, size_t len, const char *src)
{
	size_t k = 0;
	int up = 0;

	if (isdigit((unsigned char)*src) && k + 1 < len)
		dst[k++] = 'v';
	for (; *src && k + 1 < len; src++) {
		if (!isalnum((unsigned char)*src)) {
			up = k > 0;
			continue;
		}
		char ch = up  ? (char)toupper((unsigned char)*src)
			  : k ? *src
			      : (char)tolower((unsigned char)*src);
		dst[k++] = ch;
		up = 0;
	}
	dst[k] = 0;
}

/* A quoted DESCRIPTION body, wrapped, with double quotes turned into single ones. */
static void put_text(FILE *f, const char *text)
{
	const char *p = text;
	int col = 0;

	fputs("\t\t\"", f);
	col = 17;
	while (*p) {
		size_t w = strcspn(p, " ");
		if (col + (int)w > 90 && col > 17) {
			fputs("\n\t\t", f);
			col = 16;
		}
		for (size_t i = 0; i < w; i++)
			fputc(p[i] == '"' ? '\'' : p[i], f);
		col += (int)w;
		p += w;
		while (*p == ' ')
			p++;
		if (*p) {
			fputc(' ', f);
			col++;
		}
	}
	fputs("\"\n", f);
}

static void put_syntax(FILE *f, const struct conf_column *c, int in_seq)
{
	char lab[128];
	unsigned max;

	switch (c->type) {
	case CONF_T_BOOL:
		fputs(in_seq ? "INTEGER" : "INTEGER { disable(0), enable(1) }", f);
		return;
	case CONF_T_ENUM:
		if (in_seq) {
			fputs("INTEGER", f);
			return;
		}
		fputs("INTEGER {", f);
		for (const struct conf_enum *e = c->enums; e->name; e++) {
			enum_label(lab, sizeof(lab), e->name);
			for (const struct conf_enum *o = c->enums; o != e; o++) {
				char l2[128];
				enum_label(l2, sizeof(l2), o->name);
				if (!strcmp(l2, lab))
					die("enumeration label %s is used twice", lab);
			}
			fprintf(f, "%s %s(%d)", e == c->enums ? "" : ",", lab, e->value);
		}
		fputs(" }", f);
		return;
	case CONF_T_INT:
	case CONF_T_PORT:
		switch (agent_col_syntax(c)) {
		case AGENT_SYN_UINT32:
			use_u32 = 1;
			fprintf(f, in_seq ? "Unsigned32" : "Unsigned32 (%lld..%lld)", c->min,
				c->max);
			return;
		case AGENT_SYN_COUNT64:
			use_c64 = 1;
			fputs("Counter64", f);
			return;
		default:
			if (c->type == CONF_T_PORT)
				fputs(in_seq ? "Integer32" : "Integer32 (0..65535)", f);
			else
				fprintf(f, in_seq ? "Integer32" : "Integer32 (%lld..%lld)", c->min,
					c->max);
			return;
		}
	case CONF_T_SECRET:
		fprintf(f, in_seq ? "OCTET STRING" : "OCTET STRING (SIZE (0..%u))",
			agent_text_max(c));
		return;
	default:
		max = agent_text_max(c);
		if (max > 255) {
			use_sbctext = 1;
			fprintf(f, in_seq ? "SbcText" : "SbcText (SIZE (0..%u))", max);
		} else
			fprintf(f, in_seq ? "DisplayString" : "DisplayString (SIZE (0..%u))", max);
	}
}

static void put_defval(FILE *f, const struct conf_column *c)
{
	union conf_val v;
	char lab[128];
	const char *en;

	if (!c->def || c->type == CONF_T_SECRET || agent_col_syntax(c) == AGENT_SYN_COUNT64)
		return;
	if (conf_type_is_text(c->type)) {
		if (strchr(c->def, '"'))
			return;
		fprintf(f, "\tDEFVAL      { \"%s\" }\n", c->def);
		return;
	}
	if (conf_value_default(c, &v) < 0)
		return;
	if (c->type == CONF_T_BOOL)
		fprintf(f, "\tDEFVAL      { %s }\n", v.i ? "enable" : "disable");
	else if (c->type == CONF_T_ENUM && (en = conf_enum_name(c, v.i))) {
		enum_label(lab, sizeof(lab), en);
		fprintf(f, "\tDEFVAL      { %s }\n", lab);
	} else
		fprintf(f, "\tDEFVAL      { %lld }\n", v.i);
}

static void col_description(FILE *f, const struct conf_table *t, const struct conf_column *c)
{
	char d[2048];
	size_t k;

	k = (size_t)snprintf(d, sizeof(d), "%s%s", c->help ? c->help : c->name,
			     c->help && c->help[strlen(c->help) - 1] == '.' ? "" : ".");
	if (t->flags & CONF_TF_GLOBALS)
		k += (size_t)snprintf(
		    d + k, sizeof(d) - k, " INI: %s in [%s]; CLI: configure %s %s.", c->name,
		    c->section ? c->section : "", c->group ? c->group : "", c->cli);
	else
		k += (size_t)snprintf(d + k, sizeof(d) - k, " INI: %s_%s; CLI: %s.", t->name,
				      c->name, c->cli);
	if (c->type == CONF_T_REF && k < sizeof(d))
		k += (size_t)snprintf(d + k, sizeof(d) - k, " Refers to a row of %s by %s.", c->ref,
				      (c->flags & CONF_F_BYINDEX) ? "index" : "name");
	if ((c->flags & CONF_F_RESET) && k < sizeof(d))
		k += (size_t)snprintf(d + k, sizeof(d) - k, " Takes effect at the next reset.");
	if ((c->flags & CONF_F_MANDATORY) && k < sizeof(d))
		k += (size_t)snprintf(d + k, sizeof(d) - k, " Must not be empty.");
	if ((c->flags & CONF_F_UNIQUE) && k < sizeof(d))
		k += (size_t)snprintf(d + k, sizeof(d) - k, " Unique among the rows.");
	if ((c->flags & CONF_F_SECRET) && k < sizeof(d))
		snprintf(d + k, sizeof(d) - k, " Write-only: reading returns an empty string.");
	put_text(f, d);
}

static const char *access_of(const struct conf_table *t, const struct conf_column *c)
{
	if (!agent_col_writable(t, c))
		return "read-only";
	return agent_table_creatable(t) ? "read-create" : "read-write";
}

/* Columns of a table in OID order. */
static unsigned sorted_cols(const struct conf_table *t, unsigned *idx)
{
	for (unsigned i = 0; i < t->ncols; i++) {
		unsigned j = i;
		while (j > 0 && t->cols[idx[j - 1]].mib > t->cols[i].mib) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
		if (t->cols[i].mib < 1 || t->cols[i].mib > AGENT_COL_SCHEMA_MAX)
			die("column mib number out of 1..199 in %s", t->cols[i].name);
	}
	for (unsigned i = 1; i < t->ncols; i++)
		if (t->cols[idx[i]].mib == t->cols[idx[i - 1]].mib)
			die("two columns share a mib number in %s", t->name);
	return t->ncols;
}

static void put_globals(FILE *f, FILE *grp, const struct conf_table *t)
{
	unsigned idx[256];
	char n[160];

	fprintf(f, "sbcGlobals OBJECT IDENTIFIER ::= { sbcConfig %u }\n\n", t->mib);
	name_add("sbcGlobals");
	sorted_cols(t, idx);
	for (unsigned k = 0; k < t->ncols; k++) {
		const struct conf_column *c = &t->cols[idx[k]];
		col_name(n, sizeof(n), t, c);
		name_add(n);
		fprintf(grp, "%s\t\t%s", ftell(grp) ? ",\n" : "", n);
		fprintf(f, "%s OBJECT-TYPE\n\tSYNTAX      ", n);
		put_syntax(f, c, 0);
		fprintf(f, "\n\tMAX-ACCESS  %s\n\tSTATUS      current\n\tDESCRIPTION\n",
			agent_col_writable(t, c) ? "read-write" : "read-only");
		col_description(f, t, c);
		if (agent_col_writable(t, c))
			put_defval(f, c);
		fprintf(f, "\t::= { sbcGlobals %u }\n\n", c->mib);
	}
}

static void put_table(FILE *f, FILE *grp, const struct conf_table *t)
{
	int status = (t->flags & CONF_TF_STATUS) != 0, create = agent_table_creatable(t);
	unsigned idx[256];
	char b[128], n[160], e[160];

	table_base(b, sizeof(b), t);
	snprintf(n, sizeof(n), "sbc%sTable", b);
	snprintf(e, sizeof(e), "sbc%sEntry", b);
	name_add(n);
	name_add(e);
	fprintf(f,
		"%s OBJECT-TYPE\n\tSYNTAX      SEQUENCE OF Sbc%sEntry\n"
		"\tMAX-ACCESS  not-accessible\n\tSTATUS      current\n\tDESCRIPTION\n",
		n, b);
	{
		char d[1024];
		snprintf(d, sizeof(d),
			 "%s. INI table %s: up to %u rows, indexed by the INI row index.%s",
			 t->help ? t->help : t->name, t->name, t->max_rows,
			 status ? " Read-only status, filled live by sbcd."
			 : (t->flags & CONF_TF_FIXED0)
			     ? " Row 0 always exists and cannot be destroyed."
			     : "");
		put_text(f, d);
	}
	fprintf(f, "\t::= { %s %u }\n\n", status ? "sbcStatus" : "sbcConfig", t->mib);
	fprintf(f,
		"%s OBJECT-TYPE\n\tSYNTAX      Sbc%sEntry\n\tMAX-ACCESS  not-accessible\n"
		"\tSTATUS      current\n\tDESCRIPTION\n",
		e, b);
	{
		char d[256];
		snprintf(d, sizeof(d), "One row of %s.%s", t->name,
			 create ? " Rows are created and destroyed with the RowStatus column."
				: "");
		put_text(f, d);
	}
	fprintf(f, "\tINDEX       { sbc%sIndex }\n\t::= { %s 1 }\n\n", b, n);

	sorted_cols(t, idx);
	fprintf(f, "Sbc%sEntry ::= SEQUENCE {\n", b);
	for (unsigned k = 0; k < t->ncols; k++) {
		col_name(n, sizeof(n), t, &t->cols[idx[k]]);
		fprintf(f, "\t%-44s ", n);
		put_syntax(f, &t->cols[idx[k]], 1);
		fputs(",\n", f);
	}
	fprintf(f, "\tsbc%sIndex%*s Integer32%s\n", b, (int)(44 - 8 - strlen(b)), "",
		create ? "," : "");
	if (create) {
		fprintf(f, "\tsbc%sRowStatus%*s RowStatus\n", b, (int)(44 - 12 - strlen(b)), "");
		use_rowstatus = 1;
	}
	fputs("}\n\n", f);

	for (unsigned k = 0; k < t->ncols; k++) {
		const struct conf_column *c = &t->cols[idx[k]];
		col_name(n, sizeof(n), t, c);
		name_add(n);
		fprintf(grp, "%s\t\t%s", ftell(grp) ? ",\n" : "", n);
		fprintf(f, "%s OBJECT-TYPE\n\tSYNTAX      ", n);
		put_syntax(f, c, 0);
		fprintf(f, "\n\tMAX-ACCESS  %s\n\tSTATUS      current\n\tDESCRIPTION\n",
			access_of(t, c));
		col_description(f, t, c);
		if (agent_col_writable(t, c))
			put_defval(f, c);
		fprintf(f, "\t::= { %s %u }\n\n", e, c->mib);
	}
	snprintf(n, sizeof(n), "sbc%sIndex", b);
	name_add(n);
	fprintf(
	    f,
	    "%s OBJECT-TYPE\n\tSYNTAX      Integer32 (0..%u)\n\tMAX-ACCESS  not-accessible\n"
	    "\tSTATUS      current\n\tDESCRIPTION\n\t\t\"The INI row index (%s <index> = ...).\"\n"
	    "\t::= { %s %u }\n\n",
	    n, t->max_rows - 1, t->name, e, AGENT_COL_INDEX);
	if (create) {
		snprintf(n, sizeof(n), "sbc%sRowStatus", b);
		name_add(n);
		fprintf(grp, ",\n\t\t%s", n);
		fprintf(f,
			"%s OBJECT-TYPE\n\tSYNTAX      RowStatus\n\tMAX-ACCESS  read-create\n"
			"\tSTATUS      current\n\tDESCRIPTION\n",
			n);
		put_text(f, "createAndGo creates the row with the columns set in the same request "
			    "(refused with inconsistentValue when the row would be invalid); "
			    "createAndWait keeps the row in the agent (notReady or notInService) "
			    "until active is set; destroy deletes the row. Existing rows are "
			    "active and cannot be taken out of service. Every change is one "
			    "transaction of the running configuration.");
		fprintf(f, "\t::= { %s %u }\n\n", e, AGENT_COL_ROWSTATUS);
	}
}

#include "tools/mibgen_fixed.h"

static int gen_mib(void)
{
	char *body = NULL, *cg = NULL, *sg = NULL;
	size_t blen = 0, cglen = 0, sglen = 0;
	FILE *f = open_memstream(&body, &blen), *fcg = open_memstream(&cg, &cglen),
	     *fsg = open_memstream(&sg, &sglen);

	if (!f || !fcg || !fsg)
		return 1;
	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		if (t->flags & CONF_TF_GLOBALS)
			put_globals(f, fcg, t);
		else
			put_table(f, (t->flags & CONF_TF_STATUS) ? fsg : fcg, t);
	}
	fclose(f);
	fclose(fcg);
	fclose(fsg);
	mib_head(stdout);
	fputs(body, stdout);
	mib_tail(stdout, cg, sglen ? sg : NULL);
	free(body);
	free(cg);
	free(sg);
	return failed;
}

static void sample_type(const struct conf_column *c, char *ty)
{
	*ty = agent_col_syntax(c) == AGENT_SYN_TEXT ? 's' : 'i';
}

static int gen_samples(void)
{
	char buf[2048], ty;

	for (unsigned i = 0; i < conf_ntables; i++) {
		const struct conf_table *t = conf_tables[i];
		int referenced = 0;
		if (t->flags & CONF_TF_STATUS)
			continue;
		for (unsigned j = 0; j < conf_ntables; j++)
			for (unsigned k = 0; k < conf_tables[j]->ncols; k++)
				if (conf_tables[j]->cols[k].type == CONF_T_REF &&
				    !strcasecmp(conf_tables[j]->cols[k].ref, t->name))
					referenced = 1;
		if (!(t->flags & CONF_TF_GLOBALS))
			printf("T %s %u %d %d\n", t->name, t->mib, agent_table_creatable(t),
			       referenced);
		for (unsigned k = 0; k < t->ncols; k++) {
			const struct conf_column *c = &t->cols[k];
			if (!agent_col_writable(t, c))
				continue;
			sample_type(c, &ty);
			conf_value_sample(t, (int)k, 1, buf, sizeof(buf));
			if (t->flags & CONF_TF_GLOBALS)
				printf("%c %s %u %c %s\n", c->flags & CONF_F_SECRET ? 'S' : 'G',
				       c->name, c->mib, ty, buf);
			else
				printf("C %s %s %u %c %d %d %d %s\n", t->name, c->name, c->mib, ty,
				       !!(c->flags & CONF_F_MANDATORY), !!(c->flags & CONF_F_NAME),
				       !!(c->flags & CONF_F_SECRET), buf);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "mib"))
		return gen_mib();
	if (argc == 2 && !strcmp(argv[1], "samples"))
		return gen_samples();
	if (argc == 2 && !strcmp(argv[1], "arc")) {
		printf("1.3.6.1.4.1");
		for (unsigned i = 0; i < sizeof(arc) / sizeof(arc[0]); i++)
			printf(".%u", arc[i]);
		putchar('\n');
		return 0;
	}
	fprintf(stderr, "usage: bench-snmp_mibgen mib|samples|arc\n");
	return 2;
}

/* Flash saves and generations (sbc/flash.h): every crash point of a save leaves one whole save. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ini/ini.h"
#include "sbc/flash.h"
#include "tests/unit/unit.h"

static char err[1024];

static void put(const char *dir, const char *name, const char *text)
{
	char p[600], q[600];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	snprintf(q, sizeof(q), "%s", p);
	for (char *s = strchr(q + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		mkdir(q, 0700);
		*s = '/';
	}
	f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
}

/* The content of dir/name, "" when missing (static buffer). */
static const char *get(const char *dir, const char *name)
{
	static char buf[4096];
	char p[600];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	buf[0] = 0;
	if (!(f = fopen(p, "r")))
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void fresh(const char *name, char *dir, size_t len)
{
	snprintf(dir, len, "%s/flash-%s", unit_tmpdir(), name);
	flash_tree_remove(dir);
	mkdir(dir, 0700);
}

/* A save: old board.ini + tls/0, new ones in .save-commit, crashed at each step of the move. */
static void crash_at(unsigned step)
{
	char dir[512], name[32];

	snprintf(name, sizeof(name), "crash%u", step);
	fresh(name, dir, sizeof(dir));
	put(dir, "board.ini", "old");
	put(dir, "tls/0/certificate.pem", "old cert");
	put(dir, "generations/.partial/board.ini", "half a copy");
	switch (step) {
	case 0: /* before the commit point: the new save is not complete */
		put(dir, ".save-new/board.ini", "new");
		return;
	case 1: /* committed, nothing moved */
		put(dir, ".save-commit/board.ini", "new");
		put(dir, ".save-commit/tls/0/certificate.pem", "new cert");
		return;
	case 2: /* old tls/ moved aside, new one not yet in place */
		put(dir, ".save-commit/board.ini", "new");
		put(dir, ".save-commit/tls/0/certificate.pem", "new cert");
		snprintf(name, sizeof(name), "%s/tls", dir);
		flash_tree_remove(name);
		put(dir, ".save-old/0/certificate.pem", "old cert");
		return;
	case 3: /* tls/ in place, board.ini not yet */
		put(dir, ".save-commit/board.ini", "new");
		put(dir, "tls/0/certificate.pem", "new cert");
		put(dir, ".save-old/0/certificate.pem", "old cert");
		return;
	default: /* both in place, leftovers not yet removed */
		put(dir, "board.ini", "new");
		put(dir, "tls/0/certificate.pem", "new cert");
		put(dir, ".save-old/0/certificate.pem", "old cert");
		snprintf(name, sizeof(name), "%s/.save-commit", dir);
		mkdir(name, 0700);
		return;
	}
}

static void test_crash_points(void)
{
	char dir[512];

	for (unsigned step = 0; step <= 4; step++) {
		crash_at(step);
		snprintf(dir, sizeof(dir), "%s/flash-crash%u", unit_tmpdir(), step);
		flash_clean(dir);
		/* before the commit point the old save, after it the new one: never a mix */
		CU_ASSERT_STRING_EQUAL(get(dir, "board.ini"), step ? "new" : "old");
		CU_ASSERT_STRING_EQUAL(get(dir, "tls/0/certificate.pem"),
				       step ? "new cert" : "old cert");
		CU_ASSERT_STRING_EQUAL(get(dir, ".save-new/board.ini"), "");
		CU_ASSERT_STRING_EQUAL(get(dir, ".save-old/0/certificate.pem"), "");
		CU_ASSERT_STRING_EQUAL(get(dir, "generations/.partial/board.ini"), "");
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/.save-commit");
		CU_ASSERT_NOT_EQUAL(access(dir, F_OK), 0);
	}
}

/* Saves keep the previous one; saving the same twice makes no generation; FLASH_KEEP kept. */
static void test_generations(void)
{
	char dir[512], mat[512], p[600];
	struct conf_store *st = ini_factory();
	struct flash_gen *g;
	unsigned n;

	fresh("gens", dir, sizeof(dir));
	fresh("gens-mat", mat, sizeof(mat));
	put(mat, "tls/0/certificate.pem", "cert 0");
	CU_ASSERT_EQUAL(flash_save(dir, st, mat, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL(get(dir, "tls/0/certificate.pem"), "cert 0");
	CU_ASSERT_EQUAL(flash_save(dir, st, mat, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(flash_gen_list(dir, &g, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 1); /* the same save twice: no generation */
	free(g);
	for (unsigned i = 1; i <= FLASH_KEEP + 2; i++) {
		snprintf(p, sizeof(p), "cert %u", i);
		put(mat, "tls/0/certificate.pem", p);
		CU_ASSERT_EQUAL(flash_save(dir, st, mat, err, sizeof(err)), 0);
	}
	CU_ASSERT_EQUAL(flash_gen_list(dir, &g, &n, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(n, 1 + FLASH_KEEP);
	CU_ASSERT(n > 2 && g[0].id == 0 && g[1].id > g[2].id && g[0].valid && g[1].valid);
	if (n > 1) {
		flash_gen_dir(dir, g[1].id, p, sizeof(p));
		snprintf(mat, sizeof(mat), "cert %u", FLASH_KEEP + 1);
		CU_ASSERT_STRING_EQUAL(get(p, "tls/0/certificate.pem"), mat);
	}
	free(g);
	/* a board.ini where a directory is refuses the save, changing nothing */
	snprintf(p, sizeof(p), "%s/board.ini", dir);
	unlink(p);
	mkdir(p, 0700);
	CU_ASSERT_EQUAL(flash_save(dir, st, NULL, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
	rmdir(p);
	conf_store_free(st);
}

/* A board.ini that does not validate boots the newest valid generation; empty: factory. */
static void test_rollback(void)
{
	char dir[512], why[300], p[600];
	struct conf_store *st = ini_factory(), *got;
	struct conf_diag d;
	unsigned gen = 99;

	fresh("rollback", dir, sizeof(dir));
	conf_diag_init(&d);
	got = flash_boot_load(dir, &d, &gen, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(got); /* empty flash: factory */
	CU_ASSERT_EQUAL(gen, 0);
	conf_store_free(got);
	CU_ASSERT_EQUAL(flash_save(dir, st, NULL, err, sizeof(err)), 0);
	put(dir, "board.ini", "[SIP Params]\nSIPSRequireClientCertificate = 1\n");
	CU_ASSERT_EQUAL(flash_save(dir, st, NULL, err, sizeof(err)), 0); /* gen 1: the one above */
	put(dir, "board.ini", "[SIP Params]\nSIPSRequireClientCertificate = 7\n");
	got = flash_boot_load(dir, &d, &gen, why, sizeof(why));
	CU_ASSERT_PTR_NOT_NULL(got);
	CU_ASSERT_EQUAL(gen, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "board.ini:2: SIPSRequireClientCertificate: 7"));
	CU_ASSERT(got && conf_global_int(got, "SIPSRequireClientCertificate") == 1);
	conf_store_free(got);
	/* restore generation 1: it becomes the current save, the invalid one generation 2 */
	CU_ASSERT_EQUAL(flash_gen_restore(dir, 1, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(get(dir, "board.ini"), "SIPSRequireClientCertificate = 1"));
	CU_ASSERT_EQUAL(flash_gen_restore(dir, 2, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "does not validate"));
	CU_ASSERT_EQUAL(flash_gen_restore(dir, 42, err, sizeof(err)), -1);
	snprintf(p, sizeof(p), "%s/board.ini", dir);
	unlink(p);
	conf_diag_free(&d);
	conf_diag_init(&d);
	got = flash_boot_load(dir, &d, &gen, why, sizeof(why));
	CU_ASSERT(got && gen > 0); /* missing board.ini with generations: not the factory */
	conf_store_free(got);
	conf_diag_free(&d);
	conf_store_free(st);
}

UNIT_SUITE(flash, {"every crash point of a save leaves one whole save", test_crash_points},
	   {"saves keep generations", test_generations},
	   {"a bad board.ini boots the last known good", test_rollback});

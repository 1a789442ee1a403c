/* Bounded reads and all-or-nothing writes of context files (tls/file.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test_tls_util.h"
#include "tests/unit/unit.h"
#include "tls/file.h"
#include "tls/tls.h"

static char err[512];

static void test_read_limits(void)
{
	char dir[512], path[600];
	unsigned char *buf = (unsigned char *)"x";
	size_t len = 9;
	char *big;

	tls_test_dir("read", dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/missing", dir);
	CU_ASSERT_EQUAL(tls_file_read(path, 1, &buf, &len, err, sizeof(err)), 0);
	CU_ASSERT_PTR_NULL(buf);
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(tls_file_read(path, 0, &buf, &len, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "missing: No such file or directory"));
	CU_ASSERT_EQUAL(tls_file_read(dir, 0, &buf, &len, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));

	big = malloc(TLS_MAX_INPUT + 1);
	memset(big, 'z', TLS_MAX_INPUT + 1);
	snprintf(path, sizeof(path), "%s/limit", dir);
	CU_ASSERT_EQUAL(tls_test_write(path, big, TLS_MAX_INPUT, 0644), 0);
	CU_ASSERT_EQUAL(tls_file_read(path, 0, &buf, &len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(len, TLS_MAX_INPUT);
	CU_ASSERT(buf && buf[len] == 0 && buf[len - 1] == 'z');
	tls_file_free(buf, len);
	CU_ASSERT_EQUAL(tls_test_write(path, big, TLS_MAX_INPUT + 1, 0644), 0);
	CU_ASSERT_EQUAL(tls_file_read(path, 0, &buf, &len, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "file too large"));
	free(big);
}

static int leftovers(const char *dir)
{
	struct tls_snap s;
	int n = 0;

	tls_snap_take(dir, &s);
	for (unsigned i = 0; i < s.n; i++)
		n += strstr(s.f[i].name, ".tmp.") || strstr(s.f[i].name, ".old");
	tls_snap_free(&s);
	return n;
}

static char *content(const char *dir, const char *name)
{
	char path[600];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return tls_test_slurp(path, NULL);
}

static void test_commit_and_rollback(void)
{
	char dir[512], a[600], b[600], *t;
	struct tls_stage st[2];
	struct stat sb;

	tls_test_dir("stage", dir, sizeof(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	CU_ASSERT_EQUAL(tls_test_write(a, "old a", 5, 0644), 0);
	/* Two files in one change: the key-and-certificate case. */
	CU_ASSERT_EQUAL(tls_stage_write(&st[0], a, "new a", 5, 0600, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(tls_stage_write(&st[1], b, "new b", 5, 0644, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(leftovers(dir), 2); /* the staged temp files */
	CU_ASSERT_EQUAL(tls_stage_commit(st, 2, err, sizeof(err)), 0);
	CU_ASSERT_STRING_EQUAL((t = content(dir, "a")), "new a");
	free(t);
	CU_ASSERT_STRING_EQUAL((t = content(dir, "b")), "new b");
	free(t);
	CU_ASSERT(stat(a, &sb) == 0 && (sb.st_mode & 07777) == 0600);
	CU_ASSERT_EQUAL(leftovers(dir), 0);

	/* The second rename fails: the first file is put back. */
	CU_ASSERT_EQUAL(tls_stage_write(&st[0], a, "newer a", 7, 0600, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(tls_stage_write(&st[1], b, "newer b", 7, 0644, err, sizeof(err)), 0);
	unlink(st[1].tmp);
	CU_ASSERT_EQUAL(tls_stage_commit(st, 2, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "b: cannot replace"));
	CU_ASSERT_STRING_EQUAL((t = content(dir, "a")), "new a");
	free(t);
	CU_ASSERT_STRING_EQUAL((t = content(dir, "b")), "new b");
	free(t);
	CU_ASSERT_EQUAL(leftovers(dir), 0);

	/* A file that did not exist before is removed again on rollback. */
	snprintf(b, sizeof(b), "%s/c", dir);
	CU_ASSERT_EQUAL(tls_stage_write(&st[0], b, "c", 1, 0644, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(tls_stage_write(&st[1], a, "a", 1, 0644, err, sizeof(err)), 0);
	unlink(st[1].tmp);
	CU_ASSERT_EQUAL(tls_stage_commit(st, 2, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(access(b, F_OK), -1);
	CU_ASSERT_EQUAL(leftovers(dir), 0);

	/* Discard and removal. */
	CU_ASSERT_EQUAL(tls_stage_write(&st[0], a, "x", 1, 0644, err, sizeof(err)), 0);
	tls_stage_discard(st, 1);
	CU_ASSERT_EQUAL(leftovers(dir), 0);
	tls_stage_remove(&st[0], a);
	CU_ASSERT_EQUAL(tls_stage_commit(st, 1, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(access(a, F_OK), -1);
	tls_stage_remove(&st[0], a);
	CU_ASSERT_EQUAL(tls_stage_commit(st, 1, err, sizeof(err)), 0);
}

static void test_dirs_and_perms(void)
{
	char dir[512], sub[600], key[700];
	struct stat sb;

	tls_test_dir("mkdir", dir, sizeof(dir));
	snprintf(sub, sizeof(sub), "%s/flash/tls/7", dir);
	CU_ASSERT_EQUAL(tls_dir_make(sub, err, sizeof(err)), 0);
	CU_ASSERT(stat(sub, &sb) == 0 && S_ISDIR(sb.st_mode) && (sb.st_mode & 0777) == 0700);
	CU_ASSERT_EQUAL(tls_dir_make(sub, err, sizeof(err)), 0);
	snprintf(key, sizeof(key), "%s/k", sub);
	CU_ASSERT_EQUAL(tls_test_write(key, "k", 1, 0600), 0);
	CU_ASSERT_EQUAL(tls_dir_make(key, err, sizeof(err)), -1);
	CU_ASSERT_EQUAL(tls_key_perms_check(key, err, sizeof(err)), 0);
	chmod(key, 0660);
	CU_ASSERT_EQUAL(tls_key_perms_check(key, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "mode 0660"));
	CU_ASSERT_EQUAL(tls_key_perms_check(sub, err, sizeof(err)), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "not a regular file"));
}

UNIT_SUITE(tls_file, {"bounded reads", test_read_limits},
	   {"staged writes: commit, rollback, discard, removal", test_commit_and_rollback},
	   {"directories and key permissions", test_dirs_and_perms});

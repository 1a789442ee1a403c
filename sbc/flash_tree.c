/* Directory trees of the flash and the running material: copy, compare, remove. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbc/flash.h"

#define FILE_MAX (16u << 20)

static int is_dir(const char *p)
{
	struct stat sb;

	return lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static void sync_dir(const char *p)
{
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

void flash_tree_remove(const char *path)
{
	DIR *d;
	struct dirent *de;
	char p[PATH_MAX];

	if (!is_dir(path)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
			flash_tree_remove(p);
		}
	if (d)
		closedir(d);
	rmdir(path);
}

/* One regular file, mode and time kept (a key stays 0600); fsync'd when sync. */
int flash_file_copy(const char *src, const char *dst, const struct stat *sb, int sync, char *err,
		    size_t errlen)
{
	const struct timespec times[2] = {sb->st_atim, sb->st_mtim};
	mode_t mode = sb->st_mode;
	size_t len;
	char *buf = flash_read_file(src, FILE_MAX, &len, err, errlen);
	int fd, rc = -1;

	if (!buf)
		return -1;
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 0777);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", dst, strerror(errno));
		goto out;
	}
	fchmod(fd, mode & 0777);
	if (write(fd, buf, len) != (ssize_t)len || (sync && fsync(fd) < 0))
		snprintf(err, errlen, "%s: %s", dst, strerror(errno ? errno : EIO));
	else
		rc = 0;
	futimens(fd, times);
	if (close(fd) < 0 && rc == 0) {
		snprintf(err, errlen, "%s: close: %s", dst, strerror(errno));
		rc = -1;
	}
out:
	explicit_bzero(buf, len);
	free(buf);
	return rc;
}

int flash_tree_copy(const char *src, const char *dst, int sync, char *err, size_t errlen)
{
	char s[PATH_MAX], t[PATH_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int rc = 0;

	if (mkdir(dst, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dst, strerror(errno));
		return -1;
	}
	if (!(d = opendir(src))) {
		snprintf(err, errlen, "%s: %s", src, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue; /* ., .., and temporary files of an interrupted write */
		snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
		snprintf(t, sizeof(t), "%s/%s", dst, de->d_name);
		if (lstat(s, &sb) < 0)
			continue;
		if (S_ISDIR(sb.st_mode))
			rc = flash_tree_copy(s, t, sync, err, errlen);
		else if (S_ISREG(sb.st_mode) && !strstr(de->d_name, ".tmp"))
			rc = flash_file_copy(s, t, &sb, sync, err, errlen);
	}
	closedir(d);
	if (rc == 0 && sync)
		sync_dir(dst);
	return rc;
}

static int tree_covers(const char *a, const char *b)
{
	char pa[PATH_MAX], pb[PATH_MAX], err[PATH_MAX + 64];
	struct dirent *de;
	struct stat sa;
	DIR *d = opendir(a);
	int eq = 1;

	while (eq && d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp"))
			continue;
		snprintf(pa, sizeof(pa), "%s/%s", a, de->d_name);
		snprintf(pb, sizeof(pb), "%s/%s", b, de->d_name);
		if (lstat(pa, &sa) < 0)
			continue;
		if (S_ISDIR(sa.st_mode)) {
			eq = flash_tree_equal(pa, pb);
		} else if (S_ISREG(sa.st_mode)) {
			size_t la, lb;
			char *x = flash_read_file(pa, FILE_MAX, &la, err, sizeof(err));
			char *y = x ? flash_read_file(pb, FILE_MAX, &lb, err, sizeof(err)) : NULL;
			eq = x && y && la == lb && memcmp(x, y, la) == 0;
			if (x)
				explicit_bzero(x, la);
			if (y)
				explicit_bzero(y, lb);
			free(x);
			free(y);
		}
	}
	if (d)
		closedir(d);
	return eq;
}

int flash_tree_equal(const char *a, const char *b)
{
	return tree_covers(a, b) && tree_covers(b, a);
}

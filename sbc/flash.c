/* The flash directory: board.ini load, atomic file writes and reads (saves: flash_gen.c). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ini/ini.h"
#include "sbc/flash.h"

#define BOARD_MAX (256u << 20)

char *flash_read_file(const char *path, size_t max, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *buf;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &sb) < 0 || (size_t)sb.st_size > max) {
		snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, (size_t)sb.st_size, f);
	buf[*len] = 0;
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

int flash_write_file(const char *path, const void *data, size_t len, unsigned mode, char *err,
		     size_t errlen)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *p = data;
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	fchmod(fd, mode);
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: %s", tmp,
				 n < 0 ? strerror(errno) : "short write");
			goto fail;
		}
		p += n, len -= (size_t)n;
	}
	if (fsync(fd) < 0) {
		snprintf(err, errlen, "%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		snprintf(err, errlen, "%s: close: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

struct conf_store *flash_load(const char *dir, struct conf_diag *d)
{
	char path[PATH_MAX], err[PATH_MAX + 100];
	struct conf_store *st;
	size_t len;
	char *text;

	snprintf(path, sizeof(path), "%s/board.ini", dir);
	if (access(path, F_OK) != 0) {
		st = ini_factory();
		if (!st)
			conf_diag_add(d, 1, "cannot build the factory configuration");
		return st;
	}
	/* it holds password hashes: refused, not fixed, when others may read it (as keys) */
	struct stat sb;
	if (stat(path, &sb) == 0 && (sb.st_mode & 077)) {
		conf_diag_add(d, 1,
			      "%s: mode %04o lets group or others read the password hashes: "
			      "refused (chmod 600 it)",
			      path, (unsigned)(sb.st_mode & 07777));
		return NULL;
	}
	text = flash_read_file(path, BOARD_MAX, &len, err, sizeof(err));
	if (!text) {
		conf_diag_add(d, 1, "%s", err);
		return NULL;
	}
	/* sbcd's own saves carry hashes: taken as hashes here only */
	int was = conf_hash_import(1);
	st = ini_build(NULL, text, len, path, INI_REPLACE, 0, d);
	conf_hash_import(was);
	free(text);
	return st;
}

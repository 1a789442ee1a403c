/* Bounded reads and crash-safe writes of the files of a context directory. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "tls/err.h"
#include "tls/file.h"
#include "tls/tls.h"

int tls_path(char *out, size_t outlen, const char *dir, const char *name, char *err, size_t errlen)
{
	int n = snprintf(out, outlen, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= outlen)
		return tls_errf(err, errlen, "%s/%s: path too long", dir, name);
	return 0;
}

int tls_file_read(const char *path, int optional, unsigned char **buf, size_t *len, char *err,
		  size_t errlen)
{
	struct stat st;
	unsigned char *b;
	size_t got = 0;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && optional)
			return 0;
		return tls_errf(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tls_errf(err, errlen, "%s: not a regular file", path);
	}
	if (st.st_size > TLS_MAX_INPUT) {
		close(fd);
		return tls_errf(err, errlen, "%s: file too large (more than %d bytes)", path,
				TLS_MAX_INPUT);
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return tls_errf(err, errlen, "%s: out of memory", path);
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? errno : EIO;
			close(fd);
			tls_file_free(b, got);
			return tls_errf(err, errlen, "%s: %s", path, strerror(e));
		}
		got += (size_t)r;
	}
	close(fd);
	b[got] = 0;
	*buf = b;
	*len = got;
	return 0;
}

void tls_file_free(unsigned char *buf, size_t len)
{
	if (buf)
		OPENSSL_clear_free(buf, len + 1);
}

int tls_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int tls_dir_make(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	char tmp[PATH_MAX];
	size_t n = strlen(dir);

	if (!n || n >= sizeof(tmp))
		return tls_errf(err, errlen, "%s: bad directory name", dir);
	memcpy(tmp, dir, n + 1);
	for (char *p = tmp + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return tls_errf(err, errlen, "%s: %s", tmp, strerror(errno));
		*p = c;
		if (!c)
			break;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return tls_errf(err, errlen, "%s: not a directory", dir);
	return 0;
}

int tls_key_perms_check(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return tls_errf(err, errlen, "%s: %s", path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return tls_errf(err, errlen, "%s: not a regular file", path);
	if (st.st_mode & 077)
		return tls_errf(err, errlen,
				"%s: mode %04o lets group or others access the private key "
				"(must be 0600 or stricter)",
				path, (unsigned)(st.st_mode & 07777));
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int tls_stage_write(struct tls_stage *s, const char *path, const void *buf, size_t len, mode_t mode,
		    char *err, size_t errlen)
{
	int fd, n;

	s->tmp[0] = 0;
	if (snprintf(s->path, sizeof(s->path), "%s", path) >= (int)sizeof(s->path))
		return tls_errf(err, errlen, "%s: path too long", path);
	n = snprintf(s->tmp, sizeof(s->tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(s->tmp)) {
		s->tmp[0] = 0;
		return tls_errf(err, errlen, "%s: path too long", path);
	}
	/* mkstemp creates 0600, so a key is never readable by others, not even briefly. */
	fd = mkostemp(s->tmp, O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		s->tmp[0] = 0;
		return tls_errf(err, errlen, "%s: cannot create a temporary file: %s", path,
				strerror(e));
	}
	if (write_all(fd, buf, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(s->tmp);
		s->tmp[0] = 0;
		return tls_errf(err, errlen, "%s: cannot write: %s", path, strerror(e));
	}
	if (close(fd) < 0) {
		int e = errno;
		unlink(s->tmp);
		s->tmp[0] = 0;
		return tls_errf(err, errlen, "%s: cannot write: %s", path, strerror(e));
	}
	return 0;
}

void tls_stage_remove(struct tls_stage *s, const char *path)
{
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->tmp[0] = 0;
}

void tls_stage_discard(struct tls_stage *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (s[i].tmp[0]) {
			unlink(s[i].tmp);
			s[i].tmp[0] = 0;
		}
}

static int sync_dir_of(const char *path)
{
	char tmp[PATH_MAX];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s", path);
	fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int apply(const struct tls_stage *s)
{
	if (s->tmp[0])
		return rename(s->tmp, s->path);
	return (unlink(s->path) < 0 && errno != ENOENT) ? -1 : 0;
}

/* Backup of s->path as a hard link; 1 made, 0 nothing to back up, -1 error. */
static int backup(const struct tls_stage *s, char *bak, size_t len)
{
	snprintf(bak, len, "%s.old", s->path);
	unlink(bak);
	if (link(s->path, bak) == 0)
		return 1;
	return errno == ENOENT ? 0 : -1;
}

int tls_stage_commit(struct tls_stage *s, unsigned n, char *err, size_t errlen)
{
	char bak[8][PATH_MAX + 8];
	int have[8] = {0};
	unsigned i, done;
	int e;

	if (n > 8) {
		tls_stage_discard(s, n);
		return tls_errf(err, errlen, "too many files in one change");
	}
	/* One file needs no backup: rename(2) replaces it atomically. */
	for (i = 0; n > 1 && i < n; i++) {
		have[i] = backup(&s[i], bak[i], sizeof(bak[i]));
		if (have[i] < 0) {
			e = errno;
			goto undo_backups;
		}
	}
	for (done = 0; done < n; done++)
		if (apply(&s[done]) < 0)
			break;
	if (done < n) {
		e = errno;
		/* Put back what was replaced, drop what was new, forget unused backups. */
		for (i = 0; i < n; i++) {
			if (i < done && have[i] == 1)
				rename(bak[i], s[i].path);
			else if (i < done)
				unlink(s[i].path);
			else if (have[i] == 1)
				unlink(bak[i]);
		}
		tls_errf(err, errlen, "%s: cannot replace: %s", s[done].path, strerror(e));
		tls_stage_discard(s, n);
		sync_dir_of(s[0].path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		s[i].tmp[0] = 0;
		if (have[i] == 1)
			unlink(bak[i]);
	}
	if (n && sync_dir_of(s[0].path) < 0)
		return tls_errf(err, errlen, "%s: cannot sync the directory: %s", s[0].path,
				strerror(errno));
	return 0;

undo_backups:
	for (unsigned j = 0; j < i; j++)
		if (have[j] == 1)
			unlink(bak[j]);
	tls_stage_discard(s, n);
	return tls_errf(err, errlen, "%s: cannot back up: %s", s[i].path, strerror(e));
}

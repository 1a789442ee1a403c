/* Single instance: flock on the flash directory and on a lock file beside the socket. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sbc/sbcd_lock.h"

int sbcd_lock_holder(int fd)
{
	struct stat sb;
	char line[256];
	FILE *f;
	int pid = 0;

	if (fstat(fd, &sb) < 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	/* "1: FLOCK  ADVISORY  WRITE 1234 fe:01:5678 0 EOF"; "->" lines are waiters */
	while (!pid && fgets(line, sizeof(line), f)) {
		char kind[16];
		unsigned maj, min;
		unsigned long long ino;
		int p;
		if (strstr(line, "->") || sscanf(line, "%*d: %15s %*s %*s %d %x:%x:%llu", kind, &p,
						 &maj, &min, &ino) != 5)
			continue;
		/* inode only: on overlay file systems st_dev is not the device /proc/locks shows */
		if (!strcmp(kind, "FLOCK") && ino == (unsigned long long)sb.st_ino)
			pid = p;
	}
	fclose(f);
	return pid;
}

static int lock_fd(int fd, const char *what, const char *path, char *err, size_t errlen)
{
	int pid;

	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK) {
		snprintf(err, errlen, "%s %s: cannot lock: %s", what, path, strerror(errno));
		return -1;
	}
	pid = sbcd_lock_holder(fd);
	if (pid > 0)
		snprintf(err, errlen, "%s %s is in use by another sbcd (pid %d)", what, path, pid);
	else
		snprintf(err, errlen, "%s %s is in use by another sbcd", what, path);
	return -1;
}

int sbcd_lock_take(struct sbcd_lock *l, const char *flashdir, const char *sockpath, char *err,
		   size_t errlen)
{
	char lockpath[PATH_MAX];

	l->flash_fd = l->sock_fd = -1;
	if (snprintf(lockpath, sizeof(lockpath), "%s.lock", sockpath) >= (int)sizeof(lockpath)) {
		snprintf(err, errlen, "control socket %s: path too long", sockpath);
		return -1;
	}
	if (mkdir(flashdir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "flash %s: %s", flashdir, strerror(errno));
		return -1;
	}
	l->flash_fd = open(flashdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->flash_fd < 0) {
		snprintf(err, errlen, "flash %s: %s", flashdir, strerror(errno));
		return -1;
	}
	if (lock_fd(l->flash_fd, "flash", flashdir, err, errlen) < 0)
		goto fail;
	l->sock_fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (l->sock_fd < 0) {
		snprintf(err, errlen, "control socket lock %s: %s", lockpath, strerror(errno));
		goto fail;
	}
	if (lock_fd(l->sock_fd, "control socket", sockpath, err, errlen) < 0)
		goto fail;
	return 0;
fail:
	sbcd_lock_release(l);
	return -1;
}

void sbcd_lock_release(struct sbcd_lock *l)
{
	if (l->sock_fd >= 0)
		close(l->sock_fd);
	if (l->flash_fd >= 0)
		close(l->flash_fd);
	l->flash_fd = l->sock_fd = -1;
}

/*
 * sbcd_lock: one sbcd per flash directory and per control socket. Both are
 * held with flock(2) for the life of the process (the flash directory itself,
 * and "<socket>.lock" beside the socket, which is never removed), so a second
 * sbcd learns about the first before it touches anything: it neither unlinks
 * the socket nor writes the pid file nor cleans the flash.
 */
#ifndef SBC_SBCD_LOCK_H
#define SBC_SBCD_LOCK_H

#include <stddef.h>

struct sbcd_lock {
	int flash_fd; /* the flash directory, flock()ed; -1 when not held */
	int sock_fd;  /* <socket>.lock, flock()ed; -1 when not held */
};

/*
 * Takes both locks (creating the flash directory when absent). 0, or -1 with
 * err naming what is held and, when known, by which pid ("flash /x is in use
 * by sbcd pid 123"). Nothing is held after a failure.
 */
int sbcd_lock_take(struct sbcd_lock *l, const char *flashdir, const char *sockpath, char *err,
		   size_t errlen);
/* Releases both (closes the descriptors); the lock file stays. */
void sbcd_lock_release(struct sbcd_lock *l);
/* The pid holding an flock on the file open as fd (from /proc/locks), or 0 when unknown. */
int sbcd_lock_holder(int fd);

#endif

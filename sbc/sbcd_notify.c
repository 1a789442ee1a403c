/* sd_notify by hand: one AF_UNIX datagram to $NOTIFY_SOCKET. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <sofia-sip/su_wait.h>

#include "conf/num.h"
#include "log/log.h"
#include "sbc/sbcd_notify.h"

static su_timer_t *wd_timer;

int sbcd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t salen;
	size_t n;
	int fd;
	ssize_t sent;

	if (!path || !*path)
		return 0;
	n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof(sa.sun_path)) {
		log_warnx("sd_notify: unusable NOTIFY_SOCKET '%s'", path);
		return -1;
	}
	memcpy(sa.sun_path, path, n);
	if (path[0] == '@')
		sa.sun_path[0] = 0; /* abstract namespace: no terminating NUL counted */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_warnx("sd_notify: socket: %s", strerror(errno));
		return -1;
	}
	sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	close(fd);
	if (sent < 0) {
		log_warnx("sd_notify %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void wd_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	sbcd_notify("WATCHDOG=1");
}

int sbcd_notify_watchdog_start(su_root_t *root)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long us;
	char *end;

	if (!usec || !*usec || !getenv("NOTIFY_SOCKET"))
		return 0;
	long long wpid;
	char err[160];

	if (pid && *pid) {
		if (conf_num_parse("WATCHDOG_PID", pid, 1, 1LL << 31, &wpid, err, sizeof(err)) <
		    0) {
			log_warnx("sd_notify: %s", err);
			return -1;
		}
		if (wpid != (long long)getpid())
			return 0;
	}
	errno = 0;
	us = strtoull(usec, &end, 10);
	if (errno || *end || us == 0) {
		log_warnx("sd_notify: WATCHDOG_USEC '%s' is not a number of microseconds", usec);
		return -1;
	}
	/* half the period, as sd_watchdog_enabled(3) advises; at least every 10 ms */
	us /= 2;
	if (us < 10000)
		us = 10000;
	wd_timer = su_timer_create(su_root_task(root), (su_duration_t)(us / 1000));
	if (!wd_timer || su_timer_set_for_ever(wd_timer, wd_tick, NULL) < 0) {
		log_errx("sd_notify: cannot start the watchdog timer");
		return -1;
	}
	sbcd_notify("WATCHDOG=1");
	log_info("systemd watchdog: pinging every %llu ms", us / 1000);
	return 0;
}

void sbcd_notify_watchdog_stop(void)
{
	if (wd_timer)
		su_timer_destroy(wd_timer);
	wd_timer = NULL;
}

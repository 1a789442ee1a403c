/* sbcd: start-up, the event loop, clean shutdown and reset (re-execution from flash). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sofia-sip/su.h>

#include "conf/store.h"
#include "control/ctl.h"
#include "sbc/ctl_server.h"
#include "sbc/flash.h"
#include "log/log.h"
#include "sbc/sbcd.h"
#include "sbc/sbcd_boot.h"
#include "sbc/snmpd_conf.h"
#include "sbc/sbcd_lock.h"
#include "sbc/sbcd_notify.h"
#include "sbc/sip/sip_engine.h"
#include "sbc/version.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sbcd [-f] [-n] [--flash DIR] [--socket PATH] [--pidfile PATH]\n"
		"            [--rundir DIR] [--snmpd-include FILE] [--snmpd-pidfile PATH]\n"
		"  -f, --foreground  stay in the foreground and log to stderr as well\n"
		"  -n, --check       check the flash (configuration and TLS material), print\n"
		"                    every error and exit non-zero on any\n"
		"  --flash DIR       flash directory (default /var/lib/sbc/flash)\n"
		"  --socket PATH     control socket (default " CTL_DEFAULT_SOCKET ")\n"
		"  --pidfile PATH    pid file (default none)\n"
		"  --rundir DIR      runtime files (default: <socket directory>/sbcd-run)\n"
		"  --snmpd-include FILE\n"
		"                    the snmpd master's include file written from the SNMP tables\n"
		"                    (absolute, ending in .conf; default none: doc/SNMP.md)\n"
		"  --snmpd-pidfile PATH\n"
		"                    the snmpd master's pid file: SIGHUP after each change\n");
}

static int write_pidfile(const char *path)
{
	char buf[32], err[256];
	int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (flash_write_file(path, buf, (size_t)n, 0644, err, sizeof(err)) < 0) {
		log_errx("pid file: %s", err);
		return -1;
	}
	return 0;
}

static int on_signal(su_root_magic_t *m, su_wait_t *w, su_wakeup_arg_t *arg)
{
	struct sbcd *s = (struct sbcd *)arg;
	struct signalfd_siginfo si;

	if (read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			/* documented in sbcd(8): reopen the log, nothing else */
			log_reopen();
			log_info(
			    "SIGHUP: log reopened; configuration unchanged (use reset to reload)");
			return 0;
		}
		log_info("signal %u: shutting down", si.ssi_signo);
		s->stop_requested = 1;
		su_root_break(s->root);
	}
	return 0;
}

/*
 * The soft descriptor limit up to the hard one (capped at 1M): each SIP connection is a
 * descriptor, and the SIP engine keeps a reserve below this limit for the control socket,
 * flash saves and logging (sip_tcp_limit, sbc/sip/sip_internal.h). Under the unit, LimitNOFILE= has
 * done it already.
 */
static void raise_nofile(void)
{
	struct rlimit rl;
	rlim_t want;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	want = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (1u << 20) ? (1u << 20) : rl.rlim_max;
	if (rl.rlim_cur < want) {
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			log_warnx("descriptor limit stays at %llu (hard limit %llu): setrlimit: %s",
				  (unsigned long long)was, (unsigned long long)rl.rlim_max,
				  strerror(errno));
			rl.rlim_cur = was;
		}
	}
	/* every SIP connection is a descriptor: the operator sizes MaxTLSConnections by this */
	log_info("descriptor limit %llu (hard limit %llu); SIP connections may use all but an "
		 "eighth of it",
		 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
}

static int absolute(const char *in, char *out, size_t len)
{
	char cwd[PATH_MAX];

	if (in[0] == '/')
		return snprintf(out, len, "%s", in) < (int)len ? 0 : -1;
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	return snprintf(out, len, "%s/%s", cwd, in) < (int)len ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"foreground", no_argument, NULL, 'f'},
					     {"check", no_argument, NULL, 'n'},
					     {"flash", required_argument, NULL, 'F'},
					     {"socket", required_argument, NULL, 'S'},
					     {"pidfile", required_argument, NULL, 'P'},
					     {"rundir", required_argument, NULL, 'R'},
					     {"reexec", no_argument, NULL, 'X'},
					     {"snmpd-include", required_argument, NULL, 'I'},
					     {"snmpd-pidfile", required_argument, NULL, 'Q'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct sbcd s = {0};
	const char *flash = "/var/lib/sbc/flash", *sock = NULL, *pidfile = NULL, *rundir = NULL;
	const char *snmpd_inc = NULL, *snmpd_pid = NULL;
	char pidabs[PATH_MAX] = "", self[PATH_MAX], err[PATH_MAX + 128];
	struct sbcd_lock lock;
	ssize_t selflen;
	int foreground = 0, check = 0, reexec = 0, c, sfd, rc = 1;
	sigset_t mask;
	su_wait_t sw;

	while ((c = getopt_long(argc, argv, "fnh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			foreground = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'F':
			flash = optarg;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'P':
			pidfile = optarg;
			break;
		case 'R':
			rundir = optarg;
			break;
		case 'X':
			reexec = 1;
			break;
		case 'I':
			snmpd_inc = optarg;
			break;
		case 'Q':
			snmpd_pid = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (snmpd_conf_init(snmpd_inc, snmpd_pid, err, sizeof(err)) < 0) {
		fprintf(stderr, "sbcd: %s\n", err);
		return 2;
	}
	sock = ctl_socket_path(sock);
	if (absolute(flash, s.flashdir, sizeof(s.flashdir)) < 0 ||
	    absolute(sock, s.sockpath, sizeof(s.sockpath)) < 0 ||
	    (pidfile && absolute(pidfile, pidabs, sizeof(pidabs)) < 0)) {
		fprintf(stderr, "sbcd: path too long\n");
		return 2;
	}
	if (rundir) {
		if (absolute(rundir, s.rundir, sizeof(s.rundir)) < 0)
			return 2;
	} else {
		char *slash;
		snprintf(s.rundir, sizeof(s.rundir), "%s", s.sockpath);
		slash = strrchr(s.rundir, '/');
		snprintf(slash + 1, sizeof(s.rundir) - (size_t)(slash + 1 - s.rundir), "sbcd-run");
	}
	if (check)
		return sbcd_boot_check(s.flashdir) < 0 ? 1 : 0;

	/* the real path now: after a reset, /proc/self/exe would name the process "exe" */
	selflen = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (selflen <= 0) {
		fprintf(stderr, "sbcd: /proc/self/exe: %s\n", strerror(errno));
		return 1;
	}
	self[selflen] = 0;
	/* an upgrade replaced the file: a reset runs the new one */
	if (selflen > 10 && !strcmp(self + selflen - 10, " (deleted)"))
		self[selflen - 10] = 0;

	s.foreground = foreground;
	log_init("sbcd", foreground || reexec, 16);
	/* before daemon(): a second sbcd says so on stderr and exits non-zero, touching nothing */
	if (sbcd_lock_take(&lock, s.flashdir, s.sockpath, err, sizeof(err)) < 0) {
		log_errx("not started: %s", err);
		if (!foreground && !reexec)
			fprintf(stderr, "sbcd: not started: %s\n", err);
		return 1;
	}
	if (!foreground && !reexec) {
		/* the lock is taken again by the daemon, so that /proc/locks names its pid */
		sbcd_lock_release(&lock);
		if (daemon(0, 0) < 0) {
			perror("sbcd: daemon");
			return 1;
		}
		if (sbcd_lock_take(&lock, s.flashdir, s.sockpath, err, sizeof(err)) < 0) {
			log_errx("not started: %s", err);
			return 1;
		}
	}
	raise_nofile();
	if (pidabs[0] && write_pidfile(pidabs) < 0)
		return 1;
	su_init();
	s.root = su_root_create(NULL);
	if (!s.root) {
		log_errx("cannot create the event loop");
		goto out;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || su_wait_create(&sw, sfd, SU_WAIT_IN) < 0 ||
	    su_root_register(s.root, &sw, on_signal, (su_wakeup_arg_t *)&s, 0) < 0) {
		log_errx("cannot watch signals");
		goto out;
	}
	if (sbcd_boot(&s) < 0)
		goto out;
	log_info("sbcd %s ready: flash %s, control socket %s", SBC_VERSION, s.flashdir, s.sockpath);
	/* the control socket answers and the SIP listeners are bound: tell systemd */
	sbcd_notify("READY=1\nSTATUS=running");
	if (sbcd_notify_watchdog_start(s.root) < 0)
		goto out;
	su_root_run(s.root);
	rc = 0;
out:
	sbcd_notify(s.reset_requested && rc == 0 ? "RELOADING=1\nSTATUS=reset" : "STOPPING=1");
	sbcd_notify_watchdog_stop();
	sbcd_shutdown(&s);
	if (s.root)
		su_root_destroy(s.root);
	su_deinit();
	if (rc == 0 && s.reset_requested) {
		/* a reset re-executes sbcd so that the saved configuration is loaded afresh */
		char **nargv = calloc((size_t)argc + 2, sizeof(char *));
		int k = 0;
		log_info("reset: re-executing from flash");
		for (int i = 0; i < argc; i++)
			if (strcmp(argv[i], "--reexec") != 0)
				nargv[k++] = argv[i];
		nargv[k++] = "--reexec";
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		/* the new image takes the locks again (they are close-on-exec) */
		sbcd_lock_release(&lock);
		execv(self, nargv);
		log_errx("reset: cannot re-execute: %s", strerror(errno));
		return 1;
	}
	if (pidabs[0])
		unlink(pidabs);
	sbcd_lock_release(&lock);
	log_info("sbcd stopped");
	return rc;
}

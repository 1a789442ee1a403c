/*
 * Child processes of sbcd: start, watch, restart with back-off, stop. For a lab
 * run (`make run`) only: under systemd each program has its own unit and user
 * (packaging/systemd/), and sbcd.service sets SBCD_SUPERVISE=no. With
 * SBCD_CHILD_USERS=yes and sbcd running as root, each child runs as its own
 * system user (sbc-web, sbc-snmp; the names follow SBCD_WEB_USER and
 * SBCD_SNMP_USER as the control socket's roles do), as the units run them.
 * Opt-in: a root test run on a machine where those users exist keeps its
 * children as root, able to reach a socket in its private temp directory.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sofia-sip/su_wait.h>

#include "conf/store.h"
#include "log/log.h"
#include "sbc/alarms.h"
#include "sbc/sbcd.h"
#include "sbc/supervise.h"
#include "sbc/tlsmgr.h"

struct child {
	const char *name;
	const char *user; /* its system user, when sbcd runs as root */
	char path[PATH_MAX];
	char *argv[12];
	pid_t pid;
	time_t started;
	time_t next_start;
	unsigned delay;
	unsigned restarts;
	unsigned failures; /* exits in a row, each within CHILD_GOOD seconds of its start */
	int alarmed;
};

/* A child that runs this long has started well: its processDown alarm clears. */
#define CHILD_GOOD 10

static struct child children[4];
static unsigned nchildren;
static su_timer_t *timer;

extern char **environ;

/* sbcd's environment without what systemd meant for sbcd alone (its notify socket, watchdog). */
static char **child_env(void)
{
	static const char *const drop[] = {"NOTIFY_SOCKET=", "WATCHDOG_USEC=", "WATCHDOG_PID="};
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; env && i < n; i++) {
		int keep = 1;
		for (size_t d = 0; d < sizeof(drop) / sizeof(drop[0]); d++)
			keep &= strncmp(environ[i], drop[d], strlen(drop[d])) != 0;
		if (keep)
			env[k++] = environ[i];
	}
	return env;
}

/*
 * In the child, as root with SBCD_CHILD_USERS=yes: become c->user (with its
 * groups, e.g. sbc-ctl for the control socket); a missing user or any failure
 * to drop ends the child (exit status 126).
 */
static int child_drop(const struct child *c)
{
	const char *on = getenv("SBCD_CHILD_USERS");
	struct passwd *pw;

	if (geteuid() != 0 || !c->user || !on || strcmp(on, "yes"))
		return 0;
	if (!(pw = getpwnam(c->user))) {
		fprintf(stderr, "%s: SBCD_CHILD_USERS=yes but no user %s\n", c->name, c->user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0 || setuid(0) == 0) {
		fprintf(stderr, "%s: cannot become user %s: %s\n", c->name, c->user,
			strerror(errno));
		return -1;
	}
	return 0;
}

static void child_spawn(struct child *c)
{
	pid_t parent = getpid();
	char **env = child_env();
	pid_t pid;

	if (!env) {
		log_errx("%s: out of memory", c->name);
		return;
	}
	pid = fork();

	if (pid < 0) {
		log_errx("%s: fork: %s", c->name, strerror(errno));
		return;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* dies with sbcd (even SIGKILLed), so a new sbcd finds its ports free; sbcd may
		 * have died between fork and prctl: then the parent is no longer it */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(0);
		/* sofia-sip's sockets are not close-on-exec: a child must not hold SIP listeners */
		close_range(3, ~0U, 0);
		if (child_drop(c) < 0)
			_exit(126);
		execve(c->path, c->argv, env);
		_exit(127);
	}
	free(env);
	c->pid = pid;
	c->started = time(NULL);
	log_info("started %s (pid %d)", c->name, (int)pid);
}

/* Two quick exits in a row: an alarm (the back-off keeps it from becoming a crash loop). */
static void child_failed(struct child *c, int st)
{
	char src[48], text[400];

	if (++c->failures < 2)
		return;
	snprintf(src, sizeof(src), "process %s", c->name);
	if (WIFEXITED(st))
		snprintf(text, sizeof(text),
			 "%s cannot start: it exited with status %d %u times in a row, each within "
			 "%d s; retried every %u s. Its log says why (e.g. a web port in use: free "
			 "it or change HTTPSPort / HTTPPort, save, reset)",
			 c->name, WEXITSTATUS(st), c->failures, CHILD_GOOD, c->delay);
	else
		snprintf(
		    text, sizeof(text),
		    "%s cannot start: killed by signal %d %u times in a row, each within %d s; "
		    "retried every %u s",
		    c->name, WTERMSIG(st), c->failures, CHILD_GOOD, c->delay);
	alarm_set("processDown", src, ALARM_MAJOR, text);
	c->alarmed = 1;
}

static void on_tick(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	time_t now = time(NULL);

	for (unsigned i = 0; i < nchildren; i++) {
		struct child *c = &children[i];
		int st;
		if (c->pid > 0 && waitpid(c->pid, &st, WNOHANG) == c->pid) {
			if (WIFEXITED(st))
				log_warnx("%s (pid %d) exited with status %d", c->name, (int)c->pid,
					  WEXITSTATUS(st));
			else
				log_warnx("%s (pid %d) killed by signal %d", c->name, (int)c->pid,
					  WTERMSIG(st));
			if (c->started == 0) {
				/* stopped on purpose by supervise_restart: back at once */
				c->next_start = now;
			} else {
				/* a child that ran for a minute earns the short delay again */
				c->delay =
				    now - c->started >= 60 ? 1 : (c->delay ? c->delay * 2 : 1);
				if (c->delay > 30)
					c->delay = 30;
				c->next_start = now + c->delay;
			}
			c->pid = 0;
			c->restarts++;
			if (c->started && now - c->started < CHILD_GOOD)
				child_failed(c, st);
			else
				c->failures = 0;
		}
		if (c->pid > 0 && c->alarmed && now - c->started >= CHILD_GOOD) {
			char src[48];
			snprintf(src, sizeof(src), "process %s", c->name);
			alarm_set("processDown", src, ALARM_CLEARED, "");
			c->alarmed = 0;
			c->failures = 0;
		}
		if (c->pid == 0 && now >= c->next_start)
			child_spawn(c);
	}
	su_timer_set(t, on_tick, arg);
}

static int program_path(const char *name, char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n <= 0)
		return -1;
	self[n] = 0;
	slash = strrchr(self, '/');
	*slash = 0;
	if (snprintf(out, len, "%s/%s", self, name) >= (int)len)
		return -1;
	return access(out, X_OK);
}

static struct child *child_add(const char *name, const char *user)
{
	struct child *c = &children[nchildren];

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->user = user;
	if (program_path(name, c->path, sizeof(c->path)) < 0) {
		log_warnx("%s not found beside sbcd: not started", name);
		return NULL;
	}
	nchildren++;
	return c;
}

/* MediaEngineStart: a private rtpengine (userspace forwarding, no kernel table) on
 * MediaEngineAddress, media on the default realm's interface address and port range. */
static void media_engine_add(struct sbcd *s)
{
	static char ng[96], iface[96], pmin[24], pmax[24];
	static const char *const paths[] = {"/usr/bin/rtpengine", "/usr/sbin/rtpengine"};
	const char *addr = conf_globals_str(s->active, GLOBALS_MEDIA_ENGINE_ADDRESS);
	const struct conf_rows *mr = conf_store_rows(s->active, &conf_tbl_mediarealm);
	const struct conf_row *realm = NULL, *netif;
	long long start = 30000, legs = 500;
	struct child *c;

	if (!conf_globals_int(s->active, GLOBALS_MEDIA_ENGINE_START) || !addr[0])
		return;
	for (unsigned i = 0; mr && i < mr->n; i++)
		if (!realm || conf_row_int(mr->row[i], MREALM_IS_DEFAULT))
			realm = mr->row[i];
	snprintf(iface, sizeof(iface), "--interface=127.0.0.1");
	if (realm) {
		start = conf_row_int(realm, MREALM_PORT_RANGE_START);
		legs = conf_row_int(realm, MREALM_MEDIA_SESSION_LEG);
		netif = conf_store_find_name(s->active, &conf_tbl_interfaces,
					     conf_row_str(realm, MREALM_IPV4_IF));
		if (netif)
			snprintf(iface, sizeof(iface), "--interface=%s",
				 conf_row_str(netif, NETIF_IP_ADDRESS));
	}
	c = &children[nchildren];
	memset(c, 0, sizeof(*c));
	c->name = "rtpengine";
	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]) && !c->path[0]; i++)
		if (access(paths[i], X_OK) == 0)
			snprintf(c->path, sizeof(c->path), "%s", paths[i]);
	if (!c->path[0]) {
		log_warnx(
		    "MediaEngineStart: rtpengine not installed (package rtpengine-daemon): not "
		    "started");
		return;
	}
	snprintf(ng, sizeof(ng), "--listen-ng=%s", addr);
	snprintf(pmin, sizeof(pmin), "--port-min=%lld", start);
	snprintf(pmax, sizeof(pmax), "--port-max=%lld", start + 2 * legs - 1);
	char **a = c->argv;
	*a++ = c->path, *a++ = "--config-file=none", *a++ = "--foreground", *a++ = "--table=-1";
	*a++ = iface, *a++ = ng;
	*a++ = pmin, *a++ = pmax, *a++ = "--log-stderr", *a++ = "--delete-delay=0";
	*a = NULL;
	nchildren++;
}

void supervise_start(struct sbcd *s)
{
	const char *agentx = conf_globals_str(s->active, GLOBALS_AGENTX_SOCKET);

	const char *sv = getenv("SBCD_SUPERVISE");

	nchildren = 0;
	if (sv && !strcmp(sv, "no")) {
		log_info("SBCD_SUPERVISE=no: sbc-web and sbc-snmp-agent run as units of their own");
		return;
	}
	if (geteuid() == 0 && getenv("SBCD_CHILD_USERS") &&
	    !strcmp(getenv("SBCD_CHILD_USERS"), "yes"))
		log_info("SBCD_CHILD_USERS=yes: children run as their own users");
	if (conf_globals_int(s->active, GLOBALS_HTTP_PORT) ||
	    conf_globals_int(s->active, GLOBALS_HTTPS_PORT)) {
		const char *u = getenv("SBCD_WEB_USER");
		struct child *c = child_add("sbc-web", u && *u ? u : "sbc-web");
		if (c) {
			char **a = c->argv;
			*a++ = c->path, *a++ = "--socket", *a++ = s->sockpath;
			if (!s->foreground)
				*a++ = "--syslog";
			*a = NULL;
		}
	}
	if (agentx && *agentx) {
		const char *u = getenv("SBCD_SNMP_USER");
		struct child *c = child_add("sbc-snmp-agent", u && *u ? u : "sbc-snmp");
		if (c) {
			char **a = c->argv;
			*a++ = c->path, *a++ = "--agentx", *a++ = (char *)agentx;
			*a++ = "--socket", *a++ = s->sockpath, *a = NULL;
		}
	}
	media_engine_add(s);
	for (unsigned i = 0; i < nchildren; i++)
		child_spawn(&children[i]);
	if (nchildren) {
		timer = su_timer_create(su_root_task(s->root), 1000);
		su_timer_set(timer, on_tick, NULL);
	}
}

void supervise_stop(struct sbcd *s)
{
	if (timer) {
		su_timer_destroy(timer);
		timer = NULL;
	}
	for (unsigned i = 0; i < nchildren; i++)
		if (children[i].pid > 0)
			kill(children[i].pid, SIGTERM);
	for (unsigned i = 0; i < nchildren; i++) {
		struct child *c = &children[i];
		for (int k = 0; c->pid > 0 && k < 20; k++) {
			if (waitpid(c->pid, NULL, WNOHANG) == c->pid) {
				c->pid = 0;
				break;
			}
			usleep(100000);
		}
		if (c->pid > 0) {
			kill(c->pid, SIGKILL);
			waitpid(c->pid, NULL, 0);
			c->pid = 0;
		}
	}
	nchildren = 0;
}

void supervise_restart(const char *name)
{
	for (unsigned i = 0; i < nchildren; i++)
		if (!strcmp(children[i].name, name) && children[i].pid > 0) {
			log_info("restarting %s (pid %d): its settings changed", name,
				 (int)children[i].pid);
			kill(children[i].pid, SIGTERM);
			/* the tick reaps it and starts it again at once */
			children[i].delay = 0;
			children[i].started = 0;
		}
}

int supervise_describe(char *buf, unsigned len)
{
	int n = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < nchildren && n >= 0 && (unsigned)n < len; i++)
		n += snprintf(buf + n, len - (unsigned)n, "child %s pid %d restarts %u\n",
			      children[i].name, (int)children[i].pid, children[i].restarts);
	return n;
}

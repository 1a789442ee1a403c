/* Boot from flash, commit hooks, status, shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ini/ini.h"
#include "sbc/ctl_server.h"
#include "sbc/flash.h"
#include "sbc/ha.h"
#include "log/log.h"
#include "sbc/sbcd.h"
#include "sbc/sbcd_boot.h"
#include "sbc/snmpd_conf.h"
#include "sbc/sbcd_lock.h"
#include "sbc/sip/sip_engine.h"
#include "sbc/supervise.h"
#include "sbc/alarms.h"
#include "sbc/tlsmgr.h"
#include "sbc/tlsmgr_check.h"

/* The pid of an sbcd holding the flash's lock (sbcd_lock.c), 0 when none, -1 when unknown. */
static int flash_in_use(const char *flashdir)
{
	int fd = open(flashdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), pid = 0;

	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		pid = sbcd_lock_holder(fd);
		pid = pid > 0 ? pid : -1;
	}
	close(fd); /* releases a shared lock we may have taken */
	return pid;
}

static void print_diag(const struct conf_diag *d)
{
	for (unsigned i = 0; i < d->n; i++)
		log_msg(strncmp(d->msg[i], "warning:", 8) ? LOG_ERR : LOG_WARNING, "%s", d->msg[i]);
}

int sbcd_boot_check(const char *flashdir)
{
	struct conf_diag d;
	struct conf_store *st;
	int down = 0, running;

	log_init("sbcd", 1, 16);
	running = flash_in_use(flashdir);
	if (running > 0)
		printf("%s: sbcd (pid %d) runs on this flash: listeners not checked\n", flashdir,
		       running);
	else if (running)
		printf("%s: an sbcd runs on this flash: listeners not checked\n", flashdir);
	conf_diag_init(&d);
	d.max = 0;
	st = flash_load(flashdir, &d);
	print_diag(&d);
	if (st) {
		/* each readable key is logged, naming its context and file */
		down = tlsmgr_check_boot(flashdir, st) < 0;
		down += tlsmgr_check_plan(flashdir, st, !running, stdout);
	}
	if (st && down)
		printf("%s: configuration is valid (%u warning%s), but %d object%s would be down "
		       "(listed above)\n",
		       flashdir, d.nwarn, d.nwarn == 1 ? "" : "s", down, down == 1 ? "" : "s");
	else if (st)
		printf("%s: configuration is valid (%u warning%s)\n", flashdir, d.nwarn,
		       d.nwarn == 1 ? "" : "s");
	else
		printf("%s: %u error%s\n", flashdir, d.nerr, d.nerr == 1 ? "" : "s");
	if (!st) {
		struct conf_diag g;
		char why[8];
		unsigned gen;
		struct conf_store *prev;
		conf_diag_init(&g);
		prev = flash_boot_load(flashdir, &g, &gen, why, sizeof(why));
		if (prev && gen)
			printf("%s: boot would roll back to generation %u (last known good)\n",
			       flashdir, gen);
		conf_store_free(prev);
		conf_diag_free(&g);
	}
	conf_diag_free(&d);
	conf_store_free(st);
	return st && !down ? 0 : -1;
}

/* A TLS context first used by outgoing TLS after boot gets its key and certificate now. */
static int material_first_use(void *arg, unsigned ctx, char *err, size_t errlen)
{
	return tlsmgr_ensure(arg, ctx, err, errlen);
}

int sbcd_sip_start(struct sbcd *s, char *err, size_t errlen)
{
	s->sip = sip_engine_create(s->root, s->active, tlsmgr_root(s), s->rundir, err, errlen);
	if (!s->sip)
		return -1;
	sip_engine_set_material_hook(s->sip, material_first_use, s);
	return 0;
}

void sbcd_sip_stop(struct sbcd *s)
{
	if (s->sip)
		sip_engine_destroy(s->sip);
	s->sip = NULL;
}

int sbcd_boot(struct sbcd *s)
{
	struct conf_diag d;
	char err[1024], why[300], src[PATH_MAX];
	unsigned gen;
	int ha;

	conf_diag_init(&d);
	flash_clean(s->flashdir);
	s->running = flash_boot_load(s->flashdir, &d, &gen, why, sizeof(why));
	print_diag(&d);
	conf_diag_free(&d);
	flash_gen_dir(s->flashdir, gen, src, sizeof(src));
	if (s->running && gen) {
		/* last known good: the saved board.ini does not validate */
		snprintf(err, sizeof(err), "configuration rolled back to generation %u: %s", gen,
			 why);
		log_errx("%s", err);
		alarm_set("configurationRolledBack", "Flash", ALARM_CRITICAL, err);
	}
	if (!s->running) {
		log_errx("flash %s is invalid: sbcd not started (check it with sbcd -n)",
			 s->flashdir);
		return -1;
	}
	s->active = conf_store_clone(s->running);
	s->started = time(NULL);
	if (mkdir(s->flashdir, 0700) < 0 && errno != EEXIST) {
		log_errx("flash %s: %s", s->flashdir, strerror(errno));
		return -1;
	}
	if (mkdir(s->rundir, 0700) < 0 && errno != EEXIST) {
		log_errx("run directory %s: %s", s->rundir, strerror(errno));
		return -1;
	}
	tlsmgr_boot(s, src); /* a context it cannot prepare is down with an alarm: boot goes on */
	s->ctl = ctl_server_start(s, s->sockpath, err, sizeof(err));
	if (!s->ctl) {
		log_errx("%s", err);
		return -1;
	}
	ha = ha_start(s, err, sizeof(err)); /* HA on: no SIP engine until keepalived says MASTER */
	if (ha < 0) {
		log_errx("%s", err);
		return -1;
	}
	if (!ha && sbcd_sip_start(s, err, sizeof(err)) < 0) {
		log_errx("SIP engine: %s", err);
		return -1;
	}
	sbcd_consumers_register(s);
	snmpd_conf_boot(s->running);
	supervise_start(s);
	return 0;
}

void sbcd_shutdown(struct sbcd *s)
{
	ha_stop(s);
	supervise_stop(s);
	tlsmgr_stop(s);
	if (s->sip)
		sip_engine_destroy(s->sip);
	s->sip = NULL;
	ctl_server_stop(s->ctl);
	s->ctl = NULL;
	conf_store_free(s->running);
	conf_store_free(s->active);
	s->running = s->active = NULL;
}

struct conf_store *sbcd_status(struct sbcd *s)
{
	struct sip_reg_snap *later = NULL;
	struct conf_store *st = sbcd_status_split(s, &later);

	if (st)
		sip_reg_snap_fill(later, st);
	return st;
}

struct conf_store *sbcd_status_split(struct sbcd *s, struct sip_reg_snap **later)
{
	struct conf_store *st = conf_store_new();

	*later = NULL;
	if (!st)
		return NULL;
	if (s->sip)
		*later = sip_engine_status_split(s->sip, st);
	tlsmgr_status(s, st);
	ha_status(s, st);
	alarm_status(st);
	return st;
}

/* Active alarms: a small table, changes logged to syslog. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conf/store.h"
#include "sbc/alarms.h"
#include "log/log.h"

#define MAX_ALARMS 256

struct alarm {
	char name[48];
	char source[48];
	enum alarm_severity sev;
	char text[1024];
	time_t raised;
	unsigned id;
};

static struct alarm alarms[MAX_ALARMS];
static unsigned nalarms;
static unsigned next_id = 1;

static const char *const sev_names[] = {"cleared", "indeterminate", "warning",
					"minor",   "major",         "critical"};

static struct alarm *find(const char *name, const char *source)
{
	for (unsigned i = 0; i < nalarms; i++)
		if (!strcmp(alarms[i].name, name) && !strcmp(alarms[i].source, source))
			return &alarms[i];
	return NULL;
}

void alarm_set(const char *name, const char *source, enum alarm_severity sev, const char *text)
{
	struct alarm *a = find(name, source);
	char clean[sizeof(a->text)];

	if (sev == ALARM_CLEARED) {
		if (!a)
			return;
		log_msg(LOG_NOTICE, "alarm cleared: %s on %s", name, source);
		*a = alarms[--nalarms];
		return;
	}
	snprintf(clean, sizeof(clean), "%s", text);
	for (char *c = clean; *c; c++) /* the Text column holds no double quote or control byte */
		if (*c == '"' || (unsigned char)*c < 0x20)
			*c = *c == '"' ? '\'' : ' ';
	if (a && a->sev == sev && !strcmp(a->text, clean))
		return;
	if (!a) {
		if (nalarms == MAX_ALARMS) {
			log_warnx("alarm table full: %s on %s not recorded", name, source);
			return;
		}
		a = &alarms[nalarms++];
		snprintf(a->name, sizeof(a->name), "%s", name);
		snprintf(a->source, sizeof(a->source), "%s", source);
	}
	a->sev = sev;
	snprintf(a->text, sizeof(a->text), "%s", clean);
	a->raised = time(NULL);
	a->id = next_id++;
	log_msg(sev >= ALARM_MAJOR ? LOG_ERR : LOG_WARNING, "alarm %s (%s) on %s: %s", name,
		sev_names[sev], source, a->text);
}

void alarm_status(struct conf_store *st)
{
	const struct conf_table *t = &conf_tbl_alarms;
	char buf[64], err[128];

	for (unsigned i = 0; i < nalarms; i++) {
		struct conf_row *r = conf_store_ensure(st, t, i, NULL);
		struct tm tm;
		if (!r)
			return;
		gmtime_r(&alarms[i].raised, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
		conf_row_set_text(t, r, ALARMS_NAME, alarms[i].name, err, sizeof(err));
		r->v[ALARMS_SEVERITY].i = alarms[i].sev;
		conf_row_set_text(t, r, ALARMS_SOURCE, alarms[i].source, err, sizeof(err));
		conf_row_set_text(t, r, ALARMS_TEXT, alarms[i].text, err, sizeof(err));
		conf_row_set_text(t, r, ALARMS_RAISED_AT, buf, err, sizeof(err));
		r->v[ALARMS_UNIQUE_ID].i = alarms[i].id;
	}
}

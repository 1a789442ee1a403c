/*
 * alarms: sbcd's active alarms (status table Alarms). An alarm is identified
 * by (name, source); raising it again with another severity or text updates
 * it and gives it a new unique id; severity 0 (cleared) removes it. Every
 * change is written to syslog. Observers (the SNMP agent) poll the table and
 * turn changes of UniqueId into notifications.
 */
#ifndef SBC_ALARMS_H
#define SBC_ALARMS_H

struct conf_store;

enum alarm_severity {
	ALARM_CLEARED = 0,
	ALARM_INDETERMINATE = 1,
	ALARM_WARNING = 2,
	ALARM_MINOR = 3,
	ALARM_MAJOR = 4,
	ALARM_CRITICAL = 5,
};

void alarm_set(const char *name, const char *source, enum alarm_severity sev, const char *text);
/* Fills the Alarms status table of st. */
void alarm_status(struct conf_store *st);

#endif

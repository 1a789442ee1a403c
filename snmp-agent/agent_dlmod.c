/*
 * sbc-snmp.so: the agent loaded into snmpd itself (`dlmod sbc_snmp PATH`) instead of running
 * as an AgentX subagent. The handler, the model, SETs and notifications are the subagent's
 * (agent_get.c, agent_model.c, agent_set.c, agent_notify.c); only start-up and unload are
 * here. snmpd then answers GETBULK in one pass instead of one AgentX GetNext per repetition.
 *
 * snmpd.conf tokens, after the dlmod line (they exist once the module is loaded):
 *   sbcSocket PATH   sbcd's control socket (default $SBC_SOCKET, else the built-in path)
 *   sbcCacheMs MS    how long a read of sbcd's configuration serves requests (1000)
 *   sbcPoll SEC      how often sbcd is polled for events to notify (2)
 *   sbcRate SEC      TLS-client-rejected notifications: at most one per interface and SEC (60)
 *
 * Everything runs in snmpd's one thread: each request to sbcd is bounded by the control
 * timeouts of agent_model.c (2 s, then 3 s of failing at once), and nothing talks to sbcd
 * before snmpd has read its configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/num.h"
#include "control/ctl.h"
#include "snmp-agent/agent.h"

#define MOD_NAME   "sbc-snmp"
#define MOD_EXPORT __attribute__((visibility("default")))

void init_sbc_snmp(void) MOD_EXPORT;
void deinit_sbc_snmp(void) MOD_EXPORT;

static unsigned poll_s = 2, rate_s = 60;
static unsigned start_alarm;
static int registered;
static char sock[256];

static void set_socket(const char *path)
{
	snprintf(sock, sizeof(sock), "%s", path);
	agent_ctl_init(sock);
}

static unsigned parse_uint(const char *token, const char *line, unsigned dflt)
{
	char text[32], err[160];
	size_t n;
	unsigned v;

	line += strspn(line, " \t");
	n = strcspn(line, " \t\r\n");
	snprintf(text, sizeof(text), "%.*s", (int)(n < sizeof(text) ? n : sizeof(text) - 1), line);
	/* strict: the whole token (conf/num.h), and nothing after it */
	if (n >= sizeof(text) || line[n + strspn(line + n, " \t\r\n")] ||
	    conf_num_uint(token, text, 0, 86400000u, &v, err, sizeof(err)) < 0) {
		if (n >= sizeof(text) || line[n + strspn(line + n, " \t\r\n")])
			snprintf(err, sizeof(err), "%s: '%.40s' is not one whole number", token,
				 line);
		config_perror(err);
		return dflt;
	}
	return v;
}

static void conf_socket(const char *token, char *line)
{
	size_t n;

	line += strspn(line, " \t");
	n = strcspn(line, " \t\r\n");
	if (!n) {
		config_perror("sbcSocket needs the path of sbcd's control socket");
		return;
	}
	line[n] = '\0';
	set_socket(line);
}

static void conf_cache(const char *token, char *line)
{
	agent_model_set_ttl(parse_uint(token, line, 1000));
}

static void conf_poll(const char *token, char *line)
{
	poll_s = parse_uint(token, line, 2);
}

static void conf_rate(const char *token, char *line)
{
	rate_s = parse_uint(token, line, 60);
}

/* Before snmpd reads its configuration again (SIGHUP): back to the defaults. */
static void conf_defaults(void)
{
	set_socket(ctl_socket_path(NULL));
	agent_model_set_ttl(1000);
	poll_s = 2;
	rate_s = 60;
}

/* Once the configuration is read (the first turn of snmpd's event loop). */
static void start(unsigned int reg, void *arg)
{
	start_alarm = 0;
	snmp_log(LOG_INFO, MOD_NAME " started in snmpd (sbcd %s)\n", sock);
	agent_notify_start(poll_s, rate_s);
}

void init_sbc_snmp(void)
{
	struct timeval soon = {0, 10000};

	conf_defaults();
	snmpd_register_config_handler("sbcSocket", conf_socket, conf_defaults, "PATH");
	snmpd_register_config_handler("sbcCacheMs", conf_cache, NULL, "MS");
	snmpd_register_config_handler("sbcPoll", conf_poll, NULL, "SEC");
	snmpd_register_config_handler("sbcRate", conf_rate, NULL, "SEC");
	if (agent_handler_register() < 0) {
		snmp_log(LOG_ERR, MOD_NAME ": cannot register the MIB subtree\n");
		return;
	}
	registered = 1;
	start_alarm = snmp_alarm_register_hr(soon, 0, start, NULL);
}

void deinit_sbc_snmp(void)
{
	if (start_alarm)
		snmp_alarm_unregister(start_alarm);
	start_alarm = 0;
	agent_notify_stop();
	if (registered)
		agent_handler_unregister();
	registered = 0;
	snmpd_unregister_config_handler("sbcSocket");
	snmpd_unregister_config_handler("sbcCacheMs");
	snmpd_unregister_config_handler("sbcPoll");
	snmpd_unregister_config_handler("sbcRate");
	agent_model_free();
	snmp_log(LOG_INFO, MOD_NAME " unloaded\n");
}

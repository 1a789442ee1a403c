/* sbc-snmp-agent: start-up, the event loop, shutdown. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/num.h"
#include "control/ctl.h"
#include "log/log.h"
#include "snmp-agent/agent.h"

#define AGENT_NAME "sbc-snmp-agent"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: " AGENT_NAME " [--agentx SOCKET] [--socket PATH] [--poll SEC]\n"
	    "                      [--rate SEC] [--cache-ms MS] [--ping SEC] [--debug]\n"
	    "  --agentx SOCKET  the master's AgentX socket (default: Net-SNMP's,\n"
	    "                   /var/agentx/master); unix:PATH, PATH or tcp:HOST:PORT\n"
	    "  --socket PATH    sbcd's control socket (default $SBC_SOCKET or " CTL_DEFAULT_SOCKET
	    ")\n"
	    "  --poll SEC       how often sbcd is polled for events to notify (2)\n"
	    "  --rate SEC       at most one TLS-client-rejected notification per interface\n"
	    "                   and interval (60)\n"
	    "  --cache-ms MS    how long a read of sbcd's configuration serves requests (1000)\n"
	    "  --ping SEC       AgentX ping and reconnect interval (2)\n"
	    "  --debug          Net-SNMP debugging output on stderr\n");
}

/* One Net-SNMP log message (a line, or part of one, ending in a newline) into log_msg. */
static int agent_log_cb(int major, int minor, void *server, void *client)
{
	const struct snmp_log_message *m = server;
	size_t n = m && m->msg ? strlen(m->msg) : 0;

	if (n)
		log_msg(m->priority, "%.*s", (int)(m->msg[n - 1] == '\n' ? n - 1 : n), m->msg);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"agentx", required_argument, NULL, 'x'},
					     {"socket", required_argument, NULL, 's'},
					     {"poll", required_argument, NULL, 'p'},
					     {"rate", required_argument, NULL, 'r'},
					     {"cache-ms", required_argument, NULL, 'c'},
					     {"ping", required_argument, NULL, 'i'},
					     {"debug", no_argument, NULL, 'd'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *agentx = NULL, *sock = NULL;
	unsigned poll_s = 2, rate = 60, ping = 2, cache_ms;
	char err[160];
	struct sigaction sa = {.sa_handler = on_signal};
	int c, debug = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'x':
			agentx = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'p':
			if (conf_num_uint("--poll", optarg, 1, 3600, &poll_s, err, sizeof(err)) < 0)
				goto bad_number;
			break;
		case 'r':
			if (conf_num_uint("--rate", optarg, 0, 86400, &rate, err, sizeof(err)) < 0)
				goto bad_number;
			break;
		case 'c':
			if (conf_num_uint("--cache-ms", optarg, 0, 3600000, &cache_ms, err,
					  sizeof(err)) < 0)
				goto bad_number;
			agent_model_set_ttl(cache_ms);
			break;
		case 'i':
			if (conf_num_uint("--ping", optarg, 1, 3600, &ping, err, sizeof(err)) < 0)
				goto bad_number;
			break;
		case 'd':
			debug = 1;
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
	if (0) {
	bad_number:
		fprintf(stderr, AGENT_NAME ": %s\n", err);
		return 2;
	}
	agent_ctl_init(ctl_socket_path(sock));

	/* a subagent: no MIB files, no persistent state, no config files, no SIGALRM */
	setenv("MIBS", "", 1);
	/* Net-SNMP's messages go through the shared log module (journald priorities, syslog) */
	log_open(AGENT_NAME, LOG_F_STDERR, LOG_DAEMON >> 3);
	snmp_enable_calllog();
	snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING, agent_log_cb, NULL);
	if (debug)
		snmp_set_do_debugging(1);
	netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
	if (agentx)
		netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_X_SOCKET, agentx);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_ALARM_DONT_USE_SIG, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
	netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID, NETSNMP_DS_LIB_DISABLE_CONFIG_LOAD, 1);

	if (init_agent(AGENT_NAME) != 0) {
		fprintf(stderr, AGENT_NAME ": cannot initialise the Net-SNMP agent library\n");
		return 1;
	}
	/* after init_agent, which sets the library's default (15 s) */
	netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
			   (int)(ping ? ping : 1));
	if (agent_handler_register() < 0) {
		fprintf(stderr, AGENT_NAME ": cannot register the MIB subtree\n");
		return 1;
	}
	init_snmp(AGENT_NAME);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	snmp_log(LOG_INFO, AGENT_NAME " started (AgentX %s, sbcd %s)\n",
		 agentx ? agentx : "default", ctl_socket_path(sock));
	agent_notify_start(poll_s, rate);

	while (!stop)
		agent_check_and_process(1);

	snmp_log(LOG_INFO, AGENT_NAME " stopping\n");
	snmp_shutdown(AGENT_NAME);
	return 0;
}

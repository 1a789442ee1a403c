/*
 * sbcd's side of a phased commit (conf/txn.h): the hooks of each consumer
 * declared in conf/consumers.c. What each applies is declared there, not here.
 */
#include "conf/txn.h"
#include "sbc/sbcd.h"
#include "sbc/sip/sip_engine.h"
#include "sbc/snmpd_conf.h"
#include "sbc/supervise.h"
#include "sbc/tlsmgr.h"

/* Deleted contexts take their material with them; expiry alarms follow the new rows. */
static void tls_apply(void *arg, const struct conf_store *old, const struct conf_store *now)
{
	tlsmgr_committed(arg, old);
}

/*
 * sbc-web follows TLS context 0 by itself (TLS WEBCRED's stamp covers the row's
 * policy and the material): a change reaches new handshakes within a second,
 * without a restart, so logged-in sessions stay. Nothing to do here.
 */
static void web_apply(void *arg, const struct conf_store *old, const struct conf_store *now)
{
	(void)arg;
	(void)old;
	(void)now;
}

static int sip_prepare(void *arg, const struct conf_store *running, const struct conf_store *cand,
		       struct conf_diag *d)
{
	struct sbcd *s = arg;

	return s->sip ? sip_engine_config_prepare(s->sip, running, cand, d) : 0;
}

/* Pure: reads cand only, so it runs on a control worker (conf_txn_precompute). */
static void *sip_build(void *arg, const struct conf_store *cand)
{
	struct sbcd *s = arg;

	return s->sip ? sip_engine_config_build(s->sip, cand) : NULL;
}

static int sip_prepare_built(void *arg, const struct conf_store *running,
			     const struct conf_store *cand, void *built, struct conf_diag *d)
{
	struct sbcd *s = arg;

	if (!s->sip) {
		sip_cfg_built_free(built);
		return 0;
	}
	return sip_engine_config_prepare_built(s->sip, running, cand, built, d);
}

static void sip_drop(void *arg, void *built)
{
	sip_cfg_built_free(built);
}

static void sip_abort(void *arg)
{
	struct sbcd *s = arg;

	if (s->sip)
		sip_engine_config_abort(s->sip);
}

static void sip_apply(void *arg, const struct conf_store *old, const struct conf_store *now)
{
	struct sbcd *s = arg;

	if (s->sip)
		sip_engine_config_apply(s->sip, now);
}

/* The snmpd master's include file: staged in prepare, put in place and signalled in apply. */
static int snmp_prepare(void *arg, const struct conf_store *running, const struct conf_store *cand,
			struct conf_diag *d)
{
	return snmpd_conf_prepare(cand, d);
}

static void snmp_abort(void *arg)
{
	snmpd_conf_abort();
}

static void snmp_apply(void *arg, const struct conf_store *old, const struct conf_store *now)
{
	snmpd_conf_apply(now);
}

void sbcd_consumers_register(struct sbcd *s)
{
	conf_consumer_set(CONF_CONSUMER_TLS,
			  &(struct conf_consumer_hooks){.apply = tls_apply, .arg = s});
	conf_consumer_set(CONF_CONSUMER_WEB,
			  &(struct conf_consumer_hooks){.apply = web_apply, .arg = s});
	conf_consumer_set(CONF_CONSUMER_SIP,
			  &(struct conf_consumer_hooks){.prepare = sip_prepare,
							.abort = sip_abort,
							.apply = sip_apply,
							.arg = s,
							.build = sip_build,
							.prepare_built = sip_prepare_built,
							.drop = sip_drop});
	conf_consumer_set(CONF_CONSUMER_SNMP, &(struct conf_consumer_hooks){.prepare = snmp_prepare,
									    .abort = snmp_abort,
									    .apply = snmp_apply,
									    .arg = s});
}

int sbcd_commit_pre(struct sbcd *s, struct conf_store *candidate, struct conf_txn_pre *p,
		    struct conf_store **oldp, struct conf_diag *d)
{
	if (conf_txn_commit_pre(&s->running, candidate, p, oldp, d) < 0)
		return -1;
	s->changes++;
	s->edits++;
	return 0;
}

int sbcd_commit(struct sbcd *s, struct conf_store *candidate, struct conf_diag *d)
{
	if (conf_txn_commit(&s->running, candidate, d) < 0)
		return -1;
	s->changes++;
	s->edits++;
	return 0;
}

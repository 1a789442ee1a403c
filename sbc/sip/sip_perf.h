/*
 * sip_perf: counters over time (performance monitoring).
 *
 * Every SIP_PERF_SAMPLE_S seconds, on the engine's loop, the per-interface
 * counters of the engine (TLS handshakes accepted and refused by reason, call
 * attempts) are turned into the change since the previous sample, and the
 * gauges (TLS connections, registered users, calls) are read. Samples go into
 * two bounded rings per SIP interface:
 *   - SIP_PERF_FINE_N samples of SIP_PERF_SAMPLE_S seconds (one hour at 10 s);
 *   - SIP_PERF_COARSE_N intervals of SIP_PERF_INTERVAL_S seconds (one day of
 *     15-minute intervals, aligned on the wall clock as the vendor's PM is).
 * The current and previous 15-minute intervals are the PerformanceIntervals
 * status table (CLI, SNMP, web); the rings are the PERF control verb's text.
 *
 * Cost: one pass over the interfaces every 10 s and, per interface, one count
 * of its registered users and calls; nothing on the request path but one
 * increment per initial INVITE. PerformanceMonitoring 0 stops the sampling.
 */
#ifndef SBC_SIP_PERF_H
#define SBC_SIP_PERF_H

#include <stdio.h>
#include <time.h>

struct sip_engine;
struct conf_store;

#define SIP_PERF_SAMPLE_S   10
#define SIP_PERF_FINE_N     360 /* one hour of 10-second samples */
#define SIP_PERF_INTERVAL_S 900 /* 15 minutes */
#define SIP_PERF_COARSE_N   96  /* one day of 15-minute intervals */

/* What one sample or interval holds for one interface. */
struct sip_perf_sample {
	time_t start;   /* wall clock */
	unsigned secs;  /* length covered */
	unsigned count; /* samples summed into it (1 for a fine sample) */
	unsigned long long accepted, refused_cert, refused_other, attempts;
	unsigned tls_max, regs_max, calls_max;
	unsigned long long tls_sum, regs_sum, calls_sum; /* over count samples: averages */
};

struct sip_perf;

struct sip_perf *sip_perf_create(void);
void sip_perf_destroy(struct sip_perf *p);
/* PerformanceMonitoring: 0 stops sampling (the history is kept, the intervals stop). */
void sip_perf_enable(struct sip_perf *p, int on);
/* From the engine's tick (once a second): samples when one is due. */
void sip_perf_tick(struct sip_engine *e, struct sip_perf *p);
/* Takes a sample now whatever the time (tests, and the first one after start). */
void sip_perf_sample_now(struct sip_engine *e, struct sip_perf *p);
/* Fills the PerformanceIntervals status table. */
void sip_perf_status(struct sip_perf *p, struct conf_store *st);
/*
 * Writes the history as text (doc/MONITORING.md "PERF"): which is "fine" (10 s)
 * or "coarse" (15 min); at most last samples per interface (0: all). -1 on a
 * bad which.
 */
int sip_perf_write(struct sip_perf *p, const char *which, unsigned last, FILE *f);

/* A sample of the engine's counters now (PERF sample): it covers the time since the last. */
void sip_engine_perf_sample(struct sip_engine *e);
/* The same for the engine's history; -1 without an engine (e NULL). */
int sip_engine_perf_write(struct sip_engine *e, const char *which, unsigned last, FILE *f);

#endif

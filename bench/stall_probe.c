/*
 * stall_probe: how long this machine left a top-priority thread without a core.
 *
 *   bench-stall_probe [--seconds S] [--label NAME]
 *
 * One SCHED_FIFO thread per core the process may use, pinned to it, sleeps 1 ms at a time and
 * records how much later than that it woke. Nothing of the machine's own (no normal process,
 * no load of a benchmark) can delay such a thread by more than a few microseconds; when it is
 * late by milliseconds the core itself did not run (the hypervisor gave it to someone else, or
 * throttled the virtual machine). A pause is a run of wake-ups each over 1 ms late, from the
 * first one's due time to the last one: a host that lets the core run in slivers a few ms
 * apart makes one long pause, not many short ones. A benchmark runs it beside a measurement to tell
 * those pauses from the program it measures. Runs S seconds (default 60, at most 3600) or until
 * SIGUSR1 / SIGTERM / SIGINT, then prints one line: label, fifo (1 when SCHED_FIFO was granted),
 * cpus, max_ms (the longest pause on any core), stalls5 (pauses over 5 ms, all cores), and
 * all_cores5 (pauses over 5 ms that overlapped on every core: the whole machine stopped).
 */
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench_args.h"

#define MAX_CPUS  64
#define MAX_PAUSE 4096 /* pauses over 5 ms kept per core, to find overlaps */

struct pause {
	double from, to;
};

struct probe {
	pthread_t thread;
	int cpu, fifo;
	double worst;
	unsigned npause;
	struct pause pause[MAX_PAUSE];
};

static volatile sig_atomic_t stop;
static double end_at;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Records a pause [from, to] of the probe's core when it is longer than 5 ms. */
static void pause_end(struct probe *p, double from, double to)
{
	if (to - from > p->worst)
		p->worst = to - from;
	if (to - from > 0.005 && p->npause < MAX_PAUSE)
		p->pause[p->npause++] = (struct pause){from, to};
}

static void *probe_main(void *arg)
{
	struct probe *p = arg;
	struct sched_param sp = {.sched_priority = 20};
	cpu_set_t one;
	double prev, from = 0;

	CPU_ZERO(&one);
	CPU_SET(p->cpu, &one);
	pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
	p->fifo = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) == 0;
	prev = now();
	while (!stop && prev < end_at) {
		struct timespec ms = {0, 1000000};
		double t;
		nanosleep(&ms, NULL);
		t = now();
		/* late by over 1 ms: the core is paused or crawling; consecutive late wake-ups
		   make one pause (a host that slices the core in 3 ms pieces shows no single
		   long one) */
		if (t - prev > 0.002) {
			if (!from)
				from = prev + 0.001;
		} else if (from) {
			pause_end(p, from, prev);
			from = 0;
		}
		prev = t;
	}
	if (from)
		pause_end(p, from, prev);
	return NULL;
}

static void on_signal(int sig)
{
	stop = 1;
}

/* Pauses of probe 0 that overlap a pause on every other core. */
static unsigned whole_machine(struct probe *p, int n)
{
	unsigned count = 0;

	for (unsigned i = 0; i < p[0].npause; i++) {
		int all = 1;
		for (int c = 1; c < n && all; c++) {
			int hit = 0;
			for (unsigned k = 0; k < p[c].npause && !hit; k++)
				hit = p[c].pause[k].from < p[0].pause[i].to &&
				      p[0].pause[i].from < p[c].pause[k].to;
			all = hit;
		}
		count += all;
	}
	return count;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"seconds", 1, 0, 's'}, {"label", 1, 0, 'l'}, {0, 0, 0, 0}};
	static struct probe probes[MAX_CPUS];
	struct sigaction sa = {.sa_handler = on_signal};
	const char *label = "run";
	double seconds = 60, worst = 0;
	unsigned stalls = 0;
	cpu_set_t set;
	int n = 0, fifo = 1, ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (ch == 's')
			seconds =
			    bench_arg_double("bench-stall_probe", "--seconds", optarg, 0.01, 3600);
		else if (ch == 'l')
			label = optarg;
		else {
			fprintf(stderr, "usage: bench-stall_probe [--seconds S] [--label NAME]\n");
			return 2;
		}
	}
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		perror("sched_getaffinity");
		return 1;
	}
	end_at = now() + seconds;
	for (int cpu = 0; cpu < CPU_SETSIZE && n < MAX_CPUS; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		probes[n].cpu = cpu;
		if (pthread_create(&probes[n].thread, NULL, probe_main, &probes[n]) != 0) {
			fprintf(stderr, "bench-stall_probe: cannot start a thread for cpu %d\n",
				cpu);
			return 1;
		}
		n++;
	}
	/* the signal ends the wait; the threads see stop within a millisecond */
	while (!stop && now() < end_at) {
		struct timespec ts = {0, 50000000};
		nanosleep(&ts, NULL);
	}
	stop = 1;
	for (int i = 0; i < n; i++) {
		pthread_join(probes[i].thread, NULL);
		fifo &= probes[i].fifo;
		stalls += probes[i].npause;
		if (probes[i].worst > worst)
			worst = probes[i].worst;
	}
	printf("label=%s fifo=%d cpus=%d max_ms=%.2f stalls5=%u all_cores5=%u\n", label, fifo, n,
	       worst * 1000, stalls, n > 1 ? whole_machine(probes, n) : stalls);
	return 0;
}

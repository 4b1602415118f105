/* SPDX-License-Identifier: MIT */
/*
 * dmaheap-bench: latency of allocation, freeing, the pool, mapping and CPU
 * access on the real kernel (run it inside tests/vm/run.sh), the library's
 * own user-space cost with the kernel faked, system calls per operation
 * (through the mock's counters) and bookkeeping bytes per buffer.
 *
 * Methods are interleaved round by round: round r runs every method once
 * before round r + 1 starts, so slow drifts of the machine (other jobs,
 * the host's caches) hit every method alike and ratios within one run stay
 * meaningful.
 */
#ifndef DMAHEAP_BENCH_H
#define DMAHEAP_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dmaheap.h"

#define BENCH_MAX_METHODS 16

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t bench_now_ns(void);

/* Samples of one method at one size, in nanoseconds. */
struct bench_series {
	const char *method;
	size_t size;
	size_t n;
	size_t cap;
	double *ns;
	/* filled by bench_series_finish() */
	double median, p10, p90;
};

/* From the first thread's start to the last one's end: each thread reads
 * the clock itself, as the thread that starts them may not run at once on
 * a busy machine. */
struct bench_span {
	_Atomic uint64_t start; /* UINT64_MAX until a thread begins */
	_Atomic uint64_t end;
	_Atomic uint64_t cpu_ns; /* the threads' CPU time, summed */
};

void bench_span_init(struct bench_span *s);
/* Returns the thread's CPU clock, for bench_span_end(). */
uint64_t bench_span_begin(struct bench_span *s);
void bench_span_end(struct bench_span *s, uint64_t cpu0);
double bench_span_ns(struct bench_span *s);

void bench_series_add(struct bench_series *s, double ns);
void bench_series_finish(struct bench_series *s);
void bench_series_free(struct bench_series *s);

/* The JSON report, built as the run goes. */
struct bench_report {
	FILE *json;  /* NULL: none */
	FILE *dat;   /* gnuplot data: one block per method; NULL: none */
	int sections;
	int entries; /* in the current section */
};

void report_begin(struct bench_report *r, const char *json_path,
		  const char *dat_path);
/* Opens a named JSON array; entries follow with report_entry(). */
void report_section(struct bench_report *r, const char *name);
void report_entry(struct bench_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void report_end(struct bench_report *r);

/* The latency benchmark on the real kernel. */
struct kernel_opts {
	const char *heap;
	const size_t *sizes;
	size_t nsizes;
	double rounds_scale;
	unsigned int thread_ops;
};
int bench_kernel(const struct kernel_opts *o, struct bench_report *r);

/* The library's user-space cost with a kernel that does nothing. */
int bench_native(unsigned int iterations, struct bench_report *r);

/* System calls per operation, counted by the mock. */
int bench_calls(struct bench_report *r);

#endif

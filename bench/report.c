/* SPDX-License-Identifier: MIT */
/* Samples, their percentiles, and the JSON report. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void bench_span_init(struct bench_span *s)
{
	atomic_init(&s->start, UINT64_MAX);
	atomic_init(&s->end, 0);
	atomic_init(&s->cpu_ns, 0);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t bench_span_begin(struct bench_span *s)
{
	uint64_t now = bench_now_ns(), cur = atomic_load(&s->start);

	while (now < cur && !atomic_compare_exchange_weak(&s->start, &cur, now))
		;
	return thread_cpu_ns();
}

void bench_span_end(struct bench_span *s, uint64_t cpu0)
{
	uint64_t now, cur;

	atomic_fetch_add(&s->cpu_ns, thread_cpu_ns() - cpu0);
	now = bench_now_ns();
	cur = atomic_load(&s->end);
	while (now > cur && !atomic_compare_exchange_weak(&s->end, &cur, now))
		;
}

double bench_span_ns(struct bench_span *s)
{
	return (double)(atomic_load(&s->end) - atomic_load(&s->start));
}

void bench_series_add(struct bench_series *s, double ns)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		double *v = realloc(s->ns, cap * sizeof(*v));

		if (!v) {
			perror("realloc");
			exit(1);
		}
		s->ns = v;
		s->cap = cap;
	}
	s->ns[s->n++] = ns;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(const struct bench_series *s, double p)
{
	size_t i = (size_t)(p * (double)(s->n - 1) + 0.5);

	return s->ns[i];
}

void bench_series_finish(struct bench_series *s)
{
	if (!s->n)
		return;
	qsort(s->ns, s->n, sizeof(*s->ns), cmp_double);
	s->median = pct(s, 0.5);
	s->p10 = pct(s, 0.1);
	s->p90 = pct(s, 0.9);
}

void bench_series_free(struct bench_series *s)
{
	free(s->ns);
	memset(s, 0, sizeof(*s));
}

void report_begin(struct bench_report *r, const char *json_path,
		  const char *dat_path)
{
	memset(r, 0, sizeof(*r));
	if (json_path && !(r->json = fopen(json_path, "w"))) {
		perror(json_path);
		exit(1);
	}
	if (dat_path && !(r->dat = fopen(dat_path, "w"))) {
		perror(dat_path);
		exit(1);
	}
	if (r->json)
		fputs("{\n", r->json);
}

void report_section(struct bench_report *r, const char *name)
{
	if (!r->json)
		return;
	fprintf(r->json, "%s  \"%s\": [\n    ", r->sections ? "\n  ],\n" : "",
		name);
	r->sections++;
	r->entries = 0;
}

void report_entry(struct bench_report *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->json)
		return;
	if (r->entries++)
		fputs(",\n    ", r->json);
	va_start(ap, fmt);
	vfprintf(r->json, fmt, ap);
	va_end(ap);
}

void report_end(struct bench_report *r)
{
	if (r->json) {
		fputs(r->sections ? "\n  ]\n}\n" : "}\n", r->json);
		fclose(r->json);
	}
	if (r->dat)
		fclose(r->dat);
}

/* SPDX-License-Identifier: MIT */
/*
 * How the policy scales with hostile sizes, measured in one run: a policy
 * file of N aliases, N heap lines and N rules (N up to what the 64 KiB file
 * limit allows), and N aliases and rules added through the API; for each,
 * the CPU time to build the context, to list the aliases and to ask for
 * a usage plan, and the ratio to the run of half the size. Linear work
 * doubles (ratio ~2); quadratic work quadruples (~4).
 *
 * Each time is the least of REPEAT runs: noise only ever adds time.
 *
 * Fails (exit 1) on a wrong result, and when work grows quadratically: the
 * API sizes span 8x, so linear work takes ~8x as long at the largest size
 * as at the smallest and quadratic work ~64x; more than 3x linear (24x)
 * fails. That ratio of CPU times in one run is the guard, not a time:
 * the times themselves are for the reader (TESTING.md). The file sizes
 * (capped by the 64 KiB limit) are too small for a steady ratio and only
 * print theirs. Also: a file over the limit is refused with -EFBIG, and a
 * binary file with -EINVAL, both at once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "dmaheap-mock.h"
#include "dmaheap.h"

#define REPEAT 3
#define API_MIN 1000
#define API_MAX 8000
/* Largest-to-smallest time ratio allowed: 3x what linear work gives. */
#define MAX_GROWTH (3.0 * API_MAX / API_MIN)

static int failures;

static double now(void)
{
	struct timespec ts;

	/* CPU time of this thread: on a shared machine wall time measures
	 * the neighbours. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void expect(int got, int want, const char *what)
{
	if (got != want) {
		fprintf(stderr, "policy-scale: %s: got %d (%s), want %d\n",
			what, got, dmaheap_strerror(got), want);
		failures++;
	}
}

/* A memfd holding @text, named by its /proc path in @path. */
static int policy_file(const char *text, size_t len, char *path, size_t plen)
{
	int fd = memfd_create("policy", MFD_CLOEXEC);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		exit(2);
	snprintf(path, plen, "/proc/self/fd/%d", fd);
	return fd;
}

static int new_ctx(struct dmaheap_mock *mock, const char *path,
		   struct dmaheap_ctx **ctx)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;

	dmaheap_mock_options(mock, &o);
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	o.policy_file = path;
	return dmaheap_ctx_new_with(&o, ctx);
}

/* Lists and plans once; returns the seconds taken. */
static double use(struct dmaheap_ctx *ctx, int n_aliases)
{
	struct dmaheap_alias_info *aliases = NULL;
	struct dmaheap_heap_info *plan = NULL;
	double t0 = now();
	int n = dmaheap_alias_list(ctx, &aliases);

	if (n < n_aliases)
		expect(n, n_aliases, "alias list");
	dmaheap_alias_list_free(aliases);
	n = dmaheap_usage_plan(ctx, DMAHEAP_USAGE_CPU_RARELY, &plan);
	if (n < 1)
		expect(n, 1, "usage plan");
	dmaheap_heap_list_free(plan);
	return now() - t0;
}

static char *make_policy(int n, size_t *len)
{
	size_t cap = (size_t)n * 80 + 64, pos = 0;
	char *text = malloc(cap);

	for (int i = 0; i < n; i++)
		pos += (size_t)snprintf(text + pos, cap - pos,
					"alias a%d = system\n"
					"heap h%d = cached\n"
					"rule cpu-rarely = a%d\n", i, i, i);
	*len = pos;
	return text;
}

static void file_scale(struct dmaheap_mock *mock)
{
	double prev_load = 0, prev_use = 0;

	printf("policy file: N aliases + N heap lines + N rules\n");
	printf("%6s %8s %13s %7s %13s %7s\n", "N", "bytes", "create cpu s",
	       "ratio", "list+plan cpu", "ratio");
	for (int n = 125; n <= 1000; n *= 2) {
		struct dmaheap_ctx *ctx = NULL;
		char path[64];
		size_t len;
		char *text = make_policy(n, &len);
		int fd = policy_file(text, len, path, sizeof(path));
		double t0 = now(), load, used;

		expect(new_ctx(mock, path, &ctx), 0, "policy file of N lines");
		load = now() - t0;
		used = ctx ? use(ctx, n) : 0;
		printf("%6d %8zu %13.6f %7.2f %13.6f %7.2f\n", n, len, load,
		       prev_load ? load / prev_load : 0, used,
		       prev_use ? used / prev_use : 0);
		prev_load = load;
		prev_use = used;
		dmaheap_ctx_free(ctx);
		close(fd);
		free(text);
	}
}

/* Adds @n aliases and rules to a new context, then lists and plans;
 * the seconds each took, in @add and @used. */
static void api_once(struct dmaheap_mock *mock, int n, double *add,
		     double *used)
{
	static const char *const sys[] = { "system" };
	struct dmaheap_ctx *ctx = NULL;
	char name[32];
	double t0;

	expect(new_ctx(mock, NULL, &ctx), 0, "context");
	if (!ctx)
		exit(2);
	t0 = now();
	for (int i = 0; i < n; i++) {
		const char *alias[] = { name };

		snprintf(name, sizeof(name), "a%d", i);
		expect(dmaheap_ctx_set_alias(ctx, name, sys, 1), 0,
		       "set_alias");
		expect(dmaheap_ctx_add_rule(ctx, DMAHEAP_USAGE_CPU_RARELY,
					    alias, 1), 0, "add_rule");
	}
	*add = now() - t0;
	*used = use(ctx, n);
	dmaheap_ctx_free(ctx);
}

static double least(double a, double b)
{
	return a < b ? a : b;
}

static void check_growth(const char *what, double first, double last)
{
	double growth = last / first;

	printf("%s: x%.1f from N=%d to N=%d (linear x%d, quadratic x%d; "
	       "fails above x%.0f)\n", what, growth, API_MIN, API_MAX,
	       API_MAX / API_MIN, (API_MAX / API_MIN) * (API_MAX / API_MIN),
	       MAX_GROWTH);
	if (growth > MAX_GROWTH) {
		fprintf(stderr, "policy-scale: %s grows faster than linearly: "
			"x%.1f for x%d the size\n", what, growth,
			API_MAX / API_MIN);
		failures++;
	}
}

static void api_scale(struct dmaheap_mock *mock)
{
	double prev_add = 0, prev_use = 0, first_add = 0, first_use = 0;

	printf("API: N aliases and N rules (least of %d runs)\n", REPEAT);
	printf("%6s %13s %7s %13s %7s\n", "N", "add cpu s", "ratio",
	       "list+plan cpu", "ratio");
	for (int n = API_MIN; n <= API_MAX; n *= 2) {
		double add = 1e9, used = 1e9;

		for (int k = 0; k < REPEAT; k++) {
			double a, u;

			api_once(mock, n, &a, &u);
			add = least(add, a);
			used = least(used, u);
		}
		printf("%6d %13.6f %7.2f %13.6f %7.2f\n", n, add,
		       prev_add ? add / prev_add : 0, used,
		       prev_use ? used / prev_use : 0);
		if (n == API_MIN) {
			first_add = add;
			first_use = used;
		}
		prev_add = add;
		prev_use = used;
	}
	check_growth("add", first_add, prev_add);
	check_growth("list+plan", first_use, prev_use);
}

static void hostile_files(struct dmaheap_mock *mock)
{
	size_t big = 64u << 20;
	char *text = malloc(big), path[64];
	struct dmaheap_ctx *ctx = NULL;
	double t0;
	int fd;

	for (size_t i = 0; i < big; i++)
		text[i] = (i % 64 == 63) ? '\n' : '#';
	fd = policy_file(text, big, path, sizeof(path));
	t0 = now();
	expect(new_ctx(mock, path, &ctx), -EFBIG, "a 64 MiB policy file");
	printf("64 MiB file of comments: refused in %.6f s\n", now() - t0);
	close(fd);
	srand(1);
	for (size_t i = 0; i < 60000; i++)
		text[i] = (char)(rand() & 0xff);
	fd = policy_file(text, 60000, path, sizeof(path));
	t0 = now();
	expect(new_ctx(mock, path, &ctx), -EINVAL, "a binary policy file");
	printf("60000 random bytes: refused in %.6f s\n", now() - t0);
	close(fd);
	free(text);
}

int main(void)
{
	struct dmaheap_mock *mock;

	if (dmaheap_mock_new(&mock) < 0 ||
	    dmaheap_mock_add_heap(mock, "system", NULL) < 0)
		return 2;
	file_scale(mock);
	api_scale(mock);
	hostile_files(mock);
	dmaheap_mock_free(mock);
	return failures ? 1 : 0;
}

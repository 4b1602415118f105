/* SPDX-License-Identifier: MIT */
/*
 * The fault-injection driver.
 *
 *   test-fault syscalls      every system call of every scenario failed in
 *                            turn, with each errno call_errnos lists for
 *                            its kind; then, from each call on, every
 *                            call failing (a lasting shortage)
 *   test-fault allocs        every allocation of the library failed in turn
 *   test-fault coverage H    every function declared in header H has a
 *                            scenario
 *
 * Each run starts from a fresh mock and context. After it: the result is
 * a success in the function's range, a documented -errno, or (where the
 * header lets kernel errors through) the injected one; the context's live
 * figures match the buffers held; the scenario's own check holds; once
 * everything is released, a fresh allocation from the same context works,
 * the mock reports no leak and the process has the fds it had before.
 * Anything else is a problem: listed, and the exit status is 1.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../fdcount.h"
#include "fault.h"

/*
 * The errnos each kind of call is failed with: what the kernel can return
 * from it (man pages, and the drivers behind heaps, dma-bufs and udmabuf),
 * so that an error passed through undocumented is a real finding, not an
 * artefact of an impossible failure. 0-terminated.
 */
#define E(...) ((const int[]){ __VA_ARGS__, 0 })
static const int *const call_errnos[DMAHEAP_MOCK_CALL_COUNT] = {
	/* heap nodes are opened O_NONBLOCK, the other files are regular:
	 * no EINTR */
	[DMAHEAP_MOCK_OPEN] = E(ENOMEM, EMFILE, ENFILE, EACCES, ENOENT),
	[DMAHEAP_MOCK_CLOSE] = E(EINTR, EIO),
	/* the system heap's EINTR on a fatal signal; fd install's EMFILE */
	[DMAHEAP_MOCK_IOCTL_ALLOC] = E(EINTR, ENOMEM, EMFILE, EIO),
	[DMAHEAP_MOCK_IOCTL_SYNC] = E(EINTR, EAGAIN, ENOMEM, EIO),
	[DMAHEAP_MOCK_IOCTL_SET_NAME] = E(ENOMEM, EBUSY),
	[DMAHEAP_MOCK_IOCTL_EXPORT_SYNC_FILE] = E(ENOMEM, EMFILE),
	[DMAHEAP_MOCK_IOCTL_IMPORT_SYNC_FILE] = E(ENOMEM, EINVAL),
	[DMAHEAP_MOCK_IOCTL_OTHER] = E(ENOTTY, EINVAL),
	/* their EINTR comes only with a fatal signal, never seen */
	[DMAHEAP_MOCK_MMAP] = E(ENOMEM, EACCES, EAGAIN),
	[DMAHEAP_MOCK_MUNMAP] = E(ENOMEM),
	[DMAHEAP_MOCK_LSEEK] = E(EINVAL, EBADF),
	/* the library's fcntls that can fail: dups */
	[DMAHEAP_MOCK_FCNTL] = E(EMFILE),
	[DMAHEAP_MOCK_FSTAT] = E(ENOMEM),
	[DMAHEAP_MOCK_FSTATFS] = E(ENOMEM, EBADF),
	[DMAHEAP_MOCK_READDIR] = E(EACCES, EMFILE, ENOMEM, EIO, ENOENT),
	[DMAHEAP_MOCK_MEMFD_CREATE] = E(EMFILE, ENFILE, ENOMEM),
	[DMAHEAP_MOCK_FTRUNCATE] = E(EFBIG, ENOMEM),
	/* sysfs attributes and regular files */
	[DMAHEAP_MOCK_READ] = E(EIO, ENOMEM),
	[DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE] = E(ENOMEM, EMFILE, EINVAL,
						EINTR),
	[DMAHEAP_MOCK_POLL] = E(EINTR, ENOMEM),
	/* MADV_WIPEONFORK before Linux 4.14: EINVAL */
	[DMAHEAP_MOCK_MADVISE] = E(EINVAL, ENOMEM, EAGAIN),
	[DMAHEAP_MOCK_SENDMSG] = E(EINTR, EAGAIN, ENOBUFS, ENOMEM, EPIPE,
				   ETOOMANYREFS),
	[DMAHEAP_MOCK_RECVMSG] = E(EINTR, EAGAIN, ENOMEM),
	/* no membarrier (CONFIG_MEMBARRIER=n, or before Linux 4.14's
	 * expedited commands): ENOSYS or EINVAL; a seccomp filter: EPERM */
	[DMAHEAP_MOCK_MEMBARRIER] = E(ENOSYS, EINVAL, EPERM),
};

static const char *const call_names[DMAHEAP_MOCK_CALL_COUNT] = {
	[DMAHEAP_MOCK_OPEN] = "open",
	[DMAHEAP_MOCK_CLOSE] = "close",
	[DMAHEAP_MOCK_IOCTL_ALLOC] = "ioctl(ALLOC)",
	[DMAHEAP_MOCK_IOCTL_SYNC] = "ioctl(SYNC)",
	[DMAHEAP_MOCK_IOCTL_SET_NAME] = "ioctl(SET_NAME)",
	[DMAHEAP_MOCK_IOCTL_EXPORT_SYNC_FILE] = "ioctl(EXPORT_SYNC_FILE)",
	[DMAHEAP_MOCK_IOCTL_IMPORT_SYNC_FILE] = "ioctl(IMPORT_SYNC_FILE)",
	[DMAHEAP_MOCK_IOCTL_OTHER] = "ioctl(other)",
	[DMAHEAP_MOCK_MMAP] = "mmap",
	[DMAHEAP_MOCK_MUNMAP] = "munmap",
	[DMAHEAP_MOCK_LSEEK] = "lseek",
	[DMAHEAP_MOCK_FCNTL] = "fcntl",
	[DMAHEAP_MOCK_FSTAT] = "fstat",
	[DMAHEAP_MOCK_FSTATFS] = "fstatfs",
	[DMAHEAP_MOCK_READDIR] = "readdir",
	[DMAHEAP_MOCK_MEMFD_CREATE] = "memfd_create",
	[DMAHEAP_MOCK_FTRUNCATE] = "ftruncate",
	[DMAHEAP_MOCK_READ] = "read",
	[DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE] = "ioctl(UDMABUF_CREATE)",
	[DMAHEAP_MOCK_POLL] = "poll",
	[DMAHEAP_MOCK_MADVISE] = "madvise",
	[DMAHEAP_MOCK_SENDMSG] = "sendmsg",
	[DMAHEAP_MOCK_RECVMSG] = "recvmsg",
	[DMAHEAP_MOCK_MEMBARRIER] = "membarrier",
};

/* A kind this test does not know yet fails no call (no errnos listed)
 * and shows by number. */
static const char *call_name(enum dmaheap_mock_call kind)
{
	static char unknown[32];

	if ((unsigned int)kind < DMAHEAP_MOCK_CALL_COUNT && call_names[kind])
		return call_names[kind];
	snprintf(unknown, sizeof(unknown), "call kind %d", (int)kind);
	return unknown;
}

static const int no_errnos[] = { 0 };

static const int *errnos_of(enum dmaheap_mock_call kind)
{
	if ((unsigned int)kind < DMAHEAP_MOCK_CALL_COUNT && call_errnos[kind])
		return call_errnos[kind];
	return no_errnos;
}

static const char policy_text[] =
	"# the fault test's policy file\n"
	"heap vendor,carveout = contiguous uncached\n"
	"alias fast = system-uncached system\n"
	"rule cpu-rarely = fast\n";

/* Valid lines before the error, so that parsing has made something to
 * undo when it fails. */
static const char bad_policy_text[] =
	"alias fast = system-uncached system\n"
	"heap vendor,carveout = contiguous\n"
	"rule cpu-often = fast\n";

enum mode { MODE_SYSCALLS, MODE_ALLOCS };

/* One run: what was failed, what came of it. */
struct run {
	enum mode mode;
	long at;   /* the call or allocation failed, -1 for none */
	int err;   /* the errno injected (MODE_SYSCALLS) */
	long r;
	long sites;  /* calls or allocations the run made */
	bool fired;
	enum dmaheap_mock_call kind;
	bool probe; /* only finds the kind of call @at: not counted */
	/* Persistent failure: call @at and every later call fail, each
	 * with the first errno (not EINTR, which is retried) of its kind;
	 * @kinds is the scenario's sequence of calls. */
	const enum dmaheap_mock_call *kinds;
};

static struct {
	long pairs, runs, fired, recovered, errors, not_reached;
	long passthrough_undocumented;
	long persistent;
	long problems;
	int policy_fd;
	int bad_policy_fd;
	bool verbose;
} g;

void fault_require(bool ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	fprintf(stderr, "%s:%d: setup failed without injection: %s\n", file,
		line, what);
	exit(1);
}

static void problem(const struct fault_scenario *s, const struct run *run,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void problem(const struct fault_scenario *s, const struct run *run,
		    const char *fmt, ...)
{
	va_list ap;

	if (run->probe)
		return; /* the runs with each errno check this site */
	g.problems++;
	printf("PROBLEM %s (%s): ", s->fn, s->variant);
	if (run->kinds)
		printf("every call from %ld (%s) on failed: ", run->at,
		       call_name(run->kinds[run->at]));
	else if (run->mode == MODE_SYSCALLS && run->at >= 0)
		printf("call %ld (%s) failed with %s: ", run->at,
		       run->fired ? call_name(run->kind) : "not reached",
		       strerror(run->err));
	else if (run->mode == MODE_ALLOCS && run->at >= 0)
		printf("allocation %ld failed: ", run->at);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static struct dmaheap_ctx *make_ctx(struct dmaheap_mock *mock)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_ctx *ctx = NULL;

	dmaheap_mock_options(mock, &o);
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	FAULT_REQUIRE(dmaheap_ctx_new_with(&o, &ctx) == 0);
	return ctx;
}

static struct dmaheap_mock *make_mock(void)
{
	struct dmaheap_mock_heap small_cma = { .max_size = 4096 };
	struct dmaheap_mock_heap secure = { .unmappable = 1 };
	struct dmaheap_mock_udmabuf udm = { 0 };
	struct dmaheap_mock *mock;

	FAULT_REQUIRE(dmaheap_mock_new(&mock) == 0);
	FAULT_REQUIRE(dmaheap_mock_add_heap(mock, "system", NULL) == 0);
	FAULT_REQUIRE(dmaheap_mock_add_heap(mock, "system-uncached",
					    NULL) == 0);
	FAULT_REQUIRE(dmaheap_mock_add_heap(mock, "linux,cma",
					    &small_cma) == 0);
	FAULT_REQUIRE(dmaheap_mock_add_heap(mock, "protected,secure-video",
					    &secure) == 0);
	FAULT_REQUIRE(dmaheap_mock_set_udmabuf(mock, &udm) == 0);
	return mock;
}

static long mock_calls(struct dmaheap_mock *mock)
{
	long n = 0;
	int k;

	for (k = 0; k < DMAHEAP_MOCK_CALL_COUNT; k++)
		n += (long)dmaheap_mock_calls(mock,
					      (enum dmaheap_mock_call)k);
	return n;
}

static bool documented(const struct fault_scenario *s, int e)
{
	const int *d;

	for (d = s->documented; *d; d++)
		if (*d == e)
			return true;
	return false;
}

static bool in_range(const struct fault_scenario *s, long r)
{
	switch (s->ret) {
	case RET_ZERO:
		return r == 0;
	case RET_BOOL:
		return r == 0 || r == 1;
	case RET_NONNEG:
		return r >= 0;
	default:
		return true;
	}
}

static void check_result(const struct fault_scenario *s, struct run *run)
{
	long r = run->r;

	if (s->ret == RET_ANY || r >= 0) {
		if (!in_range(s, r))
			problem(s, run, "returned %ld", r);
		else if (run->fired && !run->probe)
			g.recovered++;
		return;
	}
	if (r < -4095) {
		problem(s, run, "returned %ld, not an errno", r);
		return;
	}
	if (run->fired && !run->probe)
		g.errors++;
	if (documented(s, (int)-r))
		return;
	if (run->mode == MODE_SYSCALLS && run->fired && -r == run->err) {
		if (!s->passthrough && !run->probe) {
			g.passthrough_undocumented++;
			if (g.verbose)
				printf("undocumented: %s (%s) passes %s of "
				       "%s through\n", s->fn, s->variant,
				       strerror(run->err),
				       call_name(run->kind));
		}
		return;
	}
	problem(s, run, "returned %ld (%s), not documented", r,
		strerror((int)-r));
}

/* Heap buffers held, as the context's live figures should count them. */
struct held {
	uint64_t buffers;
	uint64_t bytes;
};

static void hold_buf(struct held *h, struct dmaheap_buf *b)
{
	if (!b || !dmaheap_buf_heap_name(b))
		return; /* imports are not counted */
	h->buffers++;
	h->bytes += dmaheap_buf_size(b);
}

static void hold_image(struct held *h, struct dmaheap_image *img)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	unsigned int i;

	for (i = 0; l && i < l->n_buffers; i++)
		hold_buf(h, dmaheap_image_buf(img, i));
}

/* The context's live figures count the heap buffers held, no more. */
static void check_stats(const struct fault_scenario *s, struct run *run,
			struct fault_env *e)
{
	struct held h = { 0, 0 };
	struct dmaheap_stats st;

	if (!e->ctx)
		return;
	hold_buf(&h, e->buf);
	hold_image(&h, e->img);
	if (!e->out_imports) {
		hold_buf(&h, e->out_buf);
		hold_image(&h, e->out_img);
	}
	if (dmaheap_ctx_stats(e->ctx, NULL, &st) != 0)
		problem(s, run, "dmaheap_ctx_stats() fails");
	else if (st.live_buffers != h.buffers || st.live_bytes != h.bytes)
		problem(s, run, "stats say %llu live buffers of %llu bytes, "
			"%llu of %llu bytes are held",
			(unsigned long long)st.live_buffers,
			(unsigned long long)st.live_bytes,
			(unsigned long long)h.buffers,
			(unsigned long long)h.bytes);
}

static void close_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void release(struct fault_env *e)
{
	dmaheap_buf_free(e->out_buf);
	dmaheap_buf_free(e->buf);
	dmaheap_image_free(e->out_img);
	dmaheap_image_free(e->img);
	dmaheap_heap_list_free(e->out_list);
	dmaheap_alias_list_free(e->out_aliases);
	dmaheap_stat_free(e->out_stat);
	dmaheap_ctx_free(e->out_ctx);
	close_fd(e->out_fd);
	close_fd(e->raw_fd);
	close_fd(e->sync_fd);
	close_fd(e->sock[0]);
	close_fd(e->sock[1]);
}

/* A fresh allocation, mapped and written, works after the run. */
static bool still_usable(struct fault_env *e)
{
	struct dmaheap_ctx *ctx = e->ctx ? e->ctx : make_ctx(e->mock);
	struct dmaheap_buf *b = NULL;
	char *p = NULL;
	bool ok;

	ok = dmaheap_alloc(ctx, "system", 4096, 0, &b) == 0 &&
	     dmaheap_buf_map(b, (void **)&p) == 0;
	if (ok) {
		memset(p, 0xa5, 4096);
		ok = dmaheap_buf_unmap(b) == 0;
	}
	dmaheap_buf_free(b);
	if (ctx != e->ctx)
		dmaheap_ctx_free(ctx);
	return ok;
}

static void teardown(const struct fault_scenario *s, struct run *run,
		     struct fault_env *e, int fds_before)
{
	struct dmaheap_mock_leaks l;
	char report[1024];
	int n;

	release(e);
	if (!still_usable(e))
		problem(s, run, "a fresh allocation fails afterwards");
	dmaheap_ctx_free(e->ctx);
	n = dmaheap_mock_leaks(e->mock, &l, report, sizeof(report));
	if (n != 0)
		problem(s, run, "the mock reports %d leak(s):\n%s", n, report);
	dmaheap_mock_free(e->mock);
	n = count_open_fds();
	if (n != fds_before)
		problem(s, run, "%d fd(s) before, %d after", fds_before, n);
}

static int persistent_errno(enum dmaheap_mock_call kind)
{
	const int *err = errnos_of(kind);

	while (*err == EINTR)
		err++;
	return *err;
}

/* Every call of each kind from the first at or after @run->at on. */
static void arm_persistent(struct dmaheap_mock *mock, const struct run *run)
{
	int k;
	long i;

	for (k = 0; k < DMAHEAP_MOCK_CALL_COUNT; k++) {
		unsigned int before = 0;
		int err = persistent_errno((enum dmaheap_mock_call)k);

		for (i = 0; i < run->at; i++)
			before += run->kinds[i] == (enum dmaheap_mock_call)k;
		if (err)
			dmaheap_mock_inject(mock, (enum dmaheap_mock_call)k,
					    before, UINT_MAX, err);
	}
}

static void arm(struct dmaheap_mock *mock, const struct run *run)
{
	dmaheap_mock_reset_calls(mock);
	if (run->mode == MODE_SYSCALLS && run->at >= 0 && run->kinds)
		arm_persistent(mock, run);
	else if (run->mode == MODE_SYSCALLS && run->at >= 0)
		dmaheap_mock_inject_nth(mock, (unsigned int)run->at,
					run->err);
	fault_alloc_arm(run->mode == MODE_ALLOCS ? run->at : -1);
}

/* Stops injecting; records how many calls or allocations the run made
 * and whether the failure happened. */
static void disarm(struct dmaheap_mock *mock, struct run *run)
{
	long allocs = fault_alloc_count();
	bool alloc_fired = fault_alloc_fired();

	int k;

	fault_alloc_arm(-1);
	dmaheap_mock_inject_nth(mock, 0, 0);
	for (k = 0; k < DMAHEAP_MOCK_CALL_COUNT; k++)
		dmaheap_mock_inject(mock, (enum dmaheap_mock_call)k, 0, 0, 0);
	if (run->mode == MODE_ALLOCS) {
		run->sites = allocs;
		run->fired = alloc_fired;
		return;
	}
	run->sites = mock_calls(mock);
	run->fired = dmaheap_mock_injected(mock, &run->kind) > 0;
}

static void one_run(const struct fault_scenario *s, struct run *run)
{
	struct fault_env e;
	int fds_before = count_open_fds();
	const char *why;

	memset(&e, 0, sizeof(e));
	e.raw_fd = e.sync_fd = e.out_fd = e.sock[0] = e.sock[1] = -1;
	e.policy_fd = g.policy_fd;
	e.bad_policy_fd = g.bad_policy_fd;
	e.mock = make_mock();
	e.ctx = make_ctx(e.mock);
	if (s->setup)
		s->setup(&e);
	arm(e.mock, run);
	run->r = s->run(&e);
	disarm(e.mock, run);
	if (run->at >= 0 && !run->probe) {
		g.runs++;
		if (run->fired)
			g.fired++;
		else
			g.not_reached++;
	}
	check_result(s, run);
	check_stats(s, run, &e);
	e.injected = run->mode == MODE_SYSCALLS && run->fired;
	e.injected_kind = run->kind;
	e.persistent = run->kinds != NULL;
	if (s->check && (why = s->check(&e, run->r)))
		problem(s, run, "%s", why);
	teardown(s, run, &e, fds_before);
}

/* The kind of call @at of @s: fail it once to see. */
static enum dmaheap_mock_call site_kind(const struct fault_scenario *s,
					long at)
{
	struct run probe = { .mode = MODE_SYSCALLS, .at = at, .err = EIO,
			     .probe = true };

	one_run(s, &probe);
	return probe.kind;
}

static long scenario_syscalls(const struct fault_scenario *s)
{
	struct run count = { .mode = MODE_SYSCALLS, .at = -1 };
	long at;

	enum dmaheap_mock_call *kinds;

	one_run(s, &count);
	kinds = calloc((size_t)count.sites + 1, sizeof(*kinds));
	FAULT_REQUIRE(kinds != NULL);
	for (at = 0; at < count.sites; at++) {
		const int *err;

		kinds[at] = site_kind(s, at);
		for (err = errnos_of(kinds[at]); *err; err++) {
			struct run run = { .mode = MODE_SYSCALLS, .at = at,
					   .err = *err };

			one_run(s, &run);
		}
	}
	/* Then from each call on, every call fails: what error paths do
	 * when their own clean-up fails too (out of memory, of fds). */
	for (at = 0; at < count.sites; at++) {
		struct run run = { .mode = MODE_SYSCALLS, .at = at,
				   .err = persistent_errno(kinds[at]),
				   .kinds = kinds };

		one_run(s, &run);
		g.persistent++;
	}
	printf("%-30s %-26s %2ld call site(s):", s->fn, s->variant,
	       count.sites);
	for (at = 0; at < count.sites; at++)
		printf(" %s", call_name(kinds[at]));
	putchar('\n');
	free(kinds);
	return count.sites;
}

static long scenario_allocs(const struct fault_scenario *s)
{
	struct run count = { .mode = MODE_ALLOCS, .at = -1 };
	long at;

	one_run(s, &count);
	for (at = 0; at < count.sites; at++) {
		struct run run = { .mode = MODE_ALLOCS, .at = at,
				   .err = ENOMEM };

		one_run(s, &run);
	}
	printf("%-30s %-26s %2ld allocation(s)\n", s->fn, s->variant,
	       count.sites);
	return count.sites;
}

static size_t count_functions(void)
{
	size_t i, j, n = 0;

	for (i = 0; i < fault_scenario_count(); i++) {
		for (j = 0; j < i; j++)
			if (strcmp(fault_scenario(i)->fn,
				   fault_scenario(j)->fn) == 0)
				break;
		n += j == i;
	}
	return n;
}

static int run_mode(enum mode mode)
{
	size_t i;

	for (i = 0; i < fault_scenario_count(); i++)
		g.pairs += mode == MODE_SYSCALLS ?
				   scenario_syscalls(fault_scenario(i)) :
				   scenario_allocs(fault_scenario(i));
	if (mode == MODE_SYSCALLS)
		printf("fault: syscalls: %zu scenarios over %zu public "
		       "functions, %ld (function, call site) pairs, each "
		       "failed with the errnos its kind of call can give, "
		       "then with every call failing from it on: %ld runs "
		       "(%ld of the latter), %ld injected failures (%ld not "
		       "reached), %ld recovered, %ld clean errors (%ld passed "
		       "through undocumented), %ld problems\n",
		       fault_scenario_count(), count_functions(), g.pairs, g.runs,
		       g.persistent, g.fired, g.not_reached, g.recovered,
		       g.errors, g.passthrough_undocumented, g.problems);
	else
		printf("fault: allocs: %zu scenarios over %zu public "
		       "functions, %ld (function, allocation site) pairs: "
		       "%ld runs, %ld failed allocations, %ld recovered, "
		       "%ld clean errors, %ld problems\n",
		       fault_scenario_count(), count_functions(), g.pairs, g.runs,
		       g.fired, g.recovered, g.errors, g.problems);
	return g.problems ? 1 : 0;
}

/* The name of the function an "DMAHEAP_EXPORT" at @p declares, copied to
 * @name; false for the macro's own definition. */
static bool exported_name(const char *p, char *name, size_t len)
{
	const char *paren = strchr(p, '('), *start;

	if (!paren)
		return false;
	for (start = paren; start > p && (start[-1] == '_' ||
					  (start[-1] >= 'a' && start[-1] <= 'z') ||
					  (start[-1] >= '0' && start[-1] <= '9'));
	     start--)
		;
	if (strncmp(start, "dmaheap_", 8) != 0 ||
	    (size_t)(paren - start) >= len)
		return false;
	memcpy(name, start, (size_t)(paren - start));
	name[paren - start] = '\0';
	return true;
}

static bool has_scenario(const char *fn)
{
	size_t i;

	for (i = 0; i < fault_scenario_count(); i++)
		if (strcmp(fault_scenario(i)->fn, fn) == 0)
			return true;
	return false;
}

/* Whether @name was declared before @at (a header may repeat one). */
static bool declared_before(const char *text, const char *at,
			    const char *name)
{
	char other[128];
	const char *p;

	for (p = text; (p = strstr(p, "DMAHEAP_EXPORT")) && p < at; p += 14)
		if (exported_name(p, other, sizeof(other)) &&
		    strcmp(other, name) == 0)
			return true;
	return false;
}

/* Every function @header exports (DMAHEAP_EXPORT) needs a scenario. */
static int coverage(const char *header)
{
	static char text[1 << 20];
	FILE *f = fopen(header, "r");
	size_t n;
	const char *p;
	char name[128];
	int missing = 0, found = 0;

	if (!f) {
		perror(header);
		return 1;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	for (p = text; (p = strstr(p, "DMAHEAP_EXPORT")); p += 14) {
		if (!exported_name(p, name, sizeof(name)) ||
		    declared_before(text, p, name))
			continue;
		found++;
		if (!has_scenario(name)) {
			printf("no fault scenario for %s: add one to "
			       "tests/fault/scen-*.c\n", name);
			missing++;
		}
	}
	printf("fault: coverage: %d public functions, %d with a scenario\n",
	       found, found - missing);
	return missing || !found ? 1 : 0;
}

static int make_policy_fd(const char *text)
{
	int fd = memfd_create("fault-policy", MFD_CLOEXEC);
	size_t len = strlen(text);

	FAULT_REQUIRE(fd >= 0);
	FAULT_REQUIRE(write(fd, text, len) == (ssize_t)len);
	return fd;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	g.verbose = getenv("FAULT_VERBOSE") != NULL;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "coverage") == 0 && argc == 3)
		return coverage(argv[2]);
	g.policy_fd = make_policy_fd(policy_text);
	g.bad_policy_fd = make_policy_fd(bad_policy_text);
	if (strcmp(mode, "syscalls") == 0)
		return run_mode(MODE_SYSCALLS);
	if (strcmp(mode, "allocs") == 0)
		return run_mode(MODE_ALLOCS);
	fprintf(stderr, "usage: %s syscalls | allocs | coverage HEADER\n",
		argv[0]);
	return 2;
}

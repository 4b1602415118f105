/* SPDX-License-Identifier: MIT */
/*
 * Device usages: the built-in rules for them, the IOMMU probe, what the
 * API and the policy file declare, and that requests of CPU bits alone
 * plan exactly as in 0.1.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "testutil.h"

#define CMA "default_cma_region", "linux,cma", "reserved", "default-pool"
#define PROT "protected,secure-video", "protected,trusted-ui", \
	"protected,secure-video-record"
#define END NULL

/* The plan for @usage is exactly the NULL-terminated names after it. */
static void expect_plan_v(struct dmaheap_ctx *ctx, unsigned int usage,
			  const char *const *want)
{
	struct dmaheap_heap_info *plan = NULL;
	int n = dmaheap_usage_plan(ctx, usage, &plan), i;

	assert_true(n >= 0);
	for (i = 0; i < n && want[i]; i++)
		if (strcmp(plan[i].name, want[i]) != 0)
			fail_msg("usage 0x%x: candidate %d is %s, not %s",
				 usage, i, plan[i].name, want[i]);
	if (i != n || want[i])
		fail_msg("usage 0x%x: %d candidates, %s expected", usage, n,
			 want[i] ? "more" : "fewer");
	dmaheap_heap_list_free(plan);
}

#define expect_plan(ctx, usage, ...)                                     \
	expect_plan_v(ctx, usage, (const char *const[]){ __VA_ARGS__ })

static void expect_effective(struct dmaheap_ctx *ctx, unsigned int usage,
			     unsigned int want)
{
	unsigned int got = 0;

	assert_int_equal(dmaheap_usage_requirements(ctx, usage, &got), 0);
	assert_int_equal(got, want);
}

/* A board described by a device tree; with @iommu, one IOMMU in sysfs. */
static void board(struct fixture *f, bool iommu)
{
	assert_int_equal(dmaheap_mock_set_kernel_file(f->mock,
		"/proc/device-tree/compatible", "vendor,board"), 0);
	if (iommu)
		assert_int_equal(dmaheap_mock_set_kernel_file(f->mock,
			"/sys/class/iommu/smmu0/uevent", ""), 0);
}

/* The 0.1 rules and heap properties, as 0.1 applied them. */
static const char *const *old_rule(unsigned int u)
{
	static const char *const prot[] = { PROT, END };
	static const char *const cma[] = { CMA, END };
	static const char *const unc[] = { "system-uncached", END };
	static const char *const dev[] = { "system-uncached", "system",
					   "udmabuf", END };
	static const char *const def[] = { "system", "udmabuf", END };

	if (u & DMAHEAP_USAGE_PROTECTED)
		return prot;
	if (u & DMAHEAP_USAGE_CONTIGUOUS)
		return cma;
	if (u & DMAHEAP_USAGE_UNCACHED)
		return unc;
	return u & DMAHEAP_USAGE_DEVICE_ONLY ? dev : def;
}

static bool old_qualifies(unsigned int u, const char *heap)
{
	bool prot = strncmp(heap, "protected,", 10) == 0;
	bool contig = !prot && strcmp(heap, "system") != 0 &&
		      strcmp(heap, "system-uncached") != 0 &&
		      strcmp(heap, "udmabuf") != 0;

	if (!!(u & DMAHEAP_USAGE_PROTECTED) != prot)
		return false;
	if ((u & DMAHEAP_USAGE_CONTIGUOUS) && !contig)
		return false;
	if ((u & DMAHEAP_USAGE_UNCACHED) &&
	    strcmp(heap, "system-uncached") != 0)
		return false;
	return true;
}

/* Every valid usage of 0.1 plans as 0.1 did, on a board whose probe
 * would make devices need contiguous memory, and without probing. */
static void test_cpu_usages_plan_as_in_0_1(void **state)
{
	struct fixture *f = *state;

	board(f, false);
	for (unsigned int u = 0; u < 128; u++) {
		const char *want[8];
		const char *const *rule = old_rule(u);
		size_t n = 0;
		struct dmaheap_heap_info *plan = NULL;

		if (dmaheap_usage_plan(f->ctx, u, &plan) == -EINVAL)
			continue;
		dmaheap_heap_list_free(plan);
		for (; *rule; rule++)
			if (old_qualifies(u, *rule))
				want[n++] = *rule;
		want[n] = NULL;
		expect_plan_v(f->ctx, u, want);
		expect_effective(f->ctx, u, u);
	}
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READDIR), 0);
}

/* With IOMMUs (no device tree: a PC), the built-in device rules. */
static void test_builtin_device_rules(void **state)
{
	struct fixture *f = *state;
	static const unsigned int plain[] = {
		DMAHEAP_USAGE_CAMERA_WRITE, DMAHEAP_USAGE_VIDEO_DECODE,
		DMAHEAP_USAGE_VIDEO_ENCODE, DMAHEAP_USAGE_GPU_TEXTURE,
		DMAHEAP_USAGE_GPU_RENDER,
		DMAHEAP_USAGE_CAMERA_WRITE | DMAHEAP_USAGE_CPU_WRITE_OFTEN,
	};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		expect_plan(f->ctx, plain[i], "system", "udmabuf", END);
		expect_effective(f->ctx, plain[i], plain[i]);
	}
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT, "system-uncached",
		    "system", END);
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT |
		    DMAHEAP_USAGE_GPU_RENDER | DMAHEAP_USAGE_CPU_WRITE_OFTEN,
		    "system-uncached", "system", END);
	/* CPU reads keep cached memory, even for scanout. */
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT |
		    DMAHEAP_USAGE_CPU_READ_OFTEN, "system", "udmabuf", END);
	expect_plan(f->ctx, DMAHEAP_USAGE_CAMERA_WRITE |
		    DMAHEAP_USAGE_DEVICE_ONLY, "system-uncached", "system",
		    "udmabuf", END);
	expect_plan(f->ctx, DMAHEAP_USAGE_VIDEO_DECODE |
		    DMAHEAP_USAGE_PROTECTED | DMAHEAP_USAGE_DISPLAY_SCANOUT,
		    PROT, END);
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT |
		    DMAHEAP_USAGE_UNCACHED, "system-uncached", END);
	expect_plan(f->ctx, DMAHEAP_USAGE_CAMERA_WRITE |
		    DMAHEAP_USAGE_CONTIGUOUS, CMA, END);
}

/* A device tree and no IOMMU: camera, display and video need contiguous
 * memory; the GPU, with its own MMU, does not. */
static void test_probe_without_iommu(void **state)
{
	struct fixture *f = *state;
	static const unsigned int soc[] = {
		DMAHEAP_USAGE_CAMERA_WRITE, DMAHEAP_USAGE_DISPLAY_SCANOUT,
		DMAHEAP_USAGE_VIDEO_DECODE, DMAHEAP_USAGE_VIDEO_ENCODE,
		DMAHEAP_USAGE_DISPLAY_SCANOUT | DMAHEAP_USAGE_GPU_RENDER |
			DMAHEAP_USAGE_CPU_READ_OFTEN,
	};
	struct dmaheap_buf *buf = NULL;

	board(f, false);
	for (size_t i = 0; i < sizeof(soc) / sizeof(soc[0]); i++) {
		expect_plan(f->ctx, soc[i], CMA, END);
		expect_effective(f->ctx, soc[i],
				 soc[i] | DMAHEAP_USAGE_CONTIGUOUS);
	}
	expect_plan(f->ctx, DMAHEAP_USAGE_GPU_RENDER, "system", "udmabuf", END);
	expect_effective(f->ctx, DMAHEAP_USAGE_GPU_TEXTURE,
			 DMAHEAP_USAGE_GPU_TEXTURE);
	/* Protected memory is not contiguous here: nothing qualifies. */
	expect_plan(f->ctx, DMAHEAP_USAGE_VIDEO_DECODE |
		    DMAHEAP_USAGE_PROTECTED, END);

	/* No CMA heap on this mock: the allocation fails, never scattered. */
	assert_int_equal(dmaheap_alloc_usage(f->ctx,
		DMAHEAP_USAGE_DISPLAY_SCANOUT, 4096, 0, &buf), -ENOENT);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "reserved", NULL), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx,
		DMAHEAP_USAGE_DISPLAY_SCANOUT, 4096, 0, &buf), -ENOENT);
	/* An absent heap stays absent until a rescan. */
	assert_int_equal(dmaheap_ctx_rescan(f->ctx), 0);
	assert_int_equal(dmaheap_alloc_usage(f->ctx,
		DMAHEAP_USAGE_DISPLAY_SCANOUT, 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "reserved");
	dmaheap_buf_free(buf);
}

static void test_probe_with_iommu(void **state)
{
	struct fixture *f = *state;

	board(f, true);
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT, "system-uncached",
		    "system", END);
	expect_effective(f->ctx, DMAHEAP_USAGE_VIDEO_DECODE,
			 DMAHEAP_USAGE_VIDEO_DECODE);
}

/* Probed once per context, only for a device the probe decides, and
 * never for CPU bits alone. */
static void test_probe_once(void **state)
{
	struct fixture *f = *state;
	unsigned int got;

	board(f, false);
	expect_effective(f->ctx, DMAHEAP_USAGE_GPU_RENDER,
			 DMAHEAP_USAGE_GPU_RENDER);
	expect_effective(f->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
			 DMAHEAP_USAGE_CPU_READ_OFTEN);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READDIR), 0);
	expect_effective(f->ctx, DMAHEAP_USAGE_CAMERA_WRITE,
			 DMAHEAP_USAGE_CAMERA_WRITE | DMAHEAP_USAGE_CONTIGUOUS);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READDIR), 2);
	expect_plan(f->ctx, DMAHEAP_USAGE_VIDEO_ENCODE, CMA, END);
	assert_int_equal(dmaheap_usage_requirements(f->ctx,
		DMAHEAP_USAGE_DISPLAY_SCANOUT, &got), 0);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READDIR), 2);
}

/* An unreadable directory counts as absent: no device tree, so the
 * devices reach scattered memory. */
static void test_probe_unreadable(void **state)
{
	struct fixture *f = *state;

	board(f, false);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_READDIR,
					     0, 2, EACCES), 0);
	expect_effective(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT,
			 DMAHEAP_USAGE_DISPLAY_SCANOUT);
}

/* Out of fds: no verdict is kept, the next request probes again. */
static void test_probe_transient_failure(void **state)
{
	struct fixture *f = *state;

	board(f, false);
	assert_int_equal(dmaheap_mock_inject(f->mock, DMAHEAP_MOCK_READDIR,
					     1, 1, EMFILE), 0);
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT, "system-uncached",
		    "system", END);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READDIR), 2);
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT, CMA, END);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READDIR), 4);
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT, CMA, END);
	assert_int_equal(dmaheap_mock_calls(f->mock, DMAHEAP_MOCK_READDIR), 4);
}

struct racer {
	struct dmaheap_ctx *ctx;
	int result;
	char heap[32];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct dmaheap_buf *buf = NULL;

	r->result = dmaheap_alloc_usage(r->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT,
					4096, 0, &buf);
	if (r->result == 0)
		snprintf(r->heap, sizeof(r->heap), "%s",
			 dmaheap_buf_heap_name(buf));
	dmaheap_buf_free(buf);
	return NULL;
}

static void count_verdicts(void *userdata, int priority, const char *msg)
{
	(void)priority;
	if (strncmp(msg, "device usages: ", 15) == 0 &&
	    !strstr(msg, "cannot probe"))
		atomic_fetch_add((atomic_int *)userdata, 1);
}

/* Threads racing on a fresh context's first device request: each gets
 * the contiguous heap, and the verdict is recorded and logged once. */
static void test_probe_race(void **state)
{
	struct fixture *f = *state;
	struct racer racers[8];
	pthread_t t[8];
	atomic_int verdicts = 0;
	struct dmaheap_ctx *ctx;

	board(f, false);
	assert_int_equal(dmaheap_mock_add_heap(f->mock, "reserved", NULL), 0);
	ctx = fixture_logging_ctx(f, count_verdicts, &verdicts,
				  DMAHEAP_LOG_DEBUG);
	for (int i = 0; i < 8; i++) {
		racers[i] = (struct racer){ .ctx = ctx };
		assert_int_equal(pthread_create(&t[i], NULL, race, &racers[i]),
				 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(racers[i].result, 0);
		assert_string_equal(racers[i].heap, "reserved");
	}
	assert_int_equal(atomic_load(&verdicts), 1);
	dmaheap_ctx_free(ctx);
}

static void test_set_device_iommu(void **state)
{
	struct fixture *f = *state;

	board(f, false);
	/* Overrides the probe, for the devices named only. */
	assert_int_equal(dmaheap_ctx_set_device_iommu(f->ctx,
		DMAHEAP_USAGE_DISPLAY_SCANOUT, 1), 0);
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT, "system-uncached",
		    "system", END);
	expect_plan(f->ctx, DMAHEAP_USAGE_CAMERA_WRITE, CMA, END);
	/* A device that needs contiguous memory makes the whole request
	 * need it. */
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT |
		    DMAHEAP_USAGE_CAMERA_WRITE, CMA, END);
	/* The GPU too, when declared; the latest declaration wins. */
	assert_int_equal(dmaheap_ctx_set_device_iommu(f->ctx,
		DMAHEAP_USAGE_GPU_RENDER | DMAHEAP_USAGE_DISPLAY_SCANOUT, 0), 0);
	expect_plan(f->ctx, DMAHEAP_USAGE_GPU_RENDER, CMA, END);
	expect_plan(f->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT, CMA, END);

	assert_int_equal(dmaheap_ctx_set_device_iommu(NULL,
		DMAHEAP_USAGE_GPU_RENDER, 1), -EINVAL);
	assert_int_equal(dmaheap_ctx_set_device_iommu(f->ctx, 0, 1), -EINVAL);
	assert_int_equal(dmaheap_ctx_set_device_iommu(f->ctx,
		DMAHEAP_USAGE_GPU_RENDER | DMAHEAP_USAGE_CONTIGUOUS, 1), -EINVAL);
	assert_int_equal(dmaheap_ctx_set_device_iommu(f->ctx, 1u << 13, 1),
			 -EINVAL);
}

static void test_requirements_bad_args(void **state)
{
	struct fixture *f = *state;
	unsigned int got;

	assert_int_equal(dmaheap_usage_requirements(NULL, 0, &got), -EINVAL);
	assert_int_equal(dmaheap_usage_requirements(f->ctx, 0, NULL), -EINVAL);
	assert_int_equal(dmaheap_usage_requirements(f->ctx, 1u << 13, &got),
			 -EINVAL);
	assert_int_equal(dmaheap_usage_requirements(f->ctx,
		DMAHEAP_USAGE_DEVICE_ONLY | DMAHEAP_USAGE_CPU_RARELY, &got),
		-EINVAL);
}

/* Every ERR and WARNING line the library logged. */
struct log {
	char text[4096];
};

static void capture(void *userdata, int priority, const char *msg)
{
	struct log *l = userdata;
	size_t used = strlen(l->text);

	if (priority <= DMAHEAP_LOG_WARNING)
		snprintf(l->text + used, sizeof(l->text) - used, "%s\n", msg);
}

static int ctx_with_policy(struct fixture *f, const char *text,
			   struct log *l, struct dmaheap_ctx **ctx)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	char path[] = "/tmp/dmaheap-device-XXXXXX";
	int fd = mkstemp(path), r;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	dmaheap_mock_options(f->mock, &o);
	o.policy_file = path;
	o.log_fn = capture;
	o.log_userdata = l;
	*ctx = NULL;
	r = dmaheap_ctx_new_with(&o, ctx);
	unlink(path);
	return r;
}

static void test_policy_file(void **state)
{
	struct fixture *f = *state;
	struct log l = { "" };
	struct dmaheap_ctx *ctx;
	struct dmaheap_buf *buf = NULL;

	board(f, true);
	assert_int_equal(ctx_with_policy(f,
		"# the display engine has no SMMU\n"
		"device display-scanout video-decode = contiguous\n"
		"device video-decode gpu-render = iommu\n"
		"rule camera-write = vendor-cam system\n"
		"rule gpu-texture gpu-render = gpu-heap\n"
		"rule display-scanout cpu-write-often = system\n", &l, &ctx), 0);
	expect_plan(ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT, CMA, END);
	expect_effective(ctx, DMAHEAP_USAGE_VIDEO_DECODE,
			 DMAHEAP_USAGE_VIDEO_DECODE);
	expect_plan(ctx, DMAHEAP_USAGE_CAMERA_WRITE, "vendor-cam", "system",
		    END);
	expect_plan(ctx, DMAHEAP_USAGE_GPU_RENDER | DMAHEAP_USAGE_GPU_TEXTURE |
		    DMAHEAP_USAGE_CPU_RARELY, "gpu-heap", END);
	expect_plan(ctx, DMAHEAP_USAGE_GPU_RENDER, "system", "udmabuf", END);
	/* The rule applies, but scattered memory cannot serve this display:
	 * -ENOENT, and the warning says what to declare. */
	expect_plan(ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT |
		    DMAHEAP_USAGE_CPU_WRITE_OFTEN, END);
	assert_int_equal(dmaheap_alloc_usage(ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT |
		DMAHEAP_USAGE_CPU_WRITE_OFTEN, 4096, 0, &buf), -ENOENT);
	assert_non_null(strstr(l.text, "'device ... = iommu'"));
	/* The API overrides the file. */
	assert_int_equal(dmaheap_ctx_set_device_iommu(ctx,
		DMAHEAP_USAGE_DISPLAY_SCANOUT, 1), 0);
	assert_int_equal(dmaheap_alloc_usage(ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT |
		DMAHEAP_USAGE_CPU_WRITE_OFTEN, 4096, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
}

static void test_policy_file_errors(void **state)
{
	static const struct {
		const char *text, *says;
	} cases[] = {
		{ "rule camera-writer = system\n",
		  ":1: unknown usage word: 'camera-writer'" },
		{ "\ndevice cpu-read-often = iommu\n",
		  ":2: not a device usage (camera-write, display-scanout, "
		  "video-decode, video-encode, gpu-texture, gpu-render): "
		  "'cpu-read-often'" },
		{ "device default = iommu\n", ":1: not a device usage" },
		{ "device gpu-render gpu = iommu\n", "'gpu'" },
		{ "#\n#\ndevice = iommu\n",
		  ":3: expected: device DEVICE... = iommu|contiguous" },
		{ "device gpu-render\n", ":1: expected '='" },
		{ "device gpu-render =\n",
		  ":1: expected one word after '=': iommu or contiguous" },
		{ "device gpu-render = iommu contiguous\n",
		  ":1: expected one word after '='" },
		{ "rule default = system\ndevice video-encode = mmu\n",
		  ":2: expected iommu or contiguous: 'mmu'" },
		{ "device video-encode = Contiguous\n", "'Contiguous'" },
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct log l = { "" };
		struct dmaheap_ctx *ctx;

		assert_int_equal(ctx_with_policy(f, cases[i].text, &l, &ctx),
				 -EINVAL);
		assert_null(ctx);
		if (!strstr(l.text, cases[i].says))
			fail_msg("log '%s' lacks '%s'", l.text, cases[i].says);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FIXTURE_TEST(test_cpu_usages_plan_as_in_0_1),
		FIXTURE_TEST(test_builtin_device_rules),
		FIXTURE_TEST(test_probe_without_iommu),
		FIXTURE_TEST(test_probe_with_iommu),
		FIXTURE_TEST(test_probe_once),
		FIXTURE_TEST(test_probe_unreadable),
		FIXTURE_TEST(test_probe_transient_failure),
		FIXTURE_TEST(test_probe_race),
		FIXTURE_TEST(test_set_device_iommu),
		FIXTURE_TEST(test_requirements_bad_args),
		FIXTURE_TEST(test_policy_file),
		FIXTURE_TEST(test_policy_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

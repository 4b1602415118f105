/* SPDX-License-Identifier: MIT */
/*
 * Policy-file fuzzer: the input is a policy file, given to a context
 * through the public API (struct dmaheap_options.policy_file, a memfd
 * named by its /proc/self/fd path) over a mock with the upstream heaps.
 *
 * Checks: context creation succeeds or fails with a documented errno, a
 * refused file is reported through the log at ERR with the file's name, and
 * a file with a NUL byte is refused;
 * with an accepted file, the usage policy keeps its promises for every
 * usage (the plan and what allocation really hands out); nothing leaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dmaheap-mock.h"
#include "dmaheap.h"
#include "fuzz.h"

struct log {
	const char *path;
	bool err_named_file;
};

static void on_log(void *userdata, int priority, const char *msg)
{
	struct log *l = userdata;

	if (priority <= DMAHEAP_LOG_ERR && strstr(msg, l->path))
		l->err_named_file = true;
}

static bool meets(unsigned int usage, unsigned int props)
{
	if ((usage & DMAHEAP_USAGE_UNCACHED) && !(props & DMAHEAP_PROP_UNCACHED))
		return false;
	if ((usage & DMAHEAP_USAGE_CONTIGUOUS) &&
	    !(props & DMAHEAP_PROP_CONTIGUOUS))
		return false;
	return !(usage & DMAHEAP_USAGE_PROTECTED) ==
	       !(props & DMAHEAP_PROP_PROTECTED);
}

/* The plan for @usage meets what the usage comes to with its devices'
 * requirements, and devices only ever add CONTIGUOUS. */
static void check_plan(struct dmaheap_ctx *ctx, unsigned int usage)
{
	struct dmaheap_heap_info *plan = NULL;
	unsigned int want = 0;
	int n = dmaheap_usage_plan(ctx, usage, &plan);
	int r = dmaheap_usage_requirements(ctx, usage, &want);

	fz_check(n >= 0 || n == -EINVAL, "plan %#x: %d", usage, n);
	fz_check((n == -EINVAL) == (r == -EINVAL), "plan %#x: %d, "
		 "requirements: %d", usage, n, r);
	fz_check(r != 0 || (want & ~(unsigned int)DMAHEAP_USAGE_CONTIGUOUS) ==
		 (usage & ~(unsigned int)DMAHEAP_USAGE_CONTIGUOUS),
		 "usage %#x comes to %#x", usage, want);
	for (int i = 0; i < n; i++)
		fz_check(meets(want, plan[i].props),
			 "plan for usage %#x (%#x) offers %s (props %#x)",
			 usage, want, plan[i].name, plan[i].props);
	dmaheap_heap_list_free(plan);
}

static void check_plans(struct dmaheap_ctx *ctx)
{
	for (unsigned int usage = 0; usage < 128; usage++) {
		/* Every row of device bits, spread over the CPU bits. */
		unsigned int devices = (usage * 37u % 64u) << 7;

		check_plan(ctx, usage);
		check_plan(ctx, usage | devices);
	}
}

static void check_allocations(struct dmaheap_ctx *ctx)
{
	static const unsigned int usages[] = {
		0, DMAHEAP_USAGE_UNCACHED, DMAHEAP_USAGE_CONTIGUOUS,
		DMAHEAP_USAGE_PROTECTED, DMAHEAP_USAGE_DEVICE_ONLY,
		DMAHEAP_USAGE_DEVICE_ONLY | DMAHEAP_USAGE_UNCACHED,
		DMAHEAP_USAGE_DISPLAY_SCANOUT | DMAHEAP_USAGE_CAMERA_WRITE,
		DMAHEAP_USAGE_GPU_RENDER | DMAHEAP_USAGE_VIDEO_ENCODE,
	};

	for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++) {
		struct dmaheap_buf *buf = NULL;
		unsigned int want = usages[i];
		int r = dmaheap_alloc_usage(ctx, usages[i], 4096, 0, &buf);

		fz_check(r == 0 || r == -ENOENT || r == -ENOMEM || r == -EFBIG ||
			 r == -EACCES || r == -ENODEV || r == -ENOTTY ||
			 r == -EINVAL,
			 "alloc_usage %#x: %d", usages[i], r);
		dmaheap_usage_requirements(ctx, usages[i], &want);
		if (r == 0)
			fz_check(meets(want, dmaheap_buf_props(buf)),
				 "usage %#x served by %s (props %#x)", usages[i],
				 dmaheap_buf_heap_name(buf),
				 dmaheap_buf_props(buf));
		dmaheap_buf_free(buf);
	}
}

static void check_aliases(struct dmaheap_ctx *ctx)
{
	struct dmaheap_alias_info *list = NULL;
	int n = dmaheap_alias_list(ctx, &list);

	fz_check(n >= 0, "alias list: %d", n);
	for (int i = 1; i < n; i++)
		fz_check(strcmp(list[i - 1].alias, list[i].alias) < 0,
			 "alias list not sorted");
	dmaheap_alias_list_free(list);
}

static int policy_memfd(char *path, size_t len)
{
	static int fd = -1;

	if (fd < 0)
		fd = memfd_create("policy", MFD_CLOEXEC);
	fz_check(fd >= 0, "memfd");
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_mock_heap prot = { .unmappable = 1 };
	struct dmaheap_mock_leaks leaks;
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *ctx = NULL;
	char path[64], report[1024];
	struct log log;
	int fd = policy_memfd(path, sizeof(path)), fds, r;

	fz_check(ftruncate(fd, 0) == 0, "truncate");
	fz_check(pwrite(fd, data, size, 0) == (ssize_t)size, "write");
	fds = count_open_fds();
	fz_check(dmaheap_mock_new(&mock) == 0, "mock");
	dmaheap_mock_add_heap(mock, "system", NULL);
	dmaheap_mock_add_heap(mock, "system-uncached", NULL);
	dmaheap_mock_add_heap(mock, "reserved", NULL);
	dmaheap_mock_add_heap(mock, "vendor", NULL);
	dmaheap_mock_add_heap(mock, "protected,secure-video", &prot);
	/* A board with a device tree and no IOMMU: the probe makes camera,
	 * display and video need contiguous memory unless the file says. */
	dmaheap_mock_set_kernel_file(mock, "/proc/device-tree/compatible",
				     "fuzz,board");
	dmaheap_mock_options(mock, &o);
	log = (struct log){ .path = path };
	o.flags = DMAHEAP_CTX_NO_ENV;
	o.policy_file = path;
	o.log_fn = on_log;
	o.log_userdata = &log;
	o.log_priority = DMAHEAP_LOG_ERR;

	r = dmaheap_ctx_new_with(&o, &ctx);
	fz_check(r == 0 || r == -EINVAL || r == -EFBIG || r == -ENOMEM,
		 "context creation: %d (%s)", r, dmaheap_strerror(r));
	fz_check(r != -EINVAL || log.err_named_file,
		 "a refused policy file was not named in an ERR message");
	/* A NUL byte must not hide the rest of the file (issue 7, defect 4). */
	fz_check(!memchr(data, '\0', size) || r == -EINVAL || r == -EFBIG,
		 "a policy file with a NUL byte was accepted: %d", r);
	if (r == 0) {
		check_plans(ctx);
		check_allocations(ctx);
		check_aliases(ctx);
		dmaheap_ctx_free(ctx);
	}
	r = dmaheap_mock_leaks(mock, &leaks, report, sizeof(report));
	fz_check(r == 0, "mock reports %d leaks:\n%s", r, report);
	dmaheap_mock_free(mock);
	fz_check(count_open_fds() == fds, "fd leak");
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Scenarios of contexts, heap discovery and the policy (aliases, rules,
 * properties, plans).
 */
#include <errno.h>
#include <stdio.h>

#include "fault.h"

static long run_strerror(struct fault_env *e)
{
	(void)e;
	return dmaheap_strerror(-EIO) ? 0 : -EFAULT;
}

static long run_usage_name(struct fault_env *e)
{
	(void)e;
	return dmaheap_usage_name(DMAHEAP_USAGE_GPU_TEXTURE) ? 0 : -EFAULT;
}

static long run_usage_from_name(struct fault_env *e)
{
	unsigned int bit;

	(void)e;
	return dmaheap_usage_from_name("gpu-texture", &bit);
}

static long run_ctx_new(struct fault_env *e)
{
	return dmaheap_ctx_new(&e->out_ctx);
}

static long new_with(struct fault_env *e, unsigned int flags,
		     const char *policy)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;

	dmaheap_mock_options(e->mock, &o);
	o.flags = flags;
	o.policy_file = policy;
	return dmaheap_ctx_new_with(&o, &e->out_ctx);
}

static long run_ctx_new_with(struct fault_env *e)
{
	return new_with(e, DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE,
			NULL);
}

static long run_ctx_new_with_policy(struct fault_env *e)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", e->policy_fd);
	return new_with(e, DMAHEAP_CTX_NO_ENV, path);
}

static long run_ctx_new_with_bad_policy(struct fault_env *e)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", e->bad_policy_fd);
	return new_with(e, DMAHEAP_CTX_NO_ENV, path);
}

static long run_ctx_free(struct fault_env *e)
{
	dmaheap_ctx_free(e->ctx);
	e->ctx = NULL;
	return 0;
}

static long run_ctx_heap_dir(struct fault_env *e)
{
	return dmaheap_ctx_heap_dir(e->ctx) ? 0 : -EFAULT;
}

static long run_ctx_udmabuf_dev(struct fault_env *e)
{
	return dmaheap_ctx_udmabuf_dev(e->ctx) ? 0 : -EFAULT;
}

static long run_ctx_rescan(struct fault_env *e)
{
	return dmaheap_ctx_rescan(e->ctx);
}

static long run_ctx_stats(struct fault_env *e)
{
	struct dmaheap_stats st;

	return dmaheap_ctx_stats(e->ctx, NULL, &st);
}

static long run_heap_list(struct fault_env *e)
{
	return dmaheap_heap_list(e->ctx, &e->out_list);
}

static long run_heap_list_free(struct fault_env *e)
{
	dmaheap_heap_list_free(e->out_list);
	e->out_list = NULL;
	return 0;
}

static long run_heap_open(struct fault_env *e)
{
	return dmaheap_heap_open(e->ctx, "system");
}

static long run_heap_open_udmabuf(struct fault_env *e)
{
	return dmaheap_heap_open(e->ctx, "udmabuf");
}

static long run_has_heap(struct fault_env *e)
{
	return dmaheap_has_heap(e->ctx, "system-uncached");
}

static long run_heap_props(struct fault_env *e)
{
	unsigned int props;

	return dmaheap_heap_props(e->ctx, "system", &props);
}

/* The default CMA area under its legacy name, as x86 kernels show it. */
static void setup_cma_area(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_mock_set_kernel_file(
		e->mock, "/sys/kernel/mm/cma/reserved/alloc_pages_success",
		"0\n") == 0);
}

static long run_heap_region(struct fault_env *e)
{
	char region[64];

	return dmaheap_heap_region(e->ctx, "default_cma_region", region,
				   sizeof(region));
}

/* The same area as Linux 7.3 shows it, with its size. */
static void setup_cma_area_size(struct fault_env *e)
{
	setup_cma_area(e);
	FAULT_REQUIRE(dmaheap_mock_set_kernel_file(
		e->mock, "/sys/kernel/mm/cma/reserved/total_pages",
		"8192\n") == 0);
}

static long run_heap_region_size(struct fault_env *e)
{
	uint64_t bytes;

	return dmaheap_heap_region_size(e->ctx, "default_cma_region", &bytes);
}

static long run_set_heap_props(struct fault_env *e)
{
	return dmaheap_ctx_set_heap_props(e->ctx, "vendor,carveout",
					  DMAHEAP_PROP_CONTIGUOUS |
					  DMAHEAP_PROP_UNCACHED);
}

static long run_heap_resolve(struct fault_env *e)
{
	const char *heap;

	return dmaheap_heap_resolve(e->ctx, "cma", &heap);
}

static long run_heap_resolve_gone(struct fault_env *e)
{
	const char *heap;

	return dmaheap_heap_resolve(e->ctx, "gone", &heap);
}

static long run_set_alias(struct fault_env *e)
{
	return dmaheap_ctx_set_alias(e->ctx, "fast", fault_fast, 2);
}

static long run_alias_list(struct fault_env *e)
{
	return dmaheap_alias_list(e->ctx, &e->out_aliases);
}

static long run_alias_list_free(struct fault_env *e)
{
	dmaheap_alias_list_free(e->out_aliases);
	e->out_aliases = NULL;
	return 0;
}

static long run_add_rule(struct fault_env *e)
{
	return dmaheap_ctx_add_rule(e->ctx, DMAHEAP_USAGE_CPU_RARELY, fault_fast, 2);
}

static long run_usage_plan(struct fault_env *e)
{
	return dmaheap_usage_plan(e->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
				  &e->out_list);
}

/* A board with a device tree and no IOMMU: the probe finds devices that
 * need contiguous memory. */
static void setup_soc(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_mock_set_kernel_file(
		e->mock, "/proc/device-tree/compatible", "vendor,board") == 0);
}

static long run_usage_plan_scanout(struct fault_env *e)
{
	return dmaheap_usage_plan(e->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT |
				  DMAHEAP_USAGE_CAMERA_WRITE, &e->out_list);
}

static long run_usage_requirements(struct fault_env *e)
{
	unsigned int effective;

	return dmaheap_usage_requirements(e->ctx, DMAHEAP_USAGE_VIDEO_DECODE,
					  &effective);
}

static long run_set_device_iommu(struct fault_env *e)
{
	return dmaheap_ctx_set_device_iommu(e->ctx,
					    DMAHEAP_USAGE_DISPLAY_SCANOUT, 0);
}

const struct fault_scenario fault_context_scenarios[] = {
	S("dmaheap_strerror", "", NULL, run_strerror, ERRS(0), false, RET_ZERO),
	S("dmaheap_usage_name", "", NULL, run_usage_name, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_usage_from_name", "", NULL, run_usage_from_name, ERRS(0),
	  false, RET_ZERO),
	S("dmaheap_ctx_new", "real kernel", NULL, run_ctx_new,
	  ERRS(EINVAL, ENOMEM, ENOENT, EACCES, EISDIR, EFBIG), true, RET_ZERO),
	S("dmaheap_ctx_new_with", "no policy file", NULL, run_ctx_new_with,
	  ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_ctx_new_with", "policy file", NULL,
	  run_ctx_new_with_policy,
	  ERRS(EINVAL, ENOMEM, ENOENT, EACCES, EISDIR, EFBIG), true, RET_ZERO),
	S("dmaheap_ctx_new_with", "bad policy file", NULL,
	  run_ctx_new_with_bad_policy,
	  ERRS(EINVAL, ENOMEM, ENOENT, EACCES, EISDIR, EFBIG), true, RET_ZERO),
	S("dmaheap_ctx_free", "with heaps open", setup_heaps_open,
	  run_ctx_free, ERRS(0), false, RET_ZERO),
	S("dmaheap_ctx_heap_dir", "", NULL, run_ctx_heap_dir, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_ctx_udmabuf_dev", "", NULL, run_ctx_udmabuf_dev, ERRS(0),
	  false, RET_ZERO),
	S("dmaheap_ctx_rescan", "", NULL, run_ctx_rescan, ERRS(EINVAL), false,
	  RET_ZERO),
	S("dmaheap_ctx_stats", "", setup_buf, run_ctx_stats,
	  ERRS(EINVAL, ENOENT), false, RET_ZERO),
	S("dmaheap_heap_list", "", NULL, run_heap_list,
	  ERRS(EINVAL, ENOENT, ENOTDIR, EACCES, EIO, ENOMEM, EMFILE), false,
	  RET_NONNEG),
	S("dmaheap_heap_list_free", "", setup_list, run_heap_list_free,
	  ERRS(0), false, RET_ZERO),
	S("dmaheap_heap_open", "system", NULL, run_heap_open, ERRS(OPEN_ERRS),
	  false, RET_ZERO),
	S("dmaheap_heap_open", "udmabuf", NULL, run_heap_open_udmabuf,
	  ERRS(OPEN_ERRS), false, RET_ZERO),
	S("dmaheap_has_heap", "", NULL, run_has_heap, ERRS(EINVAL), false,
	  RET_BOOL),
	S("dmaheap_heap_props", "", NULL, run_heap_props, ERRS(EINVAL), false,
	  RET_NONNEG),
	S("dmaheap_heap_region", "default_cma_region", setup_cma_area,
	  run_heap_region, ERRS(EINVAL, ENODATA, ERANGE), false, RET_ZERO),
	S("dmaheap_heap_region_size", "default_cma_region",
	  setup_cma_area_size, run_heap_region_size,
	  ERRS(EINVAL, ENODATA, ENOMEM), false, RET_ZERO),
	S("dmaheap_ctx_set_heap_props", "", NULL, run_set_heap_props,
	  ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_heap_resolve", "alias cma", NULL, run_heap_resolve,
	  ERRS(OPEN_ERRS, EFBIG), false, RET_ZERO),
	S("dmaheap_heap_resolve", "alias of missing heaps", setup_gone_alias,
	  run_heap_resolve_gone, ERRS(OPEN_ERRS, EFBIG), false, RET_ZERO),
	S("dmaheap_ctx_set_alias", "", NULL, run_set_alias,
	  ERRS(EINVAL, ENOENT, ENOMEM), false, RET_ZERO),
	S("dmaheap_alias_list", "", NULL, run_alias_list,
	  ERRS(EINVAL, ENOMEM), false, RET_NONNEG),
	S("dmaheap_alias_list_free", "", setup_aliases, run_alias_list_free,
	  ERRS(0), false, RET_ZERO),
	S("dmaheap_ctx_add_rule", "", NULL, run_add_rule,
	  ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_usage_plan", "cpu-read-often", NULL, run_usage_plan,
	  ERRS(EINVAL, ENOMEM), false, RET_NONNEG),
	S("dmaheap_usage_plan", "scanout and camera, no IOMMU", setup_soc,
	  run_usage_plan_scanout, ERRS(EINVAL, ENOMEM), false, RET_NONNEG),
	S("dmaheap_usage_requirements", "video decode, no IOMMU", setup_soc,
	  run_usage_requirements, ERRS(EINVAL), false, RET_ZERO),
	S("dmaheap_ctx_set_device_iommu", "", NULL, run_set_device_iommu,
	  ERRS(EINVAL), false, RET_ZERO),
};

const size_t fault_context_n =
	sizeof(fault_context_scenarios) / sizeof(fault_context_scenarios[0]);

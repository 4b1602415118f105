/* SPDX-License-Identifier: MIT */
/*
 * Scenarios of allocation, import and the recycling pool.
 */
#include <errno.h>

#include "fault.h"

static long run_alloc(struct fault_env *e)
{
	return dmaheap_alloc(e->ctx, "system", FAULT_SIZE, 0, &e->out_buf);
}

static long run_alloc_udmabuf(struct fault_env *e)
{
	return dmaheap_alloc(e->ctx, "udmabuf", FAULT_SIZE, 0, &e->out_buf);
}

static long run_alloc_alias(struct fault_env *e)
{
	return dmaheap_alloc(e->ctx, "cma", 4096, 0, &e->out_buf);
}

static long run_alloc_fd(struct fault_env *e)
{
	e->out_fd = dmaheap_alloc_fd(e->ctx, "system", FAULT_SIZE, 0);
	return e->out_fd;
}

static long run_alloc_fd_heap_flags(struct fault_env *e)
{
	e->out_fd = dmaheap_alloc_fd_heap_flags(e->ctx, "system", FAULT_SIZE,
						0, 0);
	return e->out_fd;
}

static long run_alloc_from(struct fault_env *e)
{
	return dmaheap_alloc_from(e->ctx, fault_fallback, 3, FAULT_SIZE, 0,
				  &e->out_buf);
}

static long run_alloc_usage(struct fault_env *e)
{
	return dmaheap_alloc_usage(e->ctx, DMAHEAP_USAGE_CPU_READ_OFTEN,
				   FAULT_SIZE, 0, &e->out_buf);
}

static long run_alloc_usage_uncached(struct fault_env *e)
{
	return dmaheap_alloc_usage(e->ctx, DMAHEAP_USAGE_UNCACHED, FAULT_SIZE,
				   0, &e->out_buf);
}

static long run_alloc_usage_device(struct fault_env *e)
{
	return dmaheap_alloc_usage(e->ctx, DMAHEAP_USAGE_DEVICE_ONLY,
				   FAULT_SIZE, 0, &e->out_buf);
}

/* A display without an IOMMU (declared): only the CMA heap serves. */
static long run_alloc_usage_scanout(struct fault_env *e)
{
	FAULT_REQUIRE(dmaheap_ctx_set_device_iommu(
		e->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT, 0) == 0);
	return dmaheap_alloc_usage(e->ctx, DMAHEAP_USAGE_DISPLAY_SCANOUT |
				   DMAHEAP_USAGE_CPU_WRITE_OFTEN, FAULT_SIZE,
				   0, &e->out_buf);
}

static long run_alloc_udmabuf_too_big(struct fault_env *e)
{
	/* Over the module's default limit of 64 MiB: refused before any
	 * memfd is made. */
	return dmaheap_alloc(e->ctx, "udmabuf", (size_t)65 << 20, 0,
			     &e->out_buf);
}

static long run_alloc_fresh(struct fault_env *e)
{
	return dmaheap_alloc(e->ctx, "system", FAULT_SIZE, DMAHEAP_ALLOC_FRESH,
			     &e->out_buf);
}

static long run_alloc_usage_protected(struct fault_env *e)
{
	return dmaheap_alloc_usage(e->ctx, DMAHEAP_USAGE_PROTECTED, FAULT_SIZE,
				   0, &e->out_buf);
}

static long run_import(struct fault_env *e)
{
	return dmaheap_import(e->ctx, e->raw_fd, &e->out_buf);
}

static long run_set_pool(struct fault_env *e)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;

	return dmaheap_ctx_set_pool(e->ctx, &o);
}

static long run_set_pool_off(struct fault_env *e)
{
	return dmaheap_ctx_set_pool(e->ctx, NULL);
}

static long run_pool_prewarm(struct fault_env *e)
{
	return dmaheap_pool_prewarm(e->ctx, "system", FAULT_SIZE, 2, 0);
}

static long run_pool_trim(struct fault_env *e)
{
	return dmaheap_pool_trim(e->ctx, DMAHEAP_POOL_TRIM_ALL);
}

static long run_pool_stats(struct fault_env *e)
{
	struct dmaheap_pool_stats st;

	return dmaheap_pool_stats(e->ctx, NULL, &st);
}

const struct fault_scenario fault_alloc_scenarios[] = {
	S("dmaheap_alloc", "system", NULL, run_alloc, ERRS(ALLOC_ERRS), true,
	  RET_ZERO),
	S("dmaheap_alloc", "udmabuf", NULL, run_alloc_udmabuf,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc", "alias cma", NULL, run_alloc_alias,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc", "pool hit", setup_pool_warm, run_alloc,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc", "pool on, fresh", setup_pool_warm, run_alloc_fresh,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc", "udmabuf over its limit", NULL,
	  run_alloc_udmabuf_too_big, ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc_fd", "", NULL, run_alloc_fd, ERRS(ALLOC_ERRS), true,
	  RET_NONNEG),
	S("dmaheap_alloc_fd_heap_flags", "", NULL, run_alloc_fd_heap_flags,
	  ERRS(ALLOC_ERRS), true, RET_NONNEG),
	S("dmaheap_alloc_from", "missing, full cma, system", NULL,
	  run_alloc_from, ERRS(ALLOC_ERRS), true, RET_NONNEG),
	S("dmaheap_alloc_usage", "cpu-read-often", NULL, run_alloc_usage,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc_usage", "uncached", NULL, run_alloc_usage_uncached,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc_usage", "device-only", NULL, run_alloc_usage_device,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc_usage", "display without IOMMU", NULL,
	  run_alloc_usage_scanout, ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_alloc_usage", "protected", NULL, run_alloc_usage_protected,
	  ERRS(ALLOC_ERRS), true, RET_ZERO),
	S("dmaheap_import", "", setup_raw, run_import,
	  ERRS(EINVAL, EBADF, EBADFD, EMFILE, ENOMEM), false, RET_ZERO),
	S("dmaheap_import", "a pipe", setup_pipe, run_import,
	  ERRS(EINVAL, EBADF, EBADFD, EMFILE, ENOMEM), false, RET_ZERO),
	S("dmaheap_ctx_set_pool", "on", NULL, run_set_pool,
	  ERRS(EINVAL, ENOMEM), true, RET_ZERO),
	S("dmaheap_ctx_set_pool", "off, releasing", setup_pool_warm,
	  run_set_pool_off, ERRS(EINVAL, ENOMEM), false, RET_ZERO),
	S("dmaheap_pool_prewarm", "system, 2", setup_pool, run_pool_prewarm,
	  ERRS(ALLOC_ERRS, EOPNOTSUPP, ENOSPC), true, RET_NONNEG),
	S("dmaheap_pool_trim", "all", setup_pool_warm, run_pool_trim,
	  ERRS(EINVAL), false, RET_NONNEG),
	S("dmaheap_pool_stats", "", setup_pool_warm, run_pool_stats,
	  ERRS(EINVAL), false, RET_ZERO),
};

const size_t fault_alloc_n =
	sizeof(fault_alloc_scenarios) / sizeof(fault_alloc_scenarios[0]);

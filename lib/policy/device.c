/* SPDX-License-Identifier: MIT */
/*
 * Device usages: which devices need physically contiguous memory because
 * no IOMMU stands between them and it. Declared (policy file, API) or
 * probed; the policy (usage.c) turns that into DMAHEAP_USAGE_CONTIGUOUS.
 */
#include <errno.h>
#include <string.h>

#include "policy.h"

#define IOMMU_DIR "/sys/class/iommu"
#define DT_DIR "/proc/device-tree"

static int any_entry(void *arg, const char *name)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	*(bool *)arg = true;
	return 1;
}

/* Out of memory or fds passes; absence (or a refusal) lasts. */
static bool transient(int err)
{
	return err == -ENOMEM || err == -EMFILE || err == -ENFILE;
}

/* 1 if @path is a directory with an entry, 0 if not (absent, empty,
 * unreadable), or a transient error. */
static int has_entries(struct dmaheap_ctx *ctx, const char *path)
{
	bool found = false;
	int r = ctx->sys->readdir(ctx->sys, path, any_entry, &found);

	if (r < 0)
		return transient(r) ? r : 0;
	return found;
}

/*
 * Once per context, outside the lock (it reads directories): a board with
 * a device tree and no registered IOMMU has SoC devices that need
 * contiguous memory. Two threads may both read; one records and logs.
 * A transient failure records nothing: until a probe succeeds, devices
 * count as reaching scattered memory, and the plans made meanwhile are
 * made again once it does (the verdict bumps the generation).
 */
void dmaheap_device_probe_once(struct dmaheap_ctx *ctx)
{
	struct dmaheap_policy *p = &ctx->policy;
	int iommu, dt;
	bool first = false;

	if (atomic_load_explicit(&p->probed, memory_order_acquire))
		return;
	iommu = has_entries(ctx, IOMMU_DIR);
	dt = iommu < 0 ? iommu : has_entries(ctx, DT_DIR);
	if (dt < 0) {
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG,
			    "device usages: cannot probe for an IOMMU now: %s",
			    dmaheap_strerror(dt));
		return;
	}
	pthread_mutex_lock(&ctx->lock);
	if (!atomic_load_explicit(&p->probed, memory_order_relaxed)) {
		p->probed_contiguous =
			dt && !iommu ? DMAHEAP_PROBED_DEVICES : 0;
		atomic_store_explicit(&p->probed, true, memory_order_release);
		dmaheap_ctx_bump_gen_locked(ctx);
		first = true;
	}
	pthread_mutex_unlock(&ctx->lock);
	if (!first)
		return;
	if (dt && !iommu)
		dmaheap_log(ctx, DMAHEAP_LOG_INFO,
			    "device usages: a device tree (%s) and no IOMMU "
			    "in %s: camera, display and video devices need "
			    "contiguous memory; a 'device ... = iommu' policy "
			    "line says otherwise", DT_DIR, IOMMU_DIR);
	else
		dmaheap_log(ctx, DMAHEAP_LOG_INFO,
			    "device usages: %s: devices reach scattered memory; "
			    "a 'device ... = contiguous' policy line says "
			    "otherwise",
			    iommu ? "an IOMMU in " IOMMU_DIR :
				    "no device tree in " DT_DIR);
}

unsigned int dmaheap_device_requirements_locked(struct dmaheap_ctx *ctx,
						unsigned int usage)
{
	const struct dmaheap_policy *p = &ctx->policy;
	unsigned int devs = usage & DMAHEAP_DEVICE_USAGE;
	unsigned int need;

	if (!devs)
		return usage;
	need = (devs & p->devices_declared & p->devices_contiguous) |
	       (devs & ~p->devices_declared & p->probed_contiguous);
	return need ? usage | DMAHEAP_USAGE_CONTIGUOUS : usage;
}

void dmaheap_device_declare_locked(struct dmaheap_ctx *ctx,
				   unsigned int devices, bool iommu)
{
	struct dmaheap_policy *p = &ctx->policy;

	p->devices_declared |= devices;
	if (iommu)
		p->devices_contiguous &= ~devices;
	else
		p->devices_contiguous |= devices;
	dmaheap_ctx_bump_gen_locked(ctx);
}

bool dmaheap_devices_valid(unsigned int devices)
{
	return devices && !(devices & ~(unsigned int)DMAHEAP_DEVICE_USAGE);
}

DMAHEAP_EXPORT int dmaheap_ctx_set_device_iommu(struct dmaheap_ctx *ctx,
						unsigned int devices,
						int iommu)
{
	if (!ctx || !dmaheap_devices_valid(devices))
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	dmaheap_device_declare_locked(ctx, devices, iommu != 0);
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

DMAHEAP_EXPORT int dmaheap_usage_requirements(struct dmaheap_ctx *ctx,
					      unsigned int usage,
					      unsigned int *effective)
{
	if (!ctx || !effective || !dmaheap_usage_valid(usage))
		return -EINVAL;
	dmaheap_device_probe(ctx, usage);
	pthread_mutex_lock(&ctx->lock);
	*effective = dmaheap_device_requirements_locked(ctx, usage);
	pthread_mutex_unlock(&ctx->lock);
	return 0;
}

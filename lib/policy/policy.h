/* SPDX-License-Identifier: MIT */
/*
 * What policy/ offers the library's other folders and its own files: the
 * rules, aliases and heap properties (policy.c), the policy file
 * (config.c), declared devices (device.c) and usage plans (usage.c). The
 * state itself, and the few calls core/ makes into policy/, are in
 * core/core.h, since the context embeds the state.
 */
#ifndef DMAHEAP_POLICY_H
#define DMAHEAP_POLICY_H

#include "core/core.h"

/* The usage bits that name a device; they pick a row of plans. */
#define DMAHEAP_DEVICE_SHIFT 7
#define DMAHEAP_DEVICE_USAGE                                                 \
	(DMAHEAP_USAGE_CAMERA_WRITE | DMAHEAP_USAGE_DISPLAY_SCANOUT |        \
	 DMAHEAP_USAGE_VIDEO_DECODE | DMAHEAP_USAGE_VIDEO_ENCODE |           \
	 DMAHEAP_USAGE_GPU_TEXTURE | DMAHEAP_USAGE_GPU_RENDER)
#define DMAHEAP_KNOWN_USAGE                                                  \
	(DMAHEAP_USAGE_CPU_READ_OFTEN | DMAHEAP_USAGE_CPU_WRITE_OFTEN |      \
	 DMAHEAP_USAGE_CPU_RARELY | DMAHEAP_USAGE_DEVICE_ONLY |             \
	 DMAHEAP_USAGE_CONTIGUOUS | DMAHEAP_USAGE_PROTECTED |               \
	 DMAHEAP_USAGE_UNCACHED | DMAHEAP_DEVICE_USAGE)
#define DMAHEAP_CPU_USAGE                                                    \
	(DMAHEAP_USAGE_CPU_READ_OFTEN | DMAHEAP_USAGE_CPU_WRITE_OFTEN |      \
	 DMAHEAP_USAGE_CPU_RARELY)
/* GPUs translate addresses with an MMU of their own: the others' need of
 * contiguous memory is probed (device.c). */
#define DMAHEAP_MMU_DEVICES                                                  \
	(DMAHEAP_USAGE_GPU_TEXTURE | DMAHEAP_USAGE_GPU_RENDER)
#define DMAHEAP_PROBED_DEVICES                                               \
	(DMAHEAP_DEVICE_USAGE & ~(unsigned int)DMAHEAP_MMU_DEVICES)

/* The candidates dmaheap_alloc_usage() tries for one usage, computed once
 * per policy generation. Published whole and never changed but for what
 * it remembers in @found and @warned; a replaced plan is freed once no
 * thread reads plans (usage.c). */
struct dmaheap_plan {
	struct dmaheap_plan *retired_next; /* on ctx->retired_plans */
	uint64_t gen;
	atomic_bool warned; /* the user was told why it cannot serve */
	unsigned int effective; /* the usage with its devices' requirements */
	struct dmaheap_names heaps;
	struct dmaheap_plan_heap {
		_Atomic(struct dmaheap_heap *) heap; /* once opened */
		atomic_int err;			     /* or why it did not */
	} *found; /* one per heap */
};

struct dmaheap_rule {
	struct dmaheap_rule *next;
	unsigned int usage;
	struct dmaheap_names heaps;
};

struct dmaheap_propdef {
	struct dmaheap_propdef *next;
	unsigned int props;
	int source;
	char name[];
};

/* policy.c */
int dmaheap_policy_set_props(struct dmaheap_ctx *ctx, const char *heap,
			     unsigned int props, int source);
int dmaheap_policy_set_alias(struct dmaheap_ctx *ctx, const char *alias,
			     const char *const heaps[], size_t n);
int dmaheap_policy_add_rule(struct dmaheap_ctx *ctx, unsigned int usage,
			    const char *const heaps[], size_t n, bool from_file);
size_t dmaheap_rule_heaps_locked(struct dmaheap_ctx *ctx, unsigned int usage,
				 const char *const **heaps);
int dmaheap_props_valid(unsigned int props);

/* device.c */
void dmaheap_device_probe_once(struct dmaheap_ctx *ctx);
bool dmaheap_devices_valid(unsigned int devices);
unsigned int dmaheap_device_requirements_locked(struct dmaheap_ctx *ctx,
						unsigned int usage);
void dmaheap_device_declare_locked(struct dmaheap_ctx *ctx,
				   unsigned int devices, bool iommu);

/* Inline: dmaheap_alloc_usage() asks both on every call. */
static inline int dmaheap_usage_valid(unsigned int usage)
{
	if (usage & ~(unsigned int)DMAHEAP_KNOWN_USAGE)
		return 0;
	/* Nobody maps protected or device-only memory. */
	if ((usage & (DMAHEAP_USAGE_DEVICE_ONLY | DMAHEAP_USAGE_PROTECTED)) &&
	    (usage & DMAHEAP_CPU_USAGE))
		return 0;
	return 1;
}

/* Probes the devices once, if @usage names one whose needs are probed. */
static inline void dmaheap_device_probe(struct dmaheap_ctx *ctx,
					unsigned int usage)
{
	if (usage & DMAHEAP_PROBED_DEVICES)
		dmaheap_device_probe_once(ctx);
}

#endif /* DMAHEAP_POLICY_H */

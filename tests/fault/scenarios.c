/* SPDX-License-Identifier: MIT */
/*
 * The scenarios, one group per area of the header (scen-*.c), run in
 * this order. A new public function needs at least one scenario in the
 * group of its area: fault-coverage fails until it has one.
 */
#include "fault.h"

static const struct {
	const struct fault_scenario *v;
	const size_t *n;
} groups[] = {
	{ fault_context_scenarios, &fault_context_n },
	{ fault_alloc_scenarios, &fault_alloc_n },
	{ fault_buffer_scenarios, &fault_buffer_n },
	{ fault_image_scenarios, &fault_image_n },
	{ fault_stat_scenarios, &fault_stat_n },
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

size_t fault_scenario_count(void)
{
	size_t g, n = 0;

	for (g = 0; g < NGROUPS; g++)
		n += *groups[g].n;
	return n;
}

const struct fault_scenario *fault_scenario(size_t i)
{
	size_t g;

	for (g = 0; g < NGROUPS; g++) {
		if (i < *groups[g].n)
			return &groups[g].v[i];
		i -= *groups[g].n;
	}
	return NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * Owned lists of names: alias members, rule heaps, plans. Lists built with
 * dmaheap_names_add() keep a hash index, so that building one of n names
 * costs O(n), not O(n^2), even from policies with thousands of names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

void dmaheap_names_clear(struct dmaheap_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	free(names->index);
	memset(names, 0, sizeof(*names));
}

/* Replaces @names with copies of @v; on failure @names is left empty. */
int dmaheap_names_set(struct dmaheap_names *names, const char *const v[],
		      size_t n)
{
	dmaheap_names_clear(names);
	if (n == 0)
		return 0;
	names->v = calloc(n, sizeof(*names->v));
	if (!names->v)
		return -ENOMEM;
	names->cap = n;
	for (; names->n < n; names->n++) {
		names->v[names->n] = strdup(v[names->n]);
		if (!names->v[names->n]) {
			dmaheap_names_clear(names);
			return -ENOMEM;
		}
	}
	return 0;
}

/* The index slot holding @name, or the empty slot where it would go. */
static uint32_t *slot_of(const struct dmaheap_names *names, const char *name)
{
	size_t mask = names->index_cap - 1;

	for (size_t i = dmaheap_name_hash(name) & mask;; i = (i + 1) & mask) {
		uint32_t *slot = &names->index[i];

		if (*slot == 0 || strcmp(names->v[*slot - 1], name) == 0)
			return slot;
	}
}

/* Makes room for one more name in the index, kept at most half full. */
static int index_reserve(struct dmaheap_names *names)
{
	size_t cap = names->index_cap ? names->index_cap : 16;
	uint32_t *old = names->index;

	if (names->index && (names->n + 1) * 2 <= names->index_cap)
		return 0;
	while ((names->n + 1) * 2 > cap)
		cap *= 2;
	if (names->n >= UINT32_MAX - 1)
		return -ENOMEM;
	names->index = calloc(cap, sizeof(*names->index));
	if (!names->index) {
		names->index = old;
		return -ENOMEM;
	}
	names->index_cap = cap;
	for (size_t i = 0; i < names->n; i++)
		*slot_of(names, names->v[i]) = (uint32_t)(i + 1);
	free(old);
	return 0;
}

bool dmaheap_names_contain(const struct dmaheap_names *names,
			   const char *name)
{
	if (names->index)
		return *slot_of(names, name) != 0;
	for (size_t i = 0; i < names->n; i++)
		if (strcmp(names->v[i], name) == 0)
			return true;
	return false;
}

static int grow(struct dmaheap_names *names)
{
	size_t cap = names->cap ? names->cap * 2 : 8;
	char **v;

	if (names->n < names->cap)
		return 0;
	v = realloc(names->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	names->v = v;
	names->cap = cap;
	return 0;
}

/* Appends a copy of @name unless already there. */
int dmaheap_names_add(struct dmaheap_names *names, const char *name)
{
	uint32_t *slot;
	int r = index_reserve(names);

	if (r == 0)
		r = grow(names);
	if (r)
		return r;
	slot = slot_of(names, name);
	if (*slot)
		return 0;
	names->v[names->n] = strdup(name);
	if (!names->v[names->n])
		return -ENOMEM;
	names->n++;
	*slot = (uint32_t)names->n;
	return 0;
}

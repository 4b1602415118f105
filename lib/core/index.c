/* SPDX-License-Identifier: MIT */
/*
 * A hash index from names to entries, for the policy's aliases and heap
 * properties: looking a name up costs O(1), not a walk of every entry, so
 * that a policy of thousands of names loads and plans in linear time.
 * Keys are not copied: each points into the entry it indexes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* FNV-1a: short names, no adversary worth more. */
uint32_t dmaheap_name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static size_t home_of(const struct dmaheap_index *ix, const char *key)
{
	return dmaheap_name_hash(key) & (ix->cap - 1);
}

/* The slot holding @key, or the empty slot where it would go. */
static struct dmaheap_index_slot *slot_of(const struct dmaheap_index *ix,
					  const char *key)
{
	size_t mask = ix->cap - 1;

	for (size_t i = home_of(ix, key);; i = (i + 1) & mask) {
		struct dmaheap_index_slot *s = &ix->slots[i];

		if (!s->key || strcmp(s->key, key) == 0)
			return s;
	}
}

void *dmaheap_index_find(const struct dmaheap_index *ix, const char *key)
{
	return ix->cap ? slot_of(ix, key)->entry : NULL;
}

/* Room for one more entry, the table kept at most half full. */
static int reserve(struct dmaheap_index *ix)
{
	struct dmaheap_index_slot *old = ix->slots;
	size_t old_cap = ix->cap, cap = old_cap ? old_cap : 16;

	if (old_cap && (ix->n + 1) * 2 <= old_cap)
		return 0;
	while ((ix->n + 1) * 2 > cap)
		cap *= 2;
	ix->slots = calloc(cap, sizeof(*ix->slots));
	if (!ix->slots) {
		ix->slots = old;
		return -ENOMEM;
	}
	ix->cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key)
			*slot_of(ix, old[i].key) = old[i];
	free(old);
	return 0;
}

int dmaheap_index_put(struct dmaheap_index *ix, const char *key, void *entry)
{
	struct dmaheap_index_slot *s;
	int r = reserve(ix);

	if (r)
		return r;
	s = slot_of(ix, key);
	if (!s->key)
		ix->n++;
	s->key = key;
	s->entry = entry;
	return 0;
}

/* Whether the entry at @home may move back to @hole, the probe from @home
 * to its present slot @at passing @hole (positions wrap around). */
static bool may_fill(size_t hole, size_t home, size_t at)
{
	if (hole <= at)
		return home <= hole || home > at;
	return home <= hole && home > at;
}

/* Removes @key; linear probing closes the hole by moving later entries
 * back, so lookups never need tombstones. */
void dmaheap_index_del(struct dmaheap_index *ix, const char *key)
{
	size_t mask = ix->cap - 1, hole, at;
	struct dmaheap_index_slot *s;

	if (!ix->cap)
		return;
	s = slot_of(ix, key);
	if (!s->key)
		return;
	hole = (size_t)(s - ix->slots);
	ix->n--;
	for (at = (hole + 1) & mask; ix->slots[at].key; at = (at + 1) & mask) {
		if (may_fill(hole, home_of(ix, ix->slots[at].key), at)) {
			ix->slots[hole] = ix->slots[at];
			hole = at;
		}
	}
	ix->slots[hole].key = NULL;
	ix->slots[hole].entry = NULL;
}

void dmaheap_index_clear(struct dmaheap_index *ix)
{
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

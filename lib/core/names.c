/* SPDX-License-Identifier: MIT */
/*
 * Owned lists of names: alias members, rule heaps, plans. Lists built with
 * dmaheap_names_add() keep a hash index, so that building one of n names
 * costs O(n), not O(n^2), even from policies with thousands of names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

void dmaheap_names_clear(struct dmaheap_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	dmaheap_index_clear(&names->index);
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

bool dmaheap_names_contain(const struct dmaheap_names *names,
			   const char *name)
{
	/* Every name indexed: see dmaheap_names_add(). */
	if (names->index.cap && names->index.n == names->n)
		return dmaheap_index_find(&names->index, name) != NULL;
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
	char *copy;
	int r;

	/* A list made by dmaheap_names_set() is indexed on its first add. */
	for (size_t i = names->index.n; i < names->n; i++) {
		r = dmaheap_index_put(&names->index, names->v[i], names->v[i]);
		if (r)
			return r;
	}
	if (dmaheap_index_find(&names->index, name))
		return 0;
	r = grow(names);
	if (r)
		return r;
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	/* The key is the copy itself: it lives as long as the entry. */
	r = dmaheap_index_put(&names->index, copy, copy);
	if (r) {
		free(copy);
		return r;
	}
	names->v[names->n++] = copy;
	return 0;
}

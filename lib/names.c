/* SPDX-License-Identifier: MIT */
/* Owned lists of names: alias members and rule heaps. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

void dmaheap_names_clear(struct dmaheap_names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	names->v = NULL;
	names->n = 0;
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
	for (size_t i = 0; i < names->n; i++)
		if (strcmp(names->v[i], name) == 0)
			return true;
	return false;
}

/* Appends a copy of @name unless already there. */
int dmaheap_names_add(struct dmaheap_names *names, const char *name)
{
	char **v;

	if (dmaheap_names_contain(names, name))
		return 0;
	v = realloc(names->v, (names->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	names->v = v;
	v[names->n] = strdup(name);
	if (!v[names->n])
		return -ENOMEM;
	names->n++;
	return 0;
}

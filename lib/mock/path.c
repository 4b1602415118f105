/* SPDX-License-Identifier: MIT */
/*
 * The heap directory's paths, which exist only in the mock.
 */
#include <errno.h>
#include <string.h>

#include "mock-private.h"

static const char *skip_dots(const char *p)
{
	/* Empty and "." components do not move. */
	for (;;) {
		if (*p == '/')
			p++;
		else if (p[0] == '.' && (p[1] == '/' || p[1] == '\0'))
			p++;
		else
			return p;
	}
}

enum path_kind dmock_classify_path(const struct dmaheap_mock *m,
				   const char *path, struct path_info *pi)
{
	size_t dlen = strlen(m->dir);
	const char *p;

	if (!path || strncmp(path, m->dir, dlen) != 0 ||
	    (path[dlen] != '/' && path[dlen] != '\0'))
		return PATH_FOREIGN;
	p = skip_dots(path + dlen);
	if (*p == '\0')
		return PATH_DIR;
	pi->name = p;
	pi->len = strcspn(p, "/");
	pi->trailing = p[pi->len] != '\0';
	pi->err = 0;
	/* The directory's parent does not exist on disk either. */
	if (pi->len == 2 && p[0] == '.' && p[1] == '.')
		pi->err = -ENOENT;
	else if (pi->len > MOCK_NAME_MAX)
		pi->err = -ENAMETOOLONG;
	return pi->err ? PATH_ERROR : PATH_NODE;
}

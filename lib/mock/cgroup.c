/* SPDX-License-Identifier: MIT */
/*
 * The memory-cgroup files the library reads to guard allocations from a
 * memcg-charged heap: /proc/self/cgroup, the cgroup v2 tree under
 * /sys/fs/cgroup, and the dma_heap module's parameters. The mock answers
 * every path there itself, from a table the test fills: a file not set
 * does not exist, so the host's own cgroups never reach a test.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "mock-private.h"

struct mock_kfile {
	struct mock_kfile *next;
	char *text;
	char path[];
};

static const char *const cgroup_paths[] = {
	"/proc/self/cgroup",
	"/sys/fs/cgroup",
	"/sys/module/dma_heap",
};

/* Whether @path is @prefix or below it. */
static bool is_below(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

bool dmock_is_cgroup_path(const char *path)
{
	for (size_t i = 0; i < sizeof(cgroup_paths) / sizeof(cgroup_paths[0]); i++)
		if (path && is_below(path, cgroup_paths[i]))
			return true;
	return false;
}

static struct mock_kfile **find(struct dmaheap_mock *m, const char *path)
{
	struct mock_kfile **p = &m->kfiles;

	while (*p && strcmp((*p)->path, path) != 0)
		p = &(*p)->next;
	return p;
}

/* Opens a file of the table read-only (sysfs and cgroupfs refuse the
 * rest to a test as they would to an unprivileged reader). */
int dmock_cgroup_open(struct dmaheap_mock *m, const char *path, int flags)
{
	struct mock_kfile *f;
	char *text = NULL;
	int fd;

	mock_lock(m);
	f = *find(m, path);
	if (f)
		text = strdup(f->text);
	mock_unlock(m);
	if (!f)
		return -ENOENT;
	if (!text)
		return -ENOMEM;
	if ((flags & O_ACCMODE) != O_RDONLY) {
		free(text);
		return -EACCES;
	}
	fd = dmock_text_memfd("cgroup", text);
	free(text);
	return fd;
}

int dmaheap_mock_set_cgroup_file(struct dmaheap_mock *mock, const char *path,
				 const char *text)
{
	struct mock_kfile **p, *f = NULL;

	if (!mock || !dmock_is_cgroup_path(path) || strlen(path) >= 4096)
		return -EINVAL;
	if (text) {
		f = calloc(1, sizeof(*f) + strlen(path) + 1);
		if (!f || !(f->text = strdup(text))) {
			free(f);
			return -ENOMEM;
		}
		strcpy(f->path, path);
	}
	mock_lock(mock);
	p = find(mock, path);
	if (*p) {
		struct mock_kfile *old = *p;

		*p = old->next;
		free(old->text);
		free(old);
	}
	if (f) {
		f->next = mock->kfiles;
		mock->kfiles = f;
	}
	mock_unlock(mock);
	return 0;
}

void dmock_cgroup_free(struct dmaheap_mock *m)
{
	while (m->kfiles) {
		struct mock_kfile *f = m->kfiles;

		m->kfiles = f->next;
		free(f->text);
		free(f);
	}
}

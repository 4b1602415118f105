/* SPDX-License-Identifier: MIT */
/*
 * Kernel files the library reads beside the heaps: for memory-cgroup
 * charging /proc/self/cgroup, the cgroup v2 tree under /sys/fs/cgroup and
 * the dma_heap module's parameters; for CMA areas /sys/kernel/mm/cma and
 * the device tree's reserved-memory. The mock answers every path there
 * itself, from a table the test fills: a file not set does not exist, a
 * directory is what the files below it make, so the host's own cgroups
 * and CMA areas never reach a test.
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

static const char *const kfile_paths[] = {
	"/proc/self/cgroup",
	"/sys/fs/cgroup",
	"/sys/module/dma_heap",
	"/sys/kernel/mm/cma",
	"/proc/device-tree",
	"/sys/class/iommu",
};

/* Whether @path is @prefix or below it. */
static bool is_below(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(path, prefix, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

bool dmock_is_kfile_path(const char *path)
{
	for (size_t i = 0; i < sizeof(kfile_paths) / sizeof(kfile_paths[0]); i++)
		if (path && is_below(path, kfile_paths[i]))
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

/* Calls @fn (if any) once per distinct name directly below @dir among the
 * table's paths; returns how many paths lie below @dir, or @fn's stop
 * value. Called without the lock held: it takes it. */
static int dir_entries(struct dmaheap_mock *m, const char *dir,
		       dmaheap_sys_dirent_fn fn, void *arg)
{
	size_t dlen = strlen(dir);
	char **seen = NULL;
	size_t nseen = 0;
	int n = 0, r = 0;

	mock_lock(m);
	for (struct mock_kfile *f = m->kfiles; f && r == 0; f = f->next) {
		const char *rest = f->path + dlen;
		size_t len;
		bool dup = false;

		if (strncmp(f->path, dir, dlen) != 0 || rest[0] != '/')
			continue;
		n++;
		rest++;
		len = strcspn(rest, "/");
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = strlen(seen[i]) == len && strncmp(seen[i], rest, len) == 0;
		if (dup || !fn)
			continue;
		char **grown = realloc(seen, (nseen + 1) * sizeof(*seen));

		if (!grown || !(grown[nseen] = strndup(rest, len))) {
			seen = grown ? grown : seen;
			r = -ENOMEM;
			break;
		}
		seen = grown;
		nseen++;
	}
	mock_unlock(m);
	/* The callback runs unlocked: it may call into the mock. */
	for (size_t i = 0; i < nseen; i++) {
		if (r == 0)
			r = fn(arg, seen[i]);
		free(seen[i]);
	}
	free(seen);
	return r ? r : n;
}

/* readdir of a directory the table makes: "." and "..", then its names;
 * -ENOENT if no file of the table is below it. */
int dmock_kfile_readdir(struct dmaheap_mock *m, const char *path,
			dmaheap_sys_dirent_fn fn, void *arg)
{
	int r;

	if (dir_entries(m, path, NULL, NULL) == 0)
		return -ENOENT;
	r = fn(arg, ".");
	if (r == 0)
		r = fn(arg, "..");
	if (r == 0)
		r = dir_entries(m, path, fn, arg);
	return r < 0 || r > 0 ? r : 0;
}

/* Opens a file of the table read-only (sysfs and cgroupfs refuse the
 * rest to a test as they would to an unprivileged reader). */
int dmock_kfile_open(struct dmaheap_mock *m, const char *path, int flags)
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
		return dir_entries(m, path, NULL, NULL) > 0 ? -EISDIR : -ENOENT;
	if (!text)
		return -ENOMEM;
	if ((flags & O_ACCMODE) != O_RDONLY) {
		free(text);
		return -EACCES;
	}
	fd = dmock_text_memfd("kfile", text);
	free(text);
	return fd;
}

int dmaheap_mock_set_kernel_file(struct dmaheap_mock *mock, const char *path,
				 const char *text)
{
	struct mock_kfile **p, *f = NULL;

	if (!mock || !dmock_is_kfile_path(path) || strlen(path) >= 4096)
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

void dmock_kfiles_free(struct dmaheap_mock *m)
{
	while (m->kfiles) {
		struct mock_kfile *f = m->kfiles;

		m->kfiles = f->next;
		free(f->text);
		free(f);
	}
}

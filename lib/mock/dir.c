/* SPDX-License-Identifier: MIT */
/*
 * readdir: the heap directory's listing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mock-private.h"

/* The heap names as one block of NUL-terminated strings ending in an empty
 * one, so the callback can run without the lock (it may call the mock). */
static char *snapshot_names(struct dmaheap_mock *m)
{
	static const char dots[] = ".\0..";
	struct mock_heap *h;
	size_t len = sizeof(dots) + 1;
	char *names, *p;

	for (h = m->heaps; h; h = h->next)
		if (!h->removed && !h->udmabuf)
			len += strlen(h->name) + 1;
	names = malloc(len);
	if (!names)
		return NULL;
	memcpy(names, dots, sizeof(dots));
	p = names + sizeof(dots);
	for (h = m->heaps; h; h = h->next) {
		if (!h->removed && !h->udmabuf) {
			size_t n = strlen(h->name) + 1;

			memcpy(p, h->name, n);
			p += n;
		}
	}
	*p = '\0';
	return names;
}

static int mock_dir_walk(struct dmaheap_mock *m, dmaheap_sys_dirent_fn fn,
			 void *arg)
{
	const char *p;
	char *names;
	int r = 0;

	mock_lock(m);
	names = snapshot_names(m);
	mock_unlock(m);
	if (!names)
		return -ENOMEM;
	for (p = names; *p && !r; p += strlen(p) + 1)
		r = fn(arg, p);
	free(names);
	return r;
}

int dmock_readdir(const struct dmaheap_sys *self, const char *path,
		  dmaheap_sys_dirent_fn fn, void *arg)
{
	struct dmaheap_mock *m = mock_of(self);
	enum udm_param param = UDM_SIZE_LIMIT_MB;
	enum udm_path udm = dmock_classify_udm(m, path, &param);
	struct path_info pi;
	bool exists, mine;
	int r = dmock_enter(m, DMAHEAP_MOCK_READDIR);

	if (r)
		return r;
	r = dmock_proc_readdir(m, path, fn, arg, &mine);
	if (mine)
		return r;
	if (udm != UDM_NONE)
		return dmock_udm_readdir(m, udm);
	if (dmock_is_kfile_path(path))
		return dmock_kfile_readdir(m, path, fn, arg);
	switch (dmock_classify_path(m, path, &pi)) {
	case PATH_FOREIGN:
		return dmaheap_sys_kernel.readdir(&dmaheap_sys_kernel, path, fn, arg);
	case PATH_DIR:
		return mock_dir_walk(m, fn, arg);
	case PATH_ERROR:
		return pi.err;
	case PATH_NODE:
		break;
	}
	mock_lock(m);
	exists = dmock_heap_find(m, pi.name, pi.len) != NULL;
	mock_unlock(m);
	return exists ? -ENOTDIR : -ENOENT;
}

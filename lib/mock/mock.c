/* SPDX-License-Identifier: MIT */
/*
 * The mock's life cycle and settings, and its system-call table.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "mock-private.h"

static int mock_meminfo(const struct dmaheap_sys *self, size_t *page_size,
			uint64_t *ram_bytes)
{
	struct dmaheap_mock *m = mock_of(self);

	mock_lock(m);
	*page_size = m->page_size;
	*ram_bytes = m->ram_bytes;
	mock_unlock(m);
	return 0;
}

static const struct dmaheap_sys mock_sys_template = {
	.abi = DMAHEAP_SYS_ABI,
	.open = dmock_open,
	.close = dmock_close,
	.ioctl = dmock_ioctl,
	.mmap = dmock_mmap,
	.munmap = dmock_munmap,
	.lseek = dmock_lseek,
	.fcntl = dmock_fcntl,
	.fstat = dmock_fstat,
	.fstatfs = dmock_fstatfs,
	.readdir = dmock_readdir,
	.memfd_create = dmock_memfd_create,
	.ftruncate = dmock_ftruncate,
	.read = dmock_read,
	.meminfo = mock_meminfo,
	.poll = dmock_poll,
	.pread = dmock_pread,
	.madvise = dmock_madvise,
	.sendmsg = dmock_sendmsg,
	.recvmsg = dmock_recvmsg,
	.membarrier = dmock_membarrier,
};

static uint32_t marker_for(const struct dmaheap_mock *m)
{
	uint64_t v = (uint64_t)(uintptr_t)m;

	/* Distinct per live mock (so one mock rejects another's sync
	 * files), and far from the small counts of ordinary eventfds. */
	v ^= v >> 29;
	return (uint32_t)(v >> 4) | 0x80000000u;
}

/* Names this mock's buffers: distinct from the other mocks of this
 * process, and most likely from every other process's. */
static uint32_t id_for(const struct dmaheap_mock *m)
{
	struct timespec ts = { 0, 0 };
	uint32_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) == sizeof(id))
		return id;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return marker_for(m) ^ (uint32_t)getpid() ^ (uint32_t)ts.tv_nsec;
}

int dmaheap_mock_new(struct dmaheap_mock **ret)
{
	struct dmaheap_mock *m;
	long ps, pages;

	if (!ret)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (pthread_mutex_init(&m->lock, NULL)) {
		free(m);
		return -ENOMEM;
	}
	m->sys = mock_sys_template;
	snprintf(m->dir, sizeof(m->dir), "/dmaheap-mock/%" PRIxPTR,
		 (uintptr_t)m);
	snprintf(m->udm_path, sizeof(m->udm_path), "%s-udmabuf", m->dir);
	snprintf(m->proc_dir, sizeof(m->proc_dir), "%s-proc", m->dir);
	ps = sysconf(_SC_PAGESIZE);
	pages = sysconf(_SC_PHYS_PAGES);
	m->real_page = ps > 0 && is_pow2((size_t)ps) ? (size_t)ps : 4096;
	m->page_size = m->real_page;
	m->ram_bytes = pages > 0 ? (uint64_t)pages * m->real_page :
				   UINT64_C(1) << 30;
	m->sync_marker = marker_for(m);
	m->id = id_for(m);
	m->sweep_at = MOCK_SWEEP_MIN;
	*ret = m;
	return 0;
}

void dmaheap_mock_free(struct dmaheap_mock *mock)
{
	if (!mock)
		return;
	/* The mock holds no fd of its own: buffers and nodes belong to
	 * whoever holds their fds. */
	while (mock->maps) {
		struct mock_map *mp = mock->maps;

		mock->maps = mp->next;
		free(mp);
	}
	while (mock->objs) {
		struct mock_obj *o = mock->objs;

		mock->objs = o->next;
		free(o);
	}
	dmock_procs_free(mock);
	free(mock->sock_label);
	dmock_kfiles_free(mock);
	while (mock->heaps) {
		struct mock_heap *h = mock->heaps;

		mock->heaps = h->next;
		free(h);
	}
	pthread_mutex_destroy(&mock->lock);
	free(mock);
}

const struct dmaheap_sys *dmaheap_mock_sys(struct dmaheap_mock *mock)
{
	return mock ? &mock->sys : NULL;
}

const char *dmaheap_mock_dir(const struct dmaheap_mock *mock)
{
	return mock ? mock->dir : NULL;
}

void dmaheap_mock_options(struct dmaheap_mock *mock,
			  struct dmaheap_options *opts)
{
	if (!mock || !opts)
		return;
	opts->sys = &mock->sys;
	opts->heap_dir = mock->dir;
	opts->udmabuf_dev = mock->udm_path;
}

int dmaheap_mock_set_meminfo(struct dmaheap_mock *mock, size_t page_size,
			     uint64_t ram_bytes)
{
	if (!mock)
		return -EINVAL;
	/* Buffers are real memfds: a smaller page than the machine's could
	 * not be mapped at the offsets the caller would compute. */
	if (page_size &&
	    (!is_pow2(page_size) || page_size < 4096 ||
	     page_size < mock->real_page))
		return -EINVAL;
	mock_lock(mock);
	if (page_size)
		mock->page_size = page_size;
	if (ram_bytes)
		mock->ram_bytes = ram_bytes;
	mock_unlock(mock);
	return 0;
}

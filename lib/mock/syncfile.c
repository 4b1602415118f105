/* SPDX-License-Identifier: MIT */
/*
 * Sync files: EXPORT_SYNC_FILE makes an eventfd carrying the mock's
 * marker; IMPORT_SYNC_FILE accepts only those, and SYNC_IOC_FILE_INFO
 * answers on those only, as the kernel answers on a sync_file only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mock-private.h"

static bool sync_flags_valid(uint32_t flags)
{
	return flags && !(flags & ~(uint32_t)DMA_BUF_SYNC_RW);
}

int dmock_buf_export(struct dmaheap_mock *m, const struct mock_obj *o,
		     void *arg)
{
	struct dma_buf_export_sync_file e;
	struct stat st;
	int fd;

	if (o->heap->props.no_sync_file)
		return -ENOTTY;
	if (!arg)
		return -EFAULT;
	memcpy(&e, arg, sizeof(e));
	if (!sync_flags_valid(e.flags))
		return -EINVAL;
	/* A non-zero count polls readable, like a signalled fence. */
	fd = eventfd(m->sync_marker, EFD_CLOEXEC);
	if (fd < 0)
		return neg_errno();
	if (!m->have_anon && fstat(fd, &st) == 0) {
		m->anon_dev = st.st_dev;
		m->anon_ino = st.st_ino;
		m->have_anon = true;
	}
	e.fd = fd;
	memcpy(arg, &e, sizeof(e));
	return 0;
}

/* The eventfd counter, from fdinfo; false if it cannot be read. */
static bool eventfd_count(int fd, uint64_t *count)
{
	char path[64], text[1024];
	const char *p;
	ssize_t n;
	int pfd;

	if (dmock_proc_fd_path(path, sizeof(path), "fdinfo", fd))
		return false;
	pfd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd < 0)
		return false;
	n = read(pfd, text, sizeof(text) - 1);
	close(pfd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	p = strstr(text, "eventfd-count:");
	if (!p)
		return false;
	*count = strtoull(p + strlen("eventfd-count:"), NULL, 16);
	return true;
}

static bool is_mock_sync_file(const struct dmaheap_mock *m, int fd)
{
	struct stat st;
	uint64_t count;

	if (!m->have_anon || fd < 0 || fstat(fd, &st) < 0)
		return false;
	if (st.st_dev != m->anon_dev || st.st_ino != m->anon_ino)
		return false;
	/* Without /proc, an eventfd is the best the mock can tell. */
	if (!eventfd_count(fd, &count))
		return true;
	return count == m->sync_marker;
}

bool dmock_is_sync_file(struct dmaheap_mock *m, int fd)
{
	bool mine;

	mock_lock(m);
	mine = is_mock_sync_file(m, fd);
	mock_unlock(m);
	return mine;
}

/* What sync_file_ioctl_fence_info() gives for a file of one fence, which
 * has signalled (the eventfd's count is not zero). */
int dmock_sync_file_info(void *arg)
{
	struct sync_file_info info;
	struct sync_fence_info fence = { .status = 1 };

	if (!arg)
		return -EFAULT;
	memcpy(&info, arg, sizeof(info));
	if (info.flags || info.pad)
		return -EINVAL;
	snprintf(info.name, sizeof(info.name), "dmaheap-mock");
	info.status = 1;
	if (info.num_fences) {
		if (!info.sync_fence_info)
			return -EFAULT;
		snprintf(fence.obj_name, sizeof(fence.obj_name), "dmaheap-mock");
		snprintf(fence.driver_name, sizeof(fence.driver_name),
			 "dmaheap-mock");
		memcpy((void *)(uintptr_t)info.sync_fence_info, &fence,
		       sizeof(fence));
	}
	info.num_fences = 1;
	memcpy(arg, &info, sizeof(info));
	return 0;
}

int dmock_buf_import(const struct dmaheap_mock *m, const struct mock_obj *o,
		     const void *arg)
{
	struct dma_buf_import_sync_file im;

	if (o->heap->props.no_sync_file)
		return -ENOTTY;
	if (!arg)
		return -EFAULT;
	memcpy(&im, arg, sizeof(im));
	if (!sync_flags_valid(im.flags))
		return -EINVAL;
	/* The kernel finds no fence behind a bad fd either: EINVAL too. */
	return is_mock_sync_file(m, im.fd) ? 0 : -EINVAL;
}

/* SPDX-License-Identifier: MIT */
/*
 * drm-import [HEAP]: hand a heap buffer to a DRM driver with PRIME.
 *
 * Allocates 1 MiB from HEAP ("system" by default), writes a pattern
 * between begin and end of CPU access, and imports the dma-buf into the
 * first DRM device whose driver is vgem (the virtual GEM driver; a real
 * GPU takes the same calls) with drmPrimeFDToHandle(). Then it exports
 * the GEM object back with drmPrimeHandleToFD() and reads the pattern
 * through that new fd: the driver holds the very same memory, not a copy.
 *
 * Exits 0 on success, 1 on failure, 77 when the heap or a vgem device is
 * missing or not accessible: as a test, it skips there.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xf86drm.h>

#include <dmaheap.h>

#define BUF_SIZE (1024 * 1024)

static int heap_unusable(int r)
{
	return r == -ENOENT || r == -EACCES || r == -EPERM || r == -ENOTTY ||
	       r == -ENODEV;
}

/* An fd of the first /dev/dri/card* driven by DRIVER, or -1. */
static int open_drm(const char *driver)
{
	DIR *d = opendir("/dev/dri");
	struct dirent *de;
	int found = -1;

	while (d && found < 0 && (de = readdir(d))) {
		char path[300];
		drmVersionPtr v;
		int fd;

		if (strncmp(de->d_name, "card", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/dri/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = drmGetVersion(fd);
		if (v && strcmp(v->name, driver) == 0)
			found = fd;
		else
			close(fd);
		drmFreeVersion(v);
	}
	if (d)
		closedir(d);
	return found;
}

/* Writes (or, with check, verifies) a ramp inside begin/end CPU access;
 * 1 if a check finds another byte. */
static int ramp(struct dmaheap_buf *buf, int check)
{
	unsigned int access = check ? DMAHEAP_ACCESS_READ : DMAHEAP_ACCESS_WRITE;
	unsigned char *p;
	void *addr;
	int r, bad = 0;

	r = dmaheap_buf_map(buf, &addr);
	if (r < 0)
		return r;
	p = addr;
	r = dmaheap_buf_begin_cpu_access(buf, access);
	for (size_t i = 0; r == 0 && i < dmaheap_buf_size(buf) && !bad; i++) {
		if (check)
			bad = p[i] != (unsigned char)(i % 253);
		else
			p[i] = (unsigned char)(i % 253);
	}
	if (r == 0)
		r = dmaheap_buf_end_cpu_access(buf, access);
	dmaheap_buf_unmap(buf);
	return r < 0 ? r : bad;
}

/* Import into DRM and back out; the returned fd is another fd of it. */
static int prime_round_trip(int drm, struct dmaheap_buf *buf, int *out_fd)
{
	uint32_t handle;
	int r;

	if (drmPrimeFDToHandle(drm, dmaheap_buf_fd(buf), &handle) < 0)
		return -errno;
	printf("imported into vgem as GEM handle %u\n", handle);
	r = drmPrimeHandleToFD(drm, handle, DRM_CLOEXEC | DRM_RDWR, out_fd);
	r = r < 0 ? -errno : 0;
	/* The exported fd keeps the buffer; the handle is no longer needed. */
	drmCloseBufferHandle(drm, handle);
	return r;
}

int main(int argc, char **argv)
{
	const char *heap = argc > 1 ? argv[1] : "system";
	struct dmaheap_ctx *ctx = NULL;
	struct dmaheap_buf *buf = NULL, *back = NULL;
	struct stat a, b;
	int drm, r, status = 1, fd = -1;

	drm = open_drm("vgem");
	if (drm < 0) {
		fprintf(stderr, "skip: no vgem device in /dev/dri (modprobe vgem)\n");
		return 77;
	}
	r = dmaheap_ctx_new(&ctx);
	if (r == 0)
		r = dmaheap_alloc(ctx, heap, BUF_SIZE, 0, &buf);
	if (r < 0 && heap_unusable(r)) {
		fprintf(stderr, "skip: heap '%s': %s\n", heap, dmaheap_strerror(r));
		status = 77;
		goto out;
	}
	if (r == 0)
		r = ramp(buf, 0);
	if (r == 0)
		r = prime_round_trip(drm, buf, &fd);
	/* The fd back from DRM is the same dma-buf: same inode... */
	if (r == 0 && (fstat(fd, &a) < 0 || fstat(dmaheap_buf_fd(buf), &b) < 0))
		r = -errno;
	if (r == 0 && a.st_ino != b.st_ino) {
		fprintf(stderr, "DRM exported another dma-buf\n");
		goto out;
	}
	/* ...so what the CPU wrote is what reading through it gives. */
	if (r == 0)
		r = dmaheap_import(ctx, fd, &back);
	if (r == 0)
		r = ramp(back, 1);
	if (r == 1)
		fprintf(stderr, "the pattern differs through DRM's fd\n");
	else if (r < 0)
		fprintf(stderr, "%s\n", dmaheap_strerror(r));
	else {
		printf("DRM's fd %d is the same dma-buf (inode %lu) and holds "
		       "the pattern\n", fd, (unsigned long)a.st_ino);
		status = 0;
	}
out:
	dmaheap_buf_free(back);
	if (fd >= 0)
		close(fd);
	dmaheap_buf_free(buf);
	dmaheap_ctx_free(ctx);
	close(drm);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * /proc/self/fdinfo/<fd> of mock buffers, and their reference count.
 *
 * The kernel prints "count:" as the dma-buf file's reference count minus
 * the reference procfs takes to print it. Those references are the fds of
 * every process, every mapping (VMA), and every importer. The mock counts
 * this process's fds (a scan by inode), its mappings (/proc/self/maps by
 * inode, so the caller's own mmap()s count too), and the references that
 * dmaheap_mock_buf_hold() says others hold. dmaheap_mock_fdinfo_count()
 * leaves the line out, as kernels without it print fdinfo.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mock-private.h"

#define FDINFO_PREFIX "/proc/self/fdinfo/"

/* The fd @path names, if it is /proc/self/fdinfo/<number>. */
static bool fdinfo_target(const char *path, int *fd)
{
	size_t len = strlen(FDINFO_PREFIX);
	char *end;
	long v;

	if (!path || strncmp(path, FDINFO_PREFIX, len) != 0)
		return false;
	path += len;
	if (*path < '0' || *path > '9')
		return false;
	errno = 0;
	v = strtol(path, &end, 10);
	if (errno || *end != '\0' || v > INT32_MAX)
		return false;
	*fd = (int)v;
	return true;
}

/* Mappings (VMAs) of @o's file in this process. */
static unsigned int count_vmas(const struct mock_obj *o)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	unsigned int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		unsigned long ino;

		if (sscanf(line, "%*x-%*x %*s %*x %x:%x %lu", &maj, &min,
			   &ino) == 3 &&
		    ino == (unsigned long)o->ino &&
		    makedev(maj, min) == o->dev)
			n++;
	}
	fclose(f);
	return n;
}

/* The "count:" the kernel would print for @o; called with the lock. */
static long ref_count(const struct mock_obj *o)
{
	struct fd_scan s;
	long n;

	if (dmock_scan_fds(&s))
		return -1;
	n = (long)dmock_scan_count(&s, o, NULL);
	free(s.v);
	return n + (long)count_vmas(o) + (long)o->holds;
}

/* The text of @o's fdinfo, @fd's; called with the lock. */
static int fdinfo_text(const struct dmaheap_mock *m, const struct mock_obj *o,
		       int fd, char *text, size_t len)
{
	int fl = fcntl(fd, F_GETFL);
	long count = ref_count(o);
	char count_line[32] = "";
	int n;

	if (fl < 0 || count < 0)
		return -EIO;
	if (!m->fdinfo_no_count)
		snprintf(count_line, sizeof(count_line), "count:\t%ld\n",
			 count);
	n = snprintf(text, len,
		     "pos:\t0\nflags:\t0%o\nmnt_id:\t0\nino:\t%" PRIu64
		     "\nsize:\t%" PRIu64 "\n%sexp_name:\t%s\n",
		     (unsigned int)fl | O_CLOEXEC, (uint64_t)o->ino, o->size,
		     count_line, o->heap->name);
	if (o->name[0] && n >= 0 && (size_t)n < len)
		snprintf(text + n, len - (size_t)n, "name:\t%s\n", o->name);
	return 0;
}

/* The buffer behind @fd, with the lock held; NULL if none. */
static struct mock_obj *buf_of(struct dmaheap_mock *m, int fd)
{
	struct mock_obj *o;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return NULL;
	o = dmock_obj_find_fd(m, fd, &st);
	return o && o->kind == OBJ_BUF ? o : NULL;
}

/*
 * Opens the fdinfo of a mock buffer: a memfd the mock recognises, whose
 * text it prints afresh on every pread, as procfs does. *@mine is false
 * (and nothing done) for any other path or fd, which the real kernel
 * answers.
 */
int dmock_fdinfo_open(struct dmaheap_mock *m, const char *path, bool *mine)
{
	struct mock_obj *o, *info;
	int target, fd, r;

	*mine = false;
	if (!fdinfo_target(path, &target))
		return 0;
	mock_lock(m);
	o = buf_of(m, target);
	mock_unlock(m);
	if (!o)
		return 0;
	*mine = true;
	fd = dmock_memfd_named("dmaheap-mock-fdinfo", o->heap->name);
	if (fd < 0)
		return fd;
	mock_lock(m);
	/* Checked again: the buffer may have gone meanwhile. */
	o = buf_of(m, target);
	r = o ? dmock_obj_add(m, OBJ_FDINFO, o->heap, fd, &info) : -ENOENT;
	if (r == 0)
		info->target = target;
	mock_unlock(m);
	if (r) {
		close(fd);
		return r;
	}
	return fd;
}

/* pread: fdinfo files are printed now; anything else is read for real. */
int dmock_pread(const struct dmaheap_sys *self, int fd, void *buf, size_t len,
		int64_t off)
{
	struct dmaheap_mock *m = mock_of(self);
	struct mock_obj *info, *o;
	char text[512];
	struct stat st;
	ssize_t n;
	size_t tlen;
	int r = dmock_enter(m, DMAHEAP_MOCK_READ);

	if (r)
		return r;
	if (fstat(fd, &st) < 0)
		return neg_errno();
	mock_lock(m);
	info = dmock_obj_find_fd(m, fd, &st);
	if (info && info->kind == OBJ_FDINFO) {
		/* As procfs: the fd it names is closed, or another file. */
		o = buf_of(m, info->target);
		r = o ? fdinfo_text(m, o, info->target, text, sizeof(text))
		      : -ENOENT;
	}
	mock_unlock(m);
	if (!info || info->kind != OBJ_FDINFO) {
		n = pread(fd, buf, len, (off_t)off);
		return n < 0 ? neg_errno() : (int)n;
	}
	if (r)
		return r;
	tlen = strlen(text);
	if (off < 0)
		return -EINVAL;
	if ((uint64_t)off >= tlen)
		return 0;
	tlen -= (size_t)off;
	tlen = tlen < len ? tlen : len;
	memcpy(buf, text + off, tlen);
	return (int)tlen;
}

int dmaheap_mock_buf_hold(struct dmaheap_mock *mock, int fd, int delta)
{
	struct mock_obj *o;
	struct stat st;
	int r;

	if (!mock)
		return -EINVAL;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -EBADF;
	mock_lock(mock);
	o = dmock_obj_find_fd(mock, fd, &st);
	if (!o || o->kind != OBJ_BUF)
		r = -ENOENT;
	else if ((delta < 0 && (unsigned int)-delta > o->holds) ||
		 (delta > 0 && o->holds + (unsigned int)delta > INT_MAX))
		r = -EINVAL;
	else
		r = (int)(o->holds = (unsigned int)((int)o->holds + delta));
	mock_unlock(mock);
	return r;
}

int dmaheap_mock_fdinfo_count(struct dmaheap_mock *mock, bool shown)
{
	if (!mock)
		return -EINVAL;
	mock_lock(mock);
	mock->fdinfo_no_count = !shown;
	mock_unlock(mock);
	return 0;
}

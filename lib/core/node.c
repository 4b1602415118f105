/* SPDX-License-Identifier: MIT */
/*
 * Opening device nodes: heap nodes and the udmabuf device.
 *
 * The heap directory comes from the caller or $DMAHEAP_DIR and may hold
 * anything, and opening some character devices acts at once (a watchdog
 * starts counting down, a tape rewinds). So a node is identified before it
 * is opened: through an O_PATH fd, which opens no driver, it must be a
 * character device whose sysfs entry /sys/dev/char/MAJ:MIN/uevent says
 * DEVNAME=dma_heap/..., the name only the dma_heap class gives its devices;
 * the udmabuf device is a misc device (major 10) with DEVNAME=udmabuf.
 * The node opened afterwards must be the same device.
 *
 * sysfs is read with open() and read() rather than a readlink() of the
 * subsystem link: the system-call layer has those, so the mock answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "core.h"

#define SYS_DEV_CHAR "/sys/dev/char"
#define MISC_MAJOR 10
#define HEAP_DEVNAME_PREFIX "dma_heap/"

/* What @path is, without opening a driver. */
static int stat_path(struct dmaheap_ctx *ctx, const char *path,
		     struct stat *st)
{
	const struct dmaheap_sys *sys = ctx->sys;
	int fd = sys->open(sys, path, O_PATH | O_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return fd;
	r = sys->fstat(sys, fd, st);
	sys->close(sys, fd);
	return r;
}

/* The value of @key in the KEY=VALUE lines of a uevent, or NULL. */
static const char *uevent_value(const char *text, const char *key)
{
	size_t klen = strlen(key);

	for (const char *line = text; line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, key, klen) == 0 && line[klen] == '=')
			return line + klen + 1;
	}
	return NULL;
}

/* The DEVNAME of a character device, from its uevent, into @out. */
static int read_devname(struct dmaheap_ctx *ctx, dev_t rdev, char *out,
			size_t len)
{
	const struct dmaheap_sys *sys = ctx->sys;
	char path[64], text[512];
	const char *value;
	int fd, n;

	snprintf(path, sizeof(path), SYS_DEV_CHAR "/%u:%u/uevent",
		 major(rdev), minor(rdev));
	fd = sys->open(sys, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	n = sys->read(sys, fd, text, sizeof(text) - 1);
	sys->close(sys, fd);
	if (n < 0)
		return n;
	text[n] = '\0';
	value = uevent_value(text, "DEVNAME");
	if (!value)
		return -ENOENT;
	snprintf(out, len, "%.*s", (int)strcspn(value, "\n"), value);
	return 0;
}

static bool right_class(const char *devname, dev_t rdev, bool udmabuf)
{
	size_t plen = strlen(HEAP_DEVNAME_PREFIX);

	if (udmabuf)
		return major(rdev) == MISC_MAJOR &&
		       strcmp(devname, "udmabuf") == 0;
	return strncmp(devname, HEAP_DEVNAME_PREFIX, plen) == 0 &&
	       devname[plen] != '\0';
}

/* -ENOTTY, logged with the value and the knob, unless @path is the kind
 * of device wanted; *@st receives what it is. */
static int identify(struct dmaheap_ctx *ctx, const char *path, bool udmabuf,
		    struct stat *st)
{
	const char *want = udmabuf ? "the udmabuf device" : "a dma_heap device";
	const char *knob = udmabuf ? "DMAHEAP_UDMABUF_DEV or udmabuf_dev" :
				     "DMAHEAP_DIR or heap_dir";
	char devname[256];
	int r = stat_path(ctx, path, st);

	if (r)
		return r;
	if (!S_ISCHR(st->st_mode)) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "%s is not a character device, so not %s; not opened (check %s)",
			    path, want, knob);
		return -ENOTTY;
	}
	r = read_devname(ctx, st->st_rdev, devname, sizeof(devname));
	if (r) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "%s: cannot tell which device %u:%u is (" SYS_DEV_CHAR "/%u:%u/uevent: %s); not opened",
			    path, major(st->st_rdev), minor(st->st_rdev),
			    major(st->st_rdev), minor(st->st_rdev),
			    dmaheap_strerror(r));
		return -ENOTTY;
	}
	if (!right_class(devname, st->st_rdev, udmabuf)) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "%s is device %u:%u '%s', not %s; not opened (check %s)",
			    path, major(st->st_rdev), minor(st->st_rdev),
			    devname, want, knob);
		return -ENOTTY;
	}
	return 0;
}

/* -ENOENT or -ENOTDIR when the heap directory itself is not there. */
static int heap_dir_error(struct dmaheap_ctx *ctx)
{
	const struct dmaheap_sys *sys = ctx->sys;
	int fd = sys->open(sys, ctx->dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);

	if (fd >= 0)
		sys->close(sys, fd);
	return fd == -ENOENT || fd == -ENOTDIR ? fd : 0;
}

/*
 * A missing heap is ordinary (a fallback search goes on), a missing heap
 * directory is not: no heap can be opened. Said once per context, at
 * WARNING, with what to do; false if it was said before.
 */
bool dmaheap_warn_no_heap_dir(struct dmaheap_ctx *ctx, int err)
{
	if (atomic_exchange_explicit(&ctx->dir_missing_told, true,
				     memory_order_relaxed))
		return false;
	dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
		    "heap directory %s: %s, so no DMA-BUF heap can be opened (kernel without CONFIG_DMABUF_HEAPS? if the heaps are elsewhere, set DMAHEAP_DIR or heap_dir)",
		    ctx->dir, dmaheap_strerror(err));
	return true;
}

/* A heap merely absent stays at DEBUG. */
static void log_missing(struct dmaheap_ctx *ctx, const char *path,
			bool udmabuf, int err)
{
	int dir_err;

	if (udmabuf) {
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG,
			    "udmabuf: the udmabuf device %s: %s (kernel without CONFIG_UDMABUF, or module udmabuf not loaded? if the device is elsewhere, set DMAHEAP_UDMABUF_DEV or udmabuf_dev)",
			    path, dmaheap_strerror(err));
		return;
	}
	/* Once told, no more looks at the directory on this path. */
	dir_err = atomic_load_explicit(&ctx->dir_missing_told,
				       memory_order_relaxed) ?
		  0 : heap_dir_error(ctx);
	if (!dir_err || !dmaheap_warn_no_heap_dir(ctx, dir_err))
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG, "%s: %s", path,
			    dmaheap_strerror(err));
}

static void log_open_failure(struct dmaheap_ctx *ctx, const char *path,
			     bool udmabuf, int err)
{
	if (err == -ENOENT || err == -ENOTDIR) {
		log_missing(ctx, path, udmabuf, err);
		return;
	}
	if (err != -EACCES && err != -EPERM) {
		dmaheap_log(ctx, DMAHEAP_LOG_DEBUG, "%s: %s", path,
			    dmaheap_strerror(err));
		return;
	}
	/* Not a warning: a fallback search may well go on without it. */
	dmaheap_log(ctx, DMAHEAP_LOG_DEBUG,
		    "%s: %s; %s (udev rule %s)", path, dmaheap_strerror(err),
		    udmabuf ? "the udmabuf device is root-only unless a udev rule grants access" :
			      "heap nodes are root-only unless a udev rule grants access",
		    udmabuf ? "KERNEL==\"udmabuf\", GROUP=\"video\", MODE=\"0660\"" :
			      "SUBSYSTEM==\"dma_heap\", GROUP=\"video\", MODE=\"0660\"");
}

/*
 * Read access is enough for the ioctls, and asking for more turns 0644-style
 * nodes into EACCES. O_NONBLOCK and O_NOCTTY: heaps and udmabuf ignore
 * them, and the node checked may have been swapped for a FIFO or a tty.
 */
int dmaheap_open_node(struct dmaheap_ctx *ctx, const char *path, bool udmabuf)
{
	const struct dmaheap_sys *sys = ctx->sys;
	struct stat want, got;
	int fd, r;

	r = identify(ctx, path, udmabuf, &want);
	if (r) {
		/* identify() said why it refused what it found. */
		if (r != -ENOTTY)
			log_open_failure(ctx, path, udmabuf, r);
		return r;
	}
	fd = sys->open(sys, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		       0);
	if (fd < 0) {
		log_open_failure(ctx, path, udmabuf, fd);
		return fd;
	}
	r = sys->fstat(sys, fd, &got);
	if (r == 0 && (!S_ISCHR(got.st_mode) || got.st_rdev != want.st_rdev)) {
		dmaheap_log(ctx, DMAHEAP_LOG_WARNING,
			    "%s changed while being opened; not used", path);
		r = -ENOTTY;
	}
	if (r) {
		sys->close(sys, fd);
		return r;
	}
	return fd;
}

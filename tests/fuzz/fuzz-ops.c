/* SPDX-License-Identifier: MIT */
/*
 * Operation-sequence fuzzer: the input is a program of library calls
 * (allocate, import, map, CPU access, names, sync files, policy changes,
 * listing, stats, free; the recycling pool: set_pool, prewarm, trim, its
 * stats; hand-off of buffers and images over a socketpair, and malformed
 * hand-off messages) run against the mock kernel with fault injection,
 * with hostile names, sizes, flags and fds mixed in.
 *
 * After every call it checks what the header promises: the return value is
 * success or an errno the header documents for that function; no fd leaked
 * (open fds = those the harness holds + the heap nodes the context caches
 * + the pool's cached buffers, each with at most one fdinfo fd, which a
 * buffer that went through the pool's check keeps); the context's stats
 * match the buffers alive; an allocated buffer is never one something else
 * still holds; a fresh one, or a recycled one of a zeroing pool, reads
 * zero; the pool never caches more bytes than its limit. At the end, once
 * everything is freed, the mock must report no leak and the fd table be
 * as before.
 *
 * The op byte's value modulo the number of ops picks the op; new ops go at
 * the end, and inputs written for fewer ops keep their meaning when their
 * op bytes are below that number (the seeds and crashes are).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dmaheap-mock.h"
#include "dmaheap.h"
#include "fuzz.h"

#define MAX_OPS 96
#define MAX_BUFS 8
#define MAX_FDS 16
#define RAM_BYTES (256ull << 20)
#define MAX_ERRNO 256
/* Holds pick_name()'s longest name (257 bytes) and the copies of it. */
#define NAME_BUF 300
#define NO_CALL (-1)

struct slot {
	struct dmaheap_buf *buf;
	bool allocated;		/* counts in the stats (not an import) */
	unsigned int maps;
	void *addr;
};

struct state {
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *ctx;
	struct fz_reader in;
	struct slot bufs[MAX_BUFS];
	int fds[MAX_FDS];	/* raw, dup and sync-file fds the harness owns */
	bool fd_dmabuf[MAX_FDS];	/* which of them are dma-bufs */
	int fds_base;
	size_t page;
	/* Errnos injected so far, per mock call: "the exporter's error" and
	 * "whatever the heap's ioctl returns" are documented pass-throughs. */
	bool injected[DMAHEAP_MOCK_CALL_COUNT][MAX_ERRNO];
	char name[NAME_BUF];
	int sock[2];		/* hand-off: [0] sends, [1] receives */
	bool pool_on, pool_zero;
	uint64_t pool_max_bytes;
	bool pool_touched;	/* ever on: buffers may hold fdinfo fds */
};

/* ------------------------------------------------------------------------ */
/* Decoding                                                                 */
/* ------------------------------------------------------------------------ */

static const char *const fixed_names[] = {
	"system", "system-uncached", "carveout", "flaky", "reserved", "cma",
	"udmabuf", "noaccess", "regular", "nodev", "absent",
	"protected,secure-video", "display", "../system", "a/b", ".hidden",
	"", "\xff\xfe\x80", "system\n",
};
#define N_FIXED (sizeof(fixed_names) / sizeof(fixed_names[0]))

/* A heap name: mostly known ones, sometimes NULL, 256+ bytes or input. */
static const char *pick_name(struct state *s)
{
	uint8_t b = fz_u8(&s->in);

	if (b < 200)
		return fixed_names[b % N_FIXED];
	if (b < 210)
		return NULL;
	if (b < 220) {
		size_t n = 255 + b % 3;	/* NAME_MAX and beyond */

		memset(s->name, 'h', n);
		s->name[n] = '\0';
		return s->name;
	}
	fz_bytes(&s->in, s->name, 40);
	return s->name;
}

static size_t pick_size(struct state *s)
{
	uint8_t b = fz_u8(&s->in);

	switch (b % 12) {
	case 0: return 0;
	case 1: return 1;
	case 2: return s->page - 1;
	case 3: return s->page + 1;
	case 4: return SIZE_MAX;
	case 5: return SIZE_MAX - s->page;
	case 6: return (size_t)RAM_BYTES + 1;
	case 7: return 5u << 20;	/* over the udmabuf limit */
	case 8: return 600u << 10;	/* over the carveout's max_size */
	default: return fz_u32(&s->in) % (2u << 20);
	}
}

/* Mostly valid access modes, sometimes 0 or unknown bits. */
static unsigned int pick_access(struct state *s)
{
	uint8_t b = fz_u8(&s->in);

	return b < 224 ? 1 + b % 3 : b;
}

static unsigned int pick_usage(struct state *s)
{
	uint8_t b = fz_u8(&s->in);

	return b < 240 ? b & 0x7f : (unsigned int)b << 4;
}

static struct slot *pick_slot(struct state *s)
{
	return &s->bufs[fz_u8(&s->in) % MAX_BUFS];
}

static struct slot *free_slot(struct state *s)
{
	for (int i = 0; i < MAX_BUFS; i++)
		if (!s->bufs[i].buf)
			return &s->bufs[i];
	return NULL;
}

static int pick_fd(struct state *s)
{
	return fz_u8(&s->in) % MAX_FDS;
}

static void keep_fd(struct state *s, int fd, bool dmabuf)
{
	for (int i = 0; i < MAX_FDS; i++) {
		if (s->fds[i] < 0) {
			s->fds[i] = fd;
			s->fd_dmabuf[i] = dmabuf;
			return;
		}
	}
	close(fd);
}

/* ------------------------------------------------------------------------ */
/* Checks                                                                   */
/* ------------------------------------------------------------------------ */

/* A list of errnos, as the header documents them for a function. */
#define ERRS(...) ((const int[]){ __VA_ARGS__, 0 })
#define ALLOC_ERRS ERRS(EINVAL, EOVERFLOW, ENOMEM, EFBIG, ENOENT, EACCES, \
			EPERM, ENOTTY, ENODEV, EMFILE, ENFILE)
#define OPEN_ERRS ERRS(EINVAL, ENOENT, EACCES, EPERM, ENOTTY, ENODEV, \
		       EMFILE, ENFILE, ENOMEM)

/*
 * @r is 0/positive, one of @allowed, or an errno injected into @passed
 * (NO_CALL for none): the call whose error the function documents as
 * passed through. Outside strict mode (DMAHEAP_FUZZ_STRICT unset), an errno
 * injected into any call may come back unchanged too: the kernel's own
 * errno for a failed system call is an honest answer, though the header
 * may not list it for that function; strict mode finds those.
 */
static void check_errno(struct state *s, const char *what, int r,
			const int *allowed, int passed)
{
	bool strict = getenv("DMAHEAP_FUZZ_STRICT") != NULL;

	if (r >= 0)
		return;
	for (; *allowed; allowed++)
		if (-r == *allowed)
			return;
	if (-r < MAX_ERRNO && passed != NO_CALL && s->injected[passed][-r])
		return;
	for (int c = 0; !strict && -r < MAX_ERRNO &&
	     c < DMAHEAP_MOCK_CALL_COUNT; c++)
		if (s->injected[c][-r])
			return;
	fz_check(false, "%s returned %d (%s), not documented", what, r,
		 dmaheap_strerror(r));
}

static void check_state(struct state *s, const char *after)
{
	struct dmaheap_mock_leaks held;
	struct dmaheap_pool_stats ps;
	struct dmaheap_stats st;
	uint64_t bufs = 0, bytes = 0;
	int open_fds = 0, fds, want;

	for (int i = 0; i < MAX_BUFS; i++) {
		if (!s->bufs[i].buf)
			continue;
		open_fds++;
		if (s->bufs[i].allocated) {
			bufs++;
			bytes += dmaheap_buf_size(s->bufs[i].buf);
		}
	}
	for (int i = 0; i < MAX_FDS; i++)
		open_fds += s->fds[i] >= 0;
	fz_check(dmaheap_mock_leaks(s->mock, &held, NULL, 0) >= 0, "%s", after);
	fz_check(dmaheap_pool_stats(s->ctx, NULL, &ps) == 0, "%s", after);
	fz_check(!s->pool_on || ps.cached_bytes <= s->pool_max_bytes,
		 "after %s: pool caches %llu bytes, limit %llu", after,
		 (unsigned long long)ps.cached_bytes,
		 (unsigned long long)s->pool_max_bytes);
	if (s->pool_touched && getenv("DMAHEAP_FUZZ_TRACE"))
		fprintf(stderr, "  pool: %llu hits, %llu recycled, %llu shared, %llu cached\n",
			(unsigned long long)ps.hits,
			(unsigned long long)ps.recycled,
			(unsigned long long)ps.refused_shared,
			(unsigned long long)ps.cached_buffers);
	fds = count_open_fds();
	want = s->fds_base + open_fds + (int)held.heap_fds +
	       (int)ps.cached_buffers;
	/* fdinfo fds: one per buffer that went through the pool's check, held
	 * or cached. */
	fz_check(fds >= want && fds <= want + (int)ps.cached_buffers + open_fds,
		 "after %s: %d fds open, want %d + %d held + %u heap nodes + %llu pooled (+ their fdinfo)",
		 after, fds, s->fds_base, open_fds, held.heap_fds,
		 (unsigned long long)ps.cached_buffers);
	fz_check(s->pool_touched || fds == want,
		 "after %s: %d fds open, want %d", after, fds, want);
	fz_check(dmaheap_ctx_stats(s->ctx, NULL, &st) == 0, "%s", after);
	fz_check(st.live_buffers == bufs && st.live_bytes == bytes,
		 "after %s: stats say %llu buffers, %llu bytes; alive: %llu, %llu",
		 after, (unsigned long long)st.live_buffers,
		 (unsigned long long)st.live_bytes, (unsigned long long)bufs,
		 (unsigned long long)bytes);
	fz_check(st.peak_bytes >= st.live_bytes, "after %s", after);
}

/* ------------------------------------------------------------------------ */
/* Operations                                                               */
/* ------------------------------------------------------------------------ */

static ino_t inode_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* Whether a new buffer must read zero: fresh from the (mock) kernel, or
 * from a zeroing pool, whatever it cached before zeroing was turned on. */
static bool zero_promised(const struct state *s, unsigned int flags)
{
	return (flags & DMAHEAP_ALLOC_FRESH) || !s->pool_on || s->pool_zero;
}

/* A buffer just allocated: nothing else the harness holds is the same
 * dma-buf (the pool never hands out a shared one), and it reads zero when
 * promised (op_map writes to buffers, so a recycled one would show). */
static void check_new_buffer(struct state *s, struct slot *sl,
			     unsigned int flags)
{
	ino_t ino = inode_of(dmaheap_buf_fd(sl->buf));
	uint8_t *p = NULL;
	size_t n;

	for (int i = 0; i < MAX_BUFS; i++)
		if (&s->bufs[i] != sl && s->bufs[i].buf)
			fz_check(inode_of(dmaheap_buf_fd(s->bufs[i].buf)) != ino,
				 "allocated a buffer slot %d holds", i);
	for (int i = 0; i < MAX_FDS; i++)
		if (s->fds[i] >= 0 && s->fd_dmabuf[i])
			fz_check(inode_of(s->fds[i]) != ino,
				 "allocated a buffer fd %d holds", s->fds[i]);
	if (!zero_promised(s, flags) ||
	    dmaheap_buf_map(sl->buf, (void **)&p) != 0)
		return;
	n = dmaheap_buf_size(sl->buf);
	fz_check(p[0] == 0 && p[n - 1] == 0,
		 "new buffer not zeroed (flags %#x, pool %s)", flags,
		 s->pool_on ? "on" : "off");
	fz_check(dmaheap_buf_unmap(sl->buf) == 0, "unmap");
}

static void got_buffer(struct slot *sl, struct dmaheap_buf *buf, bool alloc)
{
	sl->buf = buf;
	sl->allocated = alloc;
	sl->maps = 0;
	sl->addr = NULL;
}

static void op_alloc(struct state *s)
{
	struct slot *sl = free_slot(s);
	const char *heap = pick_name(s);
	size_t size = pick_size(s);
	unsigned int flags = fz_u8(&s->in) % 3;
	struct dmaheap_buf *buf = NULL;
	int r;

	r = dmaheap_alloc(s->ctx, heap, size, flags, sl ? &buf : NULL);
	check_errno(s, "dmaheap_alloc", r,
		    ALLOC_ERRS, DMAHEAP_MOCK_IOCTL_ALLOC);
	fz_check(!sl || r != 0 || buf, "alloc succeeded without a buffer");
	if (r == 0 && sl) {
		fz_check(dmaheap_buf_size(buf) >= size, "short buffer");
		got_buffer(sl, buf, true);
		check_new_buffer(s, sl, flags);
	}
}

static void op_alloc_from(struct state *s)
{
	const char *heaps[4];
	size_t n = fz_u8(&s->in) % 5;
	struct slot *sl = free_slot(s);
	struct dmaheap_buf *buf = NULL;
	char names[4][NAME_BUF];
	int r;

	for (size_t i = 0; i < n; i++) {
		const char *h = pick_name(s);

		/* pick_name() reuses one buffer: give each its own copy. */
		if (h == s->name) {
			snprintf(names[i], sizeof(names[i]), "%s", h);
			h = names[i];
		}
		heaps[i] = h;
	}
	r = dmaheap_alloc_from(s->ctx, heaps, n, pick_size(s), 0,
			       sl ? &buf : NULL);
	check_errno(s, "dmaheap_alloc_from", r,
		    ALLOC_ERRS, DMAHEAP_MOCK_IOCTL_ALLOC);
	fz_check(r < (int)(n ? n : 1), "index %d out of %zu", r, n);
	if (r >= 0 && sl) {
		fz_check(strcmp(dmaheap_buf_heap_name(buf), heaps[r]) == 0 ||
			 dmaheap_heap_props(s->ctx, heaps[r], &(unsigned int){0}) >= 0,
			 "served by %s, index %d", dmaheap_buf_heap_name(buf), r);
		got_buffer(sl, buf, true);
		check_new_buffer(s, sl, 0);
	}
}

/* The promise of the usage policy, checked on the heap that served. */
static void check_usage_served(struct state *s, unsigned int usage,
			       struct dmaheap_buf *buf)
{
	unsigned int props = dmaheap_buf_props(buf);

	if (usage & DMAHEAP_USAGE_UNCACHED)
		fz_check(props & DMAHEAP_PROP_UNCACHED, "UNCACHED served by %s",
			 dmaheap_buf_heap_name(buf));
	if (usage & DMAHEAP_USAGE_CONTIGUOUS)
		fz_check(props & DMAHEAP_PROP_CONTIGUOUS,
			 "CONTIGUOUS served by %s", dmaheap_buf_heap_name(buf));
	fz_check(!(usage & DMAHEAP_USAGE_PROTECTED) ==
		 !(props & DMAHEAP_PROP_PROTECTED),
		 "usage %#x served by %s (props %#x)", usage,
		 dmaheap_buf_heap_name(buf), props);
	(void)s;
}

static void op_alloc_usage(struct state *s)
{
	unsigned int usage = pick_usage(s);
	struct slot *sl = free_slot(s);
	struct dmaheap_buf *buf = NULL;
	int r;

	r = dmaheap_alloc_usage(s->ctx, usage, pick_size(s), 0,
				sl ? &buf : NULL);
	check_errno(s, "dmaheap_alloc_usage", r,
		    ALLOC_ERRS, DMAHEAP_MOCK_IOCTL_ALLOC);
	if (r == 0 && sl) {
		check_usage_served(s, usage, buf);
		got_buffer(sl, buf, true);
		check_new_buffer(s, sl, 0);
	}
}

static void op_alloc_fd(struct state *s)
{
	const char *heap = pick_name(s);
	int r = dmaheap_alloc_fd(s->ctx, heap, pick_size(s), 0);

	check_errno(s, "dmaheap_alloc_fd", r,
		    ALLOC_ERRS, DMAHEAP_MOCK_IOCTL_ALLOC);
	if (r >= 0)
		keep_fd(s, r, true);
}

/* An fd of some kind for import or sync-file import; -1 if none. The
 * caller closes it when @temp says so. @dmabuf: it is a dma-buf the
 * harness holds (else a new fd may reuse the number of a dma-buf the
 * harness closed, which the header says not to pass with a context). */
static int hostile_fd(struct state *s, bool *temp, bool *dmabuf)
{
	uint8_t b = fz_u8(&s->in);
	int p[2], fd = -1, i;

	*temp = true;
	*dmabuf = false;
	switch (b % 10) {
	case 0:
		if (pipe2(p, O_CLOEXEC) == 0) {
			close(p[1]);
			fd = p[0];
		}
		return fd;
	case 1: return open("/dev/null", O_RDWR | O_CLOEXEC);
	case 2: return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	case 3: return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	case 4: return memfd_create("fuzz", MFD_CLOEXEC);
	case 5: return open("/dev/null", O_PATH | O_CLOEXEC);
	case 6: *temp = false; return 1000;	/* not open */
	case 7: *temp = false; return -1 - b;
	case 8: {
		struct slot *sl = pick_slot(s);

		*temp = false;
		*dmabuf = sl->buf != NULL;
		return sl->buf ? dmaheap_buf_fd(sl->buf) : -1;
	}
	default:
		*temp = false;
		i = pick_fd(s);
		*dmabuf = s->fds[i] >= 0 && s->fd_dmabuf[i];
		return s->fds[i];
	}
}

static void op_import(struct state *s)
{
	struct slot *sl = free_slot(s);
	struct dmaheap_buf *buf = NULL;
	bool temp, dmabuf;
	int fd = hostile_fd(s, &temp, &dmabuf), r;

	r = dmaheap_import(s->ctx, fd, sl ? &buf : NULL);
	check_errno(s, "dmaheap_import", r,
		    ERRS(EINVAL, EBADF, EBADFD, EMFILE, ENOMEM), NO_CALL);
	if (temp && fd >= 0)
		close(fd);
	if (r == 0 && sl)
		got_buffer(sl, buf, false);
}

static void op_map(struct state *s)
{
	struct slot *sl = pick_slot(s);
	void *addr = NULL;
	int r = dmaheap_buf_map(sl->buf, &addr);

	check_errno(s, "dmaheap_buf_map", r,
		    ERRS(EINVAL, EPERM, EACCES, ENOMEM, EOVERFLOW), NO_CALL);
	if (r == 0) {
		fz_check(!sl->maps || addr == sl->addr, "map moved");
		sl->addr = addr;
		sl->maps++;
		/* The mapping must be real: touch both ends. Leave a mark
		 * that a recycled buffer would show. */
		volatile uint8_t *p = addr;
		size_t n = dmaheap_buf_size(sl->buf);
		uint8_t v = p[0];

		(void)v;
		(void)p[n - 1];
		p[0] = 0xa5;
		p[n - 1] = 0xa5;
	}
}

static void op_unmap(struct state *s)
{
	struct slot *sl = pick_slot(s);
	int r = dmaheap_buf_unmap(sl->buf);

	check_errno(s, "dmaheap_buf_unmap", r, ERRS(EINVAL), NO_CALL);
	fz_check(r != 0 || sl->maps, "unmap of an unmapped buffer succeeded");
	fz_check(r == 0 || !sl->buf || !sl->maps, "unmap failed: %d", r);
	if (r == 0 && --sl->maps == 0)
		sl->addr = NULL;
}

static void op_access(struct state *s, bool begin)
{
	struct slot *sl = pick_slot(s);
	unsigned int access = pick_access(s);
	int r;

	if (begin) {
		r = dmaheap_buf_begin_cpu_access(sl->buf, access);
		check_errno(s, "dmaheap_buf_begin_cpu_access", r,
			    ERRS(EINVAL, EPERM, EAGAIN, EOVERFLOW),
			    DMAHEAP_MOCK_IOCTL_SYNC);
	} else {
		r = dmaheap_buf_end_cpu_access(sl->buf, access);
		check_errno(s, "dmaheap_buf_end_cpu_access", r,
			    ERRS(EINVAL, EAGAIN), DMAHEAP_MOCK_IOCTL_SYNC);
	}
}

static void op_begin(struct state *s)
{
	op_access(s, true);
}

static void op_end(struct state *s)
{
	op_access(s, false);
}

static void op_set_name(struct state *s)
{
	struct slot *sl = pick_slot(s);
	char name[48];
	int r;

	fz_bytes(&s->in, name, 40);
	r = dmaheap_buf_set_name(sl->buf, name);
	check_errno(s, "dmaheap_buf_set_name", r,
		    ERRS(EINVAL, ENAMETOOLONG, EBUSY, ENOTTY, ENOMEM), NO_CALL);
	fz_check(r != -ENAMETOOLONG || strlen(name) > DMAHEAP_NAME_MAX,
		 "short name refused");
}

static void op_dup(struct state *s)
{
	int r = dmaheap_buf_dup_fd(pick_slot(s)->buf);

	check_errno(s, "dmaheap_buf_dup_fd", r, ERRS(EINVAL, EMFILE), NO_CALL);
	if (r >= 0)
		keep_fd(s, r, true);
}

static void op_export_sync(struct state *s)
{
	struct slot *sl = pick_slot(s);
	int fd = -1, r;

	r = dmaheap_buf_export_sync_file(sl->buf, pick_access(s), &fd);
	check_errno(s, "dmaheap_buf_export_sync_file", r,
		    ERRS(EINVAL, ENOTTY, ENOMEM, EMFILE), NO_CALL);
	if (r == 0)
		keep_fd(s, fd, false);
}

static void op_import_sync(struct state *s)
{
	struct slot *sl = pick_slot(s);
	unsigned int access = pick_access(s);
	bool temp, dmabuf;
	int fd = hostile_fd(s, &temp, &dmabuf), r;

	r = dmaheap_buf_import_sync_file(sl->buf, access, fd);
	check_errno(s, "dmaheap_buf_import_sync_file", r,
		    ERRS(EINVAL, EBADF, ENOTTY, ENOMEM), NO_CALL);
	if (temp && fd >= 0)
		close(fd);
}

static void op_raw_sync(struct state *s)
{
	bool start = fz_u8(&s->in) & 1, temp, dmabuf;
	unsigned int access = pick_access(s);
	int fd = hostile_fd(s, &temp, &dmabuf), r;

	/* As the header asks: fds not known to be dma-bufs go with a NULL
	 * context. */
	struct dmaheap_ctx *ctx = dmabuf ? s->ctx : NULL;

	r = start ? dmaheap_sync_start(ctx, fd, access)
		  : dmaheap_sync_end(ctx, fd, access);
	if (getenv("DMAHEAP_FUZZ_TRACE"))
		fprintf(stderr, "  sync_%s(fd %d, access %#x): %d\n",
			start ? "start" : "end", fd, access, r);
	check_errno(s, "dmaheap_sync_start/end", r,
		    ERRS(EINVAL, EBADF, EBADFD, EAGAIN), DMAHEAP_MOCK_IOCTL_SYNC);
	/* A START left open on a raw fd is the caller's: close it. */
	if (r == 0 && start && !temp && fd >= 0)
		(void)dmaheap_sync_end(ctx, fd, access);
	if (temp && fd >= 0)
		close(fd);
}

static void op_stats(struct state *s)
{
	struct dmaheap_stats st;
	int r = dmaheap_ctx_stats(s->ctx, pick_name(s), &st);

	check_errno(s, "dmaheap_ctx_stats", r, ERRS(EINVAL, ENOENT), NO_CALL);
}

static void op_list(struct state *s)
{
	struct dmaheap_heap_info *list = NULL;
	int r;

	if (fz_u8(&s->in) & 1) {
		struct dmaheap_alias_info *aliases = NULL;

		r = dmaheap_alias_list(s->ctx, &aliases);
		check_errno(s, "dmaheap_alias_list", r,
			    ERRS(EINVAL, ENOMEM), NO_CALL);
		dmaheap_alias_list_free(aliases);
		return;
	}
	r = dmaheap_heap_list(s->ctx, &list);
	check_errno(s, "dmaheap_heap_list", r,
		    ERRS(EINVAL, ENOENT, ENOTDIR, EACCES, ENOMEM, EMFILE), NO_CALL);
	for (int i = 1; i < r; i++)
		fz_check(strcmp(list[i - 1].name, list[i].name) < 0,
			 "list not sorted at %d", i);
	dmaheap_heap_list_free(list);
}

static void op_plan(struct state *s)
{
	struct dmaheap_heap_info *plan = NULL;
	unsigned int usage = pick_usage(s);
	int r = dmaheap_usage_plan(s->ctx, usage, &plan);

	check_errno(s, "dmaheap_usage_plan", r, ERRS(EINVAL, ENOMEM), NO_CALL);
	for (int i = 0; i < r; i++) {
		if (usage & DMAHEAP_USAGE_UNCACHED)
			fz_check(plan[i].props & DMAHEAP_PROP_UNCACHED,
				 "plan: UNCACHED by %s", plan[i].name);
		if (usage & DMAHEAP_USAGE_CONTIGUOUS)
			fz_check(plan[i].props & DMAHEAP_PROP_CONTIGUOUS,
				 "plan: CONTIGUOUS by %s", plan[i].name);
		fz_check(!(usage & DMAHEAP_USAGE_PROTECTED) ==
			 !(plan[i].props & DMAHEAP_PROP_PROTECTED),
			 "plan: usage %#x by %s", usage, plan[i].name);
	}
	dmaheap_heap_list_free(plan);
}

static size_t pick_heaps(struct state *s, const char *heaps[4],
			 char names[4][NAME_BUF])
{
	size_t n = fz_u8(&s->in) % 5;

	for (size_t i = 0; i < n; i++) {
		const char *h = pick_name(s);

		if (h == s->name) {
			snprintf(names[i], sizeof(names[i]), "%s", h);
			h = names[i];
		}
		heaps[i] = h;
	}
	return n;
}

static void op_set_alias(struct state *s)
{
	const char *heaps[4], *alias = pick_name(s);
	char names[4][NAME_BUF], a[NAME_BUF];
	size_t n;
	int r;

	if (alias == s->name) {
		snprintf(a, sizeof(a), "%s", alias);
		alias = a;
	}
	n = pick_heaps(s, heaps, names);
	r = dmaheap_ctx_set_alias(s->ctx, alias, heaps, n);
	check_errno(s, "dmaheap_ctx_set_alias", r,
		    ERRS(EINVAL, ENOENT, ENOMEM), NO_CALL);
}

static void op_add_rule(struct state *s)
{
	unsigned int usage = pick_usage(s);
	const char *heaps[4];
	char names[4][NAME_BUF];
	size_t n = pick_heaps(s, heaps, names);
	int r = dmaheap_ctx_add_rule(s->ctx, usage, heaps, n);

	check_errno(s, "dmaheap_ctx_add_rule", r,
		    ERRS(EINVAL, ENOMEM), NO_CALL);
}

static void op_heap_props(struct state *s)
{
	const char *heap = pick_name(s);
	unsigned int props = fz_u8(&s->in) & 0x3f;
	int r;

	if (fz_u8(&s->in) & 1) {
		r = dmaheap_ctx_set_heap_props(s->ctx, heap, props);
		check_errno(s, "dmaheap_ctx_set_heap_props", r,
			    ERRS(EINVAL, ENOMEM), NO_CALL);
	} else {
		r = dmaheap_heap_props(s->ctx, heap, &props);
		check_errno(s, "dmaheap_heap_props", r, ERRS(EINVAL), NO_CALL);
	}
}

static void op_heap_open(struct state *s)
{
	const char *heap = pick_name(s), *res = NULL;
	int r;

	switch (fz_u8(&s->in) % 3) {
	case 0:
		r = dmaheap_heap_open(s->ctx, heap);
		check_errno(s, "dmaheap_heap_open", r, OPEN_ERRS, NO_CALL);
		break;
	case 1:
		r = dmaheap_has_heap(s->ctx, heap);
		fz_check(r == 0 || r == 1 || r == -EINVAL, "has_heap: %d", r);
		break;
	default:
		r = dmaheap_heap_resolve(s->ctx, heap, &res);
		check_errno(s, "dmaheap_heap_resolve", r, OPEN_ERRS, NO_CALL);
		fz_check(r != 0 || res, "resolved to NULL");
		break;
	}
}

static void op_free(struct state *s)
{
	struct slot *sl = pick_slot(s);

	dmaheap_buf_free(sl->buf);
	sl->buf = NULL;
	sl->maps = 0;
	sl->addr = NULL;
}

static void op_close_fd(struct state *s)
{
	int i = pick_fd(s);

	if (s->fds[i] >= 0)
		close(s->fds[i]);
	s->fds[i] = -1;
}

/* --- the recycling pool ------------------------------------------------- */

static uint64_t pick_bytes(struct state *s)
{
	switch (fz_u8(&s->in) % 6) {
	case 0: return 0;
	case 1: return s->page - 1;
	case 2: return s->page;
	case 3: return 1u << 20;
	case 4: return 64ull << 20;
	default: return UINT64_MAX;
	}
}

static void op_set_pool(struct state *s)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;
	uint8_t b = fz_u8(&s->in), f = fz_u8(&s->in);
	bool off = b % 8 == 0;
	int r;

	if (b & 0x80)
		o.struct_size = b & 0x40 ? 0 : sizeof(o) - 1;
	o.flags = f < 200 ? f & DMAHEAP_POOL_ZERO : f;
	o.max_bytes = pick_bytes(s);
	o.max_buffers = fz_u8(&s->in) % 6;
	o.idle_ms = (const unsigned int[]){ 0, 0, 1, 1000 }[fz_u8(&s->in) % 4];
	r = dmaheap_ctx_set_pool(s->ctx, off ? NULL : &o);
	check_errno(s, "dmaheap_ctx_set_pool", r, ERRS(EINVAL, ENOMEM),
		    DMAHEAP_MOCK_MADVISE);
	if (r)
		return;
	if (off) {
		s->pool_on = false;
		return;
	}
	fz_check(o.struct_size >= sizeof(o) && !(o.flags & ~DMAHEAP_POOL_ZERO) &&
		 o.max_bytes >= s->page && o.max_buffers,
		 "set_pool accepted bad options");
	s->pool_on = s->pool_touched = true;
	s->pool_zero = o.flags & DMAHEAP_POOL_ZERO;
	s->pool_max_bytes = o.max_bytes;
}

static void op_prewarm(struct state *s)
{
	const char *heap = pick_name(s);
	size_t size = pick_size(s);
	uint8_t c = fz_u8(&s->in);
	unsigned int count = c < 250 ? c % 6 : 65536u + (c & 1);
	unsigned int flags = fz_u8(&s->in) % 4;
	int r = dmaheap_pool_prewarm(s->ctx, heap, size, count, flags);

	check_errno(s, "dmaheap_pool_prewarm", r,
		    ERRS(EINVAL, EOVERFLOW, ENOMEM, EFBIG, ENOENT, EACCES,
			 EPERM, ENOTTY, ENODEV, ENOSPC, EMFILE, ENFILE,
			 EOPNOTSUPP),
		    DMAHEAP_MOCK_IOCTL_ALLOC);
	fz_check(r <= (int)count, "prewarm: %d of %u", r, count);
	fz_check(s->pool_on ? r != -EOPNOTSUPP : r < 0,
		 "prewarm: %d with the pool %s", r, s->pool_on ? "on" : "off");
}

static void op_trim(struct state *s)
{
	unsigned int mode = fz_u8(&s->in) % 3;
	struct dmaheap_pool_stats ps;
	int r = dmaheap_pool_trim(s->ctx, mode);

	check_errno(s, "dmaheap_pool_trim", r, ERRS(EINVAL), NO_CALL);
	fz_check((r == -EINVAL) == (mode > DMAHEAP_POOL_TRIM_IDLE),
		 "trim mode %u: %d", mode, r);
	if (r < 0 || mode != DMAHEAP_POOL_TRIM_ALL)
		return;
	fz_check(dmaheap_pool_stats(s->ctx, NULL, &ps) == 0 &&
		 ps.cached_buffers == 0 && ps.cached_bytes == 0,
		 "trim all left %llu buffers", (unsigned long long)ps.cached_buffers);
}

static void op_pool_stats(struct state *s)
{
	struct dmaheap_pool_stats ps;
	const char *heap = pick_name(s);
	int r = dmaheap_pool_stats(s->ctx, heap, &ps);

	check_errno(s, "dmaheap_pool_stats", r, ERRS(EINVAL), NO_CALL);
	fz_check(r != 0 || ps.cached_buffers || !ps.cached_bytes,
		 "bytes cached without buffers");
}

/* --- hand-off ------------------------------------------------------------ */

#define RECV_ERRS ERRS(EINVAL, EBADMSG, EPROTONOSUPPORT, EMSGSIZE, EBADFD, \
		       ECONNRESET, EAGAIN, ENOMEM, EMFILE)

/* Whatever a failed receive left in the socket goes, its fds closed: a
 * dma-buf in flight is a reference the mock cannot see. */
static void drain(struct state *s)
{
	for (;;) {
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int) * 64) + 8192];
		} control;
		char byte[1024];
		struct iovec iov = { .iov_base = byte, .iov_len = sizeof(byte) };
		struct msghdr mh = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = control.buf,
			.msg_controllen = sizeof(control),
		};

		if (recvmsg(s->sock[1], &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
			return;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
		     cm = CMSG_NXTHDR(&mh, cm)) {
			size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			/* SCM_RIGHTS, and SO_PASSPIDFD's SCM_PIDFD (4) */
			bool fds = cm->cmsg_level == SOL_SOCKET &&
				   (cm->cmsg_type == SCM_RIGHTS ||
				    cm->cmsg_type == 4);

			for (size_t i = 0; fds && i < n; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
				       sizeof(fd));
				close(fd);
			}
		}
	}
}

/* The receiving socket's options, and the mock's SO_PASSSEC label: what
 * the kernel adds to each message. */
static void socket_options(struct state *s)
{
	static const int opts[] = { SO_PASSCRED, SO_PASSSEC, 76 /* PIDFD */ };
	uint8_t b = fz_u8(&s->in);
	char label[4000 + 255 * 8 + 1];
	size_t len;

	for (int i = 0; i < 3; i++) {
		int on = (b >> i) & 1;

		(void)setsockopt(s->sock[1], SOL_SOCKET, opts[i], &on,
				 sizeof(on));
	}
	if (!(b & 8))
		return;
	len = (b & 16) ? 4000 + (size_t)fz_u8(&s->in) * 8 :
			 1 + (size_t)fz_u8(&s->in);
	memset(label, 'l', len);
	label[len] = '\0';
	fz_check(dmaheap_mock_set_socket_label(s->mock, label) == 0, "label");
}

static const char *heap_or_empty(const struct dmaheap_buf *b)
{
	const char *h = dmaheap_buf_heap_name(b);

	return h ? h : "";
}

/* A slot's buffer there and back: the import is the same dma-buf, with
 * the sender's size, heap and properties. */
static void op_handoff(struct state *s)
{
	struct slot *from = pick_slot(s), *to = free_slot(s);
	struct dmaheap_buf *buf = NULL;
	int r;

	socket_options(s);
	r = dmaheap_buf_send(from->buf, s->sock[0]);
	check_errno(s, "dmaheap_buf_send", r, ERRS(EINVAL, EMSGSIZE),
		    DMAHEAP_MOCK_SENDMSG);
	fz_check(r != -EINVAL || !from->buf, "send refused: %d", r);
	if (r)
		return;
	r = dmaheap_buf_recv(s->ctx, s->sock[1], &buf);
	check_errno(s, "dmaheap_buf_recv", r, RECV_ERRS, DMAHEAP_MOCK_RECVMSG);
	if (r) {
		drain(s);
		return;
	}
	fz_check(inode_of(dmaheap_buf_fd(buf)) ==
		 inode_of(dmaheap_buf_fd(from->buf)), "another dma-buf");
	fz_check(dmaheap_buf_size(buf) == dmaheap_buf_size(from->buf) &&
		 dmaheap_buf_props(buf) == dmaheap_buf_props(from->buf) &&
		 strcmp(heap_or_empty(buf), heap_or_empty(from->buf)) == 0,
		 "import differs from what was sent");
	if (to)
		got_buffer(to, buf, false);
	else
		dmaheap_buf_free(buf);
}

static void op_image_handoff(struct state *s)
{
	static const uint32_t fourccs[] = { 0x3231564e /* NV12 */,
		0x32315559 /* YU12 */, 0x34325258 /* XR24 */ };
	struct dmaheap_image_spec spec = { .fourcc = 0 };
	struct dmaheap_image *a = NULL, *b = NULL;
	const char *heap;
	int r;

	/* One statement each: initialisers are evaluated in no set order. */
	spec.fourcc = fourccs[fz_u8(&s->in) % 3];
	spec.width = 1 + fz_u8(&s->in) % 200;
	spec.height = 1 + fz_u8(&s->in) % 200;
	spec.constraints.placement = fz_u8(&s->in) % 4;
	heap = pick_name(s);

	socket_options(s);
	r = dmaheap_image_alloc(s->ctx, heap, &spec, 0, &a);
	check_errno(s, "dmaheap_image_alloc", r,
		    ERRS(EINVAL, EOVERFLOW, EOPNOTSUPP, ENOMEM, EFBIG, ENOENT,
			 EACCES, EPERM, ENOTTY, ENODEV, EMFILE, ENFILE),
		    DMAHEAP_MOCK_IOCTL_ALLOC);
	if (r)
		return;
	r = dmaheap_image_send(a, s->sock[0]);
	check_errno(s, "dmaheap_image_send", r, ERRS(EMSGSIZE),
		    DMAHEAP_MOCK_SENDMSG);
	if (r == 0) {
		r = dmaheap_image_recv(s->ctx, s->sock[1], &b);
		check_errno(s, "dmaheap_image_recv", r, RECV_ERRS,
			    DMAHEAP_MOCK_RECVMSG);
		if (r)
			drain(s);
		else
			fz_check(memcmp(dmaheap_image_get_layout(a),
					dmaheap_image_get_layout(b),
					sizeof(struct dmaheap_image_layout)) == 0,
				 "image layout changed on the way");
	}
	dmaheap_image_free(b);
	dmaheap_image_free(a);
}

/* A message written by hand: a real description of a slot's buffer, then
 * damaged, or raw bytes; with 0 to 7 fds of several kinds. Refused with a
 * documented errno and nothing left open, or a consistent import. */
static void op_bad_message(struct state *s)
{
	uint8_t mode = fz_u8(&s->in), msg[600];
	struct slot *sl = pick_slot(s);
	unsigned int nfds = fz_u8(&s->in) % 8;
	int fds[8], temp[8];
	size_t len = 0;
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int) * 8)];
	} control;
	struct iovec iov = { .iov_base = msg };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct dmaheap_image *img = NULL;
	struct dmaheap_buf *buf = NULL;
	int r;

	socket_options(s);
	if (mode & 1) {
		/* "DMHO", version 1, kind, props, fds, size, heap name */
		const char *heap = sl->buf ? heap_or_empty(sl->buf) : "system";
		size_t hl = strlen(heap) < 255 ? strlen(heap) : 255;
		uint64_t size = sl->buf ? dmaheap_buf_size(sl->buf) : 4096;
		uint32_t props = sl->buf ? dmaheap_buf_props(sl->buf) : 0;

		memcpy(msg, "DMHO\1\0", 6);
		msg[6] = 1 + ((mode >> 1) & 1);
		msg[7] = 0;
		for (int i = 0; i < 4; i++)
			msg[8 + i] = (uint8_t)(props >> (8 * i));
		for (int i = 0; i < 4; i++)
			msg[12 + i] = i ? 0 : (uint8_t)nfds;
		for (int i = 0; i < 8; i++)
			msg[16 + i] = (uint8_t)(size >> (8 * i));
		msg[24] = (uint8_t)hl;
		memcpy(msg + 25, heap, hl);
		len = 25 + hl;
		/* Damage: a byte changed, or the length. */
		if (mode & 4) {
			uint8_t at = fz_u8(&s->in);

			msg[at % len] ^= fz_u8(&s->in) | 1;
		}
		if (mode & 8)
			len = (len + fz_u8(&s->in) - 128) % sizeof(msg);
	} else {
		len = fz_bytes(&s->in, (char *)msg, 255);
	}
	iov.iov_len = len ? len : 1;	/* an empty one looks like a close */
	for (unsigned int i = 0; i < nfds; i++) {
		bool t, dmabuf;

		fds[i] = hostile_fd(s, &t, &dmabuf);
		temp[i] = t ? fds[i] : -1;
		if (fds[i] < 0)
			fds[i] = s->sock[0];	/* something open */
	}
	if (nfds) {
		struct cmsghdr *cm;

		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	r = sendmsg(s->sock[0], &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
	for (unsigned int i = 0; i < nfds; i++)
		if (temp[i] >= 0)
			close(temp[i]);
	if (r)
		return;	/* a closed fd number: EBADF */
	if (mode & 2) {
		r = dmaheap_image_recv(s->ctx, s->sock[1], &img);
		check_errno(s, "dmaheap_image_recv", r, RECV_ERRS,
			    DMAHEAP_MOCK_RECVMSG);
	} else {
		r = dmaheap_buf_recv(s->ctx, s->sock[1], &buf);
		check_errno(s, "dmaheap_buf_recv", r, RECV_ERRS,
			    DMAHEAP_MOCK_RECVMSG);
		fz_check(r || !sl->buf || inode_of(dmaheap_buf_fd(buf)) !=
			 inode_of(dmaheap_buf_fd(sl->buf)) ||
			 dmaheap_buf_size(buf) == dmaheap_buf_size(sl->buf),
			 "import of the wrong size");
	}
	if (r)
		drain(s);
	dmaheap_image_free(img);
	dmaheap_buf_free(buf);
}

/* Errnos the kernel can give for each call, for injection. */
static const int inject_errs[DMAHEAP_MOCK_CALL_COUNT][3] = {
	[DMAHEAP_MOCK_OPEN] = { ENOENT, EMFILE, EACCES },
	/* Linux releases the fd whatever close() returns; so does the mock. */
	[DMAHEAP_MOCK_CLOSE] = { EINTR, EIO, EINTR },
	[DMAHEAP_MOCK_IOCTL_ALLOC] = { ENOMEM, EMFILE, EINVAL },
	[DMAHEAP_MOCK_IOCTL_SYNC] = { EINTR, EAGAIN, EIO },
	[DMAHEAP_MOCK_IOCTL_SET_NAME] = { EBUSY, ENOMEM, ENOTTY },
	[DMAHEAP_MOCK_IOCTL_EXPORT_SYNC_FILE] = { ENOMEM, EMFILE, ENOTTY },
	[DMAHEAP_MOCK_IOCTL_IMPORT_SYNC_FILE] = { ENOMEM, EINVAL, ENOTTY },
	[DMAHEAP_MOCK_IOCTL_OTHER] = { ENOTTY, EINVAL, ENOTTY },
	[DMAHEAP_MOCK_MMAP] = { ENOMEM, EAGAIN, EACCES },
	[DMAHEAP_MOCK_LSEEK] = { EINVAL, EINVAL, EINVAL },
	[DMAHEAP_MOCK_FCNTL] = { EMFILE, EMFILE, EINVAL },
	[DMAHEAP_MOCK_FSTAT] = { ENOMEM, ENOMEM, ENOMEM },
	[DMAHEAP_MOCK_FSTATFS] = { ENOMEM, ENOMEM, ENOMEM },
	[DMAHEAP_MOCK_READDIR] = { ENOENT, EACCES, EMFILE },
	[DMAHEAP_MOCK_MEMFD_CREATE] = { EMFILE, ENFILE, ENOMEM },
	[DMAHEAP_MOCK_FTRUNCATE] = { ENOMEM, ENOMEM, ENOMEM },
	[DMAHEAP_MOCK_READ] = { EINTR, EIO, EAGAIN },
	[DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE] = { ENOMEM, EMFILE, EINVAL },
	[DMAHEAP_MOCK_POLL] = { EINTR, ENOMEM, EINTR },
	[DMAHEAP_MOCK_MADVISE] = { EAGAIN, ENOMEM, EINVAL },
	[DMAHEAP_MOCK_SENDMSG] = { EAGAIN, ENOBUFS, EPIPE },
	[DMAHEAP_MOCK_RECVMSG] = { EINTR, EAGAIN, ENOMEM },
	/* never an API's error: readers fence, or replaced plans wait */
	[DMAHEAP_MOCK_MEMBARRIER] = { ENOSYS, EINVAL, EPERM },
};

static void op_inject(struct state *s)
{
	enum dmaheap_mock_call call = fz_u8(&s->in) % DMAHEAP_MOCK_CALL_COUNT;
	unsigned int skip = fz_u8(&s->in) % 4;
	unsigned int count = 1 + fz_u8(&s->in) % 3;
	int err = inject_errs[call][fz_u8(&s->in) % 3];

	/* Not munmap: a refused munmap leaves the mapping, as documented,
	 * which the teardown would count as a leak. Nor calls the library
	 * makes only for APIs this harness does not drive. */
	if (!err)
		return;
	fz_check(dmaheap_mock_inject(s->mock, call, skip, count, err) == 0,
		 "inject");
	s->injected[call][err] = true;
}

/* The world changes under the context: heaps come and go, udmabuf's limit
 * is rewritten. */
static void op_world(struct state *s)
{
	struct dmaheap_mock_udmabuf u = { .size_limit_mb = 1 + fz_u8(&s->in) % 8 };

	switch (fz_u8(&s->in) % 4) {
	case 0:
		(void)dmaheap_mock_remove_heap(s->mock, "system-uncached");
		break;
	case 1:
		(void)dmaheap_mock_add_heap(s->mock, "system-uncached", NULL);
		break;
	case 2:
		fz_check(dmaheap_mock_set_udmabuf(s->mock, &u) == 0, "udmabuf");
		break;
	default:
		fz_check(dmaheap_mock_set_udmabuf(s->mock, NULL) == 0, "udmabuf");
		break;
	}
}

static void (*const ops[])(struct state *) = {
	op_alloc, op_alloc_from, op_alloc_usage, op_alloc_fd, op_import,
	op_map, op_unmap, op_begin, op_end, op_set_name, op_dup, op_export_sync,
	op_import_sync, op_raw_sync, op_stats, op_list, op_plan, op_set_alias,
	op_add_rule, op_heap_props, op_heap_open, op_free, op_close_fd,
	op_inject, op_world,
	op_set_pool, op_prewarm, op_trim, op_pool_stats,
	op_handoff, op_image_handoff, op_bad_message,
};
#define N_OPS (sizeof(ops) / sizeof(ops[0]))

static const char *const op_names[] = {
	"alloc", "alloc_from", "alloc_usage", "alloc_fd", "import",
	"map", "unmap", "begin", "end", "set_name", "dup", "export_sync",
	"import_sync", "raw_sync", "stats", "list", "plan", "set_alias",
	"add_rule", "heap_props", "heap_open", "free", "close_fd",
	"inject", "world",
	"set_pool", "prewarm", "trim", "pool_stats",
	"handoff", "image_handoff", "bad_message",
};
_Static_assert(sizeof(op_names) / sizeof(op_names[0]) == N_OPS,
	       "a name per op");

/* ------------------------------------------------------------------------ */
/* Setup and teardown                                                       */
/* ------------------------------------------------------------------------ */

static void add_heap(struct dmaheap_mock *m, const char *name,
		     struct dmaheap_mock_heap h)
{
	fz_check(dmaheap_mock_add_heap(m, name, &h) == 0, "heap %s", name);
}

static void setup(struct state *s)
{
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	struct dmaheap_mock_udmabuf u = { .size_limit_mb = 4 };
	struct dmaheap_mock *m;

	fz_check(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
			    SOCK_NONBLOCK, 0, s->sock) == 0, "socketpair");
	s->fds_base = count_open_fds();
	for (int i = 0; i < MAX_FDS; i++)
		s->fds[i] = -1;
	fz_check(dmaheap_mock_new(&s->mock) == 0, "mock");
	m = s->mock;
	add_heap(m, "system", (struct dmaheap_mock_heap){ 0 });
	add_heap(m, "system-uncached", (struct dmaheap_mock_heap){ 0 });
	add_heap(m, "carveout", (struct dmaheap_mock_heap){
		.capacity = 1u << 20, .max_size = 512u << 10 });
	add_heap(m, "flaky", (struct dmaheap_mock_heap){ .fail_after = 3 });
	add_heap(m, "reserved", (struct dmaheap_mock_heap){
		.capacity = 4u << 20 });
	add_heap(m, "noaccess", (struct dmaheap_mock_heap){
		.node = DMAHEAP_MOCK_NODE_NO_ACCESS });
	add_heap(m, "regular", (struct dmaheap_mock_heap){
		.node = DMAHEAP_MOCK_NODE_REGULAR });
	add_heap(m, "nodev", (struct dmaheap_mock_heap){
		.node = DMAHEAP_MOCK_NODE_NO_DEVICE });
	add_heap(m, "protected,secure-video", (struct dmaheap_mock_heap){
		.unmappable = 1, .no_sync_file = 1 });
	fz_check(dmaheap_mock_set_udmabuf(m, &u) == 0, "udmabuf");
	fz_check(dmaheap_mock_set_meminfo(m, 0, RAM_BYTES) == 0, "meminfo");
	dmaheap_mock_options(m, &o);
	o.flags = DMAHEAP_CTX_NO_ENV | DMAHEAP_CTX_NO_POLICY_FILE;
	fz_check(dmaheap_ctx_new_with(&o, &s->ctx) == 0, "context");
	s->page = (size_t)sysconf(_SC_PAGESIZE);
}

static void teardown(struct state *s)
{
	struct dmaheap_mock_leaks leaks;
	char report[2048];
	int n;

	for (int i = 0; i < DMAHEAP_MOCK_CALL_COUNT; i++)
		dmaheap_mock_inject(s->mock, i, 0, 0, 0);
	for (int i = 0; i < MAX_BUFS; i++)
		dmaheap_buf_free(s->bufs[i].buf);
	for (int i = 0; i < MAX_FDS; i++)
		if (s->fds[i] >= 0)
			close(s->fds[i]);
	dmaheap_ctx_free(s->ctx);
	drain(s);
	close(s->sock[0]);
	close(s->sock[1]);
	n = dmaheap_mock_leaks(s->mock, &leaks, report, sizeof(report));
	fz_check(n == 0, "mock reports %d leaks at teardown:\n%s", n, report);
	dmaheap_mock_free(s->mock);
	n = count_open_fds();
	fz_check(n == s->fds_base - 2, "%d fds open at the end, %d at the start",
		 n, s->fds_base - 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state s = { .in = { data, size } };
	bool trace = getenv("DMAHEAP_FUZZ_TRACE") != NULL;

	setup(&s);
	for (int i = 0; i < MAX_OPS && s.in.left; i++) {
		unsigned int op = fz_u8(&s.in) % N_OPS;

		if (trace)
			fprintf(stderr, "op %d: %s\n", i, op_names[op]);
		ops[op](&s);
		check_state(&s, op_names[op]);
	}
	teardown(&s);
	return 0;
}

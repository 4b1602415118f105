/* SPDX-License-Identifier: MIT */
/*
 * The CMA heap of a real kernel (CONFIG_DMABUF_HEAPS_CMA): the heap under
 * its kernel name and the "cma" alias, allocation, mapping, CPU access,
 * zeroing, naming and sharing with vgem; then the carveout's headline
 * scenario, "CMA full, fall back to system", with the heap filled until
 * the kernel says ENOMEM (how many buffers fit is never assumed: it
 * depends on the area's size, the page size and what the kernel holds
 * from boot). Contiguity is shown from the kernel's own view, the CMA
 * area's bitmap in debugfs (CONFIG_CMA_DEBUGFS).
 *
 * Runs inside the VM of tests/vm/run.sh with the CMA kernel
 * (--kernel cma); on a kernel without a CMA heap it exits 77. The kernel
 * logs "cma: __cma_alloc: ...: alloc failed" at KERN_ERR each time the
 * heap is full: that is expected here and is not a kernel warning.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <xf86drm.h>

#include "kutil.h"
#include "kvgem.h"

#define MIB ((size_t)1 << 20)
/* The default CMA area's heap name since 6.17. */
#define STABLE_NAME "default_cma_region"
#define DEBUGFS "/sys/kernel/debug"
/* Buffer size for filling the heap when debugfs cannot tell its size. */
#define FILL_CHUNK_DEFAULT (4 * MIB)
/* Buffers per round of the zeroing check. */
#define ZERO_ROUNDS 8

/* Buffers holding the heap full. */
struct fill {
	struct dmaheap_buf **bufs;
	size_t n;
	size_t chunk;
};

struct cfix {
	struct dmaheap_ctx *ctx;
	int fds_before;
	/* The heap "cma" must resolve to: the default CMA area under its
	 * stable name default_cma_region (6.17+), else under the area's. */
	char heap[NAME_MAX + 1];
	/* The area's own name (/sys/kernel/mm/cma/, debugfs), which is a
	 * heap name too: "reserved" for cma= or CONFIG_CMA_SIZE_MBYTES. */
	char area[NAME_MAX + 1];
	size_t page;
	/* Released at teardown, so that a failing test leaves the heap
	 * empty for the next one. */
	struct fill fill;
};

static int setup(void **state)
{
	struct cfix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(kt_cma_area(f->area, sizeof(f->area)));
	assert_non_null(kt_cma_heap(f->heap, sizeof(f->heap)));
	f->page = kt_page_size();
	f->fds_before = kt_count_fds();
	assert_ret(dmaheap_ctx_new(&f->ctx), 0);
	*state = f;
	return 0;
}

static void fill_release(struct fill *fl);

static int teardown(void **state)
{
	struct cfix *f = *state;

	fill_release(&f->fill);
	dmaheap_ctx_free(f->ctx);
	assert_no_fd_leak(f->fds_before);
	free(f);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The kernel's view: /sys/kernel/debug/cma/<area>/                         */
/* ------------------------------------------------------------------------ */

/* The area's bitmap: bit i set means pages [i << order, (i + 1) << order)
 * of the area are allocated. */
struct cma_view {
	unsigned long order_per_bit;
	unsigned long count; /* pages in the area */
	unsigned long used;  /* pages allocated, as the kernel counts them */
	uint32_t *words;
	size_t nwords;
};

/* The area's debugfs directory, mounting debugfs if need be (root in the
 * VM may). 0, or -errno when the kernel has no such directory. */
static int cma_dir(const struct cfix *f, char *dir, size_t len)
{
	snprintf(dir, len, "%s/cma/%s", DEBUGFS, f->area);
	if (access(dir, F_OK) == 0)
		return 0;
	if (mount("debugfs", DEBUGFS, "debugfs", 0, NULL) != 0 &&
	    errno != EBUSY)
		return -errno;
	return access(dir, F_OK) == 0 ? 0 : -errno;
}

/* The contents of @dir/@name, NUL-terminated, malloc'ed; NULL on error. */
static char *read_text(const char *dir, const char *name)
{
	char path[PATH_MAX];
	size_t cap = 4096, len = 0;
	char *text = malloc(cap);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "re");
	if (!fp || !text) {
		if (fp)
			fclose(fp);
		free(text);
		return NULL;
	}
	for (;;) {
		len += fread(text + len, 1, cap - len - 1, fp);
		if (len < cap - 1)
			break;
		cap *= 2;
		text = realloc(text, cap);
		assert_non_null(text);
	}
	fclose(fp);
	text[len] = '\0';
	return text;
}

static unsigned long read_ulong(const char *dir, const char *name)
{
	char *text = read_text(dir, name);
	unsigned long v;

	if (!text)
		fail_msg("cannot read %s/%s", dir, name);
	v = strtoul(text, NULL, 10);
	free(text);
	return v;
}

/* debugfs shows the bitmap as u32 words in decimal, separated by blanks,
 * the bitmap's unsigned longs as they lie in memory: on a little-endian
 * machine bit i is bit i % 32 of word i / 32. */
static void parse_words(const char *text, struct cma_view *v)
{
	const char *p = text;
	char *end;
	size_t cap = 64;

	v->words = calloc(cap, sizeof(*v->words));
	v->nwords = 0;
	assert_non_null(v->words);
	for (;;) {
		unsigned long w = strtoul(p, &end, 10);

		if (end == p)
			break;
		if (v->nwords == cap) {
			cap *= 2;
			v->words = realloc(v->words, cap * sizeof(*v->words));
			assert_non_null(v->words);
		}
		v->words[v->nwords++] = (uint32_t)w;
		p = end;
	}
}

static void view_take(const struct cfix *f, struct cma_view *v)
{
	char dir[PATH_MAX];
	char *text;
	int r = cma_dir(f, dir, sizeof(dir));

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	/* parse_words() reads the words as a little-endian machine lays
	 * out the bitmap's unsigned longs. */
	print_message("the CMA bitmap is read only on little-endian machines\n");
	skip();
#endif
	if (r) {
		print_message("no CMA debugfs for %s (%s): needs "
			      "CONFIG_DEBUG_FS and CONFIG_CMA_DEBUGFS\n",
			      f->heap, kt_errname(r));
		skip();
	}
	v->order_per_bit = read_ulong(dir, "order_per_bit");
	v->count = read_ulong(dir, "count");
	v->used = read_ulong(dir, "used");
	text = read_text(dir, "bitmap");
	assert_non_null(text);
	parse_words(text, v);
	free(text);
	/* Every bit of the area is shown. */
	assert_true(v->nwords * 32 >= v->count >> v->order_per_bit);
}

static void view_free(struct cma_view *v)
{
	free(v->words);
	v->words = NULL;
}

static size_t view_bits(const struct cma_view *v)
{
	return v->count >> v->order_per_bit;
}

static bool view_bit(const struct cma_view *v, size_t i)
{
	return v->words[i / 32] >> (i % 32) & 1;
}

/* Bits needed for @bytes of pages. */
static size_t bits_for(const struct cfix *f, const struct cma_view *v,
		       size_t bytes)
{
	size_t pages = kt_page_round(bytes) / f->page;
	size_t per_bit = (size_t)1 << v->order_per_bit;

	return (pages + per_bit - 1) / per_bit;
}

/*
 * The bits set in @after and clear in @before: their count, with the
 * first in *@start; fails the test if any bit was cleared or if the new
 * bits are not one run.
 */
static size_t new_run(const struct cma_view *before,
		      const struct cma_view *after, size_t *start)
{
	size_t first = SIZE_MAX, last = 0, n = 0;

	for (size_t i = 0; i < view_bits(after); i++) {
		bool a = view_bit(before, i), b = view_bit(after, i);

		if (a && !b)
			fail_msg("bit %zu of the CMA bitmap was cleared", i);
		if (a || !b)
			continue;
		if (first == SIZE_MAX)
			first = i;
		last = i;
		n++;
	}
	if (n && last - first + 1 != n)
		fail_msg("new CMA bits are not one run: %zu bits set between "
			 "bit %zu and bit %zu", n, first, last);
	*start = first;
	return n;
}

/* The area's size in bytes from debugfs, or 0 if debugfs cannot say. */
static size_t area_bytes(const struct cfix *f)
{
	char dir[PATH_MAX];

	if (cma_dir(f, dir, sizeof(dir)))
		return 0;
	return (size_t)read_ulong(dir, "count") * f->page;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

static struct dmaheap_buf *alloc_cma(struct cfix *f, const char *name,
				     size_t size)
{
	struct dmaheap_buf *buf = NULL;

	assert_ret(dmaheap_alloc(f->ctx, name, size, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), f->heap);
	return buf;
}

/* Writes @value over the whole buffer, bracketed. */
static void dirty(struct dmaheap_buf *buf, uint8_t value)
{
	void *p = kt_map_buf(buf);

	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	memset(p, value, dmaheap_buf_size(buf));
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE), 0);
	assert_ret(dmaheap_buf_unmap(buf), 0);
}

static void assert_zero(struct dmaheap_buf *buf)
{
	size_t size = dmaheap_buf_size(buf);
	void *p = kt_map_buf(buf);
	size_t at;

	assert_ret(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	at = kt_find_not(p, size, 0);
	assert_ret(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ), 0);
	if (at != size)
		fail_msg("fresh CMA buffer of %zu bytes has byte %zu = 0x%02x",
			 size, at, ((uint8_t *)p)[at]);
	assert_ret(dmaheap_buf_unmap(buf), 0);
}

/*
 * Size of the buffers that fill the heap: a quarter of the area when
 * debugfs tells its size (a few buffers, whatever the area), else
 * FILL_CHUNK_DEFAULT.
 */
static size_t fill_chunk(const struct cfix *f)
{
	size_t area = area_bytes(f);

	return area ? kt_page_round(area / 4) : FILL_CHUNK_DEFAULT;
}

/*
 * Allocates @chunk-sized buffers from the CMA heap until the kernel says
 * ENOMEM. The bound (RAM / chunk) only stops a heap that never fills.
 */
static struct fill *fill_heap(struct cfix *f)
{
	struct fill *fl = &f->fill;
	size_t max = (size_t)(kt_ram_bytes() / fill_chunk(f)) + 1;
	int r = 0;

	fl->chunk = fill_chunk(f);
	fl->n = 0;
	fl->bufs = calloc(max, sizeof(*fl->bufs));
	assert_non_null(fl->bufs);
	while (fl->n < max) {
		r = dmaheap_alloc(f->ctx, f->heap, fl->chunk, 0,
				  &fl->bufs[fl->n]);
		if (r)
			break;
		fl->n++;
	}
	if (r != -ENOMEM)
		fail_msg("filling %s with %zu-byte buffers: %zu fit, then %s",
			 f->heap, fl->chunk, fl->n, kt_errname(r));
	assert_true(fl->n >= 1);
	print_message("%s full after %zu buffers of %zu KiB\n", f->heap, fl->n,
		      fl->chunk >> 10);
	return fl;
}

static void fill_release(struct fill *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		dmaheap_buf_free(fl->bufs[i]);
	free(fl->bufs);
	fl->bufs = NULL;
	fl->n = 0;
}

/* ------------------------------------------------------------------------ */
/* The heap and its names                                                    */
/* ------------------------------------------------------------------------ */

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	assert_int_equal(uname(&u), 0);
	assert_int_equal(sscanf(u.release, "%d.%d", &ma, &mi), 2);
	return ma > major || (ma == major && mi >= minor);
}

/*
 * The kernel's names, as it shows them: up to 6.16 the default CMA area
 * (cma= or CONFIG_CMA_SIZE_MBYTES) is a heap under the area's name,
 * "reserved"; from 6.17 it is "default_cma_region", and (6.19+, or 6.17's
 * DMABUF_HEAPS_CMA_LEGACY) still "reserved" as well. Every CMA heap is
 * listed once, contiguous.
 */
static void test_heap_name(void **state)
{
	struct cfix *f = *state;
	bool stable = kt_heap_present(STABLE_NAME);
	unsigned int props = 0;

	if (stable != kernel_at_least(6, 17))
		fail_msg("%s %s on this kernel", STABLE_NAME,
			 stable ? "present" : "missing");
	assert_string_equal(f->heap, stable ? STABLE_NAME : f->area);
	kt_assert_listed_once(f->ctx, f->heap,
			      DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED);
	assert_ret(dmaheap_heap_props(f->ctx, f->heap, &props),
		   DMAHEAP_PROPS_BUILTIN);
	assert_true(props & DMAHEAP_PROP_CONTIGUOUS);
	if (kt_heap_present(f->area))
		kt_assert_listed_once(f->ctx, f->area,
				      DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED);
}

static void test_alias_resolves(void **state)
{
	struct cfix *f = *state;
	struct dmaheap_alias_info *aliases = NULL;
	const char *heap = NULL;
	int n, found = 0;

	assert_ret(dmaheap_heap_resolve(f->ctx, "cma", &heap), 0);
	assert_string_equal(heap, f->heap);
	assert_ret(dmaheap_heap_resolve(f->ctx, f->heap, &heap), 0);
	assert_string_equal(heap, f->heap);
	assert_ret(dmaheap_has_heap(f->ctx, "cma"), 1);
	n = dmaheap_alias_list(f->ctx, &aliases);
	assert_true(n >= 1);
	for (int i = 0; i < n; i++) {
		if (strcmp(aliases[i].alias, "cma") != 0)
			continue;
		found++;
		assert_ret(aliases[i].error, 0);
		assert_non_null(aliases[i].heap);
		assert_string_equal(aliases[i].heap, f->heap);
	}
	dmaheap_alias_list_free(aliases);
	assert_int_equal(found, 1);
}

/* Pages the kernel has handed out of @area, from CMA sysfs. */
static unsigned long area_allocated(const char *area)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "/sys/kernel/mm/cma/%s", area);
	return read_ulong(dir, "alloc_pages_success");
}

/*
 * From 6.17 the default area has two heap names (before, only the area's
 * own). The library says every name of it is one region, and the kernel
 * agrees: a buffer from either is counted by the same area.
 */
static void test_two_names_one_region(void **state)
{
	struct cfix *f = *state;
	const char *names[] = { f->area, STABLE_NAME };
	size_t n = kernel_at_least(6, 17) ? 2 : 1;
	char region[NAME_MAX + 1];

	for (size_t i = 0; i < n; i++) {
		struct dmaheap_buf *buf = NULL;
		unsigned long before = area_allocated(f->area);

		if (!kt_heap_present(names[i]))
			fail_msg("no heap %s on this kernel", names[i]);
		assert_ret(dmaheap_heap_region(f->ctx, names[i], region,
					       sizeof(region)), 0);
		assert_string_equal(region, f->area);
		assert_ret(dmaheap_alloc(f->ctx, names[i], MIB, 0, &buf), 0);
		if (area_allocated(f->area) < before + MIB / f->page)
			fail_msg("a buffer of %s is not counted by area %s",
				 names[i], f->area);
		dmaheap_buf_free(buf);
	}
	assert_ret(dmaheap_heap_region(f->ctx, "system", region, sizeof(region)),
		   -ENODATA);
}

/* ------------------------------------------------------------------------ */
/* Buffers                                                                   */
/* ------------------------------------------------------------------------ */

static void test_alloc_map_sync(void **state)
{
	struct cfix *f = *state;
	struct dmaheap_buf *buf = alloc_cma(f, "cma", 3 * f->page + 1);
	size_t size = dmaheap_buf_size(buf);
	int fd = dmaheap_buf_fd(buf);
	char want[32];
	int sync_fd = -1;

	assert_int_equal(size, 4 * f->page);
	assert_int_equal(kt_fd_size(fd), (int64_t)size);
	assert_int_equal(kt_accmode(fd), O_RDWR);
	assert_int_equal(kt_cloexec(fd), 1);
	snprintf(want, sizeof(want), "%zu", size);
	kt_assert_fdinfo(fd, "size", want);
	kt_assert_fdinfo(fd, "exp_name", f->heap);
	assert_int_equal(dmaheap_buf_props(buf),
			 DMAHEAP_PROP_CONTIGUOUS | DMAHEAP_PROP_CACHED);

	kt_fill_buf(buf, 7);
	kt_assert_buf_pattern(buf, 7);
	/* Another mapping of the same dma-buf sees the same memory. */
	kt_assert_fd_pattern(fd, size, 7);
	/* The CMA heap maps shared only. */
	assert_true(mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) ==
		    MAP_FAILED);
	assert_int_equal(errno, EINVAL);

	/* No fences on a fresh buffer: the sync file signals at once. */
	assert_ret(dmaheap_buf_export_sync_file(buf, DMAHEAP_ACCESS_RW,
						&sync_fd), 0);
	assert_int_equal(kt_cloexec(sync_fd), 1);
	assert_int_equal(kt_poll_now(sync_fd, POLLIN), POLLIN);
	assert_ret(dmaheap_buf_import_sync_file(buf, DMAHEAP_ACCESS_WRITE,
						sync_fd), 0);
	close(sync_fd);
	dmaheap_buf_free(buf);
}

/* Fresh buffers read as zero, also when the kernel hands out the very
 * pages a freed buffer had filled (shown by the bitmap where debugfs is
 * there: CMA takes the first free run, so the same one). */
static void test_zeroed_when_reused(void **state)
{
	struct cfix *f = *state;
	struct dmaheap_buf *bufs[ZERO_ROUNDS];
	struct cma_view v0 = { 0 }, v1 = { 0 }, v2 = { 0 };
	char dir[PATH_MAX];
	bool seen = cma_dir(f, dir, sizeof(dir)) == 0;
	size_t size = MIB + f->page, start1 = 0, start2 = 0;

	if (seen)
		view_take(f, &v0);
	bufs[0] = alloc_cma(f, f->heap, size);
	assert_zero(bufs[0]);
	dirty(bufs[0], 0xff);
	if (seen)
		view_take(f, &v1);
	dmaheap_buf_free(bufs[0]);
	bufs[0] = alloc_cma(f, f->heap, size);
	if (seen) {
		view_take(f, &v2);
		assert_int_equal(new_run(&v0, &v1, &start1),
				 bits_for(f, &v1, size));
		assert_int_equal(new_run(&v0, &v2, &start2),
				 bits_for(f, &v2, size));
		assert_int_equal(start2, start1);
	} else {
		print_message("no CMA debugfs: reuse of the pages not shown\n");
	}
	assert_zero(bufs[0]);
	dmaheap_buf_free(bufs[0]);
	view_free(&v0);
	view_free(&v1);
	view_free(&v2);

	/* Several at once, dirtied and freed, then taken again. */
	for (int i = 0; i < ZERO_ROUNDS; i++) {
		bufs[i] = alloc_cma(f, f->heap, size);
		dirty(bufs[i], 0xa5);
	}
	for (int i = 0; i < ZERO_ROUNDS; i++)
		dmaheap_buf_free(bufs[i]);
	for (int i = 0; i < ZERO_ROUNDS; i++) {
		bufs[i] = alloc_cma(f, f->heap, size);
		assert_zero(bufs[i]);
	}
	for (int i = 0; i < ZERO_ROUNDS; i++)
		dmaheap_buf_free(bufs[i]);
}

static void test_naming(void **state)
{
	struct cfix *f = *state;
	struct dmaheap_buf *buf = alloc_cma(f, "cma", f->page);
	struct dmaheap_buf *plain = NULL;
	char too_long[DMAHEAP_NAME_MAX + 2];

	/* Named after the heap that served, not the alias asked for. */
	kt_assert_fdinfo(dmaheap_buf_fd(buf), "name", f->heap);
	assert_ret(dmaheap_buf_set_name(buf, "cma-frame"), 0);
	kt_assert_fdinfo(dmaheap_buf_fd(buf), "name", "cma-frame");
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	assert_ret(dmaheap_buf_set_name(buf, too_long), -ENAMETOOLONG);
	kt_assert_fdinfo(dmaheap_buf_fd(buf), "name", "cma-frame");
	kt_assert_fdinfo(dmaheap_buf_fd(buf), "exp_name", f->heap);
	assert_ret(dmaheap_alloc(f->ctx, "cma", f->page, DMAHEAP_ALLOC_NO_NAME,
				 &plain), 0);
	kt_assert_fdinfo(dmaheap_buf_fd(plain), "name", NULL);
	dmaheap_buf_free(plain);
	dmaheap_buf_free(buf);
}

/* A CMA buffer imported by a DRM device and exported back is the same
 * memory, both ways. */
static void test_vgem_roundtrip(void **state)
{
	struct cfix *f = *state;
	int vgem = kt_open_vgem(), fd = -1;
	struct dmaheap_buf *buf;
	uint32_t handle = 0;

	if (vgem < 0) {
		print_message("no vgem node among /dev/dri/card*\n");
		skip();
	}
	buf = alloc_cma(f, "cma", MIB);
	kt_fill_buf(buf, 41);
	assert_int_equal(drmPrimeFDToHandle(vgem, dmaheap_buf_fd(buf), &handle),
			 0);
	assert_true(handle != 0);
	assert_int_equal(drmPrimeHandleToFD(vgem, handle,
					    DRM_CLOEXEC | DRM_RDWR, &fd), 0);
	assert_true(kt_same_file(fd, dmaheap_buf_fd(buf)));
	assert_int_equal(kt_fd_size(fd), (int64_t)MIB);
	kt_assert_fd_pattern(fd, MIB, 41);
	/* CPU access with vgem attached syncs through its mapping too. */
	kt_fill_buf(buf, 42);
	kt_assert_fd_pattern(fd, MIB, 42);
	close(fd);
	kt_gem_close(vgem, handle);
	close(vgem);
	dmaheap_buf_free(buf);
}

/* ------------------------------------------------------------------------ */
/* Contiguity, from the kernel's bitmap                                      */
/* ------------------------------------------------------------------------ */

static void check_one_run(struct cfix *f, size_t size)
{
	struct cma_view before = { 0 }, during = { 0 }, after = { 0 };
	struct dmaheap_buf *buf;
	size_t start = 0, n;

	view_take(f, &before);
	buf = alloc_cma(f, f->heap, size);
	view_take(f, &during);
	n = new_run(&before, &during, &start);
	print_message("%zu bytes: %zu bits from bit %zu (order_per_bit %lu)\n",
		      size, n, start, during.order_per_bit);
	assert_int_equal(n, bits_for(f, &during, size));
	assert_int_equal(during.used - before.used,
			 n << during.order_per_bit);
	dmaheap_buf_free(buf);
	/* Freed: the run is clear again, nothing else changed. */
	view_take(f, &after);
	assert_int_equal(after.used, before.used);
	assert_int_equal(new_run(&after, &before, &start), 0);
	view_free(&before);
	view_free(&during);
	view_free(&after);
}

static void test_contiguous_in_bitmap(void **state)
{
	struct cfix *f = *state;

	check_one_run(f, 1);
	check_one_run(f, 17 * f->page + 1);
	check_one_run(f, MIB + f->page);
}

/* Two live buffers hold two disjoint runs. */
static void test_two_runs(void **state)
{
	struct cfix *f = *state;
	struct cma_view v0 = { 0 }, v1 = { 0 }, v2 = { 0 };
	struct dmaheap_buf *a, *b;
	size_t sa = 0, sb = 0, na, nb;

	view_take(f, &v0);
	a = alloc_cma(f, f->heap, 5 * f->page);
	view_take(f, &v1);
	b = alloc_cma(f, f->heap, 9 * f->page);
	view_take(f, &v2);
	na = new_run(&v0, &v1, &sa);
	nb = new_run(&v1, &v2, &sb);
	assert_int_equal(na, bits_for(f, &v1, 5 * f->page));
	assert_int_equal(nb, bits_for(f, &v2, 9 * f->page));
	assert_true(sb >= sa + na || sa >= sb + nb);
	dmaheap_buf_free(a);
	dmaheap_buf_free(b);
	view_free(&v0);
	view_free(&v1);
	view_free(&v2);
}

/* ------------------------------------------------------------------------ */
/* Full: fallback, CONTIGUOUS, accounting                                    */
/* ------------------------------------------------------------------------ */

static void test_full_falls_back_to_system(void **state)
{
	struct cfix *f = *state;
	const char *chain[] = { "cma", "system" };
	struct dmaheap_buf *sys = NULL, *back = NULL, *none = NULL;
	struct dmaheap_stats s;
	struct fill *fl = fill_heap(f);
	size_t filled = fl->n;

	/* Full: the same request fails at once, by name and by alias. */
	assert_ret(dmaheap_alloc(f->ctx, f->heap, fl->chunk, 0, &none), -ENOMEM);
	assert_ret(dmaheap_alloc_from(f->ctx, chain, 1, fl->chunk, 0, &none),
		   -ENOMEM);
	assert_null(none);
	/* ...and the chain moves on to the system heap. */
	assert_ret(dmaheap_alloc_from(f->ctx, chain, 2, fl->chunk, 0, &sys), 1);
	assert_string_equal(dmaheap_buf_heap_name(sys), "system");
	kt_assert_fdinfo(dmaheap_buf_fd(sys), "exp_name", "system");
	assert_false(dmaheap_buf_props(sys) & DMAHEAP_PROP_CONTIGUOUS);
	/* One CMA buffer freed: the chain is served by CMA again. */
	dmaheap_buf_free(fl->bufs[--fl->n]);
	assert_ret(dmaheap_alloc_from(f->ctx, chain, 2, fl->chunk, 0, &back), 0);
	assert_string_equal(dmaheap_buf_heap_name(back), f->heap);
	kt_assert_fdinfo(dmaheap_buf_fd(back), "exp_name", f->heap);

	/* Per heap: the fill's last try, the two refusals and the chain's
	 * first try failed on CMA; system served once. */
	assert_ret(dmaheap_ctx_stats(f->ctx, f->heap, &s), 0);
	assert_int_equal(s.live_buffers, filled);
	assert_int_equal(s.live_bytes, filled * fl->chunk);
	assert_int_equal(s.peak_bytes, filled * fl->chunk);
	assert_int_equal(s.allocations, filled + 1);
	assert_int_equal(s.failures, 4);
	assert_ret(dmaheap_ctx_stats(f->ctx, "system", &s), 0);
	assert_int_equal(s.live_buffers, 1);
	assert_int_equal(s.live_bytes, fl->chunk);
	assert_int_equal(s.allocations, 1);
	assert_int_equal(s.failures, 0);
	assert_ret(dmaheap_ctx_stats(f->ctx, NULL, &s), 0);
	assert_int_equal(s.live_buffers, filled + 1);
	assert_int_equal(s.live_bytes, (filled + 1) * fl->chunk);
	assert_int_equal(s.failures, 4);

	dmaheap_buf_free(back);
	dmaheap_buf_free(sys);
	fill_release(fl);
	assert_ret(dmaheap_ctx_stats(f->ctx, f->heap, &s), 0);
	assert_int_equal(s.live_buffers, 0);
	assert_int_equal(s.live_bytes, 0);
}

static void test_contiguous_usage(void **state)
{
	struct cfix *f = *state;
	const unsigned int usages[] = {
		DMAHEAP_USAGE_CONTIGUOUS,
		DMAHEAP_USAGE_CONTIGUOUS | DMAHEAP_USAGE_DEVICE_ONLY,
		DMAHEAP_USAGE_CONTIGUOUS | DMAHEAP_USAGE_CPU_READ_OFTEN,
	};
	struct dmaheap_heap_info *plan = NULL;
	struct dmaheap_buf *buf = NULL;
	struct dmaheap_stats s;
	struct fill *fl;
	char region[NAME_MAX + 1];
	int n, usable = 0;
	/* The default area's names: two from 6.17, one before. */
	int names = 1 + (kt_heap_present(STABLE_NAME) &&
			 strcmp(f->area, STABLE_NAME) != 0);

	/* The plan holds the cma alias's members, all contiguous; of them
	 * only the default area's names are here, the stable one first. */
	n = dmaheap_usage_plan(f->ctx, DMAHEAP_USAGE_CONTIGUOUS, &plan);
	assert_true(n >= 1);
	for (int i = 0; i < n; i++) {
		assert_true(plan[i].props & DMAHEAP_PROP_CONTIGUOUS);
		if (plan[i].error)
			continue;
		if (usable++ == 0)
			assert_string_equal(plan[i].name, f->heap);
		assert_ret(dmaheap_heap_region(f->ctx, plan[i].name, region,
					       sizeof(region)), 0);
		assert_string_equal(region, f->area);
	}
	dmaheap_heap_list_free(plan);
	assert_int_equal(usable, names);
	for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++) {
		assert_ret(dmaheap_alloc_usage(f->ctx, usages[i], MIB, 0, &buf),
			   0);
		assert_string_equal(dmaheap_buf_heap_name(buf), f->heap);
		assert_true(dmaheap_buf_props(buf) & DMAHEAP_PROP_CONTIGUOUS);
		dmaheap_buf_free(buf);
		buf = NULL;
	}

	/* Full: refused, never served from the system heap. */
	fl = fill_heap(f);
	for (size_t i = 0; i < sizeof(usages) / sizeof(usages[0]); i++)
		assert_ret(dmaheap_alloc_usage(f->ctx, usages[i], fl->chunk, 0,
					       &buf), -ENOMEM);
	assert_null(buf);
	assert_ret(dmaheap_ctx_stats(f->ctx, "system", &s), -ENOENT);
	/* Room again: CMA serves. */
	dmaheap_buf_free(fl->bufs[--fl->n]);
	assert_ret(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_CONTIGUOUS,
				       fl->chunk, 0, &buf), 0);
	assert_string_equal(dmaheap_buf_heap_name(buf), f->heap);
	dmaheap_buf_free(buf);
	fill_release(fl);
}

/* A request larger than the whole area fails at once (the kernel does
 * not even log it); the chain serves it from system. */
static void test_larger_than_area(void **state)
{
	struct cfix *f = *state;
	const char *chain[] = { "cma", "system" };
	size_t area = area_bytes(f);
	struct dmaheap_buf *buf = NULL;

	if (!area) {
		print_message("no CMA debugfs: the area's size is unknown\n");
		skip();
	}
	assert_ret(dmaheap_alloc(f->ctx, "cma", area + f->page, 0, &buf),
		   -ENOMEM);
	assert_ret(dmaheap_alloc_usage(f->ctx, DMAHEAP_USAGE_CONTIGUOUS,
				       area + f->page, 0, &buf), -ENOMEM);
	assert_null(buf);
	assert_ret(dmaheap_alloc_from(f->ctx, chain, 2, area + f->page, 0,
				      &buf), 1);
	assert_string_equal(dmaheap_buf_heap_name(buf), "system");
	dmaheap_buf_free(buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_heap_name),
		T(test_alias_resolves),
		T(test_two_names_one_region),
		T(test_alloc_map_sync),
		T(test_zeroed_when_reused),
		T(test_naming),
		T(test_vgem_roundtrip),
		T(test_contiguous_in_bitmap),
		T(test_two_runs),
		T(test_full_falls_back_to_system),
		T(test_contiguous_usage),
		T(test_larger_than_area),
	};
	char heap[NAME_MAX + 1];

	kt_require_system_heap();
	if (!kt_cma_heap(heap, sizeof(heap)))
		kt_skip("no CMA heap in " KT_HEAP_DIR
			" (CONFIG_DMABUF_HEAPS_CMA): boot the CMA kernel, "
			"tests/vm/run.sh --kernel cma");
	return cmocka_run_group_tests_name("kernel-cma", tests, NULL, NULL);
}

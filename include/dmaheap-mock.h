/* SPDX-License-Identifier: MIT */
/*
 * libdmaheap-mock: a mock kernel for testing code that uses libdmaheap.
 *
 * Link with `pkg-config --libs libdmaheap-mock` (a static library, built
 * from the same sources as the libdmaheap it came with; a mock from another
 * version is refused by dmaheap_ctx_new_with() with -EINVAL).
 *
 * The mock is a system-call layer: give dmaheap_mock_sys() to a context
 * through struct dmaheap_options.sys (dmaheap_mock_options() does that) and
 * every call that context makes reaches the mock instead of the kernel.
 *
 * What it emulates:
 *  - A heap directory (dmaheap_mock_dir(), a path that does not exist on
 *    disk) holding the heaps declared with dmaheap_mock_add_heap().
 *  - DMA_HEAP_IOCTL_ALLOC with the kernel's argument checks, in the kernel's
 *    order, each failing with EINVAL: fd field non-zero on input, fd_flags
 *    outside O_CLOEXEC | O_ACCMODE, heap_flags non-zero, a length that
 *    rounds to 0 pages. Then the heap's limits (ENOMEM). The returned fd is
 *    a real memfd of the rounded size, so mmap, lseek, dup, fstat and close
 *    work for real, with the access mode and close-on-exec of fd_flags.
 *  - On buffer fds (and their duplicates): DMA_BUF_IOCTL_SYNC (flags outside
 *    the valid mask or with no direction: EINVAL), DMA_BUF_SET_NAME_A/_B
 *    (names longer than 31 bytes: EINVAL), EXPORT/IMPORT_SYNC_FILE (flags
 *    zero or outside RW: EINVAL; export gives a signalled sync file, an
 *    eventfd; import of anything not exported by the mock: EINVAL), fstatfs
 *    reporting the dma-buf file system, lseek(SEEK_END) for the size, mmap
 *    (EINVAL on unmappable heaps).
 *  - /proc/self/fdinfo/<fd> of buffer fds, printed afresh on every pread as
 *    procfs does, with "count:" the dma-buf's references: this process's
 *    fds and mappings plus dmaheap_mock_buf_hold()'s; and poll() on buffer
 *    fds, which dmaheap_mock_buf_set_fence() can make report a pending
 *    fence (@since 0.2).
 *  - Heap nodes that are absent, not permitted (EACCES), or not character
 *    devices. O_PATH opens of a node succeed whatever its kind, as they
 *    need no permission and open no driver.
 *  - The sysfs entries of its devices: /sys/dev/char/MAJ:MIN/uevent for a
 *    heap node (major 253, DEVNAME=dma_heap/NAME) and for the udmabuf
 *    device (10:125, DEVNAME=udmabuf). Other devices' entries are the
 *    machine's.
 *  - The udmabuf device (dmaheap_mock_set_udmabuf()), at a path only the
 *    mock knows (dmaheap_mock_udmabuf_path()): UDMABUF_CREATE and
 *    UDMABUF_CREATE_LIST with the kernel's checks in its order, and the
 *    module's parameter files /sys/module/udmabuf/parameters/size_limit_mb
 *    and list_limit, which the mock answers itself: no path under
 *    /sys/module/udmabuf reaches the real sysfs.
 * Calls on fds and paths the mock does not own reach the real kernel, so
 * a pipe given to the library behaves as a pipe would. The mock reads /proc
 * (to reopen read-only buffer fds and to find open fds); without it,
 * allocations asking for O_RDONLY or O_WRONLY fail with ENOENT.
 *
 * Whole programs (@since 0.2): libdmaheap-mock-preload.so, loaded with
 * LD_PRELOAD, runs a program against a mock of its own, for code that
 * makes its own dma-buf calls (GStreamer maps and syncs buffers itself).
 * It creates one mock before main() with the heaps $DMAHEAP_MOCK_HEAPS
 * names (comma-separated; "system" if unset), gives it to every context
 * created without a system-call layer of its own (dmaheap_ctx_new(), and
 * dmaheap_ctx_new_with() with @sys NULL), and routes ioctl(), mmap(),
 * mmap64(), poll() (of one fd) and fstatfs() on the mock's buffer fds
 * (@since 0.2: so the library's raw-fd calls with a NULL context meet the
 * mock too), and every
 * munmap(), to the mock; all else reaches the C library. The program finds
 * the mock with dlsym(RTLD_DEFAULT, "dmaheap_mock_preload"), a function
 * `struct dmaheap_mock *dmaheap_mock_preload(void)` that exists only under
 * the preload, and may use every function of this header on it. The mock
 * is never freed (contexts may outlive main()).
 *
 * Buffers between processes (@since 0.2): a buffer's memfd is named for
 * the mock and the process that allocated it, so a mock meeting a buffer
 * of another process (allocated by a child after fork() in its copy of
 * the mock, or by any process under the preload, received over a UNIX
 * socket or inherited) takes it for the dma-buf it is, as the kernel
 * would, and answers for it from then on. A mock does not take another
 * mock's buffers made in its own process. What the mock keeps about a
 * buffer stays with each process's mock: its name (DMA_BUF_SET_NAME),
 * sync counts, holds and fences are not seen by the other process, and
 * only the allocating process's heap counts it against its capacity.
 * Limits: this needs /proc (the name is read through /proc/self/fd), and
 * a udmabuf dma-buf made from a whole memfd, being a second description
 * of the caller's memfd, is not recognised in another process: the
 * receiver refuses it as not a dma-buf (EBADFD). A udmabuf made from a
 * list or from part of a memfd is a copy, and travels.
 *
 * Thread-safety: a mock may be used by many threads at once (through the
 * contexts that use it and through these functions). It must outlive every
 * context made with it.
 *
 * Errors follow libdmaheap's convention: 0 or a non-negative value on
 * success, a negative errno on failure.
 */
#ifndef DMAHEAP_MOCK_H
#define DMAHEAP_MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dmaheap.h"

#ifdef __cplusplus
extern "C" {
#endif

struct dmaheap_mock;

/**
 * dmaheap_mock_new() - create a mock kernel with no heaps.
 * @ret: receives the mock, owned by the caller (dmaheap_mock_free()).
 *
 * Page size and RAM default to the real machine's.
 *
 * Return: 0, or -EINVAL (@ret NULL), -ENOMEM.
 */
int dmaheap_mock_new(struct dmaheap_mock **ret);

/**
 * dmaheap_mock_free() - destroy a mock.
 * @mock: the mock, or NULL.
 *
 * Buffers a context still holds are real memfds and stay valid memory, but
 * the mock no longer answers for them: free every context first. Check
 * dmaheap_mock_leaks() before.
 */
void dmaheap_mock_free(struct dmaheap_mock *mock);

/**
 * dmaheap_mock_sys() - the mock's system-call layer.
 * @mock: the mock.
 *
 * Return: a pointer valid as long as @mock, for struct dmaheap_options.sys.
 */
const struct dmaheap_sys *dmaheap_mock_sys(struct dmaheap_mock *mock);

/**
 * dmaheap_mock_dir() - the mock's heap directory.
 * @mock: the mock.
 *
 * Return: a path (valid as long as @mock) that only the mock knows.
 */
const char *dmaheap_mock_dir(const struct dmaheap_mock *mock);

/**
 * dmaheap_mock_options() - fill options so a context uses this mock.
 * @mock: the mock.
 * @opts: options, already initialised (DMAHEAP_OPTIONS_INIT); sets
 *	@opts->sys, @opts->heap_dir and @opts->udmabuf_dev (to
 *	dmaheap_mock_udmabuf_path(), so a context never reaches the machine's
 *	own udmabuf), leaves the rest alone.
 */
void dmaheap_mock_options(struct dmaheap_mock *mock,
			  struct dmaheap_options *opts);

/** Kinds of heap node. */
enum dmaheap_mock_node {
	DMAHEAP_MOCK_NODE_HEAP = 0,	/* a working heap */
	DMAHEAP_MOCK_NODE_NO_ACCESS,	/* open fails with EACCES (0600 root) */
	DMAHEAP_MOCK_NODE_REGULAR,	/* a plain file, not a char device */
	DMAHEAP_MOCK_NODE_NO_DEVICE,	/* char device; open fails with ENODEV */
};

/**
 * struct dmaheap_mock_heap - properties of a mock heap; zero means default.
 * @node: what the node is.
 * @max_size: largest single allocation in bytes (after rounding); larger
 *	ones fail with ENOMEM. 0: no limit.
 * @capacity: total bytes of live buffers the heap can hold (a carveout);
 *	beyond it allocations fail with ENOMEM. 0: no limit.
 * @fail_after: if non-zero, the first @fail_after - 1 successful
 *	allocations from this heap succeed and all later ones fail with
 *	ENOMEM. Removing and re-adding the heap starts the count again.
 * @unmappable: mmap of its buffers fails with EINVAL (protected heaps have
 *	no mmap op).
 * @no_sync_file: EXPORT/IMPORT_SYNC_FILE fail with ENOTTY (kernel < 6.0).
 */
struct dmaheap_mock_heap {
	enum dmaheap_mock_node node;
	uint64_t max_size;
	uint64_t capacity;
	unsigned int fail_after;
	int unmappable;
	int no_sync_file;
};

/**
 * dmaheap_mock_add_heap() - declare a heap node.
 * @mock: the mock.
 * @name: the node's name (1 to 255 bytes, no '/').
 * @props: its properties; NULL for a working heap with no limits.
 *
 * Contexts see the heap at their next look-up, as with a module loaded late.
 *
 * Return: 0, or -EINVAL (bad name), -EEXIST, -ENOMEM, -ENOSPC (over 128
 * heaps, the kernel's limit).
 */
int dmaheap_mock_add_heap(struct dmaheap_mock *mock, const char *name,
			  const struct dmaheap_mock_heap *props);

/**
 * dmaheap_mock_remove_heap() - remove a heap node.
 * @mock: the mock.
 * @name: the heap.
 *
 * Fds already open on the node keep working, as with the kernel.
 *
 * Return: 0, or -EINVAL (NULL argument), -ENOENT.
 */
int dmaheap_mock_remove_heap(struct dmaheap_mock *mock, const char *name);

/**
 * dmaheap_mock_set_meminfo() - pretend a page size and RAM size.
 * @mock: the mock.
 * @page_size: a power of two from 4096 up, or 0 to keep the current one.
 *	Mock buffers are still real memfds of this rounded size; a page size
 *	larger than the real one works, a smaller one does not (-EINVAL).
 * @ram_bytes: total RAM reported, or 0 to keep the current value.
 *
 * Contexts read these when created.
 *
 * Return: 0, or -EINVAL.
 */
int dmaheap_mock_set_meminfo(struct dmaheap_mock *mock, size_t page_size,
			     uint64_t ram_bytes);

/**
 * struct dmaheap_mock_udmabuf - properties of the mock's udmabuf device;
 *	zero means default.
 * @node: what the node is: DMAHEAP_MOCK_NODE_HEAP for a working device,
 *	NO_ACCESS (open fails with EACCES), REGULAR (a plain file), NO_DEVICE
 *	(open fails with ENODEV).
 * @size_limit_mb: the module parameter: largest total size of one dma-buf,
 *	in MiB; larger ones fail with EINVAL. 0: the kernel's default, 64.
 * @list_limit: the module parameter: most items in one UDMABUF_CREATE_LIST;
 *	more fail with EINVAL. 0: the kernel's default, 1024.
 * @no_sysfs: the parameter files are absent (open fails with ENOENT), as
 *	on kernels or builds that do not show them; the limits still apply.
 */
struct dmaheap_mock_udmabuf {
	enum dmaheap_mock_node node;
	unsigned int size_limit_mb;
	unsigned int list_limit;
	int no_sysfs;
};

/**
 * dmaheap_mock_set_udmabuf() - create, change or remove the udmabuf device.
 * @mock: the mock.
 * @props: its properties; NULL removes the device (the module unloaded).
 *
 * The device node is at dmaheap_mock_udmabuf_path() and the module's
 * parameter files at /sys/module/udmabuf/parameters/ while the device is
 * set; otherwise opening them fails with ENOENT. Setting it again changes
 * the parameters for every open device fd, as writing them would; a change
 * of @node makes a new node, and fds open on the old one keep behaving as
 * before, as they do after the device is removed.
 *
 * On a device fd, UDMABUF_CREATE and UDMABUF_CREATE_LIST check, in the
 * kernel's order: every item's offset and size page-aligned (the mock's
 * page size) and the running total within @size_limit_mb, else EINVAL; a
 * total of 0 (or a list of 0 items), EINVAL; then per item: the memfd an
 * open shmem or hugetlbfs file (not a closed fd, pipe, plain file or one of
 * the mock's own objects), else EBADFD; sealed with F_SEAL_SHRINK and
 * neither F_SEAL_WRITE nor F_SEAL_FUTURE_WRITE, else EINVAL; the range
 * inside the memfd, else EINVAL. A list of more than @list_limit items
 * fails with EINVAL first. Of the flags only UDMABUF_FLAGS_CLOEXEC is read.
 * Other requests fail with ENOTTY.
 *
 * The result is an O_RDWR dma-buf fd, close-on-exec if asked, that works as
 * a heap buffer does (heap "udmabuf" in reports and
 * dmaheap_mock_buf_info()), except that mmap needs MAP_SHARED (EINVAL
 * otherwise), as udmabuf's does. One whole-range item from offset 0 shares
 * the memfd's pages, both ways, and outlives the memfd's fds. Other offsets
 * and lists of several items are copies made at creation: their pages are
 * not shared. Sharing needs /proc; without it, the dma-buf is a copy too.
 *
 * A shared dma-buf is a second file description of the memfd's inode, told
 * apart by a file position the mock parks it at: a raw lseek() or read() on
 * it, made without the mock, hides it from the mock.
 *
 * Return: 0, or -EINVAL (@props->node out of range), -ENOMEM.
 */
int dmaheap_mock_set_udmabuf(struct dmaheap_mock *mock,
			     const struct dmaheap_mock_udmabuf *props);

/**
 * dmaheap_mock_udmabuf_path() - the mock's udmabuf device node.
 * @mock: the mock.
 *
 * Return: a path (valid as long as @mock) that only the mock knows; it
 * exists only while dmaheap_mock_set_udmabuf() has set the device.
 */
const char *dmaheap_mock_udmabuf_path(const struct dmaheap_mock *mock);

/**
 * dmaheap_mock_set_kernel_file() - set or remove one of the kernel's text
 *	files that the library reads beside the heaps.
 * @mock: the mock.
 * @path: a path at or under one of: /proc/self/cgroup, /sys/fs/cgroup/
 *	(e.g. "/sys/fs/cgroup/app/memory.max"), /sys/module/dma_heap/
 *	(e.g. ".../parameters/mem_accounting"), /sys/kernel/mm/cma/ (e.g.
 *	"/sys/kernel/mm/cma/reserved/alloc_pages_success"), or
 *	/proc/device-tree/ (e.g.
 *	"/proc/device-tree/reserved-memory/linux,cma/linux,cma-default"), or
 *	/sys/class/iommu/ (e.g. "/sys/class/iommu/smmu0/uevent", @since
 *	0.2).
 * @text: the file's contents, as the kernel shows them ("Y\n", "max\n",
 *	"16777216\n", "0::/app\n", "" for a flag property); NULL removes it.
 *
 * The mock answers every path under those prefixes itself, from these
 * files alone: one not set fails to open with ENOENT (so by default
 * charging is off, no cgroup and no CMA area is known), one set opens
 * read-only (EACCES for writing) on a fresh copy of @text. A directory
 * exists while a file below it is set: readdir lists the names directly
 * below it, opening it fails with EISDIR. Changes apply to later calls.
 *
 * Return: 0, or -EINVAL (@mock NULL, @path elsewhere or 4096 bytes or
 * longer), -ENOMEM.
 */
int dmaheap_mock_set_kernel_file(struct dmaheap_mock *mock, const char *path,
				 const char *text);

/** The mockable calls, for fault injection and call counts. */
enum dmaheap_mock_call {
	DMAHEAP_MOCK_OPEN = 0,
	DMAHEAP_MOCK_CLOSE,
	DMAHEAP_MOCK_IOCTL_ALLOC,	/* DMA_HEAP_IOCTL_ALLOC */
	DMAHEAP_MOCK_IOCTL_SYNC,	/* DMA_BUF_IOCTL_SYNC */
	DMAHEAP_MOCK_IOCTL_SET_NAME,	/* DMA_BUF_SET_NAME_A/_B */
	DMAHEAP_MOCK_IOCTL_EXPORT_SYNC_FILE,
	DMAHEAP_MOCK_IOCTL_IMPORT_SYNC_FILE,
	DMAHEAP_MOCK_IOCTL_OTHER,	/* any other ioctl request */
	DMAHEAP_MOCK_MMAP,
	DMAHEAP_MOCK_MUNMAP,
	DMAHEAP_MOCK_LSEEK,
	DMAHEAP_MOCK_FCNTL,
	DMAHEAP_MOCK_FSTAT,
	DMAHEAP_MOCK_FSTATFS,
	DMAHEAP_MOCK_READDIR,
	DMAHEAP_MOCK_MEMFD_CREATE,
	DMAHEAP_MOCK_FTRUNCATE,
	DMAHEAP_MOCK_READ,
	DMAHEAP_MOCK_IOCTL_UDMABUF_CREATE, /* UDMABUF_CREATE(_LIST) */
	DMAHEAP_MOCK_POLL,		/* @since 0.2 */
	DMAHEAP_MOCK_MADVISE,		/* @since 0.2 */
	DMAHEAP_MOCK_SENDMSG,		/* @since 0.2 */
	DMAHEAP_MOCK_RECVMSG,		/* @since 0.2 */
	DMAHEAP_MOCK_MEMBARRIER,	/* @since 0.2 */
	DMAHEAP_MOCK_CALL_COUNT	/* number of the above; not a call */
};

/**
 * dmaheap_mock_inject() - make calls fail.
 * @mock: the mock.
 * @call: which call.
 * @skip: let this many calls of that kind pass first.
 * @count: then fail this many (0 cancels any pending injection for @call).
 * @err: the positive errno to fail with (EINTR, ENOMEM, EMFILE, ...).
 *
 * An injected failure has no side effect: the mock returns -@err before
 * doing anything, the way an interrupted system call does. Except close:
 * Linux releases the fd whatever close() then reports, so an injected
 * close failure closes the fd as well (a close of an fd that is not open
 * fails with the real EBADF). An injected munmap failure unmaps nothing,
 * as the kernel's munmap fails (EINVAL, ENOMEM, EINTR) before it changes
 * anything.
 *
 * Return: 0, or -EINVAL (@call or @err out of range).
 */
int dmaheap_mock_inject(struct dmaheap_mock *mock, enum dmaheap_mock_call call,
			unsigned int skip, unsigned int count, int err);

/**
 * dmaheap_mock_inject_nth() - make one call, of whatever kind, fail.
 * @mock: the mock.
 * @skip: let this many calls of any kind pass first (counted from now).
 * @err: then fail the next call with this positive errno; 0 cancels a
 *	pending one.
 *
 * For systematic fault injection: count the calls an operation makes
 * (dmaheap_mock_calls() summed over the kinds), then fail each in turn.
 * One failure per arming; it behaves as one set by dmaheap_mock_inject()
 * (close still closes), and both count every call they see, whichever
 * of them fails it. dmaheap_mock_injected() tells whether, and where, it
 * fired.
 *
 * @since 0.2
 *
 * Return: 0, or -EINVAL (@mock NULL, @err out of range).
 */
int dmaheap_mock_inject_nth(struct dmaheap_mock *mock, unsigned int skip,
			    int err);

/**
 * dmaheap_mock_injected() - how many calls injection has failed.
 * @mock: the mock.
 * @last: if not NULL and the count is not 0, receives the kind of the
 *	most recent failed call.
 *
 * Counts the failures of dmaheap_mock_inject() and
 * dmaheap_mock_inject_nth() since the mock was made or its counts reset
 * (dmaheap_mock_reset_calls()).
 *
 * @since 0.2
 *
 * Return: the count (saturating at INT64_MAX), or -EINVAL.
 */
int64_t dmaheap_mock_injected(const struct dmaheap_mock *mock,
			      enum dmaheap_mock_call *last);

/**
 * dmaheap_mock_calls() - how often a call was made.
 * @mock: the mock.
 * @call: which call.
 *
 * Counts every call the library made, failed and injected ones included.
 *
 * Return: the count (saturating at INT64_MAX), or -EINVAL.
 */
int64_t dmaheap_mock_calls(const struct dmaheap_mock *mock,
			   enum dmaheap_mock_call call);

/**
 * dmaheap_mock_reset_calls() - set every call count to 0.
 * @mock: the mock.
 *
 * The count of dmaheap_mock_injected() too; pending injections stay armed.
 */
void dmaheap_mock_reset_calls(struct dmaheap_mock *mock);

/**
 * struct dmaheap_mock_leaks - what is still held.
 * @buffers: mock buffers with an fd still open (through the mock or the
 *	caller's own dup()s, found by inode).
 * @mappings: mappings made through the mock and not unmapped.
 * @cpu_access: SYNC STARTs not matched by an END: per buffer the larger of
 *	its open READ and WRITE counts, summed over buffers.
 * @heap_fds: heap nodes (and udmabuf devices) still open.
 */
struct dmaheap_mock_leaks {
	unsigned int buffers;
	unsigned int mappings;
	unsigned int cpu_access;
	unsigned int heap_fds;
};

/**
 * dmaheap_mock_leaks() - count what is still held; the teardown check.
 * @mock: the mock.
 * @out: receives the counts.
 * @report: if not NULL, receives a human-readable report, one line per
 *	leak (heap, size, name), NUL-terminated and cut to @report_len.
 * @report_len: size of @report.
 *
 * Open fds are found by scanning /proc/self/fd, so the caller's own dup()s
 * count too.
 *
 * Return: the total number of leaks (0 means clean), or -EINVAL, -ENOMEM.
 */
int dmaheap_mock_leaks(struct dmaheap_mock *mock,
		       struct dmaheap_mock_leaks *out, char *report,
		       size_t report_len);

/**
 * struct dmaheap_mock_buf_info - what the mock knows of one buffer.
 * @heap: heap it came from.
 * @size: rounded size.
 * @name: last name set, "" if none.
 * @sync_reads: open SYNC STARTs covering READ.
 * @sync_writes: open SYNC STARTs covering WRITE.
 */
struct dmaheap_mock_buf_info {
	char heap[256];
	uint64_t size;
	char name[32];
	unsigned int sync_reads;
	unsigned int sync_writes;
};

/**
 * dmaheap_mock_buf_info() - look up a mock buffer by any of its fds.
 * @mock: the mock.
 * @fd: an fd of the buffer.
 * @out: receives the information.
 *
 * Return: 0, or -EINVAL, -EBADF, -ENOENT (not a mock buffer).
 */
int dmaheap_mock_buf_info(struct dmaheap_mock *mock, int fd,
			  struct dmaheap_mock_buf_info *out);

/**
 * dmaheap_mock_buf_hold() - pretend that others hold a buffer. @since 0.2
 * @mock: the mock.
 * @fd: an fd of a mock buffer.
 * @delta: references to add (a device import, another process's fd) or,
 *	negative, to drop.
 *
 * The mock emulates /proc/self/fdinfo/<fd> of its buffers, whose "count:"
 * is, as on Linux, every reference to the dma-buf: this process's fds
 * (the caller's own dup()s too), its mappings (its own mmap()s too, found
 * in /proc/self/maps), and the holds set here. Holds do not keep the
 * buffer alive once its last fd is closed.
 *
 * Return: the buffer's holds now (>= 0), or -EINVAL (NULL @mock, dropping
 * more than were added, more than INT_MAX), -EBADF, -ENOENT (not a mock
 * buffer).
 */
int dmaheap_mock_buf_hold(struct dmaheap_mock *mock, int fd, int delta);

/**
 * dmaheap_mock_fdinfo_count() - show or hide the "count:" line of buffers'
 * fdinfo. @since 0.2
 * @mock: the mock.
 * @shown: true (the default): every /proc/self/fdinfo/<fd> of a mock
 *	buffer has its "count:" line, as on Linux with dma-buf heaps; false:
 *	it has none, as the fdinfo of kernels before that line existed.
 *	Applies to every read from then on, of files already open too.
 *
 * Return: 0, or -EINVAL (NULL @mock).
 */
int dmaheap_mock_fdinfo_count(struct dmaheap_mock *mock, bool shown);

/**
 * dmaheap_mock_buf_set_fence() - pretend a fence is pending on a buffer,
 * or is no more. @since 0.2
 * @mock: the mock.
 * @fd: an fd of a mock buffer.
 * @pending: true: poll() on the buffer reports neither POLLIN nor POLLOUT
 *	(a write fence), and times out at once; false: both, as without
 *	fences.
 *
 * Return: 0, or -EINVAL, -EBADF, -ENOENT (not a mock buffer).
 */
int dmaheap_mock_buf_set_fence(struct dmaheap_mock *mock, int fd,
			       bool pending);

/**
 * dmaheap_mock_set_socket_label() - stand in for a security module's
 * label on received messages. @since 0.2
 * @mock: the mock.
 * @label: the label (a NUL-terminated string, 1 to 65536 bytes), or NULL
 *	for none, the default.
 *
 * Hand-offs travel over the real kernel's UNIX sockets, which add the
 * sender's credentials (SO_PASSCRED) and pidfd (SO_PASSPIDFD) to what the
 * receiver gets, but an SCM_SECURITY label (SO_PASSSEC) only when a
 * security module (SELinux, AppArmor, Smack) runs. With a label set, every
 * recvmsg() through the mock on a socket whose SO_PASSSEC is on adds one:
 * an SCM_SECURITY control message carrying @label, first in the control
 * data. When it does not fit, the label is cut to the room there is,
 * MSG_CTRUNC is set and the message's fds are closed, as the kernel does.
 *
 * Return: 0, or -EINVAL (NULL @mock, an empty or longer @label), -ENOMEM.
 */
int dmaheap_mock_set_socket_label(struct dmaheap_mock *mock,
				  const char *label);

/**
 * dmaheap_mock_proc_dir() - the mock's procfs, for dmaheap_stat_scan().
 * @mock: the mock.
 *
 * A path (valid as long as @mock) that only the mock knows, holding the
 * processes declared with dmaheap_mock_proc_add(): PID/fdinfo (a directory
 * of the fd numbers), PID/fdinfo/FD, PID/maps and PID/comm. Opening a file
 * gives a read-only fd holding its text as it is at the open; readdir lists
 * ".", ".." and the numbers, in no particular order. Opens for writing
 * fail with EACCES, paths that name nothing with ENOENT. Calls there count
 * as DMAHEAP_MOCK_OPEN, READ, READDIR and CLOSE and take injected faults.
 * The machine's own /proc is not touched.
 *
 * @since 0.2
 *
 * Return: the path, or NULL if @mock is NULL.
 */
const char *dmaheap_mock_proc_dir(const struct dmaheap_mock *mock);

/** What a fake process does when looked at; dmaheap_mock_proc_set_state(). */
enum dmaheap_mock_proc_state {
	/** Everything reads as it was set. */
	DMAHEAP_MOCK_PROC_LIVE = 0,
	/** It exited after its pid was listed: still listed in the proc
	 * directory, but everything below PID fails with ENOENT. */
	DMAHEAP_MOCK_PROC_GONE,
	/** Another user's process seen without root: PID/fdinfo and PID/maps
	 * fail with EACCES; PID/comm still reads. */
	DMAHEAP_MOCK_PROC_NO_ACCESS,
};

/**
 * dmaheap_mock_proc_add() - declare a process in the mock's procfs.
 * @mock: the mock.
 * @pid: its pid, > 0.
 * @comm: its PID/comm text (the kernel's ends in a newline; give one if
 *	the code under test should see it).
 *
 * It starts live, with no fds and an empty maps.
 *
 * @since 0.2. Thread-safe, like every dmaheap_mock_proc_*() function.
 *
 * Return: 0, or -EINVAL (NULL @mock or @comm, @pid <= 0), -EEXIST,
 * -ENOMEM.
 */
int dmaheap_mock_proc_add(struct dmaheap_mock *mock, int pid,
			  const char *comm);

/**
 * dmaheap_mock_proc_remove() - remove a process, as if it had exited and
 * been reaped: it is no longer listed.
 * @mock: the mock.
 * @pid: the process.
 *
 * @since 0.2
 *
 * Return: 0, or -EINVAL (NULL @mock), -ENOENT.
 */
int dmaheap_mock_proc_remove(struct dmaheap_mock *mock, int pid);

/**
 * dmaheap_mock_proc_set_state() - make a process gone or unreadable.
 * @mock: the mock.
 * @pid: the process.
 * @state: enum dmaheap_mock_proc_state.
 *
 * @since 0.2
 *
 * Return: 0, or -EINVAL (NULL @mock, @state out of range), -ENOENT.
 */
int dmaheap_mock_proc_set_state(struct dmaheap_mock *mock, int pid,
				enum dmaheap_mock_proc_state state);

/**
 * dmaheap_mock_proc_set_fd() - give a process an fd, or take it away.
 * @mock: the mock.
 * @pid: the process.
 * @fd: the fd number, >= 0.
 * @fdinfo: the text of PID/fdinfo/FD, copied; the test writes it as the
 *	kernel would ("pos:\t0\nflags:\t02\nmnt_id:\t9\nino:\t1234\n"
 *	"size:\t4096\ncount:\t1\nexp_name:\tsystem\n") or not (to check a
 *	parser). NULL removes the fd.
 *
 * Setting an fd again replaces its text and undoes
 * dmaheap_mock_proc_vanish_fd().
 *
 * @since 0.2
 *
 * Return: 0 (also when removing an fd the process does not have), or
 * -EINVAL (NULL @mock, negative @fd), -ENOENT (no such process), -ENOMEM.
 */
int dmaheap_mock_proc_set_fd(struct dmaheap_mock *mock, int pid, int fd,
			     const char *fdinfo);

/**
 * dmaheap_mock_proc_vanish_fd() - make an fd close after it was listed:
 * still listed in PID/fdinfo, its file fails with ENOENT.
 * @mock: the mock.
 * @pid: the process.
 * @fd: one of its fds.
 *
 * @since 0.2
 *
 * Return: 0, or -EINVAL (NULL @mock), -ENOENT (no such process or fd).
 */
int dmaheap_mock_proc_vanish_fd(struct dmaheap_mock *mock, int pid, int fd);

/**
 * dmaheap_mock_proc_set_maps() - set the text of a process's maps.
 * @mock: the mock.
 * @pid: the process.
 * @maps: the whole text, copied; a dma-buf mapping reads, as on Linux,
 *	"7f0000000000-7f0000001000 rw-s 00000000 00:0d 1234"
 *	"                      /dmabuf:NAME\n".
 *
 * @since 0.2
 *
 * Return: 0, or -EINVAL (NULL @mock or @maps), -ENOENT, -ENOMEM.
 */
int dmaheap_mock_proc_set_maps(struct dmaheap_mock *mock, int pid,
			       const char *maps);

#ifdef __cplusplus
}
#endif

#endif /* DMAHEAP_MOCK_H */

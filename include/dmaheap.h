/* SPDX-License-Identifier: MIT */
/*
 * libdmaheap: userspace access to Linux DMA-BUF heaps.
 *
 * Conventions that hold for every function in this header:
 *
 *  - Errors: a function returns 0, or a non-negative value where stated, on
 *    success and a negative errno value (-EINVAL, -ENOMEM, ...) on failure.
 *    errno is never the channel: its value after a call is unspecified.
 *    dmaheap_strerror() turns a return value into a message.
 *  - Output parameters are written only on success.
 *  - File descriptors: every fd the library creates is O_CLOEXEC. An fd
 *    described as "borrowed" stays owned by the object it came from; do not
 *    close it. An fd described as "owned by the caller" must be closed by the
 *    caller with close(2).
 *  - free-style functions (dmaheap_ctx_free, dmaheap_buf_free,
 *    dmaheap_heap_list_free) accept NULL and do nothing.
 *  - Logging: the library never prints. It reports through the log callback
 *    of the context, which is unset (silent) by default.
 *
 * Threads: a struct dmaheap_ctx may be shared by any number of threads; every
 * function taking only a context (plus plain values) is safe to call
 * concurrently on the same context. Allocation from a heap already open
 * (or through an alias already resolved) takes no lock of the context, and
 * accounting is kept in atomic counters, so allocating threads do not wait
 * for each other in the library; dmaheap_alloc_usage() reads its
 * precomputed plan without a lock too. A struct dmaheap_buf is also safe
 * to use from several threads at once: its map count and CPU-access state
 * are protected by a lock of its own. Freeing an object while another
 * thread still uses it is, as always, a bug of the caller.
 *
 * A whole program: allocate 1 MiB for CPU access, fill it between begin and
 * end of CPU access, and pass the dma-buf fd on (build it with
 * cc prog.c $(pkg-config --cflags --libs libdmaheap))::
 *
 *	#include <stdio.h>
 *	#include <string.h>
 *	#include <dmaheap.h>
 *
 *	int main(void)
 *	{
 *		struct dmaheap_ctx *ctx = NULL;
 *		struct dmaheap_buf *buf = NULL;
 *		void *addr;
 *		int r;
 *
 *		r = dmaheap_ctx_new(&ctx);
 *		if (r == 0)
 *			r = dmaheap_alloc_usage(ctx,
 *						DMAHEAP_USAGE_CPU_WRITE_OFTEN,
 *						1 << 20, 0, &buf);
 *		if (r == 0)
 *			r = dmaheap_buf_map(buf, &addr);
 *		if (r == 0) {
 *			dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE);
 *			memset(addr, 0x80, dmaheap_buf_size(buf));
 *			dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE);
 *			dmaheap_buf_unmap(buf);
 *			printf("dma-buf fd %d from heap %s\n",
 *			       dmaheap_buf_fd(buf),
 *			       dmaheap_buf_heap_name(buf));
 *		} else {
 *			fprintf(stderr, "%s\n", dmaheap_strerror(r));
 *		}
 *		dmaheap_buf_free(buf);
 *		dmaheap_ctx_free(ctx);
 *		return r == 0 ? 0 : 1;
 *	}
 *
 * The rest of this header documents every function; "man libdmaheap" and
 * the section 3 pages render the same text.
 */
#ifndef DMAHEAP_H
#define DMAHEAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define DMAHEAP_EXPORT __attribute__((visibility("default")))
#else
#define DMAHEAP_EXPORT
#endif

/** Version of this header, as major * 10000 + minor * 100 + patch. */
#define DMAHEAP_VERSION_NUMBER 200

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * dmaheap_strerror() - describe a return value of this library.
 * @err: a value returned by a libdmaheap function (negative errno or 0).
 *
 * Where this library gives an errno a meaning of its own, the message says
 * it: -ENOMEM (heap exhausted), -EFBIG (over a heap's size limit, or a
 * policy file over 64 KiB), -ENODEV, -ENOTTY (not a heap or not a
 * dma-buf), -EOVERFLOW, -EBADFD. Every other errno (-ENOENT, -EACCES,
 * -EPIPE, ...) gets the C library's description, as strerror(3) gives it:
 * what the errno means depends on the call, so the log of the context
 * says what was refused (a heap node, the policy file, a mapping).
 *
 * Return: a NUL-terminated message; never NULL ("Unknown error" for values
 * the C library does not know). Thread-safe: a static string with glibc
 * 2.32 and later (strerrordesc_np(3)); with older C libraries the C
 * library's texts come from strerror_r(3) into storage of the calling
 * thread, valid until that thread's next call. Positive values are
 * treated like their negation, so plain errno values work too.
 */
DMAHEAP_EXPORT const char *dmaheap_strerror(int err);

/* ------------------------------------------------------------------------ */
/* Context                                                                  */
/* ------------------------------------------------------------------------ */

struct dmaheap_ctx;
struct dmaheap_buf;

/**
 * struct dmaheap_sys - a system-call layer.
 *
 * Opaque. Every system call the library makes goes through one of these.
 * The default is the real kernel; the mock kernel (dmaheap-mock.h) provides
 * another. Only dmaheap_mock_sys() hands out alternatives.
 */
struct dmaheap_sys;

/** Log priorities; the numbers are syslog's. */
enum dmaheap_log_priority {
	DMAHEAP_LOG_ERR = 3,
	DMAHEAP_LOG_WARNING = 4,
	DMAHEAP_LOG_INFO = 6,
	DMAHEAP_LOG_DEBUG = 7,
};

/**
 * typedef dmaheap_log_fn - log callback.
 * @userdata: the options' log_userdata.
 * @priority: one of enum dmaheap_log_priority.
 * @msg: the message, without trailing newline; valid only during the call.
 *
 * May be called from any thread that uses the context, concurrently; it must
 * not call back into the library with the same context.
 */
typedef void (*dmaheap_log_fn)(void *userdata, int priority, const char *msg);

/** Context option flags (struct dmaheap_options.flags). */
enum dmaheap_ctx_flags {
	/** Do not name new buffers after their heap (see dmaheap_alloc()). */
	DMAHEAP_CTX_NO_AUTONAME = 1u << 0,
	/** Ignore the DMAHEAP_DIR, DMAHEAP_UDMABUF_DEV and DMAHEAP_POLICY
	 * environment variables. */
	DMAHEAP_CTX_NO_ENV = 1u << 1,
	/** Read no policy file unless struct dmaheap_options.policy_file
	 * names one: neither $DMAHEAP_POLICY nor the default file. */
	DMAHEAP_CTX_NO_POLICY_FILE = 1u << 2,
};

/**
 * struct dmaheap_options - how to build a context.
 * @struct_size: sizeof(struct dmaheap_options) as compiled by the caller; set
 *	by DMAHEAP_OPTIONS_INIT. The struct only grows, at its end, and the
 *	library reads as much of it as both sides know, the way the kernel
 *	reads openat2()'s struct open_how: any size from 0.1's layout (the
 *	fields up to @log_priority) on is accepted, and fields a caller
 *	built against an older header lacks take their defaults. A size
 *	larger than this library's struct (a caller built against a newer
 *	header) is accepted only if every byte this library does not know
 *	is zero, and never above 4096: otherwise -E2BIG, so that no option
 *	is silently ignored. Smaller than 0.1's layout: -EINVAL.
 * @flags: enum dmaheap_ctx_flags bits; unknown bits are rejected.
 * @heap_dir: directory of heap nodes; NULL means the environment variable
 *	DMAHEAP_DIR (read with secure_getenv(), so ignored in setuid programs)
 *	or, without it, "/dev/dma_heap". The string is copied.
 * @udmabuf_dev: the udmabuf device behind the "udmabuf" pseudo-heap; NULL
 *	means DMAHEAP_UDMABUF_DEV from the environment or "/dev/udmabuf".
 * @policy_file: the heap policy file (see "Heap policy"); NULL means
 *	DMAHEAP_POLICY from the environment or "/etc/libdmaheap/policy.conf",
 *	which may be absent. A file named here or in the environment must
 *	exist.
 * @sys: the system-call layer; NULL means the real kernel.
 * @log_fn: log callback; NULL means silent.
 * @log_userdata: passed to @log_fn.
 * @log_priority: highest priority number passed to @log_fn (e.g.
 *	DMAHEAP_LOG_WARNING drops INFO and DEBUG); 0 means DMAHEAP_LOG_INFO.
 */
struct dmaheap_options {
	size_t struct_size;
	unsigned int flags;
	const char *heap_dir;
	const char *udmabuf_dev;
	const char *policy_file;
	const struct dmaheap_sys *sys;
	dmaheap_log_fn log_fn;
	void *log_userdata;
	int log_priority;
};

/** Initialiser for struct dmaheap_options: all defaults. */
#define DMAHEAP_OPTIONS_INIT \
	{ sizeof(struct dmaheap_options), 0, NULL, NULL, NULL, NULL, NULL, NULL, 0 }

/**
 * dmaheap_ctx_new() - create a context with default options.
 * @ret: receives the new context, owned by the caller (dmaheap_ctx_free()).
 *
 * Same as dmaheap_ctx_new_with(NULL, @ret): reads the policy file, the one
 * $DMAHEAP_POLICY names or else /etc/libdmaheap/policy.conf if it exists,
 * and no other file. Heap nodes are opened lazily, on first use, once each.
 * A context made this way logs nothing (no callback), so the reason a
 * policy file was refused only shows through dmaheap_ctx_new_with().
 *
 * Return: 0, or -EINVAL (@ret is NULL), -ENOMEM, or an error of the policy
 * file as dmaheap_ctx_new_with() lists them.
 */
DMAHEAP_EXPORT int dmaheap_ctx_new(struct dmaheap_ctx **ret);

/**
 * dmaheap_ctx_new_with() - create a context.
 * @opts: options (NULL means defaults); read during the call only.
 * @ret: receives the new context, owned by the caller.
 *
 * Reads the policy file (see @opts->policy_file and "Heap policy") during
 * the call, through @opts->sys; touches no other file. The file is opened
 * without blocking and must be a regular file of at most 64 KiB of text.
 * Each refusal is logged at DMAHEAP_LOG_ERR through @opts->log_fn, naming
 * the file (and "FILE:LINE" for a bad line).
 *
 * Return: 0, or
 *  -EINVAL: @ret NULL, @opts->struct_size smaller than 0.1's struct
 *	(see @struct_size), unknown flag bits, an
 *	empty heap_dir or one longer than PATH_MAX - NAME_MAX - 2, an
 *	unusable @opts->sys; or a policy file that is not a regular file
 *	(FIFO, device, socket), holds a NUL byte or has a bad line.
 *  -E2BIG: @opts->struct_size is larger than this library's struct and
 *	a byte beyond it is not zero (an option of a newer header this
 *	library does not know), or it is over 4096.
 *  -ENOMEM: out of memory.
 *  -EFBIG: the policy file is larger than 64 KiB.
 *  -EISDIR: the policy file is a directory.
 *  -ENOENT, -EACCES, -ENOTDIR, -ELOOP, -ENAMETOOLONG, -EIO, ...: as
 *	open(2) and read(2) give them for the policy file; -ENOENT only for
 *	one named by @opts->policy_file or $DMAHEAP_POLICY (the default file
 *	may be absent).
 */
DMAHEAP_EXPORT int dmaheap_ctx_new_with(const struct dmaheap_options *opts,
					struct dmaheap_ctx **ret);

/**
 * dmaheap_ctx_free() - drop the caller's reference to a context.
 * @ctx: the context, or NULL.
 *
 * Buffers keep their context alive: the context and its cached heap fds are
 * released when the last of the caller's reference and its buffers is gone.
 * After this call the caller must not use @ctx again, though buffers made
 * from it stay valid until freed. Not to be called concurrently with other
 * uses of @ctx by the caller's own threads.
 */
DMAHEAP_EXPORT void dmaheap_ctx_free(struct dmaheap_ctx *ctx);

/**
 * dmaheap_ctx_heap_dir() - the directory this context looks for heaps in.
 * @ctx: the context.
 *
 * Return: the path, valid as long as @ctx; NULL if @ctx is NULL.
 */
DMAHEAP_EXPORT const char *dmaheap_ctx_heap_dir(const struct dmaheap_ctx *ctx);

/**
 * dmaheap_ctx_udmabuf_dev() - the udmabuf device behind this context's
 *	"udmabuf" pseudo-heap.
 * @ctx: the context.
 *
 * The device is not in the heap directory: it is
 * struct dmaheap_options.udmabuf_dev, $DMAHEAP_UDMABUF_DEV or /dev/udmabuf.
 * Thread-safe.
 *
 * Return: the path, valid as long as @ctx; NULL if @ctx is NULL.
 * @since 0.2
 */
DMAHEAP_EXPORT const char *dmaheap_ctx_udmabuf_dev(const struct dmaheap_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Heap discovery                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Heap names: a heap name is a file name in the heap directory. Every
 * function taking one rejects, with -EINVAL and before touching the file
 * system, NULL, the empty string, a name containing '/', a name starting with
 * '.', and a name longer than NAME_MAX (255) bytes.
 *
 * Two kinds of name are not files of the heap directory:
 *  - "udmabuf" is a pseudo-heap: memory from a sealed memfd turned into a
 *    dma-buf by the udmabuf device (struct dmaheap_options.udmabuf_dev).
 *    Many systems let console users open that device but no heap.
 *  - Aliases name a kind of heap whose name varies between systems. The
 *    built-in alias "cma" stands for the CMA heap, whatever this kernel
 *    calls it: the first of "default_cma_region" (Linux 6.17+),
 *    "linux,cma", "reserved" and "default-pool" that can be opened. Aliases
 *    are accepted wherever a heap name is; dmaheap_heap_resolve() tells
 *    what one stands for, and dmaheap_ctx_set_alias() or the policy file
 *    redefine them. Allocations remember what an alias resolved to until
 *    dmaheap_ctx_rescan() or a policy change (see there).
 */

/**
 * struct dmaheap_heap_info - one entry of dmaheap_heap_list().
 * @name: the heap name.
 * @error: 0 if the heap node can be opened; otherwise the negative errno of
 *	that failure: -EACCES or -EPERM (permission; nodes are 0600 root
 *	unless a udev rule says otherwise), -ENOTTY (the entry is not a
 *	character device), -ENODEV (no driver behind the node), ...
 * @props: what the library knows of the heap: enum dmaheap_heap_props bits,
 *	0 if nothing (see dmaheap_heap_props()).
 * @props_source: where @props came from: enum dmaheap_props_source.
 */
struct dmaheap_heap_info {
	const char *name;
	int error;
	unsigned int props;
	int props_source;
};

/**
 * dmaheap_heap_list() - list the heaps in the heap directory.
 * @ctx: the context.
 * @ret: receives an array of entries sorted by name (strcmp order), owned by
 *	the caller: release it with dmaheap_heap_list_free(). The strings live
 *	inside the array's allocation.
 *
 * Reads the directory now, so heaps that appeared after the context was made
 * are found. Entries whose name starts with '.' are skipped. Every listed
 * heap is opened (and its fd cached) to fill in @error. The "udmabuf"
 * pseudo-heap is listed too unless its device is absent (with @error set
 * if it cannot be opened), even when the heap directory is missing. An
 * empty result gives 0 and an array that still must be freed.
 *
 * Return: the number of entries, or -EINVAL (NULL argument), -ENOENT (no heap
 * directory and no udmabuf device: the kernel has neither), -ENOTDIR,
 * -EACCES (directory not readable), -EIO (reading it failed), -ENOMEM,
 * -EMFILE.
 */
DMAHEAP_EXPORT int dmaheap_heap_list(struct dmaheap_ctx *ctx,
				     struct dmaheap_heap_info **ret);

/**
 * dmaheap_heap_list_free() - release an array from dmaheap_heap_list().
 * @list: the array, or NULL.
 */
DMAHEAP_EXPORT void dmaheap_heap_list_free(struct dmaheap_heap_info *list);

/**
 * dmaheap_heap_open() - make sure a heap can be used; report why not.
 * @ctx: the context.
 * @heap: heap name.
 *
 * Opens the heap node if not done before (O_RDONLY | O_CLOEXEC | O_NOCTTY |
 * O_NONBLOCK; the fd is cached by the context for its lifetime). A failed
 * open is not cached, so a heap that appears later (heaps can be modules)
 * or whose permissions change is found on the next call.
 *
 * Which nodes are opened: the heap directory may point anywhere, and
 * opening some character devices acts at once (a watchdog starts), so a
 * node is identified before it is opened, through an O_PATH fd that opens
 * no driver. A heap node must be a character device whose
 * /sys/dev/char/MAJ:MIN/uevent says DEVNAME=dma_heap/..., the name only
 * the dma_heap class gives; the udmabuf device must be the misc device
 * (major 10) with DEVNAME=udmabuf. Anything else (a regular file, a FIFO,
 * a symlink to /dev/zero, a device where sysfs cannot tell) is refused
 * with -ENOTTY and a DMAHEAP_LOG_WARNING naming it, and is never opened
 * otherwise. The node opened afterwards must be the same device.
 *
 * Return: 0, or -EINVAL (bad name), -ENOENT (no such heap), -EACCES/-EPERM
 * (not permitted), -ENOTTY (the node is not a dma_heap device, see
 * above), -ENODEV (no heap behind the node), -EMFILE/-ENFILE, -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_heap_open(struct dmaheap_ctx *ctx, const char *heap);

/**
 * dmaheap_has_heap() - whether a heap exists and can be used.
 * @ctx: the context.
 * @heap: heap name.
 *
 * Return: 1 if dmaheap_heap_open() succeeds, 0 if it fails for any reason
 * but a bad argument, -EINVAL for a bad argument.
 */
DMAHEAP_EXPORT int dmaheap_has_heap(struct dmaheap_ctx *ctx, const char *heap);

/**
 * dmaheap_ctx_rescan() - forget what allocations remembered about heaps.
 * @ctx: the context.
 *
 * Allocations remember, per context, which member of an alias served (and
 * that none could, and why) and which heaps each usage plans to try, so
 * that later allocations make no open() and take no lock for them. What is
 * remembered holds until the policy changes (dmaheap_ctx_set_alias(),
 * dmaheap_ctx_add_rule(), dmaheap_ctx_set_heap_props()), dmaheap_heap_list()
 * reads the heap directory, or this function is called: call it when heaps
 * may have appeared (a heap module loaded, a udev rule changed permissions)
 * and an alias should now resolve to an earlier member. dmaheap_heap_open()
 * and dmaheap_heap_resolve() always look afresh and update what is
 * remembered. A plain heap name that failed to open is never remembered,
 * nor is an alias none of whose members exists (-ENOENT): the next
 * allocation through it looks again, so a heap that appears later (a heap
 * module loaded) is found without a rescan, at the cost of one open() per
 * member for each allocation that fails. No system call; thread-safe.
 *
 * Return: 0, or -EINVAL (@ctx is NULL).
 *
 * @since 0.2
 */
DMAHEAP_EXPORT int dmaheap_ctx_rescan(struct dmaheap_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* Allocation                                                               */
/* ------------------------------------------------------------------------ */

/** Allocation flags (the @flags of the dmaheap_alloc*() functions). */
enum dmaheap_alloc_flags {
	/** Do not name this buffer after its heap. */
	DMAHEAP_ALLOC_NO_NAME = 1u << 0,
	/** Fresh, kernel-zeroed memory: never a recycled buffer from the
	 * context's pool (see "Recycling pool"). @since 0.2 */
	DMAHEAP_ALLOC_FRESH = 1u << 1,
};

/**
 * dmaheap_alloc() - allocate a buffer from a heap.
 * @ctx: the context.
 * @heap: heap name, e.g. "system".
 * @size: bytes wanted; rounded up to the page size (sysconf(_SC_PAGESIZE) of
 *	the system-call layer). dmaheap_buf_size() reports the rounded size.
 * @flags: enum dmaheap_alloc_flags bits; 0 for defaults.
 * @ret: receives the buffer, owned by the caller (dmaheap_buf_free()).
 *
 * The buffer's fd is O_RDWR | O_CLOEXEC. Unless DMAHEAP_ALLOC_NO_NAME or the
 * context flag DMAHEAP_CTX_NO_AUTONAME is set, the buffer is named after its
 * heap (DMA_BUF_SET_NAME, cut to 31 bytes), which shows in
 * /proc/<pid>/fdinfo and debugfs; a naming failure is logged, never
 * returned. Fresh heap memory is zeroed by the kernel.
 *
 * Sizes are checked before the kernel is asked: the DMA-BUF system heap does
 * not fail a request larger than the machine, it has the OOM killer kill the
 * caller, so such requests fail here. The guard is total RAM, not free
 * memory (what is free changes by the moment): a request that fits in RAM
 * but not in what other processes leave can still meet the OOM killer.
 *
 * Return: 0, or
 *  -EINVAL: NULL argument, bad heap name, unknown flag bits, @size 0;
 *  -EOVERFLOW: @size does not fit once rounded up to a page;
 *  -ENOMEM: @size exceeds the machine's RAM, the heap is out of memory,
 *	the buffer would not fit under the caller's memory cgroup limit on
 *	a heap that charges it (DMAHEAP_PROP_MEMCG, logged), or the library
 *	could not allocate its bookkeeping;
 *  -EFBIG: @size exceeds what the heap allows at all (udmabuf's module
 *	parameter size_limit_mb, logged with its value);
 *  -ENOENT, -EACCES, -EPERM, -ENOTTY, -ENODEV: as dmaheap_heap_open();
 *  -EMFILE, -ENFILE: out of fds;
 *  any other negative errno the heap's ioctl returns.
 */
DMAHEAP_EXPORT int dmaheap_alloc(struct dmaheap_ctx *ctx, const char *heap,
				 size_t size, unsigned int flags,
				 struct dmaheap_buf **ret);

/**
 * dmaheap_alloc_fd() - allocate from a heap and return the raw dma-buf fd.
 * @ctx, @heap, @size, @flags: as dmaheap_alloc().
 *
 * For code that keeps raw fds (gralloc-style), from one named heap; for a
 * usage or a fallback list, allocate a buffer and take its fd with
 * dmaheap_buf_release_fd(). The size is the rounded size
 * (lseek(fd, 0, SEEK_END) tells it). The allocation counts in
 * dmaheap_ctx_stats()' allocations and failures, but not in its live
 * figures: the library cannot see when the caller closes the fd.
 *
 * Return: the new fd (>= 0), O_RDWR | O_CLOEXEC, owned by the caller; or the
 * errors of dmaheap_alloc().
 */
DMAHEAP_EXPORT int dmaheap_alloc_fd(struct dmaheap_ctx *ctx, const char *heap,
				    size_t size, unsigned int flags);

/**
 * dmaheap_alloc_fd_heap_flags() - dmaheap_alloc_fd() with the kernel's
 *	heap flags.
 * @ctx, @heap, @size, @flags: as dmaheap_alloc_fd().
 * @heap_flags: the heap_flags field of struct dma_heap_allocation_data,
 *	passed to the kernel as they are.
 *
 * For heaps that give heap flags a meaning. Upstream Linux defines none
 * (DMA_HEAP_VALID_HEAP_FLAGS is 0): DMA_HEAP_IOCTL_ALLOC refuses any
 * non-zero @heap_flags with -EINVAL before a heap sees them, so on an upstream kernel only 0
 * allocates; a vendor kernel may accept more. The "udmabuf" pseudo-heap
 * takes no heap flags (-EINVAL without a system call). Thread-safe as
 * dmaheap_alloc_fd().
 *
 * Return: as dmaheap_alloc_fd(); -EINVAL also when the kernel refuses
 * @heap_flags.
 *
 * @since 0.2
 */
DMAHEAP_EXPORT int dmaheap_alloc_fd_heap_flags(struct dmaheap_ctx *ctx,
					       const char *heap, size_t size,
					       unsigned int flags,
					       uint64_t heap_flags);

/**
 * dmaheap_alloc_from() - allocate from the first heap of a list that can.
 * @ctx: the context.
 * @heaps: heap names, tried in order; @n of them (1 to 128).
 * @n: number of names.
 * @size, @flags, @ret: as dmaheap_alloc().
 *
 * Moves on to the next heap when one is absent (-ENOENT), not a heap
 * (-ENOTTY, -ENODEV), not permitted (-EACCES, -EPERM) or out of memory
 * (-ENOMEM, -EFBIG): "carveout full, fall back to system". Any other error stops the
 * search and is returned. dmaheap_buf_heap_name() tells which heap served.
 * All names are checked before any heap is tried.
 *
 * Return: the index in @heaps of the heap that served (>= 0); or -EINVAL
 * (NULL argument, @n 0 or over 128, a bad name, bad flags, @size 0),
 * -EOVERFLOW, or, when every heap failed with one of the errors above, the
 * most telling of them: -ENOMEM over -EFBIG over -EACCES/-EPERM over
 * -ENODEV/-ENOTTY over -ENOENT.
 */
DMAHEAP_EXPORT int dmaheap_alloc_from(struct dmaheap_ctx *ctx,
				      const char *const heaps[], size_t n,
				      size_t size, unsigned int flags,
				      struct dmaheap_buf **ret);

/**
 * dmaheap_import() - wrap an existing dma-buf fd in a buffer object.
 * @ctx: the context.
 * @fd: any dma-buf fd (from a heap, a GPU, V4L2, udmabuf...). Not consumed:
 *	the caller keeps and still owns it.
 * @ret: receives the buffer, owned by the caller. It holds its own
 *	duplicate of @fd (F_DUPFD_CLOEXEC).
 *
 * The size comes from lseek(SEEK_END). The heap name of an imported buffer is
 * NULL. If @fd is open read-only, dmaheap_buf_map() maps read-only.
 * Imported buffers are not counted in dmaheap_ctx_stats().
 *
 * Return: 0, or -EINVAL (NULL argument), -EBADF (@fd is negative or not
 * open), -EBADFD (@fd is open but is not a dma-buf: a pipe, a file, a
 * socket...), -EMFILE, -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_import(struct dmaheap_ctx *ctx, int fd,
				  struct dmaheap_buf **ret);

/* ------------------------------------------------------------------------ */
/* Buffers                                                                  */
/* ------------------------------------------------------------------------ */

/**
 * dmaheap_buf_free() - release a buffer.
 * @buf: the buffer, or NULL.
 *
 * Ends any CPU access still open (one DMA_BUF_IOCTL_SYNC END covering the
 * directions still begun), unmaps any mapping still held, closes the
 * buffer's fd and drops its reference to the context. Nothing leaks, but
 * the caller's pointers into the mapping become invalid; only should the
 * kernel refuse the munmap (for lack of memory) does the mapping stay,
 * logged as a WARNING. Other fds of the same dma-buf
 * (dmaheap_buf_dup_fd(), the caller's own) stay valid.
 *
 * With the context's recycling pool on (dmaheap_ctx_set_pool()), a buffer
 * that passes the pool's safety check is kept for reuse instead of closed;
 * see "Recycling pool" for the rule and its cost in system calls.
 */
DMAHEAP_EXPORT void dmaheap_buf_free(struct dmaheap_buf *buf);

/**
 * dmaheap_buf_fd() - the buffer's dma-buf fd.
 * @buf: the buffer.
 *
 * Return: the fd (>= 0), borrowed: valid until dmaheap_buf_free(); or
 * -EINVAL if @buf is NULL.
 */
DMAHEAP_EXPORT int dmaheap_buf_fd(const struct dmaheap_buf *buf);

/**
 * dmaheap_buf_dup_fd() - a new fd for the buffer's dma-buf.
 * @buf: the buffer.
 *
 * For handing the buffer to another API or process that takes ownership.
 *
 * Return: a new O_CLOEXEC fd (>= 3 is not promised) owned by the caller; or
 * -EINVAL (NULL), -EMFILE.
 */
DMAHEAP_EXPORT int dmaheap_buf_dup_fd(const struct dmaheap_buf *buf);

/**
 * dmaheap_buf_release_fd() - free a buffer object but keep its fd.
 * @buf: the buffer; on success it is freed and must not be used again.
 *
 * The raw-fd form of every allocation: dmaheap_alloc_usage() or
 * dmaheap_alloc_from() then this gives a usage- or fallback-chosen fd to
 * gralloc-style code that keeps raw fds. Stats stay truthful: the
 * allocation was counted when it happened; from this call on the buffer
 * no longer counts in the live figures, as a dmaheap_alloc_fd()
 * allocation never did (the library cannot see the fd being closed).
 *
 * @since 0.2. Not to be called while another thread uses @buf.
 *
 * Return: the fd (>= 0), O_CLOEXEC, owned by the caller from now on; or
 * -EINVAL (NULL), -EBUSY (the buffer is mapped or inside CPU access: end
 * those first; the buffer is untouched).
 */
DMAHEAP_EXPORT int dmaheap_buf_release_fd(struct dmaheap_buf *buf);

/**
 * dmaheap_buf_size() - the buffer's size in bytes (page-rounded).
 * @buf: the buffer.
 *
 * Return: the size, or 0 if @buf is NULL.
 */
DMAHEAP_EXPORT size_t dmaheap_buf_size(const struct dmaheap_buf *buf);

/**
 * dmaheap_buf_heap_name() - the heap that served the buffer.
 * @buf: the buffer.
 *
 * Return: the heap name, valid as long as @buf; NULL for imported buffers or
 * a NULL @buf. A buffer received with dmaheap_buf_recv() (or in an image
 * from dmaheap_image_recv()) reports the heap its sender named, or NULL.
 */
DMAHEAP_EXPORT const char *dmaheap_buf_heap_name(const struct dmaheap_buf *buf);

/** Longest buffer name the kernel keeps, in bytes, without the NUL. */
#define DMAHEAP_NAME_MAX 31

/**
 * dmaheap_buf_set_name() - name the dma-buf (DMA_BUF_SET_NAME).
 * @buf: the buffer.
 * @name: up to DMAHEAP_NAME_MAX bytes; never truncated.
 *
 * The name shows as "name:" in /proc/<pid>/fdinfo/<fd> and in debugfs, for
 * every fd of the dma-buf. Linux 5.x refuses renaming a buffer that a device
 * has attached (-EBUSY).
 *
 * Return: 0, or -EINVAL (NULL argument), -ENAMETOOLONG (longer than
 * DMAHEAP_NAME_MAX; the kernel is not called), -EBUSY, -ENOTTY (kernel before
 * 5.8 has no naming), -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_buf_set_name(struct dmaheap_buf *buf,
					const char *name);

/**
 * dmaheap_fd_set_name() - name a raw dma-buf fd (DMA_BUF_SET_NAME).
 * @ctx: the context whose system-call layer to use.
 * @fd: a dma-buf fd (borrowed).
 * @name: as dmaheap_buf_set_name(); never truncated.
 *
 * The raw-fd form of dmaheap_buf_set_name(), for code that keeps fds
 * (dmaheap_alloc_fd()). @fd must be a dma-buf, checked as
 * dmaheap_sync_start() checks it (one fstatfs(2) for an fd the context
 * does not know yet): other drivers may give the request a meaning of
 * their own. Thread-safe.
 *
 * Return: 0, or -EINVAL (NULL argument), -EBADF, -EBADFD (@fd is not a
 * dma-buf), -ENAMETOOLONG (longer than DMAHEAP_NAME_MAX; the kernel is
 * not called), -EBUSY, -ENOTTY (kernel before 5.8), -ENOMEM.
 *
 * @since 0.2
 */
DMAHEAP_EXPORT int dmaheap_fd_set_name(struct dmaheap_ctx *ctx, int fd,
				       const char *name);

/* ------------------------------------------------------------------------ */
/* CPU access                                                               */
/* ------------------------------------------------------------------------ */

/** CPU access directions. */
enum dmaheap_access {
	DMAHEAP_ACCESS_READ = 1u << 0,
	DMAHEAP_ACCESS_WRITE = 1u << 1,
	DMAHEAP_ACCESS_RW = DMAHEAP_ACCESS_READ | DMAHEAP_ACCESS_WRITE,
};

/**
 * dmaheap_buf_map() - map the buffer into the caller's address space.
 * @buf: the buffer.
 * @addr: receives the address of the whole buffer.
 *
 * The first call mmap()s the whole buffer MAP_SHARED, read-write (read-only
 * for an import of a read-only fd); later calls return the same address and
 * count a reference, with no system call. Mapping alone does not make CPU
 * access coherent: bracket accesses with dmaheap_buf_begin_cpu_access() and
 * dmaheap_buf_end_cpu_access().
 *
 * Return: 0, or -EINVAL (NULL argument; or the exporter cannot be mapped),
 * -EPERM (a protected heap's buffer: the kernel is not asked), -EACCES,
 * -EAGAIN (over the locked-memory limit, with mlockall(MCL_FUTURE)),
 * -ENOMEM, -EOVERFLOW (more than UINT_MAX maps).
 */
DMAHEAP_EXPORT int dmaheap_buf_map(struct dmaheap_buf *buf, void **addr);

/**
 * dmaheap_buf_unmap() - drop one reference taken by dmaheap_buf_map().
 * @buf: the buffer.
 *
 * munmap()s when the last reference goes. Should the kernel refuse (for
 * lack of memory), nothing is unmapped: the buffer stays mapped with that
 * last reference, and a later call or dmaheap_buf_free() tries again.
 *
 * Return: 0, or -EINVAL (NULL, or the buffer is not mapped), -ENOMEM (the
 * kernel could not unmap).
 */
DMAHEAP_EXPORT int dmaheap_buf_unmap(struct dmaheap_buf *buf);

/**
 * dmaheap_buf_begin_cpu_access() - start CPU access (DMA_BUF_IOCTL_SYNC START).
 * @buf: the buffer.
 * @access: DMAHEAP_ACCESS_READ, _WRITE or _RW.
 *
 * Waits for devices writing (for READ) or using (for WRITE) the buffer and
 * makes caches coherent for the CPU. Interrupted waits (EINTR) are retried;
 * so is EAGAIN, up to 16 times in a row. Begins nest: each one must be
 * matched by an end with the same @access.
 *
 * Return: 0, or -EINVAL (NULL, @access 0 or with unknown bits), -EPERM (a
 * protected heap's buffer: the kernel is not asked), -EAGAIN, -EOVERFLOW
 * (more than UINT_MAX nested begins), or the exporter's error.
 */
DMAHEAP_EXPORT int dmaheap_buf_begin_cpu_access(struct dmaheap_buf *buf,
						unsigned int access);

/**
 * dmaheap_buf_end_cpu_access() - end CPU access (DMA_BUF_IOCTL_SYNC END).
 * @buf: the buffer.
 * @access: as given to the matching begin.
 *
 * Return: 0, or -EINVAL (NULL, bad @access, or no begin of each direction of
 * @access is open: then the kernel is not called), -EAGAIN, or the
 * exporter's error (the access still counts as ended).
 */
DMAHEAP_EXPORT int dmaheap_buf_end_cpu_access(struct dmaheap_buf *buf,
					      unsigned int access);

/**
 * dmaheap_sync_start() - DMA_BUF_IOCTL_SYNC START on a raw dma-buf fd.
 * @ctx: the context whose system-call layer to use; NULL means the real
 *	kernel, reached through the C library (so a program run under
 *	libdmaheap-mock-preload.so meets the mock there, for the mock's
 *	buffers).
 * @fd: a dma-buf fd (borrowed).
 * @access: DMAHEAP_ACCESS_READ, _WRITE or _RW.
 *
 * For code that keeps raw fds. Pairing is the caller's job. Retries as
 * dmaheap_buf_begin_cpu_access().
 *
 * @fd must be a dma-buf: a heap node would take the SYNC request for an
 * allocation and leak it. A context remembers the fd numbers it knows to be
 * dma-bufs: those dmaheap_alloc_fd() and dmaheap_buf_release_fd()
 * returned, and those an earlier call checked. For those the SYNC ioctl is
 * the only system call; any other fd is first checked with one fstatfs(2),
 * and with a NULL @ctx every call checks. The library cannot see the caller
 * close an fd: it forgets a number when it opens a heap node under it
 * itself, when it closes a buffer object's fd, or when the SYNC fails with
 * -EBADF or -ENOTTY. So do not close a dma-buf fd and pass this function a
 * device fd (a heap node above all) that was given the same number, with
 * the same context: pass NULL as @ctx for fds of unknown origin.
 *
 * Return: 0, or -EINVAL (bad @access), -EBADF, -EBADFD (@fd is not a
 * dma-buf), -ENOTTY (a remembered number now names a file without the
 * SYNC ioctl; the number is forgotten), -EAGAIN, or the exporter's error.
 */
DMAHEAP_EXPORT int dmaheap_sync_start(struct dmaheap_ctx *ctx, int fd,
				      unsigned int access);

/**
 * dmaheap_sync_end() - DMA_BUF_IOCTL_SYNC END on a raw dma-buf fd.
 * @ctx, @fd, @access: as dmaheap_sync_start().
 *
 * Return: as dmaheap_sync_start().
 */
DMAHEAP_EXPORT int dmaheap_sync_end(struct dmaheap_ctx *ctx, int fd,
				    unsigned int access);

/* ------------------------------------------------------------------------ */
/* Sync files                                                               */
/* ------------------------------------------------------------------------ */

/**
 * dmaheap_buf_export_sync_file() - the buffer's implicit fences as a sync file
 * (DMA_BUF_IOCTL_EXPORT_SYNC_FILE, Linux 6.0).
 * @buf: the buffer.
 * @access: DMAHEAP_ACCESS_READ: fences a reader must wait for (writes);
 *	DMAHEAP_ACCESS_WRITE or _RW: fences a writer must wait for (all).
 * @sync_fd: receives a sync_file fd, O_CLOEXEC, owned by the caller. It
 *	polls readable once the fences signal; with none, at once.
 *
 * Return: 0, or -EINVAL (NULL, bad @access), -ENOTTY (kernel without
 * CONFIG_SYNC_FILE or before 6.0), -ENOMEM, -EMFILE.
 */
DMAHEAP_EXPORT int dmaheap_buf_export_sync_file(struct dmaheap_buf *buf,
						unsigned int access,
						int *sync_fd);

/**
 * dmaheap_buf_import_sync_file() - attach a sync file's fence to the buffer
 * (DMA_BUF_IOCTL_IMPORT_SYNC_FILE, Linux 6.0).
 * @buf: the buffer.
 * @access: DMAHEAP_ACCESS_READ: add as a read fence; _WRITE or _RW: add as a
 *	write fence.
 * @sync_fd: a sync_file fd, borrowed: the caller still owns it.
 *
 * Return: 0, or -EINVAL (NULL, bad @access, @sync_fd not a sync file),
 * -EBADF, -ENOTTY (as export), -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_buf_import_sync_file(struct dmaheap_buf *buf,
						unsigned int access,
						int sync_fd);

/* ------------------------------------------------------------------------ */
/* Heap properties, aliases and usage-based allocation                      */
/* ------------------------------------------------------------------------ */

/** What a heap's memory is like. 0 means nothing is known. */
enum dmaheap_heap_props {
	/** CPU caches are used: CPU access must be bracketed by begin/end. */
	DMAHEAP_PROP_CACHED = 1u << 0,
	/** Mapped uncached (write-combined): no cache maintenance needed. */
	DMAHEAP_PROP_UNCACHED = 1u << 1,
	/** Physically contiguous memory. */
	DMAHEAP_PROP_CONTIGUOUS = 1u << 2,
	/** Protected (secure) memory: the CPU cannot map or access it. */
	DMAHEAP_PROP_PROTECTED = 1u << 3,
	/** The udmabuf pseudo-heap (memfd pages). */
	DMAHEAP_PROP_UDMABUF = 1u << 4,
	/**
	 * The kernel charges this heap's buffers to the memory cgroup of
	 * the process that allocates them: the "system" and
	 * "system_cc_shared" heaps of Linux 7.0+ booted with
	 * dma_heap.mem_accounting=1 (read from
	 * /sys/module/dma_heap/parameters/mem_accounting once per heap and
	 * context, when first needed). A fact of the running kernel, not of the name: it
	 * appears only in dmaheap_heap_list() entries, never in
	 * dmaheap_heap_props(), and cannot be declared
	 * (dmaheap_ctx_set_heap_props() and the policy file refuse it).
	 *
	 * On such a heap, a buffer the cgroup cannot hold brings the
	 * cgroup's OOM killer, which kills a process (often the caller),
	 * rather than an error. So before asking the kernel for a buffer of
	 * 1 MiB or more from such a heap (smaller ones read no file), the
	 * library reads the caller's cgroup (the "0::" line of
	 * /proc/self/cgroup) and, at that cgroup and every ancestor under
	 * /sys/fs/cgroup (the mount's root too: in a cgroup namespace it is
	 * the container's own), memory.max and memory.current. A buffer larger
	 * than memory.max minus memory.current at any level is refused with
	 * -ENOMEM and a DMAHEAP_LOG_WARNING naming the cgroup, the sizes and
	 * the memory.max to raise; exactly the free amount is allowed. Near
	 * the limit this is conservative: memory.current includes page cache
	 * the kernel could have reclaimed to make room, and the library
	 * prefers a clean -ENOMEM to the risk of the OOM killer. A level
	 * without memory.max (controller not enabled there) is passed over;
	 * when the files cannot be read at all, the kernel decides as
	 * before. Buffers recycled by a pool are charged already and are
	 * not checked.
	 */
	DMAHEAP_PROP_MEMCG = 1u << 5,
};

/** Where the library's knowledge of a heap came from. */
enum dmaheap_props_source {
	DMAHEAP_PROPS_UNKNOWN = 0,  /* nothing known */
	DMAHEAP_PROPS_BUILTIN = 1,  /* the library's table of upstream heaps */
	DMAHEAP_PROPS_NAME = 2,     /* a naming convention ("...uncached") */
	DMAHEAP_PROPS_CONFIG = 3,   /* the policy file */
	DMAHEAP_PROPS_API = 4,      /* dmaheap_ctx_set_heap_props() */
	/* the running kernel: in dmaheap_heap_list() entries only, a heap
	 * the other sources know nothing of whose name is a CMA area
	 * (dmaheap_heap_region()): contiguous, cached (since 0.2) */
	DMAHEAP_PROPS_KERNEL = 5,
};

/**
 * dmaheap_heap_props() - what the library knows about a heap.
 * @ctx: the context.
 * @heap: a heap name (not an alias); it need not exist.
 * @props: receives enum dmaheap_heap_props bits, 0 if unknown.
 *
 * First match wins: dmaheap_ctx_set_heap_props(), the policy file's "heap"
 * lines, the built-in table ("system": cached; "system-uncached":
 * uncached; "default_cma_region", "linux,cma", "reserved", "default-pool":
 * contiguous, cached; "protected,secure-video", "protected,trusted-ui",
 * "protected,secure-video-record": protected; "udmabuf": cached, udmabuf),
 * then naming conventions (a "protected," prefix or "secure" means
 * protected, "uncached" uncached, "cma" contiguous). Touches no file.
 *
 * Return: the enum dmaheap_props_source (>= 0), or -EINVAL.
 */
DMAHEAP_EXPORT int dmaheap_heap_props(struct dmaheap_ctx *ctx,
				      const char *heap, unsigned int *props);

/**
 * dmaheap_heap_region() - the kernel's memory region behind a heap name.
 * @ctx: the context.
 * @heap: a heap name (not an alias); it need not exist.
 * @buf: receives the region's name, NUL-terminated.
 * @len: size of @buf.
 *
 * For a CMA heap, the name of its CMA area, as listed in /sys/kernel/mm/cma/
 * (CONFIG_CMA_SYSFS). Two heap names with the same region are one pool of
 * memory, not two: from Linux 6.17 the default CMA area is the heap
 * "default_cma_region" and usually also a heap under its legacy name
 * ("reserved" for cma= or CONFIG_CMA_SIZE_MBYTES, "linux,cma" or a
 * device-tree node name); filling one fills the other. No kernel file
 * states that; the library decides: a heap named after an area in
 * /sys/kernel/mm/cma/ is that area; "default_cma_region" is the
 * reserved-memory node with linux,cma-default in /proc/device-tree, else
 * the area "reserved" if listed, else the only area listed. Reads those
 * directories on every call (nothing is cached); thread-safe.
 *
 * Return: 0, or -EINVAL (NULL, @len 0, bad name), -ENODATA (no region
 * known: not a CMA heap, no CMA sysfs, or several areas and none marked
 * default), -ERANGE (@buf too small).
 */
DMAHEAP_EXPORT int dmaheap_heap_region(struct dmaheap_ctx *ctx,
				       const char *heap, char *buf, size_t len);

/**
 * dmaheap_heap_region_size() - how large the region behind a heap is.
 * @ctx: the context.
 * @heap: a heap name (not an alias); it need not exist.
 * @bytes: receives the size of the heap's region, in bytes.
 *
 * The region as dmaheap_heap_region() finds it; its size from the CMA
 * area's total_pages in /sys/kernel/mm/cma/ (Linux 7.3 has the file, 6.12
 * does not) times the page size. All heap names of one region report the
 * same size: it is one pool. Reads those files on every call (nothing is
 * cached); thread-safe.
 *
 * Return: 0, or -EINVAL (NULL, bad name), -ENODATA (no region known, or
 * the kernel does not say its size), -ENOMEM.
 *
 * @since 0.2
 */
DMAHEAP_EXPORT int dmaheap_heap_region_size(struct dmaheap_ctx *ctx,
					    const char *heap, uint64_t *bytes);

/**
 * dmaheap_ctx_set_heap_props() - tell the library what a heap is like.
 * @ctx: the context.
 * @heap: a heap name (not an alias).
 * @props: enum dmaheap_heap_props bits; overrides every other source.
 *
 * For vendor heaps the built-in rules cannot know. Thread-safe.
 *
 * Return: 0, or -EINVAL (bad name, unknown bits, both CACHED and UNCACHED),
 * -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_ctx_set_heap_props(struct dmaheap_ctx *ctx,
					      const char *heap,
					      unsigned int props);

/**
 * dmaheap_heap_resolve() - what a name stands for here.
 * @ctx: the context.
 * @name: a heap name or an alias.
 * @heap: receives the name of the heap that would serve: for an alias the
 *	first member that can be opened, otherwise @name's heap once it can be
 *	opened. Valid as long as @ctx.
 *
 * Opens (and caches) heap nodes as needed. Always looks afresh, and what it
 * finds is what later allocations through @name use (see
 * dmaheap_ctx_rescan()).
 *
 * Return: 0, or -EINVAL, or for an alias with no usable member the most
 * telling of its members' errors (as dmaheap_alloc_from()), or the errors
 * of dmaheap_heap_open().
 */
DMAHEAP_EXPORT int dmaheap_heap_resolve(struct dmaheap_ctx *ctx,
					const char *name, const char **heap);

/**
 * dmaheap_ctx_set_alias() - define, redefine or remove an alias.
 * @ctx: the context.
 * @alias: the alias: a valid heap name, not "udmabuf". An alias hides a
 *	heap of the same name.
 * @heaps: its members, heap names tried in order (not aliases); @n of them.
 * @n: 1 to 128 members, or 0 to remove the alias (built-in ones too).
 *
 * Aliases do not nest: a member always names a heap, never another alias,
 * so the heap whose properties the usage policy checked is the heap that
 * serves. A definition that would nest is refused, whichever comes first:
 * a member that is another alias, or @alias being a member of another
 * alias (the built-in "cma" included: remove or redefine it first). An
 * alias may list the heap of its own name, which it hides.
 *
 * Thread-safe.
 *
 * Return: 0, or -EINVAL (bad names or @n, or the definition would nest),
 * -ENOENT (removing an alias that does not exist), -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_ctx_set_alias(struct dmaheap_ctx *ctx,
					 const char *alias,
					 const char *const heaps[], size_t n);

/**
 * struct dmaheap_alias_info - one entry of dmaheap_alias_list().
 * @alias: the alias.
 * @members: its members in order, space-separated.
 * @heap: the member it resolves to here, or NULL.
 * @error: 0 if @heap is set, else the error dmaheap_heap_resolve() gives.
 */
struct dmaheap_alias_info {
	const char *alias;
	const char *members;
	const char *heap;
	int error;
};

/**
 * dmaheap_alias_list() - the aliases of a context and what they resolve to.
 * @ctx: the context.
 * @ret: receives an array sorted by alias, owned by the caller: release it
 *	with dmaheap_alias_list_free().
 *
 * Return: the number of entries, or -EINVAL, -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_alias_list(struct dmaheap_ctx *ctx,
				      struct dmaheap_alias_info **ret);

/**
 * dmaheap_alias_list_free() - release an array from dmaheap_alias_list().
 * @list: the array, or NULL.
 */
DMAHEAP_EXPORT void dmaheap_alias_list_free(struct dmaheap_alias_info *list);

/** How a buffer will be used (the @usage of dmaheap_alloc_usage()). */
enum dmaheap_usage {
	/** The CPU reads the buffer often (bracketed by begin/end). */
	DMAHEAP_USAGE_CPU_READ_OFTEN = 1u << 0,
	/** The CPU writes the buffer often (bracketed by begin/end). */
	DMAHEAP_USAGE_CPU_WRITE_OFTEN = 1u << 1,
	/** The CPU touches the buffer rarely. */
	DMAHEAP_USAGE_CPU_RARELY = 1u << 2,
	/** Only devices touch the buffer; the CPU never maps it. */
	DMAHEAP_USAGE_DEVICE_ONLY = 1u << 3,
	/** Requirement: physically contiguous memory. */
	DMAHEAP_USAGE_CONTIGUOUS = 1u << 4,
	/** Requirement: protected memory. */
	DMAHEAP_USAGE_PROTECTED = 1u << 5,
	/** Requirement: uncached memory, because the CPU will access the
	 * buffer without begin/end brackets. */
	DMAHEAP_USAGE_UNCACHED = 1u << 6,
	/*
	 * Device usages (@since 0.2): the devices that will read or write
	 * the buffer, as a gralloc routes them. Any of them may be combined
	 * with each other and with the bits above. A device without an
	 * IOMMU needs physically contiguous memory: see "Device usages".
	 */
	/** A camera (ISP, capture interface) writes the buffer. */
	DMAHEAP_USAGE_CAMERA_WRITE = 1u << 7,
	/** A display controller scans the buffer out. */
	DMAHEAP_USAGE_DISPLAY_SCANOUT = 1u << 8,
	/** A video decoder writes the buffer. */
	DMAHEAP_USAGE_VIDEO_DECODE = 1u << 9,
	/** A video encoder reads the buffer. */
	DMAHEAP_USAGE_VIDEO_ENCODE = 1u << 10,
	/** The GPU samples the buffer as a texture. */
	DMAHEAP_USAGE_GPU_TEXTURE = 1u << 11,
	/** The GPU renders into the buffer. */
	DMAHEAP_USAGE_GPU_RENDER = 1u << 12,
};

/**
 * dmaheap_usage_name() - the word that names one usage bit. @since 0.2
 * @usage: one enum dmaheap_usage bit, or 0.
 *
 * The words are the policy file's ("Heap policy"), also used by the
 * `dmaheap` tool and the GStreamer plugin: the bit's name in lower case
 * with '-' for '_' ("camera-write" for DMAHEAP_USAGE_CAMERA_WRITE), and
 * "default" for 0. Safe from any thread; needs no context.
 *
 * Return: a static string (not to be freed), or NULL when @usage is not
 * 0 or exactly one known bit.
 */
DMAHEAP_EXPORT const char *dmaheap_usage_name(unsigned int usage);

/**
 * dmaheap_usage_from_name() - the usage bit a word names. @since 0.2
 * @name: a word as dmaheap_usage_name() gives them; "default" is 0.
 *	Exact and case-sensitive.
 * @usage: set to the bit (or 0) on success, untouched on failure.
 *
 * For parsing usages from a configuration or a command line; combine the
 * bits of several words with |. Safe from any thread; needs no context.
 *
 * Return: 0, or -EINVAL (NULL argument, or not a usage word).
 */
DMAHEAP_EXPORT int dmaheap_usage_from_name(const char *name,
					   unsigned int *usage);

/**
 * Heap policy: how dmaheap_alloc_usage() picks a heap.
 *
 * A policy is an ordered list of rules. A rule names usage bits and a list
 * of heaps (or aliases) to try; the first rule whose bits are all in the
 * request applies (a rule with no bits, "default", applies to anything).
 * Rules from dmaheap_ctx_add_rule() come first, newest first; then rules
 * of the policy file in file order; then the built-in rules:
 *
 *   protected        protected,secure-video protected,trusted-ui
 *                    protected,secure-video-record
 *   contiguous       cma
 *   uncached         system-uncached
 *   cpu-read-often   system udmabuf
 *   display-scanout  system-uncached system
 *   device-only      system-uncached system udmabuf
 *   default          system udmabuf
 *
 * (Reading uncached memory is slow, so CPU_READ_OFTEN keeps cached memory
 * before any device rule; a display controller does not snoop the CPU's
 * caches, so scanout prefers uncached memory, and never the udmabuf
 * pseudo-heap. A request of CPU bits alone meets these rules as it met
 * those of 0.1, and gets the same heaps.)
 *
 * Of the rule's heaps, those whose properties break a requirement are
 * skipped, never tried: CONTIGUOUS needs DMAHEAP_PROP_CONTIGUOUS, UNCACHED
 * needs DMAHEAP_PROP_UNCACHED, PROTECTED needs DMAHEAP_PROP_PROTECTED, and
 * a protected heap serves only PROTECTED requests. A heap whose properties
 * are unknown meets no requirement. So the library never hands back cached
 * memory for UNCACHED, scattered memory for CONTIGUOUS, or unprotected
 * memory for PROTECTED: the allocation fails instead. The remaining heaps
 * are tried in order, moving on as dmaheap_alloc_from() does.
 *
 * The policy file (struct dmaheap_options.policy_file) has one statement
 * per line; '#' starts a comment:
 *
 *   rule WORD... = HEAP...     WORDs: default, cpu-read-often,
 *                              cpu-write-often, cpu-rarely, device-only,
 *                              contiguous, protected, uncached, and the
 *                              DEVICEs below
 *   device DEVICE... = iommu   the DEVICEs reach scattered memory
 *   device DEVICE... = contiguous
 *                              they need physically contiguous memory
 *                              (DEVICEs: camera-write, display-scanout,
 *                              video-decode, video-encode, gpu-texture,
 *                              gpu-render)
 *   heap NAME = PROP...        PROPs: cached, uncached, contiguous,
 *                              protected
 *   alias NAME = HEAP...       HEAPs are heaps, not aliases: a line
 *                              that would nest aliases is an error
 *
 * A file with an error makes dmaheap_ctx_new_with() fail with -EINVAL and
 * log "FILE:LINE: what is wrong: 'the word at fault'". A NUL byte is such
 * an error (the file is text).
 */

/**
 * Device usages: the DMAHEAP_USAGE_CAMERA_WRITE ... _GPU_RENDER bits.
 *
 * A device that reaches memory through an IOMMU (or an MMU of its own)
 * can use scattered pages; one without needs physically contiguous
 * memory, and a scattered buffer would be refused when the device imports
 * it, or worse. So each device bit in a request adds the requirement
 * DMAHEAP_USAGE_CONTIGUOUS when that device has no IOMMU, before the
 * rules are matched: then the "contiguous" rules apply and only
 * contiguous heaps are tried. dmaheap_usage_requirements() says what a
 * request comes to.
 *
 * Whether a device has an IOMMU is, first match wins: what was declared
 * last for it, by a "device" line of the policy file or
 * dmaheap_ctx_set_device_iommu(); for the GPU, yes (GPUs translate
 * addresses with an MMU of their own); for camera, display and video,
 * probed once per context, when a request first carries one of their
 * bits: a board described by a device tree (/proc/device-tree has an
 * entry) with no IOMMU registered (no entry in /sys/class/iommu) has
 * none, anything else has one. A PC (ACPI, no device tree) reads as
 * having an IOMMU: its display and video engines are parts of a GPU. The
 * probe reads those two directories through the context's system-call
 * layer (a directory that is absent or cannot be read counts as empty)
 * and logs its verdict at DMAHEAP_LOG_INFO; short of memory or fds, it
 * decides nothing, the request goes as with an IOMMU, and the next one
 * probes again. It cannot see that an IOMMU serves one device and not
 * another: declare such devices in the policy file.
 *
 * dmaheap_usage_plan() and the tool's "dmaheap plan USAGE..." show the
 * outcome.
 */

/**
 * dmaheap_ctx_set_device_iommu() - declare whether devices have an IOMMU.
 * @ctx: the context.
 * @devices: device usage bits (DMAHEAP_USAGE_CAMERA_WRITE ... _GPU_RENDER),
 *	at least one, nothing else.
 * @iommu: non-zero: these devices reach scattered memory; 0: they need
 *	physically contiguous memory.
 *
 * Overrides the probe and the policy file for these devices; later calls
 * override earlier ones. @since 0.2. Thread-safe.
 *
 * Return: 0, or -EINVAL (NULL @ctx, @devices 0 or with other bits).
 */
DMAHEAP_EXPORT int dmaheap_ctx_set_device_iommu(struct dmaheap_ctx *ctx,
						unsigned int devices,
						int iommu);

/**
 * dmaheap_usage_requirements() - what a usage comes to on this machine.
 * @ctx: the context.
 * @usage: as dmaheap_alloc_usage().
 * @effective: receives @usage with the requirements its devices add
 *	(DMAHEAP_USAGE_CONTIGUOUS for a device without an IOMMU): the bits
 *	the policy's rules are matched against.
 *
 * May probe for an IOMMU (see "Device usages"). @since 0.2. Thread-safe.
 *
 * Return: 0, or -EINVAL (NULL argument, bad or contradictory @usage).
 */
DMAHEAP_EXPORT int dmaheap_usage_requirements(struct dmaheap_ctx *ctx,
					      unsigned int usage,
					      unsigned int *effective);

/**
 * dmaheap_ctx_add_rule() - put a rule in front of the context's policy.
 * @ctx: the context.
 * @usage: enum dmaheap_usage bits the rule applies to; 0 for all.
 * @heaps: heap names or aliases to try, in order; @n of them (1 to 128).
 * @n: number of names.
 *
 * Thread-safe.
 *
 * Return: 0, or -EINVAL (bad bits, names or @n), -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_ctx_add_rule(struct dmaheap_ctx *ctx,
					unsigned int usage,
					const char *const heaps[], size_t n);

/**
 * dmaheap_usage_plan() - the heaps dmaheap_alloc_usage() would try.
 * @ctx: the context.
 * @usage: as dmaheap_alloc_usage().
 * @ret: receives the candidates in order, aliases resolved, those breaking
 *	a requirement (the devices' included, see
 *	dmaheap_usage_requirements()) left out; @error says whether each
 *	can be opened. Release with dmaheap_heap_list_free().
 *
 * Return: the number of candidates (0: nothing here meets the
 * requirements), or -EINVAL, -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_usage_plan(struct dmaheap_ctx *ctx,
				      unsigned int usage,
				      struct dmaheap_heap_info **ret);

/**
 * dmaheap_alloc_usage() - allocate from the heap the policy picks.
 * @ctx: the context.
 * @usage: enum dmaheap_usage bits. DEVICE_ONLY and PROTECTED exclude the
 *	CPU_* bits. Device bits may add requirements (see "Device
 *	usages").
 * @size, @flags, @ret: as dmaheap_alloc().
 *
 * dmaheap_buf_heap_name() and dmaheap_buf_props() tell what was picked.
 *
 * The candidates for @usage are worked out once per policy generation and
 * then read without a lock. Working out the first registers the process
 * for membarrier(2)'s private expedited barrier (Linux 4.14 and later), so
 * that reading them takes no locked instruction either; replacing them
 * after a policy change or a rescan then makes every running thread of
 * the process execute a memory barrier (one system call). Where
 * membarrier is refused, readers use locked instructions instead.
 * dmaheap_usage_plan() reads the same candidates.
 *
 * Return: 0, or -EINVAL (bad or contradictory @usage, and as
 * dmaheap_alloc()), -ENOENT (no heap here meets the requirements), or
 * when every candidate failed, the most telling error as
 * dmaheap_alloc_from().
 */
DMAHEAP_EXPORT int dmaheap_alloc_usage(struct dmaheap_ctx *ctx,
				       unsigned int usage, size_t size,
				       unsigned int flags,
				       struct dmaheap_buf **ret);

/**
 * dmaheap_buf_props() - the properties of the heap that served a buffer.
 * @buf: the buffer.
 *
 * Return: enum dmaheap_heap_props bits; 0 for imports, unknown heaps and a
 * NULL @buf. A received buffer (dmaheap_buf_recv()) reports what its sender
 * described.
 */
DMAHEAP_EXPORT unsigned int dmaheap_buf_props(const struct dmaheap_buf *buf);

/* ------------------------------------------------------------------------ */
/* Accounting                                                               */
/* ------------------------------------------------------------------------ */

/**
 * struct dmaheap_stats - allocation accounting of one context.
 * @live_buffers: buffer objects allocated and not yet freed.
 * @live_bytes: their total size.
 * @peak_bytes: the highest @live_bytes has been.
 * @allocations: successful allocations (buffer objects and raw fds).
 * @failures: allocations that failed after their arguments were accepted,
 *	including those that failed after the kernel handed out the buffer
 *	(the library's own bookkeeping failed; the buffer was closed).
 */
struct dmaheap_stats {
	uint64_t live_buffers;
	uint64_t live_bytes;
	uint64_t peak_bytes;
	uint64_t allocations;
	uint64_t failures;
};

/**
 * dmaheap_ctx_stats() - read a context's accounting.
 * @ctx: the context.
 * @heap: a heap name for that heap's figures, or NULL for all heaps.
 * @out: receives the figures. They are kept without a lock, so threads
 *	allocating at once do not wait for each other; read while others
 *	allocate, the figures may be from moments a few instructions apart
 *	(@peak_bytes is never shown below @live_bytes). Once the threads are
 *	done, they are exact.
 *
 * A heap has figures once an allocation has been tried on it (a failed one
 * too); listing, opening or resolving it gives none. A failure on a heap
 * that does not exist counts only in the total. The total's
 * @peak_bytes is the peak of the total, not a sum of peaks.
 *
 * Return: 0, or -EINVAL (NULL @ctx or @out, bad heap name), -ENOENT (no
 * figures for @heap).
 */
DMAHEAP_EXPORT int dmaheap_ctx_stats(struct dmaheap_ctx *ctx, const char *heap,
				     struct dmaheap_stats *out);

/* ------------------------------------------------------------------------ */
/* Images: DRM-fourcc layouts and buffers that hold them        @since 0.2  */
/* ------------------------------------------------------------------------ */

/**
 * Images: a picture of a DRM format (a fourcc of libdrm's drm_fourcc.h,
 * e.g. DRM_FORMAT_NV12) and a size, laid out in one dma-buf with its planes
 * at offsets, or in one dma-buf per plane.
 *
 * Layout rules (dmaheap_image_layout() computes them, allocation uses them):
 *  - Plane 0 covers width x height pixels; planes 1 and 2 of a YUV format
 *    cover DIV_ROUND_UP(width, hsub) x DIV_ROUND_UP(height, vsub): odd sizes
 *    round up. Packed YUV (YUYV...) stores 2-pixel blocks: odd widths round
 *    up to whole blocks.
 *  - The height is first rounded up to the height alignment.
 *  - A plane's stride is its row of blocks rounded up to the stride
 *    alignment. Without alignment this is V4L2's convention (a chroma
 *    plane's stride is plane 0's scaled by its subsampling: NV12 equal,
 *    YUV420 half); the README compares odd sizes with V4L2, DRM and
 *    GStreamer.
 *  - A plane's size is stride x rows. In one dma-buf, plane i + 1 starts at
 *    the end of plane i rounded up to the offset alignment; the image size
 *    is the end of the last plane rounded up to the size alignment. With
 *    one dma-buf per plane, every offset is 0 and every plane's size is
 *    rounded up to the size alignment.
 *  - Only DRM_FORMAT_MOD_LINEAR (0) is supported.
 *
 * The README's "Images" section lists the formats and how these layouts
 * compare with V4L2 (vivid), DRM dumb buffers (vgem) and GStreamer.
 */

struct dmaheap_image;

/** Most planes an image has. */
#define DMAHEAP_IMAGE_MAX_PLANES 4

/** Largest alignment a constraint may ask for, in bytes or rows. */
#define DMAHEAP_IMAGE_ALIGN_MAX (1u << 20)

/** Where the planes of an image go (struct dmaheap_image_constraints). */
enum dmaheap_image_placement {
	/** No preference: one dma-buf, planes at offsets. */
	DMAHEAP_PLANES_ANY = 0,
	/** Required: one dma-buf, planes at offsets (libcamera, GBM). */
	DMAHEAP_PLANES_ONE_BUFFER = 1,
	/** Required: one dma-buf per plane (V4L2 "M" formats like NV12M). */
	DMAHEAP_PLANES_SEPARATE = 2,
};

/**
 * struct dmaheap_image_constraints - what a consumer needs of a layout.
 * @stride_align: every plane's stride is a multiple of this (bytes); 0 or 1
 *	for none. E.g. 256 for many GPUs, 32 or 64 for ISPs.
 * @offset_align: every plane's offset is a multiple of this (bytes).
 * @height_align: the height is rounded up to a multiple of this (rows of
 *	plane 0), e.g. 16 for a video encoder's macroblocks.
 * @size_align: the image size (each plane's, with separate planes) is a
 *	multiple of this (bytes).
 * @placement: enum dmaheap_image_placement.
 *
 * All-zero means no constraint. Alignments need not be powers of two; each
 * must be at most DMAHEAP_IMAGE_ALIGN_MAX.
 */
struct dmaheap_image_constraints {
	uint32_t stride_align;
	uint32_t offset_align;
	uint32_t height_align;
	uint32_t size_align;
	uint32_t placement;
};

/**
 * struct dmaheap_image_spec - what image to lay out or allocate.
 * @fourcc: a DRM format (DRM_FORMAT_*).
 * @width: pixels, at least 1.
 * @height: rows, at least 1.
 * @modifier: DRM_FORMAT_MOD_LINEAR (0); nothing else is supported.
 * @constraints: what the consumers need; zeros for nothing.
 */
struct dmaheap_image_spec {
	uint32_t fourcc;
	uint32_t width;
	uint32_t height;
	uint64_t modifier;
	struct dmaheap_image_constraints constraints;
};

/**
 * struct dmaheap_plane_layout - one plane of an image.
 * @buffer: index of the dma-buf that holds the plane: 0 when planes share
 *	one, the plane's own index when they are separate.
 * @stride: bytes from one row to the next.
 * @offset: bytes from the start of the dma-buf to the plane.
 * @size: bytes of the plane: stride x rows.
 */
struct dmaheap_plane_layout {
	uint32_t buffer;
	uint32_t stride;
	uint64_t offset;
	uint64_t size;
};

/**
 * struct dmaheap_image_layout - where every byte of an image is.
 * @fourcc, @width, @height, @modifier: as in the spec.
 * @padded_height: @height rounded up to the height alignment.
 * @n_planes: planes of the format (1 to DMAHEAP_IMAGE_MAX_PLANES).
 * @n_buffers: dma-bufs: 1, or @n_planes with separate planes.
 * @planes: the first @n_planes are set; the rest are zero.
 * @buffer_size: bytes each dma-buf needs: @buffer_size[i] for buffer i,
 *	before the page rounding allocation adds.
 * @size: bytes of the image: the sum of @buffer_size.
 */
struct dmaheap_image_layout {
	uint32_t fourcc;
	uint32_t width;
	uint32_t height;
	uint32_t padded_height;
	uint64_t modifier;
	uint32_t n_planes;
	uint32_t n_buffers;
	struct dmaheap_plane_layout planes[DMAHEAP_IMAGE_MAX_PLANES];
	uint64_t buffer_size[DMAHEAP_IMAGE_MAX_PLANES];
	uint64_t size;
};

/**
 * dmaheap_format_name() - spell a DRM fourcc.
 * @fourcc: any 32-bit value.
 * @buf: receives e.g. "NV12", "R8" (trailing spaces dropped), or for
 *	bytes that are not printable "0x3231564e"; NUL-terminated.
 * @len: size of @buf; 11 bytes always suffice.
 *
 * @since 0.2. Thread-safe; touches no state.
 *
 * Return: @buf, or NULL if @buf is NULL or @len too small for the result.
 */
DMAHEAP_EXPORT const char *dmaheap_format_name(uint32_t fourcc, char *buf,
					       size_t len);

/**
 * dmaheap_format_parse() - the fourcc of a format named in text.
 * @name: the name of drm_fourcc.h with or without its "DRM_FORMAT_" prefix
 *	("NV12", "XRGB8888", "YUV420"), or the four-character code ("XR24",
 *	"YU12", "R8"); case does not matter.
 * @fourcc: receives the DRM fourcc.
 *
 * Only formats the library can lay out are found.
 *
 * @since 0.2. Thread-safe.
 *
 * Return: 0, or -EINVAL (NULL argument, a name the library does not know).
 */
DMAHEAP_EXPORT int dmaheap_format_parse(const char *name, uint32_t *fourcc);

/**
 * dmaheap_format_planes() - whether the library knows a format.
 * @fourcc: a DRM format.
 *
 * @since 0.2. Thread-safe.
 *
 * Return: the number of planes of @fourcc (1 to DMAHEAP_IMAGE_MAX_PLANES),
 * or -EINVAL if the library has no layout for it.
 */
DMAHEAP_EXPORT int dmaheap_format_planes(uint32_t fourcc);

/**
 * dmaheap_format_at() - enumerate the formats the library can lay out.
 * @index: 0, 1, 2, ...
 *
 * @since 0.2. Thread-safe.
 *
 * Return: the DRM fourcc of the @index-th format of the library's table, or
 * 0 (DRM_FORMAT_INVALID) past the end.
 */
DMAHEAP_EXPORT uint32_t dmaheap_format_at(unsigned int index);

/**
 * dmaheap_image_constraints_merge() - one set of constraints for two
 * consumers.
 * @ctx: a context for logging why a merge fails, or NULL.
 * @a: the first consumer's constraints.
 * @b: the second's. @a, @b and @out may be the same object.
 * @out: receives constraints satisfying both: each alignment the least
 *	common multiple of the two, the placement the one required.
 *
 * Merge more consumers by merging the result with the next one.
 *
 * @since 0.2. Thread-safe.
 *
 * Return: 0, or -EINVAL: a NULL argument, an alignment over
 * DMAHEAP_IMAGE_ALIGN_MAX or an unknown placement in @a or @b, one
 * requiring one dma-buf while the other requires separate planes, or a
 * common multiple over DMAHEAP_IMAGE_ALIGN_MAX (e.g. of 1000000 and
 * 1024). The reason is logged at WARNING.
 */
DMAHEAP_EXPORT int dmaheap_image_constraints_merge(
	struct dmaheap_ctx *ctx, const struct dmaheap_image_constraints *a,
	const struct dmaheap_image_constraints *b,
	struct dmaheap_image_constraints *out);

/**
 * dmaheap_image_layout() - compute an image's layout without allocating.
 * @ctx: a context for logging why a spec is refused, or NULL.
 * @spec: the image.
 * @out: receives the layout.
 *
 * @since 0.2. Thread-safe; makes no system call.
 *
 * Return: 0, or
 *  -EINVAL: NULL @spec or @out, zero width or height, bad constraints (as
 *	dmaheap_image_constraints_merge()), or a fourcc the library has no
 *	layout for (logged with its name, e.g. 'NV99');
 *  -EOPNOTSUPP: a modifier other than DRM_FORMAT_MOD_LINEAR (logged);
 *  -EOVERFLOW: a stride over UINT32_MAX, or a plane, offset or total size
 *	over SIZE_MAX or INT64_MAX (what mmap(2) and lseek(2) can express).
 */
DMAHEAP_EXPORT int dmaheap_image_layout(struct dmaheap_ctx *ctx,
					const struct dmaheap_image_spec *spec,
					struct dmaheap_image_layout *out);

/**
 * dmaheap_image_alloc() - allocate an image from a heap.
 * @ctx: the context.
 * @heap: heap name or alias, as dmaheap_alloc().
 * @spec: the image.
 * @flags: enum dmaheap_alloc_flags bits, as dmaheap_alloc().
 * @ret: receives the image, owned by the caller (dmaheap_image_free()).
 *
 * The layout is computed first, so a bad spec fails before any heap is
 * touched. Each dma-buf is a buffer of dmaheap_alloc() (page-rounded,
 * counted in the stats as a live buffer until dmaheap_image_free()).
 *
 * @since 0.2. Thread-safe as dmaheap_alloc().
 *
 * Return: 0, or the errors of dmaheap_image_layout() and dmaheap_alloc().
 * Nothing is left allocated on failure.
 */
DMAHEAP_EXPORT int dmaheap_image_alloc(struct dmaheap_ctx *ctx,
				       const char *heap,
				       const struct dmaheap_image_spec *spec,
				       unsigned int flags,
				       struct dmaheap_image **ret);

/**
 * dmaheap_image_alloc_from() - allocate an image from the first heap of a
 * list that can.
 * @ctx, @heaps, @n: as dmaheap_alloc_from().
 * @spec, @flags, @ret: as dmaheap_image_alloc().
 *
 * The first dma-buf picks the heap as dmaheap_alloc_from() does; further
 * dma-bufs (separate planes) come from the same heap.
 *
 * @since 0.2.
 *
 * Return: the index in @heaps of the heap that served (>= 0), or the errors
 * of dmaheap_image_layout() and dmaheap_alloc_from().
 */
DMAHEAP_EXPORT int dmaheap_image_alloc_from(
	struct dmaheap_ctx *ctx, const char *const heaps[], size_t n,
	const struct dmaheap_image_spec *spec, unsigned int flags,
	struct dmaheap_image **ret);

/**
 * dmaheap_image_alloc_usage() - allocate an image from the heap the usage
 * policy picks.
 * @ctx, @usage: as dmaheap_alloc_usage().
 * @spec, @flags, @ret: as dmaheap_image_alloc().
 *
 * The first dma-buf picks the heap as dmaheap_alloc_usage() does; further
 * dma-bufs (separate planes) come from the same heap.
 *
 * @since 0.2.
 *
 * Return: 0, or the errors of dmaheap_image_layout() and
 * dmaheap_alloc_usage().
 */
DMAHEAP_EXPORT int dmaheap_image_alloc_usage(
	struct dmaheap_ctx *ctx, unsigned int usage,
	const struct dmaheap_image_spec *spec, unsigned int flags,
	struct dmaheap_image **ret);

/**
 * dmaheap_image_import() - wrap existing dma-buf fds as an image.
 * @ctx: the context.
 * @layout: the image's layout, e.g. from dmaheap_image_layout() or a
 *	producer's description; copied.
 * @fds: @layout->n_buffers dma-buf fds, borrowed: each is duplicated as by
 *	dmaheap_import(), the caller keeps its own.
 * @n_fds: number of fds; must equal @layout->n_buffers.
 * @ret: receives the image, owned by the caller.
 *
 * The layout is checked for sense (a known format, planes that fit their
 * buffers without overlapping, strides no smaller than a row) and against
 * the fds: each dma-buf must be at least the size the layout says.
 *
 * @since 0.2.
 *
 * Return: 0, or -EINVAL (NULL argument, @n_fds wrong, an inconsistent
 * layout: logged), -EMSGSIZE (a dma-buf smaller than its layout needs:
 * logged with both sizes), or the errors of dmaheap_import().
 */
DMAHEAP_EXPORT int dmaheap_image_import(struct dmaheap_ctx *ctx,
					const struct dmaheap_image_layout *layout,
					const int fds[], size_t n_fds,
					struct dmaheap_image **ret);

/**
 * dmaheap_image_free() - release an image and its dma-bufs.
 * @img: the image, or NULL.
 *
 * As dmaheap_buf_free() on each of its buffers.
 *
 * @since 0.2.
 */
DMAHEAP_EXPORT void dmaheap_image_free(struct dmaheap_image *img);

/**
 * dmaheap_image_get_layout() - an image's layout.
 * @img: the image.
 *
 * @since 0.2.
 *
 * Return: the layout, valid as long as @img; NULL if @img is NULL.
 */
DMAHEAP_EXPORT const struct dmaheap_image_layout *
dmaheap_image_get_layout(const struct dmaheap_image *img);

/**
 * dmaheap_image_buf() - one of an image's dma-bufs as a buffer object.
 * @img: the image.
 * @index: 0 to n_buffers - 1 (struct dmaheap_plane_layout.buffer).
 *
 * For what buffers offer beyond images: the heap name and properties,
 * sync files, dmaheap_buf_dup_fd(), naming.
 *
 * @since 0.2.
 *
 * Return: the buffer, borrowed: owned by @img, valid until
 * dmaheap_image_free(); NULL if @img is NULL or @index out of range.
 */
DMAHEAP_EXPORT struct dmaheap_buf *
dmaheap_image_buf(const struct dmaheap_image *img, unsigned int index);

/**
 * dmaheap_image_plane_fd() - the dma-buf fd that holds a plane.
 * @img: the image.
 * @plane: 0 to n_planes - 1.
 *
 * @since 0.2.
 *
 * Return: the fd (>= 0), borrowed: valid until dmaheap_image_free(); or
 * -EINVAL (NULL @img, @plane out of range).
 */
DMAHEAP_EXPORT int dmaheap_image_plane_fd(const struct dmaheap_image *img,
					  unsigned int plane);

/**
 * dmaheap_image_map() - map every plane of an image.
 * @img: the image.
 * @planes: receives the address of each plane (the first n_planes entries;
 *	the rest are set to NULL), valid until the matching
 *	dmaheap_image_unmap().
 *
 * Maps each dma-buf as dmaheap_buf_map() (counted, shared with other
 * mappings of the same buffer objects). All or nothing: a failure leaves
 * nothing mapped by this call.
 *
 * @since 0.2. Thread-safe as dmaheap_buf_map().
 *
 * Return: 0, or -EINVAL (NULL argument), and the errors of
 * dmaheap_buf_map().
 */
DMAHEAP_EXPORT int dmaheap_image_map(struct dmaheap_image *img,
				     void *planes[DMAHEAP_IMAGE_MAX_PLANES]);

/**
 * dmaheap_image_unmap() - drop the mappings one dmaheap_image_map() took.
 * @img: the image.
 *
 * @since 0.2.
 *
 * Return: 0, or -EINVAL (NULL, or not mapped), or the first error of
 * dmaheap_buf_unmap() (every buffer is still unmapped).
 */
DMAHEAP_EXPORT int dmaheap_image_unmap(struct dmaheap_image *img);

/**
 * dmaheap_image_begin_cpu_access() - start CPU access to a whole image.
 * @img: the image.
 * @access: as dmaheap_buf_begin_cpu_access().
 *
 * One begin per dma-buf. All or nothing: on failure, the begins already
 * made are ended again.
 *
 * @since 0.2.
 *
 * Return: 0, or the errors of dmaheap_buf_begin_cpu_access().
 */
DMAHEAP_EXPORT int dmaheap_image_begin_cpu_access(struct dmaheap_image *img,
						  unsigned int access);

/**
 * dmaheap_image_end_cpu_access() - end CPU access to a whole image.
 * @img: the image.
 * @access: as given to the matching begin.
 *
 * Ends the access on every dma-buf even if one fails.
 *
 * @since 0.2.
 *
 * Return: 0, or the first error of dmaheap_buf_end_cpu_access().
 */
DMAHEAP_EXPORT int dmaheap_image_end_cpu_access(struct dmaheap_image *img,
						unsigned int access);
/* Recycling pool                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Recycling pool (@since 0.2): freed buffers kept for reuse, so that an
 * allocation need not wait for the kernel to find and zero pages.
 *
 *   !!! A RECYCLED BUFFER IS NOT ZEROED. It holds whatever its previous
 *   !!! user of this context wrote, unless the pool is set up with
 *   !!! DMAHEAP_POOL_ZERO (then none is handed out unzeroed, also those
 *   !!! cached before the flag was set) or the allocation asks for
 *   !!! DMAHEAP_ALLOC_FRESH.
 *   !!! Never enable a pool without DMAHEAP_POOL_ZERO in a context whose
 *   !!! buffers go to parties that must not see each other's data.
 *
 * Off by default; dmaheap_ctx_set_pool() turns it on for one context. Then
 * dmaheap_alloc(), dmaheap_alloc_from() and dmaheap_alloc_usage() first
 * look in the pool, and dmaheap_buf_free() offers the buffer to it.
 * dmaheap_alloc_fd() never uses the pool (the library cannot see the close
 * of a raw fd). Imported buffers are never pooled, nor buffers freed after
 * the caller's dmaheap_ctx_free() (nobody could allocate them again). The
 * pool's size classes are freed with the context.
 *
 * Size classes: a buffer is reused only for a request of the same heap and
 * the same page-rounded size, so dmaheap_buf_size() is what a fresh buffer
 * would have. An alias request is served from the heap it resolves to.
 * At most 64 size classes per heap are kept; other sizes are not pooled.
 *
 * Safety rule, checked by dmaheap_buf_free(): the buffer goes back to the
 * pool only if
 *  - the caller left no mapping or CPU access open through the library;
 *  - /proc/self/fdinfo/<fd> reads "count: 1". That line is the dma-buf
 *    file's reference count minus the one procfs takes to print it, so 1
 *    means the buffer's own fd is the only reference anywhere: every dup(),
 *    a copy inherited by fork(), an fd in flight or received through
 *    SCM_RIGHTS, every mmap() (also after its fd is closed), and every
 *    device import (DRM PRIME, V4L2 DMABUF, ...) raises it (tests/kernel
 *    test-kernel-pool.c checks each case on a real kernel);
 *  - poll() on the fd reports POLLOUT at once: no fence, read or write, is
 *    pending on the buffer. (A fence can outlive every holder but the fd.
 *    An exported sync file holds fences, not the buffer, and does not
 *    raise the count.)
 * Otherwise the buffer is closed as without a pool, and the refusal counted
 * (struct dmaheap_pool_stats). A fdinfo that cannot be read or has no
 * "count:" line (no /proc, or a kernel that does not print it) counts as
 * shared, as does one whose "count:" comes after "exp_name:" or twice (the
 * kernel prints it before, so such a line comes from a name holding a
 * newline). Once the check passes nobody
 * else holds the dma-buf, so nobody can add a reference or a fence to it;
 * the one exception is a process allowed to ptrace this one
 * (pidfd_getfd(2)), which could take its fd while it sits in the pool.
 * Cost of the check: a pread of the fdinfo file and one poll, 2 system
 * calls in place of the close. The fdinfo file is opened at a buffer's
 * first check (one more system call) and stays open, O_CLOEXEC, until the
 * buffer is closed: a buffer that has been through the pool takes two fds
 * (opening procfs files costs a path walk, about ten times a pread).
 *
 * A hit costs no system call, but for what the buffer must lose first:
 *  - its name: it gets the name the new request asks for, its heap's with
 *    auto-naming, else none (DMA_BUF_SET_NAME with the empty name; the
 *    kernel cannot unset a name, and fdinfo then shows "name:" empty). One
 *    ioctl when the name differs; if it fails on a buffer that has a name,
 *    the buffer is closed, not handed out with it;
 *  - its data, with DMAHEAP_POOL_ZERO, if it was cached before the flag
 *    was set or before a fork() (see below): zeroed as on a free, or
 *    closed if that fails;
 *  - holders from a fork(): the first hit on a buffer cached before this
 *    process last forked checks it again (a pread and a poll).
 * A buffer that cannot be made ready is closed (counted as released) and
 * the next cached one tried.
 *
 * Limits: struct dmaheap_pool_options caps the bytes cached in the whole
 * pool and the buffers cached per size class. A freed buffer that would
 * exceed either is closed (counted as refused_full). Lowering the limits
 * releases what exceeds them at once. With an idle timeout, buffers cached
 * longer than it are released by the pool's own calls on their size class
 * (each alloc and free there) and by dmaheap_pool_trim(); the library
 * starts no thread, so a program that goes quiet should call
 * dmaheap_pool_trim(ctx, DMAHEAP_POOL_TRIM_IDLE) from its own timer.
 *
 * fork(): a child's copy of the pool serves nothing and keeps nothing (its
 * cached fds are shared with the parent; they are O_CLOEXEC, so exec closes
 * them, and dmaheap_pool_trim() in the child closes them at once). Detected
 * without a system call through a MADV_WIPEONFORK page (Linux 4.14).
 * In the parent, a child that does not exec holds every buffer cached at
 * the fork, and may write to them: the pool hands one out again only once
 * the safety rule holds anew (checked at its first hit after the fork; a
 * buffer the child still holds is closed), and a zeroing pool zeroes it
 * again. Forks are counted by one pthread_atfork() handler, registered
 * once per process at the first dmaheap_ctx_set_pool() that turns a pool
 * on: a process-wide counter, the library's only global state.
 * posix_spawn() and vfork() run no handler; their child execs (closing
 * the fds) or exits without touching them. A child made with the raw
 * clone() system call and no CLONE_FILES is not seen: call
 * dmaheap_pool_trim() before making one.
 *
 * Threads: every pool function may be called from any thread. A size
 * class keeps its buffers in 8 stripes with a mutex each. The first 8
 * threads to use the context each have a stripe of their own (later ones
 * share them), so a hit or a recycled free takes one uncontended lock,
 * and a hit looks at the other stripes only when its own is empty. A hit
 * keeps the buffer's place in the limits for the same thread's next free
 * (up to 4 places a stripe), so a thread that takes buffers and gives
 * them back writes nothing other threads write; a free or a trim that
 * finds a limit reached first gives back the places kept for buffers
 * that are out. Classes are found without a lock. The check's system
 * calls, zeroing and closing run outside every lock.
 */

/** Pool option flags (struct dmaheap_pool_options.flags). @since 0.2 */
enum dmaheap_pool_flags {
	/** Zero a freed buffer before caching it (mmap, SYNC START, memset,
	 * SYNC END, munmap: 4 more system calls per recycled free). Buffers
	 * cached before the flag was set, or before a fork(), are zeroed when
	 * handed out instead. Buffers of heaps whose memory the CPU cannot
	 * map (protected) are then never cached. */
	DMAHEAP_POOL_ZERO = 1u << 0,
};

/**
 * struct dmaheap_pool_options - how a context's pool behaves. @since 0.2
 * @struct_size: sizeof(struct dmaheap_pool_options) as compiled by the
 *	caller; set by DMAHEAP_POOL_OPTIONS_INIT. Read as struct
 *	dmaheap_options.struct_size is: this layout (0.2's) is the first,
 *	so smaller is -EINVAL; larger, from a newer header, is accepted only
 *	if the bytes this library does not know are zero (else -E2BIG).
 * @flags: enum dmaheap_pool_flags bits; unknown bits are rejected.
 * @max_bytes: most bytes cached in the whole pool, all heaps; at least one
 *	page.
 * @max_buffers: most buffers cached per size class; at least 1.
 * @idle_ms: release a cached buffer once it has been cached this long, in
 *	milliseconds; 0 means never. A buffer cached while no timeout was
 *	set counts its idle time from the pool's first look at it after one
 *	is set.
 */
struct dmaheap_pool_options {
	size_t struct_size;
	unsigned int flags;
	uint64_t max_bytes;
	unsigned int max_buffers;
	unsigned int idle_ms;
};

/** Initialiser for struct dmaheap_pool_options: 64 MiB, 8 buffers per
 * size class, no idle timeout, no zeroing. @since 0.2 */
#define DMAHEAP_POOL_OPTIONS_INIT \
	{ sizeof(struct dmaheap_pool_options), 0, 64ull << 20, 8, 0 }

/**
 * dmaheap_ctx_set_pool() - turn a context's recycling pool on, change its
 * options, or turn it off. @since 0.2
 * @ctx: the context.
 * @opts: the options, read during the call only; NULL turns the pool off
 *	and closes every buffer it holds.
 *
 * May be called at any time from any thread; allocations and frees running
 * meanwhile see the old or the new options. Buffers cached beyond new,
 * lower limits are released before the call returns.
 *
 * Return: 0, or -EINVAL (NULL @ctx, @opts->struct_size too small, unknown
 * flags, @max_bytes below a page, @max_buffers 0), -E2BIG (a larger
 * @opts->struct_size with a non-zero byte this library does not know, or
 * one over 4096), -ENOMEM (also: the fork handler could not be
 * registered), or the error of madvise(MADV_WIPEONFORK) (-EINVAL: kernel
 * before 4.14).
 */
DMAHEAP_EXPORT int dmaheap_ctx_set_pool(struct dmaheap_ctx *ctx,
					const struct dmaheap_pool_options *opts);

/**
 * dmaheap_pool_prewarm() - fill the pool ahead of need. @since 0.2
 * @ctx: the context; its pool must be on.
 * @heap: heap name or alias.
 * @size: bytes per buffer, rounded up to a page as by dmaheap_alloc().
 * @count: buffers wanted, 1 to 65536.
 * @flags: enum dmaheap_alloc_flags bits, as for dmaheap_alloc();
 *	DMAHEAP_ALLOC_FRESH is implied.
 *
 * Allocates fresh buffers (kernel-zeroed) and caches them, for a camera
 * start-up that must not wait for the kernel. Stops at the first failed
 * allocation or once the pool's limits are reached (raise max_buffers and
 * max_bytes first to prewarm more than they allow). Buffers already cached
 * in the class count towards @count: it is what the class should hold.
 *
 * Return: how many buffers of that class the pool now holds (0 to @count);
 * or -EINVAL (NULL, bad name, @count 0 or too large, and as dmaheap_alloc()),
 * -EOPNOTSUPP (the pool is off, or this is a fork()ed child's copy of
 * it), -ENOSPC (the heap has 64 size classes and
 * this size is not one), the errors of dmaheap_heap_resolve(), or the
 * allocation's error when not even one buffer could be cached.
 */
DMAHEAP_EXPORT int dmaheap_pool_prewarm(struct dmaheap_ctx *ctx,
					const char *heap, size_t size,
					unsigned int count, unsigned int flags);

/** What dmaheap_pool_trim() releases. @since 0.2 */
enum dmaheap_pool_trim_mode {
	/** Every cached buffer. */
	DMAHEAP_POOL_TRIM_ALL = 0,
	/** Only buffers cached for the idle timeout or longer. */
	DMAHEAP_POOL_TRIM_IDLE = 1,
};

/**
 * dmaheap_pool_trim() - release cached buffers now. @since 0.2
 * @ctx: the context.
 * @mode: enum dmaheap_pool_trim_mode.
 *
 * Works with the pool off too (then there is nothing to release) and in a
 * child after fork() (it closes the child's copies).
 *
 * Return: the number of buffers released (closed), or -EINVAL (NULL @ctx,
 * unknown @mode).
 */
DMAHEAP_EXPORT int dmaheap_pool_trim(struct dmaheap_ctx *ctx,
				     unsigned int mode);

/**
 * struct dmaheap_pool_stats - what a pool did. @since 0.2
 * @hits: allocations served from the pool.
 * @misses: allocations the pool was asked for and could not serve
 *	(DMAHEAP_ALLOC_FRESH ones are not asked).
 * @recycled: freed buffers the pool kept.
 * @refused_shared: freed buffers closed because something else still held
 *	the dma-buf (another fd in any process, a mapping, a device import),
 *	or because that could not be checked.
 * @refused_busy: freed buffers closed because a fence was pending.
 * @refused_full: freed buffers closed because the limits were reached, a
 *	heap had too many size classes, or zeroing failed.
 * @released: cached buffers closed by trimming, the idle timeout, lower
 *	limits, or turning the pool off; and at a hit, those that could not
 *	be made ready (held by a fork()ed child, zeroing or renaming failed).
 * @cached_buffers: buffers cached now.
 * @cached_bytes: their total size.
 */
struct dmaheap_pool_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t recycled;
	uint64_t refused_shared;
	uint64_t refused_busy;
	uint64_t refused_full;
	uint64_t released;
	uint64_t cached_buffers;
	uint64_t cached_bytes;
};

/**
 * dmaheap_pool_stats() - read a pool's figures. @since 0.2
 * @ctx: the context.
 * @heap: a heap name (not an alias) for that heap's figures, or NULL for
 *	the whole pool.
 * @out: receives the figures. Each is read atomically, the set is not a
 *	snapshot while other threads allocate.
 *
 * Return: 0 (all zero if the pool was never on or the heap never used it),
 * or -EINVAL (NULL @ctx or @out, bad heap name).
 */
DMAHEAP_EXPORT int dmaheap_pool_stats(struct dmaheap_ctx *ctx,
				      const char *heap,
				      struct dmaheap_pool_stats *out);

struct v4l2_format;

/**
 * dmaheap_image_v4l2_format() - the V4L2 format of an image layout.
 * @ctx: a context for logging why a layout has no V4L2 format, or NULL.
 * @layout: the layout (dmaheap_image_layout(), dmaheap_image_get_layout()).
 * @type: V4L2_BUF_TYPE_VIDEO_CAPTURE or _OUTPUT (struct v4l2_pix_format),
 *	or their _MPLANE variants (struct v4l2_pix_format_mplane).
 * @fmt: receives the format for VIDIOC_S_FMT / VIDIOC_TRY_FMT (from
 *	<linux/videodev2.h>): width, height, field NONE, the pixel format
 *	and each plane's bytesperline and sizeimage. A layout in one dma-buf
 *	gets V4L2's single-buffer format (NV12, num_planes 1); separate planes
 *	get the "M" format (NV12M, one plane each).
 *
 * V4L2's single-buffer formats cannot say where chroma starts: they need
 * planes packed one after the other, chroma strides that follow plane 0's,
 * and no height alignment.
 *
 * @since 0.2. Thread-safe; makes no system call.
 *
 * Return: 0, or -EINVAL: NULL argument, another @type, or a layout V4L2
 * cannot describe: no V4L2 pixel format for the fourcc (or for its
 * separate planes), a single-planar @type for separate planes, planes not
 * packed as V4L2 needs, a size over 4 GiB (logged).
 */
DMAHEAP_EXPORT int dmaheap_image_v4l2_format(
	struct dmaheap_ctx *ctx, const struct dmaheap_image_layout *layout,
	uint32_t type, struct v4l2_format *fmt);

/**
 * dmaheap_image_gst_drm_format() - the drm-format of GStreamer's DMA_DRM
 * caps for an image layout.
 * @layout: the layout.
 * @buf: receives the string, NUL-terminated: the fourcc's four characters,
 *	e.g. "NV12", "R8  ". For DRM_FORMAT_MOD_LINEAR, the only modifier of
 *	a layout, GStreamer writes no modifier and its parser refuses
 *	"NV12:0x0000000000000000", so none is written.
 * @len: size of @buf; 5 suffice.
 *
 * For video/x-raw(memory:DMABuf),format=DMA_DRM,drm-format=... (GStreamer
 * 1.24).
 *
 * @since 0.2. Thread-safe.
 *
 * Return: the string's length (4), or -EINVAL (NULL argument, a fourcc
 * the library does not know, another modifier), -ENOSPC (@len under 5).
 */
DMAHEAP_EXPORT int dmaheap_image_gst_drm_format(
	const struct dmaheap_image_layout *layout, char *buf, size_t len);

/** Attributes dmaheap_image_egl_attribs() writes at most, EGL_NONE included. */
#define DMAHEAP_EGL_ATTRIBS_MAX 47

/**
 * dmaheap_image_egl_attribs() - the attribute list of
 * EGL_EXT_image_dma_buf_import for an image.
 * @img: the image.
 * @attribs: receives EGLint (int32_t) pairs for eglCreateImageKHR(...,
 *	EGL_LINUX_DMA_BUF_EXT, NULL, attribs): EGL_WIDTH, EGL_HEIGHT,
 *	EGL_LINUX_DRM_FOURCC_EXT, then per plane its FD (borrowed from @img:
 *	valid until dmaheap_image_free()), OFFSET, PITCH and
 *	MODIFIER_LO/_HI (EGL_EXT_image_dma_buf_import_modifiers), ended by
 *	EGL_NONE.
 * @n: room in @attribs; DMAHEAP_EGL_ATTRIBS_MAX always suffices.
 *
 * @since 0.2. Thread-safe.
 *
 * Return: the number of int32_t written, EGL_NONE included; or -EINVAL
 * (NULL argument), -ENOSPC (@n too small; nothing written), -EOVERFLOW (a
 * size, offset or stride over INT32_MAX, which EGLint cannot carry).
 */
DMAHEAP_EXPORT int dmaheap_image_egl_attribs(const struct dmaheap_image *img,
					     int32_t *attribs, size_t n);

/**
 * struct dmaheap_drm_fb - the arguments of drmModeAddFB2WithModifiers().
 * @width, @height: the image's size.
 * @fourcc: its DRM format.
 * @handles: GEM handles of each plane's dma-buf on the DRM device; planes
 *	sharing a dma-buf have the same handle. Owned by the caller: close
 *	each distinct handle (DRM_IOCTL_GEM_CLOSE, drmCloseBufferHandle())
 *	once the framebuffer is made.
 * @pitches, @offsets, @modifiers: per plane; unused planes are 0.
 * @flags: DRM_MODE_FB_MODIFIERS.
 */
struct dmaheap_drm_fb {
	uint32_t width;
	uint32_t height;
	uint32_t fourcc;
	uint32_t handles[DMAHEAP_IMAGE_MAX_PLANES];
	uint32_t pitches[DMAHEAP_IMAGE_MAX_PLANES];
	uint32_t offsets[DMAHEAP_IMAGE_MAX_PLANES];
	uint64_t modifiers[DMAHEAP_IMAGE_MAX_PLANES];
	uint32_t flags;
};

/**
 * dmaheap_image_drm_fb() - import an image into a DRM device (PRIME) and
 * fill the arguments of drmModeAddFB2WithModifiers().
 * @img: the image.
 * @drm_fd: an fd of the DRM device (card or render node), borrowed.
 * @out: receives the arguments; its handles are the caller's to close.
 *
 * One DRM_IOCTL_PRIME_FD_TO_HANDLE per dma-buf. On failure every handle
 * made by this call is closed again.
 *
 * @since 0.2. Thread-safe.
 *
 * Return: 0, or -EINVAL (NULL argument, negative @drm_fd), -EOVERFLOW (an
 * offset over 4 GiB), or the PRIME import's error: -EBADF, -ENOTTY (not a
 * DRM device), -EOPNOTSUPP (the driver does not import dma-bufs), -ENOMEM.
 */
DMAHEAP_EXPORT int dmaheap_image_drm_fb(const struct dmaheap_image *img,
					int drm_fd, struct dmaheap_drm_fb *out);

/* ------------------------------------------------------------------------ */
/* Hand-off: buffers and images between processes               @since 0.2  */
/* ------------------------------------------------------------------------ */

/**
 * Hand-off: a buffer or an image goes to another process as one message on
 * a UNIX socket: its dma-buf fds as SCM_RIGHTS and a description of what
 * they are, so the receiver knows the heap and properties (and an image
 * its layout) instead of getting a bare import. Use a SOCK_SEQPACKET (or
 * SOCK_DGRAM) socket: one message per hand-off, its bounds kept. The
 * description, version 1, all integers little-endian:
 *
 *   offset  bytes  field
 *        0      4  "DMHO"
 *        4      2  version: 1
 *        6      2  kind: 1 buffer, 2 image
 *        8      4  enum dmaheap_heap_props of the sender's buffer
 *       12      4  number of fds: 1 for a buffer, n_buffers for an image
 *       16      8  size: the buffer's size, or the layout's size
 *       24      1  length N of the heap name (0: unknown)
 *       25      N  heap name, no NUL
 *   images only, struct dmaheap_image_layout field by field: fourcc,
 *   width, height, padded_height (4 each), modifier (8), n_planes,
 *   n_buffers (4 each), 4 planes of buffer, stride (4 each), offset,
 *   size (8 each), then 4 buffer_size (8 each): 160 bytes.
 *
 * The receiver checks everything it can before trusting it and refuses,
 * closing every fd that arrived, a message that is not exactly this.
 *
 * Version 2 carries what the sender adds of its own (struct
 * dmaheap_handoff_extra): the same fields with version 2, then
 *
 *   offset  bytes  field
 *        E      4  tag: the caller's, for example its blob's format version
 *      E+4      4  length L of the blob, at most DMAHEAP_HANDOFF_BLOB_MAX
 *      E+8      4  flags: bit 0, a sync_file fd follows the dma-buf fds
 *     E+12      L  the blob
 *
 * where E is the end of a version 1 message. The fd count at offset 12
 * stays that of the dma-bufs; the fence, when there is one, is the last fd
 * of the message. A sender that adds nothing (no tag, no blob, no fence)
 * sends version 1, which readers of version 1 take as before; a version 2
 * message is refused by them (-EPROTONOSUPPORT), as it should be, since
 * they would drop its fence.
 */

/** The largest caller blob a hand-off carries, in bytes. @since 0.2 */
#define DMAHEAP_HANDOFF_BLOB_MAX 4096

/**
 * struct dmaheap_handoff_extra - what a sender adds to a hand-off.
 * @tag: the caller's own number, sent as is: say, which format @blob is in
 *	and which version of it. 0 with no blob and no fence sends nothing.
 * @blob_len: how many bytes of @blob are sent, at most
 *	DMAHEAP_HANDOFF_BLOB_MAX.
 * @fence_fd: a sync_file fd (a fence the receiver waits on before using
 *	the buffer, such as DMA_BUF_IOCTL_EXPORT_SYNC_FILE gives), or -1.
 *	Sending, it is borrowed: the sender still owns it. Received, it is a
 *	new fd (O_CLOEXEC) owned by the caller, who closes it; -1 if the
 *	sender sent none.
 * @blob: the caller's bytes: metadata the receiver needs and the layout
 *	does not say (colour space, a gralloc handle's fields, a frame
 *	number...). The library neither reads nor converts them.
 *
 * Set @fence_fd to -1 (DMAHEAP_HANDOFF_EXTRA_INIT does) when there is no
 * fence: 0 is a valid fd.
 *
 * @since 0.2
 */
struct dmaheap_handoff_extra {
	uint32_t tag;
	uint32_t blob_len;
	int fence_fd;
	uint8_t blob[DMAHEAP_HANDOFF_BLOB_MAX];
};

/** Initialiser for struct dmaheap_handoff_extra: nothing added, no
 * fence. @since 0.2 */
#define DMAHEAP_HANDOFF_EXTRA_INIT { .fence_fd = -1 }

/**
 * dmaheap_buf_send() - send a buffer to another process.
 * @buf: the buffer; the sender keeps it (the receiver gets another fd of
 *	the same dma-buf).
 * @sock: a connected UNIX socket (SOCK_SEQPACKET or SOCK_DGRAM).
 *
 * One sendmsg(2) with MSG_NOSIGNAL, retried on EINTR; it blocks as @sock
 * does. The description names the buffer's heap and properties (for a
 * buffer that was itself received, those its sender gave).
 *
 * @since 0.2. Thread-safe.
 *
 * Return: 0, or -EINVAL (NULL @buf, negative @sock), -EMSGSIZE (sent only
 * in part), or sendmsg's error: -ENOTSOCK, -EPIPE, -EAGAIN (non-blocking
 * socket full), -ETOOMANYREFS, ...
 */
DMAHEAP_EXPORT int dmaheap_buf_send(const struct dmaheap_buf *buf, int sock);

/**
 * dmaheap_image_send() - send an image (all its dma-bufs and its layout).
 * @img: the image; the sender keeps it.
 * @sock: as dmaheap_buf_send().
 *
 * The heap and properties sent are those of the image's first dma-buf.
 *
 * @since 0.2. Thread-safe.
 *
 * Return: as dmaheap_buf_send().
 */
DMAHEAP_EXPORT int dmaheap_image_send(const struct dmaheap_image *img,
				      int sock);

/**
 * dmaheap_buf_send_extra() - send a buffer with a caller blob and a fence.
 * @buf, @sock: as dmaheap_buf_send().
 * @extra: what to add (see struct dmaheap_handoff_extra), borrowed; NULL,
 *	or no tag, no blob and no fence, sends what dmaheap_buf_send() does.
 *
 * The fence goes as one more SCM_RIGHTS fd of the same message, after the
 * dma-buf's; the sender keeps its own fd of it. It is checked to be a
 * sync_file (SYNC_IOC_FILE_INFO) before anything is sent.
 *
 * @since 0.2. Thread-safe.
 *
 * Return: 0, or the errors of dmaheap_buf_send(), and -EINVAL (@blob_len
 * over DMAHEAP_HANDOFF_BLOB_MAX, @fence_fd below -1 or not a sync_file),
 * -EBADF (@fence_fd is not open).
 */
DMAHEAP_EXPORT int dmaheap_buf_send_extra(
	const struct dmaheap_buf *buf, int sock,
	const struct dmaheap_handoff_extra *extra);

/**
 * dmaheap_image_send_extra() - send an image with a caller blob and a fence.
 * @img, @sock: as dmaheap_image_send().
 * @extra: as dmaheap_buf_send_extra().
 *
 * @since 0.2. Thread-safe.
 *
 * Return: as dmaheap_buf_send_extra().
 */
DMAHEAP_EXPORT int dmaheap_image_send_extra(
	const struct dmaheap_image *img, int sock,
	const struct dmaheap_handoff_extra *extra);

/**
 * dmaheap_buf_recv() - receive a buffer sent by dmaheap_buf_send().
 * @ctx: the context the buffer will belong to.
 * @sock: the socket; one recvmsg(2) (MSG_CMSG_CLOEXEC), retried on EINTR,
 *	blocking as @sock does.
 * @ret: receives the buffer, owned by the caller. It is an import (not in
 *	the stats) whose dmaheap_buf_heap_name() and dmaheap_buf_props() say
 *	what the sender described, so a protected buffer stays unmappable.
 *
 * The message is consumed whatever the outcome. On any failure every fd
 * that arrived is closed. What a sender added with
 * dmaheap_buf_send_extra() is dropped here: the blob unread, the fence
 * closed with a WARNING (dmaheap_buf_recv_extra() receives both).
 *
 * @sock may have SO_PASSCRED, SO_PASSPIDFD or SO_PASSSEC on: what they add
 * to the message (the sender's credentials, a pidfd, a security label of
 * up to 4096 bytes) is received and dropped, the pidfd closed. To learn
 * who the peer is, ask a connected socket with SO_PEERCRED or
 * SO_PEERPIDFD.
 *
 * @since 0.2. Thread-safe.
 *
 * Return: 0, or
 *  -EINVAL: NULL @ctx or @ret, negative @sock;
 *  -EBADMSG: not a description, truncated or over-long, an image where a
 *	buffer was expected, no dma-buf fd or more fds than announced (one
 *	dma-buf, and a fence if the description says so), an invalid heap name or
 *	property bits, control data cut short by the kernel (a longer
 *	security label) (each logged at WARNING);
 *  -EPROTONOSUPPORT: a description version this library does not read;
 *  -EMSGSIZE: the dma-buf's size is not the size described;
 *  -EBADFD: the fd is not a dma-buf, or the fence is not a sync_file;
 *  -ECONNRESET: the sender closed the socket;
 *  recvmsg's errors (-EAGAIN on an empty non-blocking socket, ...),
 *  -ENOMEM, -EMFILE.
 */
DMAHEAP_EXPORT int dmaheap_buf_recv(struct dmaheap_ctx *ctx, int sock,
				    struct dmaheap_buf **ret);

/**
 * dmaheap_image_recv() - receive an image sent by dmaheap_image_send().
 * @ctx, @sock: as dmaheap_buf_recv().
 * @ret: receives the image, owned by the caller: its layout as sent, its
 *	buffers imports that know their heap and properties.
 *
 * The layout is checked as dmaheap_image_import() checks it, against the
 * dma-bufs that came with it.
 *
 * @since 0.2. Thread-safe.
 *
 * Return: 0, or the errors of dmaheap_buf_recv() (-EBADMSG also for a
 * fd count other than the layout's n_buffers, or a size that disagrees
 * with the layout), -EINVAL (an inconsistent layout) and -EMSGSIZE (a
 * dma-buf smaller than its layout needs).
 */
DMAHEAP_EXPORT int dmaheap_image_recv(struct dmaheap_ctx *ctx, int sock,
				      struct dmaheap_image **ret);

/**
 * dmaheap_buf_recv_extra() - receive a buffer and what its sender added.
 * @ctx, @sock, @ret: as dmaheap_buf_recv().
 * @extra: receives the sender's tag, blob and fence (see struct
 *	dmaheap_handoff_extra); from a sender that added nothing, tag 0, no
 *	blob and @fence_fd -1. Only @blob_len bytes of @blob are written.
 *	@fence_fd is the caller's to close. On failure @fence_fd is -1 and
 *	the fence that arrived, if any, is closed.
 *
 * A fence is checked to be a sync_file and the blob to be as long as
 * announced, within DMAHEAP_HANDOFF_BLOB_MAX, before the buffer is
 * imported. dmaheap_buf_recv() is this call with a NULL @extra: it drops
 * the blob, and closes the fence with a WARNING saying the sender sent
 * one (the buffer may still be in use by the sender's device).
 *
 * @since 0.2. Thread-safe.
 *
 * Return: 0, or the errors of dmaheap_buf_recv(), where
 *  -EBADMSG also covers a blob over DMAHEAP_HANDOFF_BLOB_MAX, a blob
 *	longer or shorter than its announced length, unknown flag bits, and
 *	a fence announced but absent or an fd more than announced;
 *  -EBADFD also covers a fence fd that is not a sync_file.
 */
DMAHEAP_EXPORT int dmaheap_buf_recv_extra(struct dmaheap_ctx *ctx, int sock,
					  struct dmaheap_buf **ret,
					  struct dmaheap_handoff_extra *extra);

/**
 * dmaheap_image_recv_extra() - receive an image and what its sender added.
 * @ctx, @sock, @ret: as dmaheap_image_recv().
 * @extra: as dmaheap_buf_recv_extra().
 *
 * @since 0.2. Thread-safe.
 *
 * Return: the errors of dmaheap_image_recv() and dmaheap_buf_recv_extra().
 */
DMAHEAP_EXPORT int dmaheap_image_recv_extra(
	struct dmaheap_ctx *ctx, int sock, struct dmaheap_image **ret,
	struct dmaheap_handoff_extra *extra);

/*
 * System-wide accounting: which processes hold which dma-bufs.
 *
 * A scan reads, for every process in /proc (or one), the fdinfo of each
 * open fd ("exp_name:" marks a dma-buf; "size:", "ino:" and "name:" describe
 * it) and the "/dmabuf:" lines of its maps, which also find buffers a
 * process has mapped after closing their fds. Each buffer (an inode) is
 * counted once; each process is charged its proportional share (PSS): the
 * size of each buffer it holds divided by the number of processes holding
 * that buffer. It sees every dma-buf, whatever exported it (heaps, DRM,
 * V4L2, udmabuf), not only this library's.
 */

/**
 * struct dmaheap_stat_buf - one dma-buf found by dmaheap_stat_scan().
 * @inode: its inode number, which identifies it system-wide.
 * @size: its size in bytes; for a buffer that no scanned process holds an
 *	fd of (only mappings), the largest mapped extent, which may be less.
 * @exporter: "exp_name:" of fdinfo (a heap's name, "drm", "udmabuf"...);
 *	"" when only mappings of it were found.
 * @name: its name (DMA_BUF_SET_NAME), "" if none.
 * @processes: how many scanned processes hold it (fd or mapping); at least 1.
 * @fds: how many fds refer to it, over all scanned processes.
 * @mappings: how many mappings (VMAs) of it, over all scanned processes.
 *
 * @since 0.2
 */
struct dmaheap_stat_buf {
	uint64_t inode;
	uint64_t size;
	const char *exporter;
	const char *name;
	unsigned int processes;
	unsigned int fds;
	unsigned int mappings;
};

/**
 * struct dmaheap_stat_proc - one process holding dma-bufs.
 * @pid: its process id.
 * @comm: its name (/proc/PID/comm), "" if it could not be read.
 * @bytes: total size of the distinct buffers it holds.
 * @pss: its proportional share: the sum over its buffers of size divided by
 *	the number of processes holding each (rounded down per buffer).
 * @fds: its fds that are dma-bufs.
 * @mappings: its mappings of dma-bufs.
 * @n_bufs: how many distinct buffers it holds.
 * @bufs: their indices in struct dmaheap_stat.bufs, in inode order.
 *
 * @since 0.2
 */
struct dmaheap_stat_proc {
	int pid;
	const char *comm;
	uint64_t bytes;
	uint64_t pss;
	unsigned int fds;
	unsigned int mappings;
	size_t n_bufs;
	const size_t *bufs;
};

/**
 * struct dmaheap_stat_group - the buffers sharing an exporter or a name.
 * @key: the exporter or the buffer name ("" for unknown or unnamed).
 * @buffers: how many buffers.
 * @bytes: their total size, each buffer counted once.
 *
 * @since 0.2
 */
struct dmaheap_stat_group {
	const char *key;
	size_t buffers;
	uint64_t bytes;
};

/**
 * struct dmaheap_stat - the result of dmaheap_stat_scan().
 * @n_procs, @procs: the processes holding at least one buffer, by pid.
 * @n_bufs, @bufs: the buffers, by inode.
 * @n_exporters, @exporters: per exporter, by key.
 * @n_names, @names: per buffer name, by key.
 * @bytes: total size of @bufs, each counted once.
 * @unreadable: processes skipped because their fds or maps could not be
 *	read (EACCES: another user's process, without root; or, for root,
 *	without CAP_SYS_PTRACE, as in most containers).
 * @vanished: processes and fds that went away during the scan.
 * @malformed: fdinfo files and maps lines that name a dma-buf but could not
 *	be parsed (for instance no "ino:", which older kernels do not print);
 *	they are left out of the figures.
 *
 * Every pointer in it is owned by it and lives until dmaheap_stat_free().
 *
 * @since 0.2
 */
struct dmaheap_stat {
	size_t n_procs;
	const struct dmaheap_stat_proc *procs;
	size_t n_bufs;
	const struct dmaheap_stat_buf *bufs;
	size_t n_exporters;
	const struct dmaheap_stat_group *exporters;
	size_t n_names;
	const struct dmaheap_stat_group *names;
	uint64_t bytes;
	unsigned int unreadable;
	unsigned int vanished;
	unsigned int malformed;
};

/**
 * dmaheap_stat_scan() - account the dma-bufs of every process, or of one.
 * @ctx: the context: its system-call layer reads the files, its log
 *	callback hears the diagnostics.
 * @proc_dir: where procfs is mounted; NULL means "/proc". A mock kernel
 *	offers its own (dmaheap_mock_proc_dir()).
 * @pid: 0 for every process; otherwise report only this one. Every
 *	process is still scanned then, so that its PSS counts the other
 *	holders of its buffers; @ret's buffers and groups are those it holds.
 * @ret: receives the result, owned by the caller (dmaheap_stat_free()).
 *
 * Processes and fds that vanish during the scan (ENOENT, ESRCH) are
 * skipped and counted in @ret->vanished; so are processes that are not
 * readable (EACCES, EPERM), counted in @ret->unreadable, about which one
 * DMAHEAP_LOG_WARNING per scan names the count and the fix: run as root;
 * for root, as @proc_dir/self/status tells, the capabilities it lacks
 * (CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH) or, with both, that a user
 * namespace or a security module refuses it.
 * What the scan sees is not one instant: a buffer passed between processes
 * during it may be seen in both or in neither.
 *
 * @since 0.2. Thread-safe; makes open, read, readdir and close calls only.
 *
 * Return: 0, or
 *  -EINVAL: NULL @ctx or @ret, negative @pid, an empty @proc_dir or one
 *	longer than PATH_MAX - 64;
 *  -ESRCH: @pid is not a process in @proc_dir;
 *  -EACCES: @pid's fds or maps cannot be read (EACCES or EPERM; logged
 *	as above);
 *  -ENOMEM: out of memory;
 *  the errors of reading @proc_dir itself (-ENOENT when procfs is not
 *  mounted there, ...), and with @pid those of reading its files (-EIO,
 *  ...). -EMFILE and -ENFILE stop the scan whatever process they hit.
 */
DMAHEAP_EXPORT int dmaheap_stat_scan(struct dmaheap_ctx *ctx,
				     const char *proc_dir, int pid,
				     struct dmaheap_stat **ret);

/**
 * dmaheap_stat_free() - release a result of dmaheap_stat_scan().
 * @stat: the result, or NULL.
 *
 * @since 0.2
 */
DMAHEAP_EXPORT void dmaheap_stat_free(struct dmaheap_stat *stat);

#ifdef __cplusplus
}
#endif

#endif /* DMAHEAP_H */

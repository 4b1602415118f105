/* The public header of libdmaheap 0.1 (commit 3ba1bb6, the last whose symbol
 * map had only the DMAHEAP_0.1 node), kept as it was released: programs
 * built against it must run on every later libdmaheap.so.0
 * (tests/abi/abi-0.1.c). Never edit it. */
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
 * concurrently on the same context. A struct dmaheap_buf is also safe to use
 * from several threads at once: its map count and CPU-access state are
 * protected by a lock of its own. Freeing an object while another thread
 * still uses it is, as always, a bug of the caller.
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
#define DMAHEAP_VERSION_NUMBER 100

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
 *	by DMAHEAP_OPTIONS_INIT. Lets newer libraries accept older callers.
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
 *  -EINVAL: @ret NULL, @opts->struct_size too small, unknown flag bits, an
 *	empty heap_dir or one longer than PATH_MAX - NAME_MAX - 2, an
 *	unusable @opts->sys; or a policy file that is not a regular file
 *	(FIFO, device, socket), holds a NUL byte or has a bad line.
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
 *    redefine them.
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
 * -EACCES (directory not readable), -ENOMEM, -EMFILE.
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
 * Opens the heap node if not done before (O_RDONLY | O_CLOEXEC; the fd is
 * cached by the context for its lifetime). A failed open is not cached, so a
 * heap that appears later (heaps can be modules) or whose permissions change
 * is found on the next call.
 *
 * Return: 0, or -EINVAL (bad name), -ENOENT (no such heap), -EACCES/-EPERM
 * (not permitted), -ENOTTY (the node is not a character device),
 * -ENODEV (no heap behind the node), -EMFILE/-ENFILE, -ENOMEM.
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

/* ------------------------------------------------------------------------ */
/* Allocation                                                               */
/* ------------------------------------------------------------------------ */

/** Allocation flags (the @flags of the dmaheap_alloc*() functions). */
enum dmaheap_alloc_flags {
	/** Do not name this buffer after its heap. */
	DMAHEAP_ALLOC_NO_NAME = 1u << 0,
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
 *  -ENOMEM: @size exceeds the machine's RAM, the heap is out of memory, or
 *	the library could not allocate its bookkeeping;
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
 * For code that keeps raw fds (gralloc-style). The size is the rounded size
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
 * the caller's pointers into the mapping become invalid. Other fds of the
 * same dma-buf (dmaheap_buf_dup_fd(), the caller's own) stay valid.
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
 * a NULL @buf.
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
 * -ENOMEM, -EOVERFLOW (more than UINT_MAX maps).
 */
DMAHEAP_EXPORT int dmaheap_buf_map(struct dmaheap_buf *buf, void **addr);

/**
 * dmaheap_buf_unmap() - drop one reference taken by dmaheap_buf_map().
 * @buf: the buffer.
 *
 * munmap()s when the last reference goes.
 *
 * Return: 0, or -EINVAL (NULL, or the buffer is not mapped).
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
 *	kernel.
 * @fd: a dma-buf fd (borrowed).
 * @access: DMAHEAP_ACCESS_READ, _WRITE or _RW.
 *
 * For code that keeps raw fds. Nothing is tracked: pairing is the caller's
 * job. Retries as dmaheap_buf_begin_cpu_access(). @fd is first checked to be
 * a dma-buf (one fstatfs(2)): a heap node would take the SYNC request for
 * an allocation and leak it.
 *
 * Return: 0, or -EINVAL (bad @access), -EBADF, -EBADFD (@fd is not a
 * dma-buf), -EAGAIN, or the exporter's error.
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
};

/** Where the library's knowledge of a heap came from. */
enum dmaheap_props_source {
	DMAHEAP_PROPS_UNKNOWN = 0,  /* nothing known */
	DMAHEAP_PROPS_BUILTIN = 1,  /* the library's table of upstream heaps */
	DMAHEAP_PROPS_NAME = 2,     /* a naming convention ("...uncached") */
	DMAHEAP_PROPS_CONFIG = 3,   /* the policy file */
	DMAHEAP_PROPS_API = 4,      /* dmaheap_ctx_set_heap_props() */
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
 * Opens (and caches) heap nodes as needed.
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
};

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
 *   device-only      system-uncached system udmabuf
 *   default          system udmabuf
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
 *                              contiguous, protected, uncached
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
 *	a requirement left out; @error says whether each can be opened.
 *	Release with dmaheap_heap_list_free().
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
 *	CPU_* bits.
 * @size, @flags, @ret: as dmaheap_alloc().
 *
 * dmaheap_buf_heap_name() and dmaheap_buf_props() tell what was picked.
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
 * NULL @buf.
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
 * @out: receives a consistent snapshot.
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

#ifdef __cplusplus
}
#endif

#endif /* DMAHEAP_H */

/* SPDX-License-Identifier: MIT */
/*
 * Systematic fault injection: for every public function of dmaheap.h, a
 * scenario that runs it once against the mock to count the system calls
 * (and the library's allocations) it makes, then again failing each in
 * turn. What a run must leave behind is checked by test-fault.c.
 */
#ifndef DMAHEAP_FAULT_H
#define DMAHEAP_FAULT_H

#include <stdbool.h>
#include <stddef.h>

#include "dmaheap-mock.h"
#include "dmaheap.h"

#define FAULT_SIZE 8192

/* What one run of a scenario works with. Setup fills the inputs, the run
 * the outputs; the driver releases both. */
struct fault_env {
	struct dmaheap_mock *mock;
	struct dmaheap_ctx *ctx;   /* NULL once a scenario freed it */
	int policy_fd;             /* a memfd holding a valid policy file */
	int bad_policy_fd;         /* one with an error on its third line */
	/* inputs */
	struct dmaheap_buf *buf;   /* a heap buffer, when setup made one */
	struct dmaheap_image *img; /* an image, when setup made one */
	int raw_fd;                /* a dma-buf fd, when setup made one */
	int sync_fd;               /* a sync file, when setup made one */
	int sock[2];               /* a UNIX socket pair, when setup made one */
	/* outputs */
	struct dmaheap_ctx *out_ctx;
	struct dmaheap_buf *out_buf;
	struct dmaheap_image *out_img;
	int out_fd;
	struct dmaheap_heap_info *out_list;
	struct dmaheap_alias_info *out_aliases;
	struct dmaheap_stat *out_stat;
	void *out_addr;
	bool out_imports;          /* out_buf/out_img are imports: no stats */
	/* set by the driver before the scenario's check */
	bool injected;             /* a system call was failed */
	enum dmaheap_mock_call injected_kind; /* the last one */
	bool persistent;           /* every call failed from one on */
};

/* Fails the test with a message: setup must work without injection. */
#define FAULT_REQUIRE(cond) fault_require((cond), #cond, __FILE__, __LINE__)
void fault_require(bool ok, const char *what, const char *file, int line);

struct fault_scenario {
	const char *fn;      /* the public function exercised */
	const char *variant; /* what this case of it does */
	/* Prepares the inputs; may be NULL. Runs without injection. */
	void (*setup)(struct fault_env *env);
	/* Calls the function once; its return value, 0 for void ones. */
	long (*run)(struct fault_env *env);
	/* Errors the header documents for it, 0-terminated, positive. */
	const int *documented;
	/* The header lets errors of the kernel through ("any other negative
	 * errno the heap's ioctl returns", "the exporter's error"). */
	bool passthrough;
	/* The success value's range: 0 only, 0/1, any non-negative, or
	 * anything (a function that cannot fail). */
	enum { RET_ZERO, RET_BOOL, RET_NONNEG, RET_ANY } ret;
	/* What else must hold after a run that returned @r; NULL if all is
	 * well, else what is wrong. May be NULL. */
	const char *(*check)(struct fault_env *env, long r);
};

/* scenarios.c: every scenario, in the order they run. */
size_t fault_scenario_count(void);
const struct fault_scenario *fault_scenario(size_t i);

/* The groups scenarios.c runs: scen-context.c, scen-alloc.c,
 * scen-buffer.c, scen-image.c, scen-stat.c. */
extern const struct fault_scenario fault_context_scenarios[];
extern const size_t fault_context_n;
extern const struct fault_scenario fault_alloc_scenarios[];
extern const size_t fault_alloc_n;
extern const struct fault_scenario fault_buffer_scenarios[];
extern const size_t fault_buffer_n;
extern const struct fault_scenario fault_image_scenarios[];
extern const size_t fault_image_n;
extern const struct fault_scenario fault_stat_scenarios[];
extern const size_t fault_stat_n;

/* For the scenario tables: a 0-terminated list of errnos, the lists the
 * header documents for families of functions, and an entry without (S)
 * or with (SC) a check. */
#define ERRS(...) ((const int[]){ __VA_ARGS__, 0 })

/* The documented errors of the allocation functions (dmaheap_alloc()). */
#define ALLOC_ERRS EINVAL, EOVERFLOW, ENOMEM, EFBIG, ENOENT, EACCES, EPERM, \
	ENOTTY, ENODEV, EMFILE, ENFILE
#define SEND_ERRS EINVAL, EMSGSIZE, ENOTSOCK, EPIPE, EAGAIN, ETOOMANYREFS
/* The _extra calls add a bad blob or fence on either side. */
#define SEND_EXTRA_ERRS SEND_ERRS, EBADF
#define RECV_ERRS EINVAL, EBADMSG, EPROTONOSUPPORT, EMSGSIZE, EBADFD, \
	ECONNRESET, EAGAIN, ENOMEM, EMFILE
#define OPEN_ERRS EINVAL, ENOENT, EACCES, EPERM, ENOTTY, ENODEV, EMFILE, \
	ENFILE, ENOMEM

#define S(fn, variant, setup, run, errs, pass, ret) \
	{ fn, variant, setup, run, errs, pass, ret, NULL }
#define SC(fn, variant, setup, run, errs, pass, ret, check) \
	{ fn, variant, setup, run, errs, pass, ret, check }

/* scen-common.c: what several groups ask for. */
extern const char *const fault_fallback[3]; /* missing, small cma, system */
extern const char *const fault_fast[2];     /* an alias's members */
extern const struct dmaheap_image_spec fault_nv12;  /* one dma-buf */
extern const struct dmaheap_image_spec fault_nv12m; /* separate planes */
void setup_buf(struct fault_env *e);
void setup_mapped(struct fault_env *e);
void setup_begun(struct fault_env *e);
void setup_busy(struct fault_env *e);
void setup_sync_file(struct fault_env *e);
void setup_raw(struct fault_env *e);
void setup_raw_started(struct fault_env *e);
void setup_heaps_open(struct fault_env *e);
void setup_pipe(struct fault_env *e);
void setup_gone_alias(struct fault_env *e);
void setup_list(struct fault_env *e);
void setup_aliases(struct fault_env *e);
void setup_image(struct fault_env *e);
/* A caller blob and the fence in e->sync_fd (-1: none), for the hand-off's
 * _extra calls; the received fence goes to e->out_fd. */
struct dmaheap_handoff_extra *fault_extra(struct fault_env *e);
long fault_recv_extra_done(struct fault_env *e, long r,
			   struct dmaheap_handoff_extra *x);
void setup_image_not_drm(struct fault_env *e);
void setup_image_mapped(struct fault_env *e);
void setup_image_begun(struct fault_env *e);
void setup_image_busy(struct fault_env *e);
void setup_image_fds(struct fault_env *e);
void setup_pool(struct fault_env *e);
void setup_pool_zero(struct fault_env *e);
void setup_pool_warm(struct fault_env *e);
void setup_pool_buf(struct fault_env *e);
void setup_pool_zero_buf(struct fault_env *e);
void setup_socket(struct fault_env *e);
void setup_buf_socket(struct fault_env *e);
void setup_buf_sent(struct fault_env *e);
void setup_image_socket(struct fault_env *e);
void setup_image_sent(struct fault_env *e);
void setup_buf_fence_socket(struct fault_env *e);
void setup_buf_sent_extra(struct fault_env *e);
void setup_image_fence_socket(struct fault_env *e);
void setup_image_sent_extra(struct fault_env *e);
const char *check_free(struct fault_env *e, long r);

/* fault-alloc.c: the library's own allocations, counted and failed. The
 * library is compiled for this test with malloc, calloc, realloc, strdup
 * and strndup renamed to these; the mock and the test use the real ones. */
void fault_alloc_arm(long fail_at); /* -1: count only */
long fault_alloc_count(void);       /* allocations since arming */
bool fault_alloc_fired(void);

#endif /* DMAHEAP_FAULT_H */

/* SPDX-License-Identifier: MIT */
/*
 * Scenarios of buffers: accessors, naming, mapping, CPU access, raw-fd
 * sync, sync files and the hand-off over sockets.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "fault.h"

static long run_buf_free(struct fault_env *e)
{
	dmaheap_buf_free(e->buf);
	e->buf = NULL;
	return 0;
}

static long run_buf_fd(struct fault_env *e)
{
	return dmaheap_buf_fd(e->buf);
}

/* The fd now belongs to the run's output; the buffer is gone on success. */
static long run_buf_release_fd(struct fault_env *e)
{
	e->out_fd = dmaheap_buf_release_fd(e->buf);
	if (e->out_fd >= 0)
		e->buf = NULL;
	return e->out_fd;
}

static long run_buf_dup_fd(struct fault_env *e)
{
	e->out_fd = dmaheap_buf_dup_fd(e->buf);
	return e->out_fd;
}

static long run_buf_size(struct fault_env *e)
{
	return dmaheap_buf_size(e->buf) == FAULT_SIZE ? 0 : -EFAULT;
}

static long run_buf_heap_name(struct fault_env *e)
{
	return dmaheap_buf_heap_name(e->buf) ? 0 : -EFAULT;
}

static long run_buf_props(struct fault_env *e)
{
	return dmaheap_buf_props(e->buf);
}

static long run_buf_set_name(struct fault_env *e)
{
	return dmaheap_buf_set_name(e->buf, "frame-1");
}

static long run_fd_set_name(struct fault_env *e)
{
	return dmaheap_fd_set_name(e->ctx, e->raw_fd, "frame-1");
}

static long run_buf_map(struct fault_env *e)
{
	return dmaheap_buf_map(e->buf, &e->out_addr);
}

static long run_buf_unmap(struct fault_env *e)
{
	return dmaheap_buf_unmap(e->buf);
}

static long run_begin(struct fault_env *e)
{
	return dmaheap_buf_begin_cpu_access(e->buf, DMAHEAP_ACCESS_RW);
}

static long run_end(struct fault_env *e)
{
	return dmaheap_buf_end_cpu_access(e->buf, DMAHEAP_ACCESS_RW);
}

static long run_sync_start(struct fault_env *e)
{
	return dmaheap_sync_start(e->ctx, e->raw_fd, DMAHEAP_ACCESS_READ);
}

static long run_sync_end(struct fault_env *e)
{
	return dmaheap_sync_end(e->ctx, e->raw_fd, DMAHEAP_ACCESS_RW);
}

static long run_export(struct fault_env *e)
{
	return dmaheap_buf_export_sync_file(e->buf, DMAHEAP_ACCESS_READ,
					    &e->out_fd);
}

static long run_import_sync(struct fault_env *e)
{
	return dmaheap_buf_import_sync_file(e->buf, DMAHEAP_ACCESS_WRITE,
					    e->sync_fd);
}

static long run_buf_send(struct fault_env *e)
{
	return dmaheap_buf_send(e->buf, e->sock[0]);
}

static long run_buf_recv(struct fault_env *e)
{
	e->out_imports = true;
	return dmaheap_buf_recv(e->ctx, e->sock[1], &e->out_buf);
}

static long run_buf_send_extra(struct fault_env *e)
{
	struct dmaheap_handoff_extra *x = fault_extra(e);
	long r = dmaheap_buf_send_extra(e->buf, e->sock[0], x);

	free(x);
	return r;
}

static long run_buf_recv_extra(struct fault_env *e)
{
	struct dmaheap_handoff_extra *x = fault_extra(e);

	e->out_imports = true;
	return fault_recv_extra_done(e, dmaheap_buf_recv_extra(
		e->ctx, e->sock[1], &e->out_buf, x), x);
}

/* The SYNC STARTs the mock sees open on @buf, as "reads,writes". */
static bool starts_open(struct fault_env *e, unsigned int reads,
			unsigned int writes)
{
	struct dmaheap_mock_buf_info info;

	return dmaheap_mock_buf_info(e->mock, dmaheap_buf_fd(e->buf),
				     &info) == 0 &&
	       info.sync_reads == reads && info.sync_writes == writes;
}

/* A failed begin leaves no START open; a good one leaves one. */
static const char *check_begin(struct fault_env *e, long r)
{
	unsigned int n = r == 0;

	return starts_open(e, n, n) ? NULL :
	       "the kernel's open STARTs do not match the result";
}

static const char *check_end(struct fault_env *e, long r)
{
	return r != 0 || starts_open(e, 0, 0) ? NULL :
	       "END succeeded but a START is still open";
}

/* A failed munmap leaves the pages mapped: the buffer must still know,
 * so that an unmap (or free) can release them. */
static const char *check_unmap(struct fault_env *e, long r)
{
	struct dmaheap_mock_leaks l;

	if (r == 0)
		return NULL;
	if (dmaheap_buf_unmap(e->buf) != 0)
		return "after a failed unmap, unmapping again fails";
	if (dmaheap_mock_leaks(e->mock, &l, NULL, 0) < 0 || l.mappings)
		return "after a failed unmap, a mapping is left behind";
	return NULL;
}

const struct fault_scenario fault_buffer_scenarios[] = {
	SC("dmaheap_buf_free", "mapped, in CPU access", setup_busy,
	   run_buf_free, ERRS(0), false, RET_ZERO, check_free),
	S("dmaheap_buf_free", "pool on: recycled", setup_pool_buf,
	  run_buf_free, ERRS(0), false, RET_ZERO),
	SC("dmaheap_buf_free", "pool on, zeroing", setup_pool_zero_buf,
	   run_buf_free, ERRS(0), false, RET_ZERO, check_free),
	S("dmaheap_buf_fd", "", setup_buf, run_buf_fd, ERRS(EINVAL), false,
	  RET_NONNEG),
	S("dmaheap_buf_release_fd", "", setup_buf, run_buf_release_fd,
	  ERRS(EINVAL, EBUSY), false, RET_NONNEG),
	S("dmaheap_buf_release_fd", "from the pool", setup_pool_buf,
	  run_buf_release_fd, ERRS(EINVAL, EBUSY), false, RET_NONNEG),
	S("dmaheap_buf_dup_fd", "", setup_buf, run_buf_dup_fd,
	  ERRS(EINVAL, EMFILE), false, RET_NONNEG),
	S("dmaheap_buf_size", "", setup_buf, run_buf_size, ERRS(0), false,
	  RET_ZERO),
	S("dmaheap_buf_heap_name", "", setup_buf, run_buf_heap_name, ERRS(0),
	  false, RET_ZERO),
	S("dmaheap_buf_props", "", setup_buf, run_buf_props, ERRS(0), false,
	  RET_ANY),
	S("dmaheap_buf_set_name", "", setup_buf, run_buf_set_name,
	  ERRS(EINVAL, ENAMETOOLONG, EBUSY, ENOTTY, ENOMEM), false, RET_ZERO),
	S("dmaheap_fd_set_name", "", setup_raw, run_fd_set_name,
	  ERRS(EINVAL, EBADF, EBADFD, ENAMETOOLONG, EBUSY, ENOTTY, ENOMEM),
	  false, RET_ZERO),
	S("dmaheap_buf_map", "", setup_buf, run_buf_map,
	  ERRS(EINVAL, EPERM, EACCES, EAGAIN, ENOMEM, EOVERFLOW), false,
	  RET_ZERO),
	SC("dmaheap_buf_unmap", "", setup_mapped, run_buf_unmap,
	   ERRS(EINVAL, ENOMEM), false, RET_ZERO, check_unmap),
	SC("dmaheap_buf_begin_cpu_access", "rw", setup_buf, run_begin,
	   ERRS(EINVAL, EPERM, EAGAIN, EOVERFLOW), true, RET_ZERO,
	   check_begin),
	SC("dmaheap_buf_end_cpu_access", "rw", setup_begun, run_end,
	   ERRS(EINVAL, EAGAIN), true, RET_ZERO, check_end),
	S("dmaheap_sync_start", "", setup_raw, run_sync_start,
	  ERRS(EINVAL, EBADF, EBADFD, EAGAIN), true, RET_ZERO),
	S("dmaheap_sync_end", "", setup_raw_started, run_sync_end,
	  ERRS(EINVAL, EBADF, EBADFD, EAGAIN), true, RET_ZERO),
	S("dmaheap_buf_export_sync_file", "", setup_buf, run_export,
	  ERRS(EINVAL, ENOTTY, ENOMEM, EMFILE), false, RET_ZERO),
	S("dmaheap_buf_import_sync_file", "", setup_sync_file,
	  run_import_sync, ERRS(EINVAL, EBADF, ENOTTY, ENOMEM), false,
	  RET_ZERO),
	S("dmaheap_buf_send", "seqpacket", setup_buf_socket, run_buf_send,
	  ERRS(SEND_ERRS), true, RET_ZERO),
	S("dmaheap_buf_recv", "seqpacket", setup_buf_sent, run_buf_recv,
	  ERRS(RECV_ERRS), true, RET_ZERO),
	S("dmaheap_buf_send_extra", "blob and fence", setup_buf_fence_socket,
	  run_buf_send_extra, ERRS(SEND_EXTRA_ERRS), true, RET_ZERO),
	S("dmaheap_buf_recv_extra", "blob and fence", setup_buf_sent_extra,
	  run_buf_recv_extra, ERRS(RECV_ERRS), true, RET_ZERO),
};

const size_t fault_buffer_n =
	sizeof(fault_buffer_scenarios) / sizeof(fault_buffer_scenarios[0]);

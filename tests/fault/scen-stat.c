/* SPDX-License-Identifier: MIT */
/*
 * Scenarios of system-wide dma-buf accounting, over the mock's procfs:
 * two processes sharing a buffer (one through a mapping only), one that
 * exited after it was listed and one that cannot be read.
 */
#include <errno.h>

#include "fault.h"

#define FDINFO(ino, size, count) \
	"pos:\t0\nflags:\t02000002\nmnt_id:\t9\nino:\t" ino "\nsize:\t" \
	size "\ncount:\t" count "\nexp_name:\tsystem\nname:\tframe\n"

static void setup_procs(struct fault_env *e)
{
	struct dmaheap_mock *m = e->mock;

	FAULT_REQUIRE(dmaheap_mock_proc_add(m, 100, "camera\n") == 0);
	FAULT_REQUIRE(dmaheap_mock_proc_set_fd(m, 100, 5,
			FDINFO("1234", "8192", "3")) == 0);
	FAULT_REQUIRE(dmaheap_mock_proc_set_fd(m, 100, 6,
			FDINFO("1235", "4096", "1")) == 0);
	FAULT_REQUIRE(dmaheap_mock_proc_add(m, 200, "display\n") == 0);
	FAULT_REQUIRE(dmaheap_mock_proc_set_fd(m, 200, 3,
			FDINFO("1234", "8192", "3")) == 0);
	FAULT_REQUIRE(dmaheap_mock_proc_set_maps(m, 200,
			"7f0000000000-7f0000002000 rw-s 00000000 00:0d 1234"
			"                      /dmabuf:frame\n") == 0);
	FAULT_REQUIRE(dmaheap_mock_proc_add(m, 300, "gone\n") == 0);
	FAULT_REQUIRE(dmaheap_mock_proc_set_state(m, 300,
			DMAHEAP_MOCK_PROC_GONE) == 0);
	FAULT_REQUIRE(dmaheap_mock_proc_add(m, 400, "other user\n") == 0);
	FAULT_REQUIRE(dmaheap_mock_proc_set_state(m, 400,
			DMAHEAP_MOCK_PROC_NO_ACCESS) == 0);
}

static void setup_scanned(struct fault_env *e)
{
	setup_procs(e);
	FAULT_REQUIRE(dmaheap_stat_scan(e->ctx, dmaheap_mock_proc_dir(e->mock),
					0, &e->out_stat) == 0);
}

static long run_stat_scan(struct fault_env *e)
{
	return dmaheap_stat_scan(e->ctx, dmaheap_mock_proc_dir(e->mock), 0,
				 &e->out_stat);
}

static long run_stat_scan_pid(struct fault_env *e)
{
	return dmaheap_stat_scan(e->ctx, dmaheap_mock_proc_dir(e->mock), 200,
				 &e->out_stat);
}

static long run_stat_free(struct fault_env *e)
{
	dmaheap_stat_free(e->out_stat);
	e->out_stat = NULL;
	return 0;
}

/* Reading procfs passes its errors through: documented as "the errors of
 * reading @proc_dir itself". */
const struct fault_scenario fault_stat_scenarios[] = {
	S("dmaheap_stat_scan", "every process", setup_procs, run_stat_scan,
	  ERRS(EINVAL, ESRCH, EACCES, ENOMEM, ENOENT), true, RET_ZERO),
	S("dmaheap_stat_scan", "one process", setup_procs, run_stat_scan_pid,
	  ERRS(EINVAL, ESRCH, EACCES, ENOMEM, ENOENT), true, RET_ZERO),
	S("dmaheap_stat_free", "", setup_scanned, run_stat_free, ERRS(0),
	  false, RET_ZERO),
};

const size_t fault_stat_n =
	sizeof(fault_stat_scenarios) / sizeof(fault_stat_scenarios[0]);

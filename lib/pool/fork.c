/* SPDX-License-Identifier: MIT */
/*
 * The recycling pool's fork generation: how many times this process has
 * fork()ed since the pool was first used. A child inherits every cached
 * fd, so a buffer cached before a fork may be held by a child that did not
 * exec; the pool checks such a buffer again before handing it out.
 *
 * This is the library's one piece of process-wide mutable state, and it
 * has to be: fork() happens to the process, not to a context, and
 * pthread_atfork() handlers cannot be removed, so they may not point at a
 * context that will be freed. One counter, one handler, registered once.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "pool.h"

static atomic_uint fork_gen;
static pthread_once_t watch_once = PTHREAD_ONCE_INIT;
/* Written once inside pthread_once(), read after it returns. */
static int watch_err;

/*
 * Bumped in the parent after the child exists: a check that reads the
 * new generation runs after the fork and so sees the child's references;
 * one that read the old generation stamps its slot with it and is redone.
 */
static void fork_parent(void)
{
	atomic_fetch_add_explicit(&fork_gen, 1, memory_order_seq_cst);
}

static void watch_install(void)
{
	watch_err = pthread_atfork(NULL, fork_parent, NULL);
}

int dmaheap_pool_fork_watch(void)
{
	pthread_once(&watch_once, watch_install);
	return watch_err ? -watch_err : 0;
}

unsigned int dmaheap_pool_fork_gen(void)
{
	return atomic_load_explicit(&fork_gen, memory_order_seq_cst);
}

/* SPDX-License-Identifier: MIT */
/* Finding a device node the kernel tests share buffers with. */
#ifndef DMAHEAP_KDEV_H
#define DMAHEAP_KDEV_H

#include <stdbool.h>

/*
 * Opens, with @flags | O_CLOEXEC, each entry of @dir whose name starts
 * with @prefix, and returns the first fd @match accepts (it gets @arg);
 * the others are closed. -1 if none does or @dir cannot be read.
 */
int kt_open_first(const char *dir, const char *prefix, int flags,
		  bool (*match)(int fd, const void *arg), const void *arg);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The number of fds this process has open, for the leak checks the unit,
 * fault and fuzz suites make around each run. Header-only so that no suite
 * links another's code.
 */
#ifndef DMAHEAP_FDCOUNT_H
#define DMAHEAP_FDCOUNT_H

#include <dirent.h>

/* Open fds, not counting the one used to list them; -1 without procfs. */
static inline int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own fd */
}

#endif /* DMAHEAP_FDCOUNT_H */

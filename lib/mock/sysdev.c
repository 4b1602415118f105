/* SPDX-License-Identifier: MIT */
/*
 * /sys/dev/char/MAJ:MIN/uevent of the mock's device nodes, which the
 * library reads to tell a heap node (DEVNAME=dma_heap/NAME) or the udmabuf
 * device (a misc device, DEVNAME=udmabuf) from other character devices.
 * The mock owns every character device of its heap major and its udmabuf
 * number; other devices are the machine's, and the real sysfs answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mock-private.h"

#define SYS_DEV_CHAR "/sys/dev/char/"

/* Parses "/sys/dev/char/MAJ:MIN<rest>"; false if @path is not one. */
static bool parse_sysdev(const char *path, unsigned int *maj,
			 unsigned int *min, const char **rest)
{
	int used = 0;

	if (!path || strncmp(path, SYS_DEV_CHAR, strlen(SYS_DEV_CHAR)) != 0)
		return false;
	path += strlen(SYS_DEV_CHAR);
	if (path[0] < '0' || path[0] > '9' ||
	    sscanf(path, "%u:%u%n", maj, min, &used) != 2 || used == 0)
		return false;
	*rest = path + used;
	return **rest == '\0' || **rest == '/';
}

static bool owned(unsigned int maj, unsigned int min)
{
	return maj == MOCK_HEAP_MAJOR ||
	       (maj == MOCK_MISC_MAJOR && min == MOCK_UDMABUF_MINOR);
}

bool dmock_is_sysdev(const char *path)
{
	unsigned int maj, min;
	const char *rest;

	return parse_sysdev(path, &maj, &min, &rest) && owned(maj, min);
}

/* The node with this number, if one is there as a character device. */
static const struct mock_heap *find_device(const struct dmaheap_mock *m,
					   unsigned int maj, unsigned int min)
{
	const struct mock_heap *h;

	if (maj == MOCK_MISC_MAJOR)
		h = m->udm;
	else
		for (h = m->heaps; h; h = h->next)
			if (!h->removed && !h->udmabuf && h->minor == min)
				break;
	return h && h->props.node != DMAHEAP_MOCK_NODE_REGULAR ? h : NULL;
}

/* Under the lock. Only the uevent file is emulated; the rest of the
 * device's directory is absent. */
int dmock_sysdev_open(struct dmaheap_mock *m, const char *path, int flags)
{
	unsigned int maj, min;
	const struct mock_heap *h;
	const char *rest;
	char text[MOCK_NAME_MAX + 64];
	int fd;

	if (!parse_sysdev(path, &maj, &min, &rest))
		return -ENOENT;
	h = find_device(m, maj, min);
	if (!h || strcmp(rest, "/uevent") != 0)
		return -ENOENT;
	if ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
		return -EACCES;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	if (h->udmabuf)
		snprintf(text, sizeof(text), "MAJOR=%u\nMINOR=%u\nDEVNAME=udmabuf\n",
			 maj, min);
	else
		snprintf(text, sizeof(text),
			 "MAJOR=%u\nMINOR=%u\nDEVNAME=dma_heap/%s\n", maj, min,
			 h->name);
	fd = dmock_text_memfd("uevent", text);
	if (fd < 0)
		return fd;
	return dmock_shape_fd(fd, flags & (O_ACCMODE | O_CLOEXEC | O_NONBLOCK),
			      true);
}

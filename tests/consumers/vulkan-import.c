/* SPDX-License-Identifier: MIT */
/*
 * Vulkan (Mesa's lavapipe on Debian 13) as a judge of heap buffers:
 *
 * buffer  a 64 KiB heap buffer, and a udmabuf one, imported as
 *         VkDeviceMemory (VK_EXT_external_memory_dma_buf): the CPU's
 *         pattern read through vkMapMemory, and vkCmdFillBuffer's bytes
 *         seen by the CPU through the library's mapping. Zero copy both
 *         ways.
 * image   ARGB8888 and NV12 images from dmaheap_image_alloc(), each plane
 *         imported as a VkImage of DRM_FORMAT_MOD_LINEAR at the library's
 *         offset and stride (VK_EXT_image_drm_format_modifier), copied by
 *         the device into a plain buffer: every row must read back as the
 *         CPU wrote it.
 *
 * With the argument "cma": only the buffer check, on a buffer of the CMA
 * heap (alias "cma"), which must be there.
 *
 * Exits 77 when no heap, or no device with the dma-buf import extensions,
 * is there (lavapipe offers VK_EXT_image_drm_format_modifier only where
 * /dev/udmabuf exists: in the VM).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <vulkan/vulkan.h>

#include <dmaheap.h>

#define BUF_SIZE (64 * 1024)
#define FILL_SIZE 4096
#define FILL_WORD 0xa5c3e10fu

struct vk {
	VkInstance inst;
	VkPhysicalDevice phys;
	VkDevice dev;
	VkQueue queue;
	uint32_t family;
	VkCommandPool pool;
	PFN_vkGetMemoryFdPropertiesKHR fd_props;
};

static int failures;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);          \
			printf(__VA_ARGS__);                                 \
			printf("\n");                                        \
			failures++;                                          \
			return -1;                                           \
		}                                                            \
	} while (0)

#define VK(call) CHECK((call) == VK_SUCCESS, "%s", #call)

static void skip(const char *why)
{
	printf("SKIP: %s\n", why);
	exit(77);
}

static int has_ext(VkPhysicalDevice p, const char *name)
{
	uint32_t n = 0;
	VkExtensionProperties *e;
	int found = 0;

	vkEnumerateDeviceExtensionProperties(p, NULL, &n, NULL);
	e = calloc(n, sizeof(*e));
	if (!e)
		return 0;
	vkEnumerateDeviceExtensionProperties(p, NULL, &n, e);
	for (uint32_t i = 0; i < n; i++)
		found |= strcmp(e[i].extensionName, name) == 0;
	free(e);
	return found;
}

static const char *const dev_exts[] = {
	VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
	VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME,
	VK_EXT_IMAGE_DRM_FORMAT_MODIFIER_EXTENSION_NAME,
};

/* The first device with every extension of dev_exts; 77 without one. */
static void vk_open(struct vk *v)
{
	VkApplicationInfo app = {
		.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
		.apiVersion = VK_API_VERSION_1_2,
	};
	VkInstanceCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
		.pApplicationInfo = &app,
	};
	VkPhysicalDevice devs[8];
	uint32_t n = 8;
	float prio = 1.0f;

	if (vkCreateInstance(&ici, NULL, &v->inst) != VK_SUCCESS)
		skip("no Vulkan instance");
	vkEnumeratePhysicalDevices(v->inst, &n, devs);
	v->phys = VK_NULL_HANDLE;
	for (uint32_t i = 0; i < n && !v->phys; i++) {
		int all = 1;

		for (size_t e = 0; e < sizeof(dev_exts) / sizeof(*dev_exts); e++)
			all &= has_ext(devs[i], dev_exts[e]);
		if (all)
			v->phys = devs[i];
	}
	if (!v->phys)
		skip("no Vulkan device with dma-buf import and DRM format "
		     "modifiers");
	{
		VkPhysicalDeviceProperties p;

		vkGetPhysicalDeviceProperties(v->phys, &p);
		printf("device: %s, Vulkan %u.%u\n", p.deviceName,
		       VK_API_VERSION_MAJOR(p.apiVersion),
		       VK_API_VERSION_MINOR(p.apiVersion));
	}
	v->family = 0; /* lavapipe's one family does everything */
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = v->family,
		.queueCount = 1,
		.pQueuePriorities = &prio,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
		.enabledExtensionCount = sizeof(dev_exts) / sizeof(*dev_exts),
		.ppEnabledExtensionNames = dev_exts,
	};
	if (vkCreateDevice(v->phys, &dci, NULL, &v->dev) != VK_SUCCESS)
		skip("vkCreateDevice failed");
	vkGetDeviceQueue(v->dev, v->family, 0, &v->queue);
	VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.queueFamilyIndex = v->family,
	};
	if (vkCreateCommandPool(v->dev, &pci, NULL, &v->pool) != VK_SUCCESS)
		skip("vkCreateCommandPool failed");
	v->fd_props = (PFN_vkGetMemoryFdPropertiesKHR)vkGetDeviceProcAddr(
		v->dev, "vkGetMemoryFdPropertiesKHR");
}

static void vk_close(struct vk *v)
{
	vkDestroyCommandPool(v->dev, v->pool, NULL);
	vkDestroyDevice(v->dev, NULL);
	vkDestroyInstance(v->inst, NULL);
}

/* A memory type in @bits with @flags, or -1. */
static int mem_type(struct vk *v, uint32_t bits, VkMemoryPropertyFlags flags)
{
	VkPhysicalDeviceMemoryProperties mp;

	vkGetPhysicalDeviceMemoryProperties(v->phys, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
		if ((bits & (1u << i)) &&
		    (mp.memoryTypes[i].propertyFlags & flags) == flags)
			return (int)i;
	return -1;
}

/* Imports a dup of dma-buf @fd as memory for @buffer or @image (one is
 * VK_NULL_HANDLE); Vulkan owns the dup once this succeeds. */
static int import_fd(struct vk *v, int fd, VkMemoryRequirements *req,
		     VkBuffer buffer, VkImage image, VkDeviceMemory *mem)
{
	VkMemoryFdPropertiesKHR fp = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR,
	};
	int dup_fd = dup(fd), type;

	CHECK(dup_fd >= 0, "dup: %s", strerror(errno));
	VK(v->fd_props(v->dev, VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
		       fd, &fp));
	type = mem_type(v, req->memoryTypeBits & fp.memoryTypeBits,
			VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT);
	CHECK(type >= 0, "no host-visible memory type for the dma-buf "
			 "(bits 0x%x, fd 0x%x)",
	      req->memoryTypeBits, fp.memoryTypeBits);
	VkMemoryDedicatedAllocateInfo ded = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO,
		.buffer = buffer,
		.image = image,
	};
	VkImportMemoryFdInfoKHR imp = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR,
		.pNext = &ded,
		.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
		.fd = dup_fd,
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = &imp,
		.allocationSize = req->size,
		.memoryTypeIndex = (uint32_t)type,
	};
	if (vkAllocateMemory(v->dev, &mai, NULL, mem) != VK_SUCCESS) {
		close(dup_fd);
		CHECK(0, "vkAllocateMemory (import of fd %d)", fd);
	}
	return 0;
}

/* Records with @rec into a one-time command buffer, runs it, waits. */
static int submit(struct vk *v, void (*rec)(VkCommandBuffer, void *),
		  void *data)
{
	VkCommandBufferAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = v->pool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	VkCommandBuffer cb;
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};

	VK(vkAllocateCommandBuffers(v->dev, &ai, &cb));
	VK(vkBeginCommandBuffer(cb, &bi));
	rec(cb, data);
	VK(vkEndCommandBuffer(cb));
	VK(vkQueueSubmit(v->queue, 1, &si, VK_NULL_HANDLE));
	VK(vkQueueWaitIdle(v->queue));
	vkFreeCommandBuffers(v->dev, v->pool, 1, &cb);
	return 0;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3 + (i >> 9));
}

static void record_fill(VkCommandBuffer cb, void *data)
{
	vkCmdFillBuffer(cb, *(VkBuffer *)data, 0, FILL_SIZE, FILL_WORD);
}

/* The buffer check on @buf (a heap's or udmabuf's). */
static int check_buffer(struct vk *v, struct dmaheap_buf *buf,
			const char *what)
{
	VkExternalMemoryBufferCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_BUFFER_CREATE_INFO,
		.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
	};
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.pNext = &ext,
		.size = BUF_SIZE,
		.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT |
			 VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
	};
	VkBuffer vb;
	VkDeviceMemory mem;
	VkMemoryRequirements req;
	uint8_t *cpu, *gpu;
	size_t wrong = 0;

	CHECK(dmaheap_buf_map(buf, (void **)&cpu) == 0, "map");
	CHECK(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE) == 0,
	      "begin");
	for (size_t i = 0; i < BUF_SIZE; i++)
		cpu[i] = pattern(i);
	CHECK(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE) == 0,
	      "end");
	VK(vkCreateBuffer(v->dev, &bci, NULL, &vb));
	vkGetBufferMemoryRequirements(v->dev, vb, &req);
	if (import_fd(v, dmaheap_buf_fd(buf), &req, vb, VK_NULL_HANDLE,
		      &mem) < 0)
		return -1;
	VK(vkBindBufferMemory(v->dev, vb, mem, 0));
	VK(vkMapMemory(v->dev, mem, 0, BUF_SIZE, 0, (void **)&gpu));
	for (size_t i = 0; i < BUF_SIZE; i++)
		wrong += gpu[i] != pattern(i);
	vkUnmapMemory(v->dev, mem);
	CHECK(wrong == 0, "%s: %zu of %d bytes wrong through vkMapMemory",
	      what, wrong, BUF_SIZE);
	if (submit(v, record_fill, &vb) < 0)
		return -1;
	CHECK(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_READ) == 0,
	      "begin");
	for (size_t i = 0; i < BUF_SIZE; i++) {
		uint32_t w = FILL_WORD;
		uint8_t want = i < FILL_SIZE ? ((uint8_t *)&w)[i % 4]
					     : pattern(i);

		wrong += cpu[i] != want;
	}
	dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_READ);
	CHECK(wrong == 0, "%s: %zu bytes wrong after vkCmdFillBuffer", what,
	      wrong);
	printf("buffer %s: CPU -> Vulkan and Vulkan -> CPU, %d bytes, "
	       "zero copy\n", what, BUF_SIZE);
	vkDestroyBuffer(v->dev, vb, NULL);
	vkFreeMemory(v->dev, mem, NULL);
	dmaheap_buf_unmap(buf);
	return 0;
}

struct copy {
	VkImage image;
	VkBuffer dst;
	uint32_t width, height;
};

static void record_copy(VkCommandBuffer cb, void *data)
{
	struct copy *c = data;
	VkImageMemoryBarrier b = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
		.srcAccessMask = 0,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
		/* The CPU wrote the contents: keep them. */
		.oldLayout = VK_IMAGE_LAYOUT_PREINITIALIZED,
		.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.image = c->image,
		.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
	};
	VkBufferImageCopy r = {
		.imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 },
		.imageExtent = { c->width, c->height, 1 },
	};

	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_HOST_BIT,
			     VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, NULL, 0,
			     NULL, 1, &b);
	vkCmdCopyImageToBuffer(cb, c->image,
			       VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, c->dst, 1,
			       &r);
}

/* A plain host-visible buffer of @size, for the copy's result. */
static int plain_buffer(struct vk *v, VkDeviceSize size, VkBuffer *b,
			VkDeviceMemory *m)
{
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size,
		.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};
	VkMemoryRequirements req;
	int type;

	VK(vkCreateBuffer(v->dev, &bci, NULL, b));
	vkGetBufferMemoryRequirements(v->dev, *b, &req);
	type = mem_type(v, req.memoryTypeBits,
			VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
				VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
	CHECK(type >= 0, "no host-visible memory");
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = req.size,
		.memoryTypeIndex = (uint32_t)type,
	};
	VK(vkAllocateMemory(v->dev, &mai, NULL, m));
	VK(vkBindBufferMemory(v->dev, *b, *m, 0));
	return 0;
}

/*
 * One plane of an image, as Vulkan sees it: a single-plane VkFormat of
 * @bpp bytes a texel, the plane's size in texels.
 */
struct view {
	VkFormat format;
	uint32_t plane, width, height, bpp;
};

/* Plane @vw of @img imported as a LINEAR VkImage at the library's offset
 * and stride, copied out by the device, compared with the CPU's pattern
 * (the whole buffer holds pattern(byte offset)). Returns the bytes
 * compared, or -1. */
static long check_plane(struct vk *v, struct dmaheap_image *img,
			const struct view *vw)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	const struct dmaheap_plane_layout *pl = &l->planes[vw->plane];
	VkSubresourceLayout sub = {
		.offset = pl->offset,
		.rowPitch = pl->stride,
		.size = pl->size,
	};
	VkImageDrmFormatModifierExplicitCreateInfoEXT mod = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT,
		.drmFormatModifier = DRM_FORMAT_MOD_LINEAR,
		.drmFormatModifierPlaneCount = 1,
		.pPlaneLayouts = &sub,
	};
	VkExternalMemoryImageCreateInfo ext = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO,
		.pNext = &mod,
		.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
	};
	VkImageCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
		.pNext = &ext,
		.imageType = VK_IMAGE_TYPE_2D,
		.format = vw->format,
		.extent = { vw->width, vw->height, 1 },
		.mipLevels = 1,
		.arrayLayers = 1,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT,
		.usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
		.initialLayout = VK_IMAGE_LAYOUT_PREINITIALIZED,
	};
	struct copy c = { .width = vw->width, .height = vw->height };
	uint32_t row = vw->width * vw->bpp;
	VkDeviceMemory mem, dst_mem;
	VkMemoryRequirements req;
	size_t wrong = 0;
	uint8_t *got;

	VK(vkCreateImage(v->dev, &ici, NULL, &c.image));
	vkGetImageMemoryRequirements(v->dev, c.image, &req);
	if (import_fd(v, dmaheap_image_plane_fd(img, vw->plane), &req,
		      VK_NULL_HANDLE, c.image, &mem) < 0)
		return -1;
	VK(vkBindImageMemory(v->dev, c.image, mem, 0));
	if (plain_buffer(v, (VkDeviceSize)row * vw->height, &c.dst,
			 &dst_mem) < 0 ||
	    submit(v, record_copy, &c) < 0)
		return -1;
	VK(vkMapMemory(v->dev, dst_mem, 0, VK_WHOLE_SIZE, 0, (void **)&got));
	/* The copy is tightly packed. */
	for (uint32_t y = 0; y < vw->height; y++)
		for (uint32_t x = 0; x < row; x++)
			wrong += got[(size_t)y * row + x] !=
				 pattern(pl->offset + (size_t)y * pl->stride + x);
	vkUnmapMemory(v->dev, dst_mem);
	vkDestroyBuffer(v->dev, c.dst, NULL);
	vkFreeMemory(v->dev, dst_mem, NULL);
	vkDestroyImage(v->dev, c.image, NULL);
	vkFreeMemory(v->dev, mem, NULL);
	CHECK(wrong == 0, "plane %u: %zu of %u bytes copied out wrong",
	      vw->plane, wrong, row * vw->height);
	return (long)row * vw->height;
}

/*
 * A 64x48 image of @fourcc from the system heap, filled by the CPU, each
 * plane checked as one of @views. NV12 goes plane by plane (R8 and
 * R8G8): lavapipe (Mesa 25.0) refuses multi-planar formats with DRM
 * format modifiers ("planar drm formats are not supported").
 */
static int check_image(struct vk *v, struct dmaheap_ctx *ctx, uint32_t fourcc,
		       const char *what, const struct view *views, int n)
{
	struct dmaheap_image_spec spec = {
		.fourcc = fourcc, .width = 64, .height = 48,
		.modifier = DRM_FORMAT_MOD_LINEAR,
	};
	const struct dmaheap_image_layout *l;
	struct dmaheap_image *img;
	struct dmaheap_buf *buf;
	long bytes = 0, b = 0;
	uint8_t *cpu;
	int r;

	r = dmaheap_image_alloc(ctx, "system", &spec, 0, &img);
	CHECK(r == 0, "dmaheap_image_alloc %s: %s", what, strerror(-r));
	l = dmaheap_image_get_layout(img);
	CHECK(l->n_buffers == 1, "%s: %u buffers", what, l->n_buffers);
	buf = dmaheap_image_buf(img, 0);
	CHECK(dmaheap_buf_map(buf, (void **)&cpu) == 0, "map");
	CHECK(dmaheap_buf_begin_cpu_access(buf, DMAHEAP_ACCESS_WRITE) == 0,
	      "begin");
	for (size_t i = 0; i < l->size; i++)
		cpu[i] = pattern(i);
	CHECK(dmaheap_buf_end_cpu_access(buf, DMAHEAP_ACCESS_WRITE) == 0,
	      "end");
	for (int i = 0; i < n; i++) {
		b = check_plane(v, img, &views[i]);
		if (b < 0)
			break;
		bytes += b;
		printf("image %s plane %u: offset %llu, stride %u: read back "
		       "by the device\n", what, views[i].plane,
		       (unsigned long long)l->planes[views[i].plane].offset,
		       l->planes[views[i].plane].stride);
	}
	printf("image %s %ux%u: %ld bytes as the CPU wrote them\n", what,
	       l->width, l->height, bytes);
	dmaheap_buf_unmap(buf);
	dmaheap_image_free(img);
	CHECK(b >= 0, "image %s", what);
	return 0;
}

/* The CMA heap's buffer, alone: for a kernel that has one. Its absence
 * is a failure, not a skip: whoever asks for this check booted such a
 * kernel. */
static int check_cma(struct dmaheap_ctx *ctx)
{
	struct dmaheap_buf *buf;
	struct vk v;
	int r = dmaheap_alloc(ctx, "cma", BUF_SIZE, 0, &buf);

	if (r < 0) {
		printf("FAIL: no buffer from the CMA heap (alias \"cma\"): "
		       "%s\n", strerror(-r));
		return 1;
	}
	vk_open(&v);
	check_buffer(&v, buf, "CMA heap");
	dmaheap_buf_free(buf);
	vk_close(&v);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct dmaheap_ctx *ctx;
	struct dmaheap_buf *buf;
	struct vk v;
	int r;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (dmaheap_ctx_new(&ctx) < 0)
		skip("no libdmaheap context");
	if (argc > 1) {
		if (argc > 2 || strcmp(argv[1], "cma") != 0) {
			fprintf(stderr, "usage: %s [cma]\n", argv[0]);
			return 2;
		}
		r = check_cma(ctx);
		dmaheap_ctx_free(ctx);
		return r;
	}
	r = dmaheap_alloc(ctx, "system", BUF_SIZE, 0, &buf);
	if (r < 0) {
		printf("SKIP: no system heap: %s\n", strerror(-r));
		return 77;
	}
	vk_open(&v);
	check_buffer(&v, buf, "system heap");
	dmaheap_buf_free(buf);
	r = dmaheap_alloc(ctx, "udmabuf", BUF_SIZE, 0, &buf);
	if (r == 0) {
		check_buffer(&v, buf, "udmabuf");
		dmaheap_buf_free(buf);
	} else {
		printf("udmabuf: %s: not checked\n", strerror(-r));
	}
	/* ARGB8888 is B, G, R, A in memory: VK_FORMAT_B8G8R8A8. */
	static const struct view argb[] = {
		{ VK_FORMAT_B8G8R8A8_UNORM, 0, 64, 48, 4 },
	};
	static const struct view nv12[] = {
		{ VK_FORMAT_R8_UNORM, 0, 64, 48, 1 },
		{ VK_FORMAT_R8G8_UNORM, 1, 32, 24, 2 },
	};
	check_image(&v, ctx, DRM_FORMAT_ARGB8888, "ARGB8888", argb, 1);
	check_image(&v, ctx, DRM_FORMAT_NV12, "NV12", nv12, 2);
	vk_close(&v);
	dmaheap_ctx_free(ctx);
	printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}

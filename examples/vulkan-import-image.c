/* SPDX-License-Identifier: MIT */
/*
 * Hand an image from a DMA-BUF heap to Vulkan without a copy.
 *
 * Allocates a 64x48 ARGB8888 image with dmaheap_image_alloc(), writes a
 * pattern with the CPU, imports the dma-buf into Vulkan as a VkImage of
 * DRM_FORMAT_MOD_LINEAR whose plane offset and row pitch are the image
 * API's (VK_EXT_image_drm_format_modifier, VK_EXT_external_memory_dma_buf),
 * lets the device copy the image into a plain buffer, and checks every
 * pixel there.
 *
 * Needs a Vulkan device with those extensions: Mesa's lavapipe from 24.1
 * on offers them where /dev/udmabuf exists. Exits 77, saying why, where
 * the heap or such a device is missing.
 *
 *   cc vulkan-import-image.c $(pkg-config --cflags --libs libdmaheap vulkan libdrm)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <vulkan/vulkan.h>

#include <dmaheap.h>

#define WIDTH 64
#define HEIGHT 48

static const char *const extensions[] = {
	VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME,
	VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME,
	VK_EXT_IMAGE_DRM_FORMAT_MODIFIER_EXTENSION_NAME,
};
#define N_EXTENSIONS (sizeof(extensions) / sizeof(extensions[0]))

struct gpu {
	VkInstance instance;
	VkPhysicalDevice phys;
	VkDevice device;
	VkQueue queue;
	VkCommandPool pool;
};

static int has_extensions(VkPhysicalDevice phys)
{
	VkExtensionProperties *props;
	uint32_t n = 0, found = 0;

	vkEnumerateDeviceExtensionProperties(phys, NULL, &n, NULL);
	props = calloc(n, sizeof(*props));
	if (!props)
		return 0;
	vkEnumerateDeviceExtensionProperties(phys, NULL, &n, props);
	for (size_t e = 0; e < N_EXTENSIONS; e++)
		for (uint32_t i = 0; i < n; i++)
			if (strcmp(props[i].extensionName, extensions[e]) == 0) {
				found++;
				break;
			}
	free(props);
	return found == N_EXTENSIONS;
}

/* A device with the extensions, and the first queue family's queue. 0, or
 * 77 with the reason printed. */
static int gpu_open(struct gpu *g)
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

	if (vkCreateInstance(&ici, NULL, &g->instance) != VK_SUCCESS) {
		printf("SKIP: no Vulkan instance\n");
		return 77;
	}
	vkEnumeratePhysicalDevices(g->instance, &n, devs);
	g->phys = VK_NULL_HANDLE;
	for (uint32_t i = 0; i < n && !g->phys; i++)
		if (has_extensions(devs[i]))
			g->phys = devs[i];
	if (!g->phys) {
		printf("SKIP: no Vulkan device imports dma-bufs with DRM "
		       "format modifiers\n");
		return 77;
	}
	VkDeviceQueueCreateInfo qci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
		.queueFamilyIndex = 0,
		.queueCount = 1,
		.pQueuePriorities = &prio,
	};
	VkDeviceCreateInfo dci = {
		.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
		.queueCreateInfoCount = 1,
		.pQueueCreateInfos = &qci,
		.enabledExtensionCount = N_EXTENSIONS,
		.ppEnabledExtensionNames = extensions,
	};
	VkCommandPoolCreateInfo pci = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
		.queueFamilyIndex = 0,
	};
	if (vkCreateDevice(g->phys, &dci, NULL, &g->device) != VK_SUCCESS ||
	    vkCreateCommandPool(g->device, &pci, NULL, &g->pool) != VK_SUCCESS) {
		printf("SKIP: cannot create a Vulkan device\n");
		return 77;
	}
	vkGetDeviceQueue(g->device, 0, 0, &g->queue);
	return 0;
}

static void gpu_close(struct gpu *g)
{
	vkDestroyCommandPool(g->device, g->pool, NULL);
	vkDestroyDevice(g->device, NULL);
	vkDestroyInstance(g->instance, NULL);
}

/* A memory type in @bits with @flags, or -1. */
static int memory_type(struct gpu *g, uint32_t bits, VkMemoryPropertyFlags flags)
{
	VkPhysicalDeviceMemoryProperties mp;

	vkGetPhysicalDeviceMemoryProperties(g->phys, &mp);
	for (uint32_t i = 0; i < mp.memoryTypeCount; i++)
		if ((bits & (1u << i)) &&
		    (mp.memoryTypes[i].propertyFlags & flags) == flags)
			return (int)i;
	return -1;
}

/*
 * The image's plane 0 as a LINEAR VkImage at the library's offset and
 * stride, bound to the imported dma-buf. Vulkan takes ownership of the fd
 * it imports, so it gets a dup; the image keeps its own.
 */
static int import_image(struct gpu *g, const struct dmaheap_image *img,
			VkImage *image, VkDeviceMemory *mem)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	VkSubresourceLayout plane = {
		.offset = l->planes[0].offset,
		.rowPitch = l->planes[0].stride,
		.size = l->planes[0].size,
	};
	VkImageDrmFormatModifierExplicitCreateInfoEXT modifier = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_DRM_FORMAT_MODIFIER_EXPLICIT_CREATE_INFO_EXT,
		.drmFormatModifier = l->modifier,
		.drmFormatModifierPlaneCount = 1,
		.pPlaneLayouts = &plane,
	};
	VkExternalMemoryImageCreateInfo external = {
		.sType = VK_STRUCTURE_TYPE_EXTERNAL_MEMORY_IMAGE_CREATE_INFO,
		.pNext = &modifier,
		.handleTypes = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
	};
	/* DRM_FORMAT_ARGB8888 is B, G, R, A in memory. */
	VkImageCreateInfo ici = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
		.pNext = &external,
		.imageType = VK_IMAGE_TYPE_2D,
		.format = VK_FORMAT_B8G8R8A8_UNORM,
		.extent = { l->width, l->height, 1 },
		.mipLevels = 1,
		.arrayLayers = 1,
		.samples = VK_SAMPLE_COUNT_1_BIT,
		.tiling = VK_IMAGE_TILING_DRM_FORMAT_MODIFIER_EXT,
		.usage = VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
		.initialLayout = VK_IMAGE_LAYOUT_PREINITIALIZED,
	};
	PFN_vkGetMemoryFdPropertiesKHR fd_properties =
		(PFN_vkGetMemoryFdPropertiesKHR)vkGetDeviceProcAddr(
			g->device, "vkGetMemoryFdPropertiesKHR");
	VkMemoryFdPropertiesKHR fdp = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_FD_PROPERTIES_KHR,
	};
	VkMemoryRequirements req;
	int fd = dmaheap_image_plane_fd(img, 0), type;

	if (vkCreateImage(g->device, &ici, NULL, image) != VK_SUCCESS) {
		fprintf(stderr, "vkCreateImage refused the layout\n");
		return -1;
	}
	vkGetImageMemoryRequirements(g->device, *image, &req);
	if (!fd_properties ||
	    fd_properties(g->device,
			  VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT, fd,
			  &fdp) != VK_SUCCESS)
		return -1;
	type = memory_type(g, req.memoryTypeBits & fdp.memoryTypeBits, 0);
	if (type < 0)
		return -1;
	VkMemoryDedicatedAllocateInfo dedicated = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_DEDICATED_ALLOCATE_INFO,
		.image = *image,
	};
	VkImportMemoryFdInfoKHR import = {
		.sType = VK_STRUCTURE_TYPE_IMPORT_MEMORY_FD_INFO_KHR,
		.pNext = &dedicated,
		.handleType = VK_EXTERNAL_MEMORY_HANDLE_TYPE_DMA_BUF_BIT_EXT,
		.fd = dup(fd),
	};
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.pNext = &import,
		.allocationSize = req.size,
		.memoryTypeIndex = (uint32_t)type,
	};
	if (import.fd < 0)
		return -1;
	if (vkAllocateMemory(g->device, &mai, NULL, mem) != VK_SUCCESS) {
		close(import.fd); /* still ours when the import fails */
		return -1;
	}
	return vkBindImageMemory(g->device, *image, *mem, 0) == VK_SUCCESS ? 0 : -1;
}

/* A host-visible buffer of @size for the copy. */
static int host_buffer(struct gpu *g, VkDeviceSize size, VkBuffer *buf,
		       VkDeviceMemory *mem)
{
	VkBufferCreateInfo bci = {
		.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
		.size = size,
		.usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
	};
	VkMemoryRequirements req;
	int type;

	if (vkCreateBuffer(g->device, &bci, NULL, buf) != VK_SUCCESS)
		return -1;
	vkGetBufferMemoryRequirements(g->device, *buf, &req);
	type = memory_type(g, req.memoryTypeBits,
			   VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
				   VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
	VkMemoryAllocateInfo mai = {
		.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
		.allocationSize = req.size,
		.memoryTypeIndex = (uint32_t)type,
	};
	if (type < 0 || vkAllocateMemory(g->device, &mai, NULL, mem) != VK_SUCCESS)
		return -1;
	return vkBindBufferMemory(g->device, *buf, *mem, 0) == VK_SUCCESS ? 0 : -1;
}

/* The device copies @image into @buf, tightly packed; waits for it. */
static int copy_image(struct gpu *g, VkImage image, VkBuffer buf)
{
	VkCommandBufferAllocateInfo ai = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
		.commandPool = g->pool,
		.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
		.commandBufferCount = 1,
	};
	VkCommandBufferBeginInfo bi = {
		.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
		.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
	};
	/* PREINITIALIZED keeps what the CPU wrote. */
	VkImageMemoryBarrier barrier = {
		.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
		.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT,
		.oldLayout = VK_IMAGE_LAYOUT_PREINITIALIZED,
		.newLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
		.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
		.image = image,
		.subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
	};
	VkBufferImageCopy region = {
		.imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 },
		.imageExtent = { WIDTH, HEIGHT, 1 },
	};
	VkCommandBuffer cb;
	VkSubmitInfo si = {
		.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
		.commandBufferCount = 1,
		.pCommandBuffers = &cb,
	};
	int ok;

	if (vkAllocateCommandBuffers(g->device, &ai, &cb) != VK_SUCCESS)
		return -1;
	vkBeginCommandBuffer(cb, &bi);
	vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_HOST_BIT,
			     VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, NULL, 0, NULL,
			     1, &barrier);
	vkCmdCopyImageToBuffer(cb, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
			       buf, 1, &region);
	ok = vkEndCommandBuffer(cb) == VK_SUCCESS &&
	     vkQueueSubmit(g->queue, 1, &si, VK_NULL_HANDLE) == VK_SUCCESS &&
	     vkQueueWaitIdle(g->queue) == VK_SUCCESS;
	vkFreeCommandBuffers(g->device, g->pool, 1, &cb);
	return ok ? 0 : -1;
}

static uint8_t pattern(uint32_t x, uint32_t y, uint32_t byte)
{
	return (uint8_t)(x * 4 + byte + y * 17);
}

/* The CPU's pattern, written between begin and end of CPU access. */
static int write_pattern(struct dmaheap_image *img)
{
	const struct dmaheap_image_layout *l = dmaheap_image_get_layout(img);
	void *planes[DMAHEAP_IMAGE_MAX_PLANES];
	int r = dmaheap_image_map(img, planes);

	if (r < 0)
		return r;
	r = dmaheap_image_begin_cpu_access(img, DMAHEAP_ACCESS_WRITE);
	if (r == 0) {
		for (uint32_t y = 0; y < l->height; y++) {
			uint8_t *row = (uint8_t *)planes[0] +
				       (size_t)y * l->planes[0].stride;

			for (uint32_t x = 0; x < l->width * 4; x++)
				row[x] = pattern(x / 4, y, x % 4);
		}
		r = dmaheap_image_end_cpu_access(img, DMAHEAP_ACCESS_WRITE);
	}
	dmaheap_image_unmap(img);
	return r;
}

int main(void)
{
	struct dmaheap_image_spec spec = {
		.fourcc = DRM_FORMAT_ARGB8888,
		.width = WIDTH,
		.height = HEIGHT,
		.modifier = DRM_FORMAT_MOD_LINEAR,
	};
	VkImage image = VK_NULL_HANDLE;
	VkBuffer buf = VK_NULL_HANDLE;
	VkDeviceMemory image_mem = VK_NULL_HANDLE, buf_mem = VK_NULL_HANDLE;
	struct dmaheap_image *img;
	struct dmaheap_ctx *ctx;
	size_t wrong = 0;
	uint8_t *got;
	struct gpu g;
	int r;

	r = dmaheap_ctx_new(&ctx);
	if (r < 0) {
		fprintf(stderr, "dmaheap_ctx_new: %s\n", strerror(-r));
		return 1;
	}
	r = dmaheap_image_alloc(ctx, "system", &spec, 0, &img);
	if (r < 0) {
		printf("SKIP: no image from the system heap: %s\n", strerror(-r));
		dmaheap_ctx_free(ctx);
		return 77;
	}
	r = write_pattern(img);
	if (r == 0)
		r = gpu_open(&g);
	if (r != 0) {
		dmaheap_image_free(img);
		dmaheap_ctx_free(ctx);
		return r == 77 ? 77 : 1;
	}
	if (import_image(&g, img, &image, &image_mem) < 0 ||
	    host_buffer(&g, (VkDeviceSize)WIDTH * HEIGHT * 4, &buf, &buf_mem) < 0 ||
	    copy_image(&g, image, buf) < 0 ||
	    vkMapMemory(g.device, buf_mem, 0, VK_WHOLE_SIZE, 0,
			(void **)&got) != VK_SUCCESS) {
		fprintf(stderr, "the Vulkan import or copy failed\n");
		wrong = 1;
	} else {
		for (uint32_t y = 0; y < HEIGHT; y++)
			for (uint32_t x = 0; x < WIDTH * 4; x++)
				wrong += got[(size_t)y * WIDTH * 4 + x] !=
					 pattern(x / 4, y, x % 4);
		vkUnmapMemory(g.device, buf_mem);
		printf("%ux%u ARGB8888, stride %u: %zu of %u bytes wrong after "
		       "the device's copy\n", WIDTH, HEIGHT,
		       dmaheap_image_get_layout(img)->planes[0].stride, wrong,
		       WIDTH * HEIGHT * 4);
	}
	vkDestroyBuffer(g.device, buf, NULL);
	vkFreeMemory(g.device, buf_mem, NULL);
	vkDestroyImage(g.device, image, NULL);
	vkFreeMemory(g.device, image_mem, NULL);
	gpu_close(&g);
	dmaheap_image_free(img);
	dmaheap_ctx_free(ctx);
	return wrong ? 1 : 0;
}

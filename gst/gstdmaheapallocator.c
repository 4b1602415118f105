/* SPDX-License-Identifier: MIT */
/* GstDmaHeapAllocator: see gstdmaheapallocator.h for the contract. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gstdmaheapallocator.h"

#define GST_CAT_DEFAULT gst_dmaheap_debug

/* Most names in a heap fallback list, as dmaheap_alloc_from() takes. */
#define HEAP_LIST_MAX 128

enum { PROP_0, PROP_HEAP, PROP_USAGE, PROP_POOL };

/* An application may make an allocator before anything else of the
 * library: the category is made with the type. */
G_DEFINE_TYPE_WITH_CODE(GstDmaHeapAllocator, gst_dmaheap_allocator,
			GST_TYPE_DMABUF_ALLOCATOR, gst_dmaheap_debug_init())

GType gst_dmaheap_usage_get_type(void)
{
	static const GFlagsValue values[] = {
		{ DMAHEAP_USAGE_CPU_READ_OFTEN, "The CPU reads it often",
		  "cpu-read-often" },
		{ DMAHEAP_USAGE_CPU_WRITE_OFTEN, "The CPU writes it often",
		  "cpu-write-often" },
		{ DMAHEAP_USAGE_CPU_RARELY, "The CPU rarely touches it",
		  "cpu-rarely" },
		{ DMAHEAP_USAGE_DEVICE_ONLY, "Only devices touch it",
		  "device-only" },
		{ DMAHEAP_USAGE_CONTIGUOUS, "Physically contiguous",
		  "contiguous" },
		{ DMAHEAP_USAGE_PROTECTED, "Protected content", "protected" },
		{ DMAHEAP_USAGE_UNCACHED, "Uncached", "uncached" },
		{ DMAHEAP_USAGE_CAMERA_WRITE, "A camera writes it",
		  "camera-write" },
		{ DMAHEAP_USAGE_DISPLAY_SCANOUT, "A display scans it out",
		  "display-scanout" },
		{ DMAHEAP_USAGE_VIDEO_DECODE, "A video decoder writes it",
		  "video-decode" },
		{ DMAHEAP_USAGE_VIDEO_ENCODE, "A video encoder reads it",
		  "video-encode" },
		{ DMAHEAP_USAGE_GPU_TEXTURE, "A GPU samples it",
		  "gpu-texture" },
		{ DMAHEAP_USAGE_GPU_RENDER, "A GPU renders into it",
		  "gpu-render" },
		{ 0, NULL, NULL },
	};
	static gsize type;

	if (g_once_init_enter(&type))
		g_once_init_leave(&type, g_flags_register_static(
						 "GstDmaHeapUsage", values));
	return (GType)type;
}

static GQuark buf_quark(void)
{
	static gsize q;

	if (g_once_init_enter(&q))
		g_once_init_leave(&q, g_quark_from_static_string(
					      "gst-dmaheap-buf"));
	return (GQuark)q;
}

static void log_to_gst(void *userdata, int priority, const char *msg)
{
	GstDebugLevel level = GST_LEVEL_DEBUG;

	if (priority <= DMAHEAP_LOG_ERR)
		level = GST_LEVEL_ERROR;
	else if (priority == DMAHEAP_LOG_WARNING)
		level = GST_LEVEL_WARNING;
	else if (priority <= DMAHEAP_LOG_INFO)
		level = GST_LEVEL_INFO;
	GST_CAT_LEVEL_LOG(gst_dmaheap_debug, level, userdata, "%s", msg);
}

struct dmaheap_buf *gst_dmaheap_memory_get_buf(GstMemory *mem)
{
	if (!mem)
		return NULL;
	while (mem->parent)
		mem = mem->parent;
	return gst_mini_object_get_qdata(GST_MINI_OBJECT(mem), buf_quark());
}

gboolean gst_is_dmaheap_memory(GstMemory *mem)
{
	return mem && GST_IS_DMAHEAP_ALLOCATOR(mem->allocator) &&
	       gst_dmaheap_memory_get_buf(mem) != NULL;
}

struct dmaheap_ctx *gst_dmaheap_allocator_get_ctx(GstAllocator *alloc)
{
	g_return_val_if_fail(GST_IS_DMAHEAP_ALLOCATOR(alloc), NULL);
	return GST_DMAHEAP_ALLOCATOR(alloc)->ctx;
}

gchar *gst_dmaheap_allocator_get_heap(GstAllocator *alloc)
{
	gchar *heap = NULL;

	g_return_val_if_fail(GST_IS_DMAHEAP_ALLOCATOR(alloc), NULL);
	g_object_get(alloc, "heap", &heap, NULL);
	return heap;
}

guint gst_dmaheap_allocator_get_usage(GstAllocator *alloc)
{
	guint usage = 0;

	g_return_val_if_fail(GST_IS_DMAHEAP_ALLOCATOR(alloc), 0);
	g_object_get(alloc, "usage", &usage, NULL);
	return usage;
}

GstAllocator *gst_dmaheap_allocator_new(const gchar *heap, guint usage)
{
	/* Set at construction, before anyone else can see the allocator. */
	return g_object_new(GST_TYPE_DMAHEAP_ALLOCATOR, "heap", heap, "usage",
			    usage ? usage : DMAHEAP_USAGE_CPU_WRITE_OFTEN,
			    NULL);
}

static unsigned int access_of(GstMapFlags flags)
{
	unsigned int a = 0;

	if (flags & GST_MAP_READ)
		a |= DMAHEAP_ACCESS_READ;
	if (flags & GST_MAP_WRITE)
		a |= DMAHEAP_ACCESS_WRITE;
	/* A map that says neither still reads. */
	return a ? a : DMAHEAP_ACCESS_READ;
}

static gpointer mem_map(GstMemory *mem, GstMapInfo *info, gsize maxsize)
{
	GstDmaHeapAllocator *self = GST_DMAHEAP_ALLOCATOR(mem->allocator);
	struct dmaheap_buf *buf = gst_dmaheap_memory_get_buf(mem);
	unsigned int access = access_of(info->flags);
	void *addr = NULL;
	int r;

	if (!buf)
		return NULL;
	g_mutex_lock(&self->lock);
	r = dmaheap_buf_map(buf, &addr);
	if (r == 0) {
		r = dmaheap_buf_begin_cpu_access(buf, access);
		if (r)
			dmaheap_buf_unmap(buf);
	}
	g_mutex_unlock(&self->lock);
	if (r) {
		GST_WARNING_OBJECT(self, "cannot map %p (fd %d, heap %s): %s",
				   (void *)mem, dmaheap_buf_fd(buf),
				   dmaheap_buf_heap_name(buf),
				   dmaheap_strerror(r));
		return NULL;
	}
	/* Shares have the root's fd and offsets from its start. */
	return addr;
}

static void mem_unmap(GstMemory *mem, GstMapInfo *info)
{
	GstDmaHeapAllocator *self = GST_DMAHEAP_ALLOCATOR(mem->allocator);
	struct dmaheap_buf *buf = gst_dmaheap_memory_get_buf(mem);
	int r;

	g_mutex_lock(&self->lock);
	r = dmaheap_buf_end_cpu_access(buf, access_of(info->flags));
	dmaheap_buf_unmap(buf);
	g_mutex_unlock(&self->lock);
	if (r)
		GST_WARNING_OBJECT(self, "ending CPU access to %p: %s",
				   (void *)mem,
				   dmaheap_strerror(r));
}

/* Splits @list at commas into @names (pointing into @list). */
static size_t split_heaps(gchar *list, const char **names)
{
	size_t n = 0;
	char *save = NULL;

	for (char *t = strtok_r(list, ",", &save); t && n < HEAP_LIST_MAX;
	     t = strtok_r(NULL, ",", &save))
		names[n++] = g_strstrip(t);
	return n;
}

/* The file the context read its heap policy from, as the library picks it
 * (struct dmaheap_options.policy_file is not set here). */
static const gchar *policy_file(void)
{
	const gchar *env = g_getenv("DMAHEAP_POLICY");

	return env && *env ? env : "/etc/libdmaheap/policy.conf";
}

static gint error_code(int r)
{
	switch (-r) {
	case ENOENT:
	case ENODEV:
		return GST_RESOURCE_ERROR_NOT_FOUND;
	case EACCES:
	case EPERM:
		return GST_RESOURCE_ERROR_NOT_AUTHORIZED;
	case ENOMEM:
	case ENOSPC:
		return GST_RESOURCE_ERROR_NO_SPACE_LEFT;
	default:
		return GST_RESOURCE_ERROR_FAILED;
	}
}

/* "system (No such file or directory), udmabuf": what the policy tries
 * for @usage, each with why it cannot be opened. */
static gchar *usage_plan(GstDmaHeapAllocator *self, guint usage)
{
	struct dmaheap_heap_info *plan = NULL;
	GString *s = g_string_new(NULL);
	int n = dmaheap_usage_plan(self->ctx, usage, &plan);

	for (int i = 0; i < n; i++) {
		g_string_append_printf(s, "%s%s", i ? ", " : "", plan[i].name);
		if (plan[i].error)
			g_string_append_printf(s, " (%s)",
					       dmaheap_strerror(plan[i].error));
	}
	if (n == 0)
		g_string_append(s, "no heap here meets the requirements");
	else if (n < 0)
		g_string_append(s, dmaheap_strerror(n));
	dmaheap_heap_list_free(plan);
	return g_string_free(s, FALSE);
}

/* "cpu-write-often+contiguous": the nicks of the property's values. */
static gchar *usage_nicks(guint usage)
{
	GFlagsClass *k = g_type_class_ref(gst_dmaheap_usage_get_type());
	GString *s = g_string_new(NULL);
	GFlagsValue *v;

	while (usage && (v = g_flags_get_first_value(k, usage))) {
		g_string_append_printf(s, "%s%s", s->len ? "+" : "",
				       v->value_nick);
		usage &= ~v->value;
	}
	if (usage || !s->len)
		g_string_append_printf(s, "%s0x%x", s->len ? "+" : "", usage);
	g_type_class_unref(k);
	return g_string_free(s, FALSE);
}

/* Why an allocation failed and what to change: the heap (or usage), the
 * error, and the knob that picks the heap. */
static void set_alloc_error(GstDmaHeapAllocator *self, const gchar *list,
			    guint usage, gsize size, int r, GError **error)
{
	gchar *plan, *names;

	if (list) {
		g_set_error(error, GST_RESOURCE_ERROR, error_code(r),
			    "cannot allocate %" G_GSIZE_FORMAT " bytes from "
			    "heap \"%s\": %s. Set the heap property to a heap "
			    "in %s (\"dmaheap list\" shows them), or "
			    "DMAHEAP_DIR to the directory of the heap nodes",
			    size, list, dmaheap_strerror(r),
			    dmaheap_ctx_heap_dir(self->ctx));
		return;
	}
	plan = usage_plan(self, usage);
	names = usage_nicks(usage);
	g_set_error(error, GST_RESOURCE_ERROR, error_code(r),
		    "cannot allocate %" G_GSIZE_FORMAT " bytes for usage %s "
		    "(no heap set; the heap policy tries: %s): %s. Set the "
		    "heap property, or a rule for this usage in the policy "
		    "file %s (DMAHEAP_POLICY names another)",
		    size, names, plan, dmaheap_strerror(r), policy_file());
	g_free(names);
	g_free(plan);
}

static int alloc_buf(GstDmaHeapAllocator *self, gsize size,
		     struct dmaheap_buf **buf, GError **error)
{
	const char *names[HEAP_LIST_MAX];
	gchar *list;
	guint usage;
	size_t n;
	int r;

	g_mutex_lock(&self->lock);
	list = g_strdup(self->heap);
	usage = self->usage;
	g_mutex_unlock(&self->lock);
	if (!list) {
		r = dmaheap_alloc_usage(self->ctx, usage, size, 0, buf);
	} else if (strchr(list, ',') &&
		   dmaheap_has_heap(self->ctx, list) == 1) {
		/* Heap names may hold commas ("linux,cma"): a whole string
		 * naming a heap is that heap, not a list. */
		r = dmaheap_alloc(self->ctx, list, size, 0, buf);
	} else {
		gchar *copy = g_strdup(list);

		n = split_heaps(copy, names);
		r = n ? dmaheap_alloc_from(self->ctx, names, n, size, 0, buf)
		      : -EINVAL;
		g_free(copy);
	}
	if (r < 0)
		set_alloc_error(self, list, usage, size, r, error);
	g_free(list);
	return r < 0 ? r : 0;
}

static void zero_range(GstMemory *mem, gsize off, gsize len)
{
	GstMapInfo info;

	if (!len || !gst_memory_map(mem, &info, GST_MAP_WRITE))
		return;
	/* info.data starts at the memory's offset; the prefix is before it */
	memset(info.data - mem->offset + off, 0, len);
	gst_memory_unmap(mem, &info);
}

static gboolean check_params(gsize size, const GstAllocationParams *p,
			     gsize *total, GError **error)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page > 0 && p->align >= (gsize)page) {
		g_set_error(error, GST_RESOURCE_ERROR,
			    GST_RESOURCE_ERROR_SETTINGS,
			    "alignment %" G_GSIZE_FORMAT " is over a page: "
			    "mappings are page-aligned", p->align + 1);
		return FALSE;
	}
	if (size > G_MAXSIZE - p->prefix ||
	    size + p->prefix > G_MAXSIZE - p->padding) {
		g_set_error(error, GST_RESOURCE_ERROR,
			    GST_RESOURCE_ERROR_SETTINGS,
			    "size %" G_GSIZE_FORMAT " overflows", size);
		return FALSE;
	}
	*total = p->prefix + size + p->padding;
	if (*total == 0)
		g_set_error(error, GST_RESOURCE_ERROR,
			    GST_RESOURCE_ERROR_SETTINGS,
			    "an allocation of 0 bytes");
	return *total > 0;
}

static GstMemory *wrap(GstDmaHeapAllocator *self, struct dmaheap_buf *buf,
		       gsize size, const GstAllocationParams *p)
{
	GstMemory *mem;

	mem = gst_dmabuf_allocator_alloc_with_flags(
		GST_ALLOCATOR(self), dmaheap_buf_fd(buf), dmaheap_buf_size(buf),
		GST_FD_MEMORY_FLAG_DONT_CLOSE);
	if (!mem) {
		dmaheap_buf_free(buf);
		return NULL;
	}
	gst_mini_object_set_qdata(GST_MINI_OBJECT(mem), buf_quark(), buf,
				  (GDestroyNotify)dmaheap_buf_free);
	gst_memory_resize(mem, p->prefix, size);
	if ((p->flags & GST_MEMORY_FLAG_ZERO_PREFIXED) && p->prefix)
		zero_range(mem, 0, p->prefix);
	if (p->flags & GST_MEMORY_FLAG_ZERO_PADDED)
		zero_range(mem, p->prefix + size,
			   dmaheap_buf_size(buf) - p->prefix - size);
	GST_MINI_OBJECT_FLAGS(mem) |= p->flags;
	if (dmaheap_buf_props(buf) & DMAHEAP_PROP_CONTIGUOUS)
		GST_MINI_OBJECT_FLAGS(mem) |=
			GST_MEMORY_FLAG_PHYSICALLY_CONTIGUOUS;
	return mem;
}

GstMemory *gst_dmaheap_allocator_alloc_full(GstAllocator *alloc, gsize size,
					    GstAllocationParams *params,
					    GError **error)
{
	GstDmaHeapAllocator *self;
	GstAllocationParams defaults;
	struct dmaheap_buf *buf = NULL;
	gsize total;

	g_return_val_if_fail(GST_IS_DMAHEAP_ALLOCATOR(alloc), NULL);
	self = GST_DMAHEAP_ALLOCATOR(alloc);
	if (!params) {
		gst_allocation_params_init(&defaults);
		params = &defaults;
	}
	if (!self->ctx) {
		g_set_error(error, GST_RESOURCE_ERROR, error_code(self->ctx_error),
			    "no libdmaheap context: %s. Check the policy file "
			    "%s (DMAHEAP_POLICY names another)",
			    dmaheap_strerror(self->ctx_error), policy_file());
		return NULL;
	}
	if (!check_params(size, params, &total, error) ||
	    alloc_buf(self, total, &buf, error))
		return NULL;
	GST_LOG_OBJECT(self, "%" G_GSIZE_FORMAT " bytes from heap %s, fd %d",
		       total, dmaheap_buf_heap_name(buf), dmaheap_buf_fd(buf));
	return wrap(self, buf, size, params);
}

static GstMemory *allocator_alloc(GstAllocator *alloc, gsize size,
				  GstAllocationParams *params)
{
	GError *error = NULL;
	GstMemory *mem = gst_dmaheap_allocator_alloc_full(alloc, size, params,
							  &error);

	if (!mem) {
		GST_ERROR_OBJECT(alloc, "%s", error ? error->message : "?");
		g_clear_error(&error);
	}
	return mem;
}

static void set_pool(GstDmaHeapAllocator *self, gboolean on)
{
	struct dmaheap_pool_options o = DMAHEAP_POOL_OPTIONS_INIT;
	int r;

	if (!self->ctx)
		return;
	r = dmaheap_ctx_set_pool(self->ctx, on ? &o : NULL);
	if (r)
		GST_WARNING_OBJECT(self, "turning the pool %s: %s",
				   on ? "on" : "off", dmaheap_strerror(r));
}

static void set_property(GObject *obj, guint id, const GValue *v,
			 GParamSpec *pspec)
{
	GstDmaHeapAllocator *self = GST_DMAHEAP_ALLOCATOR(obj);

	g_mutex_lock(&self->lock);
	switch (id) {
	case PROP_HEAP:
		g_free(self->heap);
		self->heap = g_value_dup_string(v);
		break;
	case PROP_USAGE:
		self->usage = g_value_get_flags(v);
		break;
	case PROP_POOL:
		self->pool = g_value_get_boolean(v);
		set_pool(self, self->pool);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
	}
	g_mutex_unlock(&self->lock);
}

static void get_property(GObject *obj, guint id, GValue *v, GParamSpec *pspec)
{
	GstDmaHeapAllocator *self = GST_DMAHEAP_ALLOCATOR(obj);

	g_mutex_lock(&self->lock);
	switch (id) {
	case PROP_HEAP:
		g_value_set_string(v, self->heap);
		break;
	case PROP_USAGE:
		g_value_set_flags(v, self->usage);
		break;
	case PROP_POOL:
		g_value_set_boolean(v, self->pool);
		break;
	default:
		G_OBJECT_WARN_INVALID_PROPERTY_ID(obj, id, pspec);
	}
	g_mutex_unlock(&self->lock);
}

static void finalize(GObject *obj)
{
	GstDmaHeapAllocator *self = GST_DMAHEAP_ALLOCATOR(obj);

	/* Memory holds a reference to its allocator: none is left. */
	dmaheap_ctx_free(self->ctx);
	g_free(self->heap);
	g_mutex_clear(&self->lock);
	G_OBJECT_CLASS(gst_dmaheap_allocator_parent_class)->finalize(obj);
}

static void gst_dmaheap_allocator_class_init(GstDmaHeapAllocatorClass *klass)
{
	GObjectClass *oc = G_OBJECT_CLASS(klass);
	GstAllocatorClass *ac = GST_ALLOCATOR_CLASS(klass);

	oc->set_property = set_property;
	oc->get_property = get_property;
	oc->finalize = finalize;
	ac->alloc = allocator_alloc;
	gst_dmaheap_install_properties(oc, PROP_HEAP);
}

static void gst_dmaheap_allocator_init(GstDmaHeapAllocator *self)
{
	GstAllocator *alloc = GST_ALLOCATOR(self);
	struct dmaheap_options o = DMAHEAP_OPTIONS_INIT;
	int r;

	g_mutex_init(&self->lock);
	self->usage = DMAHEAP_USAGE_CPU_WRITE_OFTEN;
	o.log_fn = log_to_gst;
	o.log_userdata = self;
	o.log_priority = DMAHEAP_LOG_DEBUG;
	r = dmaheap_ctx_new_with(&o, &self->ctx);
	if (r) {
		self->ctx = NULL;
		self->ctx_error = r;
		GST_ERROR_OBJECT(self, "libdmaheap context: %s",
				 dmaheap_strerror(r));
	}
	/* mem_type stays the parent's "dmabuf": gst_is_dmabuf_memory() reads
	 * it. The library maps and brackets CPU access, not GstFdAllocator. */
	alloc->mem_map_full = mem_map;
	alloc->mem_unmap_full = mem_unmap;
}

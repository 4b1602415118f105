/* SPDX-License-Identifier: MIT */
/*
 * Android libdmabufheap's C++ class BufferAllocator, header-only over the
 * C API of <BufferAllocator/BufferAllocatorWrapper.h> (libdmaheap-android),
 * so that the library stays C. The members are Android's, with its default
 * arguments; each one's behaviour is the C function's it calls, documented
 * there. How the class and the C API's BufferAllocator * relate: see
 * <dmaheap-android.h>.
 */
#pragma once

#include <BufferAllocator/BufferAllocatorWrapper.h>
#include <BufferAllocator/dmabufheap-defs.h>

#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <unordered_set>

class BufferAllocator {
  public:
	BufferAllocator() { dmaheap_android_init(this, nullptr); }
	~BufferAllocator()
	{
		if (state_)
			dmaheap_android_fini(this);
	}

	/* Not copyable or movable, as Android's. */
	BufferAllocator(const BufferAllocator &) = delete;
	BufferAllocator &operator=(const BufferAllocator &) = delete;

	/* malloc() and free(), as CreateDmabufHeapBufferAllocator() and
	 * FreeDmabufHeapBufferAllocator() use, so that either releases what
	 * the other made; nullptr when out of memory. */
	static void *operator new(std::size_t size) noexcept
	{
		return std::malloc(size);
	}
	static void operator delete(void *p) noexcept { std::free(p); }

	/* Recorded, no effect: see MapDmabufHeapNameToIonHeap(). */
	int MapNameToIonHeap(const std::string &heap_name,
			     const std::string &ion_heap_name,
			     unsigned int ion_heap_flags = 0,
			     unsigned int legacy_ion_heap_mask = 0,
			     unsigned int legacy_ion_heap_flags = 0)
	{
		return MapDmabufHeapNameToIonHeap(
			this, heap_name.c_str(), ion_heap_name.c_str(),
			ion_heap_flags, legacy_ion_heap_mask,
			legacy_ion_heap_flags);
	}

	/* See DmabufHeapAlloc(). */
	int Alloc(const std::string &heap_name, size_t len,
		  unsigned int heap_flags = 0, size_t legacy_align = 0)
	{
		return DmabufHeapAlloc(this, heap_name.c_str(), len, heap_flags,
				       legacy_align);
	}

	/* Not in Android's class: a call with a string literal or a
	 * const char * (kDmabufSystemHeapName) picks it and makes no
	 * std::string; what compiles against Android's header still does. */
	int Alloc(const char *heap_name, size_t len,
		  unsigned int heap_flags = 0, size_t legacy_align = 0)
	{
		return DmabufHeapAlloc(this, heap_name, len, heap_flags,
				       legacy_align);
	}

	/* See DmabufHeapAllocSystem(). */
	int AllocSystem(bool cpu_access, size_t len, unsigned int heap_flags = 0,
			size_t legacy_align = 0)
	{
		return DmabufHeapAllocSystem(this, cpu_access, len, heap_flags,
					     legacy_align);
	}

	/* Android's legacy-ION hook: accepted, never called. */
	typedef std::function<int(int, int, void *)> CustomCpuSyncLegacyIon;

	/* See DmabufHeapCpuSyncStart(). */
	int CpuSyncStart(unsigned int dmabuf_fd, SyncType sync_type = kSyncRead,
			 const CustomCpuSyncLegacyIon &legacy_ion_cpu_sync = nullptr,
			 void *legacy_ion_custom_data = nullptr)
	{
		(void)legacy_ion_cpu_sync;
		(void)legacy_ion_custom_data;
		return DmabufHeapCpuSyncStart2(this, dmabuf_fd, sync_type);
	}

	/* See DmabufHeapCpuSyncEnd(). */
	int CpuSyncEnd(unsigned int dmabuf_fd, SyncType sync_type = kSyncRead,
		       const CustomCpuSyncLegacyIon &legacy_ion_cpu_sync = nullptr,
		       void *legacy_ion_custom_data = nullptr)
	{
		(void)legacy_ion_cpu_sync;
		(void)legacy_ion_custom_data;
		return DmabufHeapCpuSyncEnd2(this, dmabuf_fd, sync_type);
	}

	/* The heap directory's entries: see dmaheap_android_heap_list().
	 * Empty when it cannot be read, as Android's. */
	static std::unordered_set<std::string> GetDmabufHeapList()
	{
		std::unordered_set<std::string> heaps;
		struct dmaheap_heap_info *list = nullptr;
		int n = dmaheap_android_heap_list(&list);
		std::unique_ptr<struct dmaheap_heap_info,
				decltype(&dmaheap_heap_list_free)>
			owner(list, &dmaheap_heap_list_free);

		for (int i = 0; i < n; i++)
			heaps.insert(list[i].name);
		return heaps;
	}

	/* Always false: see ::CheckIonSupport(). */
	static bool CheckIonSupport() { return ::CheckIonSupport(); }

	/* See DmabufSetName(); needs no allocator. */
	static int DmabufSetName(unsigned int dmabuf_fd, const std::string &name)
	{
		return dmaheap_android_fd_set_name(dmabuf_fd, name.c_str());
	}

  private:
	/* The whole object, for C as for C++: see <dmaheap-android.h>. */
	struct dmaheap_android *state_;
};

static_assert(std::is_standard_layout<BufferAllocator>::value &&
		      sizeof(BufferAllocator) == sizeof(void *),
	      "BufferAllocator must be the one pointer the C API expects");

#!/bin/bash
# Installs a build (with -Dandroid) into a staging tree and builds Android
# code from it with nothing but pkg-config libdmaheap-android: a C program
# on the C API and a C++ one on the class, run on the installed mock
# (libdmaheap-mock-preload.so), since the host may have no heaps.
# Usage: check-install.sh BUILD DESTDIR
set -euo pipefail
build=$1
dest=$(realpath -m "$2")

rm -rf "$dest"
meson install -C "$build" --destdir "$dest" >/dev/null
pc=$(find "$dest" -name libdmaheap-android.pc | head -1)
[ -n "$pc" ] || { echo "no libdmaheap-android.pc under $dest (-Dandroid?)"; exit 1; }
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
for h in BufferAllocator/BufferAllocator.h \
	BufferAllocator/BufferAllocatorWrapper.h \
	BufferAllocator/dmabufheap-defs.h dmaheap-android.h; do
	[ -n "$(find "$dest" -path "*/include/dmaheap-android/$h")" ] ||
		{ echo "$h not installed under include/dmaheap-android"; exit 1; }
done
export PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$dest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/hal.c" <<'SRC'
#include <BufferAllocator/BufferAllocatorWrapper.h>
#include <stdio.h>
#include <unistd.h>
int main(void)
{
	BufferAllocator *ba = CreateDmabufHeapBufferAllocator();
	int fd = DmabufHeapAllocSystem(ba, true, 4096, 0, 0);
	int r = fd < 0 ? fd : DmabufHeapCpuSyncStart(ba, fd, kSyncWrite, NULL, NULL);
	if (r == 0)
		r = DmabufHeapCpuSyncEnd(ba, fd, kSyncWrite, NULL, NULL);
	if (r == 0)
		r = DmabufSetName(ba, fd, "hal");
	if (fd >= 0)
		close(fd);
	FreeDmabufHeapBufferAllocator(ba);
	if (r)
		fprintf(stderr, "hal.c: %d\n", r);
	return r ? 1 : 0;
}
SRC
cat > "$tmp/hal.cpp" <<'SRC'
#include <BufferAllocator/BufferAllocator.h>
#include <cstdio>
#include <unistd.h>
int main()
{
	BufferAllocator ba;
	int fd = ba.Alloc(kDmabufSystemHeapName, 4096);
	int r = fd < 0 ? fd : ba.CpuSyncStart(fd, kSyncReadWrite);
	if (r == 0)
		r = ba.CpuSyncEnd(fd, kSyncReadWrite);
	if (r == 0 && BufferAllocator::GetDmabufHeapList().count("system") != 1)
		r = -1;
	if (fd >= 0)
		close(fd);
	if (r)
		std::fprintf(stderr, "hal.cpp: %d\n", r);
	return r ? 1 : 0;
}
SRC
drm=$(PKG_CONFIG_SYSROOT_DIR='' pkg-config --cflags libdrm)
# shellcheck disable=SC2046 # pkg-config output is meant to be split
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/hal-c" "$tmp/hal.c" \
	$(pkg-config --cflags --libs libdmaheap-android) $drm
# shellcheck disable=SC2046
c++ -std=c++17 -Wall -Wextra -Werror -o "$tmp/hal-cpp" "$tmp/hal.cpp" \
	$(pkg-config --cflags --libs libdmaheap-android) $drm
for prog in hal-c hal-cpp; do
	LD_LIBRARY_PATH=$libdir LD_PRELOAD=$libdir/libdmaheap/libdmaheap-mock-preload.so \
		DMAHEAP_MOCK_HEAPS=system "$tmp/$prog"
done
echo "ok: installed tree builds Android C and C++ code with pkg-config libdmaheap-android"

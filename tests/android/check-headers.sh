#!/bin/sh
# Compiles Android's headers as Android code includes them, alone and
# together, twice each (include guards), with every warning an error: the
# C ones as C99 and C11, the C++ class as C++11 and C++17 (and as Android
# builds it, without exceptions and RTTI).
# Usage: check-headers.sh ANDROID_INCLUDE CORE_INCLUDE -- CC... -- CXX...
set -eu
inc=$1
core=$2
shift 3
cc=""
while [ "$1" != "--" ]; do cc="$cc $1"; shift; done
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/use.c" <<'SRC'
#include <BufferAllocator/BufferAllocatorWrapper.h>
#include <BufferAllocator/BufferAllocatorWrapper.h>
#include <BufferAllocator/dmabufheap-defs.h>
#include <stddef.h>
int main(void)
{
	BufferAllocator *ba = CreateDmabufHeapBufferAllocator();
	int fd = DmabufHeapAllocSystem(ba, true, 4096, 0, 0);
	DmabufHeapCpuSyncStart(ba, fd, kSyncReadWrite, NULL, NULL);
	FreeDmabufHeapBufferAllocator(ba);
	return kDmabufSystemHeapName[0] == 's' ? 0 : 1;
}
SRC
cat > "$tmp/use.cpp" <<'SRC'
#include <BufferAllocator/BufferAllocator.h>
#include <BufferAllocator/BufferAllocator.h>
#include <BufferAllocator/BufferAllocatorWrapper.h>
int main()
{
	BufferAllocator ba;
	BufferAllocator *c = CreateDmabufHeapBufferAllocator();
	int fd = ba.Alloc(kDmabufSystemUncachedHeapName, 4096);
	ba.CpuSyncStart(fd, kSyncWrite, [](int, int, void *) { return 0; });
	DmabufHeapCpuSyncEnd2(&ba, fd, kSyncWrite);
	FreeDmabufHeapBufferAllocator(c);
	return BufferAllocator::GetDmabufHeapList().empty() ? 1 : 0;
}
SRC
flags="-Wall -Wextra -Werror -I$inc -I$core"
for std in c99 c11; do
	$cc -std=$std -pedantic $flags -c "$tmp/use.c" -o "$tmp/use.o"
done
for std in c++11 c++17; do
	"$@" -std=$std -pedantic $flags -c "$tmp/use.cpp" -o "$tmp/use.o"
done
# As Android builds its C++: without exceptions and RTTI.
"$@" -std=c++17 -pedantic -fno-exceptions -fno-rtti $flags -c "$tmp/use.cpp" \
	-o "$tmp/use.o"
echo "ok: Android's headers compile as C99, C11, C++11 and C++17 (also without exceptions and RTTI)"

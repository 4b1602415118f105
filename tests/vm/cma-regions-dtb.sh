#!/usr/bin/env bash
# Writes a device tree for tests/vm/run.sh --dtb: the one qemu's arm64
# "virt" machine makes for the VM (same memory and CPUs), plus two
# reusable shared-dma-pool regions in reserved-memory. From Linux 6.19
# each such region is a CMA area and a heap of its own, named after its
# node: /dev/dma_heap/video@a0000000 (32 MiB) and camera@a4000000
# (16 MiB), beside the default area's default_cma_region and reserved.
# Needs qemu-system-aarch64 and dtc (device-tree-compiler).
set -euo pipefail

usage() {
	echo "usage: tests/vm/cma-regions-dtb.sh OUT.dtb [MEMORY [CPUS]]" >&2
	echo "  MEMORY and CPUS as given to run.sh (default 2G and 2)" >&2
	exit 2
}

[[ $# -ge 1 && $# -le 3 ]] || usage
out=$1 memory=${2:-2G} cpus=${3:-2}
tmp=$(mktemp -d)
trap 'rm -rf -- "$tmp"' EXIT

qemu-system-aarch64 -M "virt,dumpdtb=$tmp/virt.dtb" -cpu max -m "$memory" \
	-smp "$cpus" -nodefaults -display none >/dev/null 2>&1 ||
	{ echo "cma-regions-dtb: qemu could not dump its device tree" >&2; exit 1; }
dtc -q -I dtb -O dts -o "$tmp/virt.dts" "$tmp/virt.dtb"
# RAM starts at 0x40000000; 2 GiB ends at 0xc0000000. A second root
# block merges into the first.
cat >>"$tmp/virt.dts" <<'DTS'

/ {
	reserved-memory {
		#address-cells = <0x02>;
		#size-cells = <0x02>;
		ranges;

		video@a0000000 {
			compatible = "shared-dma-pool";
			reusable;
			reg = <0x00 0xa0000000 0x00 0x2000000>;
		};

		camera@a4000000 {
			compatible = "shared-dma-pool";
			reusable;
			reg = <0x00 0xa4000000 0x00 0x1000000>;
		};
	};
};
DTS
dtc -q -I dts -O dtb -o "$out" "$tmp/virt.dts"

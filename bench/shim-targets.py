#!/usr/bin/env python3
# The hot-path targets against a bench/shim.sh run (shim.json):
#   bench/shim-targets.py bench/results/shim/shim.json
# prints a Markdown table (target, measured, met?) for BENCHMARKS.md.
import json
import sys


def main(path):
    d = json.load(open(path))
    ns, thr = d["ns_per_op"], d["threads"]
    rows = []

    def single(name, a, b, limit):
        r = ns[a] / ns[b]
        rows.append((name, "%.3fx (%.1f / %.1f ns)" % (r, ns[a], ns[b]),
                     "yes" if r <= limit else "NO"))

    single("alloc+free <= 1.03x raw ALLOC+SET_NAME+close",
           "lib_alloc_free", "raw_alloc_name_close", 1.03)
    single("alloc+free unnamed <= 1.03x raw ALLOC+close",
           "lib_alloc_free_noname", "raw_alloc_close", 1.03)
    single("alloc_fd+close <= 1.02x raw ALLOC+SET_NAME+close",
           "lib_alloc_fd_close", "raw_alloc_name_close", 1.02)
    # Throughput ratios are medians of each round's ratio; the CPU time
    # per operation (summed over the threads) is given beside them.
    for m in ("lib_alloc_free", "lib_alloc_fd_close", "lib_alloc_usage_free"):
        for n in (2, 8):
            e = thr["%s_%dT" % (m, n)]
            raw = thr["raw_alloc_name_close_%dT" % n]
            rows.append(("%s, %d threads on one context >= 0.95x raw" % (m, n),
                         "%.3fx (%.0f / %.0f ops/s; CPU per op %.3fx raw)" %
                         (e["x_raw"], e["ops_per_s"], raw["ops_per_s"],
                          e["cpu_x_raw"]),
                         "yes" if e["x_raw"] >= 0.95 else "NO"))
    print("| target (kernel faked below libc) | measured | met |")
    print("|---|---|---|")
    for r in rows:
        print("| %s | %s | %s |" % r)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/results/shim/shim.json")

#!/usr/bin/env python3
# The targets of issue 8 against dmaheap-bench JSON files (the VM run and
# the native run; their sections are merged):
#   bench/targets.py bench/results/vm.json bench/results/native.json
# prints a Markdown table (target, measured, met?) for BENCHMARKS.md.
import json
import sys


def main(paths):
    d = {}
    for p in paths:
        for k, v in json.load(open(p)).items():
            d.setdefault(k, []).extend(v)
    lat = {(e["method"], e["size"]): e for e in d.get("latency", [])}
    native = {e["method"]: e for e in d.get("native", [])}
    calls = {e["operation"]: e for e in d.get("syscalls", [])}
    threads = {(e["method"], e["threads"]): e for e in d.get("threads", [])}
    nthreads = {(e["method"], e["threads"]): e
                for e in d.get("native_threads", [])}
    rows = []

    def med(m, s):
        return lat[(m, s)]["median_us"]

    def ratio(name, a, b, size, limit, le=True):
        if (a, size) not in lat or (b, size) not in lat:
            rows.append((name, "not measured", "-"))
            return
        r = med(a, size) / med(b, size)
        ok = r <= limit if le else r >= limit
        rows.append((name, "%.3fx (%.1f / %.1f us, %d rounds)" %
                     (r, med(a, size), med(b, size),
                      lat[(a, size)]["rounds"]), "yes" if ok else "NO"))

    ratio("alloc+free 4 KiB <= 1.03x raw ALLOC+SET_NAME+close",
          "lib_alloc_free", "raw_alloc_name_close", 4096, 1.03)
    ratio("alloc+free unnamed 4 KiB <= 1.03x raw ALLOC+close",
          "lib_alloc_free_noname", "raw_alloc_close", 4096, 1.03)
    # The real kernel's own target: what Android's libdmabufheap reached
    # in the same VM.
    ratio("alloc+free 4 KiB <= 1.05x raw ALLOC+SET_NAME+close (real kernel)",
          "lib_alloc_free", "raw_alloc_name_close", 4096, 1.05)
    if "own_cost_alloc_free" in native:
        v = native["own_cost_alloc_free"]["median_ns"]
        rows.append(("own cost per alloc+free <= 0.1 us (internal "
                     "do-nothing system-call table: a lower bound, not what "
                     "callers see; see the shim section)",
                     "%.1f ns named, %.1f ns unnamed" %
                     (v, native["own_cost_alloc_free_noname"]["median_ns"]),
                     "yes" if v <= 100 else "NO"))

    def call(name, op, want):
        if op not in calls:
            rows.append((name, "not measured", "-"))
            return
        c = calls[op]
        rows.append((name, "%d (%s)" % (c["calls"], c["detail"] or "none"),
                     "yes" if c["calls"] == want else "NO"))

    call("alloc: 1 ALLOC (+1 SET_NAME named)", "alloc (auto-named)", 2)
    call("alloc unnamed: 1 ALLOC", "alloc (DMAHEAP_ALLOC_NO_NAME)", 1)
    call("free: 1 close", "free", 1)
    call("pool hit alloc: 0", "pool hit alloc", 0)
    call("pool free: 0 + the check (2: pread, poll)",
         "pool free (check, recycled)", 2)
    call("repeat map: 0", "repeat map", 0)
    call("buf begin: 1", "buf begin_cpu_access", 1)
    call("buf end: 1", "buf end_cpu_access", 1)
    call("raw fd sync start: 1", "raw fd sync_start", 1)
    call("raw fd sync end: 1", "raw fd sync_end", 1)
    call("alias lookup after the first: 0 (whole alloc: 2)",
         "alloc via alias 'cma', second", 2)
    for size, want in ((1 << 20, 100), (32 << 20, 1000)):
        for pm, label in (("pool_hit_steady", "steady"),
                          ("pool_hit_alloc_free", "after any method")):
            ratio("pool hit >= %dx fresh at %d MiB (%s)" %
                  (want, size >> 20, label), "lib_alloc_free", pm, size,
                  want, le=False)

    def thr(name, table, m, n, limit):
        if (m, n) not in table:
            rows.append((name, "not measured", "-"))
            return
        e, one = table[(m, n)], table[(m, 1)]
        r = e["vs_1_thread"]
        cpu = ""
        for key, unit in (("cpu_ns_per_op", "ns"), ("cpu_us_per_op", "us")):
            if key in e:
                cpu = "; CPU per op %.1f %s, one thread %.1f %s" % (
                    e[key], unit, one[key], unit)
        rows.append((name, "%.2fx (%.0f ops/s%s)" %
                     (r, e["ops_per_s"], cpu),
                     "yes" if r >= limit else "NO"))

    for table, where in ((threads, "VM"), (nthreads, "native")):
        thr("2 threads pool hits >= 1.6x one (%s)" % where, table,
            "pool_hit_alloc_free", 2, 1.6)
        thr("8 threads pool hits >= 1.0x one (%s)" % where, table,
            "pool_hit_alloc_free", 8, 1.0)
    if "bookkeeping_bytes_per_buffer" in native:
        b = native["bookkeeping_bytes_per_buffer"]["bytes"]
        rows.append(("bookkeeping <= 128 bytes per live buffer",
                     "%.0f bytes (mallinfo2 uordblks over 10000 live "
                     "buffers, chunk headers included)" % b,
                     "yes" if b <= 128 else "NO"))
    print("| target | measured | met |")
    print("|---|---|---|")
    for r in rows:
        print("| %s | %s | %s |" % r)


if __name__ == "__main__":
    main(sys.argv[1:] or ["bench/results/vm.json",
                          "bench/results/native.json"])

#!/usr/bin/env python3
# Fills the measured parts of BENCHMARKS.md from a bench/run.sh output
# directory: the text between "<!-- begin NAME -->" and "<!-- end NAME -->"
# is replaced. NAMEs: targets (targets.md), commit (commit.txt), latency,
# threads (from vm.txt), native, calls (from native.txt), vmnative (from
# vm-native.txt), and, when RESULTS/shim exists (bench/shim.sh),
# shim-targets, shim, shim-threads, shim-calls and shim-compare
# (RESULTS/shim-compare.dat, bench/shim-compare.sh).
#   bench/benchmarks-md.py bench/results BENCHMARKS.md
import os
import re
import subprocess
import sys


def section(text, start, stop=None):
    """Lines of @text from the one starting with @start to a blank line."""
    out, on = [], False
    for line in text.splitlines():
        if line.startswith(start):
            on = True
        elif on and (not line.strip() or (stop and line.startswith(stop))):
            break
        if on:
            out.append(line)
    return "\n".join(out)


def main(res, md):
    vm = open(res + "/vm.txt").read()
    nat = open(res + "/native.txt").read()
    vmnat = open(res + "/vm-native.txt").read()
    parts = {
        "targets": open(res + "/targets.md").read().strip(),
        "commit": "```\n" + open(res + "/commit.txt").read().strip() + "\n```",
        "latency": "```\n" + section(vm, "latency on the real kernel") + "\n```",
        "threads": "```\n" + section(vm, "threads,") + "\n```",
        "native": "```\n" + section(nat, "native, fake kernel") + "\n\n" +
                  section(nat, "native threads") + "\n```",
        "vmnative": "```\n" + section(vmnat, "native, fake kernel") + "\n```",
        "calls": "```\n" + section(nat, "system calls per operation") + "\n```",
    }
    shim = res + "/shim"
    if os.path.isdir(shim):
        st = open(shim + "/shim.txt").read()
        parts["shim-targets"] = subprocess.run(
            [sys.executable, os.path.dirname(os.path.abspath(__file__)) +
             "/shim-targets.py", shim + "/shim.json"],
            check=True, capture_output=True, text=True).stdout.strip()
        parts["shim"] = ("```\n" + open(shim + "/shim-commit.txt").read().strip()
                         + "\n\n" + section(st, "shim kernel", "threads sharing") + "\n\n" +
                         open(shim + "/shim-instr.txt").read().strip() +
                         "\n```")
        parts["shim-threads"] = "```\n" + section(st, "threads sharing", "per operation") + "\n```"
        parts["shim-calls"] = ("```\n" + section(st, "per operation, as the shim")
                               + "\n```")
        if os.path.exists(res + "/shim-compare.dat"):
            parts["shim-compare"] = ("```\n" + open(res + "/shim-compare.dat")
                                     .read().strip() + "\n```")
    text = open(md).read()
    for name, body in parts.items():
        text, n = re.subn(r"(<!-- begin %s -->\n).*?(<!-- end %s -->)" %
                          (name, name),
                          lambda m: m.group(1) + body + "\n" + m.group(2),
                          text, flags=re.S)
        if n != 1:
            sys.exit("%s: no section %s" % (md, name))
    open(md, "w").write(text)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

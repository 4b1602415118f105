#!/usr/bin/env python3
"""Check a generated udev rules file against the options it came from.

usage: check-rules.py RULES GROUP

Parses every rule with udev's grammar (comma-separated KEY[{attr}] OP
"value" pairs; see udev(7)), rejects unknown keys and operators, and
requires exactly two rules: every dma_heap node and the misc device
udmabuf, each given to GROUP with mode 0660. Where udevadm has the verb
"verify" (systemd 253 and later), it must accept the file too.
"""
import re
import shutil
import subprocess
import sys

MATCH_KEYS = {"ACTION", "DEVPATH", "KERNEL", "KERNELS", "NAME", "SUBSYSTEM",
              "SUBSYSTEMS", "DRIVER", "DRIVERS", "ATTR", "ATTRS", "ENV",
              "TAG", "TAGS", "TEST", "PROGRAM", "RESULT", "SYMLINK"}
ASSIGN_KEYS = {"NAME", "SYMLINK", "OWNER", "GROUP", "MODE", "TAG", "ENV",
               "RUN", "LABEL", "GOTO", "IMPORT", "OPTIONS", "ATTR"}
PAIR = re.compile(r'\s*([A-Z]+)(\{[^}]*\})?\s*(==|!=|\+=|-=|:=|=)\s*"([^"]*)"\s*')


def parse_rule(line, where):
    pairs = []
    for item in line.split(","):
        m = PAIR.fullmatch(item)
        if not m:
            sys.exit(f"{where}: not KEY OP \"value\": {item.strip()!r}")
        key, _attr, op, value = m.groups()
        keys = MATCH_KEYS if op in ("==", "!=") else ASSIGN_KEYS
        if key not in keys:
            sys.exit(f"{where}: {key} cannot be used with {op}")
        pairs.append((key, op, value))
    return pairs


def main():
    path, group = sys.argv[1], sys.argv[2]
    rules = []
    with open(path, encoding="ascii") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if line and not line.startswith("#"):
                rules.append(parse_rule(line, f"{path}:{n}"))

    matches = {}
    for pairs in rules:
        match = tuple(sorted((k, v) for k, op, v in pairs if op == "=="))
        assign = {k: v for k, op, v in pairs if op == "="}
        if assign != {"GROUP": group, "MODE": "0660"}:
            sys.exit(f"{path}: rule {match} assigns {assign}, "
                     f"not GROUP={group!r} MODE='0660'")
        matches[match] = True
    want = {(("SUBSYSTEM", "dma_heap"),),
            (("KERNEL", "udmabuf"), ("SUBSYSTEM", "misc"))}
    if set(matches) != want or len(rules) != len(want):
        sys.exit(f"{path}: rules match {sorted(matches)}, want {sorted(want)}")

    udevadm = shutil.which("udevadm")
    if udevadm and subprocess.run([udevadm, "verify", "--help"],
                                  capture_output=True).returncode == 0:
        subprocess.run([udevadm, "verify", path], check=True)
        print("udevadm verify: ok")
    print(f"ok: {len(rules)} rules give dma_heap and udmabuf to {group}, 0660")


main()

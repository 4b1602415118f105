#!/usr/bin/env python3
"""Check the rendered man pages: one for every function of dmaheap.h and
dmaheap-mock.h, and the C programs they show compile and link.

usage: check-man.py MANDIR INCLUDEDIR LIBDIR CC [CC ARGS...]

Every function declared DMAHEAP_EXPORT in INCLUDEDIR/dmaheap.h, and every
function of INCLUDEDIR/dmaheap-mock.h, must have its page
MANDIR/man3/NAME.3 (doxygen's link to its group's page).

Every .nf/.fi block of every page under MANDIR that defines main() is
taken out of the roff (escapes undone, as a reader copies it from man),
compiled with -std=c11 -Wall -Wextra -Wpedantic -Werror against
INCLUDEDIR and linked with libdmaheap from LIBDIR. Fails if no page has
one: the overview, libdmaheap(7), must.

No line of a page may begin with an apostrophe: roff reads such a line as
a request, and man shows nothing of it (a comment's sentence that opens
with a quoted 'name').
"""
import pathlib
import re
import subprocess
import sys
import tempfile

ROFF = [("\\&", ""), ("\\-", "-"), ("\\(aq", "'"), ("\\(dq", '"'),
        ("\\e", "\\"), ("\\\\", "\\")]


def unroff(line):
    out, i = [], 0
    while i < len(line):
        for esc, plain in ROFF:
            if line.startswith(esc, i):
                out.append(plain)
                i += len(esc)
                break
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


def blocks(page):
    block = None
    for line in page.read_text(encoding="utf-8").splitlines():
        if line == ".nf":
            block = []
        elif line == ".fi" and block is not None:
            yield "\n".join(block) + "\n"
            block = None
        elif block is not None:
            block.append(unroff(line))


def check_pages(mandir, incdir):
    header = (pathlib.Path(incdir) / "dmaheap.h").read_text(encoding="utf-8")
    names = re.findall(r"DMAHEAP_EXPORT [^;(]*?\b(dmaheap_\w+)\s*\(", header)
    # The mock's header declares its functions at the start of a line.
    mock = (pathlib.Path(incdir) / "dmaheap-mock.h").read_text(encoding="utf-8")
    mock_names = re.findall(r"^[a-z][^;(#/]*?\b(dmaheap_mock_\w+)\s*\(", mock, re.M)
    if not mock_names:
        sys.exit("no function found in dmaheap-mock.h")
    names += mock_names
    missing = [n for n in names
               if not (pathlib.Path(mandir) / "man3" / f"{n}.3").exists()]
    if not names or missing:
        sys.exit(f"functions without a man page: {missing or 'none found'}")
    print(f"ok: {len(names)} functions, each with its page in man3")


def check_control_lines(mandir):
    bad = [f"{page.name}:{n}: {line}"
           for page in sorted(pathlib.Path(mandir).rglob("*.[137]"))
           for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
           if line.startswith("'")]
    if bad:
        sys.exit("lines roff takes for requests (man would drop them):\n"
                 + "\n".join(bad))
    print("ok: no text line reads as a roff request")


def main():
    mandir, incdir, libdir, cc = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    check_pages(mandir, incdir)
    check_control_lines(mandir)
    programs = [(page, code) for page in sorted(pathlib.Path(mandir).rglob("*.[137]"))
                for code in blocks(page) if "main(" in code]
    if not programs:
        sys.exit(f"no page under {mandir} shows a program")
    with tempfile.TemporaryDirectory() as tmp:
        for n, (page, code) in enumerate(programs):
            src = pathlib.Path(tmp) / f"example{n}.c"
            src.write_text(code)
            cmd = cc + ["-std=c11", "-Wall", "-Wextra", "-Wpedantic", "-Werror",
                        "-I", incdir, "-o", str(src.with_suffix("")), str(src),
                        "-L", libdir, "-ldmaheap"]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"{page.name}: the example does not build:\n{code}\n{r.stderr}")
            print(f"ok: {page.name}: example compiles and links")


main()

#!/usr/bin/env python3
"""Doxygen INPUT_FILTER: read include/dmaheap.h's kernel-doc comments as
doxygen markup, so the header stays the one source of the reference.

Only what doxygen sees changes, line for line (line numbers stay right):
  - the opening comment becomes the libdmaheap(7) page; in it, a line
    ending in "::" introduces C code: the tab-indented lines after the
    blank line that follows it (as in kernel-doc's reStructuredText);
  - each "/* Title */" banner starts a group, one man page per group;
  - "name() - summary" / "struct name - summary" becomes @brief summary;
  - "@arg: text" at the start of a line becomes @param arg text (for
    functions and callbacks); for a struct, the text moves to the end of
    the member's declaration line as its own comment;
  - "Return: text" becomes @return text;
  - an indented "-EXXX: text" or "- text" line starts a list item;
  - "@name" within a sentence becomes "@p name";
  - a free-standing comment opening "Topic: text" goes to the page of the
    header part it is in;
  - after a blank line, lines indented by three spaces or more (tables,
    formats) are kept as laid out.
"""
import re
import sys

DOXYGEN_WORDS = {"since", "p", "c", "li", "param", "return", "brief", "ref",
                 "code", "endcode", "note", "defgroup", "page", "section"}
BANNER = re.compile(r"^/\* ([A-Z][^*]*?)\s*(@since [0-9.]+)?\s*\*/$")
TITLE = re.compile(r"^ \* (?:(struct|enum|typedef|union) )?([A-Za-z_][A-Za-z0-9_]*)(\(\))? - (.*)$")
ARG = re.compile(r"^ \* (@[A-Za-z_][A-Za-z0-9_]*(?:, @[A-Za-z_][A-Za-z0-9_]*)*|@\.\.\.): ?(.*)$")
CONT = re.compile(r"^ \*(\t| {2,})(.*)$")
MEMBER = re.compile(r"(?:\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(.*\)|([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*)\s*;")
ITEM = re.compile(r"^ \*\s+(-E[A-Z0-9]+|- )(.*)$")
PROSE = re.compile(r"^ \* ([A-Z][A-Za-z -]*(?: \(@since [0-9.]+\))?):(.*)$")
PRE = re.compile(r"^ \*   +(?!-E[A-Z0-9]+|- )\S")
INLINE = re.compile(r"(?<![\w@\\])@([A-Za-z_][A-Za-z0-9_]*)")


def group_name(title):
    words = re.split(r"[^a-z0-9]+", title.split(":")[0].split(",")[0].lower())
    return "libdmaheap_" + "_".join(w for w in words if w)


def inline(text):
    text = re.sub(r"<(\w+)>", r"\\<\1\\>", text)
    return INLINE.sub(lambda m: m.group(0) if m.group(1) in DOXYGEN_WORDS
                      else "@p " + m.group(1), text)


def member_docs(lines, start):
    """The "@member: text" paragraphs of the struct comment ending before
    lines[start], by member name."""
    docs = {}
    names = None
    i = start - 1
    while i > 0 and not lines[i].startswith("/**"):
        i -= 1
    for line in lines[i + 1:start]:
        s = line.rstrip("\n")
        m = ARG.match(s)
        if m:
            names = [n.lstrip("@") for n in m.group(1).split(", ")]
            for n in names:
                docs[n] = m.group(2).strip()
            continue
        m = CONT.match(s)
        if names and m:
            for n in names:
                docs[n] += " " + m.group(2).strip()
            continue
        names = None
    return docs


def filter_lines(lines, overview_group=None):
    """overview_group: None for dmaheap.h, whose opening comment is the
    libdmaheap(7) page; for another header (dmaheap-mock.h), the name of
    the one group its opening comment describes and every declaration
    joins."""
    out = []
    in_doc = False
    kind = None
    overview = False
    group_open = False
    in_struct = None
    in_arg = False
    code = None
    verbatim = False
    group = None
    for n, line in enumerate(lines):
        s = line.rstrip("\n")
        if n == 1 and s == "/*":
            # The opening comment: the overview page, titled by its first
            # line ("libdmaheap: what it is").
            overview = True
            title = lines[n + 1].rstrip("\n").split(": ", 1)[1].rstrip(".")
            if overview_group:
                out.append(f"/** @defgroup {overview_group} {title}")
            else:
                out.append(f"/** @page libdmaheap {title}")
            continue
        if overview and n == 2:
            out.append(" *" if overview_group else
                       " * @section description DESCRIPTION")
            continue
        if overview and overview_group and s.strip() == "*/":
            overview = False
            group, group_open = overview_group, True
            out.append(" */ /** @{ */")
            continue
        if overview:
            if code == "open":
                # The blank line after "::" opens the block.
                s, code = " * @code{.c}", "in"
            elif code == "in" and s != " *" and not s.startswith(" *\t"):
                out[-1], code = " * @endcode", None
            if s.strip() == "*/":
                overview = False
            elif s.endswith("::"):
                s, code = s[:-1], "open"
            elif code == "in":
                # doxygen's man output does not escape backslashes in code.
                s = " * " + s[len(" *\t"):].replace("\\", "\\\\")
            elif ITEM.match(s):
                s = " * @li " + ITEM.match(s).group(2).lstrip()
                if overview_group:
                    s = inline(s)
            elif overview_group:
                # A group's text is doxygen's to read, not a page's verbatim.
                s = inline(s)
            out.append(s)
            continue
        m = BANNER.match(s)
        if m and not in_doc and "SPDX" not in s:
            # @defgroup's title runs to the end of its comment: @{ needs
            # one of its own.
            title = m.group(1).rstrip()
            group = group_name(title)
            close = "/** @} */ " if group_open else ""
            out.append(f"{close}/** @defgroup {group} {title} */"
                       " /** @{ */")
            group_open = True
            continue
        if s.lstrip().startswith("/**") and s.rstrip().endswith("*/"):
            out.append(inline(s))
            continue
        if in_struct is not None:
            m = MEMBER.search(s)
            if m and (m.group(1) or m.group(2)) in in_struct:
                s += " /**< " + inline(in_struct[m.group(1) or m.group(2)]) + " */"
            if s.startswith("};"):
                in_struct = None
            out.append(s)
            continue
        if s.lstrip().startswith("/**"):
            in_doc, kind, in_arg = True, None, False
            prose = PROSE.match(lines[n + 1]) if s == "/**" else None
            if prose and group_open:
                # Prose about a part of the header ("Heap policy: ..."):
                # the part's page gets it, under its heading.
                # Inside the part's own @{ ... @}: close it, add to the
                # group, and reopen it where this comment ends.
                out.append(f"/** @}} */ /** @addtogroup {group}")
                kind = "prose"
                continue
            out.append(s)
            continue
        if in_doc and verbatim:
            if s == " *":
                out.append("@endverbatim")
                verbatim = False
            else:
                # doxygen keeps the comment's " *" in verbatim text.
                out.append(s[2:])
            continue
        if in_doc and s == " *" and n + 1 < len(lines) and PRE.match(lines[n + 1]):
            # A blank line, then lines indented by 3 spaces or more: a
            # table or a format, kept as laid out.
            out.append(" * @verbatim")
            verbatim = True
            continue
        if in_doc and kind == "prose" and PROSE.match(s) and "@addtogroup" in out[-1]:
            m = PROSE.match(s)
            # The topic opens the text as it does in the header; a
            # "(@since 0.2)" there is part of the sentence, not a section.
            heading = m.group(1).replace("@since", "since")
            out.append(f" * {heading}:{inline(m.group(2))}")
            continue
        if in_doc:
            if s.strip() == "*/":
                in_doc = False
                out.append(" * @{ */" if kind == "prose" else s)
                if kind == "type" and n + 1 < len(lines) and re.match(r"(struct|union) \w+ \{", lines[n + 1]):
                    in_struct = member_docs(lines, n)
                continue
            m = TITLE.match(s)
            if kind is None and m:
                kind = "function" if m.group(3) or m.group(1) == "typedef" else "type"
                out.append(" * @brief " + inline(m.group(4)))
                continue
            kind = kind or "text"
            m = ARG.match(s)
            if m:
                in_arg = True
                if kind == "function":
                    names = m.group(1).replace("@", "").replace(" ", "")
                    out.append(f" * @param {names} {inline(m.group(2))}")
                else:
                    out.append(" *")
                continue
            if in_arg and CONT.match(s) and kind != "function":
                out.append(" *")
                continue
            in_arg = False
            if s.startswith(" * Return:"):
                out.append(" * @return" + inline(s[len(" * Return:"):]))
                continue
            m = ITEM.match(s)
            if m:
                lead = m.group(1) if m.group(1).startswith("-E") else ""
                out.append(" * @li " + lead + inline(m.group(2)))
                continue
            out.append(inline(s))
            continue
        out.append(s)
    if group_open:
        out.append("/** @} */")
    return out


# Headers other than dmaheap.h: one group, one page, named after them.
GROUPS = {"dmaheap-mock.h": "libdmaheap_mock"}

with open(sys.argv[1], encoding="utf-8") as f:
    sys.stdout.write("\n".join(filter_lines(
        f.readlines(), GROUPS.get(sys.argv[1].rsplit("/", 1)[-1]))) + "\n")

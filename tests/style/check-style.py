#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The grep rules of STYLE.md, run by `meson test --suite style`.

Each rule is a function over the tracked source files that returns a
list of "file:line: message" strings.  Usage: check-style.py SRCDIR RULE
(RULE 'all' runs every rule).
"""

import os
import re
import subprocess
import sys

FOLDERS = ["util", "conf", "qapi", "driver", "daemon", "tools", "tests",
           "bench"]
# folder -> folders it may include (besides itself)
LAYERS = {
    "util": set(),
    "conf": {"util"},
    "qapi": {"util"},
    "driver": {"util", "conf", "qapi"},
    "daemon": {"util", "conf", "qapi", "driver"},
    "tools": {"util", "conf", "qapi", "driver"},
}


def sources(top, exts=(".c", ".h")):
    out = subprocess.run(["git", "-C", top, "ls-files", "--cached",
                          "--others", "--exclude-standard"],
                         capture_output=True, text=True, check=False)
    files = out.stdout.split() if out.returncode == 0 else []
    if not files:
        for folder in FOLDERS:
            for root, _, names in os.walk(os.path.join(top, folder)):
                files += [os.path.relpath(os.path.join(root, n), top)
                          for n in names]
    return sorted(f for f in files
                  if f.endswith(exts) and f.split("/")[0] in FOLDERS
                  and os.path.exists(os.path.join(top, f)))


def read(top, f):
    with open(os.path.join(top, f), encoding="utf-8") as fh:
        return fh.read().split("\n")


def rule_whitespace(top):
    bad = []
    for f in sources(top):
        for n, line in enumerate(read(top, f), 1):
            if "\t" in line:
                bad.append(f"{f}:{n}: tab character")
            if line != line.rstrip():
                bad.append(f"{f}:{n}: trailing whitespace")
            # a message stays on one source line (rule 17), whatever
            # its length
            if len(line) > 100 and not re.search(r'\b_\("', line):
                bad.append(f"{f}:{n}: line longer than 100 columns")
    return bad


def rule_headers(top):
    bad = []
    for f in sources(top):
        lines = read(top, f)
        if "SPDX-License-Identifier" not in "\n".join(lines[:3]):
            bad.append(f"{f}:1: missing SPDX line")
        if f.endswith(".h") and "#pragma once" not in lines[:5] and \
                not any(l.startswith("#pragma once") for l in lines[:5]):
            bad.append(f"{f}:1: header without '#pragma once'")
        if f.endswith(".c"):
            first = next((l for l in lines if l.startswith("#include")), "")
            if first and first != "#include <config.h>":
                bad.append(f"{f}: first include must be <config.h>")
    return bad


INCLUDE_RE = re.compile(r'^#include\s+"([a-z]+)/')


def rule_layers(top):
    bad = []
    for f in sources(top):
        folder = f.split("/")[0]
        if folder not in LAYERS:
            continue
        for n, line in enumerate(read(top, f), 1):
            m = INCLUDE_RE.match(line)
            if not m:
                continue
            dep = m.group(1)
            if dep != folder and dep not in LAYERS[folder]:
                bad.append(f"{f}:{n}: {folder}/ must not include {dep}/")
    return bad


def rule_yajl(top):
    bad = []
    for f in sources(top):
        if f == "qapi/json.c":
            continue
        for n, line in enumerate(read(top, f), 1):
            if re.match(r"^#include\s+<yajl/", line):
                bad.append(f"{f}:{n}: only qapi/json.c may include yajl")
    return bad


def rule_potfiles(top):
    bad = []
    with open(os.path.join(top, "po", "POTFILES"), encoding="utf-8") as fh:
        listed = [l.strip() for l in fh if l.strip() and
                  not l.startswith("#")]
    if listed != sorted(listed):
        bad.append("po/POTFILES: not sorted")
    for f in listed:
        if not os.path.exists(os.path.join(top, f)):
            bad.append(f"po/POTFILES: lists missing file {f}")
    for f in sources(top, (".c",)):
        if f.startswith(("tests/", "bench/")):
            continue
        text = "\n".join(read(top, f))
        if re.search(r"\b_\(\s*\"", text) and f not in listed:
            bad.append(f"{f}: has translatable messages but is not in "
                       "po/POTFILES")
    return bad


MSG_RE = re.compile(r'_\("((?:[^"\\]|\\.)*)"')


def rule_messages(top):
    """Messages with several arguments use positional ones (%1$s)."""
    bad = []
    for f in sources(top, (".c",)):
        for n, line in enumerate(read(top, f), 1):
            for m in MSG_RE.finditer(line):
                msg = m.group(1)
                convs = re.findall(r"%(?!%)(\d+\$)?[-#0 +']*\d*(?:\.\d+)?"
                                   r"(?:hh|h|ll|l|z|j|t)?[diouxXsScpfgeE]",
                                   msg)
                if len(convs) > 1 and any(not c for c in convs):
                    bad.append(f"{f}:{n}: message with several arguments "
                               "must use positional ones (%1$s)")
    return bad


def rule_goto(top):
    """goto only to 'cleanup' (or 'error'), labels indented by one space."""
    bad = []
    for f in sources(top, (".c",)):
        for n, line in enumerate(read(top, f), 1):
            m = re.match(r"^(\s*)([a-z_]+):\s*$", line)
            if m and m.group(2) not in ("default",) and \
                    not line.startswith(" ") and m.group(2) != "public":
                bad.append(f"{f}:{n}: labels are indented by one space")
    return bad


RULES = {
    "whitespace": rule_whitespace,
    "headers": rule_headers,
    "layers": rule_layers,
    "yajl": rule_yajl,
    "potfiles": rule_potfiles,
    "messages": rule_messages,
    "labels": rule_goto,
}


def main():
    top, which = sys.argv[1], sys.argv[2]
    rules = RULES if which == "all" else {which: RULES[which]}
    failed = 0
    for name, fn in rules.items():
        for problem in fn(top):
            print(f"{name}: {problem}")
            failed += 1
    if failed:
        print(f"{failed} style problem(s)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

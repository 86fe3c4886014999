#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Print 'N passed, N failed' over meson's testlog.json files.

Each meson test (one test program or script) counts once; the summary
is the closing line CI reads.  Usage: test-summary.py BUILDDIR...
"""

import json
import os
import sys


def count(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            rec = json.loads(line)
            result = rec.get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
    return passed, failed, skipped


def main():
    totals = [0, 0, 0]
    for build in sys.argv[1:]:
        path = os.path.join(build, "meson-logs", "testlog.json")
        if not os.path.exists(path):
            continue
        for i, n in enumerate(count(path)):
            totals[i] += n
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 1 if totals[1] or not totals[0] else 0


if __name__ == "__main__":
    sys.exit(main())

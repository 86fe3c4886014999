#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Show that every style rule fires: build a small tree that breaks each
rule once and check that check-style.py reports it."""

import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

BAD = {
    "whitespace": ("util/a.c", '/* SPDX-License-Identifier: X */\n'
                   '#include <config.h>\n\tint x;\n'),
    "headers": ("util/b.h", "int y;\n"),
    "layers": ("conf/c.c", '/* SPDX-License-Identifier: X */\n'
               '#include <config.h>\n#include "qapi/json.h"\n'),
    "yajl": ("conf/d.c", '/* SPDX-License-Identifier: X */\n'
             '#include <config.h>\n#include <yajl/yajl_tree.h>\n'),
    "potfiles": ("driver/e.c", '/* SPDX-License-Identifier: X */\n'
                 '#include <config.h>\nconst char *m = _("hello");\n'),
    "messages": ("driver/f.c", '/* SPDX-License-Identifier: X */\n'
                 '#include <config.h>\nconst char *m = _("a %s b %s");\n'),
    "labels": ("driver/g.c", '/* SPDX-License-Identifier: X */\n'
               '#include <config.h>\nvoid f(void) {\ncleanup:\n}\n'),
}


def main():
    failures = 0
    for rule, (path, text) in BAD.items():
        with tempfile.TemporaryDirectory() as top:
            os.makedirs(os.path.join(top, "po"))
            with open(os.path.join(top, "po", "POTFILES"), "w") as fh:
                fh.write("")
            os.makedirs(os.path.join(top, os.path.dirname(path)))
            with open(os.path.join(top, path), "w") as fh:
                fh.write(text)
            res = subprocess.run([sys.executable,
                                  os.path.join(HERE, "check-style.py"),
                                  top, rule], capture_output=True, text=True)
            if res.returncode == 0:
                print(f"rule {rule} did not fire on {path}")
                failures += 1
            else:
                print(f"ok: rule {rule} fired: {res.stdout.splitlines()[0]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A QEMU that floods its QMP monitor (driver fault tests).

Probes (-machine none) go to the real QEMU, so the capability probe
works.  Otherwise: take the listening QMP socket passed as fd=N, send the
greeting, answer every command, and between commands send events as fast
as the socket takes them.  SIGTERM ends it like QEMU.
"""

import json
import os
import re
import select
import socket
import sys

REAL = "/usr/bin/qemu-system-x86_64"


def main():
    args = sys.argv[1:]
    if "none" in args and "-machine" in args:
        os.execv(REAL, [REAL] + args)
    fd = None
    for a in args:
        m = re.search(r"charmonitor,fd=(\d+)", a)
        if m:
            fd = int(m.group(1))
    lsock = socket.socket(fileno=fd)
    conn, _ = lsock.accept()
    conn.sendall(b'{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, '
                 b'"major": 7}, "package": "flood"}, "capabilities": []}}\r\n')
    event = (json.dumps({"event": "RTC_CHANGE", "data": {"offset": 1},
                         "timestamp": {"seconds": 1, "microseconds": 2}})
             + "\r\n").encode() * 200
    buf = b""
    flooding = False
    while True:
        r, w, _ = select.select([conn], [conn] if flooding else [], [], 1)
        if r:
            data = conn.recv(65536)
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if not line.strip():
                    continue
                cmd = json.loads(line)
                ret = {}
                if cmd.get("execute") == "query-status":
                    ret = {"status": "running", "running": True}
                if cmd.get("execute") == "cont":
                    flooding = True
                reply = {"return": ret}
                if "id" in cmd:
                    reply["id"] = cmd["id"]
                conn.sendall((json.dumps(reply) + "\r\n").encode())
        if w:
            try:
                conn.send(event)
            except BlockingIOError:
                pass


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A fake QEMU for the driver tests: QMP only, no guest.

Probes (-machine none) go to the real QEMU, so the capability probe
works.  Otherwise it takes the listening QMP socket passed as fd=N, sends
the greeting and answers commands, emitting the events a guest would:

  system_powerdown  POWERDOWN, SHUTDOWN (guest-shutdown), STOP
  system_reset      RESET
  stop / cont       STOP / RESUME
  x-vgm-panic       GUEST_PANICKED, STOP   (a command QEMU does not have)

Called as qemu-flood.py it also floods the monitor with events between
commands; called as qemu-endless.py it sends one message that never ends;
called as qemu-silent.py it accepts the connection, prints a line and
never greets.  Called as qemu-mute.py it greets its odd clients (the
first, the third...) and then ignores them, like QEMU 7.2's race with an
early client on a listening QMP socket, and serves the even ones; called
as qemu-deaf.py it does that to every client.  Like QEMU, it takes a new
client once the old one left.  SIGTERM ends it like QEMU: SHUTDOWN (host-signal), then exit.
"""

import json
import os
import re
import select
import signal
import socket
import sys

REAL = "/usr/bin/qemu-system-x86_64"
CONN = None


def frame(obj):
    return (json.dumps(obj) + "\r\n").encode()


def event(name, data=None):
    ev = {"event": name, "timestamp": {"seconds": 1, "microseconds": 2}}
    if data is not None:
        ev["data"] = data
    return frame(ev)


EVENTS = {
    "system_powerdown": [("POWERDOWN", None),
                         ("SHUTDOWN", {"guest": True,
                                       "reason": "guest-shutdown"}),
                         ("STOP", None)],
    "system_reset": [("RESET", {"guest": False,
                                "reason": "host-qmp-system-reset"})],
    "stop": [("STOP", None)],
    "cont": [("RESUME", None)],
    "x-vgm-panic": [("GUEST_PANICKED", {"action": "pause"}),
                    ("STOP", None)],
}


GREETING = frame({"QMP": {"version": {"qemu": {"micro": 0, "minor": 2,
                                               "major": 7},
                                      "package": "fake"},
                          "capabilities": []}})


def on_term(signum, _frame):
    if CONN is not None:
        try:
            CONN.sendall(event("SHUTDOWN", {"guest": False,
                                            "reason": "host-signal"}))
        except OSError:
            pass
    os._exit(0)


def answer(conn, line, state):
    if state["flooding"] and state["flood"] == "endless":
        return                   # inside the endless message: no replies
    cmd = json.loads(line)
    name = cmd.get("execute")
    ret = {}
    if name == "query-status":
        ret = {"status": state["status"], "running":
               state["status"] == "running"}
    reply = {"return": ret}
    if "id" in cmd:
        reply["id"] = cmd["id"]
    conn.sendall(frame(reply))
    if name == "cont":
        state["status"] = "running"
        state["flooding"] = bool(state["flood"])
    elif name in ("stop", "system_powerdown", "x-vgm-panic"):
        state["status"] = "paused"
    for ev, data in EVENTS.get(name, []):
        conn.sendall(event(ev, data))
    if name == "cont" and state["flood"] == "endless":
        conn.sendall(b'{"event": "')


def serve(conn, state):
    """Answer @conn until the client leaves."""
    noise = event("RTC_CHANGE", {"offset": 1}) * 200
    if state["flood"] == "endless":
        noise = b"x" * 65536
    buf = b""
    while True:
        w = [conn] if state["flooding"] else []
        r, w, _ = select.select([conn], w, [], 1)
        if r:
            try:
                data = conn.recv(65536)
            except OSError:
                data = b""
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip():
                    answer(conn, line, state)
        if w:
            try:
                conn.send(noise)
            except OSError:      # the client gave up
                return


def ignore(conn, n):
    """Greet @conn and ignore what it sends until the client leaves."""
    print("fake QEMU: greeting client %d and ignoring it" % n, flush=True)
    conn.sendall(GREETING)
    while True:
        try:
            data = conn.recv(65536)
        except OSError:
            data = b""
        if not data:
            return


def main():
    global CONN
    args = sys.argv[1:]
    if any(a == "-machine" and b == "none" for a, b in zip(args, args[1:])):
        os.execv(REAL, [REAL] + args)
    with open("/proc/self/cmdline", "rb") as f:
        argv0 = f.read().split(b"\0")[0].decode()
    if argv0 != sys.argv[0]:
        # argv[0] is the emulator, as for QEMU: a reconnect checks it
        os.execv(sys.executable, [sys.argv[0]] + sys.argv)
    fd = None
    for a in args:
        m = re.search(r"charmonitor,fd=(\d+)", a)
        if m:
            fd = int(m.group(1))
    signal.signal(signal.SIGTERM, on_term)
    lsock = socket.socket(fileno=fd)
    name = os.path.basename(sys.argv[0])
    flood = "endless" if "endless" in name else "flood" in name
    state = {"status": "prelaunch", "flood": flood, "flooding": False}
    n = 0
    while True:                  # like QEMU: a new client after the old one
        CONN, _ = lsock.accept()
        n += 1
        if "silent" in name:
            print("fake QEMU: hanging before the QMP greeting", flush=True)
            while True:
                signal.pause()
        if "deaf" in name or ("mute" in name and n % 2 == 1):
            ignore(CONN, n)
        else:
            CONN.sendall(GREETING)
            serve(CONN, state)
            state["flooding"] = False
        CONN.close()
        CONN = None

if __name__ == "__main__":
    sys.exit(main())

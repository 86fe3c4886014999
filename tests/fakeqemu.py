#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A stand-in for qemu-system-x86_64 in unit tests of the capability
# probe's process handling (driver/qemucapsproc.c): it takes the QMP
# socket the probe passes with "-chardev socket,...,fd=N" (connected;
# with ",server=on" a listening one, whose one client it accepts) and
# replays recorded replies from the directory in
# $VGM_FAKE_QEMU_DIR (NN-name.jsonl, in name order, then the file in
# $VGM_FAKE_QEMU_QUIT).  A command other than the recorded one is an
# error: a message on stderr and exit status 1, like a QEMU that died.
#
# A file "mode" next to this script (read at start) changes its
# behaviour: "fail" prints an error and exits at once, "hang" never greets,
# "crash" dies after answering query-version.
import json
import os
import re
import socket
import sys
import time


def fail(msg):
    sys.stderr.write("qemu-system-x86_64: %s\n" % msg)
    sys.exit(1)


def monitor_socket(argv):
    for arg in argv:
        m = re.match(r"socket,.*\bfd=(\d+)\b", arg)
        if not m:
            continue
        sock = socket.socket(fileno=int(m.group(1)))
        if re.search(r"\bserver=on\b", arg):
            sock = sock.accept()[0]
        return sock
    fail("no -chardev socket,fd=N")


def script():
    d = os.environ["VGM_FAKE_QEMU_DIR"]
    files = [os.path.join(d, f) for f in sorted(os.listdir(d))]
    files.append(os.environ["VGM_FAKE_QEMU_QUIT"])
    for path in files:
        with open(path) as f:
            lines = [line.rstrip("\n") for line in f if line.strip()]
        i = 0
        while i < len(lines):
            if lines[i].startswith('{"execute"'):
                yield ("expect", lines[i], lines[i + 1])
                i += 2
            else:
                yield ("send", lines[i], None)
                i += 1


def main():
    mode = ""
    mode_file = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])),
                             "mode")
    if os.path.exists(mode_file):
        with open(mode_file) as f:
            mode = f.read().strip()
    if mode == "fail":
        fail("-accel kvm: failed to initialize kvm: Permission denied")
    conn = monitor_socket(sys.argv[1:])
    if mode == "hang":
        time.sleep(60)
        return
    rfile = conn.makefile("rb")
    for kind, line, reply in script():
        if kind == "send":
            conn.sendall(line.encode() + b"\r\n")
            continue
        got = json.loads(rfile.readline())
        want = json.loads(line)
        cid = got.pop("id", None)
        if got != want:
            fail("unexpected command %s, expected %s" % (got, want))
        answer = json.loads(reply)
        if cid is not None:
            answer["id"] = cid
        conn.sendall(json.dumps(answer).encode() + b"\r\n")
        if want["execute"] == "quit":
            return
        if mode == "crash" and want["execute"] == "query-version":
            fail("kvm_init_vcpu: Cannot allocate memory")


main()

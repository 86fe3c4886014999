#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds the tiny guest OS of the real-guest tests: an initramfs (newc
# cpio, gzip) holding a static busybox, the ACPI power button and evdev
# modules of the newest installed Debian kernel, and an /init that
#
#   * mounts proc, sys and devtmpfs and loads the modules,
#   * starts busybox acpid, whose power button action is `poweroff -f`,
#   * prints VGM-GUEST-READY (and the boot count) on the serial console,
#   * then does what `vgm.mode=` on the kernel command line says:
#     wait (default), poweroff (poweroff -f) or reboot (reboot -f).
#
# Usage: guest-initrd.py OUTPUT.cpio.gz
# Prints the kernel to boot it with (the newest /boot/vmlinuz-*) on stdout.
# Nothing needs root except reading the kernel; the output is written
# atomically.

import gzip
import os
import re
import stat
import sys

BUSYBOX = os.environ.get('VGM_GUEST_BUSYBOX', '/bin/busybox')
MODULES = ['button', 'evdev']
APPLETS = ['sh', 'mount', 'insmod', 'acpid', 'poweroff', 'reboot', 'sleep',
           'echo', 'cat', 'ls', 'run-parts', 'mkdir']

INIT = r'''#!/bin/sh
# The init of virtgmem's real-guest tests (tests/integration/guest-initrd.py).
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in /lib/modules/*.ko; do
    insmod "$m" || echo "VGM-GUEST-ERROR insmod $m"
done
n=0
while ! ls /dev/input/event* >/dev/null 2>&1; do
    n=$((n + 1))
    if [ $n -gt 100 ]; then
        echo "VGM-GUEST-ERROR no input device"
        break
    fi
    sleep 0.1
done
acpid -c /etc/acpi -l /dev/null -p /acpid.pid
mode=wait
for arg in $(cat /proc/cmdline); do
    case "$arg" in
        vgm.mode=*) mode="${arg#vgm.mode=}" ;;
    esac
done
echo "VGM-GUEST-READY mode=$mode" > /dev/console
case "$mode" in
    poweroff) poweroff -f ;;
    reboot) reboot -f ;;
esac
while true; do
    sleep 3600
done
'''

POWER_BUTTON = '#!/bin/sh\necho VGM-GUEST-POWER-BUTTON > /dev/console\n' \
               'exec /bin/poweroff -f\n'


class Cpio:
    """A newc archive written into a byte list."""

    def __init__(self):
        self.parts = []
        self.ino = 1

    def _entry(self, name, mode, data=b'', nlink=1):
        name_b = name.encode() + b'\0'
        hdr = '070701' + ''.join('%08X' % v for v in (
            self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0,
            len(name_b), 0))
        self.ino += 1
        out = hdr.encode() + name_b
        out += b'\0' * ((4 - len(out) % 4) % 4)
        out += data
        out += b'\0' * ((4 - len(data) % 4) % 4)
        self.parts.append(out)

    def dir(self, name):
        self._entry(name, stat.S_IFDIR | 0o755, nlink=2)

    def file(self, name, data, perm=0o644):
        self._entry(name, stat.S_IFREG | perm, data)

    def symlink(self, name, target):
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def finish(self):
        self.ino = 0
        self._entry('TRAILER!!!', 0, nlink=1)
        return b''.join(self.parts)


def kernel_version(path):
    return os.path.basename(path)[len('vmlinuz-'):]


def version_key(ver):
    return [int(x) if x.isdigit() else x
            for x in re.split(r'(\d+)', ver)]


def newest_kernel():
    kernels = [os.path.join('/boot', f) for f in os.listdir('/boot')
               if f.startswith('vmlinuz-')]
    if not kernels:
        sys.exit('guest-initrd: no /boot/vmlinuz-* (install linux-image-amd64)')
    return max(kernels, key=lambda k: version_key(kernel_version(k)))


def read_module(path):
    with open(path, 'rb') as f:
        data = f.read()
    if path.endswith('.xz'):
        import lzma
        data = lzma.decompress(data)
    elif path.endswith('.gz'):
        data = gzip.decompress(data)
    elif not path.endswith('.ko'):
        sys.exit('guest-initrd: cannot decompress %s' % path)
    return data


def module_files(moddir, names):
    """The files of @names and their dependencies, dependencies first."""
    deps = {}
    with open(os.path.join(moddir, 'modules.dep')) as f:
        for line in f:
            mod, _, rest = line.partition(':')
            deps[mod] = rest.split()
    by_name = {}
    for mod in deps:
        base = os.path.basename(mod).split('.ko')[0].replace('-', '_')
        by_name[base] = mod
    order = []

    def visit(mod):
        if mod in order:
            return
        for dep in reversed(deps.get(mod, [])):
            visit(dep)
        order.append(mod)

    for name in names:
        if name not in by_name:
            # built into the kernel: nothing to load
            builtin = os.path.join(moddir, 'modules.builtin')
            if os.path.exists(builtin) and any(
                    line.strip().endswith('/%s.ko' % name)
                    for line in open(builtin)):
                continue
            sys.exit('guest-initrd: no module %s in %s' % (name, moddir))
        visit(by_name[name])
    return [os.path.join(moddir, m) for m in order]


def build(output):
    kernel = newest_kernel()
    moddir = os.path.join('/lib/modules', kernel_version(kernel))
    with open(BUSYBOX, 'rb') as f:
        busybox = f.read()
    cpio = Cpio()
    for d in ('bin', 'dev', 'proc', 'sys', 'etc', 'etc/acpi',
              'etc/acpi/PWRF', 'lib', 'lib/modules'):
        cpio.dir(d)
    cpio.file('bin/busybox', busybox, 0o755)
    for applet in APPLETS:
        cpio.symlink('bin/' + applet, 'busybox')
    cpio.file('init', INIT.encode(), 0o755)
    cpio.file('etc/acpi/PWRF/00000080', POWER_BUTTON.encode(), 0o755)
    for i, path in enumerate(module_files(moddir, MODULES)):
        name = '%02d-%s.ko' % (i, os.path.basename(path).split('.ko')[0])
        cpio.file('lib/modules/' + name, read_module(path))
    tmp = output + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(gzip.compress(cpio.finish(), 6))
    os.rename(tmp, output)
    print(kernel)


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: guest-initrd.py OUTPUT.cpio.gz')
    build(sys.argv[1])

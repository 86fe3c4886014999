#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The systemd units of virtgmemd: systemd-analyze verify accepts them,
# and the sockets they create are the ones stock libvirt clients look
# for, named as the daemon's socket activation expects.
# Usage: systemd-units.sh BUILT-SERVICE SOCKET-UNIT... (the daemon is
# taken from VGM_VIRTGMEMD)

service=$1
shift
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bad() {
    echo "FAIL: $*"
    fail=1
}

sed "s|^ExecStart=[^ ]*|ExecStart=$VGM_VIRTGMEMD|" "$service" \
    > "$tmp/virtgmemd.service"
cp "$@" "$tmp/"

grep -q '^ListenStream=/run/libvirt/virtgmemd-sock$' "$tmp/virtgmemd.socket" ||
    bad "virtgmemd.socket does not listen on /run/libvirt/virtgmemd-sock"
grep -q '^SocketMode=0600$' "$tmp/virtgmemd.socket" ||
    bad "virtgmemd.socket is not 0600"
grep -q '^ListenStream=/run/libvirt/virtgmemd-sock-ro$' \
    "$tmp/virtgmemd-ro.socket" ||
    bad "virtgmemd-ro.socket does not listen on .../virtgmemd-sock-ro"
grep -q '^SocketMode=0666$' "$tmp/virtgmemd-ro.socket" ||
    bad "virtgmemd-ro.socket is not 0666"
for unit in virtgmemd virtgmemd-ro virtgmemd-tcp; do
    grep -q "^FileDescriptorName=$unit\$" "$tmp/$unit.socket" ||
        bad "$unit.socket does not name its fd $unit"
done

if command -v systemd-analyze >/dev/null 2>&1; then
    (cd "$tmp" && systemd-analyze verify --man=no ./virtgmemd.service \
        ./virtgmemd.socket ./virtgmemd-ro.socket ./virtgmemd-tcp.socket) \
        > "$tmp/verify.log" 2>&1 || bad "systemd-analyze verify failed"
    # It reports problems without failing, too.
    if [ -s "$tmp/verify.log" ]; then
        cat "$tmp/verify.log"
        bad "systemd-analyze verify complained"
    fi
else
    echo "systemd-analyze not found: only the static checks ran"
fi
exit $fail

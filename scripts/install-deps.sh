#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Install what virtgmem needs to build and test on Debian 12.
# Runs as root (or through sudo).  Safe to run again.
# linux-image-amd64 and busybox-static give the integration tests a guest
# OS to boot (tests/integration/guest-initrd.py builds its initrd).
set -eu

if [ "$(id -u)" -ne 0 ]; then
    exec sudo "$0" "$@"
fi

packages="
    meson ninja-build pkg-config gcc
    libglib2.0-dev libxml2-dev libxml2-utils libyajl-dev
    libtirpc-dev rpcsvc-proto
    libvirt-dev libvirt-clients
    gettext
    qemu-system-x86 qemu-utils
    clang llvm libclang-rt-14-dev clang-format
    python3
    linux-image-amd64 busybox-static
"

missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    # shellcheck disable=SC2086
    apt-get install -y --no-install-recommends $missing
fi

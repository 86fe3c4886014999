#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The main job: install the dependencies, build, check every shipped
# sample domain with the full parser and validator (printed as
# 'virsh dumpxml --inactive' will show it), then start virtgmemd in
# session mode on a temporary root and drive a real (diskless) guest
# with stock virsh: define, start, query, QMP, suspend, resume, destroy,
# undefine.  Each command is printed before it runs.  Everything it
# starts is stopped and removed at the end, also on failure.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=${VGM_BUILD_DIR:-$top/build}

"$top/scripts/install-deps.sh"
if [ ! -d "$build" ]; then
    meson setup "$build" >/dev/null
fi
meson compile -C "$build" >/dev/null

tool="$build/tools/virt-gmem-xml"
for xml in "$top"/docs/examples/*.xml; do
    echo "== $(basename "$xml")"
    "$tool" validate "$xml"
    "$tool" format "$xml"
done

echo "== a definition the validator refuses (guest-memfd with hugepages)"
bad=$(mktemp)
cat > "$bad" <<'XML'
<domain type='kvm'>
  <name>bad</name>
  <memory unit='GiB'>1</memory>
  <memoryBacking>
    <hugepages/>
    <source type='guest-memfd'/>
  </memoryBacking>
  <os><type>hvm</type></os>
</domain>
XML
if "$tool" validate "$bad"; then
    echo "unexpected: the invalid definition was accepted" >&2
    rm -f "$bad"
    exit 1
fi
rm -f "$bad"

# ---- a real guest under virtgmemd, driven by stock virsh -------------

tmp=$(mktemp -d /tmp/virtgmem-demo.XXXXXX)
root="$tmp/root"
sock="$tmp/virtgmemd-sock"
uri="gmem+unix:///session?socket=$sock"
daemon_pid=""

# Print a command (quoted where needed), then run it.
run() {
    printf '$'
    for arg in "$@"; do
        case $arg in
            *[!A-Za-z0-9_./:=,+@-]*) printf " '%s'" "$arg" ;;
            *) printf ' %s' "$arg" ;;
        esac
    done
    printf '\n'
    "$@"
}

vsh() {
    run virsh -c "$uri" "$@"
}

# Stop the daemon, then any QEMU of our root (by pid), then remove it.
cleanup() {
    if [ -n "$daemon_pid" ] && kill -0 "$daemon_pid" 2>/dev/null; then
        virsh -q -c "$uri" destroy demo >/dev/null 2>&1 || true
        kill -TERM "$daemon_pid" 2>/dev/null || true
        wait "$daemon_pid" 2>/dev/null || true
    fi
    for cmdline in /proc/[0-9]*/cmdline; do
        if tr '\0' ' ' < "$cmdline" 2>/dev/null | grep -qF "$root/"; then
            pid=${cmdline#/proc/}
            kill -KILL "${pid%/cmdline}" 2>/dev/null || true
        fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

echo "== virtgmemd in session mode on $root"
export LIBVIRT_AUTOSTART=0
printf '$ %s\n' "virtgmemd --session --root $root --socket $sock &"
"$build/daemon/virtgmemd" --session --root "$root" --socket "$sock" \
    2> "$tmp/virtgmemd.log" &
daemon_pid=$!
tries=0
while [ ! -S "$sock" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ] || ! kill -0 "$daemon_pid" 2>/dev/null; then
        echo "virtgmemd did not start:" >&2
        cat "$tmp/virtgmemd.log" >&2
        exit 1
    fi
    sleep 0.1
done

# KVM where the daemon finds it usable (nested KVM here), TCG otherwise:
# domcapabilities names the best domain type the host has.
echo "\$ virsh -c '$uri' domcapabilities | grep '<domain>'"
line=$(virsh -c "$uri" domcapabilities | grep '<domain>')
echo "$line"
virttype=$(echo "$line" | sed -n 's:^ *<domain>\(.*\)</domain>$:\1:p')
echo "== a diskless 128 MiB <domain type='$virttype'> guest"
cat > "$tmp/demo.xml" <<XML
<domain type='$virttype'>
  <name>demo</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
</domain>
XML

vsh define "$tmp/demo.xml"
vsh list --all
vsh start demo
vsh list --all
vsh dominfo demo
vsh domstate --reason demo
vsh qemu-monitor-command demo '{"execute":"query-status"}'
vsh domxml-to-native qemu-argv --domain demo
vsh dumpxml demo
vsh suspend demo
vsh domstate --reason demo
vsh resume demo
vsh domstats demo
vsh destroy demo
vsh undefine demo
vsh list --all

printf '$ %s\n' "kill -TERM $daemon_pid    # stop virtgmemd"
kill -TERM "$daemon_pid"
wait "$daemon_pid"
daemon_pid=""
echo "== done"

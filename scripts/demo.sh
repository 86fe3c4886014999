#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The main job, as far as virtgmem goes today: install the dependencies,
# build, then check every shipped sample domain with the full parser and
# validator and print it as 'virsh dumpxml --inactive' will show it.
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
trap 'rm -f "$bad"' EXIT
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
    exit 1
fi
echo "== done"

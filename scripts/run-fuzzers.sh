#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run every libFuzzer target of a -Dfuzzing=true build for a bounded time,
# seeded from the XML under tests/data/.  Usage: run-fuzzers.sh BUILDDIR SECONDS
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
seconds=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/xml"
find "$top/tests/data" -name '*.xml' -exec cp {} "$work/xml/" \;

"$build/tests/fuzz/xmlfuzz" -max_total_time="$seconds" -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 "$work/xml"

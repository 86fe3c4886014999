#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run every libFuzzer target of a -Dfuzzing=true build, seeded from the XML
# under tests/data/.  Usage: run-fuzzers.sh BUILDDIR SECONDS
#
# CI runs are reproducible: a fixed seed (VGM_FUZZ_SEED, default 1) and a
# fixed number of runs (VGM_FUZZ_RUNS, default 150000); SECONDS only caps
# the time.  For exploration, pick another seed and more runs.  An input
# that fails is printed and kept as $VGM_FUZZ_ARTIFACTS/crash-* (default:
# a temporary directory, removed).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
seconds=$2
seed=${VGM_FUZZ_SEED:-1}
runs=${VGM_FUZZ_RUNS:-150000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=${VGM_FUZZ_ARTIFACTS:-$work/artifacts}

mkdir -p "$work/xml" "$artifacts"
find "$top/tests/data" -name '*.xml' -exec cp {} "$work/xml/" \;

if ! "$build/tests/fuzz/xmlfuzz" -seed="$seed" -runs="$runs" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$work/xml"; then
    for f in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/oom-*; do
        [ -f "$f" ] || continue
        echo "== input that failed: $f"
        cat "$f"
        echo
    done
    exit 1
fi

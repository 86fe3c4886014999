#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Set up and run every test of virtgmem:
#   1. install the build and test dependencies (Debian 12, as root),
#   2. build with warnings as errors and run all suites
#      (unit, style, integration),
#   3. build again with AddressSanitizer + UndefinedBehaviorSanitizer and
#      run the unit suite,
#   4. when clang is present, build the libFuzzer targets and run each for
#      a bounded time on its seed corpus.
#
# Build directories: build/, build-asan/, build-fuzz/ (override the
# prefix with VGM_BUILD_PREFIX).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
prefix=${VGM_BUILD_PREFIX:-$top/build}
fuzz_seconds=${VGM_FUZZ_SECONDS:-120}

"$top/scripts/install-deps.sh"

setup() {
    dir=$1
    shift
    if [ -d "$dir" ]; then
        meson setup --reconfigure "$dir" "$@"
    else
        meson setup "$dir" "$@"
    fi
}

echo "== build (-Werror) and all test suites"
setup "$prefix" -Dwerror=true
meson compile -C "$prefix"
meson test -C "$prefix" --print-errorlogs --num-processes 2

echo "== AddressSanitizer + UndefinedBehaviorSanitizer, unit suite"
setup "$prefix-asan" -Dwerror=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debug
meson compile -C "$prefix-asan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C "$prefix-asan" --suite unit --print-errorlogs \
    --num-processes 2

if command -v clang >/dev/null 2>&1; then
    echo "== libFuzzer targets (fixed seed and runs, at most ${fuzz_seconds}s each)"
    if [ ! -d "$prefix-fuzz" ]; then
        CC=clang meson setup "$prefix-fuzz" -Dfuzzing=true -Db_lundef=false \
            -Dbuildtype=debug
    fi
    meson compile -C "$prefix-fuzz"
    "$top/scripts/run-fuzzers.sh" "$prefix-fuzz" "$fuzz_seconds"
else
    echo "== clang not found: fuzzers not built"
fi

echo "== all tests passed"
"$top/scripts/test-summary.py" "$prefix" "$prefix-asan"

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/qemucaps.h"
#include "driver/qemucapspriv.h"

/*
 * Capability lookup of the installed QEMU: a fresh probe (QEMU started,
 * queried, stopped) against a cache hit (stat + read + parse + decide).
 * $VGM_BENCH_QEMU overrides the binary.  Prints figures, asserts nothing.
 */

#define BENCH_PROBE_RUNS 5
#define BENCH_CACHED_RUNS 25

static int
benchCompareDouble(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static double
benchMedian(double *times, size_t n)
{
    qsort(times, n, sizeof(double), benchCompareDouble);
    return times[n / 2];
}

/* Median ms of @runs lookups; -1 on failure. */
static double
benchLookup(const char *binary, const drvQemuCapsConfig *config,
            size_t runs, bool wantHit)
{
    double times[BENCH_CACHED_RUNS];
    size_t i;

    for (i = 0; i < runs && i < G_N_ELEMENTS(times); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(drvQemuCaps) caps = NULL;
        gint64 start = g_get_monotonic_time();
        bool hit = false;

        caps = drvQemuCapsLookup(binary, config, &hit, &error);
        times[i] = (g_get_monotonic_time() - start) / 1000.0;
        if (!caps || hit != wantHit) {
            fprintf(stderr, "lookup failed: %s\n",
                    error ? error->message : "unexpected cache result");
            return -1;
        }
    }
    return benchMedian(times, i);
}

int
main(int argc, char **argv)
{
    const char *env = g_getenv("VGM_BENCH_QEMU");
    const char *binary = env ? env : "/usr/bin/qemu-system-x86_64";
    g_autofree char *dir = g_dir_make_tmp("vgm-capsbench-XXXXXX", NULL);
    g_autofree char *path = NULL;
    drvQemuCapsConfig uncached = { .timeoutMs = 60000 };
    drvQemuCapsConfig cached = { .cacheDir = dir, .timeoutMs = 60000 };
    double probe;
    double hit;

    if (!dir || access(binary, X_OK) < 0) {
        printf("qemucaps: %s not usable, nothing measured\n", binary);
        return 0;
    }
    probe = benchLookup(binary, &uncached, BENCH_PROBE_RUNS, false);
    if (probe >= 0 && benchLookup(binary, &cached, 1, false) < 0)
        probe = -1;
    hit = probe < 0 ? -1 : benchLookup(binary, &cached, BENCH_CACHED_RUNS,
                                       true);
    path = drvQemuCapsCachePath(dir, binary);
    unlink(path);
    rmdir(dir);
    if (hit < 0)
        return 1;
    printf("qemucaps: %s (accel %s)\n", binary,
           drvQemuCapsKVMUsable(&uncached) ? "kvm" : "tcg");
    printf("  uncached (probe), median of %d: %8.1f ms\n", BENCH_PROBE_RUNS,
           probe);
    printf("  cached (hit),     median of %d: %8.1f ms\n", BENCH_CACHED_RUNS,
           hit);
    return 0;
}

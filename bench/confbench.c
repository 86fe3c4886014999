/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdio.h>

#include <libvirt/libvirt.h>

#include "conf/domain.h"

/*
 * Parse + validate + format throughput for the sample domains in
 * docs/examples/.  Prints domains/s and microseconds per domain for
 * each file and overall; asserts nothing.
 */

#define BENCH_MIN_SECONDS 0.5

static double
benchOne(const char *xml, guint64 *rounds)
{
    gint64 start = g_get_monotonic_time();
    gint64 now = start;
    guint64 n = 0;

    while (now - start < BENCH_MIN_SECONDS * G_USEC_PER_SEC) {
        g_autoptr(GError) error = NULL;
        g_autoptr(confDomainDef) def =
            confDomainDefParseString(xml, NULL, 0, &error);
        g_autofree char *out = NULL;

        if (!def) {
            fprintf(stderr, "parse failed: %s\n", error->message);
            return -1;
        }
        out = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE);
        n++;
        now = g_get_monotonic_time();
    }
    *rounds = n;
    return (double)(now - start) / (double)n;
}

static gint
benchCompareNames(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : VGM_SOURCE_ROOT "/docs/examples";
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    double total = 0;
    size_t i;

    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        return 1;
    }
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, ".xml"))
            g_ptr_array_add(names, g_strdup(name));
    }
    g_ptr_array_sort(names, benchCompareNames);
    printf("%-36s %12s %12s\n", "domain", "us/domain", "domains/s");
    for (i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);
        g_autofree char *xml = NULL;
        guint64 rounds = 0;
        double us;

        if (!g_file_get_contents(path, &xml, NULL, NULL))
            return 1;
        if ((us = benchOne(xml, &rounds)) < 0)
            return 1;
        total += us;
        printf("%-36s %12.1f %12.0f\n", (char *)names->pdata[i], us,
               1e6 / us);
    }
    if (names->len)
        printf("%-36s %12.1f %12.0f\n", "mean", total / names->len,
               1e6 / (total / names->len));
    return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "driver/command.h"
#include "tests/xml2argvtestutils.h"

/*
 * QEMU command line build time for the xml2argv golden cases: for every
 * tests/data/xml2argv/NAME.CAPS.args, the domain is parsed once and
 * drvBuildCommandLine() is timed (argv, env and props; no string
 * formatting).  Prints microseconds per build; asserts nothing.
 */

#define BENCH_MIN_SECONDS 0.05

static double
benchOne(const char *name, const char *capsName, guint64 *rounds)
{
    g_autoptr(GError) error = NULL;
    const drvQemuCaps *caps = testXML2ArgvGetCaps(capsName, &error);
    g_autoptr(drvHostCaps) host = testXML2ArgvNewHost("full");
    g_autoptr(confDomainDef) def = caps ? testXML2ArgvParse(name, caps, &error) :
                                   NULL;
    gint64 start = g_get_monotonic_time();
    gint64 now = start;
    guint64 n = 0;

    if (!def) {
        fprintf(stderr, "%s: %s\n", name, error->message);
        return -1;
    }
    while (now - start < BENCH_MIN_SECONDS * G_USEC_PER_SEC) {
        testXML2ArgvConfig cfg;
        g_autoptr(drvCommand) cmd = NULL;

        testXML2ArgvConfigInit(&cfg, def, DRV_COMMAND_IOMMUFD_PASS_FDS);
        cmd = drvBuildCommandLine(def, caps, host, &cfg.config, &error);
        testXML2ArgvConfigClear(&cfg);
        if (!cmd) {
            fprintf(stderr, "%s: %s\n", name, error->message);
            return -1;
        }
        n++;
        now = g_get_monotonic_time();
    }
    *rounds = n;
    return (double)(now - start) / (double)n;
}

static int
benchFile(const char *file, double *total, guint *count)
{
    const char *const *caps;

    for (caps = testXML2ArgvCapsNames; *caps; caps++) {
        g_autofree char *suffix = g_strdup_printf(".%s.args", *caps);
        g_autofree char *name = NULL;
        guint64 rounds = 0;
        double us;

        if (!g_str_has_suffix(file, suffix))
            continue;
        name = g_strndup(file, strlen(file) - strlen(suffix));
        if ((us = benchOne(name, *caps, &rounds)) < 0)
            return -1;
        printf("%-32s %-24s %8.1f us/build (%" G_GUINT64_FORMAT " builds)\n",
               name, *caps, us, rounds);
        *total += us;
        (*count)++;
    }
    return 0;
}

static gint
benchCompare(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
    g_autofree char *dirPath = g_build_filename(VGM_SOURCE_ROOT, "tests", "data",
                                                "xml2argv", NULL);
    g_autoptr(GDir) dir = g_dir_open(dirPath, 0, NULL);
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    const char *ent;
    double total = 0;
    guint count = 0;
    guint i;

    if (!dir)
        return 1;
    while ((ent = g_dir_read_name(dir)))
        g_ptr_array_add(files, g_strdup(ent));
    g_ptr_array_sort(files, benchCompare);
    for (i = 0; i < files->len; i++) {
        if (benchFile(g_ptr_array_index(files, i), &total, &count) < 0)
            return 1;
    }
    if (count)
        printf("%u builds, mean %.1f us/build\n", count, total / count);
    return 0;
}

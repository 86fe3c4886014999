/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qapi/schema.h"

/*
 * Parse+index time of each recorded query-qmp-schema reply and the rate
 * of path queries.  Prints figures, asserts nothing.
 */

#define BENCH_RUNS 25

static const char *const benchVersions[] = { "7.2.22", "10.0.13", "11.1.3" };

static const char *const benchQueries[] = {
    "object-add/arg-type/+memory-backend-memfd/hugetlb",
    "object-add/arg-type/+memory-backend-guest-memfd",
    "object-add/arg-type/+sev-snp-guest",
    "object-add/arg-type/+tdx-guest/quote-generation-socket",
    "migrate-set-capabilities/arg-type/capabilities/capability/^postcopy-ram",
    "migrate-set-capabilities/arg-type/capabilities/capability/^switchover-ack",
    "query-migrate/ret-type/blocked-reasons",
    "object-add/arg-type/qom-type/^iommufd",
};

static int
benchCompareDouble(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static char *
benchLoadReply(const char *ver, size_t *size)
{
    g_autofree char *path = g_strdup_printf("%s/tests/data/qemu/%s/07-query-qmp-schema.jsonl",
                                            VGM_SOURCE_ROOT, ver);
    g_autofree char *data = NULL;
    const char *nl;

    if (!g_file_get_contents(path, &data, size, NULL) ||
        !(nl = strchr(data, '\n')))
        return NULL;
    return g_strdup(nl + 1);
}

static double
benchParseMedian(const char *reply, qapiSchema **keep)
{
    double times[BENCH_RUNS];
    size_t i;

    for (i = 0; i < BENCH_RUNS; i++) {
        gint64 start = g_get_monotonic_time();
        qapiSchema *s = qapiSchemaParse(reply, NULL);

        times[i] = g_get_monotonic_time() - start;
        if (i == 0)
            *keep = s;
        else
            qapiSchemaFree(s);
    }
    qsort(times, BENCH_RUNS, sizeof(times[0]), benchCompareDouble);
    return times[BENCH_RUNS / 2];
}

static double
benchQueryRate(const qapiSchema *schema)
{
    gint64 start = g_get_monotonic_time();
    gint64 elapsed;
    guint64 n = 0;
    size_t hits = 0;

    do {
        size_t i;

        for (i = 0; i < G_N_ELEMENTS(benchQueries); i++, n++)
            hits += qapiSchemaHas(schema, benchQueries[i]);
        elapsed = g_get_monotonic_time() - start;
    } while (elapsed < 300000);
    (void)hits;
    return n * 1e6 / elapsed;
}

int
main(void)
{
    size_t v;

    printf("%-8s %10s %8s %14s %16s\n", "qemu", "bytes", "entries",
           "parse+index", "queries/s");
    for (v = 0; v < G_N_ELEMENTS(benchVersions); v++) {
        size_t size = 0;
        g_autofree char *reply = benchLoadReply(benchVersions[v], &size);
        qapiSchema *schema = NULL;
        double us;

        if (!reply) {
            printf("%-8s (no data)\n", benchVersions[v]);
            continue;
        }
        us = benchParseMedian(reply, &schema);
        if (!schema) {
            printf("%-8s (parse failed)\n", benchVersions[v]);
            continue;
        }
        printf("%-8s %10zu %8zu %11.0f us %16.0f\n", benchVersions[v], size,
               qapiSchemaSize(schema), us, benchQueryRate(schema));
        qapiSchemaFree(schema);
    }
    return 0;
}

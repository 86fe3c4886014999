/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "driver/driver.h"
#include "tests/drvtestutils.h"

/*
 * The driver's lifecycle costs on this machine, with the real QEMU (KVM
 * when /dev/kvm opens, else TCG): start call to RUNNING and destroy call
 * to SHUTOFF for a diskless 256 MiB guest, define+undefine, and listing
 * with 1 and 100 defined domains.  Prints min/median/max; asserts
 * nothing.  Runs on a temporary root.
 */

#define BENCH_STARTS 10
#define BENCH_DEFINES 200
#define BENCH_LISTS 2000

static const char *
benchVirtType(void)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0)
        return "qemu";
    close(fd);
    return "kvm";
}

static char *
benchXML(unsigned int n)
{
    return g_strdup_printf(
        "<domain type='%s'><name>bench-%u</name>"
        "<uuid>5b0c1d2e-0000-4000-8000-%012x</uuid>"
        "<memory unit='MiB'>256</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
        "<devices><emulator>/usr/bin/qemu-system-x86_64</emulator>"
        "</devices></domain>", benchVirtType(), n, n);
}

static gint
benchCompare(gconstpointer a, gconstpointer b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void
benchReport(const char *what, GArray *us)
{
    g_array_sort(us, benchCompare);
    printf("%-32s n=%-5u min %9.1f us  median %9.1f us  max %9.1f us\n",
           what, us->len, g_array_index(us, double, 0),
           g_array_index(us, double, us->len / 2),
           g_array_index(us, double, us->len - 1));
}

static double
benchSince(gint64 start)
{
    return (double)(g_get_monotonic_time() - start);
}

static int
benchStartStop(drvDriver *drv)
{
    g_autofree char *xml = benchXML(0);
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = drvDomainDefineXML(drv, xml, 0, &err);
    g_autoptr(GArray) starts = g_array_new(FALSE, FALSE, sizeof(double));
    g_autoptr(GArray) stops = g_array_new(FALSE, FALSE, sizeof(double));
    size_t i;

    for (i = 0; ref && i < BENCH_STARTS; i++) {
        gint64 t0 = g_get_monotonic_time();
        double d;

        if (drvDomainCreate(drv, ref->uuid, 0, &err) < 0)
            break;
        d = benchSince(t0);
        g_array_append_val(starts, d);
        t0 = g_get_monotonic_time();
        if (drvDomainDestroy(drv, ref->uuid, 0, &err) < 0)
            break;
        d = benchSince(t0);
        g_array_append_val(stops, d);
    }
    if (err) {
        fprintf(stderr, "start/destroy failed: %s\n", err->message);
        return -1;
    }
    benchReport("start -> RUNNING (256 MiB)", starts);
    benchReport("destroy -> SHUTOFF", stops);
    return drvDomainUndefine(drv, ref->uuid, 0, NULL);
}

static int
benchDefineUndefine(drvDriver *drv)
{
    g_autoptr(GArray) us = g_array_new(FALSE, FALSE, sizeof(double));
    g_autofree char *xml = benchXML(1);
    size_t i;

    for (i = 0; i < BENCH_DEFINES; i++) {
        g_autoptr(GError) err = NULL;
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(drvDomainRef) ref = drvDomainDefineXML(drv, xml, 0, &err);
        double d;

        if (!ref || drvDomainUndefine(drv, ref->uuid, 0, &err) < 0) {
            fprintf(stderr, "define/undefine failed: %s\n", err->message);
            return -1;
        }
        d = benchSince(t0);
        g_array_append_val(us, d);
    }
    benchReport("define + undefine", us);
    return 0;
}

static void
benchList(drvDriver *drv, unsigned int ndoms)
{
    g_autoptr(GArray) us = g_array_new(FALSE, FALSE, sizeof(double));
    g_autofree char *what = g_strdup_printf("list all, %u domains", ndoms);
    size_t i;

    for (i = 0; i < BENCH_LISTS; i++) {
        gint64 t0 = g_get_monotonic_time();
        g_autoptr(GPtrArray) doms = drvConnectListAllDomains(drv, 0, NULL);
        double d = benchSince(t0);

        g_array_append_val(us, d);
    }
    benchReport(what, us);
}

int
main(int argc, char **argv)
{
    g_autofree char *root = g_dir_make_tmp("vgm-drvbench-XXXXXX", NULL);
    drvDriverConfig cfg = { .root = root, .noAutostart = true };
    g_autoptr(GError) err = NULL;
    drvDriver *drv = drvDriverOpen(&cfg, &err);
    unsigned int i;
    int ret = 0;

    if (!drv) {
        fprintf(stderr, "cannot open the driver: %s\n", err->message);
        return 1;
    }
    printf("accelerator: %s\n", benchVirtType());
    if (benchStartStop(drv) < 0 || benchDefineUndefine(drv) < 0)
        ret = 1;
    for (i = 2; i < 102 && ret == 0; i++) {
        g_autofree char *xml = benchXML(i);
        g_autoptr(drvDomainRef) ref = drvDomainDefineXML(drv, xml, 0, NULL);

        if (i == 2)
            benchList(drv, 1);
    }
    if (ret == 0)
        benchList(drv, 100);
    drvDriverClose(drv);
    drvTestRemoveTree(root);
    return ret;
}

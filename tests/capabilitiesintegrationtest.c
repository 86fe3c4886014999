/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "driver/capabilities.h"
#include "driver/domcaps.h"
#include "tests/testutils.h"

/*
 * <capabilities> and <domainCapabilities> of this machine: the real host
 * probe and the installed QEMU ($VGM_TEST_QEMU or qemu-system-x86_64 in
 * PATH; skipped without one), probed with a cache in a temp dir.  Checks
 * the facts of the machines here (shared/DESIGN.md): Debian's QEMU 7.2
 * has no guest_memfd backend, so no guest-memfd source type even though
 * the kernel's guest_memfd maps; no SEV-SNP or TDX.
 */

#define TEST_HOST_UUID "a9a3d4f1-60f4-4f27-9d6a-0f6a3c1e2b7d"

static drvHostCaps *testHost;
static drvQemuCaps *testQemu;

static bool
testHas(const char *xml, const char *needle)
{
    return strstr(xml, needle) != NULL;
}

static void
testWellFormed(const char *xml)
{
    xmlDocPtr doc = xmlReadMemory(xml, strlen(xml), "caps.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING);

    if (!doc)
        VGM_TEST_FAIL("not well-formed XML:\n%s", xml);
    xmlFreeDoc(doc);
}

static void
testCapabilities(gconstpointer data)
{
    g_autofree char *xml = drvCapabilitiesFormat(TEST_HOST_UUID, testHost,
                                                 testQemu);
    g_autofree char *emulator = g_strdup_printf(
        "<emulator>%s</emulator>", drvQemuCapsGetBinary(testQemu));

    testWellFormed(xml);
    if (!testHas(xml, emulator) || !testHas(xml, "<domain type='qemu'/>") ||
        !testHas(xml, "canonical=") || testHas(xml, ">none</machine>"))
        VGM_TEST_FAIL("unexpected capabilities:\n%s", xml);
    if (testHas(xml, "<domain type='kvm'/>") !=
        drvCapabilitiesHostKVM(testHost))
        VGM_TEST_FAIL("kvm domain type does not follow the host:\n%s", xml);
}

static void
testDomCaps(gconstpointer data)
{
    drvDomCapsRequest req = { .host = testHost, .qemu = testQemu };
    g_autoptr(GError) error = NULL;
    g_autoptr(drvDomCaps) caps = drvDomCapsNew(&req, &error);
    g_autofree char *xml = NULL;
    bool gmemQemu;

    if (!caps) {
        VGM_TEST_FAIL("%s", error->message);
        return;
    }
    xml = drvDomCapsFormat(caps);
    testWellFormed(xml);
    gmemQemu = caps->gmem.backend[DRV_DOMCAPS_GMEM_BACKEND_GUEST_MEMFD] ||
               caps->gmem.backend[DRV_DOMCAPS_GMEM_BACKEND_MEMFD];
    if (!gmemQemu && testHas(xml, "<value>guest-memfd</value>"))
        VGM_TEST_FAIL("guest-memfd offered without a QEMU backend:\n%s", xml);
    if (testHas(xml, "<value>sev-snp</value>") ||
        testHas(xml, "<value>tdx</value>"))
        VGM_TEST_FAIL("SEV-SNP or TDX offered on this machine:\n%s", xml);
    if (!testHas(xml, "<value>memfd</value>") ||
        !testHas(xml, "xmlns:virtgmem="))
        VGM_TEST_FAIL("unexpected domain capabilities:\n%s", xml);
    g_test_message("%s", xml);
}

/* The cache directory and the files the probe left in it. */
static void
testRemoveDir(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;

    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *path = g_build_filename(dir, name, NULL);

        unlink(path);
    }
    rmdir(dir);
}

static char *
testFindQemu(void)
{
    const char *env = g_getenv("VGM_TEST_QEMU");

    if (env)
        return g_strdup(env);
    return g_find_program_in_path("qemu-system-x86_64");
}

static int
testSetup(const char *cacheDir)
{
    g_autofree char *binary = testFindQemu();
    drvQemuCapsConfig config = { .cacheDir = cacheDir };
    g_autoptr(GError) error = NULL;

    if (!binary)
        return 1;
    if (!(testHost = drvHostCapsProbe(&error)) ||
        !(testQemu = drvQemuCapsLookup(binary, &config, NULL, &error))) {
        g_printerr("probe failed: %s\n", error->message);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    g_autofree char *cacheDir = NULL;
    g_autoptr(GError) error = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (!(cacheDir = g_dir_make_tmp("vgm-capsit-XXXXXX", &error))) {
        g_printerr("%s\n", error->message);
        return 1;
    }
    if ((ret = testSetup(cacheDir)) != 0) {
        testRemoveDir(cacheDir);
        if (ret > 0)
            g_test_skip("no qemu-system-x86_64");
        return ret > 0 ? 77 : 1;
    }
    g_test_add_data_func("/capabilities/this-machine", NULL, testCapabilities);
    g_test_add_data_func("/domcaps/this-machine", NULL, testDomCaps);
    ret = g_test_run();
    drvHostCapsFree(testHost);
    drvQemuCapsFree(testQemu);
    testRemoveDir(cacheDir);
    return ret;
}

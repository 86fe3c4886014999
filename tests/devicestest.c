/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/domain.h"
#include "util/error.h"
#include "tests/testutils.h"

/*
 * The parts of conf/devices.c and the family files that xml2xml cannot
 * reach: alias assignment at start, target names, MAC addresses.
 */

/* tests/data/devices/NAME.xml gets its aliases; NAME.live.xml is the
 * live output, and the inactive output must show only user aliases. */
static void
testAliases(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in = g_strdup_printf("devices/%s.xml", name);
    g_autofree char *out = g_strdup_printf("devices/%s.live.xml", name);
    g_autofree char *xml = vgmTestLoadData(in);
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = NULL;
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;

    if (!xml)
        return;
    if (!(def = confDomainDefParseString(xml, NULL, 0, &error))) {
        VGM_TEST_FAIL("%s: %s", in, error->message);
        return;
    }
    confDevicesAssignAliases(def);
    live = confDomainDefFormat(def, 0);
    if (!vgmTestCompareToFile(live, out))
        return;
    inactive = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE);
    if (strstr(inactive, "<alias name='virtio-disk0'/>") ||
        !strstr(inactive, "<alias name='ua-"))
        VGM_TEST_FAIL("%s: inactive XML must keep only user aliases", in);
}

static void
testDiskNameToIndex(void)
{
    static const struct {
        const char *name;
        int index;
    } cases[] = {
        { "vda", 0 }, { "vdb", 1 }, { "sdz", 25 }, { "hdaa", 26 },
        { "sdab", 27 }, { "xvdc", 2 }, { "ubd", 3 }, { "vd", -1 },
        { "vda1", -1 }, { "nvme0n1", -1 }, { "vdA", -1 }, { "", -1 },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++)
        g_assert_cmpint(confDiskNameToIndex(cases[i].name), ==,
                        cases[i].index);
}

static void
testMacParse(void)
{
    static const char *const bad[] = {
        "52:54:00:00:00", "52:54:00:00:00:00:00", "52-54-00-00-00-00",
        "52:54:00:00:00:0g", "5:54:00:00:00:00", "", "52:54:00:00:00:00 ",
    };
    unsigned char mac[CONF_MAC_LEN];
    g_autofree char *str = NULL;
    size_t i;

    g_assert_cmpint(confMacParse("52:54:00:AB:cd:0f", mac), ==, 0);
    str = confMacFormat(mac);
    g_assert_cmpstr(str, ==, "52:54:00:ab:cd:0f");
    for (i = 0; i < G_N_ELEMENTS(bad); i++)
        g_assert_cmpint(confMacParse(bad[i], mac), ==, -1);
}

/* Post-parse is idempotent: formatting, parsing and formatting again
 * adds no second set of implicit devices or root ports. */
static void
testPostParseStable(void)
{
    const char *xml =
        "<domain type='kvm'><name>g</name>"
        "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
        "<memory>1048576</memory>"
        "<os><type machine='q35'>hvm</type></os><devices>"
        "<disk type='file'><source file='/a.img'/><target dev='vda'/></disk>"
        "<interface type='user'><mac address='52:54:00:00:00:01'/>"
        "<model type='e1000'/></interface>"
        "<console type='pty'><target type='virtio'/></console>"
        "</devices></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) a = confDomainDefParseString(xml, NULL, 0,
                                                          &error);
    g_autoptr(confDomainDef) b = NULL;
    g_autofree char *first = NULL;
    g_autofree char *second = NULL;

    g_assert_no_error(error);
    first = confDomainDefFormat(a, VIR_DOMAIN_XML_INACTIVE);
    b = confDomainDefParseString(first, NULL, 0, &error);
    g_assert_no_error(error);
    second = confDomainDefFormat(b, VIR_DOMAIN_XML_INACTIVE);
    g_assert_cmpstr(first, ==, second);
    g_assert_cmpuint(a->devices.ncontrollers, ==, b->devices.ncontrollers);
}

/* More PCI devices than the machine has room for: an error, no crash. */
static void
testPCIExhausted(gconstpointer data)
{
    const char *machine = data;
    g_autoptr(GString) xml = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = NULL;
    size_t i;

    g_string_append_printf(xml,
                           "<domain type='kvm'><name>g</name>"
                           "<memory>1048576</memory><os>"
                           "<type machine='%s'>hvm</type></os><devices>",
                           machine);
    for (i = 0; i < 600; i++) {
        g_string_append_printf(xml,
                               "<interface type='user'><model type='%s'/>"
                               "<mac address='52:54:00:00:%02zx:%02zx'/>"
                               "</interface>",
                               i % 2 ? "virtio" : "e1000", i >> 8, i & 0xff);
    }
    g_string_append(xml, "</devices></domain>");
    def = confDomainDefParseString(xml->str, NULL, 0, &error);
    g_assert_null(def);
    g_assert_error(error, CONF_ERROR, VIR_ERR_INTERNAL_ERROR);
    g_assert_nonnull(strstr(error->message, "no free PCI slot"));
}

#define DO_TEST_ALIASES(n) \
    g_test_add_data_func("/devices/aliases/" n, n, testAliases)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    DO_TEST_ALIASES("aliases-q35");
    DO_TEST_ALIASES("aliases-pc");
    g_test_add_func("/devices/disk-name-to-index", testDiskNameToIndex);
    g_test_add_func("/devices/mac-parse", testMacParse);
    g_test_add_func("/devices/post-parse-stable", testPostParseStable);
    g_test_add_data_func("/devices/pci-exhausted/q35", "q35",
                         testPCIExhausted);
    g_test_add_data_func("/devices/pci-exhausted/pc", "pc",
                         testPCIExhausted);
    vgmTestAddUnusedCheck("devices");
    return g_test_run();
}

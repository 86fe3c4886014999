/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/domain.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * tests/data/xml2xml/NAME.xml is parsed with the default options and
 * formatted; the result must equal NAME.out.xml (inactive) or
 * NAME.live.xml (active, parsed as a status file), and parsing the
 * result again must give the same text.
 */

typedef struct {
    const char *name;
    bool live;
} testInfo;

static char *
testParseFormat(const char *xml, bool live, const char *what)
{
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(GError) error = NULL;
    unsigned int parseFlags = live ? CONF_DOMAIN_PARSE_STATUS : 0;
    unsigned int formatFlags = live ? 0 : VIR_DOMAIN_XML_INACTIVE;

    if (!(def = confDomainDefParseString(xml, NULL, parseFlags, &error))) {
        VGM_TEST_FAIL("%s: %s", what, error->message);
        return NULL;
    }
    return confDomainDefFormat(def, formatFlags);
}

static void
testXML2XML(gconstpointer data)
{
    const testInfo *info = data;
    g_autofree char *in = g_strdup_printf("xml2xml/%s.xml", info->name);
    g_autofree char *out = g_strdup_printf("xml2xml/%s.%s.xml", info->name,
                                           info->live ? "live" : "out");
    g_autofree char *xml = vgmTestLoadData(in);
    g_autofree char *actual = NULL;
    g_autofree char *again = NULL;

    if (!xml || !(actual = testParseFormat(xml, info->live, in)))
        return;
    if (!vgmTestCompareToFile(actual, out))
        return;
    if (!(again = testParseFormat(actual, info->live, out)))
        return;
    if (strcmp(actual, again) != 0)
        VGM_TEST_FAIL("%s: parse -> format is not stable:\n%s", out, again);
}

/* A domain without <uuid> gets a fresh random one each time. */
static void
testUUIDGenerated(void)
{
    const char *xml =
        "<domain type='kvm'><name>g</name><memory>1024</memory>"
        "<os><type>hvm</type></os></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) a = confDomainDefParseString(xml, NULL, 0,
                                                          &error);
    g_autoptr(confDomainDef) b = confDomainDefParseString(xml, NULL, 0,
                                                          &error);
    static const unsigned char zero[16] = { 0 };

    g_assert_no_error(error);
    g_assert_nonnull(a);
    g_assert_nonnull(b);
    g_assert_true(memcmp(a->uuid, zero, 16) != 0);
    g_assert_true(memcmp(a->uuid, b->uuid, 16) != 0);
}

/* The options of confDomainParseOpts reach the output. */
static void
testParseOpts(void)
{
    const char *xml =
        "<domain type='kvm'><name>g</name>"
        "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
        "<memory>1024</memory><os><type>hvm</type></os></domain>";
    confDomainParseOpts opts = {
        .arch = "aarch64", .machine = "virt",
        .emulator = "/opt/qemu/bin/qemu-system-aarch64",
    };
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = confDomainDefParseString(xml, &opts, 0,
                                                            &error);
    g_autofree char *out = NULL;

    g_assert_no_error(error);
    out = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE);
    g_assert_nonnull(strstr(out, "<type arch='aarch64' machine='virt'>"));
    g_assert_nonnull(strstr(out, "/opt/qemu/bin/qemu-system-aarch64"));
    /* no default CPU outside x86 */
    g_assert_null(strstr(out, "<cpu"));
}

/* An interface without <mac> gets a random one with QEMU's prefix. */
static void
testMacGenerated(void)
{
    const char *xml =
        "<domain type='kvm'><name>g</name><memory>1024</memory>"
        "<os><type>hvm</type></os><devices>"
        "<interface type='user'/><interface type='user'/>"
        "</devices></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = confDomainDefParseString(xml, NULL, 0,
                                                            &error);
    g_autofree char *out = NULL;
    const char *mac;

    g_assert_no_error(error);
    g_assert_cmpuint(def->devices.nnets, ==, 2);
    out = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE);
    g_assert_nonnull((mac = strstr(out, "<mac address='")));
    g_assert_true(g_str_has_prefix(mac + strlen("<mac address='"),
                                   "52:54:00:"));
    g_assert_cmpint(def->devices.nets[0]->mac[0] & 1, ==, 0);
}

/* confDomainDefParseFile gives what the string parser gives. */
static void
testParseFile(void)
{
    g_autofree char *path = vgmTestDataPath("xml2xml/minimal.xml");
    g_autofree char *expected = vgmTestLoadData("xml2xml/minimal.out.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = confDomainDefParseFile(path, NULL, 0,
                                                          &error);
    g_autofree char *out = NULL;

    g_assert_no_error(error);
    out = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE);
    g_assert_cmpstr(out, ==, expected);
}

/* NO_POSTPARSE leaves the defaults out; validation is skipped too. */
static void
testNoPostParse(void)
{
    const char *xml =
        "<domain type='kvm'><name>g</name>"
        "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
        "<memory>1024</memory><currentMemory>2048</currentMemory>"
        "<os><type>hvm</type></os></domain>";
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = NULL;
    g_autofree char *out = NULL;

    def = confDomainDefParseString(xml, NULL, CONF_DOMAIN_PARSE_NO_POSTPARSE,
                                   &error);
    g_assert_no_error(error);
    out = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE);
    g_assert_cmpstr(out, ==,
                    "<domain type='kvm'>\n"
                    "  <name>g</name>\n"
                    "  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n"
                    "  <memory unit='KiB'>1024</memory>\n"
                    "  <currentMemory unit='KiB'>2048</currentMemory>\n"
                    "  <vcpu>1</vcpu>\n"
                    "  <os>\n"
                    "    <type>hvm</type>\n"
                    "  </os>\n"
                    "</domain>\n");
    g_assert_cmpint(confDomainDefValidate(def, &error), ==, -1);
    g_assert_error(error, CONF_ERROR, VIR_ERR_XML_DETAIL);
}

/* A live definition formatted with VIR_DOMAIN_XML_INACTIVE has no id. */
static void
testInactiveOfLive(void)
{
    g_autofree char *xml = vgmTestLoadData("xml2xml/live-minimal.xml");
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = confDomainDefParseString(xml, NULL,
                                                            CONF_DOMAIN_PARSE_STATUS,
                                                            &error);
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;

    g_assert_no_error(error);
    g_assert_cmpint(def->id, ==, 7);
    live = confDomainDefFormat(def, 0);
    inactive = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE);
    g_assert_true(g_str_has_prefix(live, "<domain type='kvm' id='7'>\n"));
    g_assert_true(g_str_has_prefix(inactive, "<domain type='kvm'>\n"));
}

#define DO_TEST_FULL(n, l) \
    do { \
        static const testInfo info = { n, l }; \
        g_test_add_data_func((l) ? "/xml2xml-live/" n : "/xml2xml/" n, \
                             &info, testXML2XML); \
    } while (0)
#define DO_TEST(n) DO_TEST_FULL(n, false)
#define DO_TEST_LIVE(n) DO_TEST_FULL(n, true)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    DO_TEST("minimal");
    DO_TEST("minimal-qemu");
    DO_TEST("metadata-root-ns");
    DO_TEST("title-description");
    DO_TEST("metadata");
    DO_TEST("units-bytes");
    DO_TEST("units-decimal");
    DO_TEST("units-binary");
    DO_TEST("units-short");
    DO_TEST("units-tera");
    DO_TEST("units-peta");
    DO_TEST("units-exa");
    DO_TEST("units-case");
    DO_TEST("vcpu-current");
    DO_TEST("iommufd");
    DO_TEST("os-loader-nvram");
    DO_TEST("os-loader-rom");
    DO_TEST("os-kernel");
    DO_TEST("os-boot-order");
    DO_TEST("os-efi");
    DO_TEST("features");
    DO_TEST("features-kvm-ioapic");
    DO_TEST("cpu-host-passthrough");
    DO_TEST("cpu-host-passthrough-check");
    DO_TEST("cpu-host-model");
    DO_TEST("cpu-maximum");
    DO_TEST("cpu-custom");
    DO_TEST("cpu-custom-defaults");
    DO_TEST("cpu-topology-only");
    DO_TEST("clock-localtime");
    DO_TEST("clock-utc-empty");
    DO_TEST("lifecycle");
    DO_TEST("lifecycle-crash");
    DO_TEST("memorybacking-hugepages");
    DO_TEST("memorybacking-hugepages-pages");
    DO_TEST("memorybacking-memfd");
    DO_TEST("memorybacking-anonymous");
    DO_TEST("memorybacking-guest-memfd");
    DO_TEST("memorybacking-empty");
    DO_TEST("sev-full");
    DO_TEST("sev-minimal");
    DO_TEST("sev-snp-full");
    DO_TEST("sev-snp-policy64");
    DO_TEST("tdx-full");
    DO_TEST("tdx-minimal");
    DO_TEST("tdx-qgs-nopath");
    DO_TEST("tdx-convert-in-place");
    DO_TEST("sev-snp-convert-in-place-no");
    DO_TEST("devices-emulator");
    DO_TEST("name-unicode");
    DO_TEST("full");
    DO_TEST("devices-disk-virtio");
    DO_TEST("devices-disk-sata");
    DO_TEST("devices-disk-scsi");
    DO_TEST("devices-disk-ide");
    DO_TEST("devices-disk-usb");
    DO_TEST("devices-net-network");
    DO_TEST("devices-net-bridge");
    DO_TEST("devices-net-user");
    DO_TEST("devices-serial-pty");
    DO_TEST("devices-console-only");
    DO_TEST("devices-serial-console");
    DO_TEST("devices-console-virtio");
    DO_TEST("devices-controllers-q35");
    DO_TEST("devices-controllers-pc");
    DO_TEST("devices-hostdev-legacy");
    DO_TEST("devices-hostdev-iommufd");
    DO_TEST("devices-input");
    DO_TEST("devices-video-none");
    DO_TEST("devices-video-vga");
    DO_TEST("devices-rng");
    DO_TEST("devices-watchdog-pc");
    DO_TEST("devices-watchdog-q35");
    DO_TEST("devices-balloon");
    DO_TEST("devices-q35-virt-install");
    DO_TEST("devices-pc-addresses");
    DO_TEST("devices-user-aliases");
    DO_TEST("devices-sev-snp-hostdev");
    DO_TEST("devices-tdx-hostdev");
    DO_TEST("devices-pci-index-gap");

    DO_TEST_LIVE("live-minimal");
    DO_TEST_LIVE("live-sev-snp");
    DO_TEST_LIVE("devices-live");

    g_test_add_func("/xml2xml/uuid-generated", testUUIDGenerated);
    g_test_add_func("/xml2xml/parse-opts", testParseOpts);
    g_test_add_func("/xml2xml/mac-generated", testMacGenerated);
    g_test_add_func("/xml2xml/parse-file", testParseFile);
    g_test_add_func("/xml2xml/no-postparse", testNoPostParse);
    g_test_add_func("/xml2xml/inactive-of-live", testInactiveOfLive);
    vgmTestAddUnusedCheck("xml2xml");
    return g_test_run();
}

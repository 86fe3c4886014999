/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/domain.h"
#include "conf/xml.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * tests/data/xml-invalid/NAME.xml must be refused with the error code
 * given in the table and the message in NAME.err.  The _STRING cases
 * build their document in code (too big or too deep to commit).
 */

typedef char *(*testGenerator)(void);

typedef struct {
    const char *name;
    int code;
    testGenerator gen;
} testInfo;

static void
testInvalid(gconstpointer data)
{
    const testInfo *info = data;
    g_autofree char *in = g_strdup_printf("xml-invalid/%s.xml", info->name);
    g_autofree char *err = g_strdup_printf("xml-invalid/%s.err", info->name);
    g_autofree char *xml = info->gen ? info->gen() : vgmTestLoadData(in);
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *msg = NULL;

    if (!xml)
        return;
    if ((def = confDomainDefParseString(xml, NULL, 0, &error))) {
        VGM_TEST_FAIL("%s: parsed without error", info->name);
        return;
    }
    if (!error || error->domain != CONF_ERROR) {
        VGM_TEST_FAIL("%s: no CONF_ERROR set", info->name);
        return;
    }
    msg = g_strdup_printf("%s\n", error->message);
    if (!vgmTestCompareToFile(msg, err))
        return;
    if (error->code != info->code)
        VGM_TEST_FAIL("%s: error code %d, expected %d", info->name,
                      error->code, info->code);
}

static const char testMinimalHead[] =
    "<domain type='kvm'>\n"
    "  <name>big</name>\n"
    "  <memory>1048576</memory>\n"
    "  <os><type>hvm</type></os>\n";

/* A well-formed document one byte over the limit. */
static char *
testGenTooBig(void)
{
    GString *buf = g_string_new(testMinimalHead);
    const char *tail = "</description>\n</domain>\n";

    g_string_append(buf, "  <description>");
    while (buf->len + strlen(tail) < CONF_XML_MAX_BYTES + 1)
        g_string_append_c(buf, 'x');
    g_string_append(buf, tail);
    return g_string_free(buf, FALSE);
}

/* 100000 nested elements inside <metadata>. */
static char *
testGenDeep(void)
{
    GString *buf = g_string_new(testMinimalHead);
    int i;

    g_string_append(buf, "  <metadata>");
    for (i = 0; i < 100000; i++)
        g_string_append(buf, "<a>");
    for (i = 0; i < 100000; i++)
        g_string_append(buf, "</a>");
    g_string_append(buf, "</metadata>\n</domain>\n");
    return g_string_free(buf, FALSE);
}

/* Bytes that are not UTF-8 in the name. */
static char *
testGenNonUTF8(void)
{
    return g_strdup("<domain type='kvm'>\n"
                    "  <name>g\xff\xfe</name>\n"
                    "  <memory>1048576</memory>\n"
                    "  <os><type>hvm</type></os>\n"
                    "</domain>\n");
}

static char *
testGenEmpty(void)
{
    return g_strdup("");
}

#define DO_TEST_FULL(n, c, g) \
    do { \
        static const testInfo info = { n, c, g }; \
        g_test_add_data_func("/xml-invalid/" n, &info, testInvalid); \
    } while (0)
#define DO_TEST_INVALID(n, c) DO_TEST_FULL(n, c, NULL)
#define DO_TEST_INVALID_STRING(n, c, g) DO_TEST_FULL(n, c, g)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    DO_TEST_INVALID_STRING("empty-string", VIR_ERR_XML_ERROR, testGenEmpty);
    DO_TEST_INVALID_STRING("too-big", VIR_ERR_XML_ERROR, testGenTooBig);
    DO_TEST_INVALID_STRING("deep-nesting", VIR_ERR_XML_ERROR, testGenDeep);
    DO_TEST_INVALID_STRING("non-utf8", VIR_ERR_XML_ERROR, testGenNonUTF8);

    DO_TEST_INVALID("malformed", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("mismatched-tags", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("wrong-root", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("whitespace-only", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("trailing-junk", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("billion-laughs", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("external-entity", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("external-dtd", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("undefined-entity", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("domain-type-missing", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("domain-type-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("domain-id-junk", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("domain-unknown-attribute", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("unknown-element", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("unknown-element-os", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("unknown-attribute-memory", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("duplicate-name", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("name-missing", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("name-empty", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("name-slash", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("name-control-char", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("name-too-long", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("uuid-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("uuid-trailing-junk", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("title-newline", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memory-missing", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memory-zero", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memory-negative", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memory-junk", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memory-bad-unit", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memory-bad-unit-suffix", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memory-overflow-unit", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memory-overflow-digits", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memory-overflow-kib", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("current-memory-larger", VIR_ERR_XML_DETAIL);
    DO_TEST_INVALID("max-memory-smaller", VIR_ERR_XML_DETAIL);
    DO_TEST_INVALID("max-memory-no-slots", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("vcpu-zero", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("vcpu-junk", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("vcpu-overflow", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("vcpu-current-larger", VIR_ERR_XML_DETAIL);
    DO_TEST_INVALID("vcpu-placement-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("iommufd-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("os-missing", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("os-type-xen", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("os-loader-type-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("os-initrd-no-kernel", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("os-stateless-nvram", VIR_ERR_XML_DETAIL);
    DO_TEST_INVALID("features-vmport-no-state", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("cpu-mode-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("cpu-feature-policy-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("cpu-topology-mismatch", VIR_ERR_XML_DETAIL);
    DO_TEST_INVALID("cpu-topology-zero", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("clock-offset-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("timer-tickpolicy-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("lifecycle-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memorybacking-source-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("memorybacking-access-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("hugepages-size-overflow", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("guest-memfd-hugepages", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("guest-memfd-private", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("guest-memfd-discard", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("hugepages-anonymous", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("hugepages-ondemand", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("tdx-non-q35", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("tdx-default-machine", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("tdx-smm", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("sev-snp-smm", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("tdx-ioapic-kvm", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("convert-in-place-no-guest-memfd", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("convert-in-place-sev", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("convert-in-place-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("kernel-hashes-no-kernel", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("launchsec-type-missing", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("launchsec-type-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("sev-policy-missing", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("sev-policy-not-hex", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("sev-policy-too-big", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("sev-snp-policy-overflow", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("sev-cbitpos-junk", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("sev-snp-unknown-child", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("tdx-unknown-attribute", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("tdx-qgs-empty-path", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-pci-address-duplicate", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-hostdev-source-duplicate", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-disk-target-duplicate", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-alias-duplicate", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-hostdev-mode-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-hostdev-type-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-hostdev-iommufd-kvm", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("devices-hostdev-driver-xen", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("devices-unknown-element", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-unknown-device", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-unknown-attribute", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-console-second-serial", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("devices-serial-port-duplicate", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-mac-multicast", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-mac-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-pci-slot-range", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-pci-function-range", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-disk-bus-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-disk-no-source", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-controller-duplicate", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-ide-q35", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("devices-user-alias-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-boot-duplicate", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-itco-pc", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("devices-watchdog-action-bad", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-memballoon-twice", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-usb-none", VIR_ERR_CONFIG_UNSUPPORTED);
    DO_TEST_INVALID("devices-address-type-mismatch", VIR_ERR_XML_ERROR);
    DO_TEST_INVALID("devices-pci-root-on-q35", VIR_ERR_CONFIG_UNSUPPORTED);

    vgmTestAddUnusedCheck("xml-invalid");
    return g_test_run();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/command.h"
#include "driver/qemucapspriv.h"
#include "tests/testutils.h"
#include "tests/xml2argvtestutils.h"
#include "util/error.h"

/*
 * tests/data/xml2argv/NAME.xml is built into a QEMU command line for a
 * recorded capability set (and a made-up host, "full" unless the file
 * name says otherwise); the result must equal NAME.CAPS.args (the
 * environment and argv, one option a line, then "# file:" lines for what
 * is written before QEMU starts and "# warning:" lines), or
 * the refusal NAME.CAPS.err.  Every -object/-device/-blockdev/-netdev is
 * checked against that QEMU's recorded query-qmp-schema.
 */

typedef enum {
    TEST_ALLOW_ERR = 1 << 0,      /* either outcome; the golden decides */
    TEST_EXPECT_ERR = 1 << 1,     /* must be refused */
    TEST_NO_FD_PASSING = 1 << 2,  /* QEMU opens /dev/iommu and VFIO itself */
} testFlags;

typedef struct {
    const char *name;
    const char *caps;
    const char *host;
    unsigned int flags;
} testInfo;

static const char *const testPropsCommands[] = {
    [DRV_COMMAND_PROPS_OBJECT] = "object-add",
    [DRV_COMMAND_PROPS_DEVICE] = "device_add",
    [DRV_COMMAND_PROPS_BLOCKDEV] = "blockdev-add",
    [DRV_COMMAND_PROPS_NETDEV] = "netdev_add",
};

/*
 * device_add's schema declares only driver, id and bus; a device type
 * whose QOM properties the probe recorded (vfio-pci) is checked against
 * them too.
 */
static bool
testValidateDeviceProps(const drvQemuCaps *caps, const qapiJSON *props,
                        GError **error)
{
    const char *driver = qapiJSONObjectGetString(props, "driver");
    size_t i;

    if (!g_hash_table_contains(caps->props, driver))
        return true;
    for (i = 0; i < qapiJSONObjectSize(props); i++) {
        const char *key = qapiJSONObjectKeyAt(props, i);

        if (strcmp(key, "driver") == 0 || strcmp(key, "id") == 0 ||
            strcmp(key, "bus") == 0 ||
            drvQemuCapsHasProperty(caps, driver, key))
            continue;
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "'%s' has no property '%s'", driver, key);
        return false;
    }
    return true;
}

static bool
testValidateProps(const drvCommand *cmd, const drvQemuCaps *caps,
                  const qapiSchema *schema, const char *what)
{
    const drvCommandPropsKind *kinds;
    size_t n;
    const qapiJSON *const *props = drvCommandGetProps(cmd, &kinds, &n);
    size_t i;

    for (i = 0; i < n; i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *json = NULL;

        if (qapiSchemaValidateArgs(schema, testPropsCommands[kinds[i]],
                                   props[i], &error) == 0 &&
            (kinds[i] != DRV_COMMAND_PROPS_DEVICE ||
             testValidateDeviceProps(caps, props[i], &error)))
            continue;
        json = qapiJSONFormat(props[i], false);
        VGM_TEST_FAIL("%s: %s %s: %s", what, testPropsCommands[kinds[i]],
                      json, error->message);
        return false;
    }
    return true;
}

static char *
testFormat(const drvCommand *cmd)
{
    g_autofree char *text = drvCommandToString(cmd, DRV_COMMAND_STRING_LINES);
    const char *const *warnings = drvCommandGetWarnings(cmd);
    const char *const *files = drvCommandGetFiles(cmd);
    GString *buf = g_string_new(text);

    for (; *files; files += 2)
        g_string_append_printf(buf, "# file: %s: %s\n", files[0], files[1]);
    for (; *warnings; warnings++)
        g_string_append_printf(buf, "# warning: %s\n", *warnings);
    return g_string_free(buf, FALSE);
}

static void
testXML2Argv(gconstpointer data)
{
    const testInfo *info = data;
    bool fullHost = strcmp(info->host, "full") == 0;
    g_autofree char *base = g_strdup_printf("xml2argv/%s.%s%s%s", info->name,
                                            info->caps, fullHost ? "" : ".",
                                            fullHost ? "" : info->host);
    g_autofree char *argsFile = g_strdup_printf("%s.args", base);
    g_autofree char *errFile = g_strdup_printf("%s.err", base);
    g_autoptr(GError) error = NULL;
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(drvHostCaps) host = testXML2ArgvNewHost(info->host);
    g_autoptr(drvCommand) cmd = NULL;
    g_autofree char *actual = NULL;
    testXML2ArgvConfig cfg;
    unsigned int flags = DRV_COMMAND_IOMMUFD_PASS_FDS;
    const drvQemuCaps *caps = testXML2ArgvGetCaps(info->caps, &error);
    const qapiSchema *schema = testXML2ArgvGetSchema(info->caps, &error);

    if (!caps || !schema) {
        VGM_TEST_FAIL("%s: %s", info->caps, error->message);
        return;
    }
    if (!(def = testXML2ArgvParse(info->name, caps, &error))) {
        VGM_TEST_FAIL("%s: parse: %s", info->name, error->message);
        return;
    }
    if (info->flags & TEST_NO_FD_PASSING)
        flags = 0;
    testXML2ArgvConfigInit(&cfg, def, flags);
    cmd = drvBuildCommandLine(def, caps, host, &cfg.config, &error);
    testXML2ArgvConfigClear(&cfg);
    if (!cmd) {
        if (!(info->flags & (TEST_ALLOW_ERR | TEST_EXPECT_ERR)))
            VGM_TEST_FAIL("%s: unexpected error: %s", base, error->message);
        else if (!g_error_matches(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED))
            VGM_TEST_FAIL("%s: not a refusal: %s", base, error->message);
        actual = g_strdup_printf("%s\n", error->message);
        vgmTestCompareToFile(actual, errFile);
        return;
    }
    if (info->flags & TEST_EXPECT_ERR) {
        VGM_TEST_FAIL("%s: built, but a refusal was expected", base);
        return;
    }
    if (!testValidateProps(cmd, caps, schema, base))
        return;
    actual = testFormat(cmd);
    vgmTestCompareToFile(actual, argsFile);
}

/* domxml-to-native gives the same line, unbroken, with no host checks. */
static void
testXMLToNative(void)
{
    g_autoptr(GError) error = NULL;
    const drvQemuCaps *caps = testXML2ArgvGetCaps("qemu-11.1.3", &error);
    g_autofree char *xml = vgmTestLoadData("xml2argv/minimal-q35.xml");
    g_autofree char *out = NULL;
    g_autofree char *bad = NULL;

    g_assert_nonnull(caps);
    out = drvDomainXMLToNativeCaps(xml, "qemu-argv", caps, NULL, &error);
    g_assert_no_error(error);
    g_assert_null(strchr(out, '\n'));
    g_assert_true(g_str_has_prefix(out, "LC_ALL=C PATH="));
    g_assert_nonnull(strstr(out, " -machine pc-q35-11.1,usb=off,"));
    g_assert_nonnull(strstr(out, " -object '{\"qom-type\":\"memory-backend-ram\""));
    bad = drvDomainXMLToNativeCaps(xml, "xen-xm", caps, NULL, &error);
    g_assert_null(bad);
    g_assert_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED);
}

/* QEMU gets LC_ALL, PATH, HOME and XDG_* only: nothing of ours leaks. */
static void
testEnvironment(void)
{
    const char *const expected[] = {
        "LC_ALL=C",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
        "HOME=/var/lib/virtgmem/qemu/domain--1-guest",
        "XDG_DATA_HOME=/var/lib/virtgmem/qemu/domain--1-guest/.local/share",
        "XDG_CACHE_HOME=/var/lib/virtgmem/qemu/domain--1-guest/.cache",
        "XDG_CONFIG_HOME=/var/lib/virtgmem/qemu/domain--1-guest/.config",
        NULL,
    };
    g_autoptr(GError) error = NULL;
    const drvQemuCaps *caps = testXML2ArgvGetCaps("qemu-11.1.3", &error);
    g_autoptr(confDomainDef) def = testXML2ArgvParse("minimal-q35", caps,
                                                     &error);
    g_autoptr(drvCommand) cmd = NULL;
    testXML2ArgvConfig cfg;

    g_assert_nonnull(def);
    g_setenv("LD_PRELOAD", "/tmp/evil.so", TRUE);
    g_setenv("VGM_SECRET", "x", TRUE);
    testXML2ArgvConfigInit(&cfg, def, 0);
    cmd = drvBuildCommandLine(def, caps, NULL, &cfg.config, &error);
    testXML2ArgvConfigClear(&cfg);
    g_unsetenv("LD_PRELOAD");
    g_unsetenv("VGM_SECRET");
    g_assert_no_error(error);
    g_assert_cmpstrv(drvCommandGetEnv(cmd), expected);
}

static void
testShellQuote(void)
{
    const char *cases[][2] = {
        { "-S", "-S" },
        { "guest=a,,b,debug-threads=on", "guest=a,,b,debug-threads=on" },
        { "a b", "'a b'" },
        { "it's", "'it'\\''s'" },
        { "{\"a\":1}", "'{\"a\":1}'" },
        { "", "''" },
        { "line\nbreak", "'line\nbreak'" },
        { "gr\xc3\xbc\xc3\x9f", "'gr\xc3\xbc\xc3\x9f'" },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *q = drvCommandShellQuote(cases[i][0]);

        g_assert_cmpstr(q, ==, cases[i][1]);
    }
}

#define DO_TEST_FULL(n, c, h, f) \
    do { \
        static const testInfo info = { n, c, h, f }; \
        g_test_add_data_func("/xml2argv/" n "/" c, &info, testXML2Argv); \
    } while (0)
/* must build for @c */
#define DO_TEST_CAPS(n, c) DO_TEST_FULL(n, c, "full", 0)
/* must be refused by @c */
#define DO_TEST_CAPS_FAILURE(n, c) DO_TEST_FULL(n, c, "full", TEST_EXPECT_ERR)
/* on host @h: the golden is NAME.CAPS.HOST.args or .err */
#define DO_TEST_CAPS_HOST(n, c, h, f) \
    do { \
        static const testInfo info = { n, c, h, f }; \
        g_test_add_data_func("/xml2argv/" n "/" c "/" h, &info, \
                             testXML2Argv); \
    } while (0)
/* every recorded capability set; each golden says built or refused */
#define DO_TEST_ALL(n) \
    do { \
        DO_TEST_FULL(n, "qemu-7.2.22", "full", TEST_ALLOW_ERR); \
        DO_TEST_FULL(n, "qemu-10.0.13", "full", TEST_ALLOW_ERR); \
        DO_TEST_FULL(n, "qemu-11.1.3", "full", TEST_ALLOW_ERR); \
        DO_TEST_FULL(n, "qemu-11.1.3+gmem-rfc", "full", TEST_ALLOW_ERR); \
        DO_TEST_FULL(n, "qemu-11.1.3+memfd-gmem", "full", TEST_ALLOW_ERR); \
    } while (0)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    DO_TEST_ALL("minimal-q35");
    DO_TEST_ALL("minimal-pc");
    DO_TEST_ALL("memory-file");
    DO_TEST_ALL("memory-memfd");
    DO_TEST_ALL("memory-hugepages");
    DO_TEST_ALL("memory-hugepages-memfd");
    DO_TEST_CAPS_FAILURE("memory-hugepages-unknown-size", "qemu-11.1.3");
    DO_TEST_ALL("memory-locked-nosharepages");
    DO_TEST_ALL("gmem-basic");
    DO_TEST_CAPS("gmem-prealloc", "qemu-11.1.3+gmem-rfc");
    DO_TEST_CAPS("gmem-prealloc", "qemu-11.1.3+memfd-gmem");
    DO_TEST_CAPS_FAILURE("gmem-tcg", "qemu-11.1.3+gmem-rfc");
    DO_TEST_CAPS_HOST("gmem-basic", "qemu-11.1.3+gmem-rfc", "no-kvm",
                      TEST_EXPECT_ERR);
    DO_TEST_ALL("sev");
    DO_TEST_ALL("sev-snp-full");
    DO_TEST_CAPS_FAILURE("sev-snp-minimal", "qemu-11.1.3");
    DO_TEST_ALL("sev-snp-gmem-convert");
    DO_TEST_ALL("sev-snp-gmem-split");
    DO_TEST_ALL("sev-snp-convert-no");
    DO_TEST_CAPS_HOST("sev-snp-full", "qemu-11.1.3", "plain", TEST_EXPECT_ERR);
    DO_TEST_ALL("tdx-full");
    DO_TEST_CAPS("tdx-qgs-default", "qemu-11.1.3");
    DO_TEST_CAPS_FAILURE("tdx-named-cpu", "qemu-11.1.3");
    DO_TEST_CAPS_FAILURE("tdx-gmem-convert", "qemu-11.1.3+gmem-rfc");
    DO_TEST_ALL("sev-snp-hostdev-iommufd");
    DO_TEST_ALL("tdx-hostdev-legacy");
    DO_TEST_CAPS("tdx-hostdev-iommufd", "qemu-11.1.3");
    DO_TEST_ALL("hostdev-legacy");
    DO_TEST_ALL("hostdev-iommufd");
    DO_TEST_CAPS_HOST("hostdev-iommufd-nofd", "qemu-11.1.3", "full",
                      TEST_NO_FD_PASSING);
    DO_TEST_CAPS_HOST("hostdev-legacy", "qemu-11.1.3", "plain",
                      TEST_EXPECT_ERR);
    DO_TEST_ALL("disks");
    DO_TEST_ALL("disks-pc-ide");
    DO_TEST_ALL("net");
    DO_TEST_ALL("net-user");
    DO_TEST_ALL("serial");
    DO_TEST_ALL("cpu-topology");
    DO_TEST_ALL("cpu-host-passthrough");
    DO_TEST_ALL("cpu-maximum");
    DO_TEST_CAPS_FAILURE("cpu-unknown-model", "qemu-11.1.3");
    DO_TEST_CAPS_FAILURE("cpu-passthrough-tcg", "qemu-11.1.3");
    DO_TEST_ALL("name-escaping");
    DO_TEST_ALL("clock-timers");
    DO_TEST_CAPS_FAILURE("clock-hypervclock", "qemu-11.1.3");
    DO_TEST_ALL("features-kernel-boot");
    DO_TEST_ALL("firmware-pflash");
    DO_TEST_CAPS_FAILURE("firmware-efi-auto", "qemu-11.1.3");
    DO_TEST_ALL("devices-misc");
    DO_TEST_ALL("devices-pc");
    DO_TEST_CAPS_HOST("minimal-q35", "qemu-11.1.3", "no-kvm", TEST_EXPECT_ERR);

    g_test_add_func("/xml2argv/xml-to-native", testXMLToNative);
    g_test_add_func("/xml2argv/shell-quote", testShellQuote);
    g_test_add_func("/xml2argv/environment", testEnvironment);
    vgmTestAddUnusedCheck("xml2argv");
    return g_test_run();
}

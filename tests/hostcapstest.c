/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "tests/hostcapstestutils.h"
#include "tests/qemucapstestutils.h"
#include "tests/testutils.h"
#include "tools/validate.h"

/*
 * The host probe and virt-gmem-validate on the faked hosts of
 * tests/hostcapstestutils.c.  Golden files: tests/data/hostcaps/NAME.caps,
 * NAME.validate.txt and NAME.validate.json; with a recorded QEMU
 * (--qemu) HOST.qemu-QEMU.validate.txt (and .json).
 */

typedef struct {
    const char *host;
    int exitStatus;        /* what virt-gmem-validate returns */
} testCase;

static void
testFingerprint(const testHost *host, const drvHostCaps *caps)
{
    g_autofree char *fromCaps = drvHostCapsFingerprint(caps);
    g_autofree char *current = NULL;
    g_autoptr(GError) error = NULL;

    current = testHostFingerprint(host, &error);
    if (!current) {
        VGM_TEST_FAIL("fingerprint failed: %s", error->message);
        return;
    }
    if (strcmp(fromCaps, current) != 0 || !strstr(current, host->release))
        VGM_TEST_FAIL("fingerprints differ: '%s' and '%s'", fromCaps, current);
}

static void
testReport(const drvHostCaps *caps, const testCase *tc,
           toolValidateFormat format, const char *suffix)
{
    toolValidateCtx ctx = { .host = caps };
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *rel = g_strdup_printf("hostcaps/%s.%s", tc->host,
                                           suffix);
    int ret = toolValidateReport(&ctx, format, out);

    if (ret != tc->exitStatus)
        VGM_TEST_FAIL("exit status %d, expected %d", ret, tc->exitStatus);
    vgmTestCompareToFile(out->str, rel);
}

static void
testHostCase(gconstpointer data)
{
    const testCase *tc = data;
    const testHost *host = testHostFind(tc->host);
    g_autoptr(drvHostCaps) caps = testHostProbe(host);
    g_autofree char *text = NULL;
    g_autofree char *rel = NULL;

    if (!caps)
        return;
    text = drvHostCapsFormat(caps);
    rel = g_strdup_printf("hostcaps/%s.caps", host->name);
    vgmTestCompareToFile(text, rel);
    testFingerprint(host, caps);
    /* what the capability probe asks: does /dev/kvm open read-write? */
    if (testHostKVMUsable(host) != (caps->kvmOpen.state == DRV_HOST_STEP_OK))
        VGM_TEST_FAIL("drvHostKVMUsable disagrees with the probe");
    testReport(caps, tc, TOOL_VALIDATE_FORMAT_TEXT, "validate.txt");
    testReport(caps, tc, TOOL_VALIDATE_FORMAT_JSON, "validate.json");
}

static const testCase testCases[] = {
    { "this-host", TOOL_VALIDATE_EXIT_WARN },
    { "snp", TOOL_VALIDATE_EXIT_WARN },
    { "tdx", TOOL_VALIDATE_EXIT_WARN },
    { "no-kvm", TOOL_VALIDATE_EXIT_FAIL },
    { "old-kernel", TOOL_VALIDATE_EXIT_FAIL },
    { "future-uffd", TOOL_VALIDATE_EXIT_WARN },
    { "gmem-mmap-only", TOOL_VALIDATE_EXIT_WARN },
    { "gmem-mmap-broken", TOOL_VALIDATE_EXIT_FAIL },
    { "kvm-no-access", TOOL_VALIDATE_EXIT_FAIL },
};

/* virt-gmem-validate --qemu: a faked host and a recorded QEMU. */
typedef struct {
    const char *host;
    const char *qemu;           /* as in the golden file names */
    const char *ver;
    testQemuCapsOverlay overlay;
    bool json;                  /* also compare the JSON output */
    const char *expect;         /* "check-id=RESULT,..." */
} testQemuCase;

/* Each "id=RESULT" of @expect is what the JSON line of check id says. */
static void
testQemuExpect(const char *json, const char *expect)
{
    g_auto(GStrv) pairs = g_strsplit(expect, ",", -1);
    size_t i;

    for (i = 0; pairs[i]; i++) {
        g_auto(GStrv) kv = g_strsplit(pairs[i], "=", 2);
        g_autofree char *check = g_strdup_printf("{\"check\": \"%s\",", kv[0]);
        g_autofree char *result = g_strdup_printf("\"result\": \"%s\"", kv[1]);
        const char *line = strstr(json, check);
        const char *end = line ? strchr(line, '\n') : NULL;
        g_autofree char *text = line ? g_strndup(line, end - line) : NULL;

        if (!text || !strstr(text, result))
            VGM_TEST_FAIL("check '%s' is not %s: %s", kv[0], kv[1],
                          text ? text : "missing");
    }
}

static void
testQemuReport(const drvHostCaps *host, const drvQemuCaps *qemu,
               const testQemuCase *tc, toolValidateFormat format)
{
    toolValidateCtx ctx = { .host = host, .qemu = qemu };
    g_autoptr(GString) out = g_string_new(NULL);
    const char *suffix = format == TOOL_VALIDATE_FORMAT_JSON ? "json" : "txt";
    g_autofree char *rel = g_strdup_printf("hostcaps/%s.qemu-%s.validate.%s",
                                           tc->host, tc->qemu, suffix);
    int ret = toolValidateReport(&ctx, format, out);

    if (ret != TOOL_VALIDATE_EXIT_WARN)
        VGM_TEST_FAIL("exit status %d, expected %d", ret,
                      TOOL_VALIDATE_EXIT_WARN);
    if (format == TOOL_VALIDATE_FORMAT_JSON)
        testQemuExpect(out->str, tc->expect);
    if (format == TOOL_VALIDATE_FORMAT_TEXT || tc->json)
        vgmTestCompareToFile(out->str, rel);
}

static void
testQemuRun(gconstpointer data)
{
    const testQemuCase *tc = data;
    g_autoptr(drvHostCaps) host = testHostProbe(testHostFind(tc->host));
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) qemu = testQemuCapsReplay(tc->ver, tc->overlay,
                                                     &error);

    if (!host)
        return;
    if (!qemu) {
        VGM_TEST_FAIL("%s", error->message);
        return;
    }
    testQemuReport(host, qemu, tc, TOOL_VALIDATE_FORMAT_TEXT);
    testQemuReport(host, qemu, tc, TOOL_VALIDATE_FORMAT_JSON);
}

#define TEST_QEMU_NONE TEST_QEMU_CAPS_OVERLAY_NONE
#define TEST_QEMU_RFC TEST_QEMU_CAPS_OVERLAY_GMEM_RFC
#define TEST_QEMU_MEMFD TEST_QEMU_CAPS_OVERLAY_MEMFD_GMEM

/* The QEMU checks' results, in table order, for each recorded QEMU. */
#define TEST_EXPECT_QEMU(gmem, cip, snp, tdx, iommufd, rba, trace, postcopy) \
    "qemu-guest-memfd=" gmem ",qemu-convert-in-place=" cip \
    ",qemu-sev-snp=" snp ",qemu-tdx=" tdx ",qemu-iommufd=" iommufd \
    ",qemu-ram-block-attributes=" rba ",qemu-conversion-trace=" trace \
    ",qemu-postcopy=" postcopy

static const testQemuCase testQemuCases[] = {
    { "this-host", "7.2.22", "7.2.22", TEST_QEMU_NONE, true,
      TEST_EXPECT_QEMU("WARN", "WARN", "WARN", "WARN", "WARN", "WARN", "WARN",
                       "PASS") },
    { "this-host", "10.0.13", "10.0.13", TEST_QEMU_NONE, false,
      TEST_EXPECT_QEMU("WARN", "WARN", "PASS", "WARN", "PASS", "WARN", "WARN",
                       "PASS") },
    { "this-host", "11.1.3", "11.1.3", TEST_QEMU_NONE, false,
      TEST_EXPECT_QEMU("WARN", "WARN", "PASS", "PASS", "PASS", "PASS", "PASS",
                       "PASS") },
    { "this-host", "11.1.3+gmem-rfc", "11.1.3", TEST_QEMU_RFC, true,
      TEST_EXPECT_QEMU("PASS", "PASS", "PASS", "PASS", "PASS", "PASS", "PASS",
                       "PASS") },
    { "snp", "11.1.3+memfd-gmem", "11.1.3", TEST_QEMU_MEMFD, false,
      TEST_EXPECT_QEMU("PASS", "WARN", "PASS", "PASS", "PASS", "PASS", "PASS",
                       "PASS") },
};

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    g_assert_cmpuint(G_N_ELEMENTS(testCases), ==, testNHosts);
    for (i = 0; i < G_N_ELEMENTS(testCases); i++) {
        g_autofree char *name = g_strdup_printf("/hostcaps/%s",
                                                testCases[i].host);

        g_test_add_data_func(name, &testCases[i], testHostCase);
    }
    for (i = 0; i < G_N_ELEMENTS(testQemuCases); i++) {
        g_autofree char *name = g_strdup_printf("/hostcaps/%s/qemu-%s",
                                                testQemuCases[i].host,
                                                testQemuCases[i].qemu);

        g_test_add_data_func(name, &testQemuCases[i], testQemuRun);
    }
    vgmTestAddUnusedCheck("hostcaps");
    return g_test_run();
}

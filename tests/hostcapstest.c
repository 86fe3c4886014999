/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "tests/hostcapstestutils.h"
#include "tests/testutils.h"
#include "tools/validate.h"

/*
 * The host probe and virt-gmem-validate on the faked hosts of
 * tests/hostcapstestutils.c.  Golden files: tests/data/hostcaps/NAME.caps,
 * NAME.validate.txt and NAME.validate.json.
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
    { "gmem-mmap-broken", TOOL_VALIDATE_EXIT_FAIL },
    { "kvm-no-access", TOOL_VALIDATE_EXIT_FAIL },
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
    vgmTestAddUnusedCheck("hostcaps");
    return g_test_run();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>
#include <unistd.h>

#define VGM_QEMUCAPSPRIV_H_ALLOW
#include "driver/qemucaps.h"
#include "driver/qemucapspriv.h"
#include "tests/testutils.h"

/*
 * The capability probe against the installed QEMU (Debian 12: 7.2):
 * KVM when /dev/kvm is usable, TCG otherwise, never skipped.
 * $VGM_TEST_QEMU overrides the binary.
 */

static char *cacheDir;

static const char *
testBinary(void)
{
    const char *env = g_getenv("VGM_TEST_QEMU");

    return env ? env : "/usr/bin/qemu-system-x86_64";
}

typedef struct {
    drvQemuCapsFlag flag;
    bool want;
} flagCheck;

static const flagCheck keyFlags[] = {
    { DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD, true },
    { DRV_QEMU_CAPS_SEV_GUEST, true },
    { DRV_QEMU_CAPS_SEV_SNP_GUEST, false },
    { DRV_QEMU_CAPS_MEMORY_BACKEND_GUEST_MEMFD, false },
    { DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_GUEST_MEMFD, false },
    { DRV_QEMU_CAPS_MIGRATE_POSTCOPY_RAM, true },
    { DRV_QEMU_CAPS_MACHINE_MEMORY_BACKEND, true },
    { DRV_QEMU_CAPS_TRACE_EVENT_SET_STATE, true },
};

/* The "flags:" section of a summary. */
static char *
testFlagsOf(const char *summary)
{
    const char *start = strstr(summary, "flags:\n");
    const char *end = start ? strstr(start, "qom-types:") : NULL;

    return start && end ? g_strndup(start, end - start) : g_strdup("");
}

static void
testProbeLive(void)
{
    drvQemuCapsConfig config = { .cacheDir = cacheDir, .timeoutMs = 60000 };
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = NULL;
    g_autofree char *summary = NULL;
    bool hit = true;
    size_t i;

    caps = drvQemuCapsLookup(testBinary(), &config, &hit, &error);
    if (!caps) {
        VGM_TEST_FAIL("probe of %s failed: %s", testBinary(), error->message);
        return;
    }
    g_assert_false(hit);
    summary = drvQemuCapsFormatSummary(caps);
    g_test_message("%s (accel %s)\n%s", testBinary(),
                   drvQemuCapsKVMUsable(&config) ? "kvm" : "tcg", summary);
    /* with a usable /dev/kvm QEMU may still fall back to TCG */
    if (!drvQemuCapsKVMUsable(&config))
        g_assert_false(drvQemuCapsGetKVM(caps));
    else if (!drvQemuCapsGetKVM(caps))
        g_test_message("/dev/kvm is usable but QEMU fell back to TCG");
    for (i = 0; i < G_N_ELEMENTS(keyFlags); i++) {
        if (drvQemuCapsHas(caps, keyFlags[i].flag) != keyFlags[i].want)
            VGM_TEST_FAIL("flag %s should be %s",
                          drvQemuCapsFlagToString(keyFlags[i].flag),
                          keyFlags[i].want ? "set" : "unset");
    }
    g_assert_true(g_str_has_prefix(drvQemuCapsGetDefaultMachine(caps),
                                   "pc-q35-"));
}

/* Debian's 7.2.22 probed live decides like its recorded replies. */
static void
testMatchesRecording(void)
{
    drvQemuCapsConfig config = { .cacheDir = cacheDir, .timeoutMs = 60000 };
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = drvQemuCapsLookup(testBinary(), &config,
                                                    NULL, &error);
    g_autofree char *golden = NULL;
    g_autofree char *live = NULL;
    g_autofree char *recorded = NULL;

    g_assert_nonnull(caps);
    if (drvQemuCapsGetVersion(caps) != 7002022) {
        g_test_message("not QEMU 7.2.22: no recording to compare with");
        return;
    }
    golden = vgmTestLoadData("qemucaps/7.2.22.caps");
    live = drvQemuCapsFormatSummary(caps);
    recorded = testFlagsOf(golden);
    g_free(golden);
    golden = testFlagsOf(live);
    g_assert_cmpstr(golden, ==, recorded);
}

static void
testSecondProbeHitsCache(void)
{
    drvQemuCapsConfig config = { .cacheDir = cacheDir, .timeoutMs = 60000 };
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = NULL;
    bool hit = false;
    gint64 start = g_get_monotonic_time();

    caps = drvQemuCapsLookup(testBinary(), &config, &hit, &error);
    g_assert_nonnull(caps);
    g_assert_true(hit);
    g_test_message("cached lookup: %.1f ms",
                   (g_get_monotonic_time() - start) / 1000.0);
    g_assert_true(drvQemuCapsHas(caps, DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD));
}

/* The fallback used on hosts without a usable /dev/kvm. */
static void
testProbeTCG(void)
{
    drvQemuCapsConfig config = { .kvm = VGM_TRISTATE_BOOL_NO,
                                 .timeoutMs = 60000 };
    g_autoptr(GError) error = NULL;
    g_autoptr(drvQemuCaps) caps = drvQemuCapsProbe(testBinary(), &config,
                                                   &error);

    if (!caps) {
        VGM_TEST_FAIL("TCG probe of %s failed: %s", testBinary(),
                      error->message);
        return;
    }
    g_assert_false(drvQemuCapsGetKVM(caps));
    g_assert_true(drvQemuCapsHas(caps, DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD));
}

int
main(int argc, char **argv)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *path = NULL;
    int ret;

    g_test_init(&argc, &argv, NULL);
    cacheDir = g_dir_make_tmp("vgm-capsint-XXXXXX", &error);
    g_assert_nonnull(cacheDir);

    g_test_add_func("/qemucaps-live/probe", testProbeLive);
    g_test_add_func("/qemucaps-live/matches-recording", testMatchesRecording);
    g_test_add_func("/qemucaps-live/cache-hit", testSecondProbeHitsCache);
    g_test_add_func("/qemucaps-live/tcg", testProbeTCG);
    ret = g_test_run();

    path = drvQemuCapsCachePath(cacheDir, testBinary());
    unlink(path);
    rmdir(cacheDir);
    g_free(cacheDir);
    return ret;
}

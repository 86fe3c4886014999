/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>
#include <unistd.h>

#include "driver/host.h"
#include "tests/testutils.h"

/*
 * The host probe on the real machine (integration suite: needs root and
 * /dev/kvm).  It must leave no file descriptor behind, agree with the
 * cheap fingerprint, and see what this machine has: guest_memfd with
 * mmap, and a userfaultfd that refuses guest_memfd.
 */

static unsigned int
testCountFds(void)
{
    g_autoptr(GDir) dir = g_dir_open("/proc/self/fd", 0, NULL);
    unsigned int n = 0;

    while (dir && g_dir_read_name(dir))
        n++;
    return n;
}

/* False (and the case skipped) when this is not a root KVM host. */
static bool
testHaveHost(void)
{
    if (geteuid() == 0 && g_file_test("/dev/kvm", G_FILE_TEST_EXISTS))
        return true;
    g_test_skip("needs root and /dev/kvm");
    return false;
}

static void
testProbeNoLeak(gconstpointer data)
{
    unsigned int before = testCountFds();
    g_autoptr(GError) error = NULL;
    g_autoptr(drvHostCaps) caps = NULL;

    if (!testHaveHost())
        return;
    if (!(caps = drvHostCapsProbe(&error))) {
        VGM_TEST_FAIL("probe failed: %s", error->message);
        return;
    }
    if (testCountFds() != before)
        VGM_TEST_FAIL("%u fds before the probe, %u after", before,
                      testCountFds());
}

static void
testProbeFacts(gconstpointer data)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(drvHostCaps) caps = NULL;
    g_autofree char *fp = NULL;
    g_autofree char *fpCaps = NULL;

    if (!testHaveHost())
        return;
    if (!(caps = drvHostCapsProbe(&error))) {
        VGM_TEST_FAIL("probe failed: %s", error->message);
        return;
    }
    fp = drvHostFingerprint(&error);
    fpCaps = drvHostCapsFingerprint(caps);
    if (!fp || strcmp(fp, fpCaps) != 0)
        VGM_TEST_FAIL("fingerprint '%s' differs from the caps' '%s'",
                      fp ? fp : "(null)", fpCaps);
    if (drvHostCapsKvmCap(caps, DRV_HOST_KVM_CAP_GUEST_MEMFD) <= 0 ||
        caps->gmemCreate.state != DRV_HOST_STEP_OK ||
        caps->gmemMmap.state != DRV_HOST_STEP_OK ||
        caps->gmemAccess.state != DRV_HOST_STEP_OK)
        VGM_TEST_FAIL("guest_memfd create/mmap/access did not all work");
    if (caps->uffdMemfdMissing.state != DRV_HOST_STEP_OK)
        VGM_TEST_FAIL("userfaultfd cannot register a memfd");
    if (caps->uffdGmemMissing.state != DRV_HOST_STEP_FAILED ||
        caps->uffdGmemMinor.state != DRV_HOST_STEP_FAILED)
        VGM_TEST_FAIL("userfaultfd registered guest_memfd: update the "
                      "expectations for this kernel");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_data_func("/hostprobe/no-leak", NULL, testProbeNoLeak);
    g_test_add_data_func("/hostprobe/facts", NULL, testProbeFacts);
    return g_test_run();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <libvirt/libvirt.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/drvtestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * The domain lifecycle against the real QEMU of this machine
 * (integration suite): KVM when /dev/kvm opens, TCG otherwise; never
 * skipped.  Every case runs on its own temporary root and destroys what
 * it started.
 */

#define TEST_WAIT_MS 15000

static drvDomainRef *
testDefine(drvTest *t, const char *name, unsigned int n)
{
    g_autofree char *xml = drvTestXML(name, n, NULL);
    g_autoptr(GError) err = NULL;
    drvDomainRef *ref = drvDomainDefineXML(t->drv, xml, 0, &err);

    if (!ref)
        VGM_TEST_FAIL("define '%s' failed: %s", name, err->message);
    return ref;
}

static bool
testCheckState(drvTest *t, const unsigned char *uuid, int state, int reason)
{
    g_autoptr(GError) err = NULL;
    int s = -1;
    int r = -1;

    if (drvDomainGetState(t->drv, uuid, &s, &r, &err) < 0) {
        VGM_TEST_FAIL("get state failed: %s", err->message);
        return false;
    }
    if (s != state || r != reason) {
        VGM_TEST_FAIL("state %d/%d, expected %d/%d", s, r, state, reason);
        return false;
    }
    return true;
}

static bool
testStart(drvTest *t, drvDomainRef *ref, unsigned int flags)
{
    g_autoptr(GError) err = NULL;

    if (drvDomainCreate(t->drv, ref->uuid, flags, &err) < 0) {
        VGM_TEST_FAIL("start '%s' failed: %s", ref->name, err->message);
        return false;
    }
    return true;
}

static bool
testDestroy(drvTest *t, drvDomainRef *ref)
{
    g_autoptr(GError) err = NULL;

    if (drvDomainDestroy(t->drv, ref->uuid, 0, &err) < 0) {
        VGM_TEST_FAIL("destroy '%s' failed: %s", ref->name, err->message);
        return false;
    }
    return true;
}

static void
testLifecycle(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = testDefine(t, "life", 1);
    g_autoptr(GError) err = NULL;
    g_autofree char *reply = NULL;
    g_autofree char *xml = NULL;
    virDomainInfo info;

    if (!ref || !drvTestWaitEvent(t, "life", VIR_DOMAIN_EVENT_DEFINED,
                                  VIR_DOMAIN_EVENT_DEFINED_ADDED, 1000))
        return;
    if (!testStart(t, ref, 0) ||
        !testCheckState(t, ref->uuid, VIR_DOMAIN_RUNNING,
                        VIR_DOMAIN_RUNNING_BOOTED) ||
        !drvTestWaitEvent(t, "life", VIR_DOMAIN_EVENT_STARTED,
                          VIR_DOMAIN_EVENT_STARTED_BOOTED, TEST_WAIT_MS))
        return;
    g_assert_cmpint(drvDomainGetInfo(t->drv, ref->uuid, &info, &err), ==, 0);
    g_assert_cmpint(info.maxMem, ==, 256 * 1024);
    g_assert_cmpint(info.nrVirtCpu, ==, 1);
    xml = drvDomainGetXMLDesc(t->drv, ref->uuid, 0, &err);
    g_assert_nonnull(strstr(xml, "<domain type=") );
    g_assert_nonnull(strstr(xml, " id='"));
    g_assert_cmpint(drvDomainSuspend(t->drv, ref->uuid, &err), ==, 0);
    testCheckState(t, ref->uuid, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    drvTestWaitEvent(t, "life", VIR_DOMAIN_EVENT_SUSPENDED,
                     VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, TEST_WAIT_MS);
    g_assert_cmpint(drvDomainResume(t->drv, ref->uuid, &err), ==, 0);
    testCheckState(t, ref->uuid, VIR_DOMAIN_RUNNING,
                   VIR_DOMAIN_RUNNING_UNPAUSED);
    drvTestWaitEvent(t, "life", VIR_DOMAIN_EVENT_RESUMED,
                     VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, TEST_WAIT_MS);
    reply = drvDomainQemuMonitorCommand(t->drv, ref->uuid,
                                        "{\"execute\":\"query-status\"}", 0,
                                        &err);
    g_assert_nonnull(reply);
    g_assert_nonnull(strstr(reply, "\"running\""));
    if (!testDestroy(t, ref))
        return;
    testCheckState(t, ref->uuid, VIR_DOMAIN_SHUTOFF,
                   VIR_DOMAIN_SHUTOFF_DESTROYED);
    drvTestWaitEvent(t, "life", VIR_DOMAIN_EVENT_STOPPED,
                     VIR_DOMAIN_EVENT_STOPPED_DESTROYED, TEST_WAIT_MS);
    g_assert_cmpint(drvDomainUndefine(t->drv, ref->uuid, 0, &err), ==, 0);
    g_assert_null(drvDomainLookupByName(t->drv, "life", &err));
    drvTestCheckError(err, VIR_ERR_NO_DOMAIN, "life");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    g_test_add_data_func("/lifecycle/define-start-suspend-resume-destroy",
                         NULL, testLifecycle);
    return g_test_run();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <libvirt/libvirt.h>
#include <sys/prctl.h>

#include "tests/drvtestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * QMP events drive the domain state (integration suite).  A guest that
 * powers off, reboots or panics needs an OS; the fake QEMU of
 * tests/integration/qemu-fake.py emits the same events on command, so
 * each on_poweroff/on_reboot/on_crash action is checked here.  Real QEMU
 * covers STOP/RESUME sent behind the driver's back; drvguesttest boots a
 * real guest OS under TCG for the guest-initiated events.
 */

#define TEST_WAIT_MS 15000

typedef struct {
    const char *name;
    const char *lifecycle;   /* inserted before <devices> */
    const char *command;     /* QMP passthrough, or NULL: shutdown */
    int event;               /* expected lifecycle event ... */
    int detail;
    int state;               /* ... and final state/reason */
    int reason;
} testEventCase;

static char *
testFake(void)
{
    return g_build_filename(g_getenv("VGM_TEST_SRCDIR"), "integration",
                            "qemu-fake.py", NULL);
}

static drvDomainRef *
testStartFake(drvTest *t, const testEventCase *c, unsigned int n)
{
    g_autofree char *fake = testFake();
    g_autofree char *xml = drvTestXML(c->name, n, fake);
    g_auto(GStrv) parts = g_strsplit(xml, "<devices>", 2);
    g_autofree char *with = g_strdup_printf("%s<devices>", c->lifecycle);
    g_autofree char *full = g_strjoinv(with, parts);
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = drvDomainCreateXML(t->drv, full, 0, &err);

    if (!ref)
        VGM_TEST_FAIL("cannot start '%s': %s", c->name, err->message);
    return g_steal_pointer(&ref);
}

static void
testEvent(gconstpointer data)
{
    const testEventCase *c = data;
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = testStartFake(t, c, 1);
    g_autoptr(GError) err = NULL;
    g_autofree char *reply = NULL;
    gint64 deadline = g_get_monotonic_time() + TEST_WAIT_MS * 1000;
    int state = -1;
    int reason = -1;

    if (!ref)
        return;
    if (c->command) {
        reply = drvDomainQemuMonitorCommand(t->drv, ref->uuid, c->command, 0,
                                            &err);
        if (!reply) {
            VGM_TEST_FAIL("'%s' failed: %s", c->command, err->message);
            return;
        }
    } else if (drvDomainShutdown(t->drv, ref->uuid, 0, &err) < 0) {
        VGM_TEST_FAIL("shutdown failed: %s", err->message);
        return;
    }
    if (!drvTestWaitEvent(t, c->name, c->event, c->detail, TEST_WAIT_MS))
        return;
    do {
        if (drvDomainGetState(t->drv, ref->uuid, &state, &reason, NULL) < 0)
            state = VIR_DOMAIN_SHUTOFF, reason = -2;  /* transient: gone */
        if (state == c->state && reason == c->reason)
            break;
        g_usleep(10 * 1000);
    } while (g_get_monotonic_time() < deadline);
    if (state != c->state || reason != c->reason)
        VGM_TEST_FAIL("state %d/%d, expected %d/%d", state, reason,
                      c->state, c->reason);
}

static const testEventCase testEventCases[] = {
    { "poweroff-destroy", "", NULL,
      VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN,
      VIR_DOMAIN_SHUTOFF, -2 },
    { "poweroff-preserve", "<on_poweroff>preserve</on_poweroff>", NULL,
      VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED,
      VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_SHUTTING_DOWN },
    { "poweroff-restart", "<on_poweroff>restart</on_poweroff>", NULL,
      VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED,
      VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED },
    { "reboot-destroy", "<on_reboot>destroy</on_reboot>",
      "{\"execute\":\"system_reset\"}",
      VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN,
      VIR_DOMAIN_SHUTOFF, -2 },
    { "panic-destroy", "", "{\"execute\":\"x-vgm-panic\"}",
      VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED,
      VIR_DOMAIN_SHUTOFF, -2 },
    { "panic-preserve", "<on_crash>preserve</on_crash>",
      "{\"execute\":\"x-vgm-panic\"}",
      VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED,
      VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED },
    { "external-stop", "", "{\"execute\":\"stop\"}",
      VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED,
      VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN },
};

/* The same STOP/RESUME behind the driver's back with the real QEMU. */
static void
testExternalStopReal(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *xml = drvTestXML("real-stop", 2, NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = drvDomainCreateXML(t->drv, xml, 0, &err);
    g_autofree char *r1 = NULL;
    g_autofree char *r2 = NULL;

    g_assert_nonnull(ref);
    r1 = drvDomainQemuMonitorCommand(t->drv, ref->uuid,
                                     "{\"execute\":\"stop\"}", 0, &err);
    g_assert_nonnull(r1);
    drvTestWaitEvent(t, "real-stop", VIR_DOMAIN_EVENT_SUSPENDED,
                     VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, TEST_WAIT_MS);
    r2 = drvDomainQemuMonitorCommand(t->drv, ref->uuid,
                                     "{\"execute\":\"cont\"}", 0, &err);
    g_assert_nonnull(r2);
    drvTestWaitEvent(t, "real-stop", VIR_DOMAIN_EVENT_RESUMED,
                     VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, TEST_WAIT_MS);
}

/* Reboot (system_reset) with the real QEMU: a reboot event, still running. */
static void
testRebootReal(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *xml = drvTestXML("real-reboot", 3, NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = drvDomainCreateXML(t->drv, xml, 0, &err);
    int state = -1;

    g_assert_nonnull(ref);
    g_assert_cmpint(drvDomainReboot(t->drv, ref->uuid, 0, &err), ==, 0);
    drvTestWaitEventString(t, "real-reboot reboot", TEST_WAIT_MS);
    g_assert_cmpint(drvDomainGetState(t->drv, ref->uuid, &state, NULL, &err),
                    ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
}

int
main(int argc, char **argv)
{
    size_t i;

    g_test_init(&argc, &argv, NULL);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    for (i = 0; i < G_N_ELEMENTS(testEventCases); i++) {
        g_autofree char *path = g_strdup_printf("/events/%s",
                                                testEventCases[i].name);

        g_test_add_data_func(path, &testEventCases[i], testEvent);
    }
    g_test_add_data_func("/events/external-stop-real", NULL,
                         testExternalStopReal);
    g_test_add_data_func("/events/reboot-real", NULL, testRebootReal);
    return g_test_run();
}

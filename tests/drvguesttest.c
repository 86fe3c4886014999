/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <libvirt/libvirt.h>
#include <sys/prctl.h>

#include "tests/drvtestutils.h"
#include "tests/guesttestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * Guest-initiated events with a real guest OS, through the driver API
 * (integration suite): a Debian kernel and a busybox initrd under TCG
 * (tests/guesttestutils.h).  The guest powers off when the ACPI power
 * button is pressed (drvDomainShutdown), or powers off or reboots by
 * itself; on_poweroff and on_reboot decide what the domain does then.
 * drveventtest covers the same actions with a fake QEMU.
 */

typedef enum {
    TEST_ACT_NONE,          /* the guest acts by itself */
    TEST_ACT_SHUTDOWN,      /* drvDomainShutdown: ACPI power button */
    TEST_ACT_REBOOT,        /* drvDomainReboot: system_reset */
} testGuestAction;

typedef struct {
    const char *name;
    const char *mode;        /* vgm.mode= of the guest's init */
    const char *lifecycle;   /* inserted before <devices> */
    testGuestAction action;
    bool reboot;             /* a reboot event is expected */
    int event;               /* a lifecycle event expected, or -1 */
    int detail;
    guint boots;             /* VGM-GUEST-READY lines at the end */
    int state;               /* the final state and reason */
    int reason;
} testGuestCase;

static testGuestImage *image;
static GError *imageError;

static char *
testUUIDString(unsigned int n)
{
    unsigned char u[16];

    drvTestUUID(n, u);
    return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                           "%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3],
                           u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
                           u[12], u[13], u[14], u[15]);
}

static drvDomainRef *
testGuestStart(drvTest *t, const testGuestCase *c)
{
    g_autofree char *uuid = testUUIDString(0x70);
    g_autofree char *xml = testGuestXML(image, c->name, uuid, c->mode,
                                        c->lifecycle);
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = drvDomainDefineXML(t->drv, xml, 0, &err);

    if (!ref || drvDomainCreate(t->drv, ref->uuid, 0, &err) < 0) {
        VGM_TEST_FAIL("cannot start '%s': %s", c->name, err->message);
        return NULL;
    }
    return g_steal_pointer(&ref);
}

static int
testGuestAct(drvTest *t, const testGuestCase *c, drvDomainRef *ref)
{
    g_autoptr(GError) err = NULL;
    int rc = 0;

    if (c->action == TEST_ACT_SHUTDOWN)
        rc = drvDomainShutdown(t->drv, ref->uuid, 0, &err);
    else if (c->action == TEST_ACT_REBOOT)
        rc = drvDomainReboot(t->drv, ref->uuid, 0, &err);
    if (rc < 0)
        VGM_TEST_FAIL("'%s': the action failed: %s", c->name, err->message);
    return rc;
}

/* The state and reason become @c's within the boot deadline. */
static void
testGuestCheckState(drvTest *t, const testGuestCase *c, drvDomainRef *ref)
{
    gint64 deadline = g_get_monotonic_time() +
                      (gint64)TEST_GUEST_BOOT_MS * G_TIME_SPAN_MILLISECOND;
    int state = -1;
    int reason = -1;

    do {
        if (drvDomainGetState(t->drv, ref->uuid, &state, &reason, NULL) < 0)
            break;
        if (state == c->state && reason == c->reason)
            return;
        g_usleep(50 * 1000);
    } while (g_get_monotonic_time() < deadline);
    VGM_TEST_FAIL("'%s': state %d/%d, expected %d/%d", c->name, state, reason,
                  c->state, c->reason);
}

/* A guest that powered off is shut down once: QEMU's host SHUTDOWN
 * after the driver's SIGTERM is no second shutdown event. */
static void
testGuestCheckOneShutdown(drvTest *t, const testGuestCase *c)
{
    g_autofree char *host = g_strdup_printf("%s %d %d", c->name,
                                            VIR_DOMAIN_EVENT_SHUTDOWN,
                                            VIR_DOMAIN_EVENT_SHUTDOWN_HOST);
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&t->lock);

    if (c->state == VIR_DOMAIN_SHUTOFF &&
        g_ptr_array_find_with_equal_func(t->events, host, g_str_equal, NULL))
        VGM_TEST_FAIL("'%s': a host shutdown event after the guest's", c->name);
}

static void
testGuest(gconstpointer data)
{
    const testGuestCase *c = data;
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = NULL;
    g_autofree char *reboot = g_strdup_printf("%s reboot", c->name);

    if (!image) {
        VGM_TEST_FAIL("no guest image: %s", imageError->message);
        return;
    }
    if (!(ref = testGuestStart(t, c)))
        return;
    if (!testGuestWaitReady(image, c->name, 1, TEST_GUEST_BOOT_MS) ||
        testGuestAct(t, c, ref) < 0)
        return;
    if (c->reboot && !drvTestWaitEventString(t, reboot, TEST_GUEST_BOOT_MS))
        return;
    if (c->event >= 0 &&
        !drvTestWaitEvent(t, c->name, c->event, c->detail, TEST_GUEST_BOOT_MS))
        return;
    if (!testGuestWaitReady(image, c->name, c->boots, TEST_GUEST_BOOT_MS))
        return;
    testGuestCheckState(t, c, ref);
    testGuestCheckOneShutdown(t, c);
}

static const testGuestCase testGuestCases[] = {
    { "acpi-shutdown", "wait", "", TEST_ACT_SHUTDOWN, false,
      VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, 1,
      VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN },
    { "guest-poweroff", "poweroff", "", TEST_ACT_NONE, false,
      VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, 1,
      VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN },
    { "guest-poweroff-restart", "poweroff",
      "  <on_poweroff>restart</on_poweroff>\n", TEST_ACT_NONE, false,
      VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, 2,
      VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED },
    { "guest-reboot-restart", "reboot",
      "  <on_reboot>restart</on_reboot>\n", TEST_ACT_NONE, true, -1, 0, 2,
      VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED },
    { "guest-reboot-destroy", "reboot",
      "  <on_reboot>destroy</on_reboot>\n", TEST_ACT_NONE, false,
      VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN, 1,
      VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN },
    { "host-reboot", "wait", "", TEST_ACT_REBOOT, true, -1, 0, 2,
      VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED },
};

int
main(int argc, char **argv)
{
    size_t i;
    int rc;

    g_test_init(&argc, &argv, NULL);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    image = testGuestImageNew(&imageError);
    for (i = 0; i < G_N_ELEMENTS(testGuestCases); i++) {
        g_autofree char *path = g_strdup_printf("/guest/%s",
                                                testGuestCases[i].name);

        g_test_add_data_func(path, &testGuestCases[i], testGuest);
    }
    rc = g_test_run();
    testGuestImageFree(image);
    g_clear_error(&imageError);
    return rc;
}

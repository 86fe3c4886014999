/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/guesttestutils.h"
#include "tests/rpcdomtestutils.h"
#include "tests/testutils.h"

/*
 * Stock virsh against virtgmemd with a real guest OS under TCG
 * (tests/guesttestutils.h), end to end: `virsh shutdown` powers the guest
 * off through its ACPI power button, the guest powers off or reboots by
 * itself, `virsh reboot` resets it.  `virsh event --loop` must show the
 * lifecycle and reboot events and `virsh domstate --reason` the final
 * state.  One daemon serves every case; each case has its own domain.
 */

static rpcDomTestDaemon *daemon_;
static testGuestImage *image;
static GError *imageError;

typedef struct {
    const char *name;         /* the domain */
    const char *mode;         /* vgm.mode= of the guest's init */
    const char *lifecycle;    /* inserted before <devices> */
    const char *command;      /* virsh command after the boot, or NULL */
    const char *event;        /* a line `virsh event` must print */
    guint boots;              /* VGM-GUEST-READY lines at the end */
    const char *state;        /* `virsh domstate --reason` */
} guestCase;

/* `virsh event --all --loop`, read line by line. */
typedef struct {
    GPid pid;
    int fd;
    GString *out;
} virshEvents;

static virshEvents *
virshEventsStart(void)
{
    const char *argv[] = { "virsh", "-c", daemon_->uri, "event", "--all",
                           "--loop", NULL };
    g_auto(GStrv) env = g_get_environ();
    g_autoptr(GError) error = NULL;
    virshEvents *ev = g_new0(virshEvents, 1);

    env = g_environ_setenv(env, "LC_ALL", "C", TRUE);
    env = g_environ_setenv(env, "HOME", daemon_->dir, TRUE);
    ev->out = g_string_new(NULL);
    ev->fd = -1;
    if (!g_spawn_async_with_pipes(daemon_->dir, (char **)argv, env,
                                  G_SPAWN_SEARCH_PATH |
                                  G_SPAWN_DO_NOT_REAP_CHILD |
                                  G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                  &ev->pid, NULL, &ev->fd, NULL, &error))
        VGM_TEST_FAIL("cannot run virsh event: %s", error->message);
    return ev;
}

static void
virshEventsFree(virshEvents *ev)
{
    if (ev->pid > 0) {
        kill(ev->pid, SIGTERM);
        waitpid(ev->pid, NULL, 0);
    }
    if (ev->fd >= 0)
        close(ev->fd);
    g_string_free(ev->out, TRUE);
    g_free(ev);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virshEvents, virshEventsFree);

/* Wait until virsh printed a line equal to @line. */
static bool
virshEventsWait(virshEvents *ev, const char *line, int timeoutMs)
{
    gint64 deadline = g_get_monotonic_time() +
                      (gint64)timeoutMs * G_TIME_SPAN_MILLISECOND;
    g_autofree char *want = g_strdup_printf("%s\n", line);

    while (ev->fd >= 0 && !strstr(ev->out->str, want)) {
        struct pollfd pfd = { .fd = ev->fd, .events = POLLIN };
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        char buf[1024];
        ssize_t n;

        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            break;
        if ((n = read(ev->fd, buf, sizeof(buf))) <= 0)
            break;
        g_string_append_len(ev->out, buf, n);
    }
    if (strstr(ev->out->str, want))
        return true;
    VGM_TEST_FAIL("virsh event did not print '%s' within %d ms; it printed:\n%s",
                  line, timeoutMs, ev->out->str);
    return false;
}

static bool
virshOK(const char *const *args, const char *expect)
{
    g_autofree char *out = rpcDomTestVirsh(daemon_, false, args);

    if (strstr(out, "--- exit 0\n") && (!expect || strstr(out, expect)))
        return true;
    VGM_TEST_FAIL("virsh %s %s: expected '%s', got:\n%s", args[0], args[1],
                  expect ? expect : "exit 0", out);
    return false;
}

static bool
guestStart(const guestCase *c, unsigned int n)
{
    g_autofree char *uuid = g_strdup_printf("6f2c1a4e-8b3d-4c5e-9f10-%012x",
                                            0x700 + n);
    g_autofree char *xml = testGuestXML(image, c->name, uuid, c->mode,
                                        c->lifecycle);
    g_autofree char *file = g_strdup_printf("%s/%s.xml", daemon_->dir,
                                            c->name);
    g_autofree char *base = g_strdup_printf("%s.xml", c->name);
    const char *define[] = { "define", base, NULL };
    const char *start[] = { "start", c->name, NULL };

    g_assert_true(g_file_set_contents(file, xml, -1, NULL));
    return virshOK(define, NULL) && virshOK(start, NULL);
}

/* `virsh domstate --reason` shows @c's state within the deadline. */
static void
guestCheckState(const guestCase *c)
{
    const char *args[] = { "domstate", "--reason", c->name, NULL };
    gint64 deadline = g_get_monotonic_time() +
                      (gint64)TEST_GUEST_BOOT_MS * G_TIME_SPAN_MILLISECOND;
    g_autofree char *want = g_strdup_printf("%s\n", c->state);
    g_autofree char *out = NULL;

    do {
        g_free(out);
        out = rpcDomTestVirsh(daemon_, false, args);
        if (g_str_has_prefix(out, want))
            return;
        g_usleep(200 * 1000);
    } while (g_get_monotonic_time() < deadline);
    VGM_TEST_FAIL("'%s': domstate printed:\n%s\nexpected '%s'", c->name, out,
                  c->state);
}

static void
testGuest(gconstpointer data)
{
    const guestCase *c = data;
    const char *command[] = { c->command, c->name, NULL };
    const char *destroy[] = { "destroy", c->name, NULL };
    const char *undefine[] = { "undefine", c->name, NULL };
    g_autoptr(virshEvents) ev = NULL;

    if (!image) {
        VGM_TEST_FAIL("no guest image: %s", imageError->message);
        return;
    }
    /* virsh registers its callbacks well before the guest is up */
    ev = virshEventsStart();
    if (!guestStart(c, g_str_hash(c->name) & 0xffffff) ||
        !testGuestWaitReady(image, c->name, 1, TEST_GUEST_BOOT_MS))
        return;
    if (c->command && !virshOK(command, NULL))
        return;
    if (!virshEventsWait(ev, c->event, TEST_GUEST_BOOT_MS) ||
        !testGuestWaitReady(image, c->name, c->boots, TEST_GUEST_BOOT_MS))
        return;
    guestCheckState(c);
    if (g_str_has_prefix(c->state, "running"))
        virshOK(destroy, NULL);
    virshOK(undefine, NULL);
}

static const guestCase cases[] = {
    { "acpi-shutdown", "wait", "", "shutdown",
      "event 'lifecycle' for domain 'acpi-shutdown': Stopped Shutdown", 1,
      "shut off (shutdown)" },
    { "guest-poweroff", "poweroff", "", NULL,
      "event 'lifecycle' for domain 'guest-poweroff': Stopped Shutdown", 1,
      "shut off (shutdown)" },
    { "guest-reboot-restart", "reboot", "  <on_reboot>restart</on_reboot>\n",
      NULL, "event 'reboot' for domain 'guest-reboot-restart'", 2,
      "running (booted)" },
    { "guest-reboot-destroy", "reboot", "  <on_reboot>destroy</on_reboot>\n",
      NULL,
      "event 'lifecycle' for domain 'guest-reboot-destroy': Stopped Shutdown",
      1, "shut off (shutdown)" },
    { "virsh-reboot", "wait", "", "reboot",
      "event 'reboot' for domain 'virsh-reboot'", 2, "running (booted)" },
};

int
main(int argc, char **argv)
{
    int rc;
    size_t i;

    g_test_init(&argc, &argv, NULL);
    image = testGuestImageNew(&imageError);
    daemon_ = rpcDomTestDaemonNew(false);
    rpcDomTestCleanupOnCrash(daemon_);
    if (!rpcDomTestDaemonStart(daemon_)) {
        rpcDomTestDaemonFree(daemon_, true);
        return 1;
    }
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/guest/%s", cases[i].name);

        g_test_add_data_func(path, &cases[i], testGuest);
    }
    rc = g_test_run();
    if (!rpcDomTestDaemonStop(daemon_)) {
        g_printerr("virtgmemd did not stop cleanly\n");
        rc = 1;
    }
    rpcDomTestDaemonFree(daemon_, rc != 0);
    testGuestImageFree(image);
    g_clear_error(&imageError);
    return rc;
}

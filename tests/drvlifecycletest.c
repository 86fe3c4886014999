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
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "life", 1);
    g_autoptr(drvDomainRef) byID = NULL;
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
    byID = drvDomainLookupByID(t->drv, 1, &err);
    g_assert_nonnull(byID);
    g_assert_cmpstr(byID->name, ==, "life");
    g_assert_cmpint(drvDomainGetInfo(t->drv, ref->uuid, &info, &err), ==, 0);
    g_assert_cmpint(info.maxMem, ==, 256 * 1024);
    g_assert_cmpint(info.nrVirtCpu, ==, 1);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_RUNNING);
    g_usleep(200 * 1000);
    g_assert_cmpint(drvDomainGetInfo(t->drv, ref->uuid, &info, &err), ==, 0);
    if (info.cpuTime == 0)
        VGM_TEST_FAIL("no CPU time after 200 ms of running");
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

static void
testStartPaused(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "paused", 2);
    g_autoptr(GError) err = NULL;

    if (!ref || !testStart(t, ref, VIR_DOMAIN_START_PAUSED))
        return;
    testCheckState(t, ref->uuid, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    drvTestWaitEvent(t, "paused", VIR_DOMAIN_EVENT_SUSPENDED,
                     VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, TEST_WAIT_MS);
    g_assert_cmpint(drvDomainResume(t->drv, ref->uuid, &err), ==, 0);
    testCheckState(t, ref->uuid, VIR_DOMAIN_RUNNING,
                   VIR_DOMAIN_RUNNING_UNPAUSED);
    testDestroy(t, ref);
}

/* Nothing of a failed start is left: no private dir, status or pidfile. */
static void
testCheckNothingLeft(drvTest *t, const unsigned char *uuid)
{
    g_autofree char *state = g_build_filename(t->root, "state", NULL);
    g_autofree char *run = g_build_filename(t->root, "run", NULL);

    testCheckState(t, uuid, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
    if (drvTestCountEntries(state) != 0)
        VGM_TEST_FAIL("%u entries left in %s", drvTestCountEntries(state),
                      state);
    if (drvTestCountEntries(run) != 0)
        VGM_TEST_FAIL("%u entries left in %s", drvTestCountEntries(run), run);
    if (drvTestCountProcesses(t->root) != 0)
        VGM_TEST_FAIL("a process of %s is left", t->root);
}

static void
testBadEmulator(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *xml = drvTestXML("bademu", 3, "/nonexistent/qemu-kvm");
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = drvDomainDefineXML(t->drv, xml, 0, &err);

    g_assert_nonnull(ref);
    g_assert_cmpint(drvDomainCreate(t->drv, ref->uuid, 0, &err), ==, -1);
    if (!drvTestCheckError(err, err ? err->code : 0, "/nonexistent/qemu-kvm"))
        return;
    if (!strstr(err->message, "bademu.log"))
        VGM_TEST_FAIL("no log tail in: %s", err->message);
    testCheckNothingLeft(t, ref->uuid);
}

static void
testQemuExitsAtOnce(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *good = drvTestXML("exits", 4, NULL);
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = NULL;
    g_auto(GStrv) parts = g_strsplit(good, "<vcpu>1</vcpu>", 2);

    xml = g_strjoinv("<vcpu>1000</vcpu>", parts);
    ref = drvDomainDefineXML(t->drv, xml, 0, &err);
    g_assert_nonnull(ref);
    g_assert_cmpint(drvDomainCreate(t->drv, ref->uuid, 0, &err), ==, -1);
    g_assert_nonnull(err);
    g_test_message("error: %s", err->message);
    if (!strstr(err->message, "exits.log") ||
        !strstr(err->message, "1000"))
        VGM_TEST_FAIL("no QEMU output in: %s", err->message);
    testCheckNothingLeft(t, ref->uuid);
}

static void
testKill9(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "kill9", 5);
    g_autofree char *status = NULL;
    gint64 start;
    pid_t pid;

    if (!ref || !testStart(t, ref, 0))
        return;
    pid = drvTestPid(t, "kill9");
    g_assert_cmpint(pid, >, 1);
    start = g_get_monotonic_time();
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    if (!drvTestWaitEvent(t, "kill9", VIR_DOMAIN_EVENT_STOPPED,
                          VIR_DOMAIN_EVENT_STOPPED_CRASHED, TEST_WAIT_MS))
        return;
    g_test_message("crash seen after %" G_GINT64_FORMAT " us",
                   g_get_monotonic_time() - start);
    testCheckState(t, ref->uuid, VIR_DOMAIN_SHUTOFF,
                   VIR_DOMAIN_SHUTOFF_CRASHED);
    status = g_build_filename(t->root, "run", "kill9.status", NULL);
    g_assert_false(g_file_test(status, G_FILE_TEST_EXISTS));
    g_assert_cmpint(waitpid(pid, NULL, WNOHANG), <=, 0);
}

/* One name needs QemuOpts escaping on QEMU's command line. */
static const char *const testThree[] = { "three-a", "three,b", "three-c" };

static bool
testStartThree(drvTest *t)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(testThree); i++) {
        g_autoptr(drvDomainRef) ref = drvTestDefine(t, testThree[i], 10 + i);

        if (!ref || !testStart(t, ref, i == 2 ? VIR_DOMAIN_START_PAUSED : 0))
            return false;
    }
    return true;
}

/* After a reopen: all three found in the state they were left in. */
static void
testCheckThree(drvTest *t)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(testThree); i++) {
        g_autoptr(GError) err = NULL;
        g_autoptr(drvDomainRef) ref = drvDomainLookupByName(t->drv,
                                                            testThree[i],
                                                            &err);
        int state = -1;

        if (!ref) {
            VGM_TEST_FAIL("'%s' lost: %s", testThree[i], err->message);
            continue;
        }
        g_assert_cmpint(ref->id, >, 0);
        drvDomainGetState(t->drv, ref->uuid, &state, NULL, &err);
        g_assert_cmpint(state, ==, i == 2 ? VIR_DOMAIN_PAUSED :
                        VIR_DOMAIN_RUNNING);
    }
    /* The monitor works again, and so does the exit watch. */
    for (i = 0; i < G_N_ELEMENTS(testThree); i++) {
        g_autoptr(drvDomainRef) ref = drvDomainLookupByName(t->drv,
                                                            testThree[i],
                                                            NULL);

        if (ref && i == 2)
            g_assert_cmpint(drvDomainResume(t->drv, ref->uuid, NULL), ==, 0);
        if (ref)
            testDestroy(t, ref);
    }
}

static void
testReopenSameProcess(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();

    testStartThree(t);
    drvTestReopen(t, false);
    if (t->drv)
        testCheckThree(t);
}

/* Runs in a child process: start three guests, close, exit. */
static int
testHelperStartThree(const char *root)
{
    drvTest t = { .root = g_strdup(root) };
    bool ok;

    g_mutex_init(&t.lock);
    g_cond_init(&t.cond);
    t.events = g_ptr_array_new_with_free_func(g_free);
    if (!drvTestOpen(&t, false))
        return 1;
    ok = testStartThree(&t);
    drvTestClose(&t);
    g_free(t.root);
    g_ptr_array_unref(t.events);
    g_mutex_clear(&t.lock);
    g_cond_clear(&t.cond);
    return ok ? 0 : 1;
}

static void
testReopenNewProcess(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(GError) err = NULL;
    g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
    const char *argv[] = { self, NULL };
    g_autofree char *env = g_strdup_printf("VGM_DRV_HELPER=%s", t->root);
    g_auto(GStrv) envp = g_get_environ();
    int status = -1;

    drvTestClose(t);
    envp = g_environ_setenv(envp, "VGM_DRV_HELPER", t->root, TRUE);
    if (!g_spawn_sync(NULL, (char **)argv, envp, G_SPAWN_DEFAULT, NULL, NULL,
                      NULL, NULL, &status, &err) ||
        !g_spawn_check_wait_status(status, &err)) {
        VGM_TEST_FAIL("helper failed: %s", err->message);
        drvTestOpen(t, false);
        return;
    }
    if (drvTestOpen(t, false))
        testCheckThree(t);
}

/* QEMU dies while the driver is closed: shutoff (crashed), reaped. */
static void
testExitWhileClosed(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "gone", 20);
    g_autofree char *stat = NULL;
    siginfo_t info = { 0 };
    pid_t pid;

    if (!ref || !testStart(t, ref, 0))
        return;
    pid = drvTestPid(t, "gone");
    drvTestClose(t);
    g_assert_cmpint(kill(pid, SIGKILL), ==, 0);
    /* Wait until it is a zombie of ours (we are its subreaper), without
     * reaping it: that is the driver's job on reconnect. */
    g_assert_cmpint(waitid(P_PID, pid, &info, WEXITED | WNOWAIT), ==, 0);
    g_assert_cmpint(info.si_code, ==, CLD_KILLED);
    drvTestOpen(t, false);
    testCheckState(t, ref->uuid, VIR_DOMAIN_SHUTOFF,
                   VIR_DOMAIN_SHUTOFF_CRASHED);
    stat = g_strdup_printf("/proc/%d", (int)pid);
    g_assert_false(g_file_test(stat, G_FILE_TEST_EXISTS));
}

typedef struct {
    drvTest *t;
    unsigned int n;
    GError *err;
} testWorker;

static gpointer
testConcurrentStart(gpointer opaque)
{
    testWorker *w = opaque;
    g_autofree char *name = g_strdup_printf("many-%u", w->n);
    g_autofree char *xml = drvTestXML(name, 100 + w->n, NULL);
    drvDomainRef *ref = drvDomainCreateXML(w->t->drv, xml, 0, &w->err);

    drvDomainRefFree(ref);
    return NULL;
}

static gpointer
testConcurrentDestroy(gpointer opaque)
{
    testWorker *w = opaque;
    unsigned char uuid[VIR_UUID_BUFLEN];

    drvTestUUID(100 + w->n, uuid);
    drvDomainDestroy(w->t->drv, uuid, 0, &w->err);
    return NULL;
}

static void
testRunWorkers(drvTest *t, GThreadFunc fn)
{
    testWorker w[10];
    GThread *th[10];
    size_t i;

    for (i = 0; i < 10; i++) {
        w[i] = (testWorker){ .t = t, .n = i };
        th[i] = g_thread_new("worker", fn, &w[i]);
    }
    for (i = 0; i < 10; i++) {
        g_thread_join(th[i]);
        if (w[i].err)
            VGM_TEST_FAIL("worker %zu: %s", i, w[i].err->message);
        g_clear_error(&w[i].err);
    }
}

static void
testConcurrent(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(GPtrArray) doms = NULL;

    testRunWorkers(t, testConcurrentStart);
    doms = drvConnectListAllDomains(t->drv, VIR_CONNECT_LIST_DOMAINS_RUNNING,
                                    NULL);
    g_assert_cmpuint(doms->len, ==, 10);
    testRunWorkers(t, testConcurrentDestroy);
    g_clear_pointer(&doms, g_ptr_array_unref);
    /* transient: gone once stopped */
    doms = drvConnectListAllDomains(t->drv, 0, NULL);
    g_assert_cmpuint(doms->len, ==, 0);
}

static void
testTransient(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *xml = drvTestXML("transient", 6, NULL);
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = drvDomainCreateXML(t->drv, xml, 0, &err);
    g_autoptr(drvDomainRef) again = NULL;
    bool autostart = false;

    g_assert_nonnull(ref);
    g_assert_cmpint(drvDomainIsActive(t->drv, ref->uuid, &err), ==, 1);
    g_assert_cmpint(drvDomainIsPersistent(t->drv, ref->uuid, &err), ==, 0);
    g_assert_cmpint(drvDomainSetAutostart(t->drv, ref->uuid, true, &err), ==,
                    -1);
    drvTestCheckError(err, VIR_ERR_OPERATION_INVALID, "transient");
    g_clear_error(&err);
    g_assert_cmpint(drvDomainGetAutostart(t->drv, ref->uuid, &autostart,
                                          &err), ==, 0);
    testDestroy(t, ref);
    drvTestWaitEvent(t, "transient", VIR_DOMAIN_EVENT_STOPPED,
                     VIR_DOMAIN_EVENT_STOPPED_DESTROYED, TEST_WAIT_MS);
    again = drvDomainLookupByUUID(t->drv, ref->uuid, &err);
    g_assert_null(again);
    drvTestCheckError(err, VIR_ERR_NO_DOMAIN, NULL);
}

static void
testAutostart(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) on = drvTestDefine(t, "auto-on", 7);
    g_autoptr(drvDomainRef) off = drvTestDefine(t, "auto-off", 8);
    g_autoptr(GError) err = NULL;
    bool autostart = false;

    if (!on || !off)
        return;
    g_assert_cmpint(drvDomainSetAutostart(t->drv, on->uuid, true, &err), ==,
                    0);
    drvTestReopen(t, true);
    g_assert_cmpint(drvDomainGetAutostart(t->drv, on->uuid, &autostart,
                                          &err), ==, 0);
    g_assert_true(autostart);
    testCheckState(t, on->uuid, VIR_DOMAIN_RUNNING,
                   VIR_DOMAIN_RUNNING_BOOTED);
    testCheckState(t, off->uuid, VIR_DOMAIN_SHUTOFF,
                   VIR_DOMAIN_SHUTOFF_UNKNOWN);
    testDestroy(t, on);
}

int
main(int argc, char **argv)
{
    const char *helper = g_getenv("VGM_DRV_HELPER");

    g_test_init(&argc, &argv, NULL);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    if (helper)
        return testHelperStartThree(helper);
    g_test_add_data_func("/lifecycle/define-start-suspend-resume-destroy",
                         NULL, testLifecycle);
    g_test_add_data_func("/lifecycle/start-paused", NULL, testStartPaused);
    g_test_add_data_func("/lifecycle/bad-emulator", NULL, testBadEmulator);
    g_test_add_data_func("/lifecycle/qemu-exits-at-once", NULL,
                         testQemuExitsAtOnce);
    g_test_add_data_func("/lifecycle/kill-9", NULL, testKill9);
    g_test_add_data_func("/lifecycle/reopen-same-process", NULL,
                         testReopenSameProcess);
    g_test_add_data_func("/lifecycle/reopen-new-process", NULL,
                         testReopenNewProcess);
    g_test_add_data_func("/lifecycle/exit-while-closed", NULL,
                         testExitWhileClosed);
    g_test_add_data_func("/lifecycle/ten-concurrent", NULL, testConcurrent);
    g_test_add_data_func("/lifecycle/transient", NULL, testTransient);
    g_test_add_data_func("/lifecycle/autostart", NULL, testAutostart);
    return g_test_run();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <libvirt/libvirt.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "tests/drvtestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * Bad input and faults with real QEMU processes (integration suite):
 * wrong states, a busy domain, a QEMU that ignores SIGTERM, a status file
 * whose pid now belongs to another program, a full disk, a QEMU that
 * floods its monitor, a QEMU that greets and then never answers.
 */

#define TEST_WAIT_MS 15000

static drvDomainRef *
testDefineStart(drvTest *t, const char *name, unsigned int n,
                const char *emulator)
{
    g_autofree char *xml = drvTestXML(name, n, emulator);
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = drvDomainDefineXML(t->drv, xml, 0, &err);

    if (!ref || drvDomainCreate(t->drv, ref->uuid, 0, &err) < 0) {
        VGM_TEST_FAIL("cannot start '%s': %s", name, err->message);
        return NULL;
    }
    return g_steal_pointer(&ref);
}

static void
testWrongState(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = testDefineStart(t, "wrong", 1, NULL);
    g_autoptr(GError) err = NULL;

    if (!ref)
        return;
    g_assert_cmpint(drvDomainCreate(t->drv, ref->uuid, 0, &err), ==, -1);
    drvTestCheckError(err, VIR_ERR_OPERATION_INVALID, "already running");
    g_clear_error(&err);
    g_assert_cmpint(drvDomainResume(t->drv, ref->uuid, &err), ==, -1);
    drvTestCheckError(err, VIR_ERR_OPERATION_INVALID, "not paused");
    g_clear_error(&err);
    g_assert_null(drvDomainQemuMonitorCommand(t->drv, ref->uuid, "{", 0,
                                              &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_cmpint(drvDomainShutdown(t->drv, ref->uuid, 0, &err), ==, 0);
    g_assert_cmpint(drvDomainReboot(t->drv, ref->uuid, 0, &err), ==, 0);
    g_assert_cmpint(drvDomainDestroy(t->drv, ref->uuid, 0, &err), ==, 0);
    g_assert_cmpint(drvDomainDestroy(t->drv, ref->uuid, 0, &err), ==, -1);
    drvTestCheckError(err, VIR_ERR_OPERATION_INVALID, "not running");
}

static drvDomainObj *
testObj(drvTest *t, const unsigned char *uuid)
{
    return drvDomainListFindByUUID(t->drv->domains, uuid);
}

static void
testBusy(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) a = testDefineStart(t, "busy-a", 2, NULL);
    g_autoptr(drvDomainRef) b = testDefineStart(t, "busy-b", 3, NULL);
    g_autoptr(drvDomainObj) obj = NULL;
    g_autoptr(GError) err = NULL;
    gint64 start;
    int state = -1;

    if (!a || !b)
        return;
    obj = testObj(t, a->uuid);
    g_mutex_lock(&obj->lock);
    g_assert_cmpint(drvDomainJobBegin(obj, DRV_JOB_QMP, 10, &err), ==, 0);
    g_mutex_unlock(&obj->lock);
    start = g_get_monotonic_time();
    g_assert_cmpint(drvDomainSuspend(t->drv, a->uuid, &err), ==, -1);
    drvTestCheckError(err, VIR_ERR_OPERATION_TIMEOUT,
                      "busy with job 'qemu-monitor-command'");
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 1900 * 1000);
    /* queries do not wait; the other domain is not blocked */
    start = g_get_monotonic_time();
    g_assert_cmpint(drvDomainGetState(t->drv, a->uuid, &state, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(drvDomainSuspend(t->drv, b->uuid, NULL), ==, 0);
    g_assert_cmpint(drvDomainResume(t->drv, b->uuid, NULL), ==, 0);
    g_test_message("queries and the other domain took %" G_GINT64_FORMAT
                   " us", g_get_monotonic_time() - start);
    g_mutex_lock(&obj->lock);
    drvDomainJobEnd(obj);
    g_mutex_unlock(&obj->lock);
    g_assert_cmpint(drvDomainSuspend(t->drv, a->uuid, NULL), ==, 0);
}

/* A QEMU stopped with SIGSTOP ignores SIGTERM until SIGKILL. */
static void
testDestroyStuck(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = testDefineStart(t, "stuck", 4, NULL);
    g_autoptr(GError) err = NULL;
    int state = -1;
    pid_t pid;

    if (!ref)
        return;
    pid = drvTestPid(t, "stuck");
    g_assert_cmpint(kill(pid, SIGSTOP), ==, 0);
    g_assert_cmpint(drvDomainDestroy(t->drv, ref->uuid,
                                     VIR_DOMAIN_DESTROY_GRACEFUL, &err), ==,
                    -1);
    drvTestCheckError(err, VIR_ERR_OPERATION_TIMEOUT, "SIGTERM");
    drvDomainGetState(t->drv, ref->uuid, &state, NULL, NULL);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    g_clear_error(&err);
    g_assert_cmpint(drvDomainDestroy(t->drv, ref->uuid, 0, &err), ==, 0);
    drvDomainGetState(t->drv, ref->uuid, &state, NULL, NULL);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
}

/* Point a status file at another process; it must survive the open. */
static void
testRewritePid(drvTest *t, const char *name, pid_t pid, bool sameStart)
{
    g_autofree char *file = g_strdup_printf("%s.status", name);
    g_autofree char *path = g_build_filename(t->root, "run", file, NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    unsigned long long start = 0;

    g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL));
    g_key_file_set_int64(kf, "domstatus", "pid", pid);
    if (sameStart) {
        g_assert_cmpint(drvProcessReadStartTime(pid, &start), ==, 0);
        g_key_file_set_uint64(kf, "domstatus", "starttime", start);
    }
    g_assert_true(g_key_file_save_to_file(kf, path, NULL));
}

static void
testPidReused(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) a = testDefineStart(t, "reused-a", 5, NULL);
    g_autoptr(drvDomainRef) b = testDefineStart(t, "reused-b", 6, NULL);
    const char *argv[] = { "/bin/sleep", "60", NULL };
    pid_t qa = drvTestPid(t, "reused-a");
    pid_t qb = drvTestPid(t, "reused-b");
    GPid other = 0;
    int state = -1;
    int reason = -1;

    if (!a || !b)
        return;
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                                &other, NULL));
    drvTestClose(t);
    testRewritePid(t, "reused-a", other, false);  /* another start time */
    testRewritePid(t, "reused-b", other, true);   /* another program */
    drvTestOpen(t, false);
    drvDomainGetState(t->drv, a->uuid, &state, &reason, NULL);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, VIR_DOMAIN_SHUTOFF_CRASHED);
    drvDomainGetState(t->drv, b->uuid, &state, &reason, NULL);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(kill(other, 0), ==, 0);     /* never killed */
    kill(other, SIGKILL);
    waitpid(other, NULL, 0);
    /* the real QEMUs were left alone too: clean them up here */
    g_assert_cmpint(kill(qa, SIGKILL), ==, 0);
    g_assert_cmpint(kill(qb, SIGKILL), ==, 0);
    waitpid(qa, NULL, 0);
    waitpid(qb, NULL, 0);
}

/* Fill @dir's file system; returns the filler's path. */
static char *
testFill(const char *dir)
{
    char *path = g_build_filename(dir, "filler", NULL);
    char block[4096] = { 0 };
    FILE *fp = fopen(path, "w");

    while (fp && fwrite(block, 1, sizeof(block), fp) == sizeof(block) &&
           fflush(fp) == 0)
        ;
    if (fp)
        fclose(fp);
    return path;
}

static void
testDiskFull(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *config = g_build_filename(t->root, "config", NULL);
    g_autofree char *xml = drvTestXML("full", 7, NULL);
    g_autofree char *bigger = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *filler = NULL;
    g_autofree char *path = g_build_filename(config, "full.xml", NULL);
    g_autoptr(drvDomainRef) ref = NULL;
    g_autoptr(GError) err = NULL;
    g_auto(GStrv) parts = g_strsplit(xml, "256", 2);

    drvTestClose(t);
    if (mount("tmpfs", config, "tmpfs", 0, "size=64k") < 0) {
        VGM_TEST_FAIL("cannot mount a tmpfs: %s", g_strerror(errno));
        return;
    }
    drvTestOpen(t, false);
    ref = drvDomainDefineXML(t->drv, xml, 0, &err);
    g_assert_nonnull(ref);
    g_assert_true(g_file_get_contents(path, &before, NULL, NULL));
    filler = testFill(config);
    bigger = g_strjoinv("512", parts);
    g_assert_null(drvDomainDefineXML(t->drv, bigger, 0, &err));
    drvTestCheckError(err, VIR_ERR_SYSTEM_ERROR, "full.xml");
    g_test_message("error: %s", err->message);
    g_assert_true(g_file_get_contents(path, &after, NULL, NULL));
    g_assert_cmpstr(before, ==, after);
    g_free(after);
    after = drvDomainGetXMLDesc(t->drv, ref->uuid, VIR_DOMAIN_XML_INACTIVE,
                                NULL);
    g_assert_nonnull(strstr(after, "262144"));
    g_assert_cmpuint(drvTestCountEntries(config), ==, 3);  /* no temp */
    drvTestClose(t);
    umount2(config, MNT_DETACH);
}

static void
testFlood(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *fake = g_build_filename(g_getenv("VGM_TEST_SRCDIR"),
                                             "integration", "qemu-flood.py",
                                             NULL);
    g_autoptr(drvDomainRef) flood = testDefineStart(t, "flood", 8, fake);
    g_autoptr(drvDomainRef) calm = testDefineStart(t, "calm", 9, NULL);
    g_autofree char *reply = NULL;
    g_autoptr(GError) err = NULL;
    gint64 start = g_get_monotonic_time();
    int state = -1;

    if (!flood || !calm)
        return;
    g_usleep(500 * 1000);
    reply = drvDomainQemuMonitorCommand(t->drv, flood->uuid,
                                        "{\"execute\":\"query-status\"}", 0,
                                        &err);
    g_assert_nonnull(reply);
    g_test_message("passthrough after %" G_GINT64_FORMAT " ms",
                   (g_get_monotonic_time() - start) / 1000);
    g_assert_cmpint(drvDomainSuspend(t->drv, calm->uuid, &err), ==, 0);
    g_assert_cmpint(drvDomainResume(t->drv, calm->uuid, &err), ==, 0);
    g_test_message("other domain after %" G_GINT64_FORMAT " ms",
                   (g_get_monotonic_time() - start) / 1000);
    g_assert_cmpint(drvDomainGetState(t->drv, flood->uuid, &state, NULL,
                                      &err), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(drvDomainDestroy(t->drv, flood->uuid, 0, &err), ==, 0);
    g_test_message("flood handled in %" G_GINT64_FORMAT " ms",
                   (g_get_monotonic_time() - start) / 1000);
}

/* A message that never ends fails the monitor at 10 MiB, nothing more. */
static void
testEndless(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *fake = g_build_filename(g_getenv("VGM_TEST_SRCDIR"),
                                             "integration", "qemu-endless.py",
                                             NULL);
    g_autoptr(drvDomainRef) ref = testDefineStart(t, "endless", 11, fake);
    g_autoptr(GError) err = NULL;
    g_autofree char *reply = NULL;
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    int state = -1;

    if (!ref)
        return;
    /* commands fail once the monitor gave up; the domain still runs */
    while (g_get_monotonic_time() < deadline) {
        g_clear_pointer(&reply, g_free);
        g_clear_error(&err);
        reply = drvDomainQemuMonitorCommand(t->drv, ref->uuid,
                                            "{\"execute\":\"query-status\"}",
                                            0, &err);
        if (!reply)
            break;
        g_usleep(50 * 1000);
    }
    g_assert_null(reply);
    g_test_message("error: %s", err->message);
    g_assert_cmpint(drvDomainGetState(t->drv, ref->uuid, &state, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(drvDomainDestroy(t->drv, ref->uuid, 0, &err), ==, 0);
}

/* A QEMU that never greets: the start times out, QEMU is killed. */
static void
testNoGreeting(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *fake = g_build_filename(g_getenv("VGM_TEST_SRCDIR"),
                                             "integration", "qemu-silent.py",
                                             NULL);
    g_autofree char *xml = drvTestXML("silent", 10, fake);
    g_autofree char *state = g_build_filename(t->root, "state", NULL);
    g_autoptr(drvDomainRef) ref = NULL;
    g_autoptr(GError) err = NULL;

    t->timeouts.start = 1000;
    drvTestReopen(t, false);
    ref = drvDomainDefineXML(t->drv, xml, 0, &err);
    g_assert_nonnull(ref);
    g_assert_cmpint(drvDomainCreate(t->drv, ref->uuid, 0, &err), ==, -1);
    drvTestCheckError(err, VIR_ERR_OPERATION_TIMEOUT,
                      "hanging before the QMP greeting");
    g_test_message("error: %s", err->message);
    g_assert_cmpuint(drvTestCountEntries(state), ==, 0);
    g_assert_cmpint(drvTestPid(t, "silent"), ==, -1);
    g_assert_cmpuint(drvTestCountProcesses(t->root), ==, 0);
}

/*
 * A QEMU that greets its first client and then never answers (QEMU 7.2's
 * race with an early client on a listening QMP socket): the start drops
 * that connection after timeouts.handshake, connects again and succeeds.
 * The reconnect after a daemon restart does the same.
 */
static void
testMuteFirst(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *fake = g_build_filename(g_getenv("VGM_TEST_SRCDIR"),
                                             "integration", "qemu-mute.py",
                                             NULL);
    g_autoptr(drvDomainRef) ref = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *reply = NULL;
    gint64 begin;
    int state = -1;

    t->timeouts.start = 10000;
    t->timeouts.handshake = 500;
    drvTestReopen(t, false);
    begin = g_get_monotonic_time();
    ref = testDefineStart(t, "mute", 12, fake);
    if (!ref)
        return;
    g_test_message("started after %" G_GINT64_FORMAT " ms",
                   (g_get_monotonic_time() - begin) / 1000);
    g_assert_cmpint(drvDomainGetState(t->drv, ref->uuid, &state, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    /* the second connection is the monitor; the first left no trace */
    reply = drvDomainQemuMonitorCommand(t->drv, ref->uuid,
                                        "{\"execute\":\"query-status\"}",
                                        0, &err);
    g_assert_nonnull(reply);
    g_assert_nonnull(strstr(reply, "running"));
    g_assert_cmpint(drvDomainSuspend(t->drv, ref->uuid, &err), ==, 0);
    g_assert_cmpint(drvDomainGetState(t->drv, ref->uuid, &state, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_PAUSED);
    /* a daemon restart: the third connection is mute too, the fourth works */
    drvTestReopen(t, false);
    g_assert_cmpint(drvDomainGetState(t->drv, ref->uuid, &state, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_PAUSED);
    g_assert_cmpint(drvDomainResume(t->drv, ref->uuid, &err), ==, 0);
    g_assert_cmpint(drvDomainGetState(t->drv, ref->uuid, &state, NULL, NULL),
                    ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(drvDomainDestroy(t->drv, ref->uuid, 0, &err), ==, 0);
    g_assert_cmpuint(drvTestCountProcesses(t->root), ==, 0);
}

/* A QEMU that greets every client and never answers: the start fails in time. */
static void
testDeaf(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *fake = g_build_filename(g_getenv("VGM_TEST_SRCDIR"),
                                             "integration", "qemu-deaf.py",
                                             NULL);
    g_autofree char *xml = drvTestXML("deaf", 13, fake);
    g_autoptr(drvDomainRef) ref = NULL;
    g_autoptr(GError) err = NULL;
    gint64 ms;

    t->timeouts.start = 2000;
    t->timeouts.handshake = 400;
    drvTestReopen(t, false);
    ref = drvDomainDefineXML(t->drv, xml, 0, &err);
    g_assert_nonnull(ref);
    ms = g_get_monotonic_time();
    g_assert_cmpint(drvDomainCreate(t->drv, ref->uuid, 0, &err), ==, -1);
    ms = (g_get_monotonic_time() - ms) / 1000;
    g_test_message("failed after %" G_GINT64_FORMAT " ms: %s", ms,
                   err->message);
    drvTestCheckError(err, VIR_ERR_OPERATION_TIMEOUT,
                      "did not complete the QMP handshake");
    g_assert_nonnull(strstr(err->message, "ignoring it"));
    /* start timeout, plus killing QEMU and slack for a loaded host */
    g_assert_cmpint(ms, <, 2000 + 3000);
    g_assert_cmpint(drvTestPid(t, "deaf"), ==, -1);
    g_assert_cmpuint(drvTestCountProcesses(t->root), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    g_test_add_data_func("/fault/wrong-state", NULL, testWrongState);
    g_test_add_data_func("/fault/busy", NULL, testBusy);
    g_test_add_data_func("/fault/destroy-stuck", NULL, testDestroyStuck);
    g_test_add_data_func("/fault/pid-reused", NULL, testPidReused);
    g_test_add_data_func("/fault/disk-full", NULL, testDiskFull);
    g_test_add_data_func("/fault/monitor-flood", NULL, testFlood);
    g_test_add_data_func("/fault/no-greeting", NULL, testNoGreeting);
    g_test_add_data_func("/fault/endless-message", NULL, testEndless);
    g_test_add_data_func("/fault/mute-first-connection", NULL, testMuteFirst);
    g_test_add_data_func("/fault/mute-every-connection", NULL, testDeaf);
    return g_test_run();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <libvirt/libvirt.h>
#include <unistd.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "tests/drvtestutils.h"
#include "tests/testutils.h"
#include "util/error.h"

/*
 * The driver without QEMU (unit suite: no root, no KVM): definitions,
 * lookups, list filters, errors for unknown domains and wrong states,
 * busy domains, a full disk through the persistence ops table, and
 * status files that are corrupt or name a dead or foreign process.
 */

static void
testDefineUndefine(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "one", 1);
    g_autoptr(drvDomainRef) byName = NULL;
    g_autoptr(drvDomainRef) byUUID = NULL;
    g_autoptr(GError) err = NULL;
    g_autofree char *path = g_build_filename(t->root, "config", "one.xml",
                                             NULL);

    g_assert_nonnull(ref);
    g_assert_cmpint(ref->id, ==, -1);
    g_assert_cmpint(drvDomainIsActive(t->drv, ref->uuid, &err), ==, 0);
    g_assert_cmpint(drvDomainIsPersistent(t->drv, ref->uuid, &err), ==, 1);
    drvTestWaitEvent(t, "one", VIR_DOMAIN_EVENT_DEFINED,
                     VIR_DOMAIN_EVENT_DEFINED_ADDED, 1000);
    byName = drvDomainLookupByName(t->drv, "one", &err);
    byUUID = drvDomainLookupByUUID(t->drv, ref->uuid, &err);
    g_assert_nonnull(byName);
    g_assert_nonnull(byUUID);
    g_assert_cmpmem(byName->uuid, 16, ref->uuid, 16);
    g_assert_null(drvDomainLookupByID(t->drv, -1, &err));
    drvTestCheckError(err, VIR_ERR_NO_DOMAIN, NULL);
    g_clear_error(&err);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    /* the same definition again is an update */
    g_clear_pointer(&byName, drvDomainRefFree);
    byName = drvTestDefine(t, "one", 1);
    drvTestWaitEvent(t, "one", VIR_DOMAIN_EVENT_DEFINED,
                     VIR_DOMAIN_EVENT_DEFINED_UPDATED, 1000);
    drvTestReopen(t, false);
    g_clear_pointer(&byName, drvDomainRefFree);
    byName = drvDomainLookupByName(t->drv, "one", &err);
    g_assert_nonnull(byName);
    g_assert_cmpint(drvDomainUndefine(t->drv, ref->uuid, 0, &err), ==, 0);
    drvTestWaitEvent(t, "one", VIR_DOMAIN_EVENT_UNDEFINED,
                     VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, 1000);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_cmpint(drvDomainUndefine(t->drv, ref->uuid, 0, &err), ==, -1);
    drvTestCheckError(err, VIR_ERR_NO_DOMAIN, NULL);
}

static void
testNameUUIDClash(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "clash", 2);
    g_autofree char *sameUUID = drvTestXML("other-name", 2, NULL);
    g_autofree char *sameName = drvTestXML("clash", 3, NULL);
    g_autoptr(GError) err = NULL;

    g_assert_null(drvDomainDefineXML(t->drv, sameUUID, 0, &err));
    drvTestCheckError(err, VIR_ERR_OPERATION_FAILED, "clash");
    g_clear_error(&err);
    g_assert_null(drvDomainDefineXML(t->drv, sameName, 0, &err));
    drvTestCheckError(err, VIR_ERR_OPERATION_FAILED, "already exists");
}

static void
testInvalidKeepsOld(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "keep", 4);
    g_autofree char *path = g_build_filename(t->root, "config", "keep.xml",
                                             NULL);
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *xml = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(g_file_get_contents(path, &before, NULL, NULL));
    g_assert_null(drvDomainDefineXML(t->drv,
                                     "<domain type='kvm'><name>keep</name>"
                                     "<bogus/></domain>", 0, &err));
    g_assert_true(err->domain == CONF_ERROR);
    g_clear_error(&err);
    g_assert_null(drvDomainDefineXML(t->drv, "<domain", 0, &err));
    g_assert_true(g_file_get_contents(path, &after, NULL, NULL));
    g_assert_cmpstr(before, ==, after);
    xml = drvDomainGetXMLDesc(t->drv, ref->uuid, VIR_DOMAIN_XML_INACTIVE,
                              &err);
    g_assert_nonnull(strstr(xml, "<memory unit='KiB'>262144</memory>"));
}

static ssize_t
testWriteENOSPC(int fd, const void *buf, size_t len)
{
    errno = ENOSPC;
    return -1;
}

static void
testDiskFull(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "full", 5);
    g_autofree char *xml = drvTestXML("full", 5, NULL);
    g_autofree char *config = g_build_filename(t->root, "config", NULL);
    g_autofree char *out = NULL;
    g_auto(GStrv) parts = g_strsplit(xml, "256", 2);
    g_autofree char *bigger = g_strjoinv("512", parts);
    g_autofree char *other = drvTestXML("new", 6, NULL);
    drvPersistOps ops = { .write = testWriteENOSPC, .fsync = fsync,
                          .rename = rename };
    g_autoptr(GError) err = NULL;

    drvPersistSetOps(&ops);
    g_assert_null(drvDomainDefineXML(t->drv, bigger, 0, &err));
    g_assert_null(drvDomainDefineXML(t->drv, other, 0, NULL));
    drvPersistSetOps(NULL);
    drvTestCheckError(err, VIR_ERR_SYSTEM_ERROR, "No space left on device");
    out = drvDomainGetXMLDesc(t->drv, ref->uuid, VIR_DOMAIN_XML_INACTIVE,
                              &err);
    g_assert_nonnull(strstr(out, "262144"));
    g_assert_cmpuint(drvTestCountEntries(config), ==, 2);  /* + autostart/ */
    g_assert_null(drvDomainLookupByName(t->drv, "new", NULL));
    drvTestReopen(t, false);
    g_clear_pointer(&out, g_free);
    out = drvDomainGetXMLDesc(t->drv, ref->uuid, VIR_DOMAIN_XML_INACTIVE,
                              NULL);
    g_assert_nonnull(strstr(out, "262144"));
}

static guint
testListCount(drvTest *t, unsigned int flags)
{
    g_autoptr(GPtrArray) doms = drvConnectListAllDomains(t->drv, flags, NULL);

    return doms ? doms->len : G_MAXUINT;
}

static void
testListFilters(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) a = drvTestDefine(t, "list-a", 7);
    g_autoptr(drvDomainRef) b = drvTestDefine(t, "list-b", 8);
    g_autoptr(drvDomainRef) c = drvTestDefine(t, "list-c", 9);
    g_autoptr(GPtrArray) all = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_cmpint(drvDomainSetAutostart(t->drv, b->uuid, true, &err), ==,
                    0);
    drvTestReopen(t, false);
    all = drvConnectListAllDomains(t->drv, 0, &err);
    g_assert_cmpuint(all->len, ==, 3);
    g_assert_cmpstr(((drvDomainRef *)all->pdata[0])->name, ==, "list-a");
    g_assert_cmpuint(testListCount(t, VIR_CONNECT_LIST_DOMAINS_ACTIVE), ==, 0);
    g_assert_cmpuint(testListCount(t, VIR_CONNECT_LIST_DOMAINS_INACTIVE), ==,
                     3);
    g_assert_cmpuint(testListCount(t, VIR_CONNECT_LIST_DOMAINS_AUTOSTART), ==,
                     1);
    g_assert_cmpuint(testListCount(t, VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART),
                     ==, 2);
    g_assert_cmpuint(testListCount(t, VIR_CONNECT_LIST_DOMAINS_TRANSIENT), ==,
                     0);
    g_assert_cmpuint(testListCount(t, VIR_CONNECT_LIST_DOMAINS_SHUTOFF |
                                   VIR_CONNECT_LIST_DOMAINS_PERSISTENT), ==, 3);
    g_assert_cmpuint(testListCount(t, VIR_CONNECT_LIST_DOMAINS_RUNNING |
                                   VIR_CONNECT_LIST_DOMAINS_PAUSED), ==, 0);
    g_assert_cmpuint(testListCount(t, VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT),
                     ==, 0);
    g_assert_null(drvConnectListAllDomains(t->drv, 1u << 30, &err));
    drvTestCheckError(err, VIR_ERR_INVALID_ARG, NULL);
    g_assert_nonnull(c);
}

static void
testUnknownDomain(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    unsigned char uuid[16];
    virDomainInfo info;
    bool on;
    int s;
    size_t i;

    drvTestUUID(99, uuid);
    for (i = 0; i < 11; i++) {
        g_autoptr(GError) err = NULL;
        int r = -1;

        switch (i) {
        case 0: r = drvDomainCreate(t->drv, uuid, 0, &err); break;
        case 1: r = drvDomainDestroy(t->drv, uuid, 0, &err); break;
        case 2: r = drvDomainShutdown(t->drv, uuid, 0, &err); break;
        case 3: r = drvDomainReboot(t->drv, uuid, 0, &err); break;
        case 4: r = drvDomainSuspend(t->drv, uuid, &err); break;
        case 5: r = drvDomainResume(t->drv, uuid, &err); break;
        case 6: r = drvDomainGetState(t->drv, uuid, &s, NULL, &err); break;
        case 7: r = drvDomainGetInfo(t->drv, uuid, &info, &err); break;
        case 8: r = drvDomainGetAutostart(t->drv, uuid, &on, &err); break;
        case 9: r = drvDomainUndefine(t->drv, uuid, 0, &err); break;
        default:
            r = drvDomainGetXMLDesc(t->drv, uuid, 0, &err) ? 0 : -1;
        }
        g_assert_cmpint(r, ==, -1);
        drvTestCheckError(err, VIR_ERR_NO_DOMAIN, "6a1c2e4b-0000");
    }
}

static void
testWrongStateShutoff(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "off", 10);
    size_t i;

    for (i = 0; i < 6; i++) {
        g_autoptr(GError) err = NULL;
        int r = -1;

        switch (i) {
        case 0: r = drvDomainDestroy(t->drv, ref->uuid, 0, &err); break;
        case 1: r = drvDomainShutdown(t->drv, ref->uuid, 0, &err); break;
        case 2: r = drvDomainReboot(t->drv, ref->uuid, 0, &err); break;
        case 3: r = drvDomainSuspend(t->drv, ref->uuid, &err); break;
        case 4: r = drvDomainResume(t->drv, ref->uuid, &err); break;
        default:
            r = drvDomainQemuMonitorCommand(t->drv, ref->uuid,
                                            "{\"execute\":\"stop\"}", 0,
                                            &err) ? 0 : -1;
        }
        g_assert_cmpint(r, ==, -1);
        drvTestCheckError(err, VIR_ERR_OPERATION_INVALID, "not running");
    }
}

static void
testBadFlags(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "flags", 14);
    g_autofree char *xml = drvTestXML("flags", 14, NULL);
    g_autoptr(GError) err = NULL;

    g_assert_null(drvDomainDefineXML(t->drv, xml, 1u << 20, &err));
    drvTestCheckError(err, VIR_ERR_INVALID_ARG, "drvDomainDefineXML");
    g_clear_error(&err);
    g_assert_cmpint(drvDomainCreate(t->drv, ref->uuid, 1u << 20, &err), ==,
                    -1);
    drvTestCheckError(err, VIR_ERR_INVALID_ARG, "0x100000");
    g_clear_error(&err);
    g_assert_cmpint(drvDomainUndefine(t->drv, ref->uuid, 1u << 20, &err), ==,
                    -1);
    drvTestCheckError(err, VIR_ERR_INVALID_ARG, NULL);
    g_clear_error(&err);
    g_assert_null(drvDomainQemuMonitorCommand(t->drv, ref->uuid, "{}", 1,
                                              &err));
    drvTestCheckError(err, VIR_ERR_ARGUMENT_UNSUPPORTED, NULL);
}

static void
testBusyInactive(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) ref = drvTestDefine(t, "busy", 11);
    g_autofree char *xml = drvTestXML("busy", 11, NULL);
    g_autoptr(drvDomainObj) obj = drvDomainListFindByUUID(t->drv->domains,
                                                          ref->uuid);
    g_autoptr(GError) err = NULL;
    g_autofree char *desc = NULL;

    g_mutex_lock(&obj->lock);
    g_assert_cmpint(drvDomainJobBegin(obj, DRV_JOB_START, 10, &err), ==, 0);
    g_mutex_unlock(&obj->lock);
    g_assert_null(drvDomainDefineXML(t->drv, xml, 0, &err));
    drvTestCheckError(err, VIR_ERR_OPERATION_TIMEOUT,
                      "the domain is busy with job 'start'");
    desc = drvDomainGetXMLDesc(t->drv, ref->uuid, 0, NULL);
    g_assert_nonnull(desc);
    g_mutex_lock(&obj->lock);
    drvDomainJobEnd(obj);
    g_mutex_unlock(&obj->lock);
}

/* A status file for domain @name (defined as uuid @n) naming @pid. */
static void
testWriteStatus(drvTest *t, const char *name, unsigned int n, gint64 pid,
                guint64 start)
{
    g_autofree char *file = g_strdup_printf("%s.status", name);
    g_autofree char *path = g_build_filename(t->root, "run", file, NULL);
    g_autofree char *xml = drvTestXML(name, n, NULL);
    g_auto(GStrv) parts = g_strsplit(xml, "<domain type='", 2);
    g_autofree char *live = g_strjoinv("<domain id='5' type='", parts);
    g_autoptr(GKeyFile) kf = g_key_file_new();

    g_key_file_set_string(kf, "domstatus", "state", "running");
    g_key_file_set_integer(kf, "domstatus", "reason", 1);
    g_key_file_set_int64(kf, "domstatus", "pid", pid);
    g_key_file_set_uint64(kf, "domstatus", "starttime", start);
    g_key_file_set_string(kf, "domstatus", "binary",
                          "/usr/bin/qemu-system-x86_64");
    g_key_file_set_string(kf, "domstatus", "monitor", "/nonexistent/sock");
    g_key_file_set_string(kf, "domstatus", "privdir", "/nonexistent");
    g_key_file_set_string(kf, "domstatus", "log", "/dev/null");
    g_key_file_set_boolean(kf, "domstatus", "persistent", TRUE);
    g_key_file_set_string(kf, "domstatus", "xml", live);
    g_assert_true(g_key_file_save_to_file(kf, path, NULL));
}

/* A status file of a valid shape with one field broken. */
static void
testWriteCorrupt(drvTest *t, const char *name, const char *key,
                 const char *value)
{
    g_autofree char *file = g_strdup_printf("%s.status", name);
    g_autofree char *path = g_build_filename(t->root, "run", file, NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();

    testWriteStatus(t, name, 50 + strlen(name), 1234, 1);
    g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL));
    g_key_file_set_string(kf, "domstatus", key, value);
    g_assert_true(g_key_file_save_to_file(kf, path, NULL));
}

static void
testStatusFiles(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(drvDomainRef) dead = drvTestDefine(t, "dead", 12);
    g_autoptr(drvDomainRef) mine = drvTestDefine(t, "mine", 13);
    g_autofree char *run = g_build_filename(t->root, "run", NULL);
    g_autofree char *bad = g_build_filename(run, "bad.status", NULL);
    g_autofree char *aside = g_strdup_printf("%s.corrupt", bad);
    int state = -1;
    int reason = -1;

    drvTestClose(t);
    testWriteStatus(t, "dead", 12, G_MAXINT - 1, 12345);
    testWriteStatus(t, "mine", 13, getpid(), 1);  /* start time differs */
    g_assert_true(g_file_set_contents(bad, "garbage\n[domstatus]\npid=x\n",
                                      -1, NULL));
    testWriteCorrupt(t, "nopid", "pid", "0");
    testWriteCorrupt(t, "badxml", "xml", "<domain");
    testWriteCorrupt(t, "badstate", "state", "dancing");
    testWriteCorrupt(t, "relbinary", "binary", "qemu");
    drvTestOpen(t, false);
    drvDomainGetState(t->drv, dead->uuid, &state, &reason, NULL);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, VIR_DOMAIN_SHUTOFF_CRASHED);
    drvDomainGetState(t->drv, mine->uuid, &state, &reason, NULL);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_true(g_file_test(aside, G_FILE_TEST_EXISTS));
    g_assert_false(g_file_test(bad, G_FILE_TEST_EXISTS));
    g_assert_cmpuint(drvTestCountEntries(run), ==, 5);  /* *.corrupt */
    g_assert_cmpuint(testListCount(t, 0), ==, 2);
}

/* An autostart domain that cannot start does not stop the open. */
static void
testAutostartFails(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autofree char *xml = drvTestXML("noemu", 15, "/nonexistent/qemu");
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainRef) ref = drvDomainDefineXML(t->drv, xml, 0, &err);
    g_autofree char *log = g_build_filename(t->root, "log", "noemu.log",
                                            NULL);
    g_autofree char *text = NULL;
    int state = -1;
    int reason = -1;

    g_assert_nonnull(ref);
    g_assert_cmpint(drvDomainSetAutostart(t->drv, ref->uuid, true, &err), ==,
                    0);
    drvTestReopen(t, true);
    g_assert_nonnull(t->drv);
    drvDomainGetState(t->drv, ref->uuid, &state, &reason, NULL);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, VIR_DOMAIN_SHUTOFF_FAILED);
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "/nonexistent/qemu"));
}

static void
testLogTail(gconstpointer data)
{
    g_autofree char *path = NULL;
    g_autofree char *all = NULL;
    g_autofree char *tail = NULL;
    g_autofree char *none = NULL;
    int fd = g_file_open_tmp("vgm-tail-XXXXXX", &path, NULL);

    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, "header\nline one\nline two\n",
                                      -1, NULL));
    all = drvProcessLogTail(path, 7, 1024);
    g_assert_cmpstr(all, ==, "line one\nline two");
    tail = drvProcessLogTail(path, 0, 12);
    g_assert_cmpstr(tail, ==, "line two");
    none = drvProcessLogTail(path, 100, 1024);
    g_assert_cmpstr(none, ==, "(no output)");
    unlink(path);
}

static void
testStrings(gconstpointer data)
{
    g_autoptr(drvTest) t = drvTestNew();
    g_autoptr(GError) err = NULL;

    g_assert_cmpstr(drvDomainStateReasonToString(VIR_DOMAIN_SHUTOFF,
                                                 VIR_DOMAIN_SHUTOFF_CRASHED),
                    ==, "crashed");
    g_assert_cmpstr(drvDomainStateReasonToString(VIR_DOMAIN_PAUSED, 99), ==,
                    "unknown");
    g_assert_cmpstr(drvJobToString(DRV_JOB_QMP), ==, "qemu-monitor-command");
    g_assert_cmpint(drvDomainStateFromString("paused"), ==,
                    VIR_DOMAIN_PAUSED);
    g_assert_cmpint(drvEventDeregister(t->drv, 4242, &err), ==, -1);
    drvTestCheckError(err, VIR_ERR_INVALID_ARG, "4242");
    g_assert_cmpint(drvEventDeregister(t->drv, t->callbackID, NULL), ==, 0);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* The driver warns about what it skips while opening: no failure. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_data_func("/domain/define-undefine", NULL,
                         testDefineUndefine);
    g_test_add_data_func("/domain/name-uuid-clash", NULL, testNameUUIDClash);
    g_test_add_data_func("/domain/invalid-keeps-old", NULL,
                         testInvalidKeepsOld);
    g_test_add_data_func("/domain/disk-full", NULL, testDiskFull);
    g_test_add_data_func("/domain/list-filters", NULL, testListFilters);
    g_test_add_data_func("/domain/unknown", NULL, testUnknownDomain);
    g_test_add_data_func("/domain/wrong-state", NULL, testWrongStateShutoff);
    g_test_add_data_func("/domain/bad-flags", NULL, testBadFlags);
    g_test_add_data_func("/domain/busy", NULL, testBusyInactive);
    g_test_add_data_func("/domain/status-files", NULL, testStatusFiles);
    g_test_add_data_func("/domain/autostart-fails", NULL,
                         testAutostartFails);
    g_test_add_data_func("/domain/log-tail", NULL, testLogTail);
    g_test_add_data_func("/domain/strings", NULL, testStrings);
    return g_test_run();
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/protocol/remote.h"
#include "tests/rpcdomtestutils.h"
#include "tests/rpctestutils.h"
#include "tests/testutils.h"
#include "util/fd.h"

/*
 * The domain procedures of virtgmemd through the real libvirt client
 * library, with real guests (KVM when /dev/kvm works, TCG otherwise): one
 * daemon on a temporary root serves every case; each case leaves no
 * domain behind.
 */

static rpcDomTestDaemon *daemon_;

#define ASSERT_ERROR(code) \
    g_assert_cmpint(virGetLastErrorCode(), ==, (code))

static virConnectPtr
openConn(void)
{
    virConnectPtr conn = virConnectOpen(daemon_->uri);

    g_assert_nonnull(conn);
    return conn;
}

static virDomainPtr
defineGuest(virConnectPtr conn, const char *name, unsigned int n)
{
    g_autofree char *xml = rpcDomTestXML(daemon_, name, n, 128);
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    g_assert_nonnull(dom);
    return dom;
}

/* ---- events --------------------------------------------------------- */

typedef struct {
    GMutex lock;
    GCond cond;
    GPtrArray *seen;        /* "CALLBACKID NAME EVENT DETAIL" */
    int callbackID;         /* what virConnectDomainEventRegisterAny gave */
} eventLog;

static int
onLifecycle(virConnectPtr conn, virDomainPtr dom, int event, int detail,
            void *opaque)
{
    eventLog *log = opaque;

    g_mutex_lock(&log->lock);
    g_ptr_array_add(log->seen, g_strdup_printf("%s %d %d",
                                               virDomainGetName(dom), event,
                                               detail));
    g_cond_broadcast(&log->cond);
    g_mutex_unlock(&log->lock);
    return 0;
}

static void
onReboot(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    eventLog *log = opaque;

    g_mutex_lock(&log->lock);
    g_ptr_array_add(log->seen, g_strdup_printf("%s reboot",
                                               virDomainGetName(dom)));
    g_cond_broadcast(&log->cond);
    g_mutex_unlock(&log->lock);
}

static bool
waitEventString(eventLog *log, const char *want)
{    gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    bool found = false;

    g_mutex_lock(&log->lock);
    while (!found) {
        guint i;

        for (i = 0; i < log->seen->len && !found; i++)
            found = strcmp(log->seen->pdata[i], want) == 0;
        if (!found && !g_cond_wait_until(&log->cond, &log->lock, end))
            break;
    }
    g_mutex_unlock(&log->lock);
    if (!found)
        g_printerr("no event '%s'\n", want);
    return found;
}

static bool
waitEvent(eventLog *log, const char *name, int event, int detail)
{
    g_autofree char *want = g_strdup_printf("%s %d %d", name, event, detail);

    return waitEventString(log, want);
}

/* Whether any event of @log is about @name. */
static bool
sawDomain(eventLog *log, const char *name)
{
    g_autofree char *prefix = g_strdup_printf("%s ", name);
    bool seen = false;
    guint i;

    g_mutex_lock(&log->lock);
    for (i = 0; i < log->seen->len; i++)
        seen = seen || g_str_has_prefix(log->seen->pdata[i], prefix);
    g_mutex_unlock(&log->lock);
    return seen;
}

static void
eventLogInit(eventLog *log, virConnectPtr conn, virDomainPtr only,
             int eventID)
{
    g_mutex_init(&log->lock);
    g_cond_init(&log->cond);
    log->seen = g_ptr_array_new_with_free_func(g_free);
    log->callbackID = virConnectDomainEventRegisterAny(
        conn, only, eventID, eventID == VIR_DOMAIN_EVENT_ID_REBOOT ?
        VIR_DOMAIN_EVENT_CALLBACK(onReboot) :
        VIR_DOMAIN_EVENT_CALLBACK(onLifecycle), log, NULL);
    g_assert_cmpint(log->callbackID, >=, 0);
}

static void
eventLogClear(eventLog *log, virConnectPtr conn)
{
    g_assert_cmpint(virConnectDomainEventDeregisterAny(conn,
                                                       log->callbackID), ==, 0);
    g_ptr_array_unref(log->seen);
    g_cond_clear(&log->cond);
    g_mutex_clear(&log->lock);
}

/* ---- cases ---------------------------------------------------------- */

static void
testLookupErrors(void)
{
    virConnectPtr conn = openConn();
    unsigned char uuid[VIR_UUID_BUFLEN] = { 1, 2, 3 };
    virErrorPtr err;

    g_assert_null(virDomainLookupByName(conn, "nope"));
    err = virGetLastError();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_nonnull(strstr(err->message, "'nope'"));
    g_assert_null(virDomainLookupByUUID(conn, uuid));
    ASSERT_ERROR(VIR_ERR_NO_DOMAIN);
    g_assert_null(virDomainLookupByID(conn, 4242));
    ASSERT_ERROR(VIR_ERR_NO_DOMAIN);
    g_assert_null(virDomainDefineXML(conn, "<domain type='kvm'><name>x"));
    ASSERT_ERROR(VIR_ERR_XML_ERROR);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void
checkInactive(virConnectPtr conn, virDomainPtr dom)
{
    g_autofree char *os = virDomainGetOSType(dom);
    g_autofree char *xml = virDomainGetXMLDesc(dom, 0);
    int autostart = -1;
    int state = -1;
    int reason = -1;

    g_assert_cmpint(virDomainGetID(dom), ==, (unsigned int)-1);
    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 1);
    g_assert_cmpstr(os, ==, "hvm");
    g_assert_nonnull(strstr(xml, "<name>def1</name>"));
    g_assert_cmpint(virDomainGetAutostart(dom, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 0);
    g_assert_cmpint(virDomainHasManagedSaveImage(dom, 0), ==, 0);
    g_assert_cmpint(virDomainSnapshotNum(dom, 0), ==, 0);
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(virDomainSuspend(dom), ==, -1);
    ASSERT_ERROR(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainDestroy(dom), ==, -1);
    ASSERT_ERROR(VIR_ERR_OPERATION_INVALID);
}

/* @name is the only active (or inactive) domain; @ndefined inactive. */
static void
checkLists(virConnectPtr conn, const char *name, bool active, int ndefined)
{
    virDomainPtr *doms = NULL;
    char *names[4] = { NULL };
    int ids[4] = { 0 };
    int n;
    int i;

    n = virConnectListAllDomains(conn, &doms, active ?
                                 VIR_CONNECT_LIST_DOMAINS_ACTIVE :
                                 VIR_CONNECT_LIST_DOMAINS_INACTIVE);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpstr(virDomainGetName(doms[0]), ==, name);
    virDomainFree(doms[0]);
    free(doms);
    g_assert_cmpint(virConnectListAllDomains(conn, NULL, active ?
                                             VIR_CONNECT_LIST_DOMAINS_PAUSED :
                                             VIR_CONNECT_LIST_DOMAINS_RUNNING),
                    ==, 0);
    g_assert_cmpint(virConnectNumOfDomains(conn), ==, active ? 1 : 0);
    g_assert_cmpint(virConnectNumOfDefinedDomains(conn), ==, ndefined);
    if (active) {
        g_assert_cmpint(virConnectListDomains(conn, ids, 4), ==, 1);
        g_assert_cmpint(ids[0], >, 0);
        return;
    }
    n = virConnectListDefinedDomains(conn, names, 4);
    g_assert_cmpint(n, ==, 1);
    g_assert_cmpstr(names[0], ==, name);
    for (i = 0; i < n; i++)
        free(names[i]);
}

/* Define, the queries of an inactive domain, autostart, undefine. */
static void
testDefineUndefine(void)
{
    virConnectPtr conn = openConn();
    virDomainPtr dom = defineGuest(conn, "def1", 1);
    int autostart = 0;

    checkInactive(conn, dom);
    checkLists(conn, "def1", false, 1);
    g_assert_cmpint(virDomainSetAutostart(dom, 1), ==, 0);
    g_assert_cmpint(virDomainGetAutostart(dom, &autostart), ==, 0);
    g_assert_cmpint(autostart, ==, 1);
    g_assert_cmpint(virConnectListAllDomains(conn, NULL,
                                             VIR_CONNECT_LIST_DOMAINS_AUTOSTART),
                    ==, 1);
    g_assert_cmpint(virDomainSetAutostart(dom, 0), ==, 0);
    g_assert_cmpint(virDomainUndefineFlags(dom, 0), ==, 0);
    g_assert_cmpint(virDomainIsActive(dom), ==, -1);
    ASSERT_ERROR(VIR_ERR_NO_DOMAIN);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void
checkRunning(virConnectPtr conn, virDomainPtr dom)
{
    virDomainPtr byID = virDomainLookupByID(conn, virDomainGetID(dom));
    virDomainInfo info;
    int state = -1;
    int reason = -1;

    g_assert_nonnull(byID);
    g_assert_cmpstr(virDomainGetName(byID), ==, "life1");
    virDomainFree(byID);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpint(reason, ==, VIR_DOMAIN_RUNNING_BOOTED);
    g_assert_cmpint(virDomainGetInfo(dom, &info), ==, 0);
    g_assert_cmpint(info.state, ==, VIR_DOMAIN_RUNNING);
    g_assert_cmpuint(info.maxMem, ==, 128 * 1024);
    g_assert_cmpuint(info.nrVirtCpu, ==, 1);
    checkLists(conn, "life1", true, 1);
}

static const char *
findParam(virDomainStatsRecordPtr rec, const char *name, int type)
{
    int i;

    for (i = 0; i < rec->nparams; i++) {
        if (strcmp(rec->params[i].field, name) == 0)
            return rec->params[i].type == type ? "ok" : "wrong type";
    }
    return "missing";
}

static void
checkStats(virConnectPtr conn, virDomainPtr dom)
{
    virDomainStatsRecordPtr *recs = NULL;
    virDomainPtr doms[] = { dom, NULL };
    const char *const want[][2] = {
        { "state.state", "1" }, { "state.reason", "1" }, { "cpu.time", "4" },
        { "cpu.user", "4" }, { "cpu.system", "4" },
        { "balloon.current", "4" }, { "balloon.maximum", "4" },
        { "vcpu.current", "2" }, { "vcpu.maximum", "2" },
    };
    size_t i;

    g_assert_cmpint(virDomainListGetStats(doms, 0, &recs, 0), ==, 1);
    g_assert_cmpstr(virDomainGetName(recs[0]->dom), ==, "life1");
    for (i = 0; i < G_N_ELEMENTS(want); i++)
        g_assert_cmpstr(findParam(recs[0], want[i][0], atoi(want[i][1])), ==,
                        "ok");
    virDomainStatsRecordListFree(recs);
    g_assert_cmpint(virConnectGetAllDomainStats(conn, VIR_DOMAIN_STATS_STATE,
                                                &recs, 0), ==, 2);
    virDomainStatsRecordListFree(recs);
    g_assert_cmpint(virConnectGetAllDomainStats(conn, VIR_DOMAIN_STATS_STATE,
                                                &recs,
                                                VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE),
                    ==, 1);
    g_assert_cmpint(recs[0]->nparams, ==, 2);
    virDomainStatsRecordListFree(recs);
}

static void
checkMonitor(virDomainPtr dom)
{
    char *reply = NULL;

    g_assert_cmpint(virDomainQemuMonitorCommand(dom,
                                                "{\"execute\":\"query-status\"}",
                                                &reply, 0), ==, 0);
    g_assert_nonnull(strstr(reply, "\"running\""));
    free(reply);
    g_assert_cmpint(virDomainQemuMonitorCommand(dom, "info status", &reply,
                                                VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP),
                    ==, 0);
    g_assert_nonnull(strstr(reply, "VM status: running"));
    free(reply);
}

/* Start, queries of a running domain, suspend, resume, destroy, with
 * the lifecycle events a callback receives and a filtered one does not. */
static void
testLifecycle(void)
{
    virConnectPtr conn = openConn();
    virDomainPtr other = defineGuest(conn, "other1", 3);
    eventLog all = { 0 };
    eventLog filtered = { 0 };
    eventLog reboots = { 0 };
    virDomainPtr dom;

    eventLogInit(&all, conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE);
    eventLogInit(&filtered, conn, other, VIR_DOMAIN_EVENT_ID_LIFECYCLE);
    eventLogInit(&reboots, conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT);
    g_assert_cmpint(all.callbackID, !=, filtered.callbackID);
    dom = defineGuest(conn, "life1", 2);
    g_assert_true(waitEvent(&all, "life1", VIR_DOMAIN_EVENT_DEFINED, 0));
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint((int)virDomainGetID(dom), >, 0);
    g_assert_true(waitEvent(&all, "life1", VIR_DOMAIN_EVENT_STARTED, 0));
    checkRunning(conn, dom);
    checkStats(conn, dom);
    checkMonitor(dom);
    g_assert_cmpint(virDomainCreate(dom), ==, -1);
    ASSERT_ERROR(VIR_ERR_OPERATION_INVALID);
    g_assert_cmpint(virDomainSuspend(dom), ==, 0);
    g_assert_true(waitEvent(&all, "life1", VIR_DOMAIN_EVENT_SUSPENDED, 0));
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    g_assert_true(waitEvent(&all, "life1", VIR_DOMAIN_EVENT_RESUMED, 0));
    /* system_reset: QEMU's RESET is the reboot event */
    g_assert_cmpint(virDomainReboot(dom, 0), ==, 0);
    g_assert_true(waitEventString(&reboots, "life1 reboot"));
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_true(waitEvent(&all, "life1", VIR_DOMAIN_EVENT_STOPPED, 1));
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    g_assert_true(waitEvent(&all, "life1", VIR_DOMAIN_EVENT_UNDEFINED, 0));
    /* other1's own DEFINED may arrive after the registration */
    g_assert_false(sawDomain(&filtered, "life1"));
    g_assert_cmpint(virDomainUndefine(other), ==, 0);
    g_assert_true(waitEvent(&filtered, "other1", VIR_DOMAIN_EVENT_UNDEFINED,
                            0));
    eventLogClear(&all, conn);
    eventLogClear(&filtered, conn);
    eventLogClear(&reboots, conn);
    virDomainFree(dom);
    virDomainFree(other);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* A guest that powers off when asked: QEMU's fake (no OS needed) answers
 * system_powerdown with the events of a guest shutdown. */
static void
testGuestShutdown(void)
{
    virConnectPtr conn = openConn();
    g_autofree char *fake = g_build_filename(g_getenv("VGM_TEST_SRCDIR"),
                                             "integration", "qemu-fake.py",
                                             NULL);
    g_autofree char *xml = rpcDomTestXML(daemon_, "fake1", 12, 128);
    g_auto(GStrv) parts = g_strsplit(xml, "</os>", 2);
    g_autofree char *with = g_strdup_printf("</os><devices><emulator>%s"
                                            "</emulator></devices>", fake);
    g_autofree char *full = g_strjoinv(with, parts);
    eventLog log = { 0 };
    virDomainPtr dom;
    int state = -1;
    int reason = -1;

    eventLogInit(&log, conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE);
    g_assert_nonnull((dom = virDomainDefineXML(conn, full)));
    g_assert_cmpint(virDomainCreate(dom), ==, 0);
    g_assert_cmpint(virDomainShutdownFlags(dom,
                                           VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN),
                    ==, 0);
    g_assert_true(waitEvent(&log, "fake1", VIR_DOMAIN_EVENT_STOPPED,
                            VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN));
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_SHUTOFF);
    g_assert_cmpint(reason, ==, VIR_DOMAIN_SHUTOFF_SHUTDOWN);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    eventLogClear(&log, conn);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* Paused start (196), graceful destroy (234), shutdown returns. */
static void
testCreateFlags(void)
{
    virConnectPtr conn = openConn();
    virDomainPtr dom = defineGuest(conn, "flags1", 4);
    int state = -1;
    int reason = -1;

    g_assert_cmpint(virDomainCreateWithFlags(dom, VIR_DOMAIN_START_PAUSED),
                    ==, 0);
    g_assert_cmpint((int)virDomainGetID(dom), >, 0);
    g_assert_cmpint(virDomainGetState(dom, &state, &reason, 0), ==, 0);
    g_assert_cmpint(state, ==, VIR_DOMAIN_PAUSED);
    g_assert_cmpint(virConnectListAllDomains(conn, NULL,
                                             VIR_CONNECT_LIST_DOMAINS_PAUSED),
                    ==, 1);
    g_assert_cmpint(virDomainResume(dom), ==, 0);
    /* A diskless guest has no OS to act on ACPI: the request is sent. */
    g_assert_cmpint(virDomainShutdown(dom), ==, 0);
    g_assert_cmpint(virDomainDestroyFlags(dom, VIR_DOMAIN_DESTROY_GRACEFUL),
                    ==, 0);
    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* create-xml: a transient domain that goes when it stops. */
static void
testCreateXML(void)
{
    virConnectPtr conn = openConn();
    g_autofree char *xml = rpcDomTestXML(daemon_, "trans1", 5, 128);
    virDomainPtr dom = virDomainCreateXML(conn, xml, 0);
    unsigned char uuid[VIR_UUID_BUFLEN];

    g_assert_nonnull(dom);
    g_assert_cmpint((int)virDomainGetID(dom), >, 0);
    g_assert_cmpint(virDomainIsPersistent(dom), ==, 0);
    g_assert_cmpint(virConnectListAllDomains(conn, NULL,
                                             VIR_CONNECT_LIST_DOMAINS_TRANSIENT),
                    ==, 1);
    g_assert_cmpint(virDomainGetUUID(dom, uuid), ==, 0);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_null(virDomainLookupByUUID(conn, uuid));
    ASSERT_ERROR(VIR_ERR_NO_DOMAIN);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* Queries work read-only; changes are refused with OPERATION_DENIED. */
static void
testReadOnly(void)
{
    virConnectPtr rw = openConn();
    virConnectPtr ro = virConnectOpenReadOnly(daemon_->roUri);
    virDomainPtr dom = defineGuest(rw, "ro1", 6);
    virDomainPtr rodom;
    g_autofree char *xml = NULL;
    char *reply = NULL;

    g_assert_nonnull(ro);
    g_assert_nonnull((rodom = virDomainLookupByName(ro, "ro1")));
    g_assert_cmpint(virConnectListAllDomains(ro, NULL, 0), ==, 1);
    g_assert_nonnull((xml = virDomainGetXMLDesc(rodom, 0)));
    g_assert_null(virDomainGetXMLDesc(rodom, VIR_DOMAIN_XML_SECURE));
    ASSERT_ERROR(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainCreate(rodom), ==, -1);
    ASSERT_ERROR(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainUndefine(rodom), ==, -1);
    ASSERT_ERROR(VIR_ERR_OPERATION_DENIED);
    g_assert_null(virDomainDefineXML(ro, xml));
    ASSERT_ERROR(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainQemuMonitorCommand(rodom, "{}", &reply, 0), ==,
                    -1);
    ASSERT_ERROR(VIR_ERR_OPERATION_DENIED);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(rodom);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(ro), ==, 0);
    g_assert_cmpint(virConnectClose(rw), ==, 0);
}

/* What the driver lacks answers NO_SUPPORT. */
static void
testUnsupported(void)
{
    virConnectPtr conn = openConn();
    virDomainPtr dom = defineGuest(conn, "unsup1", 7);
    virDomainJobInfo job;

    g_assert_cmpint(virDomainGetJobInfo(dom, &job), ==, -1);
    ASSERT_ERROR(VIR_ERR_NO_SUPPORT);
    g_assert_cmpint(virDomainManagedSave(dom, 0), ==, -1);
    ASSERT_ERROR(VIR_ERR_NO_SUPPORT);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void
onClose(virConnectPtr conn, int reason, void *opaque)
{
}

/* The small ones: define with VALIDATE (350), no security driver (122),
 * no messages (426), close callbacks (360/361). */
static void
testMisc(void)
{
    virConnectPtr conn = openConn();
    g_autofree char *xml = rpcDomTestXML(daemon_, "misc1", 13, 128);
    virDomainPtr dom = virDomainDefineXMLFlags(conn, xml,
                                               VIR_DOMAIN_DEFINE_VALIDATE);
    virSecurityModel model;
    char **msgs = NULL;

    g_assert_nonnull(dom);
    g_assert_null(virDomainDefineXMLFlags(conn,
                                          "<domain type='kvm'><name>x</name>"
                                          "<bogus/></domain>",
                                          VIR_DOMAIN_DEFINE_VALIDATE));
    ASSERT_ERROR(VIR_ERR_XML_INVALID_SCHEMA);
    g_assert_cmpint(virNodeGetSecurityModel(conn, &model), ==, 0);
    g_assert_cmpstr(model.model, ==, "");
    g_assert_cmpstr(model.doi, ==, "");
    g_assert_cmpint(virDomainGetMessages(dom, &msgs, 0), ==, 0);
    g_assert_cmpint(virConnectRegisterCloseCallback(conn, onClose, NULL,
                                                    NULL), ==, 0);
    g_assert_cmpint(virConnectUnregisterCloseCallback(conn, onClose), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    g_assert_cmpint(virDomainGetMessages(dom, &msgs, 0), ==, -1);
    ASSERT_ERROR(VIR_ERR_NO_DOMAIN);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void
testDocuments(void)
{
    virConnectPtr conn = openConn();
    g_autofree char *xml = rpcDomTestXML(daemon_, "doc1", 8, 128);
    g_autofree char *caps = virConnectGetCapabilities(conn);
    g_autofree char *domcaps = virConnectGetDomainCapabilities(conn, NULL,
                                                               NULL, NULL,
                                                               NULL, 0);
    g_autofree char *argv = virConnectDomainXMLToNative(conn, "qemu-argv",
                                                        xml, 0);
    unsigned long ver = 0;

    g_assert_nonnull(caps);
    g_assert_nonnull(strstr(caps, "<os_type>hvm</os_type>"));
    g_assert_nonnull(domcaps);
    g_assert_nonnull(strstr(domcaps, "<domainCapabilities>"));
    g_assert_nonnull(argv);
    g_assert_nonnull(strstr(argv, "-name guest=doc1"));
    g_assert_null(virConnectDomainXMLToNative(conn, "xen-xm", xml, 0));
    ASSERT_ERROR(VIR_ERR_CONFIG_UNSUPPORTED);
    g_assert_null(virConnectGetDomainCapabilities(conn, NULL, NULL, NULL,
                                                  "lxc", 0));
    ASSERT_ERROR(VIR_ERR_INVALID_ARG);
    g_assert_cmpint(virConnectGetVersion(conn, &ver), ==, 0);
    g_assert_cmpuint(ver, >=, 7000000);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* ---- concurrency ---------------------------------------------------- */

typedef struct {
    virDomainPtr dom;
    gint stop;
    int failures;
    int calls;
} hammerData;

static gpointer
hammerQueries(gpointer opaque)
{
    hammerData *h = opaque;
    virConnectPtr conn = openConn();

    while (!g_atomic_int_get(&h->stop)) {
        virDomainPtr d = virDomainLookupByName(conn, "conc1");
        int state;
        int reason;

        if (!d || virDomainGetState(d, &state, &reason, 0) < 0 ||
            virConnectListAllDomains(conn, NULL, 0) < 1)
            h->failures++;
        h->calls++;
        if (d)
            virDomainFree(d);
    }
    virConnectClose(conn);
    return NULL;
}

/* Queries on four connections keep answering while another starts and
 * destroys the domain. */
static void
testConcurrent(void)
{
    virConnectPtr conn = openConn();
    virDomainPtr dom = defineGuest(conn, "conc1", 9);
    hammerData h[4] = { { 0 } };
    GThread *threads[4];
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        threads[i] = g_thread_new("hammer", hammerQueries, &h[i]);
    for (i = 0; i < 2; i++) {
        g_assert_cmpint(virDomainCreate(dom), ==, 0);
        g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    }
    for (i = 0; i < G_N_ELEMENTS(threads); i++) {
        g_atomic_int_set(&h[i].stop, 1);
        g_thread_join(threads[i]);
        g_assert_cmpint(h[i].failures, ==, 0);
        g_assert_cmpint(h[i].calls, >, 0);
    }
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

static void
rawSend(int fd, GBytes *bytes)
{
    gsize len;
    const void *data = g_bytes_get_data(bytes, &len);

    g_assert_cmpint(send(fd, data, len, MSG_NOSIGNAL), ==, (ssize_t)len);
}

/* Read (and drop) one frame. */
static void
rawReadFrame(int fd)
{
    guint32 len = 0;
    g_autofree guint8 *buf = NULL;

    g_assert_cmpint(recv(fd, &len, 4, MSG_WAITALL), ==, 4);
    len = GUINT32_FROM_BE(len);
    g_assert_cmpuint(len, >=, 28);
    g_assert_cmpuint(len, <, 65536);
    buf = g_malloc(len - 4);
    g_assert_cmpint(recv(fd, buf, len - 4, MSG_WAITALL), ==, len - 4);
}

/* A client that opens, sends DOMAIN_CREATE and hangs up at once: the
 * start completes, the daemon lives on. */
static void
testVanishMidCall(void)
{
    virConnectPtr conn = openConn();
    virDomainPtr dom = defineGuest(conn, "vanish1", 10);
    remote_connect_open_args open = { NULL, 0 };
    remote_domain_args create = { { (char *)"vanish1", { 0 }, -1 } };
    g_autoptr(GBytes) call1 = rpcTestCall(REMOTE_PROC_CONNECT_OPEN, 0,
                                          (xdrproc_t)xdr_remote_connect_open_args,
                                          &open);
    g_autoptr(GBytes) call2 = NULL;
    VGM_AUTOCLOSE int fd = vgmTestConnectUnix(daemon_->sock);
    gint64 end = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;

    g_assert_cmpint(virDomainGetUUID(dom, (unsigned char *)create.dom.uuid),
                    ==, 0);
    call2 = rpcTestCall(REMOTE_PROC_DOMAIN_CREATE, 1,
                        (xdrproc_t)xdr_remote_domain_args, &create);
    rawSend(fd, call1);
    rawReadFrame(fd);
    rawSend(fd, call2);
    close(vgmStealFD(&fd));
    while (virDomainIsActive(dom) != 1 && g_get_monotonic_time() < end)
        g_usleep(50000);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    g_assert_cmpint(virDomainUndefine(dom), ==, 0);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
}

/* --timeout: a session daemon stays while a guest runs, even without
 * clients, and exits once the guest is gone. */
static void
testTimeoutBusy(void)
{
    rpcDomTestDaemon *d = rpcDomTestDaemonNew(true);
    g_autofree char *xml = rpcDomTestXML(d, "busy1", 11, 128);
    virConnectPtr conn;
    virDomainPtr dom;
    int status;

    d->timeout = "1";
    rpcDomTestCleanupOnCrash(d);
    g_assert_true(rpcDomTestDaemonStart(d));
    g_assert_nonnull((conn = virConnectOpen(d->uri)));
    g_assert_nonnull((dom = virDomainCreateXML(conn, xml, 0)));
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    g_usleep(3 * G_USEC_PER_SEC);
    g_assert_cmpint(kill(d->pid, 0), ==, 0);
    g_assert_nonnull((conn = virConnectOpen(d->uri)));
    g_assert_nonnull((dom = virDomainLookupByName(conn, "busy1")));
    g_assert_cmpint(virDomainDestroy(dom), ==, 0);
    virDomainFree(dom);
    g_assert_cmpint(virConnectClose(conn), ==, 0);
    status = rpcDomTestDaemonWaitExit(d, 10000);
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    rpcDomTestDaemonFree(d, false);
    rpcDomTestCleanupOnCrash(daemon_);
}

int
main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    rpcTestClientInit();
    daemon_ = rpcDomTestDaemonNew(false);
    rpcDomTestCleanupOnCrash(daemon_);
    if (!rpcDomTestDaemonStart(daemon_)) {
        rpcDomTestDaemonFree(daemon_, true);
        return 1;
    }
    g_test_add_func("/rpcdom/lookup-errors", testLookupErrors);
    g_test_add_func("/rpcdom/define-undefine", testDefineUndefine);
    g_test_add_func("/rpcdom/lifecycle-events", testLifecycle);
    g_test_add_func("/rpcdom/guest-shutdown", testGuestShutdown);
    g_test_add_func("/rpcdom/create-flags", testCreateFlags);
    g_test_add_func("/rpcdom/create-xml", testCreateXML);
    g_test_add_func("/rpcdom/read-only", testReadOnly);
    g_test_add_func("/rpcdom/unsupported", testUnsupported);
    g_test_add_func("/rpcdom/misc", testMisc);
    g_test_add_func("/rpcdom/documents", testDocuments);
    g_test_add_func("/rpcdom/concurrent", testConcurrent);
    g_test_add_func("/rpcdom/vanish-mid-call", testVanishMidCall);
    g_test_add_func("/rpcdom/timeout-busy", testTimeoutBusy);
    rc = g_test_run();
    if (!rpcDomTestDaemonStop(daemon_)) {
        g_printerr("virtgmemd did not stop cleanly\n");
        rc = 1;
    }
    rpcDomTestDaemonFree(daemon_, rc != 0);
    return rc;
}

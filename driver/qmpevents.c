/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <signal.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "util/error.h"

/*
 * QMP events drive the state of a running domain.  The handlers run on
 * the driver thread: each takes the object lock to update the state,
 * save the status file and queue the lifecycle event, then acts (kill,
 * reset) without the lock.  A job that changes the state itself (start,
 * suspend, resume, destroy) owns the change; the handler leaves it alone.
 */

typedef enum {
    DRV_QMP_ACT_NONE,
    DRV_QMP_ACT_KILL,      /* SIGTERM: on_* = destroy */
    DRV_QMP_ACT_RESTART,   /* system_reset + cont: on_* = restart */
} drvQmpAction;

/* The object, locked, when the event belongs to its current monitor. */
static drvDomainObj *
drvQmpEventObj(qapiMonitor *mon, gpointer opaque)
{
    drvDomainObj *obj = opaque;

    g_mutex_lock(&obj->lock);
    if (!obj->rt || obj->rt->mon != mon || obj->rt->exited) {
        g_debug("domain '%s': event of an old monitor", obj->def->name);
        g_mutex_unlock(&obj->lock);
        return NULL;
    }
    return obj;
}

static bool
drvQmpJobOwnsState(drvDomainObj *obj)
{
    return obj->job == DRV_JOB_START || obj->job == DRV_JOB_SUSPEND ||
           obj->job == DRV_JOB_RESUME || obj->job == DRV_JOB_DESTROY ||
           obj->job == DRV_JOB_RECONNECT;
}

static void
drvQmpSaveStatus(drvDomainObj *obj)
{
    g_autoptr(GError) err = NULL;

    if (drvPersistSaveStatus(obj->drv, obj, &err) < 0)
        g_warning("%s", err->message);
}

static void
drvQmpIgnoreReply(qapiMonitor *mon, qapiJSON *reply, const GError *error,
                  gpointer opaque)
{
    if (error)
        g_debug("QMP %s failed: %s", (const char *)opaque, error->message);
    qapiJSONFree(reply);
}

static void
drvQmpSendAsync(drvDriver *drv, qapiMonitor *mon, const char *name)
{
    g_autoptr(qapiJSON) cmd = qapiMonitorMakeCommand(name, NULL);
    g_autoptr(GError) err = NULL;

    if (qapiMonitorSend(mon, &cmd, drv->timeouts.monitor, drvQmpIgnoreReply,
                        (gpointer)name, &err) < 0)
        g_debug("QMP %s failed: %s", name, err->message);
}

static void
drvQmpAct(drvDomainObj *obj, qapiMonitor *mon, drvQmpAction act)
{
    g_autoptr(GError) err = NULL;

    if (act == DRV_QMP_ACT_KILL) {
        if (drvProcessKill(obj, SIGTERM, &err) < 0)
            g_warning("%s", err->message);
    } else if (act == DRV_QMP_ACT_RESTART) {
        drvQmpSendAsync(obj->drv, mon, "system_reset");
        drvQmpSendAsync(obj->drv, mon, "cont");
    }
}

static void
drvQmpHandleStop(qapiMonitor *mon, const char *name, gint64 seconds,
                 gint64 micros, const qapiJSON *data, gpointer opaque)
{
    drvDomainObj *obj = drvQmpEventObj(mon, opaque);
    int reason = VIR_DOMAIN_PAUSED_UNKNOWN;

    if (!obj)
        return;
    if (obj->state == VIR_DOMAIN_RUNNING && !drvQmpJobOwnsState(obj)) {
        if (obj->rt->stopCause == DRV_STOP_SHUTDOWN)
            reason = VIR_DOMAIN_PAUSED_SHUTTING_DOWN;
        drvDomainObjSetState(obj, VIR_DOMAIN_PAUSED, reason);
        drvQmpSaveStatus(obj);
        drvEventEmit(obj->drv, obj, VIR_DOMAIN_EVENT_SUSPENDED,
                     VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    }
    g_mutex_unlock(&obj->lock);
}

static void
drvQmpHandleResume(qapiMonitor *mon, const char *name, gint64 seconds,
                   gint64 micros, const qapiJSON *data, gpointer opaque)
{
    drvDomainObj *obj = drvQmpEventObj(mon, opaque);

    if (!obj)
        return;
    if (obj->state != VIR_DOMAIN_RUNNING && !drvQmpJobOwnsState(obj)) {
        obj->rt->stopCause = DRV_STOP_NONE;
        drvDomainObjSetState(obj, VIR_DOMAIN_RUNNING,
                             VIR_DOMAIN_RUNNING_UNPAUSED);
        drvQmpSaveStatus(obj);
        drvEventEmit(obj->drv, obj, VIR_DOMAIN_EVENT_RESUMED,
                     VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    }
    g_mutex_unlock(&obj->lock);
}

static drvQmpAction
drvQmpLifecycleAction(confDomainLifecycle action)
{
    switch (action) {
    case CONF_DOMAIN_LIFECYCLE_RESTART:
    case CONF_DOMAIN_LIFECYCLE_RENAME_RESTART:
        return DRV_QMP_ACT_RESTART;
    case CONF_DOMAIN_LIFECYCLE_PRESERVE:
        return DRV_QMP_ACT_NONE;
    default:
        return DRV_QMP_ACT_KILL;
    }
}

static void
drvQmpHandleShutdown(qapiMonitor *mon, const char *name, gint64 seconds,
                     gint64 micros, const qapiJSON *data, gpointer opaque)
{
    drvDomainObj *obj = drvQmpEventObj(mon, opaque);
    const char *why = data ? qapiJSONObjectGetString(data, "reason") : NULL;
    bool guest = false;
    drvQmpAction act = DRV_QMP_ACT_NONE;

    if (!obj)
        return;
    if (data)
        qapiJSONObjectGetBool(data, "guest", &guest);
    g_debug("domain '%s': SHUTDOWN guest=%d reason=%s", obj->def->name,
            guest, why ? why : "-");
    /* Our SIGTERM after a guest poweroff (or a reset with on_reboot=destroy)
     * makes QEMU report a host shutdown too: one shutdown, one event. */
    if (obj->rt->stopCause == DRV_STOP_SHUTDOWN) {
        g_debug("domain '%s': repeated SHUTDOWN ignored", obj->def->name);
        g_mutex_unlock(&obj->lock);
        return;
    }
    if (obj->rt->stopCause == DRV_STOP_NONE)
        obj->rt->stopCause = DRV_STOP_SHUTDOWN;
    drvEventEmit(obj->drv, obj, VIR_DOMAIN_EVENT_SHUTDOWN,
                 guest ? VIR_DOMAIN_EVENT_SHUTDOWN_GUEST :
                 VIR_DOMAIN_EVENT_SHUTDOWN_HOST);
    if (guest && g_strcmp0(why, "guest-reset") == 0)
        act = drvQmpLifecycleAction(obj->def->onReboot);
    else if (guest)
        act = drvQmpLifecycleAction(obj->def->onPoweroff);
    if (act == DRV_QMP_ACT_RESTART)
        obj->rt->stopCause = DRV_STOP_NONE;
    g_mutex_unlock(&obj->lock);
    drvQmpAct(obj, mon, act);
}

static void
drvQmpHandleReset(qapiMonitor *mon, const char *name, gint64 seconds,
                  gint64 micros, const qapiJSON *data, gpointer opaque)
{
    drvDomainObj *obj = drvQmpEventObj(mon, opaque);
    drvQmpAction act = DRV_QMP_ACT_NONE;

    if (!obj)
        return;
    drvEventEmitReboot(obj->drv, obj);
    /* QEMU reboots by itself; on_reboot=destroy stops it instead. */
    if (obj->def->onReboot == CONF_DOMAIN_LIFECYCLE_DESTROY) {
        obj->rt->stopCause = DRV_STOP_SHUTDOWN;
        act = DRV_QMP_ACT_KILL;
    }
    g_mutex_unlock(&obj->lock);
    drvQmpAct(obj, mon, act);
}

static void
drvQmpHandlePowerdown(qapiMonitor *mon, const char *name, gint64 seconds,
                      gint64 micros, const qapiJSON *data, gpointer opaque)
{
    drvDomainObj *obj = opaque;

    g_debug("domain '%s': ACPI power button pressed", obj->def->name);
}

static drvQmpAction
drvQmpCrashAction(confDomainCrash action)
{
    switch (action) {
    case CONF_DOMAIN_CRASH_RESTART:
    case CONF_DOMAIN_CRASH_RENAME_RESTART:
    case CONF_DOMAIN_CRASH_COREDUMP_RESTART:
        return DRV_QMP_ACT_RESTART;
    case CONF_DOMAIN_CRASH_PRESERVE:
        return DRV_QMP_ACT_NONE;
    default:
        return DRV_QMP_ACT_KILL;
    }
}

static void
drvQmpHandlePanic(qapiMonitor *mon, const char *name, gint64 seconds,
                  gint64 micros, const qapiJSON *data, gpointer opaque)
{
    drvDomainObj *obj = drvQmpEventObj(mon, opaque);
    drvQmpAction act;

    if (!obj)
        return;
    act = drvQmpCrashAction(obj->def->onCrash);
    drvEventEmit(obj->drv, obj, VIR_DOMAIN_EVENT_CRASHED,
                 VIR_DOMAIN_EVENT_CRASHED_PANICKED);
    if (act == DRV_QMP_ACT_KILL) {
        obj->rt->stopCause = DRV_STOP_CRASHED;
    } else if (act == DRV_QMP_ACT_NONE) {
        drvDomainObjSetState(obj, VIR_DOMAIN_CRASHED,
                             VIR_DOMAIN_CRASHED_PANICKED);
        drvQmpSaveStatus(obj);
    }
    g_mutex_unlock(&obj->lock);
    drvQmpAct(obj, mon, act);
}

static void
drvQmpHandleEOF(qapiMonitor *mon, const GError *error, gpointer opaque)
{
    drvDomainObj *obj = opaque;

    /* The pidfd watch turns the exit into shutoff. */
    g_debug("domain '%s': monitor closed: %s", obj->def->name,
            error->message);
}

/* Events the driver does not act on (RTC_CHANGE, ...): quietly dropped. */
static void
drvQmpHandleOther(qapiMonitor *mon, const char *name, gint64 seconds,
                  gint64 micros, const qapiJSON *data, gpointer opaque)
{
}

/* Sorted by name for bsearch. */
static const qapiMonitorEventHandler drvQmpEventTable[] = {
    { "GUEST_PANICKED", drvQmpHandlePanic },
    { "POWERDOWN", drvQmpHandlePowerdown },
    { "RESET", drvQmpHandleReset },
    { "RESUME", drvQmpHandleResume },
    { "SHUTDOWN", drvQmpHandleShutdown },
    { "STOP", drvQmpHandleStop },
};

/* Driver thread: route @mon's events to @obj (borrowed; see Detach). */
void
drvQmpEventHandlersSet(qapiMonitor *mon, drvDomainObj *obj)
{
    qapiMonitorSetEOFHandler(mon, drvQmpHandleEOF, obj);
    qapiMonitorSetEventHandlers(mon, drvQmpEventTable,
                                G_N_ELEMENTS(drvQmpEventTable),
                                drvQmpHandleOther, obj);
}

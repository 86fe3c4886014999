/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <signal.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The domain calls of the driver API.  Each finds the object, locks it,
 * takes a job when it changes anything and drops the lock only inside
 * driver/process.c and the monitor calls.  Queries take no job.
 */

/* libvirt's virCheckFlags: anything outside @allowed is refused. */
static int
drvCheckFlags(unsigned int flags, unsigned int allowed, const char *func,
              GError **error)
{
    if (!(flags & ~allowed))
        return 0;
    g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                _("unsupported flags (0x%1$x) in function %2$s"),
                flags & ~allowed, func);
    return -1;
}

/* A new reference to the domain with @uuid, or NULL with @error set. */
static drvDomainObj *
drvDomainGet(drvDriver *drv, const unsigned char *uuid, GError **error)
{
    drvDomainObj *obj = drvDomainListFindByUUID(drv->domains, uuid);

    if (!obj)
        drvDomainNoSuchUUID(uuid, error);
    return obj;
}

static int
drvDomainCheckActive(drvDomainObj *obj, GError **error)
{
    if (drvDomainObjIsActive(obj) && obj->rt)
        return 0;
    g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_INVALID,
                _("domain '%1$s' is not running"), obj->def->name);
    return -1;
}

static int
drvDomainCheckInactive(drvDomainObj *obj, GError **error)
{
    if (!drvDomainObjIsActive(obj))
        return 0;
    g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_INVALID,
                _("domain '%1$s' is already running"), obj->def->name);
    return -1;
}

static drvDomainRef *
drvDomainRefFromObj(drvDomainObj *obj)
{
    drvDomainRef *ref = g_new0(drvDomainRef, 1);

    ref->name = g_strdup(obj->def->name);
    memcpy(ref->uuid, obj->def->uuid, VIR_UUID_BUFLEN);
    ref->id = obj->def->id;
    return ref;
}

/* ---- define / undefine ---- */

static int
drvDomainCheckSameName(drvDomainObj *obj, const confDomainDef *def,
                       GError **error)
{
    g_autofree char *uuid = NULL;

    if (g_str_equal(obj->def->name, def->name))
        return 0;
    uuid = drvUUIDFormat(def->uuid);
    g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                _("the domain with uuid '%1$s' is named '%2$s', not '%3$s'"),
                uuid, obj->def->name, def->name);
    return -1;
}

static drvDomainRef *
drvDomainDefineNew(drvDriver *drv, confDomainDef *def, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvDomainObjNew(def);
    g_autoptr(GMutexLocker) locker = NULL;

    obj->drv = drv;
    obj->persistent = true;
    if (drvDomainListAdd(drv->domains, obj, error) < 0)
        return NULL;
    locker = g_mutex_locker_new(&obj->lock);
    if (drvPersistSaveConfig(drv, obj->def, error) < 0) {
        drvDomainListRemove(drv->domains, obj);
        return NULL;
    }
    drvEventEmit(drv, obj, VIR_DOMAIN_EVENT_DEFINED,
                 VIR_DOMAIN_EVENT_DEFINED_ADDED);
    return drvDomainRefFromObj(obj);
}

static drvDomainRef *
drvDomainDefineExisting(drvDriver *drv, drvDomainObj *obj,
                        confDomainDef **def, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);
    drvDomainRef *ref = NULL;

    if (drvDomainCheckSameName(obj, *def, error) < 0 ||
        drvDomainJobBegin(obj, DRV_JOB_DEFINE, drv->timeouts.job, error) < 0)
        return NULL;
    if (drvPersistSaveConfig(drv, *def, error) == 0) {
        if (drvDomainObjIsActive(obj)) {
            confDomainDefFree(obj->newDef);
            obj->newDef = g_steal_pointer(def);
        } else {
            confDomainDefFree(obj->def);
            obj->def = g_steal_pointer(def);
            obj->def->id = -1;
        }
        obj->persistent = true;
        drvEventEmit(drv, obj, VIR_DOMAIN_EVENT_DEFINED,
                     VIR_DOMAIN_EVENT_DEFINED_UPDATED);
        ref = drvDomainRefFromObj(obj);
    }
    drvDomainJobEnd(obj);
    return ref;
}

/**
 * drvDomainDefineXML:
 * @drv: the driver
 * @xml: a domain definition
 * @flags: none supported yet (0)
 * @error: return location for a GError
 *
 * Adds or replaces a persistent definition.  The file is replaced
 * atomically; an XML that does not parse or a failed write leaves the
 * old definition in place, on disk and in memory.
 *
 * Returns: (transfer full): the domain, or NULL with @error set.
 */
drvDomainRef *
drvDomainDefineXML(drvDriver *drv, const char *xml, unsigned int flags,
                   GError **error)
{
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(drvDomainObj) obj = NULL;
    g_autoptr(drvDomainObj) other = NULL;

    if (drvCheckFlags(flags, 0, __func__, error) < 0 ||
        !(def = confDomainDefParseString(xml, NULL, 0, error)))
        return NULL;
    obj = drvDomainListFindByUUID(drv->domains, def->uuid);
    other = drvDomainListFindByName(drv->domains, def->name);
    if (other && other != obj) {
        g_autofree char *uuid = drvUUIDFormat(other->def->uuid);

        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("domain '%1$s' already exists with uuid '%2$s'"),
                    def->name, uuid);
        return NULL;
    }
    if (!obj)
        return drvDomainDefineNew(drv, g_steal_pointer(&def), error);
    return drvDomainDefineExisting(drv, obj, &def, error);
}

/**
 * drvDomainUndefine:
 * @drv: the driver
 * @uuid: the domain
 * @flags: none supported yet (0)
 * @error: return location for a GError
 *
 * Removes the definition; a running domain becomes transient.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvDomainUndefine(drvDriver *drv, const unsigned char *uuid,
                  unsigned int flags, GError **error)
{
    g_autoptr(drvDomainObj) obj = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    int ret = -1;

    if (drvCheckFlags(flags, 0, __func__, error) < 0 ||
        !(obj = drvDomainGet(drv, uuid, error)))
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    if (!obj->persistent) {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot undefine transient domain '%1$s'"),
                    obj->def->name);
        return -1;
    }
    if (drvDomainJobBegin(obj, DRV_JOB_UNDEFINE, drv->timeouts.job,
                          error) < 0)
        return -1;
    if (drvPersistDeleteConfig(drv, obj->def->name, error) == 0) {
        obj->persistent = false;
        obj->autostart = false;
        g_clear_pointer(&obj->newDef, confDomainDefFree);
        drvEventEmit(drv, obj, VIR_DOMAIN_EVENT_UNDEFINED,
                     VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
        if (!drvDomainObjIsActive(obj))
            drvDomainListRemove(drv->domains, obj);
        ret = 0;
    }
    drvDomainJobEnd(obj);
    return ret;
}

/* ---- start / stop ---- */

static int
drvDomainStartLocked(drvDriver *drv, drvDomainObj *obj, unsigned int flags,
                     GError **error)
{
    int rc;

    if (drvDomainJobBegin(obj, DRV_JOB_START, drv->timeouts.job, error) < 0)
        return -1;
    rc = drvDomainCheckInactive(obj, error);
    if (rc == 0)
        rc = drvProcessStart(drv, obj, flags & VIR_DOMAIN_START_PAUSED,
                             VIR_DOMAIN_RUNNING_BOOTED, error);
    drvDomainJobEnd(obj);
    return rc;
}

/**
 * drvDomainCreate:
 * @drv: the driver
 * @uuid: a defined, inactive domain
 * @flags: VIR_DOMAIN_START_PAUSED
 * @error: return location for a GError
 *
 * Returns: 0 once QEMU runs (or is paused), or -1 with @error set.
 */
int
drvDomainCreate(drvDriver *drv, const unsigned char *uuid,
                unsigned int flags, GError **error)
{
    g_autoptr(drvDomainObj) obj = NULL;
    g_autoptr(GMutexLocker) locker = NULL;

    if (drvCheckFlags(flags, VIR_DOMAIN_START_PAUSED, __func__, error) < 0 ||
        !(obj = drvDomainGet(drv, uuid, error)))
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    return drvDomainStartLocked(drv, obj, flags, error);
}

/**
 * drvDomainCreateXML:
 * @drv: the driver
 * @xml: a domain definition
 * @flags: VIR_DOMAIN_START_PAUSED
 * @error: return location for a GError
 *
 * Starts a transient domain: it disappears when it stops.
 *
 * Returns: (transfer full): the domain, or NULL with @error set.
 */
drvDomainRef *
drvDomainCreateXML(drvDriver *drv, const char *xml, unsigned int flags,
                   GError **error)
{
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(drvDomainObj) obj = NULL;
    g_autoptr(GMutexLocker) locker = NULL;

    if (drvCheckFlags(flags, VIR_DOMAIN_START_PAUSED, __func__, error) < 0 ||
        !(def = confDomainDefParseString(xml, NULL, 0, error)))
        return NULL;
    obj = drvDomainObjNew(g_steal_pointer(&def));
    obj->drv = drv;
    if (drvDomainListAdd(drv->domains, obj, error) < 0)
        return NULL;
    locker = g_mutex_locker_new(&obj->lock);
    if (drvDomainStartLocked(drv, obj, flags, error) < 0) {
        drvDomainListRemove(drv->domains, obj);
        return NULL;
    }
    return drvDomainRefFromObj(obj);
}

/**
 * drvDomainDestroy:
 * @drv: the driver
 * @uuid: a running domain
 * @flags: VIR_DOMAIN_DESTROY_GRACEFUL (SIGTERM only, longer wait)
 * @error: return location for a GError
 *
 * SIGTERM goes out before waiting for the job, so a job stuck on QEMU
 * ends at once.
 *
 * Returns: 0 once the domain is shutoff, or -1 with @error set.
 */
int
drvDomainDestroy(drvDriver *drv, const unsigned char *uuid,
                 unsigned int flags, GError **error)
{
    g_autoptr(drvDomainObj) obj = NULL;
    g_autoptr(GMutexLocker) locker = NULL;
    int rc = 0;

    if (drvCheckFlags(flags, VIR_DOMAIN_DESTROY_GRACEFUL, __func__,
                      error) < 0 ||
        !(obj = drvDomainGet(drv, uuid, error)))
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    if (drvDomainCheckActive(obj, error) < 0)
        return -1;
    obj->rt->stopCause = DRV_STOP_DESTROYED;
    if (drvProcessKill(obj, SIGTERM, error) < 0 ||
        drvDomainJobBegin(obj, DRV_JOB_DESTROY, drv->timeouts.job,
                          error) < 0)
        return -1;
    if (obj->rt)
        rc = drvProcessStop(drv, obj, flags & VIR_DOMAIN_DESTROY_GRACEFUL,
                            error);
    drvDomainJobEnd(obj);
    return rc;
}

/* A job that sends one QMP command to a running domain. */
static int
drvDomainMonitorJob(drvDriver *drv, drvDomainObj *obj, drvJob job,
                    const char *cmd, GError **error)
{
    int rc;

    if (drvDomainJobBegin(obj, job, drv->timeouts.job, error) < 0)
        return -1;
    rc = drvDomainCheckActive(obj, error);
    if (rc == 0) {
        g_mutex_unlock(&obj->lock);
        rc = drvQmpCommand(drv, obj, cmd, NULL, error);
        g_mutex_lock(&obj->lock);
    }
    /* A guest may power off or reboot into shutoff before we look again:
     * that is the point of shutdown and reboot, not a failure. */
    if (rc == 0 && !obj->rt && job != DRV_JOB_SHUTDOWN &&
        job != DRV_JOB_REBOOT) {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("domain '%1$s' stopped during '%2$s'"),
                    obj->def->name, cmd);
        rc = -1;
    }
    if (rc < 0)
        drvDomainJobEnd(obj);
    return rc;
}

/**
 * drvDomainShutdown:
 * @drv: the driver
 * @uuid: a running domain
 * @flags: 0 or VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN (the same thing)
 * @error: return location for a GError
 *
 * Presses the ACPI power button (system_powerdown) and returns; the
 * guest's SHUTDOWN event then stops the domain as on_poweroff says.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvDomainShutdown(drvDriver *drv, const unsigned char *uuid,
                  unsigned int flags, GError **error)
{
    g_autoptr(drvDomainObj) obj = NULL;
    g_autoptr(GMutexLocker) locker = NULL;

    if (drvCheckFlags(flags, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN, __func__,
                      error) < 0 ||
        !(obj = drvDomainGet(drv, uuid, error)))
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    if (drvDomainMonitorJob(drv, obj, DRV_JOB_SHUTDOWN, "system_powerdown",
                            error) < 0)
        return -1;
    drvDomainJobEnd(obj);
    return 0;
}

/**
 * drvDomainReboot:
 * @drv: the driver
 * @uuid: a running domain
 * @flags: VIR_DOMAIN_REBOOT_DEFAULT (0): the hypervisor's choice, here a
 *         machine reset (system_reset); ACPI and agent reboots are not
 *         implemented
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvDomainReboot(drvDriver *drv, const unsigned char *uuid,
                unsigned int flags, GError **error)
{
    g_autoptr(drvDomainObj) obj = NULL;
    g_autoptr(GMutexLocker) locker = NULL;

    if (drvCheckFlags(flags, 0, __func__, error) < 0 ||
        !(obj = drvDomainGet(drv, uuid, error)))
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    if (drvDomainMonitorJob(drv, obj, DRV_JOB_REBOOT, "system_reset",
                            error) < 0)
        return -1;
    drvDomainJobEnd(obj);
    return 0;
}

/* Locked, job held: record a state change made by a job. */
static void
drvDomainJobSetState(drvDriver *drv, drvDomainObj *obj,
                     virDomainState state, int reason, int event)
{
    g_autoptr(GError) err = NULL;

    drvDomainObjSetState(obj, state, reason);
    if (drvPersistSaveStatus(drv, obj, &err) < 0)
        g_warning("%s", err->message);
    drvEventEmit(drv, obj, event, 0);
}

/**
 * drvDomainSuspend:
 * @drv: the driver
 * @uuid: a running domain
 * @error: return location for a GError
 *
 * Pauses the vCPUs (QMP stop); a paused domain stays paused.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvDomainSuspend(drvDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvDomainGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    if (drvDomainCheckActive(obj, error) < 0)
        return -1;
    if (obj->state == VIR_DOMAIN_PAUSED)
        return 0;
    if (drvDomainMonitorJob(drv, obj, DRV_JOB_SUSPEND, "stop", error) < 0)
        return -1;
    drvDomainJobSetState(drv, obj, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER,
                         VIR_DOMAIN_EVENT_SUSPENDED);
    drvDomainJobEnd(obj);
    return 0;
}

/**
 * drvDomainResume:
 * @drv: the driver
 * @uuid: a paused domain
 * @error: return location for a GError
 *
 * Runs the vCPUs again (QMP cont).
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvDomainResume(drvDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvDomainGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    if (drvDomainCheckActive(obj, error) < 0)
        return -1;
    if (obj->state != VIR_DOMAIN_PAUSED) {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("domain '%1$s' is not paused"), obj->def->name);
        return -1;
    }
    if (drvDomainMonitorJob(drv, obj, DRV_JOB_RESUME, "cont", error) < 0)
        return -1;
    drvDomainJobSetState(drv, obj, VIR_DOMAIN_RUNNING,
                         VIR_DOMAIN_RUNNING_UNPAUSED,
                         VIR_DOMAIN_EVENT_RESUMED);
    drvDomainJobEnd(obj);
    return 0;
}

/**
 * drvDomainQemuMonitorCommand:
 * @drv: the driver
 * @uuid: a running domain
 * @cmd: a QMP command as JSON text
 * @flags: 0 (VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP is not supported)
 * @error: return location for a GError
 *
 * Returns: (transfer full): QEMU's reply as JSON text (also an
 * {"error": ...} reply), or NULL with @error set.
 */
char *
drvDomainQemuMonitorCommand(drvDriver *drv, const unsigned char *uuid,
                            const char *cmd, unsigned int flags,
                            GError **error)
{
    g_autoptr(drvDomainObj) obj = drvDomainGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;
    char *reply = NULL;
    int rc;

    if (!obj)
        return NULL;
    if (flags != 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("unsupported flags (0x%1$x) for qemu-monitor-command"),
                    flags);
        return NULL;
    }
    locker = g_mutex_locker_new(&obj->lock);
    if (drvDomainJobBegin(obj, DRV_JOB_QMP, drv->timeouts.job, error) < 0)
        return NULL;
    rc = drvDomainCheckActive(obj, error);
    if (rc == 0) {
        g_mutex_unlock(&obj->lock);
        rc = drvQmpCommand(drv, obj, cmd, &reply, error);
        g_mutex_lock(&obj->lock);
    }
    drvDomainJobEnd(obj);
    return reply;
}

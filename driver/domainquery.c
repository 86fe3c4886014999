/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Queries: state, info, XML, the filtered list and autostart.  They take
 * the object lock only, never a job, so they answer while a long job runs.
 */

static drvDomainObj *
drvQueryGet(drvDriver *drv, const unsigned char *uuid, GError **error)
{
    drvDomainObj *obj = drvDomainListFindByUUID(drv->domains, uuid);

    if (!obj)
        drvDomainNoSuchUUID(uuid, error);
    return obj;
}

/**
 * drvDomainGetState:
 * @drv: the driver
 * @uuid: the domain
 * @state: where the virDomainState goes
 * @reason: where its reason goes, or NULL
 * @error: return location for a GError
 *
 * Never waits for a job.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvDomainGetState(drvDriver *drv, const unsigned char *uuid, int *state,
                  int *reason, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvQueryGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    *state = obj->state;
    if (reason)
        *reason = obj->reason;
    return 0;
}

/**
 * drvDomainGetInfo:
 * @drv: the driver
 * @uuid: the domain
 * @info: filled like virDomainGetInfo() does (memory in KiB, CPU time in
 *        ns from /proc/PID/stat)
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvDomainGetInfo(drvDriver *drv, const unsigned char *uuid,
                 virDomainInfo *info, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvQueryGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;
    unsigned long long cpu = 0;

    if (!obj)
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    memset(info, 0, sizeof(*info));
    info->state = obj->state;
    info->maxMem = obj->def->memory;
    info->memory = obj->def->currentMemory ? obj->def->currentMemory :
                   obj->def->memory;
    info->nrVirtCpu = obj->def->vcpusCurrent ? obj->def->vcpusCurrent :
                      obj->def->vcpus;
    if (obj->rt && !obj->rt->exited &&
        drvProcessReadCPUTime(obj->rt->pid, &cpu) == 0)
        info->cpuTime = cpu;
    return 0;
}

/**
 * drvDomainGetXMLDesc:
 * @drv: the driver
 * @uuid: the domain
 * @flags: virDomainXMLFlags; VIR_DOMAIN_XML_INACTIVE gives the definition
 *         the next start uses
 * @error: return location for a GError
 *
 * Returns: (transfer full): the XML, or NULL with @error set.
 */
char *
drvDomainGetXMLDesc(drvDriver *drv, const unsigned char *uuid,
                    unsigned int flags, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvQueryGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return NULL;
    locker = g_mutex_locker_new(&obj->lock);
    if (flags & VIR_DOMAIN_XML_INACTIVE)
        return confDomainDefFormat(drvDomainObjPersistentDef(obj), flags);
    return confDomainDefFormat(obj->def, flags);
}

/* Does @obj (locked) pass the virConnectListAllDomainsFlags filter? */
static bool
drvQueryFilterGroup(unsigned int flags, unsigned int yes, unsigned int no,
                    bool value)
{
    if (!(flags & (yes | no)) || (flags & (yes | no)) == (yes | no))
        return true;
    return value ? (flags & yes) != 0 : (flags & no) != 0;
}

static bool
drvQueryFilterState(unsigned int flags, virDomainState state)
{
    unsigned int all = VIR_CONNECT_LIST_DOMAINS_RUNNING |
                       VIR_CONNECT_LIST_DOMAINS_PAUSED |
                       VIR_CONNECT_LIST_DOMAINS_SHUTOFF |
                       VIR_CONNECT_LIST_DOMAINS_OTHER;

    if (!(flags & all))
        return true;
    switch (state) {
    case VIR_DOMAIN_RUNNING:
        return flags & VIR_CONNECT_LIST_DOMAINS_RUNNING;
    case VIR_DOMAIN_PAUSED:
        return flags & VIR_CONNECT_LIST_DOMAINS_PAUSED;
    case VIR_DOMAIN_SHUTOFF:
        return flags & VIR_CONNECT_LIST_DOMAINS_SHUTOFF;
    default:
        return flags & VIR_CONNECT_LIST_DOMAINS_OTHER;
    }
}

static bool
drvQueryMatches(drvDomainObj *obj, unsigned int flags)
{
    return drvQueryFilterGroup(flags, VIR_CONNECT_LIST_DOMAINS_ACTIVE,
                               VIR_CONNECT_LIST_DOMAINS_INACTIVE,
                               drvDomainObjIsActive(obj)) &&
           drvQueryFilterGroup(flags, VIR_CONNECT_LIST_DOMAINS_PERSISTENT,
                               VIR_CONNECT_LIST_DOMAINS_TRANSIENT,
                               obj->persistent) &&
           drvQueryFilterGroup(flags, VIR_CONNECT_LIST_DOMAINS_AUTOSTART,
                               VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART,
                               obj->autostart) &&
           drvQueryFilterGroup(flags, VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE,
                               VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE,
                               false) &&
           drvQueryFilterGroup(flags, VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT,
                               VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT, false) &&
           drvQueryFilterGroup(flags,
                               VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT,
                               VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT,
                               false) &&
           drvQueryFilterState(flags, obj->state);
}

#define DRV_LIST_ALL_FLAGS \
    (VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE | \
     VIR_CONNECT_LIST_DOMAINS_PERSISTENT | \
     VIR_CONNECT_LIST_DOMAINS_TRANSIENT | \
     VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_PAUSED | \
     VIR_CONNECT_LIST_DOMAINS_SHUTOFF | VIR_CONNECT_LIST_DOMAINS_OTHER | \
     VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE | \
     VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE | \
     VIR_CONNECT_LIST_DOMAINS_AUTOSTART | \
     VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART | \
     VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT | \
     VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT | \
     VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT | \
     VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT)

static gint
drvQueryCompareRefs(gconstpointer a, gconstpointer b)
{
    const drvDomainRef *ra = *(drvDomainRef *const *)a;
    const drvDomainRef *rb = *(drvDomainRef *const *)b;

    return g_strcmp0(ra->name, rb->name);
}

/**
 * drvConnectListAllDomains:
 * @drv: the driver
 * @flags: virConnectListAllDomainsFlags; groups combine with AND, the
 *         flags inside a group with OR, as in libvirt
 * @error: return location for a VIR_ERR_INVALID_ARG error
 *
 * Returns: (transfer full): drvDomainRef items sorted by name, or NULL
 * with @error set.
 */
GPtrArray *
drvConnectListAllDomains(drvDriver *drv, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) all = NULL;
    GPtrArray *out;
    size_t i;

    if (flags & ~DRV_LIST_ALL_FLAGS) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported flags (0x%1$x) for listing domains"),
                    flags & ~DRV_LIST_ALL_FLAGS);
        return NULL;
    }
    all = drvDomainListSnapshot(drv->domains);
    out = g_ptr_array_new_with_free_func((GDestroyNotify)drvDomainRefFree);
    for (i = 0; i < all->len; i++) {
        drvDomainObj *obj = g_ptr_array_index(all, i);
        g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);
        drvDomainRef *ref;

        if (obj->removed || !drvQueryMatches(obj, flags))
            continue;
        ref = g_new0(drvDomainRef, 1);
        ref->name = g_strdup(obj->def->name);
        memcpy(ref->uuid, obj->def->uuid, VIR_UUID_BUFLEN);
        ref->id = obj->def->id;
        g_ptr_array_add(out, ref);
    }
    g_ptr_array_sort(out, drvQueryCompareRefs);
    return out;
}

/**
 * drvDomainGetAutostart:
 * @drv: the driver
 * @uuid: the domain
 * @autostart: where the flag goes
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
/**
 * drvDomainIsActive:
 * @drv: the driver
 * @uuid: the domain
 * @error: return location for a GError
 *
 * Returns: 1 when the domain runs (or is paused), 0 when it is shut off,
 * -1 with @error set.
 */
int
drvDomainIsActive(drvDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvQueryGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    return drvDomainObjIsActive(obj) ? 1 : 0;
}

/**
 * drvDomainIsPersistent:
 * @drv: the driver
 * @uuid: the domain
 * @error: return location for a GError
 *
 * Returns: 1 when the domain has a definition, 0 when it is transient,
 * -1 with @error set.
 */
int
drvDomainIsPersistent(drvDriver *drv, const unsigned char *uuid,
                      GError **error)
{
    g_autoptr(drvDomainObj) obj = drvQueryGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    return obj->persistent ? 1 : 0;
}

int
drvDomainGetAutostart(drvDriver *drv, const unsigned char *uuid,
                      bool *autostart, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvQueryGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    *autostart = obj->autostart;
    return 0;
}

/**
 * drvDomainSetAutostart:
 * @drv: the driver
 * @uuid: a persistent domain
 * @autostart: whether the next driver open starts it
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvDomainSetAutostart(drvDriver *drv, const unsigned char *uuid,
                      bool autostart, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvQueryGet(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return -1;
    locker = g_mutex_locker_new(&obj->lock);
    if (!obj->persistent) {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_INVALID,
                    _("cannot set autostart for transient domain '%1$s'"),
                    obj->def->name);
        return -1;
    }
    if (drvPersistSetAutostart(drv, obj->def->name, autostart, error) < 0)
        return -1;
    obj->autostart = autostart;
    return 0;
}

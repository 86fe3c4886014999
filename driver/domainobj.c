/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <unistd.h>

#include "driver/domainobj.h"
#include "util/error.h"
#include "util/i18n.h"

VGM_ENUM_IMPL(drvJob, DRV_JOB_LAST,
              "none", "start", "destroy", "shutdown", "reboot", "suspend",
              "resume", "define", "undefine", "qemu-monitor-command",
              "reconnect", "autostart");

VGM_ENUM_IMPL(drvDomainState, VIR_DOMAIN_PMSUSPENDED + 1,
              "nostate", "running", "blocked", "paused", "shutdown",
              "shutoff", "crashed", "pmsuspended");

/* Reason names per state, as virsh domstate --reason prints them. */
static const char *const drvRunningReasons[] = {
    "unknown", "booted", "migrated", "restored", "from snapshot",
    "unpaused", "migration canceled", "save canceled", "event wakeup",
    "crashed", "post-copy", "post-copy failed",
};
static const char *const drvPausedReasons[] = {
    "unknown", "user", "migrating", "saving", "dumping", "ioerror",
    "watchdog", "from snapshot", "shutting down", "creating snapshot",
    "crashed", "starting up", "post-copy", "post-copy failed",
    "api error",
};
static const char *const drvShutoffReasons[] = {
    "unknown", "shutdown", "destroyed", "crashed", "migrated", "saved",
    "failed", "from snapshot", "daemon",
};
static const char *const drvShutdownReasons[] = { "unknown", "user" };
static const char *const drvCrashedReasons[] = { "unknown", "panicked" };

/**
 * drvDomainStateReasonToString:
 * @state: a virDomainState
 * @reason: the reason enum value of that state
 *
 * Returns: the reason's name, or "unknown".
 */
const char *
drvDomainStateReasonToString(virDomainState state, int reason)
{
    const char *const *table = NULL;
    size_t n = 0;

#define DRV_REASONS(t) do { table = t; n = G_N_ELEMENTS(t); } while (0)
    switch (state) {
    case VIR_DOMAIN_RUNNING: DRV_REASONS(drvRunningReasons); break;
    case VIR_DOMAIN_PAUSED: DRV_REASONS(drvPausedReasons); break;
    case VIR_DOMAIN_SHUTOFF: DRV_REASONS(drvShutoffReasons); break;
    case VIR_DOMAIN_SHUTDOWN: DRV_REASONS(drvShutdownReasons); break;
    case VIR_DOMAIN_CRASHED: DRV_REASONS(drvCrashedReasons); break;
    default: break;
    }
#undef DRV_REASONS
    if (!table || reason < 0 || (size_t)reason >= n)
        return "unknown";
    return table[reason];
}

/**
 * drvDomainObjNew:
 * @def: the definition (taken); its id is reset to -1
 *
 * A shut off, unlisted domain object.
 *
 * Returns: (transfer full): the object, with one reference.
 */
drvDomainObj *
drvDomainObjNew(confDomainDef *def)
{
    drvDomainObj *obj = g_new0(drvDomainObj, 1);

    obj->refs = 1;
    g_mutex_init(&obj->lock);
    g_cond_init(&obj->cond);
    obj->def = def;
    obj->def->id = -1;
    obj->state = VIR_DOMAIN_SHUTOFF;
    obj->reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
    return obj;
}

/**
 * drvDomainObjRef:
 * @obj: an object
 *
 * Takes a reference.
 *
 * Returns: @obj.
 */
drvDomainObj *
drvDomainObjRef(drvDomainObj *obj)
{
    g_atomic_int_inc(&obj->refs);
    return obj;
}

/**
 * drvDomainRuntimeNew:
 *
 * The runtime of a domain about to start (no pidfd yet).
 *
 * Returns: (transfer full): a runtime.
 */
drvDomainRuntime *
drvDomainRuntimeNew(void)
{
    drvDomainRuntime *rt = g_new0(drvDomainRuntime, 1);

    rt->pidfd = -1;
    return rt;
}

/**
 * drvDomainRuntimeFree:
 * @rt: a runtime or NULL
 *
 * Frees @rt and closes its pidfd; the process is not touched.
 */
void
drvDomainRuntimeFree(drvDomainRuntime *rt)
{
    if (!rt)
        return;
    if (rt->pidfd >= 0)
        close(rt->pidfd);
    g_free(rt->binary);
    g_free(rt->capsFingerprint);
    g_free(rt->monitorPath);
    g_free(rt->privDir);
    g_free(rt->logPath);
    g_free(rt);
}

/**
 * drvDomainObjUnref:
 * @obj: an object or NULL
 *
 * Drops a reference; the last one frees the object.
 */
void
drvDomainObjUnref(drvDomainObj *obj)
{
    if (!obj || !g_atomic_int_dec_and_test(&obj->refs))
        return;
    /* The monitor and watch were released on the driver thread. */
    drvDomainRuntimeFree(obj->rt);
    confDomainDefFree(obj->def);
    confDomainDefFree(obj->newDef);
    g_mutex_clear(&obj->lock);
    g_cond_clear(&obj->cond);
    g_free(obj);
}

/**
 * drvDomainObjIsActive:
 * @obj: a locked object
 *
 * Returns: whether the domain has an id, i.e. runs (or is starting).
 */
bool
drvDomainObjIsActive(const drvDomainObj *obj)
{
    return obj->def->id >= 0;
}

/**
 * drvDomainObjSetState:
 * @obj: a locked object
 * @state: a virDomainState
 * @reason: the reason enum of @state
 *
 * Sets the state and wakes the waiters on the object.
 */
void
drvDomainObjSetState(drvDomainObj *obj, virDomainState state, int reason)
{
    g_debug("domain '%s' state %s -> %s (%s)", obj->def->name,
            drvDomainStateToString(obj->state),
            drvDomainStateToString(state),
            drvDomainStateReasonToString(state, reason));
    obj->state = state;
    obj->reason = reason;
    g_cond_broadcast(&obj->cond);
}

/**
 * drvDomainObjPersistentDef:
 * @obj: a locked object
 *
 * Returns: (transfer none): the definition the next start uses.
 */
confDomainDef *
drvDomainObjPersistentDef(drvDomainObj *obj)
{
    return obj->newDef ? obj->newDef : obj->def;
}

/**
 * drvDomainObjWaitUntil:
 * @obj: a locked object
 * @deadline: monotonic time in microseconds
 *
 * Waits on the object's condition variable, the lock dropped meanwhile.
 *
 * Returns: false when @deadline passed.
 */
bool
drvDomainObjWaitUntil(drvDomainObj *obj, gint64 deadline)
{
    return g_cond_wait_until(&obj->cond, &obj->lock, deadline);
}

/**
 * drvDomainJobBegin:
 * @obj: a locked domain object
 * @job: what the caller is about to do
 * @timeoutMs: how long to wait for a job already running
 * @error: return location for a VIR_ERR_OPERATION_TIMEOUT error
 *
 * Makes the caller the domain's only modify job.  The object lock is
 * dropped while waiting and held again on return.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvDomainJobBegin(drvDomainObj *obj, drvJob job, gint64 timeoutMs,
                  GError **error)
{
    gint64 deadline = g_get_monotonic_time() + timeoutMs * 1000;

    while (obj->job != DRV_JOB_NONE) {
        if (!drvDomainObjWaitUntil(obj, deadline) &&
            obj->job != DRV_JOB_NONE) {
            g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_TIMEOUT,
                        _("cannot acquire a job for domain '%1$s': the domain is busy with job '%2$s'"),
                        obj->def->name, drvJobToString(obj->job));
            return -1;
        }
    }
    if (obj->removed) {
        drvDomainNoSuchUUID(obj->def->uuid, error);
        return -1;
    }
    obj->job = job;
    obj->jobStarted = g_get_monotonic_time();
    return 0;
}

/**
 * drvDomainJobEnd:
 * @obj: a locked object whose job the caller holds
 *
 * Releases the job and wakes the callers waiting for it.
 */
void
drvDomainJobEnd(drvDomainObj *obj)
{
    obj->job = DRV_JOB_NONE;
    obj->jobStarted = 0;
    g_cond_broadcast(&obj->cond);
}

/**
 * drvUUIDFormat:
 * @uuid: 16 bytes
 *
 * Returns: (transfer full): the uuid in its usual text form.
 */
char *
drvUUIDFormat(const unsigned char *uuid)
{
    return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-"
                           "%02x%02x-%02x%02x%02x%02x%02x%02x",
                           uuid[0], uuid[1], uuid[2], uuid[3], uuid[4],
                           uuid[5], uuid[6], uuid[7], uuid[8], uuid[9],
                           uuid[10], uuid[11], uuid[12], uuid[13],
                           uuid[14], uuid[15]);
}

/**
 * drvDomainNoSuchUUID:
 * @uuid: the uuid asked for
 * @error: return location for the error
 *
 * Sets libvirt's VIR_ERR_NO_DOMAIN error for @uuid.
 */
void
drvDomainNoSuchUUID(const unsigned char *uuid, GError **error)
{
    g_autofree char *str = drvUUIDFormat(uuid);

    g_set_error(error, DRV_ERROR, VIR_ERR_NO_DOMAIN,
                _("no domain with matching uuid '%1$s'"), str);
}

/* ---- the list ---- */

struct drvDomainList {
    GMutex lock;
    GHashTable *byName;   /* name -> obj (one reference) */
    GHashTable *byUUID;   /* uuid string -> obj (borrowed) */
    gint nextID;
};

/**
 * drvDomainListNew:
 *
 * Returns: (transfer full): an empty domain list.
 */
drvDomainList *
drvDomainListNew(void)
{
    drvDomainList *list = g_new0(drvDomainList, 1);

    g_mutex_init(&list->lock);
    list->byName = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)drvDomainObjUnref);
    list->byUUID = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         NULL);
    list->nextID = 1;
    return list;
}

/**
 * drvDomainListFree:
 * @list: a list or NULL
 *
 * Drops the list's references to its objects.
 */
void
drvDomainListFree(drvDomainList *list)
{
    if (!list)
        return;
    g_hash_table_destroy(list->byUUID);
    g_hash_table_destroy(list->byName);
    g_mutex_clear(&list->lock);
    g_free(list);
}

/**
 * drvDomainListAdd:
 * @list: the list
 * @obj: an object whose def has a name and uuid; the list takes a ref
 * @error: return location for a VIR_ERR_OPERATION_FAILED error
 *
 * Returns: 0, or -1 when the name or the uuid is taken.
 */
int
drvDomainListAdd(drvDomainList *list, drvDomainObj *obj, GError **error)
{
    g_autofree char *uuid = drvUUIDFormat(obj->def->uuid);
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);

    if (g_hash_table_contains(list->byName, obj->def->name)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("domain '%1$s' already exists"), obj->def->name);
        return -1;
    }
    if (g_hash_table_contains(list->byUUID, uuid)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                    _("a domain with uuid '%1$s' already exists"), uuid);
        return -1;
    }
    g_hash_table_insert(list->byUUID, g_steal_pointer(&uuid), obj);
    g_hash_table_insert(list->byName, g_strdup(obj->def->name),
                        drvDomainObjRef(obj));
    return 0;
}

/**
 * drvDomainListRemove:
 * @list: the list
 * @obj: an object (locked or not)
 *
 * Takes @obj out of the list (a no-op when it is not there) and marks it
 * removed.
 */
void
drvDomainListRemove(drvDomainList *list, drvDomainObj *obj)
{
    g_autofree char *uuid = drvUUIDFormat(obj->def->uuid);
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);

    if (g_hash_table_lookup(list->byUUID, uuid) != obj)
        return;
    obj->removed = true;
    g_hash_table_remove(list->byUUID, uuid);
    g_hash_table_remove(list->byName, obj->def->name);
}

/**
 * drvDomainListFindByName:
 * @list: the list
 * @name: a domain name
 *
 * Returns: (transfer full): the object, or NULL.
 */
drvDomainObj *
drvDomainListFindByName(drvDomainList *list, const char *name)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);
    drvDomainObj *obj = g_hash_table_lookup(list->byName, name);

    return obj ? drvDomainObjRef(obj) : NULL;
}

/**
 * drvDomainListFindByUUID:
 * @list: the list
 * @uuid: 16 bytes
 *
 * Returns: (transfer full): the object, or NULL.
 */
drvDomainObj *
drvDomainListFindByUUID(drvDomainList *list, const unsigned char *uuid)
{
    g_autofree char *str = drvUUIDFormat(uuid);
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);
    drvDomainObj *obj = g_hash_table_lookup(list->byUUID, str);

    return obj ? drvDomainObjRef(obj) : NULL;
}

/**
 * drvDomainListFindByID:
 * @list: the list
 * @id: the id of a running domain
 *
 * Returns: (transfer full): the object, or NULL.
 */
drvDomainObj *
drvDomainListFindByID(drvDomainList *list, int id)
{
    g_autoptr(GPtrArray) all = drvDomainListSnapshot(list);
    size_t i;

    for (i = 0; i < all->len && id >= 0; i++) {
        drvDomainObj *obj = g_ptr_array_index(all, i);
        g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

        if (obj->def->id == id)
            return drvDomainObjRef(obj);
    }
    return NULL;
}

/**
 * drvDomainListSnapshot:
 * @list: the list
 *
 * Returns: (transfer full): a GPtrArray holding a reference to each
 * object.
 */
GPtrArray *
drvDomainListSnapshot(drvDomainList *list)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);
    GPtrArray *all = g_ptr_array_new_with_free_func(
        (GDestroyNotify)drvDomainObjUnref);
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, list->byName);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(all, drvDomainObjRef(value));
    return all;
}

/**
 * drvDomainListCount:
 * @list: the list
 *
 * Returns: the number of domains.
 */
guint
drvDomainListCount(drvDomainList *list)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&list->lock);

    return g_hash_table_size(list->byName);
}

/**
 * drvDomainListNextID:
 * @list: the list
 *
 * Returns: a fresh domain id (ids start at 1).
 */
int
drvDomainListNextID(drvDomainList *list)
{
    return g_atomic_int_add(&list->nextID, 1);
}

/**
 * drvDomainListReserveID:
 * @list: the list
 * @id: an id in use by a reconnected domain
 *
 * Makes later ids larger than @id.
 */
void
drvDomainListReserveID(drvDomainList *list, int id)
{
    gint cur;

    while ((cur = g_atomic_int_get(&list->nextID)) <= id &&
           !g_atomic_int_compare_and_exchange(&list->nextID, cur, id + 1))
        ;
}

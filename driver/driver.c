/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * The driver object: directories, the driver thread, the capability
 * cache, open (load definitions, reconnect, autostart) and close, and
 * the query half of the API.  The lifecycle calls are in
 * driver/domainapi.c.
 */

#define DRV_DEFAULT_JOB_MS 30000
#define DRV_DEFAULT_MONITOR_MS 30000
#define DRV_DEFAULT_START_MS 30000
#define DRV_DEFAULT_HANDSHAKE_MS 5000
#define DRV_DEFAULT_DESTROY_MS 10000
#define DRV_DEFAULT_GRACEFUL_MS 60000

/**
 * drvDomainRefFree:
 * @ref: a domain handle or NULL
 *
 * Frees @ref.
 */
void
drvDomainRefFree(drvDomainRef *ref)
{
    if (!ref)
        return;
    g_free(ref->name);
    g_free(ref);
}

static void
drvDriverSetDirs(drvDriver *drv, const drvDriverConfig *config)
{
    const char *root = config->root;

    if (root) {
        drv->configDir = g_build_filename(root, "config", NULL);
        drv->stateDir = g_build_filename(root, "state", NULL);
        drv->runDir = g_build_filename(root, "run", NULL);
        drv->logDir = g_build_filename(root, "log", NULL);
        drv->cacheDir = g_build_filename(root, "cache", NULL);
    } else if (config->mode == DRV_DRIVER_MODE_SYSTEM) {
        drv->configDir = g_strdup(SYSCONFDIR "/virtgmem");
        drv->stateDir = g_strdup(LOCALSTATEDIR "/lib/virtgmem");
        drv->runDir = g_strdup("/run/virtgmem");
        drv->logDir = g_strdup(LOCALSTATEDIR "/log/virtgmem");
        drv->cacheDir = g_strdup(LOCALSTATEDIR "/cache/virtgmem");
    } else {
        drv->configDir = g_build_filename(g_get_user_config_dir(),
                                          "virtgmem", NULL);
        drv->stateDir = g_build_filename(g_get_user_data_dir(),
                                         "virtgmem", NULL);
        drv->runDir = g_build_filename(g_get_user_runtime_dir(),
                                       "virtgmem", NULL);
        drv->logDir = g_build_filename(g_get_user_cache_dir(),
                                       "virtgmem", "log", NULL);
        drv->cacheDir = g_build_filename(g_get_user_cache_dir(),
                                         "virtgmem", "cache", NULL);
    }
    drv->autostartDir = g_build_filename(drv->configDir, "autostart", NULL);
}

static gint64
drvDefaultMs(gint64 value, gint64 def)
{
    return value > 0 ? value : def;
}

static void
drvDriverSetTimeouts(drvDriver *drv, const drvDriverTimeouts *t)
{
    drv->timeouts.job = drvDefaultMs(t->job, DRV_DEFAULT_JOB_MS);
    drv->timeouts.monitor = drvDefaultMs(t->monitor, DRV_DEFAULT_MONITOR_MS);
    drv->timeouts.start = drvDefaultMs(t->start, DRV_DEFAULT_START_MS);
    drv->timeouts.handshake = drvDefaultMs(t->handshake,
                                           DRV_DEFAULT_HANDSHAKE_MS);
    drv->timeouts.destroy = drvDefaultMs(t->destroy, DRV_DEFAULT_DESTROY_MS);
    drv->timeouts.graceful = drvDefaultMs(t->graceful,
                                          DRV_DEFAULT_GRACEFUL_MS);
}

static int
drvDriverMakeDirs(drvDriver *drv, GError **error)
{
    const char *dirs[] = { drv->configDir, drv->autostartDir, drv->stateDir,
                           drv->runDir, drv->logDir, drv->cacheDir };
    size_t i;
    int err;

    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        if (g_mkdir_with_parents(dirs[i], 0755) < 0) {
            err = errno;
            g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                        _("cannot create the directory '%1$s': %2$s"),
                        dirs[i], g_strerror(err));
            return -1;
        }
    }
    return 0;
}

static gpointer
drvDriverThread(gpointer opaque)
{
    drvDriver *drv = opaque;

    g_main_context_push_thread_default(drv->ctx);
    g_main_loop_run(drv->loop);
    g_main_context_pop_thread_default(drv->ctx);
    return NULL;
}

static void
drvDriverAutostart(drvDriver *drv)
{
    g_autoptr(GPtrArray) all = drvDomainListSnapshot(drv->domains);
    size_t i;

    for (i = 0; i < all->len; i++) {
        drvDomainObj *obj = g_ptr_array_index(all, i);
        g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);
        g_autoptr(GError) err = NULL;

        if (!obj->autostart || drvDomainObjIsActive(obj) ||
            drvDomainJobBegin(obj, DRV_JOB_AUTOSTART, drv->timeouts.job,
                              &err) < 0)
            continue;
        if (drvProcessStart(drv, obj, false, VIR_DOMAIN_RUNNING_BOOTED,
                            &err) < 0)
            g_warning("cannot autostart domain '%s': %s", obj->def->name,
                      err->message);
        drvDomainJobEnd(obj);
    }
}

/**
 * drvDriverOpen:
 * @config: mode, root and timeouts
 * @error: return location for a GError
 *
 * Creates the directories, starts the driver thread, loads the
 * definitions, takes back running QEMUs from the status files and starts
 * the autostart domains.  The process becomes a child subreaper, so
 * QEMUs whose parent was an earlier instance are reaped here at once.
 *
 * Returns: (transfer full): the driver, or NULL with @error set.
 */
drvDriver *
drvDriverOpen(const drvDriverConfig *config, GError **error)
{
    g_autoptr(drvDriver) drv = g_new0(drvDriver, 1);

    drv->mode = config->mode;
    drvDriverSetDirs(drv, config);
    drvDriverSetTimeouts(drv, &config->timeouts);
    if (drvDriverMakeDirs(drv, error) < 0)
        return NULL;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        g_debug("cannot become a child subreaper: %s", g_strerror(errno));
    drv->domains = drvDomainListNew();
    g_mutex_init(&drv->capsLock);
    drv->caps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)drvQemuCapsFree);
    drv->ctx = g_main_context_new();
    drv->loop = g_main_loop_new(drv->ctx, FALSE);
    drv->events = drvEventQueueNew(drv->ctx);
    drv->thread = g_thread_new("vgm-driver", drvDriverThread, drv);
    if (drvPersistLoadConfigs(drv, error) < 0)
        return NULL;
    drvProcessReconnectAll(drv);
    if (!config->noAutostart)
        drvDriverAutostart(drv);
    return g_steal_pointer(&drv);
}

/* Let QEMU run on; only our side of the connection goes. */
static void
drvDriverReleaseDomain(drvDriver *drv, drvDomainObj *obj)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    if (!obj->rt)
        return;
    drvQmpDetach(drv, obj);
    g_clear_pointer(&obj->rt, drvDomainRuntimeFree);
}

static gboolean
drvDriverQuitCb(gpointer opaque)
{
    g_main_loop_quit(opaque);
    return G_SOURCE_REMOVE;
}

static void
drvDriverStopThread(drvDriver *drv)
{
    GSource *src = g_idle_source_new();

    g_source_set_callback(src, drvDriverQuitCb, drv->loop, NULL);
    g_source_attach(src, drv->ctx);
    g_source_unref(src);
    g_thread_join(drv->thread);
    drv->thread = NULL;
}

/**
 * drvDriverClose:
 * @drv: a driver or NULL
 *
 * Closes monitors and watches; running QEMUs keep running and are found
 * again by the next open from their status files.  No other call may be
 * in flight (the daemon stops dispatching first).
 */
void
drvDriverClose(drvDriver *drv)
{
    if (!drv)
        return;
    if (drv->domains) {
        g_autoptr(GPtrArray) all = drvDomainListSnapshot(drv->domains);
        size_t i;

        for (i = 0; i < all->len; i++)
            drvDriverReleaseDomain(drv, g_ptr_array_index(all, i));
    }
    if (drv->thread)
        drvDriverStopThread(drv);
    drvEventQueueFree(drv->events);
    drvDomainListFree(drv->domains);
    if (drv->loop)
        g_main_loop_unref(drv->loop);
    if (drv->ctx)
        g_main_context_unref(drv->ctx);
    if (drv->caps)
        g_hash_table_destroy(drv->caps);
    drvHostCapsFree(drv->hostCaps);
    g_mutex_clear(&drv->capsLock);
    g_free(drv->configDir);
    g_free(drv->autostartDir);
    g_free(drv->stateDir);
    g_free(drv->runDir);
    g_free(drv->logDir);
    g_free(drv->cacheDir);
    g_free(drv);
}

/**
 * drvDriverGetLogDir:
 * @drv: the driver
 *
 * Returns: (transfer none): where the QEMU logs NAME.log are.
 */
const char *
drvDriverGetLogDir(drvDriver *drv)
{
    return drv->logDir;
}

/**
 * drvDriverGetRunDir:
 * @drv: the driver
 *
 * Returns: (transfer none): where status files and pidfiles are.
 */
const char *
drvDriverGetRunDir(drvDriver *drv)
{
    return drv->runDir;
}

/**
 * drvDriverGetConfigDir:
 * @drv: the driver
 *
 * Returns: (transfer none): where definitions are.
 */
const char *
drvDriverGetConfigDir(drvDriver *drv)
{
    return drv->configDir;
}

/**
 * drvDriverFingerprint:
 * @binary: a QEMU binary
 *
 * Returns: (transfer full): "PATH:MTIME:CTIME", what capabilities are
 * cached by; a replaced binary gets a new one.
 */
char *
drvDriverFingerprint(const char *binary)
{
    GStatBuf sb;

    if (g_stat(binary, &sb) < 0)
        return g_strdup(binary);
    return g_strdup_printf("%s:%lld:%lld", binary, (long long)sb.st_mtime,
                           (long long)sb.st_ctime);
}

/**
 * drvDriverGetCaps:
 * @drv: the driver
 * @binary: a QEMU binary
 * @fingerprint: where "binary:mtime:ctime" goes (g_free the old value)
 * @error: return location for a GError
 *
 * Probes @binary once per driver (and once per binary change, through
 * the on-disk cache); concurrent starts wait for one probe.
 *
 * Returns: (transfer none): the capabilities, or NULL with @error set.
 */
const drvQemuCaps *
drvDriverGetCaps(drvDriver *drv, const char *binary, char **fingerprint,
                 GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&drv->capsLock);
    g_autofree char *fp = drvDriverFingerprint(binary);
    drvQemuCapsConfig cfg = { .cacheDir = drv->cacheDir };
    drvQemuCaps *caps = g_hash_table_lookup(drv->caps, fp);
    bool hit = false;

    if (!caps) {
        if (!(caps = drvQemuCapsLookup(binary, &cfg, &hit, error)))
            return NULL;
        g_hash_table_insert(drv->caps, g_strdup(fp), caps);
    }
    g_free(*fingerprint);
    *fingerprint = g_steal_pointer(&fp);
    return caps;
}

/**
 * drvDriverGetHostCaps:
 * @drv: the driver
 * @error: return location for a GError
 *
 * Returns: (transfer none): the host's capabilities, probed once, or NULL
 * with @error set.
 */
const drvHostCaps *
drvDriverGetHostCaps(drvDriver *drv, GError **error)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&drv->capsLock);

    if (!drv->hostCaps)
        drv->hostCaps = drvHostCapsProbe(error);
    return drv->hostCaps;
}

/* ---- lookups and queries ---- */

static drvDomainRef *
drvDomainRefNew(drvDomainObj *obj)
{
    drvDomainRef *ref = g_new0(drvDomainRef, 1);
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    ref->name = g_strdup(obj->def->name);
    memcpy(ref->uuid, obj->def->uuid, VIR_UUID_BUFLEN);
    ref->id = obj->def->id;
    return ref;
}

/**
 * drvDomainLookupByName:
 * @drv: the driver
 * @name: a domain name
 * @error: return location for a VIR_ERR_NO_DOMAIN error
 *
 * Returns: (transfer full): the domain, or NULL with @error set.
 */
drvDomainRef *
drvDomainLookupByName(drvDriver *drv, const char *name, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvDomainListFindByName(drv->domains,
                                                          name);

    if (!obj) {
        g_set_error(error, DRV_ERROR, VIR_ERR_NO_DOMAIN,
                    _("no domain with matching name '%1$s'"), name);
        return NULL;
    }
    return drvDomainRefNew(obj);
}

/**
 * drvDomainLookupByUUID:
 * @drv: the driver
 * @uuid: 16 bytes
 * @error: return location for a VIR_ERR_NO_DOMAIN error
 *
 * Returns: (transfer full): the domain, or NULL with @error set.
 */
drvDomainRef *
drvDomainLookupByUUID(drvDriver *drv, const unsigned char *uuid,
                      GError **error)
{
    g_autoptr(drvDomainObj) obj = drvDomainListFindByUUID(drv->domains,
                                                          uuid);

    if (!obj) {
        drvDomainNoSuchUUID(uuid, error);
        return NULL;
    }
    return drvDomainRefNew(obj);
}

/**
 * drvDomainLookupByID:
 * @drv: the driver
 * @id: the id of a running domain
 * @error: return location for a VIR_ERR_NO_DOMAIN error
 *
 * Returns: (transfer full): the domain, or NULL with @error set.
 */
drvDomainRef *
drvDomainLookupByID(drvDriver *drv, int id, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvDomainListFindByID(drv->domains, id);

    if (!obj) {
        g_set_error(error, DRV_ERROR, VIR_ERR_NO_DOMAIN,
                    _("no domain with matching id %1$d"), id);
        return NULL;
    }
    return drvDomainRefNew(obj);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "util/error.h"
#include "util/fd.h"
#include "util/i18n.h"

/*
 * What survives a daemon restart: definitions (config dir, written
 * atomically), autostart symlinks and status files of running domains
 * (run dir).  Every write goes to a temporary file in the same directory,
 * is fsync'd, then renamed over the old file, so a crash or a full disk
 * leaves either the old or the new content, never a mix.
 */

static const drvPersistOps drvPersistRealOps = {
    .write = write,
    .fsync = fsync,
    .rename = rename,
};
static const drvPersistOps *drvPersistOpsCur = &drvPersistRealOps;

/**
 * drvPersistSetOps:
 * @ops: file operations, or NULL for the real ones
 *
 * Tests replace write/fsync/rename to fake a full disk.
 */
void
drvPersistSetOps(const drvPersistOps *ops)
{
    drvPersistOpsCur = ops ? ops : &drvPersistRealOps;
}

static int
drvPersistWriteFD(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = drvPersistOpsCur->write(fd, data, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0) {
            errno = ENOSPC;
            return -1;
        }
        data += n;
        len -= n;
    }
    return drvPersistOpsCur->fsync(fd);
}

static void
drvPersistSyncDir(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    VGM_AUTOCLOSE int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd >= 0)
        fsync(fd);
}

/**
 * drvPersistWriteAtomic:
 * @path: the file to replace
 * @data: its new content
 * @error: return location for a VIR_ERR_SYSTEM_ERROR error
 *
 * Writes @data to a temporary file beside @path, fsyncs it and renames it
 * over @path.  On failure @path is untouched and the temporary removed.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvPersistWriteAtomic(const char *path, const char *data, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.new-XXXXXX", path);
    VGM_AUTOCLOSE int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
    int err;

    if (fd < 0) {
        err = errno;
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create a file beside '%1$s': %2$s"),
                    path, g_strerror(err));
        return -1;
    }
    if (drvPersistWriteFD(fd, data, strlen(data)) < 0 ||
        close(vgmStealFD(&fd)) < 0 ||
        drvPersistOpsCur->rename(tmp, path) < 0) {
        err = errno;
        unlink(tmp);
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot write '%1$s': %2$s"), path, g_strerror(err));
        return -1;
    }
    drvPersistSyncDir(path);
    return 0;
}

/**
 * drvPersistConfigPath:
 * @drv: the driver
 * @name: a domain name
 *
 * Returns: (transfer full): CONFIGDIR/NAME.xml.
 */
char *
drvPersistConfigPath(drvDriver *drv, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(drv->configDir, file, NULL);
}

/**
 * drvPersistStatusPath:
 * @drv: the driver
 * @name: a domain name
 *
 * Returns: (transfer full): RUNDIR/NAME.status.
 */
char *
drvPersistStatusPath(drvDriver *drv, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.status", name);

    return g_build_filename(drv->runDir, file, NULL);
}

static char *
drvPersistAutostartPath(drvDriver *drv, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(drv->autostartDir, file, NULL);
}

/**
 * drvPersistSaveConfig:
 * @drv: the driver
 * @def: the definition
 * @error: return location for a VIR_ERR_SYSTEM_ERROR error
 *
 * Writes the inactive XML atomically.
 *
 * Returns: 0, or -1 with @error set (the old file is untouched).
 */
int
drvPersistSaveConfig(drvDriver *drv, const confDomainDef *def,
                     GError **error)
{
    g_autofree char *path = drvPersistConfigPath(drv, def->name);
    g_autofree char *xml = confDomainDefFormat(def, VIR_DOMAIN_XML_INACTIVE |
                                               VIR_DOMAIN_XML_SECURE);

    return drvPersistWriteAtomic(path, xml, error);
}

static int
drvPersistUnlink(const char *path, GError **error)
{
    int err;

    if (unlink(path) == 0 || errno == ENOENT)
        return 0;
    err = errno;
    g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                _("cannot remove '%1$s': %2$s"), path, g_strerror(err));
    return -1;
}

/**
 * drvPersistDeleteConfig:
 * @drv: the driver
 * @name: a domain name
 * @error: return location for a VIR_ERR_SYSTEM_ERROR error
 *
 * Removes the definition and its autostart link.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvPersistDeleteConfig(drvDriver *drv, const char *name, GError **error)
{
    g_autofree char *path = drvPersistConfigPath(drv, name);
    g_autofree char *link = drvPersistAutostartPath(drv, name);

    if (drvPersistUnlink(link, error) < 0)
        return -1;
    return drvPersistUnlink(path, error);
}

/**
 * drvPersistSetAutostart:
 * @drv: the driver
 * @name: a defined domain
 * @on: create or remove the link
 * @error: return location for a VIR_ERR_SYSTEM_ERROR error
 *
 * Autostart is a symlink autostart/NAME.xml to the definition, as in
 * libvirt.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvPersistSetAutostart(drvDriver *drv, const char *name, bool on,
                       GError **error)
{
    g_autofree char *link = drvPersistAutostartPath(drv, name);
    g_autofree char *target = drvPersistConfigPath(drv, name);
    int err;

    if (!on)
        return drvPersistUnlink(link, error);
    if (drvPersistGetAutostart(drv, name))
        return 0;
    if (symlink(target, link) < 0) {
        err = errno;
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot create the autostart link '%1$s': %2$s"),
                    link, g_strerror(err));
        return -1;
    }
    return 0;
}

/**
 * drvPersistGetAutostart:
 * @drv: the driver
 * @name: a domain name
 *
 * Returns: whether the autostart link exists.
 */
bool
drvPersistGetAutostart(drvDriver *drv, const char *name)
{
    g_autofree char *link = drvPersistAutostartPath(drv, name);

    return g_file_test(link, G_FILE_TEST_IS_SYMLINK);
}

static void
drvPersistLoadOne(drvDriver *drv, const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(confDomainDef) def = NULL;
    g_autoptr(drvDomainObj) obj = NULL;

    if (!(def = confDomainDefParseFile(path, NULL, 0, &err))) {
        g_warning("ignoring the definition '%s': %s", path, err->message);
        return;
    }
    obj = drvDomainObjNew(g_steal_pointer(&def));
    obj->drv = drv;
    obj->persistent = true;
    obj->autostart = drvPersistGetAutostart(drv, obj->def->name);
    if (drvDomainListAdd(drv->domains, obj, &err) < 0)
        g_warning("ignoring the definition '%s': %s", path, err->message);
}

/**
 * drvPersistLoadConfigs:
 * @drv: the driver
 * @error: return location for a VIR_ERR_SYSTEM_ERROR error
 *
 * Adds every definition of the config dir to the domain list.  A file
 * that does not parse is logged and skipped; only an unreadable
 * directory is an error.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvPersistLoadConfigs(drvDriver *drv, GError **error)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) dir = g_dir_open(drv->configDir, 0, &err);
    const char *entry;

    if (!dir) {
        g_set_error(error, DRV_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot read the definitions in '%1$s': %2$s"),
                    drv->configDir, err->message);
        return -1;
    }
    while ((entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;

        if (!g_str_has_suffix(entry, ".xml"))
            continue;
        path = g_build_filename(drv->configDir, entry, NULL);
        drvPersistLoadOne(drv, path);
    }
    return 0;
}

/* ---- status files ---- */

#define DRV_STATUS_GROUP "domstatus"

/**
 * drvPersistSaveStatus:
 * @drv: the driver
 * @obj: a locked running domain
 * @error: return location for a VIR_ERR_SYSTEM_ERROR error
 *
 * Writes RUNDIR/NAME.status atomically: state, pid, start time, binary,
 * capability fingerprint, monitor, private dir, log, trace offset and the
 * live XML.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvPersistSaveStatus(drvDriver *drv, drvDomainObj *obj, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *path = drvPersistStatusPath(drv, obj->def->name);
    g_autofree char *xml = confDomainDefFormat(obj->def,
                                               VIR_DOMAIN_XML_SECURE);
    g_autofree char *text = NULL;
    drvDomainRuntime *rt = obj->rt;

    g_key_file_set_string(kf, DRV_STATUS_GROUP, "state",
                          drvDomainStateToString(obj->state));
    g_key_file_set_integer(kf, DRV_STATUS_GROUP, "reason", obj->reason);
    g_key_file_set_int64(kf, DRV_STATUS_GROUP, "pid", rt->pid);
    g_key_file_set_uint64(kf, DRV_STATUS_GROUP, "starttime", rt->startTime);
    g_key_file_set_string(kf, DRV_STATUS_GROUP, "binary", rt->binary);
    g_key_file_set_string(kf, DRV_STATUS_GROUP, "caps",
                          rt->capsFingerprint ? rt->capsFingerprint : "");
    g_key_file_set_string(kf, DRV_STATUS_GROUP, "monitor", rt->monitorPath);
    g_key_file_set_string(kf, DRV_STATUS_GROUP, "privdir", rt->privDir);
    g_key_file_set_string(kf, DRV_STATUS_GROUP, "log", rt->logPath);
    g_key_file_set_uint64(kf, DRV_STATUS_GROUP, "traceoffset",
                          rt->traceOffset);
    g_key_file_set_boolean(kf, DRV_STATUS_GROUP, "persistent",
                           obj->persistent);
    g_key_file_set_string(kf, DRV_STATUS_GROUP, "xml", xml);
    text = g_key_file_to_data(kf, NULL, NULL);
    return drvPersistWriteAtomic(path, text, error);
}

/**
 * drvPersistDeleteStatus:
 * @drv: the driver
 * @name: a domain name
 *
 * Removes the status file and the pidfile.
 */
void
drvPersistDeleteStatus(drvDriver *drv, const char *name)
{
    g_autofree char *path = drvPersistStatusPath(drv, name);
    g_autofree char *file = g_strdup_printf("%s.pid", name);
    g_autofree char *pidfile = g_build_filename(drv->runDir, file, NULL);

    unlink(path);
    unlink(pidfile);
}

static int
drvPersistStatusCorrupt(const char *path, const char *what, GError **error)
{
    g_set_error(error, DRV_ERROR, VIR_ERR_INTERNAL_ERROR,
                _("corrupt status file '%1$s': bad or missing '%2$s'"),
                path, what);
    return -1;
}

static int
drvPersistLoadRuntime(GKeyFile *kf, const char *path, drvDomainRuntime *rt,
                      GError **error)
{
    gint64 pid = g_key_file_get_int64(kf, DRV_STATUS_GROUP, "pid", NULL);

    if (pid <= 1 || pid > G_MAXINT)
        return drvPersistStatusCorrupt(path, "pid", error);
    rt->pid = pid;
    rt->startTime = g_key_file_get_uint64(kf, DRV_STATUS_GROUP,
                                          "starttime", NULL);
    rt->traceOffset = g_key_file_get_uint64(kf, DRV_STATUS_GROUP,
                                            "traceoffset", NULL);
    rt->binary = g_key_file_get_string(kf, DRV_STATUS_GROUP, "binary", NULL);
    rt->monitorPath = g_key_file_get_string(kf, DRV_STATUS_GROUP,
                                            "monitor", NULL);
    rt->privDir = g_key_file_get_string(kf, DRV_STATUS_GROUP, "privdir",
                                        NULL);
    rt->logPath = g_key_file_get_string(kf, DRV_STATUS_GROUP, "log", NULL);
    rt->capsFingerprint = g_key_file_get_string(kf, DRV_STATUS_GROUP,
                                                "caps", NULL);
    if (rt->startTime == 0)
        return drvPersistStatusCorrupt(path, "starttime", error);
    if (!rt->binary || !g_path_is_absolute(rt->binary))
        return drvPersistStatusCorrupt(path, "binary", error);
    if (!rt->monitorPath || !rt->privDir || !rt->logPath)
        return drvPersistStatusCorrupt(path, "monitor", error);
    return 0;
}

static drvDomainObj *
drvPersistStatusObj(GKeyFile *kf, const char *path, GError **error)
{
    g_autofree char *xml = g_key_file_get_string(kf, DRV_STATUS_GROUP, "xml",
                                                 NULL);
    g_autofree char *state = g_key_file_get_string(kf, DRV_STATUS_GROUP,
                                                   "state", NULL);
    g_autoptr(GError) err = NULL;
    confDomainDef *def;
    drvDomainObj *obj;
    int st;
    int id;

    if (!state || (st = drvDomainStateFromString(state)) < 0)
        return drvPersistStatusCorrupt(path, "state", error), NULL;
    if (!xml ||
        !(def = confDomainDefParseString(xml, NULL, CONF_DOMAIN_PARSE_STATUS,
                                         &err))) {
        drvPersistStatusCorrupt(path, "xml", error);
        return NULL;
    }
    id = def->id;
    obj = drvDomainObjNew(def);
    obj->def->id = id;
    obj->state = st;
    obj->reason = g_key_file_get_integer(kf, DRV_STATUS_GROUP, "reason",
                                         NULL);
    obj->persistent = g_key_file_get_boolean(kf, DRV_STATUS_GROUP,
                                             "persistent", NULL);
    return obj;
}

/**
 * drvPersistLoadStatus:
 * @path: a status file
 * @error: return location for a VIR_ERR_INTERNAL_ERROR error
 *
 * Returns: a new object holding the live def and the runtime recorded in
 * @path (nothing about the process is checked), or NULL with @error set.
 */
drvDomainObj *
drvPersistLoadStatus(const char *path, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(drvDomainObj) obj = NULL;
    g_autoptr(GError) err = NULL;

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
        drvPersistStatusCorrupt(path, DRV_STATUS_GROUP, error);
        return NULL;
    }
    if (!(obj = drvPersistStatusObj(kf, path, error)))
        return NULL;
    if (obj->def->id < 0) {
        drvPersistStatusCorrupt(path, "id", error);
        return NULL;
    }
    obj->rt = drvDomainRuntimeNew();
    if (drvPersistLoadRuntime(kf, path, obj->rt, error) < 0)
        return NULL;
    return g_steal_pointer(&obj);
}

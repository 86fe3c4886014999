/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <glib/gstdio.h>
#include <sys/pidfd.h>
#include <unistd.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"
#include "util/fd.h"

/*
 * Finding running domains again when the driver opens: every status file
 * names a pid, its start time and its binary.  The process is taken back
 * only when all three match (a pidfd pins it while we look); then the
 * monitor is reconnected and the state read with query-status.  A QEMU
 * that is gone makes the domain shutoff (crashed).  Nothing is ever
 * killed here: a pid that now belongs to another program is left alone.
 */

/* /proc/PID/cmdline: argv[0] is @binary and the domain's name is there. */
static bool
drvReconnectCmdlineMatches(pid_t pid, const char *binary, const char *name)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", (int)pid);
    g_autofree char *text = NULL;
    g_auto(GStrv) parts = g_strsplit(name, ",", -1);
    g_autofree char *escaped = g_strjoinv(",,", parts);   /* QemuOpts */
    g_autofree char *guest = g_strdup_printf("guest=%s,", escaped);
    gsize len = 0;
    gsize off;

    if (!g_file_get_contents(path, &text, &len, NULL) || len == 0)
        return false;
    if (!g_str_equal(text, binary))
        return false;
    for (off = 0; off < len; off += strlen(text + off) + 1) {
        if (g_str_has_prefix(text + off, guest))
            return true;
    }
    return false;
}

/* A pidfd for the recorded QEMU, or -1 when it is gone or not ours. */
static int
drvReconnectOpenProcess(drvDomainObj *obj)
{
    drvDomainRuntime *rt = obj->rt;
    VGM_AUTOCLOSE int pidfd = pidfd_open(rt->pid, 0);
    unsigned long long start = 0;

    if (pidfd < 0)
        return -1;
    if (drvProcessReadStartTime(rt->pid, &start) < 0 ||
        start != rt->startTime) {
        g_info("pid %d of domain '%s' now belongs to another process",
               (int)rt->pid, obj->def->name);
        return -1;
    }
    if (drvProcessIsZombie(rt->pid)) {
        /* our QEMU, exited while nobody watched: collect it if ours */
        drvProcessReap(pidfd);
        return -1;
    }
    if (!drvReconnectCmdlineMatches(rt->pid, rt->binary, obj->def->name)) {
        g_info("pid %d is not the QEMU of domain '%s'", (int)rt->pid,
               obj->def->name);
        return -1;
    }
    return vgmStealFD(&pidfd);
}

/* Locked, job held: the monitor and QEMU's run state. */
static void
drvReconnectResync(drvDriver *drv, drvDomainObj *obj)
{
    g_autoptr(GError) err = NULL;
    virDomainState state;
    int reason;
    int rc;

    g_mutex_unlock(&obj->lock);
    /* the same retries as a start: see drvQmpOpen() */
    rc = drvQmpOpen(drv, obj, g_get_monotonic_time() +
                    drv->timeouts.start * 1000, false, &err);
    if (rc == 0)
        rc = drvQmpQueryStatus(drv, obj, &state, &reason, &err);
    g_mutex_lock(&obj->lock);
    if (rc < 0) {
        g_warning("domain '%s' keeps running without a monitor: %s",
                  obj->def->name, err->message);
        return;
    }
    if (state != obj->state) {
        if (state == VIR_DOMAIN_RUNNING)
            reason = VIR_DOMAIN_RUNNING_UNPAUSED;
        drvDomainObjSetState(obj, state, reason);
        drvEventEmit(drv, obj, state == VIR_DOMAIN_RUNNING ?
                     VIR_DOMAIN_EVENT_RESUMED : VIR_DOMAIN_EVENT_SUSPENDED, 0);
    }
    if (drvPersistSaveStatus(drv, obj, &err) < 0)
        g_warning("%s", err->message);
}

/* A QEMU package upgrade under a running guest: worth a note. */
static void
drvReconnectCheckBinary(drvDomainObj *obj)
{
    g_autofree char *now = drvDriverFingerprint(obj->rt->binary);

    if (obj->rt->capsFingerprint && *obj->rt->capsFingerprint &&
        g_strcmp0(now, obj->rt->capsFingerprint) != 0)
        g_info("the QEMU binary of domain '%s' changed since it started "
               "(%s, now %s)", obj->def->name, obj->rt->capsFingerprint, now);
}

/* Locked, job held. */
static void
drvReconnectOne(drvDriver *drv, drvDomainObj *obj)
{
    drvDomainRuntime *rt = obj->rt;

    drvDomainListReserveID(drv->domains, obj->def->id);
    if ((rt->pidfd = drvReconnectOpenProcess(obj)) < 0) {
        g_info("QEMU of domain '%s' is gone: shut off (crashed)",
               obj->def->name);
        drvProcessCleanup(drv, obj, VIR_DOMAIN_SHUTOFF_CRASHED);
        return;
    }
    drvReconnectCheckBinary(obj);
    drvQmpWatchExit(drv, obj, NULL);
    drvReconnectResync(drv, obj);
    if (obj->rt && obj->rt->exited)
        drvProcessCleanup(drv, obj, VIR_DOMAIN_SHUTOFF_CRASHED);
}

/* The listed object the status belongs to; @st is merged into it. */
static drvDomainObj *
drvReconnectAdopt(drvDriver *drv, drvDomainObj *st, GError **error)
{
    drvDomainObj *obj = drvDomainListFindByUUID(drv->domains, st->def->uuid);

    if (!obj) {
        st->persistent = false;
        st->drv = drv;
        if (drvDomainListAdd(drv->domains, st, error) < 0)
            return NULL;
        return drvDomainObjRef(st);
    }
    g_mutex_lock(&obj->lock);
    obj->newDef = g_steal_pointer(&obj->def);
    obj->def = g_steal_pointer(&st->def);
    st->def = confDomainDefNew();
    obj->rt = g_steal_pointer(&st->rt);
    obj->state = st->state;
    obj->reason = st->reason;
    g_mutex_unlock(&obj->lock);
    return obj;
}

static void
drvReconnectFile(drvDriver *drv, const char *path)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(drvDomainObj) st = NULL;
    g_autoptr(drvDomainObj) obj = NULL;
    g_autofree char *aside = NULL;

    if (!(st = drvPersistLoadStatus(path, &err)) ||
        !(obj = drvReconnectAdopt(drv, st, &err))) {
        aside = g_strdup_printf("%s.corrupt", path);
        g_warning("%s; moved aside to '%s'", err->message, aside);
        if (g_rename(path, aside) < 0)
            unlink(path);
        return;
    }
    g_mutex_lock(&obj->lock);
    obj->job = DRV_JOB_RECONNECT;
    drvReconnectOne(drv, obj);
    drvDomainJobEnd(obj);
    g_mutex_unlock(&obj->lock);
}

/**
 * drvProcessReconnectAll:
 * @drv: an opening driver whose definitions are loaded
 *
 * Takes back every QEMU described by a status file of the run dir.
 * Problems are logged; they never make the open fail.
 */
void
drvProcessReconnectAll(drvDriver *drv)
{
    g_autoptr(GDir) dir = g_dir_open(drv->runDir, 0, NULL);
    const char *entry;

    while (dir && (entry = g_dir_read_name(dir))) {
        g_autofree char *path = NULL;

        if (!g_str_has_suffix(entry, ".status"))
            continue;
        path = g_build_filename(drv->runDir, entry, NULL);
        drvReconnectFile(drv, path);
    }
}

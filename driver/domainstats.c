/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/connect.h"
#include "driver/driverpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * virConnectGetAllDomainStats: the state, cpu-total, balloon and vcpu
 * groups, with libvirt's parameter names.  Values come from the domain
 * object and /proc; nothing waits for a job or for QEMU.
 */

#define DRV_STATS_SUPPORTED \
    (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | \
     VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU)

#define DRV_STATS_LIST_FLAGS \
    (VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER)

#define DRV_STATS_FLAGS \
    (DRV_STATS_LIST_FLAGS | VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING | \
     VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS)

/**
 * drvDomainStatsRecordFree:
 * @rec: a record or NULL
 */
void
drvDomainStatsRecordFree(drvDomainStatsRecord *rec)
{
    if (!rec)
        return;
    drvDomainRefFree(rec->dom);
    g_array_unref(rec->params);
    g_free(rec);
}

static void
drvStatsAdd(GArray *params, const char *field, int type, guint64 value)
{
    virTypedParameter p = { .type = type };

    g_strlcpy(p.field, field, sizeof(p.field));
    if (type == VIR_TYPED_PARAM_INT)
        p.value.i = (int)value;
    else if (type == VIR_TYPED_PARAM_UINT)
        p.value.ui = (unsigned int)value;
    else
        p.value.ul = value;
    g_array_append_val(params, p);
}

/* utime and stime of /proc/PID/stat (fields 14 and 15), in ns. */
static int
drvStatsReadUserSystem(pid_t pid, guint64 *user, guint64 *system)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *text = NULL;
    unsigned long long ut = 0;
    unsigned long long st = 0;
    long tick = sysconf(_SC_CLK_TCK);
    const char *p;

    if (!g_file_get_contents(path, &text, NULL, NULL) ||
        !(p = strrchr(text, ')')) || tick <= 0 ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
               &ut, &st) != 2)
        return -1;
    *user = ut * (G_GUINT64_CONSTANT(1000000000) / tick);
    *system = st * (G_GUINT64_CONSTANT(1000000000) / tick);
    return 0;
}

static void
drvStatsCPU(drvDomainObj *obj, GArray *params)
{
    unsigned long long total = 0;
    guint64 user = 0;
    guint64 system = 0;

    if (!obj->rt || obj->rt->exited)
        return;
    if (drvProcessReadCPUTime(obj->rt->pid, &total) == 0)
        drvStatsAdd(params, "cpu.time", VIR_TYPED_PARAM_ULLONG, total);
    if (drvStatsReadUserSystem(obj->rt->pid, &user, &system) == 0) {
        drvStatsAdd(params, "cpu.user", VIR_TYPED_PARAM_ULLONG, user);
        drvStatsAdd(params, "cpu.system", VIR_TYPED_PARAM_ULLONG, system);
    }
}

/* Fill the groups of @stats for a locked @obj. */
static void
drvStatsCollect(drvDomainObj *obj, unsigned int stats, GArray *params)
{
    const confDomainDef *def = obj->def;

    if (stats & VIR_DOMAIN_STATS_STATE) {
        drvStatsAdd(params, "state.state", VIR_TYPED_PARAM_INT, obj->state);
        drvStatsAdd(params, "state.reason", VIR_TYPED_PARAM_INT, obj->reason);
    }
    if (stats & VIR_DOMAIN_STATS_CPU_TOTAL)
        drvStatsCPU(obj, params);
    if (stats & VIR_DOMAIN_STATS_BALLOON) {
        drvStatsAdd(params, "balloon.current", VIR_TYPED_PARAM_ULLONG,
                    def->currentMemory ? def->currentMemory : def->memory);
        drvStatsAdd(params, "balloon.maximum", VIR_TYPED_PARAM_ULLONG,
                    def->memory);
    }
    if (stats & VIR_DOMAIN_STATS_VCPU) {
        drvStatsAdd(params, "vcpu.current", VIR_TYPED_PARAM_UINT,
                    def->vcpusCurrent ? def->vcpusCurrent : def->vcpus);
        drvStatsAdd(params, "vcpu.maximum", VIR_TYPED_PARAM_UINT, def->vcpus);
    }
}

static drvDomainStatsRecord *
drvStatsRecordNew(drvDomainObj *obj, unsigned int stats)
{
    drvDomainStatsRecord *rec = g_new0(drvDomainStatsRecord, 1);
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

    rec->dom = g_new0(drvDomainRef, 1);
    rec->dom->name = g_strdup(obj->def->name);
    memcpy(rec->dom->uuid, obj->def->uuid, VIR_UUID_BUFLEN);
    rec->dom->id = obj->def->id;
    rec->params = g_array_new(FALSE, TRUE, sizeof(virTypedParameter));
    drvStatsCollect(obj, stats, rec->params);
    return rec;
}

static int
drvStatsCheck(unsigned int stats, unsigned int flags, GError **error)
{
    if (flags & ~DRV_STATS_FLAGS) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                    _("unsupported flags (0x%1$x) for domain statistics"),
                    flags & ~DRV_STATS_FLAGS);
        return -1;
    }
    if ((flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS) &&
        (stats & ~DRV_STATS_SUPPORTED)) {
        g_set_error(error, DRV_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("unsupported statistics groups (0x%1$x)"),
                    stats & ~DRV_STATS_SUPPORTED);
        return -1;
    }
    return 0;
}

/* The domains asked for: each of @uuids, or the filtered list. */
static GPtrArray *
drvStatsDomains(drvDriver *drv, const unsigned char (*uuids)[VIR_UUID_BUFLEN],
                size_t nuuids, unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) objs = NULL;
    g_autoptr(GPtrArray) refs = NULL;
    size_t i;

    objs = g_ptr_array_new_with_free_func((GDestroyNotify)drvDomainObjUnref);
    if (!uuids) {
        if (!(refs = drvConnectListAllDomains(drv,
                                              flags & DRV_STATS_LIST_FLAGS,
                                              error)))
            return NULL;
        nuuids = refs->len;
    }
    for (i = 0; i < nuuids; i++) {
        const unsigned char *uuid = uuids ? uuids[i] :
            ((drvDomainRef *)g_ptr_array_index(refs, i))->uuid;
        drvDomainObj *obj = drvDomainListFindByUUID(drv->domains, uuid);

        if (obj) {
            g_ptr_array_add(objs, obj);
        } else if (uuids) {
            drvDomainNoSuchUUID(uuid, error);
            return NULL;
        }
    }
    return g_steal_pointer(&objs);
}

/**
 * drvConnectGetAllDomainStats:
 * @drv: the driver
 * @uuids: (nullable): the domains; NULL for all that pass @flags
 * @nuuids: how many
 * @stats: virDomainStatsTypes; 0 for every group the driver has
 * @flags: virConnectGetAllDomainStatsFlags
 * @error: return location for a GError
 *
 * Returns: (transfer full): drvDomainStatsRecord items, or NULL with
 * @error set.
 */
GPtrArray *
drvConnectGetAllDomainStats(drvDriver *drv,
                            const unsigned char (*uuids)[VIR_UUID_BUFLEN],
                            size_t nuuids, unsigned int stats,
                            unsigned int flags, GError **error)
{
    g_autoptr(GPtrArray) objs = NULL;
    GPtrArray *out;
    size_t i;

    if (drvStatsCheck(stats, flags, error) < 0 ||
        !(objs = drvStatsDomains(drv, uuids, nuuids, flags, error)))
        return NULL;
    stats = stats ? stats & DRV_STATS_SUPPORTED : DRV_STATS_SUPPORTED;
    out = g_ptr_array_new_with_free_func(
        (GDestroyNotify)drvDomainStatsRecordFree);
    for (i = 0; i < objs->len; i++)
        g_ptr_array_add(out, drvStatsRecordNew(objs->pdata[i], stats));
    return out;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "daemon/rpcnodeinfo.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * NODE_GET_INFO from /proc and /sys.  Host probing belongs to driver/
 * (DESIGN.md); this moves there with the rest of it once the driver API
 * exists.
 */

typedef struct {
    int processors;
    int mhz;
    int cores;                   /* "cpu cores" of the first CPU */
    int siblings;                /* "siblings" of the first CPU */
    GHashTable *packages;        /* distinct "physical id" values */
} rpcCpuInfo;

/* The value after "key<blanks>:" on @line, or NULL. */
static const char *
rpcCpuInfoValue(const char *line, const char *key)
{
    size_t n = strlen(key);

    if (strncmp(line, key, n) != 0)
        return NULL;
    line += n;
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line != ':')
        return NULL;
    return line + 1;
}

static void
rpcCpuInfoLine(rpcCpuInfo *ci, const char *line)
{
    const char *v;

    if (rpcCpuInfoValue(line, "processor"))
        ci->processors++;
    else if ((v = rpcCpuInfoValue(line, "cpu MHz")) && ci->mhz == 0)
        ci->mhz = (int)strtod(v, NULL);
    else if ((v = rpcCpuInfoValue(line, "cpu cores")) && ci->cores == 0)
        ci->cores = atoi(v);
    else if ((v = rpcCpuInfoValue(line, "siblings")) && ci->siblings == 0)
        ci->siblings = atoi(v);
    else if ((v = rpcCpuInfoValue(line, "physical id")))
        g_hash_table_add(ci->packages, g_strstrip(g_strdup(v)));
}

static int
rpcNodeCountNodes(const char *sysroot)
{
    g_autofree char *path = g_build_filename(sysroot, "sys", "devices",
                                             "system", "node", NULL);
    g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
    const char *name;
    int nodes = 0;

    while (dir && (name = g_dir_read_name(dir))) {
        if (g_str_has_prefix(name, "node") && g_ascii_isdigit(name[4]))
            nodes++;
    }
    return MAX(nodes, 1);
}

/* Topology from cpuinfo, or libvirt's flat fallback when inconsistent. */
static void
rpcNodeTopology(const rpcCpuInfo *ci, remote_node_get_info_ret *info)
{
    int packages = g_hash_table_size(ci->packages);

    info->cpus = ci->processors;
    info->mhz = ci->mhz;
    if (packages > 0 && ci->cores > 0 && ci->siblings >= ci->cores &&
        packages % info->nodes == 0) {
        info->sockets = packages / info->nodes;
        info->cores = ci->cores;
        info->threads = ci->siblings / ci->cores;
        if (info->nodes * info->sockets * info->cores * info->threads ==
            info->cpus)
            return;
    }
    info->nodes = 1;
    info->sockets = 1;
    info->cores = info->cpus;
    info->threads = 1;
}

static guint64
rpcNodeMemTotal(const char *meminfo)
{
    const char *p = strstr(meminfo, "MemTotal:");

    return p ? g_ascii_strtoull(p + strlen("MemTotal:"), NULL, 10) : 0;
}

static char *
rpcNodeReadFile(const char *sysroot, const char *rel, GError **error)
{
    g_autofree char *path = g_build_filename(sysroot, rel, NULL);
    g_autoptr(GError) local = NULL;
    char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, &local)) {
        g_set_error(error, RPC_ERROR, VIR_ERR_SYSTEM_ERROR,
                    _("cannot read '%1$s': %2$s"), path, local->message);
        return NULL;
    }
    return text;
}

/**
 * rpcNodeInfoRead:
 * @sysroot: "/" normally; a test tree holding proc/ and sys/ otherwise
 * @machine: the CPU architecture (uname's machine), e.g. "x86_64"
 * @info: filled in
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
rpcNodeInfoRead(const char *sysroot, const char *machine,
                remote_node_get_info_ret *info, GError **error)
{
    g_autofree char *cpuinfo = NULL;
    g_autofree char *meminfo = NULL;
    g_auto(GStrv) lines = NULL;
    rpcCpuInfo ci = { 0 };
    size_t i;

    if (!(cpuinfo = rpcNodeReadFile(sysroot, "proc/cpuinfo", error)) ||
        !(meminfo = rpcNodeReadFile(sysroot, "proc/meminfo", error)))
        return -1;
    memset(info, 0, sizeof(*info));
    g_strlcpy(info->model, machine, sizeof(info->model));
    info->memory = rpcNodeMemTotal(meminfo);
    info->nodes = rpcNodeCountNodes(sysroot);
    ci.packages = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    lines = g_strsplit(cpuinfo, "\n", -1);
    for (i = 0; lines[i]; i++)
        rpcCpuInfoLine(&ci, lines[i]);
    rpcNodeTopology(&ci, info);
    g_hash_table_unref(ci.packages);
    return 0;
}

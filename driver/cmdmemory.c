/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_COMMANDPRIV_H_ALLOW
#include "conf/launchsec.h"
#include "conf/memory.h"
#include "driver/commandpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Guest RAM: -m, the machine's RAM backend object (id pc.ram, named by
 * -machine memory-backend=) and -overcommit.
 *
 * <source type='guest-memfd'/> maps to whichever proposal this QEMU has
 * merged (qemu-facts.md §1): memory-backend-guest-memfd, or
 * memory-backend-memfd with guest-memfd=on.  A confidential guest without
 * it uses the split model of released QEMU: a normal backend holds the
 * shared pages and QEMU creates the private guest_memfd itself.
 */

/* The system page size: a <page> this big means "no huge pages". */
#define DRV_MEMORY_SMALL_PAGE_KIB 4

static const confMemoryBacking drvMemoryBackingNone;

static const confMemoryBacking *
drvMemoryBacking(const confDomainDef *def)
{
    return def->memoryBacking ? def->memoryBacking : &drvMemoryBackingNone;
}

/* The huge page size in KiB; 0: the default size; -1: no huge pages. */
static long long
drvMemoryHugepageSize(const confMemoryBacking *mb)
{
    if (!mb->hugepages)
        return -1;
    if (mb->npages == 0)
        return 0;
    if (mb->pages[0].size == DRV_MEMORY_SMALL_PAGE_KIB)
        return -1;
    return mb->pages[0].size;
}

static bool
drvMemoryPrealloc(const confMemoryBacking *mb)
{
    if (mb->allocation == CONF_MEMORY_ALLOCATION_IMMEDIATE)
        return true;
    return drvMemoryHugepageSize(mb) >= 0;
}

static int
drvValidateGuestMemfdHost(const drvCommandCtx *ctx, GError **error)
{
    unsigned long long need = DRV_HOST_GMEM_FLAG_MMAP |
                              DRV_HOST_GMEM_FLAG_INIT_SHARED;
    long long flags;

    if (ctx->def->virtType != CONF_DOMAIN_VIRT_KVM) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("guest_memfd memory backing needs domain type 'kvm'"));
        return -1;
    }
    if (!ctx->host)
        return 0;
    flags = drvHostCapsKvmCap(ctx->host, DRV_HOST_KVM_CAP_GUEST_MEMFD_FLAGS);
    if (drvHostCapsKvmCap(ctx->host, DRV_HOST_KVM_CAP_GUEST_MEMFD) <= 0 ||
        flags < 0 || ((unsigned long long)flags & need) != need) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("guest_memfd memory backing needs a host kernel with mappable guest_memfd (KVM_CAP_GUEST_MEMFD_FLAGS with MMAP and INIT_SHARED)"));
        return -1;
    }
    return 0;
}

static int
drvValidateGuestMemfd(const drvCommandCtx *ctx, const confMemoryBacking *mb,
                      GError **error)
{
    g_autofree char *ver = NULL;

    if (!drvQemuCapsHas(ctx->caps, DRV_QEMU_CAPS_MEMORY_BACKEND_GUEST_MEMFD) &&
        !drvQemuCapsHas(ctx->caps,
                        DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_GUEST_MEMFD)) {
        ver = drvCommandQemuVersion(ctx->caps);
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("guest_memfd memory backing needs the QEMU capability '%1$s' or '%2$s', and QEMU %3$s (%4$s) has neither"),
                    drvQemuCapsFlagToString(DRV_QEMU_CAPS_MEMORY_BACKEND_GUEST_MEMFD),
                    drvQemuCapsFlagToString(DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_GUEST_MEMFD),
                    ver, drvQemuCapsGetBinary(ctx->caps));
        return -1;
    }
    if (drvMemoryHugepageSize(mb) >= 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("huge pages are not supported with guest_memfd memory backing"));
        return -1;
    }
    if (mb->access == CONF_MEMORY_ACCESS_PRIVATE) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("guest_memfd memory backing is always shared: '/domain/memoryBacking/access' cannot be 'private'"));
        return -1;
    }
    return drvValidateGuestMemfdHost(ctx, error);
}

static int
drvValidateHugepages(const drvCommandCtx *ctx, const confMemoryBacking *mb,
                     GError **error)
{
    long long size = drvMemoryHugepageSize(mb);
    size_t i;

    if (size < 0)
        return 0;
    if (mb->source == CONF_MEMORY_SOURCE_ANONYMOUS ||
        mb->allocation == CONF_MEMORY_ALLOCATION_ONDEMAND) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("huge pages cannot be used with '%1$s'"),
                    mb->source == CONF_MEMORY_SOURCE_ANONYMOUS ?
                    "<source type='anonymous'/>" :
                    "<allocation mode='ondemand'/>");
        return -1;
    }
    if (mb->source == CONF_MEMORY_SOURCE_MEMFD &&
        drvCommandRequireCap(ctx, DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_HUGETLB,
                             _("huge pages with memfd memory"), error) < 0)
        return -1;
    if (!ctx->host || size == 0)
        return 0;
    for (i = 0; i < ctx->host->nhugepages; i++) {
        if (ctx->host->hugepages[i].sizeKiB == (unsigned long long)size)
            return 0;
    }
    g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                _("huge page size %1$lld KiB is not offered by this host"),
                size);
    return -1;
}

/**
 * drvValidateMemory:
 * @ctx: the build context
 * @error: return location for a GError
 *
 * What <memoryBacking> needs from this QEMU and host.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvValidateMemory(const drvCommandCtx *ctx, GError **error)
{
    const confMemoryBacking *mb = drvMemoryBacking(ctx->def);

    if (mb->source == CONF_MEMORY_SOURCE_GUEST_MEMFD)
        return drvValidateGuestMemfd(ctx, mb, error);
    if (mb->source == CONF_MEMORY_SOURCE_MEMFD &&
        drvCommandRequireCap(ctx, DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD,
                             _("memfd memory backing"), error) < 0)
        return -1;
    if (mb->threads &&
        drvCommandRequireCap(ctx, DRV_QEMU_CAPS_MEMORY_BACKEND_FILE_PREALLOC_THREADS,
                             _("'/domain/memoryBacking/allocation/@threads'"),
                             error) < 0)
        return -1;
    return drvValidateHugepages(ctx, mb, error);
}

static const char *
drvMemoryBackendType(const drvCommandCtx *ctx, const confMemoryBacking *mb)
{
    switch (mb->source) {
    case CONF_MEMORY_SOURCE_GUEST_MEMFD:
        if (drvQemuCapsHas(ctx->caps, DRV_QEMU_CAPS_MEMORY_BACKEND_GUEST_MEMFD))
            return "memory-backend-guest-memfd";
        return "memory-backend-memfd";
    case CONF_MEMORY_SOURCE_MEMFD:
        return "memory-backend-memfd";
    case CONF_MEMORY_SOURCE_FILE:
        return "memory-backend-file";
    case CONF_MEMORY_SOURCE_ANONYMOUS:
        return "memory-backend-ram";
    case CONF_MEMORY_SOURCE_NONE:
    case CONF_MEMORY_SOURCE_LAST:
    default:
        break;
    }
    if (drvMemoryHugepageSize(mb) >= 0 ||
        mb->access != CONF_MEMORY_ACCESS_DEFAULT)
        return "memory-backend-file";
    return "memory-backend-ram";
}

static char *
drvMemoryPath(const drvCommandCtx *ctx, const confMemoryBacking *mb,
              const char *id)
{
    if (drvMemoryHugepageSize(mb) >= 0)
        return g_strdup_printf("%s/virtgmem/%s", ctx->config->hugetlbfsDir,
                               ctx->shortName);
    return g_strdup_printf("%s/%s/%s", ctx->config->memoryBackingDir,
                           ctx->shortName, id);
}

static int
drvMemoryAddSource(qapiJSON **props, const drvCommandCtx *ctx,
                   const char *type, const char *id, GError **error)
{
    const confMemoryBacking *mb = drvMemoryBacking(ctx->def);
    long long page = drvMemoryHugepageSize(mb);
    bool gmemProp = mb->source == CONF_MEMORY_SOURCE_GUEST_MEMFD &&
                    strcmp(type, "memory-backend-memfd") == 0;
    g_autofree char *path = NULL;

    if (strcmp(type, "memory-backend-file") == 0) {
        path = drvMemoryPath(ctx, mb, id);
        if (qapiJSONObjectAdd(props, error, "s:mem-path", path,
                              "B:discard-data", mb->discard, NULL) < 0)
            return -1;
    }
    if (strcmp(type, "memory-backend-memfd") == 0 && page >= 0 &&
        qapiJSONObjectAdd(props, error, "b:hugetlb", true,
                          "Z:hugetlbsize", (guint64)page * 1024, NULL) < 0)
        return -1;
    return qapiJSONObjectAdd(props, error, "B:guest-memfd", gmemProp, NULL);
}

static vgmTristateBool
drvMemoryShare(const confMemoryBacking *mb)
{
    if (mb->source == CONF_MEMORY_SOURCE_GUEST_MEMFD ||
        mb->access == CONF_MEMORY_ACCESS_SHARED)
        return VGM_TRISTATE_BOOL_YES;
    if (mb->access == CONF_MEMORY_ACCESS_PRIVATE)
        return VGM_TRISTATE_BOOL_NO;
    return VGM_TRISTATE_BOOL_ABSENT;
}

static unsigned long long
drvMemorySizeKiB(const confDomainDef *def)
{
    return (def->memory + 1023) / 1024 * 1024;
}

/**
 * drvBuildMemoryBackendProps:
 * @ctx: the build context
 * @id: the backend's id
 * @error: return location for a GError
 *
 * The props of the backend holding the guest's RAM (rule 30: the same
 * props serve -object and object-add).
 *
 * Returns: (transfer full): the props, or NULL with @error set.
 */
qapiJSON *
drvBuildMemoryBackendProps(const drvCommandCtx *ctx, const char *id,
                           GError **error)
{
    const confMemoryBacking *mb = drvMemoryBacking(ctx->def);
    const char *type = drvMemoryBackendType(ctx, mb);
    bool canonical = strcmp(type, "memory-backend-ram") != 0;
    g_autoptr(qapiJSON) props = NULL;

    if (qapiJSONObjectAdd(&props, error, "s:qom-type", type, "s:id", id,
                          NULL) < 0 ||
        drvMemoryAddSource(&props, ctx, type, id, error) < 0 ||
        qapiJSONObjectAdd(&props, error, "T:share", drvMemoryShare(mb),
                          NULL) < 0)
        return NULL;
    if (canonical &&
        qapiJSONObjectAdd(&props, error,
                          "b:x-use-canonical-path-for-ramblock-id", false,
                          NULL) < 0)
        return NULL;
    if (qapiJSONObjectAdd(&props, error,
                          "B:prealloc", drvMemoryPrealloc(mb),
                          "z:prealloc-threads", (int)mb->threads,
                          "U:size", (guint64)drvMemorySizeKiB(ctx->def) * 1024,
                          NULL) < 0)
        return NULL;
    return g_steal_pointer(&props);
}

/**
 * drvBuildMemoryCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * -m (aligned up to 1 MiB, like libvirt), the pc.ram backend and
 * -overcommit mem-lock=.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildMemoryCommandLine(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    const confDomainDef *def = ctx->def;
    g_autoptr(qapiJSON) props = NULL;

    drvCommandAddArg(cmd, "-m");
    if (def->maxMemory)
        drvCommandAddArgFormat(cmd, "size=%lluk,slots=%u,maxmem=%lluk",
                               drvMemorySizeKiB(def), def->maxMemorySlots,
                               def->maxMemory);
    else
        drvCommandAddArgFormat(cmd, "size=%lluk", drvMemorySizeKiB(def));
    if (!(props = drvBuildMemoryBackendProps(ctx, DRV_COMMAND_RAM_ID, error)))
        return -1;
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_OBJECT, &props);
    drvCommandAddArgPair(cmd, "-overcommit",
                         drvMemoryBacking(def)->locked ?
                         "mem-lock=on" : "mem-lock=off");
    return 0;
}

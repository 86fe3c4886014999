/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_COMMANDPRIV_H_ALLOW
#include "conf/hostdev.h"
#include "driver/commandpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * <hostdev> PCI assignment with vfio-pci: the legacy container
 * (host=BDF) or iommufd (an iommufd0 object, emitted right before the
 * first vfio-pci, and iommufd= on the device), with /dev/iommu and the
 * VFIO cdev passed as descriptors when the daemon opens them itself.
 *
 * In a confidential guest VFIO works only when QEMU tracks conversions
 * (RamBlockAttributes, "shared device assignment", QEMU 10.1+); legacy
 * VFIO then maps every 4 KiB page separately (qemu-facts.md §3).
 */

#define DRV_HOSTDEV_PAGE_KIB 4

static bool
drvHostdevUsesIommufd(const confDomainDef *def, const confHostdevDef *hostdev)
{
    if (hostdev->iommufd != VGM_TRISTATE_BOOL_ABSENT)
        return hostdev->iommufd == VGM_TRISTATE_BOOL_YES;
    return def->iommufd == VGM_TRISTATE_BOOL_YES;
}

static bool
drvPassFDs(const drvCommandCtx *ctx)
{
    return ctx->config->flags & DRV_COMMAND_IOMMUFD_PASS_FDS;
}

static int
drvValidateHostdevIommufd(const drvCommandCtx *ctx, GError **error)
{
    const char *what = _("hostdev with <driver iommufd='yes'/>");

    if (drvCommandRequireCap(ctx, DRV_QEMU_CAPS_IOMMUFD, what, error) < 0 ||
        drvCommandRequireCap(ctx, DRV_QEMU_CAPS_VFIO_PCI_IOMMUFD, what,
                             error) < 0)
        return -1;
    if (drvPassFDs(ctx) &&
        drvCommandRequireCap(ctx, DRV_QEMU_CAPS_VFIO_PCI_FD, what, error) < 0)
        return -1;
    if (ctx->host && !ctx->host->iommufdDevice) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("hostdev with iommufd needs /dev/iommu, which this host does not have (CONFIG_IOMMUFD)"));
        return -1;
    }
    return 0;
}

static int
drvValidateHostdevLegacy(const drvCommandCtx *ctx, GError **error)
{
    if (ctx->host && !ctx->host->vfioDevice) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED, "%s",
                    _("hostdev needs VFIO, but this host has no /dev/vfio/vfio"));
        return -1;
    }
    return 0;
}

static void
drvWarnLegacyCoco(drvCommand *cmd, const drvCommandCtx *ctx,
                  const confHostdevDef *hostdev)
{
    unsigned long long need = ctx->def->memory / DRV_HOSTDEV_PAGE_KIB;
    g_autofree char *addr = confPCIAddressToString(&hostdev->source);
    long long limit = ctx->host ? ctx->host->vfioDmaEntryLimit :
                      DRV_HOST_UNKNOWN;

    drvCommandAddWarning(cmd, _("hostdev %1$s uses the legacy VFIO container in a confidential guest: every 4 KiB conversion is a separate DMA mapping, up to %2$llu of them; prefer <driver iommufd='yes'/>"),
                         addr, need);
    if (limit >= 0 && (unsigned long long)limit < need)
        drvCommandAddWarning(cmd, _("vfio_iommu_type1 dma_entry_limit is %1$lld, below the %2$llu mappings guest memory may need"),
                             limit, need);
}

static int
drvValidateHostdev(drvCommand *cmd, const drvCommandCtx *ctx,
                   const confHostdevDef *hostdev, size_t pos, GError **error)
{
    bool iommufd = drvHostdevUsesIommufd(ctx->def, hostdev);

    if (hostdev->driver != CONF_HOSTDEV_DRIVER_VFIO &&
        hostdev->driver != CONF_HOSTDEV_DRIVER_DEFAULT) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("hostdev driver '%1$s' at '/domain/devices/hostdev[%2$zu]' is not supported: only 'vfio'"),
                    confHostdevDriverToString(hostdev->driver), pos + 1);
        return -1;
    }
    if ((iommufd ? drvValidateHostdevIommufd(ctx, error) :
         drvValidateHostdevLegacy(ctx, error)) < 0)
        return -1;
    if (ctx->def->launchSecurity && !iommufd)
        drvWarnLegacyCoco(cmd, ctx, hostdev);
    return 0;
}

/**
 * drvValidateHostdevs:
 * @cmd: the command (collects warnings)
 * @ctx: the build context
 * @error: return location for a GError
 *
 * What VFIO assignment needs from this QEMU and host.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvValidateHostdevs(drvCommand *cmd, const drvCommandCtx *ctx,
                    GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    size_t i;

    if (devs->nhostdevs == 0)
        return 0;
    if (drvCommandRequireCap(ctx, DRV_QEMU_CAPS_VFIO_PCI, _("hostdev"),
                             error) < 0)
        return -1;
    if (ctx->def->launchSecurity &&
        drvCommandRequireCap(ctx, DRV_QEMU_CAPS_RAM_BLOCK_ATTRIBUTES,
                             _("hostdev in a confidential guest (shared device assignment)"),
                             error) < 0)
        return -1;
    for (i = 0; i < devs->nhostdevs; i++) {
        if (drvValidateHostdev(cmd, ctx, devs->hostdevs[i], i, error) < 0)
            return -1;
    }
    return 0;
}

/**
 * drvBuildIommufdProps:
 * @cmd: (nullable): the command, to pass /dev/iommu to; NULL for hotplug
 *       without descriptor passing
 * @ctx: the build context
 * @error: return location for a GError
 *
 * Returns: (transfer full): the iommufd0 object's props, or NULL with
 * @error set.
 */
qapiJSON *
drvBuildIommufdProps(drvCommand *cmd, const drvCommandCtx *ctx,
                     GError **error)
{
    g_autoptr(qapiJSON) props = NULL;
    g_autofree char *fdstr = NULL;

    if (cmd && drvPassFDs(ctx)) {
        int fd = drvCommandOpenFD(cmd, ctx, DRV_COMMAND_FD_IOMMU, "/dev/iommu",
                                  error);

        if (fd < 0)
            return NULL;
        fdstr = g_strdup_printf("%d", fd);
    }
    if (qapiJSONObjectAdd(&props, error, "s:qom-type", "iommufd",
                          "s:id", DRV_COMMAND_IOMMUFD_ID,
                          "S:fd", fdstr, NULL) < 0)
        return NULL;
    return g_steal_pointer(&props);
}

static int
drvBuildHostdevSource(drvCommand *cmd, qapiJSON **props,
                      const drvCommandCtx *ctx, const confHostdevDef *hostdev,
                      GError **error)
{
    g_autofree char *addr = confPCIAddressToString(&hostdev->source);
    g_autofree char *fdstr = NULL;
    bool iommufd = drvHostdevUsesIommufd(ctx->def, hostdev);

    if (iommufd && cmd && drvPassFDs(ctx)) {
        int fd = drvCommandOpenFD(cmd, ctx, DRV_COMMAND_FD_VFIO, addr, error);

        if (fd < 0)
            return -1;
        fdstr = g_strdup_printf("%d", fd);
    }
    return qapiJSONObjectAdd(props, error,
                             "S:host", fdstr ? NULL : addr,
                             "s:id", hostdev->info.alias,
                             "S:iommufd", iommufd ? DRV_COMMAND_IOMMUFD_ID : NULL,
                             "S:fd", fdstr, NULL);
}

/**
 * drvBuildHostdevProps:
 * @cmd: (nullable): the command, to pass descriptors to
 * @ctx: the build context
 * @hostdev: the device
 * @error: return location for a GError
 *
 * Returns: (transfer full): the vfio-pci device's props, or NULL with
 * @error set.
 */
qapiJSON *
drvBuildHostdevProps(drvCommand *cmd, const drvCommandCtx *ctx,
                     const confHostdevDef *hostdev, GError **error)
{
    g_autoptr(qapiJSON) props = NULL;

    if (qapiJSONObjectAdd(&props, error, "s:driver", "vfio-pci", NULL) < 0 ||
        drvBuildHostdevSource(cmd, &props, ctx, hostdev, error) < 0 ||
        drvBuildDeviceAddress(&props, ctx, &hostdev->info, error) < 0 ||
        drvBuildDeviceCommon(&props, ctx, &hostdev->info, error) < 0)
        return NULL;
    return g_steal_pointer(&props);
}

/**
 * drvBuildHostdevsCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * Every vfio-pci device, with the iommufd0 object right before the first
 * one that uses iommufd.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildHostdevsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                            GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    size_t i;

    for (i = 0; i < devs->nhostdevs; i++) {
        const confHostdevDef *hostdev = devs->hostdevs[i];
        g_autoptr(qapiJSON) props = NULL;

        if (drvHostdevUsesIommufd(ctx->def, hostdev) && !ctx->hasIommufd) {
            if (!(props = drvBuildIommufdProps(cmd, ctx, error)))
                return -1;
            drvCommandAddProps(cmd, DRV_COMMAND_PROPS_OBJECT, &props);
            ctx->hasIommufd = true;
        }
        if (!(props = drvBuildHostdevProps(cmd, ctx, hostdev, error)))
            return -1;
        drvCommandAddProps(cmd, DRV_COMMAND_PROPS_DEVICE, &props);
    }
    return 0;
}

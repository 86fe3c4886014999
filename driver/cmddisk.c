/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_COMMANDPRIV_H_ALLOW
#include "conf/devices.h"
#include "driver/commandpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Disks: a protocol -blockdev ("libvirt-N-storage"), a format -blockdev
 * ("libvirt-N-format") and the -device, like libvirt (the last disk is
 * libvirt-1).  A CD-ROM without media has only the device.
 */

static const char *
drvDiskFormat(const confDiskDef *disk)
{
    return disk->format == CONF_DISK_FORMAT_QCOW2 ? "qcow2" : "raw";
}

static int
drvBuildDiskBlockdevs(drvCommand *cmd, const confDiskDef *disk,
                      size_t nodeIndex, GError **error)
{
    g_autofree char *storage = g_strdup_printf("libvirt-%zu-storage",
                                               nodeIndex);
    g_autofree char *format = g_strdup_printf("libvirt-%zu-format", nodeIndex);
    g_autoptr(qapiJSON) file = NULL;
    g_autoptr(qapiJSON) top = NULL;
    bool readonly = disk->readonly || disk->device == CONF_DISK_DEVICE_CDROM;

    if (qapiJSONObjectAdd(&file, error,
                          "s:driver", disk->type == CONF_DISK_TYPE_BLOCK ?
                          "host_device" : "file",
                          "s:filename", disk->src, "s:node-name", storage,
                          "b:auto-read-only", true, "s:discard", "unmap",
                          NULL) < 0 ||
        qapiJSONObjectAdd(&top, error, "s:node-name", format,
                          "b:read-only", readonly,
                          "s:driver", drvDiskFormat(disk),
                          "s:file", storage, NULL) < 0)
        return -1;
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_BLOCKDEV, &file);
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_BLOCKDEV, &top);
    return 0;
}

static const confControllerDef *
drvDiskController(const drvCommandCtx *ctx, confControllerType type,
                  unsigned int index, GError **error)
{
    const confControllerDef *cont = confControllerFind(
        ctx->def->devices.controllers, ctx->def->devices.ncontrollers,
        type, index);

    if (!cont || !cont->info.alias) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("no '%1$s' controller with index '%2$u' for a disk"),
                    confControllerTypeToString(type), index);
        return NULL;
    }
    return cont;
}

/* ide-hd/ide-cd on a SATA (AHCI) or IDE controller */
static int
drvDiskIDEProps(qapiJSON **extra, const drvCommandCtx *ctx,
                const confDiskDef *disk, GError **error)
{
    const confDriveAddress *drive = &disk->info.addr.drive;
    bool sata = disk->bus == CONF_DISK_BUS_SATA;
    const confControllerDef *cont = drvDiskController(
        ctx, sata ? CONF_CONTROLLER_TYPE_SATA : CONF_CONTROLLER_TYPE_IDE,
        drive->controller, error);
    g_autofree char *bus = NULL;

    if (!cont)
        return -1;
    bus = g_strdup_printf("%s.%u", cont->info.alias,
                          sata ? drive->unit : drive->bus);
    if (sata)
        return qapiJSONObjectAdd(extra, error, "s:bus", bus, NULL);
    return qapiJSONObjectAdd(extra, error, "s:bus", bus,
                             "u:unit", drive->unit, NULL);
}

static int
drvDiskSCSIProps(qapiJSON **extra, const drvCommandCtx *ctx,
                 const confDiskDef *disk, GError **error)
{
    const confDriveAddress *drive = &disk->info.addr.drive;
    const confControllerDef *cont = drvDiskController(
        ctx, CONF_CONTROLLER_TYPE_SCSI, drive->controller, error);
    g_autofree char *bus = NULL;

    if (!cont)
        return -1;
    bus = g_strdup_printf("%s.0", cont->info.alias);
    return qapiJSONObjectAdd(extra, error, "s:bus", bus,
                             "u:channel", drive->bus,
                             "u:scsi-id", drive->target,
                             "u:lun", drive->unit, NULL);
}

static const char *
drvDiskDriver(const confDiskDef *disk)
{
    bool cdrom = disk->device == CONF_DISK_DEVICE_CDROM;

    switch (disk->bus) {
    case CONF_DISK_BUS_VIRTIO:
        return "virtio-blk-pci";
    case CONF_DISK_BUS_SCSI:
        return cdrom ? "scsi-cd" : "scsi-hd";
    case CONF_DISK_BUS_USB:
        return "usb-storage";
    case CONF_DISK_BUS_IDE:
    case CONF_DISK_BUS_SATA:
        return cdrom ? "ide-cd" : "ide-hd";
    case CONF_DISK_BUS_NONE:
    case CONF_DISK_BUS_LAST:
    default:
        return NULL;
    }
}

/**
 * drvBuildDiskDeviceProps:
 * @ctx: the build context
 * @disk: the disk
 * @nodeIndex: N of its libvirt-N-format node
 * @error: return location for a GError
 *
 * Returns: (transfer full): the disk's device props, or NULL with @error
 * set.
 */
qapiJSON *
drvBuildDiskDeviceProps(const drvCommandCtx *ctx, const confDiskDef *disk,
                        size_t nodeIndex, GError **error)
{
    g_autofree char *format = NULL;
    g_autoptr(qapiJSON) extra = NULL;
    int rc = 0;

    if (disk->bus == CONF_DISK_BUS_SATA || disk->bus == CONF_DISK_BUS_IDE)
        rc = drvDiskIDEProps(&extra, ctx, disk, error);
    else if (disk->bus == CONF_DISK_BUS_SCSI)
        rc = drvDiskSCSIProps(&extra, ctx, disk, error);
    if (rc < 0)
        return NULL;
    if (disk->src)
        format = g_strdup_printf("libvirt-%zu-format", nodeIndex);
    if (qapiJSONObjectAdd(&extra, error, "S:drive", format,
                          "S:serial", disk->serial,
                          "B:share-rw", disk->shareable, NULL) < 0)
        return NULL;
    return drvBuildDeviceProps(ctx, drvDiskDriver(disk), &disk->info, &extra,
                               error);
}

/**
 * drvBuildDisksCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildDisksCommandLine(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    size_t i;

    for (i = 0; i < devs->ndisks; i++) {
        const confDiskDef *disk = devs->disks[i];
        size_t nodeIndex = devs->ndisks - i;
        g_autoptr(qapiJSON) props = NULL;

        if (!drvDiskDriver(disk)) {
            g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                        _("disk bus '%1$s' at '/domain/devices/disk[%2$zu]' is not supported"),
                        confDiskBusToString(disk->bus), i + 1);
            return -1;
        }
        if (disk->src &&
            drvBuildDiskBlockdevs(cmd, disk, nodeIndex, error) < 0)
            return -1;
        if (!(props = drvBuildDiskDeviceProps(ctx, disk, nodeIndex, error)))
            return -1;
        drvCommandAddProps(cmd, DRV_COMMAND_PROPS_DEVICE, &props);
    }
    return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_COMMANDPRIV_H_ALLOW
#include "conf/devices.h"
#include "driver/commandpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Device addresses, boot order and the small devices:
 * controllers, input, video, watchdog, balloon and rng.  Disks are in
 * driver/cmddisk.c, network and serial in driver/cmdnet.c, VFIO in
 * driver/cmdhostdev.c.
 */

/**
 * drvCommandAssignAliases:
 * @def: a domain
 *
 * Gives every device without an alias libvirt's alias for it ("net0",
 * "virtio-disk0", "pci.1", ...): the QEMU id.
 */
void
drvCommandAssignAliases(confDomainDef *def)
{
    confDevicesAssignAliases(def);
}

static const confDeviceInfo *
drvFirstDisk(const confDomainDef *def, confDiskDevice device)
{
    size_t i;

    for (i = 0; i < def->devices.ndisks; i++) {
        if (def->devices.disks[i]->device == device)
            return &def->devices.disks[i]->info;
    }
    return NULL;
}

/**
 * drvCommandAssignBootOrder:
 * @ctx: the build context
 *
 * Without per-device <boot order=>, <os><boot dev=> picks the first
 * disk, CD-ROM or interface, which gets bootindex 1, 2, ... in that
 * order (libvirt does the same; -boot order= is gone).
 */
void
drvCommandAssignBootOrder(drvCommandCtx *ctx)
{
    const confDomainDef *def = ctx->def;
    size_t i;

    if (def->deviceBoot)
        return;
    for (i = 0; i < def->os.nBootDevs; i++) {
        switch (def->os.bootDevs[i]) {
        case CONF_DOMAIN_BOOT_DISK:
            ctx->osBoot[i] = drvFirstDisk(def, CONF_DISK_DEVICE_DISK);
            break;
        case CONF_DOMAIN_BOOT_CDROM:
            ctx->osBoot[i] = drvFirstDisk(def, CONF_DISK_DEVICE_CDROM);
            break;
        case CONF_DOMAIN_BOOT_NET:
            if (def->devices.nnets)
                ctx->osBoot[i] = &def->devices.nets[0]->info;
            break;
        case CONF_DOMAIN_BOOT_FLOPPY:
        case CONF_DOMAIN_BOOT_LAST:
        default:
            break;
        }
    }
}

/**
 * drvCommandBootIndex:
 * @ctx: the build context
 * @info: a device's info
 *
 * Returns: the device's bootindex: its <boot order=>, or its place in
 * <os><boot dev=>; 0 for none.
 */
unsigned int
drvCommandBootIndex(const drvCommandCtx *ctx, const confDeviceInfo *info)
{
    unsigned int n = 0;
    size_t i;

    if (ctx->def->deviceBoot)
        return info->bootIndex;
    for (i = 0; i < ctx->def->os.nBootDevs; i++) {
        if (ctx->osBoot[i])
            n++;
        if (ctx->osBoot[i] == info)
            return n;
    }
    return 0;
}

static const confControllerDef *
drvFindController(const confDomainDef *def, confControllerType type,
                  unsigned int index)
{
    return confControllerFind(def->devices.controllers,
                              def->devices.ncontrollers, type, index);
}

/* The bus of USB controller @index ("usb.0", "usb1.0"). */
static char *
drvUSBBusName(unsigned int index)
{
    if (index == 0)
        return g_strdup("usb.0");
    return g_strdup_printf("usb%u.0", index);
}

static int
drvBuildPCIAddress(qapiJSON **props, const drvCommandCtx *ctx,
                   const confPCIAddress *pci, GError **error)
{
    const confControllerDef *bus = drvFindController(
        ctx->def, CONF_CONTROLLER_TYPE_PCI, pci->bus);
    g_autofree char *addr = NULL;

    if (!bus || !bus->info.alias) {
        g_set_error(error, DRV_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("no PCI controller with index '%1$u' for a device address"),
                    pci->bus);
        return -1;
    }
    if (pci->function)
        addr = g_strdup_printf("0x%x.0x%x", pci->slot, pci->function);
    else
        addr = g_strdup_printf("0x%x", pci->slot);
    return qapiJSONObjectAdd(props, error, "s:bus", bus->info.alias,
                             "T:multifunction", pci->multifunction,
                             "s:addr", addr, NULL);
}

/**
 * drvBuildDeviceAddress:
 * @props: the device's props
 * @ctx: the build context
 * @info: the device's info
 * @error: return location for a GError
 *
 * Adds bus/addr (PCI), bus/port (USB) or bus/nr (virtio-serial).
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildDeviceAddress(qapiJSON **props, const drvCommandCtx *ctx,
                      const confDeviceInfo *info, GError **error)
{
    const confDeviceAddress *addr = &info->addr;
    g_autofree char *bus = NULL;

    switch (addr->type) {
    case CONF_ADDRESS_TYPE_PCI:
        return drvBuildPCIAddress(props, ctx, &addr->pci, error);
    case CONF_ADDRESS_TYPE_USB:
        bus = drvUSBBusName(addr->usb.bus);
        return qapiJSONObjectAdd(props, error, "s:bus", bus,
                                 "S:port", addr->usb.port, NULL);
    case CONF_ADDRESS_TYPE_VIRTIO_SERIAL:
        bus = g_strdup_printf("virtio-serial%u.%u",
                              addr->vioserial.controller, addr->vioserial.bus);
        return qapiJSONObjectAdd(props, error, "s:bus", bus,
                                 "u:nr", addr->vioserial.port, NULL);
    case CONF_ADDRESS_TYPE_NONE:
    case CONF_ADDRESS_TYPE_DRIVE:
    case CONF_ADDRESS_TYPE_LAST:
    default:
        return 0;
    }
}

/**
 * drvBuildDeviceCommon:
 * @props: the device's props
 * @ctx: the build context
 * @info: the device's info
 * @error: return location for a GError
 *
 * Adds bootindex, acpi-index, rombar and romfile.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildDeviceCommon(qapiJSON **props, const drvCommandCtx *ctx,
                     const confDeviceInfo *info, GError **error)
{
    const char *romfile = info->romFile;
    int rombar = -1;

    if (info->romEnabled == VGM_TRISTATE_BOOL_NO)
        romfile = "";
    if (info->romBar != VGM_TRISTATE_SWITCH_ABSENT)
        rombar = info->romBar == VGM_TRISTATE_SWITCH_ON;
    if (qapiJSONObjectAdd(props, error,
                          "z:bootindex", (int)drvCommandBootIndex(ctx, info),
                          "z:acpi-index", (int)info->acpiIndex, NULL) < 0)
        return -1;
    if (rombar >= 0 &&
        qapiJSONObjectAdd(props, error, "i:rombar", rombar, NULL) < 0)
        return -1;
    return qapiJSONObjectAdd(props, error, "S:romfile", romfile, NULL);
}

/**
 * drvBuildDeviceProps:
 * @ctx: the build context
 * @driver: the QEMU device type
 * @info: the device's info (id, address, boot, rom)
 * @extra: (nullable): device-specific props, taken
 * @error: return location for a GError
 *
 * The props of a device, the same for -device and device_add:
 * {driver, @extra, id, address, bootindex, rom}.
 *
 * Returns: (transfer full): the props, or NULL with @error set.
 */
qapiJSON *
drvBuildDeviceProps(const drvCommandCtx *ctx, const char *driver,
                    const confDeviceInfo *info, qapiJSON **extra,
                    GError **error)
{
    g_autoptr(qapiJSON) props = NULL;
    size_t i;

    if (qapiJSONObjectAdd(&props, error, "s:driver", driver, NULL) < 0)
        return NULL;
    for (i = 0; *extra && i < qapiJSONObjectSize(*extra); i++)
        qapiJSONObjectSet(props, qapiJSONObjectKeyAt(*extra, i),
                          qapiJSONCopy(qapiJSONObjectValueAt(*extra, i)));
    g_clear_pointer(extra, qapiJSONFree);
    if (qapiJSONObjectAdd(&props, error, "s:id", info->alias, NULL) < 0 ||
        drvBuildDeviceAddress(&props, ctx, info, error) < 0 ||
        drvBuildDeviceCommon(&props, ctx, info, error) < 0)
        return NULL;
    return g_steal_pointer(&props);
}

/**
 * drvCommandAddDevice:
 * @cmd: the command
 * @ctx: the build context
 * @driver: the QEMU device type
 * @info: the device's info
 * @extra: (nullable): device-specific props, taken
 * @error: return location for a GError
 *
 * Adds -device with drvBuildDeviceProps().
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvCommandAddDevice(drvCommand *cmd, const drvCommandCtx *ctx,
                    const char *driver, const confDeviceInfo *info,
                    qapiJSON **extra, GError **error)
{
    g_autoptr(qapiJSON) props = drvBuildDeviceProps(ctx, driver, info, extra,
                                                    error);

    if (!props)
        return -1;
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_DEVICE, &props);
    return 0;
}

static const char *
drvUSBControllerDriver(const drvCommandCtx *ctx, int model)
{
    static const char *const drivers[] = {
        [CONF_CONTROLLER_MODEL_USB_PIIX3_UHCI] = "piix3-usb-uhci",
        [CONF_CONTROLLER_MODEL_USB_PIIX4_UHCI] = "piix4-usb-uhci",
        [CONF_CONTROLLER_MODEL_USB_EHCI] = "usb-ehci",
        [CONF_CONTROLLER_MODEL_USB_ICH9_EHCI1] = "ich9-usb-ehci1",
        [CONF_CONTROLLER_MODEL_USB_ICH9_UHCI1] = "ich9-usb-uhci1",
        [CONF_CONTROLLER_MODEL_USB_ICH9_UHCI2] = "ich9-usb-uhci2",
        [CONF_CONTROLLER_MODEL_USB_ICH9_UHCI3] = "ich9-usb-uhci3",
        [CONF_CONTROLLER_MODEL_USB_NEC_XHCI] = "nec-usb-xhci",
        [CONF_CONTROLLER_MODEL_USB_QEMU_XHCI] = "qemu-xhci",
    };

    if (model == CONF_CONTROLLER_MODEL_USB_DEFAULT)
        return ctx->q35 ? "qemu-xhci" : "piix3-usb-uhci";
    if (model < 0 || model >= (int)G_N_ELEMENTS(drivers))
        return NULL;
    return drivers[model];
}

static int
drvUSBControllerProps(qapiJSON **extra, const confControllerDef *cont,
                      GError **error)
{
    int uhci = cont->model - CONF_CONTROLLER_MODEL_USB_ICH9_UHCI1;

    if (uhci >= 0 && uhci <= 2) {
        g_autofree char *master = drvUSBBusName(cont->index);

        return qapiJSONObjectAdd(extra, error, "s:masterbus", master,
                                 "i:firstport", uhci * 2, NULL);
    }
    if (cont->ports && (cont->model == CONF_CONTROLLER_MODEL_USB_QEMU_XHCI ||
                        cont->model == CONF_CONTROLLER_MODEL_USB_NEC_XHCI))
        return qapiJSONObjectAdd(extra, error, "u:p2", cont->ports,
                                 "u:p3", cont->ports, NULL);
    return 0;
}

static int
drvPCIControllerProps(qapiJSON **extra, const confControllerDef *cont,
                      const char **driver, GError **error)
{
    switch (cont->model) {
    case CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT:
        *driver = "pcie-root-port";
        return qapiJSONObjectAdd(extra, error,
                                 "i:port", cont->port < 0 ? 0 : cont->port,
                                 "i:chassis", cont->chassis < 0 ?
                                 (int)cont->index : cont->chassis, NULL);
    case CONF_CONTROLLER_MODEL_PCI_BRIDGE:
        *driver = "pci-bridge";
        return qapiJSONObjectAdd(extra, error, "i:chassis_nr",
                                 cont->chassisNr < 0 ?
                                 (int)cont->index : cont->chassisNr, NULL);
    case CONF_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
        *driver = "pcie-pci-bridge";
        return 0;
    default:
        *driver = NULL;    /* pci-root and pcie-root are built in */
        return 0;
    }
}

/* The QEMU device of a controller; NULL: built in, nothing to add. */
static int
drvControllerDriver(const drvCommandCtx *ctx, const confControllerDef *cont,
                    qapiJSON **extra, const char **driver, GError **error)
{
    *driver = NULL;
    switch (cont->type) {
    case CONF_CONTROLLER_TYPE_PCI:
        return drvPCIControllerProps(extra, cont, driver, error);
    case CONF_CONTROLLER_TYPE_USB:
        if (cont->model == CONF_CONTROLLER_MODEL_USB_NONE)
            return 0;
        *driver = drvUSBControllerDriver(ctx, cont->model);
        return drvUSBControllerProps(extra, cont, error);
    case CONF_CONTROLLER_TYPE_SATA:
        if (!(ctx->q35 && cont->index == 0))
            *driver = "ich9-ahci";
        return 0;
    case CONF_CONTROLLER_TYPE_IDE:
        return 0;       /* the PIIX IDE of pc is built in */
    case CONF_CONTROLLER_TYPE_SCSI:
        *driver = cont->model == CONF_CONTROLLER_MODEL_SCSI_LSILOGIC ?
                  "lsi" : "virtio-scsi-pci";
        return 0;
    case CONF_CONTROLLER_TYPE_VIRTIO_SERIAL:
        *driver = "virtio-serial-pci";
        return 0;
    case CONF_CONTROLLER_TYPE_LAST:
    default:
        return 0;
    }
}

static int
drvBuildController(drvCommand *cmd, drvCommandCtx *ctx,
                   const confControllerDef *cont, GError **error)
{
    g_autoptr(qapiJSON) extra = NULL;
    const char *driver = NULL;

    if (drvControllerDriver(ctx, cont, &extra, &driver, error) < 0)
        return -1;
    if (!driver)
        return 0;
    return drvCommandAddDevice(cmd, ctx, driver, &cont->info, &extra, error);
}

/**
 * drvBuildControllersCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * PCI controllers first, each after the bus it plugs into (address
 * assignment may put a bridge behind a root port with a higher index),
 * then the others in definition order; built-in ones add nothing.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildControllersCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                               GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    g_autofree bool *done = g_new0(bool, devs->ncontrollers);
    g_autofree bool *busReady = g_new0(bool, CONF_PCI_MAX_BUS + 1);
    bool progress = true;
    size_t i;

    drvCommandAssignBootOrder(ctx);
    busReady[0] = true;
    while (progress) {
        progress = false;
        for (i = 0; i < devs->ncontrollers; i++) {
            const confControllerDef *c = devs->controllers[i];

            if (done[i] || c->type != CONF_CONTROLLER_TYPE_PCI ||
                (c->index && (c->info.addr.type != CONF_ADDRESS_TYPE_PCI ||
                              !busReady[c->info.addr.pci.bus])))
                continue;
            if (drvBuildController(cmd, ctx, c, error) < 0)
                return -1;
            done[i] = busReady[MIN(c->index, CONF_PCI_MAX_BUS)] = true;
            progress = true;
        }
    }
    for (i = 0; i < devs->ncontrollers; i++) {
        if (done[i] || devs->controllers[i]->type == CONF_CONTROLLER_TYPE_PCI)
            continue;
        if (drvBuildController(cmd, ctx, devs->controllers[i], error) < 0)
            return -1;
    }
    return 0;
}

static const char *
drvInputDriver(const confInputDef *input)
{
    static const char *const usb[] = {
        [CONF_INPUT_TYPE_MOUSE] = "usb-mouse",
        [CONF_INPUT_TYPE_TABLET] = "usb-tablet",
        [CONF_INPUT_TYPE_KEYBOARD] = "usb-kbd",
    };
    static const char *const virtio[] = {
        [CONF_INPUT_TYPE_MOUSE] = "virtio-mouse-pci",
        [CONF_INPUT_TYPE_TABLET] = "virtio-tablet-pci",
        [CONF_INPUT_TYPE_KEYBOARD] = "virtio-keyboard-pci",
    };

    if (input->bus == CONF_INPUT_BUS_USB)
        return usb[input->type];
    if (input->bus == CONF_INPUT_BUS_VIRTIO)
        return virtio[input->type];
    return NULL;           /* PS/2 is built into the machine */
}

/**
 * drvBuildInputsCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * USB and virtio input devices; PS/2 is built into the machine.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildInputsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                          GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    size_t i;

    for (i = 0; i < devs->ninputs; i++) {
        const char *driver = drvInputDriver(devs->inputs[i]);
        g_autoptr(qapiJSON) extra = NULL;

        if (driver &&
            drvCommandAddDevice(cmd, ctx, driver, &devs->inputs[i]->info, &extra,
                         error) < 0)
            return -1;
    }
    return 0;
}

/**
 * drvBuildVideosCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * VGA or virtio-vga for the primary video, secondary-vga or
 * virtio-gpu-pci for the others.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildVideosCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                          GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    size_t i;

    for (i = 0; i < devs->nvideos; i++) {
        const confVideoDef *video = devs->videos[i];
        g_autoptr(qapiJSON) extra = NULL;
        const char *driver;

        if (video->model == CONF_VIDEO_NONE)
            continue;
        if (video->model == CONF_VIDEO_VGA) {
            driver = video->primary ? "VGA" : "secondary-vga";
            if (qapiJSONObjectAdd(&extra, error, "z:vgamem_mb",
                                  (int)(video->vram / 1024), NULL) < 0)
                return -1;
        } else {
            driver = video->primary ? "virtio-vga" : "virtio-gpu-pci";
            if (qapiJSONObjectAdd(&extra, error, "z:max_outputs",
                                  (int)video->heads, NULL) < 0)
                return -1;
        }
        if (drvCommandAddDevice(cmd, ctx, driver, &video->info, &extra, error) < 0)
            return -1;
    }
    return 0;
}

static const char *
drvWatchdogAction(confWatchdogAction action)
{
    /* QEMU cannot dump; libvirt pauses the guest and dumps it itself */
    if (action == CONF_WATCHDOG_ACTION_DUMP)
        return "pause";
    return confWatchdogActionToString(action);
}

/**
 * drvBuildWatchdogsCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * The q35 iTCO watchdog is built in (its reboot is switched on with a
 * -global); the others are devices; QEMU has one -watchdog-action.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildWatchdogsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                             GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    size_t i;

    for (i = 0; i < devs->nwatchdogs; i++) {
        const confWatchdogDef *wd = devs->watchdogs[i];
        g_autoptr(qapiJSON) extra = NULL;

        if (wd->model == CONF_WATCHDOG_ITCO) {
            drvCommandAddArgPair(cmd, "-global", "ICH9-LPC.noreboot=off");
            continue;
        }
        if (drvCommandAddDevice(cmd, ctx, confWatchdogModelToString(wd->model),
                         &wd->info, &extra, error) < 0)
            return -1;
    }
    if (devs->nwatchdogs)
        drvCommandAddArgPair(cmd, "-watchdog-action",
                             drvWatchdogAction(devs->watchdogs[0]->action));
    return 0;
}

/**
 * drvBuildBalloonCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * virtio-balloon-pci unless the model is 'none'.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildBalloonCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                           GError **error)
{
    const confBalloonDef *balloon = ctx->def->devices.memballoon;
    g_autoptr(qapiJSON) extra = NULL;

    if (!balloon || balloon->model == CONF_BALLOON_NONE)
        return 0;
    if (balloon->autodeflate != VGM_TRISTATE_SWITCH_ABSENT &&
        qapiJSONObjectAdd(&extra, error, "b:deflate-on-oom",
                          balloon->autodeflate == VGM_TRISTATE_SWITCH_ON,
                          NULL) < 0)
        return -1;
    return drvCommandAddDevice(cmd, ctx, "virtio-balloon-pci", &balloon->info,
                        &extra, error);
}

static int
drvBuildRNG(drvCommand *cmd, drvCommandCtx *ctx, const confRNGDef *rng,
            GError **error)
{
    g_autofree char *objId = g_strdup_printf("obj%s", rng->info.alias);
    g_autoptr(qapiJSON) obj = NULL;
    g_autoptr(qapiJSON) extra = NULL;
    bool random = rng->backend == CONF_RNG_BACKEND_RANDOM;

    if (qapiJSONObjectAdd(&obj, error, "s:qom-type",
                          random ? "rng-random" : "rng-builtin",
                          "s:id", objId,
                          "S:filename", random ? rng->file : NULL, NULL) < 0)
        return -1;
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_OBJECT, &obj);
    if (qapiJSONObjectAdd(&extra, error, "s:rng", objId,
                          "z:max-bytes", (int)rng->rateBytes, NULL) < 0)
        return -1;
    if (rng->rateBytes &&
        qapiJSONObjectAdd(&extra, error, "u:period",
                          rng->ratePeriod ? rng->ratePeriod : 1000, NULL) < 0)
        return -1;
    return drvCommandAddDevice(cmd, ctx, "virtio-rng-pci", &rng->info, &extra,
                        error);
}

/**
 * drvBuildRNGsCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * An rng-random or rng-builtin object, then virtio-rng-pci, per <rng>.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildRNGsCommandLine(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    size_t i;

    for (i = 0; i < devs->nrngs; i++) {
        if (drvBuildRNG(cmd, ctx, devs->rngs[i], error) < 0)
            return -1;
    }
    return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/devices.h"
#include "conf/domain.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * <devices>: dispatch to the device families, libvirt's implicit
 * devices, the checks that span devices, and the formatter.
 */

#define CONF_DEVICES_APPEND(arr, n, item) \
    do { \
        (arr) = g_renew(typeof(*(arr)), (arr), (n) + 1); \
        (arr)[(n)++] = (item); \
    } while (0)

#define CONF_DEVICES_FREE(arr, n, freeFunc) \
    do { \
        size_t i_; \
        for (i_ = 0; i_ < (n); i_++) \
            freeFunc((arr)[i_]); \
        g_clear_pointer(&(arr), g_free); \
        (n) = 0; \
    } while (0)

/**
 * confDevicesClear:
 * @devs: the devices
 *
 * Frees every device; @devs is left empty.
 */
void
confDevicesClear(confDevices *devs)
{
    g_clear_pointer(&devs->emulator, g_free);
    CONF_DEVICES_FREE(devs->disks, devs->ndisks, confDiskDefFree);
    CONF_DEVICES_FREE(devs->controllers, devs->ncontrollers,
                      confControllerDefFree);
    CONF_DEVICES_FREE(devs->nets, devs->nnets, confNetDefFree);
    CONF_DEVICES_FREE(devs->serials, devs->nserials, confChrDefFree);
    CONF_DEVICES_FREE(devs->consoles, devs->nconsoles, confChrDefFree);
    CONF_DEVICES_FREE(devs->inputs, devs->ninputs, confInputDefFree);
    CONF_DEVICES_FREE(devs->videos, devs->nvideos, confVideoDefFree);
    CONF_DEVICES_FREE(devs->hostdevs, devs->nhostdevs, confHostdevDefFree);
    CONF_DEVICES_FREE(devs->watchdogs, devs->nwatchdogs,
                      confWatchdogDefFree);
    CONF_DEVICES_FREE(devs->rngs, devs->nrngs, confRNGDefFree);
    g_clear_pointer(&devs->memballoon, confBalloonDefFree);
}

typedef int (*confDeviceParseFunc)(xmlNodePtr node, confDevices *devs,
                                   unsigned int flags, GError **error);

/* One wrapper per array: parse, then append. */
#define CONF_DEVICES_PARSER(name, type, call, arr, n) \
    static int \
    confDevicesParse##name(xmlNodePtr node, confDevices *devs, \
                           unsigned int flags, GError **error) \
    { \
        type *dev = call; \
        if (!dev) \
            return -1; \
        CONF_DEVICES_APPEND(devs->arr, devs->n, dev); \
        return 0; \
    }

CONF_DEVICES_PARSER(Disk, confDiskDef, confDiskDefParse(node, flags, error),
                    disks, ndisks)
CONF_DEVICES_PARSER(Controller, confControllerDef,
                    confControllerDefParse(node, flags, error),
                    controllers, ncontrollers)
CONF_DEVICES_PARSER(Net, confNetDef, confNetDefParse(node, flags, error),
                    nets, nnets)
CONF_DEVICES_PARSER(Serial, confChrDef,
                    confChrDefParse(node, false, flags, error),
                    serials, nserials)
CONF_DEVICES_PARSER(Console, confChrDef,
                    confChrDefParse(node, true, flags, error),
                    consoles, nconsoles)
CONF_DEVICES_PARSER(Input, confInputDef,
                    confInputDefParse(node, flags, error), inputs, ninputs)
CONF_DEVICES_PARSER(Video, confVideoDef,
                    confVideoDefParse(node, flags, error), videos, nvideos)
CONF_DEVICES_PARSER(Hostdev, confHostdevDef,
                    confHostdevDefParse(node, flags, error),
                    hostdevs, nhostdevs)
CONF_DEVICES_PARSER(Watchdog, confWatchdogDef,
                    confWatchdogDefParse(node, flags, error),
                    watchdogs, nwatchdogs)
CONF_DEVICES_PARSER(RNG, confRNGDef, confRNGDefParse(node, flags, error),
                    rngs, nrngs)

static int
confDevicesParseEmulator(xmlNodePtr node, confDevices *devs,
                         unsigned int flags, GError **error)
{
    if (confXMLCheckNode(node, NULL, NULL, error) < 0)
        return -1;
    g_free(devs->emulator);
    devs->emulator = confXMLNodeContent(node);
    return 0;
}

static int
confDevicesParseBalloon(xmlNodePtr node, confDevices *devs,
                        unsigned int flags, GError **error)
{
    confBalloonDef *balloon = confBalloonDefParse(node, flags, error);

    if (!balloon)
        return -1;
    confBalloonDefFree(devs->memballoon);
    devs->memballoon = balloon;
    return 0;
}

static const struct {
    const char *name;
    confDeviceParseFunc parse;
    bool unique;
} confDeviceParsers[] = {
    { "emulator", confDevicesParseEmulator, true },
    { "disk", confDevicesParseDisk, false },
    { "controller", confDevicesParseController, false },
    { "interface", confDevicesParseNet, false },
    { "serial", confDevicesParseSerial, false },
    { "console", confDevicesParseConsole, false },
    { "input", confDevicesParseInput, false },
    { "video", confDevicesParseVideo, false },
    { "hostdev", confDevicesParseHostdev, false },
    { "watchdog", confDevicesParseWatchdog, false },
    { "memballoon", confDevicesParseBalloon, true },
    { "rng", confDevicesParseRNG, false },
};

static int
confDevicesParseChild(xmlNodePtr node, xmlNodePtr child, confDevices *devs,
                      unsigned int flags, GError **error)
{
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(confDeviceParsers); i++) {
        xmlNodePtr dummy;

        if (strcmp((const char *)child->name, confDeviceParsers[i].name) != 0)
            continue;
        if (confDeviceParsers[i].unique &&
            confXMLChildUnique(node, confDeviceParsers[i].name, &dummy,
                               error) < 0)
            return -1;
        return confDeviceParsers[i].parse(child, devs, flags, error);
    }
    /* confXMLCheckNode refused unknown names already. */
    return 0;
}

/**
 * confDevicesParse:
 * @node: the <devices> element
 * @def: the domain being parsed
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDevicesParse(xmlNodePtr node, confDomainDef *def, unsigned int flags,
                 GError **error)
{
    const char *children[G_N_ELEMENTS(confDeviceParsers) + 1] = { NULL };
    xmlNodePtr cur;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(confDeviceParsers); i++)
        children[i] = confDeviceParsers[i].name;
    if (confXMLCheckNode(node, NULL, children, error) < 0)
        return -1;
    for (cur = node->children; cur; cur = cur->next) {
        if (cur->type != XML_ELEMENT_NODE)
            continue;
        if (confDevicesParseChild(node, cur, &def->devices, flags, error) < 0)
            return -1;
    }
    return 0;
}

/**
 * confDevicesIsQ35:
 * @def: a domain
 *
 * Returns: whether the machine is "q35" or "pc-q35-*".
 */
bool
confDevicesIsQ35(const confDomainDef *def)
{
    const char *machine = def->os.machine;

    return machine && (strcmp(machine, "q35") == 0 ||
                       g_str_has_prefix(machine, "pc-q35-"));
}

/* "pc", "pc-i440fx-*", "q35", "pc-q35-*": the x86 PC machines. */
static bool
confDevicesIsPC(const confDomainDef *def)
{
    const char *machine = def->os.machine;

    return machine && (strcmp(machine, "pc") == 0 ||
                       g_str_has_prefix(machine, "pc-") ||
                       strcmp(machine, "q35") == 0);
}

/* Collecting devices. */

static void
confDevicesAdd(GArray *refs, const char *elem, size_t pos,
               confDeviceInfo *info, confPCIConnect connect)
{
    confDeviceRef ref = { elem, pos, info, connect, NULL, false, false };

    g_array_append_val(refs, ref);
}

static void
confDevicesCollectControllers(confDomainDef *def, GArray *refs)
{
    confDevices *devs = &def->devices;
    size_t i;

    for (i = 0; i < devs->ncontrollers; i++) {
        confDeviceRef ref = { "controller", i, &devs->controllers[i]->info,
                              confControllerPCIConnect(devs->controllers[i]),
                              devs->controllers[i], false, false };

        g_array_append_val(refs, ref);
    }
}

static confPCIConnect
confNetPCIConnect(const confNetDef *net)
{
    return confNetModelIsConventionalPCI(net->model) ?
           CONF_PCI_CONNECT_PCI : CONF_PCI_CONNECT_PCIE;
}

static void
confDevicesCollectDisks(confDomainDef *def, GArray *refs)
{
    confDevices *devs = &def->devices;
    size_t i;

    for (i = 0; i < devs->ndisks; i++) {
        confDiskDef *disk = devs->disks[i];

        confDevicesAdd(refs, "disk", i, &disk->info,
                       disk->bus == CONF_DISK_BUS_VIRTIO ?
                       CONF_PCI_CONNECT_PCIE : CONF_PCI_CONNECT_NONE);
        if (disk->bus == CONF_DISK_BUS_USB)
            g_array_index(refs, confDeviceRef, refs->len - 1).usb = true;
    }
}

static void
confDevicesCollectChrs(confDomainDef *def, GArray *refs)
{
    confDevices *devs = &def->devices;
    size_t i;

    for (i = 0; i < devs->nserials; i++) {
        confChrDef *chr = devs->serials[i];

        confDevicesAdd(refs, "serial", i, &chr->info,
                       chr->targetType == CONF_SERIAL_TARGET_PCI ?
                       CONF_PCI_CONNECT_PCI : CONF_PCI_CONNECT_NONE);
        if (chr->targetType == CONF_SERIAL_TARGET_USB)
            g_array_index(refs, confDeviceRef, refs->len - 1).usb = true;
    }
    /* The first console of type 'serial' is serial[0] again: skip it. */
    for (i = 0; i < devs->nconsoles; i++) {
        if (i == 0 && devs->nserials &&
            devs->consoles[0]->targetType == CONF_CONSOLE_TARGET_SERIAL)
            continue;
        confDevicesAdd(refs, "console", i, &devs->consoles[i]->info,
                       CONF_PCI_CONNECT_NONE);
    }
}

static void
confDevicesCollectInputs(confDomainDef *def, GArray *refs)
{
    confDevices *devs = &def->devices;
    size_t i;

    for (i = 0; i < devs->ninputs; i++) {
        confInputDef *input = devs->inputs[i];

        confDevicesAdd(refs, "input", i, &input->info,
                       input->bus == CONF_INPUT_BUS_VIRTIO ?
                       CONF_PCI_CONNECT_PCIE : CONF_PCI_CONNECT_NONE);
        if (input->bus == CONF_INPUT_BUS_USB)
            g_array_index(refs, confDeviceRef, refs->len - 1).usb = true;
    }
}

static void
confDevicesCollectVideos(confDomainDef *def, GArray *refs)
{
    confDevices *devs = &def->devices;
    size_t i;

    for (i = 0; i < devs->nvideos; i++) {
        confVideoDef *video = devs->videos[i];
        confPCIConnect connect = CONF_PCI_CONNECT_NONE;

        if (video->model == CONF_VIDEO_VGA)
            connect = CONF_PCI_CONNECT_PCI;
        else if (video->model == CONF_VIDEO_VIRTIO)
            connect = CONF_PCI_CONNECT_PCIE;
        confDevicesAdd(refs, "video", i, &video->info, connect);
        g_array_index(refs, confDeviceRef, refs->len - 1).primaryVideo =
            video->primary;
    }
}

static void
confDevicesCollectOthers(confDomainDef *def, GArray *refs)
{
    confDevices *devs = &def->devices;
    size_t i;

    for (i = 0; i < devs->nhostdevs; i++)
        confDevicesAdd(refs, "hostdev", i, &devs->hostdevs[i]->info,
                       CONF_PCI_CONNECT_PCIE);
    if (devs->memballoon)
        confDevicesAdd(refs, "memballoon", 0, &devs->memballoon->info,
                       devs->memballoon->model == CONF_BALLOON_VIRTIO ?
                       CONF_PCI_CONNECT_PCIE : CONF_PCI_CONNECT_NONE);
    for (i = 0; i < devs->nrngs; i++)
        confDevicesAdd(refs, "rng", i, &devs->rngs[i]->info,
                       CONF_PCI_CONNECT_PCIE);
    for (i = 0; i < devs->nwatchdogs; i++)
        confDevicesAdd(refs, "watchdog", i, &devs->watchdogs[i]->info,
                       devs->watchdogs[i]->model == CONF_WATCHDOG_I6300ESB ?
                       CONF_PCI_CONNECT_PCI : CONF_PCI_CONNECT_NONE);
}

/**
 * confDevicesCollect:
 * @def: a domain
 *
 * The primary video first, then interfaces, controllers, disks,
 * character devices, host devices, the balloon, RNGs, watchdogs, inputs
 * and other videos: the order in which libvirt hands out PCI slots.
 *
 * Returns: a GArray of confDeviceRef (g_array_unref it).
 */
GArray *
confDevicesCollect(confDomainDef *def)
{
    GArray *refs = g_array_new(FALSE, TRUE, sizeof(confDeviceRef));
    g_autoptr(GArray) videos = g_array_new(FALSE, TRUE,
                                           sizeof(confDeviceRef));
    confDevices *devs = &def->devices;
    size_t i;

    confDevicesCollectVideos(def, videos);
    for (i = 0; i < videos->len; i++) {
        if (g_array_index(videos, confDeviceRef, i).primaryVideo)
            g_array_append_val(refs, g_array_index(videos, confDeviceRef, i));
    }
    for (i = 0; i < devs->nnets; i++)
        confDevicesAdd(refs, "interface", i, &devs->nets[i]->info,
                       confNetPCIConnect(devs->nets[i]));
    confDevicesCollectControllers(def, refs);
    confDevicesCollectDisks(def, refs);
    confDevicesCollectChrs(def, refs);
    confDevicesCollectOthers(def, refs);
    confDevicesCollectInputs(def, refs);
    for (i = 0; i < videos->len; i++) {
        if (!g_array_index(videos, confDeviceRef, i).primaryVideo)
            g_array_append_val(refs, g_array_index(videos, confDeviceRef, i));
    }
    return refs;
}

/**
 * confDeviceRefPath:
 * @ref: a device
 *
 * Returns: the device's XML path for messages (g_free it).
 */
char *
confDeviceRefPath(const confDeviceRef *ref)
{
    if (strcmp(ref->elem, "memballoon") == 0)
        return g_strdup("/domain/devices/memballoon");
    return g_strdup_printf("/domain/devices/%s[%zu]", ref->elem, ref->pos + 1);
}

/* Post-parse: libvirt's implicit devices. */

static void
confDevicesAddController(confDevices *devs, confControllerType type,
                         unsigned int index, int model)
{
    if (confControllerFind(devs->controllers, devs->ncontrollers, type,
                           index))
        return;
    confControllerInsert(&devs->controllers, &devs->ncontrollers,
                         confControllerDefNew(type, index, model));
}

static void
confDevicesControllerDefaults(confDevices *devs, bool q35)
{
    size_t i;

    for (i = 0; i < devs->ncontrollers; i++) {
        confControllerDef *ctrl = devs->controllers[i];

        if (ctrl->model)
            continue;
        if (ctrl->type == CONF_CONTROLLER_TYPE_USB)
            ctrl->model = q35 ? CONF_CONTROLLER_MODEL_USB_QEMU_XHCI :
                          CONF_CONTROLLER_MODEL_USB_PIIX3_UHCI;
        else if (ctrl->type == CONF_CONTROLLER_TYPE_SCSI)
            ctrl->model = CONF_CONTROLLER_MODEL_SCSI_LSILOGIC;
        else if (ctrl->type == CONF_CONTROLLER_TYPE_PCI && ctrl->index == 0)
            ctrl->model = q35 ? CONF_CONTROLLER_MODEL_PCIE_ROOT :
                          CONF_CONTROLLER_MODEL_PCI_ROOT;
        else if (ctrl->type == CONF_CONTROLLER_TYPE_PCI)
            ctrl->model = q35 ? CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT :
                          CONF_CONTROLLER_MODEL_PCI_BRIDGE;
    }
}

static void
confDevicesDiskControllers(confDevices *devs)
{
    size_t i;
    unsigned int j;

    for (i = 0; i < devs->ndisks; i++) {
        confDiskDef *disk = devs->disks[i];
        confControllerType type;

        if (disk->info.addr.type != CONF_ADDRESS_TYPE_DRIVE)
            continue;
        if (disk->bus == CONF_DISK_BUS_IDE)
            type = CONF_CONTROLLER_TYPE_IDE;
        else if (disk->bus == CONF_DISK_BUS_SATA)
            type = CONF_CONTROLLER_TYPE_SATA;
        else if (disk->bus == CONF_DISK_BUS_SCSI)
            type = CONF_CONTROLLER_TYPE_SCSI;
        else
            continue;
        for (j = 0; j <= disk->info.addr.drive.controller; j++)
            confDevicesAddController(devs, type, j, 0);
    }
}

static void
confDevicesImplicitControllers(confDomainDef *def)
{
    confDevices *devs = &def->devices;
    bool q35 = confDevicesIsQ35(def);
    size_t i;

    /*
     * In the order libvirt's outputs show: usb, the chipset's disk
     * controller, other disk controllers, virtio-serial, the PCI root.
     */
    confDevicesAddController(devs, CONF_CONTROLLER_TYPE_USB, 0, 0);
    confDevicesAddController(devs, q35 ? CONF_CONTROLLER_TYPE_SATA :
                             CONF_CONTROLLER_TYPE_IDE, 0, 0);
    confDevicesDiskControllers(devs);
    for (i = 0; i < devs->nconsoles; i++) {
        if (devs->consoles[i]->targetType == CONF_CONSOLE_TARGET_VIRTIO)
            confDevicesAddController(devs,
                                     CONF_CONTROLLER_TYPE_VIRTIO_SERIAL, 0, 0);
    }
    confDevicesAddController(devs, CONF_CONTROLLER_TYPE_PCI, 0, 0);
    confDevicesControllerDefaults(devs, q35);
}

static bool
confDevicesHasInput(const confDevices *devs, confInputType type,
                    confInputBus bus)
{
    size_t i;

    for (i = 0; i < devs->ninputs; i++) {
        if (devs->inputs[i]->type == type && devs->inputs[i]->bus == bus)
            return true;
    }
    return false;
}

static void
confDevicesImplicitOthers(confDomainDef *def)
{
    confDevices *devs = &def->devices;
    size_t i;
    bool itco = false;

    if (!confDevicesHasInput(devs, CONF_INPUT_TYPE_MOUSE, CONF_INPUT_BUS_PS2))
        CONF_DEVICES_APPEND(devs->inputs, devs->ninputs,
                            confInputDefNew(CONF_INPUT_TYPE_MOUSE,
                                            CONF_INPUT_BUS_PS2));
    if (!confDevicesHasInput(devs, CONF_INPUT_TYPE_KEYBOARD,
                             CONF_INPUT_BUS_PS2))
        CONF_DEVICES_APPEND(devs->inputs, devs->ninputs,
                            confInputDefNew(CONF_INPUT_TYPE_KEYBOARD,
                                            CONF_INPUT_BUS_PS2));
    if (!devs->memballoon)
        devs->memballoon = g_new0(confBalloonDef, 1);
    for (i = 0; i < devs->nwatchdogs; i++)
        itco |= devs->watchdogs[i]->model == CONF_WATCHDOG_ITCO;
    /* The ICH9 chipset has an iTCO watchdog built in (libvirt >= 9.1). */
    if (confDevicesIsQ35(def) && !itco)
        CONF_DEVICES_APPEND(devs->watchdogs, devs->nwatchdogs,
                            confWatchdogDefNew(CONF_WATCHDOG_ITCO));
}

static void
confDevicesFamilyDefaults(confDevices *devs)
{
    size_t i;

    for (i = 0; i < devs->ndisks; i++)
        confDiskDefPostParse(devs->disks[i]);
    for (i = 0; i < devs->nnets; i++)
        confNetDefPostParse(devs->nets[i]);
    for (i = 0; i < devs->nvideos; i++)
        confVideoDefPostParse(devs->videos[i], i == 0);
    confChrDefsPostParse(&devs->serials, &devs->nserials, devs->consoles,
                         devs->nconsoles);
}

/* libvirt's drive addresses from the target name: hdc is ide 0:1:0. */
static void
confDevicesDriveAddresses(confDevices *devs)
{
    size_t i;

    for (i = 0; i < devs->ndisks; i++) {
        confDiskDef *disk = devs->disks[i];
        confDriveAddress *drive = &disk->info.addr.drive;
        int idx = confDiskNameToIndex(disk->dst);
        unsigned int perCtrl = disk->bus == CONF_DISK_BUS_IDE ? 4 :
                               disk->bus == CONF_DISK_BUS_SATA ? 6 : 7;

        if (disk->info.addr.type != CONF_ADDRESS_TYPE_NONE || idx < 0 ||
            (disk->bus != CONF_DISK_BUS_IDE &&
             disk->bus != CONF_DISK_BUS_SATA &&
             disk->bus != CONF_DISK_BUS_SCSI))
            continue;
        disk->info.addr.type = CONF_ADDRESS_TYPE_DRIVE;
        drive->controller = (unsigned int)idx / perCtrl;
        drive->bus = disk->bus == CONF_DISK_BUS_IDE ? (idx % 4) / 2 : 0;
        drive->target = 0;
        drive->unit = disk->bus == CONF_DISK_BUS_IDE ? idx % 2 :
                      (unsigned int)idx % perCtrl;
    }
}

/**
 * confDevicesPostParse:
 * @def: the domain
 * @defaultEmulator: the emulator when <emulator> is absent
 * @error: return location for a GError
 *
 * Fills in what libvirt fills in at define time: device defaults, the
 * machine's implicit controllers, inputs, balloon and watchdog, and
 * drive, USB and PCI addresses.
 *
 * Returns: 0, or -1 with @error set (no PCI slot left).
 */
int
confDevicesPostParse(confDomainDef *def, const char *defaultEmulator,
                     GError **error)
{
    confDevices *devs = &def->devices;

    if (!devs->emulator)
        devs->emulator = g_strdup(defaultEmulator);
    confDevicesFamilyDefaults(devs);
    if (!confDevicesIsPC(def)) {
        /* Other machines: only the balloon, no address assignment. */
        if (!devs->memballoon)
            devs->memballoon = g_new0(confBalloonDef, 1);
        return 0;
    }
    confDevicesDriveAddresses(devs);
    confDevicesImplicitControllers(def);
    confDevicesImplicitOthers(def);
    return confDevicesAssignAddresses(def, error);
}

/* Validation across devices. */

static int
confDevicesCheckDiskTargets(const confDevices *devs, GError **error)
{
    size_t i;
    size_t j;

    for (i = 0; i < devs->ndisks; i++) {
        for (j = 0; j < i; j++) {
            if (strcmp(devs->disks[i]->dst, devs->disks[j]->dst) != 0)
                continue;
            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("target '%1$s' of '/domain/devices/disk[%2$zu]' is already used by '/domain/devices/disk[%3$zu]'"),
                        devs->disks[i]->dst, i + 1, j + 1);
            return -1;
        }
    }
    return 0;
}

static int
confDevicesCheckHostdevs(const confDevices *devs, GError **error)
{
    size_t i;
    size_t j;

    for (i = 0; i < devs->nhostdevs; i++) {
        if (confHostdevDefValidate(devs->hostdevs[i], i, error) < 0)
            return -1;
        for (j = 0; j < i; j++) {
            g_autofree char *addr = NULL;

            if (!confPCIAddressEqual(&devs->hostdevs[i]->source,
                                     &devs->hostdevs[j]->source))
                continue;
            addr = confPCIAddressToString(&devs->hostdevs[i]->source);
            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("host PCI device %1$s at '/domain/devices/hostdev[%2$zu]/source/address' is already assigned by '/domain/devices/hostdev[%3$zu]'"),
                        addr, i + 1, j + 1);
            return -1;
        }
    }
    return 0;
}

static int
confDevicesCheckPair(const confDeviceRef *a, const confDeviceRef *b,
                     GError **error)
{
    g_autofree char *pathA = NULL;
    g_autofree char *pathB = NULL;
    g_autofree char *addr = NULL;

    if (a->info->alias && b->info->alias &&
        strcmp(a->info->alias, b->info->alias) == 0) {
        pathA = confDeviceRefPath(a);
        pathB = confDeviceRefPath(b);
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("alias '%1$s' of '%2$s' is already used by '%3$s'"),
                    a->info->alias, pathA, pathB);
        return -1;
    }
    if (a->info->addr.type != CONF_ADDRESS_TYPE_PCI ||
        b->info->addr.type != CONF_ADDRESS_TYPE_PCI ||
        !confPCIAddressEqual(&a->info->addr.pci, &b->info->addr.pci))
        return 0;
    pathA = confDeviceRefPath(a);
    pathB = confDeviceRefPath(b);
    addr = confPCIAddressToString(&a->info->addr.pci);
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                _("PCI address %1$s of '%2$s/address' is already in use by '%3$s'"),
                addr, pathA, pathB);
    return -1;
}

static int
confDevicesCheckBoot(const confDeviceRef *a, const confDeviceRef *b,
                     GError **error)
{
    g_autofree char *pathA = NULL;
    g_autofree char *pathB = NULL;

    if (!a->info->bootIndex || a->info->bootIndex != b->info->bootIndex)
        return 0;
    pathA = confDeviceRefPath(a);
    pathB = confDeviceRefPath(b);
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                _("boot order %1$u of '%2$s/boot' is already used by '%3$s'"),
                a->info->bootIndex, pathA, pathB);
    return -1;
}

static int
confDevicesCheckUnique(confDomainDef *def, GError **error)
{
    g_autoptr(GArray) refs = confDevicesCollect(def);
    size_t i;
    size_t j;

    for (i = 0; i < refs->len; i++) {
        const confDeviceRef *a = &g_array_index(refs, confDeviceRef, i);

        for (j = 0; j < i; j++) {
            const confDeviceRef *b = &g_array_index(refs, confDeviceRef, j);

            if (confDevicesCheckPair(a, b, error) < 0 ||
                confDevicesCheckBoot(a, b, error) < 0)
                return -1;
        }
    }
    return 0;
}

/* The address type must fit the device: pci, usb or its own kind. */
static int
confDevicesCheckAddressType(const confDeviceRef *ref, GError **error)
{
    confAddressType type = ref->info->addr.type;
    const char *expected = NULL;
    g_autofree char *path = NULL;

    if (type == CONF_ADDRESS_TYPE_NONE)
        return 0;
    if (ref->connect != CONF_PCI_CONNECT_NONE && type != CONF_ADDRESS_TYPE_PCI)
        expected = "pci";
    else if (ref->usb && type != CONF_ADDRESS_TYPE_USB)
        expected = "usb";
    else if (ref->connect == CONF_PCI_CONNECT_NONE && !ref->usb &&
             type == CONF_ADDRESS_TYPE_PCI)
        expected = "drive', 'virtio-serial' or none";
    if (!expected)
        return 0;
    path = confDeviceRefPath(ref);
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                _("address type '%1$s' at '%2$s/address' does not fit the device: expected '%3$s'"),
                confAddressTypeToString(type), path, expected);
    return -1;
}

static int
confDevicesCheckBuses(confDomainDef *def, GError **error)
{
    g_autoptr(GArray) refs = confDevicesCollect(def);
    const confDevices *devs = &def->devices;
    const confControllerDef *usb = confControllerFind(devs->controllers,
                                                      devs->ncontrollers,
                                                      CONF_CONTROLLER_TYPE_USB,
                                                      0);
    bool q35 = confDevicesIsQ35(def);
    size_t i;

    for (i = 0; i < devs->ndisks && q35; i++) {
        if (devs->disks[i]->bus != CONF_DISK_BUS_IDE)
            continue;
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("disk bus 'ide' of '/domain/devices/disk[%1$zu]' is not supported by q35 machine types: use 'sata'"),
                    i + 1);
        return -1;
    }
    for (i = 0; i < refs->len; i++) {
        const confDeviceRef *ref = &g_array_index(refs, confDeviceRef, i);
        g_autofree char *path = NULL;

        if (confDevicesCheckAddressType(ref, error) < 0)
            return -1;
        if (!ref->usb ||
            (usb && usb->model != CONF_CONTROLLER_MODEL_USB_NONE))
            continue;
        path = confDeviceRefPath(ref);
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("USB device '%1$s' needs a USB controller, but USB controller 0 is absent or has model 'none'"),
                    path);
        return -1;
    }
    return 0;
}

static int
confDevicesCheckWatchdogs(const confDomainDef *def, GError **error)
{
    size_t i;

    for (i = 0; i < def->devices.nwatchdogs; i++) {
        if (def->devices.watchdogs[i]->model != CONF_WATCHDOG_ITCO ||
            confDevicesIsQ35(def))
            continue;
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("watchdog model 'itco' at '/domain/devices/watchdog[%1$zu]' needs a q35 machine type"),
                    i + 1);
        return -1;
    }
    return 0;
}

/**
 * confDevicesValidate:
 * @def: the domain after post-parse
 * @error: return location for a GError
 *
 * The checks that need no QEMU: duplicate targets, host devices,
 * aliases, PCI addresses and boot orders; consoles; controllers.
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDevicesValidate(const confDomainDef *def, GError **error)
{
    const confDevices *devs = &def->devices;

    /* Collecting needs mutable pointers; nothing is changed. */
    if (confDevicesCheckBuses((confDomainDef *)def, error) < 0)
        return -1;
    if (confControllersValidate(devs->controllers, devs->ncontrollers,
                                confDevicesIsQ35(def), error) < 0 ||
        confChrDefsValidate(devs->serials, devs->nserials, devs->consoles,
                            devs->nconsoles, error) < 0 ||
        confDevicesCheckDiskTargets(devs, error) < 0 ||
        confDevicesCheckHostdevs(devs, error) < 0 ||
        confDevicesCheckWatchdogs(def, error) < 0)
        return -1;
    /* Collecting needs mutable pointers; nothing is changed. */
    return confDevicesCheckUnique((confDomainDef *)def, error);
}

/* Formatting, in libvirt's order. */

#define CONF_DEVICES_FORMAT(buf, arr, n, func, flags) \
    do { \
        size_t i_; \
        for (i_ = 0; i_ < (n); i_++) \
            func(buf, (arr)[i_], flags); \
    } while (0)

/**
 * confDevicesFormat:
 * @buf: the <domain> child buffer
 * @def: the domain
 * @flags: virDomainXMLFlags
 *
 * Appends <devices> with the devices in libvirt's order.
 */
void
confDevicesFormat(confBuf *buf, const confDomainDef *def, unsigned int flags)
{
    const confDevices *devs = &def->devices;
    g_auto(confBuf) child = { 0 };

    confBufInitChild(&child, buf);
    if (devs->emulator)
        confBufEscape(&child, "<emulator>%s</emulator>\n", devs->emulator);
    CONF_DEVICES_FORMAT(&child, devs->disks, devs->ndisks, confDiskDefFormat,
                        flags);
    CONF_DEVICES_FORMAT(&child, devs->controllers, devs->ncontrollers,
                        confControllerDefFormat, flags);
    CONF_DEVICES_FORMAT(&child, devs->nets, devs->nnets, confNetDefFormat,
                        flags);
    CONF_DEVICES_FORMAT(&child, devs->serials, devs->nserials,
                        confChrDefFormat, flags);
    CONF_DEVICES_FORMAT(&child, devs->consoles, devs->nconsoles,
                        confChrDefFormat, flags);
    CONF_DEVICES_FORMAT(&child, devs->inputs, devs->ninputs,
                        confInputDefFormat, flags);
    CONF_DEVICES_FORMAT(&child, devs->videos, devs->nvideos,
                        confVideoDefFormat, flags);
    CONF_DEVICES_FORMAT(&child, devs->hostdevs, devs->nhostdevs,
                        confHostdevDefFormat, flags);
    CONF_DEVICES_FORMAT(&child, devs->watchdogs, devs->nwatchdogs,
                        confWatchdogDefFormat, flags);
    if (devs->memballoon)
        confBalloonDefFormat(&child, devs->memballoon, flags);
    CONF_DEVICES_FORMAT(&child, devs->rngs, devs->nrngs, confRNGDefFormat,
                        flags);
    confXMLFormatElement(buf, "devices", NULL, &child);
}

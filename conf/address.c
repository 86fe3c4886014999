/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/address.h"
#include "conf/devices.h"
#include "conf/domain.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Device info: <boot>, <alias>, <rom>, <acpi> and <address>, in the
 * order libvirt formats them.
 */

VGM_ENUM_IMPL(confAddressType, CONF_ADDRESS_TYPE_LAST,
              "none", "pci", "drive", "usb", "virtio-serial");

/**
 * confDeviceInfoClear:
 * @info: the device info
 *
 * Frees what @info holds; @info itself is the caller's.
 */
void
confDeviceInfoClear(confDeviceInfo *info)
{
    g_clear_pointer(&info->alias, g_free);
    g_clear_pointer(&info->romFile, g_free);
    g_clear_pointer(&info->addr.usb.port, g_free);
}

/**
 * confDeviceAliasIsUser:
 * @alias: an alias, or NULL
 *
 * Returns: whether @alias is a user alias (ua-*), kept in inactive XML.
 */
bool
confDeviceAliasIsUser(const char *alias)
{
    return alias && g_str_has_prefix(alias, CONF_USER_ALIAS_PREFIX);
}

static int
confDeviceAliasParse(xmlNodePtr node, unsigned int parseFlags,
                     confDeviceInfo *info, GError **error)
{
    static const char *const attrs[] = { "name", NULL };
    g_autofree char *name = NULL;
    const char *p;

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropString(node, "name", CONF_PROP_REQUIRED | CONF_PROP_NONZERO,
                          &name, error) < 0)
        return -1;
    if (!confDeviceAliasIsUser(name)) {
        /* Driver-assigned aliases come back only from status XML. */
        if (parseFlags & CONF_DOMAIN_PARSE_STATUS)
            info->alias = g_steal_pointer(&name);
        return 0;
    }
    for (p = name + strlen(CONF_USER_ALIAS_PREFIX); *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-')
            break;
    }
    if (*p || strlen(name) == strlen(CONF_USER_ALIAS_PREFIX)) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid user alias '%1$s' at '%2$s': it must start with 'ua-' followed by letters, digits, '_' or '-'"),
                    name, path);
        return -1;
    }
    info->alias = g_steal_pointer(&name);
    return 0;
}

static int
confDeviceRomParse(xmlNodePtr node, confDeviceInfo *info, GError **error)
{
    static const char *const attrs[] = { "bar", "file", "enabled", NULL };

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropTristateSwitch(node, "bar", 0, &info->romBar, error) < 0 ||
        confXMLPropString(node, "file", 0, &info->romFile, error) < 0 ||
        confXMLPropTristateBool(node, "enabled", 0, &info->romEnabled,
                                error) < 0)
        return -1;
    if (info->romEnabled == VGM_TRISTATE_BOOL_NO &&
        (info->romBar != VGM_TRISTATE_SWITCH_ABSENT || info->romFile)) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("ROM tuning is not supported when ROM is disabled at '%1$s'"),
                    path);
        return -1;
    }
    return 0;
}

static int
confDeviceInfoParseIndex(xmlNodePtr node, const char *elem, const char *attr,
                         unsigned int *value, GError **error)
{
    const char *attrs[] = { attr, NULL };
    xmlNodePtr child;
    int rc = confXMLChildUnique(node, elem, &child, error);

    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(child, attrs, NULL, error) < 0)
        return -1;
    return confXMLPropUInt(child, attr, 10,
                           CONF_PROP_REQUIRED | CONF_PROP_NONZERO,
                           value, error);
}

static int
confDeviceInfoRefuse(xmlNodePtr node, const char *elem, GError **error)
{
    xmlNodePtr child = confXMLChild(node, elem);
    g_autofree char *path = NULL;

    if (!child)
        return 0;
    path = confXMLNodePath(child);
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                _("element '%1$s' is not supported for this device"), path);
    return -1;
}

/**
 * confDeviceInfoParse:
 * @node: the device element
 * @allowed: confDeviceInfoFlags: which optional children the device has
 * @parseFlags: confDomainParseFlags
 * @info: filled in
 * @error: return location for a GError
 *
 * Reads <alias>, <address> and, when allowed, <boot>, <rom>, <acpi>.
 * The caller has checked the device's other children.
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDeviceInfoParse(xmlNodePtr node, unsigned int allowed,
                    unsigned int parseFlags, confDeviceInfo *info,
                    GError **error)
{
    static const struct {
        unsigned int flag;
        const char *elem;
    } optional[] = {
        { CONF_DEVICE_INFO_BOOT, "boot" },
        { CONF_DEVICE_INFO_ROM, "rom" },
        { CONF_DEVICE_INFO_ACPI, "acpi" },
    };
    xmlNodePtr child;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(optional); i++) {
        if (!(allowed & optional[i].flag) &&
            confDeviceInfoRefuse(node, optional[i].elem, error) < 0)
            return -1;
    }
    if (confXMLChildUnique(node, "alias", &child, error) < 0 ||
        (child && confDeviceAliasParse(child, parseFlags, info, error) < 0))
        return -1;
    if (confXMLChildUnique(node, "address", &child, error) < 0 ||
        (child && confDeviceAddressParse(child, &info->addr, error) < 0))
        return -1;
    if (confXMLChildUnique(node, "rom", &child, error) < 0 ||
        (child && confDeviceRomParse(child, info, error) < 0))
        return -1;
    if (confDeviceInfoParseIndex(node, "boot", "order", &info->bootIndex,
                                 error) < 0 ||
        confDeviceInfoParseIndex(node, "acpi", "index", &info->acpiIndex,
                                 error) < 0)
        return -1;
    return 0;
}

static int
confPCIAddressCheckRange(xmlNodePtr node, const char *name, unsigned int val,
                         unsigned int max, GError **error)
{
    g_autofree char *path = NULL;

    if (val <= max)
        return 0;
    path = confXMLNodePath(node);
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                _("PCI address %1$s 0x%2$x at '%3$s' is out of range (at most 0x%4$x)"),
                name, val, path, max);
    return -1;
}

/**
 * confPCIAddressParse:
 * @node: an <address> element
 * @withType: whether type='pci' is allowed (guest addresses)
 * @addr: filled in
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set (also for values out of range).
 */
int
confPCIAddressParse(xmlNodePtr node, bool withType, confPCIAddress *addr,
                    GError **error)
{
    static const char *const guestAttrs[] = {
        "type", "domain", "bus", "slot", "function", "multifunction", NULL
    };
    static const char *const hostAttrs[] = {
        "domain", "bus", "slot", "function", NULL
    };

    if (confXMLCheckNode(node, withType ? guestAttrs : hostAttrs, NULL,
                         error) < 0 ||
        confXMLPropUInt(node, "domain", 0, 0, &addr->domain, error) < 0 ||
        confXMLPropUInt(node, "bus", 0, CONF_PROP_REQUIRED, &addr->bus,
                        error) < 0 ||
        confXMLPropUInt(node, "slot", 0, CONF_PROP_REQUIRED, &addr->slot,
                        error) < 0 ||
        confXMLPropUInt(node, "function", 0, 0, &addr->function, error) < 0 ||
        (withType &&
         confXMLPropTristateSwitch(node, "multifunction", 0,
                                   &addr->multifunction, error) < 0))
        return -1;
    if (confPCIAddressCheckRange(node, "domain", addr->domain,
                                 CONF_PCI_MAX_DOMAIN, error) < 0 ||
        confPCIAddressCheckRange(node, "bus", addr->bus,
                                 CONF_PCI_MAX_BUS, error) < 0 ||
        confPCIAddressCheckRange(node, "slot", addr->slot,
                                 CONF_PCI_MAX_SLOT, error) < 0 ||
        confPCIAddressCheckRange(node, "function", addr->function,
                                 CONF_PCI_MAX_FUNCTION, error) < 0)
        return -1;
    return 0;
}

static int
confDriveAddressParse(xmlNodePtr node, confDriveAddress *addr,
                      GError **error)
{
    static const char *const attrs[] = {
        "type", "controller", "bus", "target", "unit", NULL
    };

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropUInt(node, "controller", 10, 0, &addr->controller,
                        error) < 0 ||
        confXMLPropUInt(node, "bus", 10, 0, &addr->bus, error) < 0 ||
        confXMLPropUInt(node, "target", 10, 0, &addr->target, error) < 0 ||
        confXMLPropUInt(node, "unit", 10, 0, &addr->unit, error) < 0)
        return -1;
    /* Implicit controllers are added up to this index. */
    if (addr->controller > CONF_DRIVE_MAX_CONTROLLER) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("drive controller %1$u at '%2$s' is out of range (at most %3$u)"),
                    addr->controller, path, CONF_DRIVE_MAX_CONTROLLER);
        return -1;
    }
    return 0;
}

static int
confUSBAddressParse(xmlNodePtr node, confUSBAddress *addr, GError **error)
{
    static const char *const attrs[] = { "type", "bus", "port", NULL };
    g_auto(GStrv) parts = NULL;
    size_t i;

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropUInt(node, "bus", 10, 0, &addr->bus, error) < 0 ||
        confXMLPropString(node, "port", 0, &addr->port, error) < 0)
        return -1;
    if (!addr->port)
        return 0;
    parts = g_strsplit(addr->port, ".", 0);
    for (i = 0; parts[i]; i++) {
        unsigned int val;

        if (confStrToUInt(parts[i], 10, &val) < 0 || val == 0 || i >= 5) {
            g_autofree char *path = confXMLNodePath(node);

            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("invalid USB port '%1$s' at '%2$s': expected up to five dot-separated positive numbers"),
                        addr->port, path);
            return -1;
        }
    }
    return 0;
}

static int
confVirtioSerialAddressParse(xmlNodePtr node, confVirtioSerialAddress *addr,
                             GError **error)
{
    static const char *const attrs[] = {
        "type", "controller", "bus", "port", NULL
    };

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropUInt(node, "controller", 10, 0, &addr->controller,
                        error) < 0 ||
        confXMLPropUInt(node, "bus", 10, 0, &addr->bus, error) < 0 ||
        confXMLPropUInt(node, "port", 10, 0, &addr->port, error) < 0)
        return -1;
    return 0;
}

/**
 * confDeviceAddressParse:
 * @node: a device's <address> element
 * @addr: filled in
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
confDeviceAddressParse(xmlNodePtr node, confDeviceAddress *addr,
                       GError **error)
{
    int type = CONF_ADDRESS_TYPE_NONE;

    if (confXMLPropEnum(node, "type", confAddressTypeToString,
                        CONF_PROP_REQUIRED | CONF_PROP_NONZERO, &type,
                        error) < 0)
        return -1;
    addr->type = type;
    switch (addr->type) {
    case CONF_ADDRESS_TYPE_PCI:
        return confPCIAddressParse(node, true, &addr->pci, error);
    case CONF_ADDRESS_TYPE_DRIVE:
        return confDriveAddressParse(node, &addr->drive, error);
    case CONF_ADDRESS_TYPE_USB:
        return confUSBAddressParse(node, &addr->usb, error);
    case CONF_ADDRESS_TYPE_VIRTIO_SERIAL:
        return confVirtioSerialAddressParse(node, &addr->vioserial, error);
    case CONF_ADDRESS_TYPE_NONE:
    case CONF_ADDRESS_TYPE_LAST:
        break;
    }
    return 0;
}

/**
 * confPCIAddressFormatAttrs:
 * @attrs: an attribute buffer
 * @addr: the address
 *
 * Appends domain=, bus=, slot=, function= (and multifunction=) in
 * libvirt's spelling.
 */
void
confPCIAddressFormatAttrs(confBuf *attrs, const confPCIAddress *addr)
{
    confBufAdd(attrs, " domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'",
               addr->domain, addr->bus, addr->slot, addr->function);
    if (addr->multifunction != VGM_TRISTATE_SWITCH_ABSENT)
        confBufAdd(attrs, " multifunction='%s'",
                   vgmTristateSwitchToString(addr->multifunction));
}

/**
 * confDeviceAddressFormat:
 * @buf: the device's child buffer
 * @addr: the address
 *
 * Appends <address type=...>, nothing for CONF_ADDRESS_TYPE_NONE.
 */
void
confDeviceAddressFormat(confBuf *buf, const confDeviceAddress *addr)
{
    g_auto(confBuf) attrs = { 0 };

    if (addr->type == CONF_ADDRESS_TYPE_NONE)
        return;
    confBufInit(&attrs);
    confBufAdd(&attrs, " type='%s'", confAddressTypeToString(addr->type));
    switch (addr->type) {
    case CONF_ADDRESS_TYPE_PCI:
        confPCIAddressFormatAttrs(&attrs, &addr->pci);
        break;
    case CONF_ADDRESS_TYPE_DRIVE:
        confBufAdd(&attrs, " controller='%u' bus='%u' target='%u' unit='%u'",
                   addr->drive.controller, addr->drive.bus,
                   addr->drive.target, addr->drive.unit);
        break;
    case CONF_ADDRESS_TYPE_USB:
        confBufAdd(&attrs, " bus='%u'", addr->usb.bus);
        if (addr->usb.port)
            confBufEscape(&attrs, " port='%s'", addr->usb.port);
        break;
    case CONF_ADDRESS_TYPE_VIRTIO_SERIAL:
        confBufAdd(&attrs, " controller='%u' bus='%u' port='%u'",
                   addr->vioserial.controller, addr->vioserial.bus,
                   addr->vioserial.port);
        break;
    case CONF_ADDRESS_TYPE_NONE:
    case CONF_ADDRESS_TYPE_LAST:
        break;
    }
    confXMLFormatElement(buf, "address", &attrs, NULL);
}

/**
 * confDeviceInfoFormat:
 * @buf: the device's child buffer
 * @info: the device info
 * @xmlFlags: virDomainXMLFlags; with VIR_DOMAIN_XML_INACTIVE only user
 *   aliases (ua-*) are shown
 */
void
confDeviceInfoFormat(confBuf *buf, const confDeviceInfo *info,
                     unsigned int xmlFlags)
{
    if (info->bootIndex)
        confBufAdd(buf, "<boot order='%u'/>\n", info->bootIndex);
    if (info->alias &&
        (!(xmlFlags & VIR_DOMAIN_XML_INACTIVE) ||
         confDeviceAliasIsUser(info->alias)))
        confBufEscape(buf, "<alias name='%s'/>\n", info->alias);
    if (info->romBar || info->romFile || info->romEnabled) {
        confBufAdd(buf, "<rom");
        if (info->romEnabled)
            confBufAdd(buf, " enabled='%s'",
                       vgmTristateBoolToString(info->romEnabled));
        if (info->romBar)
            confBufAdd(buf, " bar='%s'",
                       vgmTristateSwitchToString(info->romBar));
        if (info->romFile)
            confBufEscape(buf, " file='%s'", info->romFile);
        confBufAdd(buf, "/>\n");
    }
    if (info->acpiIndex)
        confBufAdd(buf, "<acpi index='%u'/>\n", info->acpiIndex);
    confDeviceAddressFormat(buf, &info->addr);
}

/**
 * confPCIAddressEqual:
 * @a: an address
 * @b: another
 *
 * Returns: whether both name the same function (multifunction aside).
 */
bool
confPCIAddressEqual(const confPCIAddress *a, const confPCIAddress *b)
{
    return a->domain == b->domain && a->bus == b->bus &&
           a->slot == b->slot && a->function == b->function;
}

/**
 * confPCIAddressToString:
 * @addr: an address
 *
 * Returns: "DDDD:BB:SS.F" for messages (g_free it).
 */
char *
confPCIAddressToString(const confPCIAddress *addr)
{
    return g_strdup_printf("%04x:%02x:%02x.%x", addr->domain, addr->bus,
                           addr->slot, addr->function);
}

/*
 * Address assignment, run by post-parse.  Like libvirt: on pc every PCI
 * device gets a slot of pci.0 from 0x02 on (0x01 is the PIIX3); on q35
 * every PCIe endpoint gets a pcie-root-port of its own, conventional PCI
 * devices go behind a pcie-to-pci-bridge, and the root ports are packed
 * as functions of the pcie-root slots from 0x01 (0x02 with a video
 * card at 0x01), plus one spare root port for hot-plug.
 */

typedef struct {
    confDomainDef *def;
    bool q35;
    guint8 used[CONF_PCI_MAX_BUS + 1][CONF_PCI_MAX_SLOT + 1];
    guint32 rootPortSlots;     /* pcie-root slots packed with root ports */
    size_t addedRootPorts;
} confPCIAssign;

static void
confPCIAssignMark(confPCIAssign *pa, const confPCIAddress *addr)
{
    if (addr->domain == 0)
        pa->used[addr->bus][addr->slot] |= 1 << addr->function;
}

static void
confPCIAssignSet(confPCIAssign *pa, confDeviceInfo *info, unsigned int bus,
                 unsigned int slot, unsigned int function)
{
    info->addr.type = CONF_ADDRESS_TYPE_PCI;
    info->addr.pci.domain = 0;
    info->addr.pci.bus = bus;
    info->addr.pci.slot = slot;
    info->addr.pci.function = function;
    confPCIAssignMark(pa, &info->addr.pci);
}

static int
confPCIAssignNoSlot(unsigned int bus, GError **error)
{
    g_set_error(error, CONF_ERROR, VIR_ERR_INTERNAL_ERROR,
                _("no free PCI slot left on bus 0x%1$02x"), bus);
    return -1;
}

/* The first slot >= @first of @bus with no function in use. */
static int
confPCIAssignFreeSlot(confPCIAssign *pa, unsigned int bus,
                      unsigned int first, unsigned int *slot,
                      GError **error)
{
    unsigned int s;

    for (s = first; s <= CONF_PCI_MAX_SLOT; s++) {
        if (!pa->used[bus][s]) {
            *slot = s;
            return 0;
        }
    }
    return confPCIAssignNoSlot(bus, error);
}

static confControllerDef *
confPCIAssignNewController(confPCIAssign *pa, int model)
{
    confDevices *devs = &pa->def->devices;
    unsigned int index = 0;
    confControllerDef *ctrl;
    size_t i;

    for (i = 0; i < devs->ncontrollers; i++) {
        if (devs->controllers[i]->type == CONF_CONTROLLER_TYPE_PCI)
            index = MAX(index, devs->controllers[i]->index + 1);
    }
    ctrl = confControllerDefNew(CONF_CONTROLLER_TYPE_PCI, index, model);
    confControllerInsert(&devs->controllers, &devs->ncontrollers, ctrl);
    if (model == CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT)
        pa->addedRootPorts++;
    return ctrl;
}

/* A pcie-root-port with nothing plugged in, added when none is free. */
static unsigned int
confPCIAssignRootPortBus(confPCIAssign *pa)
{
    confDevices *devs = &pa->def->devices;
    size_t i;

    for (i = 0; i < devs->ncontrollers; i++) {
        confControllerDef *ctrl = devs->controllers[i];

        if (ctrl->type == CONF_CONTROLLER_TYPE_PCI &&
            ctrl->model == CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT &&
            ctrl->index <= CONF_PCI_MAX_BUS && !pa->used[ctrl->index][0])
            return ctrl->index;
    }
    return confPCIAssignNewController(pa,
                                      CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT)->index;
}

static int
confPCIAssignBridgeSlot(confPCIAssign *pa, unsigned int *bus,
                        unsigned int *slot, GError **error)
{
    confDevices *devs = &pa->def->devices;
    confControllerDef *bridge;
    size_t i;

    for (i = 0; i < devs->ncontrollers; i++) {
        bridge = devs->controllers[i];
        if (bridge->type != CONF_CONTROLLER_TYPE_PCI ||
            bridge->model != CONF_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE ||
            bridge->index > CONF_PCI_MAX_BUS)
            continue;
        if (confPCIAssignFreeSlot(pa, bridge->index, 1, slot, NULL) == 0) {
            *bus = bridge->index;
            return 0;
        }
    }
    bridge = confPCIAssignNewController(pa,
                                        CONF_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE);
    if (bridge->index > CONF_PCI_MAX_BUS)
        return confPCIAssignNoSlot(bridge->index, error);
    *bus = confPCIAssignRootPortBus(pa);
    if (*bus > CONF_PCI_MAX_BUS)
        return confPCIAssignNoSlot(*bus, error);
    confPCIAssignSet(pa, &bridge->info, *bus, 0, 0);
    *bus = bridge->index;
    return confPCIAssignFreeSlot(pa, *bus, 1, slot, error);
}

static int
confPCIAssignDevice(confPCIAssign *pa, const confDeviceRef *ref,
                    GError **error)
{
    unsigned int bus = 0;
    unsigned int slot = 0;

    if (!pa->q35) {
        if (confPCIAssignFreeSlot(pa, 0, 2, &slot, error) < 0)
            return -1;
    } else if (ref->connect == CONF_PCI_CONNECT_PCI) {
        if (confPCIAssignBridgeSlot(pa, &bus, &slot, error) < 0)
            return -1;
    } else {
        bus = confPCIAssignRootPortBus(pa);
        if (bus > CONF_PCI_MAX_BUS)
            return confPCIAssignNoSlot(bus, error);
    }
    confPCIAssignSet(pa, ref->info, bus, slot, 0);
    return 0;
}

/* Devices QEMU's chipsets have at fixed places. */
static void
confPCIAssignFixed(confPCIAssign *pa, const confDeviceRef *ref)
{
    const confControllerDef *ctrl = ref->controller;

    if (ref->primaryVideo) {
        confPCIAssignSet(pa, ref->info, 0, pa->q35 ? 1 : 2, 0);
        return;
    }
    if (!ctrl || ctrl->index != 0)
        return;
    if (pa->q35 && ctrl->type == CONF_CONTROLLER_TYPE_SATA)
        confPCIAssignSet(pa, ref->info, 0, 0x1f, 2);
    else if (!pa->q35 && ctrl->type == CONF_CONTROLLER_TYPE_IDE)
        confPCIAssignSet(pa, ref->info, 0, 1, 1);
    else if (!pa->q35 && ctrl->type == CONF_CONTROLLER_TYPE_USB &&
             ctrl->model == CONF_CONTROLLER_MODEL_USB_PIIX3_UHCI)
        confPCIAssignSet(pa, ref->info, 0, 1, 2);
}

static bool
confPCIAssignIsRootPort(const confDeviceRef *ref)
{
    return ref->controller &&
           ref->controller->type == CONF_CONTROLLER_TYPE_PCI &&
           ref->controller->model == CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT;
}

static int
confPCIAssignRootPort(confPCIAssign *pa, confControllerDef *ctrl,
                      unsigned int first, GError **error)
{
    unsigned int slot;
    unsigned int fn;

    for (slot = first; slot <= CONF_PCI_MAX_SLOT; slot++) {
        if (pa->used[0][slot] && !(pa->rootPortSlots & (1u << slot)))
            continue;
        for (fn = 0; fn <= CONF_PCI_MAX_FUNCTION; fn++) {
            if (pa->used[0][slot] & (1 << fn))
                continue;
            pa->rootPortSlots |= 1u << slot;
            confPCIAssignSet(pa, &ctrl->info, 0, slot, fn);
            return 0;
        }
    }
    return confPCIAssignNoSlot(0, error);
}

static int
confPCIAssignRootPorts(confPCIAssign *pa, GError **error)
{
    confDevices *devs = &pa->def->devices;
    unsigned int first = pa->used[0][1] ? 2 : 1;
    size_t i;

    /* One spare root port for hot-plug, as libvirt adds. */
    if (pa->addedRootPorts)
        confPCIAssignNewController(pa, CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT);
    for (i = 0; i < devs->ncontrollers; i++) {
        confControllerDef *ctrl = devs->controllers[i];

        if (ctrl->type != CONF_CONTROLLER_TYPE_PCI ||
            ctrl->model != CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
            ctrl->info.addr.type != CONF_ADDRESS_TYPE_NONE)
            continue;
        if (confPCIAssignRootPort(pa, ctrl, first, error) < 0)
            return -1;
    }
    return 0;
}

/* Function 0 of a slot with other functions in use is multifunction. */
static void
confPCIAssignMultifunction(confPCIAssign *pa, GArray *refs)
{
    confDevices *devs = &pa->def->devices;
    size_t i;

    for (i = 0; i < refs->len + devs->ncontrollers; i++) {
        confDeviceInfo *info = i < refs->len ?
            g_array_index(refs, confDeviceRef, i).info :
            &devs->controllers[i - refs->len]->info;
        confPCIAddress *pci = &info->addr.pci;

        if (info->addr.type != CONF_ADDRESS_TYPE_PCI || pci->domain != 0 ||
            pci->function != 0 || pci->multifunction)
            continue;
        if (pa->used[pci->bus][pci->slot] & ~1)
            pci->multifunction = VGM_TRISTATE_SWITCH_ON;
    }
}

/* <model name=> and <target> of PCI controllers, from their address. */
static void
confPCIAssignControllerTargets(confDevices *devs)
{
    size_t i;

    for (i = 0; i < devs->ncontrollers; i++) {
        confControllerDef *ctrl = devs->controllers[i];
        bool hasAddr = ctrl->info.addr.type == CONF_ADDRESS_TYPE_PCI;

        if (ctrl->type != CONF_CONTROLLER_TYPE_PCI)
            continue;
        if (ctrl->model == CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT) {
            ctrl->modelName = true;
            if (ctrl->chassis < 0)
                ctrl->chassis = (int)MIN(ctrl->index, 255u);
            if (ctrl->port < 0 && hasAddr)
                ctrl->port = (int)((ctrl->info.addr.pci.slot << 3) +
                                   ctrl->info.addr.pci.function);
        } else if (ctrl->model == CONF_CONTROLLER_MODEL_PCI_BRIDGE) {
            ctrl->modelName = true;
            if (ctrl->chassisNr < 0)
                ctrl->chassisNr = (int)MIN(ctrl->index, 255u);
        } else if (ctrl->model == CONF_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE) {
            ctrl->modelName = true;
        }
    }
}

static int
confPCIAssignAll(confPCIAssign *pa, GArray *refs, GError **error)
{
    size_t i;

    for (i = 0; i < refs->len; i++) {
        confDeviceRef *ref = &g_array_index(refs, confDeviceRef, i);

        if (ref->info->addr.type == CONF_ADDRESS_TYPE_PCI)
            confPCIAssignMark(pa, &ref->info->addr.pci);
    }
    for (i = 0; i < refs->len; i++) {
        confDeviceRef *ref = &g_array_index(refs, confDeviceRef, i);

        if (ref->info->addr.type == CONF_ADDRESS_TYPE_NONE &&
            ref->connect != CONF_PCI_CONNECT_NONE)
            confPCIAssignFixed(pa, ref);
    }
    for (i = 0; i < refs->len; i++) {
        confDeviceRef *ref = &g_array_index(refs, confDeviceRef, i);

        if (ref->info->addr.type != CONF_ADDRESS_TYPE_NONE ||
            ref->connect == CONF_PCI_CONNECT_NONE ||
            (pa->q35 && confPCIAssignIsRootPort(ref)))
            continue;
        if (confPCIAssignDevice(pa, ref, error) < 0)
            return -1;
    }
    if (pa->q35 && confPCIAssignRootPorts(pa, error) < 0)
        return -1;
    confPCIAssignMultifunction(pa, refs);
    confPCIAssignControllerTargets(&pa->def->devices);
    return 0;
}

/*
 * A bus named in an address needs its controller, and PCI controller
 * indexes have no gaps: libvirt adds the missing indexes up to the
 * highest bus named by an address or a controller (root ports on q35,
 * bridges on pc).  Filling only up to the addresses would leave a gap
 * that the next define fills, after devices were assigned to the
 * highest controller.
 */
static void
confPCIAssignBusControllers(confPCIAssign *pa, GArray *refs)
{
    confDevices *devs = &pa->def->devices;
    int model = pa->q35 ? CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT :
                CONF_CONTROLLER_MODEL_PCI_BRIDGE;
    unsigned int maxBus = 0;
    unsigned int bus;
    size_t i;

    for (i = 0; i < refs->len; i++) {
        confDeviceInfo *info = g_array_index(refs, confDeviceRef, i).info;

        if (info->addr.type == CONF_ADDRESS_TYPE_PCI &&
            info->addr.pci.domain == 0)
            maxBus = MAX(maxBus, info->addr.pci.bus);
    }
    for (i = 0; i < devs->ncontrollers; i++) {
        if (devs->controllers[i]->type == CONF_CONTROLLER_TYPE_PCI)
            maxBus = MAX(maxBus, devs->controllers[i]->index);
    }
    for (bus = 1; bus <= maxBus; bus++) {
        if (!confControllerFind(devs->controllers, devs->ncontrollers,
                                CONF_CONTROLLER_TYPE_PCI, bus))
            confControllerInsert(&devs->controllers, &devs->ncontrollers,
                                 confControllerDefNew(CONF_CONTROLLER_TYPE_PCI,
                                                      bus, model));
    }
}

/* USB devices without an address get the next port of bus 0. */
static void
confUSBAssignAll(GArray *refs)
{
    guint64 used = 0;
    unsigned int port = 1;
    size_t i;

    for (i = 0; i < refs->len; i++) {
        confDeviceInfo *info = g_array_index(refs, confDeviceRef, i).info;
        unsigned int top;

        if (info->addr.type == CONF_ADDRESS_TYPE_USB && info->addr.usb.port &&
            confStrToUInt(info->addr.usb.port, 10, &top) == 0 && top < 64)
            used |= G_GUINT64_CONSTANT(1) << top;
    }
    for (i = 0; i < refs->len; i++) {
        confDeviceRef *ref = &g_array_index(refs, confDeviceRef, i);

        if (!ref->usb || ref->info->addr.type != CONF_ADDRESS_TYPE_NONE)
            continue;
        while (port < 63 && (used & (G_GUINT64_CONSTANT(1) << port)))
            port++;
        used |= G_GUINT64_CONSTANT(1) << port;
        ref->info->addr.type = CONF_ADDRESS_TYPE_USB;
        ref->info->addr.usb.bus = 0;
        ref->info->addr.usb.port = g_strdup_printf("%u", port);
    }
}

/**
 * confDevicesAssignAddresses:
 * @def: the domain, after its implicit devices were added
 * @error: return location for a GError
 *
 * Gives every USB and PCI device without an address one, adding
 * pcie-root-ports and a pcie-to-pci-bridge on q35 as needed.
 *
 * Returns: 0, or -1 with @error set when the slots run out.
 */
int
confDevicesAssignAddresses(confDomainDef *def, GError **error)
{
    g_autofree confPCIAssign *pa = g_new0(confPCIAssign, 1);
    g_autoptr(GArray) refs = confDevicesCollect(def);

    pa->def = def;
    pa->q35 = confDevicesIsQ35(def);
    pa->used[0][0] = 0xff;     /* host bridge */
    if (pa->q35)
        pa->used[0][0x1f] = 0xff & ~(1 << 2);   /* LPC, SMBus; SATA at .2 */
    else
        pa->used[0][1] = 0xff & ~(1 << 1 | 1 << 2);  /* PIIX3; IDE, USB */
    confUSBAssignAll(refs);
    confPCIAssignBusControllers(pa, refs);
    g_clear_pointer(&refs, g_array_unref);
    refs = confDevicesCollect(def);
    return confPCIAssignAll(pa, refs, error);
}

/* Aliases, as libvirt's QEMU driver names devices when it starts them. */

static char *
confDiskAliasName(const confDiskDef *disk)
{
    const confDriveAddress *drive = &disk->info.addr.drive;
    int idx = confDiskNameToIndex(disk->dst);

    switch (disk->bus) {
    case CONF_DISK_BUS_VIRTIO:
        return g_strdup_printf("virtio-disk%d", idx);
    case CONF_DISK_BUS_USB:
        return g_strdup_printf("usb-disk%d", idx);
    case CONF_DISK_BUS_SCSI:
        return g_strdup_printf("scsi%u-%u-%u-%u", drive->controller,
                               drive->bus, drive->target, drive->unit);
    case CONF_DISK_BUS_IDE:
    case CONF_DISK_BUS_SATA:
        return g_strdup_printf("%s%u-%u-%u", confDiskBusToString(disk->bus),
                               drive->controller, drive->bus, drive->unit);
    case CONF_DISK_BUS_NONE:
    case CONF_DISK_BUS_LAST:
        break;
    }
    return g_strdup_printf("disk%d", idx);
}

static char *
confControllerAliasName(const confControllerDef *ctrl, bool q35)
{
    /* q35's built-in AHCI bus is called "ide" in QEMU. */
    if (q35 && ctrl->type == CONF_CONTROLLER_TYPE_SATA && ctrl->index == 0)
        return g_strdup("ide");
    switch (ctrl->type) {
    case CONF_CONTROLLER_TYPE_PCI:
        if (ctrl->model == CONF_CONTROLLER_MODEL_PCIE_ROOT)
            return g_strdup("pcie.0");
        return g_strdup_printf("pci.%u", ctrl->index);
    case CONF_CONTROLLER_TYPE_IDE:
        return g_strdup_printf("ide%s", ctrl->index ? "1" : "");
    case CONF_CONTROLLER_TYPE_USB:
        return ctrl->index ? g_strdup_printf("usb%u", ctrl->index) :
                             g_strdup("usb");
    case CONF_CONTROLLER_TYPE_SCSI:
    case CONF_CONTROLLER_TYPE_SATA:
    case CONF_CONTROLLER_TYPE_VIRTIO_SERIAL:
    case CONF_CONTROLLER_TYPE_LAST:
        break;
    }
    return g_strdup_printf("%s%u", confControllerTypeToString(ctrl->type),
                           ctrl->index);
}

static void
confAliasSet(confDeviceInfo *info, char *alias)
{
    if (info->alias) {
        g_free(alias);
        return;
    }
    info->alias = alias;
}

#define CONF_ALIAS_NUMBERED(arr, n, prefix) \
    do { \
        size_t i_; \
        for (i_ = 0; i_ < (n); i_++) \
            confAliasSet(&(arr)[i_]->info, \
                         g_strdup_printf(prefix "%zu", i_)); \
    } while (0)

/**
 * confDevicesAssignAliases:
 * @def: the domain being started
 *
 * Gives every device without an alias the name libvirt's QEMU driver
 * gives it (virtio-disk0, net0, hostdev0, pci.1, usb, balloon0, ...).
 * User aliases (ua-*) stay.  The first console of target type serial
 * shares the serial port's alias, as in libvirt.
 */
void
confDevicesAssignAliases(confDomainDef *def)
{
    confDevices *devs = &def->devices;
    size_t i;

    for (i = 0; i < devs->ndisks; i++)
        confAliasSet(&devs->disks[i]->info,
                     confDiskAliasName(devs->disks[i]));
    for (i = 0; i < devs->ncontrollers; i++)
        confAliasSet(&devs->controllers[i]->info,
                     confControllerAliasName(devs->controllers[i],
                                             confDevicesIsQ35(def)));
    CONF_ALIAS_NUMBERED(devs->nets, devs->nnets, "net");
    CONF_ALIAS_NUMBERED(devs->serials, devs->nserials, "serial");
    CONF_ALIAS_NUMBERED(devs->consoles, devs->nconsoles, "console");
    CONF_ALIAS_NUMBERED(devs->inputs, devs->ninputs, "input");
    CONF_ALIAS_NUMBERED(devs->videos, devs->nvideos, "video");
    CONF_ALIAS_NUMBERED(devs->hostdevs, devs->nhostdevs, "hostdev");
    CONF_ALIAS_NUMBERED(devs->watchdogs, devs->nwatchdogs, "watchdog");
    CONF_ALIAS_NUMBERED(devs->rngs, devs->nrngs, "rng");
    if (devs->memballoon && devs->memballoon->model == CONF_BALLOON_VIRTIO)
        confAliasSet(&devs->memballoon->info, g_strdup("balloon0"));
    if (devs->nconsoles && devs->nserials &&
        devs->consoles[0]->targetType == CONF_CONSOLE_TARGET_SERIAL) {
        g_free(devs->consoles[0]->info.alias);
        devs->consoles[0]->info.alias = g_strdup(devs->serials[0]->info.alias);
    }
}

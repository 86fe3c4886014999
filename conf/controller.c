/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/controller.h"
#include "conf/domain.h"
#include "util/error.h"
#include "util/i18n.h"

/* <controller>: IDE, SCSI, SATA, virtio-serial, USB and PCI. */

VGM_ENUM_IMPL(confControllerType, CONF_CONTROLLER_TYPE_LAST,
              "ide", "scsi", "sata", "virtio-serial", "usb", "pci");
VGM_ENUM_IMPL(confControllerModelPCI, CONF_CONTROLLER_MODEL_PCI_LAST,
              "default", "pci-root", "pcie-root", "pcie-root-port",
              "pci-bridge", "pcie-to-pci-bridge");
VGM_ENUM_IMPL(confControllerPCIModelName, CONF_CONTROLLER_PCI_MODEL_NAME_LAST,
              "pcie-root-port", "pci-bridge", "pcie-pci-bridge");

/* The <model name=> that goes with a PCI controller model, or -1. */
static int
confControllerPCIModelNameOf(int model)
{
    switch (model) {
    case CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT:
        return CONF_CONTROLLER_PCI_MODEL_NAME_PCIE_ROOT_PORT;
    case CONF_CONTROLLER_MODEL_PCI_BRIDGE:
        return CONF_CONTROLLER_PCI_MODEL_NAME_PCI_BRIDGE;
    case CONF_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE:
        return CONF_CONTROLLER_PCI_MODEL_NAME_PCIE_PCI_BRIDGE;
    }
    return -1;
}
VGM_ENUM_IMPL(confControllerModelUSB, CONF_CONTROLLER_MODEL_USB_LAST,
              "default", "piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1",
              "ich9-uhci1", "ich9-uhci2", "ich9-uhci3", "nec-xhci",
              "qemu-xhci", "none");
VGM_ENUM_IMPL(confControllerModelSCSI, CONF_CONTROLLER_MODEL_SCSI_LAST,
              "default", "virtio-scsi", "lsilogic");

/**
 * confControllerDefFree:
 * @def: a controller, or NULL
 *
 * Frees @def.
 */
void
confControllerDefFree(confControllerDef *def)
{
    if (!def)
        return;
    confDeviceInfoClear(&def->info);
    g_free(def);
}

/**
 * confControllerDefNew:
 * @type: the controller type
 * @index: its index
 * @model: its model (0: default)
 *
 * Returns: a controller with no target values set.
 */
confControllerDef *
confControllerDefNew(confControllerType type, unsigned int index, int model)
{
    confControllerDef *def = g_new0(confControllerDef, 1);

    def->type = type;
    def->index = index;
    def->model = model;
    def->chassis = -1;
    def->port = -1;
    def->chassisNr = -1;
    return def;
}

static vgmEnumToStringFunc
confControllerModelTable(confControllerType type)
{
    switch (type) {
    case CONF_CONTROLLER_TYPE_PCI:
        return confControllerModelPCIToString;
    case CONF_CONTROLLER_TYPE_USB:
        return confControllerModelUSBToString;
    case CONF_CONTROLLER_TYPE_SCSI:
        return confControllerModelSCSIToString;
    case CONF_CONTROLLER_TYPE_IDE:
    case CONF_CONTROLLER_TYPE_SATA:
    case CONF_CONTROLLER_TYPE_VIRTIO_SERIAL:
    case CONF_CONTROLLER_TYPE_LAST:
        break;
    }
    return NULL;
}

static int
confControllerTargetParse(xmlNodePtr node, confControllerDef *def,
                          GError **error)
{
    static const char *const attrs[] = { "chassis", "port", "chassisNr",
                                         NULL };
    struct {
        const char *name;
        int base;
        int *value;
    } props[] = {
        { "chassis", 10, &def->chassis },
        { "port", 0, &def->port },
        { "chassisNr", 10, &def->chassisNr },
    };
    size_t i;

    if (confXMLCheckNode(node, attrs, NULL, error) < 0)
        return -1;
    for (i = 0; i < G_N_ELEMENTS(props); i++) {
        unsigned int val;
        int rc = confXMLPropUInt(node, props[i].name, props[i].base, 0, &val,
                                 error);

        if (rc < 0)
            return -1;
        if (rc > 0 && val > 255) {
            g_autofree char *path = confXMLNodePath(node);

            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("value %1$u of '%2$s' at '%3$s' is out of range (at most 255)"),
                        val, props[i].name, path);
            return -1;
        }
        if (rc > 0)
            *props[i].value = (int)val;
    }
    return 0;
}

static int
confControllerPCIChildrenParse(xmlNodePtr node, confControllerDef *def,
                               GError **error)
{
    xmlNodePtr child;
    int name = 0;

    if (confXMLChildUnique(node, "model", &child, error) < 0)
        return -1;
    if (child) {
        if (confXMLCheckNode(child, (const char *const[]){ "name", NULL },
                             NULL, error) < 0 ||
            confXMLPropEnum(child, "name", confControllerPCIModelNameToString,
                            CONF_PROP_REQUIRED, &name, error) < 0)
            return -1;
        if (name != confControllerPCIModelNameOf(def->model)) {
            g_autofree char *path = confXMLNodePath(child);

            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("model name '%1$s' at '%2$s' does not match controller model '%3$s'"),
                        confControllerPCIModelNameToString(name), path,
                        confControllerModelPCIToString(def->model));
            return -1;
        }
        def->modelName = true;
    }
    if (confXMLChildUnique(node, "target", &child, error) < 0 ||
        (child && confControllerTargetParse(child, def, error) < 0))
        return -1;
    return 0;
}

static int
confControllerCheckChildren(xmlNodePtr node, confControllerDef *def,
                            GError **error)
{
    static const char *const attrs[] = { "type", "index", "model", "ports",
                                         NULL };
    static const char *const pciChildren[] = {
        "model", "target", CONF_DEVICE_INFO_CHILDREN, NULL
    };
    static const char *const children[] = { CONF_DEVICE_INFO_CHILDREN, NULL };
    bool pci = def->type == CONF_CONTROLLER_TYPE_PCI;

    return confXMLCheckNode(node, attrs, pci ? pciChildren : children, error);
}

static int
confControllerModelParse(xmlNodePtr node, confControllerDef *def,
                         GError **error)
{
    vgmEnumToStringFunc models = confControllerModelTable(def->type);
    g_autofree char *path = NULL;

    if (models)
        return confXMLPropEnum(node, "model", models, CONF_PROP_NONZERO,
                               &def->model, error);
    if (!xmlHasProp(node, (const xmlChar *)"model"))
        return 0;
    path = confXMLNodePath(node);
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                _("attribute 'model' at '%1$s' is not supported for controller type '%2$s'"),
                path, confControllerTypeToString(def->type));
    return -1;
}

/**
 * confControllerDefParse:
 * @node: a <controller> element
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the controller, or NULL with @error set.
 */
confControllerDef *
confControllerDefParse(xmlNodePtr node, unsigned int flags, GError **error)
{
    g_autoptr(confControllerDef) def = NULL;
    int type = 0;
    unsigned int index = 0;

    if (confXMLPropEnum(node, "type", confControllerTypeToString,
                        CONF_PROP_REQUIRED, &type, error) < 0 ||
        confXMLPropUInt(node, "index", 10, 0, &index, error) < 0)
        return NULL;
    def = confControllerDefNew(type, index, 0);
    if (confControllerCheckChildren(node, def, error) < 0 ||
        confControllerModelParse(node, def, error) < 0 ||
        confXMLPropUInt(node, "ports", 10, CONF_PROP_NONZERO, &def->ports,
                        error) < 0)
        return NULL;
    if (def->ports && def->type != CONF_CONTROLLER_TYPE_USB) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("attribute 'ports' at '%1$s' is only supported for USB controllers"),
                    path);
        return NULL;
    }
    if (def->type == CONF_CONTROLLER_TYPE_PCI && def->index > 255) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("PCI controller index %1$u at '%2$s' is out of range (at most 255)"),
                    def->index, path);
        return NULL;
    }
    if (def->type == CONF_CONTROLLER_TYPE_PCI &&
        confControllerPCIChildrenParse(node, def, error) < 0)
        return NULL;
    if (confDeviceInfoParse(node, 0, flags, &def->info, error) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

/**
 * confControllerPCIConnect:
 * @def: a controller
 *
 * Returns: 0 when it is not a PCI device (roots, usb none), 1 for a PCI
 * Express endpoint, 2 for a conventional PCI device.
 */
int
confControllerPCIConnect(const confControllerDef *def)
{
    switch (def->type) {
    case CONF_CONTROLLER_TYPE_PCI:
        if (def->model == CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT ||
            def->model == CONF_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE)
            return 1;
        return def->model == CONF_CONTROLLER_MODEL_PCI_BRIDGE ? 2 : 0;
    case CONF_CONTROLLER_TYPE_USB:
        if (def->model == CONF_CONTROLLER_MODEL_USB_NONE)
            return 0;
        return def->model == CONF_CONTROLLER_MODEL_USB_QEMU_XHCI ||
               def->model == CONF_CONTROLLER_MODEL_USB_NEC_XHCI ? 1 : 2;
    case CONF_CONTROLLER_TYPE_SCSI:
        return def->model == CONF_CONTROLLER_MODEL_SCSI_LSILOGIC ? 2 : 1;
    case CONF_CONTROLLER_TYPE_VIRTIO_SERIAL:
    case CONF_CONTROLLER_TYPE_SATA:
        return 1;
    case CONF_CONTROLLER_TYPE_IDE:
        return 2;
    case CONF_CONTROLLER_TYPE_LAST:
        break;
    }
    return 0;
}

/**
 * confControllerFind:
 * @defs: the controllers
 * @ndefs: their number
 * @type: the type
 * @index: the index
 *
 * Returns: the controller, or NULL.
 */
confControllerDef *
confControllerFind(confControllerDef *const *defs, size_t ndefs,
                   confControllerType type, unsigned int index)
{
    size_t i;

    for (i = 0; i < ndefs; i++) {
        if (defs[i]->type == type && defs[i]->index == index)
            return defs[i];
    }
    return NULL;
}

/**
 * confControllerInsert:
 * @defs: the controller array
 * @ndefs: its length
 * @def: the controller to add (ownership taken)
 *
 * Like libvirt: before the first controller of the same type with a
 * higher index, else after the last one of that type, else at the end.
 */
void
confControllerInsert(confControllerDef ***defs, size_t *ndefs,
                     confControllerDef *def)
{
    size_t pos = *ndefs;
    ssize_t lastSame = -1;
    size_t i;

    for (i = 0; i < *ndefs; i++) {
        if ((*defs)[i]->type != def->type)
            continue;
        if ((*defs)[i]->index > def->index) {
            pos = i;
            break;
        }
        lastSame = (ssize_t)i;
    }
    if (pos == *ndefs && lastSame >= 0)
        pos = (size_t)lastSame + 1;
    *defs = g_renew(confControllerDef *, *defs, *ndefs + 1);
    memmove(*defs + pos + 1, *defs + pos, (*ndefs - pos) * sizeof(**defs));
    (*defs)[pos] = def;
    (*ndefs)++;
}

static int
confControllerValidateOne(const confControllerDef *def, size_t pos,
                          bool q35, GError **error)
{
    bool root = def->model == CONF_CONTROLLER_MODEL_PCI_ROOT ||
                def->model == CONF_CONTROLLER_MODEL_PCIE_ROOT;

    if (def->type == CONF_CONTROLLER_TYPE_IDE && q35) {
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("IDE controllers are unsupported for q35 machine types at '/domain/devices/controller[%1$zu]'"),
                    pos + 1);
        return -1;
    }
    if (def->type == CONF_CONTROLLER_TYPE_PCI && def->index == 0 &&
        def->model != (q35 ? CONF_CONTROLLER_MODEL_PCIE_ROOT :
                       CONF_CONTROLLER_MODEL_PCI_ROOT)) {
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("PCI controller index 0 at '/domain/devices/controller[%1$zu]' must have model '%2$s' on this machine type"),
                    pos + 1, q35 ? "pcie-root" : "pci-root");
        return -1;
    }
    if (def->type != CONF_CONTROLLER_TYPE_PCI || root == (def->index == 0))
        return 0;
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                root ?
                _("PCI root controller at '/domain/devices/controller[%1$zu]' must have index 0") :
                _("PCI controller with index 0 at '/domain/devices/controller[%1$zu]' must be 'pci-root' or 'pcie-root'"),
                pos + 1);
    return -1;
}

/**
 * confControllersValidate:
 * @defs: the controllers
 * @ndefs: their number
 * @q35: whether the machine is a q35 one
 * @error: return location for a GError
 *
 * Unique type/index pairs, the right PCI root, no IDE on q35.
 *
 * Returns: 0, or -1 with @error set.
 */
int
confControllersValidate(confControllerDef *const *defs, size_t ndefs,
                        bool q35, GError **error)
{
    size_t i;
    size_t j;

    for (i = 0; i < ndefs; i++) {
        if (confControllerValidateOne(defs[i], i, q35, error) < 0)
            return -1;
        for (j = 0; j < i; j++) {
            if (defs[j]->type != defs[i]->type ||
                defs[j]->index != defs[i]->index)
                continue;
            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("controller type '%1$s' index %2$u at '/domain/devices/controller[%3$zu]' is already defined"),
                        confControllerTypeToString(defs[i]->type),
                        defs[i]->index, i + 1);
            return -1;
        }
    }
    return 0;
}

static void
confControllerPCIFormat(confBuf *child, const confControllerDef *def)
{
    if (def->modelName)
        confBufAdd(child, "<model name='%s'/>\n",
                   confControllerPCIModelNameToString(
                       confControllerPCIModelNameOf(def->model)));
    if (def->chassisNr < 0 && def->chassis < 0 && def->port < 0)
        return;
    confBufAdd(child, "<target");
    if (def->chassisNr >= 0)
        confBufAdd(child, " chassisNr='%d'", def->chassisNr);
    if (def->chassis >= 0)
        confBufAdd(child, " chassis='%d'", def->chassis);
    if (def->port >= 0)
        confBufAdd(child, " port='0x%x'", (unsigned int)def->port);
    confBufAdd(child, "/>\n");
}

/**
 * confControllerDefFormat:
 * @buf: the <devices> child buffer
 * @def: a controller
 * @flags: virDomainXMLFlags
 *
 * Formats @def in libvirt's order.
 */
void
confControllerDefFormat(confBuf *buf, const confControllerDef *def,
                        unsigned int flags)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };
    vgmEnumToStringFunc models = confControllerModelTable(def->type);

    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confBufAdd(&attrs, " type='%s' index='%u'",
               confControllerTypeToString(def->type), def->index);
    if (models && def->model)
        confBufAdd(&attrs, " model='%s'", models(def->model));
    if (def->ports)
        confBufAdd(&attrs, " ports='%u'", def->ports);
    if (def->type == CONF_CONTROLLER_TYPE_PCI)
        confControllerPCIFormat(&child, def);
    confDeviceInfoFormat(&child, &def->info, flags);
    confXMLFormatElement(buf, "controller", &attrs, &child);
}

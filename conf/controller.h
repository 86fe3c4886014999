/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

#include "conf/address.h"
#include "conf/xml.h"
#include "util/enum.h"

typedef enum {
    CONF_CONTROLLER_TYPE_IDE = 0,
    CONF_CONTROLLER_TYPE_SCSI,
    CONF_CONTROLLER_TYPE_SATA,
    CONF_CONTROLLER_TYPE_VIRTIO_SERIAL,
    CONF_CONTROLLER_TYPE_USB,
    CONF_CONTROLLER_TYPE_PCI,

    CONF_CONTROLLER_TYPE_LAST
} confControllerType;
VGM_ENUM_DECL(confControllerType);

typedef enum {
    CONF_CONTROLLER_MODEL_PCI_DEFAULT = 0,
    CONF_CONTROLLER_MODEL_PCI_ROOT,
    CONF_CONTROLLER_MODEL_PCIE_ROOT,
    CONF_CONTROLLER_MODEL_PCIE_ROOT_PORT,
    CONF_CONTROLLER_MODEL_PCI_BRIDGE,
    CONF_CONTROLLER_MODEL_PCIE_TO_PCI_BRIDGE,

    CONF_CONTROLLER_MODEL_PCI_LAST
} confControllerModelPCI;
VGM_ENUM_DECL(confControllerModelPCI);
/* The <model name=> of a PCI controller (the QEMU device). */
typedef enum {
    CONF_CONTROLLER_PCI_MODEL_NAME_PCIE_ROOT_PORT = 0,
    CONF_CONTROLLER_PCI_MODEL_NAME_PCI_BRIDGE,
    CONF_CONTROLLER_PCI_MODEL_NAME_PCIE_PCI_BRIDGE,

    CONF_CONTROLLER_PCI_MODEL_NAME_LAST
} confControllerPCIModelName;
VGM_ENUM_DECL(confControllerPCIModelName);

typedef enum {
    CONF_CONTROLLER_MODEL_USB_DEFAULT = 0,
    CONF_CONTROLLER_MODEL_USB_PIIX3_UHCI,
    CONF_CONTROLLER_MODEL_USB_PIIX4_UHCI,
    CONF_CONTROLLER_MODEL_USB_EHCI,
    CONF_CONTROLLER_MODEL_USB_ICH9_EHCI1,
    CONF_CONTROLLER_MODEL_USB_ICH9_UHCI1,
    CONF_CONTROLLER_MODEL_USB_ICH9_UHCI2,
    CONF_CONTROLLER_MODEL_USB_ICH9_UHCI3,
    CONF_CONTROLLER_MODEL_USB_NEC_XHCI,
    CONF_CONTROLLER_MODEL_USB_QEMU_XHCI,
    CONF_CONTROLLER_MODEL_USB_NONE,

    CONF_CONTROLLER_MODEL_USB_LAST
} confControllerModelUSB;
VGM_ENUM_DECL(confControllerModelUSB);

typedef enum {
    CONF_CONTROLLER_MODEL_SCSI_DEFAULT = 0,
    CONF_CONTROLLER_MODEL_SCSI_VIRTIO,
    CONF_CONTROLLER_MODEL_SCSI_LSILOGIC,

    CONF_CONTROLLER_MODEL_SCSI_LAST
} confControllerModelSCSI;
VGM_ENUM_DECL(confControllerModelSCSI);

typedef struct {
    confControllerType type;
    unsigned int index;
    int model;                 /* one of the model enums, 0: default */
    unsigned int ports;        /* usb ports=, 0: not set */
    bool modelName;            /* <model name=> shown (PCI) */
    int chassis;               /* <target chassis=>, -1: not set */
    int port;                  /* <target port=>, -1: not set */
    int chassisNr;             /* <target chassisNr=>, -1: not set */
    confDeviceInfo info;
} confControllerDef;

void confControllerDefFree(confControllerDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confControllerDef, confControllerDefFree)

confControllerDef *confControllerDefNew(confControllerType type,
                                        unsigned int index, int model);
confControllerDef *confControllerDefParse(xmlNodePtr node,
                                          unsigned int flags,
                                          GError **error);
void confControllerDefFormat(confBuf *buf, const confControllerDef *def,
                             unsigned int flags);

/* Insert like libvirt: next to the controllers of the same type. */
void confControllerInsert(confControllerDef ***defs, size_t *ndefs,
                          confControllerDef *def);
confControllerDef *confControllerFind(confControllerDef *const *defs,
                                      size_t ndefs, confControllerType type,
                                      unsigned int index);
int confControllersValidate(confControllerDef *const *defs, size_t ndefs,
                            bool q35, GError **error);
/* The controller's PCI kind: 0 none, 1 PCIe endpoint, 2 conventional. */
int confControllerPCIConnect(const confControllerDef *def);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

#include "conf/address.h"
#include "conf/xml.h"
#include "util/enum.h"

/* <hostdev mode='subsystem' type='pci'>: VFIO device assignment. */

typedef enum {
    CONF_HOSTDEV_MODE_SUBSYSTEM = 0,

    CONF_HOSTDEV_MODE_LAST
} confHostdevMode;
VGM_ENUM_DECL(confHostdevMode);

typedef enum {
    CONF_HOSTDEV_TYPE_PCI = 0,

    CONF_HOSTDEV_TYPE_LAST
} confHostdevType;
VGM_ENUM_DECL(confHostdevType);

typedef enum {
    CONF_HOSTDEV_DRIVER_DEFAULT = 0,
    CONF_HOSTDEV_DRIVER_KVM,
    CONF_HOSTDEV_DRIVER_VFIO,
    CONF_HOSTDEV_DRIVER_XEN,

    CONF_HOSTDEV_DRIVER_LAST
} confHostdevDriver;
VGM_ENUM_DECL(confHostdevDriver);

typedef struct {
    confHostdevMode mode;
    confHostdevType type;
    bool managed;
    confHostdevDriver driver;
    char *driverModel;         /* VFIO variant driver, e.g. vfio-pci-igb */
    vgmTristateBool iommufd;
    confPCIAddress source;
    confDeviceInfo info;
} confHostdevDef;

void confHostdevDefFree(confHostdevDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confHostdevDef, confHostdevDefFree)

confHostdevDef *confHostdevDefParse(xmlNodePtr node, unsigned int flags,
                                    GError **error);
/* @pos: 0-based position among the <hostdev> elements. */
int confHostdevDefValidate(const confHostdevDef *def, size_t pos,
                           GError **error);
void confHostdevDefFormat(confBuf *buf, const confHostdevDef *def,
                          unsigned int flags);

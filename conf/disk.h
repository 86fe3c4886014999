/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

#include "conf/address.h"
#include "conf/xml.h"
#include "util/enum.h"

typedef enum {
    CONF_DISK_TYPE_FILE = 0,
    CONF_DISK_TYPE_BLOCK,

    CONF_DISK_TYPE_LAST
} confDiskType;
VGM_ENUM_DECL(confDiskType);

typedef enum {
    CONF_DISK_DEVICE_DISK = 0,
    CONF_DISK_DEVICE_CDROM,

    CONF_DISK_DEVICE_LAST
} confDiskDevice;
VGM_ENUM_DECL(confDiskDevice);

typedef enum {
    CONF_DISK_BUS_NONE = 0,
    CONF_DISK_BUS_IDE,
    CONF_DISK_BUS_SCSI,
    CONF_DISK_BUS_VIRTIO,
    CONF_DISK_BUS_USB,
    CONF_DISK_BUS_SATA,

    CONF_DISK_BUS_LAST
} confDiskBus;
VGM_ENUM_DECL(confDiskBus);

typedef enum {
    CONF_DISK_FORMAT_NONE = 0,
    CONF_DISK_FORMAT_RAW,
    CONF_DISK_FORMAT_QCOW2,

    CONF_DISK_FORMAT_LAST
} confDiskFormat;
VGM_ENUM_DECL(confDiskFormat);

typedef struct {
    confDiskType type;
    confDiskDevice device;
    char *driverName;          /* "qemu" */
    confDiskFormat format;
    char *src;                 /* file= or dev= */
    char *dst;                 /* target dev= */
    confDiskBus bus;
    bool readonly;
    bool shareable;
    char *serial;
    confDeviceInfo info;
} confDiskDef;

void confDiskDefFree(confDiskDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confDiskDef, confDiskDefFree)

confDiskDef *confDiskDefParse(xmlNodePtr node, unsigned int flags,
                              GError **error);
void confDiskDefPostParse(confDiskDef *def);
void confDiskDefFormat(confBuf *buf, const confDiskDef *def,
                       unsigned int flags);
/* Index from a target name: "vda" -> 0, "sdab" -> 27; -1 if none. */
int confDiskNameToIndex(const char *name);

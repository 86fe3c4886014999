/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

#include "conf/xml.h"
#include "util/enum.h"

/*
 * What every device carries: <boot order=>, <alias name=>, <rom>,
 * <acpi index=> and <address>.  libvirt calls this the device info.
 */

typedef enum {
    CONF_ADDRESS_TYPE_NONE = 0,
    CONF_ADDRESS_TYPE_PCI,
    CONF_ADDRESS_TYPE_DRIVE,
    CONF_ADDRESS_TYPE_USB,
    CONF_ADDRESS_TYPE_VIRTIO_SERIAL,

    CONF_ADDRESS_TYPE_LAST
} confAddressType;
VGM_ENUM_DECL(confAddressType);

#define CONF_PCI_MAX_DOMAIN 0xffff
#define CONF_PCI_MAX_BUS 0xff
#define CONF_PCI_MAX_SLOT 0x1f
#define CONF_PCI_MAX_FUNCTION 0x7
#define CONF_DRIVE_MAX_CONTROLLER 255

typedef struct {
    unsigned int domain;
    unsigned int bus;
    unsigned int slot;
    unsigned int function;
    vgmTristateSwitch multifunction;
} confPCIAddress;

typedef struct {
    unsigned int controller;
    unsigned int bus;
    unsigned int target;
    unsigned int unit;
} confDriveAddress;

typedef struct {
    unsigned int bus;
    char *port;                /* "1" or "1.2" (hubs) */
} confUSBAddress;

typedef struct {
    unsigned int controller;
    unsigned int bus;
    unsigned int port;
} confVirtioSerialAddress;

typedef struct {
    confAddressType type;
    confPCIAddress pci;
    confDriveAddress drive;
    confUSBAddress usb;
    confVirtioSerialAddress vioserial;
} confDeviceAddress;

typedef struct {
    char *alias;
    unsigned int bootIndex;    /* <boot order=>, 0: none */
    unsigned int acpiIndex;    /* <acpi index=>, 0: none */
    vgmTristateSwitch romBar;  /* <rom bar=> */
    vgmTristateBool romEnabled; /* <rom enabled=> */
    char *romFile;             /* <rom file=> */
    confDeviceAddress addr;
} confDeviceInfo;

typedef enum {
    CONF_DEVICE_INFO_BOOT = 1 << 0,   /* <boot order=> allowed */
    CONF_DEVICE_INFO_ROM = 1 << 1,    /* <rom> allowed */
    CONF_DEVICE_INFO_ACPI = 1 << 2,   /* <acpi index=> allowed */
} confDeviceInfoFlags;

/* The child elements confDeviceInfoParse reads, for confXMLCheckNode. */
#define CONF_DEVICE_INFO_CHILDREN "alias", "address", "boot", "rom", "acpi"

#define CONF_USER_ALIAS_PREFIX "ua-"

void confDeviceInfoClear(confDeviceInfo *info);
int confDeviceInfoParse(xmlNodePtr node, unsigned int allowed,
                        unsigned int parseFlags, confDeviceInfo *info,
                        GError **error);
void confDeviceInfoFormat(confBuf *buf, const confDeviceInfo *info,
                          unsigned int xmlFlags);

int confDeviceAddressParse(xmlNodePtr node, confDeviceAddress *addr,
                           GError **error);
/* Host PCI address without type= (hostdev <source><address>). */
int confPCIAddressParse(xmlNodePtr node, bool withType,
                        confPCIAddress *addr, GError **error);
void confPCIAddressFormatAttrs(confBuf *attrs, const confPCIAddress *addr);
void confDeviceAddressFormat(confBuf *buf, const confDeviceAddress *addr);

bool confPCIAddressEqual(const confPCIAddress *a, const confPCIAddress *b);
char *confPCIAddressToString(const confPCIAddress *addr);

bool confDeviceAliasIsUser(const char *alias);

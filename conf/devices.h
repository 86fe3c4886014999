/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "conf/address.h"
#include "conf/chardev.h"
#include "conf/controller.h"
#include "conf/disk.h"
#include "conf/hostdev.h"
#include "conf/misc.h"
#include "conf/net.h"
#include "conf/xml.h"

/*
 * <devices>: conf/devices.c dispatches to one file per device family:
 * conf/disk.c, conf/net.c (<interface>), conf/chardev.c (<serial>,
 * <console>), conf/controller.c, conf/hostdev.c, conf/misc.c (<input>,
 * <video>, <memballoon>, <rng>, <watchdog>).  conf/address.c has the
 * device info (<alias>, <address>, <boot>, <rom>, <acpi>), address
 * assignment and aliases.  docs/devices.md describes the subset.
 */

typedef struct confDomainDef confDomainDef;

typedef struct {
    char *emulator;
    confDiskDef **disks;
    size_t ndisks;
    confControllerDef **controllers;
    size_t ncontrollers;
    confNetDef **nets;
    size_t nnets;
    confChrDef **serials;
    size_t nserials;
    confChrDef **consoles;
    size_t nconsoles;
    confInputDef **inputs;
    size_t ninputs;
    confVideoDef **videos;
    size_t nvideos;
    confHostdevDef **hostdevs;
    size_t nhostdevs;
    confWatchdogDef **watchdogs;
    size_t nwatchdogs;
    confBalloonDef *memballoon;
    confRNGDef **rngs;
    size_t nrngs;
} confDevices;

/* How a device plugs into PCI. */
typedef enum {
    CONF_PCI_CONNECT_NONE = 0,  /* not a PCI device */
    CONF_PCI_CONNECT_PCIE,      /* PCI Express endpoint */
    CONF_PCI_CONNECT_PCI,       /* conventional PCI */
} confPCIConnect;

/* One device, as seen by address assignment and duplicate checks. */
typedef struct {
    const char *elem;          /* element name: "disk" */
    size_t pos;                /* 0-based among the elements @elem */
    confDeviceInfo *info;
    confPCIConnect connect;
    confControllerDef *controller;  /* when @elem is "controller" */
    bool primaryVideo;
    bool usb;                  /* needs a USB address */
} confDeviceRef;

/* Every device, in the order libvirt assigns PCI addresses. */
GArray *confDevicesCollect(confDomainDef *def);
/* "/domain/devices/disk[2]" for messages (g_free it). */
char *confDeviceRefPath(const confDeviceRef *ref);
/* "q35" and "pc-q35-*" machines. */
bool confDevicesIsQ35(const confDomainDef *def);
/* Address assignment (conf/address.c), run by post-parse. */
int confDevicesAssignAddresses(confDomainDef *def, GError **error);
/* The aliases libvirt's QEMU driver gives devices at start (address.c). */
void confDevicesAssignAliases(confDomainDef *def);

void confDevicesClear(confDevices *devs);
/* @node is <devices>; @def is the domain being parsed (read-only use). */
int confDevicesParse(xmlNodePtr node, confDomainDef *def, unsigned int flags,
                     GError **error);
/* Defaults and implicit devices (controllers, input, balloon, addresses). */
int confDevicesPostParse(confDomainDef *def, const char *defaultEmulator,
                         GError **error);
int confDevicesValidate(const confDomainDef *def, GError **error);
/* Appends <devices>...</devices> to @buf; @flags are virDomainXMLFlags. */
void confDevicesFormat(confBuf *buf, const confDomainDef *def,
                       unsigned int flags);

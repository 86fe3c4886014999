/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libxml/tree.h>

#include "conf/xml.h"

/*
 * <devices>: conf/devices.c dispatches to one file per device family
 * (conf/disk.c, conf/net.c, conf/chardev.c, conf/controller.c,
 * conf/hostdev.c, conf/address.c, ...).
 */

typedef struct confDomainDef confDomainDef;

typedef struct {
    char *emulator;
    /* Device arrays are added here by the device families. */
    int placeholder_;
} confDevices;

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

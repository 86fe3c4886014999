/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

#include "conf/address.h"
#include "conf/xml.h"
#include "util/enum.h"

/* <serial> and <console>: a character device backend and a target. */

typedef enum {
    CONF_CHR_TYPE_PTY = 0,
    CONF_CHR_TYPE_FILE,
    CONF_CHR_TYPE_UNIX,
    CONF_CHR_TYPE_NULL,
    CONF_CHR_TYPE_STDIO,

    CONF_CHR_TYPE_LAST
} confChrType;
VGM_ENUM_DECL(confChrType);

typedef enum {
    CONF_CHR_UNIX_CONNECT = 0,
    CONF_CHR_UNIX_BIND,

    CONF_CHR_UNIX_LAST
} confChrUnixMode;
VGM_ENUM_DECL(confChrUnixMode);

/* Serial target types and models share their names in libvirt. */
typedef enum {
    CONF_SERIAL_TARGET_NONE = 0,
    CONF_SERIAL_TARGET_ISA,
    CONF_SERIAL_TARGET_USB,
    CONF_SERIAL_TARGET_PCI,

    CONF_SERIAL_TARGET_LAST
} confSerialTarget;
VGM_ENUM_DECL(confSerialTarget);

typedef enum {
    CONF_CONSOLE_TARGET_NONE = 0,
    CONF_CONSOLE_TARGET_SERIAL,
    CONF_CONSOLE_TARGET_VIRTIO,

    CONF_CONSOLE_TARGET_LAST
} confConsoleTarget;
VGM_ENUM_DECL(confConsoleTarget);

typedef struct {
    confChrType type;
    char *path;                /* file, unix; pty only in live XML */
    confChrUnixMode mode;      /* unix */
    vgmTristateSwitch append;  /* file */
} confChrSource;

typedef struct {
    bool console;              /* <console>, else <serial> */
    confChrSource source;
    int targetType;            /* confSerialTarget or confConsoleTarget */
    int targetModel;           /* confSerialTarget (serial only) */
    int port;                  /* -1: not set */
    confDeviceInfo info;
} confChrDef;

void confChrDefFree(confChrDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confChrDef, confChrDefFree)

confChrDef *confChrDefParse(xmlNodePtr node, bool console,
                            unsigned int flags, GError **error);
void confChrSourceCopy(confChrSource *dst, const confChrSource *src);
void confChrDefFormat(confBuf *buf, const confChrDef *def,
                      unsigned int flags);
/*
 * Defaults for serial ports and consoles, and libvirt's rule that the
 * first console of target type 'serial' is the first serial port.
 */
void confChrDefsPostParse(confChrDef ***serials, size_t *nserials,
                          confChrDef **consoles, size_t nconsoles);
int confChrDefsValidate(confChrDef *const *serials, size_t nserials,
                        confChrDef *const *consoles, size_t nconsoles,
                        GError **error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libxml/tree.h>

#include "conf/address.h"
#include "conf/xml.h"
#include "util/enum.h"

/* The small devices: <input>, <video>, <memballoon>, <rng>, <watchdog>. */

typedef enum {
    CONF_INPUT_TYPE_MOUSE = 0,
    CONF_INPUT_TYPE_TABLET,
    CONF_INPUT_TYPE_KEYBOARD,

    CONF_INPUT_TYPE_LAST
} confInputType;
VGM_ENUM_DECL(confInputType);

typedef enum {
    CONF_INPUT_BUS_NONE = 0,
    CONF_INPUT_BUS_PS2,
    CONF_INPUT_BUS_USB,
    CONF_INPUT_BUS_VIRTIO,

    CONF_INPUT_BUS_LAST
} confInputBus;
VGM_ENUM_DECL(confInputBus);

typedef struct {
    confInputType type;
    confInputBus bus;
    confDeviceInfo info;
} confInputDef;

typedef enum {
    CONF_VIDEO_NONE = 0,
    CONF_VIDEO_VGA,
    CONF_VIDEO_VIRTIO,

    CONF_VIDEO_LAST
} confVideoModel;
VGM_ENUM_DECL(confVideoModel);

typedef struct {
    confVideoModel model;
    unsigned int vram;         /* KiB, 0: not set */
    unsigned int heads;        /* 0: not set */
    bool primary;
    confDeviceInfo info;
} confVideoDef;

typedef enum {
    CONF_BALLOON_VIRTIO = 0,
    CONF_BALLOON_NONE,

    CONF_BALLOON_LAST
} confBalloonModel;
VGM_ENUM_DECL(confBalloonModel);

typedef struct {
    confBalloonModel model;
    vgmTristateSwitch autodeflate;
    unsigned int period;       /* <stats period=>, 0: not set */
    bool hasPeriod;
    confDeviceInfo info;
} confBalloonDef;

typedef enum {
    CONF_RNG_BACKEND_RANDOM = 0,
    CONF_RNG_BACKEND_BUILTIN,

    CONF_RNG_BACKEND_LAST
} confRNGBackend;
VGM_ENUM_DECL(confRNGBackend);

typedef struct {
    confRNGBackend backend;
    char *file;                /* random: /dev/urandom, /dev/random */
    unsigned int rateBytes;    /* 0: no <rate> */
    unsigned int ratePeriod;   /* ms, 0: not set */
    confDeviceInfo info;
} confRNGDef;

typedef enum {
    CONF_WATCHDOG_ITCO = 0,
    CONF_WATCHDOG_I6300ESB,
    CONF_WATCHDOG_IB700,

    CONF_WATCHDOG_LAST
} confWatchdogModel;
VGM_ENUM_DECL(confWatchdogModel);

typedef enum {
    CONF_WATCHDOG_ACTION_RESET = 0,
    CONF_WATCHDOG_ACTION_SHUTDOWN,
    CONF_WATCHDOG_ACTION_POWEROFF,
    CONF_WATCHDOG_ACTION_PAUSE,
    CONF_WATCHDOG_ACTION_NONE,
    CONF_WATCHDOG_ACTION_DUMP,
    CONF_WATCHDOG_ACTION_INJECT_NMI,

    CONF_WATCHDOG_ACTION_LAST
} confWatchdogAction;
VGM_ENUM_DECL(confWatchdogAction);

typedef struct {
    confWatchdogModel model;
    confWatchdogAction action;
    confDeviceInfo info;
} confWatchdogDef;

void confInputDefFree(confInputDef *def);
void confVideoDefFree(confVideoDef *def);
void confBalloonDefFree(confBalloonDef *def);
void confRNGDefFree(confRNGDef *def);
void confWatchdogDefFree(confWatchdogDef *def);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confInputDef, confInputDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confVideoDef, confVideoDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confBalloonDef, confBalloonDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confRNGDef, confRNGDefFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(confWatchdogDef, confWatchdogDefFree)

confInputDef *confInputDefNew(confInputType type, confInputBus bus);
confInputDef *confInputDefParse(xmlNodePtr node, unsigned int flags,
                                GError **error);
void confInputDefFormat(confBuf *buf, const confInputDef *def,
                        unsigned int flags);

confVideoDef *confVideoDefParse(xmlNodePtr node, unsigned int flags,
                                GError **error);
void confVideoDefPostParse(confVideoDef *def, bool first);
void confVideoDefFormat(confBuf *buf, const confVideoDef *def,
                        unsigned int flags);

confBalloonDef *confBalloonDefParse(xmlNodePtr node, unsigned int flags,
                                    GError **error);
void confBalloonDefFormat(confBuf *buf, const confBalloonDef *def,
                          unsigned int flags);

confRNGDef *confRNGDefParse(xmlNodePtr node, unsigned int flags,
                            GError **error);
void confRNGDefFormat(confBuf *buf, const confRNGDef *def,
                      unsigned int flags);

confWatchdogDef *confWatchdogDefNew(confWatchdogModel model);
confWatchdogDef *confWatchdogDefParse(xmlNodePtr node, unsigned int flags,
                                      GError **error);
void confWatchdogDefFormat(confBuf *buf, const confWatchdogDef *def,
                           unsigned int flags);

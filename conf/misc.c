/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/misc.h"
#include "util/error.h"
#include "util/i18n.h"

/* <input>, <video>, <memballoon>, <rng> and <watchdog>. */

VGM_ENUM_IMPL(confInputType, CONF_INPUT_TYPE_LAST,
              "mouse", "tablet", "keyboard");
VGM_ENUM_IMPL(confInputBus, CONF_INPUT_BUS_LAST,
              "none", "ps2", "usb", "virtio");
VGM_ENUM_IMPL(confVideoModel, CONF_VIDEO_LAST, "none", "vga", "virtio");
VGM_ENUM_IMPL(confBalloonModel, CONF_BALLOON_LAST, "virtio", "none");
VGM_ENUM_IMPL(confRNGBackend, CONF_RNG_BACKEND_LAST, "random", "builtin");
VGM_ENUM_IMPL(confWatchdogModel, CONF_WATCHDOG_LAST,
              "itco", "i6300esb", "ib700");
VGM_ENUM_IMPL(confWatchdogAction, CONF_WATCHDOG_ACTION_LAST,
              "reset", "shutdown", "poweroff", "pause", "none", "dump",
              "inject-nmi");

#define CONF_VIDEO_VGA_VRAM 16384

/**
 * confInputDefFree:
 * @def: an input device, or NULL
 *
 * Frees @def.
 */
void
confInputDefFree(confInputDef *def)
{
    if (!def)
        return;
    confDeviceInfoClear(&def->info);
    g_free(def);
}

/**
 * confVideoDefFree:
 * @def: a video device, or NULL
 *
 * Frees @def.
 */
void
confVideoDefFree(confVideoDef *def)
{
    if (!def)
        return;
    confDeviceInfoClear(&def->info);
    g_free(def);
}

/**
 * confBalloonDefFree:
 * @def: a balloon, or NULL
 *
 * Frees @def.
 */
void
confBalloonDefFree(confBalloonDef *def)
{
    if (!def)
        return;
    confDeviceInfoClear(&def->info);
    g_free(def);
}

/**
 * confRNGDefFree:
 * @def: an RNG device, or NULL
 *
 * Frees @def.
 */
void
confRNGDefFree(confRNGDef *def)
{
    if (!def)
        return;
    g_free(def->file);
    confDeviceInfoClear(&def->info);
    g_free(def);
}

/**
 * confWatchdogDefFree:
 * @def: a watchdog, or NULL
 *
 * Frees @def.
 */
void
confWatchdogDefFree(confWatchdogDef *def)
{
    if (!def)
        return;
    confDeviceInfoClear(&def->info);
    g_free(def);
}

/* Simple formatter: attributes then device info. */
static void
confMiscFormat(confBuf *buf, const char *name, confBuf *attrs,
               confBuf *child, const confDeviceInfo *info,
               unsigned int flags)
{
    confDeviceInfoFormat(child, info, flags);
    confXMLFormatElement(buf, name, attrs, child);
}

/* <input> */

/**
 * confInputDefNew:
 * @type: the input type
 * @bus: its bus
 *
 * Returns: a new input device (implicit PS/2 devices).
 */
confInputDef *
confInputDefNew(confInputType type, confInputBus bus)
{
    confInputDef *def = g_new0(confInputDef, 1);

    def->type = type;
    def->bus = bus;
    return def;
}

/**
 * confInputDefParse:
 * @node: an <input> element
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * The bus defaults to ps2 (usb for a tablet), as in libvirt.
 *
 * Returns: the device, or NULL with @error set.
 */
confInputDef *
confInputDefParse(xmlNodePtr node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "type", "bus", NULL };
    static const char *const children[] = { CONF_DEVICE_INFO_CHILDREN, NULL };
    g_autoptr(confInputDef) def = g_new0(confInputDef, 1);
    int type = 0;
    int bus = CONF_INPUT_BUS_NONE;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropEnum(node, "type", confInputTypeToString,
                        CONF_PROP_REQUIRED, &type, error) < 0 ||
        confXMLPropEnum(node, "bus", confInputBusToString, CONF_PROP_NONZERO,
                        &bus, error) < 0 ||
        confDeviceInfoParse(node, 0, flags, &def->info, error) < 0)
        return NULL;
    def->type = type;
    def->bus = bus;
    if (def->bus == CONF_INPUT_BUS_NONE)
        def->bus = def->type == CONF_INPUT_TYPE_TABLET ? CONF_INPUT_BUS_USB :
                   CONF_INPUT_BUS_PS2;
    if (def->type == CONF_INPUT_TYPE_TABLET && def->bus == CONF_INPUT_BUS_PS2) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("input type 'tablet' at '%1$s' is not supported on bus 'ps2': accepted values are 'usb', 'virtio'"),
                    path);
        return NULL;
    }
    return g_steal_pointer(&def);
}

/**
 * confInputDefFormat:
 * @buf: the <devices> child buffer
 * @def: an input device
 * @flags: virDomainXMLFlags
 *
 * Formats @def.
 */
void
confInputDefFormat(confBuf *buf, const confInputDef *def, unsigned int flags)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };

    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confBufAdd(&attrs, " type='%s' bus='%s'", confInputTypeToString(def->type),
               confInputBusToString(def->bus));
    confMiscFormat(buf, "input", &attrs, &child, &def->info, flags);
}

/* <video> */

static int
confVideoModelParse(xmlNodePtr node, confVideoDef *def, GError **error)
{
    static const char *const attrs[] = { "type", "vram", "heads", "primary",
                                         NULL };
    int model = CONF_VIDEO_NONE;
    vgmTristateBool primary = VGM_TRISTATE_BOOL_ABSENT;

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropEnum(node, "type", confVideoModelToString,
                        CONF_PROP_REQUIRED, &model, error) < 0 ||
        confXMLPropUInt(node, "vram", 10, 0, &def->vram, error) < 0 ||
        confXMLPropUInt(node, "heads", 10, CONF_PROP_NONZERO, &def->heads,
                        error) < 0 ||
        confXMLPropTristateBool(node, "primary", 0, &primary, error) < 0)
        return -1;
    def->model = model;
    def->primary = primary == VGM_TRISTATE_BOOL_YES;
    if (def->model == CONF_VIDEO_NONE &&
        (def->vram || def->heads || def->primary)) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("video model 'none' at '%1$s' takes no other attributes"),
                    path);
        return -1;
    }
    return 0;
}

/**
 * confVideoDefParse:
 * @node: a <video> element
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the device, or NULL with @error set.
 */
confVideoDef *
confVideoDefParse(xmlNodePtr node, unsigned int flags, GError **error)
{
    static const char *const children[] = { "model",
                                            CONF_DEVICE_INFO_CHILDREN, NULL };
    g_autoptr(confVideoDef) def = g_new0(confVideoDef, 1);
    xmlNodePtr model;

    if (confXMLCheckNode(node, NULL, children, error) < 0 ||
        confXMLChildUnique(node, "model", &model, error) < 0)
        return NULL;
    if (!model) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing element 'model' in '%1$s'"), path);
        return NULL;
    }
    if (confVideoModelParse(model, def, error) < 0 ||
        confDeviceInfoParse(node, 0, flags, &def->info, error) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

/**
 * confVideoDefPostParse:
 * @def: a video device
 * @first: whether it is the first <video>
 *
 * libvirt's defaults: vram 16384 KiB for vga, one head, the first
 * card is primary.  Model none is left alone.
 */
void
confVideoDefPostParse(confVideoDef *def, bool first)
{
    if (def->model == CONF_VIDEO_NONE)
        return;
    if (def->model == CONF_VIDEO_VGA && !def->vram)
        def->vram = CONF_VIDEO_VGA_VRAM;
    if (!def->heads)
        def->heads = 1;
    if (first)
        def->primary = true;
}

/**
 * confVideoDefFormat:
 * @buf: the <devices> child buffer
 * @def: a video device
 * @flags: virDomainXMLFlags
 *
 * Formats @def.
 */
void
confVideoDefFormat(confBuf *buf, const confVideoDef *def, unsigned int flags)
{
    g_auto(confBuf) child = { 0 };

    confBufInitChild(&child, buf);
    confBufAdd(&child, "<model type='%s'", confVideoModelToString(def->model));
    if (def->vram)
        confBufAdd(&child, " vram='%u'", def->vram);
    if (def->heads)
        confBufAdd(&child, " heads='%u'", def->heads);
    if (def->primary)
        confBufAdd(&child, " primary='yes'");
    confBufAdd(&child, "/>\n");
    confMiscFormat(buf, "video", NULL, &child, &def->info, flags);
}

/* <memballoon> */

static int
confBalloonStatsParse(xmlNodePtr node, confBalloonDef *def, GError **error)
{
    static const char *const attrs[] = { "period", NULL };

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropUInt(node, "period", 10, CONF_PROP_REQUIRED, &def->period,
                        error) < 0)
        return -1;
    def->hasPeriod = true;
    return 0;
}

/**
 * confBalloonDefParse:
 * @node: a <memballoon> element
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the balloon, or NULL with @error set.
 */
confBalloonDef *
confBalloonDefParse(xmlNodePtr node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "model", "autodeflate", NULL };
    static const char *const children[] = { "stats",
                                            CONF_DEVICE_INFO_CHILDREN, NULL };
    g_autoptr(confBalloonDef) def = g_new0(confBalloonDef, 1);
    int model = CONF_BALLOON_VIRTIO;
    xmlNodePtr stats;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropEnum(node, "model", confBalloonModelToString,
                        CONF_PROP_REQUIRED, &model, error) < 0 ||
        confXMLPropTristateSwitch(node, "autodeflate", 0, &def->autodeflate,
                                  error) < 0 ||
        confXMLChildUnique(node, "stats", &stats, error) < 0 ||
        (stats && confBalloonStatsParse(stats, def, error) < 0) ||
        confDeviceInfoParse(node, 0, flags, &def->info, error) < 0)
        return NULL;
    def->model = model;
    if (def->model == CONF_BALLOON_NONE &&
        (def->autodeflate || def->hasPeriod ||
         def->info.addr.type != CONF_ADDRESS_TYPE_NONE)) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("memballoon model 'none' at '%1$s' takes no other settings"),
                    path);
        return NULL;
    }
    return g_steal_pointer(&def);
}

/**
 * confBalloonDefFormat:
 * @buf: the <devices> child buffer
 * @def: the balloon
 * @flags: virDomainXMLFlags
 *
 * Formats @def.
 */
void
confBalloonDefFormat(confBuf *buf, const confBalloonDef *def,
                     unsigned int flags)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };

    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confBufAdd(&attrs, " model='%s'", confBalloonModelToString(def->model));
    if (def->autodeflate)
        confBufAdd(&attrs, " autodeflate='%s'",
                   vgmTristateSwitchToString(def->autodeflate));
    if (def->hasPeriod)
        confBufAdd(&child, "<stats period='%u'/>\n", def->period);
    confMiscFormat(buf, "memballoon", &attrs, &child, &def->info, flags);
}

/* <rng> */

static int
confRNGBackendParse(xmlNodePtr node, confRNGDef *def, GError **error)
{
    static const char *const attrs[] = { "model", NULL };
    int backend = CONF_RNG_BACKEND_RANDOM;
    g_autofree char *path = confXMLNodePath(node);

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropEnum(node, "model", confRNGBackendToString,
                        CONF_PROP_REQUIRED, &backend, error) < 0)
        return -1;
    def->backend = backend;
    def->file = confXMLNodeContent(node);
    if (def->file)
        g_strstrip(def->file);
    if (def->backend == CONF_RNG_BACKEND_BUILTIN && def->file && *def->file) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("RNG backend 'builtin' at '%1$s' takes no file"), path);
        return -1;
    }
    if (def->file && !g_str_has_prefix(def->file, "/")) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("RNG source '%1$s' at '%2$s' must be an absolute path"),
                    def->file, path);
        return -1;
    }
    return 0;
}

static int
confRNGRateParse(xmlNodePtr node, confRNGDef *def, GError **error)
{
    static const char *const attrs[] = { "bytes", "period", NULL };

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropUInt(node, "bytes", 10,
                        CONF_PROP_REQUIRED | CONF_PROP_NONZERO,
                        &def->rateBytes, error) < 0 ||
        confXMLPropUInt(node, "period", 10, CONF_PROP_NONZERO,
                        &def->ratePeriod, error) < 0)
        return -1;
    return 0;
}

/**
 * confRNGDefParse:
 * @node: an <rng> element
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the device, or NULL with @error set.
 */
confRNGDef *
confRNGDefParse(xmlNodePtr node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "model", NULL };
    static const char *const children[] = { "backend", "rate",
                                            CONF_DEVICE_INFO_CHILDREN, NULL };
    static const char *const models[] = { "virtio", NULL };
    g_autoptr(confRNGDef) def = g_new0(confRNGDef, 1);
    g_autofree char *model = NULL;
    xmlNodePtr child;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropString(node, "model", CONF_PROP_REQUIRED, &model,
                          error) < 0)
        return NULL;
    if (strcmp(model, models[0]) != 0) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid value '%1$s' for '%2$s/@model': accepted values are 'virtio'"),
                    model, path);
        return NULL;
    }
    if (confXMLChildUnique(node, "backend", &child, error) < 0)
        return NULL;
    if (!child) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing element 'backend' in '%1$s'"), path);
        return NULL;
    }
    if (confRNGBackendParse(child, def, error) < 0 ||
        confXMLChildUnique(node, "rate", &child, error) < 0 ||
        (child && confRNGRateParse(child, def, error) < 0) ||
        confDeviceInfoParse(node, 0, flags, &def->info, error) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

/**
 * confRNGDefFormat:
 * @buf: the <devices> child buffer
 * @def: an RNG device
 * @flags: virDomainXMLFlags
 *
 * Formats @def: rate, backend, device info.
 */
void
confRNGDefFormat(confBuf *buf, const confRNGDef *def, unsigned int flags)
{
    g_auto(confBuf) child = { 0 };

    confBufInitChild(&child, buf);
    if (def->rateBytes) {
        confBufAdd(&child, "<rate bytes='%u'", def->rateBytes);
        if (def->ratePeriod)
            confBufAdd(&child, " period='%u'", def->ratePeriod);
        confBufAdd(&child, "/>\n");
    }
    confBufAdd(&child, "<backend model='%s'",
               confRNGBackendToString(def->backend));
    if (def->file)
        confBufEscape(&child, ">%s</backend>\n", def->file);
    else
        confBufAdd(&child, "/>\n");
    {
        g_auto(confBuf) attrs = { 0 };

        confBufInit(&attrs);
        confBufAdd(&attrs, " model='virtio'");
        confMiscFormat(buf, "rng", &attrs, &child, &def->info, flags);
    }
}

/* <watchdog> */

/**
 * confWatchdogDefNew:
 * @model: the watchdog model
 *
 * Returns: a watchdog with action reset (the implicit iTCO).
 */
confWatchdogDef *
confWatchdogDefNew(confWatchdogModel model)
{
    confWatchdogDef *def = g_new0(confWatchdogDef, 1);

    def->model = model;
    def->action = CONF_WATCHDOG_ACTION_RESET;
    return def;
}

/**
 * confWatchdogDefParse:
 * @node: a <watchdog> element
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the watchdog, or NULL with @error set.
 */
confWatchdogDef *
confWatchdogDefParse(xmlNodePtr node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "model", "action", NULL };
    static const char *const children[] = { CONF_DEVICE_INFO_CHILDREN, NULL };
    g_autoptr(confWatchdogDef) def = confWatchdogDefNew(CONF_WATCHDOG_ITCO);
    int model = CONF_WATCHDOG_ITCO;
    int action = CONF_WATCHDOG_ACTION_RESET;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropEnum(node, "model", confWatchdogModelToString,
                        CONF_PROP_REQUIRED, &model, error) < 0 ||
        confXMLPropEnum(node, "action", confWatchdogActionToString, 0,
                        &action, error) < 0 ||
        confDeviceInfoParse(node, 0, flags, &def->info, error) < 0)
        return NULL;
    def->model = model;
    def->action = action;
    return g_steal_pointer(&def);
}

/**
 * confWatchdogDefFormat:
 * @buf: the <devices> child buffer
 * @def: a watchdog
 * @flags: virDomainXMLFlags
 *
 * action= is always written, as libvirt does.
 */
void
confWatchdogDefFormat(confBuf *buf, const confWatchdogDef *def,
                      unsigned int flags)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };

    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confBufAdd(&attrs, " model='%s' action='%s'",
               confWatchdogModelToString(def->model),
               confWatchdogActionToString(def->action));
    confMiscFormat(buf, "watchdog", &attrs, &child, &def->info, flags);
}

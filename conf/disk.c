/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#include "conf/disk.h"
#include "util/error.h"
#include "util/i18n.h"

/* <disk>: file and block disks and CD-ROMs. */

/* Drive addresses come from the index: keep the controllers few. */
#define CONF_DISK_MAX_INDEX 1023

VGM_ENUM_IMPL(confDiskType, CONF_DISK_TYPE_LAST, "file", "block");
VGM_ENUM_IMPL(confDiskDevice, CONF_DISK_DEVICE_LAST, "disk", "cdrom");
VGM_ENUM_IMPL(confDiskBus, CONF_DISK_BUS_LAST,
              "none", "ide", "scsi", "virtio", "usb", "sata");
VGM_ENUM_IMPL(confDiskFormat, CONF_DISK_FORMAT_LAST,
              "none", "raw", "qcow2");

/**
 * confDiskDefFree:
 * @def: a disk, or NULL
 *
 * Frees @def.
 */
void
confDiskDefFree(confDiskDef *def)
{
    if (!def)
        return;
    g_free(def->driverName);
    g_free(def->src);
    g_free(def->dst);
    g_free(def->serial);
    confDeviceInfoClear(&def->info);
    g_free(def);
}

/**
 * confDiskNameToIndex:
 * @name: a target name such as "vda", "sdb", "hdaa"
 *
 * Returns: the disk index the letters encode ("a" 0, "z" 25, "aa" 26),
 * or -1 when @name is not such a name.
 */
int
confDiskNameToIndex(const char *name)
{
    static const char *const prefixes[] = { "hd", "sd", "vd", "xvd", "ub" };
    const char *p = NULL;
    long idx = 0;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(prefixes) && !p; i++) {
        if (g_str_has_prefix(name, prefixes[i]))
            p = name + strlen(prefixes[i]);
    }
    if (!p || !*p)
        return -1;
    for (; *p; p++) {
        if (*p < 'a' || *p > 'z' || idx > G_MAXINT / 27)
            return -1;
        idx = idx * 26 + (*p - 'a' + 1);
    }
    return (int)(idx - 1);
}

static int
confDiskBusFromName(xmlNodePtr node, const char *dst, confDiskBus *bus,
                    GError **error)
{
    static const struct {
        const char *prefix;
        confDiskBus bus;
    } map[] = {
        { "hd", CONF_DISK_BUS_IDE },
        { "sd", CONF_DISK_BUS_SCSI },
        { "vd", CONF_DISK_BUS_VIRTIO },
        { "ub", CONF_DISK_BUS_USB },
    };
    g_autofree char *path = NULL;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (g_str_has_prefix(dst, map[i].prefix)) {
            *bus = map[i].bus;
            return 0;
        }
    }
    path = confXMLNodePath(node);
    g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                _("cannot infer the bus of disk '%1$s' at '%2$s': add a 'bus' attribute"),
                dst, path);
    return -1;
}

static int
confDiskTargetParse(xmlNodePtr node, confDiskDef *def, GError **error)
{
    static const char *const attrs[] = { "dev", "bus", NULL };
    int bus = CONF_DISK_BUS_NONE;
    int rc;

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropString(node, "dev", CONF_PROP_REQUIRED | CONF_PROP_NONZERO,
                          &def->dst, error) < 0 ||
        (rc = confXMLPropEnum(node, "bus", confDiskBusToString,
                              CONF_PROP_NONZERO, &bus, error)) < 0)
        return -1;
    def->bus = bus;
    if (rc == 0 && confDiskBusFromName(node, def->dst, &def->bus, error) < 0)
        return -1;
    if (confDiskNameToIndex(def->dst) > CONF_DISK_MAX_INDEX) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("disk target '%1$s' at '%2$s' is out of range: at most %3$d disks per bus"),
                    def->dst, path, CONF_DISK_MAX_INDEX + 1);
        return -1;
    }
    if (confDiskNameToIndex(def->dst) < 0) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("invalid disk target '%1$s' at '%2$s': expected a name such as 'vda', 'sdb' or 'hdc'"),
                    def->dst, path);
        return -1;
    }
    return 0;
}

static int
confDiskDriverParse(xmlNodePtr node, confDiskDef *def, GError **error)
{
    static const char *const attrs[] = { "name", "type", NULL };
    int format = CONF_DISK_FORMAT_NONE;

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropString(node, "name", CONF_PROP_NONZERO, &def->driverName,
                          error) < 0 ||
        confXMLPropEnum(node, "type", confDiskFormatToString,
                        CONF_PROP_NONZERO, &format, error) < 0)
        return -1;
    def->format = format;
    if (def->driverName && strcmp(def->driverName, "qemu") != 0) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported disk driver name '%1$s' at '%2$s': accepted values are 'qemu'"),
                    def->driverName, path);
        return -1;
    }
    return 0;
}

static int
confDiskSourceParse(xmlNodePtr node, confDiskDef *def, GError **error)
{
    static const char *const fileAttrs[] = { "file", NULL };
    static const char *const blockAttrs[] = { "dev", NULL };
    bool isFile = def->type == CONF_DISK_TYPE_FILE;

    if (confXMLCheckNode(node, isFile ? fileAttrs : blockAttrs, NULL,
                         error) < 0)
        return -1;
    return confXMLPropString(node, isFile ? "file" : "dev",
                             CONF_PROP_NONZERO, &def->src, error);
}

static int
confDiskFlagParse(xmlNodePtr node, const char *name, bool *value,
                  GError **error)
{
    xmlNodePtr child;
    int rc = confXMLChildUnique(node, name, &child, error);

    if (rc <= 0)
        return rc;
    if (confXMLCheckNode(child, NULL, NULL, error) < 0)
        return -1;
    *value = true;
    return 1;
}

static int
confDiskChildrenParse(xmlNodePtr node, confDiskDef *def, unsigned int flags,
                      GError **error)
{
    xmlNodePtr child;

    if (confXMLChildUnique(node, "driver", &child, error) < 0 ||
        (child && confDiskDriverParse(child, def, error) < 0))
        return -1;
    if (confXMLChildUnique(node, "source", &child, error) < 0 ||
        (child && confDiskSourceParse(child, def, error) < 0))
        return -1;
    if (confXMLChildUnique(node, "target", &child, error) < 0)
        return -1;
    if (!child) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing element 'target' in '%1$s'"), path);
        return -1;
    }
    if (confDiskTargetParse(child, def, error) < 0 ||
        confDiskFlagParse(node, "readonly", &def->readonly, error) < 0 ||
        confDiskFlagParse(node, "shareable", &def->shareable, error) < 0 ||
        confXMLChildContent(node, "serial", &def->serial, error) < 0)
        return -1;
    return confDeviceInfoParse(node, CONF_DEVICE_INFO_BOOT, flags,
                               &def->info, error);
}

/**
 * confDiskDefParse:
 * @node: a <disk> element
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the disk, or NULL with @error set.
 */
confDiskDef *
confDiskDefParse(xmlNodePtr node, unsigned int flags, GError **error)
{
    static const char *const attrs[] = { "type", "device", NULL };
    static const char *const children[] = {
        "driver", "source", "target", "readonly", "shareable", "serial",
        CONF_DEVICE_INFO_CHILDREN, NULL
    };
    g_autoptr(confDiskDef) def = g_new0(confDiskDef, 1);
    int type = CONF_DISK_TYPE_FILE;
    int device = CONF_DISK_DEVICE_DISK;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropEnum(node, "type", confDiskTypeToString, 0, &type,
                        error) < 0 ||
        confXMLPropEnum(node, "device", confDiskDeviceToString, 0, &device,
                        error) < 0)
        return NULL;
    def->type = type;
    def->device = device;
    if (confDiskChildrenParse(node, def, flags, error) < 0)
        return NULL;
    if (!def->src && def->device == CONF_DISK_DEVICE_DISK) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("disk '%1$s' at '%2$s' has no source: only a cdrom may be empty"),
                    def->dst, path);
        return NULL;
    }
    return g_steal_pointer(&def);
}

/**
 * confDiskDefPostParse:
 * @def: a disk
 *
 * libvirt's defaults: driver name 'qemu', format 'raw', a cdrom is
 * read-only.
 */
void
confDiskDefPostParse(confDiskDef *def)
{
    if (!def->driverName)
        def->driverName = g_strdup("qemu");
    if (def->format == CONF_DISK_FORMAT_NONE)
        def->format = CONF_DISK_FORMAT_RAW;
    if (def->device == CONF_DISK_DEVICE_CDROM)
        def->readonly = true;
}

/**
 * confDiskDefFormat:
 * @buf: the <devices> child buffer
 * @def: a disk
 * @flags: virDomainXMLFlags
 *
 * Formats @def in libvirt's order.
 */
void
confDiskDefFormat(confBuf *buf, const confDiskDef *def, unsigned int flags)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };

    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confBufAdd(&attrs, " type='%s' device='%s'",
               confDiskTypeToString(def->type),
               confDiskDeviceToString(def->device));
    if (def->driverName || def->format) {
        confBufAdd(&child, "<driver");
        if (def->driverName)
            confBufEscape(&child, " name='%s'", def->driverName);
        if (def->format)
            confBufAdd(&child, " type='%s'",
                       confDiskFormatToString(def->format));
        confBufAdd(&child, "/>\n");
    }
    if (def->src)
        confBufEscape(&child,
                      def->type == CONF_DISK_TYPE_FILE ?
                      "<source file='%s'/>\n" : "<source dev='%s'/>\n",
                      def->src);
    confBufEscape(&child, "<target dev='%s'", def->dst);
    confBufAdd(&child, " bus='%s'/>\n", confDiskBusToString(def->bus));
    if (def->readonly)
        confBufAdd(&child, "<readonly/>\n");
    if (def->shareable)
        confBufAdd(&child, "<shareable/>\n");
    if (def->serial)
        confBufEscape(&child, "<serial>%s</serial>\n", def->serial);
    confDeviceInfoFormat(&child, &def->info, flags);
    confXMLFormatElement(buf, "disk", &attrs, &child);
}

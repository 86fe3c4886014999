/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "conf/hostdev.h"
#include "util/error.h"
#include "util/i18n.h"

/* <hostdev>: PCI devices assigned with VFIO (legacy or iommufd). */

VGM_ENUM_IMPL(confHostdevMode, CONF_HOSTDEV_MODE_LAST, "subsystem");
VGM_ENUM_IMPL(confHostdevType, CONF_HOSTDEV_TYPE_LAST, "pci");
VGM_ENUM_IMPL(confHostdevDriver, CONF_HOSTDEV_DRIVER_LAST,
              "default", "kvm", "vfio", "xen");

/**
 * confHostdevDefFree:
 * @def: a host device, or NULL
 *
 * Frees @def.
 */
void
confHostdevDefFree(confHostdevDef *def)
{
    if (!def)
        return;
    g_free(def->driverModel);
    confDeviceInfoClear(&def->info);
    g_free(def);
}

static int
confHostdevDriverParse(xmlNodePtr node, confHostdevDef *def, GError **error)
{
    static const char *const attrs[] = { "name", "model", "iommufd", NULL };
    int driver = CONF_HOSTDEV_DRIVER_DEFAULT;

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropEnum(node, "name", confHostdevDriverToString, 0, &driver,
                        error) < 0 ||
        confXMLPropString(node, "model", CONF_PROP_NONZERO,
                          &def->driverModel, error) < 0 ||
        confXMLPropTristateBool(node, "iommufd", 0, &def->iommufd,
                                error) < 0)
        return -1;
    def->driver = driver;
    return 0;
}

static int
confHostdevSourceParse(xmlNodePtr node, confHostdevDef *def, GError **error)
{
    static const char *const children[] = { "address", NULL };
    xmlNodePtr addr;

    if (confXMLCheckNode(node, NULL, children, error) < 0 ||
        confXMLChildUnique(node, "address", &addr, error) < 0)
        return -1;
    if (!addr) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing element 'address' in '%1$s'"), path);
        return -1;
    }
    return confPCIAddressParse(addr, false, &def->source, error);
}

static int
confHostdevAttrsParse(xmlNodePtr node, confHostdevDef *def, GError **error)
{
    static const char *const attrs[] = { "mode", "type", "managed", NULL };
    static const char *const children[] = {
        "driver", "source", CONF_DEVICE_INFO_CHILDREN, NULL
    };
    int mode = CONF_HOSTDEV_MODE_SUBSYSTEM;
    int type = CONF_HOSTDEV_TYPE_PCI;
    vgmTristateBool managed = VGM_TRISTATE_BOOL_ABSENT;

    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropEnum(node, "mode", confHostdevModeToString, 0, &mode,
                        error) < 0 ||
        confXMLPropEnum(node, "type", confHostdevTypeToString,
                        CONF_PROP_REQUIRED, &type, error) < 0 ||
        confXMLPropTristateBool(node, "managed", 0, &managed, error) < 0)
        return -1;
    def->mode = mode;
    def->type = type;
    def->managed = managed == VGM_TRISTATE_BOOL_YES;
    return 0;
}

/**
 * confHostdevDefParse:
 * @node: a <hostdev> element
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the host device, or NULL with @error set.
 */
confHostdevDef *
confHostdevDefParse(xmlNodePtr node, unsigned int flags, GError **error)
{
    g_autoptr(confHostdevDef) def = g_new0(confHostdevDef, 1);
    xmlNodePtr child;

    if (confHostdevAttrsParse(node, def, error) < 0)
        return NULL;
    if (confXMLChildUnique(node, "driver", &child, error) < 0 ||
        (child && confHostdevDriverParse(child, def, error) < 0))
        return NULL;
    if (confXMLChildUnique(node, "source", &child, error) < 0)
        return NULL;
    if (!child) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing element 'source' in '%1$s'"), path);
        return NULL;
    }
    if (confHostdevSourceParse(child, def, error) < 0 ||
        confDeviceInfoParse(node, CONF_DEVICE_INFO_BOOT |
                            CONF_DEVICE_INFO_ROM | CONF_DEVICE_INFO_ACPI,
                            flags, &def->info, error) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

/**
 * confHostdevDefValidate:
 *
 * Only VFIO assignment exists for QEMU; iommufd needs VFIO.  No
 * driver name (or 'default') stays as it is, like in libvirt's output:
 * the driver resolves it to VFIO when it starts the domain.
 *
 * Returns: 0, or -1 with @error set.
 */
int
confHostdevDefValidate(const confHostdevDef *def, size_t pos,
                       GError **error)
{
    if (def->iommufd == VGM_TRISTATE_BOOL_YES &&
        def->driver != CONF_HOSTDEV_DRIVER_VFIO &&
        def->driver != CONF_HOSTDEV_DRIVER_DEFAULT) {
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("iommufd='yes' at '/domain/devices/hostdev[%1$zu]/driver' requires driver name 'vfio', not '%2$s'"),
                    pos + 1, confHostdevDriverToString(def->driver));
        return -1;
    }
    if (def->driver != CONF_HOSTDEV_DRIVER_VFIO &&
        def->driver != CONF_HOSTDEV_DRIVER_DEFAULT) {
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("unsupported PCI host device driver '%1$s' at '/domain/devices/hostdev[%2$zu]/driver': accepted values are 'vfio'"),
                    confHostdevDriverToString(def->driver), pos + 1);
        return -1;
    }
    return 0;
}

/**
 * confHostdevDefFormat:
 * @buf: the <devices> child buffer
 * @def: a host device
 * @flags: virDomainXMLFlags
 *
 * managed= is always written, as libvirt does.
 */
void
confHostdevDefFormat(confBuf *buf, const confHostdevDef *def,
                     unsigned int flags)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };
    g_auto(confBuf) addr = { 0 };

    confBufInit(&attrs);
    confBufInit(&addr);
    confBufInitChild(&child, buf);
    confBufAdd(&attrs, " mode='%s' type='%s' managed='%s'",
               confHostdevModeToString(def->mode),
               confHostdevTypeToString(def->type),
               def->managed ? "yes" : "no");
    if (def->driver || def->driverModel || def->iommufd) {
        confBufAdd(&child, "<driver");
        if (def->driver)
            confBufAdd(&child, " name='%s'",
                       confHostdevDriverToString(def->driver));
        if (def->driverModel)
            confBufEscape(&child, " model='%s'", def->driverModel);
        if (def->iommufd)
            confBufAdd(&child, " iommufd='%s'",
                       vgmTristateBoolToString(def->iommufd));
        confBufAdd(&child, "/>\n");
    }
    confBufAdd(&child, "<source>\n");
    confPCIAddressFormatAttrs(&addr, &def->source);
    confBufAdd(&child, "  <address%s/>\n", addr.str->str);
    confBufAdd(&child, "</source>\n");
    confDeviceInfoFormat(&child, &def->info, flags);
    confXMLFormatElement(buf, "hostdev", &attrs, &child);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <errno.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "conf/schema.h"
#include "driver/capabilities.h"
#include "driver/command.h"
#include "driver/connect.h"
#include "driver/domcaps.h"
#include "driver/driverpriv.h"
#include "qapi/json.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Connection-wide calls of the driver (capabilities, domain
 * capabilities, native config, version) and the small domain queries
 * the lifecycle files do not have.
 */

/**
 * drvConnectGetHostUUID:
 * @drv: the driver
 * @error: return location for a GError
 *
 * The host UUID of this driver's root: made up once and kept in the
 * config directory, so two daemons with their own roots differ.
 *
 * Returns: (transfer full): the UUID as text, or NULL with @error set.
 */
char *
drvConnectGetHostUUID(drvDriver *drv, GError **error)
{
    g_autofree char *path = g_build_filename(drv->configDir, "host-uuid",
                                             NULL);
    g_autofree char *text = NULL;
    g_autofree char *fresh = NULL;

    if (g_file_get_contents(path, &text, NULL, NULL)) {
        g_strstrip(text);
        if (g_uuid_string_is_valid(text))
            return g_steal_pointer(&text);
    }
    fresh = g_uuid_string_random();
    if (drvPersistWriteAtomic(path, fresh, error) < 0)
        return NULL;
    return g_steal_pointer(&fresh);
}

static const drvQemuCaps *
drvConnectEmulatorCaps(drvDriver *drv, const char *emulator, GError **error)
{
    g_autofree char *fingerprint = NULL;

    return drvDriverGetCaps(drv, emulator ? emulator : DRV_DEFAULT_EMULATOR,
                            &fingerprint, error);
}

/**
 * drvConnectGetCapabilities:
 * @drv: the driver
 * @error: return location for a GError
 *
 * Returns: (transfer full): the <capabilities> document of the host and
 * the default emulator, or NULL with @error set.
 */
char *
drvConnectGetCapabilities(drvDriver *drv, GError **error)
{
    const drvHostCaps *host = drvDriverGetHostCaps(drv, error);
    const drvQemuCaps *qemu = NULL;
    g_autofree char *uuid = NULL;

    if (!host || !(qemu = drvConnectEmulatorCaps(drv, NULL, error)) ||
        !(uuid = drvConnectGetHostUUID(drv, error)))
        return NULL;
    return drvCapabilitiesFormat(uuid, host, qemu);
}

/**
 * drvConnectGetDomainCapabilities:
 * @drv: the driver
 * @emulator: (nullable): a QEMU binary; NULL for the default
 * @arch: (nullable): the guest architecture; NULL for the host's
 * @machine: (nullable): a machine type; NULL for the default
 * @virttype: (nullable): "kvm" or "qemu"; NULL for the best the host has
 * @error: return location for a GError
 *
 * Returns: (transfer full): the <domainCapabilities> document, or NULL
 * with @error set.
 */
char *
drvConnectGetDomainCapabilities(drvDriver *drv, const char *emulator,
                                const char *arch, const char *machine,
                                const char *virttype, GError **error)
{
    drvDomCapsRequest req = { .arch = arch, .machine = machine };
    int type = CONF_DOMAIN_VIRT_NONE;

    if (virttype && (type = confDomainVirtFromString(virttype)) <= 0) {
        g_set_error(error, DRV_ERROR, VIR_ERR_INVALID_ARG,
                    _("unknown virttype '%1$s': expected 'kvm' or 'qemu'"),
                    virttype);
        return NULL;
    }
    req.virttype = type;
    if (!(req.host = drvDriverGetHostCaps(drv, error)) ||
        !(req.qemu = drvConnectEmulatorCaps(drv, emulator, error)))
        return NULL;
    return drvDomCapsGetXML(&req, error);
}

/**
 * drvConnectDomainXMLToNative:
 * @drv: the driver
 * @format: "qemu-argv"
 * @xml: a domain definition
 * @error: return location for a GError
 *
 * The QEMU command line a start of @xml would run, with the
 * capabilities of its emulator from the driver's cache.
 *
 * Returns: (transfer full): the text, or NULL with @error set.
 */
char *
drvConnectDomainXMLToNative(drvDriver *drv, const char *format,
                            const char *xml, GError **error)
{
    g_autoptr(confDomainDef) def = NULL;
    const drvQemuCaps *caps;

    if (!(def = confDomainDefParseString(xml, NULL, 0, error)) ||
        !(caps = drvConnectEmulatorCaps(drv, def->devices.emulator, error)))
        return NULL;
    return drvDomainXMLToNativeCaps(xml, format, caps, drv->stateDir, error);
}

/**
 * drvConnectGetVersion:
 * @drv: the driver
 * @version: where major * 1000000 + minor * 1000 + micro of the default
 *           QEMU goes
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvConnectGetVersion(drvDriver *drv, guint64 *version, GError **error)
{
    const drvQemuCaps *caps = drvConnectEmulatorCaps(drv, NULL, error);

    if (!caps)
        return -1;
    *version = drvQemuCapsGetVersion(caps);
    return 0;
}

/**
 * drvConnectHasActiveDomains:
 * @drv: the driver
 *
 * Returns: whether a domain is running (or paused).
 */
bool
drvConnectHasActiveDomains(drvDriver *drv)
{
    g_autoptr(GPtrArray) all = drvDomainListSnapshot(drv->domains);
    size_t i;

    for (i = 0; i < all->len; i++) {
        drvDomainObj *obj = g_ptr_array_index(all, i);
        g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&obj->lock);

        if (!obj->removed && drvDomainObjIsActive(obj))
            return true;
    }
    return false;
}

/**
 * drvDomainDefineXMLFlags:
 * @drv: the driver
 * @xml: a domain definition
 * @flags: VIR_DOMAIN_DEFINE_VALIDATE, or what drvDomainDefineXML() takes
 * @error: return location for a GError
 *
 * Returns: (transfer full): the domain, or NULL with @error set.
 */
drvDomainRef *
drvDomainDefineXMLFlags(drvDriver *drv, const char *xml, unsigned int flags,
                        GError **error)
{
    if ((flags & VIR_DOMAIN_DEFINE_VALIDATE) &&
        confSchemaValidate(xml, "domain.rng", error) < 0)
        return NULL;
    return drvDomainDefineXML(drv, xml, flags & ~VIR_DOMAIN_DEFINE_VALIDATE,
                              error);
}

/**
 * drvDomainCreateXMLFlags:
 * @drv: the driver
 * @xml: a domain definition
 * @flags: VIR_DOMAIN_START_VALIDATE, or what drvDomainCreateXML() takes
 * @error: return location for a GError
 *
 * Returns: (transfer full): the running transient domain, or NULL with
 * @error set.
 */
drvDomainRef *
drvDomainCreateXMLFlags(drvDriver *drv, const char *xml, unsigned int flags,
                        GError **error)
{
    if ((flags & VIR_DOMAIN_START_VALIDATE) &&
        confSchemaValidate(xml, "domain.rng", error) < 0)
        return NULL;
    return drvDomainCreateXML(drv, xml, flags & ~VIR_DOMAIN_START_VALIDATE,
                              error);
}

static drvDomainObj *
drvConnectFind(drvDriver *drv, const unsigned char *uuid, GError **error)
{
    drvDomainObj *obj = drvDomainListFindByUUID(drv->domains, uuid);

    if (!obj)
        drvDomainNoSuchUUID(uuid, error);
    return obj;
}

/**
 * drvDomainGetOSType:
 * @drv: the driver
 * @uuid: the domain
 * @error: return location for a GError
 *
 * Returns: (transfer full): the <os><type> ("hvm"), or NULL with @error
 * set.
 */
char *
drvDomainGetOSType(drvDriver *drv, const unsigned char *uuid, GError **error)
{
    g_autoptr(drvDomainObj) obj = drvConnectFind(drv, uuid, error);
    g_autoptr(GMutexLocker) locker = NULL;

    if (!obj)
        return NULL;
    locker = g_mutex_locker_new(&obj->lock);
    return g_strdup(obj->def->os.type ? obj->def->os.type : "hvm");
}

/* The text of a human-monitor-command reply, or its error. */
static char *
drvConnectHMPReply(const char *reply, GError **error)
{
    g_autoptr(qapiJSON) json = qapiJSONParse(reply, error);
    const char *text;

    if (!json)
        return NULL;
    if ((text = qapiJSONObjectGetString(json, "return")))
        return g_strdup(text);
    text = qapiJSONPathGetString(json, "error/desc");
    g_set_error(error, DRV_ERROR, VIR_ERR_OPERATION_FAILED,
                _("human-monitor-command failed: %1$s"),
                text ? text : reply);
    return NULL;
}

/**
 * drvDomainMonitorCommand:
 * @drv: the driver
 * @uuid: a running domain
 * @cmd: a QMP command as JSON text, or an HMP command line with
 *       DRV_MONITOR_COMMAND_HMP
 * @flags: 0 or DRV_MONITOR_COMMAND_HMP
 * @error: return location for a GError
 *
 * Returns: (transfer full): QEMU's raw QMP reply, or with the HMP flag
 * the text HMP printed; NULL with @error set.
 */
char *
drvDomainMonitorCommand(drvDriver *drv, const unsigned char *uuid,
                        const char *cmd, unsigned int flags, GError **error)
{
    g_autoptr(qapiJSON) wrap = NULL;
    qapiJSON *args = NULL;
    g_autofree char *qmp = NULL;
    g_autofree char *reply = NULL;

    if (!(flags & DRV_MONITOR_COMMAND_HMP))
        return drvDomainQemuMonitorCommand(drv, uuid, cmd, flags, error);
    if (flags & ~DRV_MONITOR_COMMAND_HMP) {
        g_set_error(error, DRV_ERROR, VIR_ERR_ARGUMENT_UNSUPPORTED,
                    _("unsupported flags (0x%1$x) for qemu-monitor-command"),
                    flags);
        return NULL;
    }
    args = qapiJSONNewObject();
    qapiJSONObjectSet(args, "command-line", qapiJSONNewString(cmd));
    wrap = qapiJSONNewObject();
    qapiJSONObjectSet(wrap, "execute",
                      qapiJSONNewString("human-monitor-command"));
    qapiJSONObjectSet(wrap, "arguments", args);
    qmp = qapiJSONFormat(wrap, false);
    if (!(reply = drvDomainQemuMonitorCommand(drv, uuid, qmp, 0, error)))
        return NULL;
    return drvConnectHMPReply(reply, error);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include <string.h>

#define VGM_COMMANDPRIV_H_ALLOW
#include "conf/devices.h"
#include "driver/commandpriv.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * Network interfaces (-netdev + -device; a bridge or network gets a tap
 * device the daemon opens and hands over as a descriptor) and character
 * devices (-chardev + serial or virtio console device).
 */

static const char *
drvNetDriver(confNetModel model)
{
    switch (model) {
    case CONF_NET_MODEL_VIRTIO:
        return "virtio-net-pci";
    case CONF_NET_MODEL_E1000:
        return "e1000";
    case CONF_NET_MODEL_E1000E:
        return "e1000e";
    case CONF_NET_MODEL_RTL8139:
    case CONF_NET_MODEL_NONE:
    case CONF_NET_MODEL_LAST:
    default:
        return "rtl8139";
    }
}

/**
 * drvBuildNetdevProps:
 * @net: the interface (its alias names the netdev "host<alias>")
 * @tapfd: the tap device's descriptor, -1 for user networking
 * @error: return location for a GError
 *
 * Returns: (transfer full): the -netdev/netdev_add props, or NULL with
 * @error set.
 */
qapiJSON *
drvBuildNetdevProps(const confNetDef *net, int tapfd, GError **error)
{
    g_autofree char *hostId = g_strdup_printf("host%s", net->info.alias);
    g_autofree char *fdstr = NULL;
    g_autoptr(qapiJSON) props = NULL;

    if (tapfd >= 0)
        fdstr = g_strdup_printf("%d", tapfd);
    if (qapiJSONObjectAdd(&props, error,
                          "s:type", fdstr ? "tap" : "user",
                          "S:fd", fdstr, "s:id", hostId, NULL) < 0)
        return NULL;
    return g_steal_pointer(&props);
}

/**
 * drvBuildNetDeviceProps:
 * @ctx: the build context
 * @net: the interface
 * @error: return location for a GError
 *
 * Returns: (transfer full): the NIC's device props, or NULL with @error
 * set.
 */
qapiJSON *
drvBuildNetDeviceProps(const drvCommandCtx *ctx, const confNetDef *net,
                       GError **error)
{
    g_autofree char *hostId = g_strdup_printf("host%s", net->info.alias);
    g_autofree char *mac = confMacFormat(net->mac);
    g_autoptr(qapiJSON) extra = NULL;

    if (qapiJSONObjectAdd(&extra, error, "s:netdev", hostId,
                          "s:mac", mac, NULL) < 0)
        return NULL;
    return drvBuildDeviceProps(ctx, drvNetDriver(net->model), &net->info,
                               &extra, error);
}

static int
drvBuildNet(drvCommand *cmd, const drvCommandCtx *ctx, const confNetDef *net,
            GError **error)
{
    g_autoptr(qapiJSON) netdev = NULL;
    g_autoptr(qapiJSON) device = NULL;
    int fd = -1;

    if (net->type != CONF_NET_TYPE_USER &&
        (fd = drvCommandOpenFD(cmd, ctx, DRV_COMMAND_FD_TAP, net->source,
                               error)) < 0)
        return -1;
    if (!(netdev = drvBuildNetdevProps(net, fd, error)) ||
        !(device = drvBuildNetDeviceProps(ctx, net, error)))
        return -1;
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_NETDEV, &netdev);
    drvCommandAddProps(cmd, DRV_COMMAND_PROPS_DEVICE, &device);
    return 0;
}

/**
 * drvBuildNetsCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildNetsCommandLine(drvCommand *cmd, drvCommandCtx *ctx, GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    size_t i;

    for (i = 0; i < devs->nnets; i++) {
        if (drvBuildNet(cmd, ctx, devs->nets[i], error) < 0)
            return -1;
    }
    return 0;
}

static void
drvChrAddPath(GString *buf, const char *path)
{
    g_string_append(buf, ",path=");
    drvCommandBufEscapeComma(buf, path);
}

/* The -chardev value of @src with id char<alias>. */
static char *
drvBuildChrSource(const confChrSource *src, const char *alias)
{
    GString *buf = g_string_new(NULL);

    switch (src->type) {
    case CONF_CHR_TYPE_FILE:
        g_string_append_printf(buf, "file,id=char%s", alias);
        drvChrAddPath(buf, src->path);
        if (src->append != VGM_TRISTATE_SWITCH_ABSENT)
            g_string_append_printf(buf, ",append=%s",
                                   vgmTristateSwitchToString(src->append));
        break;
    case CONF_CHR_TYPE_UNIX:
        g_string_append_printf(buf, "socket,id=char%s", alias);
        drvChrAddPath(buf, src->path);
        if (src->mode == CONF_CHR_UNIX_BIND)
            g_string_append(buf, ",server=on,wait=off");
        break;
    case CONF_CHR_TYPE_PTY:
    case CONF_CHR_TYPE_NULL:
    case CONF_CHR_TYPE_STDIO:
    case CONF_CHR_TYPE_LAST:
    default:
        g_string_append_printf(buf, "%s,id=char%s",
                               confChrTypeToString(src->type), alias);
        break;
    }
    return g_string_free(buf, FALSE);
}

static int
drvBuildChrDevice(drvCommand *cmd, const drvCommandCtx *ctx,
                  const confChrDef *chr, const char *driver, GError **error)
{
    g_autofree char *source = drvBuildChrSource(&chr->source,
                                                chr->info.alias);
    g_autofree char *chardev = g_strdup_printf("char%s", chr->info.alias);
    g_autoptr(qapiJSON) extra = NULL;

    drvCommandAddArgPair(cmd, "-chardev", source);
    if (qapiJSONObjectAdd(&extra, error, "s:chardev", chardev, NULL) < 0)
        return -1;
    if (strcmp(driver, "isa-serial") == 0 &&
        qapiJSONObjectAdd(&extra, error, "i:index", MAX(chr->port, 0),
                          NULL) < 0)
        return -1;
    return drvCommandAddDevice(cmd, ctx, driver, &chr->info, &extra, error);
}

static const char *
drvSerialDriver(const confChrDef *chr)
{
    int model = chr->targetModel ? chr->targetModel : chr->targetType;

    switch (model) {
    case CONF_SERIAL_TARGET_USB:
        return "usb-serial";
    case CONF_SERIAL_TARGET_PCI:
        return "pci-serial";
    case CONF_SERIAL_TARGET_ISA:
    case CONF_SERIAL_TARGET_NONE:
    default:
        return "isa-serial";
    }
}

/**
 * drvBuildSerialsCommandLine:
 * @cmd: the command
 * @ctx: the build context
 * @error: return location for a GError
 *
 * Serial ports, then virtio consoles; a console of target type 'serial'
 * is the serial port itself.
 *
 * Returns: 0, or -1 with @error set.
 */
int
drvBuildSerialsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                           GError **error)
{
    const confDevices *devs = &ctx->def->devices;
    size_t i;

    for (i = 0; i < devs->nserials; i++) {
        if (drvBuildChrDevice(cmd, ctx, devs->serials[i],
                              drvSerialDriver(devs->serials[i]), error) < 0)
            return -1;
    }
    for (i = 0; i < devs->nconsoles; i++) {
        const confChrDef *con = devs->consoles[i];

        if (con->targetType != CONF_CONSOLE_TARGET_VIRTIO)
            continue;
        if (drvBuildChrDevice(cmd, ctx, con, "virtconsole", error) < 0)
            return -1;
    }
    return 0;
}

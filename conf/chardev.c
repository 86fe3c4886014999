/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "conf/chardev.h"
#include "conf/domain.h"
#include "util/error.h"
#include "util/i18n.h"

/* <serial> and <console>. */

VGM_ENUM_IMPL(confChrType, CONF_CHR_TYPE_LAST,
              "pty", "file", "unix", "null", "stdio");
VGM_ENUM_IMPL(confChrUnixMode, CONF_CHR_UNIX_LAST, "connect", "bind");
VGM_ENUM_IMPL(confSerialTarget, CONF_SERIAL_TARGET_LAST,
              "none", "isa-serial", "usb-serial", "pci-serial");
VGM_ENUM_IMPL(confConsoleTarget, CONF_CONSOLE_TARGET_LAST,
              "none", "serial", "virtio");

/**
 * confChrDefFree:
 * @def: a character device, or NULL
 *
 * Frees @def.
 */
void
confChrDefFree(confChrDef *def)
{
    if (!def)
        return;
    g_free(def->source.path);
    confDeviceInfoClear(&def->info);
    g_free(def);
}

/**
 * confChrSourceCopy:
 * @dst: the source to replace
 * @src: the source to copy
 *
 * Deep copy of a character device source.
 */
void
confChrSourceCopy(confChrSource *dst, const confChrSource *src)
{
    g_free(dst->path);
    *dst = *src;
    dst->path = g_strdup(src->path);
}

static int
confChrSourceParse(xmlNodePtr node, confChrSource *src, unsigned int flags,
                   GError **error)
{
    static const char *const attrs[] = { "path", "mode", "append", NULL };
    int mode = CONF_CHR_UNIX_CONNECT;
    g_autofree char *path = confXMLNodePath(node);

    if (confXMLCheckNode(node, attrs, NULL, error) < 0 ||
        confXMLPropString(node, "path", CONF_PROP_NONZERO, &src->path,
                          error) < 0 ||
        confXMLPropEnum(node, "mode", confChrUnixModeToString, 0, &mode,
                        error) < 0 ||
        confXMLPropTristateSwitch(node, "append", 0, &src->append,
                                  error) < 0)
        return -1;
    src->mode = mode;
    if (src->type == CONF_CHR_TYPE_NULL || src->type == CONF_CHR_TYPE_STDIO) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("element '%1$s' is not supported for character device type '%2$s'"),
                    path, confChrTypeToString(src->type));
        return -1;
    }
    if ((src->mode != CONF_CHR_UNIX_CONNECT &&
         src->type != CONF_CHR_TYPE_UNIX) ||
        (src->append && src->type != CONF_CHR_TYPE_FILE)) {
        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("attribute '%1$s' at '%2$s' is not supported for character device type '%3$s'"),
                    src->append ? "append" : "mode", path,
                    confChrTypeToString(src->type));
        return -1;
    }
    /* A pty's path is the driver's business: only status XML has it. */
    if (src->type == CONF_CHR_TYPE_PTY && !(flags & CONF_DOMAIN_PARSE_STATUS))
        g_clear_pointer(&src->path, g_free);
    return 0;
}

static int
confChrTargetParse(xmlNodePtr node, confChrDef *def, GError **error)
{
    static const char *const attrs[] = { "type", "port", NULL };
    static const char *const serialChildren[] = { "model", NULL };
    vgmEnumToStringFunc toString = def->console ?
        confConsoleTargetToString : confSerialTargetToString;
    xmlNodePtr model;
    unsigned int port;
    int rc;

    if (confXMLCheckNode(node, attrs, def->console ? NULL : serialChildren,
                         error) < 0 ||
        confXMLPropEnum(node, "type", toString, CONF_PROP_NONZERO,
                        &def->targetType, error) < 0 ||
        (rc = confXMLPropUInt(node, "port", 10, 0, &port, error)) < 0)
        return -1;
    if (rc > 0)
        def->port = (int)MIN(port, (unsigned int)G_MAXINT);
    if (def->console)
        return 0;
    if (confXMLChildUnique(node, "model", &model, error) < 0)
        return -1;
    if (!model)
        return 0;
    if (confXMLCheckNode(model, (const char *const[]){ "name", NULL }, NULL,
                         error) < 0)
        return -1;
    return confXMLPropEnum(model, "name", confSerialTargetToString,
                           CONF_PROP_REQUIRED | CONF_PROP_NONZERO,
                           &def->targetModel, error) < 0 ? -1 : 0;
}

/**
 * confChrDefParse:
 * @node: a <serial> or <console> element
 * @console: whether @node is a <console>
 * @flags: confDomainParseFlags
 * @error: return location for a GError
 *
 * Returns: the character device, or NULL with @error set.
 */
confChrDef *
confChrDefParse(xmlNodePtr node, bool console, unsigned int flags,
                GError **error)
{
    static const char *const attrs[] = { "type", "tty", NULL };
    static const char *const children[] = {
        "source", "target", CONF_DEVICE_INFO_CHILDREN, NULL
    };
    g_autoptr(confChrDef) def = g_new0(confChrDef, 1);
    int type = CONF_CHR_TYPE_PTY;
    xmlNodePtr child;

    def->console = console;
    def->port = -1;
    if (confXMLCheckNode(node, attrs, children, error) < 0 ||
        confXMLPropEnum(node, "type", confChrTypeToString, CONF_PROP_REQUIRED,
                        &type, error) < 0)
        return NULL;
    def->source.type = type;
    if (confXMLChildUnique(node, "source", &child, error) < 0 ||
        (child && confChrSourceParse(child, &def->source, flags, error) < 0))
        return NULL;
    if ((type == CONF_CHR_TYPE_FILE || type == CONF_CHR_TYPE_UNIX) &&
        !def->source.path) {
        g_autofree char *path = confXMLNodePath(node);

        g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                    _("missing source path in '%1$s' for character device type '%2$s'"),
                    path, confChrTypeToString(type));
        return NULL;
    }
    if (confXMLChildUnique(node, "target", &child, error) < 0 ||
        (child && confChrTargetParse(child, def, error) < 0))
        return NULL;
    if (confDeviceInfoParse(node, 0, flags, &def->info, error) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

static int
confChrNextPort(confChrDef *const *defs, size_t ndefs)
{
    int port = -1;
    size_t i;

    for (i = 0; i < ndefs; i++)
        port = MAX(port, defs[i]->port);
    return port + 1;
}

static void
confChrSerialDefaults(confChrDef **serials, size_t nserials)
{
    size_t i;

    for (i = 0; i < nserials; i++) {
        confChrDef *chr = serials[i];

        if (chr->targetType == CONF_SERIAL_TARGET_NONE)
            chr->targetType = chr->targetModel ? chr->targetModel :
                              CONF_SERIAL_TARGET_ISA;
        if (chr->targetModel == CONF_SERIAL_TARGET_NONE)
            chr->targetModel = chr->targetType;
        /* Like libvirt: one more than the ports of the earlier ones. */
        if (chr->port < 0)
            chr->port = confChrNextPort(serials, i);
    }
}

/**
 * confChrDefsPostParse:
 *
 * The first console with target type 'serial' (the default) stands for
 * the first serial port: without serial ports one is added from the
 * console; with one the console takes the serial port's source and port.
 */
void
confChrDefsPostParse(confChrDef ***serials, size_t *nserials,
                     confChrDef **consoles, size_t nconsoles)
{
    size_t i;

    confChrSerialDefaults(*serials, *nserials);
    for (i = 0; i < nconsoles; i++) {
        if (consoles[i]->targetType == CONF_CONSOLE_TARGET_NONE)
            consoles[i]->targetType = i == 0 ? CONF_CONSOLE_TARGET_SERIAL :
                                      CONF_CONSOLE_TARGET_VIRTIO;
        if (consoles[i]->port < 0 &&
            consoles[i]->targetType == CONF_CONSOLE_TARGET_VIRTIO)
            consoles[i]->port = (int)i;
    }
    if (nconsoles == 0 ||
        consoles[0]->targetType != CONF_CONSOLE_TARGET_SERIAL)
        return;
    if (*nserials == 0) {
        confChrDef *serial = g_new0(confChrDef, 1);

        confChrSourceCopy(&serial->source, &consoles[0]->source);
        serial->targetType = CONF_SERIAL_TARGET_ISA;
        serial->targetModel = CONF_SERIAL_TARGET_ISA;
        serial->port = 0;     /* as libvirt, whatever the console said */
        *serials = g_renew(confChrDef *, *serials, 1);
        (*serials)[0] = serial;
        *nserials = 1;
    }
    confChrSourceCopy(&consoles[0]->source, &(*serials)[0]->source);
    consoles[0]->port = (*serials)[0]->port;
}

static int
confChrPortsUnique(confChrDef *const *defs, size_t ndefs, const char *elem,
                   GError **error)
{
    size_t i;
    size_t j;

    for (i = 0; i < ndefs; i++) {
        for (j = 0; j < i; j++) {
            if (defs[i]->port < 0 || defs[i]->port != defs[j]->port ||
                defs[i]->targetType != defs[j]->targetType)
                continue;
            g_set_error(error, CONF_ERROR, VIR_ERR_XML_ERROR,
                        _("target port %1$d of '/domain/devices/%2$s[%3$zu]' is already used by '/domain/devices/%4$s[%5$zu]'"),
                        defs[i]->port, elem, i + 1, elem, j + 1);
            return -1;
        }
    }
    return 0;
}

/**
 * confChrDefsValidate:
 * @serials: the serial ports
 * @nserials: their number
 * @consoles: the consoles
 * @nconsoles: their number
 * @error: return location for a GError
 *
 * Only the first console may be of target type serial; target ports
 * are unique.
 *
 * Returns: 0, or -1 with @error set.
 */
int
confChrDefsValidate(confChrDef *const *serials, size_t nserials,
                    confChrDef *const *consoles, size_t nconsoles,
                    GError **error)
{
    size_t i;

    for (i = 1; i < nconsoles; i++) {
        if (consoles[i]->targetType != CONF_CONSOLE_TARGET_SERIAL)
            continue;
        g_set_error(error, CONF_ERROR, VIR_ERR_CONFIG_UNSUPPORTED,
                    _("only the first console can be a serial port, not '/domain/devices/console[%1$zu]'"),
                    i + 1);
        return -1;
    }
    if (confChrPortsUnique(serials, nserials, "serial", error) < 0)
        return -1;
    return confChrPortsUnique(consoles + (nconsoles ? 1 : 0),
                              nconsoles ? nconsoles - 1 : 0, "console",
                              error);
}

static void
confChrSourceFormat(confBuf *buf, const confChrSource *src,
                    unsigned int flags)
{
    bool live = !(flags & VIR_DOMAIN_XML_INACTIVE);

    switch (src->type) {
    case CONF_CHR_TYPE_PTY:
        if (src->path && live)
            confBufEscape(buf, "<source path='%s'/>\n", src->path);
        break;
    case CONF_CHR_TYPE_FILE:
        confBufEscape(buf, "<source path='%s'", src->path);
        if (src->append)
            confBufAdd(buf, " append='%s'",
                       vgmTristateSwitchToString(src->append));
        confBufAdd(buf, "/>\n");
        break;
    case CONF_CHR_TYPE_UNIX:
        confBufAdd(buf, "<source mode='%s'",
                   confChrUnixModeToString(src->mode));
        confBufEscape(buf, " path='%s'/>\n", src->path);
        break;
    case CONF_CHR_TYPE_NULL:
    case CONF_CHR_TYPE_STDIO:
    case CONF_CHR_TYPE_LAST:
        break;
    }
}

static void
confChrTargetFormat(confBuf *buf, const confChrDef *def)
{
    const char *type = def->console ?
        confConsoleTargetToString(def->targetType) :
        confSerialTargetToString(def->targetType);

    confBufAdd(buf, "<target");
    if (def->targetType)
        confBufAdd(buf, " type='%s'", type);
    if (def->port >= 0)
        confBufAdd(buf, " port='%d'", def->port);
    if (def->console || !def->targetModel) {
        confBufAdd(buf, "/>\n");
        return;
    }
    confBufAdd(buf, ">\n");
    confBufAdd(buf, "  <model name='%s'/>\n",
               confSerialTargetToString(def->targetModel));
    confBufAdd(buf, "</target>\n");
}

/**
 * confChrDefFormat:
 * @buf: the <devices> child buffer
 * @def: a serial port or console
 * @flags: virDomainXMLFlags
 *
 * pty paths (and a console's tty=) only in live XML.
 */
void
confChrDefFormat(confBuf *buf, const confChrDef *def, unsigned int flags)
{
    g_auto(confBuf) attrs = { 0 };
    g_auto(confBuf) child = { 0 };

    confBufInit(&attrs);
    confBufInitChild(&child, buf);
    confBufAdd(&attrs, " type='%s'", confChrTypeToString(def->source.type));
    if (def->console && def->source.type == CONF_CHR_TYPE_PTY &&
        def->source.path && !(flags & VIR_DOMAIN_XML_INACTIVE))
        confBufEscape(&attrs, " tty='%s'", def->source.path);
    confChrSourceFormat(&child, &def->source, flags);
    confChrTargetFormat(&child, def);
    confDeviceInfoFormat(&child, &def->info, flags);
    confXMLFormatElement(buf, def->console ? "console" : "serial", &attrs,
                         &child);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "conf/devices.h"
#include "conf/domain.h"
#include "util/error.h"
#include "util/i18n.h"

/*
 * First cut: only <emulator>.  The device families (disk, interface,
 * serial/console, controller, hostdev, ...) replace this.
 */

void
confDevicesClear(confDevices *devs)
{
    g_clear_pointer(&devs->emulator, g_free);
}

int
confDevicesParse(xmlNodePtr node, confDomainDef *def, unsigned int flags,
                 GError **error)
{
    static const char *const children[] = { "emulator", NULL };

    if (confXMLCheckNode(node, NULL, children, error) < 0)
        return -1;
    return confXMLChildContent(node, "emulator", &def->devices.emulator,
                               error) < 0 ? -1 : 0;
}

int
confDevicesPostParse(confDomainDef *def, const char *defaultEmulator,
                     GError **error)
{
    if (!def->devices.emulator)
        def->devices.emulator = g_strdup(defaultEmulator);
    return 0;
}

int
confDevicesValidate(const confDomainDef *def, GError **error)
{
    return 0;
}

void
confDevicesFormat(confBuf *buf, const confDomainDef *def, unsigned int flags)
{
    confBuf child;

    confBufInitChild(&child, buf);
    if (def->devices.emulator)
        confBufEscape(&child, "<emulator>%s</emulator>\n",
                      def->devices.emulator);
    confXMLFormatElement(buf, "devices", NULL, &child);
    confBufClear(&child);
}

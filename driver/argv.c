/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#define VGM_DRIVERPRIV_H_ALLOW
#include "driver/driverpriv.h"

/*
 * TEMPORARY: a private command line for a diskless guest, used by
 * driver/process.c until the command-line builder (driver/command.c,
 * branch 'cmdline') is merged.  Replace drvBuildArgvDiskless() by the
 * builder then and delete this file.
 */

static char *
drvArgvUUID(const confDomainDef *def)
{
    return drvUUIDFormat(def->uuid);
}

/**
 * drvBuildArgvDiskless:
 * @def: the domain
 * @monitorPath: where QEMU listens for QMP
 * @kvm: -accel kvm, else tcg
 *
 * Returns: (transfer full): a NULL-terminated argv.
 */
GStrv
drvBuildArgvDiskless(const confDomainDef *def, const char *monitorPath,
                     bool kvm)
{
    g_autoptr(GStrvBuilder) b = g_strv_builder_new();
    g_autofree char *uuid = drvArgvUUID(def);

    g_strv_builder_add(b, def->devices.emulator);
    g_strv_builder_add(b, "-name");
    drvStrvTake(b, g_strdup_printf("guest=%s,debug-threads=on",
                                           def->name));
    g_strv_builder_add(b, "-S");
    g_strv_builder_add_many(b, "-machine", def->os.machine, NULL);
    g_strv_builder_add_many(b, "-accel", kvm ? "kvm" : "tcg", NULL);
    g_strv_builder_add(b, "-m");
    drvStrvTake(b, g_strdup_printf("size=%lluk", def->memory));
    g_strv_builder_add(b, "-smp");
    drvStrvTake(b, g_strdup_printf("%u", def->vcpus));
    g_strv_builder_add_many(b, "-uuid", uuid, "-display", "none",
                            "-no-user-config", "-nodefaults", NULL);
    g_strv_builder_add(b, "-chardev");
    drvStrvTake(b, g_strdup_printf(
        "socket,id=charmonitor,path=%s,server=on,wait=off", monitorPath));
    g_strv_builder_add_many(b, "-mon",
                            "chardev=charmonitor,id=monitor,mode=control",
                            "-no-shutdown", NULL);
    if (def->onReboot == CONF_DOMAIN_LIFECYCLE_DESTROY)
        g_strv_builder_add(b, "-no-reboot");
    g_strv_builder_add_many(b, "-sandbox",
                            "on,obsolete=deny,elevateprivileges=deny,"
                            "spawn=deny,resourcecontrol=deny",
                            "-msg", "timestamp=on", NULL);
    return g_strv_builder_end(b);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <stdbool.h>

#include "driver/driver.h"

/* libvirt-qemu.h's VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP. */
#define DRV_MONITOR_COMMAND_HMP (1U << 0)

/*
 * The rest of the driver API the RPC daemon exposes: connection-wide
 * documents (capabilities, domain capabilities, native config), a few
 * domain queries and the all-domain statistics.  Built on the public
 * driver API and the driver's private state (driver/connect.c,
 * driver/domainstats.c).
 */

/* The emulator used when a request names none. */
#define DRV_DEFAULT_EMULATOR "/usr/bin/qemu-system-x86_64"

char *drvConnectGetCapabilities(drvDriver *drv, GError **error);
char *drvConnectGetDomainCapabilities(drvDriver *drv, const char *emulator,
                                      const char *arch, const char *machine,
                                      const char *virttype, GError **error);
char *drvConnectDomainXMLToNative(drvDriver *drv, const char *format,
                                  const char *xml, GError **error);
int drvConnectGetVersion(drvDriver *drv, guint64 *version, GError **error);
char *drvConnectGetHostUUID(drvDriver *drv, GError **error);
bool drvConnectHasActiveDomains(drvDriver *drv);

/* VIR_DOMAIN_DEFINE_VALIDATE / VIR_DOMAIN_START_VALIDATE check @xml
 * against the RNG schema first; the rest of @flags goes to the driver. */
drvDomainRef *drvDomainDefineXMLFlags(drvDriver *drv, const char *xml,
                                      unsigned int flags, GError **error);
drvDomainRef *drvDomainCreateXMLFlags(drvDriver *drv, const char *xml,
                                      unsigned int flags, GError **error);
char *drvDomainGetOSType(drvDriver *drv, const unsigned char *uuid,
                         GError **error);
/* @flags: DRV_MONITOR_COMMAND_HMP sends @cmd through QMP's
 * human-monitor-command and returns QEMU's text. */
char *drvDomainMonitorCommand(drvDriver *drv, const unsigned char *uuid,
                              const char *cmd, unsigned int flags,
                              GError **error);

/* One domain's statistics: numeric typed parameters named as libvirt
 * names them (state.state, cpu.time, balloon.current, vcpu.current...). */
typedef struct {
    drvDomainRef *dom;
    GArray *params;              /* of virTypedParameter, no strings */
} drvDomainStatsRecord;

void drvDomainStatsRecordFree(drvDomainStatsRecord *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvDomainStatsRecord, drvDomainStatsRecordFree);

/* @uuids: NULL for every domain that passes the list filter of @flags. */
GPtrArray *drvConnectGetAllDomainStats(drvDriver *drv,
                                       const unsigned char (*uuids)[VIR_UUID_BUFLEN],
                                       size_t nuuids, unsigned int stats,
                                       unsigned int flags, GError **error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#ifndef VGM_COMMANDPRIV_H_ALLOW
# error "driver/commandpriv.h is only for driver/command*.c, driver/cmd*.c and tests"
#endif

#include <glib.h>
#include <stdbool.h>

#include "conf/devices.h"
#include "conf/domain.h"
#include "driver/command.h"
#include "driver/host.h"
#include "driver/qemucaps.h"
#include "qapi/json.h"

/* The insides of drvCommand, shared by the builders. */
struct drvCommand {
    char *binary;
    GPtrArray *env;            /* char *, NULL-terminated */
    GPtrArray *args;           /* char *, NULL-terminated */
    GArray *passFDs;           /* int */
    GPtrArray *props;          /* qapiJSON * */
    GArray *propsKinds;        /* drvCommandPropsKind */
    GPtrArray *files;          /* char *: path, content, ..., NULL */
    GPtrArray *warnings;       /* char *, NULL-terminated */
};

/* What every builder gets. */
typedef struct {
    confDomainDef *def;
    const drvQemuCaps *caps;
    const drvHostCaps *host;   /* NULL: no host checks */
    const drvCommandConfig *config;
    char *shortName;           /* "-1-guest" */
    bool q35;
    bool hasIommufd;           /* iommufd0 emitted */
    /* <os><boot dev=> turned into bootindex (no per-device <boot>) */
    const confDeviceInfo *osBoot[CONF_DOMAIN_BOOT_LAST];
} drvCommandCtx;

/* The bootindex of the device @info, 0: none. */
unsigned int drvCommandBootIndex(const drvCommandCtx *ctx,
                                 const confDeviceInfo *info);
void drvCommandAssignBootOrder(drvCommandCtx *ctx);

/* Internal: building argv. */
void drvCommandAddArg(drvCommand *cmd, const char *arg);
void drvCommandAddArgFormat(drvCommand *cmd, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
void drvCommandAddArgPair(drvCommand *cmd, const char *opt, const char *val);
/* -object/-device/-blockdev/-netdev @props (taken) as compact JSON. */
void drvCommandAddProps(drvCommand *cmd, drvCommandPropsKind kind,
                        qapiJSON **props);
void drvCommandAddWarning(drvCommand *cmd, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
void drvCommandAddFile(drvCommand *cmd, const char *path, const char *data);
int drvCommandOpenFD(drvCommand *cmd, const drvCommandCtx *ctx,
                     drvCommandFDKind kind, const char *what,
                     GError **error);

/* Appends @str to @buf with every ',' doubled (QemuOpts values). */
void drvCommandBufEscapeComma(GString *buf, const char *str);

/* "11.1.3": the version for messages. */
char *drvCommandQemuVersion(const drvQemuCaps *caps);
/*
 * Sets VIR_ERR_CONFIG_UNSUPPORTED naming @what, the missing @flag and the
 * QEMU version, and returns -1; 0 when @caps has @flag.
 */
int drvCommandRequireCap(const drvCommandCtx *ctx, drvQemuCapsFlag flag,
                         const char *what, GError **error);
int drvCommandRequireSchema(const drvCommandCtx *ctx, const char *path,
                            const char *what, GError **error);

/* Device ids and addresses (driver/cmddevices.c). */
void drvCommandAssignAliases(confDomainDef *def);
int drvBuildDeviceAddress(qapiJSON **props, const drvCommandCtx *ctx,
                          const confDeviceInfo *info, GError **error);
/* {driver, @extra (taken), id, address, bootindex, rom} */
qapiJSON *drvBuildDeviceProps(const drvCommandCtx *ctx, const char *driver,
                              const confDeviceInfo *info, qapiJSON **extra,
                              GError **error);
/* -device with drvBuildDeviceProps() */
int drvCommandAddDevice(drvCommand *cmd, const drvCommandCtx *ctx,
                        const char *driver, const confDeviceInfo *info,
                        qapiJSON **extra, GError **error);
int drvBuildDeviceCommon(qapiJSON **props, const drvCommandCtx *ctx,
                         const confDeviceInfo *info, GError **error);

/* The builders, in argv order. */
int drvBuildMachineCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                               GError **error);
int drvBuildAccelCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                             GError **error);
int drvBuildCPUCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                           GError **error);
int drvBuildFirmwareCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                                GError **error);
int drvBuildMemoryCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                              GError **error);
int drvBuildSMPCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                           GError **error);
int drvBuildClockCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                             GError **error);
int drvBuildBootCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                            GError **error);
int drvBuildControllersCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                                   GError **error);
int drvBuildDisksCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                             GError **error);
int drvBuildNetsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                            GError **error);
int drvBuildSerialsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                               GError **error);
int drvBuildInputsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                              GError **error);
int drvBuildVideosCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                              GError **error);
int drvBuildWatchdogsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                                 GError **error);
int drvBuildHostdevsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                                GError **error);
int drvBuildBalloonCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                               GError **error);
int drvBuildRNGsCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                            GError **error);
int drvBuildLaunchSecurityCommandLine(drvCommand *cmd, drvCommandCtx *ctx,
                                      GError **error);

/* Checks before anything is built; each sets one error. */
int drvValidateMachine(const drvCommandCtx *ctx, GError **error);
int drvValidateMemory(const drvCommandCtx *ctx, GError **error);
int drvValidateLaunchSecurity(const drvCommandCtx *ctx, GError **error);
int drvValidateHostdevs(drvCommand *cmd, const drvCommandCtx *ctx,
                        GError **error);

/* Props, one per object or device (rule 30). */
qapiJSON *drvBuildMemoryBackendProps(const drvCommandCtx *ctx,
                                     const char *id, GError **error);
qapiJSON *drvBuildLaunchSecurityProps(const drvCommandCtx *ctx,
                                      GError **error);
qapiJSON *drvBuildIommufdProps(drvCommand *cmd, const drvCommandCtx *ctx,
                               GError **error);
qapiJSON *drvBuildDiskDeviceProps(const drvCommandCtx *ctx,
                                  const confDiskDef *disk, size_t nodeIndex,
                                  GError **error);
qapiJSON *drvBuildNetdevProps(const confNetDef *net, int tapfd,
                              GError **error);
qapiJSON *drvBuildNetDeviceProps(const drvCommandCtx *ctx,
                                 const confNetDef *net, GError **error);
qapiJSON *drvBuildHostdevProps(drvCommand *cmd, const drvCommandCtx *ctx,
                               const confHostdevDef *hostdev,
                               GError **error);

/* The machine's RAM backend id and the launch-security object id. */
#define DRV_COMMAND_RAM_ID "pc.ram"
#define DRV_COMMAND_LSEC_ID "lsec0"
#define DRV_COMMAND_IOMMUFD_ID "iommufd0"

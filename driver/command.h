/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/domain.h"
#include "driver/host.h"
#include "driver/qemucaps.h"
#include "qapi/json.h"

/*
 * The QEMU command line of a domain: argv, the environment QEMU gets,
 * the file descriptors it inherits and the files to write before it
 * starts.  driver/command.c owns the order (libvirt's) and the simple
 * options; one file per concern builds the rest:
 *   driver/cmdmachine.c   -machine, -accel, -cpu, -smp, clock, boot, firmware
 *   driver/cmdmemory.c    -m, the RAM backend object, -overcommit
 *   driver/cmdlaunchsec.c sev-guest, sev-snp-guest, tdx-guest (lsec0)
 *   driver/cmddevices.c   controllers, disks, network, serial, input,
 *                         video, watchdog, balloon, rng
 *   driver/cmdhostdev.c   VFIO (legacy container or iommufd)
 * Every -object, -device, -blockdev and -netdev is built once as JSON by a
 * drvBuild...Props() function; the same props serve object-add and
 * device_add.
 */

/* What a file descriptor handed to QEMU stands for. */
typedef enum {
    DRV_COMMAND_FD_MONITOR,   /* the listening QMP socket */
    DRV_COMMAND_FD_TAP,       /* a tap device; @what: bridge or network */
    DRV_COMMAND_FD_IOMMU,     /* /dev/iommu */
    DRV_COMMAND_FD_VFIO,      /* /dev/vfio/devices/vfioN; @what: host BDF */

    DRV_COMMAND_FD_LAST
} drvCommandFDKind;

/*
 * Opens (or fakes) a descriptor QEMU inherits.  Returns the descriptor
 * number QEMU will see, or -1 with @error set.
 */
typedef int (*drvCommandOpenFDFunc)(drvCommandFDKind kind, const char *what,
                                    void *opaque, GError **error);

typedef enum {
    /* hand QEMU /dev/iommu and VFIO cdev descriptors (libvirt's way) */
    DRV_COMMAND_IOMMUFD_PASS_FDS = 1 << 0,
    /* leave out -sandbox (qemu.conf seccomp_sandbox=0) */
    DRV_COMMAND_NO_SANDBOX = 1 << 1,
} drvCommandFlags;

/* Where the domain's files live; all paths absolute. */
typedef struct {
    const char *libDir;        /* private dir: HOME, XDG_*, SEV blobs */
    const char *logFile;       /* -D: QEMU's log, read by conversion tracking */
    const char *memoryBackingDir;  /* <source type='file'>: DIR/pc.ram */
    const char *hugetlbfsDir;  /* hugetlbfs mount for file-backed hugepages */
    const char *path;          /* PATH QEMU gets; NULL: a fixed default */
    drvCommandOpenFDFunc openFD;
    void *opaque;
    unsigned int flags;        /* drvCommandFlags */
} drvCommandConfig;

/* The kinds of JSON props on a command line (for schema checks). */
typedef enum {
    DRV_COMMAND_PROPS_OBJECT,     /* -object, object-add */
    DRV_COMMAND_PROPS_DEVICE,     /* -device, device_add */
    DRV_COMMAND_PROPS_BLOCKDEV,   /* -blockdev, blockdev-add */
    DRV_COMMAND_PROPS_NETDEV,     /* -netdev, netdev_add */

    DRV_COMMAND_PROPS_LAST
} drvCommandPropsKind;

typedef struct drvCommand drvCommand;

void drvCommandFree(drvCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvCommand, drvCommandFree)

drvCommand *drvBuildCommandLine(confDomainDef *def, const drvQemuCaps *caps,
                                const drvHostCaps *host,
                                const drvCommandConfig *config,
                                GError **error);

const char *drvCommandGetBinary(const drvCommand *cmd);
/* NULL-terminated "-name", "guest=..." ... (binary not included) */
const char *const *drvCommandGetArgs(const drvCommand *cmd);
/* NULL-terminated "LC_ALL=C", ...: the whole environment QEMU gets */
const char *const *drvCommandGetEnv(const drvCommand *cmd);
/* The descriptors QEMU inherits. */
const int *drvCommandGetPassFDs(const drvCommand *cmd, size_t *n);
/* The JSON props, in argv order; @kinds gets their kinds. */
const qapiJSON *const *drvCommandGetProps(const drvCommand *cmd,
                                          const drvCommandPropsKind **kinds,
                                          size_t *n);
/* Files to write (mode 0600) before QEMU starts: path, content pairs. */
const char *const *drvCommandGetFiles(const drvCommand *cmd);
/* What the user should know but that does not stop the start. */
const char *const *drvCommandGetWarnings(const drvCommand *cmd);

typedef enum {
    /* one option (and its value) per line, libvirt's .args layout */
    DRV_COMMAND_STRING_LINES = 1 << 0,
} drvCommandStringFlags;

/* The environment and argv, shell-quoted. */
char *drvCommandToString(const drvCommand *cmd, unsigned int flags);

/* @arg quoted for a POSIX shell when it needs quoting. */
char *drvCommandShellQuote(const char *arg);

/*
 * The domain's private directory name "-1-NAME" (libvirt's short name:
 * id and the first 20 bytes of the name).
 */
char *drvCommandDomainShortName(const confDomainDef *def);

char *drvDomainXMLToNativeCaps(const char *xml, const char *format,
                               const drvQemuCaps *caps, const char *stateDir,
                               GError **error);
char *drvDomainXMLToNative(const char *xml, const char *format,
                           const drvQemuCapsConfig *capsConfig,
                           GError **error);

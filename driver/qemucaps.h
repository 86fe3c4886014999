/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qapi/json.h"
#include "qapi/schema.h"
#include "util/enum.h"

/*
 * What a QEMU binary can do, learnt from the binary itself: it is started
 * once with "-machine none" and asked over QMP (query-qmp-schema, QOM
 * types and properties, machines, trace events).  Every flag below is
 * decided from the schema or from QOM introspection, never from the
 * version number.  Results are cached on disk (driver/qemucapscache.c).
 */

/* The names are the strings used in golden files and in error messages. */
typedef enum {
    DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD,
    DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_HUGETLB,
    DRV_QEMU_CAPS_MEMORY_BACKEND_MEMFD_GUEST_MEMFD,
    DRV_QEMU_CAPS_MEMORY_BACKEND_GUEST_MEMFD,
    DRV_QEMU_CAPS_MEMORY_BACKEND_SHM,
    DRV_QEMU_CAPS_MEMORY_BACKEND_FILE_PREALLOC_THREADS,
    DRV_QEMU_CAPS_MEMORY_BACKEND_PREALLOC_CONTEXT,
    DRV_QEMU_CAPS_THREAD_CONTEXT,
    DRV_QEMU_CAPS_CGS_CONVERT_IN_PLACE,
    DRV_QEMU_CAPS_SEV_GUEST,
    DRV_QEMU_CAPS_SEV_GUEST_KERNEL_HASHES,
    DRV_QEMU_CAPS_SEV_GUEST_LEGACY_VM_TYPE,
    DRV_QEMU_CAPS_SEV_SNP_GUEST,
    DRV_QEMU_CAPS_TDX_GUEST,
    DRV_QEMU_CAPS_TDX_GUEST_QUOTE_GENERATION_SOCKET,
    DRV_QEMU_CAPS_QUERY_SEV_CAPABILITIES,
    DRV_QEMU_CAPS_IOMMUFD,
    DRV_QEMU_CAPS_VFIO_PCI,
    DRV_QEMU_CAPS_VFIO_PCI_IOMMUFD,
    DRV_QEMU_CAPS_VFIO_PCI_FD,
    DRV_QEMU_CAPS_VFIO_PCI_ENABLE_MIGRATION,
    DRV_QEMU_CAPS_RAM_BLOCK_ATTRIBUTES,
    DRV_QEMU_CAPS_MIGRATE_POSTCOPY_RAM,
    DRV_QEMU_CAPS_MIGRATE_POSTCOPY_PREEMPT,
    DRV_QEMU_CAPS_MIGRATE_RETURN_PATH,
    DRV_QEMU_CAPS_MIGRATE_SWITCHOVER_ACK,
    DRV_QEMU_CAPS_MIGRATE_MAPPED_RAM,
    DRV_QEMU_CAPS_MIGRATE_CHANNELS,
    DRV_QEMU_CAPS_MIGRATION_BLOCKED_REASONS,
    DRV_QEMU_CAPS_EVENT_VFIO_MIGRATION,
    DRV_QEMU_CAPS_TRACE_EVENT_SET_STATE,
    DRV_QEMU_CAPS_TRACE_KVM_CONVERT_MEMORY,
    DRV_QEMU_CAPS_TRACE_RAM_BLOCK_ATTRIBUTES_STATE_CHANGE,
    DRV_QEMU_CAPS_MACHINE_CONFIDENTIAL_GUEST_SUPPORT,
    DRV_QEMU_CAPS_MACHINE_MEMORY_BACKEND,
    DRV_QEMU_CAPS_QOM_LIST_GET,

    DRV_QEMU_CAPS_LAST
} drvQemuCapsFlag;

VGM_ENUM_DECL(drvQemuCapsFlag);

/* One entry of query-machines. */
typedef struct {
    char *name;        /* "pc-q35-11.1" */
    char *alias;       /* "q35", or NULL */
    bool isDefault;
    bool deprecated;
    unsigned int maxCpus;  /* cpu-max: the most vCPUs it takes */
} drvQemuCapsMachine;

typedef struct drvQemuCaps drvQemuCaps;

void drvQemuCapsFree(drvQemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvQemuCaps, drvQemuCapsFree);

bool drvQemuCapsHas(const drvQemuCaps *caps, drvQemuCapsFlag flag);
const char *drvQemuCapsGetBinary(const drvQemuCaps *caps);
/* major * 1000000 + minor * 1000 + micro; for messages and logs only. */
unsigned int drvQemuCapsGetVersion(const drvQemuCaps *caps);
const char *drvQemuCapsGetPackage(const drvQemuCaps *caps);
/* Whether the probe ran with KVM (query-kvm "enabled"). */
bool drvQemuCapsGetKVM(const drvQemuCaps *caps);

/* The machines in the order QEMU listed them. */
const drvQemuCapsMachine *drvQemuCapsGetMachines(const drvQemuCaps *caps,
                                                 size_t *n);
const char *drvQemuCapsGetDefaultMachine(const drvQemuCaps *caps);
const char *drvQemuCapsCanonicalMachine(const drvQemuCaps *caps,
                                        const char *name);
unsigned int drvQemuCapsGetMachineMaxCpus(const drvQemuCaps *caps,
                                          const char *name);
bool drvQemuCapsHasQOMType(const drvQemuCaps *caps, const char *type);
bool drvQemuCapsHasCPUModel(const drvQemuCaps *caps, const char *model);
/* The CPU models (query-cpu-definitions) in the order QEMU listed them. */
const char *const *drvQemuCapsGetCPUModels(const drvQemuCaps *caps,
                                           size_t *n);

/*
 * The query-qmp-schema reply (its "return" array): what generated
 * -object/-device JSON is checked against.
 */
const qapiJSON *drvQemuCapsGetSchema(const drvQemuCaps *caps);
/* The same, indexed: for qapiSchemaValidateArgs() of generated JSON. */
const qapiSchema *drvQemuCapsGetSchemaIndex(const drvQemuCaps *caps);
/* True when @path (libvirt-style, see qapi/schema.h) exists. */
bool drvQemuCapsSchemaHas(const drvQemuCaps *caps, const char *path);
/* True when query-migrate-capabilities listed @capability. */
bool drvQemuCapsHasMigrationCapability(const drvQemuCaps *caps,
                                       const char *capability);

/* A text summary: version, flags (yes/no), machines. Used for goldens. */
char *drvQemuCapsFormatSummary(const drvQemuCaps *caps);

/* How to probe; zero-initialised means: defaults. */
typedef struct {
    const char *cacheDir;      /* NULL: no cache */
    unsigned int timeoutMs;    /* whole probe; 0: 30 s */
    const char *hostFingerprint; /* NULL: drvHostFingerprint() */
    vgmTristateBool kvm;       /* ABSENT: /dev/kvm usable? */
} drvQemuCapsConfig;

drvQemuCaps *drvQemuCapsProbe(const char *binary,
                              const drvQemuCapsConfig *config,
                              GError **error);
drvQemuCaps *drvQemuCapsLookup(const char *binary,
                               const drvQemuCapsConfig *config,
                               bool *cacheHit,
                               GError **error);

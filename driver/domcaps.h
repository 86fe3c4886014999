/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/cpu.h"
#include "conf/domain.h"
#include "conf/launchsec.h"
#include "conf/memory.h"
#include "driver/host.h"
#include "driver/qemucaps.h"

/*
 * <domainCapabilities> (virConnectGetDomainCapabilities, `virsh
 * domcapabilities`) for one emulator, arch, machine type and domain
 * type, in libvirt's format, plus a <virtgmem:guestMemfd> element in our
 * own namespace for what libvirt has no place for (docs/formatdomaincaps.md).
 *
 * drvDomCapsNew() decides everything from the QEMU and host
 * capabilities; drvDomCapsFormat() only prints the decisions.
 */

#define DRV_DOMCAPS_NAMESPACE "http://virtgmem.org/schemas/domaincaps/1.0"
#define DRV_DOMCAPS_NAMESPACE_PREFIX "virtgmem"

/* What query-sev-capabilities and CPUID tell about SEV, when known. */
typedef struct {
    unsigned int cbitpos;
    unsigned int reducedPhysBits;
    unsigned int maxGuests;
    unsigned int maxESGuests;
} drvDomCapsSevInfo;

typedef struct {
    const drvHostCaps *host;
    const drvQemuCaps *qemu;
    const char *arch;            /* NULL: the host's (x86_64) */
    const char *machine;         /* NULL: the default; an alias is fine */
    confDomainVirtType virttype; /* NONE: kvm when usable, else qemu */
    const drvDomCapsSevInfo *sev; /* NULL: unknown, no details printed */
} drvDomCapsRequest;

/* The QEMU spellings of guest_memfd memory (shared/qemu-facts.md §1). */
typedef enum {
    DRV_DOMCAPS_GMEM_BACKEND_GUEST_MEMFD,  /* memory-backend-guest-memfd */
    DRV_DOMCAPS_GMEM_BACKEND_MEMFD,        /* memory-backend-memfd,guest-memfd=on */

    DRV_DOMCAPS_GMEM_BACKEND_LAST
} drvDomCapsGmemBackend;

typedef struct {
    bool kvm;                   /* KVM guest_memfd works (create + mmap) */
    bool mmap;                  /* GUEST_MEMFD_FLAG_MMAP */
    bool initShared;            /* GUEST_MEMFD_FLAG_INIT_SHARED */
    bool privateMemory;         /* KVM_MEMORY_ATTRIBUTE_PRIVATE */
    bool backend[DRV_DOMCAPS_GMEM_BACKEND_LAST];
    bool convertInPlace;        /* QEMU cgs.convert-in-place */
    bool traceConvert;          /* trace event kvm_convert_memory */
    bool traceAttributes;       /* ram_block_attributes_state_change */
    bool traceSetState;         /* QMP trace-event-set-state */
    bool sharedDeviceAssignment; /* QEMU RAM block attributes */
    bool postcopyQemu;          /* migrate.postcopy-ram */
    bool postcopyHost;          /* userfaultfd registers guest_memfd */
} drvDomCapsGmem;

typedef struct drvDomCaps drvDomCaps;
struct drvDomCaps {
    char *path;
    char *arch;
    char *machine;              /* canonical */
    confDomainVirtType virttype;
    unsigned int maxVcpus;      /* the machine's cpu-max */

    bool iothreads;
    bool firmwareEfi;
    bool secureBoot;            /* SMM: q35 only */
    bool cpuModes[CONF_CPU_MODE_LAST];
    char **cpuModels;           /* custom mode's, QEMU's order; NULL-ended */
    bool memorySource[CONF_MEMORY_SOURCE_LAST];
    bool diskIde;               /* the machine has an IDE controller */
    bool hostdev;               /* QEMU vfio-pci */
    bool hostdevVfio;           /* the host has VFIO or iommufd */
    bool hostdevIommufd;        /* QEMU iommufd + vfio-pci.iommufd */
    bool launchSecurity[CONF_LAUNCH_SECURITY_LAST];
    bool sevInfoKnown;
    drvDomCapsSevInfo sevInfo;
    drvDomCapsGmem gmem;
};

void drvDomCapsFree(drvDomCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvDomCaps, drvDomCapsFree)

drvDomCaps *drvDomCapsNew(const drvDomCapsRequest *req, GError **error);
char *drvDomCapsFormat(const drvDomCaps *caps);
char *drvDomCapsGetXML(const drvDomCapsRequest *req, GError **error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/enum.h"

/*
 * What the host offers guest_memfd guests: KVM and its guest_memfd
 * capabilities, a real guest_memfd create/mmap test, userfaultfd on
 * guest_memfd (post-copy), SEV/SEV-ES/SNP, TDX, VFIO/iommufd and
 * hugepages.  Everything is read through a replaceable ops table
 * (driver/hostpriv.h), so tests can fake a whole host.
 *
 * A probe never fails because the host lacks something: what is missing
 * is recorded in the struct.  Only a broken uname() is an error.
 */

/* The KVM_CHECK_EXTENSION capabilities we look at. */
typedef enum {
    DRV_HOST_KVM_CAP_USER_MEMORY2,
    DRV_HOST_KVM_CAP_MEMORY_FAULT_INFO,
    DRV_HOST_KVM_CAP_MEMORY_ATTRIBUTES,
    DRV_HOST_KVM_CAP_GUEST_MEMFD,
    DRV_HOST_KVM_CAP_VM_TYPES,
    DRV_HOST_KVM_CAP_PRE_FAULT_MEMORY,
    DRV_HOST_KVM_CAP_GUEST_MEMFD_FLAGS,
    DRV_HOST_KVM_CAP_SPLIT_IRQCHIP,
    DRV_HOST_KVM_CAP_X86_APIC_BUS_CYCLES_NS,

    DRV_HOST_KVM_CAP_LAST
} drvHostKvmCap;

VGM_ENUM_DECL(drvHostKvmCap);

/* KVM_CREATE_VM types (x86); KVM_CAP_VM_TYPES is a mask of 1 << type. */
typedef enum {
    DRV_HOST_VM_TYPE_DEFAULT = 0,
    DRV_HOST_VM_TYPE_SW_PROTECTED,
    DRV_HOST_VM_TYPE_SEV,
    DRV_HOST_VM_TYPE_SEV_ES,
    DRV_HOST_VM_TYPE_SNP,
    DRV_HOST_VM_TYPE_TDX,

    DRV_HOST_VM_TYPE_LAST
} drvHostVMType;

VGM_ENUM_DECL(drvHostVMType);

/* guest_memfd creation flags (GUEST_MEMFD_FLAG_*). */
#define DRV_HOST_GMEM_FLAG_MMAP (1ULL << 0)
#define DRV_HOST_GMEM_FLAG_INIT_SHARED (1ULL << 1)

/* KVM_MEMORY_ATTRIBUTE_PRIVATE */
#define DRV_HOST_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)

/* The outcome of one probe step. */
typedef enum {
    DRV_HOST_STEP_NOT_RUN = 0,  /* a step before it failed, or no need */
    DRV_HOST_STEP_OK,
    DRV_HOST_STEP_FAILED,       /* see the errno in drvHostStep.err */

    DRV_HOST_STEP_LAST
} drvHostStepState;

typedef struct {
    drvHostStepState state;
    int err;
} drvHostStep;

typedef struct {
    unsigned long long sizeKiB;
    long long total;  /* nr_hugepages, -1 when unreadable */
    long long free;   /* free_hugepages, -1 when unreadable */
} drvHostHugepages;

/* A capability value we could not read. */
#define DRV_HOST_UNKNOWN (-1LL)

typedef struct drvHostCaps drvHostCaps;
struct drvHostCaps {
    /* uname and cheap host facts */
    char *kernelRelease;
    char *arch;
    long long cpus;        /* online CPUs, DRV_HOST_UNKNOWN */
    long long memoryKiB;   /* MemTotal, DRV_HOST_UNKNOWN */

    /* KVM */
    bool kvmDevice;        /* /dev/kvm exists */
    drvHostStep kvmOpen;
    long long kvmApiVersion;
    char *kvmModule;       /* kvm_intel, kvm_amd, kvm_pvm, ...; NULL */
    drvHostStep vmCreate;  /* KVM_CREATE_VM(DEFAULT) */
    long long sysCaps[DRV_HOST_KVM_CAP_LAST];  /* on /dev/kvm */
    long long vmCaps[DRV_HOST_KVM_CAP_LAST];   /* on the default VM */
    /*
     * A confidential VM of the first type offered among SNP, TDX and
     * SW_PROTECTED: QEMU checks KVM_CAP_MEMORY_ATTRIBUTES on such a VM,
     * and a default VM never has the private attribute.
     */
    drvHostVMType cocoVmType;                  /* DEFAULT: none offered */
    drvHostStep cocoVmCreate;
    long long cocoVmCaps[DRV_HOST_KVM_CAP_LAST];

    /* the guest_memfd test on the default VM */
    unsigned long long gmemFlags;  /* the flags it was created with */
    drvHostStep gmemCreate;
    drvHostStep gmemMmap;
    drvHostStep gmemAccess;        /* write then read back */

    /* userfaultfd */
    bool uffdDevice;               /* /dev/userfaultfd exists */
    long long uffdUnprivileged;    /* vm.unprivileged_userfaultfd */
    const char *uffdMethod;        /* "device", "syscall" or NULL */
    drvHostStep uffdOpen;          /* userfaultfd + UFFDIO_API */
    unsigned long long uffdFeatures;
    drvHostStep uffdMemfdMissing;  /* UFFDIO_REGISTER on a memfd */
    drvHostStep uffdGmemMissing;   /* ... on the guest_memfd mapping */
    drvHostStep uffdGmemMinor;

    /* AMD SEV and Intel TDX */
    bool sevDevice;                /* /dev/sev */
    vgmTristateBool sevParam;      /* kvm_amd parameters; ABSENT: no file */
    vgmTristateBool sevEsParam;
    vgmTristateBool sevSnpParam;
    vgmTristateBool tdxParam;      /* kvm_intel tdx */

    /* device assignment */
    bool vfioDevice;               /* /dev/vfio/vfio */
    bool iommufdDevice;            /* /dev/iommu */
    long long iommuGroups;         /* DRV_HOST_UNKNOWN: no sysfs dir */
    long long vfioDmaEntryLimit;   /* vfio_iommu_type1 dma_entry_limit */

    drvHostHugepages *hugepages;
    size_t nhugepages;
};

void drvHostCapsFree(drvHostCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(drvHostCaps, drvHostCapsFree)

drvHostCaps *drvHostCapsProbe(GError **error);
char *drvHostCapsFormat(const drvHostCaps *caps);
char *drvHostCapsFingerprint(const drvHostCaps *caps);
char *drvHostFingerprint(GError **error);
/* Whether /dev/kvm opens read-write (QEMU can use -accel kvm). */
bool drvHostKVMUsable(void);

/* Convenience readers used by the validator and the driver. */
bool drvHostCapsHasVMType(const drvHostCaps *caps, drvHostVMType type);
long long drvHostCapsKvmCap(const drvHostCaps *caps, drvHostKvmCap cap);
bool drvHostCapsPrivateMemory(const drvHostCaps *caps);
const char *drvHostErrnoName(int err);
